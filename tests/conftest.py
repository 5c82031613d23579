"""Fixtures shared by the tests: the repository root, MNIST files, and the browser harness."""

import importlib.util
import os
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tools import gui_browser as browser_harness  # noqa: E402

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def skip_or_fail(reason):
    """Skip with ``reason``, except in CI, where a missing prerequisite fails the test."""
    if IN_CI:
        pytest.fail("%s (CI=true requires it)" % reason)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def repo_root():
    return REPO_ROOT


@pytest.fixture(scope="session")
def mnist_dir():
    """Folder with the four MNIST IDX files: $SNN_MNIST_DIR, else ../shared/data/mnist."""
    folder = Path(os.environ.get("SNN_MNIST_DIR", REPO_ROOT.parent / "shared" / "data" / "mnist"))
    if not (folder / "t10k-labels-idx1-ubyte.gz").exists():
        skip_or_fail("MNIST IDX files not found in %s; set SNN_MNIST_DIR" % folder)
    return folder


@pytest.fixture(scope="session")
def gui_browser():
    """The browser harness module (``tools/gui_browser.py``), once Chromium is known to exist.

    Use ``gui_browser.run_demo(REPO_ROOT / "SCRIPT.py", run_until=...)``, which returns a
    ``DemoRun``. ``gui_browser.assert_demo_ran(run, cfg_path)`` makes the checks that every
    browser test shares: time advanced, the layout's plots are on the page, no Python error.
    """
    try:
        browser_harness.find_browser()
    except browser_harness.BrowserUnavailable as error:
        skip_or_fail(str(error))
    return browser_harness



@pytest.fixture(scope="session")
def load_demo():
    """Return a function that imports a demo script by file name and returns its module.

    Each call runs the script anew, so a test may change the module's objects freely.
    """

    def load(script_name):
        path = REPO_ROOT / script_name
        spec = importlib.util.spec_from_file_location("demo_" + path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load
