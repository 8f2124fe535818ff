"""Small dialogs: the row tool, exact rotation, errors with details."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
)


class RowDialog(QDialog):
    """Place N racks in one or two rows with a chosen pitch and aisle.

    The rack is the one picked in the catalog palette (``model``); the aisle width starts
    at that rack's service clearance on the aisle side (front for a cold aisle, rear for a
    hot aisle) and follows the rack and aisle choice until the user types a width. "Place on
    plan…" closes the dialog to have the start clicked on the plan (:data:`PICK`)."""

    PICK = 2
    """Result code: the user wants to click the start point on the plan."""

    def __init__(self, session, x0: float, y0: float, parent=None, model: str | None = None,
                 values: dict | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Row of racks")
        self._session = session
        self._aisle_typed = False
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
        self.aisle.setToolTip("Starts at the rack's service clearance on the aisle side: front for a cold aisle, "
                              "rear for a hot aisle")
        self.aisle_kind = QComboBox()
        self.aisle_kind.addItem("Cold aisle (fronts face each other)", "cold")
        self.aisle_kind.addItem("Hot aisle (backs face each other)", "hot")
        self.contain = QCheckBox("Contain the aisle")
        self.contain.setChecked(True)
        self.x0 = _dspin(-1e4, 1e4, x0, " m", 0.1)
        self.y0 = _dspin(-1e4, 1e4, y0, " m", 0.1)
        self.clearance = QLabel()
        self.clearance.setWordWrap(True)
        form.addRow("Rack", self.model)
        form.addRow("", self.clearance)
        form.addRow("Racks per row", self.count)
        form.addRow("Rows", self.rows)
        form.addRow("Pitch", self.pitch)
        form.addRow("Aisle", self.aisle_kind)
        form.addRow("Aisle width", self.aisle)
        form.addRow("", self.contain)
        form.addRow("Start x (left edge)", self.x0)
        form.addRow("Start y (bottom edge)", self.y0)
        if model is not None and self.model.findData(model) >= 0:
            self.model.setCurrentIndex(self.model.findData(model))
        self.model.currentIndexChanged.connect(self._model_changed)
        self.aisle_kind.currentIndexChanged.connect(lambda _i: self._aisle_from_clearance())
        self.aisle.valueChanged.connect(self._typed)
        self._model_changed()
        if values:
            self.set_values(values)
        bb = QDialogButtonBox(QDialogButtonBox.Ok | QDialogButtonBox.Cancel)
        self.pick_button = bb.addButton("Place on plan…", QDialogButtonBox.ActionRole)
        self.pick_button.setToolTip("Close this and click the start corner of the rows on the plan")
        self.pick_button.clicked.connect(lambda: self.done(self.PICK))
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        form.addRow(bb)

    def entry(self):
        return self._session.catalog.get(self.model.currentData())

    def _typed(self, _v) -> None:
        if not self._setting:
            self._aisle_typed = True

    _setting = False

    def _model_changed(self) -> None:
        e = self.entry()
        if e is not None:
            self.pitch.setValue(e.width_m)
            self.clearance.setText(f"<small>Service clearance: front {e.clearance_front_m:g} m, "
                                   f"rear {e.clearance_rear_m:g} m</small>")
        self._aisle_from_clearance()

    def _aisle_from_clearance(self) -> None:
        from designer.document.ops import aisle_width

        e = self.entry()
        if e is None or self._aisle_typed:
            return
        self._setting = True
        self.aisle.setValue(aisle_width(self._session.doc, e, self.aisle_kind.currentData()))
        self._setting = False

    def values(self) -> dict:
        return dict(model=self.model.currentData(), count=self.count.value(),
                    rows=2 if self.rows.currentIndex() == 0 else 1, pitch_m=self.pitch.value(),
                    aisle_m=self.aisle.value(), aisle=self.aisle_kind.currentData(),
                    contain=self.contain.isChecked(), x0=self.x0.value(), y0=self.y0.value())

    def set_values(self, v: dict) -> None:
        """Show values given back (after a start point was clicked on the plan)."""
        self.model.setCurrentIndex(max(0, self.model.findData(v["model"])))
        self.count.setValue(v["count"])
        self.rows.setCurrentIndex(0 if v["rows"] == 2 else 1)
        self.pitch.setValue(v["pitch_m"])
        self.aisle_kind.setCurrentIndex(max(0, self.aisle_kind.findData(v["aisle"])))
        self._setting = True
        self.aisle.setValue(v["aisle_m"])
        self._setting = False
        self.contain.setChecked(v["contain"])
        self.x0.setValue(v["x0"])
        self.y0.setValue(v["y0"])


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
