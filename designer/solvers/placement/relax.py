"""The LP relaxation of the assignment, solved by column generation, and its duals.

Why: HiGHS needs seconds just to presolve an assignment MILP with 10^5 binary columns,
and generalised-assignment instances (workloads packed into cheap modules to the brim) are
slow to close. Most of those columns are expensive pairs that no good solution uses. So the
relaxation starts from each workload's few cheapest candidate modules, prices every other
candidate pair with the duals (a dense numpy expression over W x M), adds the pairs with
negative reduced cost and re-solves, until none is left (or the LP is within ``stop_gap`` of
the bound below). The result is the LP optimum over *all* candidate pairs, from a few
thousand columns.

The bound: for any capacity prices ``u >= 0`` (per module and resource, per unit) the
Lagrangian ``L(u) = sum_w min(R, min_m cost[w, m] + u_m . use[w]) - sum_m u_m . cap_m`` is a
lower bound on every assignment; with the restricted LP's duals it is computed at every
round and equals the LP optimum once the generation has converged. Each pair's reduced
cost ``rc = cost + u . use - v_w >= 0`` says every assignment using it costs at least
``L(u) + rc``, so pairs with ``rc > incumbent - L(u)`` can be dropped from an integer
program without losing the optimum (reduced-cost fixing).

Variables: ``x[w, m] >= 0`` for active pairs and a slack ``s[w] >= 0`` ("unplaced") per
placeable workload at cost ``unplaced_cost``; rows ``sum_m x + s = 1`` and the capacity rows
of :mod:`.assign` for modules whose candidate demand exceeds their free capacity.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from designer.solvers.placement.highs import linprog
from designer.solvers.placement.problem import COOLING, KW_RESOURCES, LIQUID, POWER, AssignmentProblem


@dataclass(frozen=True)
class Relaxation:
    """Result of the column generation.

    ``lower_bound`` is the best Lagrangian bound met (the LP optimum once converged) and
    ``u`` the (K, M) capacity prices (per unit of each resource of
    :data:`~.problem.RESOURCES`, >= 0) that gave it; ``v`` the matching per-workload minimum
    priced cost. ``x`` are the last restricted LP's values on pairs ``(k_w, k_m)``.
    """

    k_w: np.ndarray
    k_m: np.ndarray
    x: np.ndarray
    slack: np.ndarray
    """Per workload (W,), 0 for workloads that are not placeable."""
    lower_bound: float
    v: np.ndarray
    u: np.ndarray
    rounds: int
    ok: bool

    def priced(self, problem: AssignmentProblem, cost: np.ndarray) -> np.ndarray:
        """(W, M) cost plus the capacity the pair uses at the module's prices."""
        return _priced(problem, cost, self.u)

    def reduced_costs(self, problem: AssignmentProblem, cost: np.ndarray) -> np.ndarray:
        """(W, M) reduced cost of every pair (>= 0 on candidate pairs): any assignment that
        uses pair (w, m) costs at least ``lower_bound + rc[w, m]``."""
        return self.priced(problem, cost) - self.v[:, None]

    def price_per_kw(self, problem: AssignmentProblem) -> np.ndarray:
        """(M,) the module's capacity prices summed per kW hosted: kW resources as they are,
        a count at its price times the workloads' average count per kW (how scarce a module
        is, in one unit)."""
        use = problem.use()
        total_kw = float(use[POWER].sum())
        scale = np.ones(use.shape[0])
        for k in range(use.shape[0]):
            if k not in KW_RESOURCES:
                scale[k] = float(use[k].sum()) / total_kw if total_kw > 0 else 0.0
        return scale @ self.u


def _priced(problem: AssignmentProblem, cost, u: np.ndarray) -> np.ndarray:
    use = problem.use()
    on = np.nonzero(u.any(axis=1))[0]  # resources with a price (usually one or two)
    if on.size == 0:
        return np.array(cost, dtype=float, copy=True)
    return cost + use[on].T @ u[on]


