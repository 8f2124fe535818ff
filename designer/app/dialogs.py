"""Small dialogs: the row tool, exact rotation, errors with details."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QMessageBox,
    QSpinBox,
)


class RowDialog(QDialog):
    """Place N racks in one or two rows with a chosen pitch and aisle."""

    def __init__(self, session, x0: float, y0: float, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Row of racks")
        form = QFormLayout(self)
        self.model = QComboBox()
        for e in session.catalog.entries("racks"):
            self.model.addItem(f"{e.name} ({e.model})", e.model)
        self.count = QSpinBox()
        self.count.setRange(1, 200)
        self.count.setValue(10)
        self.rows = QComboBox()
        self.rows.addItems(["2 rows around an aisle", "1 row"])
        self.pitch = _dspin(0.3, 3.0, 0.6, " m", 0.05)
        self.aisle = _dspin(0.6, 4.0, 1.2, " m", 0.1)
        self.aisle_kind = QComboBox()
        self.aisle_kind.addItem("Cold aisle (fronts face each other)", "cold")
        self.aisle_kind.addItem("Hot aisle (backs face each other)", "hot")
        self.contain = QCheckBox("Contain the aisle")
        self.contain.setChecked(True)
        self.x0 = _dspin(-1e4, 1e4, x0, " m", 0.1)
        self.y0 = _dspin(-1e4, 1e4, y0, " m", 0.1)
        form.addRow("Rack", self.model)
        form.addRow("Racks per row", self.count)
        form.addRow("Rows", self.rows)
        form.addRow("Pitch", self.pitch)
        form.addRow("Aisle width", self.aisle)
        form.addRow("Aisle", self.aisle_kind)
        form.addRow("", self.contain)
        form.addRow("Start x (left edge)", self.x0)
        form.addRow("Start y (bottom edge)", self.y0)
        self.model.currentIndexChanged.connect(self._model_changed)
        self._session = session
        self._model_changed()
        bb = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        form.addRow(bb)

    def _model_changed(self) -> None:
        e = self._session.catalog.get(self.model.currentData())
        if e is not None:
            self.pitch.setValue(e.width_m)

    def values(self) -> dict:
        return dict(model=self.model.currentData(), count=self.count.value(),
                    rows=2 if self.rows.currentIndex() == 0 else 1, pitch_m=self.pitch.value(),
                    aisle_m=self.aisle.value(), aisle=self.aisle_kind.currentData(),
                    contain=self.contain.isChecked(), x0=self.x0.value(), y0=self.y0.value())


def _dspin(lo, hi, val, suffix, step) -> QDoubleSpinBox:
    s = QDoubleSpinBox()
    s.setRange(lo, hi)
    s.setDecimals(2)
    s.setSingleStep(step)
    s.setSuffix(suffix)
    s.setValue(val)
    return s


def show_error(parent, title: str, text: str, details: str = "") -> None:
    box = QMessageBox(QMessageBox.Warning, title, text, QMessageBox.Ok, parent)
    if details:
        box.setDetailedText(details)
    box.exec()
