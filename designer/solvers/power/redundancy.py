"""Single-failure sweep: lose each component (and each side) in turn and check the survivors.

Most failures only *remove* a subtree: everything below the failed component goes dark,
and racks that lost one cord move their whole load onto the other. Those scenarios are
solved incrementally and all at once, against the solved normal state:

* the buses are numbered in depth-first order, so a failure's dead set is one interval
  and the dead cords of every scenario come from two binary searches;
* each scenario changes the injections at a few buses (minus the dead subtree's input at
  its root, plus the extra load on each surviving partner cord); one sparse product
  ``T @ dX`` (buses x scenarios) spreads them up to every ancestor;
* branch losses along the affected paths are recomputed from those flows (voltages held
  at the normal state's, a second-order effect) and fed back for a few rounds.

Scenarios where a transfer switch moves a board onto its alternate supply change the tree
itself; they (a handful at most) get a full load flow. Losing one UPS module changes no
flow, only the UPS's capacity, so it is a comparison.

A rack whose cords all go dark but one of them hangs below a UPS that merely lost its
input keeps running on battery for the UPS's runtime; it is reported as lost after that
runtime (the sweep is about sustained failures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

from designer.solvers.power.checks import Checks, measure, utilisation
from designer.solvers.power.loadflow import FlowState, branch_groups, solve_flow
from designer.solvers.power.network import KIND_LABEL, S_BASE_VA, SOURCE, UPS_IN, PowerNetwork
from designer.solvers.power.phases import phase_state
from designer.solvers.power.tree import nearest_ancestor

FAILABLE = ("source", "transformer", "switchboard", "ups", "pdu", "busway", "tap")
OVER = 1.0 + 1e-9
NEAR = 0.005
"""Scenarios with a utilisation this close to 1.0 are re-solved by a full load flow."""


@dataclass(slots=True)
class ScenarioSpec:
    kind: str
    """One of :data:`FAILABLE`, ``"ups_module"`` or ``"side"``."""
    subject: str
    """The failed item's id, or the side label."""
    name: str
    """The failed item's name (or the side label), for the label."""
    failed: tuple[int, ...]
    """Item indices lost."""
    modules: int = 0

    @property
    def label(self) -> str:
        if self.kind == "side":
            return f"all of side {self.name} fails"
        if self.kind == "ups_module":
            return f"one module of UPS {self.name} fails (any of {self.modules})"
        return f"{KIND_LABEL.get(self.kind, self.kind)} {self.name} fails"


@dataclass
class Outcome:
    spec: ScenarioSpec
    racks_lost: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    racks_on_battery: np.ndarray = field(default_factory=lambda: np.zeros(0, np.int64))
    battery_min: float = 0.0
    """Shortest runtime among the UPSs carrying racks on battery (min)."""
    overloaded: list[tuple[int, float]] = field(default_factory=list)
    """(check row, utilisation) of each check driven over its limit."""
    exact: bool = False
    """Solved by a full load flow (transfer switches involved) rather than incrementally."""
    flows: tuple[np.ndarray, np.ndarray] | None = None
    """With ``keep_flows``: (buses whose throughput changed, their new ``S_out`` per unit)."""

    @property
    def ok(self) -> bool:
        return self.racks_lost.size == 0 and not self.overloaded


def scenarios(net: PowerNetwork, st: FlowState) -> list[ScenarioSpec]:
    """Every single failure of live equipment, one module of each modular UPS, and each side."""
    alive = st.topo.alive[net.item_entry]
    out: list[ScenarioSpec] = []
    sides: dict[str, list[int]] = {}
    for i, (kind, it) in enumerate(zip(net.item_kind, net.items, strict=True)):
        if not alive[i]:
            continue
        out.append(ScenarioSpec(kind, it.id, it.name or it.id, (i,)))
        if kind == "ups" and it.module_count >= 2:
            out.append(ScenarioSpec("ups_module", it.id, it.name or it.id, (i,), it.module_count))
        if kind != "tap" and it.side:
            sides.setdefault(it.side, []).append(i)
    for label in sorted(sides):
        out.append(ScenarioSpec("side", label, label, tuple(sides[label])))
    return out


