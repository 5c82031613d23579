"""Tests of the LIF vs SoftLIF rate-curve demo, 02_lif_soft.py, and its Nengo GUI layout."""

import importlib.metadata
import re

import nengo
import nengo_gui
import nengo_gui.config
import numpy as np
import pytest

import snn_demos.nengo_dl_compat  # noqa: F401  (must come before nengo_dl, see that module)
import nengo_dl
from snn_demos.lif import lif_rate, lif_rate_slope, softlif_rate, softlif_rate_slope

SCRIPT = "02_lif_soft.py"
CURVE_CLASSES = ["lif-rate", "softlif-rate", "lif-slope", "softlif-slope"]
READOUT = re.compile(
    r"J = (?P<current>[-\d.]+).*?LIF: (?P<lif_rate>[\d.]+) Hz, slope (?P<lif_slope>[\d.]+) Hz"
    r".*?SoftLIF: (?P<softlif_rate>[\d.]+) Hz, slope (?P<softlif_slope>[\d.]+) Hz"
)


@pytest.fixture
def demo(load_demo):
    return load_demo(SCRIPT)


def polyline_points(svg, css_class):
    """Return the (x, y) points of the polyline with the given class in ``svg``."""
    match = re.search(r'<polyline class="%s" points="([^"]*)"' % css_class, svg)
    assert match is not None, "no polyline of class %s" % css_class
    return np.array([[float(v) for v in point.split(",")] for point in match.group(1).split()])


def marker_xs(svg):
    return [float(x) for x in re.findall(r'<line class="marker" x1="([\d.]+)"', svg)]


def html_after_steps(demo, n_steps=5):
    with nengo.Simulator(demo.model, progress_bar=False) as sim:
        sim.run_steps(n_steps)
    return demo.show_rate_curves._nengo_html_


def test_demo_uses_lif_time_constants(demo):
    assert demo.TAU_RC == 0.02
    assert demo.TAU_REF == 0.002


def test_demo_html_node_shows_curves_and_marker(demo):
    html = html_after_steps(demo)

    assert html.startswith("<svg")
    assert html.endswith("</svg>")
    for css_class in CURVE_CLASSES:
        points = polyline_points(html, css_class)
        assert len(points) == len(demo.CURRENTS), css_class
    assert html.count('<line class="marker"') == 2  # one per panel
    assert html.count('<circle class="marker') == 4  # one per curve
    assert 'class="clipped"' in html
    assert "&#963; = %.3g" % demo.SIGMA_START in html
    assert "J = %.2f" % demo.CURRENT_START in html


def test_demo_readout_matches_analytic_rates(demo):
    current, sigma = 1.2, 0.1
    demo.show_rate_curves(0.0, np.array([current, sigma]))
    match = READOUT.search(demo.show_rate_curves._nengo_html_)
    assert match is not None

    assert float(match["current"]) == current
    expected = {
        "lif_rate": lif_rate(current, demo.TAU_RC, demo.TAU_REF),
        "lif_slope": lif_rate_slope(current, demo.TAU_RC, demo.TAU_REF),
        "softlif_rate": softlif_rate(current, sigma, demo.TAU_RC, demo.TAU_REF),
        "softlif_slope": softlif_rate_slope(current, sigma, demo.TAU_RC, demo.TAU_REF),
    }
    for name, value in expected.items():
        assert float(match[name]) == pytest.approx(value, abs=0.05), name


def test_demo_readout_lif_slope_unbounded_at_threshold(demo):
    demo.show_rate_curves(0.0, np.array([1.0, 0.1]))
    assert "LIF: 0.0 Hz, slope unbounded" in demo.show_rate_curves._nengo_html_


def test_demo_marker_follows_current(demo):
    demo.show_rate_curves(0.0, np.array([0.5, 0.2]))
    low = marker_xs(demo.show_rate_curves._nengo_html_)
    demo.show_rate_curves(0.0, np.array([2.5, 0.2]))
    high = marker_xs(demo.show_rate_curves._nengo_html_)

    assert len(low) == len(high) == 2
    for x_low, x_high in zip(low, high):
        assert x_high > x_low


