"""The "Power chain" dock: the verdict and the failure picker on top, the one-line diagram
on the left, the results tables on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.app.views.power.diagram import Diagram
from designer.app.views.power.table import NODE_COLUMNS, SCENARIO_COLUMNS, Table


class PowerPanel(QWidget):
    def __init__(self, balance_action, parent=None) -> None:
        super().__init__(parent)
        self.summary = QLabel("No power results yet")
        self.summary.setTextFormat(Qt.RichText)
        self.summary.setWordWrap(True)  # beside the plan the dock is narrow
        self.summary.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Minimum)
        self.fail = QComboBox()
        self.fail.setToolTip("Pick a component (or a whole side) and see what happens when it fails")
        self.fail.setSizeAdjustPolicy(QComboBox.AdjustToMinimumContentsLengthWithIcon)
        self.fail.setMinimumContentsLength(16)
        self.back = QPushButton("Back to normal")
        self.back.setEnabled(False)
        self.fit = QToolButton()
        self.fit.setText("Fit")
        self.fit.setToolTip("Fit the diagram in the panel")
        self.balance = QToolButton()
        self.balance.setDefaultAction(balance_action)
        self.balance.setToolButtonStyle(Qt.ToolButtonTextOnly)
        self.banner = QLabel()
        self.banner.setTextFormat(Qt.RichText)
        self.banner.setWordWrap(True)
        self.banner.hide()
        controls = QHBoxLayout()
        controls.setContentsMargins(0, 0, 0, 0)
        controls.addWidget(QLabel("What if it fails:"))
        controls.addWidget(self.fail, 1)
        controls.addWidget(self.back)
        controls.addStretch(1)
        controls.addWidget(self.fit)
        controls.addWidget(self.balance)
        self.diagram = Diagram()
        self.nodes = Table(NODE_COLUMNS)
        self.scenarios = Table(SCENARIO_COLUMNS)
        self.taps = QCheckBox("Busway tap-offs")
        self.taps.setToolTip("List every tap-off box too (thousands on a large hall)")
        nodes_page = QWidget()
        nl = QVBoxLayout(nodes_page)
        nl.setContentsMargins(0, 2, 0, 0)
        nl.setSpacing(2)
        nl.addWidget(self.taps)
        nl.addWidget(self.nodes, 1)
        self.tabs = QTabWidget()
        self.tabs.addTab(nodes_page, "Equipment")
        self.tabs.addTab(self.scenarios, "Single failures")
        self.split = QSplitter(Qt.Horizontal)
        self.split.addWidget(self.diagram)
        self.split.addWidget(self.tabs)
        self.split.setStretchFactor(0, 3)
        self.split.setStretchFactor(1, 2)
        self.split.setChildrenCollapsible(False)
        self.fit.clicked.connect(self._fit)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.setSpacing(4)
        lay.addWidget(self.summary)
        lay.addLayout(controls)
        lay.addWidget(self.banner)
        lay.addWidget(self.split, 1)
        self._sized = False

    def showEvent(self, e) -> None:  # noqa: N802
        super().showEvent(e)
        if not self._sized:  # the diagram gets most of the width, whatever the tables ask for
            self._sized = True
            w = max(self.width(), 800)
            self.split.setSizes([int(w * 0.62), int(w * 0.38)])

    def _fit(self) -> None:
        self.diagram.auto_fit = True
        self.diagram.fit()

    def show_banner(self, html_text: str | None, ok: bool = True) -> None:
        if not html_text:
            self.banner.hide()
            self.back.setEnabled(False)
            return
        edge, bg = ("#2a9d3c", "#eef8f0") if ok else ("#c0182b", "#fdeeee")
        self.banner.setStyleSheet(f"QLabel {{ background: {bg}; border: 1px solid {edge}; border-radius: 4px; "
                                  "padding: 3px 8px; }")
        self.banner.setText(html_text)
        self.banner.show()
        self.back.setEnabled(True)
