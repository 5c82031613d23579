"""A trained spiking network classifies handwritten digits (MNIST) as you watch.

``python 05_mnist_train.py`` trains the network in NengoDL and writes ``mnist_weights.npz``
beside this script. Here plain Nengo rebuilds it from that file with spiking leaky
integrate-and-fire (LIF) neurons:

    784 pixels -> 256 LIF neurons (layer1) -> 128 LIF neurons (layer2) -> 10 class scores

The ``digit`` node shows one of the test digits stored in the weights file each second, as
constant input currents to ``layer1``. The plots show:

- spike rasters of both hidden layers: the pattern of active neurons changes with each digit;
- the ten class scores, filtered by a 30 ms synapse in the plot (the network itself passes
  spikes on unfiltered);
- the digit, its true label, the predicted label (the class with the highest score averaged
  since the digit appeared) and a running count of correct predictions.

Try this:
- Watch the first tens of milliseconds after a digit changes: the prediction settles as spikes
  accumulate. The training script reports the accuracy after its presentation time.
- Right-click ``layer1`` and open a second raster with more neurons, or plot ``layer2``'s firing
  rates with a Value plot.
"""

import os
import warnings

import nengo
import numpy as np

from snn_demos import digit_html, mnist_network, mnist_weights

WEIGHTS_PATH = mnist_weights.default_path(os.path.dirname(os.path.abspath(__file__)))
PRESENTATION_TIME = 1.0  # s, each sample digit is shown this long

# Raises an error naming the file and the fix (run 05_mnist_train.py) when the file is missing,
# unreadable or of the wrong shapes; Nengo GUI shows it in its console.
weights = mnist_weights.load_weights(WEIGHTS_PATH)

# Nengo's build derives each neuron's max_rates (its rate at input 1) from gain and bias and
# warns where a neuron with gain 1 never fires at input 1. This network does not use max_rates.
warnings.filterwarnings("ignore", message="Non-finite values detected in `max_rates`")
warnings.filterwarnings("ignore", message="invalid value encountered", module="nengo.neurons")
lif = nengo.LIF(tau_rc=weights.tau_rc, tau_ref=weights.tau_ref, amplitude=weights.amplitude)
digit_uris = [digit_html.png_data_uri(image) for image in weights.sample_images]


def digit_index(t):
    """Return the index of the sample digit shown at time ``t`` (s)."""
    return int(t // PRESENTATION_TIME) % len(weights.sample_images)


def show_digit(t):
    return weights.sample_images[digit_index(t)]


class Scoreboard:
    """Node function: predicts each digit from its mean class scores and counts correct ones."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.last_t = 0.0
        self.index = 0
        self.presentation = 0
        self.score_sum = np.zeros(mnist_network.N_CLASSES)
        self.n_correct = 0
        self.n_done = 0

    def __call__(self, t, scores):
        if t < self.last_t:
            self.reset()  # The simulation restarted.
        self.last_t = t

        presentation = int(t // PRESENTATION_TIME)
        if presentation != self.presentation:
            # The previous digit's presentation ended: score its final prediction.
            self.n_done += 1
            self.n_correct += int(self.prediction() == weights.sample_labels[self.index])
            self.presentation = presentation
            self.score_sum[:] = 0
        self.index = digit_index(t)
        self.score_sum += scores

        self._nengo_html_ = digit_html.digit_html(
            digit_uris[self.index],
            weights.sample_labels[self.index],
            self.prediction(),
            self.n_correct,
            self.n_done,
        )

    def prediction(self):
        return int(np.argmax(self.score_sum))


model = nengo.Network(label="Spiking MNIST classifier", seed=0)
with model:
    digit = nengo.Node(show_digit, label="digit")

    # The trained layers: LIF ensembles with gain 1 and the trained biases, connected by the
    # trained weights, as described once in snn_demos/mnist_network.py.
    layers = mnist_network.build_spiking_layers(digit, weights.params, lif)
    layer1, layer2 = layers.ensembles
    scores = layers.scores
    score_bias = layers.score_bias

    prediction = nengo.Node(Scoreboard(), size_in=mnist_network.N_CLASSES, label="prediction")
    nengo.Connection(scores, prediction, synapse=None)
