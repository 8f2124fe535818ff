"""Assignment of workloads to modules: an integer program over arrays (no model, no Qt).

Formulation
-----------
One binary ``x[w, m]`` per *candidate pair*: workload ``w`` is free (not pinned), module
``m`` is within its latency budget, can cool it (a ``needs_liquid`` workload needs a module
with liquid cooling) and has enough free capacity on its own. Pairs that fail one of these
are never variables (the latency pre-filter). One slack ``s[w]`` per placeable workload
means "left unplaced"::

    min   sum cost[w, m] x[w, m] + R sum s[w]
    s.t.  sum_m x[w, m] + s[w] = 1                    every placeable workload
          sum_w power[w] x[w, m] <= free_power[m]     every module
          sum_w power[w] x[w, m] <= free_cooling[m]   (all IT power ends up as heat)
          sum_w power[w] liquid[w] x[w, m] <= free_liquid[m]
          sum_w racks[w] x[w, m] <= free_rack_positions[m]
          sum_w accelerators[w] x[w, m] <= free_accelerators[m]

(one row per resource of :data:`~.problem.RESOURCES`, only where the candidates' demand can
exceed the capacity: see :func:`~.relax.binding_modules`).

``free_*`` is the capacity minus what pinned workloads already take (pinned workloads stay
where they are, whatever it costs, and count against capacity). ``R`` is one more than the
sum over workloads of their dearest candidate, so leaving one more workload out never pays
for any saving in cost: the most workloads are placed first, then cost is least.

Solution
--------
*Small* problems (up to ``direct_pairs`` candidate pairs, which covers real projects of tens
to a few hundred workloads): one ``scipy.optimize.milp`` over all pairs, to ``mip_rel_gap``
(0 gives the exact optimum, as the tests use).

*Large* problems: a HiGHS MILP with 10^5 binary columns needs seconds just to presolve and
generalised-assignment instances (workloads packed into cheap modules to the brim) are slow
to close, so:

1. a greedy start, most constrained workloads first (:func:`regret_greedy`);
2. the LP relaxation over all candidate pairs by column generation (:mod:`.relax`): a lower
   bound and a price per kW of every module's capacity;
3. the greedy again on the priced costs (cost + capacity used x price), usually within a
   few tenths of a percent of the bound;
4. if the gap is still above ``mip_rel_gap``: large-neighbourhood search, freeing every
   workload on a few modules that share candidates and re-solving them exactly with
   ``milp``, for at most ``improve_s``.

Above ``lp_pairs`` the LP is skipped (it alone takes seconds there) and the bound is the weak
"every workload at its cheapest candidate". The solution always carries the bound and the
gap proven; "optimal" means proved (gap at round-off), "near_optimal" within ``mip_rel_gap``
of the proved bound, with the gap reported. Placeable workloads still left out after the
heuristics go through :func:`repair` (every module with room, one move to make room) and an
exact re-solve of their neighbourhood (:func:`_repair_exact`) while more are out than the
bound proves necessary. When
capacity is short the count left out is what is proven (see :func:`_finish`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.optimize import Bounds, LinearConstraint

from designer.solvers.placement.highs import milp
from designer.solvers.placement.problem import _EPS, FREE, PINNED_INVALID, AssignmentProblem
from designer.solvers.placement.relax import binding_modules, capacity_rows, solve_relaxation

PROVED_GAP = 1e-9
"""A gap to the lower bound below this (round-off) proves the assignment optimal."""

__all__ = ["FREE", "PINNED_INVALID", "AssignmentProblem", "AssignmentSolution", "regret_greedy",
           "solve_assignment", "total_cost"]


@dataclass(frozen=True)
class AssignmentSolution:
    """Result of :func:`solve_assignment`.

    ``module_of[w]`` is the module index or -1 (unplaced). Valid pins are kept (a pin that
    breaks a budget or a capacity is the user's choice; findings say so). ``status``:
    ``"optimal"`` (all placeable workloads placed, cost proved least: gap below
    :data:`PROVED_GAP`), ``"near_optimal"`` (all placed, cost within ``mip_rel_gap`` of the
    bound but not proved least; ``gap`` and ``message`` say how far it may be),
    ``"partial"`` (the same, but capacity is short: the count is maximal, then the cost),
    ``"time_limit"`` (best found; ``gap`` says how far it may be from the bound),
    ``"greedy"`` (the solver gave nothing; a greedy fill) or ``"empty"`` (nothing to decide).
    """

    module_of: np.ndarray
    status: str
    cost: float
    n_pairs: int
    n_rows: int
    milp_runs: int
    elapsed_s: float
    message: str = ""
    lower_bound: float = float("nan")
    """LP bound on the objective (cost plus the unplaced penalty) of free workloads."""
    gap: float = float("nan")
    """(objective - bound) / objective, as proven."""
    lp_rounds: int = 0
    n_columns: int = 0
    """Pairs that entered an LP or MILP (the rest were priced out)."""


def total_cost(problem: AssignmentProblem, module_of: np.ndarray) -> float:
    """Sum of ``cost[w, module_of[w]]`` over placed workloads."""
    w = np.nonzero(module_of >= 0)[0]
    return float(problem.cost[w, module_of[w]].sum())


def _loads(problem: AssignmentProblem, module_of: np.ndarray, which: np.ndarray) -> np.ndarray:
    """(K, M) use per module of the workloads in mask ``which``."""
    return problem.loads(module_of, which)


def regret_greedy(problem: AssignmentProblem, cand: np.ndarray, prefer: np.ndarray,
                  module_of: np.ndarray | None = None) -> np.ndarray:
    """Fill free workloads one by one into their most preferred candidate with room.

    Most constrained first (fewest candidate modules), then largest first, so workloads
    that can go only to their own site get there before flexible ones take the room.
    ``prefer`` is a (W, M) cost to minimise (the plain cost, or the cost at the LP's
    capacity prices). Workloads already set in ``module_of`` stay.
    """
    out = (problem.pins() if module_of is None else module_of).copy()
    out[out == PINNED_INVALID] = -1
    use = problem.use()
    on = np.nonzero(use.any(axis=1))[0]  # resources any workload uses
    room = (problem.free_capacity() - _loads(problem, out, problem.pins() == FREE))[on]
    need = use[on].T.copy()  # (W, K') for quick rows
    p = problem.power_kw
    n_c = cand.sum(axis=1)
    for w in np.lexsort((-p, n_c)):
        if out[w] >= 0 or n_c[w] == 0:
            continue
        ms = np.nonzero(cand[w])[0]
        ms = ms[(room[:, ms] >= need[w][:, None] - _EPS).all(axis=0)]
        if ms.size == 0:
            continue
        m = ms[np.argmin(prefer[w, ms])]
        out[w] = m
        room[:, m] -= need[w]
    return out



@dataclass
class _Milp:
    module_of: dict
    objective: float
    bound: float
    status: int
    n_rows: int


def _milp(problem: AssignmentProblem, pairs: np.ndarray, free: np.ndarray, unplaced_cost: float,
          time_limit_s: float, gap: float, n_out: int | None = None) -> _Milp | None:
    """MILP over the pairs in mask ``pairs`` (with slacks) and capacities ``free`` (K, M).

    With ``n_out`` the number left out is fixed and only cost counts (the second step of a
    partial placement, so the gap is measured on cost alone, not on the unplaced penalty).
    """
    k_w, k_m = np.nonzero(pairs)
    rows_w = np.unique(k_w)
    n, n_p = k_w.size, rows_w.size
    nv = n + n_p
    row_of = np.full(problem.shape[0], -1, dtype=np.intp)
    row_of[rows_w] = np.arange(n_p)
    a_eq = sp.csr_matrix((np.ones(nv), (np.concatenate([row_of[k_w], np.arange(n_p)]), np.arange(nv))),
                         shape=(n_p, nv))
    binding = binding_modules(problem, pairs, free)
    a_ub, b_ub = capacity_rows(problem, k_w, k_m, binding, free, nv)
    a = sp.vstack([a_eq, a_ub], format="csr")
    lb = np.concatenate([np.ones(n_p), np.full(b_ub.size, -np.inf)])
    ub = np.concatenate([np.ones(n_p), b_ub])
    c = np.concatenate([problem.cost[k_w, k_m], np.full(n_p, unplaced_cost)])
    if n_out is not None:
        count = sp.csr_matrix((np.ones(n_p), (np.zeros(n_p, dtype=np.intp), np.arange(n, nv))), shape=(1, nv))
        a = sp.vstack([a, count], format="csr")
        lb, ub = np.append(lb, n_out), np.append(ub, n_out)
        c[n:] = 0.0
    res = milp(c, integrality=np.ones(nv), bounds=Bounds(0, 1), constraints=LinearConstraint(a, lb, ub),
               options={"time_limit": max(time_limit_s, 0.05), "mip_rel_gap": gap})
    if res.x is None:
        return None
    chosen = np.nonzero(res.x[:n] > 0.5)[0]
    out = {int(w): -1 for w in rows_w}
    out.update({int(w): int(m) for w, m in zip(k_w[chosen], k_m[chosen], strict=True)})
    bound = getattr(res, "mip_dual_bound", None)
    return _Milp(out, float(res.fun), float(bound) if bound is not None else -np.inf, res.status, a.shape[0])


def _objective(problem, module_of, placeable, unplaced_cost) -> float:
    free = problem.pins() == FREE
    placed = (module_of >= 0) & free
    n_out = int(np.count_nonzero(placeable & ~placed))
    w = np.nonzero(placed)[0]
    return float(problem.cost[w, module_of[w]].sum()) + unplaced_cost * n_out


def _gap(obj: float, bound: float) -> float:
    return max(obj - bound, 0.0) / max(abs(obj), 1.0)


def _lns(problem, cand, module_of, unplaced_cost, seeds, deadline, gap_target, bound, size=8):
    """Large-neighbourhood search: free every workload on a few related modules and re-solve
    them exactly; keep the result when it is cheaper. Stops at the deadline or the gap."""
    free_w = problem.pins() == FREE
    placeable = cand.any(axis=1)
    obj = _objective(problem, module_of, placeable, unplaced_cost)
    co = cand.T.astype(np.float32) @ cand.astype(np.float32)  # workloads two modules share
    cap_free = problem.free_capacity()
    runs = 0
    for seed in seeds:
        if time.perf_counter() > deadline or _gap(obj, bound) <= gap_target:
            break
        group = np.argsort(-co[seed], kind="stable")[:size]
        in_group = np.zeros(problem.shape[1], dtype=bool)
        in_group[group] = True
        movers = free_w & placeable & ((module_of < 0) | in_group[np.maximum(module_of, 0)])
        movers &= (cand[:, in_group]).any(axis=1)
        if not movers.any():
            continue
        stay = free_w & ~movers
        free = np.where(in_group[None, :], cap_free - _loads(problem, module_of, stay), 0.0)
        pairs = cand & movers[:, None] & in_group[None, :]
        before = module_of.copy()
        res = _milp(problem, pairs, free, unplaced_cost, min(0.5, deadline - time.perf_counter()), 0.0)
        runs += 1
        if res is None:
            continue
        for w, m in res.module_of.items():
            module_of[w] = m
        new = _objective(problem, module_of, placeable, unplaced_cost)
        if new < obj - 1e-9 * max(abs(obj), 1.0):
            obj = new
        else:
            module_of[:] = before
    return obj, runs


def solve_assignment(problem: AssignmentProblem, time_limit_s: float = 10.0, mip_rel_gap: float = 5e-3,
                     direct_pairs: int = 3000, exact_pairs: int = 3000, lp_pairs: int = 400_000,
                     improve_s: float = 1.0, use_repair: bool = True, exact_s: float = 2.0) -> AssignmentSolution:
    """Assign free workloads to modules at least cost (see the module docstring).

    Parameters
    ----------
    problem
        The arrays.
    time_limit_s
        Budget for the whole solve; on expiry the best assignment found is returned with
        status ``time_limit`` and its proven gap.
    mip_rel_gap
        Relative gap to the lower bound at which an assignment counts as optimal (5e-3:
        within 0.5 % of the monthly cost, well inside the accuracy of the cost figures).
        0 asks for the exact optimum (small problems only).
    direct_pairs
        Up to this many candidate pairs, one MILP over all of them; above, the LP-guided
        path of the module docstring.
    exact_pairs
        Up to this many candidate pairs the MILP is asked for the exact optimum whatever
        ``mip_rel_gap`` says (milliseconds to a second at that size); above 400 pairs for at
        most ``exact_s`` seconds, after which the best found is reported with its proved gap.
    lp_pairs
        Above this many candidate pairs the LP bound is skipped (it takes seconds there):
        greedy and local search only, against the weak bound "every workload at its
        cheapest candidate".
    improve_s
        Most time spent in the local search once a first assignment is there.
    use_repair
        After the heuristics, :func:`repair` tries every module with room for each
        placeable workload still left out (off only to measure what it adds).

    Returns
    -------
    AssignmentSolution
    """
    t0 = time.perf_counter()
    deadline = t0 + time_limit_s
    pins = problem.pins()
    module_of = np.where(pins >= 0, pins, -1).astype(np.intp)
    cand = problem.candidates()
    placeable = cand.any(axis=1)
    n_pairs = int(np.count_nonzero(cand))

    def done(status, runs=0, n_rows=0, msg="", bound=np.nan, gap=np.nan, rounds=0, cols=0):
        return AssignmentSolution(module_of, status, total_cost(problem, module_of), n_pairs, n_rows, runs,
                                  time.perf_counter() - t0, msg, bound, gap, rounds, cols)

    if n_pairs == 0:
        return done("empty")
    cost = np.asarray(problem.cost, dtype=float)
    unplaced_cost = 1.0 + float(np.where(cand, cost, 0.0).max(axis=1).sum())
    free = problem.free_capacity()
    runs = rounds = n_rows = proved_out = 0
    if n_pairs <= direct_pairs:
        # at the size of real projects closing the gap completely costs nothing: do it
        # (above a few hundred pairs within ``exact_s``: HiGHS then stops with its best and the
        # proved bound, reported as the gap)
        gap = min(mip_rel_gap, 1e-9) if n_pairs <= 400 else mip_rel_gap
        res = _milp(problem, cand, free, unplaced_cost, time_limit_s, gap)
        if (res is not None and gap > 1e-9 and n_pairs <= exact_pairs
                and _gap(res.objective, res.bound) > PROVED_GAP):
            # close the gap exactly when that is quick; keep the better answer and both bounds
            budget = min(exact_s, deadline - time.perf_counter())
            res2 = _milp(problem, cand, free, unplaced_cost, max(budget, 0.05), 1e-9) if budget > 0 else None
            if res2 is not None:
                best_bound = max(res.bound, res2.bound)
                res = res2 if res2.objective < res.objective else res
                res.bound = best_bound
        if res is None:
            module_of[:] = regret_greedy(problem, cand, cost, module_of)
            return done("greedy", 1, msg="no integer solution in the time limit", cols=n_pairs)
        for w, m in res.module_of.items():
            module_of[w] = m
        obj = _objective(problem, module_of, placeable, unplaced_cost)
        bound, runs, n_rows, cols = res.bound, 1, res.n_rows, n_pairs
        n_out = int(np.count_nonzero(placeable & (module_of < 0)))
        if res.status == 0 and n_out and obj - bound < unplaced_cost:
            # the count is proven (a better one would be a whole R below): now cost alone
            # which ones to leave out is combinatorial: a short budget, and the gap reported
            budget = min(deadline - time.perf_counter(), max(1.0, 0.2 * time_limit_s))
            res2 = _milp(problem, cand, free, unplaced_cost, max(budget, 0.05), gap, n_out=n_out)
            runs += 1
            if res2 is not None:
                for w, m in res2.module_of.items():
                    module_of[w] = m
                c_now = total_cost(problem, module_of) - float(problem.cost[pins >= 0, pins[pins >= 0]].sum())
                g = _gap(c_now, res2.bound)
                return done("partial", runs, n_rows, f"{n_out} placeable workload{'s' if n_out != 1 else ''} "
                            f"left out for capacity, proven the fewest possible; cost within {g:.2%} of its "
                            "lower bound", res2.bound, g, 0, cols)
    else:
        # 1. a quick feasible start; 2. LP bound and prices; 3. priced greedy; 4. LNS
        start = regret_greedy(problem, cand, cost, module_of)
        best, obj = start, _objective(problem, start, placeable, unplaced_cost)
        if n_pairs <= lp_pairs:
            relax = solve_relaxation(problem, cand, cost, unplaced_cost, start=start,
                                     stop_gap=mip_rel_gap / 10)
            bound, rounds, cols = relax.lower_bound, relax.rounds, int(relax.k_w.size)
            prices = relax.price_per_kw(problem)
            if np.isfinite(bound):
                trial = regret_greedy(problem, cand, relax.priced(problem, cost), module_of)
                t_obj = _objective(problem, trial, placeable, unplaced_cost)
                if t_obj < obj:
                    best, obj = trial, t_obj
        else:
            bound = float(np.minimum(np.where(cand, cost, np.inf).min(axis=1), unplaced_cost)[placeable].sum())
            prices = np.zeros(problem.shape[1])
            cols = n_pairs
        module_of[:] = best
        if _gap(obj, bound) > mip_rel_gap and time.perf_counter() < deadline:
            load = np.bincount(module_of[module_of >= 0], minlength=problem.shape[1])
            seeds = np.lexsort((-load, -prices))  # scarce modules first, then busy ones
            obj, runs = _lns(problem, cand, module_of, unplaced_cost, seeds,
                             min(deadline, time.perf_counter() + improve_s), mip_rel_gap, bound)
        if use_repair:
            if repair(problem, cand, module_of, cost, deadline=deadline):
                obj = _objective(problem, module_of, placeable, unplaced_cost)
            obj, r2, proved_out = _repair_exact(problem, cand, module_of, unplaced_cost, bound, obj, deadline)
            runs += r2
    return _finish(done, obj, bound, placeable, module_of, unplaced_cost, mip_rel_gap, runs, n_rows, rounds,
                   cols, proved_out)


def repair(problem: AssignmentProblem, cand: np.ndarray, module_of: np.ndarray, prefer: np.ndarray,
           passes: int = 3, deadline: float = np.inf) -> int:
    """Place what the heuristics left out where it can go: every unplaced placeable workload
    tries every candidate module with room (cheapest first), then every candidate module
    where moving one placed workload to another of its candidates with room makes room.
    Stops at ``deadline`` (``time.perf_counter``). Changes ``module_of`` in place; returns how
    many were placed."""
    free_w = problem.pins() == FREE
    p = problem.power_kw
    need = problem.use().T  # (W, K)
    room = (problem.free_capacity() - _loads(problem, module_of, free_w)).T.copy()  # (M, K)

    members: list[set] = [set() for _ in range(problem.shape[1])]  # free workloads on each module
    for w in np.nonzero(free_w & (module_of >= 0))[0]:
        members[module_of[w]].add(int(w))

    def move(w, m_from, m_to):
        if m_from >= 0:
            room[m_from] += need[w]
            members[m_from].discard(int(w))
        if m_to >= 0:
            room[m_to] -= need[w]
            members[m_to].add(int(w))
        module_of[w] = m_to

    placed = 0
    for _ in range(passes):
        todo = np.nonzero(free_w & cand.any(axis=1) & (module_of < 0))[0]
        if not todo.size:
            break
        before = placed
        for w in todo[np.argsort(p[todo], kind="stable")]:  # small first: the most of them
            if time.perf_counter() > deadline:
                return placed
            ms = np.nonzero(cand[w])[0]
            ms = ms[np.argsort(prefer[w, ms], kind="stable")]
            fit = np.nonzero((room[ms] >= need[w] - _EPS).all(axis=1))[0]
            if fit.size:
                move(w, -1, int(ms[fit[0]]))
                placed += 1
                continue
            done_w = False
            for m in ms:  # make room: move one workload of m to another module with room
                if not members[m]:
                    continue
                on_m = np.array(sorted(members[m]), dtype=np.intp)
                on_m = on_m[np.argsort(p[on_m], kind="stable")]
                on_m = on_m[(room[m] + need[on_m] >= need[w] - _EPS).all(axis=1)]  # those whose leaving makes room
                for w2 in on_m:
                    xs = np.nonzero(cand[w2])[0]
                    xs = xs[(xs != m) & (room[xs] >= need[w2] - _EPS).all(axis=1)]
                    if xs.size == 0:
                        continue
                    m2 = int(xs[0])
                    move(w2, int(m), m2)
                    move(w, -1, int(m))
                    placed += 1
                    done_w = True
                    break
                if done_w:
                    break
        if placed == before:
            break
    return placed


def _repair_exact(problem, cand, module_of, unplaced_cost, bound, obj, deadline, limit_pairs: int = 20_000):
    """While more are left out than the bound proves necessary: re-solve exactly (``milp``)
    the workloads left out, the free workloads on their candidate modules and, ring by ring
    while under ``limit_pairs``, on the modules those could move to; each over its own
    candidates among those modules (everything else stays). Keeps the result when it places
    more or costs less."""
    free_w = problem.pins() == FREE
    placeable = cand.any(axis=1)
    out = placeable & free_w & (module_of < 0)
    min_out = int(np.floor(bound / unplaced_cost + 1e-9)) if np.isfinite(bound) else 0
    if not out.any() or int(out.sum()) <= min_out or time.perf_counter() >= deadline:
        return obj, 0, 0
    # rings: the left-out and the occupants of their modules may move, to any of their own
    # candidate modules; then the occupants of those modules too (while small enough)
    occupied = module_of >= 0
    movers = out.copy()
    group = cand[out].any(axis=0)
    pairs = cand & movers[:, None] & group[None, :]
    for _ring in range(3):
        m2 = movers | (free_w & placeable & occupied & group[np.maximum(module_of, 0)])
        g2 = group | cand[m2].any(axis=0)
        p2 = cand & m2[:, None] & g2[None, :]
        if int(p2.sum()) > limit_pairs:
            break
        movers, group, pairs = m2, g2, p2
    if int(pairs.sum()) > limit_pairs:
        return obj, 0, 0
    stay = free_w & ~movers
    free = np.where(group[None, :], problem.free_capacity() - _loads(problem, module_of, stay), 0.0)
    before = module_of.copy()
    res = _milp(problem, pairs, free, unplaced_cost, max(min(2.0, deadline - time.perf_counter()), 0.05), 0.0)
    if res is None:
        return obj, 1, 0
    # closed: the movers can go nowhere else and nothing else sits on their modules, so the
    # count the exact solve leaves out of them is left out by every assignment (a proof)
    closed = (not (cand[movers] & ~group[None, :]).any()
              and not (stay & occupied & group[np.maximum(module_of, 0)]).any())
    proved = sum(1 for m in res.module_of.values() if m < 0) if closed and res.status == 0 else 0
    for w, m in res.module_of.items():
        module_of[w] = m
    new = _objective(problem, module_of, placeable, unplaced_cost)
    if new < obj - 1e-9 * max(abs(obj), 1.0):
        return new, 1, proved
    module_of[:] = before
    return obj, 1, proved


def _finish(done, obj, bound, placeable, module_of, unplaced_cost, tol, runs, n_rows, rounds, cols, proved_out=0):
    """Status and gap. With workloads left out, the bound's share of "unplaced" is
    fractional, so the gap is reported on the count: proven when the count left out equals
    the bound's, rounded up; the cost gap is then not proven (nan)."""
    n_out = int(np.count_nonzero(placeable & (module_of < 0)))
    if n_out == 0:
        gap = _gap(obj, bound)
        # "optimal" only when proved; within the target gap it is "near_optimal" and the gap is shown
        status = "optimal" if gap <= PROVED_GAP else "near_optimal" if gap <= tol + 1e-12 else "time_limit"
        msg = "" if status == "optimal" else f"cost within {gap:.2%} of the proved lower bound (not proved optimal)"
        return done(status, runs, n_rows, msg, bound, gap, rounds, cols)
    # k left out cost at least k R, and the cost part is below R: k >= floor(bound / R)
    min_out = int(np.floor(bound / unplaced_cost + 1e-9)) if np.isfinite(bound) else 0
    min_out = max(min_out, proved_out)
    msg = (f"{n_out} placeable workload{'s' if n_out != 1 else ''} left out for capacity; "
           + ("proven the fewest possible" if n_out <= min_out else f"the bound proves at least {min_out}"))
    return done("partial", runs, n_rows, msg, bound, float("nan"), rounds, cols)
