"""Show any probeable signal, such as connection weights or learning-rule traces, in Nengo GUI.

Nengo GUI plots only Nodes, Ensembles and neurons, so it cannot show ``conn.weights`` or the
traces of a learning rule. `NodeProbe` is a `nengo.Probe` that, instead of recording, adds its
target signal into the input of a passthrough `nengo.Node` at every time step. The GUI then
plots that Node with an ordinary Value plot::

    import nengo
    from snn_demos.node_probe import NodeProbe

    with nengo.Network() as model:
        ...
        conn = nengo.Connection(pre.neurons, post.neurons, transform=w, learning_rule_type=rule)
        weight = nengo.Node(size_in=conn.size_out * conn.size_in)
        NodeProbe(conn, "weights", weight)

Why a probe: Nengo builds each network in the order ensembles and nodes, subnetworks,
connections and learning rules, then probes (``nengo.builder.network.build_network``,
Nengo 4.1). A probe's builder is the first place where the signals of connections and
learning rules exist, and where the input signal of the Node exists too.
"""

import nengo
from nengo.base import ObjView
import numpy as np

from nengo.builder import Builder, Operator
from nengo.builder.probe import SimProbe, probemap, signal_probe
from nengo.ensemble import Neurons
from nengo.exceptions import BuildError, ValidationError


class NodeProbe(nengo.Probe):
    """A probe that adds its target signal into a Node's input instead of recording it.

    Every time step, the probed signal (after ``synapse``, if one is given) is flattened
    and added into the input of ``node``. Because the input of a Node is reset at every
    step and nothing else should connect to it, the Node's output then equals the signal,
    in the same step, and can be plotted in Nengo GUI or connected onward.

    Parameters
    ----------
    target : Connection, LearningRule, Ensemble, Neurons or Node
        The object to probe, as for `nengo.Probe`.
    attr : str
        The signal to probe; one of ``target.probeable`` (for example ``"weights"`` of a
        connection or ``"pre_trace"`` of an `.STDP` learning rule).
    node : Node or slice of a Node
        The Node that receives the signal, usually ``nengo.Node(size_in=n)`` with ``n`` the
        number of elements of the signal. A slice such as ``node[1]`` receives the signal
        in those dimensions, so several NodeProbes can share one plot.
    synapse : Synapse, optional
        Filter applied to the signal before it reaches the Node.
    label : str, optional
        A name for the probe.

    Notes
    -----
    The probe must be built after its target. Nengo builds a network's probes after that
    network's connections but before the connections of any network that contains it, so
    put the NodeProbe in the network that contains the target's connection or in a network
    that contains that one. Otherwise the build raises a `nengo.exceptions.BuildError`.

    A weight matrix of shape ``(n_post, n_pre)`` arrives row by row (C order): element
    ``j * n_pre + i`` of the Node's input is the weight from presynaptic neuron ``i`` to
    postsynaptic neuron ``j``.

    The Node receives the signal in the same time step in which a `nengo.Probe` would
    record it. The exception is a signal that an operator writes as an "update" at the end
    of a step, such as the ``"delta"`` of Nengo's learning rules and of `.STDP`. Such a
    signal arrives one time step later.

    The probe stores no data, so ``sim.data[node_probe]`` is None. Probe the Node with a
    `nengo.Probe` to record the values.
    """

    def __init__(self, target, attr, node, synapse=None, label=None):
        super().__init__(target, attr, synapse=synapse, label=label)
        node_obj = node.obj if isinstance(node, ObjView) else node
        if not isinstance(node_obj, nengo.Node):
            raise ValidationError(
                f"must be a nengo.Node or a slice of one, got {type(node_obj).__name__}",
                attr="node",
                obj=self,
            )
        if node.size_in == 0:
            raise ValidationError(
                f"{node} has no input. Create it with nengo.Node(size_in=n), where n is "
                "the number of elements of the probed signal.",
                attr="node",
                obj=self,
            )
        self.node = node


