"""Colours and number formats of the power views (one-line diagram, plan overlay, tables).

One place decides what "near the limit" looks like, so a node's load bar, a rack on the
plan, the legend and a table cell always agree: green below 80 % of the limit, amber from
80 % to 100 %, red above it.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QColor, QFont

from designer.app.window import style

GOOD = QColor("#2a9d3c")
NEAR = QColor("#e8a317")
OVER = QColor("#d62d20")
NO_DATA = QColor("#9aa0a8")
DEAD = QColor("#b9bdc3")
"""De-energised equipment (fill) in a failure scenario."""
DEAD_TEXT = QColor("#7b8087")
LOST = QColor("#2b2f35")
"""Racks without power in a failure scenario."""
BATTERY = QColor("#e07b00")
"""Running on a UPS battery (then lost after its runtime)."""
FAILED = QColor("#c0182b")
TRANSFER = QColor("#1f6fb2")
"""Transferred to an alternate supply (generator, transfer switch)."""
HIGHLIGHT = style.SELECT
SIDE = {"A": style.FEED_A, "B": style.FEED_B}
NEAR_AT = 0.8
"""Utilisation from which a bar turns amber (the 80 % rule's margin)."""
FONT_FAMILY = "DejaVu Sans"
_fonts: dict[tuple[float, bool], QFont] = {}


def font(pt: float, bold: bool = False) -> QFont:
    key = (pt, bold)
    f = _fonts.get(key)
    if f is None:
        f = _fonts[key] = QFont(FONT_FAMILY)
        f.setPointSizeF(pt)
        f.setBold(bold)
    return f


def util_color(u: float | None) -> QColor:
    """Colour of a utilisation (1.0 = at the limit)."""
    if u is None or not math.isfinite(u):
        return OVER if u is not None and u > 0 else NO_DATA
    if u > 1.0 + 1e-9:
        return OVER
    return NEAR if u >= NEAR_AT else GOOD


def margin_class(has_feed: bool, utilisation: float, margin_a: float) -> str:
    """A rack's feed-margin class: "over" (negative margin), "near" (under 20 % of the
    cord limit left), "good", or "none" (no feed)."""
    if not has_feed:
        return "none"
    if margin_a < 0 or utilisation > 1.0 + 1e-9:
        return "over"
    return "near" if utilisation >= NEAR_AT else "good"


MARGIN_COLOR = {"over": OVER, "near": NEAR, "good": GOOD, "none": NO_DATA}
MARGIN_TEXT = {
    "over": "over the cord limit",
    "near": "under 20 % margin",
    "good": "20 % margin or more",
    "none": "no feed",
}


def pct(u: float | None) -> str:
    if u is None:
        return "–"
    if not math.isfinite(u):
        return "∞ %"
    return f"{u * 100:.0f} %"


def kw(v: float) -> str:
    """kW with sensible precision (0.0 for tiny, no decimals from 100 up)."""
    a = abs(v)
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def volts(v: float) -> str:
    return f"{v / 1000:.1f} kV" if v >= 1000 else f"{v:.0f} V"
