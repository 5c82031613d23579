"""Analytic firing rates of LIF and SoftLIF neurons, and their slopes, in NumPy.

Every function takes the dimensionless input current J: the membrane voltage is normalised so
that the firing threshold is 1, and a neuron with gain 1 and bias 0 receives J = x. Rates are
in Hz (spikes per second) times ``amplitude``, and slopes d(rate)/dJ are in Hz per unit of J.

A LIF neuron driven by a constant current J > 1 charges from 0 to the threshold in
``-tau_rc * ln(1 - 1/J)`` seconds and then stays silent for ``tau_ref`` seconds, so it fires at::

    rate(J) = amplitude / (tau_ref - tau_rc * ln(1 - 1/J))    for J > 1, else 0.

The code uses the equivalent ``ln(1 - 1/J) = -log1p(1 / (J - 1))``, as ``nengo.LIFRate`` does,
which stays accurate both just above the threshold and for large J.

SoftLIF (Hunsberger and Eliasmith 2015, "Spiking deep networks with LIF neurons",
arXiv:1510.08829) replaces ``j = J - 1`` with the softplus ``sigma * log(1 + exp(j / sigma))``,
which rounds the corner of the LIF curve at J = 1 over a width of about ``sigma``. The functions
here follow ``nengo_dl.SoftLIFRate`` (NengoDL 3.6.0) branch for branch, so they agree with it to
rounding error.

NaN currents give NaN rates and slopes. ``nengo.LIFRate`` returns 0 for them instead.
"""

import numpy as np

# Branch points of nengo_dl.SoftLIFRate between the exact softplus and its asymptotes. Above
# j / sigma = 30 the softplus equals j to double precision. At or below -20, z = sigma *
# exp(j / sigma) is under 2.1e-9 * sigma, so log(1 + 1/z) is replaced by -log(z).
_SOFTPLUS_LINEAR_ABOVE = 30.0
_SOFTPLUS_EXPONENTIAL_BELOW = -20.0


def _check_parameters(tau_rc, tau_ref, amplitude, sigma=None):
    if not tau_rc > 0:
        raise ValueError("tau_rc must be > 0 s, got %r" % (tau_rc,))
    if not tau_ref >= 0:
        raise ValueError("tau_ref must be >= 0 s, got %r" % (tau_ref,))
    if not amplitude > 0:
        raise ValueError("amplitude must be > 0, got %r" % (amplitude,))
    if sigma is not None and not sigma > 0:
        raise ValueError("sigma must be > 0, got %r" % (sigma,))


def _as_result(values, like):
    """Return a NumPy float for a scalar input and an array otherwise."""
    return values[()] if np.ndim(like) == 0 else values


def lif_rate(current, tau_rc, tau_ref, amplitude=1.0):
    """Compute the steady-state firing rate of a LIF neuron.

    Parameters
    ----------
    current : float or array_like
        Input current J (dimensionless, firing threshold at 1).
    tau_rc : float
        Membrane time constant in seconds.
    tau_ref : float
        Refractory period in seconds.
    amplitude : float
        Scale of the output, as in ``nengo.LIFRate``.

    Returns
    -------
    float or ndarray
        ``amplitude / (tau_ref - tau_rc * ln(1 - 1/J))`` in Hz for J > 1, and 0 for J <= 1.
        Equals ``nengo.LIFRate(tau_rc, tau_ref, amplitude).rates(J, gain=1, bias=0)``.
    """
    _check_parameters(tau_rc, tau_ref, amplitude)
    current = np.asarray(current, dtype=float)
    j = current - 1.0
    rates = np.where(np.isnan(current), np.nan, 0.0)
    above = j > 0
    rates[above] = amplitude / (tau_ref + tau_rc * np.log1p(1.0 / j[above]))
    return _as_result(rates, current)


def lif_rate_slope(current, tau_rc, tau_ref, amplitude=1.0):
    """Compute d(rate)/dJ of a LIF neuron, the slope of ``lif_rate``.

    For J > 1 the slope is ``rate**2 * tau_rc / (amplitude * J * (J - 1))`` in Hz per unit of J.
    It is 0 for J < 1 and grows without bound as J approaches 1 from above, roughly like
    ``1 / ((J - 1) * ln(J - 1)**2)``. At the smallest double above 1, J - 1 = 2.2e-16, it is
    still finite (about 1.7e14 Hz for tau_rc = 0.02 s and tau_ref = 0.002 s).

    At J = 1 exactly the derivative does not exist: the slope from the left is 0 and from the
    right is +inf. This returns +inf there, so that code and plots see the corner rather than
    a zero that hides it.

    Parameters are those of ``lif_rate``.
    """
    _check_parameters(tau_rc, tau_ref, amplitude)
    current = np.asarray(current, dtype=float)
    j = current - 1.0
    slopes = np.where(np.isnan(current), np.nan, 0.0)
    slopes[j == 0] = np.inf

    above = j > 0
    j_above = j[above]
    rates = amplitude / (tau_ref + tau_rc * np.log1p(1.0 / j_above))
    slopes[above] = rates**2 * tau_rc / (amplitude * (j_above + 1.0) * j_above)
    return _as_result(slopes, current)


