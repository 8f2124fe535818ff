"""The power chain in the window: one-line diagram dock, plan overlay, "what if it fails",
results tables and the phase-balancing action.

``install(window)`` wires :class:`PowerView`. Results come from ``session.results_ready``;
the diagram and the plan follow each other's selection; a failure scenario (picked in the
dock's combo, by right-clicking a diagram node or a power item on the plan, or in the
failures table) is shown on both at once until "Back to normal".
"""

from __future__ import annotations

import html
import time

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMenu

from designer.app.lifecycle.guard import guarded
from designer.app.views.power import style as ps
from designer.app.views.power.flows import FlowCache
from designer.app.views.power.layout import Layout, build_layout, natural
from designer.app.views.power.legend import PowerLegend, ScenarioBanner
from designer.app.views.power.overlay import PowerOverlay, power_data
from designer.app.views.power.panel import PowerPanel
from designer.app.views.power.scenario import ScenarioState, scenario_state
from designer.app.views.power.table import node_rows, scenario_rows
from designer.app.window.actions import ActionSpec
from designer.solvers.power.network import KIND_LABEL
from designer.solvers.power.results import SitePower

POWER_KINDS = ("transformer", "switchboard", "ups", "pdu", "busway", "tap")
MAX_TAPS_LISTED = 64
"""Taps are offered in the "what if" combo only on halls with at most this many."""
BALANCE_LABEL = "Balance phases"


