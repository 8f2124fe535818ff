"""Graphics items of the power overlay: all racks in one item, all power equipment in another.

One item per family (not per rack) keeps a 1,000-rack hall cheap: the racks' colours are
a handful of painter paths (one per class) rebuilt when results arrive, and text is drawn
only where it can be read. Neither item takes mouse clicks: they go to the plan items
underneath.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.app.views.power import style as ps

FILL_ALPHA = 150
MIN_TEXT_PPM = 28.0
"""Pixels per metre from which rack labels (minutes, %) are drawn."""


def _lod(painter: QPainter) -> float:
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def _cosmetic(color: QColor, width: float, style=Qt.SolidLine) -> QPen:
    pen = QPen(color, width)
    pen.setCosmetic(True)
    pen.setStyle(style)
    pen.setJoinStyle(Qt.MiterJoin)
    return pen


def _hatch(color: QColor, painter: QPainter, alpha: int = 220) -> QBrush:
    """A hatch pattern of constant screen spacing (Qt patterns scale with the view otherwise)."""
    b = QBrush(QColor(color.red(), color.green(), color.blue(), alpha), Qt.BDiagPattern)
    t = max(_lod(painter), 1e-6)
    b.setTransform(b.transform().scale(1 / t, 1 / t))
    return b


def _text(painter: QPainter, at: QPointF, text: str, color: QColor, bg: QColor | None = None,
          bold: bool = True, pt: float = 8.0) -> None:
    """Text centred at scene point ``at``, drawn in device pixels (crisp, constant size)."""
    dev = painter.worldTransform().map(at)
    painter.save()
    painter.resetTransform()
    painter.setFont(ps.font(pt, bold))
    fm = painter.fontMetrics()
    w, h = fm.horizontalAdvance(text) + 8, fm.height() + 2
    r = QRectF(dev.x() - w / 2, dev.y() - h / 2, w, h)
    if bg is not None:
        painter.setPen(Qt.NoPen)
        painter.setBrush(bg)
        painter.drawRoundedRect(r, 3, 3)
    painter.setPen(color)
    painter.drawText(r, Qt.AlignCenter, text)
    painter.restore()


_widths: dict[str, float] = {}


def _width(text: str) -> float:
    """Screen width of a label in the overlay's 8 pt bold font."""
    w = _widths.get(text)
    if w is None:
        from PySide6.QtGui import QFontMetricsF

        w = _widths[text] = QFontMetricsF(ps.font(8.0, True)).horizontalAdvance(text)
    return w


def _across(poly: QPolygonF) -> float:
    """The smaller side of a rack's outline (metres): what a label must fit across."""
    if poly.size() < 4:
        r = poly.boundingRect()
        return min(r.width(), r.height())
    a, b, c = poly.at(0), poly.at(1), poly.at(2)
    d1 = ((a.x() - b.x()) ** 2 + (a.y() - b.y()) ** 2) ** 0.5
    d2 = ((b.x() - c.x()) ** 2 + (b.y() - c.y()) ** 2) ** 0.5
    return min(d1, d2)


class _Field(QGraphicsItem):
    def __init__(self) -> None:
        super().__init__()
        self.bounds = QRectF()
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.bounds

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never hit: clicks and rubber bands see the plan items

    def _grow(self, rect: QRectF) -> None:
        if not rect.isNull():
            new = self.bounds.united(rect.adjusted(-1.5, -1.5, 1.5, 1.5))
            if new != self.bounds:
                self.prepareGeometryChange()
                self.bounds = new


