"""Results step: arrays -> frozen results keyed by item id, and the findings.

What the placement pane draws from (all read-only):

- :attr:`PlacementResults.workloads`: per workload the module and site, the achieved round
  trip with its breakdown (fibre, hops, access, processing), the budget and the margin, the
  cost per month (hosting, backhaul), the route's nodes and links, or why it is unplaced;
- :attr:`PlacementResults.modules`: per module the workloads on it and what they use of
  every capacity (power, cooling, liquid cooling, rack positions, accelerators) against it,
  with the utilisation of each;
- :attr:`PlacementResults.sites`: per site its location and the tether to its core site;
- :attr:`PlacementResults.sources`: the data sources' locations;
- :attr:`PlacementResults.latency`: the full workload x module latency table (every
  candidate, not only the chosen one) for "what if it ran there" views.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from designer.model.findings import Finding, error, info, warning
from designer.model.project import Project
from designer.solvers.placement.assign import AssignmentSolution
from designer.solvers.placement.build import PlacementInput
from designer.solvers.placement.diagnose import Reason, fmt_num
from designer.solvers.placement.latency import LatencyBreakdown, LatencyTable
from designer.solvers.placement.problem import (
    ACCELERATORS,
    COOLING,
    KW_RESOURCES,
    LIQUID,
    POWER,
    RACKS,
    RESOURCES,
    amount,
)

SOURCE = "placement"


@dataclass(frozen=True)
class WorkloadPlacement:
    """Where one workload runs and how its round trip adds up (times in ms, cost per month)."""

    workload_id: str
    name: str
    budget_ms: float
    power_kw: float
    needs_liquid: bool
    rack_positions: int = 0
    accelerators: int = 0
    module_id: str | None = None
    site_id: str | None = None
    pinned: bool = False
    latency: LatencyBreakdown | None = None
    hosting_cost: float = 0.0
    backhaul_cost: float = 0.0
    route_nodes: tuple[str, ...] = ()
    route_links: tuple[str, ...] = ()
    reason_code: str | None = None
    reason: str | None = None
    reason_capacity: str | None = None
    """The binding capacity when capacity keeps it out ("power", "rack positions", ...)."""

    @property
    def placed(self) -> bool:
        return self.module_id is not None

    @property
    def total_ms(self) -> float | None:
        return None if self.latency is None else self.latency.total_ms

    @property
    def margin_ms(self) -> float | None:
        """Budget minus achieved round trip (negative: over budget, only for a pin)."""
        return None if self.latency is None else self.budget_ms - self.latency.total_ms

    @property
    def cost(self) -> float:
        return self.hosting_cost + self.backhaul_cost

    def to_json(self) -> dict:
        return {"workload_id": self.workload_id, "name": self.name, "module_id": self.module_id,
                "site_id": self.site_id, "pinned": self.pinned, "budget_ms": self.budget_ms,
                "power_kw": self.power_kw, "needs_liquid": self.needs_liquid,
                "rack_positions": self.rack_positions, "accelerators": self.accelerators,
                "latency": None if self.latency is None else self.latency.to_json(),
                "margin_ms": self.margin_ms, "hosting_cost": self.hosting_cost,
                "backhaul_cost": self.backhaul_cost, "cost": self.cost,
                "route_nodes": list(self.route_nodes), "route_links": list(self.route_links),
                "reason_code": self.reason_code, "reason": self.reason, "reason_capacity": self.reason_capacity}


def _share(used: float, cap: float) -> float:
    """used / cap; nan when the capacity does not limit (inf), inf when it is 0 and used."""
    if not np.isfinite(cap):
        return float("nan")
    if cap > 0:
        return used / cap
    return 0.0 if used <= 0 else float("inf")


@dataclass(frozen=True)
class ModuleLoad:
    """What the workloads on one candidate module use against its capacities (kW, counts;
    a capacity of inf does not limit: not given)."""

    module_id: str
    site_id: str
    name: str
    workload_ids: tuple[str, ...]
    power_kw: float
    capacity_kw: float
    cooling_capacity_kw: float
    liquid_kw: float
    liquid_capacity_kw: float
    note: str = ""
    rack_positions: float = 0.0
    """Rack positions the workloads on it take."""
    rack_positions_capacity: float = float("inf")
    accelerators: float = 0.0
    """Accelerators the workloads on it need."""
    accelerators_capacity: float = float("inf")
    """Accelerators in its racks (inf: none of its racks declares any, so not limiting)."""

    @property
    def utilisation(self) -> float:
        """Power used / power capacity (the headline figure)."""
        return self.power_kw / self.capacity_kw if self.capacity_kw > 0 else float("inf")

    @property
    def cooling_utilisation(self) -> float:
        return _share(self.power_kw, self.cooling_capacity_kw)

    @property
    def liquid_utilisation(self) -> float:
        return _share(self.liquid_kw, self.liquid_capacity_kw)

    @property
    def rack_positions_utilisation(self) -> float:
        return _share(self.rack_positions, self.rack_positions_capacity)

    @property
    def accelerators_utilisation(self) -> float:
        return _share(self.accelerators, self.accelerators_capacity)

    def utilisations(self) -> dict[str, float]:
        """Capacity name -> used / capacity (nan: that capacity does not limit this module)."""
        return {"power": _share(self.power_kw, self.capacity_kw), "cooling": self.cooling_utilisation,
                "liquid cooling": self.liquid_utilisation, "rack positions": self.rack_positions_utilisation,
                "accelerators": self.accelerators_utilisation}

    @property
    def most_used(self) -> str | None:
        """The capacity with the highest utilisation (None when nothing is used)."""
        u = {k: v for k, v in self.utilisations().items() if v == v and v > 0}
        return max(u, key=lambda k: u[k]) if u else None

    def to_json(self) -> dict:
        def num(v):
            return None if not np.isfinite(v) else v

        return {"module_id": self.module_id, "site_id": self.site_id, "name": self.name,
                "workload_ids": list(self.workload_ids), "power_kw": self.power_kw,
                "capacity_kw": self.capacity_kw, "cooling_capacity_kw": num(self.cooling_capacity_kw),
                "liquid_kw": self.liquid_kw, "liquid_capacity_kw": num(self.liquid_capacity_kw),
                "utilisation": num(self.utilisation), "note": self.note,
                "rack_positions": self.rack_positions, "rack_positions_capacity": num(self.rack_positions_capacity),
                "accelerators": self.accelerators, "accelerators_capacity": num(self.accelerators_capacity),
                "cooling_utilisation": num(self.cooling_utilisation),
                "liquid_utilisation": num(self.liquid_utilisation),
                "rack_positions_utilisation": num(self.rack_positions_utilisation),
                "accelerators_utilisation": num(self.accelerators_utilisation), "most_used": self.most_used}


@dataclass(frozen=True)
class SiteTether:
    """A site on the map and its tether to its core site (None fields for a core site)."""

    site_id: str
    name: str
    kind: str
    lat: float
    lon: float
    core_site_id: str | None = None
    route_km: float | None = None
    round_trip_ms: float | None = None
    route_kind: str | None = None
    route_nodes: tuple[str, ...] = ()
    route_links: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"site_id": self.site_id, "name": self.name, "kind": self.kind, "lat": self.lat,
                "lon": self.lon, "core_site_id": self.core_site_id, "route_km": self.route_km,
                "round_trip_ms": self.round_trip_ms, "route_kind": self.route_kind,
                "route_nodes": list(self.route_nodes), "route_links": list(self.route_links)}


@dataclass(frozen=True)
class SourcePoint:
    source_id: str
    name: str
    lat: float
    lon: float
    site_id: str | None
    access_delay_ms: float


@dataclass(frozen=True)
class PlacementResults:
    """The placement payload, stamped with the document revision it came from."""

    revision: int
    status: str
    workloads: Mapping[str, WorkloadPlacement]
    modules: Mapping[str, ModuleLoad]
    sites: Mapping[str, SiteTether]
    sources: Mapping[str, SourcePoint]
    latency: LatencyTable
    total_cost: float
    solve_s: float
    n_pairs: int
    gap: float = float("nan")
    """Proven relative distance of the cost from its lower bound (nan when not proven)."""
    solver_note: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def placed(self) -> list[WorkloadPlacement]:
        return [w for w in self.workloads.values() if w.placed]

    @property
    def unplaced(self) -> list[WorkloadPlacement]:
        return [w for w in self.workloads.values() if not w.placed]

    def candidates(self, workload_id: str) -> list[tuple[str, LatencyBreakdown]]:
        """Every candidate module of a workload with the round trip it would get there."""
        lat = self.latency
        w = lat.workload_ids.index(workload_id)
        return [(mid, lat.breakdown(w, j)) for j, mid in enumerate(lat.column_ids)]


def module_label(inp: PlacementInput, j: int) -> str:
    m, s = inp.modules[j], inp.module_sites[j]
    return f"'{m.name or m.id}' at {s.name or s.id}"


def _wl_label(w) -> str:
    return f"workload '{w.name or w.id}'" + (f" ({w.id})" if w.name and w.name != w.id else "")


def _needs_text(w) -> str:
    """"56 kW", or "56 kW, 2 rack positions, 16 accelerators" when it declares counts."""
    parts = [f"{fmt_num(w.it_power_kw)} kW"]
    for k, v in ((RACKS, w.rack_positions), (ACCELERATORS, w.accelerators)):
        if isinstance(v, int | float) and v > 0:
            parts.append(amount(k, v, fmt_num))
    return ", ".join(parts)


def build_results(project: Project, inp: PlacementInput, sol: AssignmentSolution, reasons: list[Reason],
                  revision: int = 0) -> tuple[PlacementResults, list[Finding]]:
    """Frozen results keyed by id, and the findings (source ``placement``)."""
    pr = inp.problem
    lat = inp.latency
    pins = pr.pins()
    by_w = {r.workload: r for r in reasons}
    findings: list[Finding] = []
    wl: dict[str, WorkloadPlacement] = {}
    for i, w in enumerate(inp.workloads):
        j = int(sol.module_of[i])
        base = dict(workload_id=w.id, name=w.name, budget_ms=w.latency_budget_ms, power_kw=w.it_power_kw,
                    needs_liquid=w.needs_liquid, rack_positions=w.rack_positions, accelerators=w.accelerators,
                    pinned=bool(pins[i] >= 0))
        if j >= 0:
            route = lat.route(i, j)
            b = lat.breakdown(i, j)
            wl[w.id] = WorkloadPlacement(
                **base, module_id=inp.modules[j].id, site_id=inp.module_sites[j].id, latency=b,
                hosting_cost=float(inp.hosting_cost[i, j]), backhaul_cost=float(inp.backhaul_cost[i, j]),
                route_nodes=route.nodes if route else (), route_links=route.links if route else ())
            if pins[i] >= 0 and b.total_ms > w.latency_budget_ms * (1 + 1e-9):
                findings.append(warning(
                    "placement.pinned_latency",
                    f"{_wl_label(w)} is pinned to {module_label(inp, j)}, where its round trip is "
                    f"{fmt_num(b.total_ms)} ms against a {fmt_num(w.latency_budget_ms)} ms budget",
                    "clear the pin to let placement choose, or raise the budget",
                    ids=(w.id, inp.modules[j].id), source=SOURCE))
            continue
        binding = None
        if i in inp.input_errors:
            code, msg, fix = "input", inp.input_errors[i], "correct the value named in the input finding"
        elif i in inp.pin_errors:
            code, msg, fix = "pin", inp.pin_errors[i], "pin it to a module with IT capacity, or clear the pin"
        elif i in by_w:
            r = by_w[i]
            code, msg, fix, binding = r.code, r.message, r.fix, r.capacity
        else:  # pragma: no cover - every unplaced free workload gets a reason
            code, msg, fix = "unknown", "the solver left it unplaced", "report this as a bug"
        wl[w.id] = WorkloadPlacement(**base, reason_code=code, reason=msg, reason_capacity=binding)
        ids = (w.id, *(inp.modules[k].id for k in (by_w[i].modules if i in by_w else ())))
        findings.append(error("placement.unplaced", f"{_wl_label(w)} ({_needs_text(w)}, "
                              f"{fmt_num(w.latency_budget_ms)} ms budget) cannot be placed: {msg}", fix,
                              ids=ids, source=SOURCE))
    for i, w in enumerate(inp.workloads):
        if lat.origin_ids[i] is None:
            findings.append(info("placement.no_source", f"{_wl_label(w)} names no known data source, so only its "
                                 "processing time counts against its budget", "set its data source",
                                 ids=(w.id,), source=SOURCE))
    mods: dict[str, ModuleLoad] = {}
    load = pr.loads(sol.module_of)
    cap = pr.capacity()
    for j, m in enumerate(inp.modules):
        ids = tuple(inp.workloads[i].id for i in np.nonzero(sol.module_of == j)[0])
        ml = ModuleLoad(m.id, inp.module_sites[j].id, m.name, ids, float(load[POWER, j]), float(cap[POWER, j]),
                        float(cap[COOLING, j]), float(load[LIQUID, j]), float(cap[LIQUID, j]),
                        inp.override_notes.get(j, ""), float(load[RACKS, j]), float(cap[RACKS, j]),
                        float(load[ACCELERATORS, j]), float(cap[ACCELERATORS, j]))
        mods[m.id] = ml
        for k in range(len(RESOURCES)):
            used, c = float(load[k, j]), float(cap[k, j])
            if used > c + 1e-6:  # only pins can do this: the solver respects capacity
                what = f"{fmt_num(used)} kW of {RESOURCES[k]} against {fmt_num(c)} kW available" \
                    if k in KW_RESOURCES else \
                    f"{amount(k, used, fmt_num)} against {amount(k, c, fmt_num)} in the module"
                findings.append(warning(
                    "placement.pinned_capacity",
                    f"workloads pinned to {module_label(inp, j)} need {what}", "clear a pin so placement can move "
                    f"the workload, or add {'capacity' if k in KW_RESOURCES else RESOURCES[k]}",
                    ids=(m.id, *ids), source=SOURCE))
    undeclared = [j for j in range(len(inp.modules)) if not np.isfinite(cap[ACCELERATORS, j])]
    needing = [w for i, w in enumerate(inp.workloads) if pr.use()[ACCELERATORS, i] > 0]
    if undeclared and needing:
        names = ", ".join(module_label(inp, j) for j in undeclared[:5]) + (
            f" and {len(undeclared) - 5} more" if len(undeclared) > 5 else "")
        findings.append(info(
            "placement.accelerators_not_given",
            f"{len(needing)} workload{'s' if len(needing) != 1 else ''} need accelerators, but the racks of "
            f"{names} declare none, so accelerators do not limit {'it' if len(undeclared) == 1 else 'them'}",
            "set accelerators on the racks in those modules (catalog rack models carry them)",
            ids=tuple(inp.modules[j].id for j in undeclared), source=SOURCE))
    if sol.status == "near_optimal":
        findings.append(info("placement.near_optimal", f"the assignment of {len(inp.workloads)} workloads costs "
                             f"at most {sol.gap:.2%} more than the proved lower bound; it is not proved optimal",
                             "nothing to do unless the last fraction of a percent of cost matters (a longer solve "
                             "closes the gap)", source=SOURCE))
    if sol.status in ("time_limit", "greedy"):
        gap = "" if not np.isfinite(sol.gap) else f"; it is within {sol.gap:.2%} of the lower bound"
        findings.append(warning("placement.not_optimal", f"the assignment of {len(inp.workloads)} workloads "
                                f"is not proven optimal (solver: {sol.status}{gap}{'; ' if sol.message else ''}"
                                f"{sol.message})",
                                "allow a longer time limit or reduce the candidate modules",
                                source=SOURCE))
    sites: dict[str, SiteTether] = {}
    net = inp.network
    fib = project.settings.fibre_us_per_km
    for s in project.sites:
        t = dict(site_id=s.id, name=s.name, kind=s.kind, lat=s.location.lat, lon=s.location.lon)
        bad_core = inp.checks.bad_core if inp.checks is not None else set()
        if (s.core_site_id is not None and s.core_site_id in net.site_ids and s.core_site_id != s.id
                and s.id not in bad_core):
            r = net.route(s.id, s.core_site_id)
            t.update(core_site_id=s.core_site_id, route_km=r.km, round_trip_ms=r.network_ms(fib),
                     route_kind=r.kind, route_nodes=r.nodes, route_links=r.links)
        sites[s.id] = SiteTether(**t)
    sources = {d.id: SourcePoint(d.id, d.name, d.location.lat, d.location.lon, d.site_id, d.access_delay_ms)
               for d in project.data_sources}
    res = PlacementResults(revision, sol.status, MappingProxyType(wl), MappingProxyType(mods),
                           MappingProxyType(sites), MappingProxyType(sources), lat,
                           float(sum(w.cost for w in wl.values())), sol.elapsed_s, sol.n_pairs,
                           float(sol.gap), sol.message)
    return res, findings
