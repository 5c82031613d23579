"""One leaky integrate-and-fire (LIF) neuron, driven by a step current.

The neuron is the one in 01_lif_slider.py: membrane time constant tau_rc, refractory period
tau_ref, gain 1 and bias 0, so its input current J is exactly the input below. The input
alternates between two levels, one below the threshold J = 1 and one above it:

- below threshold (J = 0.8), the membrane voltage V rises towards J and settles there, short of
  the threshold 1, so the neuron never fires;
- above threshold (J = 1.5), V reaches 1, the neuron spikes, V resets to 0, waits out the
  refractory period, and rises again: a regular spike train at the rate
  1 / (tau_ref - tau_rc * ln(1 - 1/J)), about 42 Hz for J = 1.5.

What the plots show: the step current, the membrane voltage, and the spikes.

Try this:
- Set HIGH_CURRENT to 1.05 or to 3: the spike train becomes slow, then fast.
- Set LOW_CURRENT to 0.99: V creeps close to 1 but the neuron stays silent.
"""

import nengo

TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
LOW_CURRENT = 0.8  # input current J below the threshold 1
HIGH_CURRENT = 1.5  # input current J above the threshold 1
STEP_PERIOD = 1.0  # s; the current is low for the first half of each period, then high


def step_current(t):
    """Return the input current at time t (s): low, then high, in each period."""
    return LOW_CURRENT if (t % STEP_PERIOD) < STEP_PERIOD / 2 else HIGH_CURRENT


model = nengo.Network(label="LIF neuron, step input")
with model:
    # Input: the step current.
    current = nengo.Node(step_current, label="input current")

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
