"""LIF and SoftLIF tuning curves: why a spiking network is trained with a smoothed rate curve.

To train a network by gradient descent, each neuron needs the slope of its firing rate with
respect to its input current J. The steady-state rate of a LIF neuron is

    rate(J) = 1 / (tau_ref - tau_rc * ln(1 - 1/J))    for J > 1, else 0,

and its slope is a poor gradient. Below the threshold J = 1 the slope is exactly 0, so a silent
neuron passes no error back and never learns to fire. Just above J = 1 the slope is unbounded,
so a neuron near threshold can pass an enormous gradient back.

SoftLIF replaces j = J - 1 with the softplus sigma * log(1 + exp(j / sigma)). That rounds the
corner over a width of about sigma, so the slope is finite and smooth everywhere. As sigma shrinks
the SoftLIF curve approaches the LIF curve. A network trained with SoftLIF rates can then run
with spiking LIF neurons.

The HTML plot shows both tuning curves (left) and their slopes d(rate)/dJ (right). The rates
come from nengo.LIFRate and nengo_dl.SoftLIFRate, the neuron types used for training, and the
slopes from the analytic formulas in snn_demos/lif.py. The slope axis is clipped, because the
LIF slope has no upper bound at J = 1. The red marker sits at the current set by the
"input current J" slider, and the top line prints both rates and slopes there. The 01_ demos
show the spiking LIF neuron whose rate the LIF curve describes.

Try this:
- Drag "input current J" across 1. The LIF slope jumps from 0 to off the chart, while the
  SoftLIF slope rises smoothly.
- Move "SoftLIF sigma" from 1 down to 0.01. The SoftLIF curve closes in on the LIF curve, and
  its slope at J = 1 grows from about 22 to about 140 Hz per unit J. At sigma = 1 it fires
  about 33 Hz at J = 0, where a LIF neuron is silent: smoothing trades accuracy near the
  threshold for a usable gradient.

Source: E. Hunsberger and C. Eliasmith (2015), "Spiking deep networks with LIF neurons",
arXiv:1510.08829, which introduced SoftLIF. NengoDL implements it as nengo_dl.SoftLIFRate.
"""

import functools

import nengo
import numpy as np

import snn_demos.nengo_dl_compat  # noqa: F401  (before nengo_dl, so it imports on TF 2.21)
import nengo_dl
from snn_demos.lif import lif_rate_slope, softlif_rate_slope
from snn_demos.rate_curves_svg import RateCurves, rate_curves_svg

TAU_RC = 0.02  # s, membrane time constant (as in the 01_ LIF demos)
TAU_REF = 0.002  # s, refractory period

CURRENT_MIN, CURRENT_MAX = 0.0, 3.0  # input current J on the x axis (threshold at J = 1)
CURRENT_START = 1.5  # initial value of the "input current J" slider
CURRENT_STEP = 0.02  # spacing of the points on each curve
THRESHOLD_STEP = 0.002  # spacing within 0.05 of J = 1, where the curves bend fastest
SIGMA_MIN, SIGMA_MAX = 0.01, 1.0  # SoftLIF smoothing width, in units of J (the slider's range)
SIGMA_START = 0.2

RATE_AXIS_MAX = 120.0  # Hz; the LIF rate at J = 3 is 99 Hz
SLOPE_AXIS_MAX = 200.0  # Hz per unit J; SoftLIF peaks near 140 at sigma = 0.01, LIF is unbounded

CURRENTS = np.union1d(
    np.arange(CURRENT_MIN, CURRENT_MAX + CURRENT_STEP / 2, CURRENT_STEP),
    np.arange(0.95, 1.05 + THRESHOLD_STEP / 2, THRESHOLD_STEP),
)
lif = nengo.LIFRate(tau_rc=TAU_RC, tau_ref=TAU_REF)


def tuning_curves(currents, sigma):
    """Compute LIF and SoftLIF rates (Hz) and slopes (Hz per unit J) at input currents J."""
    currents = np.asarray(currents, dtype=float)
    softlif = nengo_dl.SoftLIFRate(sigma=sigma, tau_rc=TAU_RC, tau_ref=TAU_REF)

    # With gain 1 and bias 0 a neuron's input current J is x itself. nengo.LIFRate returns one
    # column per neuron, so [:, 0] takes the only one.
    return RateCurves(
        currents=currents,
        lif_rates=lif.rates(currents, gain=1, bias=0)[:, 0],
        lif_slopes=lif_rate_slope(currents, TAU_RC, TAU_REF),
        softlif_rates=softlif.rates(currents, gain=1, bias=0),
        softlif_slopes=softlif_rate_slope(currents, sigma, TAU_RC, TAU_REF),
    )


# The plot node runs every time step, so the SVG is redrawn only when a slider moves.
@functools.lru_cache(maxsize=1)
def draw_rate_curves(current, sigma):
    """Return the SVG of both tuning curves and slopes, marked at input current J."""
    return rate_curves_svg(
        tuning_curves(CURRENTS, sigma),
        tuning_curves([current], sigma),
        sigma,
        RATE_AXIS_MAX,
        SLOPE_AXIS_MAX,
    )


def show_rate_curves(t, x):
    current, sigma = x
    # A value typed into the slider can lie below its range, and SoftLIF needs sigma > 0.
    sigma = max(float(sigma), SIGMA_MIN)
    show_rate_curves._nengo_html_ = draw_rate_curves(float(current), sigma)


model = nengo.Network(label="LIF vs SoftLIF rate curves")
with model:
    current = nengo.Node(CURRENT_START, label="input current J")
    sigma = nengo.Node(SIGMA_START, label="SoftLIF sigma")

    rate_curves = nengo.Node(show_rate_curves, size_in=2, label="rate curves")
    nengo.Connection(current, rate_curves[0], synapse=None)
    nengo.Connection(sigma, rate_curves[1], synapse=None)
