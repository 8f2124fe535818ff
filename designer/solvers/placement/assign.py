"""Assignment of workloads to modules: an integer program over arrays (no model, no Qt).

Formulation
-----------
One binary ``x[w, m]`` per *candidate pair*: workload ``w`` is free (not pinned), module
``m`` is within its latency budget, can cool it (a ``needs_liquid`` workload needs a module
with liquid cooling) and has enough free capacity on its own. Pairs that fail one of these
are never variables, which keeps the program small (this is the pre-filter that makes
thousands of workloads tractable). Then::

    min   sum cost[w, m] x[w, m]
    s.t.  sum_m x[w, m] = 1                           every placeable workload
          sum_w power[w] x[w, m] <= free_power[m]     every module
          sum_w power[w] x[w, m] <= free_cooling[m]   (all IT power ends up as heat)
          sum_w power[w] liquid[w] x[w, m] <= free_liquid[m]

``free_*`` is the capacity minus what pinned workloads already take (pinned workloads stay
where they are, whatever it costs, and count against capacity). Capacity rows that cannot
bind (all candidates together fit) are left out.

When that program is infeasible (capacity too short for everyone at once), placement is
partial and lexicographic: first the largest number of workloads that can be placed
(``sum_m x <= 1``, maximise ``sum x``), then the least cost among placements of that many.
Two programs rather than one weighted objective, because a "big M" weight of one placed
workload against total cost would swamp the cost in the MIP gap test.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint, milp

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


@dataclass(frozen=True)
class AssignmentSolution:
    """Result of :func:`solve_assignment`.

    ``module_of[w]`` is the module index or -1 (unplaced). Pinned workloads keep their pin
    (a valid pin is reported as placed even where it breaks a budget or a capacity: the
    user chose it; findings say so). ``status`` is ``"optimal"``, ``"partial"`` (not all
    placeable workloads fit; the count is maximal, then the cost minimal), ``"time_limit"``
    (best found, not proven), ``"greedy"`` (the MILP gave nothing; a greedy fill) or
    ``"empty"`` (nothing to decide).
    """

    module_of: np.ndarray
    status: str
    cost: float
    n_pairs: int
    n_rows: int
    milp_runs: int
    elapsed_s: float
    message: str = ""


def _capacity_rows(k_w, k_m, problem, free, m):
    """Sparse capacity rows (power, cooling, liquid) that can bind, with their upper bounds."""
    p = problem.power_kw[k_w]
    rows, ub = [], []
    weights = (p, p, p * problem.needs_liquid[k_w])
    for wt, cap in zip(weights, free, strict=True):
        demand = np.bincount(k_m, weights=wt, minlength=m)
        binding = np.nonzero(demand > cap + 1e-9)[0]
        if binding.size == 0:
            continue
        row_of = np.full(m, -1, dtype=np.intp)
        row_of[binding] = np.arange(binding.size)
        sel = (row_of[k_m] >= 0) & (wt > 0)
        a = sp.csr_matrix((wt[sel], (row_of[k_m[sel]], np.nonzero(sel)[0])),
                          shape=(binding.size, k_w.size))
        rows.append(a)
        ub.append(cap[binding])
    return rows, ub


def _run(c, a, lb, ub, time_limit_s, gap):
    cons = LinearConstraint(a, lb, ub) if a.shape[0] else ()
    opts = {"time_limit": time_limit_s, "mip_rel_gap": gap, "presolve": True}
    return milp(c, integrality=np.ones(c.size), bounds=Bounds(0, 1), constraints=cons, options=opts)


def greedy_fill(problem: AssignmentProblem, cand: np.ndarray | None = None) -> np.ndarray:
    """Largest workloads first, each to its cheapest candidate with room: a fallback only."""
    cand = problem.candidates() if cand is None else cand
    fp, fc, fl = (x.copy() for x in problem.free_capacity())
    out = problem.pins().copy()
    out[out == PINNED_INVALID] = -1
    for w in np.argsort(-problem.power_kw, kind="stable"):
        if out[w] != FREE:
            continue
        ms = np.nonzero(cand[w])[0]
        p = problem.power_kw[w]
        liq = bool(problem.needs_liquid[w])
        room = ms[(fp[ms] >= p - _EPS) & (fc[ms] >= p - _EPS) & (~liq | (fl[ms] >= p - _EPS))]
        if room.size == 0:
            continue
        m = room[np.argmin(problem.cost[w, room])]
        out[w] = m
        fp[m] -= p
        fc[m] -= p
        if liq:
            fl[m] -= p
    return out


def total_cost(problem: AssignmentProblem, module_of: np.ndarray) -> float:
    """Sum of ``cost[w, module_of[w]]`` over placed workloads."""
    w = np.nonzero(module_of >= 0)[0]
    return float(problem.cost[w, module_of[w]].sum())


def solve_assignment(problem: AssignmentProblem, time_limit_s: float = 30.0,
                     mip_rel_gap: float = 1e-6) -> AssignmentSolution:
    """Assign free workloads to modules at least cost (see the module docstring).

    Parameters
    ----------
    problem
        The arrays.
    time_limit_s
        Per MILP run; on expiry the best solution found is returned (status ``time_limit``).
    mip_rel_gap
        Relative optimality gap at which HiGHS stops.

    Returns
    -------
    AssignmentSolution
    """
    t0 = time.perf_counter()
    n_w, n_m = problem.shape
    pins = problem.pins()
    module_of = np.where(pins >= 0, pins, -1).astype(np.intp)
    cand = problem.candidates()
    k_w, k_m = np.nonzero(cand)
    n = k_w.size

    def done(status, runs, n_rows, msg=""):
        return AssignmentSolution(module_of, status, total_cost(problem, module_of), n, n_rows, runs,
                                  time.perf_counter() - t0, msg)

    if n == 0:
        return done("empty", 0, 0)
    placeable = np.unique(k_w)
    row_of_w = np.full(n_w, -1, dtype=np.intp)
    row_of_w[placeable] = np.arange(placeable.size)
    a_assign = sp.csr_matrix((np.ones(n), (row_of_w[k_w], np.arange(n))), shape=(placeable.size, n))
    cap_rows, cap_ub = _capacity_rows(k_w, k_m, problem, problem.free_capacity(), n_m)
    a = sp.vstack([a_assign, *cap_rows], format="csr")
    n_cap = a.shape[0] - placeable.size
    cap_ub_all = np.concatenate(cap_ub) if cap_ub else np.zeros(0)
    cost = problem.cost[k_w, k_m].astype(float)

    def apply(x):
        chosen = np.nonzero(x > 0.5)[0]
        module_of[k_w[chosen]] = k_m[chosen]

    # 1. everyone placeable, at least cost
    lb = np.concatenate([np.ones(placeable.size), np.full(n_cap, -np.inf)])
    ub = np.concatenate([np.ones(placeable.size), cap_ub_all])
    res = _run(cost, a, lb, ub, time_limit_s, mip_rel_gap)
    if res.x is not None and res.status in (0, 1):
        apply(res.x)
        return done("optimal" if res.status == 0 else "time_limit", 1, a.shape[0], res.message)
    if res.status != 2:
        module_of[:] = greedy_fill(problem, cand)
        return done("greedy", 1, a.shape[0], res.message)
    # 2a. the most workloads that fit together
    lb[: placeable.size] = 0.0
    res = _run(-np.ones(n), a, lb, ub, time_limit_s, 0.0)
    if res.x is None:
        module_of[:] = greedy_fill(problem, cand)
        return done("greedy", 2, a.shape[0], res.message)
    n_best = int(round(-res.fun))
    # 2b. least cost among placements of that many
    a2 = sp.vstack([a, sp.csr_matrix(np.ones((1, n)))], format="csr")
    res2 = _run(cost, a2, np.append(lb, n_best), np.append(ub, n_best), time_limit_s, mip_rel_gap)
    best = res2 if res2.x is not None else res
    apply(best.x)
    status = "partial" if best is res2 and res2.status == 0 else "time_limit"
    return done(status, 3, a2.shape[0], best.message)
