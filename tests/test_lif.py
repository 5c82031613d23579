"""Tests of the analytic LIF and SoftLIF rates and slopes in snn_demos/lif.py.

Each rate is checked against a formula written out here, against the neuron type users train
with (nengo.LIFRate, nengo_dl.SoftLIFRate), and, for LIF, against a spiking nengo.LIF neuron.
Each slope is checked against finite differences of the library rates.
"""

import decimal
import math

import nengo
import numpy as np
import pytest

import snn_demos.nengo_dl_compat  # noqa: F401  (must come before nengo_dl, see that module)
import nengo_dl
from snn_demos.lif import lif_rate, lif_rate_slope, softlif_rate, softlif_rate_slope

TAU_RC = 0.02  # s
TAU_REF = 0.002  # s
SIGMAS = [1.0, 0.3, 0.1, 0.03, 0.01, 0.003, 0.001, 1e-4, 1e-5, 1e-6]

# Input currents J: the demo's axis, the threshold's neighbourhood, and far tails that reach
# every branch of nengo_dl.SoftLIFRate for the sigmas above.
CURRENTS = np.unique(
    np.concatenate(
        [
            np.linspace(0.0, 3.0, 301),
            1.0 + np.array([-1e-3, -1e-6, -1e-9, 1e-9, 1e-6, 1e-3]),
            [-50.0, -5.0, 10.0, 100.0, 1e4],
        ]
    )
)


def textbook_lif_rate(current, tau_rc, tau_ref, amplitude=1.0):
    """Return the LIF rate from the textbook form, 50 significant digits, as a float."""
    if current <= 1:
        return 0.0
    with decimal.localcontext() as context:
        context.prec = 50
        j = decimal.Decimal(current)
        log = (1 - 1 / j).ln()
        rate = decimal.Decimal(amplitude) / (
            decimal.Decimal(tau_ref) - decimal.Decimal(tau_rc) * log
        )
    return float(rate)


def central_difference(function, currents, step):
    return (function(currents + step) - function(currents - step)) / (2 * step)


def nengo_lif_rates(currents, tau_rc=TAU_RC, tau_ref=TAU_REF, amplitude=1.0):
    neuron_type = nengo.LIFRate(tau_rc=tau_rc, tau_ref=tau_ref, amplitude=amplitude)
    return neuron_type.rates(np.asarray(currents, dtype=float), gain=1, bias=0)[:, 0]


def nengo_dl_softlif_rates(currents, sigma, tau_rc=TAU_RC, tau_ref=TAU_REF, amplitude=1.0):
    neuron_type = nengo_dl.SoftLIFRate(
        sigma=sigma, tau_rc=tau_rc, tau_ref=tau_ref, amplitude=amplitude
    )
    return neuron_type.rates(np.asarray(currents, dtype=float), gain=1, bias=0)


@pytest.mark.parametrize(
    "current",
    [1.0 + 2.0**-52, 1.0 + 1e-12, 1.0 + 1e-6, 1.001, 1.05, 1.5, 2.0, 3.0, 100.0, 1e8],
)
def test_lif_rate_equals_textbook_formula(current):
    expected = textbook_lif_rate(current, TAU_RC, TAU_REF)
    assert lif_rate(current, TAU_RC, TAU_REF) == pytest.approx(expected, rel=1e-12)


def test_lif_rate_zero_at_and_below_threshold():
    currents = np.array([-10.0, 0.0, 0.5, 1.0 - 1e-12, 1.0])
    np.testing.assert_array_equal(lif_rate(currents, TAU_RC, TAU_REF), 0.0)


def test_lif_rate_known_value():
    # J = 2: 1 / (0.002 + 0.02 * ln 2) = 63.0400 Hz.
    assert lif_rate(2.0, TAU_RC, TAU_REF) == pytest.approx(63.0400022, rel=1e-8)


@pytest.mark.parametrize("amplitude", [1.0, 0.5])
@pytest.mark.parametrize("tau_rc, tau_ref", [(TAU_RC, TAU_REF), (0.05, 0.0), (0.01, 0.004)])
def test_lif_rate_matches_nengo_lifrate(tau_rc, tau_ref, amplitude):
    np.testing.assert_allclose(
        lif_rate(CURRENTS, tau_rc, tau_ref, amplitude),
        nengo_lif_rates(CURRENTS, tau_rc, tau_ref, amplitude),
        rtol=1e-12,
        atol=0,
    )


def test_lif_rate_scalar_in_scalar_out():
    rate = lif_rate(1.5, TAU_RC, TAU_REF)
    assert np.ndim(rate) == 0
    assert isinstance(float(rate), float)


