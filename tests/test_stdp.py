"""The STDP learning rule (snn_demos.stdp).

The rule is exact on the simulator's time grid, so the window tests compare with the analytic
values to floating-point rounding. The competition test reproduces the bimodal weight
distribution of Song, Miller and Abbott (2000) in a scaled-down form.
"""

import numpy as np
import pytest

import nengo
from nengo.exceptions import BuildError, ValidationError

from snn_demos.stdp import STDP

DT = 0.001  # s, nengo.Simulator's default time step
PULSE_CURRENT = 200.0  # makes a LIF neuron with gain 1 and bias 0 spike in the pulse's step
FIRST_SPIKE = 0.1  # s

# With gain 1 and bias 0, Nengo's build computes a maximum firing rate of 0 and numpy warns.
pytestmark = pytest.mark.filterwarnings("ignore:divide by zero encountered in log1p")


def silent_lif_ensemble(n_neurons):
    """Return LIF neurons that spike only when driven (gain 1, bias 0, voltage 0 at start)."""
    return nengo.Ensemble(
        n_neurons,
        1,
        neuron_type=nengo.LIF(initial_state={"voltage": nengo.dists.Choice([0.0])}),
        gain=np.ones(n_neurons),
        bias=np.zeros(n_neurons),
    )


def pulse_node(spike_times):
    """Return a Node with one output per entry of ``spike_times`` that pulses at that time."""
    spike_times = np.asarray(spike_times, dtype=float)
    return nengo.Node(lambda t: np.where(np.abs(t - spike_times) < DT / 2, PULSE_CURRENT, 0.0))


def measure_pairs(rule, delays, initial_weight):
    """Pair one presynaptic spike with one postsynaptic spike per delay (s).

    Returns the measured delays (post minus pre spike time, s) and the weight changes.
    """
    n_post = len(delays)
    with nengo.Network(seed=0) as net:
        pre = silent_lif_ensemble(1)
        post = silent_lif_ensemble(n_post)
        nengo.Connection(pulse_node([FIRST_SPIKE]), pre.neurons, synapse=None)
        nengo.Connection(pulse_node(FIRST_SPIKE + np.asarray(delays)), post.neurons, synapse=None)
        conn = nengo.Connection(
            pre.neurons,
            post.neurons,
            transform=np.full((n_post, 1), initial_weight),
            learning_rule_type=rule,
        )
        weights_probe = nengo.Probe(conn, "weights")
        pre_probe = nengo.Probe(pre.neurons)
        post_probe = nengo.Probe(post.neurons)

    with nengo.Simulator(net, dt=DT, progress_bar=False) as sim:
        sim.run(FIRST_SPIKE + max(np.abs(delays)) + 0.05)

    t = sim.trange()
    pre_spikes = t[sim.data[pre_probe][:, 0] > 0]
    assert len(pre_spikes) == 1, "the presynaptic neuron should spike once: %s" % pre_spikes
    measured = []
    for j in range(n_post):
        post_spikes = t[sim.data[post_probe][:, j] > 0]
        assert len(post_spikes) == 1, "post neuron %d spiked at %s" % (j, post_spikes)
        measured.append(post_spikes[0] - pre_spikes[0])
    weight_change = sim.data[weights_probe][-1][:, 0] - initial_weight
    return np.array(measured), weight_change


def fit_exponential(delays, changes):
    """Fit |change| = amplitude * exp(-|delay| / tau) by least squares on the logarithm."""
    slope, intercept = np.polyfit(np.abs(delays), np.log(np.abs(changes)), 1)
    return np.exp(intercept), -1.0 / slope


# Unequal parameters on the two sides, so that a swapped amplitude or time constant fails.
WINDOW_RULE = STDP(a_plus=1e-4, a_minus=1.5e-4, tau_plus=0.017, tau_minus=0.034, max_weight=0.01)
WINDOW_DELAYS = np.concatenate([-np.arange(50, 0, -5), [0], np.arange(5, 55, 5)]) * 1e-3
# The rule is exact on the time grid, so only floating-point rounding separates the
# measured window from the analytic one.
WINDOW_RTOL = 1e-6


