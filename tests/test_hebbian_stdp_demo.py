"""The STDP pairing demo (03_hebbian_stdp.py): its network in nengo.Simulator, its layout,
and its run in Nengo GUI."""

import re

import numpy as np
import pytest

import nengo

SCRIPT = "03_hebbian_stdp.py"
RUN_TIME = 3.0  # s, twelve pairings

# With gain 1 and bias 0, Nengo's build computes a maximum firing rate of 0 and numpy warns.
pytestmark = pytest.mark.filterwarnings("ignore:divide by zero encountered in log1p")


def run_demo_network(demo, delay_ms, run_time=RUN_TIME):
    """Run the demo's model with the slider at ``delay_ms``; return its probed data."""
    demo.delay_ms.output = np.array([delay_ms])
    with demo.model:
        probes = {
            "weights": nengo.Probe(demo.weights),
            "pre": nengo.Probe(demo.pre.neurons),
            "post": nengo.Probe(demo.post.neurons),
            "hebb_post": nengo.Probe(demo.hebb_post.neurons),
            "voltage": nengo.Probe(demo.post.neurons, "voltage"),
            "traces": nengo.Probe(demo.traces),
            "stdp_weights": nengo.Probe(demo.stdp_conn, "weights"),
            "hebb_weights": nengo.Probe(demo.hebb_conn, "weights"),
        }
    with nengo.Simulator(demo.model, progress_bar=False) as sim:
        sim.run(run_time)
    data = {name: sim.data[probe] for name, probe in probes.items()}
    data["t"] = sim.trange()
    return data


@pytest.fixture(scope="module")
def runs(load_demo):
    """The demo run with the postsynaptic spike 10 ms after and 10 ms before the presynaptic one."""
    return {delay: run_demo_network(load_demo(SCRIPT), delay) for delay in (10.0, -10.0)}


def spike_times(data, name):
    return data["t"][data[name][:, 0] > 0]


def test_demo_defines_plotted_objects(load_demo):
    demo = load_demo(SCRIPT)
    for name in ("model", "delay_ms", "pre", "post", "hebb_post", "traces", "weights"):
        assert hasattr(demo, name), name
    assert isinstance(demo.model, nengo.Network)


@pytest.mark.parametrize("delay", [10.0, -10.0])
def test_demo_one_spike_per_pairing(runs, load_demo, delay):
    demo = load_demo(SCRIPT)
    n_pairings = int(round(RUN_TIME / demo.PAIRING_PERIOD))
    pre = spike_times(runs[delay], "pre")
    post = spike_times(runs[delay], "post")
    assert len(pre) == n_pairings
    assert len(post) == n_pairings
    np.testing.assert_array_equal(spike_times(runs[delay], "hebb_post"), post)
    np.testing.assert_allclose(post - pre, delay / 1000.0, atol=1e-9)


def test_demo_stdp_weight_rises_for_positive_delay(runs, load_demo):
    demo = load_demo(SCRIPT)
    stdp = runs[10.0]["weights"][:, 0]
    assert stdp[-1] > demo.W_INITIAL + 5 * demo.A_PLUS * np.exp(-0.5)


def test_demo_stdp_weight_falls_for_negative_delay(runs, load_demo):
    demo = load_demo(SCRIPT)
    stdp = runs[-10.0]["weights"][:, 0]
    assert stdp[-1] < demo.W_INITIAL - 5 * demo.A_MINUS * np.exp(-0.5)


@pytest.mark.parametrize("delay", [10.0, -10.0])
def test_demo_oja_weight_rises_for_both_orders(runs, load_demo, delay):
    demo = load_demo(SCRIPT)
    oja = runs[delay]["weights"][:, 1]
    assert oja[-1] > demo.OJA_W_INITIAL + 0.002


def test_demo_oja_weight_ignores_order(runs):
    later = runs[10.0]["weights"][-1, 1]
    earlier = runs[-10.0]["weights"][-1, 1]
    assert later == pytest.approx(earlier, rel=0.1)


