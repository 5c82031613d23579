"""The MNIST classifier's architecture, built for training in NengoDL and for spiking in Nengo.

One description, ``LAYER_SIZES``, fixes the layers:

    Input(784) -> Dense(256) -> LIF -> Dense(128) -> LIF -> Dense(10) class scores

and two builders read it, so training and the GUI demo cannot drift apart:

- `build_training_network` (needs NengoDL, imported when called) builds it from
  ``nengo_dl.Layer(tf.keras.layers.Dense(n))`` followed by ``nengo_dl.Layer(nengo.LIF(...))``.
  The LIF ensembles take gain and bias from the network's Ensemble config (``max_rates``,
  ``intercepts``) and keep them fixed, and NengoDL trains the Dense kernels and biases.
- `build_spiking_layers` (plain Nengo) adds ``nengo.Ensemble``s of LIF neurons with gain 1 and
  bias ``b``, and ``nengo.Connection``s whose transforms are the exported kernels.

`export_parameters` folds each neuron's gain into the exported kernel and bias. A LIF neuron in
the training network receives the current ``gain * (x @ K + c) + bias``, which equals
``x @ W + b`` with ``W = K * gain`` and ``b = gain * c + bias``, so the plain network needs
gain 1. `predict_rates` runs the plain network's rate equivalent in NumPy.

Nothing here imports TensorFlow at module import, so the GUI demo builds without it.
"""

from typing import NamedTuple

import nengo
import numpy as np

N_INPUTS = 784
HIDDEN_SIZES = (256, 128)
N_CLASSES = 10
LAYER_SIZES = (N_INPUTS, *HIDDEN_SIZES, N_CLASSES)
N_LAYERS = len(LAYER_SIZES) - 1


def parameter_shapes():
    """Return {name: shape} of the exported kernels ``W<i>`` (n_in, n_out) and biases ``b<i>``."""
    shapes = {}
    for i in range(N_LAYERS):
        shapes[f"W{i}"] = (LAYER_SIZES[i], LAYER_SIZES[i + 1])
        shapes[f"b{i}"] = (LAYER_SIZES[i + 1],)
    return shapes


def multiply_accumulates():
    """Return the multiply-accumulates of one ANN inference (784*256 + 256*128 + 128*10)."""
    return sum(LAYER_SIZES[i] * LAYER_SIZES[i + 1] for i in range(N_LAYERS))


class TrainingNetwork(NamedTuple):
    """The NengoDL training network and the objects that training and export need."""

    network: nengo.Network
    input_node: nengo.Node
    output_probe: nengo.Probe
    dense_layers: list  # tf.keras.layers.Dense, one per layer of LAYER_SIZES
    ensembles: list  # nengo.Ensemble of LIF neurons, one per hidden layer


def build_training_network(neuron_type, max_rate, intercept, seed=0):
    """Build the classifier for NengoDL training, with Keras Dense layers and LIF ensembles.

    ``max_rate`` (Hz) and ``intercept``, numbers or ``nengo.dists.Distribution``s, set the
    hidden neurons' gains and biases through the Ensemble config. Connections have no synapse,
    so one time step computes a rate network during training. The network also calls
    ``nengo_dl.configure_settings`` with ``trainable=None`` and makes ensembles non-trainable, so
    set other NengoDL settings inside ``with network:`` afterwards.
    """
    import snn_demos.nengo_dl_compat  # noqa: F401  (must run before TensorFlow and NengoDL load)

    import nengo_dl
    import tensorflow as tf

    with nengo.Network(seed=seed) as network:
        network.config[nengo.Ensemble].max_rates = _distribution(max_rate)
        network.config[nengo.Ensemble].intercepts = _distribution(intercept)
        network.config[nengo.Connection].synapse = None

        # Each Dense bias already adds a trainable offset to every neuron's input, so a
        # trainable ensemble bias would add nothing that the network can express. With it,
        # NengoDL scatters the gain-scaled currents into its signal arrays, which made a
        # training step 50% slower without XLA (docs/benchmarks.md).
        nengo_dl.configure_settings(trainable=None)
        network.config[nengo.Ensemble].trainable = False

        input_node = nengo.Node(np.zeros(N_INPUTS), label="digit")

        x = input_node
        dense_layers = []
        ensembles = []
        for i, size in enumerate(LAYER_SIZES[1:]):
            dense = tf.keras.layers.Dense(
                size,
                kernel_initializer=tf.keras.initializers.GlorotUniform(seed=seed + i),
                name=f"dense{i}",
            )
            dense_layers.append(dense)
            x = nengo_dl.Layer(dense)(x)
            if i < len(HIDDEN_SIZES):
                neurons = nengo_dl.Layer(neuron_type)(x, label=f"layer{i + 1}")
                ensembles.append(neurons.ensemble)
                x = neurons

        output_probe = nengo.Probe(x, label="class scores")

    return TrainingNetwork(network, input_node, output_probe, dense_layers, ensembles)


