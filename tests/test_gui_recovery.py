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
