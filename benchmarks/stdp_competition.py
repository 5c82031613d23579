"""Competition between inputs under STDP: the weight distribution becomes bimodal.

Song, Miller and Abbott (2000, Nature Neuroscience 3:919-926, Fig. 2) drove one integrate-and-fire
neuron with 1000 uncorrelated Poisson inputs through STDP synapses with A-/A+ slightly above 1
and hard bounds [0, w_max]. The weights split: most end near 0 or near w_max, and the output
rate settles at a level the inputs cannot push up.

This script runs a scaled version with snn_demos.stdp.STDP in nengo.Simulator and prints the
weight histogram at several times, as text. tests/test_stdp.py runs a short version (50 inputs,
100 s) and asserts the result.

Run from the repository root, for example:

    python benchmarks/stdp_competition.py
    python benchmarks/stdp_competition.py --inputs 200 --rate 20 --duration 600 --ratio 1.05
"""

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

import nengo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from snn_demos.stdp import STDP  # noqa: E402

HISTOGRAM_BINS = 10
BAR_WIDTH = 50  # characters for the fullest bin


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--inputs", type=int, default=100, help="number of Poisson inputs")
    parser.add_argument("--rate", type=float, default=20.0, help="input firing rate (Hz)")
    parser.add_argument(
        "--max-weight",
        type=float,
        default=0.003,
        help="upper weight bound w_max (charge per spike; threshold current is 1)",
    )
    parser.add_argument(
        "--a-plus", type=float, default=0.005, help="A+ as a fraction of w_max (Song et al.: 0.005)"
    )
    parser.add_argument(
        "--ratio", type=float, default=1.05, help="A- / A+ (Song et al.: 1.05)"
    )
    parser.add_argument("--duration", type=float, default=300.0, help="simulated time (s)")
    parser.add_argument("--snapshots", type=int, default=4, help="histograms to print")
    parser.add_argument("--seed", type=int, default=1, help="network seed")
    return parser.parse_args()


def build_network(args):
    a_plus = args.a_plus * args.max_weight
    with nengo.Network(seed=args.seed) as net:
        inputs = nengo.Ensemble(
            args.inputs,
            1,
            neuron_type=nengo.PoissonSpiking(nengo.RectifiedLinear()),
            gain=np.ones(args.inputs),
            bias=np.full(args.inputs, args.rate),
        )
        neuron = nengo.Ensemble(
            1,
            1,
            neuron_type=nengo.LIF(initial_state={"voltage": nengo.dists.Choice([0.0])}),
            gain=[1.0],
            bias=[0.0],
        )
        conn = nengo.Connection(
            inputs.neurons,
            neuron.neurons,
            transform=np.full((1, args.inputs), args.max_weight / 2),
            learning_rule_type=STDP(
                a_plus=a_plus, a_minus=args.ratio * a_plus, max_weight=args.max_weight
            ),
        )
        weights = nengo.Probe(conn, "weights", sample_every=args.duration / args.snapshots)
        spikes = nengo.Probe(neuron.neurons)
    return net, weights, spikes


def print_histogram(relative_weights):
    counts, edges = np.histogram(relative_weights, bins=HISTOGRAM_BINS, range=(0, 1))
    scale = BAR_WIDTH / max(counts.max(), 1)
    for count, low, high in zip(counts, edges[:-1], edges[1:]):
        print(f"  {low:.1f}-{high:.1f} {count:5d} {'#' * int(round(count * scale))}")


def main():
    args = parse_args()
    net, weights_probe, spikes_probe = build_network(args)
    start = time.perf_counter()
    with warnings.catch_warnings():
        # With gain 1 and bias 0 the LIF neuron's maximum rate is 0, and numpy warns when
        # Nengo computes it during the build.
        warnings.filterwarnings("ignore", message="divide by zero encountered in log1p")
        sim = nengo.Simulator(net, progress_bar=False)
    with sim:
        sim.run(args.duration)
    wall_time = time.perf_counter() - start

    print(
        f"{args.inputs} Poisson inputs at {args.rate:g} Hz, w_max {args.max_weight:g}, "
        f"A+ {args.a_plus:g} w_max, A-/A+ {args.ratio:g}, seed {args.seed}"
    )
    spikes = sim.data[spikes_probe][:, 0] > 0
    steps_per_snapshot = len(spikes) // args.snapshots
    for k, weights in enumerate(sim.data[weights_probe]):
        relative = weights[0] / args.max_weight
        window = spikes[k * steps_per_snapshot : (k + 1) * steps_per_snapshot]
        rate = window.sum() / (len(window) * sim.dt)
        near_bounds = np.mean((relative < 0.1) | (relative > 0.9))
        print(
            f"\nt = {(k + 1) * args.duration / args.snapshots:g} s: output rate {rate:.1f} Hz, "
            f"{100 * near_bounds:.0f}% of weights within 10% of a bound "
            f"({np.mean(relative < 0.1):.0%} near 0, {np.mean(relative > 0.9):.0%} near w_max)"
        )
        print_histogram(relative)
    print(f"\nsimulated {args.duration:g} s in {wall_time:.0f} s of wall time")


if __name__ == "__main__":
    main()
