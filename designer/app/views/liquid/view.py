"""Liquid-cooling loops in the window: plan overlay, "Liquid loops" dock, balance and
pump-failure actions.

``install(window)`` wires :class:`LiquidView`: the overlay gets results from the window,
the dock from ``session.results_ready``; the plan selection and the tables follow each
other, and the pump plot shows the CDU of whatever is selected.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from designer.app.lifecycle.guard import guarded
from designer.app.views.liquid import rows
from designer.app.views.liquid import style as ls
from designer.app.views.liquid.legend import LiquidLegend
from designer.app.views.liquid.overlay import LiquidOverlay, liquid_data
from designer.app.views.liquid.panel import LiquidPanel
from designer.app.window.actions import ActionSpec
from designer.document.document import Change
from designer.document.edits import Composite

if TYPE_CHECKING:  # the solver (scipy) loads with the first results, not with the window
    from designer.solvers.liquid.results import LiquidResults

BALANCE_LABEL = "Balance liquid loops"


class LiquidView:
    def __init__(self, window) -> None:
        self.window = window
        s = self.session = window.session
        self.overlay = LiquidOverlay(window.scene, s)
        self.legend = LiquidLegend(self.overlay, window.view)
        self.balance_action = window.add_action(ActionSpec(
            "liquid_balance", "&Balance liquid loops", self.balance, menu="Analysis", separator_before=True,
            tip="Set the racks' balancing valves so every rack of a loop gets the same share of its required "
                "flow (one undo step)"))
        self.balance_action.setIconText("Balance loops")
        self.failure_action = window.add_action(ActionSpec(
            "liquid_failure", "Show flows with one pump &down", self.set_failure, menu="Analysis", checkable=True,
            tip="Rack badges and the pump plot show the flow with one pump down at each CDU"))
        self.failure_action.setIconText("One pump down")
        self.show_action = window.add_action(ActionSpec(
            "liquid_overlay", "&Liquid results on the plan", self.overlay.set_enabled, menu="Analysis",
            checkable=True, checked=True,
            tip="Pipe colours, rack flow badges and CDU load bars of the liquid analysis"))
        self.panel = LiquidPanel(self.balance_action, self.failure_action)
        self.dock = window.add_dock("liquid", "Liquid loops", self.panel)
        self.data: LiquidResults | None = None
        self.cdu_id: str | None = None
        self.dirty = True
        self.pending_balance: str | None = None
        self.last_panel_ms = 0.0
        p = self.panel
        p.color_by.currentIndexChanged.connect(lambda _i: self.overlay.set_color_by(p.color_by.currentData()))
        p.plot.cdu_chosen.connect(self.show_cdu)
        p.tables.ids_selected.connect(self._rows_selected)
        s.results_ready.connect(self.on_results)
        s.selection.changed.connect(self.on_selection)
        s.site_changed.connect(self._site_changed)
        s.document_replaced.connect(self._replaced)
        s.changed.connect(self._changed)
        s.units_changed.connect(self._units_changed)
        window.view.zoom_changed.connect(self.overlay.set_zoom)
        if hasattr(window.scene, "preview_changed"):  # drag previews (scene hook)
            window.scene.preview_changed.connect(self.overlay.move_with_drag)
            window.scene.preview_ended.connect(self.overlay.end_drag)
        self.dock.visibilityChanged.connect(lambda vis: self.refresh_panel() if vis and self.dirty else None)
        self.refresh_panel()

    # -- results ------------------------------------------------------------------------------
    @guarded("the liquid results view")
    def on_results(self, revision: int, results: dict) -> None:
        self.data = liquid_data(results)
        self.dirty = True
        if self.panel.isVisible():
            self.refresh_panel()
        if self.pending_balance is not None:
            self._report_balanced()

    def refresh_panel(self) -> None:
        """Tables, plot and summary for the site shown (skipped while the dock is hidden)."""
        t0 = time.perf_counter()
        self.dirty = False
        s, p, data = self.session, self.panel, self.data
        site, units = s.site, s.units
        if site is None or data is None:
            for k in p.tables.KINDS:
                p.tables.set_rows(k, [], units)
            p.plot.set_choices([], None)
            p.plot.show_cdu(None, "", units, self.overlay.failure)
            p.summary.setText("No liquid results yet" if data is None else "")
            return
        p.tables.set_rows("racks", rows.rack_rows(site, data), units)
        p.tables.set_rows("cdus", rows.cdu_rows(site, data), units)
        p.tables.set_rows("pipes", rows.pipe_rows(site, data), units)
        limit = s.project.settings.velocity_limit_mps
        hl = p.tables.models["pipes"]
        v_col = 3
        hl.highlight = lambda col, v: ls.OVER_LIMIT.lighter(190) if col == v_col and v is not None and v > limit else None
        choices = [(c.id, c.name or c.id) for c in site.hall.cdus if c.id in data.cdus]
        if self.cdu_id not in dict(choices):
            self.cdu_id = choices[0][0] if choices else None
        p.plot.set_choices(choices, self.cdu_id)
        self._plot()
        p.summary.setText(self._summary_text(site, data, units, limit))
        p.tables.select_ids(s.selection.ids)
        self.last_panel_ms = (time.perf_counter() - t0) * 1000

    def _summary_text(self, site, data: LiquidResults, units: str, limit: float) -> str:
        sm = rows.site_summary(site, data, limit)
        if not sm["loops"] and not sm["no_loop"]:
            return "No liquid loop on this site"
        parts = [f"{sm['loops']} loop{'s' if sm['loops'] != 1 else ''}, {sm['racks']} liquid racks"]
        if sm["min_ratio"] is not None:
            color = ls.ratio_color(sm["min_ratio"]).name()
            parts.append(f"lowest flow <b style='color:{color}'>{ls.ratio_text(sm['min_ratio'])}</b> of required")
        if sm["short"]:
            parts.append(f"<b style='color:{ls.SHORT.name()}'>{sm['short']} short</b>")
        v = f"{ls.num(sm['vmax'], 'velocity', units)} {ls.symbol('velocity', units)}"
        parts.append(f"fastest pipe <b style='color:{ls.OVER_LIMIT.name()}'>{v}</b> (over the limit)"
                     if sm["over_limit"] else f"fastest pipe {v}")
        if sm["no_loop"]:
            parts.append(f"<b style='color:{ls.NO_LOOP.name()}'>{sm['no_loop']} in no loop</b>")
        return " · ".join(parts)

    # -- the pump plot ------------------------------------------------------------------------
    def cdu_for(self, item_id: str) -> str | None:
        """The CDU whose curves describe an item: itself, or the (first) CDU of its loop."""
        data = self.data
        if data is None:
            return None
        if item_id in data.cdus:
            return item_id
        r = data.racks.get(item_id) or data.pipes.get(item_id)
        if r is None:
            return None
        lp = next((lp for lp in data.loops if lp.index == r.loop), None)
        return lp.cdu_ids[0] if lp is not None and lp.cdu_ids else None

    def show_cdu(self, cdu_id: str | None) -> None:
        self.cdu_id = cdu_id
        site, data = self.session.site, self.data
        choices = [] if site is None or data is None else \
            [(c.id, c.name or c.id) for c in site.hall.cdus if c.id in data.cdus]
        self.panel.plot.set_choices(choices, cdu_id)
        self._plot()

    def _plot(self) -> None:
        c = self.data.cdus.get(self.cdu_id) if self.data is not None and self.cdu_id else None
        m = self.session.doc.item(self.cdu_id) if self.cdu_id else None
        name = (m.name or m.id) if m is not None else (self.cdu_id or "")
        self.panel.plot.show_cdu(c, name, self.session.units, self.overlay.failure)

    # -- selection both ways ------------------------------------------------------------------
    def _rows_selected(self, ids: list[str]) -> None:
        if ids and ids != self.session.selection.ids:
            self.window.go_to(ids)

    def on_selection(self, ids: list[str]) -> None:
        self.panel.tables.select_ids(ids)
        for i in ids:
            cdu = self.cdu_for(i)
            if cdu is not None:
                if cdu != self.cdu_id:
                    self.show_cdu(cdu)
                break

    # -- document -----------------------------------------------------------------------------
    def _site_changed(self, *_a) -> None:
        self.cdu_id = None
        self.dirty = True
        if self.panel.isVisible():
            self.refresh_panel()

    def _replaced(self) -> None:
        """Another project: results of the old one must not be drawn on it."""
        self.data = None
        self.overlay.data = None
        self.overlay.last_results = {}
        self.overlay.refresh()
        self._site_changed()

    def _changed(self, change: Change) -> None:
        if Change.PROJECT in change.modified:  # units: relabel at once, values follow with the results
            self.dirty = True
            if self.panel.isVisible():
                self.refresh_panel()

    def _units_changed(self, _units: str) -> None:
        """A view setting: relabel the panel, the badges and the key at once."""
        self.dirty = True
        if self.panel.isVisible():
            self.refresh_panel()
        self.overlay.clear()
        self.overlay.draw(self.overlay.last_results)
        self.overlay._notify()

    # -- actions ------------------------------------------------------------------------------
    def set_failure(self, on: bool) -> None:
        self.overlay.set_failure(bool(on))
        self._plot()

    def balance(self) -> bool:
        """Push the auto-balance edit for the site shown (one undo step); say what changed."""
        s = self.session
        site = s.site
        if site is None:
            return False
        QApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            from designer.analysis.liquid import auto_balance

            edit = auto_balance(s.project, site.id)
        finally:
            QApplication.restoreOverrideCursor()
        changed = []
        for e in edit.edits:
            m = s.doc.item(e.target)
            new, old = e.values["valve_k"], (m.valve_k or 0.0) if m is not None else None
            if old is None or abs(new - old) > 1e-9 * max(1.0, abs(new)):
                changed.append(e)
        name = site.name or site.id
        if not edit.edits:
            s.message.emit(f"{BALANCE_LABEL}: no liquid loop with racks on {name}")
            return False
        if not changed:
            s.message.emit(f"{BALANCE_LABEL}: {name} is already balanced, no valve changed")
            return False
        if not s.push(Composite(changed, BALANCE_LABEL), BALANCE_LABEL):
            return False
        ks = [e.values["valve_k"] for e in changed]
        opened = [s.doc.item(e.target).name or e.target for e in edit.edits if e.values["valve_k"] == 0]
        text = f"Balanced {name}: {len(changed)} valve{'s' if len(changed) != 1 else ''} set, K {min(ks):g} to {max(ks):g}"
        if opened:
            text += f"; left fully open: {', '.join(opened[:4])}{' …' if len(opened) > 4 else ''}"
        self.pending_balance = text
        s.message.emit(text + "; flows follow when the analysis finishes")
        return True

    def _report_balanced(self) -> None:
        """Complete the balance message with the flows the new valves give."""
        text, self.pending_balance = self.pending_balance, None
        site, data = self.session.site, self.data
        if site is None or data is None:
            return
        ids = {r.id for r in site.hall.racks}
        ratios = [r.flow_ratio for i, r in data.racks.items() if i in ids and r.flow_ratio is not None]
        if ratios:
            lo, hi = ls.ratio_text(min(ratios)), ls.ratio_text(max(ratios))
            got = f"every rack now gets {lo}" if lo == hi else f"racks now get {lo} to {hi}"
            self.session.message.emit(f"{text}; {got} of its required flow")


def install(window) -> LiquidView:
    return LiquidView(window)
