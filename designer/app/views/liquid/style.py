"""Colours, colour maps and number formats shared by the liquid overlay, legend, plot and table.

One place decides what "short of flow" looks like, so the badge on the plan, the legend
and the table cell always agree.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QColor

from designer.model.units import unit_of_quantity

SHORT = QColor("#d62d20")
"""Rack below its required flow."""
TIGHT = QColor("#e8a317")
"""Rack at 100-105 % of its required flow: meets it, little margin."""
GOOD = QColor("#2a9d3c")
NO_LOOP = QColor("#8a1c12")
TIGHT_BAND = 1.05
RATIO_TOL = 1e-6
"""Same tolerance as :attr:`RackLiquid.ok`: a ratio this close to 1 counts as meeting it."""

# velocity: blue (sluggish) -> green -> amber -> red at the limit; purple above it.
# Stops are (t, hue, saturation, value), blended in HSV: an RGB blend of green and amber
# is a muddy olive, the hue path through yellow-green stays clean on the light floor.
VELOCITY_STOPS = ((0.0, 0.60, 0.80, 0.78), (0.45, 0.36, 0.85, 0.66), (0.75, 0.11, 0.95, 0.93),
                  (1.0, 0.0, 0.90, 0.84))
OVER_LIMIT = QColor("#7a0177")
VELOCITY_SPAN = 1.25
"""The velocity scale runs to this multiple of the limit (the limit sits at 80 %)."""
# flow: viridis without its pale yellow end (it vanishes on the light floor)
FLOW_STOPS = ((0.0, "#440154"), (0.25, "#3b528b"), (0.5, "#21918c"), (0.75, "#5ec962"), (1.0, "#9bd93c"))
LUT_SIZE = 256


def _hsv_lut(stops) -> list[QColor]:
    out = []
    for i in range(LUT_SIZE):
        t = i / (LUT_SIZE - 1)
        for a, b in zip(stops, stops[1:], strict=False):
            if t <= b[0] + 1e-12:
                f = 0.0 if b[0] == a[0] else (t - a[0]) / (b[0] - a[0])
                out.append(QColor.fromHsvF(*(a[k] + f * (b[k] - a[k]) for k in (1, 2, 3))))
                break
    return out


def _lut(stops) -> list[QColor]:
    cols = [(t, QColor(c)) for t, c in stops]
    out = []
    for i in range(LUT_SIZE):
        t = i / (LUT_SIZE - 1)
        for (t0, c0), (t1, c1) in zip(cols, cols[1:], strict=False):
            if t <= t1 + 1e-12:
                f = 0.0 if t1 == t0 else (t - t0) / (t1 - t0)
                out.append(QColor.fromRgbF(c0.redF() + f * (c1.redF() - c0.redF()),
                                           c0.greenF() + f * (c1.greenF() - c0.greenF()),
                                           c0.blueF() + f * (c1.blueF() - c0.blueF())))
                break
    return out


VELOCITY_LUT = _hsv_lut(VELOCITY_STOPS)
FLOW_LUT = _lut(FLOW_STOPS)


def velocity_color(v_mps: float, limit_mps: float) -> QColor:
    """Colour of a pipe velocity: the map runs from 0 to the limit, beyond it one warning colour."""
    if limit_mps <= 0 or not math.isfinite(v_mps):
        return VELOCITY_LUT[0]
    if v_mps > limit_mps * (1 + 1e-9):
        return OVER_LIMIT
    return VELOCITY_LUT[min(LUT_SIZE - 1, max(0, int(v_mps / limit_mps * (LUT_SIZE - 1) + 0.5)))]


def flow_color(q_lpm: float, q_max_lpm: float) -> QColor:
    if q_max_lpm <= 0 or not math.isfinite(q_lpm):
        return FLOW_LUT[0]
    return FLOW_LUT[min(LUT_SIZE - 1, max(0, int(abs(q_lpm) / q_max_lpm * (LUT_SIZE - 1) + 0.5)))]


def ratio_color(ratio: float | None) -> QColor:
    """Badge colour of a rack's flow as a fraction of its required flow."""
    if ratio is None or ratio < 1.0 - RATIO_TOL:
        return SHORT
    if ratio < TIGHT_BAND:
        return TIGHT
    return GOOD


def ratio_text(ratio: float | None) -> str:
    """``"121 %"``; a rack short of flow never reads 100 % (rounded down below 100)."""
    if ratio is None or not math.isfinite(ratio):
        return "–"
    pct = ratio * 100.0
    if ratio < 1.0 - RATIO_TOL:
        return f"{min(math.floor(pct), 99):.0f} %"
    return f"{max(pct, 100.0):.0f} %" if pct < 100.5 else f"{pct:.0f} %"


def text_on(bg: QColor) -> QColor:
    """Black or white, whichever reads better on ``bg``."""
    lum = 0.299 * bg.redF() + 0.587 * bg.greenF() + 0.114 * bg.blueF()
    return QColor("#1b1b1b") if lum > 0.6 else QColor("#ffffff")


def conv(value: float | None, quantity: str, system: str) -> float | None:
    """SI value -> display value (None stays None)."""
    if value is None:
        return None
    return unit_of_quantity(quantity, system).to_display(value)


def symbol(quantity: str, system: str) -> str:
    return unit_of_quantity(quantity, system).symbol


def num(value: float | None, quantity: str, system: str, decimals: int | None = None) -> str:
    """A value in display units without its symbol (the header carries it)."""
    if value is None or not math.isfinite(value):
        return "–"
    u = unit_of_quantity(quantity, system)
    d = u.decimals if decimals is None else decimals
    return f"{u.to_display(value):,.{d}f}"


def scale(quantity: str, system: str) -> float:
    """Factor SI -> display of a quantity without offset (flow, pressure, velocity)."""
    return unit_of_quantity(quantity, system).scale
