"""The arrays of one assignment problem and the masks derived from them (no model, no Qt).

Capacities are K = 5 resources per module, in the order of :data:`RESOURCES`:

- power, cooling and liquid cooling in kW (a workload uses its IT power of each; of liquid
  cooling only when it needs liquid);
- rack positions and accelerators, counts (a workload uses the counts it declares).

:meth:`AssignmentProblem.use` gives the (K, W) use of every workload and
:meth:`AssignmentProblem.capacity` the (K, M) capacity of every module; everything that
checks or sums capacity works on those two arrays, so every resource is treated alike.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

FREE = -1
"""``pinned`` value of a workload placement may move."""
PINNED_INVALID = -2
"""``pinned`` value of a workload pinned to something that is not a candidate module."""

_EPS = 1e-9

RESOURCES = ("power", "cooling", "liquid cooling", "rack positions", "accelerators")
"""The capacities, in the row order of :meth:`AssignmentProblem.use` and ``capacity``."""
POWER, COOLING, LIQUID, RACKS, ACCELERATORS = range(len(RESOURCES))
KW_RESOURCES = (POWER, COOLING, LIQUID)
"""Resources measured in kW (the others are counts)."""


def amount(k: int, v: float, fmt=None) -> str:
    """``v`` of resource ``k`` as people say it: "56 kW", "2 rack positions", "1 accelerator"."""
    s = fmt(v) if fmt is not None else f"{v:g}"
    if k in KW_RESOURCES:
        return f"{s} kW"
    unit = "rack position" if k == RACKS else "accelerator"
    return f"{s} {unit}{'' if v == 1 else 's'}"


@dataclass(frozen=True)
class AssignmentProblem:
    """Arrays of one assignment problem: W workloads (rows) by M modules (columns).

    Capacities may be ``inf`` (not limiting). ``pinned`` holds, per workload, a module
    index, :data:`FREE` or :data:`PINNED_INVALID`; None means nothing is pinned. The count
    arrays are optional: ``rack_positions`` / ``accelerators`` of None use none, and
    ``cap_rack_positions`` / ``cap_accelerators`` of None do not limit.
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
    rack_positions: np.ndarray | None = None
    """(W,) rack positions each workload takes."""
    accelerators: np.ndarray | None = None
    """(W,) accelerators each workload needs."""
    cap_rack_positions: np.ndarray | None = None
    """(M,) rack positions of each module."""
    cap_accelerators: np.ndarray | None = None
    """(M,) accelerators in each module's racks."""

    @property
    def shape(self) -> tuple[int, int]:
        return self.latency_ms.shape  # type: ignore[return-value]

    @cached_property
    def _use(self) -> np.ndarray:
        p = np.asarray(self.power_kw, dtype=float)
        z = np.zeros_like(p)
        racks = z if self.rack_positions is None else np.asarray(self.rack_positions, dtype=float)
        acc = z if self.accelerators is None else np.asarray(self.accelerators, dtype=float)
        out = np.stack([p, p, p * np.asarray(self.needs_liquid, dtype=bool), racks, acc])
        out.setflags(write=False)
        return out

    @cached_property
    def _capacity(self) -> np.ndarray:
        m = self.shape[1]
        inf = np.full(m, np.inf)
        out = np.stack([np.asarray(self.cap_power_kw, dtype=float), np.asarray(self.cap_cooling_kw, dtype=float),
                        np.asarray(self.cap_liquid_kw, dtype=float),
                        inf if self.cap_rack_positions is None else np.asarray(self.cap_rack_positions, dtype=float),
                        inf if self.cap_accelerators is None else np.asarray(self.cap_accelerators, dtype=float)])
        out.setflags(write=False)
        return out

    def use(self) -> np.ndarray:
        """(K, W): what each workload uses of each resource (read-only)."""
        return self._use

    def capacity(self) -> np.ndarray:
        """(K, M): each module's capacity of each resource (inf: not limiting; read-only)."""
        return self._capacity

    def pins(self) -> np.ndarray:
        w = self.shape[0]
        return np.full(w, FREE, dtype=np.intp) if self.pinned is None else np.asarray(self.pinned)

    def loads(self, module_of: np.ndarray, which: np.ndarray | None = None) -> np.ndarray:
        """(K, M): use of the workloads placed by ``module_of`` (and in mask ``which``) per module."""
        on = module_of >= 0 if which is None else which & (module_of >= 0)
        m = self.shape[1]
        use = self.use()
        idx = module_of[on]
        return np.stack([np.bincount(idx, weights=use[k, on], minlength=m) for k in range(use.shape[0])])

    def pinned_load(self) -> np.ndarray:
        """(K, M): what pinned workloads use per module."""
        return self.loads(self.pins())

    def free_capacity(self) -> np.ndarray:
        """(K, M): capacity left for free workloads (never below 0)."""
        return np.maximum(self.capacity() - self.pinned_load(), 0.0)

    def latency_ok(self) -> np.ndarray:
        """(W, M): the module meets the workload's budget (to a relative 1e-9)."""
        return self.latency_ms <= self.budget_ms[:, None] * (1 + _EPS) + _EPS

    def cooling_ok(self) -> np.ndarray:
        """(W, M): the module can cool the workload (liquid where it is needed)."""
        return ~self.needs_liquid[:, None] | self.liquid_ok[None, :]

    def fits_alone(self) -> np.ndarray:
        """(W, M): the workload fits in the module's free capacity of every resource by itself."""
        free = self.free_capacity()
        use = self.use()
        ok = np.ones(self.shape, dtype=bool)
        for k in range(use.shape[0]):
            u = use[k]
            if not u.any():
                continue
            ok &= u[:, None] <= free[k][None, :] + 1e-9 * np.maximum(u, 1.0)[:, None]
        return ok

    def candidates(self) -> np.ndarray:
        """(W, M): the candidate pairs (free workload, latency, cooling, capacity all fine)."""
        free = self.pins() == FREE
        return self.latency_ok() & self.cooling_ok() & self.fits_alone() & free[:, None]
