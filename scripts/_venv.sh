# Sourced by run.sh and test.sh: make .venv and install into it exactly the versions locked in
# requirements/ (runtime.lock with no argument, dev.lock for "dev", bench.lock for "bench"),
# then the project itself without dependencies. Once per version of pyproject.toml and of the
# lock (a stamp file records what was installed). scripts/lock.sh regenerates the locks.
set -euo pipefail
extras="${1:-}"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
lock="requirements/${extras:-runtime}.lock"
[ -f "$lock" ] || { echo "no lock file $lock" >&2; exit 1; }
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=".venv/.installed${extras:+-$extras}"
want="$(cat pyproject.toml "$lock" | sha256sum | cut -d' ' -f1)"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    pip=(.venv/bin/python -m pip install -qq --disable-pip-version-check)
    "${pip[@]}" --require-hashes -r "$lock"
    "${pip[@]}" --no-deps -e .
    if ! broken="$(.venv/bin/python -m pip check --disable-pip-version-check)"; then
        echo "$broken" >&2
        echo "$lock does not fit pyproject.toml: run scripts/lock.sh" >&2
        exit 1
    fi
    echo "$want" > "$stamp"
fi
