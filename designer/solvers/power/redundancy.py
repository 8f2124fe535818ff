"""Single-failure sweep: lose each component (and each side) in turn and check the survivors.

Scenarios: each live source, transformer, switchboard, UPS system, PDU, busway and tap; one
module of each modular UPS (all modules are alike, so one scenario stands for each of them);
and each side label (everything labelled "A", then "B", ...).

Most failures only *remove* a subtree: everything below the failed component goes dark and
racks that lost one cord move their whole load onto the other. Those run all at once in
:mod:`designer.solvers.power.incremental`. Scenarios in which a transfer switch moves a board
onto its alternate supply change the tree itself, and scenarios that come within 0.5 % of a
limit are decided too closely for the incremental model's frozen voltages: both get a full
load flow (a handful at most). Losing one UPS module changes no flow, only the UPS's
capacity, so it is a comparison.

A rack whose cords all go dark but one of them hangs below a UPS that merely lost its input
keeps running on battery for the UPS's runtime; it is reported as lost after that runtime
(the sweep is about sustained failures).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designer.solvers.power import incremental
from designer.solvers.power.checks import Checks, measure, utilisation
from designer.solvers.power.loadflow import FlowState, LoadFlowDiverged, solve_flow
from designer.solvers.power.network import KIND_LABEL, S_BASE_VA, UPS_IN, PowerNetwork
from designer.solvers.power.phases import phase_state
from designer.solvers.power.tree import nearest_ancestor

FAILABLE = ("source", "transformer", "switchboard", "ups", "pdu", "busway", "tap")
OVER = incremental.OVER
VOLTAGE_MIN_PU = 0.90
"""Lowest voltage at a rack (or any bus) a failure scenario may leave: the usual supply
tolerance of IT power supplies and of IEC 60038 (-10 %)."""


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
    no_solution: str = ""
    """Set when the load flow of the scenario has no solution: which element cannot carry its
    load, and by how much (plain words)."""
    collapse: object = None
    """The :class:`~designer.solvers.power.collapse.Collapse` behind ``no_solution``."""
    low_voltage: tuple = ()
    """(bus, pu) of the lowest voltage when it falls below :data:`VOLTAGE_MIN_PU` (and below the
    normal state's)."""

    @property
    def ok(self) -> bool:
        return self.racks_lost.size == 0 and not self.overloaded and not self.no_solution and not self.low_voltage


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
          tol: float = 1e-8, keep_flows: bool = False, cache: dict | None = None) -> list[Outcome]:
    """Outcome of every scenario in ``specs`` against the normal state ``st``.

    ``keep_flows`` keeps each scenario's changed bus flows on its outcome (for tests);
    ``cache`` (a dict kept between runs) keeps the sweep's structure while the topology and
    the scenarios stay the same.
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
        inputs = (net.cord_bus, net.rack_cords, rs, rr, checks.bus, checks.overload, len(specs))
        hit = cache.get("plan") if cache is not None else None
        if hit is not None and hit[0] is topo and _same(hit[1], inputs):
            pl = hit[2]
        else:
            pl = incremental.plan(net, topo, checks, (rs, tin[rr], tout[rr], rr), len(specs))
            if cache is not None:
                cache["plan"] = (topo, inputs, pl)
        s_out, overloaded, near, lost = incremental.run(pl, net, st, checks, base_util, phase_factor, max_rounds, tol)
        _record(outcomes, lost, overloaded)
        if keep_flows:
            cuts = np.flatnonzero(np.diff(pl.ps)) + 1
            for grp in np.split(np.arange(len(pl.ps)), cuts):
                if grp.size:
                    outcomes[pl.ps[grp[0]]].flows = (pl.pb[grp], s_out[grp])
        slow += sorted(near - set(slow))
    for si in slow:
        _exact(net, st, checks, base_util, outcomes[int(si)])
    return outcomes


def _same(a: tuple, b: tuple) -> bool:
    return all(np.array_equal(x, y) if isinstance(x, np.ndarray) else x == y for x, y in zip(a, b, strict=True))


def _module(net: PowerNetwork, st: FlowState, checks: Checks, oc: Outcome) -> None:
    i = oc.spec.failed[0]
    u = net.items[i]
    avail = (u.module_count - 1) * u.module_kw
    s = st.s_out[net.item_out[i]] * S_BASE_VA / 1e3
    rows = np.flatnonzero((checks.owner == i) & checks.overload & ~checks.cable)  # its feeder carries the same
    for r in rows:
        lim = avail if checks.kind[r] == 2 else avail / max(u.power_factor, 0.05)
        val = s.real if checks.kind[r] == 2 else abs(s)
        util = val / lim if lim > 0 else np.inf
        if util > OVER:
            oc.overloaded.append((int(r), float(util)))


def _record(outcomes: list[Outcome], lost, overloaded) -> None:
    s_idx, racks, batt, run = lost
    if len(s_idx):
        order = np.lexsort((racks, s_idx))
        s_idx, racks, batt, run = s_idx[order], racks[order], batt[order], run[order]
        cuts = np.flatnonzero(np.diff(s_idx)) + 1
        for grp in np.split(np.arange(len(s_idx)), cuts):
            oc = outcomes[s_idx[grp[0]]]
            oc.racks_lost = racks[grp]
            b = batt[grp]
            oc.racks_on_battery = racks[grp][b]
            oc.battery_min = float(run[grp][b].min()) if b.any() else 0.0
    for s_i, r_i, u_i in zip(*overloaded, strict=True):
        outcomes[s_i].overloaded.append((int(r_i), float(u_i)))


def _exact(net: PowerNetwork, st: FlowState, checks: Checks, base_util: np.ndarray, oc: Outcome) -> None:
    """A scenario with transfer switches involved (or near a limit): a full load flow."""
    oc.exact = True
    oc.flows = None
    try:
        st2 = solve_flow(net, oc.spec.failed)
    except LoadFlowDiverged as e:
        col = e.collapse
        oc.no_solution = col.text() if col is not None else "the loads are beyond what the power chain can deliver"
        oc.collapse = col
        oc.overloaded = []
        return
    ph = phase_state(net, st2)
    b = checks.bus
    val = measure(checks.kind, st2.s_out[b], np.abs(st2.V[b]), st2.topo.base_v[b], ph.factor[b], net.one_phase[b])
    util = utilisation(checks, val)
    over = checks.overload & st2.topo.alive[b] & (util > OVER) & (util > base_util + 1e-9)
    oc.overloaded = [(int(r), float(util[r])) for r in np.flatnonzero(over)]
    v2 = np.where(st2.topo.alive, np.abs(st2.V), np.inf)
    k = int(np.argmin(v2))
    if v2[k] < VOLTAGE_MIN_PU and v2[k] < np.min(np.where(st.topo.alive, np.abs(st.V), np.inf)) - 1e-9:
        oc.low_voltage = (k, float(v2[k]), float(v2[k] * st2.topo.base_v[k]))
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
