"""The "Air" dock: a banner saying what the model is with the assumptions, the cooling indices, the
overlay options on the left; racks (hottest inlet first) and air units on the right."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSlider,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.app.views.air import style as st
from designer.app.views.air.convergence import ConvergencePlot
from designer.app.views.air.tables import (
    ID_ROLE,
    RACK_COLUMNS,
    UNIT_COLUMNS,
    ResultsModel,
    rack_rows,
    results_view,
    unit_rows,
)
from designer.solvers.air.indices import rci_grade
from designer.solvers.air.results import ASSUMPTIONS, HEADLINE, no_answer

BANNER = ("Coarse-grid 3D model, not CFD: steady RANS with zero-equation turbulence and buoyancy; "
          "bands and RCI on each rack's inlet max, the hottest of three inlet sensors (bottom, middle, top of the "
          "front; each the mean across the rack's width).")


def rti_grade(value: float | None) -> str:
    """Return Temperature Index: 100 % is ideal; the air findings warn above 110 %
    (recirculation) and note below 80 % (bypass). Good within 90-110 % (rule of thumb)."""
    if value is None:
        return "n/a"
    if 90.0 <= value <= 110.0:
        return "good"
    if 80.0 <= value < 90.0:
        return "acceptable"
    return "poor"


def shi_grade(value: float | None) -> str:
    """Supply Heat Index: 0 is ideal (no exhaust reaches an intake). Rule of thumb, not a
    standard: good up to 0.1, acceptable up to 0.2."""
    if value is None:
        return "n/a"
    if value <= 0.1:
        return "good"
    if value <= 0.2:
        return "acceptable"
    return "poor"


INDEX_TIPS = {
    "RCI_HI": "Rack Cooling Index, high side (Herrlin): 100 % means no rack inlet above the recommended "
              "maximum. Good >= 96 %, acceptable 91-95 %, poor <= 90 %.",
    "RCI_LO": "Rack Cooling Index, low side: 100 % means no rack inlet below the recommended minimum. "
              "Good >= 96 %, acceptable 91-95 %, poor <= 90 %.",
    "RTI": "Return Temperature Index = (return - supply) / rack temperature rise. 100 % is ideal; above "
           "means hot exhaust recirculates into intakes, below means cold air bypasses the racks. "
           "Graded good within 90-110 %, acceptable 80-90 % (a rule of thumb).",
    "SHI": "Supply Heat Index: the share of the racks' temperature rise picked up before the intake "
           "(0 is ideal; RHI = 1 - SHI). Graded good <= 0.1, acceptable <= 0.2 (a rule of thumb).",
}


class IndexCard(QFrame):
    """One index: its name, value and a coloured grade."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.setFrameShape(QFrame.StyledPanel)
        self.setToolTip(INDEX_TIPS.get(name, ""))
        self.value = QLabel("–")
        self.value.setAlignment(Qt.AlignCenter)
        f = self.value.font()
        f.setPointSizeF(f.pointSizeF() * 1.35)
        f.setBold(True)
        self.value.setFont(f)
        self.grade = QLabel("")
        self.grade.setAlignment(Qt.AlignCenter)
        title = QLabel(name.replace("_", "<sub>") + ("</sub>" if "_" in name else ""))
        title.setTextFormat(Qt.RichText)
        title.setAlignment(Qt.AlignCenter)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 2)
        lay.setSpacing(0)
        lay.addWidget(title)
        lay.addWidget(self.value)
        lay.addWidget(self.grade)

    def set_value(self, text: str, grade: str) -> None:
        self.value.setText(text)
        c = st.GRADE_COLORS.get(grade, st.GRADE_COLORS["n/a"])
        self.grade.setText(grade)
        self.grade.setStyleSheet(f"color: white; background: {c.name()}; border-radius: 3px; padding: 0 4px;")