class RackField(_Field):
    """Racks coloured by feed margin; in a failure scenario lost racks dark and crossed, racks
    on battery hatched with their minutes, racks with an overloaded cord outlined red."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(11)
        self.polys: dict[str, QPolygonF] = {}
        self.classes: dict[str, str] = {}
        self.paths: dict[str, QPainterPath] = {}
        self.lost = QPainterPath()
        self.crosses = QPainterPath()
        self.battery = QPainterPath()
        self.over = QPainterPath()
        self.labels: list[tuple[QPointF, tuple[str, ...], float, QColor]] = []
        """(centre, texts longest first, width across in metres, colour)."""
        self.scenario = False

    def set_polygon(self, rack_id: str, poly: QPolygonF) -> None:
        self.polys[rack_id] = poly
        self._grow(poly.boundingRect())

    def drop(self, rack_id: str) -> None:
        self.polys.pop(rack_id, None)

    def set_state(self, classes: dict[str, str], lost=(), battery=(), over: dict[str, float] | None = None,
                  minutes: float = 0.0, scenario: bool = False) -> None:
        """``classes``: rack id -> margin class; the rest only in a scenario."""
        self.classes = classes
        self.scenario = scenario
        paths: dict[str, QPainterPath] = {}
        lost, battery, over = set(lost), set(battery), over or {}
        for rid, cls in classes.items():
            poly = self.polys.get(rid)
            if poly is None or rid in lost:
                continue
            paths.setdefault(cls, QPainterPath()).addPolygon(poly)
        self.paths = paths
        self.lost, self.crosses, self.battery, self.over = QPainterPath(), QPainterPath(), QPainterPath(), QPainterPath()
        self.labels = []
        for rid in lost:
            poly = self.polys.get(rid)
            if poly is None:
                continue
            self.lost.addPolygon(poly)
            if rid in battery:
                self.battery.addPolygon(poly)
                self.labels.append((poly.boundingRect().center(), (f"{minutes:g} min", f"{minutes:g}"),
                                    _across(poly), ps.BATTERY))
            else:
                pts = [poly.at(i) for i in range(min(poly.size(), 4))]
                if len(pts) == 4:
                    self.crosses.moveTo(pts[0])
                    self.crosses.lineTo(pts[2])
                    self.crosses.moveTo(pts[1])
                    self.crosses.lineTo(pts[3])
        for rid, u in over.items():
            poly = self.polys.get(rid)
            if poly is not None:
                self.over.addPolygon(poly)
                self.labels.append((poly.boundingRect().center(), (ps.pct(u), f"{u * 100:.0f}"), _across(poly),
                                    ps.OVER))
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        painter.setPen(Qt.NoPen)
        for cls, path in self.paths.items():
            c = QColor(ps.MARGIN_COLOR.get(cls, ps.LOST if cls == "unpowered" else ps.NO_DATA))
            c.setAlpha(FILL_ALPHA)
            painter.fillPath(path, c)
        if not self.lost.isEmpty():
            painter.fillPath(self.lost, QColor(ps.LOST.red(), ps.LOST.green(), ps.LOST.blue(), 215))
            painter.setPen(_cosmetic(QColor("#ff5a4f"), 2.0))
            painter.drawPath(self.crosses)
        if not self.battery.isEmpty():
            painter.fillPath(self.battery, QColor(ps.BATTERY.red(), ps.BATTERY.green(), ps.BATTERY.blue(), 120))
            painter.fillPath(self.battery, _hatch(QColor("#ffffff"), painter, 200))
            painter.setPen(_cosmetic(ps.BATTERY, 2.0))
            painter.drawPath(self.battery)
        if not self.over.isEmpty():
            painter.setPen(_cosmetic(ps.OVER, 3.0))
            painter.setBrush(Qt.NoBrush)
            painter.drawPath(self.over)
        lod = _lod(painter)
        if self.labels and lod >= MIN_TEXT_PPM:
            area = option.exposedRect
            for at, texts, width, color in self.labels:
                if not area.contains(at):
                    continue
                # the longest form that fits across the rack ("10 min", else "10")
                text = next((t for t in texts if _width(t) + 4 <= width * lod), None)
                if text is not None:
                    _text(painter, at, text, QColor("#ffffff"), color)


@dataclass
class Equip:
    """One piece of power equipment as the overlay draws it (scene coordinates)."""

    id: str
    poly: QPolygonF | None = None
    path: QPainterPath | None = None
    anchor: QPointF = field(default_factory=QPointF)
    """Top-left of the load bar."""
    bar_w: float = 1.0
    util: float | None = None
    state: str = "live"
    failed: bool = False
    over: float | None = None
    note: str = ""
    name: str = ""
    """Named in the bar's label (busways: the bar is not on a labelled footprint)."""


BAR_H = 0.26


