"""Balancing-valve settings that give every rack its required flow.

Proportional balancing, as a commissioning engineer does it: the index rack (the one
with the least head to spare) keeps its valve fully open, every other rack is throttled
so that all racks of a loop get the same fraction ``alpha`` of their required flow. With
the pumps at their set speed ``alpha`` is whatever the pumps then deliver; ``alpha >= 1``
means every rack gets at least its flow.

Method, per loop and exactly: replace each balanced rack branch by its flow ``alpha q_i``
leaving the supply header at its supply port and re-entering at its return port; solve
the rest (pipes, pump, heat exchanger); the head across each rack's ports then fixes the
valve resistance it needs, ``r_v = dh_i / (alpha q_i)^2 - r_cold_plate``. The smallest of
those is zero at the wanted ``alpha``, found by bisection (all loops at once, they are
independent). Heads depend on temperatures only through viscosity and density, so the
whole is repeated once at the temperatures of the balanced state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designer.solvers.liquid.build import ROLE_RACK, LiquidSystem
from designer.solvers.liquid.elements import SolverOptions
from designer.solvers.liquid.ggasolver import Topology, solve
from designer.solvers.liquid.operate import OperatingState, operate, pipe_viscosity

BISECTIONS = 30
ROUNDS = 2


@dataclass
class BalancePlan:
    """Valve settings for one site and what they achieve."""

    valve_k: dict[str, float] = field(default_factory=dict)
    """rack id -> valve loss coefficient K (velocity heads of its supply pipe bore)."""
    alpha: dict[int, float] = field(default_factory=dict)
    """loop index -> fraction of required flow every balanced rack of the loop gets."""
    index_rack: dict[int, str] = field(default_factory=dict)
    """loop index -> the rack left fully open."""
    skipped: dict[int, str] = field(default_factory=dict)
    """loop index -> why it was not balanced."""
    speed_for_required: dict[str, float] = field(default_factory=dict)
    """CDU id -> pump speed at which the balanced loop would give every rack about exactly its
    flow: ``speed / alpha`` (a closed loop has no static head, so by the affinity laws its
    flows scale with pump speed; exact for quadratic losses, within about 1 % with
    Reynolds-dependent friction). Only for loops with one CDU."""
    state: OperatingState | None = None
    """Operating state with the new valves (the check)."""


def _valve_resistance(system: LiquidSystem, st: OperatingState, opts: SolverOptions, racks: np.ndarray,
                      loop_of: np.ndarray, alpha_loop: np.ndarray, topo: Topology | None,
                      q0: np.ndarray | None):
    """Valve resistance each rack needs if every rack of loop l gets alpha_l of its flow."""
    m = system.n_links
    rho = st.rho_link
    nu = pipe_viscosity(system, st.heat.link_in_c, rho)
    net = system.network(rho, nu, opts.g, st.cold_plate_k_pa, st.running)
    q_t = alpha_loop[loop_of] * st.required_m3s[racks]
    dem = np.zeros(system.n_nodes)
    np.add.at(dem, system.start[racks], q_t)
    np.add.at(dem, system.end[racks], -q_t)
    net.demand = dem
    removed = np.zeros(m, dtype=bool)
    removed[racks] = True
    sol = solve(net, opts, topo, q0=q0, removed=removed)
    dh = sol.head[system.start[racks]] - sol.head[system.end[racks]]
    r_cp = st.cold_plate_k_pa[racks] / (rho[racks] * opts.g)
    with np.errstate(divide="ignore", invalid="ignore"):
        r_v = dh / q_t ** 2 - r_cp
    return r_v, sol


def _round(system: LiquidSystem, st: OperatingState, opts: SolverOptions, topo: Topology | None,
           plan: BalancePlan) -> dict[str, float]:
    racks_all = [rd for rd in system.racks.values()
                 if rd.link >= 0 and rd.heat_w > 0 and rd.valve_area_m2 > 0
                 and st.cold_plate_k_pa[rd.link] > 0 and st.required_m3s[rd.link] > 0]
    live = {}
    for lp in system.loops:
        if not any(st.running[system.cdus[c].pump_link] > 0 for c in lp.cdu_ids):
            plan.skipped[lp.index] = "no pump is running"
        else:
            live[lp.index] = lp
    racks_all = [rd for rd in racks_all if rd.loop in live]
    if not racks_all:
        return {}
    racks = np.array([rd.link for rd in racks_all], dtype=np.int64)
    loops = np.array(sorted({rd.loop for rd in racks_all}), dtype=np.int64)
    pos = {lp: i for i, lp in enumerate(loops.tolist())}
    loop_of = np.array([pos[rd.loop] for rd in racks_all], dtype=np.int64)

    def g_of(alpha: np.ndarray, q0):
        r_v, sol = _valve_resistance(system, st, opts, racks, loop_of, alpha, topo, q0)
        gmin = np.full(loops.size, np.inf)
        np.minimum.at(gmin, loop_of, r_v)
        return gmin, r_v, sol

    lo = np.zeros(loops.size)
    hi = np.ones(loops.size)
    q0 = st.hyd.flow
    g_hi, _, sol = g_of(hi, q0)
    for _ in range(12):  # grow the bracket where the pumps give more than required
        grow = g_hi > 0
        if not grow.any():
            break
        lo[grow] = hi[grow]
        hi[grow] *= 2.0
        g_hi, _, sol = g_of(hi, sol.flow)
    for _ in range(BISECTIONS):
        mid = (lo + hi) / 2.0
        g_mid, _, sol = g_of(mid, sol.flow)
        pos_ = g_mid > 0
        lo[pos_] = mid[pos_]
        hi[~pos_] = mid[~pos_]
    alpha = lo  # the largest alpha where every rack still needs a valve resistance >= 0
    _, r_v, _ = g_of(alpha, sol.flow)
    index = set()
    for i, lp in enumerate(loops.tolist()):
        plan.alpha[lp] = float(alpha[i])
        members = [j for j in range(len(racks_all)) if loop_of[j] == i]
        idx = min(members, key=lambda j: r_v[j])
        plan.index_rack[lp] = racks_all[idx].rack.id
        index.add(idx)
    out = {}
    for j, rd in enumerate(racks_all):
        r = 0.0 if j in index else max(float(r_v[j]), 0.0)  # the index rack: exactly open
        out[rd.rack.id] = r * 2.0 * opts.g * rd.valve_area_m2 ** 2
    return out


def balance_site(system: LiquidSystem, st: OperatingState, opts: SolverOptions | None = None,
                 topo: Topology | None = None) -> BalancePlan:
    """Valve settings for every rack with liquid heat on a running loop (see module doc)."""
    opts = opts or SolverOptions()
    if topo is None and system.n_links:
        net = system.network(st.rho_link, np.full(system.n_links, 1e-6), opts.g, st.cold_plate_k_pa)
        topo = Topology(net)
    plan = BalancePlan()
    valves: dict[str, float] = {}
    state = st
    for _ in range(ROUNDS):
        plan.alpha.clear()
        plan.index_rack.clear()
        plan.skipped.clear()
        valves = _round(system, state, opts, topo, plan)
        if not valves:
            break
        state = operate(system, opts, topo, warm=state, valve_k=valves)
    plan.valve_k = valves
    plan.state = state if valves else None
    for lp in system.loops:
        if lp.index in plan.alpha and len(lp.cdu_ids) == 1 and plan.alpha[lp.index] > 0:
            cdu = system.cdus[lp.cdu_ids[0]].cdu
            plan.speed_for_required[cdu.id] = cdu.pump.speed_fraction / plan.alpha[lp.index]
    return plan


def rack_links(system: LiquidSystem) -> np.ndarray:
    return np.flatnonzero(system.role == ROLE_RACK)
