"""Train a spiking MNIST classifier with NengoDL and save its weights for 05_mnist_gui.py.

The network is a multilayer perceptron whose hidden units are leaky integrate-and-fire (LIF)
neurons:

    784 pixels -> Dense(256) -> LIF -> Dense(128) -> LIF -> Dense(10) class scores

Spikes have no gradient, so training runs the network for one time step with each LIF neuron
replaced by its firing rate. NengoDL's ``lif_smoothing`` setting swaps in SoftLIF, a smoothed LIF
rate curve (Hunsberger and Eliasmith 2015, "Spiking deep networks with LIF neurons",
arXiv:1510.08829), so that the gradient is finite near the firing threshold. After training, the
same weights drive spiking LIF neurons: each test digit is shown for ``--presentation-time``
seconds and the class whose score averaged over that time is highest is the prediction.

The neurons fire fast (up to a few hundred Hz) and each spike is small (amplitude
1 / ``MAX_RATE``). So a hidden layer's spike count over a short presentation already tracks its
firing rate closely, and the spiking network comes close to the rate network's accuracy.

Try this:
- ``python 05_mnist_train.py --data DIR`` with DIR holding the four MNIST IDX files (without
  ``--data``, Keras downloads MNIST once into ~/.keras/datasets).
- ``--presentation-time 0.02`` to see accuracy drop when each digit shows for 20 ms only.
- ``--max-rate 50`` to see how fewer spikes per digit cost spiking accuracy.

Then run ``./run.sh 05_mnist_gui.py`` (or ``nengo 05_mnist_gui.py``) to watch the trained
network classify digits.
"""

import snn_demos.nengo_dl_compat  # noqa: F401  (must run before TensorFlow and NengoDL load)

import argparse
import math
import os
import time
import warnings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # Hide TensorFlow's start-up log lines.
# NengoDL 3.6.0 warns that it was tested with Nengo up to 3.2.0 only and that it found no GPU.
warnings.filterwarnings("ignore", message="This version of NengoDL has not been tested")
warnings.filterwarnings("ignore", message="No GPU support detected")

import nengo  # noqa: E402
import nengo_dl  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from snn_demos import mnist_data, mnist_evaluation, mnist_network, mnist_weights  # noqa: E402

SCRIPT_DIR = os.path.dirname(os.path.abspath(__file__))

# LIF neurons
TAU_RC = 0.02  # s, membrane time constant
TAU_REF = 0.002  # s, refractory period
MAX_RATE = 250.0  # Hz, each hidden neuron's initial firing rate at input current gain + 1
INTERCEPT = 0.0  # initial firing threshold of each neuron, in units of its input
LIF_SMOOTHING = 0.01  # SoftLIF smoothing of the rate curve near threshold, used in training

# Training
EPOCHS = 15
BATCH_SIZE = 100  # digits per gradient step
LEARNING_RATE = 1e-3  # Adam's initial step size, decayed to 0 along a cosine
MAX_SHIFT = 2  # pixels, random shift of each training digit in each epoch (data augmentation)

# Spiking evaluation
PRESENTATION_TIME = 0.1  # s, each test digit is shown this long
DT = 0.001  # s, simulation time step
EVAL_BATCH_SIZE = 250  # digits simulated at once in NengoDL
N_SAMPLE_DIGITS = 100  # test digits stored in the weights file for the GUI demo


def positive_int(text):
    """Parse an argparse option value that must be a whole number of 1 or more."""
    return _parse_number(text, int, minimum=1, expected="a whole number of 1 or more")


def non_negative_int(text):
    """Parse an argparse option value that must be a whole number of 0 or more."""
    return _parse_number(text, int, minimum=0, expected="a whole number of 0 or more")


def positive_float(text):
    """Parse an argparse option value that must be a finite number above 0."""
    return _parse_number(text, float, minimum=0, expected="a finite number above 0",
                         allow_minimum=False)


def non_negative_float(text):
    """Parse an argparse option value that must be a finite number of 0 or more."""
    return _parse_number(text, float, minimum=0, expected="a finite number of 0 or more")