def test_demo_curves_follow_sigma(demo):
    demo.show_rate_curves(0.0, np.array([1.5, 1.0]))
    smooth = polyline_points(demo.show_rate_curves._nengo_html_, "softlif-rate")
    demo.show_rate_curves(0.0, np.array([1.5, 0.01]))
    sharp = polyline_points(demo.show_rate_curves._nengo_html_, "softlif-rate")
    lif = polyline_points(demo.show_rate_curves._nengo_html_, "lif-rate")

    # SVG y grows downwards, so a higher rate has a smaller y.
    assert np.max(np.abs(sharp[:, 1] - lif[:, 1])) < np.max(np.abs(smooth[:, 1] - lif[:, 1]))
    # At J = 0 and sigma = 0.01, SoftLIF fires 0.48 Hz and LIF 0 Hz: under 1 Hz, which is
    # 260 / 120 viewBox units on the rate axis.
    assert np.abs(sharp[0, 1] - lif[0, 1]) < 260 / 120


def test_demo_lif_curve_equals_formula_and_nengo(demo):
    curves = demo.tuning_curves(demo.CURRENTS, demo.SIGMA_START)
    lif = nengo.LIFRate(tau_rc=0.02, tau_ref=0.002)

    np.testing.assert_allclose(
        curves.lif_rates, lif_rate(demo.CURRENTS, 0.02, 0.002), rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(
        curves.lif_rates, lif.rates(demo.CURRENTS, gain=1, bias=0)[:, 0], rtol=1e-12, atol=0
    )
    np.testing.assert_array_equal(curves.lif_rates[demo.CURRENTS <= 1.0], 0.0)
    assert curves.lif_rates[-1] == pytest.approx(98.9188, abs=1e-3)  # J = 3


@pytest.mark.parametrize("sigma", [0.01, 0.2, 1.0])
def test_demo_softlif_curve_matches_nengo_dl_and_helper(demo, sigma):
    curves = demo.tuning_curves(demo.CURRENTS, sigma)
    softlif = nengo_dl.SoftLIFRate(sigma=sigma, tau_rc=0.02, tau_ref=0.002)

    np.testing.assert_allclose(
        curves.softlif_rates, softlif.rates(demo.CURRENTS, gain=1, bias=0), rtol=1e-12, atol=0
    )
    np.testing.assert_allclose(
        curves.softlif_rates,
        softlif_rate(demo.CURRENTS, sigma, 0.02, 0.002),
        rtol=1e-12,
        atol=0,
    )


@pytest.mark.parametrize("sigma", [0.01, 0.2, 1.0])
def test_demo_slopes_match_finite_differences(demo, sigma):
    step = 1e-6
    currents = demo.CURRENTS[np.abs(demo.CURRENTS - 1.0) > 0.01]  # off the LIF corner
    curves = demo.tuning_curves(currents, sigma)
    above = demo.tuning_curves(currents + step, sigma)
    below = demo.tuning_curves(currents - step, sigma)

    np.testing.assert_allclose(
        curves.lif_slopes,
        (above.lif_rates - below.lif_rates) / (2 * step),
        rtol=1e-5,
        atol=1e-6,
    )
    np.testing.assert_allclose(
        curves.softlif_slopes,
        (above.softlif_rates - below.softlif_rates) / (2 * step),
        rtol=1e-5,
        atol=1e-6,
    )


def test_demo_axes_fit_softlif_curves(demo):
    curves = demo.tuning_curves(demo.CURRENTS, demo.SIGMA_MIN)
    assert np.max(curves.softlif_slopes) < demo.SLOPE_AXIS_MAX
    assert np.max(curves.lif_slopes) > demo.SLOPE_AXIS_MAX  # clipped, as the plot's note states
    assert np.max(curves.softlif_rates) < demo.RATE_AXIS_MAX
    assert np.max(demo.tuning_curves(demo.CURRENTS, demo.SIGMA_MAX).softlif_rates) < (
        demo.RATE_AXIS_MAX
    )


def test_demo_redraws_only_when_sliders_move(demo):
    demo.draw_rate_curves.cache_clear()
    for t in [0.001, 0.002, 0.003]:
        demo.show_rate_curves(t, np.array([1.5, 0.2]))
    first = demo.show_rate_curves._nengo_html_
    assert demo.draw_rate_curves.cache_info().misses == 1

    demo.show_rate_curves(0.004, np.array([1.6, 0.2]))
    assert demo.draw_rate_curves.cache_info().misses == 2
    assert demo.show_rate_curves._nengo_html_ != first


def test_demo_sigma_below_slider_range_is_clipped(demo):
    demo.show_rate_curves(0.0, np.array([1.0, 0.0]))
    assert "&#963; = %.3g" % demo.SIGMA_MIN in demo.show_rate_curves._nengo_html_


def test_demo_current_off_axis_is_marked(demo):
    demo.show_rate_curves(0.0, np.array([5.0, 0.2]))
    html = demo.show_rate_curves._nengo_html_
    assert "J = 5.00 (off the axis)" in html
    # The marker sits on the right edge of each panel.
    assert max(marker_xs(html)) == pytest.approx(880.0)


def load_layout(demo, repo_root):
    """Execute the .cfg as Nengo GUI does, but fail on any line that raises."""
    namespace = dict(vars(demo))
    namespace["nengo_gui"] = nengo_gui
    namespace["_viz_config"] = nengo_gui.config.Config()
    for line in (repo_root / (SCRIPT + ".cfg")).read_text().splitlines():
        exec(line, namespace)  # Nengo GUI logs and skips a failing line, so a typo goes unseen
    return namespace


def test_layout_sliders_and_html_view(demo, repo_root):
    namespace = load_layout(demo, repo_root)
    config = namespace["_viz_config"]
    components = [v for k, v in namespace.items() if k.startswith("_viz_")]

    sliders = {c.node: c for c in components if isinstance(c, nengo_gui.components.Slider)}
    assert set(sliders) == {demo.current, demo.sigma}
    assert config[sliders[demo.current]].min_value == demo.CURRENT_MIN
    assert config[sliders[demo.current]].max_value == demo.CURRENT_MAX
    assert config[sliders[demo.sigma]].min_value == demo.SIGMA_MIN
    assert config[sliders[demo.sigma]].max_value == demo.SIGMA_MAX

    views = [c for c in components if isinstance(c, nengo_gui.components.HTMLView)]
    assert [view.obj for view in views] == [demo.rate_curves]
    # Half-width and half-height, as fractions of the main area.
    assert config[views[0]].width >= 0.3
    assert config[views[0]].height >= 0.15


def test_layout_places_every_node(demo, repo_root):
    config = load_layout(demo, repo_root)["_viz_config"]
    for node in [demo.current, demo.sigma, demo.rate_curves]:
        assert config[node].pos is not None, node.label
    assert config[demo.model].expanded


@pytest.mark.browser
def test_demo_in_nengo_gui_shows_svg(gui_browser, repo_root, tmp_path):
    run = gui_browser.run_demo(
        repo_root / SCRIPT, run_until=1.0, screenshot=tmp_path / "02_lif_soft.png"
    )

    gui_browser.assert_demo_ran(run, repo_root / (SCRIPT + ".cfg"))
    assert [c["label"] for c in run.components if c["type"] == "HTMLView"] == ["rate curves"]
    assert len(run.html_views) == 1
    html = run.html_views[0]
    assert "<svg" in html
    for css_class in CURVE_CLASSES:
        assert 'class="%s"' % css_class in html
    assert html.count('class="marker"') == 2
    assert "J = 1.50" in html


@pytest.mark.browser
def test_gui_without_legacy_keras_variable(gui_browser, repo_root):
    # Started as plain `nengo 02_lif_soft.py`, without the variable that run.sh sets.
    without_variable = {"TF_USE_LEGACY_KERAS": None}
    major, minor = importlib.metadata.version("tensorflow").split(".")[:2]
    if (int(major), int(minor)) < (2, 16):
        # TensorFlow 2.12's tf.keras is Keras 2, so the demo needs nothing more.
        run = gui_browser.run_demo(repo_root / SCRIPT, run_until=0.5, env=without_variable)
        gui_browser.assert_demo_ran(run, repo_root / (SCRIPT + ".cfg"))
        return

    # Nengo GUI imported TensorFlow with Keras 3 before the demo, so the page must show the
    # command that starts it correctly.
    run = gui_browser.run_demo(repo_root / SCRIPT, expect_error=True, env=without_variable)
    assert "TensorFlow was imported before snn_demos.nengo_dl_compat" in run.console_error
    assert "TF_USE_LEGACY_KERAS=1 nengo SCRIPT.py" in run.console_error
    assert "./run.sh SCRIPT.py" in run.console_error
