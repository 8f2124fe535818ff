"""What placement uses, checked before it solves (also when it runs alone).

``designer solve F --placement`` runs without the project validation, so placement checks
the values it uses itself: site prices, workload loads, rack positions, accelerators,
budgets, processing times and data rates, data-source and link delays and lengths, module
capacities and rack positions, the accelerators of the racks in modules, the latency
settings, workload ids and the sites' core-site references. Each finding names the item, the
field, the value and a fix.

What the solve does with a bad value (it never makes one up silently; the finding says it):

- a negative price, length, hop count, delay, processing time or data rate counts as zero
  (a negative one would make a workload "pay" to be placed or arrive before it was sent);
- a workload with a negative or non-finite load, or a rack-position or accelerator count
  that is negative or not a whole number, is not placed (it would "free" capacity for
  others, or take part of a rack); neither is a second workload with an id already used (it
  would be merged with the first in every result keyed by id);
- a module's rack positions, or a rack's accelerators, that are negative or not whole count
  as 0;
- a core-site reference that names no site, the site itself, or a site that is not a core
  site draws no tether.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from designer.model.findings import Finding, error, warning
from designer.model.project import Project

SOURCE = "placement"


@dataclass
class PlacementChecks:
    findings: list[Finding] = field(default_factory=list)
    excluded: dict[int, str] = field(default_factory=dict)
    """Workload index -> why it is not placed (an input error)."""
    duplicates: set[int] = field(default_factory=set)
    """Indices of workloads whose id an earlier workload already has (left out entirely)."""
    bad_core: set[str] = field(default_factory=set)
    """Site ids whose core-site reference draws no tether."""


def _bad(v, lo: float = 0.0, strict: bool = False) -> bool:
    try:
        v = float(v)
    except (TypeError, ValueError):
        return True
    return not math.isfinite(v) or (v <= lo if strict else v < lo)


def _name(x) -> str:
    return getattr(x, "name", "") or x.id


def _bad_count(v) -> str | None:
    """Why ``v`` is not a count (a whole number, 0 or more), or None."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return f"{v!r} is not a number"
    if not math.isfinite(f) or f < 0:
        return f"{v:g} is negative" if math.isfinite(f) else f"{v} is not a finite number"
    if f != int(f):
        return f"{v:g} is not a whole number"
    return None


