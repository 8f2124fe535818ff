"""Graphics items of the air overlay: an inlet tab in front of each rack and a load bar beside
each air unit.

Both are sized in metres (they zoom with the plan) and draw their text in device pixels, so
it stays crisp; the text is left out when it would be too small to read, leaving a colour
chip. The inlet tab sits just outside the rack's front face, in the aisle whose air the rack
breathes, so it never covers the rack's name or the liquid overlay's badge on the rack.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem

from designer.app.plan.coords import to_scene
from designer.app.plan.text import font, text_width
from designer.app.views.air import style as st

MIN_FONT_PX = 7.5
MAX_FONT_PX = 12.0
TAB_DEPTH_M = 0.24
"""How far the inlet tab reaches out of the rack's front face."""
TAB_GAP_M = 0.02


def front_tab_rect(rack) -> tuple[float, float, float, float]:
    """``(cx, cy, w, h)`` of the inlet tab of a model rack, in plan metres (axis-aligned)."""
    xs, ys = zip(*rack.corners(), strict=True)
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    nx, ny = rack.front_normal()
    reach = TAB_GAP_M + TAB_DEPTH_M / 2
    if abs(ny) >= abs(nx):
        w, h = max(0.1, (x1 - x0) - 0.06), TAB_DEPTH_M
        cy = y1 + reach if ny > 0 else y0 - reach
        return ((x0 + x1) / 2, cy, w, h)
    w, h = TAB_DEPTH_M, max(0.1, (y1 - y0) - 0.06)
    cx = x1 + reach if nx > 0 else x0 - reach
    return (cx, (y0 + y1) / 2, w, h)


class InletBadge(QGraphicsItem):
    """A rack's maximum inlet temperature on a tab coloured by its ASHRAE band."""

    def __init__(self, rack_id: str) -> None:
        super().__init__()
        self.rack_id = rack_id
        self.rect = QRectF(-0.25, -0.1, 0.5, 0.2)
        self.text = ""
        self.band = "n/a"
        self.fill = st.BAND_COLORS["n/a"]
        self.state: tuple = ()
        self.home = to_scene(0.0, 0.0)
        self.setZValue(32)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.NoButton)  # clicks go to what lies underneath

    def place(self, rack) -> None:
        cx, cy, w, h = front_tab_rect(rack)
        rect = QRectF(-w / 2, -h / 2, w, h)
        if rect != self.rect:
            self.prepareGeometryChange()
            self.rect = rect
        self.home = to_scene(cx, cy)
        self.setPos(self.home)

    def offset(self, dx: float, dy: float) -> None:
        """Follow a drag preview of the rack (plan metres)."""
        self.setPos(self.home.x() + dx, self.home.y() - dy)

    def set_values(self, text: str, band: str) -> bool:
        """Show new values; returns whether anything changed (the item then repaints)."""
        state = (text, band)
        if state == self.state:
            return False
        self.state = state
        self.text, self.band = text, band
        self.fill = st.BAND_COLORS.get(band, st.BAND_COLORS["n/a"])
        self.update()
        return True

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect.adjusted(-0.02, -0.02, 0.02, 0.02)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        dev = painter.worldTransform().mapRect(self.rect)
        if max(dev.width(), dev.height()) < 3.0:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(self.fill.darker(140), 1.0 if dev.height() > 6 else 0.0))
        painter.setBrush(QBrush(self.fill))
        r = min(3.0, min(dev.width(), dev.height()) * 0.25)
        painter.drawRoundedRect(dev, r, r)
        # the value with its decimal when it fits, else rounded, else just the colour
        short = self.text.split(".")[0]
        for text in (self.text, short) if short != self.text else (self.text,):
            if not text:
                break
            fs = min(MAX_FONT_PX, dev.height() * 0.88, dev.width() * 0.94 * 10 / max(text_width(text, True), 1))
            if fs >= MIN_FONT_PX:
                painter.setPen(st.text_on(self.fill))
                painter.setFont(font(fs, True))
                painter.drawText(dev, Qt.AlignCenter, text)
                break
        painter.restore()