def test_demo_stdp_unchanged_for_simultaneous_spikes(load_demo):
    demo = load_demo(SCRIPT)
    data = run_demo_network(demo, 0.0, run_time=1.0)
    # Only what is left of the traces from the pairing before, exp(-0.25 s / 20 ms) of a
    # spike, pairs with the next spikes.
    residual = demo.A_MINUS * np.exp(-demo.PAIRING_PERIOD / demo.TAU_MINUS)
    np.testing.assert_allclose(data["weights"][:, 0], demo.W_INITIAL, rtol=0, atol=4 * residual)


def test_demo_nodes_show_weights_and_traces(runs):
    data = runs[10.0]
    np.testing.assert_array_equal(data["weights"][:, 0], data["stdp_weights"][:, 0, 0])
    np.testing.assert_array_equal(data["weights"][:, 1], data["hebb_weights"][:, 0, 0])
    assert data["traces"].max() >= 1.0


def test_demo_stdp_rule_uses_demo_parameters(load_demo):
    demo = load_demo(SCRIPT)
    rule = demo.stdp_conn.learning_rule_type
    assert rule.a_plus == demo.A_PLUS
    assert rule.a_minus == demo.A_MINUS
    assert rule.tau_plus == demo.TAU_PLUS
    assert rule.tau_minus == demo.TAU_MINUS
    assert rule.min_weight == 0.0
    assert rule.max_weight == demo.W_MAX
    assert rule.min_weight < demo.W_INITIAL < rule.max_weight


def test_demo_depression_slightly_stronger(load_demo):
    """A- / A+ = 1.05, as in Song, Miller and Abbott (2000)."""
    demo = load_demo(SCRIPT)
    assert demo.A_MINUS > demo.A_PLUS
    assert demo.A_MINUS / demo.A_PLUS == pytest.approx(1.05)


def test_demo_epsp_subthreshold_at_max_weight(load_demo):
    """Even at the rule's upper weight bound, a presynaptic spike alone keeps the
    postsynaptic voltage below the threshold of 1."""
    demo = load_demo(SCRIPT)
    demo.stdp_conn.transform = [[demo.stdp_conn.learning_rule_type.max_weight]]
    # The postsynaptic pulse comes 40 ms before the presynaptic spike.
    data = run_demo_network(demo, -40.0, run_time=0.25)
    assert len(spike_times(data, "post")) == 1
    after_pre = data["t"] > demo.PRE_SPIKE_TIME
    peak = data["voltage"][after_pre].max()
    assert 0.1 < peak < 0.5


# The .py.cfg layout

CFG_PLOT = re.compile(r"^(_viz_\d+) = nengo_gui\.components\.(\w+)Template\((\w+)\)$")
CFG_SETTING = re.compile(r"^_viz_config\[(\w+)\]\.(\w+) ?= ?(.+)$")


def read_layout(repo_root):
    plots = {}
    settings = {}
    for line in (repo_root / (SCRIPT + ".cfg")).read_text().splitlines():
        plot = CFG_PLOT.match(line)
        if plot:
            plots[plot.group(1)] = (plot.group(2), plot.group(3))
            continue
        setting = CFG_SETTING.match(line)
        if setting:
            settings.setdefault(setting.group(1), {})[setting.group(2)] = eval(setting.group(3))
    return plots, settings


def test_layout_lines_execute_like_nengo_gui(repo_root, load_demo):
    """Nengo GUI runs each .cfg line with exec and silently skips lines that fail."""
    nengo_gui = pytest.importorskip("nengo_gui")
    namespace = dict(vars(load_demo(SCRIPT)))
    namespace["nengo_gui"] = nengo_gui
    namespace["_viz_config"] = nengo_gui.config.Config()
    for line in (repo_root / (SCRIPT + ".cfg")).read_text().splitlines():
        exec(line, namespace)


