"""One leaky integrate-and-fire (LIF) neuron, driven by a sine current.

The neuron is the one in 01_lif_slider.py: membrane time constant tau_rc, refractory period
tau_ref, gain 1 and bias 0, so its input current J is exactly the input below. The input is a
slow sine wave that swings between 0 and 2 around the threshold J = 1:

- while J is below 1, the membrane voltage V follows J and the neuron is silent;
- once J rises above 1, the neuron fires, slowly at first and fastest at the peak of the sine,
  where the spikes come at 1 / (tau_ref - tau_rc * ln(1 - 1/J)), about 63 Hz for J = 2.

So the spike train carries the input: its rate goes up and down with the sine, and the half of
each cycle below threshold is lost. This rectification is the neuron's tuning curve at work.

What the plots show: the sine current, the membrane voltage, and the spikes.

Try this:
- Set SINE_OFFSET to 1.5: the whole sine lies above threshold and the neuron never stops firing.
- Set SINE_FREQUENCY to 10 Hz: the rate now changes within a few spikes, and the spike train
  follows the input less closely.
"""

import numpy as np

import nengo

TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
SINE_OFFSET = 1.0  # mean input current J; the threshold is 1
SINE_AMPLITUDE = 1.0  # the current swings from SINE_OFFSET - SINE_AMPLITUDE to the sum
SINE_FREQUENCY = 1.0  # Hz


def sine_current(t):
    """Return the input current at time t (s)."""
    return SINE_OFFSET + SINE_AMPLITUDE * np.sin(2 * np.pi * SINE_FREQUENCY * t)


model = nengo.Network(label="LIF neuron, sine input")
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

    # Connection: straight into the neurons' input current, with no synapse filtering.
    nengo.Connection(current, neuron.neurons, synapse=None)
