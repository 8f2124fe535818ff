"""Recommendation: which catalog modules to deploy where, a capacitated facility-location MILP.

Facilities are the existing candidate modules (already paid for: no fixed cost, always open)
and *slots*: copy ``k`` of catalog module type ``t`` at candidate site ``s``. A slot is a
binary ``y``; opening it costs a fixed monthly amount (see :class:`FixedCost`). Workloads are
assigned to facilities as in :mod:`designer.solvers.placement.assign` (latency budget,
liquid cooling, capacity, cost per kW hosted plus backhaul)::

    min   sum fixed[f] y[f] + sum cost[w, f] x[w, f]
    s.t.  sum_f x[w, f] = 1                        every servable workload
          x[w, f] <= y[f]                          a new module serves only when deployed
          sum_w use[w] x[w, f] <= cap[f] y[f]      power, cooling, liquid, rack positions,
                                                   accelerators per facility
          y[s, t, k+1] <= y[s, t, k]               copies open in order (no symmetric twins)
          sum_{f at s} it_kw[f] y[f] <= utility headroom of s    (optional)
          sum_{f at s} envelope_m2[f] y[f] <= free floor of s

Pinned workloads stay put and count against their module. When not every workload can be
served, the most workloads are served first, then cost is minimised (two programs, as in
the assignment). The number of slots per (site, type) is the smallest of: copies the
reachable demand could need, copies that fit in the hall one after the other (the free-spot
scan of :mod:`.space`), copies the utility headroom allows, and ``max_copies``.

Chosen modules are then placed in their hall one after the other with the same scan; the
floor-area row makes a failure rare but does not exclude it (shapes do not always pack),
and a module that finds no spot keeps ``position`` None.

An unserved workload's reason (:attr:`Recommendation.reasons`) names, for a new module that
could take it but is not built, the site limit that stops it beside the modules the answer
builds (utility headroom, floor area, the free-spot scan), and what the best answer that
serves the workload would give up instead (one more MILP for each of the first few).
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint

from designer.model.catalog import ModuleType
from designer.model.project import Project, Site
from designer.solvers.placement.assign import FREE, AssignmentProblem, AssignmentSolution
from designer.solvers.placement.build import LIQUID_COOLING, build_placement, cost_matrices, count_value
from designer.solvers.placement.diagnose import NotBuilt, Reason, diagnose, fmt_num
from designer.solvers.placement.highs import milp
from designer.solvers.placement.latency import LatencyTable, Network, latency_table
from designer.solvers.placement.problem import ACCELERATORS, RACKS
from designer.solvers.placement.results import module_label
from designer.solvers.placement.space import (
    Envelope,
    find_free_spot,
    free_area_m2,
    hall_obstacles,
    place_many,
)


@dataclass(frozen=True)
class FixedCost:
    """Monthly fixed cost of deploying one module: capex amortised straight-line.

    ``(capex_per_kw x it_capacity_kw + capex_per_module) / amortisation_months``. Defaults:
    prefabricated modules with their own power and cooling cost roughly 6,000-12,000 per kW
    of IT capacity (8,000 taken), plus about 100,000 per deployment for site works, delivery
    and commissioning, written off over 10 years without interest. Same currency as
    ``Site.cost_per_kw_month``, which stays the running cost per kW hosted.
    """

    capex_per_kw: float = 8000.0
    capex_per_module: float = 100_000.0
    amortisation_months: float = 120.0

    def monthly(self, it_capacity_kw: float) -> float:
        return (self.capex_per_kw * it_capacity_kw + self.capex_per_module) / self.amortisation_months


@dataclass(frozen=True)
class NewModule:
    """One module the recommendation deploys. ``position`` is (x, y, rotation_deg) in the
    site's hall, or None when the scan found no free spot."""

    site_id: str
    model: str
    it_capacity_kw: float
    fixed_cost_month: float
    workload_ids: tuple[str, ...]
    load_kw: float
    position: tuple[float, float, float] | None
    new_site: bool = False


@dataclass(frozen=True)
class WorkloadChoice:
    """Where the recommendation serves a workload: an existing module or a new one."""

    workload_id: str
    site_id: str
    module_id: str | None
    new_module: int | None
    latency_ms: float
    cost_month: float