class EquipField(_Field):
    """Load bars under power equipment; in a scenario failed items crossed, de-energised
    ones greyed, items on battery hatched amber and overloaded ones outlined red."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(40)
        self.items: dict[str, Equip] = {}
        self.taps: dict[str, QPointF] = {}
        """Tap id -> its position: drawn only when it is the failed item."""
        self.failed_taps: list[str] = []
        self.scenario = False

    def set_equip(self, e: Equip) -> None:
        old = self.items.get(e.id)
        if old is not None:
            e.util, e.state, e.failed, e.over, e.note = old.util, old.state, old.failed, old.over, old.note
        self.items[e.id] = e
        if e.poly is not None:
            self._grow(e.poly.boundingRect())
        if e.path is not None:
            self._grow(e.path.boundingRect())
        self._grow(QRectF(e.anchor, QPointF(e.anchor.x() + e.bar_w, e.anchor.y() + BAR_H + 0.3)))

    def set_tap(self, tap_id: str, at: QPointF) -> None:
        self.taps[tap_id] = at
        self._grow(QRectF(at.x() - 0.3, at.y() - 0.3, 0.6, 0.6))

    def drop(self, item_id: str) -> None:
        self.items.pop(item_id, None)
        self.taps.pop(item_id, None)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        lod = _lod(painter)
        for e in self.items.values():
            dead = e.state == "dead"
            if e.path is not None:
                if e.failed or dead or e.over is not None:
                    color = ps.FAILED if e.failed else (ps.OVER if e.over is not None else QColor("#7b8087"))
                    pen = QPen(color, 0.32 if e.over is not None else 0.22)
                    pen.setCapStyle(Qt.FlatCap)
                    if dead and not e.failed:
                        pen.setStyle(Qt.DashLine)
                    painter.setPen(pen)
                    painter.drawPath(e.path)
                elif e.state == "battery":
                    pen = QPen(ps.BATTERY, 0.22)
                    painter.setPen(pen)
                    painter.drawPath(e.path)
            if e.poly is not None:
                if dead:
                    painter.setPen(_cosmetic(QColor("#5b6068"), 1.5, Qt.DashLine))
                    painter.setBrush(QColor(120, 124, 130, 170))
                    painter.drawPolygon(e.poly)
                elif e.state == "battery":
                    painter.setPen(_cosmetic(ps.BATTERY, 2.0))
                    painter.setBrush(_hatch(ps.BATTERY, painter))
                    painter.drawPolygon(e.poly)
                if e.over is not None:
                    painter.setPen(_cosmetic(ps.OVER, 3.5))
                    painter.setBrush(Qt.NoBrush)
                    painter.drawPolygon(e.poly)
                if e.failed:
                    r = e.poly.boundingRect()
                    painter.setPen(_cosmetic(ps.FAILED, 3.0))
                    painter.drawLine(r.topLeft(), r.bottomRight())
                    painter.drawLine(r.topRight(), r.bottomLeft())
            self._bar(painter, e, lod)
        for t in self.failed_taps:  # a failed tap-off box: a cross at its position
            a = self.taps.get(t)
            if a is None:
                continue
            painter.setPen(_cosmetic(ps.FAILED, 3.0))
            painter.drawLine(a + QPointF(-0.2, -0.2), a + QPointF(0.2, 0.2))
            painter.drawLine(a + QPointF(0.2, -0.2), a + QPointF(-0.2, 0.2))
            if lod > 20:
                _text(painter, a + QPointF(0, 0.2 + 9 / lod), "FAILED", QColor("#ffffff"), ps.FAILED)

    def _bar(self, painter: QPainter, e: Equip, lod: float) -> None:
        bar = QRectF(e.anchor.x(), e.anchor.y(), e.bar_w, BAR_H)
        if e.failed or e.state in ("dead", "battery"):
            label = "FAILED" if e.failed else (e.note or "battery" if e.state == "battery" else "off")
            if e.name:
                label = f"{e.name} {label}"
            bg = ps.FAILED if e.failed else (ps.BATTERY if e.state == "battery" else QColor("#6b7078"))
            if lod * bar.width() > 18:
                _text(painter, bar.center() if not e.name else QPointF(bar.center().x(), bar.bottom() + 6 / lod), label, QColor("#ffffff"), bg)
            return
        if e.util is None:
            return
        painter.setPen(_cosmetic(QColor("#5b6068"), 1.0))
        painter.setBrush(QColor(255, 255, 255, 230))
        painter.drawRect(bar)
        painter.setPen(Qt.NoPen)
        painter.setBrush(ps.util_color(e.util))
        painter.drawRect(QRectF(bar.left(), bar.top(), bar.width() * max(0.0, min(e.util, 1.0)), bar.height()))
        if lod * bar.width() > 24 and lod * BAR_H > 4:
            text = e.note or ps.pct(e.util)
            if e.name:
                text = f"{e.name} {text}"
            _text(painter, QPointF(bar.center().x(), bar.bottom() + 0.5 * BAR_H + 6 / lod), text,
                  ps.OVER if e.over is not None else QColor("#1f2328"), QColor(255, 255, 255, 215), pt=7.5)
