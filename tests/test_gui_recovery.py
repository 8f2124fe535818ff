"""Autosave in the app, and restoring a recovery copy."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from designer.app.mainwindow import MainWindow  # noqa: E402
from designer.app.recovery import restore_project  # noqa: E402
from designer.app.session import Session  # noqa: E402
from designer.io.recovery import load_recovery  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, sample):
    s = Session(sample)
    w = MainWindow(s)
    w.show()
    yield w
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()


def test_autosave_writes_and_save_discards(win, tmp_path):
    s = win.session
    r = s.site.hall.racks[0]
    s.selection.set([r.id])
    win.registry["rotate_cw"].trigger()
    path = win.recovery.autosave()
    assert path is not None and path.exists()
    assert load_recovery(path) == s.project
    assert win.files._write(tmp_path / "saved.dhd.json")
    assert not path.exists()  # saved: nothing left to recover


def test_restore_opens_as_unsaved_changes_to_the_original(win, sample, tmp_path):
    sample.name = "recovered"
    restore_project(win.session, sample, tmp_path / "orig.dhd.json")
    assert win.session.project.name == "recovered"
    assert win.session.modified
    assert win.session.doc.path == tmp_path / "orig.dhd.json"
    assert win.isWindowModified()


def test_unexpected_error_shows_details_saves_a_copy_and_keeps_running(win, monkeypatch):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from designer.app.recovery import install_excepthook

    shown = []
    monkeypatch.setattr(QMessageBox, "exec", lambda self: shown.append((self.text(), self.detailedText())) or 0)
    old = sys.excepthook
    install_excepthook(win)
    try:
        s = win.session
        s.selection.set([s.site.hall.racks[0].id])
        win.registry["rotate_cw"].trigger()  # unsaved work
        try:
            raise RuntimeError("boom in a slot")
        except RuntimeError:
            sys.excepthook(*sys.exc_info())
    finally:
        sys.excepthook = old
    assert shown and "RuntimeError: boom in a slot" in shown[0][0]
    assert "Traceback" in shown[0][1]
    assert win.recovery.writer.path.exists()  # the work is on disk
    assert load_recovery(win.recovery.writer.path) == win.session.project
    assert win.isVisible()  # still running
    win.registry["rotate_ccw"].trigger()  # and still editing
