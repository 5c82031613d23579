"""SVG markup of LIF and SoftLIF tuning curves and their slopes, for a Nengo GUI HTML node.

Nengo GUI shows the string in a node function's ``_nengo_html_`` attribute in an HTML plot, and
sends it to the browser at every time step. The markup is therefore kept small (about 14 kB): one
polyline per curve, with coordinates rounded to 0.1 units of the 900 x 390 viewBox.
"""

from typing import NamedTuple

import numpy as np

LIF_COLOR = "#1f3a93"
SOFTLIF_COLOR = "#e67e22"
THRESHOLD_CURRENT = 1.0  # input current J at which a LIF neuron starts to fire

WIDTH, HEIGHT = 900, 390  # viewBox units; the SVG scales to the plot's size
TOP, BOTTOM = 80, 335  # y of the top and bottom of both panels' plot areas
RATE_PANEL_LEFT, RATE_PANEL_RIGHT = 70, 420
SLOPE_PANEL_LEFT, SLOPE_PANEL_RIGHT = 530, 880
N_TICKS = 7  # x ticks; each y axis gets 5


class RateCurves(NamedTuple):
    """Firing rates (Hz) and slopes d(rate)/dJ (Hz per unit J) at each input current J."""

    currents: np.ndarray
    lif_rates: np.ndarray
    lif_slopes: np.ndarray
    softlif_rates: np.ndarray
    softlif_slopes: np.ndarray


class _Panel(NamedTuple):
    left: float
    right: float
    x_min: float
    x_max: float
    y_max: float

    def x(self, current):
        fraction = (np.clip(current, self.x_min, self.x_max) - self.x_min) / (
            self.x_max - self.x_min
        )
        return self.left + fraction * (self.right - self.left)

    def y(self, value):
        # Values above the axis (including +inf) are drawn on its top edge.
        return BOTTOM - np.clip(value, 0.0, self.y_max) / self.y_max * (BOTTOM - TOP)


def _format_rate(value):
    return "unbounded" if np.isinf(value) else "%.1f Hz" % value


def _polyline(panel, currents, values, color, css_class):
    points = " ".join(
        "%.1f,%.1f" % point for point in zip(panel.x(currents), panel.y(values))
    )
    return (
        '<polyline class="%s" points="%s" fill="none" stroke="%s" stroke-width="2.5"/>'
        % (css_class, points, color)
    )


