"""Per workload: the achieved round trip against its budget, stacked by component (pyqtgraph).

Budgets run from a few ms (V2X, vision) to seconds (batch jobs), so the default scale is
*per cent of each workload's own budget*: every budget sits at 100 % and the bars compare
at a glance; the exact figures are in the labels and tooltips. The "ms" scale shows
absolute times with each budget marked on its own row.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from designer.app.views.placement import style as ps
from designer.app.views.placement.models import breakdown_text
from designer.app.views.placement.style import fmt_num

BAR_H = 0.62
MAX_TEXT_ROWS = 80
"""Above this many workloads the per-row value labels are left out (speed, legibility)."""
ROW_PX = 19
"""Height of a row on screen: the chart shows as many as fit and scrolls (drag, wheel) for more."""
MIN_ROWS = 3
AXIS_PX = 48
"""About the height of the time axis with its label (and the plot's margins)."""


class LatencyChart(QWidget):
    workload_clicked = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.scale = QComboBox()
        self.scale.addItems(["% of budget", "ms"])
        self.scale.setToolTip("Bars as a share of each workload's own budget, or in milliseconds")
        legend = QLabel(" ".join(f"<span style='color:{c.name()}'>■</span>&nbsp;{name}" for _, name, c in ps.COMPONENTS)
                        + f"&nbsp;&nbsp;<span style='color:{ps.MARGIN['over'].name()}'><b>|</b></span>&nbsp;budget")
        legend.setTextFormat(Qt.RichText)
        title = QLabel("<b>Round trip against budget</b>")
        legend.setWordWrap(True)
        top = QHBoxLayout()  # title and scale over the legend: the chart is a column of the pane
        top.setContentsMargins(4, 0, 4, 0)
        top.addWidget(title, 1)
        top.addWidget(self.scale)
        self.plot = pg.PlotWidget(background="w")
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        # never fewer than MIN_ROWS rows over the time axis: a lower panel scrolls instead
        self.plot.setMinimumHeight(MIN_ROWS * ROW_PX + AXIS_PX)
        pi = self.plot.getPlotItem()
        pi.setMouseEnabled(x=False, y=True)
        pi.showGrid(x=True, y=False, alpha=0.25)
        pi.getAxis("left").setStyle(tickLength=0)
        pi.getAxis("bottom").setPen(pg.mkPen("#5a6472"))
        pi.getAxis("left").setPen(pg.mkPen("#5a6472"))
        pi.getAxis("left").setTextPen(pg.mkPen("#23262b"))
        pi.getAxis("bottom").setTextPen(pg.mkPen("#23262b"))
        pi.getViewBox().setLimits(xMin=0)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 2, 0, 0)
        lay.setSpacing(2)
        lay.addLayout(top)
        legend.setContentsMargins(4, 0, 4, 0)
        lay.addWidget(legend)
        lay.addWidget(self.plot, 1)
        self.results = None
        self.order: list[str] = []
        self.focus: str | None = None
        self.highlight: set[str] = set()
        self._bands = None
        self.bars: list[pg.BarGraphItem] = []
        self.scale.currentIndexChanged.connect(lambda _i: self.redraw())
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.scene().sigMouseMoved.connect(self._hover)
        self.plot.getPlotItem().getViewBox().sigYRangeChanged.connect(lambda *_a: self._fit_x())
        # the plot area settles after the widget's own resize: the label room is in its pixels
        self.plot.getPlotItem().getViewBox().sigResized.connect(lambda *_a: self._fit_x())

    # -- data -----------------------------------------------------------------------------------
    def set_results(self, results, order: list[str] | None = None) -> None:
        self.results = results
        if results is None:
            self.order = []
        else:
            ids = list(results.workloads)
            self.order = [i for i in (order or ids) if i in results.workloads]
        self.redraw()

    def set_focus(self, wid: str | None) -> None:
        self.focus = wid
        self._draw_bands()
        if wid in self.order:
            y = self._y(self.order.index(wid))
            vb = self.plot.getPlotItem().getViewBox()
            (y0, y1) = vb.viewRange()[1]
            if not y0 < y < y1:
                h = y1 - y0
                vb.setYRange(y - h / 2, y + h / 2, padding=0)

    def set_highlight(self, ids) -> None:
        self.highlight = set(ids)
        self._draw_bands()

    def percent(self) -> bool:
        return self.scale.currentIndex() == 0

    def _y(self, i: int) -> float:
        return float(len(self.order) - 1 - i)

    # -- drawing --------------------------------------------------------------------------------
    def redraw(self) -> None:
        pi = self.plot.getPlotItem()
        pi.clear()
        self._bands = None
        self.bars = []
        res = self.results
        if res is None or not self.order:
            pi.getAxis("left").setTicks([[]])
            return
        wl = [res.workloads[i] for i in self.order]
        n = len(wl)
        y = np.array([self._y(i) for i in range(n)])
        budget = np.array([w.budget_ms for w in wl])
        div = budget / 100.0 if self.percent() else np.ones(n)
        comps = np.zeros((4, n))
        for i, w in enumerate(wl):
            if w.latency is not None:
                comps[:, i] = [getattr(w.latency, k) for k, _, _ in ps.COMPONENTS]
        with np.errstate(divide="ignore", invalid="ignore"):
            comps /= div
            bx = budget / div
        comps[~np.isfinite(comps)] = 0.0  # a value that cannot be drawn is left out (n/a)
        left = np.zeros(n)
        for k, (_key, name, color) in enumerate(ps.COMPONENTS):
            b = pg.BarGraphItem(x0=left.copy(), y=y, height=BAR_H, width=comps[k], brush=color,
                                pen=pg.mkPen(QColor(255, 255, 255, 160), width=0.5), name=name)
            pi.addItem(b)
            self.bars.append(b)
            left += comps[k]
        if self.percent():  # every budget is 100 %: one line
            pi.addItem(pg.InfiniteLine(pos=100, angle=90, pen=pg.mkPen(ps.MARGIN["over"], width=2)))
        else:
            ok = np.isfinite(bx)
            pi.addItem(pg.ScatterPlotItem(x=bx[ok], y=y[ok], symbol="|", size=16, brush=None,
                                          pen=pg.mkPen(ps.MARGIN["over"], width=2.5)))
        ticks = [(float(y[i]), _short(w.name or w.workload_id)) for i, w in enumerate(wl)]
        pi.getAxis("left").setTicks([ticks])
        pi.getAxis("bottom").setLabel("% of budget" if self.percent() else "round trip (ms)")
        xmax = float(max(left.max(), bx.max())) if n else 1.0
        self._label_px = 0.0
        self._labels: list[pg.TextItem] = []
        if n <= MAX_TEXT_ROWS:
            f = QFont()
            f.setPointSizeF(7.5)
            for i, w in enumerate(wl):
                if w.placed:
                    cls = ps.margin_class(w.margin_ms, w.budget_ms)
                    txt = f"{fmt_num(w.total_ms)} / {fmt_num(w.budget_ms)} ms"
                    col = ps.MARGIN[cls] if cls != "ample" else QColor("#23262b")
                else:
                    txt, col = "unplaced", ps.MARGIN["unplaced"]
                t = pg.TextItem("  " + txt, color=col, anchor=(0, 0.5))  # spaces: a gap in pixels at any zoom
                t.setFont(f)
                # its drawn width (the text item's margins included), in pixels at any zoom
                self._label_px = max(self._label_px, t.boundingRect().width() + 4.0)
                self._labels.append(t)
                t.setPos(float(max(left[i], bx[i])), float(y[i]))
                pi.addItem(t)
        self._xmax = xmax * 1.28
        self._ends = np.maximum(left, bx)
        pi.setXRange(0, self._xmax, padding=0)
        pi.getViewBox().setLimits(yMin=-0.8, yMax=n - 0.2, xMin=0, xMax=self._xmax)
        self._fit_rows(top=True)
        self._fit_x()
        self._draw_bands()

    def _fit_rows(self, top: bool = False) -> None:
        """Show as many rows as fit at :data:`ROW_PX`, from the top (or keeping the top row)."""
        n = len(self.order)
        if not n:
            return
        vb = self.plot.getPlotItem().getViewBox()
        rows = min(n, max(MIN_ROWS, int(vb.height() / ROW_PX)))
        y1 = n - 0.5 if top else min(n - 0.5, vb.viewRange()[1][1])
        vb.setYRange(y1 - rows, y1, padding=0)

    def _fit_x(self) -> None:
        """In ms, the time axis follows the rows in view: a 5 s batch job further down does not
        squash a 4 ms vision budget to a sliver. In % of budget, one axis fits all."""
        ends = getattr(self, "_ends", None)
        if ends is None or not len(self.order):
            return
        vb = self.plot.getPlotItem().getViewBox()
        if self.percent():
            top = float(ends.max())
        else:
            y0, y1 = vb.viewRange()[1]
            rows = [i for i in range(len(self.order)) if y0 - 0.5 <= self._y(i) <= y1 + 0.5]
            top = float(ends[rows].max()) if rows else float(ends.max())
        x1 = top * self._headroom() if top > 0 else 1.0
        vb.setLimits(xMax=max(x1, getattr(self, "_xmax", x1)))
        vb.setXRange(0, x1, padding=0)

    def _headroom(self) -> float:
        """x range over the longest bar: room right of it for the widest value label in
        pixels (a fixed share clipped the labels in a narrow chart), the bars keeping at
        least 45 % of the width (a label may then be cut rather than the bars vanish)."""
        w = float(self.plot.getPlotItem().getViewBox().width())
        label = getattr(self, "_label_px", 0.0)
        if w <= 0:
            return 1.35
        fits = w - label >= 0.45 * w
        for t in getattr(self, "_labels", []):  # cut text is worse than none: the figures are
            t.setVisible(fits)                    # in the tooltips and the table as well
        return max(1.1, w / (w - label)) if fits else 1.1

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        self._fit_rows()
        self._fit_x()

    def _draw_bands(self) -> None:
        pi = self.plot.getPlotItem()
        if self._bands is not None:
            pi.removeItem(self._bands)
            self._bands = None
        if not self.order:
            return
        ys, brushes = [], []
        for i, wid in enumerate(self.order):
            if wid == self.focus:
                ys.append(self._y(i))
                brushes.append(pg.mkBrush(ps.FOCUS))
            elif wid in self.highlight:
                ys.append(self._y(i))
                brushes.append(pg.mkBrush(ps.HIGHLIGHT))
        if not ys:
            return
        w = getattr(self, "_xmax", 100.0)
        self._bands = pg.BarGraphItem(x0=np.zeros(len(ys)), y=np.array(ys), height=0.94, width=np.full(len(ys), w),
                                      brushes=brushes, pen=pg.mkPen(None))
        self._bands.setZValue(-10)
        pi.addItem(self._bands)

    def row_at(self, scene_pos) -> str | None:
        """The workload whose row is under a point of the plot's scene."""
        vb = self.plot.getPlotItem().getViewBox()
        if not self.order or not vb.sceneBoundingRect().contains(scene_pos):
            return None
        p = vb.mapSceneToView(scene_pos)
        i = len(self.order) - 1 - int(round(p.y()))
        return self.order[i] if 0 <= i < len(self.order) else None

    def _clicked(self, ev) -> None:
        wid = self.row_at(ev.scenePos())
        if wid is not None:
            self.workload_clicked.emit(wid)

    def _hover(self, pos) -> None:
        wid = self.row_at(pos)
        self.plot.setToolTip(self.tooltip_for(wid) if wid is not None else "")

    def tooltip_for(self, wid: str) -> str:
        w = self.results.workloads[wid]
        return f"{w.name or wid}\n" + (breakdown_text(w) if w.placed else f"unplaced: {w.reason}")


def _short(s: str, n: int = 30) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"
