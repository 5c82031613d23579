"""Spiking evaluation of the exported MNIST network in NengoDL, and its cost per digit.

`run_spiking` simulates the plain Nengo network of `snn_demos.mnist_network.build_spiking_layers`
(the one the GUI demo runs) in NengoDL, many digits at once, each digit shown for ``n_steps``
time steps from the neurons' initial state. A digit's prediction after ``T`` seconds is the
argmax of the class scores averaged over the first ``T / dt`` steps.

Import this module only where NengoDL is wanted: it imports TensorFlow.
"""

import warnings
from typing import NamedTuple

import snn_demos.nengo_dl_compat  # noqa: F401  (must run before TensorFlow and NengoDL load)

import nengo
import nengo_dl
import numpy as np
import tensorflow as tf

from snn_demos.mnist_network import HIDDEN_SIZES, LAYER_SIZES, build_spiking_layers


class SpikingRun(NamedTuple):
    """Per-step results of a spiking run on N digits."""

    scores: np.ndarray  # (N, n_steps, 10) class scores at each step
    spikes: list  # per hidden layer, (N, n_steps) spikes of all its neurons at each step
    dt: float  # s

    def accuracy(self, labels, presentation_time):
        """Return the fraction of digits classified correctly after ``presentation_time`` s."""
        return float(np.mean(self.predictions(presentation_time) == labels))

    def predictions(self, presentation_time):
        """Return each digit's class with the highest mean score over ``presentation_time`` s."""
        steps = self.steps_for(presentation_time)
        return self.scores[:, :steps].mean(axis=1).argmax(axis=1)

    def spikes_per_neuron(self, presentation_time):
        """Return each hidden layer's mean spikes per neuron per digit."""
        steps = self.steps_for(presentation_time)
        return [
            float(layer_spikes[:, :steps].sum(axis=1).mean() / size)
            for layer_spikes, size in zip(self.spikes, HIDDEN_SIZES)
        ]

    def synaptic_operations(self, presentation_time):
        """Return the mean synaptic operations per digit: each spike reaches every next neuron.

        The input layer is not counted here: its pixel currents are constant while a digit is
        shown, so they cost one dense 784 x 256 product per digit (see `input_operations`).
        """
        fan_outs = LAYER_SIZES[2:]
        return sum(
            spikes * size * fan_out
            for spikes, size, fan_out in zip(
                self.spikes_per_neuron(presentation_time), HIDDEN_SIZES, fan_outs
            )
        )

    def steps_for(self, presentation_time):
        steps = int(round(presentation_time / self.dt))
        if not 1 <= steps <= self.scores.shape[1]:
            raise ValueError(
                f"presentation_time {presentation_time} s is outside the simulated "
                f"{self.scores.shape[1] * self.dt} s"
            )
        return steps


def input_operations():
    """Return the multiply-accumulates that turn one digit's pixels into input currents."""
    return LAYER_SIZES[0] * LAYER_SIZES[1]


def run_spiking(params, neuron_type, images, presentation_time, dt=0.001, batch_size=250,
                seed=0, progress_bar=True):
    """Simulate the spiking network on ``images`` for ``presentation_time`` s each.

    ``params`` maps ``W<i>``/``b<i>`` to exported arrays. Digits run ``batch_size`` at a time
    in one NengoDL simulator. Returns a `SpikingRun`.
    """
    n_steps = int(round(presentation_time / dt))
    if n_steps < 1:
        raise ValueError(
            f"presentation_time {presentation_time} s is shorter than one time step "
            f"(dt {dt} s); pass a presentation_time of at least dt"
        )
    images = np.asarray(images, dtype=np.float32)
    if len(images) == 0:
        raise ValueError("images is empty; pass at least 1 digit to evaluate")
    # NengoDL's minibatch must not exceed the data, so a small test set gets a smaller batch.
    batch_size = min(batch_size, len(images))

    with nengo.Network(seed=seed) as network:
        # Each batch starts from the initial neuron state, not where the last batch ended.
        nengo_dl.configure_settings(stateful=False)
        digit = nengo.Node(np.zeros(LAYER_SIZES[0]), label="digit")
        ensembles, scores, _ = build_spiking_layers(digit, params, neuron_type)
        score_probe = nengo.Probe(scores)
        spike_probes = [nengo.Probe(ensemble.neurons) for ensemble in ensembles]

    all_scores = np.zeros((len(images), n_steps, LAYER_SIZES[-1]), dtype=np.float32)
    all_spikes = [np.zeros((len(images), n_steps), dtype=np.float32) for _ in ensembles]
    # A probe on LIF neurons records amplitude / dt at each spike.
    spikes_per_output = dt / neuron_type.amplitude

    progress = tf.keras.utils.Progbar(len(images), unit_name="digit") if progress_bar else None
    with warnings.catch_warnings():
        # Nengo derives max_rates (the rate at input 1) from gain 1 and each bias. It warns
        # where that rate is undefined, but this network does not use max_rates.
        warnings.filterwarnings("ignore", message="Non-finite values detected in `max_rates`")
        warnings.filterwarnings("ignore", message="invalid value encountered",
                                module="nengo.neurons")
        sim = nengo_dl.Simulator(network, dt=dt, minibatch_size=batch_size, progress_bar=False)
    with sim:
        for start in range(0, len(images), batch_size):
            batch = images[start:start + batch_size]
            n_valid = len(batch)
            if n_valid < batch_size:
                # NengoDL runs whole minibatches: pad the last one with blank digits.
                batch = np.concatenate(
                    [batch, np.zeros((batch_size - n_valid, batch.shape[1]), np.float32)]
                )
            inputs = np.broadcast_to(batch[:, None, :], (batch_size, n_steps, batch.shape[1]))
            outputs = sim.predict_on_batch({digit: np.ascontiguousarray(inputs)})

            stop = start + n_valid
            all_scores[start:stop] = outputs[score_probe][:n_valid]
            for layer_spikes, probe in zip(all_spikes, spike_probes):
                layer_spikes[start:stop] = (
                    outputs[probe][:n_valid].sum(axis=2) * spikes_per_output
                )
            if progress is not None:
                progress.add(n_valid)

    return SpikingRun(all_scores, all_spikes, dt)
