"""NodeProbe (snn_demos.node_probe): probed signals copied into the input of a Node.

Most tests compare what a Node receives through a NodeProbe with what a nengo.Probe on the same
target records.
"""

import numpy as np
import pytest

import nengo
from nengo.exceptions import BuildError, ValidationError

from snn_demos.node_probe import NodeProbe
from snn_demos.stdp import STDP


def build(net):
    with nengo.Simulator(net, progress_bar=False):
        pass



@pytest.fixture(scope="module")
def node_probe_run():
    """A learning 2x3 connection whose weights and traces are shown through Nodes."""
    with nengo.Network(seed=1) as net:
        stim = nengo.Node(lambda t: np.sin(10 * t) * np.ones(3))
        pre = nengo.Ensemble(3, 1)
        post = nengo.Ensemble(2, 1)
        nengo.Connection(stim, pre.neurons)
        conn = nengo.Connection(
            pre.neurons,
            post.neurons,
            transform=np.full((2, 3), 0.3),
            learning_rule_type=STDP(a_plus=0.01, a_minus=0.0105),
        )
        # A second learning connection with a 1x1 matrix, which Nengo's optimizer merges
        # with the first.
        other = nengo.Connection(
            pre.neurons[:1],
            post.neurons[:1],
            transform=[[0.2]],
            learning_rule_type=STDP(a_plus=0.01, a_minus=0.0105),
        )
        weights_node = nengo.Node(size_in=6)
        NodeProbe(conn, "weights", weights_node)
        other_node = nengo.Node(size_in=1)
        NodeProbe(other, "weights", other_node)
        traces_node = nengo.Node(size_in=5)
        NodeProbe(conn.learning_rule, "pre_trace", traces_node[:3])
        NodeProbe(conn.learning_rule, "post_trace", traces_node[[4, 3]])
        delta_node = nengo.Node(size_in=6)
        delta_probe = NodeProbe(conn.learning_rule, "delta", delta_node)

        probes = {
            "weights": nengo.Probe(conn, "weights"),
            "other_weights": nengo.Probe(other, "weights"),
            "pre_trace": nengo.Probe(conn.learning_rule, "pre_trace"),
            "post_trace": nengo.Probe(conn.learning_rule, "post_trace"),
            "delta": nengo.Probe(conn.learning_rule, "delta"),
            "weights_node": nengo.Probe(weights_node),
            "other_node": nengo.Probe(other_node),
            "traces_node": nengo.Probe(traces_node),
            "delta_node": nengo.Probe(delta_node),
        }

    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(1.0)
    data = {name: sim.data[probe] for name, probe in probes.items()}
    data["node_probe_data"] = sim.data[delta_probe]
    return data


def test_node_probe_weights_equal_probe(node_probe_run):
    weights = node_probe_run["weights"]
    assert np.ptp(weights[:, 0, 0]) > 0, "the weights should change during the run"
    np.testing.assert_array_equal(node_probe_run["weights_node"], weights.reshape(-1, 6))
    np.testing.assert_array_equal(
        node_probe_run["other_node"], node_probe_run["other_weights"].reshape(-1, 1)
    )


def test_node_probe_traces_fill_slices(node_probe_run):
    traces = node_probe_run["traces_node"]
    assert node_probe_run["pre_trace"].max() > 0
    np.testing.assert_array_equal(traces[:, :3], node_probe_run["pre_trace"])
    np.testing.assert_array_equal(traces[:, [4, 3]], node_probe_run["post_trace"])


def test_node_probe_delta_arrives_one_step_late(node_probe_run):
    delta = node_probe_run["delta"].reshape(-1, 6)
    assert np.abs(delta).max() > 0
    np.testing.assert_array_equal(node_probe_run["delta_node"][1:], delta[:-1])


def test_node_probe_records_nothing(node_probe_run):
    assert node_probe_run["node_probe_data"] is None


def test_node_probe_rejects_node_without_input():
    with nengo.Network():
        conn = nengo.Connection(nengo.Node([0.0]), nengo.Node(size_in=1))
        with pytest.raises(ValidationError, match="has no input"):
            NodeProbe(conn, "weights", nengo.Node([0.0]))


