#!/usr/bin/env bash
# Runs the service (API, docs at /docs) on the embedded default region and SQLite.
# Extra arguments go to `doorstep serve`, e.g. --host 0.0.0.0 --port 8080.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" ""
exec .venv/bin/doorstep serve "$@"
