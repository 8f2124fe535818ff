"""The hall's background drawing (an imported DXF) under the plan: thin grey lines, locked.

It is one graphics item for the whole drawing (one painter path per layer): it takes no
mouse buttons, so clicks and rubber bands reach the items above it, is never selectable
or movable, and sits above the floor fill and below every item. Its lines are one device
pixel wide at any zoom, given in metres for the painter's scale (not a cosmetic pen, so
an SVG export draws them the same in every renderer).
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem

from designer.app.plan.coords import to_scene
from designer.model.hall import Background

INK = QColor(120, 124, 132)
Z = -90.0
"""Above the floor (-100), below modules (-5) and everything else."""


class UnderlayItem(QGraphicsItem):
    def __init__(self, bg: Background) -> None:
        super().__init__()
        self.setZValue(Z)
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setAcceptHoverEvents(False)
        self.setFlag(QGraphicsItem.ItemIsSelectable, False)
        self.setFlag(QGraphicsItem.ItemIsMovable, False)
        self.setData(0, "background")
        self.set_background(bg)

    def set_background(self, bg: Background) -> None:
        self.prepareGeometryChange()
        self.bg = bg
        path = QPainterPath()
        for p in bg.paths:
            if len(p.points) < 2:
                continue
            pts = [to_scene(x, y) for x, y in p.points]
            path.moveTo(pts[0])
            for q in pts[1:]:
                path.lineTo(q)
            if p.closed:
                path.closeSubpath()
        self.path = path
        self._rect = path.boundingRect().adjusted(-0.05, -0.05, 0.05, 0.05)
        self.setVisible(bg.visible)
        self.update()

    def boundingRect(self) -> QRectF:  # noqa: N802
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()  # nothing to hit

    def paint(self, painter, option, widget=None) -> None:
        lod = QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
        painter.setPen(QPen(INK, 1.0 / max(lod, 1e-9)))
        painter.setBrush(Qt.NoBrush)
        painter.drawPath(self.path)
