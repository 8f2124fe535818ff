"""Results tables of the liquid loops (racks, CDUs, pipes of the site shown), sortable.

Rows hold SI values; the model formats them in the display units when Qt asks for a
cell, so a units switch is a repaint, and sorting is a Python sort of plain tuples
(fast on 1,000 racks and 4,000 pipes).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from PySide6.QtCore import QAbstractTableModel, QItemSelection, QItemSelectionModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTabWidget, QVBoxLayout, QWidget

from designer.app.views.liquid import style as ls

ID_ROLE = Qt.UserRole
SORT_ROLE = Qt.UserRole + 1


@dataclass(frozen=True)
class Column:
    title: str
    quantity: str | None = None
    """Display quantity (designer.model.units) of a number; None: text or a plain number."""
    decimals: int | None = None
    kind: str = "num"
    """"num", "text", or "ratio" (a fraction shown as % and coloured like the badges)."""


RACK_COLUMNS = (
    Column("Rack", kind="text"), Column("CDU", kind="text"), Column("Flow", "liquid_flow"),
    Column("Required", "liquid_flow"), Column("% of req.", kind="ratio"), Column("Supply", "temperature"),
    Column("Return", "temperature"), Column("Rise", "temp_diff"), Column("Δp", "pressure"),
    Column("Valve K", decimals=2), Column("1 pump down", "liquid_flow"), Column("% 1 down", kind="ratio"),
)
CDU_COLUMNS = (
    Column("CDU", kind="text"), Column("Flow", "liquid_flow"), Column("Head", "pressure"), Column("HX Δp", "pressure"),
    Column("Load", "power"), Column("Capacity", "power"), Column("Margin", "power"), Column("Load %", decimals=0),
    Column("Supply", "temperature"), Column("Return", "temperature"), Column("Facility", "temperature"),
    Column("Class", kind="text"), Column("Pumps", kind="text"),
)
PIPE_COLUMNS = (
    Column("Pipe", kind="text"), Column("Role", kind="text"), Column("Flow", "liquid_flow"),
    Column("Velocity", "velocity"), Column("Δp", "pressure", 2), Column("Length", "length", 2),
    Column("Bore", "small_length", 0), Column("Re", decimals=0), Column("Regime", kind="text"),
    Column("Temp.", "temperature"),
)


@lru_cache(maxsize=50_000)
def _natural(text: str) -> tuple:
    """R2 before R10: digit runs compare as numbers."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text.lower()) if p)


