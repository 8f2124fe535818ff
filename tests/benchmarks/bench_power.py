"""Power benchmark: full solve and single-failure sweep on generated 2N halls, against pandapower.

Run: ``python tests/benchmarks/bench_power.py [sizes...]`` (default 40 200 1000).

For each generated hall (``designer.io.generate.generate_project(n)``, 2N power) it prints:

* build: the hall's power chain to arrays (every run);
* flow: one radial load flow with the cached live tree (what an edit that keeps the
  topology costs), and cold (tree matrices built too);
* sweep: every single failure (each source, transformer, switchboard, UPS, UPS module,
  busway, tap, and each side), incremental, from scratch; warm: with its structure cached;
* site: the whole power analysis of the site as the analysis runs it (``solve_site``: build, load
  flow with its convergence check, unbalanced phases, ratings and feeder ampacity, every single
  failure with its voltage estimate, results, findings), warm (cache kept) and cold (no cache);
* pandapower: one ``runpp`` of the same network (Newton-Raphson, numba off) after its UPS and
  PDU loads have been settled, the ratio pandapower / our sweep, and the largest differences
  between the two answers (voltage in pu, total losses in %).

Times are the best of several runs (wall clock, ``time.perf_counter``). The machine may be
shared: expect noise, and compare ratios taken in the same run rather than absolute times.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for the pandapower twin

from test_power_peer import compare, run_pandapower  # noqa: E402

from designer.io.generate import generate_project  # noqa: E402
from designer.solvers.power.checks import build_checks, measure, utilisation  # noqa: E402
from designer.solvers.power.loadflow import solve_flow, topology  # noqa: E402
from designer.solvers.power.network import build_network  # noqa: E402
from designer.solvers.power.phases import phase_state  # noqa: E402
from designer.solvers.power.redundancy import scenarios, sweep  # noqa: E402
from designer.solvers.power.solve import solve_site  # noqa: E402


def best(fn, k: int) -> tuple[float, object]:
    t_best, out = float("inf"), None
    for _ in range(k):
        t = time.perf_counter()
        out = fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best, out


def single_phase_hall(n: int):
    """The generated hall with every fourth rack a 7 kW rack on single-phase cords, L1, L2, L3 in
    turn: the unbalanced flow then runs in every UPS zone."""
    site = generate_project(n).sites[0]
    k = 0
    for r in site.hall.racks[::4]:
        r.it_load_kw = 7.0
        for f in (r.feed_a, r.feed_b):
            if f is not None:
                f.phase = ("L1", "L2", "L3")[k % 3]
        k += 1
    return site


def bench(n: int, k: int = 7, single_phase: bool = False) -> dict:
    import numpy as np

    site = single_phase_hall(n) if single_phase else generate_project(n).sites[0]
    t_build, net = best(lambda: build_network(site.hall, site.id), k)
    t_cold, _ = best(lambda: solve_flow(net), max(2, k // 2))
    topo = topology(net)
    t_flow, st = best(lambda: solve_flow(net, topo=topo), k)
    ph = phase_state(net, st)
    ch = build_checks(net)
    b = ch.bus
    util = utilisation(ch, measure(ch.kind, st.s_out[b], np.abs(st.V[b]), topo.base_v[b], ph.factor[b],
                                   net.one_phase[b]))
    specs = scenarios(net, st)
    sweep(net, st, ch, util, ph.factor, specs)  # warm the tree's depth-first numbering
    t_sweep, outcomes = best(lambda: sweep(net, st, ch, util, ph.factor, scenarios(net, st)), k)
    sc: dict = {}
    sweep(net, st, ch, util, ph.factor, specs, cache=sc)
    t_sweep_w, _ = best(lambda: sweep(net, st, ch, util, ph.factor, scenarios(net, st), cache=sc), k)
    t_site_cold, _ = best(lambda: solve_site(site, None), max(2, k // 2))
    cache: dict = {}
    solve_site(site, cache)
    t_site, (res, _f) = best(lambda: solve_site(site, cache), k)
    pn, book, _ = run_pandapower(net, st)
    t_pp, _ = best(lambda: run_pp_once(pn), 3)
    c = compare(net, st, pn, book)
    return {
        "racks": n, "buses": net.n_bus, "pp_buses": len(pn.bus), "scenarios": len(specs), "build": t_build,
        "flow": t_flow, "flow_cold": t_cold,
        "sweep": t_sweep, "sweep_w": t_sweep_w, "site": t_site, "site_cold": t_site_cold, "pp": t_pp, "dv": c["dv_max_pu"],
        "dloss": abs(c["loss_kw"] - c["loss_pp_kw"]) / c["loss_pp_kw"] * 100, "survives": res.survives,
        "failing": sum(not o.ok for o in outcomes),
    }


def run_pp_once(pn) -> None:
    import warnings

    import pandapower as pp

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp.runpp(pn, tolerance_mva=1e-8, numba=False, init="dc")  # as a fresh run starts


def main(sizes: list[int]) -> None:
    ms = 1e3
    head = (f"{'racks':>6}{'buses':>7}{'pp bus':>7}{'scen.':>7}{'build':>8}{'flow':>8}{'cold':>8}{'sweep':>8}"
            f"{'warm':>8}{'site':>8}"
            f"{'sitecold':>9}{'pp runpp':>10}{'pp/site':>9}{'pp/cold':>9}{'max dV pu':>11}{'dLoss %':>9}  survives")
    print("times in ms (best of several runs; the machine may be shared, so expect noise)")
    print(head)
    print("-" * len(head))
    for n, one in [(n, one) for one in (False, True) for n in sizes]:
        if one and n == sizes[0]:
            print("with every fourth rack on single-phase cords (unbalanced flow in every zone):")
        r = bench(n, single_phase=one)
        print(f"{r['racks']:>6}{r['buses']:>7}{r['pp_buses']:>7}{r['scenarios']:>7}{r['build'] * ms:8.1f}"
              f"{r['flow'] * ms:8.1f}"
              f"{r['flow_cold'] * ms:8.1f}{r['sweep'] * ms:8.1f}{r['sweep_w'] * ms:8.1f}{r['site'] * ms:8.1f}"
              f"{r['site_cold'] * ms:9.1f}{r['pp'] * ms:10.1f}"
              f"{r['pp'] / r['site']:9.2f}{r['pp'] / r['site_cold']:9.2f}{r['dv']:11.1e}{r['dloss']:9.1e}  "
              f"{'yes' if r['survives'] else 'no'} ({r['failing']} failing)")
    print("\nbuild: hall to arrays; flow: one load flow, cached tree; cold: tree built too; sweep: all single "
          "failures from scratch;\nwarm: the same with its structure cached (an edit that keeps the topology); "
          "site: the whole power analysis of the site (solve_site: flow, unbalanced phases, ampacity, every single "
          "failure,\nresults, findings) with a warm cache; sitecold: the same from nothing;\npp runpp: one pandapower "
          "load flow of the same network (pp bus: its buses); "
          "pp/site, pp/cold > 1: the whole power analysis is faster than it.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [40, 200, 1000])