def _softplus_and_sigmoid(js):
    """Return log(1 + exp(js)) and 1 / (1 + exp(-js)) without overflow."""
    with np.errstate(over="ignore", invalid="ignore"):
        softplus = np.logaddexp(0.0, js)
        exp_minus_abs = np.exp(-np.abs(js))
        sigmoid = np.where(js >= 0, 1.0, exp_minus_abs) / (1.0 + exp_minus_abs)
    return softplus, sigmoid


def softlif_rate(current, sigma, tau_rc, tau_ref, amplitude=1.0):
    """Compute the SoftLIF rate: the LIF rate with the corner at J = 1 smoothed by ``sigma``.

    With ``j = J - 1`` and ``z = sigma * log(1 + exp(j / sigma))``, the rate is
    ``amplitude / (tau_ref + tau_rc * log(1 + 1/z))`` in Hz. It is positive for every J, tends to
    ``lif_rate`` as sigma -> 0, and equals ``nengo_dl.SoftLIFRate(sigma, tau_rc=tau_rc,
    tau_ref=tau_ref, amplitude=amplitude).rates(J, gain=1, bias=0)``.

    Parameters
    ----------
    current : float or array_like
        Input current J (dimensionless, firing threshold at 1).
    sigma : float
        Smoothing width in units of J, > 0. Larger values round the corner more.
    tau_rc, tau_ref, amplitude : float
        As in ``lif_rate``: time constants in seconds and the output scale.
    """
    _check_parameters(tau_rc, tau_ref, amplitude, sigma)
    current = np.asarray(current, dtype=float)
    js = (current - 1.0) / sigma

    softplus, _ = _softplus_and_sigmoid(js)
    z = np.where(js > _SOFTPLUS_LINEAR_ABOVE, js, softplus) * sigma
    with np.errstate(divide="ignore", over="ignore"):
        # For js <= -20, 1/z can overflow, so the far tail uses the asymptote instead.
        q = np.where(js > _SOFTPLUS_EXPONENTIAL_BELOW, np.log1p(1.0 / z), -js - np.log(sigma))
    rates = amplitude / (tau_ref + tau_rc * q)
    return _as_result(rates, current)


def softlif_rate_slope(current, sigma, tau_rc, tau_ref, amplitude=1.0):
    """Compute d(rate)/dJ of a SoftLIF neuron, the slope of ``softlif_rate``.

    With ``z`` as in ``softlif_rate`` and ``s = 1 / (1 + exp(-(J - 1) / sigma))`` the slope of
    the softplus, the slope is ``rate**2 * tau_rc * s / (amplitude * z * (1 + z))`` in Hz per
    unit of J. It is finite and smooth for every J: at J = 1, for example, z = sigma * ln 2 and
    s = 1/2. For (J - 1) / sigma <= -20 it is the slope of the asymptote that
    ``softlif_rate`` uses there, ``rate**2 * tau_rc / (amplitude * sigma)``.

    Parameters are those of ``softlif_rate``.
    """
    _check_parameters(tau_rc, tau_ref, amplitude, sigma)
    current = np.asarray(current, dtype=float)
    js = (current - 1.0) / sigma
    rates = softlif_rate(current, sigma, tau_rc, tau_ref, amplitude)

    softplus, sigmoid = _softplus_and_sigmoid(js)
    linear = js > _SOFTPLUS_LINEAR_ABOVE
    z = np.where(linear, js, softplus) * sigma
    dz_dj = np.where(linear, 1.0, sigmoid)
    exponential = js <= _SOFTPLUS_EXPONENTIAL_BELOW
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        # dq/dJ = -dz/dJ / (z * (1 + z)) for q = log(1 + 1/z), and -1/sigma for q = -js - ln(sigma).
        dq_dj = np.where(exponential, -1.0 / sigma, -dz_dj / (z * (1.0 + z)))
    slopes = -(rates**2) * tau_rc * dq_dj / amplitude
    return _as_result(slopes, current)
