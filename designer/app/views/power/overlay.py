"""The power results on the plan: racks coloured by feed margin, load bars under the power
equipment, and a failure scenario when one is picked.

Feed margin is the smallest cord margin when one cord carries the whole rack (its partner
lost): red when negative, amber under 20 % of the cord's continuous limit, green otherwise.
Geometry (rack and equipment outlines) is kept per site and only redone for items an edit
touched; results only recolour.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QPointF
from PySide6.QtGui import QPainterPath, QPolygonF

from designer.app.plan.coords import to_scene
from designer.app.plan.items import point_along
from designer.app.plan.overlay import Overlay
from designer.app.views.power import style as ps
from designer.app.views.power.flows import ScenarioLoads
from designer.app.views.power.marks import BAR_H, Equip, EquipField, RackField
from designer.app.views.power.scenario import DEAD, ScenarioState
from designer.document.document import Change
from designer.model import power as pm
from designer.solvers.power.results import PowerResult, SitePower

PLACED = (pm.Transformer, pm.Switchboard, pm.Ups, pm.Pdu)


def power_data(results: dict) -> PowerResult | None:
    r = results.get("power") if results else None
    data = getattr(r, "data", None)
    return data if isinstance(data, PowerResult) else None


class PowerOverlay(Overlay):
    name = "power"
    layer = "results"

    def __init__(self, scene, session) -> None:
        super().__init__(scene)
        self.session = session
        self.racks = RackField()
        self.equip = EquipField()
        self.sp: SitePower | None = None
        self.scenario: ScenarioState | None = None
        self.loads: ScenarioLoads | None = None
        self.classes: dict[str, str] = {}
        self.last_update_ms = 0.0
        self._built = False
        self._muted: list | None = None

    # -- Overlay hooks --------------------------------------------------------------------------
    def results(self, revision: int, results: dict) -> None:
        self.last_results = results
        data = power_data(results)
        site = self.session.site
        self.sp = data.sites.get(site.id) if data is not None and site is not None else None
        self.refresh()

    def draw(self, results: dict) -> None:
        self.results(-1, results)

    def site_rebuilt(self, scene) -> None:
        self.clear()
        self._built = False
        self.scenario = None
        self.loads = None
        self._mute_others(False)
        self.results(-1, self.last_results)

    def clear(self) -> None:
        super().clear()
        self.racks = RackField()
        self.equip = EquipField()

    def document_changed(self, scene, change: Change) -> None:
        if not self._built:
            return
        doc = self.session.doc
        for i in change.removed:
            self.racks.drop(i)
            self.equip.drop(i)
        for i in list(change.modified) + list(change.added):
            m = doc.item(i)
            if m is None or doc.site_of(i) is not self.session.site:
                continue
            self._place(m)
            if isinstance(m, pm.Busway):
                for t in self.session.site.hall.power.taps:
                    if t.busway_id == i:
                        self._place(t)
        self.racks.update()
        self.equip.update()

    def layers_changed(self, scene) -> None:
        super().layers_changed(scene)
        self._notify()

    # -- drawing --------------------------------------------------------------------------------
    def _build(self) -> None:
        site = self.session.site
        if site is None:
            return
        self.add(self.racks)
        self.add(self.equip)
        for r in site.hall.racks:
            self._place(r)
        p = site.hall.power
        for m in (*p.transformers, *p.switchboards, *p.ups, *p.pdus, *p.busways, *p.taps):
            self._place(m)
        self._built = True

    def _place(self, m) -> None:
        from designer.model.hall import Rack

        if isinstance(m, Rack):
            self.racks.set_polygon(m.id, QPolygonF([to_scene(x, y) for x, y in m.corners()]))
        elif isinstance(m, PLACED):
            poly = QPolygonF([to_scene(x, y) for x, y in m.corners()])
            r = poly.boundingRect()
            w = max(r.width(), 1.0)
            self.equip.set_equip(Equip(m.id, poly=poly, anchor=QPointF(r.center().x() - w / 2, r.bottom() + 0.12),
                                       bar_w=w))
        elif isinstance(m, pm.Busway) and len(m.path) >= 2:
            path = QPainterPath(to_scene(*m.path[0]))
            for x, y in m.path[1:]:
                path.lineTo(to_scene(x, y))
            # the bar beside the feed end; busways fed side by side stack their bars
            a = to_scene(*m.path[0])
            anchor = QPointF(a.x() + 0.25, a.y() - BAR_H / 2)
            taken = [e.anchor for e in self.equip.items.values() if e.path is not None and e.id != m.id]
            while any(abs(q.x() - anchor.x()) < 1.6 and abs(q.y() - anchor.y()) < 0.75 for q in taken):
                anchor = QPointF(anchor.x(), anchor.y() + 0.8)
            self.equip.set_equip(Equip(m.id, path=path, anchor=anchor, bar_w=1.4, name=m.name or m.id))
        elif isinstance(m, pm.BuswayTap):
            bw = self.session.doc.item(m.busway_id)
            if bw is not None and len(bw.path) >= 2:
                self.equip.set_tap(m.id, to_scene(*point_along(bw.path, m.offset_m)))

    def refresh(self) -> None:
        """Recolour from :attr:`sp` and the scenario shown (the geometry is kept)."""
        t0 = time.perf_counter()
        sp = self.sp
        if sp is None or self.session.site is None:
            if self._built:
                self.racks.set_state({})
                for e in self.equip.items.values():
                    e.util, e.state, e.failed, e.over, e.note = None, "live", False, None, ""
                self.equip.failed_taps = []
                self.equip.update()
            self._notify()
            return
        if not self._built:
            self._build()
        classes: dict[str, str] = {}
        racks = sp.racks
        for rid in self.racks.polys:
            if rid not in racks:
                continue
            r = racks[rid]
            cls = ps.margin_class(bool(r.feeds), r.utilisation, r.margin_a)
            if cls != "none" and not r.powered:
                cls = "unpowered"
            classes[rid] = cls
        self.classes = classes
        sc = self.scenario
        if sc is None:
            self.racks.set_state(classes)
        else:
            self.racks.set_state(classes, sc.racks_lost, sc.racks_on_battery, sc.racks_over, sc.battery_min, True)
        self._equip_state()
        self._notify()
        self.last_update_ms = (time.perf_counter() - t0) * 1000

    def _equip_state(self) -> None:
        sp, sc, loads = self.sp, self.scenario, self.loads
        nodes = sp.nodes
        self.equip.failed_taps = [t for t in sc.failed if t in self.equip.taps] if sc is not None else []
        for i, e in self.equip.items.items():
            n = nodes[i] if i in nodes else None
            e.util = None if n is None else max((c.utilisation for c in n.checks
                                                 if c.what not in ("N rating", "feeder cable")),
                                                default=None)
            e.state, e.failed, e.over, e.note = ("live" if n is None or n.energised else DEAD), False, None, ""
            if sc is None or n is None:
                continue
            e.state = sc.state.get(i, DEAD)
            e.failed = i in sc.failed
            if loads is not None and i in loads.util:
                e.util = loads.util[i]
            if i in sc.overloaded:
                e.over = sc.overloaded[i]
                e.util = max(e.util or 0.0, e.over)
            if e.state == "battery":
                m = self.session.doc.item(i)
                rt = getattr(m, "runtime_min", None)
                e.note = f"battery {rt:g} min" if rt else "battery"
        self.equip.update()

    def set_scenario(self, sc: ScenarioState | None, loads: ScenarioLoads | None = None) -> None:
        self.scenario, self.loads = sc, loads
        if sc is not None and not self.enabled:
            self.set_enabled(True)
        self._mute_others(sc is not None)
        self.refresh()

    def _mute_others(self, on: bool) -> None:
        """While a failure is shown, the other result overlays (heat maps, pipe colours) step
        aside so the plan shows only the scenario; they come back with normal operation."""
        if on and self._muted is None:
            self._muted = [ov for ov in self.scene.overlays if ov is not self and ov.enabled]
            for ov in self._muted:
                ov.set_enabled(False)
        elif not on and self._muted is not None:
            for ov in self._muted:
                if ov in self.scene.overlays:
                    ov.set_enabled(True)
            self._muted = None

    @property
    def has_data(self) -> bool:
        return self.sp is not None and bool(self.sp.nodes or self.sp.racks)

