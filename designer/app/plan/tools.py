"""Interaction tools of the plan, one class per mouse mode (as orange-canvas-core does).

A tool gets the view's mouse and key events first; returning True consumes the event.
Tools change the document only through the session's undoable edits.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen

from designer.app import style
from designer.app.plan.coords import to_model, to_scene
from designer.app.plan.items import PlanItem
from designer.document.assembly import with_members
from designer.document.edits import AddItem, Composite, SetFields
from designer.document.geometry import snap
from designer.document.grouping import module_of, top_level
from designer.document.ops import move_items
from designer.model import hall as h
from designer.model import power as p
from designer.model.registry import new_id

DRAG_THRESHOLD_PX = 4


class Tool:
    name = "tool"
    hint = ""

    def __init__(self, view) -> None:
        self.view = view
        self.session = view.session
        self.scene = view.scene()

    def model_pos(self, e) -> tuple[float, float]:
        return to_model(self.view.mapToScene(e.position().toPoint()))

    def snap_step(self) -> float:
        site = self.session.site
        return site.hall.grid.snap_m if site is not None else 0.0

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
    """Click / shift-click / rubber band to select; drag to move (one undo step);
    Escape cancels a drag; arrow keys nudge by the snap step (Shift: ten times).

    Modules are groups: a click on an item selects that item, a click on a module's own
    floor (or a double-click on any item of it) selects the whole module. Pressing on any
    item of a selected module drags the whole assembly; a click without a drag then
    selects just that item."""

    name = "select"
    hint = ("Click to select, Shift-click to add, drag to move; double-click an item of a module to select "
            "the whole module; Esc cancels a drag")

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

    def _item_at(self, e) -> PlanItem | None:
        for it in self.view.items(e.position().toPoint()):
            if isinstance(it, PlanItem) and it.isVisible():
                return it
        return None

    def press(self, e: QMouseEvent) -> bool:
        if e.button() != Qt.LeftButton:
            return False
        it = self._item_at(e)
        if it is None:
            if not (e.modifiers() & (Qt.ShiftModifier | Qt.ControlModifier)):
                self.session.selection.clear()
            return False  # rubber band by the view
        sel = self.session.selection
        doc = self.session.doc
        if e.modifiers() & (Qt.ShiftModifier | Qt.ControlModifier):
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
        self.dragging = False
        self.delta = (0.0, 0.0)
        return True

    def move(self, e: QMouseEvent) -> bool:
        if self.press_pos is None:
            return False
        if not self.dragging:
            if (e.position() - self.press_pos).manhattanLength() < DRAG_THRESHOLD_PX:
                return True
            self.dragging = True
        x, y = self.model_pos(e)
        step = 0.0 if e.modifiers() & Qt.AltModifier else self.snap_step()
        ax = snap(self.anchor[0] + x - self.start_model[0], step)
        ay = snap(self.anchor[1] + y - self.start_model[1], step)
        self.delta = (ax - self.anchor[0], ay - self.anchor[1])
        self.scene.preview_move(self.preview_ids, *self.delta)
        n = len(self.preview_ids)
        self.view.window().statusBar().showMessage(
            f"Moving {n} item(s) by Δx {self.delta[0]:+.2f} m, Δy {self.delta[1]:+.2f} m", 2000)
        return True

    def release(self, e: QMouseEvent) -> bool:
        if self.press_pos is None:
            return False
        was = self.dragging
        self.press_pos = None
        self.dragging = False
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

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape:
            if self.dragging:
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


# -- drawing tools -------------------------------------------------------------------------------
class PointsTool(Tool):
    """Base of tools that collect clicked points; Enter or double-click finishes, Esc cancels."""

    min_points = 2

    def __init__(self, view) -> None:
        super().__init__(view)
        self.points: list[tuple[float, float]] = []
        self.cursor: tuple[float, float] | None = None

    def snapped(self, e) -> tuple[float, float]:
        x, y = self.model_pos(e)
        step = 0.0 if e.modifiers() & Qt.AltModifier else self.snap_step()
        x, y = snap(x, step), snap(y, step)
        if self.points and e.modifiers() & Qt.ShiftModifier:  # orthogonal
            px, py = self.points[-1]
            if abs(x - px) > abs(y - py):
                y = py
            else:
                x = px
        return x, y

    def press(self, e) -> bool:
        if e.button() == Qt.RightButton:
            self.finish()
            return True
        if e.button() != Qt.LeftButton:
            return False
        self.add_point(self.snapped(e), e)
        self.view.viewport().update()
        return True

    def add_point(self, pt, e) -> None:
        self.points.append(pt)

    def move(self, e) -> bool:
        self.cursor = self.snapped(e)
        self.view.viewport().update()
        return True

    def release(self, e) -> bool:
        return True

    def double_click(self, e) -> bool:
        self.finish()
        return True

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape:
            self.points.clear()
            self.view.viewport().update()
            self.view.set_tool("select")
            return True
        if e.key() in (Qt.Key_Return, Qt.Key_Enter):
            self.finish()
            return True
        if e.key() == Qt.Key_Backspace and self.points:
            self.points.pop()
            self.view.viewport().update()
            return True
        return False

    def finish(self) -> None:
        pts = _dedupe(self.points)
        self.points = []
        if len(pts) >= self.min_points:
            self.commit(pts)
        self.view.viewport().update()
        self.view.set_tool("select")

    def commit(self, pts) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def paint(self, painter: QPainter) -> None:
        pts = list(self.points) + ([self.cursor] if self.cursor and self.points else [])
        if not pts:
            return
        pen = QPen(style.SELECT, 2)
        pen.setCosmetic(True)
        pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        qp = [to_scene(*q) for q in pts]
        for a, b in zip(qp, qp[1:], strict=False):
            painter.drawLine(a, b)
        for q in qp[:-1] if self.cursor else qp:
            painter.drawEllipse(q, 3 / self.view.px_per_m, 3 / self.view.px_per_m)


def _dedupe(pts):
    out = []
    for q in pts:
        if not out or math.dist(out[-1], q) > 1e-9:
            out.append(q)
    return out


class PolygonTool(PointsTool):
    """Draw the hall outline, an obstruction or a containment as a polygon."""

    min_points = 3

    def __init__(self, view, target: str, kind: str = "") -> None:
        super().__init__(view)
        self.target = target  # "outline" | "obstruction" | "containment"
        self.kind = kind
        self.name = f"polygon:{target}:{kind}"
        self.hint = f"Click the corners of the {target}; Enter or double-click closes it, Esc cancels"

    def commit(self, pts) -> None:
        s = self.session
        site = s.site
        if site is None:
            return
        if self.target == "outline":
            s.push(SetFields(site.id, {"hall.outline": pts}), "Redraw hall outline")
            return
        taken = s.doc.ids()
        if self.target == "obstruction":
            item = h.Obstruction(id=new_id("obs", taken), name="", kind=self.kind or "column", polygon=pts)
        else:
            item = h.Containment(id=new_id("cont", taken), name=f"{self.kind or 'hot'} aisle",
                                 kind=self.kind or "hot", polygon=pts)
        if s.push(AddItem(self.target, item, site.id)):
            s.selection.set([item.id])

    def paint(self, painter) -> None:
        super().paint(painter)
        if len(self.points) >= 2 and self.cursor:
            pen = QPen(style.SELECT, 1)
            pen.setCosmetic(True)
            pen.setStyle(Qt.DotLine)
            painter.setPen(pen)
            painter.drawLine(to_scene(*self.cursor), to_scene(*self.points[0]))


class BuswayTool(PointsTool):
    name = "busway"
    hint = "Click along the busway route from its feed end; Enter or double-click ends it"

    def __init__(self, view, model: str = "BW-800") -> None:
        super().__init__(view)
        self.model = model

    def commit(self, pts) -> None:
        s = self.session
        site = s.site
        entry = s.catalog.get(self.model)
        if site is None or entry is None:
            return
        bid = new_id("bw", s.doc.ids())
        bw = p.Busway(id=bid, name=bid.upper(), catalog_model=entry.model, path=pts, rating_a=entry.rating_a,
                      voltage_v=entry.voltage_v, r_ohm_per_km=entry.r_ohm_per_km, x_ohm_per_km=entry.x_ohm_per_km)
        if s.push(AddItem("busway", bw, site.id)):
            s.selection.set([bid])


class PipeTool(PointsTool):
    """Draw a pipe from a port (CDU, rack, facility water supply or junction) to a port,
    clicking bends between.

    Ends snap to the nearest port within 12 px, shown by a marker with the port's name.
    Finishing on empty floor ends the pipe at a new junction there, so manifolds are drawn
    as a chain of pipes. A pipe that starts or ends on a facility port (a CDU's primary side
    or a water supply) is a facility pipe.
    """

    name = "pipe"
    SNAP_PX = 12
    PORT_NAMES = {"supply": "supply", "return": "return", "facility_supply": "facility supply",
                  "facility_return": "facility return", "node": "junction"}

    def __init__(self, view, role: str = "supply", diameter_m: float = 0.054) -> None:
        super().__init__(view)
        self.role = role
        self.diameter_m = diameter_m
        self.start: h.PortRef | None = None
        self.hint = (f"{role.title()} pipe: click a port to start, click bends, click a port to end "
                     "(double-click on the floor ends at a new junction); Esc cancels")

    def ports(self):
        """Every pipe port of the hall: (PortRef, plan point)."""
        site = self.session.site
        if site is None:
            return
        for j in site.hall.junctions:
            yield h.PortRef(item_id=j.id, port="node"), (j.x, j.y)
        for it in (*site.hall.racks, *site.hall.cdus):
            for port in ("supply", "return"):
                yield h.PortRef(item_id=it.id, port=port), it.port_position(port)
        for c in site.hall.cdus:
            for port in ("facility_supply", "facility_return"):
                yield h.PortRef(item_id=c.id, port=port), c.port_position(port)
        for w in site.hall.water_supplies:
            for port in ("supply", "return"):
                yield h.PortRef(item_id=w.id, port=port), w.port_position(port)

    def port_near(self, x: float, y: float) -> tuple[h.PortRef, tuple[float, float]] | None:
        tol = self.SNAP_PX / self.view.px_per_m
        best, best_d = None, tol
        for ref, q in self.ports():
            d = math.dist(q, (x, y))
            if d < best_d:
                best, best_d = (ref, q), d
        return best

    def port_label(self, ref: h.PortRef) -> str:
        m = self.session.doc.item(ref.item_id)
        name = (getattr(m, "name", "") or ref.item_id) if m is not None else ref.item_id
        if isinstance(m, h.WaterSupply):
            return f"{name} facility {ref.port}"
        return f"{name} {self.PORT_NAMES.get(ref.port, ref.port)}"

    def role_for(self, *ends: h.PortRef | None) -> str:
        """The pipe's role: facility supply / return when an end is a facility port."""
        for ref in ends:
            if ref is None:
                continue
            if ref.port.startswith("facility_"):
                return ref.port
            if isinstance(self.session.doc.item(ref.item_id), h.WaterSupply):
                return f"facility_{ref.port}"
        return self.role

    def add_point(self, pt, e) -> None:
        x, y = self.model_pos(e)
        hit = self.port_near(x, y)
        if self.start is None:
            if hit is None:
                self.view.window().statusBar().showMessage(
                    "Start a pipe on a port (rack, CDU, facility water) or a junction", 3000)
                return
            self.start = hit[0]
            self.points = [hit[1]]
            self.view.window().statusBar().showMessage(f"From {self.port_label(hit[0])}", 3000)
            return
        if hit is not None and hit[0] != self.start:
            self.points.append(hit[1])
            self._commit_to(hit[0])
            return
        self.points.append(pt)

    def finish(self) -> None:
        if self.start is not None and len(self.points) >= 2:
            self._commit_to(None)
        else:
            self.points = []
            self.start = None
            self.view.set_tool("select")

    def _commit_to(self, end: h.PortRef | None) -> None:
        s = self.session
        site = s.site
        pts = _dedupe(self.points)
        start = self.start
        self.points, self.start = [], None
        if site is None or start is None or len(pts) < 2:
            return
        taken = set(s.doc.ids())
        edits = []
        role = self.role_for(start, end)
        if end is None:
            jid = new_id("j", taken)
            taken.add(jid)
            jx, jy = pts[-1]
            edits.append(AddItem("junction", h.Junction(id=jid, x=jx, y=jy), site.id))
            end = h.PortRef(item_id=jid, port="node")
        pid = new_id("pipe", taken)
        pipe = h.Pipe(id=pid, start=start, end=end, points=pts[1:-1], role=role, diameter_m=self.diameter_m)
        edits.append(AddItem("pipe", pipe, site.id))
        if s.push(Composite(edits, f"Draw {role.replace('_', ' ')} pipe")):
            s.selection.set([pid])
        self.view.viewport().update()

    def paint(self, painter) -> None:
        super().paint(painter)
        if self.cursor is None:
            return
        hit = self.port_near(*self.cursor)
        if hit is not None:
            pen = QPen(QColor("#0a7"), 2)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.NoBrush)
            r = 6 / self.view.px_per_m
            c = to_scene(*hit[1])
            painter.drawEllipse(c, r, r)
            # the port's name beside the marker, at a constant size on screen
            painter.save()
            painter.translate(c)
            painter.scale(1 / self.view.px_per_m, 1 / self.view.px_per_m)
            painter.drawText(QPointF(10, -8), self.port_label(hit[0]))
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
        x, y = self.model_pos(e)
        step = 0.0 if e.modifiers() & Qt.AltModifier else self.snap_step()
        return snap(x, step), snap(y, step)

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
        self.cursor = self.snapped(e)
        self.view.viewport().update()
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
