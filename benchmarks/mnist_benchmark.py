"""Benchmark the spiking MNIST classifier: training speed, accuracy, and GUI simulation speed.

Runs the default training of 05_mnist_train.py and prints, in one run:

1. NengoDL's training time per epoch next to plain Keras's (tf.keras, the same layer sizes,
   batch size, optimizer, schedule and shifted digits, with ReLU in place of LIF), and both
   networks' test accuracies;
2. the spiking network's test accuracy on all 10,000 test digits against presentation time
   (10 to 200 ms), also saved as a plot in docs/mnist_spiking_accuracy.png;
3. how fast the GUI demo's network runs in nengo.Simulator, with probes like the GUI's plots,
   relative to real time.

Usage:
    python benchmarks/mnist_benchmark.py [--data DIR]

DIR defaults to $SNN_MNIST_DIR, else ../shared/data/mnist beside the repository.
"""

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

import snn_demos.nengo_dl_compat  # noqa: E402,F401  (must run before TensorFlow and NengoDL)

import argparse  # noqa: E402
import importlib.util  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402


def load_script(name):
    spec = importlib.util.spec_from_file_location(Path(name).stem.lstrip("0123456789_"),
                                                  REPO_ROOT / name)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


train_script = load_script("05_mnist_train.py")  # sets TensorFlow's log level and warnings

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import nengo  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from snn_demos import mnist_data, mnist_evaluation, mnist_network, mnist_weights  # noqa: E402

PRESENTATION_TIMES_MS = (10, 20, 30, 50, 75, 100, 150, 200)
GUI_SIM_TIME = 5.0  # s of simulated time for the real-time measurement
PLOT_PATH = REPO_ROOT / "docs" / "mnist_spiking_accuracy.png"


def train_keras(args, data):
    """Train tf.keras's version of the network; return (epoch times in s, test accuracy)."""
    model = tf.keras.Sequential([tf.keras.Input(shape=(mnist_network.N_INPUTS,))])
    for size in mnist_network.HIDDEN_SIZES:
        model.add(tf.keras.layers.Dense(size, activation="relu"))
    model.add(tf.keras.layers.Dense(mnist_network.N_CLASSES))

    steps_per_epoch = int(np.ceil(len(data.x_train) / args.batch_size))
    learning_rate = tf.keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=args.epochs * steps_per_epoch
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    rng = np.random.default_rng(args.seed)
    epoch_seconds = []
    for epoch in range(args.epochs):
        print(f"Keras epoch {epoch + 1}/{args.epochs}")
        images = mnist_data.shift_images(data.x_train, args.max_shift, rng)
        start = time.perf_counter()
        model.fit(images, data.y_train, batch_size=args.batch_size, epochs=1, shuffle=True,
                  verbose=2)
        epoch_seconds.append(time.perf_counter() - start)
    _, accuracy = model.evaluate(data.x_test, data.y_test, batch_size=1000, verbose=0)
    return epoch_seconds, accuracy


def measure_gui_speed(weights, folder):
    """Return (simulated s per wall-clock s, build time in s) of the GUI demo's network."""
    mnist_weights.save_weights(Path(folder) / mnist_weights.DEFAULT_FILENAME, weights)
    shutil.copy(REPO_ROOT / "05_mnist_gui.py", Path(folder) / "05_mnist_gui.py")
    spec = importlib.util.spec_from_file_location("mnist_gui", Path(folder) / "05_mnist_gui.py")
    gui = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gui)
    with gui.model:
        # What the page's plots record: two rasters, the class scores, the HTML node.
        nengo.Probe(gui.layer1.neurons)
        nengo.Probe(gui.layer2.neurons)
        nengo.Probe(gui.scores, synapse=0.03)

    start = time.perf_counter()
    with nengo.Simulator(gui.model, progress_bar=False) as sim:
        build_seconds = time.perf_counter() - start
        start = time.perf_counter()
        sim.run(GUI_SIM_TIME)
        run_seconds = time.perf_counter() - start
    return GUI_SIM_TIME / run_seconds, build_seconds


