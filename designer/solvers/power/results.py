"""Results step: frozen, read-only results keyed by item id (what the GUI draws from).

``SitePower.nodes`` has one :class:`NodePower` per piece of equipment with the tree links
(``parent_id``, ``children``, ``feeds``) for a one-line diagram; ``feeds`` one
:class:`FeedPower` per rack cord (key ``"<rack id>#A"``); ``racks`` one :class:`RackPower`
per rack; ``scenarios`` one :class:`FailureScenario` per simulated failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType


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


@dataclass(frozen=True)
class RackPower:
    rack_id: str
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


@dataclass(frozen=True)
class SitePower:
    site_id: str
    scheme: str
    nodes: Mapping[str, NodePower]
    feeds: Mapping[str, FeedPower]
    racks: Mapping[str, RackPower]
    roots: tuple[str, ...]
    scenarios: tuple[FailureScenario, ...]
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


@dataclass(frozen=True)
class PowerResult:
    sites: Mapping[str, SitePower]


def frozen_map(d: dict) -> Mapping:
    return MappingProxyType(dict(d))
