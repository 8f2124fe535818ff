"""Study benchmark: scenarios per second on a generated fleet, serial against Dask, and what
reusing a design's structure saves.

Run: ``python tests/benchmarks/bench_study.py [--sites 200] [--reuse-designs 20] [--hall 200]``

The fleet is ``designer generate fleet --sites N`` (a core and N edge sites, every site a
design); the grid is 20 scenarios per design: IT load x1.0 to x1.4 in five steps, each as
designed and with the site's first UPS, first PDU and one pump of its first CDU failed. All
five analyses run (layout, liquid, air, power with its own single-failure sweep, placement).

It prints, for the whole fleet x 20 scenarios:

* serial: every task in this process, no Dask;
* Dask on a local cluster of 1 and of 2 single-threaded worker processes: the wall time with
  the cluster's start (processes spawned, the analyses imported) and stop, those two alone,
  and the rate between them;

and, on the first ``--reuse-designs`` designs in this process, the time per scenario with
each design's analysis caches kept across its scenarios (live power tree and failure-sweep
plan, liquid pattern and warm Newton state, air rasterisation and factorisations, latency
network) against starting every scenario cold; then the same on one generated ``--hall``-rack
hall (``designer.io.generate``), where the structure is worth more than on a two-rack tower
site. Tables are checked equal between the runs.

The machine may be shared: compare ratios taken in the same run rather than absolute times.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, for study_helpers

from study_helpers import results  # noqa: E402

GRID = {"it_load_growth": [1.0, 1.1, 1.2, 1.3, 1.4],
        "failures": ["none", "{site}.ups1", "{site}.pdu1", "{site}.cdu1"]}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sites", type=int, default=200)
    ap.add_argument("--reuse-designs", type=int, default=20)
    ap.add_argument("--workers", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--hall", type=int, default=200, help="racks of the generated hall for the reuse figure (0: none)")
    ap.add_argument("--skip-fleet", action="store_true", help="only the reuse figure on the generated hall")
    args = ap.parse_args()
    if args.skip_fleet:
        hall_reuse(args.hall)
        return

    from designer.io.files import save
    from designer.io.fleet import generate_fleet
    from designer.study.designs import load_designs
    from designer.study.engine import run_study
    from designer.study.execute import clear_runners
    from designer.study.spec import parse_study_text

    folder = Path(tempfile.mkdtemp(prefix="bench-study-"))
    t = time.perf_counter()
    save(generate_fleet(args.sites), folder / "fleet.json")
    gen_s = time.perf_counter() - t
    text = json.dumps({"study_version": 1, "name": "bench", "designs": [{"file": "fleet.json"}], "grid": GRID})
    study = parse_study_text(text, "bench", folder)
    t = time.perf_counter()
    designs = load_designs(study)
    load_s = time.perf_counter() - t
    print(f"fleet of {args.sites} edge sites and the core generated in {gen_s:.1f} s; {len(designs)} designs cut "
          f"(placement of the whole fleet to give each site its workloads) in {load_s:.1f} s; "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    runs = {}
    out = run_study(study, None, designs, workers=0)
    runs["serial"] = out
    n = len(out.rows)
    print(f"\n{n} scenarios ({len(designs)} designs x {n // len(designs)})")
    print(f"{'run':<26}{'wall s':>9}{'start s':>9}{'stop s':>8}{'scen/s':>9}{'between':>10}")

    def line(name, o):
        between = n / max(o.elapsed_s - o.startup_s - o.shutdown_s, 1e-9)
        print(f"{name:<26}{o.elapsed_s:9.1f}{o.startup_s:9.1f}{o.shutdown_s:8.1f}{n / o.elapsed_s:9.2f}{between:10.2f}",
              flush=True)

    line("serial (this process)", out)
    for w in args.workers:
        clear_runners()
        o = run_study(study, None, designs, workers=w)
        runs[f"dask {w}"] = o
        line(f"dask local, {w} worker{'s' if w > 1 else ''}", o)
    base = results(runs["serial"].rows)
    for k, o in runs.items():
        assert results(o.rows) == base, f"{k} differs from the serial table"
    print("tables equal across the runs")

    sub = designs[: args.reuse_designs]
    clear_runners()
    warm = run_study(study, None, sub, workers=0, reuse=True)
    clear_runners()
    cold = run_study(study, None, sub, workers=0, reuse=False)
    assert results(warm.rows) == results(cold.rows)
    m = len(warm.rows)
    w_ms, c_ms = warm.elapsed_s / m * 1000, cold.elapsed_s / m * 1000
    print(f"\nstructure reuse on {len(sub)} designs x {m // len(sub)} scenarios, in this process:")
    print(f"  reused across a design's scenarios: {w_ms:7.1f} ms per scenario")
    print(f"  every scenario cold:               {c_ms:7.1f} ms per scenario  ({c_ms / w_ms:.2f}x)")
    if args.hall:
        hall_reuse(args.hall)


def hall_reuse(n_racks: int) -> None:
    """The same grid on one bigger design, a generated hall (2N, pods with CDU loops), where
    the structure is worth more: reused against cold, per scenario."""
    from designer.io.files import save
    from designer.io.generate import generate_project
    from designer.study.designs import load_designs
    from designer.study.engine import run_study
    from designer.study.execute import clear_runners
    from designer.study.spec import parse_study_text

    folder = Path(tempfile.mkdtemp(prefix="bench-study-hall-"))
    save(generate_project(n_racks), folder / "hall.json")
    grid = {"it_load_growth": GRID["it_load_growth"], "failures": ["none", "gen.ups1", "gen.bw1", "gen.cdu1"]}
    text = json.dumps({"study_version": 1, "name": "hall", "designs": [{"file": "hall.json"}], "grid": grid})
    study = parse_study_text(text, "hall", folder)
    designs = load_designs(study)
    clear_runners()
    warm = run_study(study, None, designs, workers=0, reuse=True)
    clear_runners()
    cold = run_study(study, None, designs, workers=0, reuse=False)
    assert results(warm.rows) == results(cold.rows)
    m = len(warm.rows)
    w_ms, c_ms = warm.elapsed_s / m * 1000, cold.elapsed_s / m * 1000
    print(f"\nstructure reuse on a generated {n_racks}-rack hall x {m} scenarios, in this process:")
    print(f"  reused across the design's scenarios: {w_ms:7.1f} ms per scenario")
    print(f"  every scenario cold:                  {c_ms:7.1f} ms per scenario  ({c_ms / w_ms:.2f}x)")


if __name__ == "__main__":
    main()