def _key(v):
    """Sort key: numbers by value, text naturally and case-blind, missing values last either way."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return (1, 0.0, ())
    if isinstance(v, str):
        return (0, 0.0, _natural(v))
    return (0, float(v), ())


class ResultsModel(QAbstractTableModel):
    def __init__(self, columns: tuple[Column, ...], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.units = "SI"
        self.rows: list[tuple[str, tuple, str]] = []
        """(item id, values, tooltip)."""
        self.row_of: dict[str, int] = {}
        self.highlight: Callable[[int, object], QColor | None] | None = None
        """(column, value) -> a background colour for a cell, or None."""
        self._sort: tuple[int, Qt.SortOrder] | None = None

    def set_rows(self, rows: list[tuple[str, tuple, str]], units: str) -> None:
        self.beginResetModel()
        self.rows = rows
        self.units = units
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self._index()
        self.endResetModel()

    def _index(self) -> None:
        self.row_of = {r[0]: i for i, r in enumerate(self.rows)}

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal or role != Qt.DisplayRole:
            return None
        c = self.columns[section]
        if c.quantity:
            return f"{c.title} ({ls.symbol(c.quantity, self.units)})"
        return c.title

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        rid, values, tip = self.rows[index.row()]
        col = index.column()
        c = self.columns[col]
        v = values[col]
        if role == Qt.DisplayRole:
            return self.text(c, v)
        if role == ID_ROLE:
            return rid
        if role == SORT_ROLE:
            return v
        if role == Qt.TextAlignmentRole:
            return int((Qt.AlignLeft if c.kind == "text" else Qt.AlignRight) | Qt.AlignVCenter)
        if role == Qt.ToolTipRole:
            return tip or rid
        if role == Qt.BackgroundRole:
            if c.kind == "ratio" and v is not None:
                col_ = QColor(ls.ratio_color(v))
                col_.setAlpha(70)
                return col_
            if self.highlight is not None:
                return self.highlight(col, v)
        return None

    def text(self, c: Column, v) -> str:
        if v is None:
            return "–"
        if c.kind == "text":
            return str(v)
        if c.kind == "ratio":
            return ls.ratio_text(v).replace(" %", "")
        if c.quantity:
            return ls.num(v, c.quantity, self.units, c.decimals)
        if isinstance(v, float) and not math.isfinite(v):
            return "–"
        return f"{v:,.{c.decimals if c.decimals is not None else 2}f}"

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        # selections and the current cell follow their rows (persistent indexes by item id)
        old = self.persistentIndexList()
        where = [(self.rows[i.row()][0], i.column()) for i in old]
        self._sort_rows(column, order)
        self._index()
        self.changePersistentIndexList(old, [self.index(self.row_of[rid], col) for rid, col in where])
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order) -> None:
        present = [r for r in self.rows if _key(r[1][column])[0] == 0]
        missing = [r for r in self.rows if _key(r[1][column])[0] == 1]
        present.sort(key=lambda r: _key(r[1][column]), reverse=order == Qt.DescendingOrder)
        self.rows = present + missing


class LiquidTables(QWidget):
    """Three tabs of results; ``ids_selected(list)`` when the user selects rows."""

    ids_selected = Signal(list)
    KINDS = ("racks", "cdus", "pipes")
    TITLES = {"racks": "Racks", "cdus": "CDUs", "pipes": "Pipes"}

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.models: dict[str, ResultsModel] = {}
        self.views: dict[str, QTableView] = {}
        self._syncing = False
        for kind, cols in zip(self.KINDS, (RACK_COLUMNS, CDU_COLUMNS, PIPE_COLUMNS), strict=True):
            m = ResultsModel(cols, self)
            v = QTableView()
            v.setModel(m)
            v.setSortingEnabled(True)
            v.sortByColumn(0, Qt.AscendingOrder)
            v.horizontalHeader().setSortIndicatorShown(True)
            v.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
            v.horizontalHeader().setStretchLastSection(True)
            v.horizontalHeader().setMinimumSectionSize(40)
            v.setSelectionBehavior(QAbstractItemView.SelectRows)
            v.setSelectionMode(QAbstractItemView.ExtendedSelection)
            v.setAlternatingRowColors(True)
            v.setWordWrap(False)
            v.verticalHeader().setVisible(False)
            v.verticalHeader().setDefaultSectionSize(20)
            v.verticalHeader().setSectionResizeMode(QHeaderView.Fixed)
            v.selectionModel().selectionChanged.connect(lambda _s, _d, k=kind: self._user_selected(k))
            self.models[kind], self.views[kind] = m, v
            self.tabs.addTab(v, self.TITLES[kind])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.tabs)

    def set_rows(self, kind: str, rows: list, units: str) -> None:
        v = self.views[kind]
        keep = self.selected_ids(kind)
        fresh = not self.models[kind].rows
        self._syncing = True
        try:
            self.models[kind].set_rows(rows, units)
            self._select_rows(kind, keep, scroll=False)
        finally:
            self._syncing = False
        self.tabs.setTabText(self.KINDS.index(kind), f"{self.TITLES[kind]} ({len(rows)})")
        if fresh and rows:
            v.resizeColumnsToContents()

    def selected_ids(self, kind: str) -> list[str]:
        m = self.models[kind]
        rows = sorted({i.row() for i in self.views[kind].selectionModel().selectedRows()})
        return [m.rows[r][0] for r in rows if r < len(m.rows)]

    def _user_selected(self, kind: str) -> None:
        if self._syncing:
            return
        ids = self.selected_ids(kind)
        if ids:
            self.ids_selected.emit(ids)

    def select_ids(self, ids: list[str]) -> str | None:
        """Select the rows of ``ids`` (from the plan) without echoing it back; shows the tab
        of the first id that has a row and returns its kind."""
        found = None
        for i in ids:
            found = next((k for k in self.KINDS if i in self.models[k].row_of), None)
            if found:
                break
        self._syncing = True
        try:
            for k in self.KINDS:
                self._select_rows(k, ids if k == found else [], scroll=k == found)
            if found:
                self.tabs.setCurrentIndex(self.KINDS.index(found))
        finally:
            self._syncing = False
        return found

    def _select_rows(self, kind: str, ids: list[str], scroll: bool) -> None:
        m, v = self.models[kind], self.views[kind]
        sel = QItemSelection()
        first = None
        for i in ids:
            r = m.row_of.get(i)
            if r is None:
                continue
            sel.select(m.index(r, 0), m.index(r, m.columnCount() - 1))
            first = r if first is None else first
        v.selectionModel().select(sel, QItemSelectionModel.ClearAndSelect)
        if first is not None and scroll:
            v.scrollTo(m.index(first, 0), QAbstractItemView.EnsureVisible)
