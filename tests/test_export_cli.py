"""``designer export``: every format from the command line, with no display; bad output paths
are refused before any work; a failure leaves no file behind."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys

import pytest

from designer.cli import main
from designer.io.catalog_store import sample_project_path

SAMPLE = str(sample_project_path())


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bom_dxf_json_in_process(tmp_path, capsys):
    code, out, err = run(capsys, "export", SAMPLE, "--bom", str(tmp_path / "b.csv"), "--dxf", str(tmp_path / "d.dxf"),
                         "--json", str(tmp_path / "e.json"), "--json-schema", str(tmp_path / "s.json"))
    assert code == 0, err
    assert "wrote" in out and err == ""
    rows = list(csv.DictReader((tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()))
    assert sum(float(r["total"]) for r in rows if r["item"] == "Rack") == 48
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert data["export_format"] == 1 and len(data["project"]["sites"]) == 5
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, json.loads((tmp_path / "s.json").read_text(encoding="utf-8")))
    import ezdxf

    assert len(ezdxf.readfile(tmp_path / "d.dxf").modelspace().query("LWPOLYLINE[layer=='T-EQPM-RACK']")) == 48


@pytest.mark.gui
def test_one_sites_plan_solves_that_sites_air_only(tmp_path, capsys, monkeypatch):
    """``--site`` without JSON: the 3D air model runs on that site's hall alone (another hall
    can take a minute); with JSON, which carries every site, on all of them."""
    import designer.analysis.air as air
    from designer.io.files import load

    halls = {s.hall.model_dump_json(): s.id for s in load(SAMPLE).sites}
    solved = []
    real = air.solve_hall

    def spy(hall, *a, **kw):
        solved.append(halls.get(hall.model_dump_json(), "?"))
        return real(hall, *a, **kw)

    monkeypatch.setattr(air, "solve_hall", spy)  # (the analysis' calls, memoised answers or not)
    code, out, err = run(capsys, "export", SAMPLE, "--site", "twr-ks", "--png", str(tmp_path / "p.png"))
    assert code == 0, err
    assert solved == ["twr-ks"]
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_site_filter(tmp_path, capsys):
    code, _out, err = run(capsys, "export", SAMPLE, "--site", "twr-ks", "--bom", str(tmp_path / "b.csv"))
    assert code == 0, err
    header = (tmp_path / "b.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.endswith(",twr-ks,total")


@pytest.mark.parametrize("case, want", [
    ("missing_folder", "does not exist"),
    ("parent_is_file", "is not a folder"),
    ("is_folder", "is a folder"),
    ("same_twice", "both write"),
    ("nothing", "nothing to export"),
    ("bad_site", "no site 'nope'"),
])
def test_refused_before_any_work(tmp_path, capsys, case, want):
    (tmp_path / "file.txt").write_text("x")
    argv = {
        "missing_folder": ["--pdf", str(tmp_path / "no" / "r.pdf"), "--bom", str(tmp_path / "b.csv")],
        "parent_is_file": ["--bom", str(tmp_path / "file.txt" / "b.csv")],
        "is_folder": ["--dxf", str(tmp_path)],
        "same_twice": ["--bom", str(tmp_path / "x"), "--json", str(tmp_path / "x")],
        "nothing": [],
        "bad_site": ["--site", "nope", "--bom", str(tmp_path / "b.csv")],
    }[case]
    code, out, err = run(capsys, "export", SAMPLE, *argv)
    assert code == 2
    assert want in err and err.startswith("designer export: ")
    assert sorted(os.listdir(tmp_path)) == ["file.txt"]  # nothing written, not even the valid ones
    assert out == ""


def test_failure_mid_export_leaves_no_file(tmp_path, capsys, monkeypatch):
    import designer.io.export_json as ej

    target = tmp_path / "e.json"
    target.write_text('{"old": true}')

    def boom(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ej, "dumps_export", boom)
    code, _out, err = run(capsys, "export", SAMPLE, "--json", str(target))
    assert code == 1
    assert "No space left on device" in err and "no partial file" in err
    assert target.read_text() == '{"old": true}'
    assert os.listdir(tmp_path) == ["e.json"]


def test_unreadable_project(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    code, _out, err = run(capsys, "export", str(bad), "--bom", str(tmp_path / "b.csv"))
    assert code == 1 and "Cannot open" in err
    assert not (tmp_path / "b.csv").exists()


@pytest.mark.gui
@pytest.mark.skipif(not shutil.which("pdfinfo"), reason="pdfinfo (poppler-utils) not installed")
def test_headless_pdf_svg_png(tmp_path):
    """The real entry point with no display at all: Qt must fall back to offscreen by itself."""
    pytest.importorskip("PySide6.QtWidgets")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["DESIGNER_USER_DIR"] = str(tmp_path / "user")
    r = subprocess.run([sys.executable, "-m", "designer", "export", SAMPLE, "--pdf", str(tmp_path / "r.pdf"),
                        "--svg", str(tmp_path / "p.svg"), "--png", str(tmp_path / "p.png"), "--site", "ent-muc",
                        "--date", "2026-02-01"], capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr
    info = subprocess.run(["pdfinfo", str(tmp_path / "r.pdf")], capture_output=True, text=True, check=True).stdout
    pages = int(info.split("Pages:")[1].split()[0])
    assert f"({pages} pages" in r.stdout.replace("PDF, ", "(")
    assert (tmp_path / "p.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert b"<svg" in (tmp_path / "p.svg").read_bytes()[:400]
    assert "plan of ent-muc" in r.stdout
