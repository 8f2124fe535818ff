"""The house style of the results views' pyqtgraph plots: white, a faint grid, no menu or
auto-range button, grey axes with small dark tick labels."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QFont

AXIS_PEN = "#5b6470"
TEXT = "#1b1b1b"


def plain_plot(min_w: int, min_h: int) -> pg.PlotWidget:
    """A plot widget in the house style, at least ``min_w`` x ``min_h`` pixels."""
    w = pg.PlotWidget(background="w")
    w.setMinimumSize(min_w, min_h)
    pi = w.getPlotItem()
    pi.showGrid(x=True, y=True, alpha=0.18)
    pi.setMenuEnabled(False)
    pi.hideButtons()
    tick_font = QFont("DejaVu Sans", 8)
    for ax in ("left", "bottom"):
        a = pi.getAxis(ax)
        a.setPen(pg.mkPen(AXIS_PEN))
        a.setTextPen(pg.mkPen(TEXT))
        a.setTickFont(tick_font)
    return w
