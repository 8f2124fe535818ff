"""One site's power analysis end to end: build, load flow, phases, ratings, single failures.

:func:`solve_site` is the entry point; it returns the frozen :class:`SitePower` and the
findings. A ``cache`` dict (kept by the analysis between runs) holds the live-tree
matrices, which only change when the topology does (not when loads, lengths or ratings do).
"""

from __future__ import annotations

import hashlib
import time

import numpy as np

from designer.model.findings import Finding
from designer.model.project import Site
from designer.solvers.power.checks import UNITS, build_checks, current_points, measure, utilisation
from designer.solvers.power.collapse import fix_text
from designer.solvers.power.findings import site_findings
from designer.solvers.power.loadflow import FlowState, LoadFlowDiverged, Topology, solve_flow, topology
from designer.solvers.power.network import CORD, JUNCTION, PHASES, S_BASE_VA, PowerNetwork, build_network
from designer.solvers.power.phases import PhaseState, phase_state, suggest_phases
from designer.solvers.power.redundancy import Outcome, scenarios, sweep
from designer.solvers.power.results import (
    CheckValue,
    FailureScenario,
    FeedPower,
    LazyMap,
    LazySeq,
    NodePower,
    RackPower,
    SitePower,
    frozen_map,
)


def _signature(net: PowerNetwork) -> str:
    h = hashlib.blake2b(digest_size=16)
    for a in (net.parent, net.alt, net.bus_kind, net.sets_voltage, net.origin_v, net.equip_v):
        h.update(np.ascontiguousarray(a).tobytes())
    return h.hexdigest()


def cached_topology(net: PowerNetwork, cache: dict | None) -> Topology:
    """The normal-state live tree, reused from ``cache`` when the topology is unchanged."""
    if cache is None:
        return topology(net)
    key = ("topology", net.site_id)
    sig = _signature(net)
    hit = cache.get(key)
    if hit is not None and hit[0] == sig:
        return hit[1]
    topo = topology(net)
    cache[key] = (sig, topo)
    return topo


def solve_site(site: Site, cache: dict | None = None, sweep_failures: bool = True,
               standard: str = "IEC 60364-5-52") -> tuple[SitePower, list[Finding]]:
    """Power chain of ``site``: flows, margins, phases, and every single failure.

    Returns
    -------
    (SitePower, findings)
    """
    t0 = time.perf_counter()
    net = build_network(site.hall, site.id, standard)
    topo = cached_topology(net, cache)
    try:
        st = solve_flow(net, topo=topo)
    except LoadFlowDiverged as e:
        e.findings = list(net.findings)  # what the build found still stands
        raise
    ph = phase_state(net, st)
    checks = build_checks(net)
    b = checks.bus
    val = measure(checks.kind, st.s_out[b], np.abs(st.V[b]), topo.base_v[b], ph.factor[b], net.one_phase[b])
    val = np.where(topo.alive[b], val, 0.0)
    util = utilisation(checks, val)
    new_phase, ph2 = _phase_suggestion(net, st, ph)
    t1 = time.perf_counter()
    outcomes: list[Outcome] = []
    if sweep_failures:
        sub = cache.setdefault(("sweep", site.id), {}) if cache is not None else None
        outcomes = sweep(net, st, checks, util, ph.factor, scenarios(net, st), cache=sub)
    t2 = time.perf_counter()
    res = _assemble(site, net, st, ph, ph2, checks, val, util, new_phase, outcomes,
                    (t1 - t0) * 1e3, (t2 - t1) * 1e3)
    findings = net.findings + site_findings(net, st, ph, ph2, checks, val, util, outcomes, res)
    return res, findings


def _phase_suggestion(net: PowerNetwork, st: FlowState, ph: PhaseState) -> tuple[np.ndarray, PhaseState]:
    """The suggested phases, kept only in UPS zones where some bus's imbalance drops by 1 point or more."""
    new_phase = suggest_phases(net, st)
    if np.array_equal(new_phase, net.cord_phase):
        return new_phase, ph
    ph2 = phase_state(net, st, new_phase)
    zr = st.topo.zone_root
    gain = np.where(st.topo.alive, ph.imbalance - ph2.imbalance, 0.0)
    best = np.full(net.n_bus, -np.inf)
    live = np.flatnonzero(zr >= 0)
    np.maximum.at(best, zr[live], gain[live])
    cz = zr[net.cord_bus]
    keep = (cz >= 0) & (best[np.maximum(cz, 0)] >= 0.01)
    if not keep.all():
        new_phase = np.where(keep, new_phase, net.cord_phase)
        ph2 = phase_state(net, st, new_phase)
    return new_phase, ph2


