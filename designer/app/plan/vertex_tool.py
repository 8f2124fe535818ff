"""Edit a polygon's corners on the plan: the hall outline, an obstruction or a containment.

Drag a corner handle to move it (snapped; one undo step per drag), double-click an edge to
add a corner there, right-click a corner to remove it (a polygon keeps at least three).
Esc or Enter leaves the tool.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPen, QPolygonF

from designer.app.plan.coords import to_scene
from designer.app.plan.tools import Tool
from designer.app.window import style
from designer.document.edits import SetFields
from designer.document.geometry import snap

HANDLE_PX = 8


class VertexTool(Tool):
    def __init__(self, view, target: str) -> None:
        """``target`` is an obstruction / containment id, or "outline" for the hall."""
        super().__init__(view)
        self.target = target
        self.name = f"vertices:{target}"
        self.hint = ("Drag a corner to move it, double-click an edge to add one, right-click a corner "
                     "to remove it; Esc when done")
        self.points = self._model_points()
        self.drag: int | None = None
        self.start: list | None = None

    # -- the polygon being edited ---------------------------------------------------------------
    def _model_points(self) -> list[tuple[float, float]]:
        s = self.session
        if self.target == "outline":
            return list(s.site.hall.outline) if s.site else []
        m = s.doc.item(self.target)
        return list(m.polygon) if m is not None else []

    def _commit(self, pts, label: str) -> None:
        s = self.session
        if self.target == "outline":
            s.push(SetFields(s.site.id, {"hall.outline": pts}), label)
        else:
            s.push(SetFields(self.target, {"polygon": pts}), label)
        self.points = self._model_points()

    def _handle_at(self, e) -> int | None:
        tol = HANDLE_PX / self.view.px_per_m
        x, y = self.model_pos(e)
        best, best_d = None, tol
        for i, (px, py) in enumerate(self.points):
            d = math.dist((px, py), (x, y))
            if d <= best_d:
                best, best_d = i, d
        return best

    def _edge_at(self, e) -> tuple[int, tuple[float, float]] | None:
        tol = HANDLE_PX / self.view.px_per_m
        x, y = self.model_pos(e)
        n = len(self.points)
        for i in range(n):
            a, b = self.points[i], self.points[(i + 1) % n]
            vx, vy = b[0] - a[0], b[1] - a[1]
            L2 = vx * vx + vy * vy
            if L2 == 0:
                continue
            t = max(0.0, min(1.0, ((x - a[0]) * vx + (y - a[1]) * vy) / L2))
            q = (a[0] + t * vx, a[1] + t * vy)
            if math.dist(q, (x, y)) <= tol:
                return i, q
        return None

    # -- events ----------------------------------------------------------------------------------
    def press(self, e) -> bool:
        i = self._handle_at(e)
        if e.button() == Qt.RightButton:
            if i is not None and len(self.points) > 3:
                pts = self.points[:i] + self.points[i + 1:]
                self._commit(pts, "Remove a corner")
            return True
        if e.button() != Qt.LeftButton:
            return False
        if i is not None:
            self.drag = i
            self.start = list(self.points)
        return True

    def move(self, e) -> bool:
        if self.drag is None:
            return True
        x, y = self.model_pos(e)
        before = self.view.overlay_rect()
        sn = self.view.snapper.point(x, y, e.modifiers(), exclude=(self.target,))
        self.points[self.drag] = (sn.x, sn.y)
        self.view.update_overlay(before)
        return True

    def release(self, e) -> bool:
        if self.drag is None:
            return True
        i, self.drag = self.drag, None
        self.view.snapper.clear()
        if self.start is not None and self.points[i] != self.start[i]:
            self._commit(list(self.points), "Move a corner")
        self.start = None
        return True

    def double_click(self, e) -> bool:
        hit = self._edge_at(e)
        if hit is not None:
            i, q = hit
            step = self.snap_step()
            q = (snap(q[0], step), snap(q[1], step))
            self._commit(self.points[: i + 1] + [q] + self.points[i + 1:], "Add a corner")
        return True

    def key(self, e) -> bool:
        if e.key() == Qt.Key_Escape and self.drag is not None:
            self.points = list(self.start or self.points)
            self.drag = None
            self.view.viewport().update()
            return True
        if e.key() in (Qt.Key_Escape, Qt.Key_Return, Qt.Key_Enter):
            self.view.set_tool("select")
            return True
        return False

    def paint(self, painter) -> None:
        if len(self.points) < 2:
            return
        pen = QPen(style.SELECT, 2, Qt.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        painter.drawPolygon(QPolygonF([to_scene(*q) for q in self.points]))
        r = HANDLE_PX / 2 / self.view.px_per_m
        painter.setBrush(QBrush(QColor("white")))
        hp = QPen(style.SELECT, 2)
        hp.setCosmetic(True)
        painter.setPen(hp)
        for q in self.points:
            c = to_scene(*q)
            painter.drawRect(QRectF(c - QPointF(r, r), c + QPointF(r, r)))
