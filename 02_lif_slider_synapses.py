"""Synaptic filtering: one LIF neuron's spikes, smoothed by synapses of three time constants.

A spike is a brief event, but the current it causes in the next neuron lasts longer: the synapse
filters the spike train. The standard model is a first-order lowpass filter with synaptic time
constant tau. Each spike then adds a jump of height 1/tau that decays as exp(-t / tau), so every
spike carries the same area, 1. Summed over a spike train, the filtered signal fluctuates around
the neuron's firing rate, in spikes per second (Hz).

The neuron is the one in 01_lif_slider.py (the slider sets its input current J; it fires when
J > 1). Its spike train goes through three synapses at once:

- tau = 2 ms: a sharp peak for every spike; the signal is mostly noise;
- tau = 10 ms: the peaks overlap and the signal ripples around the rate;
- tau = 50 ms: a smooth signal near the firing rate, which lags behind changes in the input.

A larger tau gives a smoother signal, at the cost of a slower response. Nengo's default synapse
is 5 ms, and 5-10 ms covers fast AMPA synapses in the brain.

What the plots show: the input current, the raw spikes, and each filtered signal (in Hz).

Try this:
- Raise the slider from 1.5 to 3: the firing rate doubles, and the 50 ms trace takes a while
  to climb to it, while the 2 ms trace jumps at once.
- Drop the slider below 1: the traces decay to zero, each at its own time constant.
"""

import nengo

TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
INITIAL_CURRENT = 1.5  # input current J at start; threshold is 1
SYNAPSE_TAUS = (0.002, 0.010, 0.050)  # s, synaptic time constants, one filtered trace each

model = nengo.Network(label="LIF neuron, synaptic filtering")
with model:
    # Input: a Node whose value the GUI slider sets.
    current = nengo.Node(INITIAL_CURRENT, label="input current")

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
