"""Pair-based spike-timing dependent plasticity (STDP) for Nengo's reference simulator.

Importing this module registers the builder, so a connection between two populations of
spiking neurons can learn with it like with `nengo.BCM` or `nengo.Oja`::

    import nengo
    import numpy as np
    from snn_demos.stdp import STDP

    with nengo.Network() as model:
        pre = nengo.Ensemble(50, 1)
        post = nengo.Ensemble(1, 1)
        conn = nengo.Connection(
            pre.neurons, post.neurons, transform=np.full((1, 50), 0.005),
            learning_rule_type=STDP(max_weight=0.01),
        )
        weights = nengo.Probe(conn, "weights")
        traces = nengo.Probe(conn.learning_rule, "pre_trace")
"""

import numpy as np

from nengo.builder import Builder, Operator, Signal
from nengo.builder.connection import slice_signal
from nengo.ensemble import Neurons
from nengo.exceptions import BuildError, ValidationError
from nengo.learning_rules import LearningRuleType
from nengo.params import Default, NumberParam
from nengo.utils.numpy import is_array, is_number


class FiniteNumberParam(NumberParam):
    """A `nengo.params.NumberParam` that rejects NaN and, unless allowed, infinite values.

    In Nengo 4.1, `nengo.params.NumberParam` fails with a TypeError on NaN if it has a
    lower or upper bound. It accepts infinite values, but an infinite amplitude or learning
    rate makes the simulation fail, and a trace with an infinite time constant never decays.
    """

    def __init__(self, name, allow_infinite=False, **kwargs):
        self.allow_infinite = allow_infinite
        super().__init__(name, **kwargs)

    def coerce(self, instance, num):  # pylint: disable=arguments-renamed
        if is_array(num) and num.shape == ():
            num = num.item()
        if is_number(num) and (np.isnan(num) or (np.isinf(num) and not self.allow_infinite)):
            expected = "a finite number"
            if self.allow_infinite:
                expected += ", or -np.inf or np.inf for no bound"
            raise ValidationError(
                f"Must be {expected} (got {num})", attr=self.name, obj=instance
            )
        return super().coerce(instance, num)


