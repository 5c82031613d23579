#!/usr/bin/env bash
# Install what the project needs (if not yet done) and open a demo in Nengo GUI.
#
#   ./run.sh                         opens 01_lif_slider.py in your browser
#   ./run.sh 02_lif_soft.py          opens another demo
#   ./run.sh 01_lif_step.py --no-browser -P 8080   Nengo GUI options pass through
#
# Environment: PYTHON and VENV as in tools/setup_env.sh.
set -euo pipefail
cd "$(dirname "$0")"
VENV=${VENV:-.venv}
export VENV

script=${1:-01_lif_slider.py}
shift || true
# Nengo GUI opens a missing file as an empty network, so check first.
if [ ! -f "$script" ]; then
    echo "error: $script not found; the demos are the *.py files beside run.sh," \
        "for example ./run.sh 01_lif_slider.py" >&2
    exit 1
fi

tools/setup_env.sh

# On Python 3.12+ (TensorFlow 2.21), Nengo GUI imports nengo_dl, and so TensorFlow, before it
# runs a demo. NengoDL needs tf.keras to be Keras 2, which TensorFlow decides at import time
# from this variable (see snn_demos/nengo_dl_compat.py). TensorFlow 2.12 ignores it.
export TF_USE_LEGACY_KERAS=1

exec "$VENV/bin/nengo" "$script" "$@"
