"""Tests for snn_demos.nengo_dl_compat: NengoDL trains, runs spiking and saves parameters.

The network is Dense -> LIF -> Dense, trained with ``sim.fit`` on a synthetic classification
problem (Gaussian clusters), so the tests need no data files. The same tests run on
TensorFlow 2.12 (where the compat module must change nothing) and on TensorFlow 2.16 or later
(where it routes ``tf.keras`` to ``tf_keras``).
"""

# The compat module must be imported before TensorFlow and NengoDL.
from snn_demos import nengo_dl_compat  # isort: skip

import importlib.metadata
import json
import os
import subprocess
import sys
import types
from pathlib import Path

import nengo
import nengo_dl
import numpy as np
import pytest
import tensorflow as tf

REPO_ROOT = Path(__file__).resolve().parents[1]
TF_USES_KERAS_3 = nengo_dl_compat._major_minor(tf.__version__) >= (2, 16)

N_CLASSES = 4
N_FEATURES = 16
N_HIDDEN = 64
N_TRAIN = 2000
N_TEST = 500
MINIBATCH_SIZE = 100
EPOCHS = 10
# Spread of each cluster around its center, with centers drawn from a standard normal. With
# this spread the clusters overlap, so no classifier reaches accuracy 1 and the test data
# still tell a trained network from an untrained one after many epochs.
CLUSTER_STD = 1.5
SPIKING_STEPS = 100
LIF_AMPLITUDE = 0.01

# Accuracy on held-out data that the trained network must reach. Chance is 1/N_CLASSES. The
# trained network reaches 0.876 in rate mode and 0.876 (TensorFlow 2.12.1) or 0.878
# (TensorFlow 2.21.0) in spiking mode, on Linux x86-64 CPU.
MIN_TRAINED_ACCURACY = 0.8
# Largest accuracy drop from rate mode to spiking mode (mean output over SPIKING_STEPS steps).
MAX_SPIKING_ACCURACY_DROP = 0.05


def make_clusters(n_samples, rng, centers):
    """Return (inputs, labels) drawn from Gaussian clusters, shaped for NengoDL (batch, 1, n)."""
    labels = rng.integers(N_CLASSES, size=n_samples)
    inputs = centers[labels] + CLUSTER_STD * rng.standard_normal((n_samples, N_FEATURES))
    return inputs[:, None, :].astype(np.float32), labels[:, None, None].astype(np.float32)


def seeded_initializer(seed):
    return tf.keras.initializers.GlorotUniform(seed=seed)


def build_network(neuron_type):
    """Build the Dense -> neurons -> Dense network and return (network, output probe, neurons)."""
    with nengo.Network(seed=0) as net:
        nengo_dl.configure_settings(trainable=None, stateful=False, lif_smoothing=0.01)

        inp = nengo.Node(np.zeros(N_FEATURES))
        # Seeded initializers make runs repeatable, because the simulator seed does not reach
        # Keras initializers.
        hidden = nengo_dl.Layer(
            tf.keras.layers.Dense(units=N_HIDDEN, kernel_initializer=seeded_initializer(1))
        )(inp)
        neurons = nengo_dl.Layer(neuron_type)(hidden)
        out = nengo_dl.Layer(
            tf.keras.layers.Dense(units=N_CLASSES, kernel_initializer=seeded_initializer(2))
        )(neurons)
        probe = nengo.Probe(out, label="out")
    return net, probe, neurons


def compile_for_classification(sim, probe):
    sim.compile(
        optimizer=tf.optimizers.Adam(0.001),
        loss={probe: tf.losses.SparseCategoricalCrossentropy(from_logits=True)},
        metrics={probe: tf.metrics.sparse_categorical_accuracy},
    )