def check(project: Project) -> PlacementChecks:
    out = PlacementChecks()
    f = out.findings

    def err(code, msg, fix, path, ids):
        f.append(error(code, msg, fix, path, ids, source=SOURCE))

    st = project.settings
    for name, strict, fix in (("fibre_us_per_km", True, "enter the one-way delay of light in fibre, about 4.9 us/km"),
                              ("backhaul_cost_per_gbps_km", False, "enter the backhaul price per Gb/s and km, 0 or more"),
                              ("default_hop_us", False, "enter the per-hop delay in us, 0 or more")):
        v = getattr(st, name)
        if _bad(v, 0.0, strict):
            err("placement.input", f"settings: {name} is {v:g}", fix, f"settings.{name}", ())
    if _bad(st.default_route_factor, 1.0):
        err("placement.input", f"settings: default_route_factor is {st.default_route_factor:g}, below 1 (a route "
            "shorter than the straight line)", "enter a route factor of 1 or more (about 1.5 for fibre)",
            "settings.default_route_factor", ())
    if st.default_hops < 0:
        err("placement.input", f"settings: default_hops is {st.default_hops}", "enter 0 or more hops",
            "settings.default_hops", ())
    sites = {s.id: s for s in project.sites}
    for si, s in enumerate(project.sites):
        if _bad(s.cost_per_kw_month):
            err("placement.input", f"site {_name(s)}: cost_per_kw_month is {s.cost_per_kw_month:g}; a negative "
                "price would pay workloads to be placed there (taken as 0)",
                "enter the hosting price per kW and month, 0 or more", f"sites[{si}].cost_per_kw_month", (s.id,))
        core = s.core_site_id
        if core is not None:
            path = f"sites[{si}].core_site_id"
            if core == s.id:
                out.bad_core.add(s.id)
                err("placement.core_site", f"site {_name(s)} names itself as its core site, so it has no tether",
                    "set core_site_id to the core site it is tethered to, or clear it", path, (s.id,))
            elif core not in sites:
                out.bad_core.add(s.id)
                err("placement.core_site", f"site {_name(s)} names core site '{core}', which is not a site of the "
                    "project, so it has no tether", "set core_site_id to the id of a core site, or clear it",
                    path, (s.id,))
            elif sites[core].kind != "core":
                out.bad_core.add(s.id)
                err("placement.core_site", f"site {_name(s)} names {_name(sites[core])} as its core site, but that is "
                    f"a {sites[core].kind} site, so it draws no tether",
                    "name a site of kind 'core', or set that site's kind to core", path, (s.id, core))
        for mi, m in enumerate(s.hall.modules):
            for name in ("it_capacity_kw", "cooling_capacity_kw"):
                v = getattr(m, name)
                if _bad(v):
                    err("placement.input", f"module {_name(m)}: {name} is {v:g}", f"enter {name} in kW, 0 or more",
                        f"sites[{si}].hall.modules[{mi}].{name}", (m.id,))
            why = _bad_count(m.rack_positions)
            if why:
                err("placement.input", f"module {_name(m)}: rack_positions {why} (taken as 0)",
                    "enter the number of rack positions, a whole number, 0 or more",
                    f"sites[{si}].hall.modules[{mi}].rack_positions", (m.id,))
        modules = {m.id for m in s.hall.modules}
        for ri, r in enumerate(s.hall.racks):
            if r.module_id is None or r.module_id not in modules:
                continue  # placement counts only the racks in modules
            why = _bad_count(r.accelerators)
            if why:
                err("placement.input", f"rack {_name(r)}: accelerators {why}, so it adds none to module "
                    f"{r.module_id}'s accelerators", "enter the accelerators (GPUs) in the rack, a whole number, "
                    "0 or more", f"sites[{si}].hall.racks[{ri}].accelerators", (r.id, r.module_id))
    for di, d in enumerate(project.data_sources):
        if _bad(d.access_delay_ms):
            err("placement.input", f"data source {_name(d)}: access_delay_ms is {d.access_delay_ms:g} (taken as 0)",
                "enter the access delay in ms, 0 or more", f"data_sources[{di}].access_delay_ms", (d.id,))
    for li, lk in enumerate(project.links):
        for name in ("route_km", "per_hop_us", "access_delay_ms"):
            v = getattr(lk, name)
            if v is not None and _bad(v):
                err("placement.input", f"link {lk.id}: {name} is {v:g}; a negative length or delay would make a "
                    "route faster than light (taken as 0)", f"enter {name}, 0 or more", f"links[{li}].{name}", (lk.id,))
        if lk.hops < 0:
            err("placement.input", f"link {lk.id}: hops is {lk.hops} (taken as 0)", "enter 0 or more hops",
                f"links[{li}].hops", (lk.id,))
        if lk.route_factor is not None and _bad(lk.route_factor, 1.0):
            err("placement.input", f"link {lk.id}: route_factor is {lk.route_factor:g}, below 1",
                "enter a route factor of 1 or more (about 1.5 for fibre)", f"links[{li}].route_factor", (lk.id,))
        if lk.a == lk.b:
            f.append(warning("placement.link_loop", f"link {lk.id} joins {lk.a} to itself and is not used",
                             "connect it to another site or data source", f"links[{li}]", (lk.id,), source=SOURCE))
    seen: dict[str, int] = {}
    for wi, w in enumerate(project.workloads):
        path = f"workloads[{wi}]"
        if w.id in seen:
            out.duplicates.add(wi)
            err("placement.duplicate_id", f"workload {w.id} (number {wi + 1}) has the id of workload number "
                f"{seen[w.id] + 1}; it is left out of placement so the two are not merged",
                "give it a new, unique id", f"{path}.id", (w.id,))
            continue
        seen[w.id] = wi
        if _bad(w.it_power_kw):
            out.excluded[wi] = (f"its it_power_kw is {w.it_power_kw:g}; a negative load would free capacity "
                                "for others")
            err("placement.input", f"workload {_name(w)}: it_power_kw is {w.it_power_kw:g}, so it is not placed "
                "(a negative load would free capacity for others)", "enter the workload's IT power in kW, 0 or more",
                f"{path}.it_power_kw", (w.id,))
        if _bad(w.latency_budget_ms, 0.0, strict=True):
            err("placement.input", f"workload {_name(w)}: latency_budget_ms is {w.latency_budget_ms:g}",
                "enter the round-trip budget in ms, above 0", f"{path}.latency_budget_ms", (w.id,))
        for name, unit, what in (("processing_ms", "ms", "processing time"), ("data_rate_gbps", "Gb/s", "data rate")):
            v = getattr(w, name)
            if _bad(v):
                err("placement.input", f"workload {_name(w)}: {name} is {v:g} {unit}; a negative {what} is taken "
                    "as 0", f"enter the {what} in {unit}, 0 or more", f"{path}.{name}", (w.id,))
        for name, what in (("rack_positions", "rack positions it takes"), ("accelerators", "accelerators (GPUs) "
                                                                                      "it needs")):
            why = _bad_count(getattr(w, name))
            if why:
                out.excluded.setdefault(wi, f"its {name} {why}")
                err("placement.input", f"workload {_name(w)}: {name} {why}, so it is not placed (a count of "
                    f"{what.split(' it')[0]} must be a whole number, 0 or more)",
                    f"enter the {what}, a whole number, 0 or more", f"{path}.{name}", (w.id,))
    return out
