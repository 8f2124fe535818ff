"""Damaged files through every command and the app: no traceback, no hang, no changed input.

Each file (from :mod:`fuzz_inputs`, plus damage that keeps a file loadable: extreme values
within the bounds, odd texts, removed items, references to the wrong kind of item, empty
polygons) goes through

- ``designer validate`` and ``validate --json``, ``info`` and ``info --json``,
- ``designer solve --json`` (all analyses),
- ``designer export`` to every format at once (PDF, JSON, BOM, DXF, SVG, PNG),
- the app (offscreen): the file is opened in one window, the analyses run, every site and
  every results dock is shown and the window is drawn,

and is counted as a *traceback* (an exception escaping a command or a view, an analysis
that failed, a numpy warning, output that is not strict JSON), a *hang* (a command or the
app over :data:`HANG_S`), or a *changed input* (the file's bytes or time stamp moved).

``python tests/fuzz_commands.py N [SEED] [--no-app]`` prints the tally. The tests in
tests/test_fuzz_commands.py run it at CI size and, with ``HYPOTHESIS_PROFILE=nightly`` or
``DESIGNER_FUZZ_FILES=N``, at nightly size.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import io
import json
import os
import random
import signal
import sys
import tempfile
import threading
import time
import traceback
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

import fuzz_inputs  # noqa: E402

HANG_S = 30.0
"""A command or the app taking longer than this on one file is a hang."""

LOADABLE = ("extreme_value", "odd_text", "remove_item", "wrong_kind_ref", "empty_polygon", "lone_surrogate",
            "tiny_size", "zero_loads")
KINDS = fuzz_inputs.MUTATIONS + LOADABLE
STATIC_DOCKS = ("palette", "history", "properties")
"""Docks that show nothing of an opened file (the catalog, the undo history, an empty
selection): not drawn, to keep the run short."""

ODD_TEXT = ("=HYPERLINK(\"http://x.invalid\")", "+1+1", "-2", "@SUM(A1)", "\tTAB", "\r\nCRLF", "\u202eRTL",
            "e\u0301\u0301\u0301", "\U0001f525\U0001f5a5", "nul\u0000byte", "\u0007bell", "x" * 5000, "", " ",
            "<svg>&amp;</svg>", "\\", "\"quoted\"", "Zeilenumbruch\nneu", "\ufeffbom", "\U0010ffff")


AIR_STEPS = 10
"""Pseudo-time steps the air model's march may take here (:func:`bound_air`)."""
AIR_CELL_M = 0.5
"""The fuzz's hall is solved on 0.5 m air cells (its racks resolve; 3,800 cells, not 11,000 at
the app's budget): the air model's set-up is most of its cost per file here."""


class Hang(Exception):
    pass


def bound_air(steps: int = AIR_STEPS) -> None:
    """Cap the air model's march at ``steps`` pseudo-time steps in this process.

    A converged 3D solve of the fuzz's hall costs about 20 s of CPU and most damage changes the
    hall, so three solves a file (``solve``, ``export``, the app) would make 1,000 files take
    hours. Capped, every file still goes through all of the air model but the last steps: the
    build, the resolution and input checks, the geometry, the pressure hierarchy, the march,
    the exact temperature solve, and the *not converged* error finding with its views, JSON and
    report pages. Converged answers are the air tests' business (``tests/test_air_*.py``)."""
    from functools import partial

    import designer.analysis.air as air
    from designer.solvers.air.engine import AirParams

    air.AirParams = partial(AirParams, max_iter=steps)


def _numeric_paths(doc) -> list:
    return [(p, v) for p, v in fuzz_inputs._paths(doc)
            if isinstance(v, int | float) and not isinstance(v, bool) and p[-1] != "schema_version"]


def _extreme(rng: random.Random, v: float, name: str):
    from designer.model.limits import _limit

    bound = _limit(str(name))
    bound = min(bound, 1e6)
    return rng.choice([0, 0.0, 1e-9, -1e-9, 1e-300, bound, -bound, bound / 7.0, v * 1000, v / 1000, -v, 1])


