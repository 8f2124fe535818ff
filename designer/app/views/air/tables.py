"""The air results tables: racks (hottest inlet first) and air units, sortable.

Rows hold SI values; cells are formatted in the display units when Qt asks, so a units
switch is a repaint, and sorting is a Python sort of plain tuples (fast on 1,000 racks).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

from designer.app.views.air import style as st
from designer.model.units import unit_of_quantity

ID_ROLE = Qt.UserRole


@dataclass(frozen=True)
class Column:
    title: str
    quantity: str | None = None
    decimals: int | None = None
    kind: str = "num"
    """"num", "text", "band" (an ASHRAE band name) or "pct" (a fraction shown as %)."""
    tip: str = ""


RACK_COLUMNS = (
    Column("Rack", kind="text"),
    Column("Inlet max", "temperature", 1, tip="Hottest of three inlet sensors at 0.15 m above the floor, mid-height "
           "and 0.15 m below the rack's top, each the mean across the rack's width (bands and RCI use it)"),
    Column("Inlet mean", "temperature", 1, tip="Mean over the rack's front face"),
    Column("Exhaust", "temperature", 1, tip="Mean temperature of the air the rack blows out"),
    Column("To air", "power", tip="Air-side heat released to the room (after a rear door)"),
    Column("Airflow", "airflow"),
    Column("Band", kind="band", tip="ASHRAE band of the inlet max (hottest inlet sensor)"),
)
UNIT_COLUMNS = (
    Column("Air unit", kind="text"),
    Column("Kind", kind="text"),
    Column("Load", "power", tip="Heat the unit removes: airflow x (return - supply)"),
    Column("Capacity", "power"),
    Column("Use", kind="pct", tip="Load / capacity; over 100 % its supply air would be warmer than set"),
    Column("Return", "temperature", 1),
    Column("Supply", "temperature", 1),
    Column("Airflow", "airflow"),
)


def _key(v):
    """Sort key: numbers by value, text case-blind, missing values last either way."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return (1, 0.0, "")
    if isinstance(v, str):
        return (0, 0.0, v.lower())
    return (0, float(v), "")


class ResultsModel(QAbstractTableModel):
    """Rows are ``(item_id, values...)`` in SI; formatted per column on display."""

    def __init__(self, columns: tuple[Column, ...], units: Callable[[], str]) -> None:
        super().__init__()
        self.columns = columns
        self.units = units
        self.rows: list[tuple] = []
        self.sort_col = 1
        self.sort_order = Qt.DescendingOrder

    def set_rows(self, rows: list[tuple]) -> None:
        self.beginResetModel()
        self.rows = rows
        self._sort()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal:
            return None
        c = self.columns[section]
        if role == Qt.DisplayRole:
            if c.quantity:
                return f"{c.title} ({unit_of_quantity(c.quantity, self.units()).symbol})"
            return c.title + (" (%)" if c.kind == "pct" else "")
        if role == Qt.ToolTipRole and c.tip:
            return c.tip
        return None

    def data(self, index: QModelIndex, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        c = self.columns[index.column()]
        v = row[index.column() + 1]
        if role == ID_ROLE:
            return row[0]
        if role == Qt.DisplayRole:
            if c.kind == "band" and len(row) > 9:
                return row[9]  # why there is no inlet temperature, in a few words
            return self._fmt(c, v)
        if role == Qt.ToolTipRole and len(row) > 9:
            return row[8]
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignVCenter | (Qt.AlignLeft if c.kind in ("text", "band") else Qt.AlignRight))
        if role == Qt.BackgroundRole:
            if c.kind == "band" or (c.title == "Inlet max" and len(row) > 7):
                band = row[7] if len(row) > 7 and isinstance(row[7], str) else None
                if band and band != "recommended":
                    col = QColor(st.BAND_COLORS.get(band, st.BAND_COLORS["n/a"]))
                    col.setAlpha(70)
                    return col
            if c.kind == "pct" and isinstance(v, float):
                if v > 1.0:
                    col = QColor(st.UNIT_OVER)
                    col.setAlpha(70)
                    return col
                if v >= 0.9:
                    col = QColor(st.UNIT_TIGHT)
                    col.setAlpha(70)
                    return col
        return None

    def _fmt(self, c: Column, v) -> str:
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            return "–"
        if c.kind == "text":
            return str(v)
        if c.kind == "band":
            return st.BAND_LABELS.get(v, str(v))
        if c.kind == "pct":
            return f"{v * 100:.0f}"
        if c.quantity:
            u = unit_of_quantity(c.quantity, self.units())
            d = u.decimals if c.decimals is None else c.decimals
            return f"{u.to_display(v):,.{d}f}"
        return f"{v:,.{c.decimals or 0}f}"

    def sort(self, column: int, order=Qt.AscendingOrder) -> None:
        self.sort_col, self.sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        self._sort()
        self.layoutChanged.emit()

    def _sort(self) -> None:
        k = self.sort_col + 1
        rev = self.sort_order == Qt.DescendingOrder
        # missing values last in both directions
        present = [r for r in self.rows if _key(r[k])[0] == 0]
        missing = [r for r in self.rows if _key(r[k])[0] == 1]
        present.sort(key=lambda r: _key(r[k]), reverse=rev)
        self.rows = present + missing

    def row_of(self, item_id: str) -> int:
        for i, r in enumerate(self.rows):
            if r[0] == item_id:
                return i
        return -1


