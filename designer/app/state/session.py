"""The editing session: the document, its undo stack, the selection and the current site.

Widgets talk to the session; the session talks to the document. Every change to the
project goes through :meth:`Session.push` as one undoable edit.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from designer.app.state.analysis_scheduler import AnalysisScheduler
from designer.app.state.selection import Selection
from designer.app.state.undo import EditCommand
from designer.document.document import Change, Document
from designer.document.edits import Composite, Edit, EditError
from designer.document.grouping import with_contents
from designer.io.catalog_store import load_catalog
from designer.model.catalog import Catalog
from designer.model.project import Project, Site


def new_project() -> Project:
    """An empty project with one site and an empty 20 x 12 m hall."""
    return Project(name="Untitled project", sites=[Site(id="site-1", name="New site")])


class Session(QObject):
    changed = Signal(object)
    """Every applied edit's :class:`Change` (also after undo / redo)."""
    document_replaced = Signal()
    site_changed = Signal(str)
    results_ready = Signal(int, dict)
    message = Signal(str)
    path_changed = Signal(object)
    catalog_changed = Signal()
    """The merged catalog was read again (a template saved or added to the user folder)."""
    units_changed = Signal(str)
    """The display units ("SI" or "US") were switched: a view setting, not an edit."""

    def __init__(self, project: Project | None = None, path: Path | None = None) -> None:
        super().__init__()
        self.doc = Document(project or new_project(), path)
        self.doc.subscribe(self._on_change)
        self.undo_stack = QUndoStack(self)
        self.selection = Selection(self)  # deleted with the session (see MainWindow.closeEvent)
        self.catalog: Catalog
        self.catalog, self.catalog_errors = load_catalog(self.doc.project)
        self.site_id: str | None = self.doc.project.sites[0].id if self.doc.project.sites else None
        self.clipboard: list[dict] = []
        from designer.app.state.settings import app_settings

        u = app_settings().value("view/units", "SI")
        self._units = u if u in ("SI", "US") else "SI"
        self._replacing = False
        self.scheduler = AnalysisScheduler(self.doc, parent=self)
        self.scheduler.focus = lambda: self.site_id  # the site shown is solved first
        self.scheduler.results_ready.connect(self.results_ready)
        self.scheduler.request()

    # -- document ----------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        return self.doc.project

    @property
    def units(self) -> str:
        """The display units, "SI" or "US": the user's view setting (kept between runs), not
        part of the document. The model and the file stay SI."""
        return self._units

    def set_units(self, units: str) -> None:
        if units not in ("SI", "US") or units == self._units:
            return
        self._units = units
        from designer.app.state.settings import app_settings

        app_settings().setValue("view/units", units)
        self.units_changed.emit(units)

    @property
    def site(self) -> Site | None:
        return self.doc.site(self.site_id) if self.site_id else None

    def _on_change(self, change: Change) -> None:
        if self._replacing:
            return  # views rebuild once on document_replaced instead of item by item
        if change.removed:
            self.selection.discard(change.removed)
        if self.site_id is not None and self.doc.site(self.site_id) is None:
            self.set_site(self.project.sites[0].id if self.project.sites else None)
        self.changed.emit(change)
        self.scheduler.request()

    def push(self, edit: Edit, label: str | None = None) -> bool:
        """Apply an edit as one undo step. Returns False (and says why) if it failed.

        An edit that moves or turns a module by its fields (align, an exact rotation, a typed
        position) carries the module's members along, so an assembly never comes apart."""
        if isinstance(edit, Composite) and not edit.edits:
            return False
        edit = with_contents(self.doc, edit)  # a module set somewhere takes its contents along
        try:
            self.undo_stack.push(EditCommand(self.doc, edit, label))
        except EditError as e:
            self.message.emit(f"Not changed: {e}")
            return False
        return True

    def replace_project(self, project: Project, path: Path | None) -> None:
        self.undo_stack.clear()
        self.selection.clear()
        # the last file's results belong to it: no view may draw them on this one
        self.scheduler.last_results = {}
        self.scheduler.last_revision = -1
        self._replacing = True
        try:
            self.doc.replace_project(project, path)
        finally:
            self._replacing = False
        self.catalog, self.catalog_errors = load_catalog(project)
        self.site_id = project.sites[0].id if project.sites else None
        self.undo_stack.setClean()
        self.document_replaced.emit()
        self.site_changed.emit(self.site_id or "")
        self.path_changed.emit(path)
        self.scheduler.request()

    def reload_catalog(self) -> None:
        """Read the catalog layers again (shipped, user folder, project) and tell the views."""
        self.catalog, self.catalog_errors = load_catalog(self.project)
        self.catalog_changed.emit()

    def set_site(self, site_id: str | None) -> None:
        if site_id == self.site_id:
            return
        self.site_id = site_id
        self.selection.clear()
        self.site_changed.emit(site_id or "")

    def site_item_ids(self) -> list[str]:
        """Ids of everything in the current site's hall."""
        from designer.model.registry import iter_items

        site = self.site
        if site is None:
            return []
        si = self.project.sites.index(site)
        return [loc.item.id for loc in iter_items(self.project) if loc.site_index == si]

    @property
    def modified(self) -> bool:
        return not self.undo_stack.isClean()

    def close(self) -> None:
        """The window is going: stop the analysis thread and fall silent. The undo stack
        announces its last state change when it is destroyed, after the widgets listening to
        it are gone; a closed session must not call into them."""
        self.scheduler.shutdown()
        for obj in (self, self.undo_stack, self.selection, self.scheduler):
            obj.blockSignals(True)