def _parse_number(text, number_type, minimum, expected, allow_minimum=True):
    # argparse prefixes an ArgumentTypeError's message with the option's name.
    try:
        value = number_type(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid value {text!r}, expected {expected}") from None
    if not math.isfinite(value) or value < minimum or (value == minimum and not allow_minimum):
        raise argparse.ArgumentTypeError(f"invalid value {text!r}, expected {expected}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    parser.add_argument("--data", metavar="PATH",
                        help="folder of MNIST IDX files (gzip-compressed or not) or a "
                        "Keras-format mnist.npz; by default Keras downloads MNIST once")

    parser.add_argument("--output", metavar="FILE",
                        default=mnist_weights.default_path(SCRIPT_DIR),
                        help="weights file to write (.npz); its folder is created at start-up "
                        "if missing")

    parser.add_argument("--epochs", type=positive_int, default=EPOCHS,
                        help="passes over the 60,000 training digits")
    parser.add_argument("--batch-size", type=positive_int, default=BATCH_SIZE,
                        help="digits per gradient step, at most the number of training digits")
    parser.add_argument("--learning-rate", type=positive_float, default=LEARNING_RATE,
                        help="initial Adam learning rate, decayed to 0 along a cosine")
    parser.add_argument("--max-shift", type=non_negative_int, default=MAX_SHIFT,
                        help="maximum random shift of training digits, in pixels (0: none)")
    # SUPPRESS keeps "(default: True)" of the xla value out of this flag's help.
    parser.set_defaults(xla=True)
    parser.add_argument("--no-xla", dest="xla", action="store_false", default=argparse.SUPPRESS,
                        help="compile the training step without XLA, which is slower, "
                        "for a TensorFlow build whose XLA compilation fails")

    parser.add_argument("--max-rate", type=positive_float, default=MAX_RATE,
                        help="initial firing rate of hidden neurons at input 1, in Hz; the "
                        "spike amplitude is 1/max-rate s")
    parser.add_argument("--lif-smoothing", type=non_negative_float, default=LIF_SMOOTHING,
                        help="SoftLIF smoothing used for the gradient, in units of input "
                        "current (0: the plain LIF rate curve)")

    parser.add_argument("--presentation-time", type=positive_float, default=PRESENTATION_TIME,
                        help="time each test digit is shown to the spiking network, in s")
    parser.add_argument("--dt", type=positive_float, default=DT,
                        help="simulation time step of the spiking evaluation, in s")

    parser.add_argument("--train-limit", type=positive_int, metavar="N",
                        help="train on the first N training digits only (for quick checks)")
    parser.add_argument("--test-limit", type=positive_int, metavar="N",
                        help="evaluate on the first N test digits only (for quick checks)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed of weight initialization, shuffling and augmentation")
    return parser


def parse_args(parser, argv=None):
    """Parse and check ``argv`` (default: ``sys.argv``), including that --output is writable."""
    args = parser.parse_args(argv)
    if args.presentation_time < args.dt:
        parser.error("--presentation-time must be at least one time step (--dt)")
    # NOTE: nothing bounds --presentation-time / --dt. The spiking evaluation keeps 10 scores per
    # test digit and step, so a tiny --dt can exhaust memory after training.
    # Fail now rather than after training, when the weights are saved.
    try:
        mnist_weights.check_destination(args.output)
    except mnist_weights.WeightsFileError as error:
        parser.error(f"--output: {error}")
    return args


def select_data(parser, args, data):
    """Apply --train-limit and --test-limit to ``data``; check the training set's size."""
    if args.train_limit is not None:
        data = data._replace(x_train=data.x_train[:args.train_limit],
                             y_train=data.y_train[:args.train_limit])
    if args.test_limit is not None:
        data = data._replace(x_test=data.x_test[:args.test_limit],
                             y_test=data.y_test[:args.test_limit])
    # NengoDL rejects training data smaller than one minibatch. The spiking evaluation
    # shrinks its batch to the test set, so any test set of 1 digit or more works.
    n_train = len(data.x_train)
    if n_train < args.batch_size:
        if args.train_limit is not None:
            fix = f"Set --batch-size to at most {n_train}, or raise --train-limit."
        else:
            fix = f"Set --batch-size to at most {n_train} (--train-limit is not set)."
        parser.error(
            f"--batch-size {args.batch_size} is larger than the number of training digits "
            f"({n_train}). {fix}"
        )
    return data


def build_network(args, neuron_type):
    """Build the training network (a `TrainingNetwork`) with this script's NengoDL settings."""
    net = mnist_network.build_training_network(
        neuron_type, max_rate=args.max_rate, intercept=INTERCEPT, seed=args.seed
    )
    with net.network:
        # One time step per digit, without NengoDL's simulation loop: a rate network.
        nengo_dl.configure_settings(
            lif_smoothing=args.lif_smoothing or None, stateful=False, use_loop=False
        )
    return net


def build_simulator(args, n_train, net):
    """Build and compile the NengoDL training simulator of `build_network`'s ``net``.

    ``n_train`` (digits per epoch) sets the length of the learning rate's cosine decay. The
    caller closes the simulator, e.g. with ``with sim:``.
    """
    # NengoDL's fit truncates the data to whole minibatches, with a warning.
    steps_per_epoch = n_train // args.batch_size
    learning_rate = tf.keras.optimizers.schedules.CosineDecay(
        args.learning_rate, decay_steps=args.epochs * steps_per_epoch
    )
    sim = nengo_dl.Simulator(
        net.network, minibatch_size=args.batch_size, seed=args.seed, progress_bar=False
    )
    # XLA fuses the many small operations of the training step into a few kernels. That cut a
    # step from 2.2 to 1.3 ms on 2 CPU cores, as it did for the same network in plain Keras
    # (benchmarks/mnist_benchmark.py, figures in docs/benchmarks.md).
    sim.compile(
        optimizer=tf.keras.optimizers.Adam(learning_rate),
        loss={net.output_probe: tf.keras.losses.SparseCategoricalCrossentropy(
            from_logits=True)},
        metrics={net.output_probe: "accuracy"},
        jit_compile=args.xla,
    )
    return sim


def fit_epoch(sim, net, images, labels):
    """Train ``sim`` for one pass over (N, 784) ``images``; return its wall-clock time in s."""
    start = time.perf_counter()
    sim.fit(
        {net.input_node: images[:, None, :]},
        {net.output_probe: labels[:, None, None]},
        epochs=1,
        shuffle=True,
        # One line per epoch: a per-step progress bar (verbose=1) copies the loss and
        # metrics to NumPy after every step, which made epochs 10-20% slower on 2 CPU cores.
        verbose=2,
    )
    return time.perf_counter() - start


def train(args, data, neuron_type):
    """Train the network in NengoDL; return its exported weights and each epoch's fit time (s).

    The first epoch's time includes tracing the training step and compiling it with XLA.
    """
    net = build_network(args, neuron_type)
    sim = build_simulator(args, len(data.x_train), net)
    rng = np.random.default_rng(args.seed)
    epoch_seconds = []
    with sim:
        for epoch in range(args.epochs):
            print(f"Epoch {epoch + 1}/{args.epochs}")
            # Each epoch uses every training digit once, with a new random shift.
            images = mnist_data.shift_images(data.x_train, args.max_shift, rng)
            epoch_seconds.append(fit_epoch(sim, net, images, data.y_train))
        params = mnist_network.export_parameters(sim, net)
    return params, epoch_seconds


def main(argv=None):
    parser = build_parser()
    args = parse_args(parser, argv)
    tf.random.set_seed(args.seed)
    data = select_data(parser, args, mnist_data.load_mnist(args.data))
    print(f"MNIST: {len(data.x_train)} training and {len(data.x_test)} test digits")

    neuron_type = nengo.LIF(tau_rc=TAU_RC, tau_ref=TAU_REF, amplitude=1.0 / args.max_rate)
    start = time.perf_counter()
    params, _ = train(args, data, neuron_type)
    train_seconds = time.perf_counter() - start

    train_accuracy = np.mean(
        mnist_network.predict_rates(params, data.x_train, neuron_type).argmax(1)
        == data.y_train
    )
    rate_accuracy = np.mean(
        mnist_network.predict_rates(params, data.x_test, neuron_type).argmax(1) == data.y_test
    )

    print(f"Spiking evaluation: {len(data.x_test)} test digits, "
          f"{args.presentation_time * 1000:g} ms each")
    start = time.perf_counter()
    run = mnist_evaluation.run_spiking(
        params, neuron_type, data.x_test, args.presentation_time, dt=args.dt,
        batch_size=EVAL_BATCH_SIZE, seed=args.seed,
    )
    eval_seconds = time.perf_counter() - start
    spiking_accuracy = run.accuracy(data.y_test, args.presentation_time)

    sample = np.random.default_rng(args.seed).choice(
        len(data.x_test), size=min(N_SAMPLE_DIGITS, len(data.x_test)), replace=False
    )
    weights = mnist_weights.MnistWeights(
        params=params,
        tau_rc=TAU_RC,
        tau_ref=TAU_REF,
        amplitude=neuron_type.amplitude,
        sample_images=data.x_test[sample],
        sample_labels=data.y_test[sample],
        train_accuracy=train_accuracy,
        rate_accuracy=rate_accuracy,
        spiking_accuracy=spiking_accuracy,
        presentation_time=args.presentation_time,
        dt=args.dt,
    )
    mnist_weights.save_weights(args.output, weights)

    print_results(args, data, weights, run, train_seconds, eval_seconds)


def print_results(args, data, weights, run, train_seconds, eval_seconds):
    spikes = run.spikes_per_neuron(args.presentation_time)
    synaptic_operations = run.synaptic_operations(args.presentation_time)
    ms = args.presentation_time * 1000
    rows = [
        ("training accuracy (rate neurons)", f"{weights.train_accuracy:.2%}"),
        (f"test accuracy, rate neurons ({len(data.x_test)} digits)",
         f"{weights.rate_accuracy:.2%}"),
        (f"test accuracy, spiking LIF, {ms:g} ms per digit", f"{weights.spiking_accuracy:.2%}"),
        ("spikes per neuron per digit, layer 1", f"{spikes[0]:.1f}"),
        ("spikes per neuron per digit, layer 2", f"{spikes[1]:.1f}"),
        ("synaptic operations per digit (spikes x fan-out)", f"{synaptic_operations:,.0f}"),
        ("input current MACs per digit (pixels, once)",
         f"{mnist_evaluation.input_operations():,}"),
        ("ANN multiply-accumulates per digit", f"{mnist_network.multiply_accumulates():,}"),
        (f"training time ({args.epochs} epochs)", f"{train_seconds:.0f} s"),
        ("spiking evaluation time", f"{eval_seconds:.0f} s"),
    ]
    width = max(len(label) for label, _ in rows)
    print()
    for label, value in rows:
        print(f"{label:<{width}}  {value:>12}")
    print(
        f"\nSaved {args.output}. Run `./run.sh 05_mnist_gui.py` (or `nengo 05_mnist_gui.py`) "
        "to see it classify digits."
    )


if __name__ == "__main__":
    main()