def sweep(net: PowerNetwork, st: FlowState, checks: Checks, base_util: np.ndarray,
          phase_factor: np.ndarray, specs: list[ScenarioSpec], max_rounds: int = 8,
          tol: float = 1e-8, keep_flows: bool = False) -> list[Outcome]:
    """Outcome of every scenario in ``specs`` against the normal state ``st``.

    ``keep_flows`` keeps each scenario's changed bus flows on its outcome (for tests).
    """
    topo = st.topo
    alive = topo.alive
    outcomes = [Outcome(s) for s in specs]
    tin, tout = topo.ranges()
    ats = np.flatnonzero((net.alt >= 0) & alive & ~topo.via_alt)
    ats = ats[alive[net.alt[ats]]]
    # single-item failures, all at once: each kills one subtree
    single = np.array([k for k, sp_ in enumerate(specs) if len(sp_.failed) == 1 and sp_.kind != "ups_module"],
                      dtype=np.int64)
    root = net.item_entry[np.array([specs[k].failed[0] for k in single], dtype=np.int64)]
    keep = alive[root] if root.size else np.zeros(0, bool)
    single, root = single[keep], root[keep]
    slow_mask = np.zeros(len(single), bool)
    for t in ats:  # a transfer switch inside the dead subtree whose alternate survives
        lo, hi = tin[root], tout[root]
        inside = (tin[t] >= lo) & (tin[t] < hi) & (root != t)
        alt_in = (tin[net.alt[t]] >= lo) & (tin[net.alt[t]] < hi)
        slow_mask |= inside & ~alt_in
    slow = list(single[slow_mask])
    r_s, r_root = [single[~slow_mask]], [root[~slow_mask]]
    for si, spec in enumerate(specs):
        if spec.kind == "ups_module":
            _module(net, st, checks, outcomes[si])
        elif len(spec.failed) > 1:
            buses = sorted({int(net.item_entry[i]) for i in spec.failed if alive[net.item_entry[i]]},
                           key=lambda b: tin[b])
            kept: list[int] = []
            for b in buses:  # maximal subtrees only
                if not kept or tin[b] >= tout[kept[-1]]:
                    kept.append(b)
            lo, hi = tin[kept], tout[kept]
            rescued = False
            for t in ats:
                inside = ((tin[t] >= lo) & (tin[t] < hi)).any() and t not in buses
                alt_dead = ((tin[net.alt[t]] >= lo) & (tin[net.alt[t]] < hi)).any()
                rescued |= bool(inside and not alt_dead)
            if rescued:
                slow.append(si)
            else:
                r_s.append(np.full(len(kept), si, dtype=np.int64))
                r_root.append(np.array(kept, dtype=np.int64))
    rs, rr = np.concatenate(r_s), np.concatenate(r_root)
    if rs.size:
        near = _fast(net, st, checks, base_util, phase_factor, tin, (rs, tin[rr], tout[rr], rr), outcomes,
                     max_rounds, tol, keep_flows)
        slow += sorted(near - set(slow))
    for si in slow:
        _exact(net, st, checks, base_util, outcomes[int(si)])
    return outcomes


def _module(net: PowerNetwork, st: FlowState, checks: Checks, oc: Outcome) -> None:
    i = oc.spec.failed[0]
    u = net.items[i]
    avail = (u.module_count - 1) * u.module_kw
    s = st.s_out[net.item_out[i]] * S_BASE_VA / 1e3
    rows = np.flatnonzero((checks.owner == i) & checks.overload)
    for r in rows:
        lim = avail if checks.kind[r] == 2 else avail / max(u.power_factor, 0.05)
        val = s.real if checks.kind[r] == 2 else abs(s)
        util = val / lim if lim > 0 else np.inf
        if util > OVER:
            oc.overloaded.append((int(r), float(util)))


