"""Ratings: what each piece of equipment and each cord is checked against.

One row per check: the bus whose throughput is measured, what is measured (kVA, A or kW),
the data-sheet rating and the continuous-load factor. Breakers and busways carry a
continuous load of at most 80 % of their rating (a breaker and its conductors at 125 % of
the load); kVA and kW ratings (sources, transformers, UPS, PDU transformers) and switchboard
busbars (100 %-rated incomers) are taken at 100 %. Utilisation is the measured value over
``rating * factor``: 1.0 is the limit.

A UPS has three rows: its N rating ``(module_count - redundant_modules) * module_kw``
(going past it eats the redundancy: a warning), and its full capacity in kW and kVA
(going past those is an overload). In failure scenarios only the overload rows count, and
losing one module lowers the full capacity by one module.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.solvers.power.network import S_BASE_VA, PowerNetwork

KVA, AMPS, KW = 0, 1, 2
UNITS = ("kVA", "A", "kW")
BREAKER_FACTOR = 0.8
"""Continuous-load rule for breakers and busways."""
SWITCHBOARD_FACTOR = 1.0
"""Switchboard incomers are taken as 100 %-rated (air circuit breakers usually are)."""


@dataclass
class Checks:
    bus: np.ndarray
    kind: np.ndarray
    rating: np.ndarray
    factor: np.ndarray
    owner: np.ndarray
    """Item index, or ``-(cord + 1)`` for a rack cord."""
    what: list[str]
    overload: np.ndarray
    """True: exceeding it is an overload (error); False: a warning (UPS N rating)."""

    _cable: np.ndarray | None = None

    @property
    def cable(self) -> np.ndarray:
        """Rows that check a feeder cable (not the item's own rating); computed once."""
        if self._cable is None:
            self._cable = np.array([w == "feeder cable" for w in self.what], bool)
        return self._cable

    @property
    def limit(self) -> np.ndarray:
        return self.rating * self.factor

    def __len__(self) -> int:
        return len(self.bus)


def build_checks(net: PowerNetwork) -> Checks:
    rows: list[tuple[int, int, float, float, int, str, bool]] = []
    for i, (kind, it) in enumerate(zip(net.item_kind, net.items, strict=True)):
        out, inp = int(net.item_out[i]), int(net.item_in[i])
        if kind == "source":
            rows.append((out, KVA, it.capacity_kva, 1.0, i, "capacity", True))
        elif kind == "transformer":
            rows.append((out, KVA, it.rating_kva, 1.0, i, "rating", True))
        elif kind == "switchboard":
            rows.append((out, AMPS, it.rating_a, SWITCHBOARD_FACTOR, i, "rating", True))
        elif kind == "ups":
            n_mod = max(it.module_count - it.redundant_modules, 0)
            rows.append((out, KW, n_mod * it.module_kw, 1.0, i, "N rating", False))
            full = it.module_count * it.module_kw
            rows.append((out, KW, full, 1.0, i, "full capacity", True))
            rows.append((out, KVA, full / max(it.power_factor, 0.05), 1.0, i, "kVA capacity", True))
        elif kind == "pdu":
            rows.append((out, KVA, it.rating_kva, 1.0, i, "rating", True))
            rows.append((inp, AMPS, it.breaker_a, BREAKER_FACTOR, i, "breaker", True))
        elif kind == "busway":
            rows.append((out, AMPS, it.rating_a, BREAKER_FACTOR, i, "rating", True))
        elif kind == "tap":
            rows.append((out, AMPS, it.breaker_a, BREAKER_FACTOR, i, "breaker", True))
    amp = net.feeder_amp_a
    if amp.size:
        for b in np.flatnonzero(~np.isnan(amp)):
            i = int(net.bus_item[b])
            if i >= 0:
                rows.append((int(b), AMPS, float(amp[b]), BREAKER_FACTOR, i, "feeder cable", True))
    for c in range(len(net.cord_bus)):
        rows.append((int(net.cord_bus[c]), AMPS, float(net.cord_breaker_a[c]), BREAKER_FACTOR, -(c + 1),
                     "cord breaker", True))
    if not rows:
        z = np.zeros(0)
        return Checks(z.astype(np.int64), z.astype(np.int64), z, z, z.astype(np.int64), [], z.astype(bool))
    b, k, r, f, o, w, ov = zip(*rows, strict=True)
    return Checks(np.array(b, np.int64), np.array(k, np.int64), np.array(r, float), np.array(f, float),
                  np.array(o, np.int64), list(w), np.array(ov, bool))


def measure(kind: np.ndarray, s: np.ndarray, v_abs: np.ndarray, base_v: np.ndarray, phase_factor: np.ndarray,
            one_phase: np.ndarray) -> np.ndarray:
    """Measured value of checks from per-unit power ``s`` at buses with ``|V|`` and base voltage.

    Currents are the highest phase current (balanced current times ``phase_factor``), or a
    single-phase cord's own current.
    """
    kva = np.abs(s) * S_BASE_VA / 1e3
    with np.errstate(divide="ignore", invalid="ignore"):
        amps = np.abs(s) * S_BASE_VA / (np.sqrt(3.0) * base_v * np.where(v_abs > 0, v_abs, 1.0))
    amps = np.where(one_phase, 3.0 * amps, amps * phase_factor)
    return np.select([kind == KVA, kind == AMPS], [kva, amps], s.real * S_BASE_VA / 1e3)


def utilisation(checks: Checks, value: np.ndarray) -> np.ndarray:
    lim = checks.limit
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(lim > 0, value / np.where(lim > 0, lim, 1.0), np.where(value > 0, np.inf, 0.0))


def current_points(net: PowerNetwork, checks: Checks) -> np.ndarray:
    """Per item, the bus whose current is rated: its first ampere check (of its own rating, not
    its feeder cable's), else its output."""
    ni = len(net.items)
    cb = net.item_out.copy()
    own = checks.owner
    cable = np.array([w == "feeder cable" for w in checks.what], bool)
    amp = np.flatnonzero((own >= 0) & (checks.kind == AMPS) & ~cable)  # its own rating, not its feeder's
    first = np.full(ni, len(checks.bus), dtype=np.int64)
    np.minimum.at(first, own[amp], amp)
    has = first < len(checks.bus)
    cb[has] = checks.bus[first[has]]
    return cb