@pytest.fixture(scope="module")
def window():
    return measure_pairs(WINDOW_RULE, WINDOW_DELAYS, initial_weight=0.005)


def test_window_delays_are_measured(window):
    measured, _ = window
    np.testing.assert_allclose(measured, WINDOW_DELAYS, atol=1e-9)


def test_window_potentiation_fit(window):
    measured, change = window
    positive = measured > 0
    assert positive.sum() >= 8
    assert np.all(change[positive] > 0)
    amplitude, tau = fit_exponential(measured[positive], change[positive])
    np.testing.assert_allclose(amplitude, WINDOW_RULE.a_plus, rtol=WINDOW_RTOL)
    np.testing.assert_allclose(tau, WINDOW_RULE.tau_plus, rtol=WINDOW_RTOL)


def test_window_depression_fit(window):
    measured, change = window
    negative = measured < 0
    assert negative.sum() >= 8
    assert np.all(change[negative] < 0)
    amplitude, tau = fit_exponential(measured[negative], change[negative])
    np.testing.assert_allclose(amplitude, WINDOW_RULE.a_minus, rtol=WINDOW_RTOL)
    np.testing.assert_allclose(tau, WINDOW_RULE.tau_minus, rtol=WINDOW_RTOL)


def test_window_each_pair_matches_formula(window):
    measured, change = window
    expected = np.where(
        measured > 0,
        WINDOW_RULE.a_plus * np.exp(-measured / WINDOW_RULE.tau_plus),
        -WINDOW_RULE.a_minus * np.exp(measured / WINDOW_RULE.tau_minus),
    )
    expected[measured == 0] = 0.0
    np.testing.assert_allclose(change, expected, rtol=WINDOW_RTOL, atol=1e-15)


def test_simultaneous_spikes_change_nothing(window):
    measured, change = window
    assert change[measured == 0] == pytest.approx([0.0], abs=1e-15)


def test_learning_rate_scales_window():
    rule = STDP(a_plus=1e-4, a_minus=1e-4, max_weight=0.01, learning_rate=0.5)
    measured, change = measure_pairs(rule, [0.01, -0.01], initial_weight=0.005)
    np.testing.assert_allclose(change, [0.5e-4 * np.exp(-0.5), -0.5e-4 * np.exp(-0.5)])


def multi_spike_ensemble(n_neurons):
    """Return SpikingRectifiedLinear neurons that spike only when driven (voltage 0 at start).

    Unlike nengo.LIF, they can spike several times in one time step.
    """
    return nengo.Ensemble(
        n_neurons,
        1,
        neuron_type=nengo.SpikingRectifiedLinear(
            initial_state={"voltage": nengo.dists.Choice([0.0])}
        ),
        gain=np.ones(n_neurons),
        bias=np.zeros(n_neurons),
    )


def count_pulse_node(spike_times, spike_counts):
    """Return a Node that makes neuron ``k`` spike ``spike_counts[k]`` times at ``spike_times[k]``.

    The neurons are those of `multi_spike_ensemble`, with gain 1 and bias 0.
    """
    spike_times = np.asarray(spike_times, dtype=float)
    # Half a spike more keeps rounding in the voltage from losing a spike, and the
    # remaining half stays below the threshold of 1.
    currents = (np.asarray(spike_counts, dtype=float) + 0.5) / DT
    return nengo.Node(lambda t: np.where(np.abs(t - spike_times) < DT / 2, currents, 0.0))


