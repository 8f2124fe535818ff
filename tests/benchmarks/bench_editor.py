"""Editor benchmark on generated halls: open and show, select all, drag frame times.

Run: ``python tests/benchmarks/bench_editor.py [n_racks ...]`` (default 1000). Prints
figures; asserts nothing (speed targets live here, not in the unit tests).

A "frame" is one mouse-move event during a drag, handled by the tool (preview of the
moved items and their pipes), then the event loop's repaint of what changed, with the
view zoomed to fit the whole hall (everything visible).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def drag_frames(app, win, ids, steps=60):
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from designer.app.plan.coords import to_scene

    s = win.session
    s.selection.set(ids)
    m = s.doc.item(ids[0])
    vp = win.view.viewport()
    start = win.view.mapFromScene(to_scene(m.x, m.y))
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    times = []
    for k in range(1, steps + 1):
        t0 = time.perf_counter()
        QTest.mouseMove(vp, start + QPoint(k * 3, -k * 2))
        app.processEvents()  # the tool's preview, then Qt repaints the dirty region
        times.append((time.perf_counter() - t0) * 1000)
    t0 = time.perf_counter()
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(steps * 3, -steps * 2))
    vp.repaint()
    release_ms = (time.perf_counter() - t0) * 1000
    s.undo_stack.undo()
    app.processEvents()
    return times[3:], release_ms


def main(sizes):
    from designer.app.main import make_app, open_window
    from designer.io.files import save
    from designer.io.generate import generate_project

    t0 = time.perf_counter()
    app = make_app()
    win = open_window(None)  # the sample: imports, catalog, first window
    app.processEvents()
    print(f"cold start with the sample project: {(time.perf_counter() - t0) * 1000:.0f} ms")
    print(f"{'racks':>6} {'open+show ms':>13} {'select all ms':>14} "
          f"{'drag 1: med / p95 ms':>21} {'drag 50: med / p95 ms':>22} {'release 50 ms':>14}")
    for n in sizes:
        with tempfile.TemporaryDirectory() as d:
            path = Path(d) / f"gen_{n}.json"
            save(generate_project(n), path)
            win.session.undo_stack.setClean()
            t0 = time.perf_counter()
            win.files.open_path(path, ask=False)  # File > Open: parse, build the plan, paint
            app.processEvents()
            t_open = (time.perf_counter() - t0) * 1000
            t0 = time.perf_counter()
            win.session.scheduler.wait_idle(120)  # let the first analysis finish, then
            t_an = (time.perf_counter() - t0) * 1000
            win.session.scheduler.enabled = False  # measure the editor, not the solvers
            t0 = time.perf_counter()
            win.editing.select_all()
            app.processEvents()
            win.view.viewport().repaint()
            t_sel = (time.perf_counter() - t0) * 1000
            win.session.selection.clear()
            racks = win.session.site.hall.racks
            one, _ = drag_frames(app, win, [racks[len(racks) // 2].id])
            fifty, rel = drag_frames(app, win, [r.id for r in racks[:50]])
            print(f"{n:>6} {t_open:>13.0f} {t_sel:>14.0f} "
                  f"{statistics.median(one):>10.1f} / {pct(one, 95):>6.1f} "
                  f"{statistics.median(fifty):>11.1f} / {pct(fifty, 95):>6.1f} {rel:>14.0f}"
                  f"   (first full analysis finished {t_an:.0f} ms after the plan was shown)")
            win.session.scheduler.enabled = True
    win.session.undo_stack.setClean()
    win.close()
    win.session.scheduler.shutdown()
    print("\nTargets (DESIGN.md section 6): drag frames under 16 ms, open under 1.5 s.")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
