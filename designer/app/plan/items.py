"""Graphics items of the plan. Each holds an item id, never a model object, and redraws
itself from the model when the scene tells it to (:meth:`PlanItem.sync`)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.app.plan.coords import scene_rotation, to_scene
from designer.app.window import style
from designer.model import hall as h
from designer.model import power as p
from designer.model.base import Placed

LABEL_FONT = QFont("DejaVu Sans", 10)
_widths: dict[str, float] = {}


def _text_width(text: str) -> float:
    w = _widths.get(text)
    if w is None:
        from PySide6.QtGui import QFontMetricsF

        w = _widths[text] = QFontMetricsF(LABEL_FONT).horizontalAdvance(text) + 2.0
    return w


class PlanItem(QGraphicsItem):
    """Base: id, layer, selection and finding-status drawing."""

    layer = "modules"
    z = 0.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__()
        self.item_id = item_id
        self.kind = kind
        self.status: str | None = None
        self.base_pos = QPointF(0, 0)
        self.setZValue(self.z)
        self.setAcceptHoverEvents(False)
        # Repaints during a drag then blit cached pixmaps instead of calling paint() in
        # Python for every visible item; the cache is redrawn when the item or zoom changes.
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def sync(self, model, scene) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def preview_offset(self, dx: float, dy: float) -> None:
        """Show the item shifted by (dx, dy) metres without touching the model."""
        self.setPos(self.base_pos + QPointF(dx, -dy))

    def set_status(self, status: str | None) -> None:
        if status != self.status:
            self.status = status
            self.update()

    def outline(self) -> QPainterPath:
        """The selection outline in scene coordinates (drawn by the scene's overlay, so
        selecting never invalidates the item's cached pixmap)."""
        return self.mapToScene(self.shape())

    def _outline_pen(self, painter: QPainter, default: QColor, width_px: float = 1.0) -> QPen:
        """A pen ``width_px`` device pixels wide, given in metres (the painter's units) for the
        painter's current scale rather than as a cosmetic pen: the same on screen, and an
        SVG gets a plain stroke width instead of ``vector-effect: non-scaling-stroke``, which
        librsvg and CairoSVG ignore (they drew 1 px outlines 76 px wide at 1:50)."""
        color, w = (style.STATUS[self.status], 2.5) if self.status in style.STATUS else (default, width_px)
        return QPen(color, w / max(lod(painter), 1e-9))

    def labels_on(self) -> bool:
        sc = self.scene()
        return sc is None or sc.layer_visible("labels")


def svg_dashes(pen: QPen, pattern: tuple[float, ...] = (4.0, 2.0)) -> None:
    """Give a thin pen its dash pattern in absolute units, for Qt's SVG generator.

    Qt multiplies the pattern by the pen's width when it paints, but its SVG generator by
    the width rounded to whole units (0 taken as 1): a pen 0.03 m wide got dashes 4 m long
    in librsvg and CairoSVG. Pre-multiplied, the SVG says what Qt paints.
    """
    if pen.widthF() < 0.5:
        pen.setDashPattern([d * pen.widthF() for d in pattern])


def dash(pen: QPen, painter: QPainter) -> None:
    """Dashed, the same on screen, in PDF and in SVG (see :func:`svg_dashes`)."""
    from PySide6.QtSvg import QSvgGenerator

    pen.setStyle(Qt.DashLine)
    if isinstance(painter.device(), QSvgGenerator):
        svg_dashes(pen)


def lod(painter: QPainter) -> float:
    """Screen pixels per metre at which the item is being drawn."""
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())


def draw_label(painter: QPainter, rect: QRectF, text: str, rotation_deg: float, max_px: float = 11.0) -> None:
    """Text centred in ``rect`` (item coordinates, metres), kept upright and readable.

    The painter is scaled so a 10-point font spans the box; labels that would be
    illegibly small on screen are skipped.
    """
    if not text:
        return
    lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
    painter.save()
    painter.translate(rect.center())
    painter.rotate(-scene_rotation(rotation_deg))
    turned = abs(math.sin(math.radians(rotation_deg))) > 0.7
    w, hgt = (rect.height(), rect.width()) if turned else (rect.width(), rect.height())
    fm_w = max(1.0, _text_width(text))
    scale = min(w * 0.92 / fm_w, hgt * 0.6 / 12.0, max_px / 10.0 / max(lod, 1e-9))
    if scale * lod * 10 < 5.5:
        painter.restore()
        return
    painter.scale(scale, scale)
    painter.setFont(LABEL_FONT)
    painter.setPen(style.LABEL)
    painter.drawText(QRectF(-w / 2 / scale, -hgt / 2 / scale, w / scale, hgt / scale),
                     Qt.AlignCenter, text)
    painter.restore()