def test_lif_rate_nan_current_gives_nan():
    rates = lif_rate(np.array([np.nan, 2.0]), TAU_RC, TAU_REF)
    assert np.isnan(rates[0])
    assert rates[1] > 0


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(tau_rc=0.0, tau_ref=TAU_REF), "tau_rc"),
        (dict(tau_rc=TAU_RC, tau_ref=-0.001), "tau_ref"),
        (dict(tau_rc=TAU_RC, tau_ref=TAU_REF, amplitude=0.0), "amplitude"),
    ],
)
def test_lif_rate_invalid_parameters_raise(kwargs, message):
    with pytest.raises(ValueError, match=message):
        lif_rate(1.5, **kwargs)


def test_softlif_invalid_sigma_raises():
    with pytest.raises(ValueError, match="sigma"):
        softlif_rate(1.5, 0.0, TAU_RC, TAU_REF)
    with pytest.raises(ValueError, match="sigma"):
        softlif_rate_slope(1.5, -0.1, TAU_RC, TAU_REF)


def test_lif_slope_matches_finite_difference_of_nengo():
    # Away from the corner at J = 1, where a central difference straddles the kink.
    currents = np.concatenate([np.linspace(0.0, 0.99, 50), np.linspace(1.01, 3.0, 200)])
    expected = central_difference(nengo_lif_rates, currents, step=1e-6)
    np.testing.assert_allclose(
        lif_rate_slope(currents, TAU_RC, TAU_REF), expected, rtol=1e-5, atol=1e-6
    )


def test_lif_slope_zero_below_threshold():
    currents = np.array([-5.0, 0.0, 0.9, 1.0 - 1e-9])
    np.testing.assert_array_equal(lif_rate_slope(currents, TAU_RC, TAU_REF), 0.0)


def test_lif_slope_infinite_at_threshold():
    assert lif_rate_slope(1.0, TAU_RC, TAU_REF) == np.inf


def test_lif_slope_unbounded_just_above_threshold():
    offsets = 10.0 ** -np.arange(1, 16)
    slopes = lif_rate_slope(1.0 + offsets, TAU_RC, TAU_REF)
    assert np.all(np.isfinite(slopes))
    assert np.all(np.diff(slopes) > 0)
    assert slopes[-1] > 1e12


def test_lif_slope_known_value():
    # At J = 2: rate**2 * tau_rc / (J * (J - 1)) = 63.0400**2 * 0.02 / 2 = 39.7404 Hz.
    expected = 63.0400022**2 * TAU_RC / 2.0
    assert lif_rate_slope(2.0, TAU_RC, TAU_REF) == pytest.approx(expected, rel=1e-7)


# nengo_dl.SoftLIFRate evaluates both branches of np.where, and in the far tails the branch it
# discards overflows or divides by zero.
@pytest.mark.filterwarnings("ignore:overflow encountered:RuntimeWarning")
@pytest.mark.filterwarnings("ignore:divide by zero encountered:RuntimeWarning")
@pytest.mark.parametrize("sigma", SIGMAS)
@pytest.mark.parametrize("amplitude", [1.0, 2.0])
def test_softlif_rate_matches_nengo_dl(sigma, amplitude):
    np.testing.assert_allclose(
        softlif_rate(CURRENTS, sigma, TAU_RC, TAU_REF, amplitude),
        nengo_dl_softlif_rates(CURRENTS, sigma, amplitude=amplitude),
        rtol=1e-12,
        atol=0,
    )


def test_softlif_rate_known_value_at_threshold():
    # At J = 1 the softplus is sigma * ln 2, so the rate is 1 / (tau_ref + tau_rc * ln(1 + 1/z)).
    sigma = 0.1
    z = sigma * math.log(2.0)
    expected = 1.0 / (TAU_REF + TAU_RC * math.log(1.0 + 1.0 / z))
    assert softlif_rate(1.0, sigma, TAU_RC, TAU_REF) == pytest.approx(expected, rel=1e-12)


def test_softlif_converges_to_lif():
    currents = np.linspace(0.0, 3.0, 3001)
    lif = lif_rate(currents, TAU_RC, TAU_REF)
    max_differences = [
        np.max(np.abs(softlif_rate(currents, sigma, TAU_RC, TAU_REF) - lif)) for sigma in SIGMAS
    ]

    # Largest difference shrinks with every smaller sigma ...
    assert np.all(np.diff(max_differences) < 0), max_differences
    # ... but only like 1 / ln(1/sigma): it is the SoftLIF rate at J = 1, where LIF is 0.
    assert max_differences[-1] == pytest.approx(softlif_rate(1.0, SIGMAS[-1], TAU_RC, TAU_REF))
    assert max_differences[-1] < 4.0  # Hz, of a 99 Hz range


