"""Autosave to a recovery copy, the restore offer after a crash, and the crash dialog."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QMessageBox

from designer.io.errors import LoadError
from designer.io.recovery import RecoveryWriter, load_recovery, orphaned_recoveries

AUTOSAVE_INTERVAL_MS = 60_000
"""At most this long between recovery copies while there are unsaved changes."""
IDLE_MS = 4_000
"""A copy is also written this long after the last edit (the app went idle)."""


class RecoveryController(QObject):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.writer = RecoveryWriter()
        self.written_revision = -1
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(IDLE_MS)
        self.idle.timeout.connect(self.autosave)
        self.regular = QTimer(self)
        self.regular.setInterval(AUTOSAVE_INTERVAL_MS)
        self.regular.timeout.connect(self.autosave)
        self.regular.start()
        session.changed.connect(lambda _c: self.idle.start())
        session.undo_stack.cleanChanged.connect(self._clean_changed)
        session.document_replaced.connect(self._clean_changed)

    def autosave(self) -> Path | None:
        """Write the recovery copy if there are unsaved changes not yet in it."""
        s = self.session
        if not s.modified:
            self.writer.discard()
            return None
        if s.doc.revision == self.written_revision:
            return self.writer.path
        try:
            path = self.writer.write(s.project, s.doc.path)
        except OSError as e:
            s.message.emit(f"Could not write the recovery copy: {e}")
            return None
        self.written_revision = s.doc.revision
        return path

    def _clean_changed(self, *_args) -> None:
        if not self.session.modified:
            self.writer.discard()
            self.written_revision = -1

    def discard(self) -> None:
        self.idle.stop()
        self.regular.stop()
        self.writer.discard()


def offer_restore(window, files) -> bool:
    """Ask about recovery copies left by a crash. Returns True if one was restored."""
    found = orphaned_recoveries()
    if not found:
        return False
    rf = found[0]
    box = QMessageBox(window)
    box.setIcon(QMessageBox.Question)
    box.setWindowTitle("Recover unsaved work")
    box.setText("Data Hall Designer did not close properly last time. Recover the unsaved work?")
    box.setInformativeText(rf.describe())
    more = "\n".join(r.describe() for r in found[1:])
    if more:
        box.setDetailedText("Older recovery copies (kept until you discard them):\n" + more)
    restore = box.addButton("Recover", QMessageBox.AcceptRole)
    discard = box.addButton("Discard", QMessageBox.DestructiveRole)
    box.addButton("Later", QMessageBox.RejectRole)
    box.exec()
    if box.clickedButton() is discard:
        rf.path.unlink(missing_ok=True)
        return False
    if box.clickedButton() is not restore:
        return False
    try:
        project = load_recovery(rf.path)
    except (LoadError, OSError) as e:
        QMessageBox.warning(window, "Cannot recover", f"The recovery copy could not be read: {e}")
        return False
    restore_project(window.session, project, Path(rf.original_path) if rf.original_path else None)
    rf.path.unlink(missing_ok=True)
    return True


def restore_project(session, project, original: Path | None) -> None:
    """Open a recovered project as unsaved changes to its original file."""
    session.replace_project(project, original)
    session.undo_stack.resetClean()  # nothing on disk holds this yet
    session.path_changed.emit(original)


def _alive(widget) -> bool:
    from shiboken6 import isValid

    return widget is not None and isValid(widget)


def install_excepthook(window) -> None:
    """Unexpected errors show a dialog with details, write a recovery copy and keep the app
    running (Qt slots would otherwise print and carry on silently, or abort)."""
    state = {"busy": False}

    def hook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(text)
        if state["busy"] or not _alive(window):
            return  # a window already gone (an error while quitting) can show nothing
        state["busy"] = True
        try:
            saved = None
            rec = getattr(window, "recovery", None)
            if rec is not None:
                try:
                    saved = rec.autosave()
                except Exception:  # noqa: BLE001 - reporting must not fail
                    saved = None
            box = QMessageBox(QMessageBox.Critical, "Unexpected error",
                              f"Something went wrong: {exc_type.__name__}: {exc}\n\n"
                              "The app keeps running and your work is kept"
                              + (f" (a recovery copy was written to {saved})." if saved else "."),
                              QMessageBox.Ok, window)
            box.setDetailedText(text)
            box.exec()
        finally:
            state["busy"] = False

    sys.excepthook = hook