class PowerView(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        s = self.session = window.session
        self.overlay = PowerOverlay(window.scene, s)
        self.legend = PowerLegend(self.overlay, window.view.viewport())
        self.plan_banner = ScenarioBanner(window.view.viewport())
        self.balance_action = window.add_action(ActionSpec(
            "power_balance", "&Balance phases", self.balance, menu="Power", separator_before=True,
            tip="Move single-phase rack cords between L1 / L2 / L3 so each UPS zone's phases carry even "
                "currents (one undo step)"))
        self.normal_action = window.add_action(ActionSpec(
            "power_normal", "Back to &normal operation", self.normal, menu="Power",
            tip="Stop showing a failure scenario"))
        self.fail_action = window.add_action(ActionSpec(
            "power_fail_selected", "What if the selection &fails", self.fail_selected, menu="Power",
            tip="Show on the plan and in the one-line diagram what happens when the selected power item fails"))
        self.normal_action.setEnabled(False)
        self.panel = PowerPanel(self.balance_action)
        self.dock = window.add_dock("power", "Power chain", self.panel)
        self.diagram = self.panel.diagram
        self.sp: SitePower | None = None
        self.revision = -1
        self._layout: Layout | None = None
        self._layout_for: SitePower | None = None
        self.scenario: ScenarioState | None = None
        self.flows = FlowCache()
        self.dirty = True
        self._taps_for: str | None = None
        self._choices: list[tuple[str, str]] | None = None
        self.last_results_ms = 0.0
        self.last_scenario_ms = 0.0
        self.last_flows_ms = 0.0
        p = self.panel
        p.fail.activated.connect(self._combo)
        p.back.clicked.connect(self.normal)
        self.plan_banner.back.connect(self.normal)
        self.diagram.node_clicked.connect(self.node_clicked)
        self.diagram.node_context.connect(self.node_menu)
        p.scenarios.picked.connect(self.show_scenario)
        p.nodes.picked.connect(lambda k: self.node_clicked(k))
        p.taps.toggled.connect(lambda _on: self._fill_tables())
        p.tabs.currentChanged.connect(lambda _i: self._fill_tables())
        s.results_ready.connect(self.on_results)
        s.selection.changed.connect(self.on_selection)
        s.site_changed.connect(self._site_changed)
        s.document_replaced.connect(self._site_changed)
        self.dock.visibilityChanged.connect(lambda vis: self.refresh_panel() if vis and self.dirty else None)
        self.dock.dockLocationChanged.connect(self._docked)
        window.view.menu_providers.append(self.plan_menu)
        self.on_results(s.scheduler.last_revision, s.scheduler.last_results)

    # -- results ------------------------------------------------------------------------------
    @guarded("the power results view")
    def on_results(self, revision: int, results: dict) -> None:
        t0 = time.perf_counter()
        data = power_data(results)
        site = self.session.site
        self.revision = revision
        self.sp = data.sites.get(site.id) if data is not None and site is not None else None
        if site is not None and self._taps_for != site.id:
            self._taps_for = site.id  # list taps by default only where they are few
            self.panel.taps.blockSignals(True)
            self.panel.taps.setChecked(len(site.hall.power.taps) <= 100)
            self.panel.taps.blockSignals(False)
        if self.scenario is not None:
            sid = self.scenario.scenario.id
            if self.sp is not None and sid in self.sp.scenario_index:
                self.scenario = self._state(sid)
            else:
                self.scenario = None
        if self.scenario is not None or self.overlay.scenario is not None:
            self.overlay.set_scenario(self.scenario)  # the overlay drew the new results with the old state
        self.normal_action.setEnabled(self.scenario is not None)
        self.balance_action.setEnabled(self.sp is not None and bool(self.sp.phase_suggestion))
        self.dirty = True
        if self.panel.isVisible():
            self.refresh_panel()
        self._show_banner()
        if self.scenario is not None:
            QTimer.singleShot(0, self._flows)
        self.last_results_ms = (time.perf_counter() - t0) * 1000

    @property
    def layout(self) -> Layout | None:
        """The diagram's layout of the results shown, made when first needed (not while the
        dock is hidden and no scenario is shown)."""
        sp, site = self.sp, self.session.site
        if sp is None or site is None:
            return None
        if self._layout_for is not sp:
            self._layout = build_layout(sp, site)
            self._layout_for = sp
        return self._layout

    def refresh_panel(self) -> None:
        """Summary, combo, diagram and tables for the site shown (skipped while hidden)."""
        self.dirty = False
        sp, p = self.sp, self.panel
        self._fill_combo()
        if sp is None:
            p.summary.setText("No power results yet" if self.session.site is not None else "")
            self.diagram.set_data(None, None, {})
            p.nodes.set_rows([])
            p.scenarios.set_rows([])
            return
        p.summary.setText(self.summary_html(sp))
        p.summary.setToolTip(html.escape(sp.worst))
        doc = self.session.doc
        models = {k: doc.item(k) for k, ln in self.layout.nodes.items() if ln.item_id}
        self.diagram.set_data(sp, self.layout, models, self.scenario, self.overlay.loads)
        self.diagram.highlight(self._keys_for(self.session.selection.ids))
        self._fill_tables()

    def _fill_tables(self) -> None:
        sp, p = self.sp, self.panel
        if sp is None or not self.panel.isVisible():
            return
        if p.tabs.currentIndex() == 0:
            lay = self.layout
            taps_of: dict[str, list[str]] | None = None
            if p.taps.isChecked():
                taps_of = {}
                for t, bw in lay.tap_busway.items():
                    taps_of.setdefault(bw, []).append(t)
                for v in taps_of.values():
                    v.sort(key=lambda t: natural(sp.name_of(t)) if t in sp.nodes else ())
            order = [k for k, ln in lay.nodes.items() if ln.item_id]
            p.nodes.set_rows(node_rows(sp, order, taps_of))
        else:
            rows, bad = scenario_rows(sp)
            p.scenarios.set_rows(rows, bad)
            p.scenarios.select_key(self.scenario.scenario.id if self.scenario else None)

    @staticmethod
    def summary_html(sp: SitePower) -> str:
        n = len(sp.scenarios)
        if sp.survives:
            verdict = f"<b style='color:{ps.GOOD.name()}'>yes</b>"
        else:
            verdict = f"<b style='color:{ps.OVER.name()}'>no</b> — worst case: {html.escape(sp.worst)}"
        eff = sp.it_powered_kw / sp.source_kw * 100 if sp.source_kw > 0 else 0.0  # only what is powered
        return (f"<b>Survives any single failure:</b> {verdict} &nbsp;·&nbsp; {n} failures simulated "
                f"&nbsp;·&nbsp; IT {ps.kw(sp.it_kw)} kW, sources {ps.kw(sp.source_kw)} kW, "
                f"losses {ps.kw(sp.losses_kw)} kW ({eff:.1f} % to IT)")

    def _fill_combo(self) -> None:
        cb = self.panel.fail
        choices = self.choices()
        if choices != self._choices or cb.count() == 0:
            self._choices = choices
            cb.blockSignals(True)
            cb.clear()
            cb.addItem("— normal operation —", None)
            for sid, label in choices:
                cb.addItem(label, sid)
            cb.blockSignals(False)
        self._combo_follow()

    def choices(self) -> list[tuple[str, str]]:
        """(scenario id, label) for the combo: whole sides first, then equipment in diagram
        order (top down), a UPS's single module after the UPS; taps only on small halls."""
        sp = self.sp
        if sp is None:
            return []
        idx = sp.scenario_index
        out = [(sid, f"all of side {sid.split(':', 1)[1]}") for sid in sorted(idx) if sid.startswith("side:")]
        order = list(self.layout.nodes) if self.layout else []
        for k in order:
            ln = self.layout.nodes[k]
            if ln.item_id is None:
                continue
            name = sp.nodes[k].name
            if f"{ln.kind}:{k}" in idx:
                out.append((f"{ln.kind}:{k}", f"{KIND_LABEL.get(ln.kind, ln.kind)} {name}"))
            if f"ups_module:{k}" in idx:
                out.append((f"ups_module:{k}", f"one module of UPS {name}"))
        taps = [t for t in (self.layout.tap_busway if self.layout else {}) if f"tap:{t}" in idx]
        if len(taps) <= MAX_TAPS_LISTED:
            for t in sorted(taps, key=lambda t: natural(sp.name_of(t))):
                out.append((f"tap:{t}", f"busway tap {sp.name_of(t)}"))
        return out

    def _combo_follow(self) -> None:
        cb = self.panel.fail
        want = self.scenario.scenario.id if self.scenario is not None else None
        i = cb.findData(want) if want is not None else 0
        cb.blockSignals(True)
        cb.setCurrentIndex(max(i, 0))
        cb.blockSignals(False)

    def _combo(self, index: int) -> None:
        sid = self.panel.fail.itemData(index)
        if sid is None:
            self.normal()
        else:
            self.show_scenario(sid)

    # -- what if it fails -----------------------------------------------------------------------
    def _state(self, sid: str) -> ScenarioState | None:
        lay = self.layout
        items = {k: ln.kind for k, ln in lay.nodes.items() if ln.item_id} if lay else {}
        return scenario_state(self.sp, sid, items, lay.tap_busway if lay else {})

    def scenario_id_for(self, item_id: str, module: bool = False) -> str | None:
        sp = self.sp
        if sp is None:
            return None
        if item_id not in sp.nodes and f"side:{item_id}" not in sp.scenario_index:
            return None
        sc = sp.what_if(item_id, module)
        return sc.id if sc is not None else None

    def show_scenario(self, sid: str) -> bool:
        """Show failure scenario ``sid`` (e.g. "ups:<id>", "side:A") on the plan and the diagram."""
        t0 = time.perf_counter()
        if self.sp is None or sid not in self.sp.scenario_index:
            return False
        self.scenario = self._state(sid)
        self.overlay.set_scenario(self.scenario)
        if self.panel.isVisible():
            self.diagram.set_scenario(self.scenario)
            self.panel.scenarios.select_key(sid)
        else:
            self.dirty = True
        self._combo_follow()
        self._show_banner()
        self.normal_action.setEnabled(True)
        self.last_scenario_ms = (time.perf_counter() - t0) * 1000
        QTimer.singleShot(0, self._flows)
        return True

    def _flows(self) -> None:
        """Failover loads of the scenario shown (for the load bars), once its marks are up."""
        sc, site = self.scenario, self.session.site
        if sc is None or site is None or self.revision != self.session.doc.revision:
            return
        t0 = time.perf_counter()
        s = sc.scenario
        try:
            loads = self.flows.loads(site, self.revision, () if s.kind == "ups_module" else s.failed_ids,
                                     sc.module_ups)
        except (AssertionError, ValueError, KeyError) as e:  # the marks stand; only the bars lack failover loads
            self.session.message.emit(f"Failover loads of '{s.label}' could not be computed: {e}")
            return
        self.overlay.set_scenario(sc, loads)
        if self.panel.isVisible():
            self.diagram.set_scenario(sc, loads)
        self.last_flows_ms = (time.perf_counter() - t0) * 1000

    def normal(self) -> None:
        if self.scenario is None:
            return
        self.scenario = None
        self.overlay.set_scenario(None)
        self.diagram.set_scenario(None)
        self.panel.scenarios.select_key(None)
        self._combo_follow()
        self._show_banner()
        self.normal_action.setEnabled(False)

    def _show_banner(self) -> None:
        sc = self.scenario
        if sc is None:
            self.plan_banner.hide()
            self.panel.show_banner(None)
            return
        s = sc.scenario
        head = html.escape(s.label[0].upper() + s.label[1:])
        if s.ok:
            body = "survives: every rack keeps power, nothing goes past its limit"
        else:
            parts = []
            if s.racks_lost:
                n = len(s.racks_lost)
                txt = f"<b>{n} rack{'s' if n != 1 else ''} lose{'' if n != 1 else 's'} power</b>"
                if s.racks_on_battery:
                    txt += f" ({len(s.racks_on_battery)} after {s.battery_min:g} min on UPS battery)"
                parts.append(txt)
            if s.overloaded:
                oid, what, u = s.overloaded[0]
                more = f" and {len(s.overloaded) - 1} more" if len(s.overloaded) > 1 else ""
                parts.append(f"<b>{html.escape(self.sp.name_of(oid))} at {ps.pct(u)}</b> of its "
                             f"{html.escape(what)} limit{more}")
            body = "; ".join(parts)
        if sc.transferred:
            names = ", ".join(html.escape(self.sp.name_of(i)) for i in sorted(sc.transferred)[:4])
            body += f"; transferred to the alternate supply: {names}"
        text = f"<b>What if:</b> {head} — {body}"
        self.plan_banner.show_text(text, s.ok)
        self.panel.show_banner(text, s.ok)

    def fail_selected(self) -> None:
        ids = self.session.selection.ids
        for i in ids:
            sid = self.scenario_id_for(i)
            if sid is not None:
                self.show_scenario(sid)
                return
        self.session.message.emit("What if it fails: select a transformer, switchboard, UPS, PDU, busway or tap")

    # -- selection both ways --------------------------------------------------------------------
    def _keys_for(self, ids) -> list[str]:
        lay = self.layout
        if lay is None:
            return []
        out: list[str] = []
        for i in ids:
            out += lay.key_for(i)
            bw = lay.tap_busway.get(i)
            if bw is not None and bw in lay.nodes:
                out.append(bw)
        return list(dict.fromkeys(out))

    def on_selection(self, ids: list[str]) -> None:
        if not self.panel.isVisible():
            self.dirty = True  # highlighted when the dock is shown
            return
        keys = self._keys_for(ids)
        self.diagram.highlight(keys)
        if keys and self.panel.isVisible():
            self.diagram.reveal(keys)

    def node_clicked(self, key: str) -> None:
        lay = self.layout
        if lay is None or key not in lay.nodes:
            if self.sp is not None and key in self.sp.nodes:
                self._select([key])
            return
        ln = lay.nodes[key]
        self._select(list(ln.rack_ids) if ln.kind == "racks" else [key])

    def _select(self, ids: list[str]) -> None:
        on_plan = [i for i in ids if i in self.window.scene.items_by_id]
        if on_plan:
            self.window.go_to(on_plan)
        else:  # a source: not on the plan, but the properties panel shows it
            self.session.selection.set(ids)

    def node_menu(self, key: str, global_pos) -> QMenu | None:
        menu = self.menu_for(key)
        if menu is not None:
            self.popup(menu, global_pos)
        return menu

    def popup(self, menu: QMenu, global_pos) -> None:
        """Show a context menu (one place, so tests can catch it without a window system)."""
        menu.popup(global_pos)

    def menu_for(self, key: str) -> QMenu | None:
        """The right-click menu of a diagram key or a plan item id."""
        sp, lay = self.sp, self.layout
        if sp is None:
            return None
        menu = QMenu(self.window)
        ln = lay.nodes.get(key) if lay else None
        if ln is not None and ln.kind == "racks":
            menu.addAction(f"Select these {len(ln.rack_ids)} racks", lambda: self._select(list(ln.rack_ids)))
            key = ln.parent or key
        if key in sp.nodes:
            name = sp.name_of(key)
            for module in (False, True):
                sid = self.scenario_id_for(key, module)
                if sid is None or (module and not sid.startswith("ups_module")):
                    continue
                text = f"What if one module of {name} fails" if module else f"What if {name} fails"
                menu.addAction(text, lambda sid=sid: self.show_scenario(sid))
        sides = [sid for sid in sorted(sp.scenario_index) if sid.startswith("side:")]
        if sides:
            menu.addSeparator()
            for sid in sides:
                menu.addAction(f"What if all of side {sid[5:]} fails", lambda sid=sid: self.show_scenario(sid))
        if self.scenario is not None:
            menu.addSeparator()
            menu.addAction("Back to normal operation", self.normal)
        return menu if menu.actions() else None

    def plan_menu(self, menu: QMenu, item_id: str | None) -> None:
        """Right-click on a power item on the plan: what if it fails, first in its menu."""
        if item_id is None or self.sp is None:
            return
        it = self.window.scene.items_by_id.get(item_id)
        if it is None or it.kind not in POWER_KINDS:
            return
        sub = self.menu_for(item_id)
        if sub is None:
            return
        menu._power_actions = sub  # the actions belong to it: keep it as long as the menu
        first = menu.actions()[0] if menu.actions() else None
        for act in sub.actions():
            menu.insertAction(first, act)
        if first is not None:
            menu.insertSeparator(first)

    def _docked(self, area) -> None:
        """Beside the plan the dock is tall and narrow: diagram above the tables there."""
        side = area in (Qt.LeftDockWidgetArea, Qt.RightDockWidgetArea)
        self.panel.split.setOrientation(Qt.Vertical if side else Qt.Horizontal)

    # -- document -------------------------------------------------------------------------------
    def _site_changed(self, *_a) -> None:
        self.scenario = None
        self.overlay.set_scenario(None)
        self.on_results(self.session.scheduler.last_revision, self.session.scheduler.last_results)

    # -- actions --------------------------------------------------------------------------------
    def balance(self) -> bool:
        """Push the suggested phase re-assignment for the site shown (one undo step)."""
        s = self.session
        site = s.site
        if site is None:
            return False
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            from designer.analysis.power import suggest_phase_balance

            edit = suggest_phase_balance(s.project, site.id)
        finally:
            QApplication.restoreOverrideCursor()
        name = site.name or site.id
        if not edit.edits:
            s.message.emit(f"{BALANCE_LABEL}: nothing to gain on {name}, no single-phase cord would even out a "
                           "UPS zone's phases by a point or more")
            return False
        before = after = 0.0
        if self.sp is not None and self.layout is not None:
            nodes = [self.sp.nodes[k] for k, ln in self.layout.nodes.items() if ln.item_id]
            before = max((n.imbalance for n in nodes), default=0.0)
            after = max((n.imbalance_balanced for n in nodes), default=0.0)
        n = sum(len(e.values) for e in edit.edits)
        if not s.push(edit, edit.label):
            return False
        s.message.emit(f"Balanced phases on {name}: {n} cord{'s' if n != 1 else ''} moved on "
                       f"{len(edit.edits)} rack{'s' if len(edit.edits) != 1 else ''}; worst phase imbalance "
                       f"{before * 100:.1f} % → {after * 100:.1f} % (Undo restores)")
        return True


def install(window) -> PowerView:
    return PowerView(window)