PORTS_FROM_PX_PER_M = 22.0
"""Rack and CDU pipe ports are drawn from this zoom on (a 0.6 m rack is 13 px wide there)."""
PORT_R = 0.055


def draw_ports(painter: QPainter, width: float, y: float, colors, inset: float = 0.07) -> None:
    """Two pipe ports, supply left and return right at a quarter of ``width`` from the
    middle, on the line ``y`` (moved ``inset`` into the item so the circle stays on it)."""
    yy = y - inset if y > 0 else y + inset
    for x, color in ((-width / 4, colors[0]), (width / 4, colors[1])):
        painter.setPen(QPen(color.darker(130), 0.02))
        painter.setBrush(QBrush(color))
        painter.drawEllipse(QPointF(x, yy), PORT_R, PORT_R)


class PlacedItem(PlanItem):
    """A rectangle-footprint item: local rect centred on the origin, front at the top."""

    fill = QColor("#dddddd")
    edge = style.RACK_EDGE

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.w = self.d = 1.0
        self.rot = 0.0
        self.text = ""
        self.setFlag(QGraphicsItem.ItemIsFocusable, False)

    def rect(self) -> QRectF:
        return QRectF(-self.w / 2, -self.d / 2, self.w, self.d)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect().adjusted(-0.05, -0.05, 0.05, 0.05)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return path

    def sync(self, m: Placed, scene) -> None:
        self.prepareGeometryChange()
        self.w, self.d, self.rot = m.width_m, m.depth_m, m.rotation_deg
        self.text = m.name or m.id
        self.base_pos = to_scene(m.x, m.y)
        self.setPos(self.base_pos)
        self.setRotation(scene_rotation(m.rotation_deg))
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        r = self.rect()
        painter.setBrush(QBrush(self.fill))
        painter.setPen(self._outline_pen(painter, self.edge))
        painter.drawRect(r)
        self.paint_detail(painter, r)
        if self.labels_on():
            draw_label(painter, r, self.text, self.rot)

    def paint_detail(self, painter: QPainter, r: QRectF) -> None:
        pass


class ModuleItem(PlacedItem):
    layer = "modules"
    z = -5.0
    fill = style.MODULE_FILL
    edge = style.MODULE_EDGE

    def paint(self, painter, option, widget=None) -> None:
        r = self.rect()
        painter.setBrush(QBrush(self.fill))
        pen = self._outline_pen(painter, self.edge, 2.0)
        if self.status is None:
            dash(pen, painter)
        painter.setPen(pen)
        painter.drawRect(r)
        if self.labels_on():
            # module name along its top-left corner, small
            band = QRectF(r.left(), r.top(), min(r.width(), 4.0), min(0.6, r.height() / 4))
            draw_label(painter, band, self.text, self.rot, max_px=12)


class RackItem(PlacedItem):
    layer = "racks"
    z = 10.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.cooling = "air"
        self.badge: str | None = None

    def sync(self, m: h.Rack, scene) -> None:
        self.cooling = "air" if m.liquid_fraction <= 0 else ("liquid" if m.liquid_fraction >= 0.75 else "hybrid")
        self.fill = style.RACK[self.cooling]
        super().sync(m, scene)

    def paint_detail(self, painter: QPainter, r: QRectF) -> None:
        # the front (cold side) is the top edge in local coordinates
        scale = lod(painter)
        if scale < 6:
            return
        pen = QPen(style.FRONT, 0.06)
        pen.setCapStyle(Qt.FlatCap)
        painter.setPen(pen)
        painter.drawLine(QPointF(r.left() + 0.03, r.top() + 0.03), QPointF(r.right() - 0.03, r.top() + 0.03))
        if self.cooling != "air" and scale >= PORTS_FROM_PX_PER_M:
            draw_ports(painter, r.width(), r.bottom(), (style.SUPPLY, style.RETURN))


