"""Autosave in the app, and restoring a recovery copy."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from designer.app.lifecycle.recovery import restore_project  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
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


def test_a_copy_due_during_a_drag_waits_for_the_release(win, qtbot):
    """The idle timer's copy falls due while the mouse button is held on the plan: nothing is
    written until the release (writing stalls the window mid-drag), then it is."""
    from PySide6.QtCore import QPoint, Qt
    from PySide6.QtTest import QTest

    from designer.app.lifecycle import recovery

    s = win.session
    s.selection.set([s.site.hall.racks[0].id])
    win.registry["rotate_cw"].trigger()
    rec = win.recovery
    assert s.modified and rec.written_revision != s.doc.revision
    vp = win.view.viewport()
    QTest.mousePress(vp, Qt.LeftButton, Qt.NoModifier, QPoint(5, 5))
    try:
        rec.idle.stop()
        rec._due()  # what the idle timer calls
        assert rec.written_revision != s.doc.revision and rec.retry.isActive()
        qtbot.wait(recovery.PRESSED_RETRY_MS + 200)
        assert rec.written_revision != s.doc.revision  # still held: still waiting
    finally:
        QTest.mouseRelease(vp, Qt.LeftButton, Qt.NoModifier, QPoint(5, 5))
    qtbot.waitUntil(lambda: rec.written_revision == s.doc.revision, timeout=recovery.PRESSED_RETRY_MS * 4)
    assert load_recovery(rec.writer.path) == s.project


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

    from designer.app.lifecycle.recovery import install_excepthook

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


def test_every_orphaned_copy_is_offered_until_one_is_recovered(win, monkeypatch, tmp_path):
    import json

    from designer.app.lifecycle import recovery as app_recovery
    from designer.io.recovery import RecoveryWriter, lock_path, orphaned_recoveries, recovery_dir

    folder = recovery_dir()
    names = []
    for k in range(3):
        p = win.session.project.model_copy(deep=True)
        p.name = f"crashed {k}"
        w = RecoveryWriter(folder)
        w.path = folder / f"2026010{k}-000000-1-abc.json"
        path = w.write(p, None)
        owner = json.loads(lock_path(path).read_text())
        owner["start"] = (owner["start"] or 0) - 1 - k  # its process is gone, its id reused by us
        lock_path(path).write_text(json.dumps(owner))
        names.append(path)
    offered = []

    def pick(_window, found):
        offered.append([rf.summary["name"] for rf in found])
        return ("discard", found[-1]) if len(offered) == 1 else ("recover", found[0])

    monkeypatch.setattr(app_recovery, "choose", pick)
    assert app_recovery.offer_restore(win, win.files)
    assert len(offered[0]) == 3 and len(offered[1]) == 2  # every copy offered; one discarded
    assert win.session.project.name in offered[1]
    assert len(orphaned_recoveries(folder)) == 1  # the one neither recovered nor discarded stays


def test_screenshot_of_a_file_that_cannot_be_opened_ends_at_once(tmp_path):
    import subprocess
    import sys

    (tmp_path / "empty.json").write_bytes(b"")
    r = subprocess.run([sys.executable, "-m", "designer", str(tmp_path / "empty.json"), "--screenshot",
                        str(tmp_path / "s.png")], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1
    assert "no screenshot written" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "s.png").exists()


def test_screenshot_of_a_project_whose_analysis_fails_says_which_and_fails(tmp_path):
    """The bundle's screenshot run in CI proved only that a PNG was written: the air analysis
    had failed in the bundle (pyamg's package metadata missing) and the picture still came. A
    failed analysis is now named on stderr and ends the run with status 4, picture kept."""
    import subprocess
    import sys

    code = ("import sys\n"
            "from designer.analysis.air import AirAnalysis\n"
            "def boom(*a, **k):\n"
            "    raise RuntimeError('no air today')\n"
            "AirAnalysis.run = boom\n"
            "from designer.cli import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    r = subprocess.run([sys.executable, "-c", code, "--screenshot", str(tmp_path / "s.png")],
                       capture_output=True, text=True, timeout=180)
    assert r.returncode == 4, r.stderr
    assert "The air analysis failed" in r.stderr and "no air today" in r.stderr
    assert "liquid analysis failed" not in r.stderr and "Traceback" not in r.stderr
    assert (tmp_path / "s.png").stat().st_size > 0
