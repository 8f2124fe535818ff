"""Interaction tools of the plan, one class per mouse mode (as orange-canvas-core does).

A tool gets the view's mouse and key events first; returning True consumes the event.
Tools change the document only through the session's undoable edits. Drawing tools live in
:mod:`designer.app.plan.drawing`, measuring in :mod:`designer.app.plan.measure`.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen

from designer.app.plan.coords import to_model
from designer.app.plan.items import PlanItem
from designer.app.window import style
from designer.document.assembly import with_members
from designer.document.edits import Composite, SetFields
from designer.document.grouping import module_of, top_level
from designer.document.ops import move_items
from designer.model import hall as h
from designer.model.base import Placed

DRAG_THRESHOLD_PX = 4


class Tool:
    name = "tool"
    hint = ""
    typing = ""
    """Text typed on the keyboard for the tool (a length, an angle), shown by the hint bar."""
    takes_tab = False

    def __init__(self, view) -> None:
        self.view = view
        self.session = view.session
        self.scene = view.scene()

    def model_pos(self, e) -> tuple[float, float]:
        return to_model(self.view.map_to_scene(e.position()))

    def snap_step(self) -> float:
        site = self.session.site
        return site.hall.grid.snap_m if site is not None else 0.0

    def prompt(self) -> str:
        """What the hint bar says now (the tool's hint by default)."""
        return self.hint

    def press(self, e) -> bool:
        return False

    def move(self, e) -> bool:
        return False

    def release(self, e) -> bool:
        return False

    def double_click(self, e) -> bool:
        return False

    def key(self, e) -> bool:
        return False

    def paint(self, painter: QPainter) -> None:
        pass

    def activate(self) -> None:
        pass

    def deactivate(self) -> None:
        pass


class SelectTool(Tool):
    """Click / shift-click to select; drag to move (one undo step), snapped to other items
    (Alt: no snapping); Escape cancels a drag; arrow keys nudge by the snap step (Shift: ten
    times).

    A drag from empty floor draws a selection window: left to right selects what lies wholly
    inside it (a solid blue window), right to left what it touches (a dashed green crossing).
    Ctrl + drag draws one from anywhere, also over an item or inside a module.

    Modules are groups: a click on an item selects that item, a click on a module's own
    floor (or a double-click on any item of it) selects the whole module. Pressing on any
    item of a selected module drags the whole assembly; a click without a drag then
    selects just that item."""

    name = "select"
    hint = ("Click to select, Shift-click to add, drag to move (Alt: no snapping); drag on the floor left to right "
            "to select what is inside, right to left what it touches (Ctrl + drag from anywhere); "
            "double-click selects a whole module; right-click for actions")

    def __init__(self, view) -> None:
        super().__init__(view)
        self.press_pos: QPointF | None = None
        self.start_model: tuple[float, float] | None = None
        self.anchor: tuple[float, float] | None = None
        self.ids: list[str] = []
        """What the move acts on: the selection at its top level (modules, free items)."""
        self.preview_ids: list[str] = []
        """What the drag shows moving: those with every member of a module among them."""
        self.pending_member: str | None = None
        self.dragging = False
        self.delta = (0.0, 0.0)
        self.band: tuple[QPointF, QPointF] | None = None
        """A selection window being drawn: (press, current) in viewport pixels."""
        self.band_mods = Qt.NoModifier
        self.pending_toggle: str | None = None

    def _item_at(self, e) -> PlanItem | None:
        for it in self.view.items(e.position().toPoint()):
            if isinstance(it, PlanItem) and it.isVisible():
                return it
        return None

    def press(self, e: QMouseEvent) -> bool:
        if e.button() != Qt.LeftButton:
            return False
        it = self._item_at(e)
        mods = e.modifiers()
        self.pending_toggle = None
        if it is None or mods & Qt.ControlModifier:
            # a selection window; Ctrl over an item: a window if dragged, a toggle if clicked
            self.band = (e.position(), e.position())
            self.band_mods = mods
            if it is not None:
                self.pending_toggle = it.item_id
            return True
        sel = self.session.selection
        doc = self.session.doc
        if mods & Qt.ShiftModifier:
            ids = sel.ids
            sel.set([i for i in ids if i != it.item_id] if it.item_id in ids else ids + [it.item_id])
            return True
        self.pending_member = None
        if it.item_id not in sel.ids:
            if module_of(doc, it.item_id) in sel.ids:
                self.pending_member = it.item_id  # dragging moves its selected module
            else:
                sel.set([it.item_id])
        self.press_pos = e.position()
        self.start_model = self.model_pos(e)
        m = self.scene.model(it.item_id)
        self.anchor = (m.x, m.y) if hasattr(m, "x") else self.start_model
        self.ids = top_level(doc, [i for i in sel.ids if i in self.scene.items_by_id])
        self.preview_ids = [i for i in with_members(doc, self.ids) if i in self.scene.items_by_id]
        # the grabbed item first: its points are the ones that snap
        grabbed = module_of(doc, it.item_id) if module_of(doc, it.item_id) in self.ids else it.item_id
        order = [grabbed] + [i for i in self.ids if i != grabbed]
        self.moving = [m for m in (doc.item(i) for i in order) if isinstance(m, Placed)]
        moved = set(self.preview_ids)
        for i in list(moved):
            moved |= self.scene.pipes_at.get(i, set())
        self.exclude = frozenset(moved)
        self.dragging = False
        self.delta = (0.0, 0.0)
        return True

    def move(self, e: QMouseEvent) -> bool:
        if self.band is not None:
            before = self.view.overlay_rect()
            self.band = (self.band[0], e.position())
            self.view.update_overlay(before)
            return True
        if self.press_pos is None:
            return False
        if not self.dragging:
            if (e.position() - self.press_pos).manhattanLength() < DRAG_THRESHOLD_PX:
                return True
            self.dragging = True
        x, y = self.model_pos(e)
        dx, dy = x - self.start_model[0], y - self.start_model[1]
        snapper = self.view.snapper
        before = snapper.viewport_rect()
        sn = snapper.move(self.moving, dx, dy, e.modifiers(), exclude=self.exclude, anchor=self.anchor)
        self.delta = (sn.x, sn.y)
        self.scene.preview_move(self.preview_ids, *self.delta)
        # only the snap marker's old and new places: the moved items repaint their own (a whole
        # viewport a mouse move repainted every item of the hall)
        vp = self.view.viewport()
        for r in (before, snapper.viewport_rect()):
            if not r.isEmpty():
                vp.update(r)
        n = len(self.preview_ids)
        what = self.view.snapper.describe()
        self.view.window().statusBar().showMessage(
            f"Moving {n} item(s) by Δx {self.delta[0]:+.2f} m, Δy {self.delta[1]:+.2f} m"
            + (f" · snapped to {what}" if what else ""), 2000)
        return True

    def release(self, e: QMouseEvent) -> bool:
        if self.band is not None:
            a, b = self.band
            self.band = None
            self.view.viewport().update()
            if (b - a).manhattanLength() < DRAG_THRESHOLD_PX:
                self._click_without_band(self.band_mods)
            else:
                self.select_band(a, b, self.band_mods)
            return True
        if self.press_pos is None:
            return False
        was = self.dragging
        self.press_pos = None
        self.dragging = False
        self.view.snapper.clear()
        dx, dy = self.delta
        if was and (abs(dx) > 1e-12 or abs(dy) > 1e-12):
            if not self.session.push(move_items(self.session.doc, self.ids, dx, dy)):
                self.scene.cancel_preview(self.preview_ids)
            else:
                self.scene.end_preview()
        elif was:
            self.scene.cancel_preview(self.preview_ids)
        elif self.pending_member is not None:
            self.session.selection.set([self.pending_member])  # a click inside a selected module
        self.pending_member = None
        return True

    def _click_without_band(self, mods) -> None:
        sel = self.session.selection
        if self.pending_toggle is not None:  # Ctrl-click on an item: add or remove it
            i = self.pending_toggle
            ids = sel.ids
            sel.set([j for j in ids if j != i] if i in ids else ids + [i])
        elif not mods & (Qt.ShiftModifier | Qt.ControlModifier):
            sel.clear()
        self.pending_toggle = None

    def select_band(self, a: QPointF, b: QPointF, mods=Qt.NoModifier) -> None:
        """Select with the window from ``a`` to ``b`` (viewport pixels): left to right what is
        wholly inside, right to left what it touches; Shift adds to the selection."""
        self.pending_toggle = None
        window = b.x() >= a.x()
        area = QRectF(self.view.map_to_scene(a), self.view.map_to_scene(b)).normalized()
        path = QPainterPath()
        path.addRect(area)
        sc = self.scene
        mode = Qt.ContainsItemShape if window else Qt.IntersectsItemShape
        # a module is taken only when the window holds all of it (a window drawn inside a module
        # picks items in it, not the room around them); members come with their module
        ids = [i for i in sc.ids_in(path, mode)
               if sc.items_by_id[i].kind != "module" or area.contains(sc.items_by_id[i].sceneBoundingRect())]
        ids = top_level(self.session.doc, ids)
        sel = self.session.selection
        if mods & Qt.ShiftModifier:
            sel.set(sel.ids + [i for i in ids if i not in sel.ids])
        else:
            sel.set(ids)

    def double_click(self, e) -> bool:
        """A double-click on an item of a module selects the whole module."""
        if e.button() != Qt.LeftButton:
            return False
        it = self._item_at(e)
        if it is None:
            return False
        mid = module_of(self.session.doc, it.item_id)
        if mid is None:
            return False
        self.session.selection.set([mid])
        self.press_pos = None
        self.pending_member = None
        return True

    def cancel(self) -> None:
        if self.press_pos is not None and self.dragging:
            self.scene.cancel_preview(self.preview_ids)
        self.press_pos = None
        self.dragging = False
        self.band = None
        self.view.snapper.clear()
        self.view.viewport().update()

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape:
            if self.dragging or self.band is not None:
                self.cancel()
                return True
            return False
        arrows = {Qt.Key_Left: (-1, 0), Qt.Key_Right: (1, 0), Qt.Key_Up: (0, 1), Qt.Key_Down: (0, -1)}
        if e.key() in arrows and self.session.selection:
            step = self.snap_step() or 0.1
            if e.modifiers() & Qt.ShiftModifier:
                step *= 10
            if e.modifiers() & Qt.AltModifier:
                step = 0.01
            ux, uy = arrows[e.key()]
            ids = top_level(self.session.doc, self.session.selection.ids)
            self.session.push(move_items(self.session.doc, ids, ux * step, uy * step), "Nudge")
            return True
        return False

    def paint(self, painter: QPainter) -> None:
        if self.band is None:
            return
        a, b = self.band
        window = b.x() >= a.x()
        painter.save()
        painter.resetTransform()
        color = QColor(style.SELECT) if window else QColor("#1a8f3c")
        pen = QPen(color, 1.0, Qt.SolidLine if window else Qt.DashLine)
        painter.setPen(pen)
        fill = QColor(color)
        fill.setAlpha(30)
        painter.setBrush(fill)
        painter.drawRect(QRectF(a, b).normalized())
        painter.restore()


class FeedTool(Tool):
    """Connect the selected racks' feed A or B to the PDU or busway tap clicked next."""

    def __init__(self, view, side: str) -> None:
        super().__init__(view)
        self.side = side
        self.name = f"feed:{side}"
        self.hint = f"Click the PDU or busway tap that feeds side {side.upper()} of the selected racks; Esc cancels"

    def press(self, e) -> bool:
        if e.button() != Qt.LeftButton:
            return False
        target = None
        for it in self.view.items(e.position().toPoint()):
            if isinstance(it, PlanItem) and it.kind in ("pdu", "tap"):
                target = it.item_id
                break
        if target is None:
            self.view.window().statusBar().showMessage("Click a PDU or a busway tap", 3000)
            return True
        s = self.session
        racks = [i for i in s.selection.ids if isinstance(s.doc.item(i), h.Rack)]
        edits = []
        for rid in racks:
            r = s.doc.item(rid)
            old = getattr(r, f"feed_{self.side}")
            feed = (old.model_copy(update={"source_id": target}) if old is not None
                    else h.Feed(source_id=target))
            edits.append(SetFields(rid, {f"feed_{self.side}": feed}))
        s.push(Composite(edits, f"Connect feed {self.side.upper()} of {len(edits)} racks to {target}"))
        self.view.set_tool("select")
        return True

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape:
            self.view.set_tool("select")
            return True
        return False


def rect_of(points) -> QRectF:
    xs = [q[0] for q in points]
    ys = [q[1] for q in points]
    return QRectF(min(xs), -max(ys), max(xs) - min(xs), max(ys) - min(ys))


class RowStartTool(Tool):
    """Click the start corner (outer corner of the first rack) of a row of racks; the rows
    follow the cursor as a dashed outline. Esc goes back to the dialog's typed start."""

    name = "row"
    hint = "Click where the rows start (the outer corner of the first rack); Esc cancels"

    def __init__(self, view, values: dict, entry, on_pick) -> None:
        super().__init__(view)
        self.values = values
        self.entry = entry
        self.on_pick = on_pick
        self.cursor: tuple[float, float] | None = None

    def snapped(self, e) -> tuple[float, float]:
        """The cursor snapped to a wall corner, an item's point, or the grid (Alt: none)."""
        sn = self.view.snapper.point(*self.model_pos(e), e.modifiers())
        return sn.x, sn.y

    def footprints(self, x0: float, y0: float) -> list[QRectF]:
        """The racks' rectangles in scene coordinates, as :func:`ops.rack_rows` lays them."""
        v, w, d = self.values, self.entry.width_m, self.entry.depth_m
        out = []
        for row in range(v["rows"]):
            y = y0 + row * (d + v["aisle_m"])
            for k in range(v["count"]):
                x = x0 + k * v["pitch_m"]
                out.append(rect_of([(x, y), (x + w, y + d)]))
        return out

    def move(self, e) -> bool:
        before = self.view.overlay_rect()
        self.cursor = self.snapped(e)
        self.view.update_overlay(before)
        return True

    def press(self, e) -> bool:
        if e.button() != Qt.LeftButton:
            return False
        x, y = self.snapped(e)
        self.view.set_tool("select")
        self.on_pick(x, y)
        return True

    def release(self, e) -> bool:
        return True

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape:
            self.view.set_tool("select")
            return True
        return False

    def paint(self, painter: QPainter) -> None:
        if self.cursor is None:
            return
        pen = QPen(style.SELECT, 1.5)
        pen.setCosmetic(True)
        pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        for r in self.footprints(*self.cursor):
            painter.drawRect(r)
