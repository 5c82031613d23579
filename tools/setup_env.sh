#!/usr/bin/env bash
# Create or update the virtual environment that run.sh and test.sh use.
#
# Environment:
#   PYTHON  interpreter to build it with (default: the one an existing VENV was made with,
#           else the first supported python3.X on PATH, preferring 3.11, the TensorFlow 2.12
#           stack)
#   VENV    where to put it (default: .venv in the repository)
#
# Supported: Python 3.8-3.11 (TensorFlow 2.12.1) and 3.12-3.13 (TensorFlow 2.21.0), as pinned
# in requirements.txt. The install is skipped when requirements.txt, pyproject.toml and the
# interpreter are unchanged since the last successful one.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}

supported() {
    "$1" -c 'import sys; sys.exit(0 if (3, 8) <= sys.version_info[:2] <= (3, 13) else 1)' \
        >/dev/null 2>&1
}

if [ -z "${PYTHON:-}" ] && [ -x "$VENV/bin/python" ] && supported "$VENV/bin/python"; then
    # Keep an existing environment, also one made by hand, with the Python it was made with.
    PYTHON=$VENV/bin/python
fi

if [ -n "${PYTHON:-}" ]; then
    if ! command -v "$PYTHON" >/dev/null 2>&1; then
        echo "error: PYTHON=$PYTHON not found" >&2
        exit 1
    fi
    if ! "$PYTHON" -c pass >/dev/null 2>&1; then
        echo "error: PYTHON=$PYTHON does not run (with pyenv, this version may not be active:" \
            "try 'pyenv shell 3.X' or give the full path)" >&2
        exit 1
    fi
    if ! supported "$PYTHON"; then
        version=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null \
            || echo unknown)
        echo "error: Python $version ($PYTHON) is not supported. The pinned TensorFlow" \
            "stacks install on Python 3.8-3.13; set PYTHON to one of those," \
            "for example PYTHON=python3.11" >&2
        exit 1
    fi
else
    for candidate in python3.11 python3.10 python3.9 python3.8 python3.12 python3.13 python3; do
        if command -v "$candidate" >/dev/null 2>&1 && supported "$candidate"; then
            PYTHON=$candidate
            break
        fi
    done
    if [ -z "${PYTHON:-}" ]; then
        found=$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null \
            || echo none)
        echo "error: no supported Python found (python3 is $found). The pinned TensorFlow" \
            "stacks install on Python 3.8-3.13: install one of those (3.11 is the most" \
            "tested) and run again, or set PYTHON=/path/to/python3.X" >&2
        exit 1
    fi
fi

python_path=$("$PYTHON" -c 'import sys; print(sys.executable)')
stamp="$VENV/.installed"
# The stamp records the Python version, not its path, so that a VENV reused through its own
# interpreter matches the install that made it.
wanted=$( ("$PYTHON" -c 'import sys; print(sys.version)'; cat requirements.txt pyproject.toml) \
    | sha256sum | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$wanted" ]; then
    exit 0
fi

if [ -x "$VENV/bin/python" ] && [ "$("$VENV/bin/python" -c 'import sys; print(sys.version_info[:2])')" \
        != "$("$PYTHON" -c 'import sys; print(sys.version_info[:2])')" ]; then
    echo "Replacing $VENV, which was built with another Python version than PYTHON=$PYTHON"
    rm -rf "$VENV"
fi

echo "Installing into $VENV with $("$PYTHON" --version) ($python_path)"
if [ ! -x "$VENV/bin/python" ]; then
    "$PYTHON" -m venv "$VENV"
fi
# NengoDL 3.6.0 is published only as source. Its setup.py needs setuptools with
# pkg_resources, so it is built with this setuptools instead of an isolated one.
# A current pip resolves the TensorFlow 2.12 pins quickly (the pip of Python 3.8's venv
# backtracks for a long time), and setuptools 64 or later installs this project in editable mode.
"$VENV/bin/python" -m pip install --quiet --upgrade pip "setuptools>=64,<81" wheel
"$VENV/bin/python" -m pip install --no-build-isolation -r requirements.txt
echo "$wanted" > "$stamp"
