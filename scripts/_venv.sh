# Sourced by run.sh and test.sh: make .venv and install the project into it, once per
# version of pyproject.toml (a stamp file records what was installed).
set -euo pipefail
extras="${1:-}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed${extras:+-$extras}"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    .venv/bin/python -m pip install -qq --disable-pip-version-check -e ".${extras:+[$extras]}"
    echo "$want" > "$stamp"
fi