def mutate(doc: dict, text: str, rng: random.Random) -> tuple[str, bytes]:
    """One damaged file: a loader mutation (fuzz_inputs) half of the time, else one that
    keeps the file loadable but odd."""
    if rng.random() < 0.5:
        return fuzz_inputs.mutate(doc, text, rng)
    kind = rng.choice(LOADABLE)
    d = copy.deepcopy(doc)
    hall = d["sites"][0]["hall"]
    if kind == "extreme_value":
        nums = _numeric_paths(d)
        for path, v in rng.sample(nums, min(len(nums), rng.choice([1, 1, 3, 10]))):
            fuzz_inputs._set(d, path, _extreme(rng, v, path[-1]))
    elif kind == "odd_text":
        strs = [p for p, v in fuzz_inputs._paths(d) if isinstance(v, str) and p[-1] in ("name", "description",
                                                                                        "author", "model")]
        for path in rng.sample(strs, min(len(strs), rng.choice([1, 5]))):
            fuzz_inputs._set(d, path, rng.choice(ODD_TEXT))
    elif kind == "remove_item":
        lists = [(p, v) for p, v in fuzz_inputs._paths(d) if isinstance(v, list) and v and isinstance(v[0], dict)]
        path, lst = rng.choice(lists)
        lst.pop(rng.randrange(len(lst)))
    elif kind == "wrong_kind_ref":
        refs = [p for p, v in fuzz_inputs._paths(d) if isinstance(v, str) and str(p[-1]).endswith("_id")]
        ids = [v for p, v in fuzz_inputs._paths(d) if p and p[-1] == "id" and isinstance(v, str)]
        if refs and ids:
            fuzz_inputs._set(d, rng.choice(refs), rng.choice(ids))
    elif kind == "empty_polygon":
        polys = [p for p, v in fuzz_inputs._paths(d) if p[-1] in ("polygon", "outline", "path", "points")]
        if polys:
            fuzz_inputs._set(d, rng.choice(polys), rng.choice([[], [[0, 0]], [[0, 0], [1, 1]], [[1, 1]] * 3]))
    elif kind == "lone_surrogate":
        strs = [p for p, v in fuzz_inputs._paths(d) if isinstance(v, str) and p[-1] in ("name", "description")]
        fuzz_inputs._set(d, rng.choice(strs), "@@SUR@@")
        return kind, json.dumps(d).replace("@@SUR@@", rng.choice(["\\ud800", "a\\udfffb", "\\udc00\\ud800"])).encode()
    elif kind == "tiny_size":
        sized = [p for p, v in fuzz_inputs._paths(d) if p[-1] in ("width_m", "depth_m", "diameter_m")]
        for path in rng.sample(sized, min(len(sized), 3)):
            fuzz_inputs._set(d, path, rng.choice([0.01, 0.0100001, 0.02, 1e-3]))
    elif kind == "zero_loads":
        for r in hall.get("racks", []):
            r["it_load_kw"] = 0.0
    return kind, json.dumps(d, ensure_ascii=rng.random() < 0.5).encode()


def _digest(path: str) -> tuple[str, int]:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest(), os.stat(path).st_mtime_ns


def _strict(text: str) -> bool:
    def bad(name):
        raise ValueError(name)

    try:
        json.loads(text, parse_constant=bad)
    except ValueError:
        return False
    return True


@contextlib.contextmanager
def _alarm(seconds: float):
    """Raise :class:`Hang` in the main thread after ``seconds`` (POSIX; a no-op elsewhere)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def fire(_sig, _frame):
        raise Hang(f"over {seconds:.0f} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def run_command(argv: list[str]) -> dict:
    """One in-process command: its exit code, output, time and what went wrong."""
    from designer.cli import main

    out, err = io.StringIO(), io.StringIO()
    problems = []
    t0 = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with _alarm(HANG_S), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                rc = main(argv)
        except Hang:
            rc = None
            problems.append("hang")
        except SystemExit as e:  # argparse
            rc = e.code
        except BaseException as e:  # noqa: BLE001 - the point is to count these
            rc = None
            problems.append("traceback: " + "".join(traceback.format_exception_only(type(e), e)).strip()
                            + "\n" + "".join(traceback.format_tb(e.__traceback__)[-3:]))
    elapsed = time.perf_counter() - t0
    text = out.getvalue() + err.getvalue()
    if elapsed > HANG_S and "hang" not in problems:
        problems.append("hang")
    if "Traceback (most recent call last)" in text:
        problems.append("traceback in output: " + text[text.index("Traceback"):][:600])
    for w in caught:
        problems.append(f"warning: {w.category.__name__}: {w.message} ({w.filename}:{w.lineno})")
    if argv[0] in ("validate", "info", "solve") and "--json" in argv and rc is not None \
            and out.getvalue().strip() and not _strict(out.getvalue()):
        problems.append("output is not strict JSON")
    return {"argv": argv, "rc": rc, "elapsed": elapsed, "problems": problems, "out": out.getvalue(),
            "err": err.getvalue()}


def _analysis_failures(cmd: dict) -> list[str]:
    """Analyses that failed, from ``solve --json`` output or the export's summary line."""
    out = []
    if cmd["argv"][0] == "solve" and cmd["rc"] is not None and _strict(cmd["out"] or "{}"):
        try:
            data = json.loads(cmd["out"] or "{}")
        except ValueError:
            data = {}
        if isinstance(data, dict):
            for name, body in data.items():
                if isinstance(body, dict) and body.get("error"):
                    out.append(f"{name}: {body['error']}")
    if cmd["argv"][0] == "export" and "(failed:" in cmd["out"]:
        line = next(ln for ln in cmd["out"].splitlines() if "(failed:" in ln)
        out += [f"{n.strip()}: failed in export" for n in line.split("(failed:")[1].rstrip(")").split(",")]
    return out


