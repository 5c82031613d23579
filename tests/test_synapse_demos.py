"""The 02_ synapse demos: each filter's time constant, and smoothing that grows with tau."""

import numpy as np
import pytest

import nengo

DT = 0.001  # s
SCRIPTS = ["02_lif_slider_synapses.py", "02_lif_sine_synapses.py"]
DOCUMENTED_TAUS = [0.002, 0.010, 0.050]  # s, the time constants the README and docstrings name


def filter_connections(demo):
    """Return the demo's connections from the neuron into its filtered traces, in plot order."""
    by_post = {conn.post_obj: conn for conn in demo.model.all_connections}
    return [by_post[trace] for trace in demo.filtered]


@pytest.mark.parametrize("script", SCRIPTS)
def test_three_distinct_lowpass_synapses(load_demo, script):
    demo = load_demo(script)
    connections = filter_connections(demo)
    taus = [conn.synapse.tau for conn in connections]
    assert taus == list(demo.SYNAPSE_TAUS)
    assert taus == DOCUMENTED_TAUS
    assert len(taus) >= 3
    assert len(set(taus)) == len(taus)
    assert taus == sorted(taus)
    for conn in connections:
        assert type(conn.synapse) is nengo.Lowpass
        assert isinstance(conn.pre_obj, nengo.ensemble.Neurons)
        assert conn.pre_obj.ensemble is demo.neuron
        assert conn.post_obj.label.endswith("tau = %g ms" % (conn.synapse.tau * 1000))


@pytest.mark.parametrize("script", SCRIPTS)
def test_step_response_reaches_63_percent_at_tau(load_demo, script):
    demo = load_demo(script)
    synapses = [conn.synapse for conn in filter_connections(demo)]

    # A unit step through each of the demo's synapse objects.
    with nengo.Network() as net:
        step = nengo.Node(1.0)
        probes = []
        for synapse in synapses:
            out = nengo.Node(size_in=1)
            nengo.Connection(step, out, synapse=synapse)
            probes.append(nengo.Probe(out, synapse=None))
    seconds = 10 * max(s.tau for s in synapses)
    with nengo.Simulator(net, dt=DT, progress_bar=False) as sim:
        sim.run(seconds)

    times = sim.trange()
    for synapse, probe in zip(synapses, probes):
        response = sim.data[probe][:, 0]
        final = response[-1]
        assert final == pytest.approx(1.0, abs=1e-3)
        crossing = times[np.argmax(response >= (1 - np.exp(-1)) * final)]
        # Nengo applies a connection's synapse one step after the input, so the response
        # starts at t = dt; allow two steps either way.
        assert abs(crossing - synapse.tau) <= 2 * DT, "tau=%g s: 1-1/e at t=%g s" % (
            synapse.tau,
            crossing,
        )


def test_larger_tau_gives_smoother_signal(load_demo):
    demo = load_demo("02_lif_slider_synapses.py")
    current = 1.5
    demo.current.output = current
    with demo.model:
        probes = [nengo.Probe(trace, synapse=None) for trace in demo.filtered]
    with nengo.Simulator(demo.model, dt=DT, progress_bar=False) as sim:
        sim.run(3.0)

    tau_rc, tau_ref = demo.TAU_RC, demo.TAU_REF
    rate = 1.0 / (tau_ref - tau_rc * np.log1p(-1.0 / current))
    settled = sim.trange() > 0.5  # 10 times the largest tau
    variances = []
    for tau, probe in zip(demo.SYNAPSE_TAUS, probes):
        signal = sim.data[probe][settled, 0]
        # Each spike has area 1, so every filtered trace averages to the firing rate.
        assert signal.mean() == pytest.approx(rate, rel=0.05), "tau=%g s" % tau
        variances.append(signal.var())
    assert all(a > b for a, b in zip(variances, variances[1:])), variances


def test_sine_traces_follow_rate_with_lag(load_demo):
    demo = load_demo("02_lif_sine_synapses.py")
    with demo.model:
        probes = [nengo.Probe(trace, synapse=None) for trace in demo.filtered]
    with nengo.Simulator(demo.model, dt=DT, progress_bar=False) as sim:
        sim.run(3.0)

    times = sim.trange()
    settled = times > 1.0
    peaks = []
    for probe in probes:
        signal = sim.data[probe][settled, 0]
        phase = (times[settled] * demo.SINE_FREQUENCY) % 1.0
        # Average over cycles, then find where in the cycle the smoothed trace peaks.
        bins = np.floor(phase * 100).astype(int)
        profile = np.bincount(bins, weights=signal, minlength=100) / np.bincount(
            bins, minlength=100
        )
        peaks.append(np.argmax(np.convolve(profile, np.ones(5) / 5, mode="same")) / 100)
    # The input peaks a quarter of the way into each cycle; the slowest trace peaks last.
    assert peaks[-1] > 0.25
    assert peaks[-1] >= peaks[0]
