"""Runs build -> airflow -> temperature for one hall, reusing work from the previous run.

What changes when, and what is reused (the cache is one :class:`HallCache` per hall and
cell size):

==============================  ==========================================================
edit                            what is rebuilt / what is reused
==============================  ==========================================================
rack power, set points,         nothing geometric changes: the mesh, the face masks, the
capacities, unit airflow        wall distances and the pressure-correction multigrid
                                hierarchy are reused; the flow restarts from the previous
                                steady field (velocities, pressure, temperatures), so only
                                the change has to settle.
moving / adding a rack or a     the mesh is kept while no new height appears (layer
unit, containment, tiles        boundaries follow rack and unit tops); the face masks and
                                wall distances are rebuilt (milliseconds); the pressure
                                system keeps its size (solid cells are identity rows), so
                                the old multigrid hierarchy preconditions CG on the new
                                operator and is rebuilt only when CG needs more than
                                ``rebuild_cg`` iterations; the flow restarts from the
                                previous field.
a new height, outline, cell     everything is built afresh; the previous field cannot be
size                            mapped and the flow starts from rest.
the very same hall again        (undo back to an earlier state, a reopened file, a second
                                window) the kept solution is handed out again
                                (:data:`MEMO_SIZE` of them, keyed by the hall's JSON).
==============================  ==========================================================

The final temperature solve is exact on the converged flow (a sparse direct solve of the
cells plus one unknown per rack exhaust and unit supply), so the heat balance closes to
round-off whatever the path taken to the flow.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from designer.model.hall import Hall
from designer.solvers import memory
from designer.solvers.air.blas import single_thread_blas
from designer.solvers.air.build import RHO_AIR, Layout, build, build_mesh
from designer.solvers.air.energy import EnergySolution, solve_energy
from designer.solvers.air.flow import Convergence, FlowParams, FlowSolver, FlowState, Geometry, geometry
from designer.solvers.air.mesh import Mesh


@dataclass(frozen=True)
class AirParams:
    """Numerical parameters of the air model (no physical constant is tuned per case)."""

    cell_m: float = 0.25
    """Plan cell size and largest layer thickness, m (``settings.air_cell_m``)."""
    dt: float = 2.0
    """Pseudo-time step, s (the steady answer does not depend on it)."""
    max_iter: int = 2000
    tol_u: float = 1e-3
    """Steady when no velocity changes by more than this share of the fastest port velocity
    in a step ... Measured against 1e-5 (stop 26, the app's cells): rack inlet means within
    0.003 K, inlet maxima 0.012 K, unit returns 0.009 K and every cell 0.07 K on the generated
    40- and 200-rack halls, the five reference rooms and the five sample sites; after an edit
    warm from the previous answer (the 200-rack hall: a power change, its row-end rack pulled
    1.2 m out, then 0.6 m further), inlets within 0.002 K of a cold solve to 1e-5. Against 1e-4 (before stop
    26) only the generated halls stop sooner: 40 racks 437 -> 348 steps, 200 racks 382 -> 237,
    its edits 72 -> 37, 229 -> 125 and 315 -> 88; everywhere else the temperature test is
    the one that holds the march, and the steps are the same."""
    tol_t: float = 1e-3
    """... and no temperature by more than this, K (the final temperature is solved exactly)."""
    sweeps: int = 2
    rebuild_cg: int = 25
    min_iter: int = 20
    """The march is not declared steady before this many steps."""
    preview: bool = False
    """A drag preview: stop after ``max_iter`` steps from the previous field and show that
    answer even if not yet steady (marked ``preview`` in the stats, and ``settled`` when the
    march met its tolerances; the full solve follows on release). Never used for the answer an
    engineer acts on. Previews are not memoised: the same hall asked for again (the pointer
    resting) marches on from where the last preview stopped."""


@dataclass
class HallCache:
    """Reusable structure of one hall at one cell size (lives in the analysis cache)."""

    mesh: Mesh | None = None
    geo: Geometry | None = None
    solid: np.ndarray | None = None
    state: FlowState | None = None
    limited: np.ndarray | None = None
    amg: object = None
    d_ref: list = field(default_factory=list)
    layout: Layout | None = None
    layout_of: tuple | None = None
    """The hall (its JSON) and cell size ``layout`` was built from: the same hall again (a
    drag preview while the pointer rests) is not rasterised again."""


@dataclass
class HallSolution:
    """Raw arrays of one solve, for the results step."""

    layout: Layout
    U: list | None
    T: np.ndarray | None  # (nz, ny, nx) degC, NaN in solids
    energy: EnergySolution | None
    solved: bool
    converged: bool
    iterations: int
    t_ref: float
    stats: dict = field(default_factory=dict)
    convergence: Convergence | None = None
    """The march's changes step by step (None when there was no march)."""


def refused(hall: Hall, params: AirParams, reason: str) -> HallSolution:
    """No solve: the layout only (for the per-item listing), ``solved`` False and
    ``stats["refused"]`` the reason, a clause the views and the report quote ("0.7 m air cells
    cannot resolve the 1.20 m gap behind rack R1 (…)")."""
    lay = build(hall, params.cell_m)
    stats = {"solved": False, "refused": reason, "cells": lay.mesh.size, "layers": lay.mesh.nz}
    return HallSolution(lay, None, None, None, False, False, 0, float("nan"), stats)


def _mesh_key(m: Mesh) -> tuple:
    return (m.plan, tuple(np.round(m.zf, 9)), m.k_floor, m.k_ceil)


def solve_hall(hall: Hall, params: AirParams, cache: HallCache | None = None, should_stop=None,
               progress=None) -> HallSolution:
    """Build and solve the air model of one hall, reusing ``cache`` where it still applies.

    Parameters
    ----------
    hall : Hall
        The hall (a snapshot; not modified).
    params : AirParams
        Cell size and numerical parameters.
    cache : HallCache, optional
        Structure kept from the previous solve of the same hall at the same cell size;
        updated in place.
    should_stop : callable, optional
        Polled once per pseudo-time step; when it returns True the march stops and the
        solution comes back with ``stats["stopped"]`` set, ``solved`` and ``converged`` False
        and no fields (the partial field is kept in ``cache`` as the next solve's start, and
        nothing is memoised).
    progress : callable, optional
        Called with the :class:`Convergence` so far every :data:`PROGRESS_EVERY_S` seconds
        of the march (not for a kept solution, which is handed out at once).
    """
    cache = cache if cache is not None else HallCache()
    text = hall.model_dump_json()
    key = (text, params)
    with _MEMO_LOCK:
        hit = None if params.preview else _MEMO.get(key)
        if hit is not None:
            _MEMO.move_to_end(key)
    if hit is not None:
        sol, snap = hit
        cache.__dict__.update(snap)
        return sol
    with single_thread_blas():
        sol = _solve(hall, params, cache, should_stop, progress, text)
    if sol.stats.get("stopped") or params.preview:
        return sol
    with _MEMO_LOCK:
        _MEMO[key] = (sol, dict(cache.__dict__))
        while len(_MEMO) > MEMO_SIZE:
            _MEMO.popitem(last=False)
    return sol


def memoised(hall: Hall, params: AirParams) -> bool:
    """True when :func:`solve_hall` of this very hall and parameters would hand out a kept
    solution (no solve): the app shows those sites' answers first."""
    with _MEMO_LOCK:
        return (hall.model_dump_json(), params) in _MEMO


BYTES_PER_CELL = 4_000
"""Peak memory of a solve per cell, with a margin: measured (stop 25, with the compiled
kernels' contiguous geometry copies) 2.6 kB on the generated 40-rack hall (17,760 cells), 2.4 kB
on the 200-rack one (28,638) and 3.0 kB on the 1,000-rack one (107,100); the exact temperature
solve's incomplete factorisation grows faster than the cells. The compiled kernels' first calls
add about 45 MB to the process once, not per cell."""

PROGRESS_EVERY_S = 0.25
"""How often a running march reports its convergence (the app's live plot and status)."""

MEMO_SIZE = 12
"""Solutions of identical inputs (hall and parameters) are kept and handed out again: the
model is a pure function of them, and an undo, a reopened file or a second window asks for
the same hall often."""
_MEMO: OrderedDict = OrderedDict()
_MEMO_LOCK = threading.Lock()


def clear_memo() -> None:
    """Forget the kept solutions (tests that compare an incremental with a fresh solve)."""
    with _MEMO_LOCK:
        _MEMO.clear()


def _march_temperatures(lay, geo, st: FlowState) -> EnergySolution:
    """A drag preview's temperatures: the march's own field, not the exact solve on its flow.

    The preview's flow is not steady either (a few dozen steps from the last preview's field),
    and the exact solve was half of a preview's time on large halls (0.5 of 1.0 s a preview on
    the generated 200-rack hall, stop 26), which the preview's throttle turns into half the
    updates. Measured against the converged answer of the moved hall, a rack pulled 0.6 m out
    of its row in the reference rooms at 0.5 m cells: rack inlet means within 0.05-0.15 K with
    the march's field, 0.03-0.09 K with the exact solve on the same flow, where the move itself
    changed them by 0.7-3.8 K. The full answer after the release is solved exactly as always."""
    T = st.T.copy()
    T[~geo.fluid] = np.nan
    nr = lay.n_racks
    running = lay.unit_q > 0
    limited = running & (st.t_item[nr:] > lay.unit_t_set + 1e-12)
    return EnergySolution(T, st.t_item.copy(), limited, float("nan"), 0, True)


def _solve(hall: Hall, prm: AirParams, cache: HallCache, should_stop=None, progress=None,
           text: str | None = None) -> HallSolution:
    stats: dict = {}
    t0 = time.perf_counter()
    built_of = (text if text is not None else hall.model_dump_json(), prm.cell_m)
    if cache.layout is not None and cache.layout_of == built_of:
        mesh = cache.layout.mesh
    else:
        mesh = build_mesh(hall, prm.cell_m)
    nz, ny, nx = mesh.shape
    memory.check(mesh.size * BYTES_PER_CELL, f"the air model of {nx} x {ny} x {nz} cells of {prm.cell_m:g} m",
                 "Use larger air cells (settings.air_cell_m) or split the hall")
    same_mesh = cache.mesh is not None and _mesh_key(cache.mesh) == _mesh_key(mesh)
    if same_mesh:
        mesh = cache.mesh
    if cache.layout is not None and cache.layout_of == built_of and cache.layout.mesh is mesh:
        lay = cache.layout
        stats["layout"] = "reused"
    else:
        lay = build(hall, prm.cell_m, mesh)
        cache.layout, cache.layout_of = lay, built_of
    running = lay.unit_q > 0
    t_ref = float((lay.unit_t_set[running] * lay.unit_q[running]).sum() / lay.unit_q[running].sum()) \
        if running.any() else float(lay.unit_t_set.mean() if lay.unit_t_set.size else 20.0)
    if not running.any():
        stats.update(build_ms=(time.perf_counter() - t0) * 1e3, solved=False)
        return HallSolution(lay, None, None, None, False, False, 0, t_ref, stats)
    same_geo = same_mesh and cache.solid is not None and np.array_equal(cache.solid, lay.solid) \
        and cache.geo is not None and all(np.array_equal(cache.geo.K_in[a], lay.K[a]) for a in range(3))
    if same_geo:
        geo = cache.geo
        stats["geometry"] = "reused"
    else:
        geo = geometry(lay)
        geo.K_in = [k.copy() for k in lay.K]
        stats["geometry"] = "rebuilt"
    t1 = time.perf_counter()
    fp = FlowParams(dt=prm.dt, sweeps=prm.sweeps, max_iter=prm.max_iter, min_iter=prm.min_iter, tol_u=prm.tol_u,
                    tol_t=prm.tol_t, rebuild_cg=prm.rebuild_cg)
    fs = FlowSolver(lay, geo, fp, t_ref)
    n_items = lay.n_racks + len(lay.unit_ids)
    if same_mesh and cache.state is not None:
        st = cache.state
        start = FlowState([u.copy() for u in st.U], st.p.copy(), np.nan_to_num(st.T, nan=t_ref),
                          np.full(n_items, t_ref))
        stats["start"] = "previous field"
    else:
        start = FlowState([np.zeros(mesh.face_shape(a)) for a in range(3)], np.zeros(mesh.shape),
                          np.full(mesh.shape, t_ref), np.full(n_items, t_ref))
        stats["start"] = "rest"
    fs.should_stop = should_stop
    if progress is not None:
        last = [time.perf_counter()]

        def tick(f: FlowSolver) -> None:
            now = time.perf_counter()
            if now - last[0] >= PROGRESS_EVERY_S:
                last[0] = now
                progress(Convergence.of(f, stats["start"]))

        fs.progress = tick
    st = fs.run(start)
    t2 = time.perf_counter()
    conv = Convergence.of(fs, stats["start"])
    if fs.stopped:
        # the document moved on: no answer; the partial field starts the next solve
        cache.mesh, cache.geo, cache.solid = mesh, geo, lay.solid
        cache.state = FlowState(st.U, st.p, st.T, st.t_item)
        stats.update(build_ms=(t1 - t0) * 1e3, flow_ms=(t2 - t1) * 1e3, iterations=fs.iterations,
                     cells=mesh.size, layers=mesh.nz, solved=False, converged=False, stopped=True)
        return HallSolution(lay, None, None, None, False, False, fs.iterations, t_ref, stats, conv)
    heat = float(lay.rack_heat_w[lay.rack_q > 0].sum() + lay.heat_w.sum())
    cap = float(lay.unit_capacity_w[running].sum())
    if heat > cap * (1.0 + 1e-9):
        # supply control cannot hold: every unit at capacity removes less than goes in, so the
        # room only warms up - there is no steady state to report
        stats.update(build_ms=(t1 - t0) * 1e3, flow_ms=(t2 - t1) * 1e3, iterations=fs.iterations,
                     cells=mesh.size, layers=mesh.nz, solved=True, converged=False,
                     failure=f"{heat / 1e3:.1f} kW goes to the air, the running units can remove "
                             f"{cap / 1e3:.1f} kW: no steady state")
        cache.mesh, cache.geo, cache.solid = mesh, geo, lay.solid
        cache.state = FlowState(st.U, st.p, st.T, st.t_item)
        return HallSolution(lay, st.U, None, None, True, False, fs.iterations, t_ref, stats, conv)
    if not fs.converged and not prm.preview:
        # no steady flow, so no temperatures to give (the results step says so as an error
        # finding); the exact temperature solve on that flow would be thrown away
        stats.update(build_ms=(t1 - t0) * 1e3, flow_ms=(t2 - t1) * 1e3, iterations=fs.iterations,
                     cells=mesh.size, layers=mesh.nz, solved=True, converged=False,
                     flow_change=fs.history[-1][0] if fs.history else None)
        if fs.failure:
            stats["failure"] = fs.failure
        cache.mesh, cache.geo, cache.solid = mesh, geo, lay.solid
        cache.state = FlowState(st.U, st.p, st.T, st.t_item)
        return HallSolution(lay, st.U, None, None, True, False, fs.iterations, t_ref, stats, conv)
    if prm.preview:
        es = _march_temperatures(lay, geo, st)
    else:
        mu = RHO_AIR * fs.nu_eff(st.U)
        es = solve_energy(fs, st.U, mu, cache.limited if (cache.limited is not None and
                                                          cache.limited.size == len(lay.unit_ids)) else None,
                          st.T, st.t_item)
    t3 = time.perf_counter()
    cache.mesh, cache.geo, cache.solid = mesh, geo, lay.solid
    if not (prm.preview and fs.failure):
        # a preview that diverged does not start the next one (previews march on from the last)
        cache.state = FlowState(st.U, st.p, es.T, es.t_item)
    cache.limited = es.limited
    cache.amg, cache.d_ref = geo.amg, geo.d_ref
    converged = bool((fs.converged or (prm.preview and not fs.failure)) and es.converged)
    if prm.preview:
        stats["preview"] = True
        stats["settled"] = bool(fs.converged)
    if fs.failure:
        stats["failure"] = fs.failure
    stats.update(build_ms=(t1 - t0) * 1e3, flow_ms=(t2 - t1) * 1e3, temperature_ms=(t3 - t2) * 1e3,
                 iterations=fs.iterations, cells=mesh.size, air_cells=int(geo.fluid.sum()),
                 layers=mesh.nz, amg_builds=fs.amg_builds, dt_halved_at=list(fs.dt_changes), energy_residual=es.residual,
                 flow_change=fs.history[-1][0] if fs.history else None, solved=True, converged=converged)
    return HallSolution(lay, st.U, es.T, es, True, converged, fs.iterations, t_ref, stats, conv)
