"""File > Export in the window: the menu, exports of every kind, analyses run first when the
results are stale, cancel leaves no file, a bad folder is refused with a message."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest

pytest.importorskip("PySide6.QtWidgets")

from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.edits import SetFields  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.show()
    qtbot.waitExposed(w)
    assert session.scheduler.wait_idle(120)
    yield w
    session.undo_stack.setClean()
    w.close()
    session.scheduler.shutdown()


@pytest.fixture
def ctl(win):
    return win.extensions["export"]


def test_menu(win):
    file_menu = win.registry.menus["File"]
    texts = [a.text() for a in file_menu.actions()]
    assert "&Export" in texts
    assert texts.index("&Export") < texts.index("&Quit")
    sub = win.registry.menus["File/Export"]
    items = [a.text() for a in sub.actions() if not a.isSeparator()]
    assert items == ["&PDF report…", "&JSON (design and results)…", "&Bill of materials (CSV)…", "&DXF drawing…",
                     "Plan as &SVG…", "Plan as P&NG…"]


def test_every_export_through_its_action(win, ctl, tmp_path, monkeypatch):
    chosen = {}

    def choose(kind):
        chosen[kind] = tmp_path / f"out.{ {'bom': 'csv'}.get(kind, kind) }"
        return chosen[kind]

    monkeypatch.setattr(ctl, "choose_path", choose)
    for kind in ("pdf", "json", "bom", "dxf", "svg", "png"):
        win.registry[f"export_{kind}"].trigger()
        assert chosen[kind].exists() and chosen[kind].stat().st_size > 0, kind
        assert str(chosen[kind]) in win.statusBar().currentMessage()
    assert chosen["pdf"].read_bytes()[:5] == b"%PDF-"
    data = json.loads(chosen["json"].read_text(encoding="utf-8"))
    assert set(data["results"]) == {"geometry", "liquid", "air", "power", "placement"}
    assert b"<svg" in chosen["svg"].read_bytes()[:400]
    assert not [f for f in os.listdir(tmp_path) if f.endswith(".part")]


def test_stale_results_are_refreshed_before_the_report(win, ctl, tmp_path):
    """Edit, then export at once: the report must describe the edited design, not the last results."""
    s = win.session
    rack = next(r for r in s.project.sites[0].hall.racks if r.name == "R16")
    s.push(SetFields(rack.id, {"it_load_kw": 7.5}))
    assert s.scheduler.last_revision != s.doc.revision  # results are behind
    assert ctl.export_json(tmp_path / "e.json")
    data = json.loads((tmp_path / "e.json").read_text(encoding="utf-8"))
    assert {r["revision"] for r in data["results"].values()} == {s.doc.revision}
    site = data["project"]["sites"][0]
    assert next(r for r in site["hall"]["racks"] if r["id"] == rack.id)["it_load_kw"] == 7.5
    it_kw = sum(r.it_load_kw for r in s.project.sites[0].hall.racks)
    assert data["results"]["power"]["sites"][site["id"]]["it_kw"] == pytest.approx(it_kw, rel=1e-6)
    s.push(SetFields(rack.id, {"it_load_kw": 8.5}))
    assert ctl.export_pdf(tmp_path / "r.pdf")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "r.pdf"), "-"], capture_output=True, text=True).stdout
        total = sum(r.it_load_kw for st in s.project.sites for r in st.hall.racks)
        assert f"{total:,.1f} kW" in " ".join(text.split())


def test_cancel_leaves_no_file(win, ctl, tmp_path):
    seen = []

    def cancel_midway(dialog, fraction):
        seen.append(fraction)
        if fraction > 0.4:
            dialog.cancel()

    ctl.on_progress = cancel_midway
    assert not ctl.export_pdf(tmp_path / "r.pdf")
    assert seen and max(seen) < 1.0
    assert os.listdir(tmp_path) == []
    assert "cancelled" in win.statusBar().currentMessage()
    assert ctl.dialog is None


def test_bad_folder_is_refused_with_a_message(win, ctl, tmp_path, monkeypatch):
    shown = []
    monkeypatch.setattr("designer.app.views.export.show_error", lambda parent, title, text, *a: shown.append(text))
    assert not ctl.export_bom(tmp_path / "missing" / "b.csv")
    assert shown and "does not exist" in shown[0]
    assert not (tmp_path / "missing").exists()


def test_plan_of_the_current_site(win, ctl, tmp_path):
    win.session.set_site("twr-ks")
    assert ctl.export_plan("svg", tmp_path / "p.svg")
    assert "A7 tower site Kassel-Ost" in (tmp_path / "p.svg").read_text(encoding="utf-8")
    assert "twr-ks" in win.statusBar().currentMessage()


def test_an_export_never_replaces_the_open_project(win, ctl, tmp_path, monkeypatch):
    from designer.io.files import save

    path = tmp_path / "hall.dhd.json"
    save(win.session.project, path)
    win.session.doc.path = path
    before = path.read_bytes()
    shown = []
    monkeypatch.setattr("designer.app.views.export.show_error", lambda parent, title, text, *a: shown.append(text))
    assert not ctl.export_json(path)
    assert shown and "input file" in shown[0]
    assert path.read_bytes() == before
