"""One operating state of a site's loops: hydraulics and heat balance, coupled.

The hydraulics need the fluid's density and viscosity, which depend on temperature; the
temperatures need the flows. :func:`operate` alternates the two (a few passes, each
hydraulic solve starting from the last flows, so later passes take one or two Newton
iterations) until the supply temperatures and pipe temperatures stop moving.

Per loop one density and one heat capacity are used (at the loop's mean temperature) so
that mass and energy balance exactly; the viscosity is taken per pipe at the temperature
of the water in it, since friction is where temperature matters most (PG25 is 30 % more
viscous at 30 degC than at 40 degC).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.solvers.liquid import fluids
from designer.solvers.liquid.build import (
    ASSUMED_COLD_PLATE_DP_KPA,
    ROLE_HX,
    ROLE_PIPE,
    ROLE_PUMP,
    LiquidSystem,
)
from designer.solvers.liquid.elements import SolverOptions
from designer.solvers.liquid.ggasolver import HydraulicSolution, Topology, solve
from designer.solvers.liquid.heat import HeatSolution, solve_heat, supply_temperature

MAX_PASSES = 6
TEMP_TOL_K = 1e-4


@dataclass
class OperatingState:
    """Flows, heads and temperatures of every loop of a site in one operating state."""

    hyd: HydraulicSolution
    heat: HeatSolution
    rho_loop: np.ndarray
    cp_loop: np.ndarray
    rho_link: np.ndarray
    supply_c: dict[str, float]
    """CDU id -> secondary supply temperature, degC."""
    required_m3s: np.ndarray
    """Per link: a rack's flow for its design temperature rise (NaN for other links)."""
    cold_plate_k_pa: np.ndarray
    running: np.ndarray
    """Running pumps per link (pump links)."""
    passes: int
    newton_iterations: int
    """Newton iterations over all passes."""
    converged: bool
    """Hydraulics converged and the temperature passes settled."""
    t_mean_c: np.ndarray
    """Mean temperature of each loop after the last pass (where the next pass takes properties)."""
    """Hydraulics converged and the temperature passes settled."""