def _axes(panel, title, y_label):
    """Return the frame, ticks, grid lines and labels of one panel."""
    parts = [
        '<text x="%.1f" y="%d" text-anchor="middle" font-size="16" font-weight="bold">%s</text>'
        % ((panel.left + panel.right) / 2, TOP - 12, title),
        '<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#444"/>'
        % (panel.left, TOP, panel.right - panel.left, BOTTOM - TOP),
    ]
    grid = []
    for current in np.linspace(panel.x_min, panel.x_max, N_TICKS):
        x = panel.x(current)
        grid.append("M%.0f %dV%d" % (x, TOP, BOTTOM))
        parts.append(
            '<text x="%.0f" y="%d" text-anchor="middle" font-size="15">%g</text>'
            % (x, BOTTOM + 18, current)
        )
    for value in np.linspace(0.0, panel.y_max, 5):
        y = panel.y(value)
        grid.append("M%d %.0fH%d" % (panel.left, y, panel.right))
        parts.append(
            '<text x="%d" y="%.0f" text-anchor="end" font-size="15">%g</text>'
            % (panel.left - 6, y + 4, value)
        )
    parts.append('<path d="%s" stroke="#ddd"/>' % "".join(grid))
    parts.append(
        '<text x="%.1f" y="%d" text-anchor="middle" font-size="16">input current J</text>'
        % ((panel.left + panel.right) / 2, BOTTOM + 40)
    )
    parts.append(
        '<text transform="translate(%d,%d) rotate(-90)" text-anchor="middle" font-size="16">'
        "%s</text>" % (panel.left - 48, (TOP + BOTTOM) // 2, y_label)
    )
    if panel.x_min < THRESHOLD_CURRENT < panel.x_max:
        x = panel.x(THRESHOLD_CURRENT)
        parts.append(
            '<line class="threshold" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#888"'
            ' stroke-dasharray="2,4"/>' % (x, TOP, x, BOTTOM)
        )
    return parts


def _marker(panel, current, lif_value, softlif_value):
    """Return a vertical line at ``current`` and a dot on each curve there."""
    x = panel.x(current)
    return [
        '<line class="marker" x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#c0392b"'
        ' stroke-dasharray="6,4"/>' % (x, TOP, x, BOTTOM),
        '<circle class="marker lif" cx="%.1f" cy="%.1f" r="7" fill="%s"/>'
        % (x, panel.y(lif_value), LIF_COLOR),
        '<circle class="marker softlif" cx="%.1f" cy="%.1f" r="4.5" fill="%s"/>'
        % (x, panel.y(softlif_value), SOFTLIF_COLOR),
    ]


def _legend_and_readout(marker, sigma, x_min, x_max):
    current = float(marker.currents[0])
    off_axis = "" if x_min <= current <= x_max else " (off the axis)"
    readout = (
        "J = %.2f%s &#160; LIF: %s, slope %s &#160; SoftLIF: %s, slope %s"
        % (
            current,
            off_axis,
            _format_rate(marker.lif_rates[0]),
            _format_rate(marker.lif_slopes[0]),
            _format_rate(marker.softlif_rates[0]),
            _format_rate(marker.softlif_slopes[0]),
        )
    )
    return [
        '<text class="readout" x="%d" y="22" font-size="19">%s</text>'
        % (RATE_PANEL_LEFT - 40, readout),
        '<line x1="%d" y1="42" x2="%d" y2="42" stroke="%s" stroke-width="3"/>'
        % (RATE_PANEL_LEFT, RATE_PANEL_LEFT + 30, LIF_COLOR),
        '<text x="%d" y="47" font-size="15">LIF</text>' % (RATE_PANEL_LEFT + 36),
        '<line x1="%d" y1="42" x2="%d" y2="42" stroke="%s" stroke-width="3"/>'
        % (RATE_PANEL_LEFT + 90, RATE_PANEL_LEFT + 120, SOFTLIF_COLOR),
        '<text x="%d" y="47" font-size="15">SoftLIF, &#963; = %.3g</text>'
        % (RATE_PANEL_LEFT + 126, sigma),
    ]


def rate_curves_svg(curves, marker, sigma, rate_axis_max, slope_axis_max):
    """Draw tuning curves and their slopes side by side, with a marker at one current.

    Parameters
    ----------
    curves : RateCurves
        The curves, on an increasing grid of input currents that sets the x axis.
    marker : RateCurves
        Rates and slopes at the single current to mark, which may lie off the axis.
    sigma : float
        SoftLIF smoothing width, shown in the legend.
    rate_axis_max : float
        Top of the rate axis in Hz.
    slope_axis_max : float
        Top of the slope axis in Hz per unit J. Slopes above it, such as the LIF slope just
        above J = 1 that grows without bound, are drawn on the top edge.

    Returns
    -------
    str
        An ``<svg>`` element that fills its container.
    """
    currents = np.asarray(curves.currents, dtype=float)
    x_min, x_max = float(currents[0]), float(currents[-1])
    rate_panel = _Panel(RATE_PANEL_LEFT, RATE_PANEL_RIGHT, x_min, x_max, rate_axis_max)
    slope_panel = _Panel(SLOPE_PANEL_LEFT, SLOPE_PANEL_RIGHT, x_min, x_max, slope_axis_max)
    marker_current = float(marker.currents[0])

    parts = [
        '<svg xmlns="http://www.w3.org/2000/svg" width="100%%" height="100%%"'
        ' viewBox="0 0 %d %d" font-family="sans-serif">' % (WIDTH, HEIGHT)
    ]
    parts += _legend_and_readout(marker, sigma, x_min, x_max)

    parts += _axes(rate_panel, "tuning curves", "firing rate (Hz)")
    parts.append(_polyline(rate_panel, currents, curves.lif_rates, LIF_COLOR, "lif-rate"))
    parts.append(
        _polyline(rate_panel, currents, curves.softlif_rates, SOFTLIF_COLOR, "softlif-rate")
    )
    parts += _marker(rate_panel, marker_current, marker.lif_rates[0], marker.softlif_rates[0])

    parts += _axes(slope_panel, "slopes d(rate)/dJ", "slope (Hz per unit J)")
    parts.append(_polyline(slope_panel, currents, curves.lif_slopes, LIF_COLOR, "lif-slope"))
    parts.append(
        _polyline(slope_panel, currents, curves.softlif_slopes, SOFTLIF_COLOR, "softlif-slope")
    )
    if x_min < THRESHOLD_CURRENT < x_max:
        # The LIF slope is 0 below J = 1 and unbounded just above it, so the axis clips it.
        x = slope_panel.x(THRESHOLD_CURRENT)
        parts.append(
            '<text class="clipped" x="%.0f" y="%d" font-size="14" fill="%s">'
            "&#8593; LIF slope &#8594; &#8734; as J &#8594; 1+"
            '<tspan x="%.0f" dy="16">(axis clipped at %g)</tspan></text>'
            % (x + 14, TOP + 16, LIF_COLOR, x + 14, slope_axis_max)
        )
    parts += _marker(
        slope_panel, marker_current, marker.lif_slopes[0], marker.softlif_slopes[0]
    )

    parts.append("</svg>")
    return "".join(parts)
