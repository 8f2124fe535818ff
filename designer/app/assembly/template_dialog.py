"""The "Save selection as module" dialog: model id, name, description.

The dialog does not write anything itself: it hands the values to ``save`` (the controller),
which returns None when the template was written, or (field, message) naming what is wrong;
then the dialog stays open, shows the message and puts the cursor in that field.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
)

Save = Callable[[str, str, str, bool], "tuple[str, str] | None"]


class SaveModuleDialog(QDialog):
    def __init__(self, parent, summary: str, save: Save, model: str = "", name: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Save selection as module")
        self.setObjectName("save-module-dialog")
        self._save = save
        form = QFormLayout(self)
        what = QLabel(summary)
        what.setWordWrap(True)
        form.addRow(what)
        self.model = QLineEdit(model)
        self.model.setObjectName("model")
        self.model.setPlaceholderText("e.g. MY-POD-400 (letters, digits, - _ .)")
        self.name = QLineEdit(name)
        self.name.setObjectName("name")
        self.name.setPlaceholderText("e.g. Inference pod 400 kW, hybrid")
        self.description = QPlainTextEdit()
        self.description.setObjectName("description")
        self.description.setPlaceholderText("What the module is for, what it holds")
        self.description.setFixedHeight(70)
        self.replace = QCheckBox("Replace my template with this model id if there is one")
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b3261e;")
        self.error.hide()
        form.addRow("Model id", self.model)
        form.addRow("Name", self.name)
        form.addRow("Description", self.description)
        form.addRow("", self.replace)
        form.addRow(self.error)
        bb = QDialogButtonBox(QDialogButtonBox.Save | QDialogButtonBox.Cancel)
        bb.accepted.connect(self.accept)
        bb.rejected.connect(self.reject)
        form.addRow(bb)
        self.fields = {"model": self.model, "name": self.name, "description": self.description}

    def accept(self) -> None:
        problem = self._save(self.model.text().strip(), self.name.text().strip(),
                             self.description.toPlainText().strip(), self.replace.isChecked())
        if problem is None:
            super().accept()
            return
        field, message = problem
        self.error.setText(message)
        self.error.show()
        w = self.fields.get(field)
        if w is not None:
            w.setFocus()