class STDP(LearningRuleType):
    r"""Pair-based spike-timing dependent plasticity with additive, hard-bounded weights.

    Each presynaptic neuron :math:`i` keeps a trace :math:`x_i` and each postsynaptic neuron
    :math:`j` keeps a trace :math:`y_j`. Both decay exponentially and grow by one with each
    spike of their neuron:

    .. math::

       \tau_+ \frac{dx_i}{dt} = -x_i + \sum_f \delta(t - t_i^f), \qquad
       \tau_- \frac{dy_j}{dt} = -y_j + \sum_f \delta(t - t_j^f).

    A postsynaptic spike potentiates every synapse onto that neuron by the presynaptic trace,
    and a presynaptic spike depresses every synapse from that neuron by the postsynaptic
    trace. Then the weight is clipped to its bounds:

    .. math::

       w_{ji} \leftarrow \mathrm{clip}\left(
           w_{ji} + \eta A_+ x_i s_j - \eta A_- y_j s_i,\;
           w_\mathrm{min},\; w_\mathrm{max}\right),

    where :math:`s_i` and :math:`s_j` are the numbers of spikes in the current time step
    and :math:`\eta` is ``learning_rate``. For one pair of spikes, with
    :math:`\Delta t = t_\mathrm{post} - t_\mathrm{pre}`, this gives the exponential STDP
    window

    .. math::

       \Delta w = \begin{cases}
           \eta A_+ e^{-\Delta t / \tau_+} & \Delta t > 0 \\
           -\eta A_- e^{\Delta t / \tau_-} & \Delta t < 0 \\
           0 & \Delta t = 0.
       \end{cases}

    Parameters
    ----------
    a_plus : float, optional
        Potentiation amplitude :math:`A_+`, in the units of the connection weights: the
        weight change of a pair whose postsynaptic spike follows the presynaptic one
        immediately.
    a_minus : float, optional
        Depression amplitude :math:`A_-`, in the units of the connection weights.
    tau_plus : float, optional
        Time constant :math:`\tau_+` of the presynaptic trace and of the potentiation side
        of the window, in seconds.
    tau_minus : float, optional
        Time constant :math:`\tau_-` of the postsynaptic trace and of the depression side
        of the window, in seconds.
    min_weight : float, optional
        Lower bound :math:`w_\mathrm{min}` of every weight (``-np.inf`` for none).
    max_weight : float, optional
        Upper bound :math:`w_\mathrm{max}` of every weight (``np.inf`` for none).
    learning_rate : float, optional
        Factor :math:`\eta` on both amplitudes. It exists because every
        `nengo.learning_rules.LearningRuleType` has one; the amplitudes alone set the
        window.

    Attributes
    ----------
    a_plus, a_minus, tau_plus, tau_minus, min_weight, max_weight, learning_rate
        As in Parameters.

    Notes
    -----
    The rule needs the spikes of single neurons on both sides. It therefore accepts only
    connections from ``pre.neurons`` (or a slice of it) to ``post.neurons`` (or a slice),
    between spiking neuron types. The weights must be a full 2-D matrix of shape
    ``(n_post, n_pre)``. The initial weights must lie within ``[min_weight, max_weight]``. Every
    parameter must be a finite number, except that the weight bounds may be infinite.

    Each time step updates the traces in three steps: decay, use, then add the spikes of
    this step. A pair of spikes ``k`` steps apart therefore changes the weight by exactly
    the window value at ``k * dt``, and simultaneous spikes change nothing. Traces add up
    over spikes, so every presynaptic spike pairs with every postsynaptic spike
    ("all-to-all" pairing, as in Song et al. 2000). Spikes are raw counts per step
    (neuron output times ``dt``) with no synaptic filter.

    As with Nengo's own learning rules, the weight change computed in one time step is
    added to the weights at the start of the next step.

    The defaults follow Song, Miller and Abbott (2000) with weights measured in units of
    :math:`w_\mathrm{max} = 1`: :math:`A_+ = 0.005`, :math:`A_- / A_+ = 1.05`,
    :math:`\tau_+ = \tau_- = 20` ms and hard bounds :math:`[0, w_\mathrm{max}]`.
    Because depression slightly outweighs potentiation, uncorrelated inputs lose
    weight, and inputs that make the postsynaptic neuron fire win the competition: the
    weights end near the two bounds.

    Probeable signals: ``"pre_trace"`` (:math:`x`, one value per presynaptic neuron),
    ``"post_trace"`` (:math:`y`, one per postsynaptic neuron) and ``"delta"`` (the weight
    change computed in this step, shaped like the weights).

    References
    ----------
    .. [1] Song, S., Miller, K. D., & Abbott, L. F. (2000). Competitive Hebbian learning
       through spike-timing-dependent synaptic plasticity. Nature Neuroscience, 3(9),
       919-926.
    .. [2] Bi, G., & Poo, M. (1998). Synaptic modifications in cultured hippocampal
       neurons: dependence on spike timing, synaptic strength, and postsynaptic cell
       type. Journal of Neuroscience, 18(24), 10464-10472.
    """

    modifies = "weights"
    probeable = ("pre_trace", "post_trace", "delta")

    learning_rate = FiniteNumberParam("learning_rate", low=0, readonly=True, default=1.0)
    a_plus = FiniteNumberParam("a_plus", low=0, readonly=True, default=0.005)
    a_minus = FiniteNumberParam("a_minus", low=0, readonly=True, default=0.00525)
    tau_plus = FiniteNumberParam("tau_plus", low=0, low_open=True, readonly=True, default=0.02)
    tau_minus = FiniteNumberParam("tau_minus", low=0, low_open=True, readonly=True, default=0.02)
    min_weight = FiniteNumberParam("min_weight", allow_infinite=True, readonly=True, default=0.0)
    max_weight = FiniteNumberParam("max_weight", allow_infinite=True, readonly=True, default=1.0)

    def __init__(
        self,
        a_plus=Default,
        a_minus=Default,
        tau_plus=Default,
        tau_minus=Default,
        min_weight=Default,
        max_weight=Default,
        learning_rate=Default,
    ):
        super().__init__(learning_rate, size_in=0)
        self.a_plus = a_plus
        self.a_minus = a_minus
        self.tau_plus = tau_plus
        self.tau_minus = tau_minus
        self.min_weight = min_weight
        self.max_weight = max_weight
        if not self.min_weight < self.max_weight:
            raise ValidationError(
                f"min_weight ({self.min_weight}) must be less than "
                f"max_weight ({self.max_weight})",
                attr="max_weight",
                obj=self,
            )


