"""What the plan draws under and over its items that is not an item: the floor, the grid,
the scale bar and the north arrow. All follow the display units (metres or feet).

The grid adapts to the zoom: its minor step is the smallest "round" length (1-2-5 metres, or
1-2-5 feet and inches) at least ``MINOR_PX`` apart on screen; every fifth (or tenth) line is a
major line. It is anchored at the plan origin, where snapping is anchored too.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QFont, QPainter, QPen, QPolygonF

from designer.app.window import style

FT = 0.3048
MINOR_PX = 12.0

_SI_STEPS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0)
_US_STEPS = tuple(v * FT for v in (1 / 12, 2 / 12, 6 / 12, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0,
                                   500.0, 1000.0, 2000.0))


def grid_steps(px_per_m: float, units: str = "SI") -> tuple[float, float]:
    """(minor, major) grid spacing in metres at this zoom."""
    steps = _US_STEPS if units == "US" else _SI_STEPS
    minor = next((s for s in steps if s * px_per_m >= MINOR_PX), steps[-1])
    i = steps.index(minor)
    # the major step: the first of the series at least four minor steps long
    major = next((s for s in steps[i + 1:] if s >= minor * 4 - 1e-9), minor * 5)
    return minor, major


def nice_length(px_per_m: float, target_px: float = 120.0, units: str = "SI") -> tuple[float, str]:
    """A scale-bar length near ``target_px`` on screen: (metres, label in display units)."""
    if units == "US":
        options = [(v * FT, f"{v:g} ft") for v in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)]
        options += [(v / 12 * FT, f"{v:g} in") for v in (1, 2, 3, 6)]
    else:
        options = [(v, f"{v:g} m") for v in (0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)]
    return min(options, key=lambda o: abs(o[0] * px_per_m - target_px))


def draw_floor(painter: QPainter, outline: QPolygonF) -> None:
    painter.save()
    painter.setPen(QPen(QColor(0, 0, 0, 0), 0))
    painter.setBrush(style.FLOOR)
    painter.drawPolygon(outline)
    painter.restore()


def draw_grid(painter: QPainter, rect: QRectF, px_per_m: float, units: str = "SI") -> None:
    """Grid lines over ``rect`` (scene coordinates: x east, y south)."""
    minor, major = grid_steps(px_per_m, units)
    painter.save()
    # axis-aligned one-pixel lines: antialiasing only smears them over two pixels, and
    # antialiased lines under the floor's clip path cost 90 us each (a 200-rack hall's drag
    # repainted about 100 of them a mouse move: 9 ms of its 25)
    painter.setRenderHint(QPainter.Antialiasing, False)
    for step, color in ((minor, style.GRID_MINOR), (major, style.GRID_MAJOR)):
        pen = QPen(color, 1.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        k0, k1 = math.floor(rect.left() / step), math.ceil(rect.right() / step)
        if k1 - k0 > 2000:
            continue
        for k in range(k0, k1 + 1):
            if step == minor and _on(k * step, major):
                continue  # drawn by the major pass
            x = k * step
            painter.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
        k0, k1 = math.floor(rect.top() / step), math.ceil(rect.bottom() / step)
        if k1 - k0 > 2000:
            continue
        for k in range(k0, k1 + 1):
            if step == minor and _on(k * step, major):
                continue
            y = k * step
            painter.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
    painter.restore()


def _on(v: float, step: float) -> bool:
    r = v / step
    return abs(r - round(r)) < 1e-6


SCALE_BAR_X, SCALE_BAR_FROM_BOTTOM = 16, 22


def scale_bar_rect(vp: QRectF, px_per_m: float, units: str = "SI") -> QRectF:
    """Where the scale bar is drawn (viewport pixels): what a fit keeps clear of."""
    length, _label = nice_length(px_per_m, units=units)
    px = length * px_per_m
    x0, y0 = vp.left() + SCALE_BAR_X, vp.bottom() - SCALE_BAR_FROM_BOTTOM
    return QRectF(x0 - 6, y0 - 18, px + 60, 30)


def north_arrow_rect(vp: QRectF) -> QRectF:
    return QRectF(vp.right() - 34, vp.top() + 4, 28, 44)


def draw_scale_bar(painter: QPainter, vp: QRectF, px_per_m: float, units: str = "SI") -> None:
    """Scale bar in the bottom-left corner and north arrow top-right, in viewport pixels
    (the painter is untransformed)."""
    length, label = nice_length(px_per_m, units=units)
    px = length * px_per_m
    x0, y0 = vp.left() + SCALE_BAR_X, vp.bottom() - SCALE_BAR_FROM_BOTTOM
    painter.save()
    painter.setRenderHint(QPainter.Antialiasing, False)
    painter.fillRect(scale_bar_rect(vp, px_per_m, units), QColor(255, 255, 255, 210))
    painter.setPen(QPen(QColor("#222"), 2))
    painter.drawLine(QPointF(x0, y0), QPointF(x0 + px, y0))
    for xx in (x0, x0 + px / 2, x0 + px):
        painter.drawLine(QPointF(xx, y0 - 5), QPointF(xx, y0 + 3))
    painter.setFont(QFont("DejaVu Sans", 9))
    painter.drawText(QPointF(x0 + px + 6, y0 + 4), label)
    # north arrow: y up on the plan
    painter.drawText(QPointF(vp.right() - 24, vp.top() + 20), "N")
    painter.drawLine(QPointF(vp.right() - 20, vp.top() + 44), QPointF(vp.right() - 20, vp.top() + 24))
    painter.restore()
