"""Benchmark the spiking MNIST classifier: training speed, accuracy, and GUI simulation speed.

Runs the default training of 05_mnist_train.py and prints, in one run:

1. NengoDL's training time per epoch next to plain Keras's, and all three networks' test
   accuracies. The Keras networks are tf.keras with the same layer sizes, batch size, optimizer,
   schedule and XLA setting. One has SoftLIF rates of the same neurons in place of LIF, the
   activation that NengoDL trains, and the other has ReLU. The three train one epoch each in
   turn, on the same shifted digits;
2. a profile of one training step on a fixed batch, outside Keras's fit loop: the step's
   TensorFlow operations and its time with and without XLA, for NengoDL with trainable and with
   fixed ensemble biases and for both Keras networks;
3. the spiking network's test accuracy on all 10,000 test digits against presentation time
   (10 to 200 ms), also saved as a plot in docs/mnist_spiking_accuracy.png;
4. how fast the GUI demo's network runs in nengo.Simulator, with probes like the GUI's plots,
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
import nengo_dl  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from snn_demos import mnist_data, mnist_evaluation, mnist_network, mnist_weights  # noqa: E402

PRESENTATION_TIMES_MS = (10, 20, 30, 50, 75, 100, 150, 200)
GUI_SIM_TIME = 5.0  # s of simulated time for the real-time measurement
PLOT_PATH = REPO_ROOT / "docs" / "mnist_spiking_accuracy.png"
PROFILE_STEPS = 100  # training steps per timed repeat in the step profile
PROFILE_REPEATS = 5  # interleaved repeats per network and XLA setting, reported as the median


class SoftLIFRates(tf.keras.layers.Layer):
    """SoftLIF firing rates of LIF neurons with fixed gains and biases, for the Keras baseline.

    Computes what NengoDL 3.6.0 computes for a LIF ensemble during training with
    ``lif_smoothing`` set (``SoftLIFRateBuilder.step`` in nengo_dl/neuron_builders.py, which
    ``LIFBuilder.training_step`` calls): the rate of input current ``gain * x + bias``.
    """

    def __init__(self, neuron_type, gains, biases, sigma, **kwargs):
        super().__init__(**kwargs)
        self.gains = tf.constant(gains, dtype=tf.float32)
        self.biases = tf.constant(biases, dtype=tf.float32)
        self.sigma = float(sigma)
        self.tau_rc = float(neuron_type.tau_rc)
        self.tau_ref = float(neuron_type.tau_ref)
        self.amplitude = float(neuron_type.amplitude)

    def call(self, inputs):
        # Current above the firing threshold of 1, in units of the smoothing sigma.
        js = (inputs * self.gains + self.biases - 1.0) / self.sigma
        valid = js > -20
        smoothed = tf.nn.softplus(tf.where(valid, js, tf.zeros_like(js))) * self.sigma
        # Far below threshold, log1p(1 / smoothed) equals -js - log(sigma) to float precision.
        q = tf.where(valid, tf.math.log1p(tf.math.reciprocal(smoothed)),
                     -js - float(np.log(self.sigma)))
        return self.amplitude / (self.tau_ref + self.tau_rc * q)


def build_keras_model(args, n_train, activation_layers):
    """Build and compile tf.keras's version of the network with the training script's options.

    ``activation_layers`` returns a new activation layer for a hidden layer's size.
    """
    inputs = tf.keras.Input(shape=(mnist_network.N_INPUTS,))
    x = inputs
    for i, size in enumerate(mnist_network.HIDDEN_SIZES):
        x = tf.keras.layers.Dense(
            size, kernel_initializer=tf.keras.initializers.GlorotUniform(seed=args.seed + i)
        )(x)
        x = activation_layers(size)(x)
    outputs = tf.keras.layers.Dense(
        mnist_network.N_CLASSES,
        kernel_initializer=tf.keras.initializers.GlorotUniform(seed=args.seed + 2),
    )(x)
    model = tf.keras.Model(inputs, outputs)

    steps_per_epoch = int(np.ceil(n_train / args.batch_size))
    learning_rate = tf.keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=args.epochs * steps_per_epoch
    )
    model.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
        jit_compile=args.xla,
    )
    return model


def build_keras_models(args, n_train, neuron_type):
    """Return {name: compiled model} of the SoftLIF and the ReLU Keras baselines."""

    def softlif_layers(size):
        # The same initial gains and biases as NengoDL's LIF ensembles, from the same config.
        gains, biases = neuron_type.gain_bias(
            max_rates=np.full(size, args.max_rate),
            intercepts=np.full(size, train_script.INTERCEPT),
        )
        return SoftLIFRates(neuron_type, gains, biases, args.lif_smoothing)

    return {
        "Keras SoftLIF": build_keras_model(args, n_train, softlif_layers),
        "Keras ReLU": build_keras_model(
            args, n_train, lambda size: tf.keras.layers.Activation("relu")
        ),
    }


def train_interleaved(args, data, neuron_type):
    """Train NengoDL and both Keras baselines one epoch each in turn, on the same digits.

    Returns (NengoDL's exported weights, {name: epoch times in s}, {Keras name: test accuracy}).
    """
    net = train_script.build_network(args, neuron_type)
    sim = train_script.build_simulator(args, len(data.x_train), net)
    keras_models = build_keras_models(args, len(data.x_train), neuron_type)
    epoch_seconds = {name: [] for name in ["NengoDL", *keras_models]}
    rng = np.random.default_rng(args.seed)
    with sim:
        for epoch in range(args.epochs):
            print(f"Epoch {epoch + 1}/{args.epochs}")
            # The same random shifts as the training script's, for all three networks.
            images = mnist_data.shift_images(data.x_train, args.max_shift, rng)
            epoch_seconds["NengoDL"].append(
                train_script.fit_epoch(sim, net, images, data.y_train)
            )
            for name, model in keras_models.items():
                start = time.perf_counter()
                model.fit(images, data.y_train, batch_size=args.batch_size, epochs=1,
                          shuffle=True, verbose=2)
                epoch_seconds[name].append(time.perf_counter() - start)
        params = mnist_network.export_parameters(sim, net)

    keras_accuracies = {
        name: model.evaluate(data.x_test, data.y_test, batch_size=1000, verbose=0)[1]
        for name, model in keras_models.items()
    }
    return params, epoch_seconds, keras_accuracies


def compile_train_step(model, x, y, xla):
    """Return a tf.function that runs one Keras training step of ``model`` on ``(x, y)``."""

    def train_step():
        return model.train_step((x, y))

    return tf.function(train_step, jit_compile=xla)


def profile_train_steps(args, data, neuron_type):
    """Time one training step on a fixed batch, without Keras's fit loop and data pipeline.

    Builds fresh networks, so the trained one is left alone. Returns {name: (TensorFlow
    operations in the traced step, median ms per step without XLA, median ms with XLA)}.
    """
    images = data.x_train[:args.batch_size]
    labels = data.y_train[:args.batch_size]
    batches = {}

    simulators = []
    for name, trainable in (("NengoDL, trainable ensemble biases", True),
                            ("NengoDL, fixed ensemble biases", False)):
        net = train_script.build_network(args, neuron_type)
        with net.network:
            net.network.config[nengo.Ensemble].trainable = trainable
        sim = train_script.build_simulator(args, len(data.x_train), net)
        simulators.append(sim)
        x = {sim.get_name(net.input_node): images[:, None, :],
             "n_steps": np.ones((args.batch_size, 1), dtype=np.int32)}
        y = {sim.get_name(net.output_probe): labels[:, None, None]}
        batches[name] = (sim.keras_model, x, y)
    for name, model in build_keras_models(args, len(data.x_train), neuron_type).items():
        batches[name] = (model, images, labels)

    steps = {}
    operations = {}
    for name, (model, x, y) in batches.items():
        x = tf.nest.map_structure(tf.constant, x)
        y = tf.nest.map_structure(tf.constant, y)
        for xla in (False, True):
            step = compile_train_step(model, x, y, xla)
            step()  # trace the step, and compile it where XLA is on
            steps[name, xla] = step
        operations[name] = len(
            steps[name, False].get_concrete_function().graph.get_operations()
        )

    milliseconds = {key: [] for key in steps}
    for _ in range(PROFILE_REPEATS):
        for key, step in steps.items():
            start = time.perf_counter()
            for _ in range(PROFILE_STEPS):
                logs = step()
            tf.nest.map_structure(lambda value: value.numpy(), logs)  # wait for the last step
            milliseconds[key].append((time.perf_counter() - start) * 1000 / PROFILE_STEPS)
    for sim in simulators:
        sim.close()

    return {
        name: (operations[name], float(np.median(milliseconds[name, False])),
               float(np.median(milliseconds[name, True])))
        for name in batches
    }


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
    params, epoch_seconds, keras_accuracies = train_interleaved(args, data, neuron_type)
    training_seconds = time.perf_counter() - start
    rate_accuracy = np.mean(
        mnist_network.predict_rates(params, data.x_test, neuron_type).argmax(1) == data.y_test
    )

    print("Profiling one training step")
    step_profile = profile_train_steps(args, data, neuron_type)

    print(f"Spiking evaluation: {len(data.x_test)} digits, {max(PRESENTATION_TIMES_MS)} ms each")
    start = time.perf_counter()
    run = mnist_evaluation.run_spiking(
        params, neuron_type, data.x_test, max(PRESENTATION_TIMES_MS) / 1000, dt=args.dt,
        batch_size=train_script.EVAL_BATCH_SIZE, seed=args.seed,
    )
    spiking_seconds = time.perf_counter() - start
    accuracies = [run.accuracy(data.y_test, ms / 1000) for ms in PRESENTATION_TIMES_MS]
    plot_accuracy(PRESENTATION_TIMES_MS, accuracies, rate_accuracy, PLOT_PATH)

    weights = mnist_weights.MnistWeights(
        params=params, tau_rc=train_script.TAU_RC, tau_ref=train_script.TAU_REF,
        amplitude=neuron_type.amplitude, sample_images=data.x_test[:100],
        sample_labels=data.y_test[:100], train_accuracy=0.0, rate_accuracy=rate_accuracy,
        spiking_accuracy=run.accuracy(data.y_test, args.presentation_time),
        presentation_time=args.presentation_time, dt=args.dt,
    )
    with tempfile.TemporaryDirectory() as folder:
        realtime_factor, gui_build_seconds = measure_gui_speed(weights, folder)

    # Epoch 1 includes tracing and XLA compilation, so the steady-state figure is the median
    # of the rest.
    names = list(epoch_seconds)
    median_epoch = {name: float(np.median(times[1:] or times))
                    for name, times in epoch_seconds.items()}
    accuracies_by_name = {"NengoDL": rate_accuracy, **keras_accuracies}
    print()
    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {' '.join(f'{load:.2f}' for load in os.getloadavg())}, "
          f"Python {platform.python_version()}, TensorFlow {tf.__version__}, "
          f"NengoDL {nengo_dl.__version__}, Nengo {nengo.__version__}, NumPy {np.__version__}")
    print(f"Training: {args.epochs} epochs, batch size {args.batch_size}, "
          f"{len(data.x_train)} digits, XLA {'on' if args.xla else 'off'}")
    print(f"{'':34}" + "".join(f"{name:>15}" for name in names))
    rows = [
        ("first epoch (s)", [f"{epoch_seconds[name][0]:.2f}" for name in names]),
        ("median later epoch (s)", [f"{median_epoch[name]:.2f}" for name in names]),
        ("total fit time (s)", [f"{sum(epoch_seconds[name]):.1f}" for name in names]),
        ("test accuracy (rate neurons)", [f"{accuracies_by_name[name]:.2%}" for name in names]),
    ]
    for label, values in rows:
        print(f"{label:34}" + "".join(f"{value:>15}" for value in values))
    for name in names[1:]:
        print(f"NengoDL / {name} time per epoch: "
              f"{median_epoch['NengoDL'] / median_epoch[name]:.2f}x")
    print(f"NengoDL training and Keras baselines including setup: {training_seconds:.0f} s; "
          f"spiking evaluation of {max(PRESENTATION_TIMES_MS)} ms per digit: "
          f"{spiking_seconds:.0f} s")

    print()
    print(f"One training step on a fixed batch of {args.batch_size} "
          f"(median of {PROFILE_REPEATS} x {PROFILE_STEPS} steps):")
    print(f"{'':38}{'TF ops':>8}{'no XLA (ms)':>13}{'XLA (ms)':>10}")
    for name, (operations, no_xla_ms, xla_ms) in step_profile.items():
        print(f"{name:38}{operations:>8}{no_xla_ms:>13.2f}{xla_ms:>10.2f}")
    steps_per_epoch = int(np.ceil(len(data.x_train) / args.batch_size))
    for name in names:
        print(f"{name}: median later epoch / {steps_per_epoch} steps = "
              f"{median_epoch[name] * 1000 / steps_per_epoch:.2f} ms per step in fit")
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
