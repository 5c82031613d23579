#!/usr/bin/env bash
# Install what the project needs (if not yet done) and run the tests.
#
#   ./test.sh                   all tests
#   ./test.sh -m "not browser"  pytest options pass through
#
# Browser tests need Chromium and chromedriver. As root with apt-get, this script installs
# Debian's chromium and chromium-driver packages; otherwise those tests are skipped, or fail
# when CI=true. Environment: PYTHON and VENV as in tools/setup_env.sh.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}
export VENV

tools/setup_env.sh

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "Installing Chromium and chromedriver for the browser tests"
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium chromium-driver
    else
        echo "warning: Chromium or chromedriver not found, so browser tests will be skipped;" \
            "install them with: sudo apt-get install chromium chromium-driver" >&2
    fi
fi

exec "$VENV/bin/python" -m pytest "$@"
