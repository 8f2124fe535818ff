"""What one failure scenario does to each node of the diagram and each rack (no Qt).

The solver's :class:`~designer.solvers.power.results.FailureScenario` says which racks are
lost (and which of them run on battery first) and what is overloaded. The diagram also
needs to know which *equipment* goes dark: that follows from the normal-state tree in the
results, walked from the sources: an item is live when its supply is live, or failing that
its alternate supply (the transfer switch moves); a UPS whose supply is gone runs on its
battery, and so does everything below it, until the runtime is over. Only the picked
scenario is built, so showing one is instant even on a 1,000-rack hall.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from designer.solvers.power.results import FailureScenario, SitePower

LIVE, BATTERY, DEAD = "live", "battery", "dead"


@dataclass(frozen=True)
class ScenarioState:
    scenario: FailureScenario
    text: str
    """The outcome in plain words (as in the findings)."""
    failed: frozenset[str]
    """Items that fail (none for a single UPS module: the UPS keeps running, smaller)."""
    state: Mapping[str, str]
    """Item id -> "live", "battery" or "dead" (taps included)."""
    transferred: frozenset[str]
    """Items moved onto their alternate supply."""
    overloaded: Mapping[str, float]
    """Item id -> highest utilisation driven over the limit."""
    racks_over: Mapping[str, float]
    """Rack id -> utilisation of its overloaded cord."""
    racks_lost: frozenset[str]
    racks_on_battery: frozenset[str]
    battery_min: float
    module_ups: str | None
    """For a UPS-module scenario: the UPS that lost one module."""

    @property
    def dead(self) -> frozenset[str]:
        return frozenset(k for k, v in self.state.items() if v == DEAD)

    @property
    def on_battery(self) -> frozenset[str]:
        return frozenset(k for k, v in self.state.items() if v == BATTERY)


def scenario_state(sp: SitePower, scenario_id: str, items: Mapping[str, str | None],
                   taps: Mapping[str, str]) -> ScenarioState | None:
    """The state of every item in scenario ``scenario_id`` of ``sp``.

    Parameters
    ----------
    items
        Item id -> kind for the equipment (not taps) to walk: the diagram's nodes.
    taps
        Tap id -> its busway id.
    """
    k = sp.scenario_index.get(scenario_id)
    if k is None:
        return None
    sc = sp.scenarios[k]
    from designer.solvers.power.solve import describe

    module = sc.kind == "ups_module"
    failed = frozenset(() if module else sc.failed_ids)
    memo: dict[str, str] = {}
    moved: set[str] = set()

    def walk(i: str) -> str:
        got = memo.get(i)
        if got is not None:
            return got
        memo[i] = DEAD  # a transfer loop feeds nothing
        n = sp.nodes[i]
        if i in failed or not n.energised:
            s = DEAD
        elif n.kind == "source":
            s = LIVE
        else:
            s = walk(n.parent_id) if n.parent_id in items else DEAD
            alt = n.alternate_id
            if s == DEAD and alt in items and alt != n.parent_id:
                s = walk(alt)
                if s != DEAD:
                    moved.add(i)
            if s == DEAD and n.kind == "ups":
                s = BATTERY
        memo[i] = s
        return s

    for i in items:
        walk(i)
    state = dict(memo)
    for t, bw in taps.items():
        state[t] = DEAD if t in failed else state.get(bw, DEAD)
    over: dict[str, float] = {}
    racks_over: dict[str, float] = {}
    for oid, _what, u in sc.overloaded:
        if oid in sp.feeds:
            rid = sp.feeds[oid].rack_id
            racks_over[rid] = max(u, racks_over.get(rid, 0.0))
        else:
            over[oid] = max(u, over.get(oid, 0.0))
    return ScenarioState(sc, describe(sc, sp), failed, state, frozenset(moved), over, racks_over,
                         frozenset(sc.racks_lost), frozenset(sc.racks_on_battery), sc.battery_min,
                         sc.subject if module else None)


def racks_cut(state: Mapping[str, str], feeds: Mapping[str, tuple[str, ...]]) -> tuple[set[str], set[str]]:
    """Racks left without a live cord, and among them those with a cord on battery, from
    the item states and each rack's cord supplies (rack id -> supply ids)."""
    lost, batt = set(), set()
    for rid, sources in feeds.items():
        st = [state.get(s, DEAD) for s in sources]
        if st and LIVE not in st:
            lost.add(rid)
            if BATTERY in st:
                batt.add(rid)
    return lost, batt