def lagrangian_bound(problem: AssignmentProblem, cand: np.ndarray, priced: np.ndarray, u: np.ndarray, free,
                     unplaced_cost: float) -> tuple[float, np.ndarray]:
    """Lower bound from capacity prices ``u`` (K, M; any u >= 0 gives one), and the
    per-workload minimum ``v`` (the cheapest priced choice, or leaving it out)."""
    best = np.where(cand, priced, np.inf).min(axis=1)
    placeable = cand.any(axis=1)
    v = np.where(placeable, np.minimum(best, unplaced_cost), 0.0)
    held = float(np.where(u > 0, u * np.where(np.isfinite(free), free, 0.0), 0.0).sum())
    return float(v.sum()) - held, v


def binding_modules(problem: AssignmentProblem, cand: np.ndarray, free: np.ndarray) -> list[np.ndarray]:
    """Per resource (rows of ``free``, (K, M)): modules that need a capacity row.

    A row is left out when all candidate demand fits anyway, and when another row implies
    it: cooling and power load are the same kW, so the smaller capacity is the only row;
    liquid load is part of the power load, so a liquid capacity at or above the power
    capacity never binds. Rack positions and accelerators imply nothing.
    """
    use = problem.use()
    fp, fc, fl = free[POWER], free[COOLING], free[LIQUID]
    implied = {POWER: fc < fp, COOLING: fc >= fp, LIQUID: fl >= np.minimum(fp, fc)}
    used = np.nonzero(use.any(axis=1))[0]
    demand = np.zeros(free.shape)
    if used.size:
        demand[used] = use[used] @ cand.astype(float)
    out = []
    for k in range(free.shape[0]):
        skip = implied.get(k, False)
        out.append(np.nonzero((demand[k] > free[k] + 1e-9) & ~skip)[0])
    return out


def capacity_rows(problem: AssignmentProblem, k_w: np.ndarray, k_m: np.ndarray, binding, free: np.ndarray,
                  n_cols: int):
    """Sparse capacity rows over columns ``(k_w, k_m)`` and their upper bounds."""
    use = problem.use()
    n_m = problem.shape[1]
    mats, ubs = [], []
    for k, mods in enumerate(binding):
        if mods.size == 0:
            continue
        row_of = np.full(n_m, -1, dtype=np.intp)
        row_of[mods] = np.arange(mods.size)
        w = use[k][k_w]
        sel = (row_of[k_m] >= 0) & (w > 0)
        idx = np.nonzero(sel)[0]
        mats.append(sp.csr_matrix((w[idx], (row_of[k_m[idx]], idx)), shape=(mods.size, n_cols)))
        ubs.append(free[k][mods])
    if not mats:
        return sp.csr_matrix((0, n_cols)), np.zeros(0)
    return sp.vstack(mats, format="csr"), np.concatenate(ubs)


