"""Spike-timing dependent plasticity: the order of two spikes decides the sign of learning.

A presynaptic and a postsynaptic LIF neuron are each made to fire one spike per pairing, four
pairings a second, by a brief strong current pulse. The postsynaptic pulse comes `delay_ms`
after the presynaptic one. The connection from the presynaptic to the postsynaptic neuron
learns with pair-based STDP (Song, Miller & Abbott 2000). When the presynaptic spike comes
first (positive delay), the weight grows by A+ exp(-delay / tau+). When it comes second
(negative delay), the weight shrinks by A- exp(delay / tau-). The farther apart the two
spikes, the smaller the change, as Bi and Poo (1998) measured in hippocampal neurons.

For contrast, the same presynaptic neuron also connects to a second postsynaptic neuron,
`hebb_post`, that gets the same pulses as `post`. That connection learns with Nengo's Oja
rule, a rate-based Hebbian rule: it multiplies the filtered activities of the two neurons,
so it responds only to how close in time they fire, not in which order.

The plots show:

- `delay_ms`: the slider that sets the delay from the presynaptic to the postsynaptic spike.
- `pre` and `post`: spike rasters of the two neurons of the STDP pair.
- `post` voltage: the membrane voltage of the postsynaptic neuron. After each presynaptic
  spike it rises by a small EPSP that grows and shrinks with the STDP weight, and stays
  below the threshold of 1.
- `traces`: the presynaptic trace x and the postsynaptic trace y of the STDP rule. A
  postsynaptic spike adds A+ times x to the weight, and a presynaptic spike subtracts
  A- times y.
- `weights`: the STDP weight and the Oja weight. The STDP weight rises for a positive delay
  and falls for a negative one. The Oja weight rises for both signs.

Try this:

1. Press play with the delay at +10 ms and watch the STDP weight climb to its maximum. Then
   drag the slider to -10 ms: the STDP weight now falls, while the Oja weight keeps rising.
2. Set the delay to +40 ms and then +5 ms and compare how fast the STDP weight changes.
   Shrink the time shown (drag the left edge of the gray bar in the timeline) to 0.2 s to
   see which trace is high when the other neuron spikes.

Sources: S. Song, K. D. Miller and L. F. Abbott (2000), Competitive Hebbian learning through
spike-timing-dependent synaptic plasticity, Nature Neuroscience 3:919-926; G. Bi and M. Poo
(1998), Synaptic modifications in cultured hippocampal neurons, Journal of Neuroscience
18:10464-10472.
"""

import numpy as np

import nengo

from snn_demos.node_probe import NodeProbe
from snn_demos.stdp import STDP

# Pairing protocol
PAIRING_PERIOD = 0.25  # s, four pairings per second
PRE_SPIKE_TIME = 0.1  # s after the start of each pairing period
# The slider (range set in 03_hebbian_stdp.py.cfg) runs from -50 to +50 ms, which keeps
# both spikes of a pairing inside one pairing period.
DELAY_MS = 10.0  # ms, initial delay from the presynaptic to the postsynaptic spike
PULSE_WIDTH = 0.001  # s, one time step at Nengo GUI's dt of 1 ms
PULSE_CURRENT = 50.0  # input current during a pulse (threshold current is 1)
TIME_TOLERANCE = 1e-6  # s, so that rounding in t does not move a pulse by a step

# Neurons: LIF with gain 1 and bias 0, so input current enters unscaled and the
# membrane voltage rests at 0.
TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
SYNAPSE = 0.005  # s, time constant of the synaptic current

# STDP. A presynaptic spike delivers charge w into the postsynaptic current and raises the
# voltage by less than w / TAU_RC: the EPSP peaks at about 0.3 at W_MAX, below the
# threshold of 1, so only the pulses make `post` fire.
W_MAX = 0.01  # upper weight bound; the lower bound is 0
W_INITIAL = 0.005  # initial STDP weight
A_PLUS = 0.05 * W_MAX  # weight change of a pair with the postsynaptic spike right after
A_MINUS = 1.05 * A_PLUS  # depression slightly stronger than potentiation
TAU_PLUS = 0.02  # s, width of the potentiation side of the window
TAU_MINUS = 0.02  # s, width of the depression side of the window

