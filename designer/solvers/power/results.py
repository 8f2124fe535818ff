"""Results step: frozen, read-only results keyed by item id (what the GUI draws from).

``SitePower.nodes`` has one :class:`NodePower` per piece of equipment with the tree links
(``parent_id``, ``children``, ``feeds``) for a one-line diagram; ``feeds`` one
:class:`FeedPower` per rack cord (key ``"<rack id>#A"``); ``racks`` one :class:`RackPower`
per rack; ``scenarios`` one :class:`FailureScenario` per simulated failure.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class CheckValue:
    what: str
    """"rating", "breaker", "N rating", "full capacity", "kVA capacity", "capacity"."""
    value: float
    unit: str
    rating: float
    limit: float
    """``rating`` times the continuous-load factor (0.8 for breakers and busways)."""
    utilisation: float


@dataclass(frozen=True)
class NodePower:
    id: str
    kind: str
    name: str
    side: str
    parent_id: str | None
    """Upstream item feeding it in the normal state (None for a source or an unfed item)."""
    alternate_id: str | None
    children: tuple[str, ...]
    """Items fed from it in the normal state (busway taps under their busway)."""
    feeds: tuple[str, ...]
    """Rack cords hung on it (keys of ``SitePower.feeds``), for PDUs and taps."""
    energised: bool
    on_alternate: bool
    p_kw: float
    q_kvar: float
    s_kva: float
    power_factor: float
    current_a: float
    """Highest phase current at its rating point (output; input breaker for a PDU)."""
    phase_current_a: tuple[float, float, float]
    neutral_a: float
    imbalance: float
    """max |I_p - I_avg| / I_avg (0 when balanced)."""
    imbalance_balanced: float
    """The same after the suggested phase re-assignment."""
    voltage_v: float
    voltage_pu: float
    drop_pct: float
    """Below the voltage origin of its zone (source, transformer secondary or UPS output)."""
    feeder_drop_pct: float
    feeder_length_m: float
    feeder_routed: bool
    loss_kw: float
    """Its feeder's loss plus its own (transformer, UPS, PDU)."""
    utilisation: float
    """Highest utilisation over its overload checks (1.0 = at the limit)."""
    checks: tuple[CheckValue, ...]
    end_voltage_pu: float = 1.0
    """Busways: the lowest voltage along it (at its farthest loaded tap)."""


@dataclass(frozen=True)
class FeedPower:
    key: str
    rack_id: str
    side: str
    source_id: str
    phase: str
    energised: bool
    p_kw: float
    s_kva: float
    current_a: float
    current_full_a: float
    """Current when this cord carries the whole rack (its partner lost)."""
    breaker_a: float
    limit_a: float
    margin_a: float
    """``limit_a - current_a``."""
    margin_full_a: float
    utilisation: float
    utilisation_full: float
    voltage_v: float
    """At the rack: line-line for a three-phase cord, line-neutral for a single-phase one."""
    voltage_pu: float
    drop_pct: float
    cord_drop_pct: float
    length_m: float
    routed: bool
    phase_voltage_v: tuple[float, float, float] = (0.0, 0.0, 0.0)
    """Phase-to-neutral voltage of L1, L2, L3 at the rack (from the unbalanced flow where
    single-phase loads are; 0 on the lines a single-phase cord does not carry)."""


@dataclass(frozen=True)
class RackPower:
    rack_id: str
    name: str
    p_kw: float
    s_kva: float
    powered: bool
    feeds: tuple[str, ...]
    margin_a: float
    """Smallest cord margin when one cord carries the whole rack (A; negative = over)."""
    utilisation: float
    """Highest cord utilisation carrying the whole rack."""


