"""Power views benchmark on generated halls: per-result GUI work, what-if, repaints.

Run: ``python tests/benchmarks/bench_gui_power.py [n_racks ...]`` (default 1000). Prints
figures; asserts nothing (speed targets live here, not in the unit tests).

Rows:

* results (dock shown / hidden): the power view's work when new results arrive (layout of
  the one-line diagram, overlay recolour, summary and tables), on the GUI thread;
* overlay recolour alone;
* what-if: picking a scenario (marks on plan and diagram), then the failover load flow
  that fills the load bars (run just after, off the click);
* back to normal;
* repaint of the plan (fitted, whole hall) and of the diagram, in a scenario.
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def timed(f, n=5):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        out.append((time.perf_counter() - t0) * 1000)
    return statistics.median(out), max(out)


def fresh_results(session, runs: int):
    """New power results (as the scheduler would deliver them): the lazily built per-item
    objects are not warm yet, as after a real edit."""
    from designer.analysis.runner import Runner

    runner = Runner(["power"])
    rev = session.doc.revision
    return [(rev, runner.run(session.doc.snapshot(), rev)) for _ in range(runs)]


def window_results(win, pv, rev, res) -> None:
    """What the window does with new results: overlays first, then the power view."""
    for ov in win.scene.overlays:
        if ov is pv.overlay:
            ov.results(rev, res)
    pv.on_results(rev, res)


def bench_size(app, n: int) -> list:
    from designer.app.state.session import Session
    from designer.app.window.mainwindow import MainWindow
    from designer.io.generate import generate_project

    session = Session(generate_project(n))
    win = MainWindow(session)
    win.resize(1600, 1000)
    win.show()
    app.processEvents()
    t0 = time.perf_counter()
    session.scheduler.wait_idle(300)
    analysis_s = time.perf_counter() - t0
    pv = win.extensions["power"]
    sp = pv.sp
    dock = win.docks["power"]
    dock.raise_()
    app.processEvents()
    batches = iter(fresh_results(session, 10))
    shown = timed(lambda: window_results(win, pv, *next(batches)))
    overlay = timed(lambda: pv.overlay.refresh())
    dock.hide()
    app.processEvents()
    hidden = timed(lambda: window_results(win, pv, *next(batches)))
    dock.show()
    dock.raise_()
    app.processEvents()
    rev, res = session.scheduler.last_revision, session.scheduler.last_results
    window_results(win, pv, rev, res)
    ups = next(k for k in pv.layout.nodes if pv.layout.nodes[k].kind == "ups")
    win.view.fit()
    rows = []
    for label, sid in (("UPS", f"ups:{ups}"), ("side A", "side:A")):
        def pick(sid=sid):
            pv.normal()
            pv.show_scenario(sid)
        what_if = timed(pick)
        pv.flows.memo.clear()
        pv.flows.key = None
        flows_first = timed(pv._flows, 1)
        flows = timed(pv._flows)
        plan_paint = timed(win.view.viewport().repaint)
        diag_paint = timed(pv.diagram.viewport().repaint)
        pv.normal()
        plan_normal = timed(win.view.viewport().repaint)
        rows.append((n, label, what_if, flows_first, flows, plan_paint, plan_normal, diag_paint))
    print(f"\n{n} racks: {len(sp.nodes)} power nodes, {len(sp.scenarios)} scenarios, "
          f"{len(pv.diagram.boxes)} diagram boxes; analyses {analysis_s:.1f} s")
    print(f"  new results -> power view + overlay, dock shown   {shown[0]:7.1f} ms (max {shown[1]:.1f})")
    print(f"  new results -> power view + overlay, dock hidden  {hidden[0]:7.1f} ms (max {hidden[1]:.1f})")
    print(f"  overlay recolour (same results)                   {overlay[0]:7.1f} ms (max {overlay[1]:.1f})")
    session.undo_stack.setClean()
    win.close()
    session.scheduler.shutdown()
    app.processEvents()
    return rows


def main(sizes):
    from designer.app.main import make_app

    app = make_app()
    rows = []
    for n in sizes:
        rows += bench_size(app, n)
    print("\nwhat-if (median / max of 5 runs, ms); flows = failover load flow run after the click;")
    print("plan paint = repaint of the whole fitted hall with the scenario shown (other overlays")
    print("step aside) and in normal operation (all overlays)")
    print(f"{'racks':>6} {'scenario':<8} {'pick':>13} {'flows 1st':>10} {'flows':>8} {'plan scen.':>11} "
          f"{'plan normal':>12} {'diagram':>8}")
    for n, label, pick, f1, f, pp, pn, dp in rows:
        print(f"{n:>6} {label:<8} {pick[0]:6.1f}/{pick[1]:6.1f} {f1[0]:10.1f} {f[0]:8.1f} {pp[0]:11.1f} "
              f"{pn[0]:12.1f} {dp[0]:8.1f}")
    print("\n(shared 2-core machine: figures vary by +-30 % between runs)")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
