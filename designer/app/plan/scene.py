"""The plan scene: mirrors the current site's hall, item for item, by id.

It never changes the model. It follows the session's change notifications: items are
added, removed and re-synced from the document; pipes follow the racks and CDUs they
connect, taps follow their busway.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QPainter, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsPathItem, QGraphicsPolygonItem, QGraphicsScene

from designer.app.lifecycle.guard import safely
from designer.app.plan.coords import to_scene
from designer.app.plan.items import ITEM_CLASSES, PipeItem, PlanItem, TapItem, point_along
from designer.app.window import style
from designer.document.assembly import members
from designer.document.document import Change
from designer.document.grouping import modules_involved
from designer.model import hall as h
from designer.model.base import Placed
from designer.model.registry import HALL_COLLECTIONS, hall_container

LAYERS = ("modules", "racks", "air", "liquid", "power", "labels", "results", "dimensions")


class HallScene(QGraphicsScene):
    preview_changed = Signal(list, float, float)
    """A drag shows ``ids`` shifted by (dx, dy) m; the document is not changed (yet)."""
    preview_ended = Signal()
    """The drag preview is over: released (the move was pushed) or cancelled."""

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.items_by_id: dict[str, PlanItem] = {}
        self.pipes_at: dict[str, set[str]] = {}
        self.taps_on: dict[str, set[str]] = {}
        self.layers = {name: True for name in LAYERS}
        self.status: dict[str, str] = {}
        self.outline_item: QGraphicsPolygonItem | None = None
        self.feed_lines = QGraphicsPathItem()
        self.feed_lines.setZValue(50)
        self.sel_overlay = _SelectionOverlay()
        self.sel_overlay.setZValue(60)
        pen = QPen(style.SELECT, 3.0)
        pen.setCosmetic(True)
        pen.setJoinStyle(Qt.MiterJoin)
        self.sel_overlay.setPen(pen)
        # the modules the selection belongs to (and a selected module's members): dashed, in
        # the module colour, so a member is seen as part of its assembly
        self.group_overlay = _SelectionOverlay()
        self.group_overlay.setZValue(59)
        gpen = QPen(style.GROUP, 2.0)
        gpen.setCosmetic(True)
        gpen.setStyle(Qt.DashLine)
        self.group_overlay.setPen(gpen)
        self.group_modules: list[str] = []
        """Modules outlined by the group overlay (selected, or owning a selected item)."""
        # stroke only: filling a path of thousands of sub-paths costs seconds in the raster engine
        self.overlays: list = []
        self._built_for: tuple | None = None
        self.setItemIndexMethod(QGraphicsScene.BspTreeIndex)
        session.changed.connect(self.on_change)
        session.site_changed.connect(self._site_changed)
        session.document_replaced.connect(self.rebuild)
        session.selection.changed.connect(self._selection_to_scene)
        if hasattr(session, "units_changed"):
            session.units_changed.connect(self._units_changed)
        self.rebuild()

    def _units_changed(self, _units: str) -> None:
        """Dimensions write their lengths in the display units."""
        for it in self.items_by_id.values():
            if it.kind == "dimension":
                it.sync(self.model(it.item_id), self)

    # -- lookups ----------------------------------------------------------------------------
    def model(self, item_id: str):
        return self.session.doc.item(item_id)

    def port_point(self, ref: h.PortRef, offsets: dict | None = None) -> QPointF | None:
        m = self.model(ref.item_id)
        if m is None:
            return None
        dx, dy = (offsets or {}).get(ref.item_id, (0.0, 0.0))
        if isinstance(m, h.Junction):
            return to_scene(m.x + dx, m.y + dy)
        if isinstance(m, (h.Rack, h.Cdu, h.WaterSupply)):
            x, y = m.port_position(ref.port if ref.port != "node" else "supply")
            return to_scene(x + dx, y + dy)
        return None

    def layer_visible(self, name: str) -> bool:
        return self.layers.get(name, True)

    # -- building ----------------------------------------------------------------------------
    def _site_changed(self, site_id: str) -> None:
        if self._built_for != (id(self.session.project), site_id):
            self.rebuild()

    def rebuild(self) -> None:
        replaced = self._built_for is not None and self._built_for[0] != id(self.session.project)
        self._built_for = (id(self.session.project), self.session.site_id)
        if replaced:  # another file: the last file's results must not be drawn on this one
            for ov in self.overlays:
                safely(f"the {ov.name} overlay", ov.results, -1, {})
        for it in list(self.items_by_id.values()):
            self.removeItem(it)
        self.items_by_id.clear()
        self.pipes_at.clear()
        self.taps_on.clear()
        if self.outline_item is not None:
            self.removeItem(self.outline_item)
            self.outline_item = None
        self._set_underlay(None)
        for extra in (self.feed_lines, self.sel_overlay, self.group_overlay):
            if extra.scene() is self:
                self.removeItem(extra)
        site = self.session.site
        if site is None:
            return
        self._build_outline(site.hall)
        self._set_underlay(site.hall.background)
        # order: junctions / racks before pipes so pipes find their ends
        order = [c for c in HALL_COLLECTIONS if c.kind not in ("pipe", "tap")] + \
                [c for c in HALL_COLLECTIONS if c.kind in ("pipe", "tap")]
        for coll in order:
            for m in hall_container(site.hall, coll):
                self._add(coll.kind, m)
        self.addItem(self.feed_lines)
        self.addItem(self.sel_overlay)
        self.addItem(self.group_overlay)
        self._selection_to_scene(self.session.selection.ids)
        for ov in self.overlays:
            safely(f"the {ov.name} overlay", ov.site_rebuilt, self)
        self.setSceneRect(self.content_rect().adjusted(-10, -10, 10, 10))

    def hall_rect(self) -> QRectF:
        site = self.session.site
        if site is None or len(site.hall.outline) < 2:
            return QRectF(-1, -1, 2, 2)
        return QPolygonF([to_scene(x, y) for x, y in site.hall.outline]).boundingRect()

    def content_rect(self) -> QRectF:
        """The hall with the site services placed beside it (utility, generators, facility
        water usually stand outside the hall)."""
        rect = self.hall_rect()
        for it in self.items_by_id.values():
            if it.kind in ("source", "water_supply"):
                rect = rect.united(it.sceneBoundingRect())
        if self.underlay is not None and self.underlay.isVisible():
            rect = rect.united(self.underlay.sceneBoundingRect())  # the building around the hall
        return rect

    def _grow_to(self, items) -> None:
        """Let the plan scroll to items placed beyond its edges (services beside the hall)."""
        rect = self.sceneRect()
        for it in items:
            r = it.sceneBoundingRect()
            if not rect.contains(r):
                rect = rect.united(r.adjusted(-10, -10, 10, 10))
        if rect != self.sceneRect():
            self.setSceneRect(rect)

    def _build_outline(self, hall: h.Hall) -> None:
        poly = QPolygonF([to_scene(x, y) for x, y in hall.outline])
        item = FloorItem(poly)
        item.grid_units = self.grid_units
        pen = QPen(style.WALL, 0.2)
        pen.setJoinStyle(Qt.MiterJoin)
        item.setPen(pen)
        item.setBrush(QBrush(style.FLOOR))
        item.setZValue(-100)
        item.setFlag(QGraphicsItem.ItemIsSelectable, False)
        item.setData(0, "outline")
        self.addItem(item)
        self.outline_item = item

    underlay = None
    """The background drawing's item (:mod:`designer.app.plan.underlay`), if the hall has one."""

    def _set_underlay(self, bg) -> None:
        """Show the hall's background drawing (locked, under everything); None removes it."""
        from designer.app.plan.underlay import UnderlayItem

        if bg is None:
            if self.underlay is not None:
                self.removeItem(self.underlay)
                self.underlay = None
            return
        if self.underlay is not None and self.underlay.bg is bg:
            return
        if self.underlay is None:
            self.underlay = UnderlayItem(bg)
            self.addItem(self.underlay)
        else:
            self.underlay.set_background(bg)
    grid_units: str | None = None
    """The floor's grid: None (no grid: exports), or the display units it is drawn in."""

    def set_grid(self, units: str | None) -> None:
        """Draw the floor grid in ``units`` ("SI", "US"), or none (None)."""
        self.grid_units = units
        if self.outline_item is not None:
            self.outline_item.grid_units = units
            self.outline_item.update()

    def _add(self, kind: str, m) -> PlanItem | None:
        cls = ITEM_CLASSES.get(kind)
        if cls is None:
            return None
        it = cls(m.id, kind)
        self.items_by_id[m.id] = it
        if isinstance(m, h.Pipe):
            for end in (m.start.item_id, m.end.item_id):
                self.pipes_at.setdefault(end, set()).add(m.id)
        if kind == "tap":
            self.taps_on.setdefault(m.busway_id, set()).add(m.id)
        it.sync(m, self)
        it.setVisible(self.layers.get(it.layer, True))
        it.set_status(self.status.get(m.id))
        self.addItem(it)
        return it

    def _remove(self, item_id: str) -> None:
        it = self.items_by_id.pop(item_id, None)
        if it is None:
            return
        if isinstance(it, PipeItem):
            for end in it.ends:
                self.pipes_at.get(end, set()).discard(item_id)
        if isinstance(it, TapItem):
            for s in self.taps_on.values():
                s.discard(item_id)
        self.removeItem(it)

    def _in_site(self, item_id: str) -> bool:
        site = self.session.site
        return site is not None and self.session.doc.site_of(item_id) is site

    # -- following the document ----------------------------------------------------------------
    def on_change(self, change: Change) -> None:
        site = self.session.site
        if site is None:
            return
        if site.id in change.modified or Change.PROJECT in change.modified:
            fields = change.modified.get(site.id, set())
            if any(f.startswith("hall") or f == "*" for f in fields) or Change.PROJECT in change.modified:
                if self.outline_item is not None:
                    self.outline_item.setPolygon(QPolygonF([to_scene(x, y) for x, y in site.hall.outline]))
                self._set_underlay(site.hall.background)
        for i in change.removed:
            self._remove(i)
        touched: set[str] = set()
        added = [i for i in change.added if self._in_site(i)]
        # add non-pipes first
        for i in sorted(added, key=lambda i: isinstance(self.model(i), (h.Pipe,))):
            loc = self.session.doc.find(i)
            if loc is not None:
                self._remove(i)
                self._add(loc.kind, loc.item)
                touched.add(i)
        if added:
            self._grow_to([self.items_by_id[i] for i in added if i in self.items_by_id])
        for i in change.modified:
            it = self.items_by_id.get(i)
            m = self.model(i)
            if it is None or m is None:
                continue
            if isinstance(it, PipeItem):
                for end in it.ends:
                    self.pipes_at.get(end, set()).discard(i)
                for end in (m.start.item_id, m.end.item_id):
                    self.pipes_at.setdefault(end, set()).add(i)
            it.sync(m, self)
            touched.add(i)
        # dependants: pipes at moved ports, taps on changed busways
        for i in list(touched):
            for pid in self.pipes_at.get(i, ()):
                if pid in self.items_by_id and pid not in touched:
                    self.items_by_id[pid].sync(self.model(pid), self)
            for tid in self.taps_on.get(i, ()):
                if tid in self.items_by_id:
                    self.items_by_id[tid].sync(self.model(tid), self)
        sel = set(self.session.selection.ids)
        if sel & touched or change.removed or set(self.group_modules) & touched or \
                any("module_id" in f for f in change.modified.values()):
            self._selection_to_scene(self.session.selection.ids)
        else:
            self.update_feed_lines()
        for ov in self.overlays:
            ov.document_changed(self, change)

    # -- previews (drag) -------------------------------------------------------------------------
    def preview_move(self, ids: list[str], dx: float, dy: float) -> None:
        self._preview(ids, dx, dy)
        self.preview_changed.emit(list(ids), dx, dy)

    def end_preview(self) -> None:
        """The drag was released and its move pushed (listeners drop their previews)."""
        self.preview_ended.emit()

    def _preview(self, ids: list[str], dx: float, dy: float) -> None:
        offsets = {i: (dx, dy) for i in ids}
        self.sel_overlay.setPos(QPointF(dx, -dy))
        if self.group_modules and any(m in offsets for m in self.group_modules):
            self.group_overlay.setPos(QPointF(dx, -dy))
        pipes: set[str] = set()
        for i in ids:
            it = self.items_by_id.get(i)
            if it is not None:
                it.preview_offset(dx, dy)
            pipes |= self.pipes_at.get(i, set())
            if isinstance(self.model(i), h.Pipe):
                pipes.add(i)
            for tid in self.taps_on.get(i, ()):
                t = self.items_by_id.get(tid)
                if t is not None:
                    t.preview_offset(dx, dy)
        for pid in pipes:
            it = self.items_by_id.get(pid)
            if isinstance(it, PipeItem):
                it.rebuild(self, offsets)
        self.update_feed_lines(offsets)

    def cancel_preview(self, ids: list[str]) -> None:
        """Put items back where the model says they are (Escape during a drag)."""
        self._preview(ids, 0.0, 0.0)
        self.sel_overlay.setPos(QPointF(0, 0))
        self.group_overlay.setPos(QPointF(0, 0))
        for i in ids:
            it = self.items_by_id.get(i)
            m = self.model(i)
            if it is not None and m is not None:
                it.sync(m, self)
        self.preview_ended.emit()

    # -- layers, status, selection ---------------------------------------------------------------
    def set_layer_visible(self, name: str, on: bool) -> None:
        self.layers[name] = on
        for it in self.items_by_id.values():
            if it.layer == name:
                it.setVisible(on)
        if name == "labels":
            self.update()
        for ov in self.overlays:
            ov.layers_changed(self)

    def set_status(self, status: dict[str, str]) -> None:
        old = self.status
        self.status = status
        for i in set(old) | set(status):
            it = self.items_by_id.get(i)
            if it is not None:
                it.set_status(status.get(i))

    def ids_in(self, scene_path: QPainterPath, mode=Qt.IntersectsItemShape) -> list[str]:
        """Ids of visible plan items inside a scene area (rubber-band selection)."""
        return [it.item_id for it in self.items(scene_path, mode)
                if isinstance(it, PlanItem) and it.isVisible()]

    def _selection_to_scene(self, ids) -> None:
        """Draw the selection as one overlay path: selecting thousands of items then costs
        one path, and the items' cached pixmaps stay valid."""
        path = QPainterPath()
        for i in ids:
            it = self.items_by_id.get(i)
            if it is not None and it.isVisible():
                path.addPath(it.outline())
        self.sel_overlay.setPos(QPointF(0, 0))
        self.sel_overlay.setPath(path)
        self._groups_to_scene(ids)
        self.update_feed_lines()

    def _groups_to_scene(self, ids) -> None:
        """Outline the module of every selected member, and the members of every selected
        module: the assembly a click belongs to is always in view."""
        doc = self.session.doc
        self.group_modules = [m for m in modules_involved(doc, ids) if m in self.items_by_id]
        path = QPainterPath()
        chosen = set(ids)
        for mid in self.group_modules:
            path.addPath(self.items_by_id[mid].outline())
            if mid in chosen:
                for i in members(doc, mid):
                    it = self.items_by_id.get(i)
                    if it is not None and it.isVisible() and it.kind not in ("pipe", "junction", "tap"):
                        path.addPath(it.outline())
        self.group_overlay.setPos(QPointF(0, 0))
        self.group_overlay.setPath(path)

    def update_feed_lines(self, offsets: dict | None = None) -> None:
        """Lines from selected racks to their A / B sources (and from a selected source
        to the racks it feeds): how the power chain reaches the floor."""
        site = self.session.site
        if site is None or self.feed_lines.scene() is not self:
            return
        offsets = offsets or {}
        sel = set(self.session.selection.ids)
        path_a, path_b = QPainterPath(), QPainterPath()
        if sel:
            for r in site.hall.racks:
                for side, path in (("a", path_a), ("b", path_b)):
                    f = getattr(r, f"feed_{side}")
                    if f is None or not (r.id in sel or f.source_id in sel):
                        continue
                    a = self._anchor(r.id, offsets)
                    b = self._anchor(f.source_id, offsets)
                    if a is not None and b is not None:
                        path.moveTo(a)
                        path.lineTo(b)
        both = QPainterPath()
        both.addPath(path_a)
        self.feed_lines.setPath(both)
        self.feed_lines.setPen(_feed_pen(style.FEED_A))
        if not hasattr(self, "_feed_b"):
            self._feed_b = QGraphicsPathItem()
            self._feed_b.setZValue(50)
            self.addItem(self._feed_b)
        if self._feed_b.scene() is not self:
            self.addItem(self._feed_b)
        self._feed_b.setPath(path_b)
        pen = _feed_pen(style.FEED_B)
        pen.setStyle(Qt.DashLine)
        self._feed_b.setPen(pen)

    def _anchor(self, item_id: str, offsets: dict) -> QPointF | None:
        m = self.model(item_id)
        if m is None:
            return None
        dx, dy = offsets.get(item_id, (0.0, 0.0))
        if isinstance(m, Placed):
            return to_scene(m.x + dx, m.y + dy)
        if hasattr(m, "busway_id"):
            bw = self.model(m.busway_id)
            if len(getattr(bw, "path", None) or ()) >= 2:  # it may name a non-busway (a validation error)
                x, y = point_along(bw.path, m.offset_m)
                bdx, bdy = offsets.get(m.busway_id, (0.0, 0.0))
                return to_scene(x + bdx, y + bdy)
        return None