def cli_pass(path: str, outdir: str) -> list[dict]:
    outs = {f: os.path.join(outdir, f"out.{ext}") for f, ext in
            (("pdf", "pdf"), ("json", "json"), ("bom", "csv"), ("dxf", "dxf"), ("svg", "svg"), ("png", "png"))}
    cmds = [["validate", path], ["validate", path, "--json"], ["info", path], ["info", path, "--json"],
            ["solve", path, "--json"],
            ["export", path, *[a for f, o in outs.items() for a in (f"--{f}", o)]]]
    return [run_command(c) for c in cmds]


class AppHarness:
    """One offscreen main window that opens file after file."""

    def __init__(self) -> None:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        from designer.app.main import make_app

        self.app = make_app()
        from designer.app.lifecycle import files as app_files
        from designer.app.state.session import Session
        from designer.app.window.mainwindow import MainWindow

        self.dialogs: list[str] = []
        app_files.show_error = lambda _w, title, text, details="": self.dialogs.append(title)
        self.session = Session()
        self.win = MainWindow(self.session)
        self.win.resize(1400, 900)
        self.win.show()
        self.errors: list[str] = []

    def _hook(self, exc_type, exc, tb) -> None:
        self.errors.append("".join(traceback.format_exception_only(exc_type, exc)).strip() + "\n"
                           + "".join(traceback.format_tb(tb)[-3:]))

    def _unraisable(self, u) -> None:
        self.errors.append(f"unraisable: {u.exc_type.__name__}: {u.exc_value}")

    def open(self, path: str) -> dict:
        from designer.app.lifecycle import guard

        s, w = self.session, self.win
        self.errors, self.dialogs[:] = [], []
        guard.caught.clear()
        old_hook, old_unr = sys.excepthook, sys.unraisablehook
        sys.excepthook, sys.unraisablehook = self._hook, self._unraisable
        err = io.StringIO()
        t0 = time.perf_counter()
        failures: list[str] = []
        try:
            with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stderr(err):
                warnings.simplefilter("always")
                with _alarm(HANG_S):
                    opened = w.files.open_path(Path(path), ask=False)
                    if opened:
                        s.scheduler.run_now()
                        if not s.scheduler.wait_idle(HANG_S):
                            raise Hang("analyses did not finish")
                        failures = [f"{n}: {r.error}" for n, r in s.scheduler.last_results.items() if r.error]
                        for site in list(s.project.sites):
                            s.set_site(site.id)
                            self.app.processEvents()
                            w.grab()
                        for key, dock in list(w.docks.items()):
                            if key in STATIC_DOCKS:
                                continue
                            dock.show()
                            dock.raise_()
                            self.app.processEvents()
                            dock.grab()
                    self.app.processEvents()
        except Hang as e:
            self.errors.append(f"hang: {e}")
        except Exception as e:  # noqa: BLE001
            self.errors.append("".join(traceback.format_exception_only(type(e), e)).strip() + "\n"
                               + "".join(traceback.format_tb(e.__traceback__)[-3:]))
        finally:
            sys.excepthook, sys.unraisablehook = old_hook, old_unr
        elapsed = time.perf_counter() - t0
        problems = list(self.errors) + [f"view error (caught, shown as n/a): {c}" for c in guard.caught]
        text = err.getvalue()
        if "Traceback (most recent call last)" in text:
            problems.append("traceback on stderr: " + text[text.index("Traceback"):][:600])
        problems += [f"warning: {c.category.__name__}: {c.message} ({c.filename}:{c.lineno})" for c in caught]
        if elapsed > HANG_S:
            problems.append("hang")
        return {"elapsed": elapsed, "problems": problems, "failures": failures, "dialogs": list(self.dialogs)}

    def close(self) -> None:
        self.session.undo_stack.setClean()
        self.win.close()
        self.session.scheduler.shutdown()


