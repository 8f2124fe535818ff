"""Air-side model benchmark: the CFD reference cases and generated halls.

Run: ``python tests/benchmarks/bench_air.py [--racks 40,200,1000] [--budget-s 900]
[--max-cells N]`` (the app coarsens meshes above ``designer.analysis.air.MAX_CELLS``). Prints,
per hall: cells, the full solve from a cold cache, the solve after moving one rack 0.6 m along
its row (onto its neighbour: kept for comparison with earlier figures), after changing one
rack's power by 30 % and after pulling its row's end rack 1.2 m out onto free floor (each from
the previous run's cache), as
wall and CPU seconds of this process, and for the reference cases OpenFOAM's solver CPU time from
``tests/air_cfd/results`` and the ratio. Asserts nothing. Goals (issue 13, 2-core machine):
200 racks full under 1 s, after a move under 0.2 s; 1,000 racks full under 5 s. A hall whose
full solve is estimated to exceed ``--budget-s`` (from its cell count and the measured cost
per cell and iteration of the halls before it) is reported as skipped with the estimate.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

from designer.analysis.air import MAX_CELLS, AirAnalysis
from designer.analysis.base import run_analysis
from designer.io.files import load
from designer.io.generate import generate_project

HERE = Path(__file__).resolve().parents[1] / "air_cfd"


def _timed(fn):
    w, c = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - w, time.process_time() - c


MAXC = [MAX_CELLS]


def _run(project, cache):
    from designer.solvers.air.engine import clear_memo

    clear_memo()  # time the solve, not the memo of identical inputs
    res = run_analysis(AirAnalysis(max_cells=MAXC[0]), project, 0, cache)
    if res.error:
        raise RuntimeError(res.error)
    s = next(iter(res.data.sites.values()))
    return s


def _row_end_with_room(hall, rack, dx: float):
    """The last rack of ``rack``'s row (same y and turn) if moving it ``dx`` along x keeps it
    clear of every other rack and air unit and inside the outline's box, else None."""
    row = [q for q in hall.racks if abs(q.y - rack.y) < 1e-6 and q.rotation_deg == rack.rotation_deg]
    end = max(row, key=lambda q: q.x)
    x0, y0 = end.x + dx, end.y
    xs = [p[0] for p in hall.outline]
    if x0 + end.width_m / 2 > max(xs) - 0.3:
        return None
    for q in [*hall.racks, *hall.air_units]:
        if q is end:
            continue
        w, d = (getattr(q, "width_m", 0.6) or 0.6), (getattr(q, "depth_m", 1.2) or 1.2)
        if abs(q.x - x0) < (w + end.width_m) / 2 and abs(q.y - y0) < (d + end.depth_m) / 2:
            return None
    return end


