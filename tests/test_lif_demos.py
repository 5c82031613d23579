"""The 01_ LIF demos against the analytic LIF neuron."""

import numpy as np
import pytest

import nengo

DT = 0.001  # s, Nengo's default time step
TAU_RC = 0.02  # s, the membrane time constant the demos state
TAU_REF = 0.002  # s, the refractory period the demos state


def analytic_rate(current, tau_rc=TAU_RC, tau_ref=TAU_REF):
    """Firing rate (Hz) of a LIF neuron at constant input current J > 1."""
    return 1.0 / (tau_ref - tau_rc * np.log1p(-1.0 / current))


def run_neuron(demo, seconds):
    """Run a demo's model; return times, input current, spike flags and voltage per step."""
    with demo.model:
        current_probe = nengo.Probe(demo.current, synapse=None)
        spike_probe = nengo.Probe(demo.neuron.neurons, synapse=None)
        voltage_probe = nengo.Probe(demo.neuron.neurons, "voltage", synapse=None)
    with nengo.Simulator(demo.model, dt=DT, progress_bar=False) as sim:
        sim.run(seconds)
    spikes = sim.data[spike_probe][:, 0] > 0
    return sim.trange(), sim.data[current_probe][:, 0], spikes, sim.data[voltage_probe][:, 0]


def spike_rate(times, spikes):
    """Mean rate (Hz) from the first to the last spike."""
    spike_times = times[spikes]
    return (len(spike_times) - 1) / (spike_times[-1] - spike_times[0])


@pytest.mark.parametrize("script", ["01_lif_slider.py", "01_lif_step.py", "01_lif_sine.py"])
def test_demo_constants(load_demo, script):
    demo = load_demo(script)
    neuron_type = demo.neuron.neuron_type
    assert isinstance(neuron_type, nengo.LIF)
    assert neuron_type.tau_rc == TAU_RC
    assert neuron_type.tau_ref == TAU_REF
    assert np.array_equal(demo.neuron.gain, [1.0])
    assert np.array_equal(demo.neuron.bias, [0.0])
    # The input drives the neuron's current directly, with no synapse in between.
    [drive] = [c for c in demo.model.all_connections if c.post_obj.ensemble is demo.neuron]
    assert drive.pre_obj is demo.current
    assert drive.synapse is None


@pytest.mark.parametrize("current", [1.05, 1.2, 1.5, 2.0, 3.0, 5.0])
def test_slider_rate_matches_analytic(load_demo, current):
    demo = load_demo("01_lif_slider.py")
    demo.current.output = current
    times, _, spikes, _ = run_neuron(demo, seconds=5.0)
    assert spike_rate(times, spikes) == pytest.approx(analytic_rate(current), rel=0.01)


@pytest.mark.parametrize("current", [0.0, 0.5, 0.99, 1.0])
def test_slider_silent_at_or_below_threshold(load_demo, current):
    demo = load_demo("01_lif_slider.py")
    demo.current.output = current
    _, _, spikes, voltage = run_neuron(demo, seconds=2.0)
    assert spikes.sum() == 0
    # Without spikes, the voltage settles at J (within 1e-6 after 2 s = 100 tau_rc).
    assert voltage[-1] == pytest.approx(current, abs=1e-6)


@pytest.mark.parametrize("current", [1.5, 3.0, 10.0])
def test_voltage_reset_and_refractory_period(load_demo, current):
    demo = load_demo("01_lif_slider.py")
    demo.current.output = current
    times, _, spikes, voltage = run_neuron(demo, seconds=1.0)
    spike_steps = np.flatnonzero(spikes)
    assert len(spike_steps) > 10

    assert voltage.min() >= 0.0
    assert voltage.max() <= 1.0

    # Nengo keeps V at 0 from the step of the spike until tau_ref has passed. The voltage is
    # exactly 0 for round(tau_ref / dt) steps, and then rises.
    refractory_steps = int(round(TAU_REF / DT))
    for step in spike_steps[spike_steps + refractory_steps < len(voltage)]:
        held = voltage[step : step + refractory_steps]
        assert np.all(held == 0.0), "V not held at 0 after the spike at t=%.3f" % times[step]
        assert voltage[step + refractory_steps] > 0.0

    # Spike times fall on time steps, so compare intervals in steps.
    assert np.diff(spike_steps).min() >= refractory_steps


def test_rate_never_exceeds_refractory_limit(load_demo):
    demo = load_demo("01_lif_slider.py")
    demo.current.output = 1000.0
    times, _, spikes, _ = run_neuron(demo, seconds=1.0)
    assert np.diff(np.flatnonzero(spikes)).min() >= int(round(TAU_REF / DT))
    assert spike_rate(times, spikes) <= 1.0 / TAU_REF + 1e-9


def test_step_fires_only_above_threshold(load_demo):
    demo = load_demo("01_lif_step.py")
    # The README and the docstring describe these levels and the 42 Hz they give.
    assert demo.LOW_CURRENT == 0.8
    assert demo.HIGH_CURRENT == 1.5
    assert analytic_rate(demo.HIGH_CURRENT) == pytest.approx(42, abs=0.5)
    periods = 3
    times, current, spikes, voltage = run_neuron(demo, seconds=periods * demo.STEP_PERIOD)

    assert np.all(current[spikes] > 1.0), "spikes while the input is below threshold"
    high = current > 1.0
    assert voltage[~high].max() < 1.0

    # Every high half-period fires, at the analytic rate once the transient from the step
    # (the first spike) has passed.
    half = demo.STEP_PERIOD / 2
    for period in range(periods):
        start = period * demo.STEP_PERIOD + half
        in_high = (times > start) & (times <= start + half)
        assert spikes[in_high].sum() > 5, "no spikes in the high step at t=%.1f s" % start
        assert spike_rate(times[in_high], spikes[in_high]) == pytest.approx(
            analytic_rate(demo.HIGH_CURRENT), rel=0.05
        )


def test_sine_fires_only_above_threshold(load_demo):
    demo = load_demo("01_lif_sine.py")
    # The README and the docstring describe a sine from 0 to 2, and 63 Hz at its peak.
    assert demo.SINE_OFFSET - demo.SINE_AMPLITUDE == 0.0
    assert demo.SINE_OFFSET + demo.SINE_AMPLITUDE == 2.0
    assert analytic_rate(2.0) == pytest.approx(63, abs=0.5)
    cycles = 3
    times, current, spikes, _ = run_neuron(demo, seconds=cycles / demo.SINE_FREQUENCY)

    assert np.all(current[spikes] > 1.0), "spikes while the input is below threshold"

    # Each cycle fires in its upper half, fastest at the peak. Near the peak, where
    # J stays within 2% of its maximum for about 60 ms, the rate approaches the analytic rate.
    period = 1.0 / demo.SINE_FREQUENCY
    peak_current = demo.SINE_OFFSET + demo.SINE_AMPLITUDE
    for cycle in range(cycles):
        upper = (times > cycle * period) & (times <= (cycle + 0.5) * period)
        assert spikes[upper].sum() >= 10, "no spikes in cycle %d" % cycle
        lower = (times > (cycle + 0.5) * period) & (times <= (cycle + 1) * period)
        assert spikes[lower].sum() == 0
        near_peak = upper & (current > 0.98 * peak_current)
        assert spike_rate(times[near_peak], spikes[near_peak]) == pytest.approx(
            analytic_rate(peak_current), rel=0.1
        )