def run(n: int, seed: int = 1, app: bool = True, log=None) -> dict:
    """Feed ``n`` damaged files through every command (and the app); the tally.

    Returns ``{"files", "by_kind", "commands", "tracebacks", "hangs", "changed_inputs",
    "analysis_failures", "app_opened", "slowest_s", "elapsed_s", "problems": [...]}``.
    """
    bound_air()
    doc, text = fuzz_inputs.base(AIR_CELL_M)
    rng = random.Random(seed)
    harness = AppHarness() if app else None
    tally = {"files": 0, "by_kind": {}, "commands": 0, "tracebacks": 0, "hangs": 0, "changed_inputs": 0,
             "analysis_failures": 0, "app_opened": 0, "app_files": 0, "slowest_s": 0.0, "cli_s": 0.0, "app_s": 0.0,
             "problems": []}
    t_start = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(n):
            kind, data = mutate(doc, text, rng)
            path = os.path.join(tmp, f"f{i % 2}.json")
            outdir = os.path.join(tmp, "out")
            os.makedirs(outdir, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            before = _digest(path)
            results = cli_pass(path, outdir)
            tally["files"] += 1
            tally["by_kind"][kind] = tally["by_kind"].get(kind, 0) + 1
            file_problems = []
            for r in results:
                tally["commands"] += 1
                tally["cli_s"] += r["elapsed"]
                tally["slowest_s"] = max(tally["slowest_s"], r["elapsed"])
                file_problems += [(" ".join(r["argv"][:1] + r["argv"][2:3]), p) for p in r["problems"]]
                file_problems += [(r["argv"][0], f"analysis failed: {f}") for f in _analysis_failures(r)]
            if harness is not None:
                a = harness.open(path)
                tally["app_files"] += 1
                tally["app_s"] += a["elapsed"]
                tally["app_opened"] += not a["dialogs"]
                tally["slowest_s"] = max(tally["slowest_s"], a["elapsed"])
                file_problems += [("app", p) for p in a["problems"]]
                file_problems += [("app", f"analysis failed: {f}") for f in a["failures"]]
            if _digest(path) != before:
                tally["changed_inputs"] += 1
                file_problems.append(("all", "the input file changed"))
            for where, p in file_problems:
                if p.startswith("hang") or p == "hang":
                    tally["hangs"] += 1
                elif p.startswith("analysis failed"):
                    tally["analysis_failures"] += 1
                else:
                    tally["tracebacks"] += 1
                tally["problems"].append({"file": i, "kind": kind, "where": where, "problem": p[:2000]})
            if file_problems:
                keep = os.path.join(tempfile.gettempdir(), f"fuzz-seed{seed}-file{i}.json")
                with open(keep, "wb") as f:
                    f.write(data)
            if log is not None and (i + 1) % 50 == 0:
                log(f"{i + 1} files, {time.perf_counter() - t_start:.0f} s, problems {len(tally['problems'])}")
    if harness is not None:
        harness.close()
    tally["elapsed_s"] = time.perf_counter() - t_start
    return tally


def summary(t: dict) -> str:
    return (f"{t['files']} damaged files, {t['commands']} commands, app on {t['app_files']} files "
            f"({t['app_opened']} opened) in {t['elapsed_s']:.0f} s: {t['tracebacks']} tracebacks, "
            f"{t['hangs']} hangs over {HANG_S:.0f} s, {t['changed_inputs']} changed inputs, "
            f"{t['analysis_failures']} failed analyses; slowest {t['slowest_s']:.1f} s "
            f"(commands {t['cli_s']:.0f} s, app {t['app_s']:.0f} s)")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    n = int(args[0]) if args else 200
    seed = int(args[1]) if len(args) > 1 else 1
    out = run(n, seed, app="--no-app" not in sys.argv, log=lambda m: print(m, file=sys.stderr, flush=True))
    if "--json" in sys.argv:
        print(json.dumps(out))
        sys.exit(0)
    seen = set()
    for p in out["problems"]:
        key = (p["where"], p["problem"].splitlines()[0][:160])
        if key not in seen:
            seen.add(key)
            print(f"[{p['kind']} #{p['file']}] {p['where']}: {p['problem'][:1500]}\n")
    print("by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(out["by_kind"].items())))
    print(summary(out))
