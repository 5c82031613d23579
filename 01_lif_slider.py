"""One leaky integrate-and-fire (LIF) neuron, driven by a slider.

The LIF neuron is the standard model of a spiking neuron. Its membrane voltage V integrates the
input current J and leaks back towards zero with the membrane time constant tau_rc:

    tau_rc * dV/dt = J - V

When V crosses the threshold 1, the neuron emits a spike, V resets to 0, and V stays at 0 for the
refractory period tau_ref. Because V can only approach J, the neuron fires only when J > 1, and
then at the rate 1 / (tau_ref - tau_rc * ln(1 - 1/J)).

Here the slider's value is the neuron's input current: the neuron has gain 1 and bias 0, and the
slider drives its neurons directly.

What the plots show:
- input current: the slider's value J;
- membrane voltage: V rising towards J, and the reset to 0 after each spike;
- spikes: one tick for each spike.

Try this:
- Move the slider below 1: V settles at J and the neuron stays silent.
- Move it just above 1: V creeps up to threshold, so spikes are far apart. Raise J and the
  spikes come faster, but never closer than the refractory period.
"""

import nengo

TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
INITIAL_CURRENT = 1.5  # input current J at start; threshold is 1

model = nengo.Network(label="LIF neuron, slider input")
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

    # Connection: straight into the neurons' input current, with no synapse filtering.
    nengo.Connection(current, neuron.neurons, synapse=None)
