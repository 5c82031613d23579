"""05_mnist_gui.py without a browser: its errors, its imports, and the digit markup."""

import base64
import importlib.util
import shutil
import subprocess
import sys
import zlib

import nengo
import numpy as np
import pytest

from snn_demos import digit_html, mnist_network, mnist_weights
from snn_demos.mnist_weights import WeightsFileError


def load_gui_copy(repo_root, folder):
    shutil.copy(repo_root / "05_mnist_gui.py", folder / "05_mnist_gui.py")
    spec = importlib.util.spec_from_file_location("mnist_gui_copy", folder / "05_mnist_gui.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_weights(n_samples=3):
    rng = np.random.default_rng(0)
    params = {
        key: (0.05 * rng.standard_normal(shape)).astype(np.float32)
        for key, shape in mnist_network.parameter_shapes().items()
    }
    return mnist_weights.MnistWeights(
        params=params, tau_rc=0.02, tau_ref=0.002, amplitude=0.004,
        sample_images=rng.uniform(0, 1, (n_samples, 784)).astype(np.float32),
        sample_labels=np.arange(n_samples), train_accuracy=0.5, rate_accuracy=0.5,
        spiking_accuracy=0.5, presentation_time=0.1, dt=0.001,
    )


def test_missing_weights_error(repo_root, tmp_path):
    with pytest.raises(WeightsFileError) as info:
        load_gui_copy(repo_root, tmp_path)
    message = str(info.value)
    assert str(tmp_path / "mnist_weights.npz") in message
    assert "not found" in message
    assert "Run `python 05_mnist_train.py`" in message


def test_wrong_shape_error(repo_root, tmp_path):
    arrays = random_weights().to_arrays()
    arrays["W1"] = np.zeros((256, 64), np.float32)
    np.savez(tmp_path / "mnist_weights.npz", **arrays)
    with pytest.raises(WeightsFileError, match=r"W1 has shape \(256, 64\), expected \(256, 128\)"):
        load_gui_copy(repo_root, tmp_path)


def test_gui_model_runs(repo_root, tmp_path):
    mnist_weights.save_weights(tmp_path / "mnist_weights.npz", random_weights())
    gui = load_gui_copy(repo_root, tmp_path)

    # The names that 05_mnist_gui.py.cfg refers to.
    assert isinstance(gui.layer1, nengo.Ensemble) and gui.layer1.n_neurons == 256
    assert isinstance(gui.layer2, nengo.Ensemble) and gui.layer2.n_neurons == 128
    assert gui.scores.size_out == 10
    assert gui.digit.size_out == 784

    with gui.model:
        digit_probe = nengo.Probe(gui.digit)
    with nengo.Simulator(gui.model, progress_bar=False) as sim:
        sim.run(2.01)
    # One sample digit per second, in order.
    assert np.array_equal(sim.data[digit_probe][10], gui.weights.sample_images[0])
    assert np.array_equal(sim.data[digit_probe][1500], gui.weights.sample_images[1])
    assert np.array_equal(sim.data[digit_probe][-1], gui.weights.sample_images[2])
    assert "true: <b>2</b>" in gui.prediction.output._nengo_html_
    assert gui.prediction.output.n_done == 2


def test_gui_helpers_import_no_tensorflow(repo_root):
    code = (
        "import sys; import snn_demos.mnist_network, snn_demos.mnist_weights, "
        "snn_demos.digit_html; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'nengo_dl')))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=repo_root, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_digit_png_decodes():
    image = np.zeros((28, 28))
    image[3, 5] = 1.0
    image[27, 0] = 0.5
    uri = digit_html.png_data_uri(image)
    png = base64.b64decode(uri.split(",", 1)[1])

    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (28, 28)
    idat_length = int.from_bytes(png[33:37], "big")
    assert png[37:41] == b"IDAT"
    raw = zlib.decompress(png[41:41 + idat_length])
    rows = np.frombuffer(raw, np.uint8).reshape(28, 29)
    assert np.all(rows[:, 0] == 0)  # filter type "None" on each scanline
    pixels = rows[:, 1:]
    assert pixels[3, 5] == 255
    assert pixels[27, 0] == 128
    assert pixels.sum() == 255 + 128


def test_digit_html_labels():
    html = digit_html.digit_html("data:image/png;base64,AAAA", 7, 1, 3, 4)
    assert 'src="data:image/png;base64,AAAA"' in html
    assert "true: <b>7</b>" in html
    assert "#c62828" in html  # a wrong prediction is shown in red
    assert "3 / 4 correct" in html
