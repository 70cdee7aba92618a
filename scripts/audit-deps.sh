#!/usr/bin/env bash
# Audits the locked dependencies (requirements/*.lock) for known vulnerabilities with pip-audit.
# Fails on any that requirements/audit-ignore.toml does not explain; see scripts/audit_deps.py.
# test.sh runs it; it needs the dev venv, which it makes if missing.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" dev
exec .venv/bin/python scripts/audit_deps.py
