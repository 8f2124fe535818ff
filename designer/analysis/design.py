"""Design a site from its workloads: modules, site services, connections, every check.

:func:`design_site` makes a first design the engineer then edits, as ONE undoable edit and a
plain account of each choice. Steps and rules:

1. **Demand.** The workloads the placement recommendation serves from new modules at this
   site (:func:`~designer.solvers.placement.recommend.recommend`, new modules allowed at this
   site only, existing modules elsewhere counted as capacity). When it serves none here, the
   workloads whose data source stands at the site (data kept on site), unless pinned
   elsewhere. Workloads already served by modules in this hall need nothing new.
2. **Modules.** The recommendation's modules when it chose them; otherwise the cheapest
   number of copies of one catalog module type (fixed cost, see
   :class:`~designer.solvers.placement.recommend.FixedCost`) with enough IT kW, liquid cooling
   where a workload needs it, each workload within one module, and inside the site's utility
   capacity.
3. **Place** them in the hall clear of obstructions, of everything in it and of each other,
   with their service clearances (:func:`~designer.solvers.placement.space.place_many`), the
   largest first; power skids after them.
4. **Site services**, where the site has none: power at the modules' supply voltage from a
   low-voltage utility supply when they need 1,000 kVA or less, else 11 kV supplies with
   power skids (one skid per side and 1,250 kW of IT load); two independent supplies for a 2N
   module, one otherwise; a standby generator at the supply voltage. Facility water: the
   warmest catalog supply cold enough for every module's rated facility water temperature
   with room for the liquid heat. Services stand outside the hall, east of it.
5. **Connect** every new module (:func:`designer.document.connect.connect_items`) and set the
   site's power scheme to the modules' redundancy.
6. **Check**: layout, liquid, power and placement analyses on the result; their findings are
   returned.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from designer.analysis.runner import Runner
from designer.document.assembly import place_module
from designer.document.connect import connect_items
from designer.document.document import Document
from designer.document.edits import AddItem, Composite, Edit, SetFields
from designer.model.catalog import Catalog, ModuleType, SourceType
from designer.model.factory import instantiate
from designer.model.findings import Finding, Severity
from designer.model.project import Project
from designer.model.registry import BY_KIND, iter_items, new_id
from designer.solvers.placement.build import LIQUID_COOLING
from designer.solvers.placement.recommend import FixedCost, recommend
from designer.solvers.placement.space import Envelope, find_free_spot, hall_obstacles

SKID_MODEL = "PWR-2500"
SKID_IT_KW = 1250.0
"""IT load one power skid carries (its UPS's N rating)."""
LV_LIMIT_KVA = 1000.0
CHECKS = ("geometry", "liquid", "power", "placement")


@dataclass
class DesignResult:
    """The design as one edit against a Document of the project, what was chosen and why,
    and the findings of every check on the result."""

    edit: Composite
    account: list[str] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    project: Project | None = None
    """The designed project (the edit applied to a copy)."""
    module_ids: list[str] = field(default_factory=list)
    workload_ids: list[str] = field(default_factory=list)
    """The workloads designed for."""

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity is Severity.ERROR]


def _kw(v: float) -> str:
    return f"{v:,.0f} kW"


def _choose_types(types: list[ModuleType], demand: list, utility_kw: float, fixed: FixedCost):
    """Cheapest k copies of one type serving every workload of ``demand`` (module doc, 2)."""
    total = sum(w.it_power_kw for w in demand)
    liquid = any(w.needs_liquid for w in demand)
    biggest = max((w.it_power_kw for w in demand), default=0.0)
    best = None
    for t in types:
        if t.it_capacity_kw <= 0 or (liquid and t.cooling not in LIQUID_COOLING) or biggest > t.it_capacity_kw:
            continue
        k = max(1, math.ceil(total / t.it_capacity_kw - 1e-9))
        if utility_kw > 0 and k * t.it_capacity_kw > utility_kw + 1e-6:
            continue
        cost = k * fixed.monthly(t.it_capacity_kw)
        if best is None or cost < best[0]:
            best = (cost, t, k)
    return None if best is None else [best[1]] * best[2]


