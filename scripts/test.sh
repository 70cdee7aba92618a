#!/usr/bin/env bash
# The test suite: lint, types and tests, offline, on the shipped OSM extract.
# CI runs exactly this (.ci/run). Extra arguments go to pytest.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" dev
./scripts/audit-deps.sh

# The browser tests drive Debian's Chromium (never a Playwright download); install it on a
# fresh machine.
if [ ! -x /usr/bin/chromium ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
fi

# PostgreSQL is a service of the machine; start it if it is down, then test against it.
if command -v pg_isready >/dev/null && ! pg_isready -q -h 127.0.0.1 -p 5432; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql)" main start || true
fi
export DOORSTEP_TEST_POSTGRES_URL="${DOORSTEP_TEST_POSTGRES_URL:-postgresql+psycopg://postgres@127.0.0.1:5432/test}"

# Redis too (the Celery broker of background plans): start it if it is down, keeping nothing
# on disk, then run real workers against it (tests/app/test_celery_jobs.py).
if command -v redis-server >/dev/null && ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    redis-server --bind 127.0.0.1 --port 6379 --save '' --appendonly no --daemonize yes || true
fi
export DOORSTEP_TEST_REDIS_URL="${DOORSTEP_TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"

.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/pytest "$@"
# The full run also puts what is stored (tests marked "storage") on PostgreSQL, production's
# database: a fresh database per test, migrated from empty.
if [ $# -eq 0 ]; then
    DOORSTEP_TEST_DATABASE=postgresql .venv/bin/pytest -q -m storage
fi
