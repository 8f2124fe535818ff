"""File handling of the window: new, open, save, save as, recent files, unsaved-changes prompt."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QStandardPaths
from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.app.state.session import new_project
from designer.app.state.settings import app_settings
from designer.app.window.dialogs import show_error
from designer.io.errors import LoadError
from designer.io.files import check_editable, load, save

FILTER = "Data Hall Designer projects (*.dhd.json *.json);;All files (*)"
MAX_RECENT = 10


__all__ = ["FileController", "app_settings", "start_folder"]


def start_folder(doc_path: Path | None = None) -> Path:
    """Where a file dialog opens: the open project's folder, else the user's documents folder
    (never the folder the process happened to start in)."""
    if doc_path is not None:
        return doc_path.parent
    loc = QStandardPaths.writableLocation(QStandardPaths.DocumentsLocation)
    folder = Path(loc) if loc else Path.home()
    return folder if folder.is_dir() else Path.home()


class FileController:
    def __init__(self, window, session) -> None:
        self.window = window
        self.session = session

    # -- recent files -------------------------------------------------------------------------
    def recent(self) -> list[str]:
        v = app_settings().value("recent_files", [])
        if isinstance(v, str):
            v = [v]
        return [p for p in (v or []) if p]

    def remember(self, path: Path) -> None:
        items = [str(path)] + [p for p in self.recent() if p != str(path)]
        app_settings().setValue("recent_files", items[:MAX_RECENT])
        self.window.refresh_recent_menu()

    # -- prompts ------------------------------------------------------------------------------
    def maybe_save(self) -> bool:
        """True when it is fine to drop the current project (saved, discarded or clean)."""
        if not self.session.modified:
            return True
        name = self.session.doc.path.name if self.session.doc.path else "the untitled project"
        r = QMessageBox.question(self.window, "Unsaved changes", f"Save the changes to {name}?",
                                 QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, QMessageBox.Save)
        if r == QMessageBox.Save:
            return self.save()
        return r == QMessageBox.Discard

    # -- commands -----------------------------------------------------------------------------
    def new(self) -> None:
        if self.maybe_save():
            self.session.replace_project(new_project(), None)

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        start = str(start_folder(self.session.doc.path))
        path, _ = QFileDialog.getOpenFileName(self.window, "Open project", start, FILTER)
        if path:
            self.open_path(Path(path), ask=False)

    def open_path(self, path: Path, ask: bool = True) -> bool:
        if ask and not self.maybe_save():
            return False
        try:
            project = check_editable(load(path), str(path))
        except LoadError as e:
            show_error(self.window, "Cannot open project",
                       f"{path.name} could not be opened. Nothing was changed.\n\n"
                       + "\n".join(p.as_text() for p in e.problems[:5]), e.summary(200))
            return False
        self.session.replace_project(project, path)
        self.remember(path)
        self.window.view.fit()
        return True

    def save(self) -> bool:
        path = self.session.doc.path
        if path is None:
            return self.save_as()
        return self._write(path)

    def save_as(self) -> bool:
        doc_path = self.session.doc.path
        stem = re.sub(r"[^\w\-]+", "_", self.session.project.name).strip("_") or "project"
        start = str(doc_path or start_folder() / f"{stem}.dhd.json")
        path, _ = QFileDialog.getSaveFileName(self.window, "Save project as", start, FILTER)
        if not path:
            return False
        p = Path(path)
        if not p.name.endswith(".json"):
            p = p.with_name(p.name + ".dhd.json")
        return self._write(p)

    def _write(self, path: Path) -> bool:
        try:
            save(self.session.project, path)
        except OSError as e:
            show_error(self.window, "Cannot save", f"Saving to {path} failed: {e.strerror or e}.\n"
                                                   "The previous file, if any, is unchanged.")
            return False
        self.session.doc.path = path
        self.session.undo_stack.setClean()
        self.session.path_changed.emit(path)
        self.remember(path)
        self.window.statusBar().showMessage(f"Saved {path}", 4000)
        return True
