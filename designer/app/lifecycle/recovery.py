"""Autosave to a recovery copy, the restore offer after a crash, and the crash dialog."""

from __future__ import annotations

import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QMessageBox,
    QVBoxLayout,
)

from designer.io.errors import LoadError
from designer.io.recovery import RecoveryWriter, load_recovery, orphaned_recoveries

AUTOSAVE_INTERVAL_MS = 60_000
"""At most this long between recovery copies while there are unsaved changes."""
IDLE_MS = 4_000
"""A copy is also written this long after the last edit (the app went idle)."""
PRESSED_RETRY_MS = 500
"""A timed copy that falls due while a mouse button is held (a drag on the plan) waits for the
release, asking again this often: writing it stalls the window for the time the project takes
to serialise (about 0.1 s with 200 racks), which a drag shows as a jump, and a drag does not
change the document until it ends."""


class RecoveryController(QObject):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.writer = RecoveryWriter()
        self.written_revision = -1
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(IDLE_MS)
        self.idle.timeout.connect(self._due)
        self.regular = QTimer(self)
        self.regular.setInterval(AUTOSAVE_INTERVAL_MS)
        self.regular.timeout.connect(self._due)
        self.retry = QTimer(self)
        self.retry.setSingleShot(True)
        self.retry.setInterval(PRESSED_RETRY_MS)
        self.retry.timeout.connect(self._due)
        self.regular.start()
        session.changed.connect(lambda _c: self.idle.start())
        session.undo_stack.cleanChanged.connect(self._clean_changed)
        session.document_replaced.connect(self._clean_changed)

    def _due(self) -> None:
        """A timer says a copy is due: write it, unless a mouse button is held (see
        :data:`PRESSED_RETRY_MS`)."""
        if QGuiApplication.mouseButtons() != Qt.MouseButton.NoButton:
            self.retry.start()
            return
        self.autosave()

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
        self.retry.stop()
        self.writer.discard()


def choose(window, found: list) -> tuple[str, object]:
    """Ask which recovery copy to recover or discard: ("recover" | "discard" | "later", copy)."""
    dlg = QDialog(window)
    dlg.setWindowTitle("Recover unsaved work")
    lay = QVBoxLayout(dlg)
    n = len(found)
    lay.addWidget(QLabel("Data Hall Designer did not close properly. "
                         + ("This copy of unsaved work was kept:" if n == 1 else
                            f"These {n} copies of unsaved work were kept (newest first):")))
    lst = QListWidget(dlg)
    for rf in found:
        lst.addItem(rf.describe())
    lst.setCurrentRow(0)
    lay.addWidget(lst)
    lay.addWidget(QLabel("A copy you do not recover or discard now is offered again at the next start."))
    buttons = QDialogButtonBox(dlg)
    picked = {"what": "later"}
    for text, what, role in (("Recover", "recover", QDialogButtonBox.AcceptRole),
                             ("Discard", "discard", QDialogButtonBox.DestructiveRole),
                             ("Later", "later", QDialogButtonBox.RejectRole)):
        b = buttons.addButton(text, role)
        b.clicked.connect(lambda _c=False, w=what: (picked.update(what=w), dlg.done(0)))
    lay.addWidget(buttons)
    dlg.exec()
    row = lst.currentRow()
    return picked["what"], found[row] if 0 <= row < n else None


def offer_restore(window, files) -> bool:
    """Offer every recovery copy whose owner is gone. Returns True if one was restored
    (one project per window: the others stay and are offered at the next start)."""
    found = orphaned_recoveries()
    while found:
        what, rf = choose(window, found)
        if rf is None or what == "later":
            return False
        if what == "discard":
            rf.discard()
            found.remove(rf)
            continue
        try:
            project = load_recovery(rf.path)
        except (LoadError, OSError) as e:
            QMessageBox.warning(window, "Cannot recover", f"The recovery copy could not be read: {e}")
            found.remove(rf)
            continue
        restore_project(window.session, project, Path(rf.original_path) if rf.original_path else None)
        rf.discard()
        return True
    return False


def restore_project(session, project, original: Path | None) -> None:
    """Open a recovered project as unsaved changes to its original file."""
    session.replace_project(project, original)
    session.undo_stack.resetClean()  # nothing on disk holds this yet
    session.path_changed.emit(original)


def _alive(widget) -> bool:
    from shiboken6 import isValid

    return widget is not None and isValid(widget)


def install_excepthook(window, modal: bool = True) -> None:
    """Unexpected errors show a dialog with details, write a recovery copy and keep the app
    running (Qt slots would otherwise print and carry on silently, or abort). Not ``modal``
    (screenshot mode): the error is only printed, so nothing waits for a click."""
    state = {"busy": False}

    def hook(exc_type, exc, tb) -> None:
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        sys.stderr.write(text)
        if state["busy"] or not modal or not _alive(window):
            return  # screenshot mode waits for no click; a window already gone can show nothing
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