def _assemble(site: Site, net: PowerNetwork, st: FlowState, ph: PhaseState, ph2: PhaseState, checks, val, util,
              new_phase, outcomes: list[Outcome], solve_ms: float, sweep_ms: float) -> SitePower:
    """Result columns computed at once; the per-item result objects are built on demand."""
    topo = st.topo
    alive, ap = topo.alive, topo.ap
    Vabs = np.abs(st.V)
    vpar = np.where(ap >= 0, Vabs[np.maximum(ap, 0)], Vabs)
    origin_abs = np.where(topo.origin >= 0, Vabs[np.maximum(topo.origin, 0)], Vabs)
    drop = np.where(alive, (origin_abs - Vabs) * 100.0, 0.0)
    fdrop = np.where(alive, (vpar - Vabs) * 100.0, 0.0)
    ni = len(net.items)
    item_loss = np.bincount(np.maximum(net.bus_item, 0), weights=np.where(net.bus_item >= 0, st.loss_kw, 0.0),
                            minlength=ni)
    # tree links: the item owning each entry bus's (active, else normal) parent
    e, o = net.item_entry, net.item_out
    pbus = np.where(alive[e], ap[e], net.parent[e])
    pitem = np.where(pbus >= 0, net.bus_item[np.maximum(pbus, 0)], -1)
    pitem = np.where(pitem == np.arange(ni), -1, pitem)
    kids = _groups(pitem, ni)
    feeds_of = _groups(net.cord_supply, ni)
    # the point whose current is rated (first ampere check of the item, else its output)
    own = checks.owner
    cb = current_points(net, checks)
    rows_of = _groups(np.where(own >= 0, own, -1), ni)
    over = checks.overload & (own >= 0) & ~checks.cable  # the equipment's own ratings (its feeder: a finding)
    item_util = np.zeros(ni)
    np.maximum.at(item_util, own[over], util[over])
    s_item = st.s_out[o] * S_BASE_VA / 1e3
    is_tap = np.array([k == "tap" for k in net.item_kind], bool)
    head = np.where(is_tap & (pitem >= 0), e[np.maximum(pitem, 0)], e)
    fd_item = np.where(is_tap, np.where(alive[e], (Vabs[head] - Vabs[e]) * 100.0, 0.0), fdrop[e])
    flen = np.where(topo.via_alt[e], net.alt_len_m[e], net.feeder_len_m[e])
    end_v = Vabs[o].copy()
    jb = np.flatnonzero((net.bus_kind == JUNCTION) & alive)
    np.minimum.at(end_v, net.bus_item[jb], Vabs[jb])
    ids = [it.id for it in net.items]

    def node(i: int) -> NodePower:
        it = net.items[i]
        kind = net.item_kind[i]
        c = int(cb[i])
        s = complex(s_item[i])
        rows = rows_of[i]
        return NodePower(
            id=it.id, kind=kind, name=it.name or it.id, side="" if kind == "tap" else it.side,
            parent_id=ids[pitem[i]] if pitem[i] >= 0 else None,
            alternate_id=None if kind in ("source", "tap") else it.alternate_upstream_id,
            children=tuple(ids[k] for k in kids[i]), feeds=tuple(cord_keys[k] for k in feeds_of[i]),
            energised=bool(alive[e[i]]), on_alternate=bool(topo.via_alt[e[i]]), p_kw=s.real, q_kvar=s.imag,
            s_kva=abs(s), power_factor=abs(s.real) / abs(s) if abs(s) > 0 else 1.0,
            current_a=float(ph.phase_a[c].max()), phase_current_a=tuple(float(x) for x in ph.phase_a[c]),
            neutral_a=float(ph.neutral_a[c]), imbalance=float(ph.imbalance[c]),
            imbalance_balanced=float(ph2.imbalance[c]), voltage_v=float(Vabs[o[i]] * topo.base_v[o[i]]),
            voltage_pu=float(Vabs[o[i]]), drop_pct=float(drop[o[i]]), feeder_drop_pct=float(fd_item[i]),
            feeder_length_m=float(it.offset_m if kind == "tap" else flen[i]),
            feeder_routed=bool(net.feeder_routed[e[i]]) and kind != "tap", loss_kw=float(item_loss[i]),
            utilisation=float(item_util[i]),
            checks=tuple(CheckValue(checks.what[r], float(val[r]), UNITS[checks.kind[r]], float(checks.rating[r]),
                                    float(checks.limit[r]), float(util[r])) for r in rows),
            end_voltage_pu=float(end_v[i]))

    # rack cords
    cord_keys = [f"{lbl}" for lbl in (net.bus_label[b] for b in net.cord_bus)]
    bus = net.cord_bus
    one = net.one_phase[bus]
    cur = st.current_a[bus]
    v_c = np.where(alive[bus] & (Vabs[bus] > 0), Vabs[bus], 1.0)
    i_full = np.abs(net.rack_s_pu[net.cord_rack]) * S_BASE_VA / (np.sqrt(3.0) * topo.base_v[bus] * v_c)
    i_full = np.where(one, 3.0 * i_full, i_full)
    lim = net.cord_breaker_a * 0.8
    with np.errstate(divide="ignore", invalid="ignore"):
        u_c = np.where(lim > 0, cur / lim, np.inf)
        u_full = np.where(lim > 0, i_full / lim, np.inf)
    # single-phase cords: their own line's phase-to-neutral voltage from the unbalanced flow
    u = ph.flow
    drop_c, fdrop_c = drop[bus].copy(), fdrop[bus].copy()
    v_pu = Vabs[bus].copy()
    if u is not None and u.region.any():
        sel = np.flatnonzero(one & u.region[bus] & (net.cord_phase > 0))
        if sel.size:
            b1 = bus[sel]
            p1 = net.cord_phase[sel] - 1
            vc = np.abs(u.V[b1, p1])
            vpar = np.abs(u.V[np.maximum(ap[b1], 0), p1])
            v_pu[sel] = vc
            drop_c[sel] = (origin_abs[b1] - vc) * 100.0
            fdrop_c[sel] = (vpar - vc) * 100.0
    v_rack = v_pu * topo.base_v[bus] / np.where(one, np.sqrt(3.0), 1.0)
    v_ln = topo.base_v[bus] / np.sqrt(3.0)
    if u is not None:
        v_ph = np.abs(u.V[bus]) * v_ln[:, None]
    else:
        v_ph = np.repeat((Vabs[bus] * v_ln)[:, None], 3, axis=1)
    if len(bus):
        single = np.flatnonzero(net.cord_phase > 0)
        keep = np.zeros_like(v_ph, dtype=bool)
        keep[single, net.cord_phase[single] - 1] = True
        keep[net.cord_phase == 0] = True
        v_ph = np.where(keep & alive[bus][:, None], v_ph, 0.0)
    sup_ids = [ids[k] for k in net.cord_supply]

    def feed(c: int) -> FeedPower:
        b = int(bus[c])
        r = int(net.cord_rack[c])
        return FeedPower(
            key=cord_keys[c], rack_id=net.racks[r].id, side="AB"[net.cord_side[c]], source_id=sup_ids[c],
            phase=PHASES[net.cord_phase[c]], energised=bool(alive[b]), p_kw=float(st.cord_s[c].real * 1e3),
            s_kva=float(abs(st.cord_s[c]) * 1e3), current_a=float(cur[c]), current_full_a=float(i_full[c]),
            breaker_a=float(net.cord_breaker_a[c]), limit_a=float(lim[c]), margin_a=float(lim[c] - cur[c]),
            margin_full_a=float(lim[c] - i_full[c]), utilisation=float(u_c[c]), utilisation_full=float(u_full[c]),
            voltage_v=float(v_rack[c]), voltage_pu=float(v_pu[c]), drop_pct=float(drop_c[c]),
            cord_drop_pct=float(fdrop_c[c]), length_m=float(net.cord_len_m[c]), routed=bool(net.cord_routed[c]),
            phase_voltage_v=tuple(float(x) for x in v_ph[c]))

    nr = len(net.racks)
    r_margin = np.full(nr, np.inf)
    np.minimum.at(r_margin, net.cord_rack, lim - i_full)
    r_util = np.zeros(nr)
    np.maximum.at(r_util, net.cord_rack, u_full)

    def rack(r: int) -> RackPower:
        rk = net.racks[r]
        keys = tuple(cord_keys[c] for c in net.rack_cords[r] if c >= 0)
        return RackPower(rack_id=rk.id, name=rk.name or rk.id, p_kw=float(net.rack_s_pu[r].real * 1e3),
                         s_kva=float(abs(net.rack_s_pu[r]) * 1e3), powered=bool(st.rack_powered[r]), feeds=keys,
                         margin_a=float(r_margin[r]) if keys else 0.0, utilisation=float(r_util[r]))

    nodes = LazyMap(ids, node)
    scen = LazySeq(len(outcomes), lambda k: _scenario(net, checks, outcomes[k], cord_keys, topo.base_v))
    base_ok = not np.any(checks.overload & (util > 1.0 + 1e-9)) and bool(st.rack_powered.all())
    bad = [k for k, oc in enumerate(outcomes) if not oc.ok]
    worst_k = max(bad, key=lambda k: (outcomes[k].racks_lost.size,
                                      max((u for _, u in outcomes[k].overloaded), default=0.0)), default=None)
    worst_txt = "no single failure loses a rack or overloads anything" if outcomes else "no failures simulated"
    if not base_ok:
        worst_txt = "the normal state already has overloads or racks without power; " + worst_txt
    suggestion: dict[str, dict[str, str]] = {}
    for c in np.flatnonzero(new_phase != net.cord_phase):
        rid = net.racks[net.cord_rack[c]].id
        suggestion.setdefault(rid, {})[f"feed_{'ab'[net.cord_side[c]]}.phase"] = PHASES[new_phase[c]]
    roots = tuple(ids[i] for i, k in enumerate(net.item_kind) if k == "source")
    res = SitePower(
        site_id=site.id, scheme=site.hall.power.scheme, nodes=nodes, feeds=LazyMap(cord_keys, feed),
        racks=LazyMap([r.id for r in net.racks], rack), roots=roots, scenarios=scen,
        survives=base_ok and not bad, worst=worst_txt,
        worst_scenario=scen[worst_k].id if worst_k is not None else None,
        it_kw=float(net.rack_s_pu.real.sum() * 1e3), source_kw=st.source_kw, losses_kw=st.losses_kw,
        balance_error_kw=st.balance_error_kw, racks_total=nr, racks_powered=int(st.rack_powered.sum()),
        phase_suggestion=frozen_map({k: frozen_map(v) for k, v in suggestion.items()}),
        solve_ms=solve_ms, sweep_ms=sweep_ms, iterations=st.iterations,
        scenario_index=frozen_map({f"{oc.spec.kind}:{oc.spec.subject}": k for k, oc in enumerate(outcomes)}),
        it_powered_kw=float(net.rack_s_pu.real[st.rack_powered].sum() * 1e3) if nr else 0.0)
    if worst_k is not None:
        txt = describe(scen[worst_k], res)
        object.__setattr__(res, "worst", txt if base_ok else
                           "the normal state already has overloads or racks without power; " + txt)
    return res


