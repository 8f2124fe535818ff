"""Air-side model benchmark on generated halls: full solve, after moving a rack, after a power edit.

Run: ``python tests/benchmarks/bench_air.py [n_racks ...] [--cell 0.25,0.5]`` (default 40 200
1000 racks at 0.25 and 0.5 m cells). Prints
figures; asserts nothing (speed targets live here, not in the unit tests). Goals (issue 5):
full solve under 250 ms and refresh after a move under 50 ms on a 2-core machine.

* **full**: a cold cache (grid pattern, both factorisations, results and findings), through
  the analysis exactly as ``designer solve --air`` runs it;
* **move**: one rack moved 0.5 m along its row, the previous run's cache warm (partial
  refactorisation of the airflow operator, partial refactorisation + refinement of the
  temperature operator); ten different racks, median and worst;
* **power**: one rack's load changed by 30 % (the airflow factor reused);
* the same on a coarse 0.5 m grid (the preview while dragging);
* for reference, SciPy's SuperLU factorising the same two matrices (the obvious alternative),
  and the largest temperature difference between the incremental and a from-scratch answer.

Timings are wall-clock medians on a shared machine; the load average is printed with them.
"""

from __future__ import annotations

import os
import statistics
import sys
import time


def _timed(fn):
    """(result, wall ms, CPU ms of this process): on a shared machine the CPU time is the
    better guide to what an idle machine would show."""
    w0, c0 = time.perf_counter(), time.process_time()
    out = fn()
    return out, (time.perf_counter() - w0) * 1000, (time.process_time() - c0) * 1000


def _median_ms(fn, repeat=3):
    runs = [_timed(fn) for _ in range(repeat)]
    return statistics.median(r[1] for r in runs), statistics.median(r[2] for r in runs), runs[-1][0]


def _superlu_ms(hall, cell_m):
    """Factorise the airflow and temperature matrices of a solved hall with SuperLU."""
    import numpy as np
    import scipy.sparse as sp
    import scipy.sparse.linalg as sla

    from designer.solvers.air import AirParams, HallCache, solve_hall

    cache = HallCache()
    solve_hall(hall, AirParams(cell_m=cell_m), cache)
    pat = cache.pattern
    out = []
    for K in (cache.flow_K, cache.temp_K):
        ny, nx = pat.ny, pat.nx
        c, w, e, s, n = (K[d, : pat.N].reshape(pat.NY, pat.NX)[:ny, :nx] for d in range(5))
        idx = np.arange(ny * nx).reshape(ny, nx)
        rows = [idx.ravel(), idx[:, 1:].ravel(), idx[:, :-1].ravel(), idx[1:, :].ravel(), idx[:-1, :].ravel()]
        cols = [idx.ravel(), idx[:, :-1].ravel(), idx[:, 1:].ravel(), idx[:-1, :].ravel(), idx[1:, :].ravel()]
        vals = [c.ravel(), w[:, 1:].ravel(), e[:, :-1].ravel(), s[1:, :].ravel(), n[:-1, :].ravel()]
        A = sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                          shape=(ny * nx, ny * nx))
        t0 = time.perf_counter()
        sla.splu(A, permc_spec="COLAMD")
        out.append((time.perf_counter() - t0) * 1000)
    return out