def _loop_props(system: LiquidSystem, t_loop: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    rho = np.array([fluids.density(lp.fluid, t) for lp, t in zip(system.loops, t_loop, strict=True)])
    cp = np.array([fluids.specific_heat(lp.fluid, t) for lp, t in zip(system.loops, t_loop, strict=True)])
    return rho.reshape(-1), cp.reshape(-1)


def pipe_viscosity(system: LiquidSystem, t_link: np.ndarray, rho_link: np.ndarray) -> np.ndarray:
    nu = np.full(system.n_links, 1e-6)
    fl = np.array([lp.fluid for lp in system.loops])[system.link_loop] if system.n_links else np.array([])
    pipes = system.role == ROLE_PIPE
    for name in set(fl[pipes].tolist()):
        sel = pipes & (fl == name)
        nu[sel] = fluids.viscosity(name, t_link[sel]) / rho_link[sel]
    return nu


def operate(system: LiquidSystem, opts: SolverOptions | None = None, topo: Topology | None = None,
            running: np.ndarray | None = None, warm: OperatingState | None = None,
            valve_k: dict[str, float] | None = None) -> OperatingState:
    """Solve hydraulics and heat balance together (see module doc).

    ``running`` overrides the running pumps per pump link, ``valve_k`` racks' valve
    settings by id; ``warm`` is a state of the same network to start from (its flows,
    temperatures and supply temperatures), which usually settles in one pass.
    """
    opts = opts or SolverOptions()
    m = system.n_links
    nl = len(system.loops)
    link_loop = system.link_loop
    heat_w = np.zeros(m)
    dt_design = np.full(m, np.nan)
    rated_k = np.full(m, np.nan)
    for rd in system.racks.values():
        if rd.link >= 0:
            heat_w[rd.link] = rd.heat_w
            dt = rd.rack.design_delta_t_liquid_k  # the input checks report one below 1 K
            dt_design[rd.link] = dt if dt >= 1.0 else 1.0
            if rd.cold_plate_k_pa is not None:
                rated_k[rd.link] = rd.cold_plate_k_pa
    run = np.zeros(m) if running is None else running
    if running is None:
        for cd in system.cdus.values():
            run[cd.pump_link] = cd.running
    # starting temperatures: supply from the approach at full heat, a 10 K rise on returns
    loop_heat = np.bincount(link_loop, heat_w, nl) if m else np.zeros(nl)
    loop_cap = np.zeros(nl)
    for cd in system.cdus.values():
        loop_cap[cd.loop] += cd.cdu.capacity_kw * 1000.0
    supply = {cid: supply_temperature(cd.facility_supply_c, cd.cdu.approach_k,
                                      loop_heat[cd.loop] * cd.cdu.capacity_kw * 1000.0 / max(loop_cap[cd.loop], 1e-9),
                                      cd.cdu.capacity_kw * 1000.0)
              for cid, cd in system.cdus.items()}
    loop_supply = np.zeros(nl)
    for lp in system.loops:
        loop_supply[lp.index] = supply[lp.cdu_ids[0]]
    rise = np.where(np.isnan(dt_design), 0.0, dt_design)
    with np.errstate(invalid="ignore"):
        loop_rise = np.bincount(link_loop, heat_w * rise, nl) / np.maximum(loop_heat, 1e-300) if m else np.zeros(nl)
    loop_rise = np.where(loop_heat > 0, loop_rise, 0.0)
    if warm is not None and warm.hyd.flow.size == m:
        t_link = warm.heat.link_in_c.copy()
        supply.update({c: t for c, t in warm.supply_c.items() if c in supply})
        for lp in system.loops:
            loop_supply[lp.index] = supply[lp.cdu_ids[0]]
    else:
        warm = None
        is_return = np.array([system.pipe_roles.get(it) == "return" for it in system.link_item], dtype=bool)
        t_link = loop_supply[link_loop] + np.where(is_return, loop_rise[link_loop], 0.0) if m else np.zeros(0)
    t_mean = warm.t_mean_c.copy() if warm is not None else loop_supply + loop_rise / 2.0
    topo_ = topo
    q = warm.hyd.flow if warm is not None else None
    hyd = heat = None
    passes, settled, newton = 0, False, 0
    hx_links = np.array([cd.hx_link for cd in system.cdus.values()], dtype=np.int64)
    hx_ids = list(system.cdus)
    req = np.full(m, np.nan)
    kcp = np.zeros(m)
    rho_loop = cp_loop = np.zeros(nl)
    rho_link = np.ones(m)
    while passes < MAX_PASSES:
        passes += 1
        rho_loop, cp_loop = _loop_props(system, t_mean)
        rho_link = rho_loop[link_loop] if m else np.zeros(0)
        cp_link = cp_loop[link_loop] if m else np.zeros(0)
        nu = pipe_viscosity(system, t_link, rho_link)
        with np.errstate(divide="ignore", invalid="ignore"):
            req = np.where(heat_w > 0, heat_w / (rho_link * cp_link * dt_design), np.nan)
            assumed = ASSUMED_COLD_PLATE_DP_KPA * 1000.0 / req ** 2
        kcp = np.where(~np.isnan(rated_k), rated_k, np.where(heat_w > 0, assumed, 0.0))
        net = system.network(rho_link, nu, opts.g, kcp, run, valve_k)
        if topo_ is None or topo_.key != net.structure_key():
            topo_ = Topology(net)
        hyd = solve(net, opts, topo_, q0=q)
        newton += hyd.iterations
        q = hyd.flow
        hx_supply = np.full(m, np.nan)
        for cid, k in zip(hx_ids, hx_links.tolist(), strict=True):
            hx_supply[k] = supply[cid]
        node_default = loop_supply[system.node_loop] if system.n_nodes else np.zeros(0)
        heat = solve_heat(system.n_nodes, system.start, system.end, q, rho_link * cp_link, heat_w, hx_supply,
                          node_default)
        new_supply = {cid: supply_temperature(cd.facility_supply_c, cd.cdu.approach_k,
                                              float(heat.hx_duty_w[cd.hx_link]), cd.cdu.capacity_kw * 1000.0)
                      for cid, cd in system.cdus.items()}
        t_new = heat.link_in_c
        d_sup = max((abs(new_supply[c] - supply[c]) for c in supply), default=0.0)
        d_link = float(np.abs(t_new - t_link).max(initial=0.0))
        supply = new_supply
        for lp in system.loops:
            loop_supply[lp.index] = supply[lp.cdu_ids[0]]
        t_link = t_new
        t_ret = np.zeros(nl)
        for cd in system.cdus.values():
            t_ret[cd.loop] = heat.link_in_c[cd.pump_link]
        t_mean = (loop_supply + t_ret) / 2.0
        # settled when this pass's temperatures are the ones it started from (a cold start
        # guesses them, so it always takes a second pass; a warm start may not)
        if d_sup < TEMP_TOL_K and d_link < TEMP_TOL_K:
            settled = True
            break
    assert hyd is not None and heat is not None
    # the last pass's supply temperatures were updated after its heat solve: report the ones used
    used = {cid: float(heat.link_out_c[cd.hx_link]) for cid, cd in system.cdus.items()}
    return OperatingState(hyd, heat, rho_loop, cp_loop, rho_link, used, req, kcp, run, passes, newton,
                          bool(hyd.converged and settled), t_mean)


def pump_links(system: LiquidSystem) -> np.ndarray:
    return np.flatnonzero(system.role == ROLE_PUMP)


def hx_links(system: LiquidSystem) -> np.ndarray:
    return np.flatnonzero(system.role == ROLE_HX)