def plot_accuracy(times_ms, accuracies, rate_accuracy, path):
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.plot(times_ms, np.array(accuracies) * 100, "o-", label="spiking LIF")
    axes.axhline(rate_accuracy * 100, color="gray", linestyle="--", label="rate neurons")
    axes.axhline(98.0, color="tab:red", linewidth=0.8, label="98% target")
    axes.set_xlabel("presentation time per digit (ms)")
    axes.set_ylabel("test accuracy (%), 10,000 digits")
    axes.set_title("Spiking MNIST classifier: accuracy against presentation time")
    axes.grid(alpha=0.3)
    axes.legend(loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(exist_ok=True)
    figure.savefig(path, dpi=100)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    default_dir = os.environ.get("SNN_MNIST_DIR", str(REPO_ROOT.parent / "shared" / "data" / "mnist"))
    parser.add_argument("--data", default=default_dir,
                        help="folder of MNIST IDX files or an mnist.npz")
    bench_args = parser.parse_args()

    sys.argv = ["05_mnist_train.py", "--data", bench_args.data]
    args = train_script.parse_args()  # the training script's defaults
    tf.random.set_seed(args.seed)
    data = mnist_data.load_mnist(args.data)
    neuron_type = nengo.LIF(tau_rc=train_script.TAU_RC, tau_ref=train_script.TAU_REF,
                            amplitude=1.0 / args.max_rate)

    start = time.perf_counter()
    params, nengo_dl_epochs = train_script.train(args, data, neuron_type)
    nengo_dl_train_seconds = time.perf_counter() - start
    rate_accuracy = np.mean(
        mnist_network.predict_rates(params, data.x_test, neuron_type).argmax(1) == data.y_test
    )

    print(f"Spiking evaluation: {len(data.x_test)} digits, {max(PRESENTATION_TIMES_MS)} ms each")
    start = time.perf_counter()
    run = mnist_evaluation.run_spiking(
        params, neuron_type, data.x_test, max(PRESENTATION_TIMES_MS) / 1000, dt=args.dt,
        batch_size=train_script.EVAL_BATCH_SIZE, seed=args.seed,
    )
    spiking_seconds = time.perf_counter() - start
    accuracies = [run.accuracy(data.y_test, ms / 1000) for ms in PRESENTATION_TIMES_MS]
    plot_accuracy(PRESENTATION_TIMES_MS, accuracies, rate_accuracy, PLOT_PATH)

    keras_epochs, keras_accuracy = train_keras(args, data)

    weights = mnist_weights.MnistWeights(
        params=params, tau_rc=train_script.TAU_RC, tau_ref=train_script.TAU_REF,
        amplitude=neuron_type.amplitude, sample_images=data.x_test[:100],
        sample_labels=data.y_test[:100], train_accuracy=0.0, rate_accuracy=rate_accuracy,
        spiking_accuracy=run.accuracy(data.y_test, args.presentation_time),
        presentation_time=args.presentation_time, dt=args.dt,
    )
    with tempfile.TemporaryDirectory() as folder:
        realtime_factor, gui_build_seconds = measure_gui_speed(weights, folder)

    # Epoch 1 includes graph tracing, so the steady-state figure is the median of the rest.
    nengo_dl_epoch = float(np.median(nengo_dl_epochs[1:] or nengo_dl_epochs))
    keras_epoch = float(np.median(keras_epochs[1:] or keras_epochs))
    print()
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"Python {platform.python_version()}, TensorFlow {tf.__version__}")
    print(f"Training: {args.epochs} epochs, batch size {args.batch_size}, "
          f"{len(data.x_train)} digits")
    print(f"{'':34}{'NengoDL':>12}{'Keras':>12}")
    print(f"{'first epoch (s)':34}{nengo_dl_epochs[0]:>12.1f}{keras_epochs[0]:>12.1f}")
    print(f"{'median later epoch (s)':34}{nengo_dl_epoch:>12.1f}{keras_epoch:>12.1f}")
    print(f"{'total fit time (s)':34}{sum(nengo_dl_epochs):>12.1f}{sum(keras_epochs):>12.1f}")
    print(f"{'test accuracy, rate / ReLU':34}{rate_accuracy:>12.2%}{keras_accuracy:>12.2%}")
    print(f"NengoDL / Keras time per epoch: {nengo_dl_epoch / keras_epoch:.2f}x")
    print(f"NengoDL training including setup: {nengo_dl_train_seconds:.0f} s; spiking "
          f"evaluation of {max(PRESENTATION_TIMES_MS)} ms per digit: {spiking_seconds:.0f} s")
    print()
    print("presentation (ms)  spiking accuracy  spikes/neuron layer 1  layer 2")
    for ms, accuracy in zip(PRESENTATION_TIMES_MS, accuracies):
        spikes = run.spikes_per_neuron(ms / 1000)
        print(f"{ms:>17}  {accuracy:>16.2%}  {spikes[0]:>21.1f}  {spikes[1]:>7.1f}")
    print(f"Plot: {PLOT_PATH.relative_to(REPO_ROOT)}")
    print()
    print(f"GUI network in nengo.Simulator: {realtime_factor:.2f}x real time "
          f"({GUI_SIM_TIME:g} s simulated, build {gui_build_seconds:.1f} s)")


if __name__ == "__main__":
    main()