class FlatCopy(Operator):
    """Add a signal of any shape, flattened in C order, into a 1-D signal.

    Works like ``Copy(src, dst, dst_slice=dst_index, inc=True)`` for 1-D signals. For a
    weight matrix it avoids a reshaped view of the weights signal, which Nengo 4.1's
    operator-merging optimizer cannot resolve (it raises "strides, if given, must be the
    same length as shape").

    Parameters
    ----------
    src : Signal
        The signal to add, of any shape.
    dst : Signal
        The 1-D signal to add into; it has ``src.size`` elements, or as many as
        ``dst_index`` lists.
    dst_index : list of int, optional
        Elements of ``dst`` that receive ``src``, in order.
    tag : str, optional
        A label associated with the operator, for debugging purposes.

    Notes
    -----
    1. sets ``[]``
    2. incs ``[dst]``
    3. reads ``[src]``
    4. updates ``[]``
    """

    def __init__(self, src, dst, dst_index=None, tag=None):
        super().__init__(tag=tag)
        self.dst_index = dst_index

        self.sets = []
        self.incs = [dst]
        self.reads = [src]
        self.updates = []

    @property
    def src(self):
        return self.reads[0]

    @property
    def dst(self):
        return self.incs[0]

    @property
    def _descstr(self):
        index = "" if self.dst_index is None else f"[{self.dst_index}]"
        return f"{self.src} -> {self.dst}{index}"

    def make_step(self, signals, dt, rng):
        src = signals[self.src]
        dst = signals[self.dst]
        dst_index = self.dst_index

        if dst_index is None:

            def step_flatcopy():
                dst[...] += src.ravel()

        else:
            dst_index = np.asarray(dst_index)

            def step_flatcopy():
                # np.add.at also adds correctly where an index repeats.
                np.add.at(dst, dst_index, src.ravel())

        return step_flatcopy


def _node_input_signal(model, probe):
    """Return the input signal of ``probe.node``, sliced if the probe targets a slice."""
    node = probe.node
    node_obj = node.obj if isinstance(node, ObjView) else node
    if node_obj not in model.params:
        raise BuildError(
            f"{probe}: the node {node_obj} has not been built yet. Put the Node in the "
            "same network as the NodeProbe or in a network that contains it."
        )
    node_input = model.sig[node_obj]["in"]
    if isinstance(node, ObjView):
        node_slice = node.slice
        if isinstance(node_slice, slice):
            return node_input[node_slice], None
        return node_input, list(node_slice)
    return node_input, None


@Builder.register(NodeProbe)
def build_node_probe(model, probe):
    """Build a `.NodeProbe`: a `.FlatCopy` that adds the target signal into the node input,
    which the node's own `~nengo.builder.operator.Reset` clears at every step.

    Sets ``model.params[probe]`` to None, since the probe records nothing.
    """
    # Nengo stores the parameters of a Neurons object under its Ensemble.
    built_obj = probe.obj.ensemble if isinstance(probe.obj, Neurons) else probe.obj
    if built_obj not in model.params:
        raise BuildError(
            f"{probe}: its target {probe.obj} has not been built yet. Nengo builds the "
            "probes of a subnetwork before the connections of the network around it, so "
            "put the NodeProbe in the network that contains the target's connection or in a "
            "network that contains it."
        )

    # Find the signal the way nengo.Probe does, including any synapse.
    for nengo_type, attr_map in probemap.items():
        if isinstance(probe.obj, nengo_type):
            key = attr_map.get(probe.attr, probe.attr)
            break
    else:
        raise BuildError(f"{probe}: type {type(probe.obj).__name__} is not probeable")
    if key is None:
        raise BuildError(
            f"{probe}: '{probe.attr}' is computed by a decoded connection and is not a "
            "signal. Connect the target to the Node with nengo.Connection instead."
        )
    signal_probe(model, key, probe)
    source = model.sig[probe]["in"]

    node_input, index_list = _node_input_signal(model, probe)
    n_destination = len(index_list) if index_list is not None else node_input.size
    if source.size != n_destination:
        raise BuildError(
            f"{probe}: '{probe.attr}' has {source.size} elements (shape "
            f"{model.sig[probe]['in'].shape}) but {probe.node} takes {n_destination}. "
            f"Create the Node with size_in={source.size}."
        )

    model.add_op(FlatCopy(source, node_input, dst_index=index_list, tag=f"{probe}"))
    model.add_op(SimProbe(source))
    model.params[probe] = None


__all__ = ["FlatCopy", "NodeProbe", "build_node_probe"]
