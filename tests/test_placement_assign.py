"""Assignment: brute-force optimum on small random instances, bounds, pins, reasons."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.solvers.placement.assign import (
    FREE,
    PINNED_INVALID,
    AssignmentProblem,
    _objective,
    solve_assignment,
)
from designer.solvers.placement.diagnose import diagnose
from designer.solvers.placement.synthetic import synthetic_problem


@st.composite
def instances(draw):
    n_w = draw(st.integers(1, 5))
    n_m = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    power = rng.choice([10.0, 20.0, 30.0, 50.0, 80.0], n_w)
    cap = rng.choice([0.0, 30.0, 60.0, 100.0], n_m)
    cool = np.where(rng.random(n_m) < 0.3, cap * rng.uniform(0.5, 1.2, n_m), np.inf)
    liquid_ok = rng.random(n_m) < 0.6
    pins = np.full(n_w, FREE, dtype=np.intp)
    if draw(st.booleans()):
        pins[rng.integers(0, n_w)] = rng.integers(0, n_m)
    counts = {}
    if draw(st.booleans()):  # rack positions and accelerators as capacity too (inf: not given)
        counts = dict(rack_positions=rng.integers(0, 4, n_w), accelerators=rng.choice([0, 4, 8, 16], n_w),
                      cap_rack_positions=rng.choice([0.0, 2.0, 4.0, np.inf], n_m),
                      cap_accelerators=rng.choice([0.0, 8.0, 16.0, 32.0, np.inf], n_m))
    return AssignmentProblem(
        latency_ms=rng.uniform(1, 10, (n_w, n_m)), budget_ms=rng.uniform(2, 10, n_w), power_kw=power,
        needs_liquid=rng.random(n_w) < 0.4, cost=np.round(rng.uniform(100, 1000, (n_w, n_m)), 2),
        cap_power_kw=cap, cap_cooling_kw=cool, cap_liquid_kw=np.where(liquid_ok, np.minimum(cap, cool), 0.0),
        liquid_ok=liquid_ok, pinned=pins, **counts)


def brute_force(pr: AssignmentProblem) -> tuple[int, float]:
    """(most placed, least cost among those) over every assignment, by enumeration."""
    n_w, n_m = pr.shape
    pins = pr.pins()
    free_w = [w for w in range(n_w) if pins[w] == FREE]
    # every resource written out by itself (not through problem.use()), so the solver's own
    # resource table is checked too
    fp, fc, fl, fr, fa = pr.free_capacity()
    racks = np.zeros(n_w) if pr.rack_positions is None else pr.rack_positions
    acc = np.zeros(n_w) if pr.accelerators is None else pr.accelerators
    ok = pr.latency_ok() & pr.cooling_ok()
    best = (-1, np.inf)
    for choice in itertools.product(range(-1, n_m), repeat=len(free_w)):
        lp, lc, ll, lr, la = (np.zeros(n_m) for _ in range(5))
        cost, placed, feasible = 0.0, 0, True
        for w, m in zip(free_w, choice, strict=True):
            if m < 0:
                continue
            if not ok[w, m]:
                feasible = False
                break
            lp[m] += pr.power_kw[w]
            lc[m] += pr.power_kw[w]
            ll[m] += pr.power_kw[w] * pr.needs_liquid[w]
            lr[m] += racks[w]
            la[m] += acc[w]
            cost += pr.cost[w, m]
            placed += 1
        if (not feasible or np.any(lp > fp + 1e-9) or np.any(lc > fc + 1e-9) or np.any(ll > fl + 1e-9)
                or np.any(lr > fr + 1e-9) or np.any(la > fa + 1e-9)):
            continue
        if placed > best[0] or (placed == best[0] and cost < best[1]):
            best = (placed, cost)
    return best


def check_feasible(pr: AssignmentProblem, module_of: np.ndarray) -> None:
    """Placed free workloads meet budget and cooling; capacities hold (pins included)."""
    pins = pr.pins()
    n_m = pr.shape[1]
    for w, m in enumerate(module_of):
        if m >= 0 and pins[w] == FREE:
            assert pr.latency_ms[w, m] <= pr.budget_ms[w] * (1 + 1e-9)
            assert pr.liquid_ok[m] or not pr.needs_liquid[w]
    free = pins == FREE
    on = (module_of >= 0) & free
    load = np.bincount(module_of[on], weights=pr.power_kw[on], minlength=n_m)
    fp, fc, fl, fr, fa = pr.free_capacity()
    assert np.all(load <= fp + 1e-6) and np.all(load <= fc + 1e-6)
    liq = np.bincount(module_of[on], weights=(pr.power_kw * pr.needs_liquid)[on], minlength=n_m)
    assert np.all(liq <= fl + 1e-6)
    if pr.rack_positions is not None:
        assert np.all(np.bincount(module_of[on], weights=pr.rack_positions[on], minlength=n_m) <= fr + 1e-6)
    if pr.accelerators is not None:
        assert np.all(np.bincount(module_of[on], weights=pr.accelerators[on], minlength=n_m) <= fa + 1e-6)


@settings(max_examples=examples(80), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_direct_milp_equals_brute_force(pr):
    sol = solve_assignment(pr, mip_rel_gap=0.0)
    check_feasible(pr, sol.module_of)
    n_placed, cost = brute_force(pr)
    free = pr.pins() == FREE
    assert int(np.count_nonzero((sol.module_of >= 0) & free)) == n_placed
    got = float(sum(pr.cost[w, m] for w, m in enumerate(sol.module_of) if m >= 0 and free[w]))
    assert got == pytest.approx(cost, rel=1e-9, abs=1e-6)
    # pinned workloads stay put
    pins = pr.pins()
    assert np.all(sol.module_of[pins >= 0] == pins[pins >= 0])


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_lp_guided_path_is_feasible_and_its_bound_holds(pr):
    """Forced down the large-instance path: feasible, and its bound never exceeds the optimum."""
    sol = solve_assignment(pr, direct_pairs=0, mip_rel_gap=0.0, improve_s=0.5)
    check_feasible(pr, sol.module_of)
    exact = solve_assignment(pr, mip_rel_gap=0.0)
    cand = pr.candidates()
    r = 1.0 + float(np.where(cand, pr.cost, 0.0).max(axis=1).sum()) if cand.any() else 1.0
    placeable = cand.any(axis=1)
    best = _objective(pr, exact.module_of, placeable, r)
    mine = _objective(pr, sol.module_of, placeable, r)
    assert mine >= best - 1e-6 * max(abs(best), 1.0)
    if np.isfinite(sol.lower_bound):
        assert sol.lower_bound <= best + 1e-6 * max(abs(best), 1.0)


@pytest.mark.parametrize("ratio", [2.0, 1.35])
def test_synthetic_lp_path_against_exact(ratio):
    """60 workloads over 12 modules: the LP-guided answer is within its own proven gap of the
    exact optimum, and the bound is below it."""
    pr = synthetic_problem(60, 12, seed=3, capacity_ratio=ratio)
    exact = solve_assignment(pr, mip_rel_gap=0.0, time_limit_s=60.0)
    assert exact.status in ("optimal", "partial")
    fast = solve_assignment(pr, direct_pairs=0, improve_s=2.0)
    check_feasible(pr, fast.module_of)
    cand = pr.candidates()
    r = 1.0 + float(np.where(cand, pr.cost, 0.0).max(axis=1).sum())
    placeable = cand.any(axis=1)
    opt = _objective(pr, exact.module_of, placeable, r)
    got = _objective(pr, fast.module_of, placeable, r)
    assert fast.lower_bound <= opt * (1 + 1e-9)
    assert got >= opt * (1 - 1e-9)
    if fast.status == "optimal":
        assert (got - opt) / got <= fast.gap + 1e-9 <= 5e-3 + 1e-9


def _tiny(**kw) -> AssignmentProblem:
    base = dict(latency_ms=np.array([[2.0, 9.0]]), budget_ms=np.array([5.0]), power_kw=np.array([50.0]),
                needs_liquid=np.array([False]), cost=np.array([[100.0, 50.0]]),
                cap_power_kw=np.array([100.0, 100.0]), cap_cooling_kw=np.array([np.inf, np.inf]),
                cap_liquid_kw=np.array([100.0, 0.0]), liquid_ok=np.array([True, False]), pinned=None)
    base.update(kw)
    return AssignmentProblem(**base)


def test_reason_latency_names_the_nearest_module():
    pr = _tiny(budget_ms=np.array([1.5]))
    sol = solve_assignment(pr)
    (r,) = diagnose(pr, sol, ["'A'", "'B'"])
    assert r.code == "latency" and r.modules == (0,)
    assert "the nearest, 'A'" in r.message and "2 ms round trip" in r.message and "1.5 ms budget" in r.message


def test_reason_capacity_names_the_largest_free():
    pr = _tiny(power_kw=np.array([150.0]), latency_ms=np.array([[2.0, 3.0]]),
               cap_power_kw=np.array([100.0, 120.0]))
    (r,) = diagnose(pr, solve_assignment(pr), ["'A'", "'B'"])
    assert r.code == "capacity"
    assert "has 150 kW free" in r.message and "largest free is 120 kW at 'B'" in r.message


def test_reason_no_liquid_module_and_liquid_capacity():
    pr = _tiny(needs_liquid=np.array([True]), liquid_ok=np.array([False, False]))
    (r,) = diagnose(pr, solve_assignment(pr), ["'A'", "'B'"])
    assert r.code == "no_liquid_module"
    pr = _tiny(needs_liquid=np.array([True]), cap_liquid_kw=np.array([40.0, 0.0]))
    (r,) = diagnose(pr, solve_assignment(pr), ["'A'", "'B'"])
    assert r.code == "capacity" and "40 kW of liquid cooling at 'A'" in r.message


def test_reason_contention_and_pinned_count_against_capacity():
    # two 80 kW workloads; only module A (100 kW) is near enough; B is far but has room
    pr = _tiny(latency_ms=np.array([[2.0, 9.0], [2.0, 9.0]]), budget_ms=np.array([5.0, 5.0]),
               power_kw=np.array([80.0, 80.0]), needs_liquid=np.array([False, False]),
               cost=np.array([[100.0, 50.0], [100.0, 50.0]]))
    sol = solve_assignment(pr)
    assert sorted(sol.module_of.tolist()) == [-1, 0]
    (r,) = diagnose(pr, sol, ["'A'", "'B'"])
    assert r.code == "contention"
    assert "'A' has 20 kW left after 1 other workload" in r.message
    assert "nearest module with room is 'B'" in r.message and "9 ms against a 5 ms budget" in r.message
    # pin the first to B (over its budget): it stays there, and the second gets A
    pr2 = _tiny(latency_ms=pr.latency_ms, budget_ms=pr.budget_ms, power_kw=pr.power_kw,
                needs_liquid=pr.needs_liquid, cost=pr.cost, pinned=np.array([1, FREE]))
    sol2 = solve_assignment(pr2)
    assert sol2.module_of.tolist() == [1, 0]
    # pin it to A instead: the other one cannot fit beside it
    pr3 = _tiny(latency_ms=pr.latency_ms, budget_ms=pr.budget_ms, power_kw=pr.power_kw,
                needs_liquid=pr.needs_liquid, cost=pr.cost, pinned=np.array([0, FREE]))
    sol3 = solve_assignment(pr3)
    assert sol3.module_of.tolist() == [0, -1]
    (r,) = diagnose(pr3, sol3, ["'A'", "'B'"])
    assert r.code == "capacity" and "after pinned workloads" in r.message


def test_invalid_pin_is_unplaced_and_not_diagnosed_as_free():
    pr = _tiny(pinned=np.array([PINNED_INVALID]))
    sol = solve_assignment(pr)
    assert sol.module_of.tolist() == [-1]
    assert diagnose(pr, sol) == []


def test_partial_places_the_most_then_cheapest():
    # capacity 100: either the 90 kW one, or the two 50 kW ones (two placed wins, though dearer)
    pr = AssignmentProblem(
        latency_ms=np.ones((3, 1)), budget_ms=np.full(3, 5.0), power_kw=np.array([90.0, 50.0, 50.0]),
        needs_liquid=np.zeros(3, bool), cost=np.array([[1.0], [400.0], [400.0]]),
        cap_power_kw=np.array([100.0]), cap_cooling_kw=np.array([np.inf]), cap_liquid_kw=np.array([0.0]),
        liquid_ok=np.array([False]))
    for direct in (3000, 0):
        sol = solve_assignment(pr, direct_pairs=direct)
        assert sol.module_of.tolist() == [-1, 0, 0]
        assert sol.status == "partial"