def _pick(entries, ok, key):
    cands = [e for e in entries if ok(e)]
    return min(cands, key=key) if cands else None


class _Designer:
    def __init__(self, project: Project, site_id: str, catalog: Catalog) -> None:
        self.doc = Document(project.model_copy(deep=True))
        self.site_id = site_id
        self.cat = catalog
        self.edits: list[Edit] = []
        self.account: list[str] = []
        self.module_ids: list[str] = []

    @property
    def site(self):
        return self.doc.site(self.site_id)

    def apply(self, edit: Edit) -> None:
        if isinstance(edit, Composite) and not edit.edits:
            return
        self.doc.apply(edit)
        self.edits.append(edit)

    # -- 1. demand ---------------------------------------------------------------------------------
    def demand(self, types: list[ModuleType]):
        project = self.doc.project
        site = self.site
        rec = recommend(project, types, new_module_sites=[self.site_id], time_limit_s=20.0)
        wl = {w.id: w for w in project.workloads}
        here_new = [wl[c.workload_id] for c in rec.choices.values()
                    if c.site_id == self.site_id and c.new_module is not None]
        here_old = [c.workload_id for c in rec.choices.values() if c.site_id == self.site_id and c.module_id]
        if here_old:
            self.account.append(f"already served by the modules in this hall: {', '.join(sorted(here_old))}")
        mods = [nm for nm in rec.new_modules if nm.site_id == self.site_id]
        if here_new:
            self.account.append(
                "placement recommends new modules here for " + ", ".join(
                    f"{w.id} ({_kw(w.it_power_kw)}{', liquid' if w.needs_liquid else ''}, "
                    f"{w.latency_budget_ms:g} ms)" for w in here_new))
            return here_new, [self.cat.get(nm.model) for nm in mods]
        own = {d.id for d in project.data_sources if d.site_id == self.site_id}
        local = [w for w in project.workloads if w.data_source_id in own and w.id not in here_old
                 and not (w.pinned_module_id and self.doc.find(w.pinned_module_id) is not None)]
        if local:
            self.account.append(
                "placement serves every workload from elsewhere; designing for the workloads whose data is "
                f"produced at {site.name or site.id}: " + ", ".join(f"{w.id} ({_kw(w.it_power_kw)})" for w in local))
            return local, None
        return [], None

    # -- 3. placing ----------------------------------------------------------------------------
    def place(self, entry: ModuleType, obstacles):
        env = Envelope(entry.width_m, entry.depth_m, entry.clearance_front_m, entry.clearance_rear_m,
                       entry.clearance_side_m)
        spot = find_free_spot(self.site.hall, env, obstacles)
        if spot is None:
            self.account.append(f"Not done: no free spot in the hall for {entry.model} ({entry.width_m:g} x "
                                f"{entry.depth_m:g} m with its clearances)")
            return None, obstacles
        x, y, rot = spot
        edit = place_module(self.doc, self.site_id, entry, x, y, rot)
        self.apply(edit)
        mid = edit.edits[0].item.id
        self.module_ids.append(mid)
        self.account.append(f"placed {entry.model} ({entry.name}) as {edit.edits[0].item.name} at "
                            f"({x:.1f}, {y:.1f}) m turned {rot:g} deg, clear of the hall's contents with its "
                            "service clearances")
        return mid, obstacles.union(env.polygon(x, y, rot))

    # -- 4. services ---------------------------------------------------------------------------
    def _beside(self, w: float, d: float) -> tuple[float, float]:
        hall = self.site.hall
        xs = [q[0] for q in hall.outline]
        ys = [q[1] for q in hall.outline]
        used = [*hall.power.sources, *hall.water_supplies]
        x_edge = max(xs) + 1.5
        y = min(ys) + d / 2
        if used:
            y = max(it.y + it.depth_m / 2 for it in used if it.x > max(xs)) + 1.0 + d / 2 if any(
                it.x > max(xs) for it in used) else y
        return x_edge + w / 2, y

    def add_service(self, entry, side: str = "", name: str = "") -> str:
        kind = "source" if isinstance(entry, SourceType) else "water_supply"
        x, y = self._beside(entry.width_m, entry.depth_m)
        iid = new_id(BY_KIND[kind].prefix, self.doc.ids())
        item = instantiate(entry, iid, x, y, 0.0, name=name or entry.name)
        if side:
            item.side = side
        self.apply(AddItem(kind, item, self.site_id, label=f"Add {entry.name}"))
        return iid

    def power_services(self, mods: list[ModuleType]):
        hall = self.site.hall
        two_n = any(m.redundancy.upper().startswith("2N") for m in mods)
        sides = ("A", "B") if two_n else ("",)
        kva = sum(m.supply_kva or m.it_capacity_kw / 0.9 for m in mods)
        it_kw = sum(m.it_capacity_kw for m in mods)
        skids: list[ModuleType] = []
        if hall.power.sources:
            self.account.append(f"the site's {len(hall.power.sources)} power supplies are used as they are")
            return skids
        sources = self.cat.entries("sources")
        if kva <= LV_LIMIT_KVA:
            u = _pick(sources, lambda e: e.kind == "utility" and e.voltage_v < 1000 and e.capacity_kva >= kva,
                      lambda e: e.capacity_kva)
            g = _pick(sources, lambda e: e.kind == "generator" and e.voltage_v < 1000 and e.capacity_kva >= kva,
                      lambda e: e.capacity_kva)
            why = f"the modules need {kva:,.0f} kVA at low voltage"
        else:
            n = math.ceil(it_kw / SKID_IT_KW - 1e-9)
            skids = [self.cat.get(SKID_MODEL)] * (n * len(sides))
            per_side = n * self.cat.get(SKID_MODEL).supply_kva
            u = _pick(sources, lambda e: e.kind == "utility" and e.voltage_v >= 1000 and e.capacity_kva >= per_side,
                      lambda e: e.capacity_kva)
            g = _pick(sources, lambda e: e.kind == "generator" and e.voltage_v >= 1000
                      and e.capacity_kva >= self.cat.get(SKID_MODEL).supply_kva, lambda e: e.capacity_kva)
            why = (f"{kva:,.0f} kVA is more than a low-voltage service gives: {n} power skid"
                   f"{'s' if n > 1 else ''} per side at 11 kV")
        if u is None:
            self.account.append(f"Not done: no catalog utility supply is large enough ({why})")
            return skids
        for side in sides:
            self.add_service(u, side, name=f"{u.name}{' ' + side if side else ''}")
        self.account.append(f"added {'two independent' if two_n else 'a'} {u.name}{' supplies (A and B)' if two_n else ''}"
                            f" because {why}" + (" and a 2N module needs two independent paths" if two_n else ""))
        if g is not None:
            self.add_service(g)
            self.account.append(f"added a standby {g.name}, switched in by transfer switches on the supply inputs")
        return skids

    def water_services(self, mods: list[ModuleType]) -> None:
        hall = self.site.hall
        liquid = [m for m in mods if m.cooling in LIQUID_COOLING and m.contents.cdus]
        if not liquid:
            return
        if hall.water_supplies:
            self.account.append(f"the site's {len(hall.water_supplies)} facility water supplies are used as they are")
            return
        heat = sum(r.it_load_kw * r.liquid_fraction for m in liquid for r in m.contents.racks)
        t_need = min(m.facility_water_supply_c or 45.0 for m in liquid)
        ws = self.cat.entries("water_supplies")
        pick = _pick(ws, lambda e: e.supply_temp_c <= t_need + 1e-9 and e.capacity_kw >= heat * 1.1,
                     lambda e: (-e.supply_temp_c, e.capacity_kw))
        if pick is None:
            pick = _pick(ws, lambda e: e.supply_temp_c <= t_need + 1e-9, lambda e: -e.capacity_kw)
            if pick is None:
                self.account.append(f"Not done: no catalog facility water supply is at or below {t_need:g} degC")
                return
        n = max(1, math.ceil(heat * 1.1 / pick.capacity_kw - 1e-9))
        for k in range(n):
            self.add_service(pick, name=pick.name + (f" {k + 1}" if n > 1 else ""))
        self.account.append(f"added {n if n > 1 else 'a'} {pick.name} for {_kw(heat)} of liquid heat: the warmest "
                            f"catalog supply at or below the {t_need:g} degC the modules are rated for")


