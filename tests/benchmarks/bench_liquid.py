"""Liquid benchmark: our GGA against EPANET (through WNTR) on generated halls' CDU loops.

Run: ``python tests/benchmarks/bench_liquid.py [sizes...]`` (default 40 200 1000).

For each generated hall (``designer.io.generate.generate_project(n)``: pods of up to 25
racks, one CDU loop per pod, so 1,000 racks are 40 independent loops) it prints:

* hydraulics: one cold solve of the whole hall's network in the EPANET-compatible mode
  (sparse structure built, Newton from EPANET's starting flows), and EPANET's
  ``EpanetSimulator.run_sim`` on the same network (write the input file, run EPANET 2.2,
  read its binary output; making the WNTR model is timed apart), their ratio, and the
  largest differences (heads in mm, flows in % of the link's flow);
* analysis: the liquid analysis end to end (build from the plan, hydraulics coupled with
  the heat balance, pump-failure scenario, results, findings), cold and re-run unchanged;
* refresh: moving one rack through the document (one undoable edit), snapshot excluded,
  with the analysis cache from the previous run.

Times are the best of several runs (wall clock). The machine may be shared: expect noise,
and compare ratios taken in the same run rather than absolute times.
"""

from __future__ import annotations

import sys
import tempfile
import time

import numpy as np

from designer.analysis.liquid import LiquidAnalysis
from designer.document.document import Document
from designer.document.ops import move_items
from designer.io.generate import generate_project
from designer.solvers.liquid.build import build_system
from designer.solvers.liquid.elements import G_EPANET, SolverOptions
from designer.solvers.liquid.ggasolver import solve
from designer.solvers.liquid.operate import operate
from designer.solvers.liquid.peer import run_epanet, to_wntr


def best(fn, k: int) -> tuple[float, object]:
    t_best, out = float("inf"), None
    for _ in range(k):
        t = time.perf_counter()
        out = fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best, out


def bench(n: int, k: int = 5) -> dict:
    project = generate_project(n)
    site = project.sites[0]
    system = build_system(site)
    st = operate(system)
    nu = np.full(system.n_links, 2.0e-6)  # one viscosity, as EPANET has
    net = system.network(st.rho_link, nu, G_EPANET, st.cold_plate_k_pa)
    net.fixed_head[~np.isnan(net.fixed_head)] = 30.0
    opts = SolverOptions.epanet()
    t_ours, sol = best(lambda: solve(net, opts), k)
    t_model, _ = best(lambda: to_wntr(net), 2)
    with tempfile.TemporaryDirectory() as d:
        t_peer, peer = best(lambda: run_epanet(net, workdir=d), 3)
    dh = np.abs(peer.head - sol.head).max()
    big = np.abs(sol.flow) > 1e-6 * np.abs(sol.flow).max()
    dq = (np.abs(peer.flow[big] - sol.flow[big]) / np.abs(sol.flow[big])).max()

    a = LiquidAnalysis()
    t_cold, res = best(lambda: a.run(project, 0, {}), 3)
    cache: dict = {}
    a.run(project, 0, cache)
    t_warm, _ = best(lambda: a.run(project, 0, cache), k)
    doc = Document(project)
    a.run(doc.snapshot(), 0, cache)
    rack = site.hall.racks[len(site.hall.racks) // 2].id
    times = []
    for i in range(k):
        doc.apply(move_items(doc, [rack], 0.0, 0.05 if i % 2 == 0 else -0.05))
        snap = doc.snapshot()
        t = time.perf_counter()
        r = a.run(snap, i + 1, cache)
        times.append(time.perf_counter() - t)
    return dict(n=n, loops=len(system.loops), nodes=net.n_nodes, links=net.n_links, iters=sol.iterations,
                ours=t_ours, model=t_model, peer=t_peer, ratio=t_peer / t_ours, dh_mm=dh * 1000, dq_pct=dq * 100,
                cold=t_cold, warm=t_warm, refresh=min(times), refresh_med=float(np.median(times)),
                findings=len(r.findings), converged=r.summary["converged"])


def main(sizes: list[int]) -> None:
    rows = [bench(n) for n in sizes]
    print("Liquid loops: our GGA vs EPANET 2.2 via WNTR EpanetSimulator (best of runs, ms)")
    print(f"{'racks':>6} {'loops':>5} {'nodes':>6} {'links':>6} {'newton':>6} {'ours':>8} {'EPANET':>8} "
          f"{'(model)':>8} {'ratio':>7} {'max dH mm':>10} {'max dQ %':>9}")
    for r in rows:
        print(f"{r['n']:6d} {r['loops']:5d} {r['nodes']:6d} {r['links']:6d} {r['iters']:6d} {r['ours'] * 1e3:8.2f} "
              f"{r['peer'] * 1e3:8.1f} {r['model'] * 1e3:8.1f} {r['ratio']:6.1f}x {r['dh_mm']:10.4f} "
              f"{r['dq_pct']:9.5f}")
    print()
    print("Liquid analysis end to end (build, hydraulics + heat, pump failure, results, findings; ms)")
    print(f"{'racks':>6} {'cold':>8} {'re-run':>8} {'move 1 rack':>12} {'(median)':>9} {'findings':>9} {'converged':>9}")
    for r in rows:
        print(f"{r['n']:6d} {r['cold'] * 1e3:8.1f} {r['warm'] * 1e3:8.1f} {r['refresh'] * 1e3:12.1f} "
              f"{r['refresh_med'] * 1e3:9.1f} {r['findings']:9d} {str(r['converged']):>9}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 200, 1000])
