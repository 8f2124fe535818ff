"""Graphics items of the liquid overlay: a flow badge on each liquid-cooled rack and a load
bar in front of each CDU.

Both are sized in metres (they zoom with the plan and never cover a neighbour) and pick
their detail from the zoom: two lines of text when readable, a colour chip when not, and
nothing when the plan is zoomed far out. Text is drawn in device pixels so it stays crisp.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from designer.app.plan.coords import to_scene
from designer.app.plan.text import font, text_width
from designer.app.plan.text import lod as _lod
from designer.app.views.liquid import style as ls

MIN_FONT_PX = 7.5
"""Below this text is not drawn (a colour chip says as much)."""
MAX_FONT_PX = 13.0
HIDE_BELOW_PX = 3.0
"""Badges narrower than this on screen are not drawn at all (zoomed far out)."""
DETAIL_PX_PER_M = 30.0
"""Below this zoom the badges give way to one :class:`ChipLayer` (colour only): a thousand
items each painting a chip cost a whole-hall repaint over 100 ms, one layer about 2 ms."""


class RackBadge(QGraphicsItem):
    """Flow as % of required and the temperature rise, on the front part of a rack."""

    def __init__(self, rack_id: str, on_lod: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self.rack_id = rack_id
        self.on_lod = on_lod
        self.rect = QRectF(-0.25, -0.2, 0.5, 0.4)
        self.base_pos = QPointF(0, 0)
        self.line1 = ""
        self.line2 = ""
        self.fill = ls.GOOD
        self.no_loop = False
        self.state: tuple = ()
        self.scene_rect = QRectF()
        self.tip: Callable[[], str] | None = None
        """Builds the tooltip when the mouse arrives (a thousand eager tooltips cost ~5 ms a result)."""
        self.setZValue(30)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.NoButton)  # clicks go to the rack underneath
        self.setAcceptHoverEvents(True)

    def hoverEnterEvent(self, e) -> None:  # noqa: N802
        if self.tip is not None:
            self.setToolTip(self.tip())
        super().hoverEnterEvent(e)

    def place(self, rack) -> None:
        """Put the badge on the front part of ``rack`` (a model Rack), upright on screen."""
        xs, ys = zip(*rack.corners(), strict=True)
        x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
        nx, ny = rack.front_normal()
        margin = 0.04
        if abs(ny) >= abs(nx):
            hgt = min(0.5, 0.45 * (y1 - y0))
            wid = (x1 - x0) - 2 * margin
            cx = (x0 + x1) / 2
            cy = y1 - margin - hgt / 2 if ny > 0 else y0 + margin + hgt / 2
        else:
            wid = min(0.55, 0.45 * (x1 - x0))
            hgt = min(0.5, (y1 - y0) - 2 * margin)
            cy = (y0 + y1) / 2
            cx = x1 - margin - wid / 2 if nx > 0 else x0 + margin + wid / 2
        rect = QRectF(-wid / 2, -hgt / 2, wid, hgt)
        if rect != self.rect:
            self.prepareGeometryChange()
            self.rect = rect
        self.base_pos = to_scene(cx, cy)
        self.scene_rect = rect.translated(self.base_pos)
        self.setPos(self.base_pos)

    def offset(self, dx: float, dy: float) -> None:
        """Follow a drag preview of the rack by (dx, dy) m without touching the model."""
        self.setPos(self.base_pos + QPointF(dx, -dy))

    def set_values(self, line1: str, line2: str, fill: QColor, no_loop: bool = False) -> bool:
        """Show new values; returns whether anything changed (the item then repaints)."""
        state = (line1, line2, fill.rgba(), no_loop)
        if state == self.state:
            return False
        self.state = state
        self.line1, self.line2, self.fill, self.no_loop = line1, line2, fill, no_loop
        self.update()
        return True

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect.adjusted(-0.02, -0.02, 0.02, 0.02)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.on_lod is not None:
            self.on_lod(_lod(painter))
        dev = painter.worldTransform().mapRect(self.rect)
        if dev.width() < HIDE_BELOW_PX:
            return
        painter.save()
        painter.resetTransform()
        fill = QColor("#ffffff") if self.no_loop else self.fill
        ink = ls.NO_LOOP if self.no_loop else ls.text_on(fill)
        pen = QPen(ls.NO_LOOP if self.no_loop else fill.darker(135), 1.2 if dev.width() > 20 else 0.0)
        if self.no_loop:
            pen.setStyle(Qt.DashLine)
            pen.setWidthF(1.6)
        painter.setPen(pen)
        painter.setBrush(QBrush(fill))
        radius = min(4.0, dev.height() * 0.15)
        painter.drawRoundedRect(dev, radius, radius)
        self._text(painter, dev, ink)
        painter.restore()

    def _text(self, painter: QPainter, dev: QRectF, ink: QColor) -> None:
        w1, w2 = text_width(self.line1, True), text_width(self.line2)
        room_w = dev.width() * 0.9
        two = min(MAX_FONT_PX, dev.height() / 2.5,
                  room_w * 10 / max(w1, 1.0), room_w * 10 / max(w2, 1.0) / 0.9)
        painter.setPen(ink)
        if self.line2 and two >= MIN_FONT_PX:
            h1, h2 = two, two * 0.9
            gap = (dev.height() - h1 - h2) / 3
            r1 = QRectF(dev.left(), dev.top() + gap * 1.1, dev.width(), h1 * 1.15)
            r2 = QRectF(dev.left(), r1.bottom() + gap * 0.6, dev.width(), h2 * 1.15)
            painter.setFont(font(h1, True))
            painter.drawText(r1, Qt.AlignCenter, self.line1)
            painter.setFont(font(h2))
            painter.drawText(r2, Qt.AlignCenter, self.line2)
            return
        # one line: the percentage, without its sign when that is what makes it fit
        for text in (self.line1, self.line1.removesuffix(" %")):
            one = min(MAX_FONT_PX, dev.height() * 0.7, room_w * 10 / max(text_width(text, True), 1.0))
            if one >= MIN_FONT_PX:
                painter.setFont(font(one, True))
                painter.drawText(dev, Qt.AlignCenter, text)
                return


class CduBar(QGraphicsItem):
    """Load against capacity in front of a CDU: name and kW over a bar with the %."""

    W, H, GAP = 1.5, 0.46, 0.12

    def __init__(self, cdu_id: str) -> None:
        super().__init__()
        self.cdu_id = cdu_id
        self.rect = QRectF(-self.W / 2, -self.H / 2, self.W, self.H)
        self.base_pos = QPointF(0, 0)
        self.title = ""
        self.detail = ""
        self.fraction: float | None = None
        self.state: tuple = ()
        self.setZValue(31)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)
        self.setAcceptedMouseButtons(Qt.NoButton)

    def place(self, cdu) -> None:
        """In front of the CDU (outside its footprint), so its own label stays readable."""
        nx, ny = cdu.front_normal()
        xs, ys = zip(*cdu.corners(), strict=True)
        if abs(ny) >= abs(nx):
            reach = (max(ys) - min(ys)) / 2 + self.GAP + self.H / 2
        else:
            reach = (max(xs) - min(xs)) / 2 + self.GAP + self.W / 2
        self.base_pos = to_scene(cdu.x + nx * reach, cdu.y + ny * reach)
        self.setPos(self.base_pos)

    def offset(self, dx: float, dy: float) -> None:
        self.setPos(self.base_pos + QPointF(dx, -dy))

    def set_values(self, title: str, detail: str, fraction: float | None) -> bool:
        state = (title, detail, fraction)
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
            return ls.SHORT
        if fraction >= 0.9:
            return ls.TIGHT
        return QColor("#2f6fdb")

    def paint(self, painter: QPainter, option, widget=None) -> None:
        dev = painter.worldTransform().mapRect(self.rect)
        if dev.width() < 24:
            return
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(QColor("#5b6470"), 1.0))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRoundedRect(dev, 3, 3)
        pad = max(2.0, dev.height() * 0.08)
        inner = dev.adjusted(pad, pad, -pad, -pad)
        fs = min(MAX_FONT_PX, inner.height() / 2.3,
                 inner.width() * 0.95 * 10 / max(text_width(f"{self.title}  {self.detail}", True), 1.0))
        bar = inner
        if fs >= MIN_FONT_PX:
            head = QRectF(inner.left(), inner.top(), inner.width(), fs * 1.25)
            painter.setPen(QColor("#1b1b1b"))
            painter.setFont(font(fs, True))
            painter.drawText(head, Qt.AlignLeft | Qt.AlignVCenter, self.title)
            painter.setFont(font(fs))
            painter.drawText(head, Qt.AlignRight | Qt.AlignVCenter, self.detail)
            bar = QRectF(inner.left(), head.bottom() + pad * 0.5, inner.width(), inner.bottom() - head.bottom() - pad * 0.5)
        frac = self.fraction
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#e3e7ec"))
        painter.drawRect(bar)
        if frac is not None:
            painter.setBrush(self.bar_color(frac))
            painter.drawRect(QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(frac, 1.0)), bar.height()))
        painter.setPen(QPen(QColor("#5b6470"), 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(bar)
        pct = "no capacity" if frac is None else f"{frac * 100:.0f} %"
        bfs = min(MAX_FONT_PX, bar.height() * 0.8)
        if bfs >= MIN_FONT_PX - 0.5:
            painter.setFont(font(bfs, True))
            # the % sits on the empty part of the bar when there is room, else in white on the fill
            tw = text_width(pct, True) * bfs / 10 + 6
            filled = bar.width() * max(0.0, min(frac or 0.0, 1.0))
            if bar.width() - filled >= tw:
                painter.setPen(QColor("#1b1b1b"))
                painter.drawText(QRectF(bar.left() + filled + 3, bar.top(), tw, bar.height()),
                                 Qt.AlignLeft | Qt.AlignVCenter, pct)
            else:
                painter.setPen(ls.text_on(self.bar_color(frac)))
                painter.drawText(QRectF(bar.left(), bar.top(), filled - 3, bar.height()),
                                 Qt.AlignRight | Qt.AlignVCenter, pct)
        painter.restore()


class ChipLayer(QGraphicsItem):
    """Every badge as a bare colour chip, drawn in one go when the plan is zoomed out."""

    def __init__(self, on_lod: Callable[[float], None] | None = None) -> None:
        super().__init__()
        self.paths: list[tuple[QColor, QPainterPath]] = []
        self.bounds = QRectF()
        self.on_lod = on_lod
        self.setZValue(30)
        self.setAcceptedMouseButtons(Qt.NoButton)

    def set_chips(self, chips: list[tuple[QRectF, QColor]]) -> None:
        """(scene rect, colour) of each chip; one path per colour."""
        by: dict[int, tuple[QColor, QPainterPath]] = {}
        bounds = QRectF()
        for rect, color in chips:
            entry = by.get(color.rgba())
            if entry is None:
                entry = by[color.rgba()] = (color, QPainterPath())
            entry[1].addRect(rect)
            bounds = bounds.united(rect)
        self.prepareGeometryChange()
        self.paths = list(by.values())
        self.bounds = bounds
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.bounds

    def paint(self, painter: QPainter, option, widget=None) -> None:
        lod = _lod(painter)
        if self.on_lod is not None:
            self.on_lod(lod)
        if lod * 0.5 < HIDE_BELOW_PX:
            return
        painter.setPen(Qt.NoPen)
        for color, path in self.paths:
            painter.fillPath(path, color)
