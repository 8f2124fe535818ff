"""Runs build -> airflow -> temperature for one hall, reusing work from the previous run.

What changes when, and what is reused (the cache is one :class:`HallCache` per hall and
cell size):

* **Walls, obstructions, containment, room air units** (:func:`build_static`): rasterised
  once and kept while their geometry is unchanged.
* **Grid shape** fixes the nested-dissection pattern (:class:`NDPattern`), shared by both
  solves and kept while the grid keeps its size.
* **Airflow operator**: depends on which cells are air, i.e. on where racks stand, not on
  their power. A power edit changes only the right-hand side: the factor is reused and one
  solve (a few ms) follows. A moved rack changes the rows of a few dozen cells around its old
  and new place: :meth:`NDFactor.refactor` recomputes just the fronts that hold them (and
  their ancestors) - exact, no approximation.
* **Temperature operator**: depends on the flows, which any rack edit changes everywhere a
  little and near the rack a lot. The fronts holding entries that changed by more than
  ``refactor_rtol`` of their diagonal are refactorised; the rest of the difference is taken up
  by GMRES on the true operator, preconditioned by that factor (typically 5-10 solves). If
  that stagnates, or too much changed, the temperature operator is factorised afresh.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from designer.model.hall import Hall
from designer.solvers.air.blas import single_thread_blas
from designer.solvers.air.build import (
    RHO_CP,
    RackLayout,
    StaticLayout,
    build_racks,
    build_static,
    static_key,
)
from designer.solvers.air.flow import EPS_GROUND, cell_velocity, face_flows, laplace_coefficients
from designer.solvers.air.nd import NDFactor, NDPattern
from designer.solvers.air.temperature import TransportSystem, solve_refined, transport_system

RESIDUAL_RTOL = 1e-10
"""Temperature equations are solved to this residual (max norm, relative to the right-hand
side): the heat balance then closes to about 1e-13 and temperatures to well under 1e-6 K."""

FLOW_RTOL = 1e-13
"""Airflow equations are solved to this residual (max norm, relative to the sources)."""


@dataclass(frozen=True)
class AirParams:
    """Numerical and modelling parameters of the air model."""

    cell_m: float = 0.25
    """Grid cell size, m (the project's ``settings.air_cell_m``; coarser while dragging)."""
    diffusivity_m2s: float = 0.03
    """Turbulent diffusivity of heat in the room air, m2/s."""
    containment_leak: float = 0.02
    """Openness of a containment panel relative to open air (leakage through gaps)."""
    refactor_rtol: float = 0.05
    """Temperature-operator entries that moved by more than this share of their diagonal
    are refactorised; smaller changes are left to preconditioned GMRES."""
    partial_limit: float = 0.25
    """Refactorise only part of a factor when fewer than this share of cells changed."""


@dataclass
class HallCache:
    """Reusable structure of one hall at one cell size (lives in the analysis cache)."""

    static_key: tuple | None = None
    static: StaticLayout | None = None
    pattern: NDPattern | None = None
    flow_K: np.ndarray | None = None
    flow_factor: NDFactor | None = None
    temp_K: np.ndarray | None = None  # the matrix temp_factor actually factorised
    temp_factor: NDFactor | None = None
    temp_T: np.ndarray | None = None  # the last temperature answer (a start for the next)


@dataclass
class HallSolution:
    """Raw arrays of one solve, for the results step."""

    static: StaticLayout
    racks: RackLayout
    phi: np.ndarray
    fx: np.ndarray  # all face flows incl. rack channels, m3/s
    fy: np.ndarray
    vx: np.ndarray  # cell-centred velocity, m/s (room air only; 0 elsewhere)
    vy: np.ndarray
    T: np.ndarray  # (ny, nx) degC, NaN where not room air
    T_all: np.ndarray  # incl. rack channel cells
    ts: TransportSystem | None
    src: Sources
    source: np.ndarray  # (ny, nx) net air put in per cell (the airflow right-hand side), m3/s
    solved: bool = True
    unreached: np.ndarray | None = None  # (ny, nx) cells no unit's air reaches (walled off)
    stats: dict = field(default_factory=dict)


@dataclass
class Sources:
    """Where air enters and leaves the room, per cell (flat arrays, m3/s) and per unit."""

    m_in: np.ndarray  # supplied by units (and raised-floor feeds)
    heat_in: np.ndarray  # sum(q T) of that supply, K m3/s
    m_out: np.ndarray  # returned to units (and ceiling-plenum vents)
    rack: np.ndarray  # rack exhaust minus rack intake
    unit_flow: np.ndarray  # airflow each room unit moves (0 when its faces are blocked)
    unit_room_return: np.ndarray  # the part it draws from the room through its return face
    unit_plenum: np.ndarray  # the part it draws from contained hot aisles via the plenum
    plenum_out: np.ndarray  # per cell: air vented from contained hot aisles into the plenum
    cont_rack_net: np.ndarray  # per containment: rack exhaust minus intake inside it
    cont_plenum: np.ndarray  # per containment: vented (+) or fed (-) through plenum / floor


def _sources(st: StaticLayout, rl: RackLayout) -> Sources:
    """Air sources and sinks of units, racks and contained aisles.

    A contained hot aisle with no unit return in it is taken to vent through a ceiling
    plenum to the CRAHs; a contained cold aisle with no unit supply in it to be fed by the
    CRAHs through a raised floor. Each CRAH carries a share in proportion to its airflow; if
    the CRAHs move less air than such aisles need, the rest spills over the panels.
    """
    N = st.grid.nx * st.grid.ny
    nu = len(st.unit_ids)
    sup, ret = rl.unit_supply_cells, rl.unit_return_cells
    ok = np.array([st.unit_airflow[u] > 0 and len(sup[u]) > 0 and len(ret[u]) > 0 for u in range(nu)],
                  dtype=bool)
    unit_flow = np.where(ok, st.unit_airflow, 0.0)
    rack = np.zeros(N)
    oc = rl.col_open
    np.add.at(rack, rl.col_back[oc], rl.col_q[oc])
    np.add.at(rack, rl.col_front[oc], -rl.col_q[oc])

    lab = st.cont_label.ravel()
    nc = len(st.containment_ids)
    air = rl.fluid.ravel()
    inc = (lab >= 0) & air
    net = np.bincount(lab[inc], weights=rack[inc], minlength=nc) if nc else np.zeros(0)
    has_ret = np.zeros(nc, dtype=bool)
    has_sup = np.zeros(nc, dtype=bool)
    for u in np.nonzero(ok)[0]:
        has_ret[lab[ret[u]][lab[ret[u]] >= 0]] = True
        has_sup[lab[sup[u]][lab[sup[u]] >= 0]] = True
    crah = np.array([ok[u] and st.unit_kind[u] == "crah" for u in range(nu)], dtype=bool)
    v_crah = float(unit_flow[crah].sum())
    kind = np.array(st.containment_kind + [""])[:nc]
    hot = (kind == "hot") & ~has_ret & (net > 0)
    cold = (kind == "cold") & ~has_sup & (net < 0)
    plen = np.zeros(nc)
    if v_crah > 0:
        P, F = net[hot].sum(), -net[cold].sum()
        plen[hot] = net[hot] * min(1.0, v_crah / P) if P > 0 else 0.0
        plen[cold] = net[cold] * min(1.0, v_crah / F) if F > 0 else 0.0
    share = np.where(crah, unit_flow / v_crah, 0.0) if v_crah > 0 else np.zeros(nu)
    unit_plenum = share * plen[plen > 0].sum()
    unit_feed = share * -plen[plen < 0].sum()

    m_in, heat_in, m_out = np.zeros(N), np.zeros(N), np.zeros(N)
    for u in np.nonzero(ok)[0]:
        q_sup = unit_flow[u] - unit_feed[u]
        q_ret = unit_flow[u] - unit_plenum[u]
        np.add.at(m_in, sup[u], q_sup / len(sup[u]))
        np.add.at(heat_in, sup[u], q_sup / len(sup[u]) * st.unit_supply_t[u])
        np.add.at(m_out, ret[u], q_ret / len(ret[u]))
    plenum_out = np.zeros(N)
    t_feed = float((unit_feed * st.unit_supply_t).sum() / unit_feed.sum()) if unit_feed.sum() > 0 else 0.0
    for c in np.nonzero(plen)[0]:
        cells = np.nonzero(inc & (lab == c))[0]
        if plen[c] > 0:
            plenum_out[cells] += plen[c] / len(cells)
        else:
            m_in[cells] += -plen[c] / len(cells)
            heat_in[cells] += -plen[c] / len(cells) * t_feed
    m_out += plenum_out
    return Sources(m_in, heat_in, m_out, rack, unit_flow, unit_flow - unit_plenum, unit_plenum,
                   plenum_out, net, plen)


def _changed_cells(pattern: NDPattern, K_new: np.ndarray, K_old: np.ndarray, rtol: float = 0.0):
    n = pattern.N
    d = np.abs(K_new[:, :n] - K_old[:, :n])
    if rtol > 0:
        rows = (d > rtol * np.abs(K_new[0, :n])[None, :]).any(axis=0)
    else:
        rows = (d > 0).any(axis=0)
    return rows.reshape(pattern.NY, pattern.NX)[: pattern.ny, : pattern.nx]


def solve_hall(hall: Hall, params: AirParams, cache: HallCache | None = None) -> HallSolution:
    """Build and solve the air model of one hall, reusing ``cache`` where it still applies.

    Parameters
    ----------
    hall : Hall
        The hall (a snapshot; not modified).
    params : AirParams
        Cell size and model constants.
    cache : HallCache, optional
        Structure kept from the previous solve of the same hall at the same cell size;
        updated in place.

    Returns
    -------
    HallSolution
        Raw arrays; :func:`designer.solvers.air.results.site_results` turns them into results.
    """
    cache = cache if cache is not None else HallCache()
    with single_thread_blas():
        return _solve(hall, params, cache)


def _solve(hall: Hall, params: AirParams, cache: HallCache) -> HallSolution:
    stats: dict = {}
    t0 = time.perf_counter()
    key = static_key(hall, params.cell_m) + (params.containment_leak,)
    if cache.static_key != key:
        cache.static = build_static(hall, params.cell_m, params.containment_leak)
        cache.static_key = key
        stats["static"] = "built"
    else:
        stats["static"] = "reused"
    st = cache.static
    g = st.grid
    rl = build_racks(hall, st)
    t1 = time.perf_counter()

    # -- airflow: sources and sinks -----------------------------------------------------
    ny, nx, N = g.ny, g.nx, g.ny * g.nx
    fluid = rl.fluid
    cx = st.cx0.copy()
    cy = st.cy0.copy()
    cx[:, 1:-1] *= fluid[:, :-1] & fluid[:, 1:]
    cy[1:-1, :] *= fluid[:-1, :] & fluid[1:, :]
    src = _sources(st, rl)
    m_in, heat_in, m_out, unit_flow = src.m_in, src.heat_in, src.m_out, src.unit_flow
    source = (m_in - m_out + src.rack).reshape(ny, nx)

    heat_room = float(rl.heat_src.sum())
    if unit_flow.sum() <= 0:
        # no room unit can take air: there is no steady state to compute
        nan = np.full((ny, nx), np.nan)
        z = np.zeros((ny, nx))
        stats.update(build_ms=(t1 - t0) * 1e3, solved=False, heat_room_w=heat_room)
        return HallSolution(st, rl, z, np.zeros((ny, nx + 1)), np.zeros((ny + 1, nx)), z, z, nan, nan,
                            None, src, source, solved=False, stats=stats)

    if cache.pattern is None or (cache.pattern.ny, cache.pattern.nx) != (ny, nx):
        cache.pattern = NDPattern(ny, nx)
        cache.flow_factor = cache.temp_factor = None
    pat = cache.pattern
    t2 = time.perf_counter()
    K = pat.coefficients(*laplace_coefficients(cx, cy, fluid))
    mode = "full"
    if cache.flow_factor is not None:
        changed = _changed_cells(pat, K, cache.flow_K)
        nch = int(changed.sum())
        if nch == 0:
            mode = "reused"
        elif nch < params.partial_limit * N:
            fronts = cache.flow_factor.refactor(K, changed)
            mode = f"partial ({nch} cells, {fronts} fronts)"
    if mode == "full":
        cache.flow_factor = pat.factor(K)
    cache.flow_K = K
    phi = cache.flow_factor.solve(source)
    rhs = source
    if EPS_GROUND * float(np.abs(phi[fluid]).sum()) > 1e-9 * max(float(np.abs(source).sum()), 1e-300):
        # A region whose sources do not balance leaks the rest through the tiny grounding,
        # evenly over its cells, at a potential of about imbalance / EPS_GROUND: the flows,
        # differences of that potential, then keep only ~1e-6 m3/s of precision (enough to
        # break a mirror-symmetric layout's symmetry at 4e-6 K). Taking the same even leak
        # out of the sources first leaves the flows unchanged and the potential small.
        rhs = _balanced(source, cx, cy, fluid)
        stats["flow_leak"] = "balanced per region"
    # The grounding makes the operator nearly singular (condition ~1e11): a bare solve leaves
    # a residual of ~1e-9 of the sources. Refined to FLOW_RTOL, the flows are exact to
    # round-off (a mirror-symmetric layout gives flows symmetric to ~1e-15 m3/s).
    phi, flow_its, flow_res = solve_refined(cache.flow_factor.solve, laplace_coefficients(cx, cy, fluid), rhs,
                                            rtol=FLOW_RTOL, x0=phi if rhs is source else None)
    stats.update(flow_iterations=flow_its, flow_residual=flow_res)
    fx, fy = face_flows(phi, cx, cy)
    vx, vy = cell_velocity(fx, fy, g.cell_m, st.height_m)
    vx = np.where(fluid, vx, 0.0)
    vy = np.where(fluid, vy, 0.0)
    fx += rl.fx_ch
    fy += rl.fy_ch
    t3 = time.perf_counter()
    stats.update(flow=mode)

    # -- temperature ---------------------------------------------------------------------
    gdiff = params.diffusivity_m2s * st.height_m  # diffusivity x (h H) / h
    active = fluid | rl.channel
    t_ref = float((unit_flow * st.unit_supply_t).sum() / unit_flow.sum())
    ts = transport_system(fx, fy, gdiff * cx, gdiff * cy, m_in.reshape(ny, nx), heat_in.reshape(ny, nx),
                          m_out.reshape(ny, nx), rl.heat_src / RHO_CP, active, t_ref)
    KT = pat.coefficients(*ts.coef)
    tmode = "full"
    if cache.temp_factor is not None:
        sig = _changed_cells(pat, KT, cache.temp_K, params.refactor_rtol)
        nsig = int(sig.sum())
        if nsig < params.partial_limit * N:
            Keff = cache.temp_K.copy()
            cols = np.zeros(pat.N + 1, dtype=bool)
            cols[: pat.N].reshape(pat.NY, pat.NX)[:ny, :nx] = sig
            Keff[:, cols] = KT[:, cols]
            fronts = cache.temp_factor.refactor(Keff, sig) if nsig else 0
            cache.temp_K = Keff
            x0 = None
            if cache.temp_T is not None and cache.temp_T.shape == ts.rhs.shape:
                x0 = np.where(ts.active, np.nan_to_num(cache.temp_T, nan=t_ref), 0.0)
            T, its, res = solve_refined(cache.temp_factor.solve, ts.coef, ts.rhs, rtol=RESIDUAL_RTOL, x0=x0)
            tmode = f"partial ({nsig} cells, {fronts} fronts) + {its} GMRES steps"
            if res > RESIDUAL_RTOL:
                tmode = "full"  # GMRES stagnated: start again
    if tmode == "full":
        cache.temp_factor = pat.factor(KT)
        cache.temp_K = KT
        T, its, res = solve_refined(cache.temp_factor.solve, ts.coef, ts.rhs, rtol=RESIDUAL_RTOL)
    cache.temp_T = T
    t4 = time.perf_counter()
    stats.update(temperature=tmode, residual=res, build_ms=(t1 - t0) * 1e3,
                 flow_ms=(t3 - t2) * 1e3, temperature_ms=(t4 - t3) * 1e3,
                 cells=N, air_cells=int(fluid.sum()), padded_cells=pat.N, solved=True)
    unreached = _unreached(ts, fx, fy, gdiff * cx, gdiff * cy, src, rl.heat_src / RHO_CP, T)
    if unreached is not None:
        active = active & ~unreached
        stats["unreached_cells"] = int(unreached.sum())
    T_room = np.where(fluid & active, T, np.nan)
    return HallSolution(st, rl, phi, fx, fy, vx, vy, T_room, np.where(active, T, np.nan), ts, src,
                        source, unreached=unreached, stats=stats)


def _balanced(source: np.ndarray, cx: np.ndarray, cy: np.ndarray, fluid: np.ndarray) -> np.ndarray:
    """``source`` with each connected air region's net imbalance taken out evenly over its cells."""
    ny, nx = source.shape
    idx = np.arange(ny * nx).reshape(ny, nx)
    ex = cx[:, 1:-1] > 0
    ey = cy[1:-1, :] > 0
    rows = np.concatenate([idx[:, :-1][ex], idx[:-1, :][ey]])
    cols = np.concatenate([idx[:, 1:][ex], idx[1:, :][ey]])
    g = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(ny * nx, ny * nx))
    _, lab = connected_components(g, directed=False)
    air = fluid.ravel()
    s = source.ravel()
    net = np.bincount(lab[air], weights=s[air], minlength=lab.max() + 1)
    cnt = np.bincount(lab[air], minlength=lab.max() + 1)
    out = s.copy()
    out[air] -= (net / np.maximum(cnt, 1))[lab[air]]
    return out.reshape(ny, nx)


