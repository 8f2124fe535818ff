"""The liquid results on the plan: pipes coloured by velocity or flow, a flow badge on every
liquid-cooled rack, a load bar in front of every CDU, racks in no loop flagged.

Fast on big halls: the badges and bars are made once per site and only their values
change when results arrive; pipe colours come from a fixed table of colours, so a pipe
whose colour did not change is not even repainted.
"""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from designer.app.plan.items import PipeItem
from designer.app.plan.overlay import Overlay, payload
from designer.app.views.liquid import style as ls
from designer.app.views.liquid.items import DETAIL_PX_PER_M, CduBar, ChipLayer, RackBadge
from designer.document.document import Change
from designer.model.units import TONS_PER_KW

if TYPE_CHECKING:  # the solver (scipy) loads with the first results, not with the window
    from designer.solvers.liquid.results import LiquidResults

STALE_OPACITY = 0.45
"""Badges of items edited since the last results are dimmed until new results arrive."""


def nice_ceil(x: float) -> float:
    """The next 1 / 2 / 2.5 / 5 x 10^n at or above ``x`` (scale ends with round ticks)."""
    if x <= 0 or not math.isfinite(x):
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * e >= x * (1 - 1e-9):
            return m * e
    return 10 * e


def liquid_data(results: dict) -> LiquidResults | None:
    if not results or "liquid" not in results:
        return None
    from designer.solvers.liquid.results import LiquidResults

    return payload(results, "liquid", LiquidResults)


