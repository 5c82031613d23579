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


# Move the slider of 01_lif_slider.py in the page and read the spike raster's data back.
SET_SLIDER = """
var slider = Nengo.Component.components.filter(function (c) { return c instanceof Nengo.Slider; })[0];
slider.sliders[0].set_value(arguments[0]);
return sim.time;
"""
SPIKE_TIMES = """
var raster = Nengo.Component.components.filter(function (c) { return c instanceof Nengo.Raster; })[0];
var store = raster.data_store, times = [];
for (var i = 0; i < store.times.length; i++) {
    if (store.data[0][i].length > 0) { times.push(store.times[i]); }
}
return times;
"""


def count_spikes(spike_times, start, end):
    return sum(1 for t in spike_times if start <= t < end)


@pytest.mark.browser
def test_slider_controls_spiking_in_browser(gui_browser, repo_root):
    settle = 0.1  # s, time for the change to reach the simulation and the voltage to settle

    def move_slider(driver):
        changes = {}
        for current in (0.5, 3.0):
            changes[current] = driver.execute_script(SET_SLIDER, current)
            gui_browser.wait_for_sim_time(driver, changes[current] + settle + 1.0)
        return changes, driver.execute_script(SPIKE_TIMES)

    run = gui_browser.run_demo(repo_root / "01_lif_slider.py", run_until=1.0, after_play=move_slider)
    gui_browser.assert_demo_ran(run, repo_root / "01_lif_slider.py.cfg")
    changes, spike_times = run.interaction

    # The slider starts at J = 1.5 (about 42 Hz). At 0.5 the neuron is silent; at 3 it fires
    # at 1 / (tau_ref - tau_rc ln(1 - 1/3)) = 99 Hz.
    assert count_spikes(spike_times, 0.2, 1.0) >= 25
    silent_start = changes[0.5] + settle
    assert count_spikes(spike_times, silent_start, silent_start + 1.0) == 0
    fast_start = changes[3.0] + settle
    assert 90 <= count_spikes(spike_times, fast_start, fast_start + 1.0) <= 105
