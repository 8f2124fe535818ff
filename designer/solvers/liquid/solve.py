"""Solve every site's liquid loops: build, operate (normal and pump failure), results, findings.

Pump failure
------------
Normal operation runs ``count - redundant`` pumps per CDU. The failure scenario runs one
fewer at a CDU, at the same speed (the state between a duty pump tripping and a standby
starting, or a set with one pump out for service and its N+1 margin used up). Where that
leaves no pump running the loop stops until a standby takes over, which is reported as
such. Loops with several CDUs are checked one CDU at a time: scenario ``j`` takes a pump
from the ``j``-th CDU of every loop (loops are independent, so one solve covers all loops).

Caching
-------
``cache`` (one dict per site, kept by the caller between runs) holds the sparse structure
of the last network and its flows and temperatures. When an edit leaves the network's
nodes and links unchanged (moving a rack changes pipe lengths, not the graph) the
structure is reused and Newton starts from the last flows, so a refresh takes one to
three iterations instead of seven or eight.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from designer.model.findings import Finding
from designer.model.project import Project, Settings, Site
from designer.solvers.liquid import checks
from designer.solvers.liquid.build import ROLE_PUMP, ROLE_RACK, LiquidSystem, build_system, facility_water_of
from designer.solvers.liquid.elements import SolverOptions
from designer.solvers.liquid.inputs import check_settings, check_site
from designer.solvers.liquid.operate import OperatingState, operate
from designer.solvers.liquid.primary import primary_findings, primary_pipe_results
from designer.solvers.liquid.results import (
    LPM,
    Convergence,
    FailureView,
    LiquidResults,
    cdu_results,
    convergence,
    loop_results,
    node_results,
    options_json,
    pipe_results,
    rack_results,
)


@dataclass
class SiteOutcome:
    """Arrays and results of one site (kept for the auto-balance and for tests)."""

    system: LiquidSystem
    normal: OperatingState
    failures: list[tuple[np.ndarray, OperatingState]] = field(default_factory=list)
    """(links of the pumps that lost one, state) per scenario."""
    failure_view: FailureView | None = None
    findings: list[Finding] = field(default_factory=list)


def _warm(cache: dict | None, name: str, system: LiquidSystem) -> OperatingState | None:
    """The last state of this name, if the network is still the same."""
    ent = None if cache is None else cache.get(name)
    if ent is None or ent[0] != system.structure_key():
        return None
    return ent[1]


def _store(cache: dict | None, name: str, system: LiquidSystem, st: OperatingState) -> None:
    if cache is not None:
        cache[name] = (system.structure_key(), st)


def _topology(cache: dict | None, system: LiquidSystem):
    from designer.solvers.liquid.ggasolver import Topology

    if cache is not None and cache.get("topo_key") == system.structure_key():
        return cache["topo"]
    # build once here so both scenarios share it; fixed nodes are the loops' tanks
    net = system.network(np.ones(system.n_links), np.full(system.n_links, 1e-6), 9.8, np.ones(system.n_links))
    topo = Topology(net)
    if cache is not None:
        cache["topo"], cache["topo_key"] = topo, system.structure_key()
    return topo


def solve_site(site: Site, settings: Settings, opts: SolverOptions | None = None, cache: dict | None = None,
               failure: bool = True) -> SiteOutcome:
    """Build and solve one site's loops (normal operation and, if asked, pump failure)."""
    opts = opts or SolverOptions()
    system = build_system(site, cache)
    topo = _topology(cache, system) if system.n_links else None
    st = operate(system, opts, topo, warm=_warm(cache, "normal", system))
    _store(cache, "normal", system, st)
    out = SiteOutcome(system, st)
    if failure and system.cdus:
        fail_flow = np.where(system.role == ROLE_RACK, np.inf, 0.0)
        fail_run = st.running.copy()
        fail_head = np.zeros(system.n_links)
        n_scen = max(len(lp.cdu_ids) for lp in system.loops)
        pumps = np.flatnonzero(system.role == ROLE_PUMP)
        for j in range(n_scen):
            run = st.running.copy()
            hit_pumps, hit_loops = [], []
            for lp in system.loops:
                if j < len(lp.cdu_ids):
                    k = system.cdus[lp.cdu_ids[j]].pump_link
                    run[k] = max(run[k] - 1, 0)
                    hit_pumps.append(k)
                    hit_loops.append(lp.index)
            hp = np.array(hit_pumps, dtype=np.int64)
            in_hit = np.isin(system.link_loop, hit_loops) & (system.role == ROLE_RACK)
            loop_running = np.bincount(system.link_loop[pumps], run[pumps], len(system.loops))
            if not (loop_running[hit_loops] > 0).any():
                # every loop hit is left without a running pump: nothing flows there, no solve needed
                fail_flow[in_hit] = 0.0
                fail_flow[hp] = 0.0
                fail_run[hp] = run[hp]
                continue
            fs = operate(system, opts, topo, running=run, warm=_warm(cache, f"failure{j}", system) or st)
            _store(cache, f"failure{j}", system, fs)
            out.failures.append((hp, fs))
            fail_flow[in_hit] = np.minimum(fail_flow[in_hit], fs.hyd.flow[in_hit])
            fail_flow[hp] = fs.hyd.flow[hp]
            fail_run[hp] = run[hp]
            gain = -fs.hyd.headloss[hp] * fs.rho_link[hp] * opts.g / 1000.0
            fail_head[hp] = np.where((run[hp] > 0) & ~fs.hyd.closed[hp], gain, 0.0)
        fail_flow[np.isinf(fail_flow)] = st.hyd.flow[np.isinf(fail_flow)]
        out.failure_view = FailureView(fail_flow, fail_run, fail_head)
    return out


