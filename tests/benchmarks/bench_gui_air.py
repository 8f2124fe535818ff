"""Air views benchmark in the real window (offscreen): what the air model costs the GUI.

Run: ``python tests/benchmarks/bench_gui_air.py [sample] [n_racks ...]`` (default: the sample
and 1,000 racks). Prints figures; asserts nothing (speed targets live here, not in the tests).

Per hall:

- fine air solve as the app's scheduler runs it (worker thread, all analyses in one run):
  the first run after opening and the run after moving one rack (``AnalysisResult.elapsed_s``);
- GUI-thread work per air result: overlay refresh (heat-map pixmap, tabs, bars) the first time
  (items created) and on later results (values only), the dock refresh, the heat image alone;
- a 2-second drag at 60 mouse moves a second with the coarse preview on (its operators warmed
  after the fine results, as the app does): coarse solves started, their worker time, the delay
  from the press until the first coarse answer shows, previews shown per second of the drag, and
  the frame times of the drag (mouse move handled + repaint), to show the coarse solves do not
  block the GUI thread; then the pointer rests, still pressed, for :data:`REST_S` seconds:
  previews shown meanwhile and when the last one came (the preview settling at rest).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


REST_S = 3.0
"""After the drag's moves the pointer rests (still pressed) this long: previews shown meanwhile."""


def pct(xs, q):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q / 100 * (len(xs) - 1))))]


def settle(app, win, timeout=300.0):
    """Wait for the analyses, then for the air preview's warm-up of the coarse grid (it runs
    on its worker after each fine result until the site is warm)."""
    ok = win.session.scheduler.wait_idle(timeout)
    pv = win.extensions["air"].preview
    t_end = time.monotonic() + timeout
    while pv.busy and time.monotonic() < t_end:
        app.processEvents()
        time.sleep(0.005)
    app.processEvents()
    return ok


def bench_hall(app, label: str, path: str | None, site: str | None = None) -> dict:
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from designer.app.main import open_window
    from designer.app.plan.coords import to_scene
    from designer.app.views.air.heat import HeatMapItem
    from designer.document.ops import move_items

    t0 = time.perf_counter()
    win = open_window(path, ask_recovery=False)
    win.resize(1600, 1000)
    s = win.session
    if site:
        s.set_site(site)
    settle(app, win)
    out = {"hall": label, "open_s": time.perf_counter() - t0}
    air = win.extensions["air"]
    ov = air.overlay
    res = s.scheduler.last_results
    out["air_first_ms"] = res["air"].elapsed_s * 1000
    out["all_first_ms"] = s.scheduler.last_elapsed * 1000
    sa = ov.site_air()
    out["cells"] = f"{sa.map.nx}x{sa.map.ny}"
    out["racks"] = len(sa.racks)
    # GUI thread: a fresh overlay (tabs and bars created), then a values-only refresh
    ov.clear()
    t = time.perf_counter()
    ov.results(s.scheduler.last_revision, res)
    out["overlay_first_ms"] = (time.perf_counter() - t) * 1000
    times = []
    for _ in range(5):
        ov._map_key = None  # force the pixmap to be rebuilt, as a new result does
        t = time.perf_counter()
        ov.results(s.scheduler.last_revision, res)
        times.append((time.perf_counter() - t) * 1000)
    out["overlay_update_ms"] = statistics.median(times)
    t = time.perf_counter()
    for _ in range(5):
        HeatMapItem().set_field(sa.map.temperature_c, sa.map.x0, sa.map.y0, sa.map.cell_m, ov.current_scale())
    out["image_ms"] = (time.perf_counter() - t) * 1000 / 5
    air.refresh_panel()
    out["panel_ms"] = air.last_panel_ms
    # after moving one rack (an edit: the scheduler re-runs everything)
    rack = s.site.hall.racks[len(s.site.hall.racks) // 2]
    s.push(move_items(s.doc, [rack.id], 0.6, 0.0))
    settle(app, win)
    out["air_move_ms"] = s.scheduler.last_results["air"].elapsed_s * 1000
    out["all_move_ms"] = s.scheduler.last_elapsed * 1000
    # a 2 s drag at 60 Hz with the coarse preview
    pv = air.preview
    win.view.fit()
    app.processEvents()
    vp = win.view.viewport()
    start = win.view.mapFromScene(to_scene(rack.x + 0.6, rack.y))
    runs0 = pv.runs
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, start)
    frames, first_shown = [], None
    t_drag = time.perf_counter()
    solves, shown = [], []
    pv.updated.connect(lambda _sa: (solves.append(pv.last_elapsed_s), shown.append(time.perf_counter())))
    with_update = []  # frames during which a preview was shown (the heat map repainted)
    for k in range(1, 121):
        t = time.perf_counter()
        n0 = len(shown)
        QTest.mouseMove(vp, start + QPoint(k, 0))
        app.processEvents()
        frames.append((time.perf_counter() - t) * 1000)
        with_update.append(len(shown) > n0)
        if first_shown is None and ov.preview is not None:
            first_shown = time.perf_counter() - t_drag
        rest = 1 / 60 - (time.perf_counter() - t)
        if rest > 0:
            time.sleep(rest)
    drag_s = time.perf_counter() - t_drag
    n_drag = len(shown)
    # the pointer rests, still pressed: the preview keeps settling at the last position
    t_rest = time.perf_counter()
    while time.perf_counter() - t_rest < REST_S:
        app.processEvents()
        time.sleep(0.005)
    rest_shown = [t for t in shown[n_drag:] if t <= t_rest + REST_S]
    QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, start + QPoint(120, 0))
    settle(app, win)
    out["drag_s"] = drag_s
    out["coarse_runs"] = pv.runs - runs0
    out["shown_per_s"] = n_drag / drag_s
    out["rest_shown"] = len(rest_shown)
    out["rest_last_s"] = (rest_shown[-1] - t_rest) if rest_shown else float("nan")
    out["coarse_solve_ms"] = statistics.median(solves) * 1000 if solves else float("nan")
    out["coarse_first_shown_ms"] = first_shown * 1000 if first_shown is not None else float("nan")
    plain = [f for f, u in zip(frames, with_update, strict=True) if not u]
    upd = [f for f, u in zip(frames, with_update, strict=True) if u]
    out["frame_plain_p95_ms"] = pct(plain, 95) if plain else float("nan")
    out["frame_update_ms"] = statistics.median(upd) if upd else float("nan")
    out["frame_median_ms"] = statistics.median(frames)
    out["frame_p95_ms"] = pct(frames, 95)
    out["frame_max_ms"] = max(frames)
    s.undo_stack.setClean()
    win.close()
    app.processEvents()
    return out