@dataclass(frozen=True)
class Unserved:
    """Why a workload stays unserved: ``code`` and ``capacity`` as in
    :class:`~.diagnose.Reason` (for a new module the answer could not add, ``utility`` /
    "utility headroom" or ``floor_space`` / "floor space"), and the full message."""

    code: str
    message: str
    capacity: str | None = None


@dataclass(frozen=True)
class Recommendation:
    status: str
    new_modules: tuple[NewModule, ...]
    choices: Mapping[str, WorkloadChoice]
    unserved: Mapping[str, str]
    """Workload id -> why it cannot be served even with new modules."""
    fixed_cost: float
    assignment_cost: float
    elapsed_s: float
    n_slots: int
    notes: tuple[str, ...] = field(default_factory=tuple)
    reasons: Mapping[str, Unserved] = field(default_factory=dict)
    """Workload id -> the reason of :attr:`unserved` with its code and binding capacity."""

    @property
    def total_cost(self) -> float:
        return self.fixed_cost + self.assignment_cost


@dataclass(frozen=True)
class _Slot:
    site: Site
    mtype: ModuleType
    copy: int
    new_site: bool


def _envelope(t: ModuleType) -> Envelope:
    return Envelope(t.width_m, t.depth_m, t.clearance_front_m, t.clearance_rear_m, t.clearance_side_m)


def type_capacity(t: ModuleType) -> tuple[float, float]:
    """(rack positions, accelerators) of a catalog module type as placement counts them once
    it is placed with its contents (see :func:`~.build.module_capacity`)."""
    racks = t.contents.racks
    positions = max(count_value(t.rack_positions), float(len(racks)))
    acc = [count_value(r.accelerators) for r in racks]
    return positions, (float(sum(acc)) if any(a > 0 for a in acc) else np.inf)


