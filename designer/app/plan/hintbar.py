"""The hint bar under the plan: what the active tool wants next, and what is being typed.

It is part of the plan's own layout (not the status bar, where permanent widgets cut long
messages off), word-wraps instead of clipping, and follows the tool however it was started:
a toolbar button, a menu, a shortcut or the right-click menu.

Its height does not change with the tool: it keeps room for the longest standing hint (the
select tool's) at its width, so picking a tool never resizes the plan above it.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy


class HintBar(QFrame):
    def __init__(self, view, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("plan-hint-bar")
        self.view = view
        self.setFrameShape(QFrame.StyledPanel)
        self.setStyleSheet("#plan-hint-bar { background: #f4f6fa; border-top: 1px solid #c9cfd8; }")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 3, 8, 3)
        lay.setSpacing(10)
        self.tool_label = QLabel()
        self.tool_label.setStyleSheet("color: #1f4e9a;")
        bold = self.tool_label.font()
        bold.setBold(True)
        self.tool_label.setFont(bold)
        # as wide as the longest tool name: the hint beside it keeps its width whatever the tool
        self.tool_label.setFixedWidth(self.tool_label.fontMetrics().horizontalAdvance("Row of racks") + 6)
        self.tool_label.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.RichText)
        self.text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.text.setSizePolicy(QSizePolicy.Ignored, QSizePolicy.Preferred)
        self.typed = QLabel()
        self.typed.setStyleSheet("font-family: monospace; background: white; border: 1px solid #9aa6b8; padding: 0 4px;")
        self.typed.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        lay.addWidget(self.tool_label, 0, Qt.AlignTop)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.typed, 0, Qt.AlignTop)
        self._probe = QLabel()  # never shown: measures the height the longest hint needs
        self._probe.setWordWrap(True)
        self._probe.setTextFormat(Qt.RichText)
        view.hint_changed.connect(self.refresh)
        self.refresh()

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        self._steady()

    def _steady(self) -> None:
        """Room for the select tool's hint (or the current text if longer) at this width."""
        w = self.text.width()
        if w <= 0:
            return
        self._probe.setFont(self.text.font())
        need = 0
        for text in (getattr(self.view.select_tool, "hint", ""), self.text.text()):
            self._probe.setText(text)
            need = max(need, self._probe.heightForWidth(w))
        if need > 0 and need != self.text.minimumHeight():
            self.text.setMinimumHeight(need)

    def refresh(self) -> None:
        tool = self.view.tool
        names = {"select": "Select", "pipe": "Pipe", "busway": "Busway", "row": "Row of racks",
                 "measure": "Measure", "dimension": "Dimension"}
        name = getattr(tool, "name", "")
        head = names.get(name) or names.get(name.split(":")[0]) or {
            "polygon": "Draw", "vertices": "Corners", "feed": "Feed"}.get(name.split(":")[0], name.title())
        self.tool_label.setText(head)
        prompt = tool.prompt() if hasattr(tool, "prompt") else getattr(tool, "hint", "")
        self.text.setText(prompt)
        self.setToolTip(self.text.text())
        typing = getattr(tool, "typing", "")
        self.typed.setText(typing)
        self.typed.setVisible(bool(typing))
        self._steady()
