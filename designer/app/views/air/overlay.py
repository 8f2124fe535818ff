"""The air results on the plan: the temperature field as one pixmap, optional airflow arrows,
an inlet tab on every rack coloured by its ASHRAE band, a load bar beside every air unit.

Fast on big halls: the heat map is one item drawing one image (one pixel per cell, scaled to
the cell size) that repaints only the cells whose colour changed (:mod:`designer.app.views.air.heat`); tabs and
bars are made once per site and only their values change. While a drag is previewed the overlay shows the coarse answer
(:meth:`show_preview`) and moves the dragged items' tabs and bars along with them.
"""

from __future__ import annotations

import math
import time

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsPathItem

from designer.app.plan.overlay import Overlay, payload
from designer.app.views.air import style as st
from designer.app.views.air.heat import HeatMapItem
from designer.app.views.air.items import InletBadge, UnitBar
from designer.app.views.air.layout import place_bars
from designer.document.document import Change
from designer.model.units import TONS_PER_KW
from designer.solvers.air.results import AirResult, HeatMap, SiteAir

STALE_OPACITY = 0.45
"""Tabs and bars of items edited since the last results are dimmed until new results arrive."""
HEAT_Z = -50.0
"""Above the floor (-100), below modules (-5), containments (-2) and all equipment."""
ARROW_SPACING_M = 1.0
LAYOUT_KINDS = {"rack", "air_unit", "cdu", "transformer", "switchboard", "ups", "pdu", "obstruction"}
"""Moving one of these may move a unit's load bar (they are what the bars keep clear of)."""


def air_data(results: dict) -> AirResult | None:
    return payload(results, "air", AirResult)


