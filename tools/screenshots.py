"""Take a screenshot of each demo as it looks in Nengo GUI, for the README.

Runs every demo in headless Chromium with tools/gui_browser.py and saves
docs/screenshots/SCRIPT.png. Needs Chromium and chromedriver (see that module), and for
05_mnist_gui.py a trained mnist_weights.npz beside the script.

    python tools/screenshots.py                   all demos
    python tools/screenshots.py 01_lif_slider.py  only some
"""

import argparse
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tools import gui_browser  # noqa: E402

# Simulation time (s) to run before each screenshot, long enough to fill the plots.
DEMOS = {
    "01_lif_slider.py": 2.0,
    "01_lif_step.py": 3.0,
    "01_lif_sine.py": 3.0,
    "02_lif_slider_synapses.py": 2.0,
    "02_lif_sine_synapses.py": 3.0,
    "02_lif_soft.py": 1.0,
    "03_hebbian_stdp.py": 2.0,
    "05_mnist_gui.py": 3.5,
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scripts", nargs="*", help="demo files (default: all)")
    parser.add_argument(
        "--output-dir",
        type=Path,
        default=REPO_ROOT / "docs" / "screenshots",
        help="folder for the PNG files (default: docs/screenshots)",
    )
    args = parser.parse_args()

    for script in args.scripts or list(DEMOS):
        name = Path(script).name
        extra_files = []
        if name == "05_mnist_gui.py":
            extra_files.append(REPO_ROOT / "mnist_weights.npz")
        path = args.output_dir / (Path(name).stem + ".png")
        run = gui_browser.run_demo(
            REPO_ROOT / name,
            run_until=DEMOS.get(name, 2.0),
            extra_files=extra_files,
            screenshot=path,
        )
        if run.console_error:
            sys.exit("%s showed an error in Nengo GUI:\n%s" % (name, run.console_error))
        print("%s: %s (simulation time %.2f s)" % (name, path, run.sim_times[-1]))


if __name__ == "__main__":
    main()