class LiquidOverlay(Overlay):
    name = "liquid"
    layer = "results"

    def __init__(self, scene, session) -> None:
        super().__init__(scene)
        self.session = session
        self.color_by = "velocity"
        """"velocity" or "flow"."""
        self.failure = False
        """Badges show the flow with one pump down at each CDU."""
        self.data: LiquidResults | None = None
        self.badges: dict[str, RackBadge] = {}
        self.bars: dict[str, CduBar] = {}
        self.colored: set[str] = set()
        self.scale_max = 0.0
        """Top of the pipe colour scale (m/s or L/min, SI)."""
        self.site_has_liquid = False
        self.last_update_ms = 0.0
        self.chips: ChipLayer | None = None
        self.detailed = True
        """Zoomed in far enough for badges with text (else one layer of colour chips)."""
        self._zoom_check = False
        self.dragged: set[str] = set()

    # -- Overlay hooks ------------------------------------------------------------------------
    def results(self, revision: int, results: dict) -> None:
        self.last_results = results
        self.data = liquid_data(results)
        self.refresh()

    def draw(self, results: dict) -> None:
        self.data = liquid_data(results)
        self.refresh()

    def site_rebuilt(self, scene) -> None:
        # the scene made new pipe items and dropped the old site: start from scratch
        self.clear()
        self.colored.clear()
        self.refresh()

    def clear(self) -> None:
        super().clear()
        self.badges.clear()
        self.bars.clear()
        self.chips = None

    def document_changed(self, scene, change: Change) -> None:
        moved = False
        for i in change.removed:
            moved |= i in self.badges
            self._drop(i)
        for i in change.modified:
            item = self.badges.get(i) or self.bars.get(i)
            if item is None:
                continue
            m = self.session.doc.item(i)
            if m is not None:
                item.place(m)
                moved |= i in self.badges
            item.setOpacity(STALE_OPACITY)
        if moved:
            self._update_chips()
        if Change.PROJECT in change.modified:
            self._notify()  # units or velocity limit may have changed: legend follows

    def layers_changed(self, scene) -> None:
        super().layers_changed(scene)
        self._show_detail()
        self._color_pipes()
        self._notify()

    # -- drag previews: badges and bars move with their item before the edit lands ------------
    def move_with_drag(self, ids: list[str], dx: float, dy: float) -> None:
        for i in ids:
            item = self.badges.get(i) or self.bars.get(i)
            if item is not None:
                item.offset(dx, dy)
                self.dragged.add(i)

    def end_drag(self) -> None:
        for i in self.dragged:
            item = self.badges.get(i) or self.bars.get(i)
            if item is not None:
                item.offset(0.0, 0.0)
        self.dragged.clear()

    # -- zoom: text badges close up, one chip layer far out --------------------------------------
    def set_zoom(self, px_per_m: float) -> None:
        detailed = px_per_m >= DETAIL_PX_PER_M
        if detailed != self.detailed:
            self.detailed = detailed
            self._show_detail()

    def _show_detail(self) -> None:
        vis = self.visible()
        for b in self.badges.values():
            b.setVisible(vis and self.detailed)
        if self.chips is not None:
            self.chips.setVisible(vis and not self.detailed)

    def _seen_at(self, lod: float) -> None:
        """Called from paint: catch zoom changes the view did not announce."""
        if (lod >= DETAIL_PX_PER_M) != self.detailed and not self._zoom_check:
            self._zoom_check = True
            QTimer.singleShot(0, lambda: self._zoom_fix(lod))

    def _zoom_fix(self, lod: float) -> None:
        self._zoom_check = False
        self.set_zoom(lod)

    # -- options ------------------------------------------------------------------------------
    def set_color_by(self, mode: str) -> None:
        if mode not in ("velocity", "flow"):
            raise ValueError(f"colour pipes by 'velocity' or 'flow', not {mode!r}")
        if mode != self.color_by:
            self.color_by = mode
            self._color_pipes()
            self._notify()

    def set_failure(self, on: bool) -> None:
        if on != self.failure:
            self.failure = on
            self.refresh()

    # -- drawing ------------------------------------------------------------------------------
    @property
    def units(self) -> str:
        return self.session.units

    def refresh(self) -> None:
        """Bring badges, bars and pipe colours in step with :attr:`data` for the site shown."""
        t0 = time.perf_counter()
        site = self.session.site
        data = self.data
        if site is None or data is None:
            self.clear()
            self.site_has_liquid = False
            self._color_pipes()
            self._notify()
            self.last_update_ms = (time.perf_counter() - t0) * 1000
            return
        px = self.view_zoom()
        if px is not None:
            self.set_zoom(px)
        self._update_badges(site, data)
        self._update_bars(site, data)
        self._color_pipes()
        self.site_has_liquid = bool(self.badges or self.bars or self.colored)
        self._notify()
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def _update_badges(self, site, data: LiquidResults) -> None:
        units = self.units
        dt_sym = ls.symbol("temp_diff", units)
        loops = {lp.index: lp for lp in data.loops}
        left = {c.loop: c.failure_running for c in data.cdus.values()}
        want: set[str] = set()
        changed = False
        for rack in site.hall.racks:
            r = data.racks.get(rack.id)
            why = data.unconnected.get(rack.id)
            if (r is None or r.required_lpm is None) and why is None:
                continue
            want.add(rack.id)
            b = self.badges.get(rack.id)
            if b is None:
                b = self.badges[rack.id] = RackBadge(rack.id, self._seen_at)
                b.tip = lambda rid=rack.id: self.rack_tip(rid)
                b.place(rack)
                self.add(b)
                b.setVisible(b.isVisible() and self.detailed)
                changed = True
            b.setOpacity(1.0)
            if r is None or r.required_lpm is None:
                changed |= b.set_values("no loop", "", ls.NO_LOOP, no_loop=True)
                continue
            if self.failure:
                ratio = r.failure_ratio
                if left.get(r.loop) == 0:
                    line2 = "standby"
                else:
                    line2 = self._failure_rise(r, loops.get(r.loop), units, dt_sym)
            else:
                ratio = r.flow_ratio
                line2 = "no flow" if r.delta_t_k is None else f"ΔT {ls.num(r.delta_t_k, 'temp_diff', units)} {dt_sym}"
            changed |= b.set_values(ls.ratio_text(ratio), line2, ls.ratio_color(ratio))
        gone = [i for i in self.badges if i not in want]
        for i in gone:
            self._drop(i)
        if self.chips is None:
            self.chips = self.add(ChipLayer(self._seen_at))
            self.chips.setVisible(self.chips.isVisible() and not self.detailed)
            changed = True
        if changed or gone:
            self._update_chips()

    def _update_chips(self) -> None:
        if self.chips is not None:
            self.chips.set_chips([(b.scene_rect, ls.NO_LOOP if b.no_loop else b.fill)
                                  for b in self.badges.values()])

    @staticmethod
    def _failure_rise(r, loop, units: str, dt_sym: str) -> str:
        """Temperature rise at the one-pump-down flow: the same heat in less water."""
        if r.failure_flow_lpm is None:
            return "–"
        if r.failure_flow_lpm <= 1e-6 or loop is None:
            return "no flow"
        dt = r.heat_kw * 1000.0 / (loop.density_kg_m3 * loop.cp_j_kgk * r.failure_flow_lpm / 60000.0)
        return f"ΔT {ls.num(dt, 'temp_diff', units)} {dt_sym}"

    def rack_tip(self, rack_id: str) -> str:
        """Tooltip of a rack's badge from the results shown now."""
        rack, data = self.session.doc.item(rack_id), self.data
        if rack is None or data is None:
            return ""
        r = data.racks.get(rack_id)
        if r is None or r.required_lpm is None:
            return f"{rack.name or rack.id}: liquid heat but in no loop: {data.unconnected.get(rack_id, '')}"
        units = self.units
        f = ls.num
        q, t, p = ls.symbol("liquid_flow", units), ls.symbol("temperature", units), ls.symbol("pressure", units)
        lines = [f"{rack.name or rack.id}: {f(r.flow_lpm, 'liquid_flow', units)} of "
                 f"{f(r.required_lpm, 'liquid_flow', units)} {q} required ({ls.ratio_text(r.flow_ratio)})",
                 f"supply {f(r.supply_temp_c, 'temperature', units)} {t}, return "
                 f"{f(r.return_temp_c, 'temperature', units)} {t}; Δp {f(r.dp_kpa, 'pressure', units)} {p}"]
        if r.failure_flow_lpm is not None:
            lines.append(f"one pump down: {f(r.failure_flow_lpm, 'liquid_flow', units)} {q} "
                         f"({ls.ratio_text(r.failure_ratio)})")
        return "\n".join(lines)

    def _update_bars(self, site, data: LiquidResults) -> None:
        units = self.units
        want: set[str] = set()
        for cdu in site.hall.cdus:
            c = data.cdus.get(cdu.id)
            if c is None:
                continue
            want.add(cdu.id)
            bar = self.bars.get(cdu.id)
            if bar is None:
                bar = self.bars[cdu.id] = CduBar(cdu.id)
                bar.place(cdu)
                self.add(bar)
            bar.setOpacity(1.0)
            if units == "US":
                detail = f"{c.load_kw * TONS_PER_KW:,.0f} / {c.capacity_kw * TONS_PER_KW:,.0f} tons"
            else:
                detail = f"{c.load_kw:,.0f} / {c.capacity_kw:,.0f} kW"
            if bar.set_values(cdu.name or cdu.id, detail, c.load_fraction):
                bar.setToolTip(f"{cdu.name or cdu.id}: load {detail}, margin "
                               f"{ls.num(c.margin_kw, 'power', units)} {ls.symbol('power', units)}")
        for i in [i for i in self.bars if i not in want]:
            self._drop(i)

    def _color_pipes(self) -> None:
        """Colour this site's pipes from the results (or give them back their role colour)."""
        items = self.scene.items_by_id
        pairs = []
        if self.data is not None and self.visible():
            for pid, pr in self.data.pipes.items():
                it = items.get(pid)
                if isinstance(it, PipeItem):
                    pairs.append((it, pr))
        if self.color_by == "velocity":
            limit = self.session.project.settings.velocity_limit_mps
            self.scale_max = limit * ls.VELOCITY_SPAN
            colors = [ls.velocity_color(pr.velocity_mps, limit) for _it, pr in pairs]
        else:
            self.scale_max = nice_ceil(max((abs(pr.flow_lpm) for _it, pr in pairs), default=1.0))
            colors = [ls.flow_color(pr.flow_lpm, self.scale_max) for _it, pr in pairs]
        now: set[str] = set()
        for (it, _pr), c in zip(pairs, colors, strict=True):
            now.add(it.item_id)
            if it.color is not c:
                it.color = c
                it.update()
        for pid in self.colored - now:
            it = items.get(pid)
            if isinstance(it, PipeItem) and it.color is not None:
                it.color = None
                it.update()
        self.colored = now

    def view_zoom(self) -> float | None:
        views = self.scene.views()
        return views[0].transform().m11() if views else None

    def _drop(self, item_id: str) -> None:
        item = self.badges.pop(item_id, None) or self.bars.pop(item_id, None)
        if item is not None:
            self.discard(item)
