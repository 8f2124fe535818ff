"""Measuring on the plan, and dimensions that stay on it.

:class:`MeasureTool` measures a distance along clicked (snapped or typed) points and, from
three points on, the area they enclose; nothing is added to the document. Enter freezes the
measurement (the next click starts a new one); Esc clears it, and leaves the tool.

:class:`DimensionTool` adds a :class:`~designer.model.hall.Dimension`: click (or type) its two
ends, then move the mouse to place the dimension line and click (Enter: the default offset).
It is one undoable edit, saved in the file, and drawn in the report and the DXF.
"""

from __future__ import annotations

import math

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPen, QPolygonF

from designer.app.plan.coords import to_scene
from designer.app.plan.drawing import PointsTool
from designer.document.edits import AddItem
from designer.model import hall as h
from designer.model.registry import new_id
from designer.model.units import fmt

MEASURE = QColor("#b35c00")


def polygon_area(pts) -> float:
    """Area enclosed by the points (shoelace), m²."""
    if len(pts) < 3:
        return 0.0
    a = 0.0
    for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True):
        a += x0 * y1 - x1 * y0
    return abs(a) / 2.0


def path_length(pts) -> float:
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:], strict=False))


def area_text(m2: float, units: str) -> str:
    if units == "US":
        return f"{m2 * 10.7639:,.1f} ft²"
    return f"{m2:,.2f} m²"


class MeasureTool(PointsTool):
    name = "measure"
    what = "measurement"
    hint = "Measure: click or type points along what to measure"
    finish_words = "Enter (with nothing typed) or a double-click ends the measurement"
    min_points = 2

    def __init__(self, view) -> None:
        super().__init__(view)
        self.done: list[tuple[float, float]] = []
        """The last finished measurement's points (shown until the next click)."""

    def press(self, e) -> bool:
        if e.button() == Qt.LeftButton and self.done:
            self.done = []
        return super().press(e)

    def result(self, pts=None) -> dict:
        """{"length_m", "segments", "area_m2" (None under three points)} of ``pts`` (default:
        the points being measured, with the cursor; else the finished measurement)."""
        if pts is None:
            pts = list(self.points) + ([self.cursor] if self.cursor and self.points else []) if self.points \
                else list(self.done)
        return {"length_m": path_length(pts), "segments": max(0, len(pts) - 1),
                "area_m2": polygon_area(pts) if len(pts) >= 3 else None}

    def result_text(self, pts=None) -> str:
        r = self.result(pts)
        units = self.session.units
        text = f"Distance {fmt(r['length_m'], 'length', units, 2)}"
        if r["segments"] > 1:
            text += f" over {r['segments']} segments"
        if r["area_m2"] is not None:
            text += f"; area enclosed {area_text(r['area_m2'], units)}"
        return text

    def finish(self) -> None:
        pts = [q for q in self.points]
        self.points, self.typing = [], ""
        if len(pts) >= 2:
            self.done = pts
            self.session.message.emit(self.result_text(pts))
        self.view.viewport().update()
        self.view.hint_changed.emit()

    def cancel(self) -> None:
        if self.points or self.done:
            self.points, self.done, self.typing = [], [], ""
            self.view.viewport().update()
            self.view.hint_changed.emit()
            return
        self.view.set_tool("select")

    def prompt(self) -> str:
        if self.points:
            return f"<b>{self.result_text()}</b>. " + super().prompt()
        if self.done:
            return (f"<b>{self.result_text(self.done)}</b>. Click to measure again; Esc clears, Esc again "
                    "leaves the tool.")
        return super().prompt()

    def paint(self, painter) -> None:
        pts = self.done or (list(self.points) + ([self.cursor] if self.cursor and self.points else []))
        if len(pts) >= 3:
            painter.save()
            painter.setPen(Qt.NoPen)
            painter.setBrush(QColor(MEASURE.red(), MEASURE.green(), MEASURE.blue(), 35))
            painter.drawPolygon(QPolygonF([to_scene(*q) for q in pts]))
            painter.restore()
        if self.done:
            pen = QPen(MEASURE, 2)
            pen.setCosmetic(True)
            painter.setPen(pen)
            qp = [to_scene(*q) for q in self.done]
            for a, b in zip(qp, qp[1:], strict=False):
                painter.drawLine(a, b)
        super().paint(painter)


class DimensionTool(PointsTool):
    name = "dimension"
    what = "dimension"
    hint = "Dimension: click or type the two points to dimension, then place the line"
    min_points = 2
    DEFAULT_OFFSET_M = 0.6

    def add_point(self, pt, e) -> None:
        if len(self.points) < 2:
            self.points.append(pt)
            return
        self.commit_with(self.offset_to(pt))

    def offset_to(self, pt) -> float:
        """Signed distance of ``pt`` from the measured line (left of start -> end positive)."""
        (x0, y0), (x1, y1) = self.points[0], self.points[1]
        L = math.dist(self.points[0], self.points[1]) or 1.0
        return ((x1 - x0) * (pt[1] - y0) - (y1 - y0) * (pt[0] - x0)) / L

    def finish(self) -> None:
        if len(self.points) >= 2:
            self.commit_with(self.DEFAULT_OFFSET_M)
        else:
            self.cancel()

    def commit_with(self, offset: float) -> None:
        s = self.session
        site = s.site
        a, b = self.points[0], self.points[1]
        self.points, self.typing = [], ""
        self.view.viewport().update()
        if site is None or math.dist(a, b) < 1e-6:
            self.view.hint_changed.emit()
            return
        dim = h.Dimension(id=new_id("dim", s.doc.ids()), start=a, end=b, offset_m=round(offset, 4))
        if s.push(AddItem("dimension", dim, site.id), f"Add dimension {fmt(dim.length_m, 'length', s.units, 2)}"):
            s.selection.set([dim.id])
        self.view.hint_changed.emit()  # the tool stays: the next dimension

    def cancel(self) -> None:
        if self.points or self.typing:
            self.points, self.typing = [], ""
            self.view.viewport().update()
            self.view.hint_changed.emit()
            return
        self.view.set_tool("select")

    def prompt(self) -> str:
        if len(self.points) >= 2:
            return ("Place the dimension line: move the mouse to the side and click (Enter: "
                    f"{self.DEFAULT_OFFSET_M:g} m to the left); Esc cancels.")
        if len(self.points) == 1:
            return super().prompt().replace("Next point of the dimension", "Second point of the dimension")
        return "Dimension: click or type (x,y and Enter) the first point; Esc leaves the tool."

    def paint(self, painter) -> None:
        if len(self.points) >= 2 and self.cursor is not None:
            from designer.app.plan.items import draw_dimension

            off = self.offset_to(self.cursor)
            dim = h.Dimension(id="preview", start=self.points[0], end=self.points[1], offset_m=off)
            draw_dimension(painter, dim, self.session.units, preview=True)
            return
        super().paint(painter)

