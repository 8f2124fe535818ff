"""Pump curve against system curve of one CDU, with the operating point (pyqtgraph).

The pump curve is the running set at its set speed, as the solver used it; the system
curve is what the loop needs (heat exchanger plus network), through the operating point.
With "one pump down" on, the curve of one fewer pump and the flow it would then give are
added (identical pumps in parallel: the same head at (n-1)/n of the flow).
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from designer.app.lifecycle.guard import num
from designer.app.views.liquid import style as ls
from designer.app.views.plotstyle import plain_plot

PUMP_PEN = pg.mkPen("#2f6fdb", width=2.5)
FAIL_PEN = pg.mkPen("#2f6fdb", width=1.6, style=Qt.DashLine)
SYSTEM_PEN = pg.mkPen("#e07b00", width=2.2)
RATED_PEN = pg.mkPen("#8a929c", width=1, style=Qt.DotLine)


class PumpPlot(QWidget):
    """A CDU chooser over a pump-vs-system plot. ``cdu_chosen(id)`` when the user picks one."""

    cdu_chosen = Signal(str)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.units = "SI"
        self.cdu = None
        self.failure = False
        self.combo = QComboBox()
        self.combo.setSizeAdjustPolicy(QComboBox.AdjustToContents)
        self.combo.activated.connect(lambda i: self.cdu_chosen.emit(self.combo.itemData(i) or ""))
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setMinimumHeight(2 * self.info.fontMetrics().lineSpacing() + 2)
        self.info.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.info.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.plot = plain_plot(260, 180)
        pi = self.plot.getPlotItem()
        # the key is a line under the title, outside the data: inside the plot it covered the
        # pump curve and the operating point of a small plot (1280 x 800 screen)
        self.pump = pi.plot([], [], pen=PUMP_PEN, name="Pump curve")
        self.system = pi.plot([], [], pen=SYSTEM_PEN, name="System curve")
        self.point = pg.ScatterPlotItem(size=11, brush=pg.mkBrush("#d62d20"), pen=pg.mkPen("#1b1b1b", width=1.2))
        pi.addItem(self.point)
        # the one-pump-down items join the key only while they are shown
        self.pump_fail = pg.PlotDataItem([], [], pen=FAIL_PEN)
        self.fail_point = pg.ScatterPlotItem(size=10, symbol="d", brush=pg.mkBrush("#ffffff"),
                                             pen=pg.mkPen("#d62d20", width=2))
        pi.addItem(self.pump_fail)
        pi.addItem(self.fail_point)
        self.rated = pg.InfiniteLine(angle=90, pen=RATED_PEN, movable=False, label="rated",
                                     labelOpts={"position": 0.9, "color": "#5b6470", "anchors": [(0, 0), (0, 0)]})
        pi.addItem(self.rated, ignoreBounds=True)
        # below-right of the point: under a falling pump curve and a rising system curve
        self.point_label = pg.TextItem(color="#1b1b1b", anchor=(-0.1, -0.3), fill=pg.mkBrush(255, 255, 255, 200))
        self.point_label.setFont(QFont("DejaVu Sans", 8, QFont.Bold))
        pi.addItem(self.point_label, ignoreBounds=True)
        top = QHBoxLayout()
        top.addWidget(QLabel("CDU"))
        top.addWidget(self.combo)
        top.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addLayout(top)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.info)
        self._labels()

    # -- choosing -----------------------------------------------------------------------------
    def set_choices(self, items: list[tuple[str, str]], current: str | None) -> None:
        """(id, label) of the CDUs to choose from; keeps ``current`` selected."""
        self.combo.blockSignals(True)
        self.combo.clear()
        for cid, label in items:
            self.combo.addItem(label, cid)
        i = self.combo.findData(current) if current else -1
        self.combo.setCurrentIndex(max(i, 0) if items else -1)
        self.combo.blockSignals(False)

    def current_id(self) -> str | None:
        return self.combo.currentData()

    # -- drawing ------------------------------------------------------------------------------
    def _labels(self) -> None:
        pi = self.plot.getPlotItem()
        style = {"color": "#1b1b1b", "font-size": "9pt"}
        pi.setLabel("bottom", f"Flow ({ls.symbol('liquid_flow', self.units)})", **style)
        pi.setLabel("left", f"Head ({ls.symbol('pressure', self.units)})", **style)

    def axis_labels(self) -> tuple[str, str]:
        pi = self.plot.getPlotItem()
        return pi.getAxis("bottom").labelText, pi.getAxis("left").labelText

    def _failure_legend(self, point: bool, curve: bool | None = None) -> None:
        curve = point if curve is None else curve
        self.pump_fail.setVisible(curve)
        self.fail_point.setVisible(point)

    def key_html(self) -> str:
        """The plot's key, one line: what each line and mark is (one pump down when shown)."""
        keys = [("━━", "#2f6fdb", "pump curve"), ("━━", "#e07b00", "system curve"),
                ("●", "#d62d20", "operating point")]
        if self.pump_fail.isVisible():
            keys.append(("╍╍", "#2f6fdb", "one pump down"))
        if self.fail_point.isVisible():
            keys.append(("◆", "#d62d20", "flow, one pump down"))
        return " &nbsp; ".join(f"<span style='color:{c}'>{g}</span> {t}" for g, c, t in keys)

    def show_cdu(self, c, name: str, units: str, failure: bool) -> None:
        """Draw CDU results ``c`` (a CduLiquid, or None to empty the plot)."""
        self.cdu, self.units, self.failure = c, units, failure
        self._labels()
        pi = self.plot.getPlotItem()
        for item in (self.pump, self.pump_fail, self.system):
            item.setData([], [])
        self.point.setData([], [])
        self.fail_point.setData([], [])
        self.point_label.setText("")
        if c is None:
            self._failure_legend(False)
            pi.setTitle("")
            self.rated.hide()
            self.info.setText("No liquid results for a CDU on this site.")
            return
        fq = ls.scale("liquid_flow", units)
        fh = ls.scale("pressure", units)
        pump = [(q * fq, h * fh) for q, h in c.pump_curve if math.isfinite(q * fq) and math.isfinite(h * fh)]
        qp, hp = [q for q, _ in pump], [h for _, h in pump]
        h_top = max(hp, default=1.0) * 1.12 or 1.0
        sys_c = [(q * fq, h * fh) for q, h in c.system_curve if math.isfinite(q * fq) and h * fh <= h_top]
        qs, hs = [q for q, _ in sys_c], [h for _, h in sys_c]
        self.pump.setData(qp, hp)
        self.system.setData(qs, hs)
        x, y = c.flow_lpm * fq, c.pump_head_kpa * fh
        if math.isfinite(x) and math.isfinite(y):  # no operating point to mark otherwise ("n/a")
            self.point.setData([x], [y])
        qsym, psym = ls.symbol("liquid_flow", units), ls.symbol("pressure", units)
        self.point_label.setText(f"{num(x, ',.0f')} {qsym}\n{num(y, ',.1f')} {psym}")
        if math.isfinite(x) and math.isfinite(y):
            self.point_label.setPos(x, y)
        rated = c.rated_flow_lpm * fq
        self.rated.setVisible(math.isfinite(rated) and rated > 0)
        if math.isfinite(rated):
            self.rated.setValue(rated)
        q_top = max([v for v in (qp[-1] if qp else 0.0, x * 1.25, rated * 1.1) if math.isfinite(v)] + [1.0])
        fail_note = ""
        if failure and c.failure_running is not None:
            n = c.pumps_running
            if c.failure_running > 0 and n > 0:
                k = c.failure_running / n
                if math.isfinite(k):
                    self.pump_fail.setData([q * k for q in qp], hp)
            if c.failure_flow_lpm is not None:
                fy = (c.failure_head_kpa or 0.0) * fh
                if math.isfinite(fy) and math.isfinite(c.failure_flow_lpm * fq):
                    self.fail_point.setData([c.failure_flow_lpm * fq], [fy])
            fail_note = (f"One pump down: {c.failure_running} running, "
                         f"{ls.num(c.failure_flow_lpm, 'liquid_flow', units, 0)} {qsym}"
                         if c.failure_running else
                         "One pump down: no duty pump left until the standby pump starts (0 flow)")
        self._failure_legend(failure and c.failure_running is not None,
                             failure and bool(c.failure_running) and c.pumps_running > 0)
        pi.setXRange(0, q_top, padding=0.02)
        pi.setYRange(0, h_top, padding=0.02)
        speed = f"{num(c.pump_speed * 100, '.0f')} %"
        fluid = c.fluid.upper().replace("PG", "PG ") + " %" if c.fluid.startswith("pg") else c.fluid
        pi.setTitle(f"<span style='font-size:9pt'><b>{name}</b> · {c.pumps_running} pump"
                    f"{'s' if c.pumps_running != 1 else ''} at {speed} speed · {fluid}</span><br>"
                    f"<span style='font-size:8pt'>{self.key_html()}</span>", color="#1b1b1b")
        state = "on its curve" if c.on_curve else "<b style='color:#d62d20'>outside its curve</b>"
        text = (f"Operating point {num(x, ',.0f')} {qsym} at {num(y, ',.1f')} {psym} ({state}); "
                f"HX {ls.num(c.hx_dp_kpa, 'pressure', units)} {psym}, loop "
                f"{ls.num(c.available_dp_kpa, 'pressure', units)} {psym}")
        self.info.setText(text + (f"<br>{fail_note}" if fail_note else ""))
