"""Loads of every item in one failure scenario, for the diagram's and the plan's load bars.

The analysis's single-failure sweep keeps, per scenario, only what it decides on (racks
lost, overloads), not every item's new load. To draw "the B side now carries everything",
the view asks for one full radial load flow of the picked scenario, with the solver's own
functions; the network is built once per results revision and kept. Sub-millisecond to a
few tens of milliseconds (1,000 racks); run after the scenario's marks are shown.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.model.project import Site

# the load-flow solver (scipy) is loaded when a scenario is first shown, not with the window


@dataclass(frozen=True)
class ScenarioLoads:
    p_kw: dict[str, float]
    s_kva: dict[str, float]
    util: dict[str, float]
    """Highest utilisation over the item's overload checks (full capacity for a UPS)."""
    alive: frozenset[str]
    transferred: frozenset[str]


class FlowCache:
    """The network of one site at one revision, reused across scenarios."""

    def __init__(self) -> None:
        self.key: tuple | None = None
        self.net = None
        self.checks = None
        self.memo: dict[tuple, ScenarioLoads] = {}

    def loads(self, site: Site, revision: int, failed_ids: tuple[str, ...],
              module_ups: str | None = None) -> ScenarioLoads:
        """Loads with ``failed_ids`` lost (``module_ups``: that UPS has one module fewer)."""
        key = (site.id, revision)
        if key != self.key:
            from designer.solvers.power.checks import build_checks
            from designer.solvers.power.network import build_network

            self.key, self.memo = key, {}
            self.net = build_network(site.hall, site.id)
            self.checks = build_checks(self.net)
        mk = (failed_ids, module_ups)
        hit = self.memo.get(mk)
        if hit is None:
            hit = self.memo[mk] = _loads(self.net, self.checks, failed_ids, module_ups)
        return hit


def _loads(net, checks, failed_ids: tuple[str, ...], module_ups: str | None) -> ScenarioLoads:
    from designer.solvers.power.checks import measure, utilisation
    from designer.solvers.power.loadflow import solve_flow
    from designer.solvers.power.network import S_BASE_VA
    from designer.solvers.power.phases import phase_state

    idx = tuple(net.item_index[i] for i in failed_ids if i in net.item_index)
    st = solve_flow(net, idx)
    ph = phase_state(net, st)
    topo = st.topo
    b = checks.bus
    val = measure(checks.kind, st.s_out[b], np.abs(st.V[b]), topo.base_v[b], ph.factor[b], net.one_phase[b])
    val = np.where(topo.alive[b], val, 0.0)
    util = utilisation(checks, val)
    ids = [it.id for it in net.items]
    if module_ups is not None and module_ups in net.item_index:
        i = net.item_index[module_ups]
        u = net.items[i]
        if u.module_count >= 2:  # full capacity with one module fewer
            rows = (checks.owner == i) & checks.overload & ~checks.cable
            util = np.where(rows, util * u.module_count / (u.module_count - 1), util)
    own = checks.owner
    sel = checks.overload & (own >= 0) & ~checks.cable  # the box: the equipment's own ratings
    item_util = np.zeros(len(ids))
    np.maximum.at(item_util, own[sel], util[sel])
    s = st.s_out[net.item_out] * S_BASE_VA / 1e3
    alive = topo.alive[net.item_entry]
    moved = topo.via_alt[net.item_entry]
    return ScenarioLoads(
        p_kw=dict(zip(ids, s.real.tolist(), strict=True)), s_kva=dict(zip(ids, np.abs(s).tolist(), strict=True)),
        util=dict(zip(ids, item_util.tolist(), strict=True)),
        alive=frozenset(i for i, a in zip(ids, alive, strict=True) if a),
        transferred=frozenset(i for i, a in zip(ids, moved, strict=True) if a))