def _unreached(ts: TransportSystem, fx, fy, dx, dy, src: Sources, heat, T) -> np.ndarray | None:
    """Cells no air unit's air reaches (walled-off pockets), or None when there are none.

    Only such pockets lose heat through the weak exchange that keeps the equations regular,
    so the (rare) connectivity analysis runs only when that exchange carries a noticeable
    share of the heat.
    """
    leak = float((ts.g_ex * np.abs(np.nan_to_num(T) - ts.t_ref)).sum())
    if leak <= 1e-6 * max(float(heat.sum()), 1e-9):
        return None
    ny, nx = T.shape
    idx = np.arange(ny * nx).reshape(ny, nx)
    ex = (np.abs(fx[:, 1:-1]) + dx[:, 1:-1]) > 0
    ey = (np.abs(fy[1:-1, :]) + dy[1:-1, :]) > 0
    rows = np.concatenate([idx[:, :-1][ex], idx[:-1, :][ey]])
    cols = np.concatenate([idx[:, 1:][ex], idx[1:, :][ey]])
    g = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(ny * nx, ny * nx))
    _, lab = connected_components(g, directed=False)
    fed = np.zeros(lab.max() + 1, dtype=bool)
    fed[lab[(src.m_in + src.m_out) > 0]] = True
    out = (~fed[lab]).reshape(ny, nx) & ts.active
    return out if out.any() else None