def test_multiple_spikes_per_step_counted():
    """A pair of bursts changes the weight by the product of the two spike counts."""
    delay = 0.01  # s
    with nengo.Network(seed=0) as net:
        pre = multi_spike_ensemble(1)
        post = multi_spike_ensemble(2)
        nengo.Connection(count_pulse_node([FIRST_SPIKE], [3]), pre.neurons, synapse=None)
        post_pulses = count_pulse_node([FIRST_SPIKE + delay, FIRST_SPIKE - delay], [2, 4])
        nengo.Connection(post_pulses, post.neurons, synapse=None)
        rule = STDP(a_plus=1e-4, a_minus=1.5e-4, max_weight=0.01)
        conn = nengo.Connection(
            pre.neurons, post.neurons, transform=np.full((2, 1), 0.005), learning_rule_type=rule
        )
        weights_probe = nengo.Probe(conn, "weights")
        pre_probe = nengo.Probe(pre.neurons)
        post_probe = nengo.Probe(post.neurons)

    with nengo.Simulator(net, dt=DT, progress_bar=False) as sim:
        sim.run(FIRST_SPIKE + 2 * delay)

    # Neuron output is spikes / dt, so output * dt is the number of spikes in each step.
    pre_counts = sim.data[pre_probe][:, 0] * DT
    post_counts = sim.data[post_probe] * DT
    np.testing.assert_allclose(pre_counts.sum(), 3)
    np.testing.assert_allclose(post_counts.sum(axis=0), [2, 4])
    assert pre_counts.max() == pytest.approx(3), "the three presynaptic spikes share one step"
    np.testing.assert_allclose(post_counts.max(axis=0), [2, 4])

    t = sim.trange()
    pre_time = t[pre_counts > 0]
    post_times = [t[post_counts[:, j] > 0] for j in range(2)]
    np.testing.assert_allclose(np.ravel(post_times) - pre_time, [delay, -delay], atol=1e-9)
    n_pre = pre_counts.sum()
    n_post = post_counts.sum(axis=0)
    expected = [
        rule.a_plus * n_pre * n_post[0] * np.exp(-delay / rule.tau_plus),
        -rule.a_minus * n_pre * n_post[1] * np.exp(-delay / rule.tau_minus),
    ]
    change = sim.data[weights_probe][-1][:, 0] - 0.005
    np.testing.assert_allclose(change, expected, rtol=WINDOW_RTOL)


def test_weight_clipped_at_upper_bound():
    rule = STDP(a_plus=1e-3, max_weight=0.0053)
    _, change = measure_pairs(rule, [0.005], initial_weight=0.005)
    np.testing.assert_allclose(change, [0.0003])


def test_weight_clipped_at_lower_bound():
    rule = STDP(a_minus=1e-3, min_weight=0.0048, max_weight=0.01)
    _, change = measure_pairs(rule, [-0.005], initial_weight=0.005)
    np.testing.assert_allclose(change, [-0.0002])


def test_weights_stay_within_bounds_under_random_spikes():
    """Poisson spikes (several per step at times) with large amplitudes hit both bounds."""
    min_weight, max_weight = -0.002, 0.003
    rng = np.random.RandomState(3)
    initial = rng.uniform(min_weight, max_weight, size=(12, 20))
    poisson = nengo.PoissonSpiking(nengo.RectifiedLinear())
    with nengo.Network(seed=3) as net:
        pre = nengo.Ensemble(20, 1, neuron_type=poisson, gain=np.ones(20), bias=np.full(20, 80.0))
        post = nengo.Ensemble(12, 1, neuron_type=poisson, gain=np.ones(12), bias=np.full(12, 60.0))
        rule = STDP(a_plus=4e-4, a_minus=4.2e-4, min_weight=min_weight, max_weight=max_weight)
        conn = nengo.Connection(pre.neurons, post.neurons, transform=initial, learning_rule_type=rule)
        weights_probe = nengo.Probe(conn, "weights")

    # Without the optimizer, which warns when it merges the two PoissonSpiking populations.
    with nengo.Simulator(net, optimize=False, progress_bar=False) as sim:
        sim.run(5.0)

    weights = sim.data[weights_probe]
    assert weights.min() >= min_weight
    assert weights.max() <= max_weight
    # The check above must not pass only because the weights never went near the bounds.
    assert np.mean(weights == min_weight) > 0.01
    assert np.mean(weights == max_weight) > 0.01