def _groups(owner: np.ndarray, n: int) -> list[np.ndarray]:
    """Indices grouped by ``owner`` value (0..n-1; negatives ignored)."""
    idx = np.flatnonzero(owner >= 0)
    order = idx[np.argsort(owner[idx], kind="stable")]
    cuts = np.searchsorted(owner[order], np.arange(n + 1))
    return [order[cuts[k]:cuts[k + 1]] for k in range(n)]


def _scenario(net: PowerNetwork, checks, oc: Outcome, cord_keys: list[str], base_v: np.ndarray) -> FailureScenario:
    sp = oc.spec
    over = []
    fixes = []
    for r, u in sorted(oc.overloaded, key=lambda x: -x[1]):
        o = int(checks.owner[r])
        over.append((net.items[o].id if o >= 0 else cord_keys[-o - 1], checks.what[r], u))
        if checks.what[r] == "feeder cable":
            b = int(checks.bus[r])
            fixes.append(cable_fix(net, b, u * float(checks.limit[r]), float(base_v[b])))
    return FailureScenario(
        id=f"{sp.kind}:{sp.subject}", kind=sp.kind, subject=sp.subject, label=sp.label,
        failed_ids=tuple(net.items[i].id for i in sp.failed),
        racks_lost=tuple(net.racks[r].id for r in oc.racks_lost),
        racks_on_battery=tuple(net.racks[r].id for r in oc.racks_on_battery), battery_min=oc.battery_min,
        overloaded=tuple(over), ok=oc.ok, exact=oc.exact, no_solution=oc.no_solution,
        no_solution_fix=fix_text(oc.collapse) if oc.no_solution else "", cable_fixes=tuple(fixes),
        low_voltage=_low_text(net, oc.low_voltage))