def _distribution(value):
    if isinstance(value, nengo.dists.Distribution):
        return value
    return nengo.dists.Choice([value])


def export_parameters(sim, training_network):
    """Read the trained values from NengoDL simulator ``sim`` and fold the gains.

    Returns {"W0": (784, 256), "b0": (256,), ..., "b2": (10,)} float32 arrays, applied as
    ``x @ W + b`` to the input current of LIF neurons with gain 1.
    """
    params = {}
    ensemble_params = sim.get_nengo_params(training_network.ensembles)
    for i, dense in enumerate(training_network.dense_layers):
        kernel, dense_bias = dense.get_weights()
        if i < len(ensemble_params):
            gain = np.asarray(ensemble_params[i]["gain"], dtype=np.float64)
            neuron_bias = np.asarray(ensemble_params[i]["bias"], dtype=np.float64)
            kernel = kernel * gain[None, :]
            dense_bias = dense_bias * gain + neuron_bias
        params[f"W{i}"] = np.asarray(kernel, dtype=np.float32)
        params[f"b{i}"] = np.asarray(dense_bias, dtype=np.float32)
    return params


class SpikingLayers(NamedTuple):
    """The plain Nengo objects that `build_spiking_layers` adds."""

    ensembles: list  # nengo.Ensemble per hidden layer
    scores: nengo.Node  # the 10 class scores
    score_bias: nengo.Node  # constant node adding the output layer's bias to the scores


def build_spiking_layers(input_obj, params, neuron_type, synapse=None):
    """Add the classifier's layers after ``input_obj`` to the current network, in plain Nengo.

    ``params`` maps ``W<i>`` and ``b<i>`` to the exported arrays. Hidden layers are
    ``nengo.Ensemble``s of ``neuron_type`` with gain 1 and bias ``b<i>``. ``synapse`` filters
    each connection (None passes spikes straight on, as in training and evaluation). Returns
    (hidden ensembles, class-score node).
    """
    ensembles = []
    pre = input_obj
    for i, size in enumerate(HIDDEN_SIZES):
        ensemble = nengo.Ensemble(
            size,
            dimensions=1,
            neuron_type=neuron_type,
            gain=np.ones(size),
            bias=params[f"b{i}"],
            label=f"layer{i + 1}",
        )
        nengo.Connection(pre, ensemble.neurons, transform=params[f"W{i}"].T, synapse=synapse)
        ensembles.append(ensemble)
        pre = ensemble.neurons

    last = N_LAYERS - 1
    scores = nengo.Node(size_in=N_CLASSES, label="class scores")
    nengo.Connection(pre, scores, transform=params[f"W{last}"].T, synapse=synapse)
    score_bias = nengo.Node(params[f"b{last}"], label="class score bias")
    nengo.Connection(score_bias, scores, synapse=None)
    return SpikingLayers(ensembles, scores, score_bias)


def predict_rates(params, images, neuron_type):
    """Return the class scores (N, 10) of the plain network with neurons at their steady rates."""
    rate_type = rate_equivalent(neuron_type)
    activity = np.asarray(images, dtype=np.float64)
    for i in range(len(HIDDEN_SIZES)):
        current = activity @ params[f"W{i}"] + params[f"b{i}"]
        n = current.shape[1]
        activity = rate_type.rates(current, gain=np.ones(n), bias=np.zeros(n))
    last = N_LAYERS - 1
    return activity @ params[f"W{last}"] + params[f"b{last}"]


def rate_equivalent(neuron_type):
    """Return the non-spiking LIFRate with the same parameters as LIF ``neuron_type``."""
    return nengo.LIFRate(
        tau_rc=neuron_type.tau_rc, tau_ref=neuron_type.tau_ref, amplitude=neuron_type.amplitude
    )
