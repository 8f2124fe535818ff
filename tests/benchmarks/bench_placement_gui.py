"""Placement pane benchmark: GUI-thread work per placement result and per edit.

Run: ``python tests/benchmarks/bench_placement_gui.py [workload counts...]`` (default 200
1000), offscreen unless QT_QPA_PLATFORM says otherwise.

Inputs: the sample project, and the sample with N extra workloads (2-10 kW, budgets 3-300
ms) whose data comes from N / 4 extra sources scattered over Germany, a deterministic mix of
placed and unplaced; and the 1,000-rack generated hall (no workloads) for the "edit on a
big plan" rows. For each it opens the real window with the pane shown, lets the analyses
finish, then times (median of several runs, wall clock, GUI thread only):

* redraw, new results: tables, map (every line, ring and marker rebuilt) and chart;
* same results: a result that places everything as before (a rack moved): tables refresh,
  map and chart untouched;
* select a module: highlight its workloads in the table, map and chart, and clear it again;
* table refresh after an edit: the models' response to one ``Change``;
* paint: one repaint of the map and of the chart.

The machine may be shared: expect noise, compare figures from the same run.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _median_ms(fn, reps: int = 7) -> float:
    out = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out)


def _with_workloads(n: int):
    from designer.io.catalog_store import sample_project_path
    from designer.io.files import load
    from designer.model.base import Located
    from designer.model.project import DataSource, Workload

    p = load(sample_project_path())
    rnd = random.Random(7)
    for k in range(max(1, n // 4)):
        p.data_sources.append(DataSource(id=f"bsrc-{k}", name=f"Sensor field {k}",
                                         location=Located(lat=rnd.uniform(47.5, 54.5), lon=rnd.uniform(6.0, 15.0)),
                                         access_delay_ms=rnd.choice([0.0, 0.5, 1.0])))
    for k in range(n):
        p.workloads.append(Workload(id=f"bwl-{k}", name=f"Workload {k}", latency_budget_ms=rnd.uniform(3, 300),
                                    data_source_id=f"bsrc-{rnd.randrange(max(1, n // 4))}",
                                    it_power_kw=rnd.uniform(2, 10), processing_ms=rnd.uniform(0.5, 2.0),
                                    needs_liquid=rnd.random() < 0.2))
    return p


def bench(label: str, project, module_id: str | None) -> dict:
    from designer.app.main import make_app
    from designer.app.state.session import Session
    from designer.app.window.mainwindow import MainWindow
    from designer.document.document import Change

    app = make_app()
    s = Session(project)
    w = MainWindow(s)
    w.resize(1600, 1000)
    w.show()
    view = w.extensions["placement"]
    view.dock.raise_()
    assert s.scheduler.wait_idle(600)
    app.processEvents()
    pane = view.pane
    res = pane.results
    out = {"label": label, "workloads": len(s.project.workloads),
           "placed": len(res.placed) if res else 0, "lines": len(pane.map.lines)}

    def redraw():
        pane._signature = ()
        pane.apply_results(res)

    out["redraw"] = _median_ms(redraw, 5)
    out["same"] = _median_ms(lambda: pane.apply_results(res))
    if module_id is not None:
        # the pane's own response only (the properties panel and the plan also follow a selection)
        out["select"] = _median_ms(lambda: (pane.on_selection([module_id]), pane.on_selection([])))
    else:
        out["select"] = float("nan")
    any_id = (s.project.workloads[0].id if s.project.workloads
              else s.project.sites[0].hall.racks[0].id)
    ch = Change(s.doc.revision, modified={any_id: {"x"}})
    out["change"] = _median_ms(lambda: [m.on_change(ch) for m in (pane.tables.workloads, pane.tables.sources,
                                                                   pane.tables.links, pane.tables.sites)])
    mp, cp = pane.map.viewport(), pane.chart.plot.viewport()
    out["paint_map"] = _median_ms(lambda: mp.repaint(), 5)
    out["paint_chart"] = _median_ms(lambda: cp.repaint(), 5)
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()
    w.deleteLater()
    app.processEvents()
    return out


def main(counts: list[int]) -> None:
    from designer.io.catalog_store import sample_project_path
    from designer.io.files import load
    from designer.io.generate import generate_project

    rows = [bench("sample", load(sample_project_path()), "core-fra.mod1")]
    for n in counts:
        rows.append(bench(f"sample + {n}", _with_workloads(n), "core-fra.mod1"))
    rows.append(bench("1000-rack hall", generate_project(1000), None))
    print("Placement pane, GUI thread, median ms (shared 2-core machine: expect noise)")
    head = (f"{'input':<16}{'workloads':>10}{'placed':>8}{'lines':>7}{'redraw':>9}{'same':>8}{'select':>8}"
            f"{'change':>8}{'paint map':>11}{'paint chart':>13}")
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['label']:<16}{r['workloads']:>10}{r['placed']:>8}{r['lines']:>7}{r['redraw']:>9.1f}"
              f"{r['same']:>8.2f}{r['select']:>8.2f}{r['change']:>8.2f}{r['paint_map']:>11.1f}"
              f"{r['paint_chart']:>13.1f}")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 1000])