class FloorItem(QGraphicsPolygonItem):
    """The hall's floor and walls, with the grid on the floor when the plan shows one (the
    grid adapts to the zoom it is drawn at; see :mod:`designer.app.plan.background`)."""

    grid_units: str | None = None

    def __init__(self, poly) -> None:
        super().__init__(poly)
        self.setFlag(QGraphicsItem.ItemUsesExtendedStyleOption, True)  # paint only what is exposed

    def paint(self, painter, option, widget=None) -> None:
        if self.grid_units is None:
            super().paint(painter, option, widget)
            return
        from PySide6.QtWidgets import QStyleOptionGraphicsItem

        from designer.app.plan.background import draw_grid

        painter.save()
        painter.setPen(Qt.NoPen)
        painter.setBrush(self.brush())
        painter.drawPolygon(self.polygon())
        path = QPainterPath()
        path.addPolygon(self.polygon())
        painter.setClipPath(path, Qt.IntersectClip)
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        draw_grid(painter, option.exposedRect, lod, self.grid_units)
        painter.restore()
        painter.setPen(self.pen())
        painter.setBrush(Qt.NoBrush)
        painter.drawPolygon(self.polygon())


class _SelectionOverlay(QGraphicsPathItem):
    """Outlines of the selected items as one path; drawn without antialiasing when it is
    large (select all on a 1,000-rack hall), which is ten times faster and looks the same."""

    def paint(self, painter, option, widget=None) -> None:
        if self.path().elementCount() > 4000:
            painter.setRenderHint(QPainter.Antialiasing, False)
        super().paint(painter, option, widget)


def _feed_pen(color) -> QPen:
    pen = QPen(color, 2.0)
    pen.setCosmetic(True)
    return pen
