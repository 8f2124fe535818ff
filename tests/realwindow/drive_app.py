#!/usr/bin/env python3
"""Drive Data Hall Designer in a real X window with real input events (xdotool), and check
what it did: the real-window test of issue 14, run by ``.ci/run`` and by hand.

    python tests/realwindow/drive_app.py [--designer PATH] [--keep DIR] [--size 1600x1000]

Without ``DISPLAY`` (or with ``--xvfb``) it runs itself again under ``xvfb-run``; the app
runs with ``QT_QPA_PLATFORM=xcb``. Needs ``xdotool`` (and ``xvfb-run`` for ``--xvfb``);
only the standard library here. On a copy of the bundled sample it:

1. draws the hall outline by typed lengths (O, then ``0,0``, ``40<0``, ``25<90``, ``40<180``,
   each with Enter, and Enter to close) and checks the document's outline;
2. drags an in-row cooler (IRC-40) from the catalog (searched by typing) with the mouse
   (button down, moves, button up) to 8 cm right of rack R04 and checks it landed snapped
   flush against the rack (x 10.65 m, not the grid's 10.7 m) with the keyboard on the plan;
3. with the hall outline tool active and a first corner clicked, zooms in and out with the
   wheel at two points and checks the plan point under the pointer stays under it (within a
   pixel), that the zoom changed and that the status bar's cursor read-out follows;
4. saves with Ctrl+S and checks the saved file (outline, the cooler's position);
5. deletes the cooler, quits with Ctrl+Q, chooses Discard in the unsaved-changes question
   (clicked with the mouse) and checks the exit code is 0, there is no traceback on stderr
   and the saved file kept the cooler.

What the window shows is read from the app's state dump (``DESIGNER_DEBUG_STATE``, written
on Ctrl+Shift+F12 sent as a real key press, so it follows the events sent before it), never
from pixels. Exit status 0 when every check passed, 1 with the failed check on stderr.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
TITLE = r"hall\.dhd\.json"
"""The copy of the sample is opened as ``hall.dhd.json``: the window title names it."""


def _same_polygon(a: list, b: list) -> bool:
    return len(a) == len(b) and all(math.dist(p, q) < 1e-9 for p, q in zip(a, b, strict=True))


class CheckFailed(Exception):
    pass


def check(ok: bool, what: str) -> None:
    if not ok:
        raise CheckFailed(what)
    print(f"  ok: {what}", flush=True)


class Driver:
    def __init__(self, designer: list[str], work: Path) -> None:
        self.work = work
        self.project = work / "hall.dhd.json"
        shutil.copyfile(ROOT / "resources" / "sample_project.json", self.project)
        self.state_path = work / "state.json"
        self.out = (work / "app.stdout").open("w")
        self.err = (work / "app.stderr").open("w")
        env = dict(os.environ, QT_QPA_PLATFORM="xcb", DESIGNER_USER_DIR=str(work / "user"),
                   DESIGNER_DEBUG_STATE=str(self.state_path))
        self.t0 = time.monotonic()
        self.proc = subprocess.Popen([*designer, str(self.project)], cwd=work, env=env,
                                     stdout=self.out, stderr=self.err)
        self.seq = 0
        self.wid = ""
        self.pointer: tuple[int, int] | None = None

    # -- X input ---------------------------------------------------------------------------------
    def xdo(self, *args: str, timeout: float = 20.0) -> str:
        r = subprocess.run(["xdotool", *args], capture_output=True, text=True, timeout=timeout)
        if r.returncode != 0:
            raise CheckFailed(f"xdotool {' '.join(args)} failed: {r.stderr.strip()}")
        return r.stdout.strip()

    def key(self, *keys: str) -> None:
        self.xdo("key", "--delay", "30", *keys)

    def type(self, text: str) -> None:
        self.xdo("type", "--delay", "30", text)

    def move(self, x: float, y: float) -> None:
        # --sync waits for the pointer to move: not when it is there already (xdotool would
        # wait its full timeout)
        p = (round(x), round(y))
        self.xdo("mousemove", *(["--sync"] if p != self.pointer else []), str(p[0]), str(p[1]))
        self.pointer = p

    def wait_window(self, name: str, timeout: float = 30.0) -> str:
        """The id of a visible window whose title matches ``name`` (waits for it)."""
        try:
            out = self.xdo("search", "--sync", "--onlyvisible", "--name", name, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise CheckFailed(f"no window named /{name}/ within {timeout:.0f} s") from None
        return out.splitlines()[0]

    # -- the app's state -------------------------------------------------------------------------
    def dump(self, timeout: float = 15.0) -> dict:
        """Ask for the window's state with a real key press and read it."""
        want = self.seq + 1
        self.key("ctrl+shift+F12")
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise CheckFailed(f"the app ended (exit {self.proc.returncode}) while asked for its state")
            try:
                state = json.loads(self.state_path.read_text())
            except (OSError, ValueError):
                state = None
            if state is not None and state["seq"] >= want:
                self.seq = state["seq"]
                return state
            time.sleep(0.02)
        raise CheckFailed(f"no state dump within {timeout:.0f} s (does the window have the keyboard?)")

    @staticmethod
    def to_screen(state: dict, x: float, y: float) -> tuple[float, float]:
        """Screen pixel of model point (x, y) (model y up, screen y down)."""
        p = state["plan"]
        ox, oy = p["origin_global"]
        s = p["px_per_m"]
        return ox + s * x, oy - s * y

    @staticmethod
    def item(state: dict, **match) -> list[dict]:
        return [i for i in state["site"]["items"] if all(i.get(k) == v for k, v in match.items())]

    def stamp(self) -> str:
        return f"{time.monotonic() - self.t0:5.1f} s"

    # -- the scenario ----------------------------------------------------------------------------
    def run(self) -> None:
        print(f"[{self.stamp()}] waiting for the window", flush=True)
        self.wid = self.wait_window(TITLE)
        self.xdo("windowfocus", "--sync", self.wid)
        st = self.dump()
        check(st["plan"]["tool"] == "select", f"the window is up after {self.stamp()}, select tool active")
        r04 = self.item(st, name="R04")
        check(len(r04) == 1 and (r04[0]["x"], r04[0]["y"]) == (10.2, 9.8), "rack R04 at (10.2, 9.8)")

        print(f"[{self.stamp()}] 1. hall outline by typed lengths", flush=True)
        self.key("o")
        st = self.dump()
        check(st["plan"]["tool"] == "polygon:outline:", "O starts the hall outline tool")
        self.type("0,0")
        self.key("Return")
        for seg in ("40<0", "25<90", "40<180"):
            self.type(seg)
            st = self.dump()
            check(st["plan"]["typing"] == seg, f"typed '{seg}' shows as typed input")
            self.key("Return")
        self.key("Return")  # nothing typed: closes the outline
        st = self.dump()
        outline = st["site"]["outline"]
        want = [[0, 0], [40, 0], [40, 25], [0, 25]]
        check(_same_polygon(outline, want), f"the outline is 40 x 25 m as typed: {outline}")
        check(st["plan"]["tool"] == "select" and st["modified"], "the tool ended, the project is modified")

        print(f"[{self.stamp()}] 2. drag an in-row cooler from the catalog to rack R04", flush=True)
        search = st["catalog"]["search"]
        check(search is not None, "the catalog's search field is on screen")
        self.move(search[0] + search[2] / 2, search[1] + search[3] / 2)
        self.xdo("click", "1")
        self.type("IRC-40")
        st = self.dump()
        entry = st["catalog"]["entries"].get("IRC-40")
        check(entry is not None, f"searching lists IRC-40 on screen ({sorted(st['catalog']['entries'])})")
        n_units = len(self.item(st, kind="air_units"))
        # 8 cm right of the flush position (R04's right edge 10.5 m + half the unit's 0.3 m),
        # 7 cm up: the grid alone would give (10.7, 9.9)
        tx, ty = self.to_screen(st, 10.5 + 0.15 + 0.08, 9.8 + 0.07)
        vp = st["plan"]["viewport"]
        check(vp[0] < tx < vp[0] + vp[2] and vp[1] < ty < vp[1] + vp[3], "R04 is on the plan's screen area")
        sx, sy = entry[0] + min(60, entry[2] / 2), entry[1] + entry[3] / 2
        self.move(sx, sy)
        self.xdo("mousedown", "1")
        for k in range(1, 4):  # past the drag distance: the drag starts
            self.move(sx + 8 * k, sy)
            time.sleep(0.03)
        for k in range(1, 11):
            self.move(sx + (tx - sx) * k / 10, sy + (ty - sy) * k / 10)
            time.sleep(0.03)
        time.sleep(0.1)
        self.xdo("mouseup", "1")
        end = time.monotonic() + 10
        while True:
            st = self.dump()
            units = self.item(st, kind="air_units")
            if len(units) > n_units or time.monotonic() > end:
                break
        check(len(units) == n_units + 1, "the drop added one air unit")
        unit = units[-1]
        check(unit["model"] == "IRC-40", "the new unit is an IRC-40")
        check(abs(unit["x"] - 10.65) < 1e-6 and abs(unit["y"] - 9.8) < 1e-6,
              f"it snapped flush against R04 at (10.65, 9.8): ({unit['x']:.4f}, {unit['y']:.4f})")
        check(st["selection"] == [unit["id"]] and st["focus"] == "PlanView",
              f"it is selected and the plan has the keyboard (focus: {st['focus']})")

        print(f"[{self.stamp()}] 3. wheel zoom with the outline tool active", flush=True)
        self.key("o")
        p0 = self.to_screen(st, 5.0, 5.0)
        self.move(*p0)
        self.xdo("click", "1")  # a first corner: the rubber band follows the pointer
        for (mx, my), clicks, button in (((22.0, 14.0), 3, "4"), ((31.0, 6.0), 2, "5"), ((12.0, 20.0), 4, "4")):
            st = self.dump()
            p = self.to_screen(st, mx, my)
            self.move(*p)
            before = self.dump()
            u0 = before["plan"]["under_cursor"]
            s0 = before["plan"]["px_per_m"]
            check(u0 is not None and before["plan"]["tool"] == "polygon:outline:", f"pointer on the plan at {u0}")
            self.xdo("click", "--repeat", str(clicks), "--delay", "40", button)
            after = self.dump()
            u1 = after["plan"]["under_cursor"]
            s1 = after["plan"]["px_per_m"]
            moved_px = math.dist(u0, u1) * s1
            word = "in" if button == "4" else "out"
            check((s1 / s0 > 1.2) if button == "4" else (s1 / s0 < 0.85),
                  f"{clicks} wheel steps zoom {word}: {s0:.2f} -> {s1:.2f} px/m")
            check(moved_px <= 1.0, f"the point under the pointer stays put: moved {moved_px:.2f} px "
                                   f"({u0[0]:.3f}, {u0[1]:.3f}) -> ({u1[0]:.3f}, {u1[1]:.3f})")
            label = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", after["plan"]["cursor_label"])]
            check(len(label) == 2 and math.dist(label, u1) < 0.02,
                  f"the cursor read-out follows: '{after['plan']['cursor_label']}'")
            check(after["plan"]["tool"] == "polygon:outline:", "the outline tool is still active")
        self.key("Escape")
        st = self.dump()
        check(st["plan"]["tool"] == "select" and st["site"]["outline"] == outline,
              "Esc cancels the outline, which stays as drawn")

        print(f"[{self.stamp()}] 4. save with Ctrl+S", flush=True)
        mtime = self.project.stat().st_mtime_ns
        self.key("ctrl+s")
        st = self.dump()
        check(not st["modified"] and self.project.stat().st_mtime_ns != mtime, "saved, not modified")
        saved = json.loads(self.project.read_text())
        site = next(s for s in saved["sites"] if s["id"] == st["site"]["id"])
        check(_same_polygon(site["hall"]["outline"], want), "the saved outline is the typed one")
        su = [u for u in site["hall"]["air_units"] if u["id"] == unit["id"]]
        check(len(su) == 1 and abs(su[0]["x"] - 10.65) < 1e-6 and abs(su[0]["y"] - 9.8) < 1e-6,
              "the saved cooler is flush against R04")

        print(f"[{self.stamp()}] 5. delete, quit, Discard", flush=True)
        self.key("Delete")
        st = self.dump()
        check(st["modified"] and not self.item(st, id=unit["id"]), "Delete removed the cooler")
        self.key("ctrl+q")
        dlg = self.wait_window("Unsaved changes", timeout=15)
        self.xdo("windowfocus", "--sync", dlg)
        st = self.dump()
        check(st["modal"] is not None and st["modal"]["title"] == "Unsaved changes", "the question is asked")
        buttons = {b["text"]: b["rect"] for b in st["modal"]["buttons"]}
        discard = next((r for t, r in buttons.items() if t.startswith(("Discard", "Close without"))), None)
        check(discard is not None, f"it offers Discard ({sorted(buttons)})")
        self.move(discard[0] + discard[2] / 2, discard[1] + discard[3] / 2)
        self.xdo("click", "1")
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise CheckFailed("the app is still running 20 s after Discard") from None
        self.err.flush()
        err = (self.work / "app.stderr").read_text()
        check(rc == 0, f"the app exited with code {rc} after {self.stamp()}")
        check("Traceback" not in err and "Error" not in err, "nothing on stderr about an error"
              + (f":\n{err}" if err.strip() else ""))
        saved = json.loads(self.project.read_text())
        site = next(s for s in saved["sites"] if s["id"] == st["site"]["id"])
        check(any(u["id"] == unit["id"] for u in site["hall"]["air_units"]), "Discard left the saved file as saved")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.out.close()
        self.err.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--designer", default=None, help="the app's command (default: designer next to this Python)")
    ap.add_argument("--keep", type=Path, default=None, help="keep the work files (project, logs, state) here")
    ap.add_argument("--xvfb", action="store_true", help="run under xvfb-run even if DISPLAY is set")
    ap.add_argument("--size", default="1600x1000", help="screen size for xvfb-run")
    args = ap.parse_args(argv)
    if args.xvfb or not os.environ.get("DISPLAY"):
        if shutil.which("xvfb-run") is None:
            print("drive_app: no DISPLAY and no xvfb-run", file=sys.stderr)
            return 2
        rest = [a for a in (argv if argv is not None else sys.argv[1:]) if a != "--xvfb"]
        cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {args.size}x24", sys.executable, __file__, *rest]
        return subprocess.run(cmd).returncode
    if shutil.which("xdotool") is None:
        print("drive_app: xdotool is not installed", file=sys.stderr)
        return 2
    designer = args.designer.split() if args.designer else [str(Path(sys.executable).with_name("designer"))]
    exe = shutil.which(designer[0])
    if exe is None:
        print(f"drive_app: cannot run {designer[0]}", file=sys.stderr)
        return 2
    designer[0] = str(Path(exe).absolute())  # the app runs in the work folder (no resolve: a venv's python is a link)
    work = args.keep or Path(tempfile.mkdtemp(prefix="dhd-realwindow-"))
    if args.keep is not None:  # a fresh user folder every run (no settings, no recovery copies)
        shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    d = Driver(designer, work)
    ok = False
    try:
        d.run()
        ok = True
    except CheckFailed as e:
        print(f"FAILED: {e}", file=sys.stderr)
    finally:
        d.stop()
        if not ok:
            for name in ("app.stdout", "app.stderr"):
                text = (work / name).read_text()
                if text.strip():
                    print(f"--- {name}\n{text}", file=sys.stderr)
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    print(f"real-window test {'passed' if ok else 'FAILED'} in {time.monotonic() - d.t0:.1f} s")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