class UnitBar(QGraphicsItem):
    """Load against capacity of an air unit: name and load over a bar with the %."""

    W, H = 1.3, 0.55

    def __init__(self, unit_id: str) -> None:
        super().__init__()
        self.unit_id = unit_id
        self.rect = QRectF(-self.W / 2, -self.H / 2, self.W, self.H)
        self.title = ""
        self.detail = ""
        self.fraction: float | None = None
        self.state: tuple = ()
        self.home = to_scene(0.0, 0.0)
        self.setZValue(33)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.NoButton)

    def place_at(self, cx: float, cy: float) -> None:
        self.home = to_scene(cx, cy)
        self.setPos(self.home)

    def offset(self, dx: float, dy: float) -> None:
        self.setPos(self.home.x() + dx, self.home.y() - dy)

    def set_values(self, title: str, detail: str, fraction: float | None) -> bool:
        """Show new values; repaints (and returns True) only when what is drawn changes: the
        text or the bar by at least half a per cent. A non-finite fraction draws no bar (n/a)."""
        if fraction is not None and not math.isfinite(fraction):
            fraction = None
        state = (title, detail, None if fraction is None else round(fraction * 200))
        if state == self.state:
            return False
        self.state = state
        self.title, self.detail, self.fraction = title, detail, fraction
        self.update()
        return True

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect.adjusted(-0.02, -0.02, 0.02, 0.02)

    @staticmethod
    def bar_color(fraction: float | None) -> QColor:
        if fraction is None or fraction > 1.0 + 1e-9:
            return st.UNIT_OVER
        if fraction >= 0.9:
            return st.UNIT_TIGHT
        return st.UNIT_OK

    def paint(self, painter: QPainter, option, widget=None) -> None:
        dev = painter.worldTransform().mapRect(self.rect)
        if dev.width() < 24:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor("#5b6470"), 1.0))
        painter.setBrush(QColor(255, 255, 255, 238))
        painter.drawRoundedRect(dev, 3, 3)
        pad = max(2.0, dev.height() * 0.08)
        inner = dev.adjusted(pad, pad, -pad, -pad)
        head_text = f"{self.title}  {self.detail}"
        fs = min(MAX_FONT_PX, inner.height() / 2.3, inner.width() * 0.95 * 10 / max(text_width(head_text, True), 1.0))
        bar = inner
        if fs >= MIN_FONT_PX:
            head = QRectF(inner.left(), inner.top(), inner.width(), fs * 1.25)
            painter.setPen(QColor("#1b1b1b"))
            painter.setFont(font(fs, True))
            painter.drawText(head, Qt.AlignLeft | Qt.AlignVCenter, self.title)
            painter.setFont(font(fs))
            painter.drawText(head, Qt.AlignRight | Qt.AlignVCenter, self.detail)
            bar = QRectF(inner.left(), head.bottom() + pad * 0.5, inner.width(),
                         inner.bottom() - head.bottom() - pad * 0.5)
        frac = self.fraction
        color = self.bar_color(frac)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#e3e7ec"))
        painter.drawRect(bar)
        filled = bar.width() * max(0.0, min(frac or 0.0, 1.0))
        if frac is not None:
            painter.setBrush(color)
            painter.drawRect(QRectF(bar.left(), bar.top(), filled, bar.height()))
        painter.setPen(QPen(QColor("#5b6470"), 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(bar)
        pct = "no capacity" if frac is None else f"{frac * 100:.0f} %"
        bfs = min(MAX_FONT_PX, bar.height() * 0.8)
        if bfs >= MIN_FONT_PX - 0.5:
            painter.setFont(font(bfs, True))
            tw = text_width(pct, True) * bfs / 10 + 6
            if bar.width() - filled >= tw:  # on the empty part of the bar
                painter.setPen(QColor("#1b1b1b"))
                painter.drawText(QRectF(bar.left() + filled + 3, bar.top(), tw, bar.height()),
                                 Qt.AlignLeft | Qt.AlignVCenter, pct)
            elif filled >= tw:  # on the fill
                painter.setPen(st.text_on(color))
                painter.drawText(QRectF(bar.left(), bar.top(), filled - 3, bar.height()),
                                 Qt.AlignRight | Qt.AlignVCenter, pct)
            else:  # across both: dark text on a light halo
                painter.setPen(QColor(255, 255, 255, 230))
                for ox, oy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                    painter.drawText(bar.translated(ox, oy), Qt.AlignCenter, pct)
                painter.setPen(QColor("#1b1b1b"))
                painter.drawText(bar, Qt.AlignCenter, pct)
        painter.restore()
