"""Training in NengoDL, gain folding, and the GUI's spiking network on real MNIST digits.

A short real run of 05_mnist_train.py (20,000 training digits, 2 epochs, 1,000 test digits)
writes the weights file that the later tests read. It takes about a minute on 2 cores. The
checks of the script's options and data sizes run without training.
"""

import importlib.util
import os
import runpy
import shutil
import sys

import snn_demos.nengo_dl_compat  # noqa: F401  (must run before TensorFlow and NengoDL load)

import nengo  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from snn_demos import mnist_data, mnist_network, mnist_weights  # noqa: E402

nengo_dl = pytest.importorskip("nengo_dl")
tf = pytest.importorskip("tensorflow")

N_GUI_DIGITS = 40
GUI_PRESENTATION_TIME = 0.2  # s, shorter than the demo's 1 s to keep the test fast


@pytest.fixture(scope="module")
def mnist(mnist_dir):
    return mnist_data.load_mnist(mnist_dir)


@pytest.fixture(scope="module")
def trained_file(repo_root, mnist_dir, tmp_path_factory, monkeypatch_module):
    path = tmp_path_factory.mktemp("trained") / "mnist_weights.npz"
    monkeypatch_module.setattr(sys, "argv", [
        "05_mnist_train.py", "--data", str(mnist_dir), "--output", str(path),
        "--epochs", "2", "--train-limit", "20000", "--test-limit", "1000",
    ])
    runpy.run_path(str(repo_root / "05_mnist_train.py"), run_name="__main__")
    return path


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.mark.slow
def test_training_writes_valid_file(trained_file):
    weights = mnist_weights.load_weights(trained_file)
    assert weights.train_accuracy > 0.9
    assert weights.rate_accuracy > 0.9
    assert weights.spiking_accuracy > 0.9
    assert weights.presentation_time == 0.1
    assert len(weights.sample_images) == 100
    assert weights.amplitude == pytest.approx(1 / 250)


@pytest.mark.slow
def test_exported_rates_match_nengo_dl(mnist):
    """The folded kernels and biases, with gain 1, reproduce NengoDL's rate network."""
    neuron_type = nengo.LIF(amplitude=1 / 200)
    # Varied gains and biases, so that folding them in matters per neuron.
    net = mnist_network.build_training_network(
        neuron_type,
        max_rate=nengo.dists.Uniform(100, 300),
        intercept=nengo.dists.Uniform(-0.5, 0.5),
        seed=3,
    )
    with net.network:
        # learning_phase=True: predict also runs LIF neurons as rates (LIFRate).
        nengo_dl.configure_settings(
            learning_phase=True, lif_smoothing=None, use_loop=False, stateful=False
        )

    images = mnist.x_test[:100]
    with nengo_dl.Simulator(net.network, minibatch_size=50, progress_bar=False) as sim:
        initial_bias = sim.get_nengo_params(net.ensembles[0])["bias"]
        sim.compile(
            optimizer=tf.keras.optimizers.Adam(1e-3),
            loss={net.output_probe: tf.keras.losses.SparseCategoricalCrossentropy(
                from_logits=True)},
        )
        sim.fit({net.input_node: mnist.x_train[:2000, None]},
                {net.output_probe: mnist.y_train[:2000, None, None]}, epochs=1, verbose=0)
        trained_bias = sim.get_nengo_params(net.ensembles[0])["bias"]
        gains = sim.get_nengo_params(net.ensembles[0])["gain"]
        nengo_dl_scores = sim.predict({net.input_node: images[:, None]})[net.output_probe][:, 0]
        params = mnist_network.export_parameters(sim, net)
        dense_bias = net.dense_layers[0].get_weights()[1]

    assert np.ptp(gains) > 1, "gains should differ between neurons"
    assert np.allclose(trained_bias, initial_bias), "ensemble biases should stay fixed"
    assert not np.allclose(dense_bias, 0), "NengoDL should train the Dense biases"

    numpy_scores = mnist_network.predict_rates(params, images, neuron_type)
    scale = np.abs(nengo_dl_scores).max()
    assert np.allclose(numpy_scores, nengo_dl_scores, atol=1e-4 * scale, rtol=1e-4)

    # The plain Nengo network of the GUI, with LIFRate neurons, in Nengo's reference simulator.
    n_digits = 5
    with nengo.Network(seed=0) as plain:
        digit = nengo.Node(lambda t: images[min(int(round(t / 0.001)) - 1, n_digits - 1)])
        layers = mnist_network.build_spiking_layers(
            digit, params, mnist_network.rate_equivalent(neuron_type)
        )
        probe = nengo.Probe(layers.scores)
    with nengo.Simulator(plain, progress_bar=False) as plain_sim:
        plain_sim.run_steps(n_digits)
    assert np.allclose(plain_sim.data[probe], nengo_dl_scores[:n_digits],
                       atol=1e-4 * scale, rtol=1e-4)


