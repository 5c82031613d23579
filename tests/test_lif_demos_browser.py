"""The 01_ and 02_ LIF demos load and run in Nengo GUI in headless Chromium."""

import pytest

SCRIPTS = [
    "01_lif_slider.py",
    "01_lif_step.py",
    "01_lif_sine.py",
    "02_lif_slider_synapses.py",
    "02_lif_sine_synapses.py",
]


@pytest.mark.browser
@pytest.mark.parametrize("script", SCRIPTS)
def test_demo_runs_in_browser(gui_browser, repo_root, script):
    run = gui_browser.run_demo(repo_root / script, run_until=1.0)
    gui_browser.assert_demo_ran(run, repo_root / (script + ".cfg"))
