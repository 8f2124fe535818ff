"""The placement map: sites, data sources, links, tethers and assignment lines, drawn locally.

No tiles and no network: an equirectangular projection in kilometres, x scaled by the
cosine of the mean latitude so that distances read true near the middle of the map. The
graticule and the km scale bar are painted per frame (they follow the zoom); the legend is
rich text for a label under the map (:func:`legend_html`), so it never hides a site;
markers and labels keep their pixel size (``ItemIgnoresTransformations``) and lines use
cosmetic pens. Assignment lines run from each workload's data source to its module's site,
bowed so that several between the same two places stay apart, coloured by latency margin.
"""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsScene, QGraphicsView, QToolTip

from designer.analysis.placement import counts_text
from designer.app.views.placement import style as ps
from designer.app.views.placement.models import breakdown_text
from designer.app.views.placement.style import fmt_num

R_KM = 6371.0088
LOCAL_SHARE = 0.015
"""A source closer to its module's site than this share of the map's extent (a line of a few
pixels at full view) is drawn as a ring round the site instead of a line."""


class Projection:
    """lat/lon (degrees) <-> scene (km east, km south) about the mean of the given points."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        if points:
            self.lat0 = sum(p[0] for p in points) / len(points)
            self.lon0 = sum(p[1] for p in points) / len(points)
        else:
            self.lat0 = self.lon0 = 0.0
        self.k = math.cos(math.radians(self.lat0))

    def to_scene(self, lat: float, lon: float) -> QPointF:
        return QPointF(R_KM * math.radians(lon - self.lon0) * self.k, -R_KM * math.radians(lat - self.lat0))

    def to_geo(self, p: QPointF) -> tuple[float, float]:
        return (self.lat0 - math.degrees(p.y() / R_KM), self.lon0 + math.degrees(p.x() / (R_KM * self.k)))


def _shape_path(shape: str, r: float) -> QPainterPath:
    path = QPainterPath()
    if shape == "circle":
        path.addEllipse(QPointF(0, 0), r, r)
    elif shape == "square":
        path.addRect(QRectF(-r * 0.85, -r * 0.85, r * 1.7, r * 1.7))
    elif shape == "diamond":
        path.addPolygon(QPolygonF([QPointF(0, -r * 1.25), QPointF(r * 1.25, 0), QPointF(0, r * 1.25),
                                   QPointF(-r * 1.25, 0)]))
    elif shape == "triangle":
        path.addPolygon(QPolygonF([QPointF(0, -r * 1.15), QPointF(r * 1.1, r * 0.85), QPointF(-r * 1.1, r * 0.85)]))
    elif shape == "hexagon":
        path.addPolygon(QPolygonF([QPointF(r * 1.05 * math.cos(a), r * 1.05 * math.sin(a))
                                   for a in (math.pi / 3 * i for i in range(6))]))
    elif shape == "cross":
        path.moveTo(-r, -r)
        path.lineTo(r, r)
        path.moveTo(-r, r)
        path.lineTo(r, -r)
    path.closeSubpath()
    return path


class Marker(QGraphicsItem):
    """A constant-size symbol with an optional label to its right."""

    def __init__(self, shape: str, color: QColor, r: float, label: str = "", fill: bool = True,
                 bold: bool = False, pen_w: float = 1.4, below: bool = False) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)
        self.shape_name = shape
        self.color = QColor(color)
        self.r = r
        self.fill = fill
        self.pen_w = pen_w
        self.path = _shape_path(shape, r)
        self.label = label
        self.font = QFont()
        self.font.setPointSizeF(8.5)
        self.font.setBold(bold)
        self.ring: QColor | None = None
        self.text_color = QColor("#23262b")
        self.show_label = bool(label)
        self.dim = False
        fm = QFontMetricsF(self.font)
        lw = fm.horizontalAdvance(label) + 6
        self._label_rect = (QRectF(-lw / 2, self.r + 3, lw, fm.height()) if below
                            else QRectF(self.r + 4, -fm.height() / 2, lw, fm.height()))
        rr = self.r * 1.25 + 6
        b = QRectF(-rr, -rr, 2 * rr, 2 * rr)
        self._bounds = b.united(self._label_rect) if label else b
        # constant pixel size: a cached pixmap serves every pan and zoom until the item changes
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def label_rect(self) -> QRectF:
        return self._label_rect

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._bounds

    def paint(self, p: QPainter, _opt, _w=None) -> None:
        p.setRenderHint(QPainter.Antialiasing)
        c = QColor(self.color)
        if self.dim:
            c.setAlpha(110)
        if self.ring is not None:
            p.setPen(QPen(self.ring, 3))
            p.setBrush(Qt.NoBrush)
            p.drawEllipse(QPointF(0, 0), self.r * 1.25 + 4, self.r * 1.25 + 4)
        p.setPen(QPen(QColor("white") if self.fill else c, self.pen_w if self.fill else 1.8))
        p.setBrush(QBrush(c) if self.fill else QBrush(QColor(255, 255, 255, 200)))
        if self.shape_name == "cross":
            p.setPen(QPen(c, 3, Qt.SolidLine, Qt.RoundCap))
            p.setBrush(Qt.NoBrush)
        p.drawPath(self.path)
        if self.label and self.show_label:
            p.setFont(self.font)
            rect = self._label_rect
            p.setPen(Qt.NoPen)
            p.setBrush(QColor(255, 255, 255, 190))  # a light backing keeps the label legible over lines
            p.drawRoundedRect(rect, 3, 3)
            p.setPen(self.text_color if not self.dim else QColor(60, 60, 60, 140))
            p.drawText(rect.adjusted(3, 0, 0, 0), Qt.AlignVCenter | Qt.AlignLeft, self.label)


class LocalRings(QGraphicsItem):
    """Workloads served at the site their data comes from: one coloured ring each."""

    def __init__(self, colors: list[QColor], r0: float) -> None:
        super().__init__()
        self.setFlag(QGraphicsItem.ItemIgnoresTransformations)
        self.colors = colors
        self.r0 = r0
        self.alpha = [255] * len(colors)
        self.widths = [2.5] * len(colors)
        self.setCacheMode(QGraphicsItem.DeviceCoordinateCache)

    def boundingRect(self) -> QRectF:  # noqa: N802
        r = self.r0 + 4 * len(self.colors) + 6
        return QRectF(-r, -r, 2 * r, 2 * r)

    def paint(self, p: QPainter, _opt, _w=None) -> None:
        p.setRenderHint(QPainter.Antialiasing)
        p.setBrush(Qt.NoBrush)
        for k, c in enumerate(self.colors):
            col = QColor(c)
            col.setAlpha(self.alpha[k])
            p.setPen(QPen(col, self.widths[k]))
            r = self.r0 + 4 * k
            p.drawEllipse(QPointF(0, 0), r, r)


class PlacementMap(QGraphicsView):
    """Zoom with the wheel, pan by dragging; click a line to pick its workload."""

    workload_clicked = Signal(str)
    site_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setViewportUpdateMode(QGraphicsView.FullViewportUpdate)  # the overlay follows the view
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setMinimumSize(260, 110)  # a column of the bottom panel, 30 % of the window tall
        self.proj = Projection([])
        self.results = None
        self.lines: dict[str, QGraphicsPathItem] = {}
        self.line_paths: dict[str, QPainterPath] = {}
        self.rings: dict[str, tuple[LocalRings, int]] = {}
        self.site_markers: dict[str, Marker] = {}
        self.source_markers: dict[str, Marker] = {}
        self.unplaced_markers: dict[str, Marker] = {}
        self.link_items: dict[str, QGraphicsPathItem] = {}
        self.class_of: dict[str, str] = {}
        self.highlight: set[str] = set()
        self.highlight_sites: set[str] = set()
        self.focus: str | None = None
        self.focus_link: str | None = None
        self._press = None
        self._fitted = False
        self.unplaced_without_source: list[str] = []

    # -- building -------------------------------------------------------------------------------
    def set_results(self, results, links=()) -> None:
        """Rebuild the map from a :class:`PlacementResults` and the project's links."""
        sc = self.scene()
        sc.clear()
        self.lines.clear()
        self.line_paths.clear()
        self.rings.clear()
        self.site_markers.clear()
        self.source_markers.clear()
        self.unplaced_markers.clear()
        self.link_items.clear()
        self.class_of.clear()
        self.unplaced_without_source = []
        self.results = results
        if results is None:
            self.viewport().update()
            return
        pts = [(s.lat, s.lon) for s in results.sites.values()] + [(d.lat, d.lon) for d in results.sources.values()]
        pts = [p for p in pts if _finite(*p)]  # a place without a position is left off the map
        old = self.proj
        self.proj = Projection(pts)
        where = {sid: self.proj.to_scene(s.lat, s.lon) for sid, s in results.sites.items() if _finite(s.lat, s.lon)}
        where.update({did: self.proj.to_scene(d.lat, d.lon) for did, d in results.sources.items()
                      if _finite(d.lat, d.lon)})
        # network links (thin) and tethers (dashed) underneath everything
        link_pen = QPen(QColor(120, 128, 140, 110), 1.2)
        link_pen.setCosmetic(True)
        for lk in links:
            if lk.a in where and lk.b in where:
                path = QPainterPath(where[lk.a])
                path.lineTo(where[lk.b])
                it = sc.addPath(path, link_pen)
                it.setZValue(1)
                it.setToolTip(f"link {lk.id}")
                self.link_items[lk.id] = it
        tether_pen = QPen(ps.TETHER, 1.6, Qt.DashLine)
        tether_pen.setCosmetic(True)
        for t in results.sites.values():
            if t.core_site_id and t.core_site_id in where and t.site_id in where:
                path = QPainterPath(where[t.site_id])
                path.lineTo(where[t.core_site_id])
                it = sc.addPath(path, tether_pen)
                it.setZValue(2)
        ext = QRectF()
        for p in where.values():
            ext = ext.united(QRectF(p, p).adjusted(-0.5, -0.5, 0.5, 0.5))
        local_km = max(0.5, LOCAL_SHARE * math.hypot(ext.width(), ext.height()))
        # assignment lines, bowed apart per (source, site) pair
        pairs: dict[tuple[str, str], list[str]] = {}
        local: dict[str, list[str]] = {}
        unplaced: dict[str, list] = {}
        lat = results.latency
        origin_of = dict(zip(lat.workload_ids, lat.origin_ids, strict=True))
        for w in results.workloads.values():
            self.class_of[w.workload_id] = ps.margin_class(w.margin_ms, w.budget_ms)
            origin = origin_of.get(w.workload_id)
            if not w.placed:
                if origin in where:
                    unplaced.setdefault(origin, []).append(w)
                else:
                    self.unplaced_without_source.append(w.name or w.workload_id)
                continue
            if origin is None or origin not in where or w.site_id not in where:
                continue
            a, b = where[origin], where[w.site_id]
            if QLineF(a, b).length() < local_km:
                local.setdefault(w.site_id, []).append(w.workload_id)
            else:
                # sources a few km apart draw on top of each other: group them by place, not id
                key = (round(a.x() / local_km), round(a.y() / local_km), w.site_id)
                pairs.setdefault(key, []).append((w.workload_id, origin))
        for (_x, _y, s), group in pairs.items():
            b = where[s]
            for k, (wid, o) in enumerate(group):
                a = where[o]
                bow = 0.07 * (k // 2 + 1) * (1 if k % 2 == 0 else -1)
                self._line(wid, a, b, bow)
        for origin, ws in unplaced.items():
            self._unplaced_marker(ws, where[origin])
        for sid, wids in local.items():
            rings = LocalRings([ps.MARGIN[self.class_of[w]] for w in wids], 13)
            rings.setPos(where[sid])
            rings.setZValue(4)
            sc.addItem(rings)
            for k, w in enumerate(wids):
                self.rings[w] = (rings, k)
        # markers: sources, then sites on top
        for d in results.sources.values():
            if d.source_id not in where:
                continue
            on_site = d.site_id is not None and d.site_id in where and \
                QLineF(where[d.source_id], where[d.site_id]).length() < local_km
            m = Marker("circle", ps.SOURCE, 3.2 if on_site else 4.5, "" if on_site else (d.name or d.source_id),
                       fill=False)
            m.setPos(where[d.source_id])
            m.setZValue(5)
            m.setToolTip(f"data source {d.name or d.source_id} ({d.source_id})\n{d.lat:.4f}, {d.lon:.4f}; "
                         f"access delay {fmt_num(d.access_delay_ms)} ms" + (f"\nat site {d.site_id}" if d.site_id else ""))
            sc.addItem(m)
            self.source_markers[d.source_id] = m
        for s in results.sites.values():
            if s.site_id not in where:
                continue
            m = Marker(ps.SITE_SHAPE.get(s.kind, "circle"), ps.SITE_KIND.get(s.kind, ps.SOURCE),
                       7.5 if s.kind == "core" else 6.0, s.name or s.site_id, bold=True)
            m.setPos(where[s.site_id])
            m.setZValue(6)
            tip = f"{s.name or s.site_id} ({s.kind})\n{s.lat:.4f}, {s.lon:.4f}"
            if s.core_site_id:
                tip += f"\ntether to {s.core_site_id}: {fmt_num(s.route_km)} km, {fmt_num(s.round_trip_ms)} ms round trip"
            mods = [m_ for m_ in results.modules.values() if m_.site_id == s.site_id]
            for ml in mods:
                tip += f"\n{ml.name or ml.module_id}: {fmt_num(ml.power_kw)} of {fmt_num(ml.capacity_kw)} kW" \
                       f"{counts_text(ml)}, " \
                       f"{len(ml.workload_ids)} workload{'s' if len(ml.workload_ids) != 1 else ''}"
            m.setToolTip(tip)
            m.site_id = s.site_id
            sc.addItem(m)
            self.site_markers[s.site_id] = m
        bounds = QRectF()
        for p in where.values():
            bounds = bounds.united(QRectF(p, p).adjusted(-1, -1, 1, 1))
        pad = max(bounds.width(), bounds.height()) * 0.6 + 20
        sc.setSceneRect(bounds.adjusted(-pad, -pad, pad, pad))
        self._content = bounds
        same_frame = abs(old.lat0 - self.proj.lat0) < 1e-9 and abs(old.lon0 - self.proj.lon0) < 1e-9
        if not self._fitted or not same_frame:
            self.fit()
        self._apply_emphasis()
        self.relayout_labels()

    def _line(self, wid: str, a: QPointF, b: QPointF, bow: float) -> None:
        mid = (a + b) / 2
        d = b - a
        ctrl = mid + QPointF(-d.y(), d.x()) * bow * 2
        path = QPainterPath(a)
        path.quadTo(ctrl, b)
        it = self.scene().addPath(path, QPen())
        it.setZValue(3)
        self.lines[wid] = it
        self.line_paths[wid] = path

    def _unplaced_marker(self, ws: list, pos: QPointF) -> None:
        """One cross per data source for the workloads from there that are not placed."""
        first = ws[0].name or ws[0].workload_id
        label = f"unplaced: {first}" + (f" and {len(ws) - 1} more" if len(ws) > 1 else "")
        # label below: the source is often next to a site whose label takes the right-hand side
        m = Marker("cross", ps.MARGIN["unplaced"], 5.0, label, bold=True, below=True)
        m.text_color = ps.MARGIN["unplaced"]
        m.setPos(pos)
        m.setZValue(7)
        tips = [f"{w.name or w.workload_id} is not placed: {w.reason}" for w in ws[:12]]
        if len(ws) > 12:
            tips.append(f"... and {len(ws) - 12} more")
        m.setToolTip("\n".join(tips))
        m.workload_ids = tuple(w.workload_id for w in ws)
        self.scene().addItem(m)
        for w in ws:
            self.unplaced_markers[w.workload_id] = m

    # -- emphasis -------------------------------------------------------------------------------
    def set_highlight(self, workload_ids, site_ids=()) -> None:
        self.highlight = set(workload_ids)
        self.highlight_sites = set(site_ids)
        self._apply_emphasis()

    def set_focus(self, workload_id: str | None) -> None:
        self.focus = workload_id
        self._apply_emphasis()

    def set_focus_link(self, link_id: str | None) -> None:
        self.focus_link = link_id
        self._apply_emphasis()

    def _apply_emphasis(self) -> None:
        some = bool(self.highlight) or self.focus is not None
        for wid, it in self.lines.items():
            c = QColor(ps.MARGIN[self.class_of.get(wid, "ample")])
            on = wid == self.focus or wid in self.highlight
            if some and not on:
                c.setAlpha(55)
            pen = QPen(c, 5.0 if wid == self.focus else (3.2 if on else 2.4))
            pen.setCosmetic(True)
            pen.setCapStyle(Qt.RoundCap)
            it.setPen(pen)
            it.setZValue(3.5 if on else 3)
        for wid, (rings, k) in self.rings.items():
            on = wid == self.focus or wid in self.highlight
            rings.alpha[k] = 255 if (on or not some) else 70
            rings.widths[k] = 4.0 if wid == self.focus else 2.5
            rings.update()
        for sid, m in self.site_markers.items():
            m.ring = ps.HIGHLIGHT_RING if sid in self.highlight_sites else None
            m.update()
        for lid, it in self.link_items.items():
            pen = QPen(QColor("#ff9f1a") if lid == self.focus_link else QColor(120, 128, 140, 110),
                       4.0 if lid == self.focus_link else 1.2)
            pen.setCosmetic(True)
            it.setPen(pen)
        self.viewport().update()

    # -- view -----------------------------------------------------------------------------------
    def fit(self) -> None:
        r = getattr(self, "_content", QRectF())
        if r.isEmpty() and r.width() == 0:
            return
        m = max(r.width(), r.height()) * 0.12 + 15
        self.fitInView(r.adjusted(-m, -m * 1.1, m * 2.4, m), Qt.KeepAspectRatio)  # labels go to the right
        self._fitted = True
        self.relayout_labels()

    def center_on_workload(self, wid: str) -> None:
        path = self.line_paths.get(wid)
        if path is not None:
            r = path.boundingRect()
            if not self.mapToScene(self.viewport().rect()).boundingRect().contains(r):
                self.centerOn(r.center())
                self.relayout_labels()

    def px_per_km(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, e) -> None:  # noqa: N802
        f = 1.0015 ** e.angleDelta().y()
        s = self.px_per_km()
        f = max(0.02 / s, min(f, 2000.0 / s))
        self.scale(f, f)
        self.relayout_labels()

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        if self.results is not None and not self._user_moved():
            self.fit()

    def _user_moved(self) -> bool:
        return getattr(self, "_moved", False)

    def relayout_labels(self) -> None:
        """Hide labels that would overlap one already shown (sites first, then sources)."""
        taken: list[QRectF] = []
        unplaced = list({id(m): m for m in self.unplaced_markers.values()}.values())
        for m in [*self.site_markers.values(), *unplaced, *self.source_markers.values()]:
            if not m.label:
                continue
            p = self.mapFromScene(m.pos())
            r = m.label_rect().translated(p.x(), p.y())
            ok = not any(r.intersects(t) for t in taken)
            if ok:
                taken.append(r)
                taken.append(QRectF(p.x() - m.r, p.y() - m.r, 2 * m.r, 2 * m.r))
            if m.show_label != ok:
                m.show_label = ok
                m.update()

    # -- picking --------------------------------------------------------------------------------
    def workload_at(self, vp: QPointF, tol_px: float = 7.0) -> str | None:
        best, best_d = None, tol_px
        sp = self.mapToScene(vp.toPoint())
        t = tol_px / max(self.px_per_km(), 1e-9)
        for wid, path in self.line_paths.items():
            if not path.boundingRect().adjusted(-t, -t, t, t).contains(sp):
                continue  # cheap rejection before sampling the curve
            for k in range(41):
                q = self.mapFromScene(path.pointAtPercent(k / 40))
                d = math.hypot(q.x() - vp.x(), q.y() - vp.y())
                if d < best_d:
                    best, best_d = wid, d
        for wid, (rings, k) in self.rings.items():
            c = self.mapFromScene(rings.pos())
            d = abs(math.hypot(c.x() - vp.x(), c.y() - vp.y()) - (rings.r0 + 4 * k))
            if d < min(best_d, 2.5):
                best, best_d = wid, d
        for wid, m in self.unplaced_markers.items():
            c = self.mapFromScene(m.pos())
            if math.hypot(c.x() - vp.x(), c.y() - vp.y()) < 8:
                return m.workload_ids[0] if wid in m.workload_ids else wid
        return best

    def mousePressEvent(self, e) -> None:  # noqa: N802
        self._press = e.position()
        super().mousePressEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        super().mouseReleaseEvent(e)
        if self._press is None:
            return
        moved = (e.position() - self._press).manhattanLength()
        self._press = None
        if moved > 4:
            self._moved = True
            self.relayout_labels()
            return
        pos = e.position()
        sites = [it for it in self.items(pos.toPoint()) if isinstance(it, Marker) and hasattr(it, "site_id")]
        for it in sites:  # on a site's symbol: the site
            c = self.mapFromScene(it.pos())
            if math.hypot(c.x() - pos.x(), c.y() - pos.y()) <= it.r + 2:
                self.site_clicked.emit(it.site_id)
                return
        wid = self.workload_at(pos)  # a line, also where it crosses a site's label
        if wid is not None:
            self.workload_clicked.emit(wid)
        elif sites:  # on a site's label
            self.site_clicked.emit(sites[0].site_id)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802
        self._moved = False
        self.fit()

    def viewportEvent(self, e) -> bool:  # noqa: N802
        from PySide6.QtCore import QEvent

        if e.type() == QEvent.ToolTip and self.results is not None:
            wid = self.workload_at(QPointF(e.pos()))
            if wid is not None and wid not in self.unplaced_markers:
                w = self.results.workloads[wid]
                ml = self.results.modules.get(w.module_id)
                site = self.results.sites.get(w.site_id)
                QToolTip.showText(e.globalPos(), f"{w.name or wid} → {(ml.name if ml else '') or w.module_id} at "
                                  f"{(site.name if site else '') or w.site_id}\n{breakdown_text(w)}", self)
                return True
        return super().viewportEvent(e)

    # -- painting: graticule underneath, its labels and the scale bar on top -----------------------
    def drawBackground(self, p: QPainter, rect: QRectF) -> None:  # noqa: N802
        p.fillRect(rect, ps.MAP_BG)
        if self.results is None:
            return
        (lat_top, lon_left), (lat_bot, lon_right) = self.proj.to_geo(rect.topLeft()), self.proj.to_geo(
            rect.bottomRight())
        span = max(lon_right - lon_left, lat_top - lat_bot)
        step = _nice_step(span / 8)
        if not _drawable(step, lon_left, lon_right, lat_bot, lat_top):
            return  # a degenerate view (sites at absurd coordinates): no graticule
        pen = QPen(ps.GRATICULE, 1)
        pen.setCosmetic(True)
        p.setPen(pen)
        lon = math.floor(lon_left / step) * step
        while lon <= lon_right:
            x = self.proj.to_scene(self.proj.lat0, lon).x()
            p.drawLine(QPointF(x, rect.top()), QPointF(x, rect.bottom()))
            lon += step
        lat = math.floor(lat_bot / step) * step
        while lat <= lat_top:
            y = self.proj.to_scene(lat, self.proj.lon0).y()
            p.drawLine(QPointF(rect.left(), y), QPointF(rect.right(), y))
            lat += step

    def drawForeground(self, p: QPainter, rect: QRectF) -> None:  # noqa: N802
        if self.results is None:
            p.resetTransform()
            p.setPen(QColor("#5a6472"))
            p.drawText(self.viewport().rect(), Qt.AlignCenter, "No placement results yet")
            return
        vr = self.mapToScene(self.viewport().rect()).boundingRect()
        (lat_top, lon_left), (lat_bot, lon_right) = self.proj.to_geo(vr.topLeft()), self.proj.to_geo(vr.bottomRight())
        step = _nice_step(max(lon_right - lon_left, lat_top - lat_bot) / 8)
        if not _drawable(step, lon_left, lon_right, lat_bot, lat_top):
            return
        p.save()
        p.resetTransform()
        p.setRenderHint(QPainter.Antialiasing)
        f = QFont()
        f.setPointSizeF(7.5)
        p.setFont(f)
        p.setPen(QColor(90, 100, 112))
        dec = max(0, -int(math.floor(math.log10(step))))
        vw, vh = self.viewport().width(), self.viewport().height()
        lon = math.floor(lon_left / step) * step
        while lon <= lon_right:
            x = self.mapFromScene(self.proj.to_scene(self.proj.lat0, lon)).x()
            if 30 < x < vw - 30:
                p.drawText(QPointF(x + 2, vh - 4), f"{lon:.{dec}f}°{'E' if lon >= 0 else 'W'}")
            lon += step
        lat = math.floor(lat_bot / step) * step
        while lat <= lat_top:
            y = self.mapFromScene(self.proj.to_scene(lat, self.proj.lon0)).y()
            if 14 < y < vh - 40:
                p.drawText(QPointF(3, y - 2), f"{lat:.{dec}f}°{'N' if lat >= 0 else 'S'}")
            lat += step
        self._scale_bar(p, vw, vh)
        if self.unplaced_without_source:
            p.setPen(ps.MARGIN["unplaced"])
            p.drawText(QRectF(8, 6, vw - 16, 40), Qt.AlignLeft | Qt.TextWordWrap,
                       "Unplaced, no data source: " + ", ".join(self.unplaced_without_source))
        p.restore()

    def _scale_bar(self, p: QPainter, vw: int, vh: int) -> None:
        ppk = self.px_per_km()
        if ppk <= 0:
            return
        km = _nice_step(110 / ppk, (1, 2, 5))
        w = km * ppk
        x0, y0 = 12, vh - 22
        p.setPen(QPen(QColor("#23262b"), 1.5))
        p.fillRect(QRectF(x0 - 4, y0 - 14, w + 8 + 40, 22), QColor(255, 255, 255, 200))
        p.drawLine(QPointF(x0, y0), QPointF(x0 + w, y0))
        for x in (x0, x0 + w / 2, x0 + w):
            p.drawLine(QPointF(x, y0 - 4), QPointF(x, y0 + 3))
        label = f"{km:g} km"
        p.drawText(QPointF(x0 + w + 6, y0 + 4), label)


def _finite(*values) -> bool:
    try:
        return all(math.isfinite(v) for v in values)
    except TypeError:
        return False


def _drawable(step: float, *bounds: float) -> bool:
    """Graticule lines can be drawn: finite bounds, and not thousands of lines."""
    if not all(math.isfinite(v) for v in (step, *bounds)) or step <= 0:
        return False
    return (bounds[1] - bounds[0]) / step < 1000 and (bounds[3] - bounds[2]) / step < 1000


def _nice_step(raw: float, mants=(1, 2, 5)) -> float:
    if raw <= 0 or not math.isfinite(raw):
        return 1.0
    e = math.floor(math.log10(raw))
    for m in (*mants, 10):
        s = m * 10 ** e
        if s >= raw:
            return s
    return 10 ** (e + 1)


def legend_html() -> str:
    """The map's legend as rich text (shown under the map, so it never hides a site)."""
    def sw(color: QColor, glyph: str) -> str:
        return f"<span style='color:{color.name()}'>{glyph}</span>"

    glyph = {"diamond": "◆", "hexagon": "⬢", "square": "■", "triangle": "▲", "circle": "●"}
    margins = " ".join(f"{sw(ps.MARGIN[k], '━━')}&nbsp;{html.escape(ps.MARGIN_TEXT[k])}"
                       for k in ("ample", "tight", "over"))
    more = (f"{sw(ps.MARGIN['unplaced'], '✕')}&nbsp;unplaced (at its source) &nbsp;{sw(ps.MARGIN['ample'], '◯')}&nbsp;"
            f"served next to its data &nbsp;{sw(ps.TETHER, '╌╌')}&nbsp;tether to core &nbsp;"
            f"{sw(QColor(120, 128, 140), '──')}&nbsp;network link &nbsp;{sw(ps.SOURCE, '○')}&nbsp;data source")
    kinds = " ".join(f"{sw(ps.SITE_KIND[k], glyph[ps.SITE_SHAPE[k]])}&nbsp;{k}" for k in ps.SITE_KIND)
    return f"{margins}<br>{more}<br>sites: {kinds}"