class AirPanel(QWidget):
    go_to = Signal(list)
    """Ids the user picked in a table (the window selects and centres them)."""

    def __init__(self, units, parent=None) -> None:
        super().__init__(parent)
        self.units = units
        self._sized = False
        # -- the caveat, always in view -------------------------------------------------------
        self.banner = QLabel(f"⚠ {BANNER}")
        self.banner.setMinimumWidth(200)
        self.banner.setObjectName("air-banner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("QLabel#air-banner { background: #fff4d6; color: #5c4200; border: 1px solid "
                                  "#e8c46a; border-radius: 3px; padding: 3px 6px; }")
        tip = "<b>" + html.escape(HEADLINE) + "</b><ul>" + "".join(
            f"<li>{html.escape(a)}</li>" for a in ASSUMPTIONS) + "</ul>"
        self.banner.setToolTip(tip)
        self.more = QToolButton()
        self.more.setText("Assumptions")
        self.more.setCheckable(True)
        self.more.setToolTip("Show the model's assumptions")
        self.assumptions = QLabel()
        self.assumptions.setObjectName("air-assumptions")
        self.assumptions.setWordWrap(True)
        self.assumptions.setTextFormat(Qt.RichText)
        self.assumptions.setVisible(False)
        self.set_assumptions(HEADLINE, ASSUMPTIONS)
        self.more.toggled.connect(self.assumptions.setVisible)
        # -- indices and summary ---------------------------------------------------------------
        self.cards = {n: IndexCard(n) for n in ("RCI_HI", "RCI_LO", "RTI", "SHI")}
        self.summary = QLabel("No air results yet.")
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.RichText)
        # -- overlay options -------------------------------------------------------------------
        self.show_map = QCheckBox("Heat map")
        self.show_arrows = QCheckBox("Airflow arrows")
        self.show_badges = QCheckBox("Inlet tabs")
        self.show_bars = QCheckBox("Unit load bars")
        self.preview = QCheckBox("Coarse preview while dragging")
        self.preview.setToolTip("Runs the air model on a 0.5 m grid while you drag (up to 5 times a "
                                "second); the full grid runs after you let go")
        for cb, on in ((self.show_map, True), (self.show_arrows, False), (self.show_badges, True),
                       (self.show_bars, True), (self.preview, True)):
            cb.setChecked(on)
        self.opacity = QSlider(Qt.Horizontal)
        self.opacity.setRange(10, 100)
        self.opacity.setValue(80)
        self.opacity.setToolTip("Heat map opacity")
        self.scale = QComboBox()
        self.scale.addItem("ASHRAE (fixed)", "ashrae")
        self.scale.addItem("Data range", "data")
        self.scale.setToolTip("Fixed: colours mean the same temperature in every layout, centred on the "
                              "recommended maximum. Data range: the ends follow this hall's coldest and "
                              "hottest air (the centre stays on the limit)")
        self.opacity.setFixedWidth(90)
        self.map_height = QDoubleSpinBox()
        self.map_height.setRange(0.0, 20.0)
        self.map_height.setDecimals(2)
        self.map_height.setSingleStep(0.1)
        self.map_height.setValue(1.2)
        self.map_height.setSuffix(" m")
        self.map_height.setKeyboardTracking(False)
        self.map_height.setToolTip("Height of the heat map above the floor. The map shows the model's layer "
                               "holding this height; rack inlet sensors sit at the bottom, middle and top "
                               "of each rack's front")
        self.section_btn = QToolButton()
        self.section_btn.setText("Row section…")
        self.section_btn.setToolTip("A vertical section of the air along the front of the selected rack's row "
                                    "(the hottest rack's when none is selected)")
        opts = QHBoxLayout()
        opts.setContentsMargins(0, 0, 0, 0)
        opts.setSpacing(6)
        for w in (self.show_map, self.show_badges, self.show_bars, self.show_arrows):
            opts.addWidget(w)
        opts.addSpacing(6)
        opts.addWidget(QLabel("Opacity"))
        opts.addWidget(self.opacity)
        opts.addSpacing(6)
        opts.addWidget(QLabel("Scale"))
        opts.addWidget(self.scale)
        opts.addSpacing(6)
        opts.addWidget(QLabel("Height"))
        opts.addWidget(self.map_height)
        opts.addWidget(self.section_btn)
        opts.addSpacing(6)
        opts.addWidget(self.preview)
        cards = QGridLayout()
        cards.setSpacing(4)
        for k, c in enumerate(self.cards.values()):
            cards.addWidget(c, 0, k)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.setSpacing(4)
        ll.addLayout(cards)
        ll.addWidget(self.summary)
        ll.addStretch(1)
        left.setMinimumWidth(300)
        # -- tables ----------------------------------------------------------------------------
        self.rack_model = ResultsModel(RACK_COLUMNS, units)
        self.racks = results_view(self.rack_model, 1, Qt.DescendingOrder)
        self.unit_model = ResultsModel(UNIT_COLUMNS, units)
        self.units_view = results_view(self.unit_model, 4, Qt.DescendingOrder)
        for view in (self.racks, self.units_view):
            view.clicked.connect(lambda idx, v=view: self._picked(v, idx))
            view.activated.connect(lambda idx, v=view: self._picked(v, idx))
        self.convergence = ConvergencePlot()
        self.side_tabs = QTabWidget()
        self.side_tabs.setDocumentMode(True)
        self.side_tabs.addTab(self.units_view, "Air units")
        self.side_tabs.addTab(self.convergence, "Convergence")
        self.side_tabs.setTabToolTip(1, "How the model's march reached its steady answer, step by step (live "
                                        "while the site on screen is solving)")
        self.split = QSplitter(Qt.Horizontal)
        self.split.addWidget(left)
        self.split.addWidget(self.racks)
        self.split.addWidget(self.side_tabs)
        self.split.setStretchFactor(0, 0)
        self.split.setStretchFactor(1, 3)
        self.split.setStretchFactor(2, 2)
        self.split.setChildrenCollapsible(False)
        self.split.setSizes([320, 780, 480])
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.banner, 1)
        top.addWidget(self.more)
        top.addSpacing(8)
        top.addLayout(opts)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.assumptions)
        lay.addWidget(self.split, 1)

    def set_assumptions(self, headline: str, assumptions) -> None:
        self.assumptions.setText("<b>" + html.escape(headline) + "</b><ol style='margin: 0'>" + "".join(
            f"<li>{html.escape(a)}</li>" for a in assumptions) + "</ol>")

    def _picked(self, view, idx) -> None:
        item_id = view.model().data(idx, ID_ROLE)
        if item_id:
            self.go_to.emit([item_id])

    # -- results -------------------------------------------------------------------------------
    def show_results(self, site_air, preview: bool = False, asked_cell_m: float | None = None,
                     pending: bool = False) -> None:
        """Fill the panel from a :class:`SiteAir` (None: nothing to show for this site;
        ``pending``: the air model is still working on it)."""
        units = self.units()
        if not preview:  # a drag preview's few steps are not a march to judge
            if site_air is None:
                self.convergence.show_convergence(None)
                if pending:
                    self.convergence.info.setText("<b>Waiting</b>: this site is solved when the site being "
                                                  "solved now is done")
            else:
                self.convergence.show_convergence(site_air.convergence,
                                                  failure=str(site_air.stats.get("failure") or ""))
        if site_air is None:
            for c in self.cards.values():
                c.set_value("–", "n/a")
            self.summary.setText(("<b>Solving</b>: this site's air answer comes when its solve is done (progress in the status bar "
                                  "and the Convergence tab)") if pending
                                 else "No air results for this site (no racks or air units, or not analysed yet).")
            self.rack_model.set_rows([])
            self.unit_model.set_rows([])
            return
        ix = site_air.indices
        self.cards["RCI_HI"].set_value(_pct(ix.rci_hi), rci_grade(ix.rci_hi))
        self.cards["RCI_LO"].set_value(_pct(ix.rci_lo), rci_grade(ix.rci_lo))
        self.cards["RTI"].set_value(_pct(ix.rti), rti_grade(ix.rti))
        self.cards["SHI"].set_value("–" if ix.shi is None else f"{ix.shi:.2f}", shi_grade(ix.shi))
        self.summary.setText(summary_html(site_air, units, preview, asked_cell_m))
        self.rack_model.set_rows(rack_rows(site_air))
        self.unit_model.set_rows(unit_rows(site_air))
        if not self._sized:  # once: later results keep the user's column widths
            self._sized = True
            for v in (self.racks, self.units_view):
                v.resizeColumnsToContents()