def solve_relaxation(problem: AssignmentProblem, cand: np.ndarray, cost: np.ndarray, unplaced_cost: float,
                     first_columns: int = 6, per_round: int = 4, max_rounds: int = 60,
                     start: np.ndarray | None = None, stop_gap: float = 0.0) -> Relaxation:
    """Column generation for the LP relaxation (see the module docstring).

    Parameters
    ----------
    problem
        The arrays.
    cand
        (W, M) candidate pairs.
    cost
        (W, M) cost of each pair.
    unplaced_cost
        Cost of leaving a placeable workload out.
    first_columns
        Cheapest candidates per workload to start from.
    per_round
        Most columns added per workload and round.
    max_rounds
        Safety stop (the result then says ``ok=False``).
    start
        (W,) module per workload of a known assignment (-1: none): its pairs join the first
        columns, so the first LP already has a good feasible point and fewer rounds follow.
    stop_gap
        Stop early once the restricted LP is within this relative distance of the best
        Lagrangian bound (the bound is valid at every round; 0 runs to the LP optimum).
    """
    n_w, n_m = problem.shape
    free = problem.free_capacity()
    binding = binding_modules(problem, cand, free)
    placeable = np.nonzero(cand.any(axis=1))[0]
    n_p = placeable.size
    row_of_w = np.full(n_w, -1, dtype=np.intp)
    row_of_w[placeable] = np.arange(n_p)
    masked = np.where(cand, cost, np.inf)
    k = min(first_columns, n_m)
    first = np.argpartition(masked[placeable], k - 1, axis=1)[:, :k] if k < n_m else \
        np.tile(np.arange(n_m), (n_p, 1))
    active = np.zeros_like(cand)
    active[np.repeat(placeable, first.shape[1]), first.ravel()] = True
    if start is not None:
        on = start >= 0
        active[np.nonzero(on)[0], start[on]] = True
    active &= cand
    n_k = free.shape[0]
    u = np.zeros((n_k, n_m))
    best_bound, best_u, best_v = -np.inf, u, np.zeros(n_w)
    x = slack_p = None
    solved = (np.zeros(0, dtype=np.intp),) * 2
    fun = np.inf
    ok = False
    rounds = 0
    for rounds in range(1, max_rounds + 1):  # noqa: B007 - reported
        k_w, k_m = np.nonzero(active)
        n = k_w.size
        nv = n + n_p
        a_eq = sp.csr_matrix((np.ones(n + n_p), (np.concatenate([row_of_w[k_w], np.arange(n_p)]),
                                                  np.arange(nv))), shape=(n_p, nv))
        a_ub, b_ub = capacity_rows(problem, k_w, k_m, binding, free, nv)
        c = np.concatenate([cost[k_w, k_m], np.full(n_p, unplaced_cost)])
        res = linprog(c, A_ub=a_ub if a_ub.shape[0] else None, b_ub=b_ub if a_ub.shape[0] else None,
                      A_eq=a_eq, b_eq=np.ones(n_p), bounds=(0, None), method="highs-ds",
                      options={"presolve": False})  # small and well formed: presolve costs more than it saves
        if res.status != 0:
            break
        x, slack_p, fun = res.x[:n], res.x[n:], float(res.fun)
        solved = (k_w, k_m)
        v = np.zeros(n_w)
        v[placeable] = res.eqlin.marginals
        duals = -res.ineqlin.marginals if a_ub.shape[0] else np.zeros(0)
        u = np.zeros((n_k, n_m))
        off = 0
        for r, mods in enumerate(binding):
            u[r][mods] = duals[off: off + mods.size]
            off += mods.size
        priced = _priced(problem, cost, u)
        bound, v_lag = lagrangian_bound(problem, cand, priced, u, free, unplaced_cost)
        if bound > best_bound:
            best_bound, best_u, best_v = bound, u, v_lag
        rc = priced - v[:, None]
        tol = 1e-9 * max(1.0, float(np.abs(v).max()))
        neg = cand & ~active & (rc < -tol)
        if not neg.any() or fun - best_bound <= stop_gap * max(abs(fun), 1.0):
            ok = True
            break
        rc_neg = np.where(neg, rc, np.inf)
        rows = np.nonzero(neg.any(axis=1))[0]
        kk = min(per_round, n_m)
        pick = np.argpartition(rc_neg[rows], kk - 1, axis=1)[:, :kk] if kk < n_m else \
            np.tile(np.arange(n_m), (rows.size, 1))
        rr = np.repeat(rows, pick.shape[1])
        pc = pick.ravel()
        keep = neg[rr, pc]
        active[rr[keep], pc[keep]] = True
    slack = np.zeros(n_w)
    if slack_p is not None:
        slack[placeable] = slack_p
    if x is None:  # the LP failed: no bound, no columns
        empty = np.zeros(0, dtype=np.intp)
        return Relaxation(empty, empty, np.zeros(0), slack, -np.inf, best_v, best_u, rounds, False)
    return Relaxation(solved[0], solved[1], x, slack, best_bound, best_v, best_u, rounds, ok)