def _resizer(site: Site, settings: Settings, opts: SolverOptions, cache: dict | None):
    """``resize(pipe_id, diameter_m)`` -> the pipe's velocity (m/s) with that bore, the site
    solved again (normal operation; the graph and warm start are reused, the cache is not
    changed). Checks a suggested size before a finding names it."""
    def resize(pipe_id: str, diameter_m: float) -> float | None:
        hall = site.hall
        pipes = [p.model_copy(update={"diameter_m": diameter_m}) if p.id == pipe_id else p for p in hall.pipes]
        other = site.model_copy(update={"hall": hall.model_copy(update={"pipes": pipes})})
        oc = solve_site(other, settings, opts, dict(cache) if cache is not None else None, failure=False)
        k = oc.system.pipes.get(pipe_id)
        if k is None or not oc.normal.converged:
            return None
        return abs(float(oc.normal.hyd.flow[k])) / (np.pi * diameter_m ** 2 / 4.0)

    return resize


@contextmanager
def _no_gc():
    """Pause the cyclic garbage collector while solving.

    A solve allocates tens of thousands of small objects (tuples, records); each time the
    collector's counters trip it walks the whole document, which on a 1,000-rack hall
    cost more than the solve itself. Nothing here creates reference cycles, so pausing
    it loses nothing; it is switched back on (if it was on) at the end.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def solve_project(project: Project, cache: dict | None = None, opts: SolverOptions | None = None,
                  failure: bool = True) -> tuple[LiquidResults, list[Finding], list[SiteOutcome]]:
    """Solve the liquid loops of every site.

    Returns the read-only results keyed by item id, the findings, and the per-site arrays.
    """
    with _no_gc():
        return _solve_project(project, cache, opts, failure)


def _solve_project(project: Project, cache: dict | None, opts: SolverOptions | None,
                   failure: bool) -> tuple[LiquidResults, list[Finding], list[SiteOutcome]]:
    opts = opts or SolverOptions()
    racks: dict = {}
    pipes: dict = {}
    cdus: dict = {}
    nodes: dict = {}
    loops: list = []
    conv: dict[str, Convergence] = {}
    fconv: dict[str, Convergence] = {}
    unconnected: dict[str, str] = {}
    findings: list[Finding] = []
    outcomes: list[SiteOutcome] = []
    sites_cache = None if cache is None else cache.setdefault("sites", {})
    findings += check_settings(project.settings)
    for si, site in enumerate(project.sites):
        findings += check_site(site, si)
        findings += facility_water_of(site)
        sc = None if sites_cache is None else sites_cache.setdefault(site.id, {})
        oc = solve_site(site, project.settings, opts, sc, failure)
        outcomes.append(oc)
        system, st = oc.system, oc.normal
        off = len(loops)
        r_site: dict = {}
        p_site: dict = {}
        c_site: dict = {}
        if system.n_links:
            rack_results(system, st, oc.failure_view, opts.g, r_site, off)
            pipe_results(system, st, opts.g, p_site, off)
            cdu_results(system, st, oc.failure_view, opts.g, c_site, off)
            node_results(system, st, opts.g, nodes, off)
            loop_results(system, st, loops, off)
            conv[site.id] = convergence(st)
            if oc.failures:
                worst = max(oc.failures, key=lambda x: (not x[1].converged, x[1].hyd.head_residual_m))[1]
                fconv[site.id] = convergence(worst)
        for rid, rd in system.racks.items():
            if rd.link < 0 and rd.heat_w > 0:
                unconnected[rid] = rd.why_not
        f = checks.structural(system, site.hall.cdus)
        if system.n_links:
            f += checks.operating(system, st, r_site, p_site, c_site, project.settings, site.name or site.id,
                                  opts.g, _resizer(site, project.settings, opts, sc))
            n_site = {k: v for k, v in nodes.items() if v.loop >= off}
            f += checks.temperatures(system, r_site, c_site, n_site, site.name or site.id)
            if oc.failure_view is not None:
                f += checks.pump_failure(system, r_site, c_site)
        prim: dict = {}
        primary_pipe_results(site.hall, c_site, prim)
        f += primary_findings(prim, project.settings.velocity_limit_mps)
        p_site.update(prim)
        oc.findings = f
        findings += f
        racks.update(r_site)
        pipes.update(p_site)
        cdus.update(c_site)
    res = LiquidResults(MappingProxyType(racks), MappingProxyType(pipes), MappingProxyType(cdus),
                        MappingProxyType(nodes), tuple(loops), MappingProxyType(conv), MappingProxyType(fconv),
                        MappingProxyType(unconnected), options_json(opts))
    return res, findings, outcomes


__all__ = ["LPM", "SiteOutcome", "solve_project", "solve_site"]
