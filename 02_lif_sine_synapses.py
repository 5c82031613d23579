"""Synaptic filtering of a spike train whose rate follows a sine.

The neuron is the one in 01_lif_sine.py: its input current swings between 0 and 2 around the
threshold J = 1, so its firing rate rises and falls once a second. As in
02_lif_slider_synapses.py, its spikes pass through three lowpass synapses. Each spike adds a
jump of height 1/tau that decays as exp(-t / tau), so the filtered signals are in Hz.

With a changing rate, the choice of tau is a trade-off:

- tau = 2 ms follows every spike, so the rate is hidden in the noise;
- tau = 10 ms gives a rough copy of the rate;
- tau = 50 ms gives a smooth copy, delayed by about tau and with its sharp edges rounded off.

This is why decoding from spikes needs a synapse: the smoothing turns spike trains back into the
continuous values that a network computes with.

What the plots show: the sine current, the raw spikes, and each filtered signal (in Hz).

Try this:
- Set SINE_FREQUENCY to 5 Hz: the 50 ms trace can no longer keep up and flattens out.
- Add 0.2 (200 ms) to SYNAPSE_TAUS: the trace is smooth but lags by a large part of a cycle.
"""

import numpy as np

import nengo

TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
SINE_OFFSET = 1.0  # mean input current J; the threshold is 1
SINE_AMPLITUDE = 1.0  # the current swings from SINE_OFFSET - SINE_AMPLITUDE to the sum
SINE_FREQUENCY = 1.0  # Hz
SYNAPSE_TAUS = (0.002, 0.010, 0.050)  # s, synaptic time constants, one filtered trace each


def sine_current(t):
    """Return the input current at time t (s)."""
    return SINE_OFFSET + SINE_AMPLITUDE * np.sin(2 * np.pi * SINE_FREQUENCY * t)


model = nengo.Network(label="LIF neuron, sine input, synaptic filtering")
with model:
    # Input: the sine current.
    current = nengo.Node(sine_current, label="input current")

    # Neuron: gain 1 and bias 0, so the input current is exactly what the neuron receives.
    neuron = nengo.Ensemble(
        n_neurons=1,
        dimensions=1,
        neuron_type=nengo.LIF(tau_rc=TAU_RC, tau_ref=TAU_REF),
        gain=[1.0],
        bias=[0.0],
        label="neuron",
    )
    nengo.Connection(current, neuron.neurons, synapse=None)

    # Synapses: the same spike train through lowpass filters of each time constant. Nengo's
    # spikes have height 1/dt, so each has area 1 and the filtered signals are in Hz.
    filtered = []
    for tau in SYNAPSE_TAUS:
        trace = nengo.Node(size_in=1, label="filtered, tau = %g ms" % (tau * 1000))
        nengo.Connection(neuron.neurons, trace, synapse=nengo.Lowpass(tau))
        filtered.append(trace)