def _slot_counts(sites, new_site_ids, types, free_demand, lat_site, cool_ok_type, fits_type,
                 existing_kw, respect_utility, max_copies, notes, only=None, count_demand=None, type_counts=None):
    """Slots per (site, type): demand, floor space and utility limits (see module doc).
    ``count_demand`` (C, W) and ``type_counts`` (C, T): counts the workloads take and the
    types hold (rack positions, accelerators), so enough copies are offered for them too."""
    out = []
    for si, s in enumerate(sites):
        if only is not None and s.id not in only:
            continue
        obstacles = hall_obstacles(s.hall)
        headroom = s.utility_capacity_kw - existing_kw.get(s.id, 0.0)
        for ti, t in enumerate(types):
            reach = lat_site[:, si] & cool_ok_type[:, ti] & fits_type[:, ti]
            demand = float(free_demand[reach].sum())
            if demand <= 0:
                continue
            copies = math.ceil(demand / t.it_capacity_kw)
            if count_demand is not None:
                for c in range(count_demand.shape[0]):
                    hold = float(type_counts[c, ti])
                    if np.isfinite(hold) and hold > 0:
                        copies = max(copies, math.ceil(float(count_demand[c, reach].sum()) / hold - 1e-9))
            k = min(copies + 1, int(reach.sum()), max_copies)
            if respect_utility:
                k = min(k, int(max(headroom, 0.0) // t.it_capacity_kw))
                if k == 0:
                    notes[si].append(f"{t.model}: utility headroom {fmt_num(headroom)} kW is less than "
                                     f"its {fmt_num(t.it_capacity_kw)} kW")
                    continue
            env = _envelope(t)
            fit = 0
            obs = obstacles
            for _ in range(k):
                spot = find_free_spot(s.hall, env, obs)
                if spot is None:
                    break
                fit += 1
                obs = obs.union(env.polygon(*spot))
            if fit == 0:
                notes[si].append(f"{t.model}: no free spot in the hall for its {fmt_num(t.width_m)} x "
                                 f"{fmt_num(t.depth_m)} m footprint with clearances")
            out += [_Slot(s, t, c, s.id in new_site_ids) for c in range(fit)]
    return out


def recommend(project: Project, module_types: Sequence[ModuleType], extra_sites: Sequence[Site] = (),
              fixed_cost: FixedCost | None = None, use_existing: bool = True, respect_utility: bool = True,
              max_copies: int = 6, overrides: Mapping[str, object] | None = None,
              time_limit_s: float = 60.0, mip_rel_gap: float = 1e-6,
              new_module_sites: Sequence[str] | None = None) -> Recommendation:
    """Choose catalog modules to deploy at candidate sites to serve the workloads at least cost.

    Parameters
    ----------
    project
        The design: its sites are candidates, its workloads the demand, its modules (when
        ``use_existing``) free capacity.
    module_types
        Catalog module types; those with ``it_capacity_kw > 0`` are considered.
    extra_sites
        More candidate sites, not yet in the project (served over the fallback route unless
        the project's links name them).
    fixed_cost
        Monthly fixed cost of a module (default :class:`FixedCost`).
    use_existing
        Count the project's modules as capacity already there (fixed cost 0). False asks
        "what would I deploy if they could not take workloads": they then claim no utility
        capacity, but their floor space stays taken.
    respect_utility
        New modules' IT capacity at a site must fit the utility capacity left after its
        existing modules' ratings.
    max_copies
        Most copies of one type at one site.
    overrides
        Capacity overrides for existing modules (see :class:`~.build.CapacityOverride`).
    time_limit_s, mip_rel_gap
        Per MILP run.
    new_module_sites
        Only these sites may get new modules (None: every candidate site).

    Returns
    -------
    Recommendation
    """
    t0 = time.perf_counter()
    fixed_cost = fixed_cost or FixedCost()
    types = [t for t in module_types if t.it_capacity_kw > 0]
    sites = [*project.sites, *[s for s in extra_sites if s.id not in {x.id for x in project.sites}]]
    new_site_ids = {s.id for s in sites[len(project.sites):]}
    network = Network.from_project(project, sites[len(project.sites):])
    base = build_placement(project, overrides, network)
    if not use_existing:
        base = _without_existing(base)
    pr0 = base.problem
    workloads = base.workloads
    n_w = len(workloads)
    p = pr0.power_kw
    liq = pr0.needs_liquid
    free_w = pr0.pins() == FREE
    notes: list[str] = []
    site_notes: list[list[str]] = [[] for _ in sites]  # why a type cannot go to a site
    # latency to every candidate site (routes are per source and site)
    site_lat = latency_table(network, workloads, project.data_sources, [(s.id, s.id) for s in sites])
    lat_ok_site = site_lat.total_ms <= pr0.budget_ms[:, None] * (1 + 1e-9) + 1e-9
    t_cap = np.array([t.it_capacity_kw for t in types], dtype=float)
    t_cool = np.array([t.cooling_capacity_kw if t.cooling_capacity_kw > 0 else np.inf for t in types])
    t_liq_ok = np.array([t.cooling in LIQUID_COOLING for t in types], dtype=bool)
    cool_ok_type = ~liq[:, None] | t_liq_ok[None, :]
    t_counts = np.array([type_capacity(t) for t in types], dtype=float).reshape(-1, 2).T  # (2, T)
    w_counts = pr0.use()[[RACKS, ACCELERATORS]]  # (2, W)
    fits_type = (p[:, None] <= np.minimum(t_cap, t_cool)[None, :] + 1e-9)
    for c in range(2):
        fits_type &= w_counts[c][:, None] <= t_counts[c][None, :] + 1e-9
    # utility left for new modules: what the existing modules' ratings do not claim (when
    # they are not used, as with use_existing=False, they claim nothing)
    existing_kw: dict[str, float] = {}
    if use_existing:
        for s in project.sites:
            existing_kw[s.id] = sum(m.it_capacity_kw for m in s.hall.modules)
    slots = _slot_counts(sites, new_site_ids, types, np.where(free_w, p, 0.0), lat_ok_site,
                         cool_ok_type, fits_type, existing_kw, respect_utility, max_copies, site_notes,
                         None if new_module_sites is None else set(new_module_sites),
                         np.where(free_w[None, :], w_counts, 0.0), t_counts)
    # the facility problem: existing modules, then slots
    n_e = len(base.modules)
    s_ix = {s.id: i for i, s in enumerate(sites)}
    t_ix = {t.model: i for i, t in enumerate(types)}
    sl_site = np.array([s_ix[sl.site.id] for sl in slots], dtype=np.intp)
    sl_type = np.array([t_ix[sl.mtype.model] for sl in slots], dtype=np.intp)
    slot_lat = site_lat.total_ms[:, sl_site] if slots else np.zeros((n_w, 0))
    slot_km = site_lat.route_km[:, sl_site] if slots else np.zeros((n_w, 0))
    price = np.array([sl.site.cost_per_kw_month for sl in slots], dtype=float)
    h_cost, b_cost = cost_matrices(workloads, price, slot_km, project.settings.backhaul_cost_per_gbps_km)
    pins = pr0.pins()
    problem = AssignmentProblem(
        latency_ms=np.hstack([pr0.latency_ms, slot_lat]), budget_ms=pr0.budget_ms, power_kw=p,
        needs_liquid=liq, cost=np.hstack([pr0.cost, h_cost + b_cost]),
        cap_power_kw=np.concatenate([pr0.cap_power_kw, t_cap[sl_type]]),
        cap_cooling_kw=np.concatenate([pr0.cap_cooling_kw, t_cool[sl_type]]),
        cap_liquid_kw=np.concatenate([pr0.cap_liquid_kw, np.where(t_liq_ok, t_cool, 0.0)[sl_type]]),
        liquid_ok=np.concatenate([pr0.liquid_ok, t_liq_ok[sl_type]]), pinned=pins,
        rack_positions=w_counts[0], accelerators=w_counts[1],
        cap_rack_positions=np.concatenate([pr0.capacity()[RACKS], t_counts[0][sl_type]]),
        cap_accelerators=np.concatenate([pr0.capacity()[ACCELERATORS], t_counts[1][sl_type]]))
    fixed = np.concatenate([np.zeros(n_e), [fixed_cost.monthly(sl.mtype.it_capacity_kw) for sl in slots]])
    site_rows = _site_rows(sites, slots, sl_site, n_e, existing_kw, respect_utility)
    # solve, place the chosen modules; if some find no floor spot, forbid that combination
    cuts: list = []
    for _attempt in range(4):
        module_of, opened, status, runs = _solve_facility(problem, fixed, n_e, slots, site_rows + cuts,
                                                          time_limit_s, mip_rel_gap)
        chosen = [j for j in range(len(slots)) if opened[j]]
        position, failed = _place_chosen(slots, chosen)
        if not failed:
            break
        for js in failed:
            cuts.append((np.array(js), np.ones(len(js)), len(js) - 1.0))
    for j in chosen:
        if position[j] is None:
            notes.append(f"no free spot left for the new {slots[j].mtype.model} at "
                         f"{slots[j].site.name or slots[j].site.id}: not placed")
    # results
    labels = [module_label(base, j) for j in range(n_e)]
    labels += [f"a new {sl.mtype.model} ({fmt_num(sl.mtype.it_capacity_kw)} kW) at {sl.site.name or sl.site.id}"
               for sl in slots]
    sol = AssignmentSolution(module_of, status, 0.0, 0, 0, runs, 0.0)
    built = np.concatenate([np.ones(n_e, dtype=bool), opened])
    wl_ids = [w.id for w in workloads]
    not_built = _why_not_built(slots, chosen, module_of, n_e, wl_ids, existing_kw, respect_utility)
    reasons: list[Reason] = diagnose(problem, sol, labels, _joined_latency(base.latency, site_lat, sl_site),
                                     built, {n_e + j: nb for j, nb in not_built.items()})
    unserved = {}
    why: dict[str, Unserved] = {}
    asked = 0
    for r in reasons:
        msg = r.message
        if r.code in _NOT_BUILT_CODES and asked < _MAX_WHAT_IF:
            asked += 1
            msg += _if_served(problem, fixed, n_e, slots, site_rows + cuts, time_limit_s, mip_rel_gap, r.workload,
                              module_of, opened, wl_ids)
        near = [f"{sites[si].name or sites[si].id} ({'; '.join(site_notes[si])})"
                for si in np.nonzero(lat_ok_site[r.workload])[0] if site_notes[si]]
        extra = f". Within the budget but nothing can be added: {', '.join(near)}" if near else ""
        unserved[workloads[r.workload].id] = msg + extra
        why[workloads[r.workload].id] = Unserved(r.code, msg + extra, r.capacity)
    notes += [f"{sites[si].name or sites[si].id}: {n}" for si in range(len(sites)) for n in site_notes[si]]
    for i, msg in base.pin_errors.items():
        unserved[workloads[i].id] = msg
        why[workloads[i].id] = Unserved("pin", msg)
    new_index = {j: k for k, j in enumerate(chosen)}
    new_modules = []
    for j in chosen:
        col = n_e + j
        ws = np.nonzero(module_of == col)[0]
        new_modules.append(NewModule(slots[j].site.id, slots[j].mtype.model, slots[j].mtype.it_capacity_kw,
                                     float(fixed[col]), tuple(workloads[i].id for i in ws),
                                     float(p[ws].sum()), position[j], slots[j].new_site))
    choices = {}
    for i, w in enumerate(workloads):
        f = int(module_of[i])
        if f < 0:
            continue
        if f < n_e:
            choices[w.id] = WorkloadChoice(w.id, base.module_sites[f].id, base.modules[f].id, None,
                                           float(problem.latency_ms[i, f]), float(problem.cost[i, f]))
        else:
            choices[w.id] = WorkloadChoice(w.id, slots[f - n_e].site.id, None, new_index[f - n_e],
                                           float(problem.latency_ms[i, f]), float(problem.cost[i, f]))
    assign_cost = float(sum(c.cost_month for c in choices.values()))
    return Recommendation(status, tuple(new_modules), choices, unserved,
                          float(sum(m.fixed_cost_month for m in new_modules)), assign_cost,
                          time.perf_counter() - t0, len(slots), tuple(notes), why)


_NOT_BUILT_CODES = ("utility", "floor_space", "not_built")
_MAX_WHAT_IF = 5
"""Most unserved workloads per recommendation for which "what if it were served" is solved."""


def _and(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _new_ones(slots: list[_Slot], js: Sequence[int], module_of: np.ndarray, n_e: int, wl_ids: Sequence[str],
              kw: bool = False) -> str:
    """"the new ENT-400H, which serves wl-a and wl-b" for the chosen slots ``js``."""
    names = [f"{slots[j].mtype.model}{f' ({fmt_num(slots[j].mtype.it_capacity_kw)} kW)' if kw else ''}"
             for j in js]
    served = [wl_ids[i] for j in js for i in np.nonzero(module_of == n_e + j)[0]]
    verb = "serves" if len(js) == 1 else "serve"
    return f"the new {_and(names)}" + (f", which {verb} {_and(served)}" if served else "")


def _why_not_built(slots: list[_Slot], chosen: list[int], module_of: np.ndarray, n_e: int,
                   wl_ids: Sequence[str], existing_kw: Mapping[str, float], respect_utility: bool,
                   ) -> dict[int, NotBuilt]:
    """Why the first copy not built of each (site, type) cannot be added beside the chosen slots:
    the site's utility headroom, its free floor area or the free-spot scan (the same limits the
    MILP has, checked again here on the answer)."""
    out: dict[int, NotBuilt] = {}
    chosen_set = set(chosen)
    seen: set[tuple[str, str]] = set()
    for j, sl in enumerate(slots):
        key = (sl.site.id, sl.mtype.model)
        if j in chosen_set or key in seen:
            continue
        seen.add(key)
        here = [c for c in chosen if slots[c].site.id == sl.site.id]
        site = sl.site.name or sl.site.id
        t = sl.mtype
        if respect_utility:
            headroom = max(sl.site.utility_capacity_kw - existing_kw.get(sl.site.id, 0.0), 0.0)
            used = sum(slots[c].mtype.it_capacity_kw for c in here)
            if used + t.it_capacity_kw > headroom + 1e-9:
                out[j] = NotBuilt(
                    "utility", f"cannot be added: it needs {fmt_num(t.it_capacity_kw)} kW of the site's utility "
                    f"headroom of {fmt_num(headroom)} kW, and {_new_ones(slots, here, module_of, n_e, wl_ids, True)} "
                    f"take {fmt_num(used)} kW of it, leaving {fmt_num(headroom - used)} kW",
                    "utility headroom", f"raise the utility capacity of {site}, or raise the budget so that a site "
                    "with headroom is within it")
                continue
        env = _envelope(t)
        x0, y0, x1, y1 = env.local_box()
        size = f"{fmt_num(x1 - x0)} x {fmt_num(y1 - y0)} m"
        fix = (f"make room in the hall of {site} (move or remove items), or raise the budget so that a site with "
               "room is within it")
        floor = free_area_m2(sl.site.hall)
        taken = sum(_envelope(slots[c].mtype).area_m2 for c in here)
        if taken + env.area_m2 > floor + 1e-9:
            out[j] = NotBuilt(
                "floor_space", f"cannot be added: its {size} envelope with service clearances needs "
                f"{fmt_num(env.area_m2)} m2 and the hall has {fmt_num(floor)} m2 free, of which "
                f"{_new_ones(slots, here, module_of, n_e, wl_ids)} take {fmt_num(taken)} m2", "floor space", fix)
            continue
        if _place_chosen(slots, [*here, j])[1]:
            block = list(here)  # the fewest chosen modules beside which it finds no spot
            for c in list(block):
                if _place_chosen(slots, [b for b in block if b != c] + [j])[1]:
                    block.remove(c)
            beside = f" beside {_new_ones(slots, block, module_of, n_e, wl_ids)}" if block else ""
            out[j] = NotBuilt("floor_space", f"cannot be added: the hall has no free spot for its {size} envelope "
                              f"with service clearances{beside}", "floor space", fix)
            continue
        out[j] = NotBuilt("not_built", "could take it alone and fits the site's utility and floor, but is not "
                          "built in this answer")
    return out


def _if_served(problem: AssignmentProblem, fixed: np.ndarray, n_e: int, slots: list[_Slot], rows,
               time_limit_s: float, gap: float, w: int, module_of: np.ndarray, opened: np.ndarray,
               wl_ids: Sequence[str]) -> str:
    """What the best answer that serves workload ``w`` gives up, as a sentence to append."""
    cuts: list = []
    for _attempt in range(4):
        mo, op, status, _runs = _solve_facility(problem, fixed, n_e, slots, rows + cuts, time_limit_s, gap, serve=w)
        if status in ("infeasible", "failed", "empty"):
            return ". No answer within the site limits serves it"
        failed = _place_chosen(slots, list(np.nonzero(op)[0]))[1]
        if not failed:
            break
        cuts += [(np.array(js), np.ones(len(js)), len(js) - 1.0) for js in failed]
    else:
        return ""
    free = problem.pins() == -1

    def cost(m, o):
        on = m >= 0
        return float(problem.cost[np.nonzero(on)[0], m[on]].sum() + fixed[n_e:][o].sum())

    n_now, n_then = int(np.count_nonzero(free & (module_of >= 0))), int(np.count_nonzero(free & (mo >= 0)))
    out = [wl_ids[i] for i in np.nonzero(free & (module_of >= 0) & (mo < 0))[0]]
    best = "the best answer found" if status == "time_limit" else "the best answer"
    if n_then < n_now:
        return (f". Serving it, {best} serves {n_then} of the free workloads against {n_now} "
                f"(it leaves out {_and(out)})")
    if n_then == n_now:
        more = cost(mo, op) - cost(module_of, opened)
        return (f". Serving it, {best} serves as many workloads (it leaves out {_and(out)} instead) but costs "
                f"{more:,.0f} more per month" if out else
                f". Serving it costs {more:,.0f} more per month")
    return (f". An answer serving it serves {n_then} workloads against {n_now}: the solver stopped at its "
            "time limit")


def _place_chosen(slots: list[_Slot], chosen: list[int]):
    """Positions of the chosen slots, site by site, largest first; and the sites' slot sets
    that did not all fit."""
    by_site: dict[str, list[int]] = {}
    for j in chosen:
        by_site.setdefault(slots[j].site.id, []).append(j)
    position: dict[int, tuple[float, float, float] | None] = {}
    failed = []
    for js in by_site.values():
        js.sort(key=lambda j: -slots[j].mtype.width_m * slots[j].mtype.depth_m)
        spots = place_many(slots[js[0]].site.hall, [_envelope(slots[j].mtype) for j in js])
        position.update(zip(js, spots, strict=True))
        if any(sp_ is None for sp_ in spots):
            failed.append(js)
    return position, failed


def _without_existing(base):
    """The same build with every existing module's capacity set to 0 (pins stay, unmet)."""
    pr = base.problem
    z = np.zeros(pr.shape[1])
    problem = dataclasses.replace(pr, cap_power_kw=z, cap_cooling_kw=z.copy(), cap_liquid_kw=z.copy(),
                                  liquid_ok=np.zeros_like(pr.liquid_ok), cap_rack_positions=z.copy(),
                                  cap_accelerators=z.copy())
    return type(base)(problem, base.latency, base.hosting_cost, base.backhaul_cost, base.workloads,
                      base.modules, base.module_sites, base.network, base.pin_errors, base.override_notes)


def _joined_latency(mod_lat: LatencyTable, site_lat: LatencyTable, sl_site: np.ndarray) -> LatencyTable:
    """One table over existing modules then slots, for the diagnosis messages."""
    def cat(a, b):
        return np.hstack([a, b[:, sl_site]])

    return LatencyTable(mod_lat.workload_ids, mod_lat.column_ids + tuple(f"slot{k}" for k in range(sl_site.size)),
                        mod_lat.column_site_ids + tuple(site_lat.column_site_ids[k] for k in sl_site),
                        mod_lat.origin_ids, cat(mod_lat.fibre_ms, site_lat.fibre_ms),
                        cat(mod_lat.hops_ms, site_lat.hops_ms), cat(mod_lat.access_ms, site_lat.access_ms),
                        mod_lat.processing_ms, cat(mod_lat.route_km, site_lat.route_km),
                        cat(mod_lat.route_kind, site_lat.route_kind), {**mod_lat.routes, **site_lat.routes})


def _site_rows(sites, slots, sl_site, n_e, existing_kw, respect_utility):
    """(columns among slots, weights, upper bound) per site: utility headroom and floor area."""
    rows = []
    for si, s in enumerate(sites):
        js = np.nonzero(sl_site == si)[0]
        if js.size == 0:
            continue
        if respect_utility:
            rows.append((js, np.array([slots[j].mtype.it_capacity_kw for j in js]),
                         max(s.utility_capacity_kw - existing_kw.get(s.id, 0.0), 0.0)))
        rows.append((js, np.array([_envelope(slots[j].mtype).area_m2 for j in js]), free_area_m2(s.hall)))
    return rows


@dataclass
class _Program:
    """The facility MILP's rows: assignment pairs (k_w, k_f), then one y per slot."""

    k_w: np.ndarray
    k_f: np.ndarray
    n_slots: int
    placeable: np.ndarray
    a: sp.csr_matrix
    lb: np.ndarray
    ub: np.ndarray
    cost: np.ndarray

    @property
    def nv(self) -> int:
        return self.k_w.size + self.n_slots


def _program(problem: AssignmentProblem, fixed: np.ndarray, n_e: int, slots: list[_Slot], site_rows,
             ) -> _Program | None:
    """The constraint rows of the facility MILP (see the module docstring); None: no pair."""
    n_w, n_f = problem.shape
    n_s = len(slots)
    cand = problem.candidates()
    k_w, k_f = np.nonzero(cand)
    n = k_w.size
    if n == 0:
        return None
    nv = n + n_s  # x pairs, then y slots
    placeable = np.unique(k_w)
    row_w = np.full(n_w, -1, dtype=np.intp)
    row_w[placeable] = np.arange(placeable.size)
    blocks, lbs, ubs = [], [], []

    def add(a, lb, ub):
        blocks.append(sp.csr_matrix(a, shape=(a.shape[0], nv)))
        lbs.append(np.broadcast_to(lb, a.shape[0]).astype(float))
        ubs.append(np.broadcast_to(ub, a.shape[0]).astype(float))

    add(sp.coo_matrix((np.ones(n), (row_w[k_w], np.arange(n))), shape=(placeable.size, nv)), 1.0, 1.0)
    free = problem.free_capacity()
    use = problem.use()
    for cap_free, wt in zip(free, use[:, k_w], strict=True):
        if not wt.any():
            continue
        ex = k_f < n_e
        demand = np.bincount(k_f[ex], weights=wt[ex], minlength=n_e)
        bind = np.nonzero(demand > cap_free[:n_e] + 1e-9)[0]
        if bind.size:
            r = np.full(n_e, -1, dtype=np.intp)
            r[bind] = np.arange(bind.size)
            sel = ex & (wt > 0)
            sel[sel] = r[k_f[sel]] >= 0
            add(sp.coo_matrix((wt[sel], (r[k_f[sel]], np.nonzero(sel)[0])), shape=(bind.size, nv)),
                -np.inf, cap_free[bind])
        if n_s:
            cap_s = cap_free[n_e:]
            fin = np.isfinite(cap_s)  # an unrated capacity is no row at all
            new = (k_f >= n_e) & (wt > 0)
            new[new] = fin[k_f[new] - n_e]
            js = np.nonzero(fin)[0]
            rows_i = np.concatenate([k_f[new] - n_e, js])
            cols_i = np.concatenate([np.nonzero(new)[0], n + js])
            vals = np.concatenate([wt[new], -cap_s[js]])
            add(sp.coo_matrix((vals, (rows_i, cols_i)), shape=(n_s, nv)), -np.inf, 0.0)
    if n_s:
        new_pairs = np.nonzero(k_f >= n_e)[0]
        m = new_pairs.size
        if m:
            a = sp.coo_matrix((np.concatenate([np.ones(m), -np.ones(m)]),
                               (np.tile(np.arange(m), 2), np.concatenate([new_pairs, n + k_f[new_pairs] - n_e]))),
                              shape=(m, nv))
            add(a, -np.inf, 0.0)
        sym = [(j, j - 1) for j in range(1, n_s)
               if slots[j].site.id == slots[j - 1].site.id and slots[j].mtype.model == slots[j - 1].mtype.model]
        if sym:
            r = np.arange(len(sym))
            a = sp.coo_matrix((np.concatenate([np.ones(len(sym)), -np.ones(len(sym))]),
                               (np.tile(r, 2), n + np.array([a for a, _ in sym] + [b for _, b in sym]))),
                              shape=(len(sym), nv))
            add(a, -np.inf, 0.0)
        for js, wt, ub in site_rows:
            a = sp.coo_matrix((wt, (np.zeros(js.size, dtype=np.intp), n + js)), shape=(1, nv))
            add(a, -np.inf, ub)
    return _Program(k_w, k_f, n_s, placeable, sp.vstack(blocks, format="csr"), np.concatenate(lbs),
                    np.concatenate(ubs), np.concatenate([problem.cost[k_w, k_f], fixed[n_e:]]))


def _solve_facility(problem: AssignmentProblem, fixed: np.ndarray, n_e: int, slots: list[_Slot],
                    site_rows, time_limit_s: float, gap: float, serve: int | None = None):
    """Arrays -> (module_of, opened slots, status, MILP runs). See the module docstring.

    ``serve``: a workload that must be served (for "what if it were served"); status
    ``infeasible`` when it cannot be."""
    n_w = problem.shape[0]
    pins = problem.pins()
    module_of = np.where(pins >= 0, pins, -1).astype(np.intp)
    n_s = len(slots)
    opened = np.zeros(n_s, dtype=bool)
    prog = _program(problem, fixed, n_e, slots, site_rows)
    if prog is None:
        return module_of, opened, "empty", 0
    k_w, k_f, placeable, a_all, cost = prog.k_w, prog.k_f, prog.placeable, prog.a, prog.cost
    lb, ub = prog.lb.copy(), prog.ub.copy()
    n, nv = k_w.size, prog.nv
    row_w = np.full(n_w, -1, dtype=np.intp)
    row_w[placeable] = np.arange(placeable.size)
    if serve is not None and row_w[serve] < 0:
        return module_of, opened, "infeasible", 0
    opts = {"time_limit": time_limit_s, "mip_rel_gap": gap}

    def run(c, a, lo, hi, g):
        return milp(c, integrality=np.ones(nv), bounds=Bounds(0, 1), constraints=LinearConstraint(a, lo, hi),
                    options={**opts, "mip_rel_gap": g})

    def apply(x):
        ch = np.nonzero(x[:n] > 0.5)[0]
        module_of[k_w[ch]] = k_f[ch]
        opened[:] = x[n:] > 0.5
        # a slot opened but serving nobody is never optimal; guard against round-off anyway
        for j in np.nonzero(opened)[0]:
            if not np.any(module_of == n_e + j):
                opened[j] = False

    res = run(cost, a_all, lb, ub, gap)
    if res.x is not None and res.status in (0, 1):
        apply(res.x)
        return module_of, opened, "optimal" if res.status == 0 else "time_limit", 1
    lb[: placeable.size] = 0.0
    if serve is not None:
        lb[row_w[serve]] = 1.0
    res = run(np.concatenate([-np.ones(n), np.zeros(n_s)]), a_all, lb, ub, 0.0)
    if res.x is None:
        return module_of, opened, "infeasible" if serve is not None and res.status == 2 else "failed", 2
    n_best = int(round(-res.fun))
    row = sp.csr_matrix((np.ones(n), (np.zeros(n, dtype=np.intp), np.arange(n))), shape=(1, nv))
    res2 = run(cost, sp.vstack([a_all, row], format="csr"), np.append(lb, n_best), np.append(ub, n_best), gap)
    best = res2 if res2.x is not None else res
    apply(best.x)
    return module_of, opened, "partial" if best is res2 and res2.status == 0 else "time_limit", 3
