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
from designer.solvers.power.checks import UNITS, build_checks, measure, utilisation
from designer.solvers.power.findings import site_findings
from designer.solvers.power.loadflow import FlowState, Topology, solve_flow, topology
from designer.solvers.power.network import PHASES, S_BASE_VA, PowerNetwork, build_network
from designer.solvers.power.phases import PhaseState, phase_state, suggest_phases
from designer.solvers.power.redundancy import Outcome, scenarios, sweep
from designer.solvers.power.results import (
    CheckValue,
    FailureScenario,
    FeedPower,
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


def solve_site(site: Site, cache: dict | None = None, sweep_failures: bool = True
               ) -> tuple[SitePower, list[Finding]]:
    """Power chain of ``site``: flows, margins, phases, and every single failure.

    Returns
    -------
    (SitePower, findings)
    """
    t0 = time.perf_counter()
    net = build_network(site.hall, site.id)
    topo = cached_topology(net, cache)
    st = solve_flow(net, topo=topo)
    ph = phase_state(net, st)
    checks = build_checks(net)
    b = checks.bus
    val = measure(checks.kind, st.s_out[b], np.abs(st.V[b]), topo.base_v[b], ph.factor[b], net.one_phase[b])
    val = np.where(topo.alive[b], val, 0.0)
    util = utilisation(checks, val)
    new_phase = suggest_phases(net, st)
    ph2 = phase_state(net, st, new_phase)
    t1 = time.perf_counter()
    outcomes: list[Outcome] = []
    if sweep_failures:
        outcomes = sweep(net, st, checks, util, ph.factor, scenarios(net, st))
    t2 = time.perf_counter()
    res = _assemble(site, net, st, ph, ph2, checks, val, util, new_phase, outcomes,
                    (t1 - t0) * 1e3, (t2 - t1) * 1e3)
    findings = net.findings + site_findings(net, st, ph, ph2, checks, val, util, outcomes, res)
    return res, findings


def _item_of_bus(net: PowerNetwork, b: int) -> str | None:
    if b < 0:
        return None
    i = net.bus_item[b]
    return net.items[i].id if i >= 0 else None


def _assemble(site: Site, net: PowerNetwork, st: FlowState, ph: PhaseState, ph2: PhaseState, checks, val, util,
              new_phase, outcomes: list[Outcome], solve_ms: float, sweep_ms: float) -> SitePower:
    topo = st.topo
    alive, ap, V = topo.alive, topo.ap, st.V
    Vabs = np.abs(V)
    apc = np.maximum(ap, 0)
    vpar = np.where(ap >= 0, Vabs[apc], Vabs)
    origin_abs = np.where(topo.origin >= 0, Vabs[np.maximum(topo.origin, 0)], Vabs)
    drop = np.where(alive, (origin_abs - Vabs) * 100.0, 0.0)
    fdrop = np.where(alive, (vpar - Vabs) * 100.0, 0.0)
    item_loss = np.bincount(np.maximum(net.bus_item, 0), weights=np.where(net.bus_item >= 0, st.loss_kw, 0.0),
                            minlength=len(net.items))
    cord_keys = [f"{net.racks[r].id}#{'AB'[s]}" for r, s in zip(net.cord_rack, net.cord_side, strict=True)]
    children: dict[int, list[str]] = {i: [] for i in range(len(net.items))}
    feeds_of: dict[int, list[str]] = {i: [] for i in range(len(net.items))}
    parent_item: dict[int, int] = {}
    for i in range(len(net.items)):
        e = net.item_entry[i]
        p = ap[e] if alive[e] else net.parent[e]
        if p >= 0 and net.bus_item[p] >= 0 and net.bus_item[p] != i:
            parent_item[i] = int(net.bus_item[p])
            children[int(net.bus_item[p])].append(net.items[i].id)
    for c, sup in enumerate(net.cord_supply):
        feeds_of[int(sup)].append(cord_keys[c])
    owner_rows: dict[int, list[int]] = {}
    for r, o in enumerate(checks.owner):
        owner_rows.setdefault(int(o), []).append(r)
    nodes = {}
    junction_min: dict[int, float] = {}
    for bus in np.flatnonzero((net.bus_kind == 9) & alive):  # busway junctions
        i = int(net.bus_item[bus])
        junction_min[i] = min(junction_min.get(i, 2.0), float(Vabs[bus]))
    for i, (kind, it) in enumerate(zip(net.item_kind, net.items, strict=True)):
        e, o = int(net.item_entry[i]), int(net.item_out[i])
        rows = owner_rows.get(i, [])
        amp_rows = [r for r in rows if checks.kind[r] == 1]
        cb = int(checks.bus[amp_rows[0]]) if amp_rows else o
        s = st.s_out[o] * S_BASE_VA / 1e3
        over_rows = [r for r in rows if checks.overload[r]]
        cv = tuple(CheckValue(checks.what[r], float(val[r]), UNITS[checks.kind[r]], float(checks.rating[r]),
                              float(checks.limit[r]), float(util[r])) for r in rows)
        if kind == "tap":
            bw_head = net.item_entry[parent_item[i]] if i in parent_item else e
            fd, flen = float((Vabs[bw_head] - Vabs[e]) * 100.0) if alive[e] else 0.0, float(it.offset_m)
            routed = False
        else:
            fd, flen, routed = float(fdrop[e]), float(net.feeder_len_m[e]), bool(net.feeder_routed[e])
            if topo.via_alt[e]:
                flen = float(net.alt_len_m[e])
        nodes[it.id] = NodePower(
            id=it.id, kind=kind, name=it.name or it.id, side=getattr(it, "side", ""),
            parent_id=net.items[parent_item[i]].id if i in parent_item else None,
            alternate_id=getattr(it, "alternate_upstream_id", None),
            children=tuple(children[i]), feeds=tuple(feeds_of[i]), energised=bool(alive[e]),
            on_alternate=bool(topo.via_alt[e]), p_kw=float(s.real), q_kvar=float(s.imag), s_kva=float(abs(s)),
            power_factor=float(abs(s.real) / abs(s)) if abs(s) > 0 else 1.0,
            current_a=float(ph.phase_a[cb].max()), phase_current_a=tuple(float(x) for x in ph.phase_a[cb]),
            neutral_a=float(ph.neutral_a[cb]), imbalance=float(ph.imbalance[cb]),
            imbalance_balanced=float(ph2.imbalance[cb]),
            voltage_v=float(Vabs[o] * topo.base_v[o]), voltage_pu=float(Vabs[o]), drop_pct=float(drop[o]),
            feeder_drop_pct=fd, feeder_length_m=flen, feeder_routed=routed, loss_kw=float(item_loss[i]),
            utilisation=float(max((util[r] for r in over_rows), default=0.0)), checks=cv,
            end_voltage_pu=junction_min.get(i, float(Vabs[o])) if kind == "busway" else float(Vabs[o]))
    feeds = {}
    for c, key in enumerate(cord_keys):
        bus = int(net.cord_bus[c])
        r = int(net.cord_rack[c])
        one = bool(net.one_phase[bus])
        cur = float(st.current_a[bus])
        full_s = abs(net.rack_s_pu[r])
        v = Vabs[bus] if alive[bus] and Vabs[bus] > 0 else 1.0
        i_full = full_s * S_BASE_VA / (np.sqrt(3.0) * topo.base_v[bus] * v) * (3.0 if one else 1.0)
        lim = float(net.cord_breaker_a[c]) * 0.8
        vv = Vabs[bus] * topo.base_v[bus] / (np.sqrt(3.0) if one else 1.0)
        feeds[key] = FeedPower(
            key=key, rack_id=net.racks[r].id, side="AB"[net.cord_side[c]], source_id=net.items[net.cord_supply[c]].id,
            phase=PHASES[net.cord_phase[c]], energised=bool(alive[bus]), p_kw=float(st.cord_s[c].real * 1e3),
            s_kva=float(abs(st.cord_s[c]) * 1e3), current_a=cur, current_full_a=float(i_full),
            breaker_a=float(net.cord_breaker_a[c]), limit_a=lim, margin_a=lim - cur, margin_full_a=lim - float(i_full),
            utilisation=cur / lim if lim > 0 else np.inf, utilisation_full=float(i_full) / lim if lim > 0 else np.inf,
            voltage_v=float(vv), voltage_pu=float(Vabs[bus]), drop_pct=float(drop[bus]),
            cord_drop_pct=float(fdrop[bus]), length_m=float(net.cord_len_m[c]), routed=bool(net.cord_routed[c]))
    racks = {}
    for r, rk in enumerate(net.racks):
        keys = [cord_keys[c] for c in net.rack_cords[r] if c >= 0]
        racks[rk.id] = RackPower(
            rack_id=rk.id, p_kw=float(net.rack_s_pu[r].real * 1e3), s_kva=float(abs(net.rack_s_pu[r]) * 1e3),
            powered=bool(st.rack_powered[r]) if len(st.rack_powered) else False, feeds=tuple(keys),
            margin_a=min((feeds[k].margin_full_a for k in keys), default=0.0),
            utilisation=max((feeds[k].utilisation_full for k in keys), default=0.0))
    scen = tuple(_scenario(net, checks, oc, cord_keys) for oc in outcomes)
    base_ok = not any(checks.overload & (util > 1.0 + 1e-9)) and bool(st.rack_powered.all())
    bad = [s for s in scen if not s.ok]
    worst = max(bad, key=lambda s: (len(s.racks_lost), max((u for *_, u in s.overloaded), default=0.0)),
                default=None)
    if worst is None:
        worst_txt = "no single failure loses a rack or overloads anything" if scen else "no failures simulated"
    else:
        worst_txt = describe(worst, nodes)
    if not base_ok:
        worst_txt = "the normal state already has overloads or racks without power; " + worst_txt
    suggestion: dict[str, dict[str, str]] = {}
    for c in np.flatnonzero(new_phase != net.cord_phase):
        rid = net.racks[net.cord_rack[c]].id
        suggestion.setdefault(rid, {})[f"feed_{'ab'[net.cord_side[c]]}.phase"] = PHASES[new_phase[c]]
    roots = tuple(it.id for k, it in zip(net.item_kind, net.items, strict=True) if k == "source")
    return SitePower(
        site_id=site.id, scheme=site.hall.power.scheme, nodes=frozen_map(nodes), feeds=frozen_map(feeds),
        racks=frozen_map(racks), roots=roots, scenarios=scen, survives=base_ok and not bad, worst=worst_txt,
        worst_scenario=worst.id if worst is not None else None, it_kw=float(net.rack_s_pu.real.sum() * 1e3),
        source_kw=st.source_kw, losses_kw=st.losses_kw, balance_error_kw=st.balance_error_kw,
        racks_total=len(net.racks), racks_powered=int(st.rack_powered.sum()),
        phase_suggestion=frozen_map({k: frozen_map(v) for k, v in suggestion.items()}),
        solve_ms=solve_ms, sweep_ms=sweep_ms, iterations=st.iterations)


def _scenario(net: PowerNetwork, checks, oc: Outcome, cord_keys: list[str]) -> FailureScenario:
    sp = oc.spec
    over = []
    for r, u in sorted(oc.overloaded, key=lambda x: -x[1]):
        o = int(checks.owner[r])
        over.append((net.items[o].id if o >= 0 else cord_keys[-o - 1], checks.what[r], u))
    return FailureScenario(
        id=f"{sp.kind}:{sp.subject}", kind=sp.kind, subject=sp.subject, label=sp.label,
        failed_ids=tuple(net.items[i].id for i in sp.failed),
        racks_lost=tuple(net.racks[r].id for r in oc.racks_lost),
        racks_on_battery=tuple(net.racks[r].id for r in oc.racks_on_battery), battery_min=oc.battery_min,
        overloaded=tuple(over), ok=oc.ok, exact=oc.exact)


def describe(s: FailureScenario, nodes) -> str:
    """A scenario's outcome in plain words."""
    parts = []
    if s.racks_lost:
        n = len(s.racks_lost)
        txt = f"{n} rack{'s' if n > 1 else ''} lose power"
        if s.racks_on_battery:
            txt += f" ({len(s.racks_on_battery)} after {s.battery_min:g} min on UPS battery)"
        parts.append(txt)
    for oid, what, u in s.overloaded[:3]:
        name = nodes[oid].name if oid in nodes else oid
        parts.append(f"{name} at {u * 100:.0f} % of its {what} limit")
    if len(s.overloaded) > 3:
        parts.append(f"{len(s.overloaded) - 3} more overloads")
    return f"{s.label}: " + ", ".join(parts) if parts else f"{s.label}: survives"
