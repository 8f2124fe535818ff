"""Two pyqtgraph plots of a study table: power margin against IT load growth (one dot per
design and scenario without an added failure), and racks lost by added failures."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QWidget

from designer.app.views.plotstyle import plain_plot

KIND_COLOURS = {"core": "#2f6fdb", "industrial": "#e07b00", "enterprise": "#2e9e5b", "urban": "#7a4fc9",
                "distributed": "#d62d20", "project": "#5b6470"}


def _plot(title: str, x: str, y: str) -> pg.PlotWidget:
    w = plain_plot(240, 160)
    pi = w.getPlotItem()
    pi.setTitle(title, color="#1b1b1b", size="9pt")
    for ax, label in (("bottom", x), ("left", y)):
        pi.getAxis(ax).setLabel(label, color="#1b1b1b")
    return w


class StudyPlots(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.margin = _plot("Power margin against IT load growth", "IT load growth (x)", "margin %")
        self.lost = _plot("Racks lost by added failures", "IT load growth (x)", "racks lost")
        self.legend = self.margin.getPlotItem().addLegend(offset=(-8, 8), labelTextColor="#1b1b1b",
                                                          labelTextSize="8pt", brush=pg.mkBrush(255, 255, 255, 225))
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.margin)
        lay.addWidget(self.lost)
        self.series: dict[str, int] = {}

    def set_rows(self, rows: list[dict]) -> None:
        self.series = {}
        for w in (self.margin, self.lost):
            w.getPlotItem().clear()
        self.legend.clear()
        ok = [r for r in rows if r.get("status") == "ok"]
        zero = pg.InfiniteLine(0.0, angle=0, pen=pg.mkPen("#8a929c", width=1, style=Qt.DashLine))
        self.margin.addItem(zero)
        kinds = sorted({r["site_kind"] for r in ok})
        xs = sorted({r["it_load_growth"] for r in ok})
        step = min((b - a for a, b in zip(xs, xs[1:], strict=False)), default=1.0)
        for k, kind in enumerate(kinds):
            # kinds side by side around each load step, so their dots do not hide each other
            dx = (k - (len(kinds) - 1) / 2) * step * 0.06
            pts = [(r["it_load_growth"] + dx, r["power_margin_pct"]) for r in ok
                   if r["site_kind"] == kind and not r["failure"] and r.get("power_margin_pct") is not None]
            if pts:
                c = KIND_COLOURS.get(kind, "#5b6470")
                item = pg.ScatterPlotItem([p[0] for p in pts], [p[1] for p in pts], size=7, pen=pg.mkPen(c),
                                          brush=pg.mkBrush(c), name=kind)
                self.margin.addItem(item)
                self.series[f"margin:{kind}"] = len(pts)
            fails = [(r["it_load_growth"] + dx, r.get("racks_lost") or 0) for r in ok
                     if r["site_kind"] == kind and r["failure"]]
            if fails:
                c = KIND_COLOURS.get(kind, "#5b6470")
                self.lost.addItem(pg.ScatterPlotItem([p[0] for p in fails], [p[1] for p in fails], size=7,
                                                     pen=pg.mkPen(c), brush=pg.mkBrush(c)))
                self.series[f"lost:{kind}"] = len(fails)