def bench(name: str, project, cfd_s: float | None, preview: bool = False) -> None:
    cache: dict = {}
    s, w, c = _timed(lambda: _run(project, cache))
    st = s.stats
    if not s.solved or not st.get("converged", True):
        # no answer, so no time to report as if it were one (a grid coarsened past what the
        # racks need is refused in milliseconds)
        why = st.get("refused") or st.get("failure") or f"not converged in {st.get('iterations')} iterations"
        print(f"{name:<28} cells {st.get('cells', 0):>8}  NO ANSWER after {w:.1f} s wall / {c:.1f} s CPU: {why} "
              f"(raise --max-cells to solve it at the cell size it needs)", flush=True)
        return
    line = (f"{name:<28} {s.map.cell_m if s.map else 0:4.2f} m cells {st.get('cells', 0):>8}  full {w:7.1f} s wall {c:7.1f} s CPU "
            f"({st.get('iterations')} it)")
    hall = project.sites[0].hall
    r = hall.racks[len(hall.racks) // 2]
    r.x += 0.6
    s2, w2, c2 = _timed(lambda: _run(project, cache))
    line += f"  move {w2:6.1f} / {c2:6.1f} s ({s2.stats.get('iterations')} it)"
    r.it_load_kw *= 1.3
    s3, w3, c3 = _timed(lambda: _run(project, cache))
    line += f"  power {w3:6.1f} / {c3:6.1f} s ({s3.stats.get('iterations')} it)"
    # the move above lands the rack on its neighbour (a covered rack, no air of its own); a
    # move an engineer makes: the end rack of that row pulled 1.2 m out along the row onto
    # free floor (a gap the row's cells still resolve)
    end = _row_end_with_room(hall, r, 1.2)
    if end is None:
        line += "  pull-out: no free floor"
    else:
        end.x += 1.2
        s4, w4, c4 = _timed(lambda: _run(project, cache))
        line += (f"  pull-out {w4:6.1f} / {c4:6.1f} s ({s4.stats.get('iterations')} it)" if s4.solved and
                 s4.stats.get("converged", True) else "  pull-out: NO ANSWER")
    if preview:
        from designer.app.views.air.preview import (  # noqa: PLC0415
            PREVIEW_CELL_M,
            PREVIEW_ITER,
            PREVIEW_MAX_CELLS_RESOLVED,
        )
        from designer.solvers.air.engine import AirParams, clear_memo

        pa = AirAnalysis(cell_m=PREVIEW_CELL_M, params=AirParams(cell_m=PREVIEW_CELL_M, preview=True,
                                                                 max_iter=PREVIEW_ITER), max_cells=MAXC[0],
                         max_cells_resolved=PREVIEW_MAX_CELLS_RESOLVED)  # as the app's preview
        pcache: dict = {}
        first = run_analysis(pa, project, 0, pcache)  # warm, as after the first drag step
        ps = next(iter(first.data.sites.values()))
        if not ps.solved:
            print(f"{line}  preview: none ({ps.stats.get('refused') or 'no answer'})", flush=True)
            return
        times = []
        for _ in range(5):
            r.x += 0.1
            clear_memo()
            _, wp, cp_ = _timed(lambda: run_analysis(pa, project, 0, pcache))
            times.append(wp)
        line += f"  preview step {sorted(times)[2] * 1e3:6.0f} ms wall (median of 5, {PREVIEW_ITER} steps)"
    if cfd_s:
        line += f"  OpenFOAM solver {cfd_s:7.0f} s CPU = {cfd_s / max(c, 1e-9):5.0f}x the full solve's CPU"
    print(line, flush=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--racks", default="40,200,1000")
    ap.add_argument("--budget-s", type=float, default=900.0)
    ap.add_argument("--max-cells", type=int, default=MAX_CELLS,
                    help="the app's cap (default) or more, to time the model at the project's cell size")
    a = ap.parse_args()
    MAXC[0] = a.max_cells
    print(f"load average {os.getloadavg()}", file=sys.stderr)
    for path in sorted((HERE / "cases").glob("*.json")):
        res = HERE / "results" / path.name
        cfd = None
        if res.exists():
            # OpenFOAM's own solver CPU time (its ExecutionTime log lines) on the reference mesh,
            # spin-up and averaging window included: wall time on this shared machine runs 1-5x that
            cfd = json.loads(res.read_text()).get("reference", {}).get("solver_cpu_s")
        bench(path.stem, load(path), cfd)
    for n in (int(x) for x in a.racks.split(",") if x):
        p = generate_project(n)
        hall = p.sites[0].hall
        xs = [q[0] for q in hall.outline]
        ys = [q[1] for q in hall.outline]
        cell = p.settings.air_cell_m
        est_cells = min((max(xs) - min(xs)) * (max(ys) - min(ys)) / cell ** 2 * hall.height_m / cell, a.max_cells)
        est_s = est_cells * 250 * 2.2e-6  # ~250 iterations at ~2.2 us per cell and iteration
        if est_s > a.budget_s:
            print(f"generated {n:>5} racks          cells ~{est_cells:>8.0f}  skipped: full solve estimated "
                  f"at {est_s:.0f} s (> budget {a.budget_s:.0f} s)", flush=True)
            continue
        bench(f"generated {n} racks", p, None, preview=True)


if __name__ == "__main__":
    main()