class CduItem(PlacedItem):
    layer = "liquid"
    z = 9.0
    fill = style.CDU

    def sync(self, m, scene) -> None:
        super().sync(m, scene)
        self.text = m.name or "CDU"

    def paint_detail(self, painter, r) -> None:
        if lod(painter) >= PORTS_FROM_PX_PER_M:
            # secondary ports on the rear face, primary (facility water) ports on top near the front
            draw_ports(painter, r.width(), r.bottom(), (style.SUPPLY, style.RETURN))
            draw_ports(painter, r.width(), r.top() + r.height() / 4, (style.FACILITY_SUPPLY, style.FACILITY_RETURN),
                       inset=0.0)
            return
        painter.setPen(QPen(style.SUPPLY, 0.04))
        painter.drawEllipse(QPointF(-r.width() / 4, r.bottom() - 0.08), 0.05, 0.05)
        painter.setPen(QPen(style.RETURN, 0.04))
        painter.drawEllipse(QPointF(r.width() / 4, r.bottom() - 0.08), 0.05, 0.05)


class AirUnitItem(PlacedItem):
    layer = "air"
    z = 9.0
    fill = style.AIR_UNIT

    def paint_detail(self, painter, r) -> None:
        # supply arrow out of the front
        pen = QPen(style.FRONT, 0.04)
        painter.setPen(pen)
        cx = r.center().x()
        top = r.top()
        painter.drawLine(QPointF(cx, top + r.height() * 0.6), QPointF(cx, top - 0.25))
        painter.drawLine(QPointF(cx, top - 0.25), QPointF(cx - 0.1, top - 0.1))
        painter.drawLine(QPointF(cx, top - 0.25), QPointF(cx + 0.1, top - 0.1))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect().adjusted(-0.15, -0.35, 0.15, 0.05)


class PowerItem(PlacedItem):
    layer = "power"
    z = 8.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.fill = style.POWER.get(kind, QColor("#f3d3b0"))
        self.edge = QColor("#8a5a2b")


class ServiceItem(PlacedItem):
    """Site services: a utility supply or generator (power layer), facility water (liquid)."""

    z = 8.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.layer = "power" if kind == "source" else "liquid"
        self.symbol = ""

    def sync(self, m, scene) -> None:
        if self.kind == "source":
            self.fill = style.SOURCE.get(m.kind, style.SOURCE["utility"])
            self.edge = QColor("#8a5a2b")
            self.symbol = "G" if m.kind == "generator" else "~"
        else:
            self.fill = style.WATER
            self.edge = QColor("#2b6f8a")
            self.symbol = "\u2248"
        super().sync(m, scene)

    def paint(self, painter: QPainter, option, widget=None) -> None:
        r = self.rect()
        painter.setBrush(QBrush(self.fill))
        painter.setPen(self._outline_pen(painter, self.edge))
        painter.drawRect(r)
        scale = lod(painter)
        d = min(r.width(), r.height()) * 0.45 + 0.12
        # the symbol only where the name still fits beside it (at a readable 6 px or more)
        symbol = scale >= 8 and (r.width() - d) * scale >= _text_width(self.text) * 0.6
        if symbol:
            self.paint_detail(painter, r)
        if self.kind == "water_supply" and scale >= 8:
            draw_ports(painter, r.width(), r.top(), (style.FACILITY_SUPPLY, style.FACILITY_RETURN))
        if self.labels_on():
            draw_label(painter, r.adjusted(d if symbol else 0.0, 0, 0, 0), self.text, self.rot)

    def paint_detail(self, painter, r) -> None:
        d = min(r.width(), r.height()) * 0.45
        circle = QRectF(r.left() + 0.08, r.center().y() - d / 2, d, d)
        painter.setPen(QPen(self.edge, 0.04))
        painter.setBrush(Qt.NoBrush)
        painter.drawEllipse(circle)
        draw_label(painter, circle, self.symbol, self.rot)