@pytest.mark.slow
def test_gui_network_classifies_digits(trained_file, repo_root, tmp_path):
    """The GUI demo's spiking network, in nengo.Simulator, agrees with NengoDL's spiking run."""
    shutil.copy(repo_root / "05_mnist_gui.py", tmp_path / "05_mnist_gui.py")
    shutil.copy(trained_file, tmp_path / "mnist_weights.npz")
    spec = importlib.util.spec_from_file_location("mnist_gui", tmp_path / "05_mnist_gui.py")
    gui = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gui)
    gui.PRESENTATION_TIME = GUI_PRESENTATION_TIME

    with gui.model:
        score_probe = nengo.Probe(gui.scores)
    with nengo.Simulator(gui.model, progress_bar=False) as sim:
        sim.run(N_GUI_DIGITS * GUI_PRESENTATION_TIME + 0.0015)

    presentation = (sim.trange() // GUI_PRESENTATION_TIME).astype(int)
    labels = gui.weights.sample_labels[:N_GUI_DIGITS]
    gui_predictions = np.array([
        sim.data[score_probe][presentation == i].mean(axis=0).argmax()
        for i in range(N_GUI_DIGITS)
    ])

    # The same digits, each from the initial state, in NengoDL's spiking evaluation.
    from snn_demos import mnist_evaluation

    run = mnist_evaluation.run_spiking(
        gui.weights.params, gui.lif, gui.weights.sample_images[:N_GUI_DIGITS],
        GUI_PRESENTATION_TIME, batch_size=N_GUI_DIGITS, progress_bar=False,
    )
    nengo_dl_predictions = run.predictions(GUI_PRESENTATION_TIME)

    gui_correct = np.sum(gui_predictions == labels)
    assert gui_correct >= 0.85 * N_GUI_DIGITS, f"{gui_correct}/{N_GUI_DIGITS} correct"
    # NengoDL restarts every digit from the initial state while the GUI carries the neuron
    # state from one digit to the next, so a few borderline digits may differ.
    agreement = np.sum(gui_predictions == nengo_dl_predictions)
    assert agreement >= 0.9 * N_GUI_DIGITS, f"{agreement}/{N_GUI_DIGITS} agree"

    # The page's running count agrees with the predictions from the probed scores.
    scoreboard = gui.prediction.output
    assert scoreboard.n_done == N_GUI_DIGITS
    assert scoreboard.n_correct == gui_correct
    assert f"{gui_correct} / {N_GUI_DIGITS} correct" in scoreboard._nengo_html_


@pytest.fixture(scope="module")
def train_script(repo_root):
    """05_mnist_train.py as a module, so that tests call its main() with their own arguments."""
    spec = importlib.util.spec_from_file_location("mnist_train", repo_root / "05_mnist_train.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def usage_error(train_script, monkeypatch, capsys):
    """Return a function that runs main(argv) and returns the usage error it exits with."""

    def fail_training(*args, **kwargs):
        raise AssertionError("training started although the options are invalid")

    def fail_download():
        raise AssertionError("the script tried to download MNIST")

    monkeypatch.setattr(train_script, "train", fail_training)
    monkeypatch.setattr(mnist_data, "load_keras_mnist", fail_download)

    def run(*argv):
        with pytest.raises(SystemExit) as info:
            train_script.main(list(argv))
        assert info.value.code == 2
        return capsys.readouterr().err

    return run


@pytest.fixture
def small_npz(mnist, tmp_path):
    """A Keras-format mnist.npz with 50 training and 3 test digits of real MNIST."""
    path = tmp_path / "small.npz"
    np.savez(path, x_train=mnist.x_train[:50], y_train=mnist.y_train[:50],
             x_test=mnist.x_test[:3], y_test=mnist.y_test[:3])
    return path


@pytest.mark.parametrize(
    "option, value",
    [
        ("--presentation-time", "nan"),
        ("--dt", "nan"),
        ("--max-rate", "nan"),
        ("--max-rate", "-inf"),
        ("--learning-rate", "inf"),
        ("--learning-rate", "0"),
        ("--lif-smoothing", "nan"),
        ("--lif-smoothing", "-0.01"),
        ("--dt", "-0.001"),
        ("--epochs", "0"),
        ("--max-shift", "-1"),
        ("--seed", "-1"),
    ],
)
def test_option_not_finite_or_out_of_range(usage_error, tmp_path, option, value):
    # OPTION=VALUE, since argparse reads a separate "-inf" as an option.
    error = usage_error(f"{option}={value}", "--output", str(tmp_path / "w.npz"),
                        "--data", str(tmp_path / "missing"))
    assert f"argument {option}: invalid value '{value}', expected" in error


@pytest.mark.parametrize("option", ["--train-limit", "--test-limit"])
@pytest.mark.parametrize("value", ["0", "-5"])
def test_limit_below_one(usage_error, tmp_path, option, value):
    error = usage_error(f"{option}={value}", "--output", str(tmp_path / "w.npz"),
                        "--data", str(tmp_path / "missing"))
    assert f"argument {option}: invalid value '{value}', expected a whole number of 1 or more" \
        in error


def test_output_is_folder(usage_error, tmp_path):
    # A --data path that does not exist shows that --output is checked before loading data.
    error = usage_error("--output", str(tmp_path), "--data", str(tmp_path / "missing"))
    assert f"--output: {tmp_path}: is a folder" in error
    assert os.listdir(tmp_path) == []


def test_output_folder_not_writable(usage_error, tmp_path, monkeypatch):
    # Root may write to a read-only folder, so the denial is simulated.
    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    monkeypatch.setattr(mnist_weights.tempfile, "mkstemp", deny)
    path = tmp_path / "w.npz"
    error = usage_error("--output", str(path), "--data", str(tmp_path / "missing"))
    assert f"--output: {path}: cannot write a file in folder {tmp_path}" in error
    assert "Permission denied" in error


def test_batch_larger_than_training_limit(usage_error, small_npz, tmp_path):
    error = usage_error("--data", str(small_npz), "--train-limit", "1", "--batch-size", "100",
                        "--output", str(tmp_path / "w.npz"))
    assert "--batch-size 100 is larger than the number of training digits (1)" in error
    assert "Set --batch-size to at most 1, or raise --train-limit." in error


def test_batch_larger_than_training_set(usage_error, small_npz, tmp_path):
    error = usage_error("--data", str(small_npz), "--output", str(tmp_path / "w.npz"))
    assert "--batch-size 100 is larger than the number of training digits (50)" in error
    assert "Set --batch-size to at most 50 (--train-limit is not set)." in error


def test_small_data_set_trains(train_script, small_npz, tmp_path):
    """A training set of one minibatch and a test set of 1 digit run to the saved file."""
    path = tmp_path / "new" / "w.npz"
    train_script.main(["--data", str(small_npz), "--output", str(path), "--batch-size", "50",
                       "--epochs", "1", "--test-limit", "1", "--no-xla",
                       "--presentation-time", "0.01"])
    weights = mnist_weights.load_weights(path)
    assert len(weights.sample_images) == 1
    assert weights.spiking_accuracy in (0.0, 1.0)


@pytest.mark.parametrize(
    "n_images, presentation_time, problem",
    [
        (0, 0.01, "images is empty"),
        (2, 0.0004, "presentation_time 0.0004 s is shorter than one time step"),
    ],
)
def test_run_spiking_rejects_empty_run(n_images, presentation_time, problem):
    from snn_demos import mnist_evaluation

    params = {key: np.zeros(shape, np.float32)
              for key, shape in mnist_network.parameter_shapes().items()}
    with pytest.raises(ValueError, match=problem):
        mnist_evaluation.run_spiking(params, nengo.LIF(amplitude=0.004),
                                     np.zeros((n_images, 784)), presentation_time, dt=0.001)
