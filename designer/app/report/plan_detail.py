"""Detail sheets of a large hall: the plan cut into tiles drawn at a readable scale, each
framed with plan coordinates and located on a key plan."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter

from designer.app.report.paint import ACCENT, GREY, INK, LIGHT, draw_text, font, mm, pen
from designer.app.report.plan import px_per_m

DETAIL_SCALES = (100, 200)
"""Detail sheets are drawn at the first of these scales that needs at most MAX_TILES sheets."""
MAX_TILES = 16
OVERLAP_M = 1.0
"""Neighbouring details share this much plan, so nothing falls on a cut."""


def detail_tiles(bounds: QRectF, area: QRectF, overview_scale: int) -> tuple[int, list[QRectF]]:
    """The detail scale and tiles (model metres) for a hall drawn at ``overview_scale``.

    No details (scale 0, no tiles) when the overview is already at 1:200 or finer.
    """
    if overview_scale <= DETAIL_SCALES[-1]:
        return 0, []
    for scale in DETAIL_SCALES:
        k = px_per_m(scale)
        tw, th = area.width() / k, area.height() / k
        nx = max(1, math.ceil((bounds.width() - OVERLAP_M) / (tw - OVERLAP_M)))
        ny = max(1, math.ceil((bounds.height() - OVERLAP_M) / (th - OVERLAP_M)))
        if nx * ny <= MAX_TILES or scale == DETAIL_SCALES[-1]:
            # equal tiles that just cover the hall, overlapping by OVERLAP_M
            w = (bounds.width() + (nx - 1) * OVERLAP_M) / nx
            h = (bounds.height() + (ny - 1) * OVERLAP_M) / ny
            tiles = []
            for j in range(ny):  # north row first, the way the sheets are read
                for i in range(nx):
                    x0 = bounds.left() + i * (w - OVERLAP_M)
                    y1 = bounds.bottom() - j * (h - OVERLAP_M)
                    tiles.append(QRectF(x0, y1 - h, w, h))
            return scale, tiles
    return 0, []


def draw_frame(p: QPainter, drawn: QRectF, window: QRectF, k: float) -> None:
    """A frame round a detail with plan coordinates every 5 m (ticks every metre)."""
    p.save()
    p.setPen(pen(INK, 1.0))
    p.setBrush(Qt.NoBrush)
    p.drawRect(drawn)
    p.setFont(font(6.5))
    for v in range(math.ceil(window.left()), math.floor(window.right()) + 1):
        x = drawn.left() + (v - window.left()) * k
        major = v % 5 == 0
        t = mm(2.2 if major else 1.0)
        p.drawLine(QPointF(x, drawn.bottom()), QPointF(x, drawn.bottom() + t))
        p.drawLine(QPointF(x, drawn.top()), QPointF(x, drawn.top() - t))
        if major:
            p.drawText(QRectF(x - mm(8), drawn.bottom() + mm(2.6), mm(16), mm(3.5)), Qt.AlignHCenter, f"x {v} m")
    for v in range(math.ceil(window.top()), math.floor(window.bottom()) + 1):
        y = drawn.bottom() - (v - window.top()) * k
        major = v % 5 == 0
        t = mm(2.2 if major else 1.0)
        p.drawLine(QPointF(drawn.left(), y), QPointF(drawn.left() - t, y))
        p.drawLine(QPointF(drawn.right(), y), QPointF(drawn.right() + t, y))
        if major:
            p.save()
            p.translate(drawn.left() - mm(2.6), y)
            p.rotate(-90)
            p.drawText(QRectF(-mm(8), -mm(3.5), mm(16), mm(3.5)), Qt.AlignHCenter | Qt.AlignBottom, f"y {v} m")
            p.restore()
    p.restore()


def draw_key_plan(p: QPainter, r: QRectF, bounds: QRectF, tiles: list[QRectF], current: QRectF) -> None:
    """The whole hall small, every detail outlined, this one filled."""
    draw_text(p, QRectF(r.left(), r.top(), r.width(), mm(5)), "Key plan", font(9, bold=True))
    box = QRectF(r.left(), r.top() + mm(6), r.width(), r.height() - mm(12))
    k = min(box.width() / bounds.width(), box.height() / bounds.height())

    def at(x: float, y: float) -> QPointF:
        return QPointF(box.left() + (x - bounds.left()) * k, box.top() + (bounds.bottom() - y) * k)

    p.save()
    p.setPen(pen(INK, 1.0))
    p.setBrush(QColor("#fbfbf8"))
    p.drawRect(QRectF(at(bounds.left(), bounds.bottom()), at(bounds.right(), bounds.top())))
    fill = QColor(ACCENT)
    fill.setAlpha(70)
    p.setFont(font(6.5, bold=True))
    for n, t in enumerate(tiles, 1):
        rr = QRectF(at(t.left(), t.bottom()), at(t.right(), t.top()))
        on = t == current
        p.setPen(pen(ACCENT if on else LIGHT.darker(130), 1.4 if on else 0.6))
        p.setBrush(fill if on else Qt.NoBrush)
        p.drawRect(rr)
        p.setPen(INK if on else GREY)
        p.drawText(rr, Qt.AlignCenter, str(n))
    p.restore()
    draw_text(p, QRectF(r.left(), box.top() + bounds.height() * k + mm(1), r.width(), mm(4)),
              f"Detail {tiles.index(current) + 1} of {len(tiles)}; details overlap by {OVERLAP_M:g} m",
              font(6.5, italic=True), GREY)