# Song et al. (2000) used 1000 inputs, A+ = 0.005 w_max, A-/A+ = 1.05 and minutes of
# simulated time. This scaled version has 50 inputs at 40 Hz, A+ = 0.01 w_max and 100 s.
# With 20 times fewer inputs each one has more influence on the postsynaptic spikes, and
# A-/A+ = 1.1 keeps the depression of uncorrelated pairs ahead of that noise.
# benchmarks/stdp_competition.py runs a longer version.
COMPETITION_INPUTS = 50
COMPETITION_RATE = 40.0  # Hz
COMPETITION_MAX_WEIGHT = 0.003
COMPETITION_DURATION = 100.0  # s


def run_competition(n_inputs, rate, max_weight, a_plus, a_minus, duration, seed):
    """Drive one LIF neuron with Poisson inputs through STDP; return the final weights."""
    with nengo.Network(seed=seed) as net:
        inputs = nengo.Ensemble(
            n_inputs,
            1,
            neuron_type=nengo.PoissonSpiking(nengo.RectifiedLinear()),
            gain=np.ones(n_inputs),
            bias=np.full(n_inputs, rate),
        )
        neuron = silent_lif_ensemble(1)
        conn = nengo.Connection(
            inputs.neurons,
            neuron.neurons,
            transform=np.full((1, n_inputs), max_weight / 2),
            learning_rule_type=STDP(a_plus=a_plus, a_minus=a_minus, max_weight=max_weight),
        )
        weights_probe = nengo.Probe(conn, "weights", sample_every=duration / 10)

    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(duration)
    return sim.data[weights_probe][-1][0]


def test_competition_makes_weights_bimodal():
    a_plus = 0.01 * COMPETITION_MAX_WEIGHT
    weights = run_competition(
        COMPETITION_INPUTS,
        COMPETITION_RATE,
        COMPETITION_MAX_WEIGHT,
        a_plus=a_plus,
        a_minus=1.1 * a_plus,
        duration=COMPETITION_DURATION,
        seed=1,
    )
    relative = weights / COMPETITION_MAX_WEIGHT
    near_zero = np.mean(relative < 0.1)
    near_max = np.mean(relative > 0.9)
    assert near_zero + near_max > 0.8, np.histogram(relative, bins=10, range=(0, 1))[0]
    assert near_zero >= 0.1
    assert near_max >= 0.1


def test_stdp_repr_lists_changed_parameters():
    assert repr(STDP(a_plus=0.01, max_weight=2.0)) == "STDP(a_plus=0.01, max_weight=2.0)"


@pytest.mark.parametrize(
    "kwargs, attr",
    [
        ({"min_weight": 1.0, "max_weight": 1.0}, "max_weight"),
        ({"tau_plus": 0.0}, "tau_plus"),
        ({"tau_minus": -0.02}, "tau_minus"),
        ({"a_plus": -0.001}, "a_plus"),
        ({"a_minus": -0.001}, "a_minus"),
    ],
)
def test_stdp_rejects_invalid_parameters(kwargs, attr):
    with pytest.raises(ValidationError, match=attr):
        STDP(**kwargs)


NON_FINITE_PARAMETERS = [
    "a_plus",
    "a_minus",
    "tau_plus",
    "tau_minus",
    "learning_rate",
]


@pytest.mark.parametrize("value", [np.nan, np.inf, np.float64(np.nan), np.array(np.inf)])
@pytest.mark.parametrize("attr", NON_FINITE_PARAMETERS)
def test_stdp_rejects_non_finite_parameter(attr, value):
    with pytest.raises(ValidationError, match=rf"STDP\.{attr}: Must be a finite number"):
        STDP(**{attr: value})


@pytest.mark.parametrize("attr", ["min_weight", "max_weight"])
def test_stdp_rejects_nan_weight_bound(attr):
    with pytest.raises(ValidationError, match=rf"STDP\.{attr}: Must be a finite number"):
        STDP(**{attr: np.nan})