class OpeningItem(PlacedItem):
    """A perforated floor tile or a ceiling return grille: a hatched square."""

    layer = "air"
    z = -3.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.fill = style.TILE if kind == "floor_tile" else style.GRILLE
        self.edge = QColor("#5c7f9e") if kind == "floor_tile" else QColor("#9e6a5c")

    def sync(self, m, scene) -> None:
        super().sync(m, scene)
        self.text = f"{m.open_fraction:.0%}"

    def paint_detail(self, painter, r) -> None:
        if lod(painter) < 10:
            return
        painter.setPen(QPen(self.edge, 0.01))
        n = 4
        for k in range(1, n):
            x = r.left() + r.width() * k / n
            y = r.top() + r.height() * k / n
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))


class PolylineItem(PlanItem):
    """Base of items drawn as a path in scene coordinates (pipes, busways)."""

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.path = QPainterPath()
        self._bounds = QRectF()

    def set_points(self, pts: list[QPointF]) -> None:
        self.prepareGeometryChange()
        path = QPainterPath()
        if pts:
            path.moveTo(pts[0])
            for q in pts[1:]:
                path.lineTo(q)
        self.path = path
        self._bounds = path.boundingRect().adjusted(-0.2, -0.2, 0.2, 0.2)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def shape(self) -> QPainterPath:
        from PySide6.QtGui import QPainterPathStroker

        st = QPainterPathStroker()
        st.setWidth(0.25)
        return st.createStroke(self.path)

    def outline(self) -> QPainterPath:
        return self.mapToScene(self.path)


class PipeItem(PolylineItem):
    layer = "liquid"
    z = 12.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.role = "supply"
        self.width_m = 0.05
        self.color: QColor | None = None
        """Overlay colour (velocity or flow) set by the liquid results; None = role colour."""
        self.ends: tuple[str, str] = ("", "")

    def sync(self, m: h.Pipe, scene) -> None:
        self.role = m.role
        self.width_m = max(0.03, min(m.diameter_m, 0.2))
        self.ends = (m.start.item_id, m.end.item_id)
        self.rebuild(scene)

    def rebuild(self, scene, offsets: dict | None = None) -> None:
        m = scene.model(self.item_id)
        if m is None:
            return
        offsets = offsets or {}
        a = scene.port_point(m.start, offsets)
        b = scene.port_point(m.end, offsets)
        own = offsets.get(self.item_id, (0.0, 0.0))
        mids = [to_scene(x + own[0], y + own[1]) for x, y in m.points]
        pts = [q for q in (a, *mids, b) if q is not None]
        self.set_points(pts)

    def preview_offset(self, dx: float, dy: float) -> None:
        pass  # pipes are rebuilt by the scene during previews

    def paint(self, painter, option, widget=None) -> None:
        color = self.color or {"supply": style.SUPPLY, "return": style.RETURN,
                               "facility_supply": style.FACILITY_SUPPLY,
                               "facility_return": style.FACILITY_RETURN}.get(self.role, style.SUPPLY)
        if lod(painter) < 12 and self.status is None:
            pen = QPen(color, 0)  # zoomed out: a hairline is all that can be seen
            painter.setPen(pen)
            painter.drawPath(self.path)
            return
        if self.status in style.STATUS:
            pen = QPen(style.STATUS[self.status], self.width_m * 2.2)
            painter.setPen(pen)
            painter.drawPath(self.path)
        pen = QPen(color, self.width_m)
        pen.setCapStyle(Qt.RoundCap)
        pen.setJoinStyle(Qt.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path)


class JunctionItem(PlanItem):
    layer = "liquid"
    z = 13.0
    R = 0.06

    def sync(self, m: h.Junction, scene) -> None:
        self.base_pos = to_scene(m.x, m.y)
        self.setPos(self.base_pos)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-self.R * 2, -self.R * 2, self.R * 4, self.R * 4)

    def paint(self, painter, option, widget=None) -> None:
        if lod(painter) < 25:
            return  # a tee is not worth a dot until zoomed in
        painter.setPen(self._outline_pen(painter, QColor("#333333")))
        painter.setBrush(QColor("#555555"))
        painter.drawEllipse(QPointF(0, 0), self.R, self.R)


