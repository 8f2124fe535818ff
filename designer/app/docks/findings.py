"""Findings panel: every problem the checks and solvers report; click to go to the item."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from designer.app.lifecycle.guard import guarded
from designer.model.findings import Finding, Severity

COLORS = {"error": QColor("#d62d20"), "warning": QColor("#c98a00"), "info": QColor("#3a6ea5")}


class FindingsPanel(QWidget):
    go_to = Signal(list)
    """Item ids of the clicked finding."""

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.findings: list[Finding] = []
        self.errors: list[str] = []
        self.tree = QTreeWidget()
        self.tree.setColumnCount(4)
        self.tree.setHeaderLabels(["", "Check", "Finding", "Fix"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setWordWrap(True)
        self.tree.setUniformRowHeights(False)
        hdr = self.tree.header()
        hdr.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        hdr.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        hdr.setSectionResizeMode(2, QHeaderView.Stretch)
        hdr.setSectionResizeMode(3, QHeaderView.Interactive)
        hdr.resizeSection(3, 260)
        self.level = QComboBox()
        self.level.addItems(["Errors and warnings", "Errors only", "Everything"])
        self.this_site = QCheckBox("This site only")
        self.this_site.setChecked(True)
        self.count = QLabel()
        top = QHBoxLayout()
        top.addWidget(self.level)
        top.addWidget(self.this_site)
        top.addStretch(1)
        top.addWidget(self.count)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addLayout(top)
        lay.addWidget(self.tree)
        self.level.currentIndexChanged.connect(lambda _i: self.populate())
        self.this_site.toggled.connect(lambda _b: self.populate())
        self.tree.itemActivated.connect(self._activated)
        self.tree.itemClicked.connect(self._activated)
        session.results_ready.connect(self.set_results)
        session.site_changed.connect(lambda _s: self.populate())

    @guarded("the findings list")
    def set_results(self, revision: int, results: dict) -> None:
        fs: list[Finding] = []
        self.errors = []
        for name, r in results.items():
            if r.error:
                self.errors.append(f"The {name} analysis failed: {r.error}")
            fs.extend(r.findings)
        self.findings = fs
        self.populate()

    def _site_ids(self) -> set[str]:
        return set(self.session.site_item_ids()) | {self.session.site_id or ""}

    def visible_findings(self) -> list[Finding]:
        lvl = self.level.currentIndex()
        allowed = {0: {"error", "warning"}, 1: {"error"}, 2: {"error", "warning", "info"}}[lvl]
        here = self._site_ids() if self.this_site.isChecked() else None
        out = []
        for f in self.findings:
            if f.severity.value not in allowed:
                continue
            if here is not None and f.item_ids and not any(i in here for i in f.item_ids):
                continue
            out.append(f)
        out.sort(key=lambda f: f.severity.rank)
        return out

    def populate(self) -> None:
        self.tree.clear()
        st = QApplication.style()
        icons = {"error": st.standardIcon(QStyle.SP_MessageBoxCritical),
                 "warning": st.standardIcon(QStyle.SP_MessageBoxWarning),
                 "info": st.standardIcon(QStyle.SP_MessageBoxInformation)}
        for msg in self.errors:
            it = QTreeWidgetItem(["", "analysis", msg, "Report this as a bug; other results are still shown"])
            it.setIcon(0, icons["error"])
            it.setForeground(2, COLORS["error"])
            self.tree.addTopLevelItem(it)
        shown = self.visible_findings()
        for f in shown[:2000]:
            it = QTreeWidgetItem(["", f.source, f.message, f.fix])
            it.setIcon(0, icons[f.severity.value])
            it.setToolTip(0, f.severity.value)
            it.setData(0, Qt.UserRole, list(f.item_ids))
            it.setToolTip(2, f"{f.code}\n{f.path}" if f.path else f.code)
            self.tree.addTopLevelItem(it)
        n_e = sum(f.severity is Severity.ERROR for f in self.findings)
        n_w = sum(f.severity is Severity.WARNING for f in self.findings)
        self.count.setText(f"{len(shown)} shown · {n_e} errors, {n_w} warnings in the project")

    def _activated(self, item, col) -> None:
        ids = item.data(0, Qt.UserRole) or []
        if ids:
            self.go_to.emit(ids)
