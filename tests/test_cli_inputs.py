"""Odd inputs and outputs for every command, each with a time bound: a FIFO, /dev/zero, a
folder, an empty file, a symlink loop, a lone surrogate; an output that is the input; strict
JSON; a file with validation errors. Every command ends quickly with a clear message and
exit 1 or 2, never a traceback, never a wait."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import threading

import pytest

from designer.cli import main
from designer.io.catalog_store import sample_project_path
from designer.io.files import dumps

COMMANDS = {
    "validate": ["validate", "{f}"],
    "validate --json": ["validate", "{f}", "--json"],
    "info": ["info", "{f}"],
    "info --json": ["info", "{f}", "--json"],
    "solve": ["solve", "{f}"],
    "solve --json": ["solve", "{f}", "--json"],
    "export": ["export", "{f}", "--json", "{o}/e.json", "--bom", "{o}/b.csv", "--dxf", "{o}/d.dxf"],
    "design": ["design", "{f}", "--site", "core-fra", "-o", "{o}/d.json"],
    "study": ["study", "{f}", "-o", "{o}/results", "--workers", "0", "--no-pdf"],  # the study file
}
RC = {"study": 2}
"""Exit code of a command whose input cannot be read, where it is not 1 (a bad study file is
a usage error)."""
TIMEOUT_S = 30.0


def run_bounded(argv: list[str]) -> tuple[int | None, str, str]:
    """Run a command in a thread; fail the test if it has not ended after TIMEOUT_S."""
    box: dict = {}
    out, err = io.StringIO(), io.StringIO()

    def go():
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                box["rc"] = main(argv)
            except BaseException as e:  # noqa: BLE001 - reported below
                box["exc"] = e

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(TIMEOUT_S)
    assert not t.is_alive(), f"{argv} still running after {TIMEOUT_S:.0f} s"
    assert "exc" not in box, f"{argv} raised {box.get('exc')!r}"
    return box["rc"], out.getvalue(), err.getvalue()


@pytest.fixture
def odd(tmp_path):
    def make(kind: str) -> str:
        if kind == "fifo":
            if not hasattr(os, "mkfifo"):
                pytest.skip("no FIFOs here")
            p = tmp_path / "fifo.json"
            os.mkfifo(p)
        elif kind == "dev_zero":
            if not os.path.exists("/dev/zero"):
                pytest.skip("no /dev/zero")
            return "/dev/zero"
        elif kind == "folder":
            p = tmp_path / "folder.json"
            p.mkdir()
        elif kind == "empty":
            p = tmp_path / "empty.json"
            p.write_bytes(b"")
        elif kind == "loop":
            p = tmp_path / "loop.json"
            os.symlink(tmp_path / "loop2.json", p)
            os.symlink(p, tmp_path / "loop2.json")
        elif kind == "surrogate":
            p = tmp_path / "sur.json"
            p.write_text(sample_project_path().read_text(encoding="utf-8").replace(
                '"name": "Rhein-Main', '"name": "\\ud800 Rhein-Main', 1), encoding="utf-8")
        return str(p)
    return make


WANT = {"fifo": "pipe (FIFO)", "dev_zero": "a device", "folder": "a folder", "empty": "ends before the JSON",
        "loop": "loop of symbolic links", "surrogate": "lone surrogate"}


@pytest.mark.parametrize("kind", list(WANT))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_odd_inputs_end_quickly_with_a_clear_message(odd, tmp_path, kind, command):
    f = odd(kind)
    (tmp_path / "out").mkdir(exist_ok=True)
    argv = [a.format(f=f, o=tmp_path / "out") for a in COMMANDS[command]]
    rc, out, err = run_bounded(argv)
    assert rc == RC.get(command, 1)
    assert WANT[kind] in err and "Traceback" not in out + err
    assert os.listdir(tmp_path / "out") == []  # nothing written


@pytest.mark.gui
@pytest.mark.parametrize("kind", ["fifo", "dev_zero", "folder", "empty"])
def test_screenshot_of_an_odd_input_ends_at_once(odd, tmp_path, kind):
    f = odd(kind)
    r = subprocess.run([sys.executable, "-m", "designer", f, "--screenshot", str(tmp_path / "s.png")],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert r.returncode == 1, r.stderr
    assert WANT[kind] in r.stderr and "no screenshot written" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize("as_", ["same", "symlink", "hardlink"])
@pytest.mark.parametrize("command", ["export", "design"])
def test_an_output_that_is_the_input_is_refused(tmp_path, as_, command):
    f = tmp_path / "hall.json"
    f.write_text(sample_project_path().read_text(encoding="utf-8"), encoding="utf-8")
    before = f.read_bytes()
    out = {"same": f, "symlink": tmp_path / "link.json", "hardlink": tmp_path / "hard.json"}[as_]
    if as_ == "symlink":
        os.symlink(f, out)
    elif as_ == "hardlink":
        os.link(f, out)
    argv = ["export", str(f), "--json", str(out)] if command == "export" else \
        ["design", str(f), "--site", "core-fra", "-o", str(out)]
    rc, _out, err = run_bounded(argv)
    assert rc == 2 and "input file" in err
    assert f.read_bytes() == before


@pytest.mark.parametrize("argv", [["design", "{s}", "--site", "core-fra", "-o", "{t}/a.dhd.json"],
                                  ["generate", "fleet", "--sites", "1", "-o", "{t}/a.dhd.json"],
                                  ["study", "{t}/study.json", "-o", "{t}/a.dhd.json", "--workers", "0"]])
def test_new_commands_refuse_a_symlink_loop_as_output(tmp_path, argv):
    os.symlink(tmp_path / "b.dhd.json", tmp_path / "a.dhd.json")
    os.symlink(tmp_path / "a.dhd.json", tmp_path / "b.dhd.json")
    study = json.loads((sample_project_path().parent / "sample_study.json").read_text(encoding="utf-8"))
    study["designs"] = [{"file": str(sample_project_path()), "split": "sites", "sites": ["twr-ks"]}]
    (tmp_path / "study.json").write_text(json.dumps(study), encoding="utf-8")
    rc, out, err = run_bounded([a.format(s=sample_project_path(), t=tmp_path) for a in argv])
    assert rc == 2 and "loop of symbolic links" in err and "Traceback" not in out + err


def test_design_stops_on_validation_errors_and_writes_nothing(tmp_path, sample):
    sample.sites[0].hall.power.taps[0].busway_id = sample.sites[0].hall.racks[0].id
    (tmp_path / "p.json").write_text(dumps(sample), encoding="utf-8")
    rc, out, err = run_bounded(["design", str(tmp_path / "p.json"), "--site", "core-fra", "-o",
                                str(tmp_path / "d.json")])
    assert rc == 1 and "[ref.kind]" in out and "1 validation error" in err
    assert not (tmp_path / "d.json").exists()


def test_study_stops_on_a_design_with_validation_errors_before_running(tmp_path, sample):
    sample.sites[4].hall.power.taps = []
    sample.sites[4].hall.racks[0].x = 1e300
    (tmp_path / "p.json").write_text(dumps(sample), encoding="utf-8")
    study = json.loads((sample_project_path().parent / "sample_study.json").read_text(encoding="utf-8"))
    study["designs"] = [{"file": "p.json", "split": "sites", "sites": ["twr-ks"]}]
    (tmp_path / "study.json").write_text(json.dumps(study), encoding="utf-8")
    rc, _out, err = run_bounded(["study", str(tmp_path / "study.json"), "-o", str(tmp_path / "res"),
                                 "--workers", "0", "--no-pdf"])
    assert rc == 1 and "[value.magnitude]" in err and "nothing was run" in err
    assert not (tmp_path / "res").exists()


def test_export_to_a_symlink_loop_is_a_clear_error(tmp_path):
    os.symlink(tmp_path / "b.csv", tmp_path / "a.csv")
    os.symlink(tmp_path / "a.csv", tmp_path / "b.csv")
    rc, _out, err = run_bounded(["export", str(sample_project_path()), "--bom", str(tmp_path / "a.csv")])
    assert rc == 2 and "loop of symbolic links" in err and "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_export_to_a_fifo_is_refused_without_waiting(tmp_path):
    os.mkfifo(tmp_path / "out.csv")
    rc, _out, err = run_bounded(["export", str(sample_project_path()), "--bom", str(tmp_path / "out.csv")])
    assert rc == 2 and "not a regular file" in err


def _strict(text: str):
    def bad(token):
        raise ValueError(f"{token} is not JSON")

    return json.loads(text, parse_constant=bad)


def test_machine_readable_output_is_strict_json_at_the_bounds(tmp_path, sample):
    """Every rack at the largest load validation allows: big numbers, no NaN or Infinity."""
    for s in sample.sites:
        for r in s.hall.racks:
            r.it_load_kw = 1e6
    f = tmp_path / "big.json"
    f.write_text(dumps(sample), encoding="utf-8")
    for argv in (["solve", str(f), "--json"], ["info", str(f), "--json"], ["validate", str(f), "--json"]):
        rc, out, err = run_bounded(argv)
        assert "Traceback" not in err
        _strict(out)
    rc, out, _err = run_bounded(["solve", str(f), "--json"])
    data = _strict(out)
    assert all(v["status"] in ("ok", "not_run") for v in data.values()), {k: v["status"] for k, v in data.items()}


def test_numbers_past_the_bounds_are_validation_errors_and_nothing_is_solved(tmp_path, sample):
    for r in sample.sites[0].hall.racks:
        r.it_load_kw = 1e308
    sample.sites[1].hall.racks[0].x = 1e300
    f = tmp_path / "huge.json"
    f.write_text(dumps(sample), encoding="utf-8")
    rc, out, _err = run_bounded(["validate", str(f)])
    assert rc == 1 and "value.magnitude" in out and "racks[0].x" in out
    rc, out, err = run_bounded(["solve", str(f), "--json"])
    data = _strict(out)
    assert rc == 1 and "not analysed" in err
    assert {k for k, v in data.items() if v["status"] == "not_run"} == {"liquid", "air", "power", "placement"}
    (tmp_path / "out").mkdir()
    rc, _out, err = run_bounded(["export", str(f), "--pdf", str(tmp_path / "out" / "r.pdf")])
    assert rc == 1 and "validation error" in err and os.listdir(tmp_path / "out") == []


def test_a_tiny_air_cell_is_not_solved(tmp_path, sample):
    """settings.air_cell_m = 1e-6 is a validation error: the air analysis does not start
    (it would need gigabytes); the analyses that do not use it still answer."""
    sample.settings.air_cell_m = 1e-6
    f = tmp_path / "cell.json"
    f.write_text(dumps(sample), encoding="utf-8")
    rc, out, _err = run_bounded(["solve", str(f), "--json"])
    data = _strict(out)
    assert rc == 1 and data["air"]["status"] == "not_run"
    assert "air_cell_m" in json.dumps(data["air"])


def test_a_tap_naming_a_rack_stops_the_export_and_says_why(tmp_path, sample):
    site = next(s for s in sample.sites if s.hall.power.taps)
    site.hall.power.taps[0].busway_id = site.hall.racks[0].id
    f = tmp_path / "tap.json"
    f.write_text(dumps(sample), encoding="utf-8")
    (tmp_path / "out").mkdir()
    rc, out, err = run_bounded(["export", str(f), "--svg", str(tmp_path / "out" / "p.svg")])
    assert rc == 1 and "ref.kind" in out and "Traceback" not in err
    assert os.listdir(tmp_path / "out") == []