def accuracy(outputs, labels):
    """Return the fraction of samples whose mean output over time picks the right class."""
    predicted = np.argmax(outputs.mean(axis=1), axis=-1)
    return float(np.mean(predicted == labels[:, 0, 0]))


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Train the LIF network, copy its parameters into a LIFRate network, and record results."""
    rng = np.random.default_rng(0)
    centers = rng.standard_normal((N_CLASSES, N_FEATURES))
    train_x, train_y = make_clusters(N_TRAIN, rng, centers)
    test_x, test_y = make_clusters(N_TEST, rng, centers)

    lif_net, lif_probe, lif_neurons = build_network(nengo.LIF(amplitude=LIF_AMPLITUDE))
    rate_net, rate_probe, rate_neurons = build_network(nengo.LIFRate(amplitude=LIF_AMPLITUDE))
    params_path = tmp_path_factory.mktemp("params") / "trained"

    lif_sim = nengo_dl.Simulator(
        lif_net, minibatch_size=MINIBATCH_SIZE, seed=0, progress_bar=False
    )
    rate_sim = nengo_dl.Simulator(
        rate_net, minibatch_size=MINIBATCH_SIZE, seed=0, progress_bar=False
    )
    with lif_sim, rate_sim:
        compile_for_classification(rate_sim, rate_probe)
        untrained = rate_sim.evaluate(test_x, {rate_probe: test_y}, verbose=0)
        untrained_bias = lif_sim.get_nengo_params(lif_neurons)["bias"]

        compile_for_classification(lif_sim, lif_probe)
        history = lif_sim.fit(train_x, {lif_probe: train_y}, epochs=EPOCHS, verbose=0)
        lif_sim.save_params(params_path)
        trained_bias = lif_sim.get_nengo_params(lif_neurons)["bias"]

        rate_sim.load_params(params_path)
        trained_eval = rate_sim.evaluate(test_x, {rate_probe: test_y}, verbose=0)
        rate_outputs = rate_sim.predict(test_x)[rate_probe]

        spiking_x = np.tile(test_x, (1, SPIKING_STEPS, 1))
        spiking_outputs = lif_sim.predict(spiking_x)[lif_probe]

        yield types.SimpleNamespace(
            test_y=test_y,
            untrained=untrained,
            trained=trained_eval,
            history=history.history,
            untrained_bias=untrained_bias,
            trained_bias=trained_bias,
            loaded_bias=rate_sim.get_nengo_params(rate_neurons)["bias"],
            lif_weights=lif_sim.keras_model.get_weights(),
            rate_weights=rate_sim.keras_model.get_weights(),
            lif_keras_model=lif_sim.keras_model,
            rate_outputs=rate_outputs,
            spiking_outputs=spiking_outputs,
        )


def test_nengo_dl_uses_keras_2():
    assert isinstance(nengo_dl.compat.Functional, type)
    assert issubclass(nengo_dl.compat.Functional, tf.keras.Model)
    assert issubclass(tf.keras.layers.Dense, tf.keras.layers.Layer)


@pytest.mark.skipif(not TF_USES_KERAS_3, reason="needs TensorFlow 2.16 or later")
def test_compat_routes_keras_to_tf_keras():
    import keras
    import tf_keras
    import tf_keras.src.engine.functional

    assert os.environ["TF_USE_LEGACY_KERAS"] == "1"
    assert tf._tf_uses_legacy_keras is True
    assert tf.keras.Model is tf_keras.Model
    assert sys.modules["keras.engine.functional"] is tf_keras.src.engine.functional
    assert nengo_dl.compat.Functional is tf_keras.src.engine.functional.Functional
    assert nengo_dl.compat.BatchNormalizationV1 is tf_keras.src.layers.BatchNormalizationV1
    assert nengo_dl.compat.BatchNormalizationV2 is tf_keras.src.layers.BatchNormalizationV2
    assert keras.__version__.startswith("3.")


@pytest.mark.skipif(TF_USES_KERAS_3, reason="needs TensorFlow older than 2.16")
def test_compat_changes_nothing_before_tf_2_16():
    import keras
    import keras.engine.functional

    # A fresh interpreter shows what importing the module alone does.
    script = (
        "import json, os, sys\n"
        "environ, modules = dict(os.environ), set(sys.modules)\n"
        "import snn_demos.nengo_dl_compat\n"
        "print(json.dumps({'environ_changed': dict(os.environ) != environ,\n"
        "                  'new_modules': sorted(set(sys.modules) - modules)}))\n"
    )
    # Without the variable in the child's environment, setting it shows up as a change.
    child_environ = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=REPO_ROOT,
        env=child_environ,
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(result.stdout)
    keras_modules = [
        name
        for name in report["new_modules"]
        if name.split(".")[0] in ("tensorflow", "keras", "tf_keras")
    ]

    assert report["environ_changed"] is False
    assert keras_modules == []
    assert tf.keras.Model is keras.Model
    assert nengo_dl.compat.Functional is keras.engine.functional.Functional
    assert Path(keras.engine.functional.__file__).parent.parent == Path(keras.__file__).parent


@pytest.mark.parametrize(
    ("version_string", "expected"),
    [("2.12.1", (2, 12)), ("2.21.0", (2, 21)), ("2.16.0rc0", (2, 16)), ("2.16rc0", (2, 16))],
)
def test_major_minor_parses_versions(version_string, expected):
    assert nengo_dl_compat._major_minor(version_string) == expected


def test_tensorflow_version_matches_metadata(monkeypatch):
    assert nengo_dl_compat._installed_tensorflow_version() == tf.__version__

    monkeypatch.delitem(sys.modules, "tensorflow")
    assert nengo_dl_compat._installed_tensorflow_version() == tf.__version__


def test_missing_tf_keras_names_fix(monkeypatch):
    def version(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", version)
    with pytest.raises(ImportError, match=r"pip install tf-keras==2\.21\.0"):
        nengo_dl_compat._require_tf_keras("2.21.0")


def test_mismatched_tf_keras_names_fix(monkeypatch):
    monkeypatch.setattr(importlib.metadata, "version", lambda name: "2.20.0")
    with pytest.raises(ImportError, match=r"pip install tf-keras==2\.21\.0"):
        nengo_dl_compat._require_tf_keras("2.21.0")


def test_keras_3_env_value_raises(monkeypatch):
    monkeypatch.delitem(sys.modules, "tensorflow")
    monkeypatch.setenv("TF_USE_LEGACY_KERAS", "0")
    with pytest.raises(ImportError, match="TF_USE_LEGACY_KERAS is set to '0'"):
        nengo_dl_compat._use_legacy_keras()


def test_tensorflow_imported_first_raises(monkeypatch):
    fake_tensorflow = types.SimpleNamespace(__version__="2.21.0", _tf_uses_legacy_keras=False)
    monkeypatch.setitem(sys.modules, "tensorflow", fake_tensorflow)
    with pytest.raises(ImportError, match="imported before snn_demos.nengo_dl_compat"):
        nengo_dl_compat._use_legacy_keras()


def test_fit_lowers_loss(trained):
    losses = trained.history["loss"]

    assert len(losses) == EPOCHS
    assert losses[-1] < 0.5 * losses[0]
    assert trained.trained["loss"] < 0.5 * trained.untrained["loss"]


def test_fit_raises_accuracy(trained):
    untrained_accuracy = trained.untrained["out_sparse_categorical_accuracy"]
    trained_accuracy = trained.trained["out_sparse_categorical_accuracy"]

    assert untrained_accuracy < 0.5
    assert trained_accuracy > MIN_TRAINED_ACCURACY
    assert accuracy(trained.rate_outputs, trained.test_y) == pytest.approx(trained_accuracy)


def test_spiking_accuracy_near_rate(trained):
    rate_accuracy = accuracy(trained.rate_outputs, trained.test_y)
    spiking_accuracy = accuracy(trained.spiking_outputs, trained.test_y)

    assert trained.spiking_outputs.shape == (N_TEST, SPIKING_STEPS, N_CLASSES)
    # Spikes make the output jump between steps, where a rate network's output stays constant.
    assert not np.allclose(trained.spiking_outputs[:, 0], trained.spiking_outputs[:, 1])
    assert spiking_accuracy > MIN_TRAINED_ACCURACY
    assert spiking_accuracy >= rate_accuracy - MAX_SPIKING_ACCURACY_DROP


def test_params_round_trip(trained):
    assert isinstance(trained.lif_keras_model, tf.keras.Model)
    assert len(trained.lif_weights) == len(trained.rate_weights)
    for lif_weight, rate_weight in zip(trained.lif_weights, trained.rate_weights):
        np.testing.assert_array_equal(rate_weight, lif_weight)

    assert not np.allclose(trained.trained_bias, trained.untrained_bias)
    np.testing.assert_array_equal(trained.loaded_bias, trained.trained_bias)
