"""The tabbed tables of the placement pane: workloads, data sources, links and sites.

Add and Delete act on the tab shown; each is one undoable edit (an ``AddItem``, or the
cascading delete of :func:`designer.document.ops.delete_items`, which also clears the
references to what goes). Reference and choice cells edit with a drop-down.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyledItemDelegate,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.app.views.placement.models import (
    ID_ROLE,
    LinksModel,
    SitesModel,
    SortProxy,
    SourcesModel,
    WorkloadsModel,
)
from designer.document.edits import AddItem
from designer.document.ops import delete_items
from designer.model.base import Located
from designer.model.project import DataSource, Link, Workload
from designer.model.registry import new_id


class ChoiceDelegate(QStyledItemDelegate):
    """A drop-down for reference and choice columns; the default line edit elsewhere."""

    def __init__(self, model, parent=None) -> None:
        super().__init__(parent)
        self.model = model

    def _col(self, index):
        return self.model.columns[index.column()]

    def createEditor(self, parent, option, index):  # noqa: N802
        col = self._col(index)
        if col.kind not in ("ref", "choice"):
            return super().createEditor(parent, option, index)
        combo = QComboBox(parent)
        if col.kind == "ref":
            for item_id, label in self.model.ref_choices(col):
                combo.addItem(label, item_id)
        else:
            for c in col.choices:
                combo.addItem(c, c)
        combo.activated.connect(lambda _i, c=combo: (self.commitData.emit(c), self.closeEditor.emit(c)))
        return combo

    def setEditorData(self, editor, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            current = index.data(Qt.EditRole) or None
            i = editor.findData(current)
            editor.setCurrentIndex(max(i, 0))
            return
        super().setEditorData(editor, index)

    def setModelData(self, editor, model, index):  # noqa: N802
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData() or "", Qt.EditRole)
            return
        super().setModelData(editor, model, index)


class ItemTable(QTableView):
    """A table over one :class:`ItemTableModel` through a sorting proxy; keeps its
    selection by id across model resets (rows added or removed elsewhere)."""

    def __init__(self, model, parent=None) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = SortProxy(model, self)
        self.setModel(self.proxy)
        self.setItemDelegate(ChoiceDelegate(model, self))
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setSortingEnabled(True)
        self.sortByColumn(-1, Qt.AscendingOrder)  # file order until a header is clicked
        self.setEditTriggers(QAbstractItemView.DoubleClicked | QAbstractItemView.EditKeyPressed
                             | QAbstractItemView.AnyKeyPressed | QAbstractItemView.SelectedClicked)
        self.setWordWrap(False)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        hdr = self.horizontalHeader()
        hdr.setSectionResizeMode(QHeaderView.Interactive)
        hdr.setStretchLastSection(True)
        hdr.setHighlightSections(False)
        self._keep: list[str] = []
        model.modelAboutToBeReset.connect(self._remember)
        model.modelReset.connect(self._restore)

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(ID_ROLE) for r in rows]

    def current_id(self) -> str | None:
        idx = self.currentIndex()
        return idx.data(ID_ROLE) if idx.isValid() else None

    def select_ids(self, ids, scroll: bool = True) -> None:
        sm = self.selectionModel()
        sm.clearSelection()
        first = None
        for i in ids:
            r = self.source.row_of(i)
            if r is None:
                continue
            idx = self.proxy.mapFromSource(self.source.index(r, 0))
            sm.select(idx, QItemSelectionModel.Select | QItemSelectionModel.Rows)
            if first is None:
                first = idx
        if first is not None:
            sm.setCurrentIndex(first, QItemSelectionModel.NoUpdate)
            if scroll:
                self.scrollTo(first)

    def _remember(self) -> None:
        self._keep = self.selected_ids()

    def _restore(self) -> None:
        if self._keep:
            self.blockSignals(True)
            self.select_ids(self._keep, scroll=False)
            self.blockSignals(False)


class PlacementTables(QWidget):
    """Tabs of editable tables with Add / Delete; ``workload_picked`` when the user moves
    to a workload row."""

    workload_picked = Signal(str)
    source_picked = Signal(str)
    link_picked = Signal(str)

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.workloads = WorkloadsModel(session, self)
        self.sources = SourcesModel(session, self)
        self.links = LinksModel(session, self)
        self.sites = SitesModel(session, self)
        self.tabs = QTabWidget()
        self.tables: dict[str, ItemTable] = {}
        for key, title, model in (("workload", "Workloads", self.workloads),
                                  ("data_source", "Data sources", self.sources),
                                  ("link", "Links", self.links), ("site", "Sites", self.sites)):
            t = ItemTable(model)
            self.tables[key] = t
            self.tabs.addTab(t, title)
        self.fit_columns()
        self.add_btn = QToolButton(text="Add")
        self.del_btn = QToolButton(text="Delete")
        self.add_btn.clicked.connect(self.add_row)
        self.del_btn.clicked.connect(self.delete_rows)
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #5a6472;")
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.add_btn)
        row.addWidget(self.del_btn)
        row.addSpacing(8)
        row.addWidget(self.hint, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(3)
        lay.addWidget(self.tabs, 1)
        lay.addLayout(row)
        self.tabs.currentChanged.connect(self._tab_changed)
        for key, sig in (("workload", self.workload_picked), ("data_source", self.source_picked),
                         ("link", self.link_picked)):
            t = self.tables[key]
            t.selectionModel().currentRowChanged.connect(
                lambda cur, _prev, t=t, sig=sig: sig.emit(cur.data(ID_ROLE)) if cur.isValid() and
                not t.signalsBlocked() else None)
        self._tab_changed(0)

    def fit_columns(self, most: int = 230) -> None:
        """Columns as wide as their header and content, none wider than ``most`` pixels."""
        for t in self.tables.values():
            t.resizeColumnsToContents()
            for c in range(t.source.columnCount()):
                t.setColumnWidth(c, min(t.columnWidth(c) + 6, most))

    def current_kind(self) -> str:
        return list(self.tables)[self.tabs.currentIndex()]

    def _tab_changed(self, _i: int) -> None:
        kind = self.current_kind()
        site = kind == "site"
        self.add_btn.setEnabled(not site)
        self.del_btn.setEnabled(not site)
        self.hint.setText("Add and remove sites in the Sites panel; edit their location, kind and tether here."
                          if site else "Double-click a cell to edit; every edit can be undone.")

    # -- add / delete ----------------------------------------------------------------------------
    def add_row(self) -> None:
        kind = self.current_kind()
        doc = self.session.doc
        ids = doc.ids()
        if kind == "workload":
            cur = doc.item(self.tables["workload"].current_id() or "")
            srcs = self.session.project.data_sources
            src = cur.data_source_id if cur is not None else (srcs[0].id if srcs else None)
            n = len(self.session.project.workloads) + 1
            item = Workload(id=new_id("wl", ids), name=f"Workload {n}", data_source_id=src)
        elif kind == "data_source":
            site = self.session.site
            loc = site.location if site is not None else Located(lat=0.0, lon=0.0)
            item = DataSource(id=new_id("src", ids), name="New data source",
                              location=Located(lat=loc.lat, lon=loc.lon))
        elif kind == "link":
            places = [s.id for s in self.session.project.sites] + [d.id for d in self.session.project.data_sources]
            if len(places) < 2:
                self.session.message.emit("A link joins two places: add a site or a data source first")
                return
            site = self.session.site
            a = site.id if site is not None else places[0]
            b = site.core_site_id if site is not None and site.core_site_id and site.core_site_id != a else \
                next(p for p in places if p != a)
            item = Link(id=new_id("link", ids), a=a, b=b)
        else:
            return
        if self.session.push(AddItem(kind, item)):
            t = self.tables[kind]
            t.select_ids([item.id])
            self.session.message.emit(f"Added {item.id}; double-click a cell to edit it")

    def delete_rows(self) -> None:
        kind = self.current_kind()
        if kind == "site":
            return
        ids = self.tables[kind].selected_ids()
        if not ids:
            self.session.message.emit("Select the rows to delete first")
            return
        self.session.push(delete_items(self.session.doc, ids),
                          f"Delete {len(ids)} {kind.replace('_', ' ')}{'s' if len(ids) != 1 else ''}")