def main(args):
    from designer.app.main import make_app
    from designer.io.files import save
    from designer.io.generate import generate_project

    app = make_app()
    rows = []
    tmp = Path(tempfile.mkdtemp())
    for a in args or ["sample", "1000"]:
        if a == "sample":
            for site in ("core-fra", "ent-muc"):
                rows.append(bench_hall(app, f"sample {site}", None, site))
        else:
            p = tmp / f"gen_{a}.json"
            save(generate_project(int(a)), p)
            rows.append(bench_hall(app, f"{a} racks", str(p)))
    cols = [("hall", "hall", "{}"), ("cells", "cells", "{}"), ("racks", "racks", "{}"),
            ("air_first_ms", "air 1st", "{:.0f}"), ("all_first_ms", "all 1st", "{:.0f}"),
            ("air_move_ms", "air move", "{:.0f}"), ("all_move_ms", "all move", "{:.0f}"),
            ("overlay_first_ms", "ovl new", "{:.1f}"), ("overlay_update_ms", "ovl upd", "{:.1f}"),
            ("image_ms", "image", "{:.1f}"), ("panel_ms", "dock", "{:.1f}"),
            ("coarse_runs", "coarse n", "{}"), ("coarse_solve_ms", "coarse ms", "{:.0f}"),
            ("coarse_first_shown_ms", "1st shown", "{:.0f}"), ("shown_per_s", "shown/s", "{:.1f}"),
            ("rest_shown", "rest n", "{}"), ("rest_last_s", "rest last s", "{:.2f}"), ("frame_median_ms", "frame p50", "{:.1f}"),
            ("frame_p95_ms", "p95", "{:.1f}"), ("frame_max_ms", "max", "{:.1f}"),
            ("frame_plain_p95_ms", "p95 w/o", "{:.1f}"), ("frame_update_ms", "w/ shown", "{:.1f}")]
    print("Air views in the window (times in ms; 'air'/'all' = worker-thread solve of the air analysis / of all")
    print("analyses per scheduler run; 'ovl' = GUI-thread overlay refresh; 'coarse n' = coarse solves during a")
    print("2 s drag at 60 moves/s; 'shown/s' = previews shown per second of it; 'rest n' / 'rest last s' = previews")
    print(f"shown while the pointer then rests {REST_S:g} s and when the last came; 'frame' = one mouse move handled")
    print("and repainted during the drag; 'p95 w/o' = 95th percentile of the frames in which no preview was shown,")
    print("'w/ shown' = median of those in which one was (the heat map and the plan repainted))")
    widths = [max(len(h), *(len(f.format(r[k])) for r in rows)) for k, h, f in cols]
    print("  ".join(h.rjust(w) for (_k, h, _f), w in zip(cols, widths, strict=True)))
    for r in rows:
        print("  ".join(f.format(r[k]).rjust(w) for (k, _h, f), w in zip(cols, widths, strict=True)))
    drags = ", ".join(f"{r['drag_s']:.1f}" for r in rows)
    print(f"(shared 2-core machine: figures vary by tens of per cent between runs; drags lasted {drags} s)")


if __name__ == "__main__":
    main(sys.argv[1:])