@dataclass(frozen=True)
class FailureScenario:
    id: str
    kind: str
    subject: str
    label: str
    failed_ids: tuple[str, ...]
    racks_lost: tuple[str, ...]
    racks_on_battery: tuple[str, ...]
    """Among ``racks_lost``: those that run on UPS battery first, for ``battery_min``."""
    battery_min: float
    overloaded: tuple[tuple[str, str, float], ...]
    """(item id or cord key, what, utilisation) driven past the limit."""
    ok: bool
    exact: bool
    no_solution: str = ""
    """Set when the scenario's load flow has no solution (voltage collapse): which element
    cannot carry its load and by how much."""
    no_solution_fix: str = ""
    low_voltage: str = ""
    """Where the voltage falls below 0.9 pu in the scenario: "rack R1 at 0.87 pu (209 V)"."""
    cable_fixes: tuple[str, ...] = ()
    """For each feeder cable overloaded in the scenario: the size that holds."""


@dataclass(frozen=True)
class SitePower:
    site_id: str
    scheme: str
    nodes: Mapping[str, NodePower]
    feeds: Mapping[str, FeedPower]
    racks: Mapping[str, RackPower]
    roots: tuple[str, ...]
    scenarios: Sequence[FailureScenario]
    survives: bool
    worst: str
    """Plain words: the worst scenario and what it does."""
    worst_scenario: str | None
    it_kw: float
    source_kw: float
    losses_kw: float
    balance_error_kw: float
    racks_total: int
    racks_powered: int
    phase_suggestion: Mapping[str, Mapping[str, str]]
    """rack id -> {"feed_a.phase": "L2", ...}: the suggested re-assignment (changes only)."""
    solve_ms: float
    sweep_ms: float
    iterations: int
    scenario_index: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    it_powered_kw: float = 0.0
    """IT load of the racks that have power in the normal state (what "% to IT" counts)."""
    """Scenario id -> position in ``scenarios``."""

    def name_of(self, key: str) -> str:
        """Display name of an item id, a rack id or a cord key (``"<rack id>#A"``)."""
        if key in self.nodes:
            return self.nodes[key].name
        if key in self.racks:
            return self.racks[key].name
        if key in self.feeds:
            f = self.feeds[key]
            return f"{self.racks[f.rack_id].name} cord {f.side}"
        return key

    def what_if(self, item_id: str, module: bool = False) -> FailureScenario | None:
        """The scenario in which ``item_id`` fails: an item id, or a side label for a whole
        side; ``module=True`` for one module of a UPS."""
        kind = ("ups_module" if module else self.nodes[item_id].kind) if item_id in self.nodes else "side"
        k = self.scenario_index.get(f"{kind}:{item_id}")
        return None if k is None else self.scenarios[k]


@dataclass(frozen=True)
class PowerResult:
    sites: Mapping[str, SitePower]


def frozen_map(d: dict) -> Mapping:
    return MappingProxyType(dict(d))


class LazyMap(Mapping[str, T], Generic[T]):
    """A read-only mapping whose values are built on first access (then kept).

    The solver keeps its results as arrays; building thousands of result objects that a
    view may never look at would cost more than the solve, so they are made on demand.
    """

    def __init__(self, keys: Sequence[str], build: Callable[[int], T]) -> None:
        self._keys = list(keys)
        self._index = {k: i for i, k in enumerate(self._keys)}
        self._build = build
        self._made: dict[int, T] = {}

    def __getitem__(self, key: str) -> T:
        i = self._index[key]
        v = self._made.get(i)
        if v is None:
            v = self._made[i] = self._build(i)
        return v

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __contains__(self, key: object) -> bool:
        return key in self._index


class LazySeq(Sequence[T], Generic[T]):
    """A read-only sequence whose items are built on first access (then kept)."""

    def __init__(self, n: int, build: Callable[[int], T]) -> None:
        self._n = n
        self._build = build
        self._made: dict[int, T] = {}

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(self._n))]
        if i < 0:
            i += self._n
        if not 0 <= i < self._n:
            raise IndexError(i)
        v = self._made.get(i)
        if v is None:
            v = self._made[i] = self._build(i)
        return v

    def __len__(self) -> int:
        return self._n