# Oja. Its weight settles where the Hebbian growth balances the decay term,
# at about exp(-|delay| / OJA_SYNAPSE) / OJA_BETA: 0.006 for a delay of 10 ms.
OJA_RATE = 4e-5  # learning rate
OJA_BETA = 100.0  # weight of the decay term
OJA_SYNAPSE = 0.02  # s, filter on the activities that the Oja rule multiplies
OJA_W_INITIAL = 0.0


def pulse_current(t, onset):
    """Return PULSE_CURRENT during the PULSE_WIDTH after `onset` in each pairing period."""
    phase = (t - onset + TIME_TOLERANCE) % PAIRING_PERIOD
    return PULSE_CURRENT if phase < PULSE_WIDTH else 0.0


def single_lif_neuron(label):
    return nengo.Ensemble(
        n_neurons=1,
        dimensions=1,
        neuron_type=nengo.LIF(
            tau_rc=TAU_RC,
            tau_ref=TAU_REF,
            initial_state={"voltage": nengo.dists.Choice([0.0])},
        ),
        # NOTE: with bias 0 the neuron's maximum firing rate is 0, and Nengo's build prints
        # a harmless numpy "divide by zero encountered in log1p" RuntimeWarning.
        gain=[1.0],
        bias=[0.0],
        label=label,
    )


model = nengo.Network(label="STDP pairing protocol", seed=0)
with model:
    # Inputs: the delay slider and the current pulses.
    delay_ms = nengo.Node([DELAY_MS], label="delay (ms)")
    pre_pulse = nengo.Node(lambda t: pulse_current(t, PRE_SPIKE_TIME), label="pre pulse")
    post_pulse = nengo.Node(
        lambda t, delay: pulse_current(t, PRE_SPIKE_TIME + delay[0] / 1000.0),
        size_in=1,
        label="post pulse",
    )
    nengo.Connection(delay_ms, post_pulse, synapse=None)

    # Neurons
    pre = single_lif_neuron("pre")
    post = single_lif_neuron("post")
    hebb_post = single_lif_neuron("hebb post")
    nengo.Connection(pre_pulse, pre.neurons, synapse=None)
    nengo.Connection(post_pulse, post.neurons, synapse=None)
    nengo.Connection(post_pulse, hebb_post.neurons, synapse=None)

    # Learned connections
    stdp_conn = nengo.Connection(
        pre.neurons,
        post.neurons,
        transform=[[W_INITIAL]],
        synapse=SYNAPSE,
        learning_rule_type=STDP(
            a_plus=A_PLUS,
            a_minus=A_MINUS,
            tau_plus=TAU_PLUS,
            tau_minus=TAU_MINUS,
            min_weight=0.0,
            max_weight=W_MAX,
        ),
    )
    hebb_conn = nengo.Connection(
        pre.neurons,
        hebb_post.neurons,
        transform=[[OJA_W_INITIAL]],
        synapse=SYNAPSE,
        learning_rule_type=nengo.Oja(
            learning_rate=OJA_RATE, beta=OJA_BETA, pre_synapse=OJA_SYNAPSE
        ),
    )

    # Signals to plot. Nengo GUI plots only Nodes and neurons, so NodeProbe copies the
    # learning rule's traces and the two weights into Nodes at every time step.
    traces = nengo.Node(size_in=2, label="traces")
    NodeProbe(stdp_conn.learning_rule, "pre_trace", traces[0])
    NodeProbe(stdp_conn.learning_rule, "post_trace", traces[1])
    weights = nengo.Node(size_in=2, label="weights")
    NodeProbe(stdp_conn, "weights", weights[0])
    NodeProbe(hebb_conn, "weights", weights[1])
