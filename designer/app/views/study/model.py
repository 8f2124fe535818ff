"""The study table in a Qt model: the rows of :mod:`designer.study.headline`, sortable."""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QColor

from designer.study.headline import COLUMNS

SHOWN = ("design", "scenario", "status", "it_kw", "racks_lost", "power_margin_pct", "survives_single_failure",
         "worst_single_failure_racks", "min_flow_ratio", "cdu_max_load_pct", "max_inlet_c", "utility_margin_pct",
         "workloads_unplaced", "latency_violations", "smallest_latency_margin_ms", "errors", "warnings")
TITLES = {"design": "Design", "scenario": "Scenario", "status": "Status", "it_kw": "IT kW", "racks_lost": "Racks lost",
          "power_margin_pct": "Power margin %", "survives_single_failure": "Survives 1 failure",
          "worst_single_failure_racks": "Worst failure racks", "min_flow_ratio": "Min flow ratio",
          "cdu_max_load_pct": "CDU max %", "max_inlet_c": "Max inlet °C", "utility_margin_pct": "Utility margin %",
          "workloads_unplaced": "Unplaced", "latency_violations": "Over budget",
          "smallest_latency_margin_ms": "Latency margin ms", "errors": "Errors", "warnings": "Warnings"}
DOCS = {c.name: c.doc for c in COLUMNS}
BAD = QColor("#fde2df")


def _bad(row: dict) -> bool:
    return (row.get("status") != "ok" or (row.get("racks_lost") or 0) > 0
            or (row.get("latency_violations") or 0) > 0 or (row.get("power_margin_pct") or 0) < 0)


class StudyTableModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(SHOWN)

    def headerData(self, section, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal:
            return None
        if role == Qt.DisplayRole:
            return TITLES[SHOWN[section]]
        if role == Qt.ToolTipRole:
            return DOCS[SHOWN[section]]
        return None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        row = self.rows[index.row()]
        v = row.get(SHOWN[index.column()])
        if role == Qt.DisplayRole:
            if v is None:
                return "–"
            if isinstance(v, bool):
                return "yes" if v else "no"
            if isinstance(v, float):
                return f"{v:,.2f}" if abs(v) < 100 else f"{v:,.1f}"
            return str(v)
        if role == Qt.BackgroundRole and _bad(row):
            return QBrush(BAD)
        if role == Qt.TextAlignmentRole and isinstance(v, (int, float)) and not isinstance(v, bool):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole and SHOWN[index.column()] == "status":
            return row.get("status")
        return None

    def row(self, i: int) -> dict:
        return self.rows[i]


class StudySortModel(QSortFilterProxyModel):
    """Sorts by the values (numbers as numbers, empty last), not by their text."""

    def lessThan(self, a, b) -> bool:  # noqa: N802
        m = self.sourceModel()
        name = SHOWN[a.column()]
        va, vb = m.rows[a.row()].get(name), m.rows[b.row()].get(name)
        if va is None or vb is None:
            return va is not None and vb is None
        if isinstance(va, str) != isinstance(vb, str):
            return isinstance(vb, str)
        return va < vb