def results_view(model: ResultsModel, sort_col: int, order=Qt.DescendingOrder) -> QTableView:
    """A table on ``model``, sorted by ``sort_col`` (click a header to sort by another)."""
    v = QTableView()
    v.setModel(model)
    v.horizontalHeader().setSortIndicator(sort_col, order)
    v.setSelectionBehavior(QAbstractItemView.SelectRows)
    v.setSelectionMode(QAbstractItemView.SingleSelection)
    v.setEditTriggers(QAbstractItemView.NoEditTriggers)
    v.setSortingEnabled(True)  # sorts by the indicator set above
    v.horizontalHeader().setSectionResizeMode(QHeaderView.Interactive)
    v.horizontalHeader().setResizeContentsPrecision(40)  # sizing to contents looks at 40 rows, not 1,000
    v.horizontalHeader().setStretchLastSection(True)
    v.verticalHeader().setVisible(False)
    v.verticalHeader().setDefaultSectionSize(20)
    v.setAlternatingRowColors(True)
    v.setWordWrap(False)
    return v


def rack_rows(site_air) -> list[tuple]:
    """``(id, name, inlet max, inlet mean, exhaust, to air kW, airflow m3/s, band)`` per rack.

    A rack with no inlet temperature (no airflow through it, or no steady state) shows "–" in
    the temperature columns and the reason in the band column (and its tooltip)."""
    rows = []
    for r in site_air.racks.values():
        why = st.no_inlet_reason(r)
        if why:
            rows.append((r.rack_id, r.name, None, None, None, r.heat_to_air_kw, r.airflow_m3s, "n/a", why,
                         st.no_inlet_label(r)))
        else:
            rows.append((r.rack_id, r.name, r.inlet_max_c, r.inlet_mean_c, r.exhaust_c, r.heat_to_air_kw,
                         r.airflow_m3s, r.band))
    return rows


def unit_rows(site_air) -> list[tuple]:
    """``(id, name, kind, load kW, capacity kW, use, return, supply, airflow)`` per air unit."""
    kinds = {"crah": "CRAH", "inrow": "in-row", "rear_door": "rear door"}
    return [(u.unit_id, u.name, kinds.get(u.kind, u.kind) + ("" if u.running else " (off)"),
             u.load_kw if u.running else None, u.capacity_kw, u.utilisation if u.running else None,
             u.return_temp_c, u.supply_temp_c if u.running else None, u.airflow_m3s)
            for u in site_air.units.values()]