def design_site(project: Project, site_id: str, catalog: Catalog, fixed_cost: FixedCost | None = None) -> DesignResult:
    """A first design of the site from its workloads (see the module doc)."""
    d = _Designer(project, site_id, catalog)
    site = d.site
    if site is None:
        raise ValueError(f"no site '{site_id}'")
    fixed = fixed_cost or FixedCost()
    types = [t for t in catalog.entries("modules") if isinstance(t, ModuleType) and t.it_capacity_kw > 0]
    demand, mods = d.demand(types)
    if not demand:
        d.account.append("no workload needs new capacity at this site: nothing to design")
        return DesignResult(Composite([], f"Design {site.name or site.id}"), d.account, [], d.doc.project)
    if not mods:
        mods = _choose_types(types, demand, site.utility_capacity_kw, fixed)
        if not mods:
            d.account.append("Not done: no catalog module serves these workloads within the site's utility capacity")
            return DesignResult(Composite([], f"Design {site.name or site.id}"), d.account, [], d.doc.project)
    mods = sorted(mods, key=lambda m: -m.width_m * m.depth_m)
    tot = sum(m.it_capacity_kw for m in mods)
    need = sum(w.it_power_kw for w in demand)
    d.account.append(f"chose {', '.join(m.model for m in mods)}: {_kw(tot)} of IT capacity for {_kw(need)} of "
                     f"workloads ({', '.join(sorted({m.cooling for m in mods}))} cooling"
                     + ("; liquid needed" if any(w.needs_liquid for w in demand) else "") + ")")
    obstacles = hall_obstacles(site.hall)
    for m in mods:
        _, obstacles = d.place(m, obstacles)
    skids = d.power_services(mods)
    for s in skids:
        _, obstacles = d.place(s, obstacles)
    d.water_services(mods)
    scheme = "2N" if any(m.redundancy.upper().startswith("2N") for m in mods) else "N+1"
    if d.site.hall.power.scheme != scheme:
        d.apply(SetFields(site_id, {"hall.power.scheme": scheme}, label="Set power scheme"))
        d.account.append(f"power scheme of the site set to {scheme}, the modules' redundancy")
    conn = connect_items(d.doc, d.module_ids)
    d.apply(conn.edit)
    d.account += conn.account
    runner = Runner(list(CHECKS))
    results = runner.run(d.doc.project, 0)
    findings: list[Finding] = []
    # the findings about this site: its items (or the site itself) and the workloads it serves
    site_idx = next(i for i, s in enumerate(d.doc.project.sites) if s.id == site_id)
    mine = {site_id} | {w.id for w in demand} | {
        loc.item.id for loc in iter_items(d.doc.project) if loc.site_index == site_idx}
    for name in CHECKS:
        res = results.get(name)
        if res is None:
            continue
        if res.error:
            d.account.append(f"the {name} analysis failed: {res.error}")
        findings += [f for f in res.findings if not f.item_ids or set(f.item_ids) & mine]
    n_err = sum(f.severity is Severity.ERROR for f in findings)
    n_warn = sum(f.severity is Severity.WARNING for f in findings)
    d.account.append(f"checks of {site.name or site_id}: {n_err} errors, {n_warn} warnings in layout, liquid, "
                     "power and placement")
    edit = Composite(d.edits, f"Design {site.name or site.id} from its workloads")
    return DesignResult(edit, d.account, findings, d.doc.project, d.module_ids, [w.id for w in demand])