class SimSTDP(Operator):
    r"""Compute the weight change of the `.STDP` rule and update its traces.

    Each step, in order: decay both traces, compute
    :math:`\Delta w = \eta A_+ s_\mathrm{post} x^T - \eta A_- y s_\mathrm{pre}^T`, clip
    :math:`w + \Delta w` to the bounds, then add this step's spike counts to the traces.

    Parameters
    ----------
    pre_output, post_output : Signal
        Output of the presynaptic and postsynaptic neurons (spikes of height ``1 / dt``).
    weights : Signal
        The connection weights :math:`w`, shape ``(n_post, n_pre)``.
    delta : Signal
        The weight change :math:`\Delta w` that Nengo adds to ``weights`` next step.
    pre_trace, post_trace : Signal
        The presynaptic trace :math:`x` and the postsynaptic trace :math:`y`.
    stdp : STDP
        The rule's parameters.
    tag : str, optional
        A label associated with the operator, for debugging purposes.

    Notes
    -----
    1. sets ``[pre_trace, post_trace]``
    2. incs ``[]``
    3. reads ``[pre_output, post_output, weights]``
    4. updates ``[delta]``
    """

    def __init__(
        self, pre_output, post_output, weights, delta, pre_trace, post_trace, stdp, tag=None
    ):
        super().__init__(tag=tag)
        self.stdp = stdp

        # The traces are state that this operator both reads and writes. Like the voltage
        # of SimNeurons they are "sets", so readers (probes, NodeProbe) see this step's
        # value. The delta is an "update", so Nengo adds it to the weights next step.
        self.sets = [pre_trace, post_trace]
        self.incs = []
        self.reads = [pre_output, post_output, weights]
        self.updates = [delta]

    @property
    def pre_output(self):
        return self.reads[0]

    @property
    def post_output(self):
        return self.reads[1]

    @property
    def weights(self):
        return self.reads[2]

    @property
    def delta(self):
        return self.updates[0]

    @property
    def pre_trace(self):
        return self.sets[0]

    @property
    def post_trace(self):
        return self.sets[1]

    @property
    def _descstr(self):
        return f"pre={self.pre_output}, post={self.post_output} -> {self.delta}"

    def make_step(self, signals, dt, rng):
        pre_output = signals[self.pre_output]
        post_output = signals[self.post_output]
        weights = signals[self.weights]
        delta = signals[self.delta]
        pre_trace = signals[self.pre_trace]
        post_trace = signals[self.post_trace]

        stdp = self.stdp
        pre_decay = np.exp(-dt / stdp.tau_plus)
        post_decay = np.exp(-dt / stdp.tau_minus)
        a_plus = stdp.learning_rate * stdp.a_plus
        a_minus = stdp.learning_rate * stdp.a_minus
        min_weight = stdp.min_weight
        max_weight = stdp.max_weight

        def step_simstdp():
            pre_trace[...] *= pre_decay
            post_trace[...] *= post_decay
            pre_spikes = pre_output * dt
            post_spikes = post_output * dt

            if pre_spikes.any() or post_spikes.any():
                delta[...] = a_plus * np.outer(post_spikes, pre_trace)
                delta[...] -= a_minus * np.outer(post_trace, pre_spikes)
                # Clip the weights that will result, not the change itself.
                delta[...] = np.clip(weights + delta, min_weight, max_weight) - weights
                pre_trace[...] += pre_spikes
                post_trace[...] += post_spikes
            else:
                delta[...] = 0

        return step_simstdp


def _check_connection(conn, stdp, weights):
    """Raise a `BuildError` if ``conn`` is not a spiking neuron-to-neuron weight matrix."""
    for role, obj in (("pre", conn.pre_obj), ("post", conn.post_obj)):
        if not isinstance(obj, Neurons):
            raise BuildError(
                f"{conn}: STDP needs the spikes of single neurons, but '{role}' is a "
                f"{type(obj).__name__}. Connect `pre.neurons` to `post.neurons` with a "
                "full weight matrix as the transform."
            )
        if not obj.ensemble.neuron_type.spiking:
            raise BuildError(
                f"{conn}: STDP needs spiking neurons, but '{role}' has the rate neuron "
                f"type {obj.ensemble.neuron_type}. Use a spiking type such as nengo.LIF()."
            )

    expected_shape = (conn.post.size_in, conn.pre.size_out)
    if weights.shape != expected_shape:
        raise BuildError(
            f"{conn}: STDP needs a full weight matrix of shape (n_post, n_pre) = "
            f"{expected_shape}, got a transform of shape {weights.shape}. Pass a 2-D "
            "array as the transform."
        )

    initial = weights.initial_value
    if initial.min() < stdp.min_weight or initial.max() > stdp.max_weight:
        raise BuildError(
            f"{conn}: initial weights span [{initial.min()}, {initial.max()}], outside "
            f"the STDP bounds [{stdp.min_weight}, {stdp.max_weight}]. Scale the transform "
            "or widen min_weight and max_weight."
        )


@Builder.register(STDP)
def build_stdp(model, stdp, rule):
    """Build an `.STDP` rule: two trace signals and a `.SimSTDP` operator.

    Parameters
    ----------
    model : Model
        The model to build into.
    stdp : STDP
        Learning rule type to build.
    rule : LearningRule
        The learning rule object of the connection.

    Notes
    -----
    Does not modify ``model.params[]`` and can therefore be called more than once with
    the same `.STDP` instance.
    """
    conn = rule.connection
    weights = model.sig[conn]["weights"]
    _check_connection(conn, stdp, weights)

    pre_output = slice_signal(model, model.sig[conn.pre_obj]["out"], conn.pre_slice)
    post_output = slice_signal(model, model.sig[conn.post_obj]["out"], conn.post_slice)
    pre_trace = Signal(shape=pre_output.shape, name="STDP:pre_trace")
    post_trace = Signal(shape=post_output.shape, name="STDP:post_trace")

    model.add_op(
        SimSTDP(
            pre_output,
            post_output,
            weights,
            model.sig[rule]["delta"],
            pre_trace,
            post_trace,
            stdp,
        )
    )

    # Signals that probes (and NodeProbe) can read.
    model.sig[rule]["pre_trace"] = pre_trace
    model.sig[rule]["post_trace"] = post_trace