def _low_text(net: PowerNetwork, low: tuple) -> str:
    if not low:
        return ""
    b, pu, volts = low
    if net.bus_kind[b] == CORD:
        c = int(net.bus_cord[b])
        r = net.racks[net.cord_rack[c]]
        where = f"rack {r.name or r.id}"
        if net.one_phase[b]:
            volts /= np.sqrt(3.0)
    else:
        where = net.item_label(int(net.bus_item[b]))
    return f"{where} at {pu:.3f} pu ({volts:.0f} V)"


def cable_fix(net: PowerNetwork, bus: int, current_a: float, volts: float) -> str:
    """'use 3 x 240 mm2 ...': the feeder of ``bus`` sized for ``current_a`` in its own standard,
    installation method and grouping (checked: the choice carries it at 80 %). Kept on the
    network per (bus, current to the ampere), since many scenarios ask for the same. ``volts``:
    the line-line voltage of the feeder (for its drop)."""
    memo = net.__dict__.setdefault("_cable_fix", {})
    key = (bus, round(current_a))
    hit = memo.get(key)
    if hit is None:
        hit = memo[key] = _cable_fix(net, bus, current_a, volts)
    return hit


def _cable_fix(net: PowerNetwork, bus: int, current_a: float, volts: float) -> str:
    from designer.solvers.sizing import choose_cable, size_name

    mm2, sets, inferred, method, grp, amb = net.feeder_cable[bus]
    i = int(net.bus_item[bus])
    length = float(net.feeder_len_m[bus])
    v = volts if np.isfinite(volts) and volts > 0 else 400.0
    ch = choose_cable(current_a, length, v, net.standard, method, grp, amb)
    size = f"{ch.sets} x {size_name(ch.mm2, net.standard)}" if ch.sets > 1 else size_name(ch.mm2, net.standard)
    return (f"feeder of {net.item_label(i)}: use {size} copper per phase ({ch.ampacity_a:.0f} A derated, "
            f"{net.standard}{'' if net.standard != 'IEC 60364-5-52' else ' method ' + method}) for "
            f"{current_a:.0f} A" + ("" if ch.ok else "; even that is not enough: split the load"))


def describe(s: FailureScenario, site: SitePower) -> str:
    """A scenario's outcome in plain words."""
    parts = []
    if s.no_solution:
        parts.append(f"no load-flow solution: {s.no_solution}")
    if s.racks_lost:
        n = len(s.racks_lost)
        txt = f"{n} rack{'s' if n > 1 else ''} lose{'' if n > 1 else 's'} power"
        if s.racks_on_battery:
            txt += f" ({len(s.racks_on_battery)} after {s.battery_min:g} min on UPS battery)"
        parts.append(txt)
    if s.low_voltage:
        parts.append(f"the voltage falls to {s.low_voltage}, below 0.9 pu")
    for oid, what, u in s.overloaded[:3]:
        parts.append(f"{site.name_of(oid)} at {u * 100:.0f} % of its {what} limit" if np.isfinite(u)
                     else f"{site.name_of(oid)} beyond its {what} limit (rated 0)")
    if len(s.overloaded) > 3:
        parts.append(f"{len(s.overloaded) - 3} more overloads")
    return f"{s.label}: " + ", ".join(parts) if parts else f"{s.label}: survives"
