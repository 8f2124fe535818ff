"""Results tables of the power chain: nodes (loads, currents, utilisation, voltage, drop)
and failure scenarios (racks lost, on battery, overloads), both sortable.

Rows are plain tuples; the model formats a cell only when Qt paints it, and sorting is a
Python sort (fast on the 2,000 taps and 2,200 scenarios of a 1,000-rack hall).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from designer.app.views.power import style as ps

KEY_ROLE = Qt.UserRole


@dataclass(frozen=True)
class Column:
    title: str
    kind: str = "num"
    """"text", "num" or "util" (a fraction shown as %, coloured like the load bars)."""
    decimals: int = 1
    tip: str = ""


NODE_COLUMNS = (
    Column("Item", "text"), Column("Kind", "text"), Column("Side", "text"),
    Column("kW", decimals=1), Column("kVA", decimals=1), Column("A", decimals=0, tip="highest phase current"),
    Column("Util.", "util", tip="highest utilisation over its ratings (1.0 = limit, 80 % rule for breakers)"),
    Column("V", decimals=1), Column("Drop %", decimals=2, tip="below its voltage origin"),
    Column("Feeder drop %", decimals=2), Column("Imbal. %", decimals=1), Column("Loss kW", decimals=2),
)
SCENARIO_COLUMNS = (
    Column("Failure", "text"), Column("Racks lost", decimals=0),
    Column("On battery", decimals=0, tip="racks that run on a UPS battery first (then lost)"),
    Column("Battery min", decimals=1), Column("Overloads", decimals=0),
    Column("Worst overload", "util"), Column("Outcome", "text"),
)


def _key(v):
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return (1, 0.0, "")
    if isinstance(v, str):
        return (0, 0.0, v.lower())
    return (0, float(v), "")


class TableModel(QAbstractTableModel):
    def __init__(self, columns: tuple[Column, ...], parent=None) -> None:
        super().__init__(parent)
        self.columns = columns
        self.rows: list[tuple[str, tuple, str]] = []
        """(key, values, tooltip)."""
        self.bad: set[str] = set()
        """Keys of rows drawn in red text (a failing scenario)."""
        self._sort: tuple[int, Qt.SortOrder] | None = None
        self.natural: list[tuple[str, tuple, str]] = []
        """The rows in the order given (diagram order), shown until a column is sorted."""

    def set_rows(self, rows: list[tuple[str, tuple, str]], bad: set[str] | None = None) -> None:
        self.beginResetModel()
        self.natural = list(rows)
        self.rows = rows
        self.bad = bad or set()
        if self._sort is not None:
            self._sort_rows(*self._sort)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal:
            return None
        c = self.columns[section]
        if role == Qt.DisplayRole:
            return c.title
        if role == Qt.ToolTipRole and c.tip:
            return c.tip
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        key, values, tip = self.rows[index.row()]
        col = self.columns[index.column()]
        v = values[index.column()]
        if role == Qt.DisplayRole:
            if v is None:
                return "–"
            if col.kind == "text":
                return str(v)
            if col.kind == "util":
                return ps.pct(v)
            return f"{v:,.{col.decimals}f}"
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignLeft | Qt.AlignVCenter) if col.kind == "text" else int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.BackgroundRole and col.kind == "util" and v is not None:
            c = QColor(ps.util_color(v))
            c.setAlpha(70 if v < ps.NEAR_AT else 120)
            return c
        if role == Qt.ForegroundRole and key in self.bad and index.column() == 0:
            return ps.OVER
        if role == Qt.ToolTipRole:
            return tip or None
        if role == KEY_ROLE:
            return key
        return None

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        self.layoutAboutToBeChanged.emit()
        self._sort = (column, order)
        self._sort_rows(column, order)
        self.layoutChanged.emit()

    def _sort_rows(self, column: int, order) -> None:
        if column < 0:
            self.rows = list(self.natural)
            return
        self.rows.sort(key=lambda r: _key(r[1][column]), reverse=order == Qt.DescendingOrder)

    def row_of(self, key: str) -> int:
        return next((i for i, r in enumerate(self.rows) if r[0] == key), -1)


class Table(QTableView):
    """A sortable results table; emits the key of the row clicked."""

    picked = Signal(str)

    def __init__(self, columns: tuple[Column, ...], parent=None) -> None:
        super().__init__(parent)
        self.model_ = TableModel(columns, self)
        self.setModel(self.model_)
        self.horizontalHeader().setSortIndicator(-1, Qt.AscendingOrder)
        self.setSortingEnabled(True)
        self.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.setSelectionMode(QAbstractItemView.SingleSelection)
        self.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(22)
        h = self.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.Interactive)
        h.setStretchLastSection(False)
        self.clicked.connect(self._clicked)
        self._sized = False

    def set_rows(self, rows, bad=None) -> None:
        self.model_.set_rows(rows, bad)
        if not self._sized and rows:
            self.resizeColumnsToContents()
            self.setColumnWidth(0, min(max(self.columnWidth(0), 120), 300))
            self._sized = True

    def _clicked(self, index) -> None:
        key = self.model_.data(index, KEY_ROLE)
        if key:
            self.picked.emit(key)

    def select_key(self, key: str | None) -> None:
        r = self.model_.row_of(key) if key else -1
        sm = self.selectionModel()
        if r < 0:
            sm.clearSelection()
            return
        idx = self.model_.index(r, 0)
        self.blockSignals(True)
        self.selectRow(r)
        self.blockSignals(False)
        self.scrollTo(idx)


def node_rows(sp, order: list[str], taps_of: dict[str, list[str]] | None) -> list[tuple[str, tuple, str]]:
    """Rows of the equipment in ``order`` (the diagram's, top down), each busway followed by
    its taps when ``taps_of`` (busway id -> tap ids) is given."""
    rows = []
    keys: list[str] = []
    for k in order:
        keys.append(k)
        if taps_of is not None:
            keys += taps_of.get(k, [])
    for k in keys:
        if k not in sp.nodes:
            continue
        n = sp.nodes[k]
        if not n.energised:
            vals = (n.name, n.kind, n.side, None, None, None, None, None, None, None, None, None)
        else:
            vals = (n.name, n.kind, n.side, n.p_kw, n.s_kva, n.current_a if n.kind != "source" else None,
                    n.utilisation, n.voltage_v, n.drop_pct, n.feeder_drop_pct, n.imbalance * 100, n.loss_kw)
        rows.append((k, vals, ""))
    return rows


def scenario_rows(sp) -> tuple[list[tuple[str, tuple, str]], set[str]]:
    from designer.solvers.power.solve import describe

    rows, bad = [], set()
    for sc in sp.scenarios:
        worst = max((u for _o, _w, u in sc.overloaded), default=None)
        outcome = "survives" if sc.ok else ("loses racks" if sc.racks_lost else "overload")
        vals = (sc.label, len(sc.racks_lost), len(sc.racks_on_battery),
                sc.battery_min if sc.racks_on_battery else None, len(sc.overloaded), worst, outcome)
        rows.append((sc.id, vals, describe(sc, sp)))
        if not sc.ok:
            bad.add(sc.id)
    return rows, bad
