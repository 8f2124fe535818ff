"""The arrays of one assignment problem and the masks derived from them (no model, no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

FREE = -1
"""``pinned`` value of a workload placement may move."""
PINNED_INVALID = -2
"""``pinned`` value of a workload pinned to something that is not a candidate module."""

_EPS = 1e-9


@dataclass(frozen=True)
class AssignmentProblem:
    """Arrays of one assignment problem: W workloads (rows) by M modules (columns).

    Capacities may be ``inf`` (not limiting). ``pinned`` holds, per workload, a module
    index, :data:`FREE` or :data:`PINNED_INVALID`; None means nothing is pinned.
    """

    latency_ms: np.ndarray
    budget_ms: np.ndarray
    power_kw: np.ndarray
    needs_liquid: np.ndarray
    cost: np.ndarray
    cap_power_kw: np.ndarray
    cap_cooling_kw: np.ndarray
    cap_liquid_kw: np.ndarray
    liquid_ok: np.ndarray
    pinned: np.ndarray | None = None

    @property
    def shape(self) -> tuple[int, int]:
        return self.latency_ms.shape  # type: ignore[return-value]

    def pins(self) -> np.ndarray:
        w = self.shape[0]
        return np.full(w, FREE, dtype=np.intp) if self.pinned is None else np.asarray(self.pinned)

    def pinned_load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Power, cooling and liquid load (kW) of pinned workloads per module."""
        m = self.shape[1]
        pins = self.pins()
        ok = pins >= 0
        power = np.bincount(pins[ok], weights=self.power_kw[ok], minlength=m).astype(float)
        liq = np.bincount(pins[ok], weights=(self.power_kw * self.needs_liquid)[ok], minlength=m)
        return power, power.copy(), liq.astype(float)

    def free_capacity(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Power, cooling and liquid capacity left for free workloads (never below 0)."""
        lp, lc, ll = self.pinned_load()
        return (np.maximum(self.cap_power_kw - lp, 0.0), np.maximum(self.cap_cooling_kw - lc, 0.0),
                np.maximum(self.cap_liquid_kw - ll, 0.0))

    def latency_ok(self) -> np.ndarray:
        """(W, M): the module meets the workload's budget (to a relative 1e-9)."""
        return self.latency_ms <= self.budget_ms[:, None] * (1 + _EPS) + _EPS

    def cooling_ok(self) -> np.ndarray:
        """(W, M): the module can cool the workload (liquid where it is needed)."""
        return ~self.needs_liquid[:, None] | self.liquid_ok[None, :]

    def fits_alone(self) -> np.ndarray:
        """(W, M): the workload fits in the module's free capacity by itself."""
        fp, fc, fl = self.free_capacity()
        p = self.power_kw[:, None]
        tol = 1e-9 * np.maximum(p, 1.0)
        return ((p <= fp[None, :] + tol) & (p <= fc[None, :] + tol)
                & (~self.needs_liquid[:, None] | (p <= fl[None, :] + tol)))

    def candidates(self) -> np.ndarray:
        """(W, M): the candidate pairs (free workload, latency, cooling, capacity all fine)."""
        free = self.pins() == FREE
        return self.latency_ok() & self.cooling_ok() & self.fits_alone() & free[:, None]
