"""The weights file: round trip, validation errors, and saves that fail without damage."""

import os
import re

import numpy as np
import pytest

from snn_demos import mnist_network, mnist_weights
from snn_demos.mnist_weights import WeightsFileError


def make_weights(seed=0):
    rng = np.random.default_rng(seed)
    params = {
        key: rng.standard_normal(shape).astype(np.float32)
        for key, shape in mnist_network.parameter_shapes().items()
    }
    return mnist_weights.MnistWeights(
        params=params,
        tau_rc=0.02,
        tau_ref=0.002,
        amplitude=0.004,
        sample_images=rng.uniform(0, 1, (5, 784)).astype(np.float32),
        sample_labels=np.array([3, 1, 4, 1, 5]),
        train_accuracy=0.99,
        rate_accuracy=0.985,
        spiking_accuracy=0.982,
        presentation_time=0.1,
        dt=0.001,
    )


def write_arrays(path, **changes):
    arrays = make_weights().to_arrays()
    arrays.update(changes)
    arrays = {key: value for key, value in arrays.items() if value is not None}
    np.savez(path, **arrays)


def test_round_trip(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    weights = make_weights()
    mnist_weights.save_weights(path, weights)
    loaded = mnist_weights.load_weights(path)

    for key, value in weights.params.items():
        assert np.array_equal(loaded.params[key], value)
        assert loaded.params[key].dtype == np.float32
    assert loaded.amplitude == 0.004
    assert loaded.spiking_accuracy == 0.982
    assert np.array_equal(loaded.sample_labels, [3, 1, 4, 1, 5])
    assert os.listdir(tmp_path) == ["mnist_weights.npz"]


def test_missing_file(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.load_weights(path)
    message = str(info.value)
    assert str(path) in message
    assert "not found" in message
    assert "python 05_mnist_train.py" in message


def test_unreadable_file(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    path.write_bytes(b"PK\x03\x04 this is not a zip archive")
    with pytest.raises(WeightsFileError, match=r"cannot be read as an npz archive.*05_mnist_train"):
        mnist_weights.load_weights(path)


def test_truncated_file(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    mnist_weights.save_weights(path, make_weights())
    path.write_bytes(path.read_bytes()[:100000])
    with pytest.raises(WeightsFileError, match=r"mnist_weights\.npz: cannot be read"):
        mnist_weights.load_weights(path)


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"W0": np.zeros((784, 100), np.float32)}, r"W0 has shape \(784, 100\), expected \(784, 256\)"),
        ({"b2": np.zeros(10, np.float64)}, r"b2 has dtype float64, expected float32"),
        ({"W1": None}, r"missing arrays W1"),
        ({"tau_rc": np.array([0.02, 0.02])}, r"tau_rc has shape \(2,\)"),
        ({"amplitude": np.array(0.0)}, r"amplitude is 0.0, expected a positive number"),
        ({"b1": np.full(128, np.nan, np.float32)}, r"b1 holds NaN"),
        ({"sample_images": np.full((5, 784), 2.0, np.float32)}, r"sample_images range from 2"),
        ({"sample_labels": np.array([1, 2, 3])}, r"sample_labels has shape \(3,\)"),
        ({"sample_labels": np.array([1, 2, 3, 4, 10])}, r"sample_labels range from 1 to 10"),
        ({"spiking_accuracy": np.array(98.0)}, r"spiking_accuracy is 98.0, expected a fraction"),
    ],
)
def test_invalid_contents(tmp_path, changes, problem):
    path = tmp_path / "mnist_weights.npz"
    write_arrays(path, **changes)
    with pytest.raises(WeightsFileError) as info:
        mnist_weights.load_weights(path)
    message = str(info.value)
    assert str(path) in message
    assert "python 05_mnist_train.py" in message
    assert re.search(problem, message), message


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_failed_save_keeps_previous_file(tmp_path, monkeypatch, error):
    path = tmp_path / "mnist_weights.npz"
    mnist_weights.save_weights(path, make_weights(seed=1))
    previous = path.read_bytes()

    def savez_partly(file, **arrays):
        file.write(b"PK\x03\x04 the first bytes of an archive")
        raise error

    monkeypatch.setattr(np, "savez", savez_partly)
    with pytest.raises(type(error)):
        mnist_weights.save_weights(path, make_weights(seed=2))

    assert path.read_bytes() == previous
    assert os.listdir(tmp_path) == ["mnist_weights.npz"]  # no temporary file left behind
    monkeypatch.undo()
    assert mnist_weights.load_weights(path).sample_labels.tolist() == [3, 1, 4, 1, 5]


def test_invalid_weights_not_saved(tmp_path):
    path = tmp_path / "mnist_weights.npz"
    weights = make_weights()
    weights.params["W2"] = np.zeros((128, 9), np.float32)
    with pytest.raises(WeightsFileError, match=r"W2 has shape \(128, 9\)"):
        mnist_weights.save_weights(path, weights)
    assert os.listdir(tmp_path) == []
