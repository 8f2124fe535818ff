"""Drawing tools: polygons (hall outline, obstructions, containment), busways and pipes.

Points are clicked (snapped to other items' points and edges, else the grid; Shift keeps a
segment horizontal or vertical; Alt: no snapping) or typed, as CAD's dynamic input: after the
first point, a length (along the rubber band), ``length<angle`` or ``dx,dy`` and Enter adds
the next point (see :mod:`designer.app.plan.typed`; Tab types the angle). Enter with nothing
typed, a double-click or a right-click finishes; Backspace takes back the last point; Esc
cancels. The hint bar under the plan says all this whatever started the tool.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

from designer.app.plan.coords import to_scene
from designer.app.plan.tools import Tool
from designer.app.plan.typed import ALLOWED, TypedError, describe_segment, parse_point
from designer.app.window import style
from designer.document.edits import AddItem, Composite, SetFields
from designer.document.snaps import Snap
from designer.model import hall as h
from designer.model import power as p
from designer.model.registry import new_id


class PointsTool(Tool):
    """Base of tools that collect points; Enter or double-click finishes, Esc cancels."""

    min_points = 2
    takes_tab = True
    what = "shape"
    finish_words = "Enter (with nothing typed), a double-click or a right-click ends it"

    def __init__(self, view) -> None:
        super().__init__(view)
        self.points: list[tuple[float, float]] = []
        self.cursor: tuple[float, float] | None = None
        self.typing = ""
        self.error = ""

    def activate(self) -> None:
        self.view.setFocus(Qt.OtherFocusReason)  # typed lengths go to the plan, however it was started

    def snapped(self, e) -> tuple[float, float]:
        x, y = self.model_pos(e)
        sn = self.view.snapper.point(x, y, e.modifiers())
        x, y = sn.x, sn.y
        if self.points and e.modifiers() & Qt.ShiftModifier:  # orthogonal
            px, py = self.points[-1]
            if abs(x - px) > abs(y - py):
                y = py
            else:
                x = px
            self.view.snapper.last = Snap(x, y, "")
        return x, y

    def press(self, e) -> bool:
        if e.button() == Qt.RightButton:
            self.finish()
            return True
        if e.button() != Qt.LeftButton:
            return False
        self.add_point(self.snapped(e), e)
        self.typing = ""
        self.view.viewport().update()
        self.view.hint_changed.emit()
        return True

    def add_point(self, pt, e) -> None:
        self.points.append(pt)

    def move(self, e) -> bool:
        before = self.view.overlay_rect()
        self.cursor = self.snapped(e)
        self.view.update_overlay(before)
        if self.points:
            self.view.hint_changed.emit()
        return True

    def release(self, e) -> bool:
        return True

    def double_click(self, e) -> bool:
        self.finish()
        return True

    # -- the keyboard: typed points ----------------------------------------------------------
    def key(self, e) -> bool:
        k = e.key()
        if k == Qt.Key_Escape:
            if self.typing:
                self.typing, self.error = "", ""
                self.view.hint_changed.emit()
                return True
            self.cancel()
            return True
        if k in (Qt.Key_Return, Qt.Key_Enter):
            if self.typing:
                self.enter_typed()
            else:
                self.finish()
            return True
        if k == Qt.Key_Backspace:
            if self.typing:
                self.typing = self.typing[:-1]
            elif self.points:
                self.points.pop()
                self.view.viewport().update()
            self.view.hint_changed.emit()
            return True
        if k == Qt.Key_Tab:
            if self.points and "<" not in self.typing and "," not in self.typing:
                self.typing += "<"  # on to the angle, as CAD's dynamic input
                self.view.hint_changed.emit()
            return True
        text = e.text()
        if text and all(c in ALLOWED for c in text) and not e.modifiers() & (Qt.ControlModifier | Qt.AltModifier):
            self.typing += text
            self.error = ""
            self.view.viewport().update()
            self.view.hint_changed.emit()
            return True
        return False

    def typed_point(self) -> tuple[float, float]:
        last = self.points[-1] if self.points else None
        return parse_point(self.typing, last, self.cursor, self.session.units)

    def enter_typed(self) -> None:
        try:
            pt = self.typed_point()
        except TypedError as err:
            self.error = str(err)
            self.view.hint_changed.emit()
            return
        self.typing, self.error = "", ""
        self.add_point(pt, None)
        self.view.viewport().update()
        self.view.hint_changed.emit()

    def cancel(self) -> None:
        self.points.clear()
        self.typing = ""
        self.view.viewport().update()
        self.view.set_tool("select")

    def finish(self) -> None:
        pts = _dedupe(self.points)
        self.points = []
        self.typing = ""
        if len(pts) >= self.min_points:
            self.commit(pts)
        self.view.viewport().update()
        self.view.set_tool("select")

    def commit(self, pts) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def prompt(self) -> str:
        units = self.session.units
        if self.error:
            return f"<b>{self.error}</b> — {self.hint}"
        if not self.points:
            return f"{self.hint}. First point: click, or type x,y and Enter."
        seg = ""
        if self.cursor is not None:
            seg = f" Now: {describe_segment(self.points[-1], self.cursor, units)}."
        unit = "ft" if units == "US" else "m"
        return (f"Next point of the {self.what}: click, or type a length ({unit}), length&lt;angle or dx,dy and "
                f"Enter (Tab: angle).{seg} {self.finish_words}; Backspace takes back a point; Esc cancels.")

    def paint(self, painter: QPainter) -> None:
        pts = list(self.points) + ([self.cursor] if self.cursor and self.points else [])
        if pts:
            pen = QPen(style.SELECT, 2)
            pen.setCosmetic(True)
            pen.setStyle(Qt.DashLine)
            painter.setPen(pen)
            qp = [to_scene(*q) for q in pts]
            for a, b in zip(qp, qp[1:], strict=False):
                painter.drawLine(a, b)
            for q in qp[:-1] if self.cursor else qp:
                painter.drawEllipse(q, 3 / self.view.px_per_m, 3 / self.view.px_per_m)
        self.paint_dynamic(painter)

    def paint_dynamic(self, painter: QPainter) -> None:
        """The live length and angle beside the cursor, or what is being typed (CAD's
        dynamic input), at a constant size on screen."""
        if self.cursor is None:
            return
        if self.typing:
            text = f"{self.typing}▏"
        elif self.points:
            text = describe_segment(self.points[-1], self.cursor, self.session.units)
        else:
            return
        k = 1.0 / max(self.view.px_per_m, 1e-9)
        painter.save()
        painter.translate(to_scene(*self.cursor))
        painter.scale(k, k)
        f = QFont("DejaVu Sans", 9)
        painter.setFont(f)
        w = QFontMetricsF(f).horizontalAdvance(text) + 10
        box = QRectF(14, -30, w, 18)
        painter.setPen(QPen(style.SELECT, 1))
        painter.setBrush(QColor(255, 255, 255, 235))
        painter.drawRect(box)
        painter.setPen(QColor("#111"))
        painter.drawText(box, Qt.AlignCenter, text)
        painter.restore()


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
        self.what = {"outline": "hall outline", "obstruction": "obstruction"}.get(target, f"{kind or 'hot'} aisle")
        self.hint = f"Draw the {self.what}: click or type its corners"
        self.finish_words = "Enter (with nothing typed) or a double-click closes it"

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
    what = "busway"
    hint = "Draw a busway: click or type its route from the feed end"

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
        self.what = f"{role} pipe"
        self.hint = (f"{role.title()} pipe: click a port to start (a rack's, a CDU's or facility water), "
                     "then click or type the bends, and click a port to end")
        self.finish_words = "a double-click or Enter ends it at a new junction there"

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

    def snapped(self, e) -> tuple[float, float]:
        """A port within reach wins (shown by the snap marker with its name), else the usual snaps."""
        x, y = self.model_pos(e)
        hit = None if e.modifiers() & Qt.AltModifier else self.port_near(x, y)
        if hit is not None:
            ref, q = hit
            label = "junction" if ref.port == "node" else f"{self.PORT_NAMES.get(ref.port, ref.port)} port"
            self.view.snapper.last = Snap(q[0], q[1], "port", ref.item_id, label, target=q)
            return q
        return super().snapped(e)

    def add_point(self, pt, e) -> None:
        x, y = pt
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
