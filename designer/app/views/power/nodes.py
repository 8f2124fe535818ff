"""Boxes of the one-line diagram: one per piece of equipment, one per block of racks.

Each box holds plain display values (set by the diagram from the results) and paints
itself: name and kind, kW / kVA, a load bar against the governing rating (green, amber
from 80 %, red over the limit), voltage and drop. In a failure scenario a box is greyed
when de-energised, crossed when it is the failed item, hatched amber when it runs on a
UPS battery, and outlined red with its utilisation when overloaded.

How much a box says depends on how large it is on screen: from :data:`DETAIL_FROM` every
line; below, as the diagram usually is when fitted into a bottom panel, its name and its
utilisation in letters kept readable (:func:`compact_text_px`); far out (a 1,000-rack hall),
a coloured tile.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.app.views.power import style as ps

NODE_W, NODE_H = 216.0, 78.0
PAD = 10.0
SIMPLE_BELOW = 0.2
"""Scale under which boxes are drawn as plain coloured tiles (text would be unreadable)."""
DETAIL_FROM = 0.75
"""Scale from which boxes show all their lines (the smallest, 7.5 pt, is then about 7.5 px)."""
COMPACT_PX = 10.0
"""Screen height (px) wanted for the compact text (name and utilisation)."""


def compact_text_px(scale: float) -> float:
    """Letter height in scene units for the compact box at ``scale`` (screen px per unit):
    :data:`COMPACT_PX` on screen, as long as two lines still fit the box."""
    return min(COMPACT_PX / max(scale, 1e-6), NODE_H * 0.4)


def smallest_text_px(scale: float) -> float:
    """The height on screen (px) of the smallest text a box draws at ``scale`` (0: none)."""
    if scale < SIMPLE_BELOW:
        return 0.0
    if scale < DETAIL_FROM:
        return compact_text_px(scale) * scale
    return 7.5 * 96 / 72 * scale


@dataclass
class NodeView:
    """What a box shows; the diagram fills it in from the results (and the scenario)."""

    title: str = ""
    tag: str = ""
    line2: str = ""
    util: float | None = None
    bar_text: str = ""
    line4: str = ""
    side: str = ""
    state: str = "live"
    """"live", "battery" or "dead"."""
    failed: bool = False
    overloaded: float | None = None
    transferred: bool = False
    note: str = ""
    """A short scenario note drawn instead of the bar (e.g. "on battery 10 min")."""


def ink_of(v: NodeView, dead: bool) -> QColor:
    return ps.DEAD_TEXT if dead else QColor("#1f2328")


class NodeBox(QGraphicsItem):
    """A diagram node; its origin is the centre of its top edge."""

    def __init__(self, key: str, kind: str) -> None:
        super().__init__()
        self.key = key
        self.kind = kind
        self.v = NodeView()
        self.highlighted = False
        self.tooltip_source = None
        """Callable returning the tooltip text, built on first hover (cheap to lay out)."""
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.PointingHandCursor)
        self.setZValue(10)
        # panning repaints blit cached pixmaps instead of redrawing text in Python
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    # -- geometry -------------------------------------------------------------------------------
    def rect(self) -> QRectF:
        return QRectF(-NODE_W / 2, 0.0, NODE_W, NODE_H)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect().adjusted(-8, -8, 8, 8)

    def top(self) -> QPointF:
        return self.pos()

    def bottom(self) -> QPointF:
        return self.pos() + QPointF(0, NODE_H)

    def set_view(self, v: NodeView) -> None:
        if v != self.v:
            self.v = v
            self.update()

    def set_highlighted(self, on: bool) -> None:
        if on != self.highlighted:
            self.highlighted = on
            self.update()

    def hoverEnterEvent(self, e) -> None:  # noqa: N802
        if self.tooltip_source is not None:
            self.setToolTip(self.tooltip_source())
        super().hoverEnterEvent(e)

    # -- painting -------------------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        v = self.v
        r = self.rect()
        dead = v.state == "dead"
        painter.setRenderHint(QPainter.Antialiasing, True)
        if self.highlighted:
            pen = QPen(ps.HIGHLIGHT, 4.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            painter.drawRoundedRect(r.adjusted(-4, -4, 4, 4), 8, 8)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        if lod < SIMPLE_BELOW:
            self.paint_simple(painter, r, dead)
            return
        self.paint_body(painter, r, dead)
        # outline: red and thick when overloaded
        if v.overloaded is not None:
            painter.setPen(QPen(ps.OVER, 3.0))
        else:
            painter.setPen(QPen(QColor("#9aa0a8") if dead else QColor("#5b6068"), 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRoundedRect(r, 5, 5)
        # side stripe
        stripe = ps.SIDE.get(v.side)
        if stripe is not None:
            c = QColor(stripe)
            if dead:
                c.setAlpha(90)
            painter.fillRect(QRectF(r.left() + 1, r.top() + 6, 4, r.height() - 12), c)
        if lod < DETAIL_FROM:
            self.paint_compact(painter, r, dead, lod)
        else:
            self.paint_text(painter, r, dead)
        if v.failed:
            pen = QPen(ps.FAILED, 4.0)
            pen.setCapStyle(Qt.RoundCap)
            painter.setPen(pen)
            m = 10
            painter.drawLine(QPointF(r.left() + m, r.top() + m), QPointF(r.right() - m, r.bottom() - m))
            painter.drawLine(QPointF(r.right() - m, r.top() + m), QPointF(r.left() + m, r.bottom() - m))
            self._chip(painter, r, "FAILED", ps.FAILED)
        elif v.overloaded is not None:
            self._chip(painter, r, f"OVERLOAD {ps.pct(v.overloaded)}", ps.OVER)
        elif v.state == "lost":
            self._chip(painter, r, "NO POWER", ps.LOST)
        elif v.state == "battery":
            self._chip(painter, r, "ON BATTERY", ps.BATTERY)
        elif v.transferred:
            self._chip(painter, r, "ON ALTERNATE", ps.TRANSFER)

    def paint_simple(self, painter: QPainter, r: QRectF, dead: bool) -> None:
        """Zoomed far out (a whole 1,000-rack hall): a coloured tile, no text."""
        v = self.v
        fill = ps.LOST if v.state == "lost" else ps.DEAD if dead else \
            ps.BATTERY if v.state == "battery" else QColor("#ffffff")
        painter.setPen(QPen(ps.OVER, 6.0) if v.overloaded is not None else Qt.NoPen)
        painter.setBrush(fill)
        painter.drawRect(r)
        if v.util is not None and not dead and v.state not in ("lost", "battery"):
            painter.fillRect(QRectF(r.left(), r.top() + r.height() * 0.3, r.width(), r.height() * 0.4),
                             ps.util_color(v.util))
        stripe = ps.SIDE.get(v.side)
        if stripe is not None:
            painter.fillRect(QRectF(r.left(), r.top(), 14, r.height()), stripe)
        if v.failed:
            painter.setPen(QPen(ps.FAILED, 10.0))
            painter.drawLine(r.topLeft(), r.bottomRight())
            painter.drawLine(r.topRight(), r.bottomLeft())

    def paint_body(self, painter: QPainter, r: QRectF, dead: bool) -> None:
        v = self.v
        painter.setPen(Qt.NoPen)
        painter.setBrush(ps.DEAD if dead else QColor("#ffffff"))
        painter.drawRoundedRect(r, 5, 5)
        if v.state == "battery":
            b = QBrush(QColor(ps.BATTERY.red(), ps.BATTERY.green(), ps.BATTERY.blue(), 70), Qt.BDiagPattern)
            painter.setBrush(b)
            painter.drawRoundedRect(r, 5, 5)

    def paint_text(self, painter: QPainter, r: QRectF, dead: bool) -> None:
        v = self.v
        ink = ink_of(v, dead)
        soft = ps.DEAD_TEXT if dead else QColor("#5b6068")
        x0, x1 = r.left() + PAD + 2, r.right() - PAD
        painter.setFont(ps.font(7.5))
        painter.setPen(soft)
        tag_w = painter.fontMetrics().horizontalAdvance(v.tag) + 4
        painter.drawText(QRectF(x1 - tag_w, r.top() + 4, tag_w, 17), Qt.AlignRight | Qt.AlignVCenter, v.tag)
        painter.setFont(ps.font(9.5, True))
        painter.setPen(ink)
        fm = painter.fontMetrics()
        title = fm.elidedText(v.title, Qt.ElideRight, int(x1 - x0 - tag_w - 4))
        painter.drawText(QRectF(x0, r.top() + 3, x1 - x0 - tag_w, 19), Qt.AlignLeft | Qt.AlignVCenter, title)
        painter.setFont(ps.font(8.5))
        painter.drawText(QRectF(x0, r.top() + 21, x1 - x0, 16), Qt.AlignLeft | Qt.AlignVCenter, v.line2)
        self._bar(painter, QRectF(x0, r.top() + 40, x1 - x0, 14), dead)
        painter.setFont(ps.font(7.5))
        painter.setPen(soft)
        painter.drawText(QRectF(x0, r.top() + 57, x1 - x0, 16), Qt.AlignLeft | Qt.AlignVCenter,
                         painter.fontMetrics().elidedText(v.line4, Qt.ElideRight, int(x1 - x0)))

    def paint_compact(self, painter: QPainter, r: QRectF, dead: bool, scale: float) -> None:
        """Fitted into a panel: the name and the utilisation (or the scenario's note), in
        letters :data:`COMPACT_PX` high on screen; the rest is in the tooltip and the table."""
        v = self.v
        lost = v.state == "lost"
        ink = QColor("#ffffff") if lost else ink_of(v, dead)
        px = max(1, round(compact_text_px(scale)))
        x0, x1 = r.left() + PAD + 2, r.right() - PAD
        f = QFont(ps.font(9.5, True))  # a copy: the shared font keeps its size
        f.setPixelSize(px)
        painter.setFont(f)
        painter.setPen(ink)
        half = r.height() / 2
        top = QRectF(x0, r.top() + 2, x1 - x0, half - 2)
        painter.drawText(top, Qt.AlignLeft | Qt.AlignVCenter,
                         painter.fontMetrics().elidedText(v.title, Qt.ElideRight, int(top.width())))
        low = QRectF(x0, r.top() + half, x1 - x0, half - 4)
        f.setBold(False)
        painter.setFont(f)
        if v.note:
            color = QColor("#ff8a80") if lost else ps.BATTERY if v.state == "battery" else \
                ps.OVER if v.overloaded is not None else ink
            painter.setPen(color)
            painter.drawText(low, Qt.AlignLeft | Qt.AlignVCenter,
                             painter.fontMetrics().elidedText(v.note, Qt.ElideRight, int(low.width())))
            return
        if dead or v.util is None:
            return
        text = ps.pct(v.util)
        bar = QRectF(low.left(), low.center().y() - px * 0.35, low.width() * 0.42, px * 0.7)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#eceef1"))
        painter.drawRect(bar)
        painter.setBrush(ps.util_color(v.util))
        painter.drawRect(QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(v.util, 1.0)), bar.height()))
        over = v.util > 1.0 + 1e-9
        painter.setPen(ps.OVER if over else ink)
        painter.drawText(QRectF(bar.right() + px * 0.4, low.top(), low.right() - bar.right() - px * 0.4, low.height()),
                         Qt.AlignLeft | Qt.AlignVCenter, text)

    def _bar(self, painter: QPainter, area: QRectF, dead: bool) -> None:
        """The load bar on the left of ``area`` and its figure beside it; a scenario note
        (on battery, lost) takes the whole line instead."""
        v = self.v
        if v.note:
            painter.setFont(ps.font(8.0, True))
            color = ps.BATTERY if v.state == "battery" else (ps.OVER if v.overloaded is not None else ink_of(v, dead))
            painter.setPen(color)
            painter.drawText(area, Qt.AlignLeft | Qt.AlignVCenter,
                             painter.fontMetrics().elidedText(v.note, Qt.ElideRight, int(area.width())))
            return
        if dead:
            return  # no load to show
        bar = QRectF(area.left(), area.top() + 1, area.width() * 0.3, area.height() - 2)
        painter.setPen(Qt.NoPen)
        painter.setBrush(QColor("#eceef1") if not dead else QColor("#c9ccd1"))
        painter.drawRect(bar)
        if v.util is not None and not dead:
            f = max(0.0, min(v.util, 1.0))
            painter.setBrush(ps.util_color(v.util))
            painter.drawRect(QRectF(bar.left(), bar.top(), bar.width() * f, bar.height()))
            # the 80 % mark: where the continuous-load margin starts
            painter.setPen(QPen(QColor(0, 0, 0, 110), 1.0))
            x = bar.left() + bar.width() * ps.NEAR_AT
            painter.drawLine(QPointF(x, bar.top()), QPointF(x, bar.bottom()))
        painter.setPen(QPen(QColor("#8a9099"), 1.0))
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(bar)
        if v.bar_text and not dead:
            painter.setFont(ps.font(7.5, True))
            over = v.util is not None and v.util > 1.0 + 1e-9
            painter.setPen(ps.OVER if over else QColor("#1f2328"))
            text_r = QRectF(bar.right() + 6, area.top(), area.right() - bar.right() - 6, area.height())
            painter.drawText(text_r, Qt.AlignLeft | Qt.AlignVCenter,
                             painter.fontMetrics().elidedText(v.bar_text, Qt.ElideRight, int(text_r.width())))

    def _chip(self, painter: QPainter, r: QRectF, text: str, color: QColor) -> None:
        painter.setFont(ps.font(7.0, True))
        w = painter.fontMetrics().horizontalAdvance(text) + 10
        chip = QRectF(r.center().x() - w / 2, r.top() - 9, w, 16)
        painter.setPen(Qt.NoPen)
        painter.setBrush(color)
        painter.drawRoundedRect(chip, 3, 3)
        painter.setPen(QColor("#ffffff"))
        painter.drawText(chip, Qt.AlignCenter, text)


class RacksBox(NodeBox):
    """A block of racks: drawn as a small stack of cards."""

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect().adjusted(-8, -8, 14, 14)

    def paint_simple(self, painter: QPainter, r: QRectF, dead: bool) -> None:
        """Zoomed far out (a whole 1,000-rack hall): a coloured tile, no text."""
        v = self.v
        fill = ps.LOST if v.state == "lost" else ps.DEAD if dead else \
            ps.BATTERY if v.state == "battery" else QColor("#ffffff")
        painter.setPen(QPen(ps.OVER, 6.0) if v.overloaded is not None else Qt.NoPen)
        painter.setBrush(fill)
        painter.drawRect(r)
        if v.util is not None and not dead and v.state not in ("lost", "battery"):
            painter.fillRect(QRectF(r.left(), r.top() + r.height() * 0.3, r.width(), r.height() * 0.4),
                             ps.util_color(v.util))
        stripe = ps.SIDE.get(v.side)
        if stripe is not None:
            painter.fillRect(QRectF(r.left(), r.top(), 14, r.height()), stripe)
        if v.failed:
            painter.setPen(QPen(ps.FAILED, 10.0))
            painter.drawLine(r.topLeft(), r.bottomRight())
            painter.drawLine(r.topRight(), r.bottomLeft())

    def paint_body(self, painter: QPainter, r: QRectF, dead: bool) -> None:
        v = self.v
        lost = v.state == "lost"
        painter.setPen(QPen(QColor("#9aa0a8"), 1.0))
        for d in (8.0, 4.0):
            painter.setBrush(QColor("#e6e8ec") if not (dead or lost) else QColor("#c4c7cc"))
            painter.drawRoundedRect(r.translated(d, d), 5, 5)
        painter.setPen(Qt.NoPen)
        fill = ps.LOST if lost else (ps.DEAD if dead else QColor("#f7f8fa"))
        painter.setBrush(fill)
        painter.drawRoundedRect(r, 5, 5)
        if v.state == "battery":
            b = QBrush(QColor(ps.BATTERY.red(), ps.BATTERY.green(), ps.BATTERY.blue(), 90), Qt.BDiagPattern)
            painter.setBrush(b)
            painter.drawRoundedRect(r, 5, 5)

    def paint_text(self, painter: QPainter, r: QRectF, dead: bool) -> None:
        if self.v.state == "lost":
            # white text on the dark "lost" fill
            v = self.v
            x0, x1 = r.left() + PAD + 2, r.right() - PAD
            painter.setPen(QColor("#ffffff"))
            painter.setFont(ps.font(9.5, True))
            painter.drawText(QRectF(x0, r.top() + 3, x1 - x0, 19), Qt.AlignLeft | Qt.AlignVCenter, v.title)
            painter.setFont(ps.font(8.5))
            painter.drawText(QRectF(x0, r.top() + 21, x1 - x0, 16), Qt.AlignLeft | Qt.AlignVCenter, v.line2)
            painter.setFont(ps.font(8.0, True))
            painter.setPen(QColor("#ff8a80"))
            painter.drawText(QRectF(x0, r.top() + 39, x1 - x0, 16), Qt.AlignLeft | Qt.AlignVCenter, v.note)
            painter.setPen(QColor("#ffffff"))
            painter.setFont(ps.font(7.5))
            painter.drawText(QRectF(x0, r.top() + 57, x1 - x0, 16), Qt.AlignLeft | Qt.AlignVCenter, v.line4)
            return
        super().paint_text(painter, r, dead)
