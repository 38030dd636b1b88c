#!/usr/bin/env bash
# Create .venv and install requirements-dev.txt into it, unless a stamp shows the
# requirements have not changed since the last install (then this takes well under a second).
#   PYTHON=python3.11 scripts/ensure-venv.sh   # choose the interpreter for a new venv
set -euo pipefail
cd "$(dirname "$0")/.."

venv=.venv
stamp="$venv/.requirements.sha256"
python="${PYTHON:-python3}"

want="$(cat requirements.txt requirements-dev.txt | sha256sum | cut -d' ' -f1)"
if [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    echo "venv: ok (requirements unchanged)"
    exit 0
fi

if [[ ! -x "$venv/bin/python" ]]; then
    if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
        echo "venv: $python is missing or older than Python 3.11; set PYTHON=/path/to/python3.11" >&2
        exit 1
    fi
    echo "venv: creating $venv with $("$python" --version)"
    "$python" -m venv "$venv"
fi

echo "venv: installing requirements-dev.txt"
"$venv/bin/python" -m pip install --disable-pip-version-check -q -r requirements-dev.txt
echo "$want" > "$stamp"
echo "venv: ok"