def test_softlif_converges_to_lif_away_from_threshold():
    currents = np.linspace(0.0, 3.0, 3001)
    currents = currents[np.abs(currents - 1.0) >= 0.05]
    lif = lif_rate(currents, TAU_RC, TAU_REF)
    max_differences = [
        np.max(np.abs(softlif_rate(currents, sigma, TAU_RC, TAU_REF) - lif)) for sigma in SIGMAS
    ]

    assert np.all(np.diff(max_differences) < 0), max_differences
    # Below threshold the difference is about sigma / (tau_rc * (1 - J)): linear in sigma.
    assert max_differences[-1] < 2e-3  # Hz


@pytest.mark.parametrize("sigma", [1.0, 0.1, 0.01, 0.001])
def test_softlif_slope_finite_at_threshold(sigma):
    z = sigma * math.log(2.0)
    rate = 1.0 / (TAU_REF + TAU_RC * math.log1p(1.0 / z))
    expected = rate**2 * TAU_RC * 0.5 / (z * (1.0 + z))  # softplus slope at 0 is 1/2

    slope = softlif_rate_slope(1.0, sigma, TAU_RC, TAU_REF)

    assert np.isfinite(slope)
    assert slope == pytest.approx(expected, rel=1e-12)
    step = sigma * 1e-4
    library = central_difference(
        lambda j: nengo_dl_softlif_rates(j, sigma), np.array([1.0]), step
    )[0]
    assert slope == pytest.approx(library, rel=1e-6)


@pytest.mark.parametrize("sigma", [1.0, 0.2, 0.01, 0.001])
def test_softlif_slope_matches_finite_difference_of_nengo_dl(sigma):
    # Currents in every branch of nengo_dl.SoftLIFRate, keeping the difference's two points
    # on the same side of the branch points at (J - 1) / sigma = -20 and 30.
    scaled = np.concatenate([np.linspace(-60, -20.5, 20), np.linspace(-19.5, 29.5, 99), [31, 60]])
    currents = 1.0 + sigma * scaled
    currents = currents[(currents > -1) & (currents < 5)]
    step = sigma * 1e-5

    expected = central_difference(lambda j: nengo_dl_softlif_rates(j, sigma), currents, step)
    np.testing.assert_allclose(
        softlif_rate_slope(currents, sigma, TAU_RC, TAU_REF), expected, rtol=1e-5, atol=1e-9
    )


@pytest.mark.parametrize("sigma", [1.0, 0.01])
def test_softlif_slope_amplitude_scales(sigma):
    currents = np.linspace(0.0, 3.0, 31)
    np.testing.assert_allclose(
        softlif_rate_slope(currents, sigma, TAU_RC, TAU_REF, amplitude=3.0),
        3.0 * softlif_rate_slope(currents, sigma, TAU_RC, TAU_REF),
        rtol=1e-12,
    )


def test_softlif_extreme_currents_finite():
    currents = np.array([-np.inf, -1e300, -1e6, 1e6, 1e300, np.inf])
    for sigma in [1.0, 1e-6]:
        # Underflow to 0 in the far tails is expected, but nothing else may leak a warning.
        with np.errstate(over="raise", divide="raise", invalid="raise"):
            rates = softlif_rate(currents, sigma, TAU_RC, TAU_REF)
            slopes = softlif_rate_slope(currents, sigma, TAU_RC, TAU_REF)
        assert np.all(np.isfinite(rates))
        assert np.all(np.isfinite(slopes))
        assert rates[-1] == pytest.approx(1.0 / TAU_REF)


def test_spiking_lif_rate_matches_lif_rate():
    """A spiking nengo.LIF neuron at constant J fires at lif_rate(J)."""
    currents = np.array([0.9, 1.05, 1.2, 1.5, 2.0, 3.0, 6.0])
    duration = 4.0  # s
    with nengo.Network(seed=0) as network:
        # Gain 1 and bias J with no input make each neuron's input current its J.
        neurons = nengo.Ensemble(
            n_neurons=len(currents),
            dimensions=1,
            neuron_type=nengo.LIF(tau_rc=TAU_RC, tau_ref=TAU_REF),
            gain=np.ones(len(currents)),
            bias=currents,
        )
        probe = nengo.Probe(neurons.neurons)
    with nengo.Simulator(network, progress_bar=False) as sim:
        sim.run(duration)

    for index, current in enumerate(currents):
        spike_times = sim.trange()[sim.data[probe][:, index] > 0]
        expected = lif_rate(current, TAU_RC, TAU_REF)
        if expected == 0:
            assert len(spike_times) == 0, "J = %g" % current
            continue
        # Mean interspike interval from first to last spike, which ignores the start transient.
        measured = (len(spike_times) - 1) / (spike_times[-1] - spike_times[0])
        assert measured == pytest.approx(expected, rel=0.01), "J = %g" % current