def test_stdp_accepts_infinite_weight_bounds():
    rule = STDP(min_weight=-np.inf, max_weight=np.inf)
    assert (rule.min_weight, rule.max_weight) == (-np.inf, np.inf)


def build(net):
    with nengo.Simulator(net, progress_bar=False):
        pass


def test_stdp_rejects_decoded_connection():
    with nengo.Network() as net:
        pre = nengo.Ensemble(5, 1)
        post = nengo.Ensemble(4, 1)
        nengo.Connection(
            pre,
            post,
            solver=nengo.solvers.LstsqL2(weights=True),
            learning_rule_type=STDP(min_weight=-np.inf, max_weight=np.inf),
        )
    with pytest.raises(BuildError, match="STDP needs the spikes of single neurons"):
        build(net)


def test_stdp_rejects_node_pre():
    with nengo.Network():
        node = nengo.Node([0.0, 0.0])
        post = nengo.Ensemble(3, 1)
        with pytest.raises(ValidationError, match="'pre' must be of type"):
            nengo.Connection(node, post.neurons, transform=np.zeros((3, 2)), learning_rule_type=STDP())


def test_stdp_rejects_rate_neurons():
    with nengo.Network() as net:
        pre = nengo.Ensemble(2, 1, neuron_type=nengo.LIFRate())
        post = nengo.Ensemble(3, 1)
        nengo.Connection(
            pre.neurons, post.neurons, transform=np.zeros((3, 2)), learning_rule_type=STDP()
        )
    with pytest.raises(BuildError, match="STDP needs spiking neurons"):
        build(net)


def test_stdp_rejects_elementwise_transform():
    with nengo.Network() as net:
        pre = nengo.Ensemble(3, 1)
        post = nengo.Ensemble(3, 1)
        nengo.Connection(
            pre.neurons, post.neurons, transform=[0.1, 0.1, 0.1], learning_rule_type=STDP()
        )
    with pytest.raises(BuildError, match=r"full weight matrix of shape \(n_post, n_pre\)"):
        build(net)


def test_stdp_rejects_initial_weights_outside_bounds():
    with nengo.Network() as net:
        pre = nengo.Ensemble(2, 1)
        post = nengo.Ensemble(3, 1)
        nengo.Connection(
            pre.neurons,
            post.neurons,
            transform=np.full((3, 2), 0.5),
            learning_rule_type=STDP(max_weight=0.1),
        )
    with pytest.raises(BuildError, match="outside the STDP bounds"):
        build(net)


def test_stdp_on_sliced_neurons_uses_slice_spikes():
    """Pair only presynaptic neuron 1 (pre.neurons[1:]) with post neurons 2 and 0, in that order."""
    with nengo.Network(seed=0) as net:
        pre = silent_lif_ensemble(2)
        post = silent_lif_ensemble(3)
        # Presynaptic neuron 0 spikes 5 ms before neuron 1; only neuron 1 is connected.
        nengo.Connection(pulse_node([FIRST_SPIKE - 0.005, FIRST_SPIKE]), pre.neurons, synapse=None)
        post_times = [FIRST_SPIKE + 0.01, FIRST_SPIKE + 0.02, FIRST_SPIKE - 0.01]
        nengo.Connection(pulse_node(post_times), post.neurons, synapse=None)
        rule = STDP(a_plus=1e-4, a_minus=1e-4, max_weight=0.01)
        conn = nengo.Connection(
            pre.neurons[1:],
            post.neurons[[2, 0]],
            transform=np.full((2, 1), 0.005),
            learning_rule_type=rule,
        )
        weights_probe = nengo.Probe(conn, "weights")
    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(0.2)
    change = sim.data[weights_probe][-1][:, 0] - 0.005
    np.testing.assert_allclose(change, [-1e-4 * np.exp(-0.5), 1e-4 * np.exp(-0.5)])
