"""The placement pane: workloads, data sources, links and sites; the latency chart; the map,
in three columns side by side.

``install(window)`` adds the dock "Workloads & sites" (bottom, tabbed with Findings) and the
action Analysis > Recommend modules…. The pane draws from the ``placement`` analysis result
(:class:`~designer.solvers.placement.PlacementResults`) and links both ways with the plan:
selecting a module (or a rack in one) highlights its workloads in the table, the map and the
chart, with their margins in the pane's summary line; picking a workload in the table, on
the map or in the chart selects its module on the plan (``window.go_to``).

Results arriving while the dock is hidden are kept and drawn when it is shown, and results
that place every workload exactly as before (a rack moved on a plan) redraw nothing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSplitter, QVBoxLayout, QWidget

from designer.analysis.placement import counts_text
from designer.app.lifecycle.guard import guarded
from designer.app.views.placement import style as ps
from designer.app.views.placement.chart import LatencyChart
from designer.app.views.placement.map import PlacementMap, legend_html
from designer.app.views.placement.recommend import RecommendController
from designer.app.views.placement.style import fmt_num
from designer.app.views.placement.tables import PlacementTables
from designer.app.window.actions import ActionSpec


def _signature(res, project) -> tuple:
    """What the pane shows: equal signatures draw the same (so nothing is redrawn)."""
    if res is None:
        return ()
    w = tuple((x.workload_id, x.name, x.module_id, x.budget_ms, x.total_ms, x.reason, x.pinned)
              for x in res.workloads.values())
    s = tuple((t.site_id, t.name, t.kind, t.lat, t.lon, t.core_site_id, t.round_trip_ms) for t in res.sites.values())
    d = tuple((x.source_id, x.name, x.lat, x.lon, x.site_id, x.access_delay_ms) for x in res.sources.values())
    m = tuple((x.module_id, x.name, x.power_kw, x.capacity_kw, x.rack_positions, x.rack_positions_capacity,
               x.accelerators, x.accelerators_capacity) for x in res.modules.values())
    lk = tuple((x.id, x.a, x.b) for x in project.links)
    return (w, s, d, m, lk)


class PlacementPane(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self.session = s = window.session
        self.results = None
        self._pending = None
        self._signature: tuple = ()
        self._picking = False
        self.focus: str | None = None
        self.highlight: set[str] = set()
        self.selected_modules: list[str] = []
        self.tables = PlacementTables(s)
        self.map = PlacementMap()
        self.chart = LatencyChart()
        self.info = QLabel()
        self.info.setWordWrap(True)
        self.info.setTextFormat(Qt.RichText)
        self.info.setStyleSheet("padding: 2px 4px;")
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 2, 0, 0)
        rl.setSpacing(2)
        head = QLabel("<b>Sites and assignments</b> <span style='color:#5a6472'>(wheel: zoom, drag: pan, "
                      "double-click: fit, click a line: its workload)</span>")
        head.setWordWrap(True)
        legend = QLabel(legend_html())
        legend.setTextFormat(Qt.RichText)
        legend.setWordWrap(True)
        legend.setStyleSheet("font-size: 8pt;")
        rl.addWidget(head)
        rl.addWidget(self.map, 1)
        rl.addWidget(legend)
        # three columns side by side, each the panel's full height: stacked under the tables, the
        # chart got too little of the bottom area (30 % of the window) for its rows and time axis
        self.split = QSplitter(Qt.Horizontal)
        self.split.addWidget(self.tables)
        self.split.addWidget(self.chart)
        self.split.addWidget(right)
        for i, f in enumerate((4, 3, 5)):
            self.split.setStretchFactor(i, f)
        self.split.setSizes([600, 450, 750])
        self.split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 2, 4, 4)
        lay.setSpacing(2)
        lay.addWidget(self.info)
        lay.addWidget(self.split, 1)
        s.results_ready.connect(self.on_results)
        s.selection.changed.connect(self.on_selection)
        s.document_replaced.connect(self._replaced)
        self.tables.workload_picked.connect(lambda wid: self.pick_workload(wid, from_table=True))
        self.tables.source_picked.connect(self._source_picked)
        self.tables.link_picked.connect(self.map.set_focus_link)
        self.map.workload_clicked.connect(self.pick_workload)
        self.map.site_clicked.connect(self._site_clicked)
        self.chart.workload_clicked.connect(self.pick_workload)
        last = s.scheduler.last_results
        if last and s.scheduler.last_revision == s.doc.revision:
            self.on_results(s.scheduler.last_revision, last)
        else:
            self._summary()

    # -- results --------------------------------------------------------------------------------
    @guarded("the placement results view")
    def on_results(self, _revision: int, results: dict) -> None:
        r = results.get("placement")
        data = None if r is None else r.data
        if not self.isVisible() and self.results is not None:
            self._pending = (data,)  # drawn when the pane is shown
            return
        self.apply_results(data)

    def showEvent(self, e) -> None:  # noqa: N802
        super().showEvent(e)
        if self._pending is not None:
            (data,) = self._pending
            self._pending = None
            self.apply_results(data)

    def apply_results(self, data) -> None:
        """Show a :class:`PlacementResults` (or None) in the tables, the map and the chart."""
        first = self.results is None and data is not None
        self.results = data
        for m in (self.tables.workloads, self.tables.sources, self.tables.links, self.tables.sites):
            m.set_results(data)
        sig = _signature(data, self.session.project)
        if sig != self._signature or data is None:
            self._signature = sig
            self.map.set_results(data, self.session.project.links)
            order = [w.id for w in self.session.project.workloads]
            self.chart.set_results(data, order)
        if first:
            self.tables.fit_columns()
        self.on_selection(self.session.selection.ids)
        if self.focus is not None:
            self.map.set_focus(self.focus)
            self.chart.set_focus(self.focus)

    def _replaced(self) -> None:
        self.focus = None
        self._signature = ()
        self.map._fitted = False
        self.apply_results(None)

    # -- linking --------------------------------------------------------------------------------
    def modules_in(self, ids) -> list[str]:
        """Modules among ``ids``, and the modules of racks among them."""
        doc = self.session.doc
        out: list[str] = []
        for i in ids:
            loc = doc.find(i)
            if loc is None:
                continue
            if loc.kind == "module":
                out.append(i)
            elif loc.kind == "rack" and loc.item.module_id:
                out.append(loc.item.module_id)
        return list(dict.fromkeys(out))

    def on_selection(self, ids) -> None:
        mods = self.modules_in(ids)
        self.selected_modules = mods
        res = self.results
        wids: list[str] = []
        sites: list[str] = []
        if res is not None:
            for m in mods:
                ml = res.modules.get(m)
                if ml is not None:
                    wids += ml.workload_ids
                    sites.append(ml.site_id)
        self.highlight = set(wids)
        self.tables.workloads.set_highlight(wids)
        self.map.set_highlight(wids, sites)
        self.chart.set_highlight(wids)
        if wids:
            t = self.tables.tables["workload"]
            r = self.tables.workloads.row_of(wids[0])
            if r is not None:
                t.scrollTo(t.proxy.mapFromSource(self.tables.workloads.index(r, 0)))
        self._summary()

    def pick_workload(self, wid: str, from_table: bool = False) -> None:
        """The user picked a workload: focus it everywhere and select its module on the plan."""
        if self._picking:
            return
        self._picking = True
        try:
            self.focus = wid
            if not from_table:
                t = self.tables.tables["workload"]
                self.tables.tabs.setCurrentWidget(t)
                t.blockSignals(True)
                t.select_ids([wid])
                t.blockSignals(False)
            self.map.set_focus(wid)
            self.map.center_on_workload(wid)
            self.chart.set_focus(wid)
            wp = None if self.results is None else self.results.workloads.get(wid)
            if wp is None:
                return
            if wp.placed and self.session.doc.find(wp.module_id) is not None:
                self.window.go_to([wp.module_id])
            elif not wp.placed:
                self.session.message.emit(f"{wp.name or wid} is not placed: {wp.reason}")
        finally:
            self._picking = False

    def _source_picked(self, sid: str) -> None:
        m = self.map.source_markers.get(sid)
        if m is not None:
            self.map.centerOn(m.pos())
            self.map.relayout_labels()

    def _site_clicked(self, sid: str) -> None:
        if self.session.doc.site(sid) is not None:
            self.session.set_site(sid)

    # -- summary line ---------------------------------------------------------------------------
    def _summary(self) -> None:
        res = self.results
        if res is None:
            self.info.setText("<i>Placement results will show here once the analysis has run.</i>")
            return
        esc = html.escape
        if self.selected_modules:
            parts = []
            for m in self.selected_modules:
                ml = res.modules.get(m)
                if ml is None:
                    continue
                site = res.sites.get(ml.site_id)
                ws = [res.workloads[w] for w in ml.workload_ids if w in res.workloads]
                margins = ", ".join(
                    f"{esc(w.name or w.workload_id)} <span style='color:{ps.MARGIN[ps.margin_class(w.margin_ms, w.budget_ms)].name()}'>"
                    f"<b>{fmt_num(w.margin_ms)} ms</b></span>" for w in ws) or "no workloads"
                parts.append(f"<b>{esc(ml.name or m)}</b> at {esc((site.name if site else '') or ml.site_id)}: "
                             f"{fmt_num(ml.power_kw)} of {fmt_num(ml.capacity_kw)} kW{esc(counts_text(ml))}; "
                             f"margins: {margins}")
            if parts:
                self.info.setText(" · ".join(parts))
                return
        placed = res.placed
        n = len(res.workloads)
        gap = res.gap
        proof = ("proved optimal" if res.status == "optimal" else
                 f"within {gap:.2%} of the proved lower bound" if gap == gap else "gap not proved")
        txt = (f"<b>{len(placed)} of {n}</b> workloads placed ({esc(res.status)}, {proof}), cost "
               f"{res.total_cost:,.0f} per month")
        if placed:
            w = min(placed, key=lambda x: x.margin_ms)
            txt += f"; smallest margin {fmt_num(w.margin_ms)} ms ({esc(w.name or w.workload_id)})"
        if res.unplaced:
            col = ps.MARGIN["unplaced"].name()
            txt += f"; <span style='color:{col}'><b>{len(res.unplaced)} unplaced</b>: " + \
                   ", ".join(esc(w.name or w.workload_id) for w in res.unplaced[:4]) + \
                   ("…" if len(res.unplaced) > 4 else "") + "</span>"
        txt += ". <span style='color:#5a6472'>Select a module on the plan to see its workloads.</span>"
        self.info.setText(txt)


class PlacementView:
    """What ``install`` returns: the pane, its dock and the recommendation controller."""

    def __init__(self, window) -> None:
        self.pane = PlacementPane(window)
        # "&&": dock titles, tabs and menus all read a single "&" as a mnemonic
        self.dock = window.add_dock("placement", "Workloads && sites", self.pane, Qt.BottomDockWidgetArea,
                                    tabify_with="findings")
        self.recommend = RecommendController(window)
        self.action = window.add_action(ActionSpec(
            "recommend_modules", "Recommend &modules…", self.recommend.open, None, "Analysis",
            tip="Choose catalog modules to deploy so every workload meets its latency budget at least cost",
            separator_before=True))


def install(window) -> PlacementView:
    return PlacementView(window)