def bench(n: int, cell_m: float = 0.25) -> dict:
    import numpy as np

    from designer.analysis.air import AirAnalysis
    from designer.analysis.base import run_analysis
    from designer.io.generate import generate_project

    project = generate_project(n)
    hall = project.sites[0].hall
    a = AirAnalysis(cell_m=cell_m)

    def full():
        return run_analysis(a, project, 0, {})

    full_med, full_cpu, res = _median_ms(full)
    site = res.data.sites["gen"]
    cache: dict = {}
    run_analysis(a, project, 0, cache)
    moves, moves_cpu, modes = [], [], []
    step = 0.5 if cell_m <= 0.25 else 1.0
    picks = list(range(0, len(hall.racks), max(1, len(hall.racks) // 10)))[:10]
    for k in picks:
        hall.racks[k].x += step
        r, wall, cpu = _timed(lambda: run_analysis(a, project, 1, cache))
        moves.append(wall)
        moves_cpu.append(cpu)
        st = r.data.sites["gen"].stats
        modes.append((st["flow"], st["temperature"]))
    powers, powers_cpu = [], []
    for k in picks:
        hall.racks[k].it_load_kw *= 1.3
        r, wall, cpu = _timed(lambda: run_analysis(a, project, 2, cache))
        powers.append(wall)
        powers_cpu.append(cpu)
    fresh = run_analysis(AirAnalysis(cell_m=cell_m), project, 3, {})
    dT = float(np.nanmax(np.abs(fresh.data.sites["gen"].map.temperature_c
                                - r.data.sites["gen"].map.temperature_c)))
    return {
        "n": n, "cell": cell_m, "cells": site.stats["cells"], "air": site.stats["air_cells"],
        "full": full_med, "full_cpu": full_cpu,
        "solver_ms": site.stats["build_ms"] + site.stats["flow_ms"] + site.stats["temperature_ms"],
        "move": statistics.median(moves), "move_max": max(moves), "move_cpu": statistics.median(moves_cpu),
        "power": statistics.median(powers), "power_max": max(powers), "power_cpu": statistics.median(powers_cpu),
        "modes": modes[len(modes) // 2], "dT": dT,
        "superlu": _superlu_ms(generate_project(n).sites[0].hall, cell_m),
    }


def main(sizes: list[int], cells: list[float]) -> None:
    rows = []
    for n in sizes:
        for cell in cells:
            rows.append(bench(n, cell))
            print(f"  done {n} racks at {cell} m (load average {os.getloadavg()[0]:.1f})", file=sys.stderr)
    print(f"\nAir-side model, generated halls; wall-clock medians in ms (load average now "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores, shared machine)\n")
    hdr = (f"{'racks':>6} {'cell m':>6} {'cells':>7} {'air':>7} | {'full':>6} {'cpu':>5} | {'move':>6} "
           f"{'cpu':>5} {'max':>5} | {'power':>6} {'cpu':>5} {'max':>5} | {'SuperLU flow+temp':>17} | "
           f"{'|dT| vs fresh':>13}")
    print(hdr)
    print("-" * len(hdr))
    for r in rows:
        slu = f"{r['superlu'][0]:.0f} + {r['superlu'][1]:.0f}"
        print(f"{r['n']:>6} {r['cell']:>6} {r['cells']:>7} {r['air']:>7} | {r['full']:>6.0f} {r['full_cpu']:>5.0f} | "
              f"{r['move']:>6.0f} {r['move_cpu']:>5.0f} {r['move_max']:>5.0f} | {r['power']:>6.0f} "
              f"{r['power_cpu']:>5.0f} {r['power_max']:>5.0f} | {slu:>17} | {r['dT']:>13.1e}")
    print("\nfull = cold cache, through the analysis (grid, both factorisations, results, findings)")
    print("move = one rack moved 0.5 m, warm cache; power = one rack's load +30 %, warm cache")
    print("wall-clock medians, 'cpu' = CPU time of this process (what an idle machine would show),")
    print("max = worst of ten; SuperLU = scipy splu (COLAMD) factorising the same two matrices")
    print("what a typical move reused:")
    for r in rows:
        print(f"  {r['n']} racks, {r['cell']} m: airflow {r['modes'][0]}; temperature {r['modes'][1]}")


if __name__ == "__main__":
    args = sys.argv[1:]
    cells = [0.25, 0.5]
    if "--cell" in args:  # e.g. --cell 0.33 (about 40,000 cells for the 1,000-rack hall)
        i = args.index("--cell")
        cells = [float(c) for c in args[i + 1].split(",")]
        del args[i:i + 2]
    main([int(a) for a in args] or [40, 200, 1000], cells)
