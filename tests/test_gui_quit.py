"""Quitting: every path ends the process with exit code 0 and nothing on stderr.

Each case starts the app in a fresh process the way ``designer FILE`` does, makes an edit,
closes the window and answers the dialogs that come up by clicking their buttons (found by
their text, so the test does not depend on how a dialog is built). Only a subprocess shows
what happens at interpreter exit, where the reported tracebacks came from.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("PySide6.QtWidgets")

pytestmark = pytest.mark.gui

DRIVER = textwrap.dedent("""
    import json, os, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton, QApplication

    answers = json.loads(os.environ["ANSWERS"])   # button texts to click, in order
    script = os.environ["SCRIPT"]                 # what to do once the window is up
    log = []

    def window():
        for w in QApplication.topLevelWidgets():
            if type(w).__name__ == "MainWindow" and w.isVisible():
                return w
        return None

    def click_dialogs():
        dlg = QApplication.activeModalWidget()
        if dlg is None or not answers:
            return
        for b in dlg.findChildren(QAbstractButton):
            if b.text().replace("&", "") == answers[0] and b.isVisible():
                log.append(answers.pop(0))
                b.click()
                return

    def act():
        w = window()
        if w is None or QApplication.activeModalWidget() is not None \
                or (script == "recovered" and not w.session.modified):
            QTimer.singleShot(100, act)   # not up yet, or still asking about recovery
            return
        s = w.session
        if script in ("edit", "edit-cancel"):
            s.selection.set([s.site.hall.racks[0].id])
            w.registry["rotate_cw"].trigger()
        w.close()
        if script == "edit-cancel":
            print(json.dumps({"after_cancel_visible": w.isVisible()}), flush=True)
            w.close()   # the second time: Discard

    from designer.app.main import make_app
    app = make_app()   # the app's own start-up finds and uses it
    poll = QTimer()
    poll.timeout.connect(click_dialogs)
    poll.start(50)
    QTimer.singleShot(200, act)
    QTimer.singleShot(60000, lambda: (print("TIMEOUT", flush=True), os._exit(9)))
    from designer.cli import main
    rc = main(["gui", sys.argv[1]])
    print(json.dumps({"clicked": log}), flush=True)
    sys.exit(rc)
""")


def run_app(tmp_path, file, script: str, answers: list[str]):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ANSWERS=json.dumps(answers), SCRIPT=script,
               DESIGNER_USER_DIR=str(tmp_path / "user"))
    drv = tmp_path / "driver.py"
    drv.write_text(DRIVER)
    return subprocess.run([sys.executable, str(drv), str(file)], env=env, capture_output=True, text=True,
                          timeout=120)


def _stderr(p) -> str:
    # Qt's note that the offscreen platform cannot size windows is not ours
    return "\n".join(line for line in p.stderr.splitlines() if "This plugin does not support" not in line)


@pytest.fixture
def project_file(tmp_path, sample):
    from designer.io.files import save

    path = tmp_path / "hall.dhd.json"
    save(sample, path)
    return path


def _stdout_is_ours(p) -> bool:
    """Nothing but the driver's lines on stdout (no solver chatter)."""
    return all(line.startswith("{") for line in p.stdout.splitlines())


def _clicked(p) -> list[str]:
    lines = [json.loads(x) for x in p.stdout.splitlines() if x.startswith("{")]
    return next((x["clicked"] for x in lines if "clicked" in x), [])


@pytest.mark.parametrize("answer", ["Discard", "Save"])
def test_quit_after_an_edit_exits_cleanly(tmp_path, project_file, answer):
    before = project_file.read_text()
    p = run_app(tmp_path, project_file, "edit", [answer])
    assert p.returncode == 0, p.stdout + p.stderr
    assert _stderr(p) == ""
    assert _clicked(p) == [answer]
    assert _stdout_is_ours(p), p.stdout
    assert (project_file.read_text() != before) == (answer == "Save")
    assert not list((tmp_path / "user" / "recovery").glob("*.json"))  # nothing left to recover


def test_cancel_keeps_the_window_then_discard_quits(tmp_path, project_file):
    p = run_app(tmp_path, project_file, "edit-cancel", ["Cancel", "Discard"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert _stderr(p) == ""
    assert '"after_cancel_visible": true' in p.stdout
    assert _clicked(p) == ["Cancel", "Discard"]


def test_quit_after_recovering_a_crashed_session(tmp_path, project_file, sample, monkeypatch):
    from designer.io.recovery import RecoveryWriter

    monkeypatch.setenv("DESIGNER_USER_DIR", str(tmp_path / "user"))
    w = RecoveryWriter()
    w.write(sample, project_file)
    data = json.loads(w.path.read_text())
    data["pid"] = 2 ** 22 + 17  # a process that is not running: the copy was left by a crash
    w.path.write_text(json.dumps(data))
    from designer.io.recovery import lock_path

    lock = json.loads(lock_path(w.path).read_text())  # the owner is named by the lock file
    lock["pid"] = 2 ** 22 + 17
    lock_path(w.path).write_text(json.dumps(lock))
    p = run_app(tmp_path, project_file, "recovered", ["Recover", "Discard"])
    assert p.returncode == 0, p.stdout + p.stderr
    assert _stderr(p) == ""
    assert _clicked(p) == ["Recover", "Discard"]