def _pct(v: float | None) -> str:
    return "–" if v is None else f"{v:.0f} %"


def summary_html(sa, units: str, preview: bool = False, asked_cell_m: float | None = None) -> str:
    """One paragraph: class, hottest rack, heat balance, grid."""
    sym = st.temp_symbol(units)
    if not sa.solved:
        head, _, rest = no_answer(sa).partition(":")
        return f"<b>{html.escape(head)}:</b>{html.escape(rest)}"
    ix, b, m = sa.indices, sa.balance, sa.map
    hot = max((r for r in sa.racks.values() if r.inlet_max_c is not None and r.airflow_m3s > 0), key=lambda r: r.inlet_max_c, default=None)
    counts: dict[str, int] = {}
    for r in sa.racks.values():
        counts[r.band] = counts.get(r.band, 0) + 1
    over = counts.get("above_recommended", 0) + counts.get("above_allowable", 0)
    parts = [f"ASHRAE {ix.ashrae_class}, recommended {st.temp(ix.recommended_c[0], units, 0)}–"
             f"{st.temp(ix.recommended_c[1], units, 0)} {sym}."]
    if hot is not None:
        parts.append(f"Hottest inlet <b>{st.temp(hot.inlet_max_c, units)} {sym}</b> ({html.escape(hot.name)}); "
                     f"{over} of {len(sa.racks)} racks above recommended.")
    if b is not None:
        sym_p = st.power_symbol(units)
        parts.append(f"{st.power(b.heat_in_kw, units)} {sym_p} to air, units remove "
                     f"{st.power(b.removed_by_units_kw, units)} {sym_p}.")
    if ix.rti is not None and rti_grade(ix.rti) != "good":
        parts.append(f"RTI {ix.rti:.0f} %: " + ("cold air bypasses the racks (more air-unit airflow than the "
                                                 "racks draw)." if ix.rti < 100 else
                                                 "hot exhaust recirculates into intakes."))
    if m is not None:
        coarsened = not preview and asked_cell_m is not None and m.cell_m > asked_cell_m + 1e-9
        state = "settled" if sa.stats.get("settled") else "settling"  # preview.py: it marches on at rest
        parts.append(f"Grid {m.nx} × {m.ny} of {m.cell_m:g} m"
                     + (f" <i>(coarse preview while dragging, {state})</i>" if preview else "")
                     + (f" <b>(coarsened from the {asked_cell_m:g} m asked for: see the findings)</b>"
                        if coarsened else "") + ".")
    return " ".join(parts)