class AirOverlay(Overlay):
    name = "air"
    layer = "results"

    def __init__(self, scene, session) -> None:
        super().__init__(scene)
        self.session = session
        self.data: AirResult | None = None
        self.preview: SiteAir | None = None
        """The coarse answer of a drag in progress (shown instead of ``data``)."""
        self.hold_preview = False
        """A drag was released: keep the coarse answer until the fine one for the edit arrives."""
        self.no_preview = ""
        """Why the drag in progress has no coarse answer (its full answer from before the drag
        stays on screen, and the legend says so); empty otherwise."""
        self.offsets: dict[str, tuple[float, float]] = {}
        self.show_map = True
        self.show_arrows = False
        self.show_badges = True
        self.show_bars = True
        self.opacity = 0.8
        self.scale_mode = "ashrae"
        """"ashrae" (fixed per class) or "data" (ends follow the field)."""
        self.map_height_m: float | None = None
        """Height above the floor of the heat map's slice, m; None: the results' own map
        (:data:`~designer.solvers.air.results.MAP_HEIGHT_M`, or half a low hall's height)."""
        self._slice: tuple | None = None
        """``(site air, height, HeatMap)`` of the last slice taken off a 3D field."""
        self.scale: st.TemperatureScale | None = None
        self.heat: HeatMapItem | None = None
        self.arrows: QGraphicsPathItem | None = None
        self.badges: dict[str, InletBadge] = {}
        self.bars: dict[str, UnitBar] = {}
        self._map_key: tuple | None = None
        self._arrow_key: tuple | None = None
        self._layout_dirty = True
        self.last_update_ms = 0.0

    # -- what is shown ------------------------------------------------------------------------
    @property
    def units(self) -> str:
        return self.session.project.settings.units

    def site_air(self) -> SiteAir | None:
        """The answer drawn for the site shown: the drag preview's, else the latest fine one."""
        if self.preview is not None:
            return self.preview if self.session.site and self.preview.site_id == self.session.site_id else None
        if self.data is None or self.session.site_id is None:
            return None
        return self.data.sites.get(self.session.site_id)

    def heat_map(self) -> HeatMap | None:
        return self.map_of(self.site_air())

    def map_of(self, sa: SiteAir | None) -> HeatMap | None:
        """The slice of ``sa`` at :attr:`map_height_m` (the results' own map at its height; any
        other height is cut from the 3D field once and kept while the answer stays)."""
        if sa is None or not sa.solved or sa.map is None:
            return None
        z = self.map_height_m
        if z is None or sa.field is None or abs(z - sa.map.z_m) < 1e-9:
            return sa.map
        if self._slice is not None and self._slice[0] is sa and self._slice[1] == z:
            return self._slice[2]
        m = sa.field.heat_map(z)
        self._slice = (sa, z, m)
        return m

    def temperature_at(self, x: float, y: float) -> float | None:
        m = self.heat_map()
        return None if m is None else m.at(x, y)

    # -- Overlay hooks ------------------------------------------------------------------------
    def results(self, revision: int, results: dict) -> None:
        self.last_results = results
        self.data = air_data(results)
        if self.hold_preview:  # the fine answer for the released drag is here
            self.preview = None
            self.hold_preview = False
        self.refresh()

    def draw(self, results: dict) -> None:
        self.data = air_data(results)
        self.refresh()

    def site_rebuilt(self, scene) -> None:
        self.clear()
        self.preview = None
        self.hold_preview = False
        self.offsets.clear()
        self.refresh()

    def clear(self) -> None:
        super().clear()
        self.badges.clear()
        self.bars.clear()
        self.heat = None
        self.arrows = None
        self._map_key = None
        self._arrow_key = None
        self._layout_dirty = True

    def document_changed(self, scene, change: Change) -> None:
        for i in change.removed:
            self._drop(i)
        for i in change.modified:
            b = self.badges.get(i)
            if b is not None:
                m = self.session.doc.item(i)
                if m is not None:
                    b.place(m)
                b.setOpacity(STALE_OPACITY)
            bar = self.bars.get(i)
            if bar is not None:
                bar.setOpacity(STALE_OPACITY)
        if change.added or change.removed or any(
                getattr(scene.items_by_id.get(i), "kind", None) in LAYOUT_KINDS for i in change.modified):
            self._layout_dirty = True
            site = self.session.site
            if site is not None and any(i in self.bars for i in change.modified):
                self._update_bars(site, self.site_air())  # a moved unit's bar goes with it now
        if Change.PROJECT in change.modified:
            self.refresh()  # display units or the ASHRAE class may have changed

    def layers_changed(self, scene) -> None:
        self._apply_visibility()
        self._notify()

    # -- options ------------------------------------------------------------------------------
    def set_option(self, name: str, value) -> None:
        """``show_map``, ``show_arrows``, ``show_badges``, ``show_bars``, ``opacity``, ``scale_mode``
        or ``map_height_m``."""
        if name not in ("show_map", "show_arrows", "show_badges", "show_bars", "opacity", "scale_mode",
                        "map_height_m"):
            raise ValueError(f"no air overlay option {name!r}")
        if name == "scale_mode" and value not in ("ashrae", "data"):
            raise ValueError(f"scale the heat map by 'ashrae' or 'data', not {value!r}")
        if name == "map_height_m" and value is not None and not (
                isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise ValueError(f"the heat map's height is a distance above the floor in m, not {value!r}")
        if getattr(self, name) == value:
            return
        setattr(self, name, value)
        if name == "opacity" and self.heat is not None:
            self.heat.setOpacity(value)
            return
        self.refresh()

    # -- drag preview -------------------------------------------------------------------------
    def move_with_drag(self, ids: list[str], dx: float, dy: float) -> None:
        """Tabs and bars of the dragged items follow the plan's preview at once."""
        for i in ids:
            item = self.badges.get(i) or self.bars.get(i)
            if item is not None:
                item.offset(dx, dy)
                self.offsets[i] = (dx, dy)

    def show_preview(self, site_air: SiteAir) -> None:
        self.preview = site_air
        self.refresh()

    def preview_unavailable(self, why: str) -> None:
        self.no_preview = why
        self._notify()

    def end_preview(self, committed: bool) -> None:
        """The drag is over. Committed: keep the coarse answer until the fine one arrives."""
        if self.no_preview:
            self.no_preview = ""
            self._notify()
        for i in self.offsets:
            item = self.badges.get(i) or self.bars.get(i)
            if item is not None:
                item.offset(0.0, 0.0)
        self.offsets.clear()
        if committed and self.preview is not None:
            self.hold_preview = True
            return
        self.preview = None
        self.hold_preview = False
        self.refresh()

    # -- drawing ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Bring the heat map, arrows, tabs and bars in step with the answer for the site shown."""
        t0 = time.perf_counter()
        site = self.session.site
        sa = self.site_air()
        if site is None or sa is None:
            self.clear()
        else:
            self._update_map(sa)
            self._update_arrows(sa)
            self._update_badges(site, sa)
            self._update_bars(site, sa)
            self._apply_visibility()
        self._notify()
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def current_scale(self, sa: SiteAir | None = None) -> st.TemperatureScale:
        sa = sa or self.site_air()
        cls = st.ashrae(sa.indices.ashrae_class if sa is not None else self.session.project.settings.ashrae_class)
        m = self.map_of(sa)
        if self.scale_mode == "data" and m is not None:
            return st.TemperatureScale.for_data(cls, m.t_min_c, m.t_max_c)
        return st.TemperatureScale.for_class(cls)

    def _update_map(self, sa: SiteAir) -> None:
        m = self.map_of(sa)
        if m is None:
            if self.heat is not None:
                self.heat.clear_field()
            self._map_key = None
            return
        self.scale = self.current_scale(sa)
        key = (id(m), self.scale)
        if key == self._map_key:
            return
        self._map_key = key
        if self.heat is None:
            self.heat = HeatMapItem()
            self.heat.setZValue(HEAT_Z)
            self.heat.setOpacity(self.opacity)
            self.add(self.heat)
        self.heat.set_field(m.temperature_c, m.x0, m.y0, m.cell_m, self.scale)

    def _update_arrows(self, sa: SiteAir) -> None:
        m = self.map_of(sa)
        if not self.show_arrows or m is None:
            if self.arrows is not None:
                self.arrows.setPath(QPainterPath())
            self._arrow_key = None
            return
        if self._arrow_key == id(m):
            return
        self._arrow_key = id(m)
        if self.arrows is None:
            self.arrows = QGraphicsPathItem()
            self.arrows.setZValue(HEAT_Z + 1)
            self.arrows.setAcceptedMouseButtons(Qt.NoButton)
            pen = QPen(st.ARROW, 1.3)
            pen.setCosmetic(True)
            self.arrows.setPen(pen)
            self.add(self.arrows)
        self.arrows.setPath(quiver_path(m, ARROW_SPACING_M))

    def _update_badges(self, site, sa: SiteAir) -> None:
        units = self.units
        sym = st.temp_symbol(units)
        want: set[str] = set()
        for rack in site.hall.racks:
            r = sa.racks.get(rack.id)
            if r is None or (r.airflow_m3s <= 0 and r.heat_to_air_kw <= 0):
                continue
            want.add(rack.id)
            b = self.badges.get(rack.id)
            if b is None:
                b = self.badges[rack.id] = InletBadge(rack.id)
                b.place(rack)
                self.add(b)
                if rack.id in self.offsets:
                    b.offset(*self.offsets[rack.id])
            b.setOpacity(1.0)
            text = st.temp(r.inlet_max_c, units) if (r.inlet_max_c is not None and r.airflow_m3s > 0) else "–"
            if b.set_values(text, r.band):
                b.setToolTip(self._rack_tip(r, sa, units, sym))
        for i in [i for i in self.badges if i not in want]:
            self._drop(i)

    def _rack_tip(self, r, sa: SiteAir, units: str, sym: str) -> str:
        lo, hi = sa.indices.recommended_c
        why = st.no_inlet_reason(r)
        if why:
            lines = [f"{r.name}: no inlet temperature: {why}",
                     f"{st.power(r.heat_to_air_kw, units)} {st.power_symbol(units)} to air"]
            if self.preview is not None:
                lines.append("coarse preview while dragging")
            return "\n".join(lines)
        lines = [f"{r.name}: inlet max {st.temp(r.inlet_max_c, units)} {sym}, mean {st.temp(r.inlet_mean_c, units)} {sym}",
                 *([("sensors bottom / middle / top " + " / ".join(st.temp(t, units) for t in r.inlet_sensors_c)
                     + f" {sym}")] if len(r.inlet_sensors_c) == 3 else []),
                 f"ASHRAE {sa.indices.ashrae_class}: {st.BAND_WORDS.get(r.band, r.band)} ("
                 f"{st.temp(lo, units, 0)}–{st.temp(hi, units, 0)} {sym})",
                 f"exhaust {st.temp(r.exhaust_c, units)} {sym}; {st.power(r.heat_to_air_kw, units)} "
                 f"{st.power_symbol(units)} to air"]
        if r.blocked:
            lines.append("blocked: no open front and back in the air model")
        if self.preview is not None:
            lines.append("coarse preview while dragging")
        return "\n".join(lines)

    def _update_bars(self, site, sa: SiteAir | None) -> None:
        if sa is None:
            return
        units = self.units
        want = [u.id for u in site.hall.air_units if u.kind != "rear_door" and u.id in sa.units]
        if self._layout_dirty or any(i not in self.bars for i in want):
            spots = place_bars(site.hall, want, UnitBar.W, UnitBar.H)
            self._layout_dirty = False
        else:
            spots = {}
        for uid in want:
            u = sa.units[uid]
            bar = self.bars.get(uid)
            if bar is None:
                bar = self.bars[uid] = UnitBar(uid)
                self.add(bar)
            if uid in spots:
                bar.place_at(*spots[uid])
                if uid in self.offsets:
                    bar.offset(*self.offsets[uid])
            bar.setOpacity(1.0)
            known = math.isfinite(u.load_kw)  # not known without a steady state
            if units == "US":
                load = f"{u.load_kw * TONS_PER_KW:,.1f}" if known else "–"
                detail = f"{load} / {u.capacity_kw * TONS_PER_KW:,.1f} tons"
            else:
                load = f"{u.load_kw:,.0f}" if known else "–"
                detail = f"{load} / {u.capacity_kw:,.0f} kW"
            if bar.set_values(u.name, detail, u.utilisation):
                sym = st.temp_symbol(units)
                bar.setToolTip(f"{u.name} ({u.kind}): {detail}"
                               + (f" ({u.utilisation * 100:.0f} %)" if u.utilisation is not None else "")
                               + f"\nsupply {st.temp(u.supply_temp_c, units)} {sym}, return "
                               f"{st.temp(u.return_temp_c, units)} {sym}")
        keep = set(want)
        for i in [i for i in self.bars if i not in keep]:
            self._drop(i)

    def _item_visible(self, it, vis: bool) -> bool:
        if it is self.heat:
            return vis and self.show_map
        if it is self.arrows:
            return vis and self.show_arrows
        if isinstance(it, InletBadge):
            return vis and self.show_badges
        if isinstance(it, UnitBar):
            return vis and self.show_bars
        return vis

    def _apply_visibility(self) -> None:
        vis = self.visible()
        for it in self.items:
            want = self._item_visible(it, vis)
            if it.isVisible() != want:
                it.setVisible(want)

    def add(self, item):
        super().add(item)
        item.setVisible(self._item_visible(item, self.visible()))
        return item

    def _drop(self, item_id: str) -> None:
        item = self.badges.pop(item_id, None) or self.bars.pop(item_id, None)
        if item is not None:
            self.discard(item)


def quiver_path(m: HeatMap, spacing_m: float) -> QPainterPath:
    """Sparse arrows along the air velocity, one every ``spacing_m``; the length grows with
    the speed up to 80 % of the spacing (at the 95th percentile speed, so a few jets do not
    shrink everything else)."""
    step = max(1, int(round(spacing_m / m.cell_m)))
    j0 = step // 2
    vx = m.vx_mps[j0::step, j0::step]
    vy = m.vy_mps[j0::step, j0::step]
    sp = np.hypot(vx, vy)
    path = QPainterPath()
    finite = np.isfinite(sp)
    if not finite.any():
        return path
    ref = float(np.percentile(sp[finite], 95)) or 1e-9
    jj, ii = np.nonzero(finite & (sp > 0.1 * ref))  # still air: no arrow (dots only clutter)
    length = step * m.cell_m * 0.8 * np.minimum(1.0, sp[jj, ii] / ref)
    ux, uy = vx[jj, ii] / sp[jj, ii], vy[jj, ii] / sp[jj, ii]
    cx = m.x0 + (ii * step + j0 + 0.5) * m.cell_m
    cy = m.y0 + (jj * step + j0 + 0.5) * m.cell_m
    head = 0.35
    c, s = math.cos(math.radians(25)), math.sin(math.radians(25))
    for x, y, ex, ey, L in zip(cx.tolist(), cy.tolist(), ux.tolist(), uy.tolist(), length.tolist(), strict=True):
        tx, ty = x + ex * L / 2, y + ey * L / 2
        path.moveTo(x - ex * L / 2, -(y - ey * L / 2))
        path.lineTo(tx, -ty)
        hl = head * L
        # the two barbs: the reversed direction turned by +-25 degrees
        path.moveTo(tx - hl * (ex * c - ey * s), -(ty - hl * (ey * c + ex * s)))
        path.lineTo(tx, -ty)
        path.lineTo(tx - hl * (ex * c + ey * s), -(ty - hl * (ey * c - ex * s)))
    return path