def _expand(starts: np.ndarray, counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(group index, position) for every element of the runs ``[starts, starts + counts)``."""
    g = np.repeat(np.arange(len(counts)), counts)
    pos = np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts) + np.repeat(starts, counts)
    return g, pos


def _fast(net, st, checks, base_util, phase_factor, tin, ranges, outcomes, max_rounds, tol, keep_flows) -> None:
    topo = st.topo
    alive = topo.alive
    n, n_s = net.n_bus, len(outcomes)
    r_s, r_lo, r_hi, r_root = ranges
    # dead cords of every scenario
    live_c = np.flatnonzero(alive[net.cord_bus]) if len(net.cord_bus) else np.zeros(0, np.int64)
    order = live_c[np.argsort(tin[net.cord_bus[live_c]], kind="stable")]
    ctin = tin[net.cord_bus[order]]
    a = np.searchsorted(ctin, r_lo)
    e = np.searchsorted(ctin, r_hi)
    g, pos = _expand(a, e - a)
    dc = order[pos]
    ds = r_s[g]
    droot = r_root[g]
    rows_x, cols_x, vals_x = [r_root], [r_s], [-st.s_in[r_root]]
    if dc.size:
        rk = net.cord_rack[dc]
        rc = net.rack_cords
        live_rc = (rc >= 0) & alive[net.cord_bus[np.maximum(rc, 0)]]
        n_live = live_rc.sum(axis=1)
        key = ds * len(net.racks) + rk
        uk, inv, cnt = np.unique(key, return_inverse=True, return_counts=True)
        k_rack = uk % len(net.racks)
        k_s = uk // len(net.racks)
        lost = cnt >= n_live[k_rack]
        # battery: the cord's UPS lost its input but not itself
        ups_in = nearest_ancestor(topo.ap, net.bus_kind == UPS_IN, alive)
        u = ups_in[net.cord_bus[dc]]
        on_batt = (u >= 0) & (tin[droot] < tin[np.maximum(u, 0)])
        rt_bus = np.zeros(n)
        ub = np.flatnonzero(net.bus_kind == UPS_IN)
        rt_bus[ub] = [net.items[net.bus_item[x]].runtime_min for x in ub]
        k_batt = np.zeros(len(uk), bool)
        np.logical_or.at(k_batt, inv, on_batt)
        k_run = np.full(len(uk), -np.inf)  # a rack runs as long as its longest-lasting cord
        np.maximum.at(k_run, inv, np.where(on_batt, rt_bus[np.maximum(u, 0)], -np.inf))
        # partners: the rack's other live cord takes the whole rack
        surv = ~lost[inv]
        p_c = rc[rk[surv], 1 - net.cord_side[dc[surv]]]
        p_s = ds[surv]
        dload = net.rack_s_pu[rk[surv]] - st.cord_s[p_c]
        rows_x.append(net.cord_bus[p_c])
        cols_x.append(p_s)
        vals_x.append(dload)
        _record_lost(outcomes, k_s[lost], k_rack[lost], k_batt[lost], k_run[lost])
    rows0 = np.concatenate(rows_x)
    cols0 = np.concatenate(cols_x)
    vals0 = np.concatenate(vals_x)
    # affected (scenario, bus) pairs: the ancestors of every changed injection, numbered by
    # scenario and then depth-first number, so a pair's subtree is a run of pairs after it
    tout = topo.ranges()[1]
    Xt = sp.csr_matrix((np.ones(len(rows0)), (cols0, tin[rows0])), shape=(n_s, n))
    pat = Xt @ topo.tin_matrix()
    pat.sort_indices()
    ps = np.repeat(np.arange(n_s, dtype=np.int64), np.diff(pat.indptr))
    keys = ps * n + pat.indices
    pb = topo.tin_order()[pat.indices]
    x0 = np.zeros(len(keys), dtype=complex)
    np.add.at(x0, np.searchsorted(keys, cols0 * n + tin[rows0]), vals0)
    fixed = np.zeros(len(keys), bool)
    fixed[np.searchsorted(keys, r_s * n + tin[r_root])] = True
    hi = np.searchsorted(keys, ps * n + tout[pb])
    # branch additions with voltages frozen at the normal state: series loss z |S|^2 / |V|^2
    series, tx, ups, conv = branch_groups(np.where(fixed, -1, net.branch[pb]))
    V = st.V[pb]
    kz = np.zeros(len(keys), dtype=complex)
    kz[series] = st.z[pb[series]] / np.abs(V[series]) ** 2
    d_fixed = np.zeros(len(keys), dtype=complex)  # iron losses; dead roots add nothing
    vpa = np.abs(st.V[topo.ap[pb[tx]]])
    d_fixed[tx] += net.p_fe_w[pb[tx]] / S_BASE_VA * vpa ** 2
    eff_u = net.eff[pb[ups]]
    k_c = 1.0 / net.eff[pb[conv]] - 1.0
    d0 = st.d[pb]
    base_in = st.s_in[pb]
    x0m = x0 - np.where(fixed, 0.0, d0)  # injections are x0 plus each branch's change of addition
    dcur = np.where(fixed, 0.0, d0)
    cs = np.zeros(len(keys) + 1, dtype=complex)
    for _ in range(max_rounds + 1):
        np.cumsum(x0m + dcur, out=cs[1:])
        s_in = base_in + (cs[hi] - cs[:-1])
        so = s_in - dcur
        dn = d_fixed + kz * (so.real * so.real + so.imag * so.imag)
        su = so[ups]
        dn[ups] = su.real / eff_u - su
        dn[conv] = so[conv].real * k_c
        step = np.max(np.abs(dn - dcur), initial=0.0)
        if step < tol:
            break
        dcur = dn
    s_out = s_in - dcur
    s_out[fixed] = 0.0
    _check_balance(net, st, tin, ps, pb, s_in, base_in, dcur, d0, fixed, r_s, r_lo, r_hi, rows0[len(r_root):],
                   cols0[len(r_root):], vals0[len(r_root):], n_s, outcomes)
    if keep_flows:
        cuts = np.flatnonzero(np.diff(ps)) + 1
        for grp in np.split(np.arange(len(ps)), cuts):
            if grp.size:
                outcomes[ps[grp[0]]].flows = (pb[grp], s_out[grp])
    # checks at the affected buses
    live_pairs = np.flatnonzero(~fixed)
    c_order = np.argsort(checks.bus, kind="stable")
    ptr = np.concatenate(([0], np.cumsum(np.bincount(checks.bus, minlength=n))))
    a = ptr[pb[live_pairs]]
    g, pos = _expand(a, ptr[pb[live_pairs] + 1] - a)
    pi = live_pairs[g]
    row = c_order[pos]
    keep = checks.overload[row]
    pi, row = pi[keep], row[keep]
    b = pb[pi]
    val = measure(checks.kind[row], s_out[pi], np.abs(V[pi]), topo.base_v[b], phase_factor[b], net.one_phase[b])
    util = utilisation_rows(checks, row, val)
    rising = util > base_util[row] + 1e-9
    over = (util > OVER) & rising
    for s_i, r_i, u_i in zip(ps[pi[over]], row[over], util[over], strict=True):
        outcomes[s_i].overloaded.append((int(r_i), float(u_i)))
    # within NEAR of a limit the frozen-voltage flows decide too closely: settle those exactly
    return set(np.unique(ps[pi[rising & (np.abs(util - 1.0) < NEAR)]]).tolist())


def _check_balance(net, st, tin, ps, pb, s_in, base_in, dcur, d0, fixed, r_s, r_lo, r_hi, p_bus, p_s, p_dload,
                   n_s, outcomes) -> None:
    """Per scenario: change of source output = change of loads + change of losses (real power).

    The losses and loads that disappear with a dead subtree come from prefix sums over the
    normal state in depth-first order, independently of the sweep's own sums.
    """
    n = net.n_bus
    live = np.flatnonzero(tin >= 0)
    by_tin_load = np.zeros(n)
    by_tin_loss = np.zeros(n)
    by_tin_load[tin[live]] = st.load.real[live]
    by_tin_loss[tin[live]] = st.d.real[live]
    c_load = np.concatenate(([0.0], np.cumsum(by_tin_load)))
    c_loss = np.concatenate(([0.0], np.cumsum(by_tin_loss)))
    src = net.bus_kind[pb] == SOURCE
    d_src = np.bincount(ps[src], weights=(s_in - base_in).real[src], minlength=n_s)
    d_load = np.bincount(p_s, weights=p_dload.real, minlength=n_s) - np.bincount(
        r_s, weights=c_load[r_hi] - c_load[r_lo], minlength=n_s)
    nf = ~fixed
    d_loss = np.bincount(ps[nf], weights=(dcur - d0).real[nf], minlength=n_s) - np.bincount(
        r_s, weights=c_loss[r_hi] - c_loss[r_lo], minlength=n_s)
    err = np.abs(d_src - d_load - d_loss)
    tol = 1e-7 * max(1.0, float(np.abs(st.s_in[net.bus_kind == SOURCE].real).sum()))
    bad = np.flatnonzero(err > tol)
    if bad.size:
        k = int(bad[0])
        raise AssertionError(f"power balance does not close in scenario '{outcomes[k].spec.label}': "
                             f"sources {d_src[k]:.3g}, loads {d_load[k]:.3g}, losses {d_loss[k]:.3g} pu")


def utilisation_rows(checks: Checks, rows: np.ndarray, value: np.ndarray) -> np.ndarray:
    lim = checks.limit[rows]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lim > 0, value / np.where(lim > 0, lim, 1.0), np.where(value > 0, np.inf, 0.0))


def _record_lost(outcomes, s_idx, racks, batt, run) -> None:
    if not len(s_idx):
        return
    order = np.lexsort((racks, s_idx))
    s_idx, racks, batt, run = s_idx[order], racks[order], batt[order], run[order]
    cuts = np.flatnonzero(np.diff(s_idx)) + 1
    for grp in np.split(np.arange(len(s_idx)), cuts):
        oc = outcomes[s_idx[grp[0]]]
        oc.racks_lost = racks[grp]
        b = batt[grp]
        oc.racks_on_battery = racks[grp][b]
        oc.battery_min = float(run[grp][b].min()) if b.any() else 0.0


def _exact(net: PowerNetwork, st: FlowState, checks: Checks, base_util: np.ndarray, oc: Outcome) -> None:
    """A scenario with transfer switches involved: a full load flow."""
    st2 = solve_flow(net, oc.spec.failed)
    oc.exact = True
    oc.flows = None
    ph = phase_state(net, st2)
    b = checks.bus
    val = measure(checks.kind, st2.s_out[b], np.abs(st2.V[b]), st2.topo.base_v[b], ph.factor[b], net.one_phase[b])
    util = utilisation(checks, val)
    over = checks.overload & st2.topo.alive[b] & (util > OVER) & (util > base_util + 1e-9)
    oc.overloaded = [(int(r), float(util[r])) for r in np.flatnonzero(over)]
    lost = np.flatnonzero(st.rack_powered & ~st2.rack_powered)
    oc.racks_lost = lost
    if lost.size:
        ups_in = nearest_ancestor(st.topo.ap, net.bus_kind == UPS_IN, st.topo.alive)
        failed_bus = {int(net.item_entry[i]) for i in oc.spec.failed}
        batt, run = [], []
        for r in lost:
            mins = [net.items[net.bus_item[u]].runtime_min for c in net.rack_cords[r] if c >= 0
                    for u in [ups_in[net.cord_bus[c]]] if u >= 0 and not st2.topo.alive[u] and u not in failed_bus]
            if mins:
                batt.append(r)
                run.append(max(mins))
        oc.racks_on_battery = np.array(batt, dtype=np.int64)
        oc.battery_min = float(min(run)) if run else 0.0
