"""The one-line diagram: a zoomable, pannable view of one site's power chain.

Boxes come from :mod:`.layout` (one per piece of equipment, one per block of racks)
and are kept while the topology stays the same: new results only change what they show.
Normal supplies are solid orthogonal lines; alternate supplies (transfer switches to a
generator) are dashed, and turn solid blue when a scenario moves a board onto them.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene, QGraphicsSimpleTextItem, QGraphicsView

from designer.app.views.power import style as ps
from designer.app.views.power import text as pt
from designer.app.views.power.flows import ScenarioLoads
from designer.app.views.power.layout import Layout
from designer.app.views.power.nodes import NODE_H, NODE_W, NodeBox, RacksBox
from designer.app.views.power.scenario import BATTERY, DEAD, ScenarioState
from designer.solvers.power.results import SitePower

COL_W = NODE_W + 34.0
ROW_H = NODE_H + 46.0
GAP = ROW_H - NODE_H
BAND_GAP = 0.6
"""Rows of space between bands (big halls)."""
LINE = QColor("#4a4f57")


class Diagram(QGraphicsView):
    node_clicked = Signal(str)
    node_context = Signal(str, object)
    """(diagram key, global QPoint) on right-click."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setScene(QGraphicsScene(self))
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setDragMode(QGraphicsView.ScrollHandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setBackgroundBrush(QColor("#fbfbf8"))
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.boxes: dict[str, NodeBox] = {}
        self.edges: dict[tuple[str, str], QGraphicsPathItem] = {}
        self.alts: dict[tuple[str, str], QGraphicsPathItem] = {}
        self.alt_labels: list[QGraphicsSimpleTextItem] = []
        self.layout: Layout | None = None
        self.sp: SitePower | None = None
        self.models: dict[str, object] = {}
        self.scenario: ScenarioState | None = None
        self.loads: ScenarioLoads | None = None
        self._auto_fit = True
        self.auto_fit = True
        self.highlighted: set[str] = set()
        self.stats: dict[str, tuple] = {}
        """Block key -> :func:`.text.block_stats` for the results shown."""
        self._press: QPointF | None = None
        self._fitting = False

    # -- content --------------------------------------------------------------------------------
    def set_data(self, sp: SitePower | None, layout: Layout | None, models: dict[str, object],
                 sc: ScenarioState | None = None, loads: ScenarioLoads | None = None) -> None:
        """Show ``sp`` laid out as ``layout`` (``models``: item id -> model object), in
        scenario ``sc`` if given."""
        self.scenario, self.loads = sc, loads
        if sp is not self.sp:
            self.stats = {}
        self.sp, self.models = sp, models
        if layout is None or sp is None:
            self.layout = None
            self._clear()
            return
        if self.layout is None or layout.signature != self.layout.signature:
            self.layout = layout
            self._build()
            if self.auto_fit:
                self.fit()
        else:
            self.layout = layout
        self.refresh()

    def set_scenario(self, sc: ScenarioState | None, loads: ScenarioLoads | None = None) -> None:
        self.scenario, self.loads = sc, loads
        self.refresh()

    def _clear(self) -> None:
        self.scene().clear()
        self.boxes.clear()
        self.edges.clear()
        self.alts.clear()
        self.alt_labels.clear()

    def _build(self) -> None:
        self._clear()
        lay = self.layout
        sc = self.scene()
        for k, ln in lay.nodes.items():
            box = RacksBox(k, "racks") if ln.kind == "racks" else NodeBox(k, ln.kind)
            box.setPos(QPointF(ln.col * COL_W, (ln.band * (lay.rows + BAND_GAP) + ln.row) * ROW_H))
            box.tooltip_source = (lambda ln=ln: pt.block_tooltip(ln, self.sp)) if ln.kind == "racks" else \
                (lambda k=k: pt.node_tooltip(self.sp.nodes[k]))
            sc.addItem(box)
            self.boxes[k] = box
        for a, b in lay.edges():
            item = QGraphicsPathItem(self._route(a, b))
            item.setZValue(1)
            sc.addItem(item)
            self.edges[(a, b)] = item
        for a, b in lay.alternates():
            item = QGraphicsPathItem(self._route_alt(a, b))
            item.setZValue(2)
            sc.addItem(item)
            self.alts[(a, b)] = item
            label = QGraphicsSimpleTextItem("ATS")
            label.setFont(ps.font(7.0, True))
            label.setBrush(ps.TRANSFER)
            top = self.boxes[b].top()
            label.setPos(top + QPointF(NODE_W * 0.3 + 4, -GAP * 0.3 - 14))
            label.setZValue(3)
            sc.addItem(label)
            self.alt_labels.append(label)
        r = sc.itemsBoundingRect()
        sc.setSceneRect(r.adjusted(-30, -24, 30, 24))
        self.highlight(self.highlighted)

    def _route(self, a: str, b: str) -> QPainterPath:
        p0, p1 = self.boxes[a].bottom(), self.boxes[b].top()
        y = p0.y() + GAP / 2
        path = QPainterPath(p0)
        path.lineTo(QPointF(p0.x(), y))
        path.lineTo(QPointF(p1.x(), y))
        path.lineTo(p1)
        return path

    def _route_alt(self, a: str, b: str) -> QPainterPath:
        p0, p1 = self.boxes[a].bottom(), self.boxes[b].top()
        x1 = p1.x() + NODE_W * 0.3
        y = p1.y() - GAP * 0.3
        path = QPainterPath(p0)
        path.lineTo(QPointF(p0.x(), y))
        path.lineTo(QPointF(x1, y))
        path.lineTo(QPointF(x1, p1.y()))
        return path

    # -- values ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Box contents and line styles from the results and the scenario shown."""
        lay, sp, sc = self.layout, self.sp, self.scenario
        if lay is None or sp is None:
            return
        state = sc.state if sc is not None else {}
        for k, box in self.boxes.items():
            ln = lay.nodes[k]
            if ln.kind == "racks":
                sup = state.get(ln.parent) if sc is not None else None
                st = self.stats.get(k)
                if st is None:
                    st = self.stats[k] = pt.block_stats(ln, sp)
                box.set_view(pt.block_view(ln, st, sc, sup))
            else:
                box.set_view(pt.node_view(sp.nodes[k], self.models.get(k), sc, self.loads))
        for (a, b), item in self.edges.items():
            st = state.get(b if lay.nodes[b].kind != "racks" else a, "live") if sc is not None else "live"
            moved = sc is not None and b in sc.transferred
            if lay.nodes[b].kind != "racks" and not sp.nodes[b].energised:
                st = DEAD
            pen = self._pen(DEAD if moved else st)
            if item.pen() != pen:
                item.setPen(pen)
        for (_a, b), item in self.alts.items():
            active = (sc is not None and b in sc.transferred) or (sc is None and sp.nodes[b].on_alternate)
            pen = QPen(ps.TRANSFER, 3.0 if active else 1.6)
            pen.setStyle(Qt.SolidLine if active else Qt.DashLine)
            if not active:
                pen.setColor(QColor(ps.TRANSFER.red(), ps.TRANSFER.green(), ps.TRANSFER.blue(), 170))
            item.setPen(pen)

    _pens: dict[str, QPen] = {}

    @classmethod
    def _pen(cls, state: str) -> QPen:
        pen = cls._pens.get(state)
        if pen is None:
            pen = cls._pens[state] = cls._make_pen(state)
        return pen

    @staticmethod
    def _make_pen(state: str) -> QPen:
        if state == DEAD:
            pen = QPen(QColor("#b3b7bd"), 1.6)
            pen.setStyle(Qt.DashLine)
        elif state == BATTERY:
            pen = QPen(ps.BATTERY, 2.2)
        else:
            pen = QPen(LINE, 2.0)
        pen.setJoinStyle(Qt.MiterJoin)
        return pen

    def highlight(self, keys) -> None:
        self.highlighted = set(keys)
        for k, box in self.boxes.items():
            box.set_highlighted(k in self.highlighted)

    def reveal(self, keys) -> None:
        """Scroll so the first of ``keys`` is in view (if it is not already)."""
        for k in keys:
            box = self.boxes.get(k)
            if box is not None:
                self.ensureVisible(box.sceneBoundingRect(), 30, 30)
                return

    # -- view -----------------------------------------------------------------------------------
    @property
    def auto_fit(self) -> bool:
        """Keep the whole diagram fitted (until the user zooms or pans). Scroll bars are off
        meanwhile: one coming and going would resize the viewport and refit it, for ever."""
        return self._auto_fit

    @auto_fit.setter
    def auto_fit(self, on: bool) -> None:
        self._auto_fit = on
        policy = Qt.ScrollBarAlwaysOff if on else Qt.ScrollBarAsNeeded
        self.setHorizontalScrollBarPolicy(policy)
        self.setVerticalScrollBarPolicy(policy)

    def fit(self) -> None:
        r = self.sceneRect()
        if r.isEmpty() or self._fitting:
            return
        self._fitting = True
        try:
            self.fitInView(r, Qt.KeepAspectRatio)
            if self.transform().m11() > 1.15:  # small diagrams: no giant text
                self.resetTransform()
                self.scale(1.15, 1.15)
                self.centerOn(r.center())
        finally:
            self._fitting = False

    def zoom_by(self, f: float) -> None:
        s = self.transform().m11()
        f = max(0.05 / s, min(f, 3.0 / s))
        self.scale(f, f)
        self.auto_fit = False

    def wheelEvent(self, e) -> None:  # noqa: N802
        self.zoom_by(1.0015 ** e.angleDelta().y())

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        if self.auto_fit:
            self.fit()

    def box_at(self, pos) -> NodeBox | None:
        for it in self.items(pos):
            if isinstance(it, NodeBox):
                return it
        return None

    def mousePressEvent(self, e) -> None:  # noqa: N802
        self._press = e.position()
        super().mousePressEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        super().mouseReleaseEvent(e)
        start, self._press = self._press, None
        if e.button() != Qt.LeftButton or start is None:
            return
        if (e.position() - start).manhattanLength() > 4:
            self.auto_fit = False  # panned
            return
        box = self.box_at(e.position().toPoint())
        if box is not None:
            self.node_clicked.emit(box.key)

    def contextMenuEvent(self, e) -> None:  # noqa: N802
        box = self.box_at(e.pos())
        if box is not None:
            self.node_context.emit(box.key, e.globalPos())
            e.accept()
