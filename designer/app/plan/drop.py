"""Dropping catalog entries on the plan: the dashed footprint follows the cursor, snapped to
other items (a unit's corner to a rack's corner, a CDU against a wall) or the grid, and the
drop lands exactly where the footprint was shown. After a drop the plan has the keyboard, so
arrows, Delete and R act on what was just placed.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from designer.app.plan.coords import to_model, to_scene
from designer.app.window import style
from designer.model.base import footprint_corners

MIME_CATALOG = "application/x-datahall-catalog-model"


class DropTarget:
    """Mixin of the plan view: drag enter / move / leave / drop of catalog entries."""

    _catalog_drag = False
    drop_ghost: tuple | None = None
    """(catalog entry, x, y) being dragged over the plan: drawn where it would land."""

    def dragEnterEvent(self, e) -> None:  # noqa: N802
        if e.mimeData().hasFormat(MIME_CATALOG):
            self._catalog_drag = True
            e.acceptProposedAction()
        else:
            super().dragEnterEvent(e)

    def dragMoveEvent(self, e) -> None:  # noqa: N802
        if e.mimeData().hasFormat(MIME_CATALOG):
            e.acceptProposedAction()
            self._show_ghost(e)
        else:
            super().dragMoveEvent(e)

    def dragLeaveEvent(self, e) -> None:  # noqa: N802
        self.drop_ghost = None
        self.snapper.clear()
        self.viewport().update()
        if self._catalog_drag:
            self._catalog_drag = False  # ours: the scene never saw it enter
            e.accept()
            return
        super().dragLeaveEvent(e)

    def _entry_of(self, e):
        return self.session.catalog.get(bytes(e.mimeData().data(MIME_CATALOG)).decode())

    def drop_position(self, entry, x: float, y: float, modifiers=Qt.NoModifier) -> tuple[float, float]:
        """Where ``entry`` dropped with the cursor at (x, y) lands: its footprint snapped to
        the other items' points and edges, else its centre to the grid."""
        from designer.model.factory import instantiate

        try:
            ghost = instantiate(entry, "drop-ghost", x, y)
        except Exception:  # noqa: BLE001 - an entry that cannot be built has no footprint to snap
            s = self.snapper.point(x, y, modifiers)
            return s.x, s.y
        s = self.snapper.move([ghost], 0.0, 0.0, modifiers, anchor=(x, y))
        return x + s.x, y + s.y

    def _show_ghost(self, e) -> None:
        entry = self._entry_of(e)
        if entry is None or self.session.site is None:
            return
        x, y = to_model(self.mapToScene(e.position().toPoint()))
        self.emit_cursor(x, y)
        before = self.ghost_viewport_rect().united(self.snapper.viewport_rect())
        self.drop_ghost = (entry, *self.drop_position(entry, x, y, e.modifiers()))
        # only where the ghost and the snap marker were and are: a whole viewport a mouse move
        # repainted every item of the hall (25 ms on 200 racks)
        for r in (before, self.ghost_viewport_rect().united(self.snapper.viewport_rect())):
            if not r.isEmpty():
                self.viewport().update(r)

    def _ghost_shapes(self):
        """What :meth:`paint_ghost` draws, in scene coordinates: (kind, points), kind "outline"
        (the entry's footprint, dashed), "item" (a module's contents) or "line" (its busways)."""
        from designer.model.catalog import ModuleType

        entry, x, y = self.drop_ghost

        def corners(cx, cy, w, d, rot=0.0):
            return [to_scene(px, py) for px, py in footprint_corners(cx, cy, w, d, rot)]

        yield "outline", corners(x, y, entry.width_m, entry.depth_m)
        if isinstance(entry, ModuleType):
            c = entry.contents
            for it in (*c.racks, *c.cdus, *c.air_units, *c.transformers, *c.switchboards, *c.ups, *c.pdus):
                yield "item", corners(x + it.x, y + it.y, it.width_m, it.depth_m, it.rotation_deg)
            for bw in c.busways:
                for (ax, ay), (bx, by) in zip(bw.path, bw.path[1:], strict=False):
                    yield "line", [to_scene(x + ax, y + ay), to_scene(x + bx, y + by)]

    def ghost_viewport_rect(self) -> QRect:
        """The part of the viewport the drop ghost covers (with its pen), or an empty rect."""
        if self.drop_ghost is None:
            return QRect()
        pts = [p for _kind, shape in self._ghost_shapes() for p in shape]
        return self.mapFromScene(QPolygonF(pts)).boundingRect().adjusted(-3, -3, 3, 3)

    def paint_ghost(self, painter: QPainter) -> None:
        """The footprint of what is being dragged in, and for a module everything it holds,
        dashed where it will land."""
        painter.save()
        pen = QPen(style.GROUP, 2.0)
        pen.setCosmetic(True)
        pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor(style.GROUP.red(), style.GROUP.green(), style.GROUP.blue(), 25))
        for kind, shape in self._ghost_shapes():
            if kind != "outline" and pen.style() != Qt.SolidLine:
                pen.setStyle(Qt.SolidLine)
                pen.setWidthF(1.0)
                painter.setPen(pen)
            if kind == "line":
                painter.drawLine(*shape)
            else:
                painter.drawPolygon(QPolygonF(shape))
        painter.restore()

    def dropEvent(self, e) -> None:  # noqa: N802
        self.drop_ghost = None
        self._catalog_drag = False
        self.viewport().update()
        if not e.mimeData().hasFormat(MIME_CATALOG):
            return super().dropEvent(e)
        entry = self._entry_of(e)
        x, y = to_model(self.mapToScene(e.position().toPoint()))
        if entry is not None:
            x, y = self.drop_position(entry, x, y, e.modifiers())
        self.snapper.clear()
        self.place_model(bytes(e.mimeData().data(MIME_CATALOG)).decode(), x, y, snap_to_grid=False)
        e.acceptProposedAction()
        self.take_focus()

    def take_focus(self) -> None:
        """Give the plan the keyboard (after a drop from the catalog, a double-click in it)."""
        win = self.window()
        if win is not None:
            win.activateWindow()
        self.setFocus(Qt.OtherFocusReason)

    def place_model(self, model: str, x: float, y: float, snap_to_grid: bool = True) -> bool:
        from designer.document.geometry import snap
        from designer.document.ops import place_entry

        s = self.session
        entry = s.catalog.get(model)
        site = s.site
        if entry is None or site is None:
            return False
        if snap_to_grid:
            step = site.hall.grid.snap_m
            x, y = snap(x, step), snap(y, step)
        edit = place_entry(s.doc, site.id, entry, x, y)
        if s.push(edit):
            s.selection.set([edit.edits[0].item.id])
            return True
        return False