def test_node_probe_rejects_non_node():
    with nengo.Network():
        conn = nengo.Connection(nengo.Node([0.0]), nengo.Node(size_in=1))
        with pytest.raises(ValidationError, match="must be a nengo.Node"):
            NodeProbe(conn, "weights", nengo.Ensemble(1, 1))


def test_node_probe_rejects_wrong_size():
    with nengo.Network() as net:
        conn = nengo.Connection(nengo.Node([0.0, 0.0]), nengo.Node(size_in=3), transform=np.ones((3, 2)))
        NodeProbe(conn, "weights", nengo.Node(size_in=5))
    with pytest.raises(BuildError, match="has 6 elements .* Create the Node with size_in=6"):
        build(net)


def test_node_probe_in_subnetwork_of_connection_fails_clearly():
    with nengo.Network() as net:
        conn = nengo.Connection(nengo.Node([0.0]), nengo.Node(size_in=1))
        with nengo.Network():
            NodeProbe(conn, "weights", nengo.Node(size_in=1))
    with pytest.raises(BuildError, match="has not been built yet"):
        build(net)


@pytest.fixture(scope="module")
def neurons_run():
    """Output and voltage of LIF neurons, shown through Nodes and recorded by nengo.Probe."""
    with nengo.Network(seed=2) as net:
        stim = nengo.Node(lambda t: np.sin(8 * t))
        ens = nengo.Ensemble(4, 1)
        nengo.Connection(stim, ens)
        output_node = nengo.Node(size_in=4)
        NodeProbe(ens.neurons, "output", output_node)
        voltage_node = nengo.Node(size_in=4)
        NodeProbe(ens.neurons, "voltage", voltage_node)
        sliced_node = nengo.Node(size_in=2)
        NodeProbe(ens.neurons[:2], "output", sliced_node)
        filtered_node = nengo.Node(size_in=4)
        NodeProbe(ens.neurons, "output", filtered_node, synapse=0.01)

        probes = {
            "output": nengo.Probe(ens.neurons, "output"),
            "voltage": nengo.Probe(ens.neurons, "voltage"),
            "sliced": nengo.Probe(ens.neurons[:2], "output"),
            "filtered": nengo.Probe(ens.neurons, "output", synapse=0.01),
            "output_node": nengo.Probe(output_node),
            "voltage_node": nengo.Probe(voltage_node),
            "sliced_node": nengo.Probe(sliced_node),
            "filtered_node": nengo.Probe(filtered_node),
        }

    with nengo.Simulator(net, progress_bar=False) as sim:
        sim.run(0.5)
    return {name: sim.data[probe] for name, probe in probes.items()}


def test_node_probe_neuron_output_equals_probe(neurons_run):
    output = neurons_run["output"]
    assert output.max() > 0, "the neurons should spike during the run"
    np.testing.assert_array_equal(neurons_run["output_node"], output)


def test_node_probe_neuron_voltage_equals_probe(neurons_run):
    voltage = neurons_run["voltage"]
    assert voltage.max() > 0
    np.testing.assert_array_equal(neurons_run["voltage_node"], voltage)


def test_node_probe_neuron_slice_equals_probe(neurons_run):
    sliced = neurons_run["sliced"]
    assert sliced.shape[1] == 2
    np.testing.assert_array_equal(neurons_run["sliced_node"], sliced)


def test_node_probe_filtered_neuron_output(neurons_run):
    np.testing.assert_allclose(neurons_run["filtered_node"], neurons_run["filtered"])


def test_node_probe_unbuilt_neurons_fail_clearly():
    """A NodeProbe in one subnetwork on the neurons of a subnetwork built after it."""
    with nengo.Network() as net:
        probe_net = nengo.Network()
        ensemble_net = nengo.Network()
        with ensemble_net:
            ens = nengo.Ensemble(3, 1)
        with probe_net:
            NodeProbe(ens.neurons, "output", nengo.Node(size_in=3))
    with pytest.raises(BuildError, match="has not been built yet"):
        build(net)
