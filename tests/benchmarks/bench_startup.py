"""Start-up benchmark: CPU seconds from process start to the first window on screen.

Run: ``python tests/benchmarks/bench_startup.py [FILE|empty|sample] [--runs N]`` (default:
both the empty project and the bundled sample, 3 runs each). Each run is a fresh process
that starts the app the way ``designer`` does (``designer.cli.main(["gui", ...])``) and
stops at the first window exposed on screen (a splash counts: it is what the user sees).
Prints CPU seconds (user + system of the whole process, every thread, the interpreter's
own start included) and wall seconds; the issue's target is 1.5 s of CPU.

Uses the platform of ``QT_QPA_PLATFORM`` (offscreen by default; xcb under Xvfb).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile

CHILD = "--child"


def _cpu() -> float:
    import resource

    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def child(target: str) -> None:
    """In a fresh process: start the app; report and leave at the first exposed window."""
    import builtins
    import time

    from designer.app import main as app_main

    made = app_main.make_app

    def make_app():
        from PySide6.QtCore import QEvent, QObject
        from PySide6.QtGui import QWindow

        app = made()

        class First(QObject):
            first: dict | None = None

            def eventFilter(self, obj, ev):  # noqa: N802
                if ev.type() == QEvent.Expose and isinstance(obj, QWindow) and obj.isExposed():
                    now = {"cpu_s": round(_cpu(), 3), "wall_s": round(time.time() - builtins.DHD_START, 3),
                           "window": obj.title() or obj.objectName() or type(obj).__name__}
                    if self.first is None:
                        self.first = now
                    if "Data Hall Designer" in now["window"]:  # the main window itself
                        print(json.dumps({**self.first, "main_cpu_s": now["cpu_s"],
                                          "main_wall_s": now["wall_s"]}), flush=True)
                        os._exit(0)
                return False

        app._first = First()
        app.installEventFilter(app._first)
        return app

    app_main.make_app = make_app
    from designer.cli import main

    args = ["gui"] if target == "sample" else ["gui", target]
    main(args)
    print(json.dumps({"error": "the app ended without showing a window"}), flush=True)


def run_once(target: str) -> dict:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env.setdefault("DESIGNER_USER_DIR", tempfile.mkdtemp(prefix="dhd-bench-"))
    # the child notes the wall-clock time first thing, before any import of ours
    code = ("import time, builtins; builtins.DHD_START = time.time(); import sys; sys.argv[1:] = "
            + repr([CHILD, target]) + "; import runpy; runpy.run_path(" + repr(__file__) + ", run_name='__main__')")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    for line in out.stdout.splitlines():
        if line.startswith("{"):
            return json.loads(line)
    return {"error": (out.stderr or out.stdout)[-2000:]}


def main(argv: list[str]) -> int:
    runs = 3
    if "--runs" in argv:
        i = argv.index("--runs")
        runs = int(argv[i + 1])
        del argv[i:i + 2]
    targets = argv or ["empty", "sample"]
    empty_file = None
    ok = True
    for t in targets:
        path = t
        if t == "empty":
            if empty_file is None:  # the smallest file any version of the format reads
                fd, empty_file = tempfile.mkstemp(suffix=".dhd.json")
                with os.fdopen(fd, "w") as f:
                    json.dump({"schema_version": 2, "name": "Empty", "sites": [{"id": "site-1", "name": "New site"}]},
                              f)
            path = empty_file
        rows = [run_once(path) for _ in range(runs)]
        bad = [r for r in rows if "error" in r]
        if bad:
            print(f"{t}: failed: {bad[0]['error']}")
            ok = False
            continue
        cpu = [r["cpu_s"] for r in rows]
        wall = [r["wall_s"] for r in rows]
        main_cpu = [r["main_cpu_s"] for r in rows]
        print(f"{t:>8}: first window ({rows[0]['window'][:40]!r}) after {statistics.median(cpu):.2f} s CPU "
              f"(median of {runs}; min {min(cpu):.2f}, max {max(cpu):.2f}), {statistics.median(wall):.2f} s wall; "
              f"main window after {statistics.median(main_cpu):.2f} s CPU")
    return 0 if ok else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD:
        child(sys.argv[2])
    else:
        raise SystemExit(main(sys.argv[1:]))
