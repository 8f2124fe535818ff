"""Liquid GUI benchmark: GUI-thread work per liquid result on generated halls.

Run: ``python tests/benchmarks/bench_liquid_gui.py [sizes...]`` (default 40 200 1000),
offscreen unless QT_QPA_PLATFORM says otherwise.

For each generated hall it opens the real window, lets the background analyses finish,
then times (median of several runs, wall clock, GUI thread only):

* overlay, first: badges, CDU bars and pipe colours made for a site that had none;
* overlay, same values: a result identical to the shown one (nothing repaints);
* overlay, new values: alternating between the hall as generated and the hall with every
  balancing valve set (every badge text and most pipe colours change);
* colour by flow / velocity: switching the pipe colouring;
* dock refresh: tables (racks, CDUs, pipes), plot and summary when the dock is shown;
* paint, whole hall: one repaint of the plan fitted to the window, without and with the
  overlay (so its drawing cost shows).

The machine may be shared: expect noise, compare figures from the same run.
"""

from __future__ import annotations

import os
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


def bench(n: int) -> dict:
    from designer.analysis.base import AnalysisResult
    from designer.analysis.liquid import LiquidAnalysis, auto_balance
    from designer.app.main import make_app
    from designer.app.state.session import Session
    from designer.app.window.mainwindow import MainWindow
    from designer.document.document import Document
    from designer.io.generate import generate_project

    app = make_app()
    project = generate_project(n)
    s = Session(project)
    w = MainWindow(s)
    w.resize(1500, 950)
    w.show()
    assert s.scheduler.wait_idle(300)
    app.processEvents()
    lv = w.extensions["liquid"]
    ov = lv.overlay
    a = s.scheduler.last_results
    # the same hall with every valve balanced: new values for every rack
    doc = Document(project.model_copy(deep=True))
    doc.apply(auto_balance(doc.project, doc.project.sites[0].id))
    la = LiquidAnalysis()
    res_b = la.run(doc.project, 0, {})
    b = dict(a)
    b["liquid"] = AnalysisResult("liquid", res_b.revision, res_b.findings, res_b.data, res_b.summary)
    out = {"racks": n, "badges": 0, "pipes": 0}

    def first():
        ov.clear()
        ov.colored.clear()
        ov.results(0, a)

    out["overlay_first_ms"] = _median_ms(first, 5)
    out["badges"], out["pipes"] = len(ov.badges), len(ov.colored)
    out["overlay_same_ms"] = _median_ms(lambda: ov.results(0, a))
    flip = [a, b]

    def new_values():
        flip.reverse()
        ov.results(0, flip[0])

    out["overlay_new_ms"] = _median_ms(new_values, 8)

    def recolour():
        ov.set_color_by("flow" if ov.color_by == "velocity" else "velocity")

    out["colour_switch_ms"] = _median_ms(recolour, 8)
    ov.set_color_by("velocity")
    w.docks["liquid"].raise_()
    app.processEvents()

    def panel():
        lv.data = flip[0]["liquid"].data
        flip.reverse()
        lv.refresh_panel()

    out["dock_refresh_ms"] = _median_ms(panel, 5)
    w.view.fit()
    app.processEvents()
    vp = w.view.viewport()

    def paint():
        vp.repaint()

    ov.set_enabled(False)
    app.processEvents()
    out["paint_plain_ms"] = _median_ms(paint, 5)
    ov.set_enabled(True)
    app.processEvents()
    out["paint_overlay_ms"] = _median_ms(paint, 5)
    out["px_per_m"] = w.view.px_per_m
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()
    return out


def main(argv: list[str]) -> None:
    sizes = [int(x) for x in argv] or [40, 200, 1000]
    cols = [("racks", "racks", "{:>6}"), ("badges", "badges", "{:>6}"), ("pipes", "pipes", "{:>6}"),
            ("overlay_first_ms", "first", "{:>8.1f}"), ("overlay_same_ms", "same", "{:>8.1f}"),
            ("overlay_new_ms", "new", "{:>8.1f}"), ("colour_switch_ms", "recolour", "{:>8.1f}"),
            ("dock_refresh_ms", "dock", "{:>8.1f}"), ("paint_plain_ms", "paint", "{:>8.1f}"),
            ("paint_overlay_ms", "paint+ov", "{:>8.1f}")]
    print("Liquid GUI: GUI-thread time per result (ms, median); paint = one repaint of the whole hall")
    print(" ".join(f"{h:>{6 if k in ('racks', 'badges', 'pipes') else 8}}" for k, h, _f in cols))
    for n in sizes:
        r = bench(n)
        print(" ".join(f.format(r[k]) for k, _h, f in cols), f"  ({r['px_per_m']:.0f} px/m)")


if __name__ == "__main__":
    main(sys.argv[1:])
