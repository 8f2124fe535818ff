"""The command line: validate, schema, info, solve --geometry, --version.

Most cases call :func:`designer.cli.main` in-process; a few run ``python -m designer`` to
prove the real entry point works and prints no traceback.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from designer import __version__
from designer.cli import main
from designer.io.catalog_store import sample_project_path
from designer.io.files import dumps, json_schema
from designer.model.project import SCHEMA_VERSION


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def broken(tmp_path, sample_project):
    """Write a hand-broken copy of the sample; returns (path, what to look for in the output)."""
    def make(kind: str):
        p = sample_project.model_copy(deep=True)
        text = None
        if kind == "truncated":
            full = dumps(p)
            text = full[: len(full) // 2]
        elif kind == "missing_pdu":
            r = p.sites[1].hall.racks[2]
            r.feed_a = r.feed_a.model_copy(update={"source_id": "pdu-removed"})
        elif kind == "negative_kw":
            p.sites[2].hall.racks[4].it_load_kw = -12.5
        elif kind == "newer":
            text = dumps(p).replace(f'"schema_version": {SCHEMA_VERSION}',
                                    f'"schema_version": {SCHEMA_VERSION + 1}', 1)
        path = tmp_path / f"{kind}.json"
        path.write_text(text if text is not None else dumps(p), encoding="utf-8")
        return path
    return make


# -- validate ----------------------------------------------------------------------------------
def test_validate_sample_exits_0(capsys):
    code, out, err = run(capsys, "validate", str(sample_project_path()))
    assert code == 0
    assert out.strip().endswith("0 errors, 0 warnings")
    assert err == ""


@pytest.mark.parametrize(("kind", "stream", "needles"), [
    ("truncated", "err", [r"line \d+, column \d+", "ends before", "Fix: "]),
    ("missing_pdu", "out", [r"sites\[1\]\.hall\.racks\[2\]\.feed_a\.source_id", "pdu-removed", "Fix: ",
                            r"1 errors?"]),
    ("negative_kw", "out", [r"sites\[2\]\.hall\.racks\[4\]\.it_load_kw", "-12.5", "Fix: "]),
    ("newer", "err", ["schema_version", "newer", r"Fix: update"]),
])
def test_validate_hand_broken_files_exit_1_with_path_and_fix(capsys, broken, kind, stream, needles):
    path = broken(kind)
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1
    text = out if stream == "out" else err
    for n in needles:
        assert re.search(n, text), (n, text)
    assert "Traceback" not in out + err


def test_validate_json_output(capsys, broken):
    code, out, _ = run(capsys, "validate", str(broken("negative_kw")), "--json")
    assert code == 1
    found = json.loads(out)
    hit = [f for f in found if f["path"] == "sites[2].hall.racks[4].it_load_kw"]
    assert len(hit) == 1 and hit[0]["severity"] == "error" and hit[0]["fix"]


def test_validate_warnings_alone_exit_0(capsys, tmp_path, sample_project):
    p = sample_project.model_copy(deep=True)
    p.sites[0].hall.racks[0].cold_plate_dp_kpa = 0.0  # a warning only
    path = tmp_path / "warn.json"
    path.write_text(dumps(p), encoding="utf-8")
    code, out, _ = run(capsys, "validate", str(path))
    assert code == 0 and "0 errors, 1 warnings" in out and "WARNING [rack.cold_plate]" in out


@pytest.mark.parametrize("what", ["missing", "directory", "not_utf8"])
def test_validate_unopenable_files(capsys, tmp_path, what):
    path = {"missing": tmp_path / "nope.json", "directory": tmp_path}.get(what, tmp_path / "latin.json")
    if what == "not_utf8":
        path.write_bytes("{\"name\": \"Straße\"}".encode("latin-1"))
    code, out, err = run(capsys, "validate", str(path))
    assert code == 1 and "Cannot open" in err and "Fix:" in err and "Traceback" not in err


# -- schema ------------------------------------------------------------------------------------
def test_schema_prints_the_json_schema(capsys):
    code, out, _ = run(capsys, "schema")
    assert code == 0
    assert json.loads(out) == json_schema()


# -- info --------------------------------------------------------------------------------------
def test_info_lists_sites_with_rack_counts_and_it_kw(capsys, sample_project):
    code, out, _ = run(capsys, "info", str(sample_project_path()))
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith(sample_project.name)
    rows = {}
    for line in lines:
        m = re.match(r"^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+([\d.]+)", line)
        if m and m.group(1) != "total":
            rows[m.group(1)] = (m.group(2), int(m.group(3)), int(m.group(4)), float(m.group(5)))
    assert set(rows) == {s.id for s in sample_project.sites}
    for s in sample_project.sites:
        kw = sum(r.it_load_kw for r in s.hall.racks)
        assert rows[s.id] == (s.kind, len(s.hall.modules), len(s.hall.racks), pytest.approx(kw, abs=0.05))
    # hand-counted from the sample: 16 racks at 1042 kW in the core, 48 racks at 1746 kW in all
    assert rows["core-fra"][2:] == (16, pytest.approx(1042.0))
    total = next(line for line in lines if line.startswith("total"))
    assert re.search(r"\b48\s+1746\.0\b", total), total
    assert "workloads: 11" in out


def test_info_json(capsys, sample_project):
    code, out, _ = run(capsys, "info", str(sample_project_path()), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["workloads"] == len(sample_project.workloads)
    by = {r["site"]: r for r in data["sites"]}
    assert by["ent-muc"]["racks"] == 16 and by["ent-muc"]["it_kw"] == pytest.approx(326.0)
    assert sum(r["it_kw"] for r in data["sites"]) == pytest.approx(1746.0)


def test_info_on_a_broken_file(capsys, broken):
    code, _, err = run(capsys, "info", str(broken("truncated")))
    assert code == 1 and "Cannot open" in err


# -- solve (geometry) ----------------------------------------------------------------------------
def test_solve_geometry_json_on_the_sample(capsys):
    code, out, _ = run(capsys, "solve", str(sample_project_path()), "--geometry", "--json")
    assert code == 0
    data = json.loads(out)
    geo = data["geometry"]
    assert set(geo["sites"]) == {"core-fra", "ind-str", "ent-muc", "urb-ber", "twr-ks"}
    aisles = geo["sites"]["core-fra"]["aisle_front_m"]
    assert all(v is None or v > 0 for v in aisles.values())


def test_solve_geometry_on_a_broken_file_exits_1(capsys, broken):
    code, out, _ = run(capsys, "solve", str(broken("missing_pdu")), "--geometry")
    assert code == 1
    assert "pdu-removed" in out


# -- the real entry point -----------------------------------------------------------------------
def _python_m(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "designer", *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def test_python_m_designer_version():
    r = _python_m("--version")
    assert r.returncode == 0
    assert r.stdout.strip() == __version__


def test_python_m_designer_validate(tmp_path, broken):
    ok = _python_m("validate", str(sample_project_path()), cwd=tmp_path)
    assert ok.returncode == 0, ok.stderr
    bad = _python_m("validate", str(broken("newer")), cwd=tmp_path)
    assert bad.returncode == 1
    assert "schema_version" in bad.stderr and "Traceback" not in bad.stderr + bad.stdout


def test_python_m_designer_info_does_not_import_qt(tmp_path):
    code = (f"import sys, runpy; sys.argv = ['designer', 'info', {str(sample_project_path())!r}]\n"
            "try:\n    runpy.run_module('designer', run_name='__main__')\n"
            "except SystemExit as e:\n    assert e.code == 0, e.code\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph')]\n"
            "assert not bad, bad\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert "1746.0" in r.stdout


def test_solve_shows_the_air_models_march_on_stderr(capsys, tmp_path, monkeypatch):
    """A long air solve says what it is doing (site, step, how far from steady) on a
    terminal's stderr; not on a script's (stderr stays for errors), and stdout is unchanged."""
    import io

    from designer.cli.common import SolveProgress
    from designer.model.hall import AirUnit, Hall, Rack
    from designer.model.project import Project, Settings, Site
    from designer.solvers.air import engine
    from designer.solvers.air.flow import Convergence

    monkeypatch.setattr(engine, "PROGRESS_EVERY_S", 0.0)  # every step: the test is not timed
    engine.clear_memo()
    racks = [Rack(id=f"r{k}", name=f"R{k}", x=2.8 + 0.8 * k, y=2.0, it_load_kw=6.0) for k in range(4)]
    unit = AirUnit(id="c1", name="CRAH1", x=0.4, y=3.2, rotation_deg=270, width_m=2.0, depth_m=0.8, height_m=2.0,
                   capacity_kw=100.0, airflow_m3s=3.0, supply_temp_c=20.0)
    p = Project(settings=Settings(air_cell_m=0.4),
                sites=[Site(id="s", name="Test hall", hall=Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)],
                                                                 height_m=3.0, racks=racks, air_units=[unit]))])
    f = tmp_path / "p.dhd.json"
    f.write_text(dumps(p), encoding="utf-8")
    code, out, err = run(capsys, "solve", str(f), "--air", "--json")
    assert code == 0, err
    data = json.loads(out)
    steps = data["air"]["sites"]["s"]["stats"]["iterations"]
    assert steps > 1 and err == ""  # not a terminal: silent
    # on a terminal: one line rewritten in place (at most twice a second), ended with a newline
    tty = io.StringIO()
    tty.isatty = lambda: True
    bar = SolveProgress(tty)
    conv = Convergence(np.array([0.5, 2e-4]), np.array([0.2, 1e-3]), 1e-4, 1e-3, (), "rest", False)
    for _ in range(3):
        bar("air", {"site_id": "s", "site_name": "Test hall", "convergence": conv, "pending": ["t"]})
    bar.end()
    text = tty.getvalue()
    assert text == "\r" + "air: Test hall: step 2, changes 2x the steady tolerance; 1 more site after it".ljust(100) + "\n"
    # through the command, with stderr a terminal
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    engine.clear_memo()
    code, out, err = run(capsys, "solve", str(f), "--air")
    assert code == 0 and "\rair: Test hall: step 1, changes " in err and err.endswith("\n")
