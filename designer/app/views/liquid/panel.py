"""The "Liquid loops" dock: overlay options and actions on top, the pump plot on the left,
the results tables on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QToolButton, QVBoxLayout, QWidget

from designer.app.views.liquid.plot import PumpPlot
from designer.app.views.liquid.table import LiquidTables


class LiquidPanel(QWidget):
    def __init__(self, balance_action, failure_action, parent=None) -> None:
        super().__init__(parent)
        self.color_by = QComboBox()
        self.color_by.addItem("Velocity", "velocity")
        self.color_by.addItem("Flow", "flow")
        self.color_by.setToolTip("What the pipe colours on the plan show")
        self.failure = QToolButton()
        self.failure.setDefaultAction(failure_action)
        self.failure.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.balance = QToolButton()
        self.balance.setDefaultAction(balance_action)
        self.balance.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.summary = QLabel()
        self.summary.setTextFormat(Qt.RichText)
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Colour pipes by"))
        top.addWidget(self.color_by)
        top.addSpacing(8)
        top.addWidget(self.failure)
        top.addWidget(self.balance)
        top.addSpacing(12)
        top.addWidget(self.summary, 1)
        self.plot = PumpPlot()
        self.tables = LiquidTables()
        self.split = QSplitter(Qt.Horizontal)
        self.split.addWidget(self.plot)
        self.split.addWidget(self.tables)
        self.split.setStretchFactor(0, 2)
        self.split.setStretchFactor(1, 3)
        self.split.setSizes([420, 640])
        self.split.setChildrenCollapsible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addLayout(top)
        lay.addWidget(self.split, 1)