def test_layout_places_the_promised_plots(repo_root):
    plots, _ = read_layout(repo_root)
    assert sorted(plots.values()) == sorted(
        [
            ("Slider", "delay_ms"),
            ("Raster", "pre"),
            ("Raster", "post"),
            ("Voltage", "post"),
            ("Value", "traces"),
            ("Value", "weights"),
        ]
    )


def test_layout_plot_settings(repo_root, load_demo):
    demo = load_demo(SCRIPT)
    plots, settings = read_layout(repo_root)
    by_target = {(kind, target): settings[uid] for uid, (kind, target) in plots.items()}
    slider = by_target[("Slider", "delay_ms")]
    assert (slider["min_value"], slider["max_value"]) == (-50, 50)
    for target in ("traces", "weights"):
        assert by_target[("Value", target)]["synapse"] == 0, target
    assert by_target[("Value", "weights")]["max_value"] > demo.W_MAX
    assert by_target[("Value", "traces")]["max_value"] > 1.0


def test_layout_plots_do_not_overlap(repo_root):
    plots, settings = read_layout(repo_root)
    boxes = []
    for uid in plots:
        s = settings[uid]
        boxes.append(
            (uid, s["x"] - s["width"], s["x"] + s["width"], s["y"] - s["height"], s["y"] + s["height"])
        )
    for i, (uid_a, left_a, right_a, top_a, bottom_a) in enumerate(boxes):
        for uid_b, left_b, right_b, top_b, bottom_b in boxes[i + 1 :]:
            overlap = left_a < right_b and left_b < right_a and top_a < bottom_b and top_b < bottom_a
            assert not overlap, (uid_a, uid_b)


# Nengo GUI in headless Chromium


@pytest.mark.browser
def test_demo_runs_in_browser(gui_browser, repo_root):
    run = gui_browser.run_demo(repo_root / SCRIPT, run_until=1.0)
    gui_browser.assert_demo_ran(run, repo_root / (SCRIPT + ".cfg"))
    labels = sorted(c["label"] for c in run.components)
    assert labels == sorted(["delay (ms)", "pre", "post", "post", "traces", "weights"])


SET_DELAY = """
var slider = Nengo.Component.components.filter(function (c) { return c instanceof Nengo.Slider; })[0];
slider.sliders[0].set_value(arguments[0]);
return sim.time;
"""
# The STDP weight is line 0 of the "weights" plot; return [time, weight] pairs.
STDP_WEIGHTS = """
var plot = Nengo.Component.components.filter(function (c) {
    return c instanceof Nengo.Value && c.label.textContent === 'weights';
})[0];
var store = plot.data_store;
return store.times.map(function (t, i) { return [t, store.data[0][i]]; });
"""


def weight_at(samples, t):
    """Return the last weight sample at or before time t (s)."""
    return [w for time, w in samples if time <= t][-1]


@pytest.mark.browser
def test_delay_slider_flips_weight_change_in_browser(gui_browser, repo_root):
    # Four pairings per second: over 1.5 s each order gets six pairings.
    def move_slider(driver):
        plus_start = driver.execute_script(SET_DELAY, 10.0)
        gui_browser.wait_for_sim_time(driver, plus_start + 1.5)
        minus_start = driver.execute_script(SET_DELAY, -10.0)
        gui_browser.wait_for_sim_time(driver, minus_start + 1.5)
        return plus_start, minus_start, driver.execute_script(STDP_WEIGHTS)

    run = gui_browser.run_demo(repo_root / SCRIPT, run_until=0.2, after_play=move_slider)
    gui_browser.assert_demo_ran(run, repo_root / (SCRIPT + ".cfg"))
    plus_start, minus_start, samples = run.interaction

    # Pre leads post by 10 ms: the weight grows. Post leads pre by 10 ms: it shrinks.
    assert weight_at(samples, minus_start) > weight_at(samples, plus_start)
    assert weight_at(samples, minus_start + 1.5) < weight_at(samples, minus_start)