class BuswayItem(PolylineItem):
    layer = "power"
    z = 14.0

    def sync(self, m: p.Busway, scene) -> None:
        self.text = m.name or m.id
        self.set_points([to_scene(x, y) for x, y in m.path])

    def paint(self, painter, option, widget=None) -> None:
        if self.status in style.STATUS:
            painter.setPen(QPen(style.STATUS[self.status], 0.3))
            painter.drawPath(self.path)
        pen = QPen(style.BUSWAY, 0.14)
        pen.setCapStyle(Qt.FlatCap)
        painter.setPen(pen)
        painter.drawPath(self.path)


class TapItem(PlanItem):
    layer = "power"
    z = 15.0
    S = 0.12

    def sync(self, m: p.BuswayTap, scene) -> None:
        bw = scene.model(m.busway_id)
        pt = (0.0, 0.0)
        if len(getattr(bw, "path", None) or ()) >= 2:  # a tap naming a non-busway is a validation error
            pt = point_along(bw.path, m.offset_m)
        self.base_pos = to_scene(*pt)
        self.setPos(self.base_pos)

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-self.S, -self.S, self.S * 2, self.S * 2)

    def paint(self, painter, option, widget=None) -> None:
        if lod(painter) < 15:
            return
        painter.setPen(self._outline_pen(painter, QColor("#40205a")))
        painter.setBrush(style.TAP)
        painter.drawRect(QRectF(-self.S / 2, -self.S / 2, self.S, self.S))


class PolygonItem(PlanItem):
    """Obstructions and containment: polygons in scene coordinates."""

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.poly = QPolygonF()
        self.fill = QBrush(style.OBSTRUCTION)
        self.edge = QColor("#333333")
        if kind == "obstruction":
            self.layer = "modules"
            self.setZValue(20)
        else:
            self.layer = "air"
            self.setZValue(-2)

    def sync(self, m, scene) -> None:
        self.prepareGeometryChange()
        self.poly = QPolygonF([to_scene(x, y) for x, y in m.polygon])
        if self.kind == "containment":
            c = style.HOT if m.kind == "hot" else style.COLD
            self.fill = QBrush(c, Qt.BDiagPattern)
            self.edge = QColor(c.red(), c.green(), c.blue(), 200)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.poly.boundingRect().adjusted(-0.1, -0.1, 0.1, 0.1)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addPolygon(self.poly)
        path.closeSubpath()
        return path

    def paint(self, painter, option, widget=None) -> None:
        if self.kind == "containment":
            t = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
            b = QBrush(self.fill)
            b.setTransform(b.transform().scale(1 / max(t, 1e-6), 1 / max(t, 1e-6)))
            painter.setBrush(b)
        else:
            painter.setBrush(self.fill)
        painter.setPen(self._outline_pen(painter, self.edge, 2.0))
        painter.drawPolygon(self.poly)


DIM_COLOR = QColor("#1f4e9a")


def dimension_text(dim: h.Dimension, units: str = "SI") -> str:
    from designer.model.units import fmt

    return dim.text or fmt(dim.length_m, "length", units, 2)


