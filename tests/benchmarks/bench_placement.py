"""Placement benchmark: assignment time for 100 / 1,000 / 5,000 workloads over 20 / 200 / 500 modules.

Run as ``python tests/benchmarks/bench_placement.py``. Instances come from
:func:`designer.solvers.placement.synthetic.synthetic_problem` (deterministic), straight as
arrays, so no project is built. Goal: 1,000 workloads over 200 modules in under a second.

Rows marked "+counts" are the same instances with rack positions and accelerators as capacity
too (``synthetic_problem(..., counts=True)``: a quarter of the modules short of positions, so
those bind before kW); the other rows are kW only, as before.

Columns: candidate pairs after the latency / cooling / capacity pre-filter, wall and CPU time
of ``solve_assignment`` (best of ``--repeat`` runs by wall time), beside them the proved gap to
the lower bound (cost; "-" when workloads are left out for capacity, where the count is what is
proven), status ("optimal" only when proved),
workloads placed of those that have a candidate, LP rounds and local-search MILPs.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from designer.solvers.placement.assign import solve_assignment
from designer.solvers.placement.synthetic import synthetic_problem

SIZES = ((100, 20), (1000, 200), (5000, 500))


def run(n_w: int, n_m: int, ratio: float, repeat: int, counts: bool = False, **opts) -> dict:
    problem = synthetic_problem(n_w, n_m, capacity_ratio=ratio, counts=counts)
    best = None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        sol = solve_assignment(problem, **opts)
        dt, dc = time.perf_counter() - t0, time.process_time() - c0
        if best is None or dt < best[0]:
            best = (dt, dc, sol)
    dt, dc, sol = best
    placeable = int(problem.candidates().any(axis=1).sum())
    return {"size": f"{n_w} x {n_m}" + (" +counts" if counts else ""), "ratio": ratio, "pairs": sol.n_pairs, "time_s": dt, "cpu_s": dc, "status": sol.status,
            "gap": sol.gap, "placed": int((sol.module_of >= 0).sum()), "placeable": placeable,
            "rounds": sol.lp_rounds, "milps": sol.milp_runs, "cost": sol.cost, "note": sol.message}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    rows = []
    for n_w, n_m in SIZES:
        rows.append(run(n_w, n_m, 2.0, args.repeat))
    for n_w, n_m in SIZES:
        rows.append(run(n_w, n_m, 1.35, 1))
    # the LP bound at the largest size, which the default skips (above lp_pairs)
    extra = run(5000, 500, 2.0, 1, lp_pairs=10**8)
    extra["size"] += " (LP)"
    rows.append(extra)
    for ratio in (2.0, 1.35):  # rack positions and accelerators as capacity too
        for n_w, n_m in SIZES:
            rows.append(run(n_w, n_m, ratio, args.repeat if ratio == 2.0 and n_w <= 1000 else 1, counts=True))
    head = f"{'workloads x modules':<22}{'cap/demand':>10}{'pairs':>10}{'wall s':>9}{'cpu s':>8}{'proved gap':>11}  {'status':<13}" \
           f"{'placed':>13}{'LP rounds':>10}{'MILPs':>7}"
    print(head)
    print("-" * len(head))
    for r in rows:
        gap = "-" if not np.isfinite(r["gap"]) else f"{r['gap']:.3%}"
        print(f"{r['size']:<22}{r['ratio']:>10.2f}{r['pairs']:>10}{r['time_s']:>9.3f}{r['cpu_s']:>8.3f}{gap:>11}  {r['status']:<13}"
              f"{r['placed']:>7}/{r['placeable']:<5}{r['rounds']:>10}{r['milps']:>7}")
    notes = [f"  {r['size']} at {r['ratio']:.2f}: {r['note']}" for r in rows if r["note"]]
    if notes:
        print("\nnotes (near_optimal: the proved gap; partial: left out for capacity, the count is what is proven):",
              *notes, sep="\n")
    print()
    for size in ("1000 x 200", "1000 x 200 +counts"):
        goal = next(r for r in rows if r["size"] == size and r["ratio"] == 2.0)
        print(f"goal {size} under 1 s: wall {goal['time_s']:.3f} s, cpu {goal['cpu_s']:.3f} s -> "
              f"{'met' if goal['cpu_s'] < 1 else 'NOT met'} on cpu time")
    print("The machine is shared: wall time grows with the load of others; cpu time (all threads of this "
          "process) is the steadier figure.")


if __name__ == "__main__":
    main()
