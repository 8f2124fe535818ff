"""How the air model's march converged, step by step (pyqtgraph), live while it runs.

Each step's largest velocity change and largest temperature change, each divided by its
tolerance, on one log axis: the march is steady when both stay under 1 (the line "steady").
Steps after which the pseudo-time step was halved (a limit cycle) are marked. Shown in the
Air dock beside the units table, for the site on screen: its last solve, or the solve running.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from designer.app.views.plotstyle import plain_plot

U_PEN = pg.mkPen("#2f6fdb", width=2)
T_PEN = pg.mkPen("#e07b00", width=2)
TOL_PEN = pg.mkPen("#2a9d3c", width=1.2, style=Qt.DashLine)
HALF_PEN = pg.mkPen("#8a929c", width=1, style=Qt.DotLine)
FLOOR = 1e-6
"""Changes below this share of their tolerance are drawn at it (a log axis has no zero)."""


def ratios(conv) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Steps (1-based) and each step's velocity and temperature change over its tolerance."""
    steps = np.arange(1, conv.steps + 1, dtype=float)
    with np.errstate(all="ignore"):
        u = np.maximum(np.asarray(conv.velocity_change, dtype=float) / conv.tol_u, FLOOR)
        t = np.maximum(np.asarray(conv.temperature_change_k, dtype=float) / conv.tol_t, FLOOR)
    # a diverged step (inf, NaN) is a gap in the line, not a range the axis cannot take
    return steps, np.where(np.isfinite(u), u, np.nan), np.where(np.isfinite(t), t, np.nan)


def caption(conv, live: bool, site_name: str = "", failure: str = "") -> str:
    """One line above the plot: what the curves are of, and how it ended."""
    if conv is None:
        return "No march for this site (no answer yet, or none to march: see the findings)."
    start = "from the previous answer" if conv.start == "previous field" else "from rest"
    halved = f", step halved after {', '.join(str(k) for k in conv.dt_halved_at)}" if conv.dt_halved_at else ""
    who = f"{site_name}: " if site_name else ""
    if live:
        return f"<b>Solving</b> {who}step {conv.steps} {start}{halved}"
    if conv.converged and not failure:  # a settled flow can still have no answer (heat past capacity)
        return f"{who}steady after {conv.steps} steps {start}{halved}"
    why = f" ({failure})" if failure else ""
    return f"<b>Not steady</b> {who}after {conv.steps} steps {start}{halved}{why}: no temperatures"


class ConvergencePlot(QWidget):
    """The march's changes over their tolerances against the step."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.info = QLabel()
        self.info.setObjectName("air-convergence-info")
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.RichText)
        self.info.setToolTip("Each pseudo-time step's largest change of the air velocity (as a share of the "
                             "fastest supply or exhaust velocity) and of the air temperature, each divided by "
                             "its tolerance. The answer is given when both stay below 1 (steady)")
        self.plot = plain_plot(240, 120)
        pi = self.plot.getPlotItem()
        pi.setLogMode(x=False, y=True)
        self.u_curve = pi.plot([], [], pen=U_PEN)
        self.t_curve = pi.plot([], [], pen=T_PEN)
        self.tol = pg.InfiniteLine(pos=0.0, angle=0, pen=TOL_PEN, movable=False, label="steady",
                                   labelOpts={"position": 0.03, "color": "#2a9d3c", "anchors": [(0, 1), (0, 1)]})
        pi.addItem(self.tol, ignoreBounds=True)  # log axis: 10**0 = 1
        self.halvings: list[pg.InfiniteLine] = []
        key = QLabel('Change per step ÷ tolerance: <span style="color:#2f6fdb">━</span> velocity &nbsp;'
                     '<span style="color:#e07b00">━</span> temperature &nbsp;'
                     '<span style="color:#2a9d3c">╌</span> steady below 1')
        key.setToolTip(self.info.toolTip())
        key.setTextFormat(Qt.RichText)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.info)
        lay.addWidget(key)
        lay.addWidget(self.plot, 1)
        self.conv = None
        self.live = False
        self.show_convergence(None)

    def show_convergence(self, conv, live: bool = False, site_name: str = "", failure: str = "") -> None:
        """Draw ``conv`` (a :class:`~designer.solvers.air.flow.Convergence`, or None)."""
        self.conv, self.live = conv, live
        self.info.setText(caption(conv, live, site_name, failure))
        pi = self.plot.getPlotItem()
        for line in self.halvings:
            pi.removeItem(line)
        self.halvings = []
        if conv is None or conv.steps == 0:
            self.u_curve.setData([], [])
            self.t_curve.setData([], [])
            return
        steps, u, t = ratios(conv)
        self.u_curve.setData(steps, u, connect="finite")
        self.t_curve.setData(steps, t, connect="finite")
        for k in conv.dt_halved_at:
            line = pg.InfiniteLine(pos=float(k), angle=90, pen=HALF_PEN, movable=False)
            pi.addItem(line, ignoreBounds=True)
            self.halvings.append(line)
        seen = np.concatenate([u[np.isfinite(u)], t[np.isfinite(t)]])
        top = max(float(seen.max()), 10.0) if seen.size else 10.0
        low = min(float(seen.min()), 0.1) if seen.size else 0.1
        pi.setYRange(np.log10(low), np.log10(top), padding=0.05)
        pi.setXRange(0, max(conv.steps, 10), padding=0.02)