def draw_dimension(painter: QPainter, dim: h.Dimension, units: str = "SI", preview: bool = False,
                   color: QColor | None = None) -> None:
    """A dimension in scene coordinates: extension lines from the measured points to the
    dimension line, the line with slashes at its ends (architectural ticks), and its text
    along it, upright. Text is about 11 px high on screen (between 0.15 and 0.6 m)."""
    (x0, y0), (x1, y1) = dim.start, dim.end
    (ax, ay), (bx, by) = dim.line()
    scale = lod(painter)
    color = color or DIM_COLOR
    painter.save()
    # one device pixel, in metres (a cosmetic pen becomes non-scaling-stroke in an SVG,
    # which librsvg and CairoSVG ignore)
    pen = QPen(color, 1.0 / max(scale, 1e-9))
    if preview:
        dash(pen, painter)
    painter.setPen(pen)
    painter.setBrush(Qt.NoBrush)
    L = dim.length_m or 1.0
    nx, ny = -(y1 - y0) / L, (x1 - x0) / L
    over = math.copysign(0.15, dim.offset_m) if dim.offset_m else 0.15
    for (px, py), (qx, qy) in (((x0, y0), (ax, ay)), ((x1, y1), (bx, by))):
        painter.drawLine(to_scene(px + nx * math.copysign(0.05, dim.offset_m or 1), py + ny * math.copysign(
            0.05, dim.offset_m or 1)), to_scene(qx + nx * over, qy + ny * over))
    painter.drawLine(to_scene(ax, ay), to_scene(bx, by))
    t = 0.12  # tick half-length, metres
    ux, uy = (x1 - x0) / L, (y1 - y0) / L
    tx, ty = (ux + nx) * t / math.sqrt(2), (uy + ny) * t / math.sqrt(2)
    for cx, cy in ((ax, ay), (bx, by)):
        painter.drawLine(to_scene(cx - tx, cy - ty), to_scene(cx + tx, cy + ty))
    h_m = min(0.6, max(0.15, 11.0 / max(scale, 1e-9)))
    if h_m * scale >= 6.0:
        text = dimension_text(dim, units)
        ang = math.degrees(math.atan2(by - ay, bx - ax))
        if ang > 90 or ang <= -90:
            ang += 180  # keep it readable, never upside down
        mid = to_scene((ax + bx) / 2, (ay + by) / 2)
        painter.translate(mid)
        painter.rotate(-ang)
        k = h_m / 12.0
        painter.scale(k, k)
        painter.setFont(LABEL_FONT)
        painter.setPen(color)
        w = _text_width(text)
        box = QRectF(-w / 2 - 2, -15, w + 4, 14)  # above the line as read
        painter.fillRect(box, QColor(255, 255, 255, 200))
        painter.drawText(box, Qt.AlignCenter, text)
    painter.restore()


class DimensionItem(PlanItem):
    """A dimension annotation (see :func:`draw_dimension`)."""

    layer = "dimensions"
    z = 40.0

    def __init__(self, item_id: str, kind: str) -> None:
        super().__init__(item_id, kind)
        self.dim: h.Dimension | None = None
        self.units = "SI"
        self._bounds = QRectF()
        self._shape = QPainterPath()
        self.setCacheMode(QGraphicsItem.NoCache)  # text sized in screen pixels

    def sync(self, m: h.Dimension, scene) -> None:
        self.prepareGeometryChange()
        self.dim = m
        session = getattr(scene, "session", None)
        # the app's view setting; an export's scene has only the project's own setting
        self.units = getattr(session, "units", None) or getattr(
            getattr(getattr(session, "project", None), "settings", None), "units", "SI")
        a, b = m.line()
        pts = [to_scene(*m.start), to_scene(*m.end), to_scene(*a), to_scene(*b)]
        poly = QPolygonF(pts)
        self._bounds = poly.boundingRect().adjusted(-2.0, -2.0, 2.0, 2.0)
        from PySide6.QtGui import QPainterPathStroker

        line = QPainterPath()
        line.moveTo(pts[2])
        line.lineTo(pts[3])
        st = QPainterPathStroker()
        st.setWidth(0.3)
        self._shape = st.createStroke(line)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def shape(self) -> QPainterPath:
        return self._shape

    def paint(self, painter, option, widget=None) -> None:
        if self.dim is not None:
            color = style.STATUS.get(self.status) if self.status in style.STATUS else None
            draw_dimension(painter, self.dim, self.units, color=color)


def point_along(path, offset: float) -> tuple[float, float]:
    """The point ``offset`` metres along a polyline (clamped to its ends)."""
    acc = 0.0
    for a, b in zip(path, path[1:], strict=False):
        seg = math.dist(a, b)
        if seg > 0 and acc + seg >= offset:
            t = (offset - acc) / seg
            return (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        acc += seg
    return tuple(path[-1])


ITEM_CLASSES = {
    "module": ModuleItem, "rack": RackItem, "cdu": CduItem, "air_unit": AirUnitItem,
    "transformer": PowerItem, "switchboard": PowerItem, "ups": PowerItem, "pdu": PowerItem,
    "pipe": PipeItem, "junction": JunctionItem, "busway": BuswayItem, "tap": TapItem,
    "obstruction": PolygonItem, "containment": PolygonItem,
    "source": ServiceItem, "water_supply": ServiceItem,
    "floor_tile": OpeningItem, "ceiling_grille": OpeningItem, "dimension": DimensionItem,
}
