"""The incremental single-failure engine: all subtree-removal scenarios at once.

Split in two so that edits which keep the topology reuse the first part:

* :func:`plan` (structure): the dead cords of each scenario (two binary searches over the
  depth-first numbering), racks lost and surviving partner cords, the affected
  (scenario, bus) pairs (ancestors of every changed injection, from one sparse product),
  and which rating checks sit on them;
* :func:`run` (values): the changed injections (minus each dead subtree's input at its root,
  plus each partner cord's extra load), subtree sums per scenario by prefix sums over the
  pairs, branch losses recomputed with voltages frozen at the normal state, iterated a few
  rounds; then utilisations, overloads and a power-balance check per scenario.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from designer.solvers.power.checks import Checks, measure
from designer.solvers.power.loadflow import FlowState, Topology, branch_groups
from designer.solvers.power.network import S_BASE_VA, SOURCE, UPS_IN, PowerNetwork
from designer.solvers.power.tree import depth_of, nearest_ancestor

OVER = 1.0 + 1e-9
NEAR = 0.005
"""Scenarios with a utilisation this close to 1.0 are re-solved by a full load flow."""
COLLAPSE_SCREEN = 0.3
"""Scenarios in which some bus carries this share of the most its path can deliver (see
:mod:`designer.solvers.power.collapse`) are re-solved by a full load flow: the voltage
drop is then too large for the frozen voltages."""


def expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group index, position) for every element of the runs ``[starts, starts + counts)``."""
    g = np.repeat(np.arange(len(counts)), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(starts, counts)
    return g, pos


@dataclass
class Plan:
    """Structure of the incremental sweep for one topology and one list of scenarios."""

    n_s: int
    r_s: np.ndarray
    r_lo: np.ndarray
    r_hi: np.ndarray
    r_root: np.ndarray
    lost_s: np.ndarray
    lost_rack: np.ndarray
    lost_batt: np.ndarray
    lost_ups: np.ndarray
    """Per lost (scenario, rack): per dead cord, the UPS input bus it runs on from battery (-1)."""
    lost_inv: np.ndarray
    batt_cord: np.ndarray
    p_cord: np.ndarray
    p_s: np.ndarray
    ps: np.ndarray
    pb: np.ndarray
    keys: np.ndarray
    pos0: np.ndarray
    fixed: np.ndarray
    hi: np.ndarray
    groups: tuple
    chk_pair: np.ndarray
    chk_row: np.ndarray
    par_pair: np.ndarray = None  # type: ignore[assignment]
    """Pair of each pair's parent bus in the same scenario (-1 at a zone root: the voltage holds)."""
    levels: tuple = ()
    """Pairs grouped by depth, shallowest first (for the voltage estimate, top-down)."""


def plan(net: PowerNetwork, topo: Topology, checks: Checks, ranges, n_s: int) -> Plan:
    """Structure of the sweep; ``ranges`` = (scenario, lo, hi, root bus) of each dead subtree."""
    alive = topo.alive
    tin, tout = topo.ranges()
    n = net.n_bus
    r_s, r_lo, r_hi, r_root = ranges
    nr = max(len(net.racks), 1)
    # dead cords of every scenario
    live_c = np.flatnonzero(alive[net.cord_bus]) if len(net.cord_bus) else np.zeros(0, np.int64)
    order = live_c[np.argsort(tin[net.cord_bus[live_c]], kind="stable")]
    ctin = tin[net.cord_bus[order]]
    a = np.searchsorted(ctin, r_lo)
    g, pos = expand(a, np.searchsorted(ctin, r_hi) - a)
    dc = order[pos]
    ds = r_s[g]
    droot = r_root[g]
    rk = net.cord_rack[dc]
    rc = net.rack_cords
    n_live = ((rc >= 0) & alive[net.cord_bus[np.maximum(rc, 0)]]).sum(axis=1) if len(net.racks) else np.zeros(0)
    uk, inv, cnt = np.unique(ds * nr + rk, return_inverse=True, return_counts=True)
    k_rack, k_s = uk % nr, uk // nr
    lost = cnt >= n_live[k_rack] if uk.size else np.zeros(0, bool)
    # battery: the cord's UPS lost its input but not itself (the dead root is above the UPS)
    ups_in = nearest_ancestor(topo.ap, net.bus_kind == UPS_IN, alive)
    u = ups_in[net.cord_bus[dc]]
    on_batt = (u >= 0) & (tin[droot] < tin[np.maximum(u, 0)])
    k_batt = np.zeros(len(uk), bool)
    np.logical_or.at(k_batt, inv, on_batt)
    # partners: the rack's other live cord takes the whole rack
    surv = ~lost[inv]
    p_cord = rc[rk[surv], 1 - net.cord_side[dc[surv]]]
    p_s = ds[surv]
    rows0 = np.concatenate([r_root, net.cord_bus[p_cord]])
    cols0 = np.concatenate([r_s, p_s])
    # affected (scenario, bus) pairs: the ancestors of every changed injection, numbered by
    # scenario and then depth-first number, so a pair's subtree is a run of pairs after it
    xt = sp.csr_matrix((np.ones(len(rows0)), (cols0, tin[rows0])), shape=(n_s, n))
    pat = xt @ topo.tin_matrix()
    pat.sort_indices()
    ps = np.repeat(np.arange(n_s, dtype=np.int64), np.diff(pat.indptr))
    keys = ps * n + pat.indices
    pb = topo.tin_order()[pat.indices]
    fixed = np.zeros(len(keys), bool)
    fixed[np.searchsorted(keys, r_s * n + tin[r_root])] = True
    # rating checks at the live affected buses
    live_pairs = np.flatnonzero(~fixed)
    c_order = np.argsort(checks.bus, kind="stable")
    ptr = np.concatenate(([0], np.cumsum(np.bincount(checks.bus, minlength=n))))
    a = ptr[pb[live_pairs]]
    g, pos = expand(a, ptr[pb[live_pairs] + 1] - a)
    pi, row = live_pairs[g], c_order[pos]
    keep = checks.overload[row]
    lost_mask = lost[inv]
    # the pair tree (for the voltage estimate): parent pairs, and the pairs level by level
    m = len(keys)
    par = topo.ap[pb]
    pk = ps * n + tin[np.maximum(par, 0)]
    pp = np.minimum(np.searchsorted(keys, pk), max(m - 1, 0))
    ok = (par >= 0) & (keys[pp] == pk) & ~net.sets_voltage[np.maximum(par, 0)] if m else np.zeros(0, bool)
    par_pair = np.where(ok, pp, -1)
    dep = depth_of(topo.ap, alive)[pb]
    order = np.argsort(dep, kind="stable")
    cuts = np.flatnonzero(np.diff(dep[order])) + 1
    levels = tuple(np.split(order, cuts)) if m else ()
    return Plan(
        n_s=n_s, r_s=r_s, r_lo=r_lo, r_hi=r_hi, r_root=r_root, lost_s=k_s[lost], lost_rack=k_rack[lost],
        lost_batt=k_batt[lost], lost_ups=np.where(on_batt, u, -1)[lost_mask],
        lost_inv=np.cumsum(lost)[inv[lost_mask]] - 1, batt_cord=on_batt[lost_mask], p_cord=p_cord, p_s=p_s,
        ps=ps, pb=pb, keys=keys, pos0=np.searchsorted(keys, cols0 * n + tin[rows0]), fixed=fixed,
        hi=np.searchsorted(keys, ps * n + tout[pb]), groups=branch_groups(np.where(fixed, -1, net.branch[pb])),
        chk_pair=pi[keep], chk_row=row[keep], par_pair=par_pair, levels=levels)


def run(pl: Plan, net: PowerNetwork, st: FlowState, checks: Checks, base_util: np.ndarray,
        phase_factor: np.ndarray, max_rounds: int, tol: float):
    """Values of every planned scenario against the normal state ``st``.

    Returns
    -------
    (s_out, overloaded, near, lost)
        Per pair the new output power; (scenario, check row, utilisation) of overloads;
        scenarios within :data:`NEAR` of a limit; and (scenario, rack, on battery, runtime)
        of racks lost.
    """
    topo = st.topo
    pb, ps, fixed = pl.pb, pl.ps, pl.fixed
    m = len(pl.keys)
    vals0 = np.concatenate([-st.s_in[pl.r_root], net.rack_s_pu[net.cord_rack[pl.p_cord]] - st.cord_s[pl.p_cord]])
    x0 = np.zeros(m, dtype=complex)
    np.add.at(x0, pl.pos0, vals0)
    series, tx, ups, conv = pl.groups
    V = st.V[pb]
    kz = np.zeros(m, dtype=complex)
    kz[series] = st.z[pb[series]] / np.abs(V[series]) ** 2  # series loss z |S|^2 / |V|^2, V frozen
    d_fixed = np.zeros(m, dtype=complex)  # iron losses; dead roots add nothing
    d_fixed[tx] += net.p_fe_w[pb[tx]] / S_BASE_VA * np.abs(st.V[topo.ap[pb[tx]]]) ** 2
    eff_u = net.eff[pb[ups]]
    k_c = 1.0 / net.eff[pb[conv]] - 1.0
    d0 = st.d[pb]
    base_in = st.s_in[pb]
    x0m = x0 - np.where(fixed, 0.0, d0)  # injections: x0 plus each branch's change of addition
    dcur = np.where(fixed, 0.0, d0)
    cs = np.zeros(m + 1, dtype=complex)
    unsettled = np.zeros(m, dtype=bool)
    with np.errstate(over="ignore", invalid="ignore"):  # a diverging sweep is caught below
        for _ in range(max_rounds + 1):
            np.cumsum(x0m + dcur, out=cs[1:])
            s_in = base_in + (cs[pl.hi] - cs[:-1])
            so = s_in - dcur
            dn = d_fixed + kz * (so.real * so.real + so.imag * so.imag)
            su = so[ups]
            dn[ups] = su.real / eff_u - su
            dn[conv] = so[conv].real * k_c
            moved = np.abs(dn - dcur)
            unsettled = ~(moved < tol)  # NaN counts as unsettled
            if not unsettled.any():
                break
            dcur = dn
    # scenarios whose losses did not settle (far overloaded) go to a full load flow, which
    # says whether they have a solution at all; the others must balance
    diverged = set(np.unique(ps[unsettled]).tolist()) if unsettled.any() else set()
    s_out = s_in - dcur
    s_out[fixed] = 0.0
    _check_balance(net, st, pl, s_in, base_in, dcur, d0, vals0[len(pl.r_root):], diverged)
    # utilisation at the affected checks
    pi, row = pl.chk_pair, pl.chk_row
    b = pb[pi]
    val = measure(checks.kind[row], s_out[pi], np.abs(V[pi]), topo.base_v[b], phase_factor[b], net.one_phase[b])
    lim = checks.limit[row]
    with np.errstate(divide="ignore", invalid="ignore"):
        util = np.where(lim > 0, val / np.where(lim > 0, lim, 1.0), np.where(val > 0, np.inf, 0.0))
    rising = util > base_util[row] + 1e-9
    over = (util > OVER) & rising
    overloaded = (ps[pi[over]], row[over], util[over])
    near = set(np.unique(ps[pi[rising & (np.abs(util - 1.0) < NEAR)]]).tolist())
    # voltages were frozen at the normal state: where a scenario's load comes near what its path
    # can deliver at all (the nose of the P-V curve), the voltage no longer stands still, so a
    # full load flow decides (and says when there is no solution)
    live = ~fixed
    if live.any():
        from designer.solvers.power.collapse import _limit
        from designer.solvers.power.loadflow import zone_voltages

        zp = st.z_path()
        sel = np.flatnonzero(live & (np.abs(zp[pb]) > 0))
        v_root, k = zone_voltages(net, topo)
        b = pb[sel]
        so_l = s_out[sel]
        ratio = np.abs(so_l) / _limit(zp[b], so_l, (v_root * k)[b])
        near |= set(np.unique(ps[sel][~(ratio < COLLAPSE_SCREEN)]).tolist())
        near |= _low_voltage(pl, st, s_out, V)
    # racks lost, with the longest battery runtime among each rack's cords
    rt_bus = np.zeros(net.n_bus)
    ub = np.flatnonzero(net.bus_kind == UPS_IN)
    rt_bus[ub] = [net.items[net.bus_item[x]].runtime_min for x in ub]
    run_min = np.full(len(pl.lost_s), -np.inf)
    if pl.lost_inv.size:
        np.maximum.at(run_min, pl.lost_inv, np.where(pl.batt_cord, rt_bus[np.maximum(pl.lost_ups, 0)], -np.inf))
    return s_out, overloaded, near | diverged, (pl.lost_s, pl.lost_rack, pl.lost_batt, run_min)


VOLTAGE_SCREEN = 0.92
"""Scenarios whose estimated lowest voltage falls below this (pu, and below the normal state's)
are re-solved by a full load flow, which checks :data:`redundancy.VOLTAGE_MIN_PU`."""


def _low_voltage(pl: Plan, st: FlowState, s_out: np.ndarray, V: np.ndarray) -> set:
    """Scenarios whose voltages may sag too far: each pair's voltage change from the change of the
    currents above it (``-sum z dI`` down to its zone root, level by level), added to the lowest
    normal-state voltage below it."""
    if not pl.levels:
        return set()
    pb, fixed = pl.pb, pl.fixed
    with np.errstate(divide="ignore", invalid="ignore"):
        dI = np.where(fixed | (np.abs(V) == 0), 0.0, np.conj((s_out - st.s_out[pb]) / np.where(V != 0, V, 1.0)))
    dz = st.z[pb] * dI
    dv = np.zeros(len(pb), dtype=complex)
    for idx in pl.levels:
        p = pl.par_pair[idx]
        dv[idx] = np.where(p >= 0, dv[np.maximum(p, 0)], 0.0) - dz[idx]
    unit = np.where(np.abs(V) > 0, np.conj(V) / np.where(np.abs(V) > 0, np.abs(V), 1.0), 0.0)
    vmin = st.v_min_below()[pb]
    est = vmin + (dv * unit).real
    low = ~fixed & (est < VOLTAGE_SCREEN) & (est < vmin - 1e-9)
    return set(np.unique(pl.ps[low]).tolist())


def _check_balance(net, st, pl: Plan, s_in, base_in, dcur, d0, p_dload, skip: set = frozenset()) -> None:
    """Per scenario: change of source output = change of loads + change of losses (real power).

    The loads and losses that disappear with a dead subtree come from prefix sums over the
    normal state in depth-first order, independently of the sweep's own sums. Raises
    ``AssertionError`` when they disagree (a bug).
    """
    tin = st.topo.ranges()[0]
    n = net.n_bus
    live = np.flatnonzero(tin >= 0)
    load_t, loss_t = np.zeros(n), np.zeros(n)
    load_t[tin[live]] = st.load.real[live]
    loss_t[tin[live]] = st.d.real[live]
    c_load = np.concatenate(([0.0], np.cumsum(load_t)))
    c_loss = np.concatenate(([0.0], np.cumsum(loss_t)))
    ps, n_s = pl.ps, pl.n_s
    src = net.bus_kind[pl.pb] == SOURCE
    d_src = np.bincount(ps[src], weights=(s_in - base_in).real[src], minlength=n_s)
    d_load = (np.bincount(pl.p_s, weights=p_dload.real, minlength=n_s)
              - np.bincount(pl.r_s, weights=c_load[pl.r_hi] - c_load[pl.r_lo], minlength=n_s))
    nf = ~pl.fixed
    d_loss = (np.bincount(ps[nf], weights=(dcur - d0).real[nf], minlength=n_s)
              - np.bincount(pl.r_s, weights=c_loss[pl.r_hi] - c_loss[pl.r_lo], minlength=n_s))
    err = np.abs(d_src - d_load - d_loss)
    tol = 1e-7 * max(1.0, float(np.abs(st.s_in[net.bus_kind == SOURCE].real).sum()))
    bad = np.array([k for k in np.flatnonzero(~(err <= tol)) if int(k) not in skip], dtype=np.int64)
    if bad.size:
        k = int(bad[0])
        raise AssertionError(f"power balance does not close in failure scenario {k}: sources {d_src[k]:.3g}, "
                             f"loads {d_load[k]:.3g}, losses {d_loss[k]:.3g} pu")
