"""The window's dock layout: first sizes, the bottom panels' height, kept between runs.

- The bottom area (Findings and the panels tabbed with it) has one height whichever tab is in
  front, so the plan keeps its height: it starts at ``BOTTOM_SHARE`` of the window's height
  (enough for each panel's plots and tables, which scroll inside it), a height the user drags
  it to is kept, and bringing another tab to the front puts the area back to the height it
  had. No panel asks for more: each one's minimum height fits in the area.
- Where the docks are and how big is saved when the window closes (QSettings, in the user
  folder) and restored at the next start; View > Reset layout goes back to the layout the
  window was built with.
- Qt (seen with 6.11.3) leaves a stray copy of a dock group's tab bar on screen when docks
  are tabbed in a second dock area before the window is shown, and restoreState adds more:
  a "Findings | Liquid loops" strip was drawn across the bottom panels. Every restoreState
  here (start-up, Reset layout) first hides all the window's dock tab bars; the restored
  layout shows the ones it uses.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QEvent, QSize
from PySide6.QtCore import Qt as _Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QTabBar

from designer.app.state.settings import app_settings

STATE_VERSION = 3
"""Bumped when the docks change, so an old saved layout is not applied to new docks."""
BOTTOM_SHARE = 0.3
"""The bottom area's first height, as a part of the window's height (240 px at 1280x800)."""


def first_bottom_height(window_height: int) -> int:
    return max(200, min(420, int(window_height * BOTTOM_SHARE)))


class PanelScroll(QScrollArea):
    """Holds a bottom panel: the panel gets all the area's room and never less than its minimum
    size, beyond which it scrolls (rather than squeezing its plots, tables and fields over each
    other). QScrollArea's own resizing gives a panel with a word-wrapped label its preferred
    height for the width, so an almost empty log scrolled."""

    def __init__(self, panel, key: str) -> None:
        super().__init__()
        self.setObjectName(f"scroll-{key}")
        self.setFrameShape(QFrame.NoFrame)
        self.setWidgetResizable(False)
        self.setMinimumHeight(100)
        self.setWidget(panel)
        panel.installEventFilter(self)

    def sizeHint(self) -> QSize:  # noqa: N802
        return self.widget().sizeHint()

    def _fit(self) -> None:
        w = self.widget()
        need = w.minimumSizeHint().expandedTo(w.minimumSize())
        room = self.maximumViewportSize()
        width, height = max(room.width(), need.width()), max(room.height(), need.height())
        if width > room.width():  # a horizontal bar takes height
            height = max(room.height() - self.horizontalScrollBar().sizeHint().height(), need.height())
        if height > room.height():  # a vertical bar takes width
            width = max(room.width() - self.verticalScrollBar().sizeHint().width(), need.width())
        if w.size() != QSize(width, height):
            w.resize(width, height)

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        self._fit()

    def eventFilter(self, obj, ev) -> bool:  # noqa: N802
        if obj is self.widget() and ev.type() == QEvent.LayoutRequest:
            self._fit()
        return False


class WindowLayout:
    def __init__(self, window) -> None:
        self.window = window
        self.default_state: QByteArray | None = None
        self.front = None
        """The bottom dock in front (its height is the area's height until another tab is shown)."""
        self._busy = False

    # -- the bottom area -------------------------------------------------------------------------
    def watch_bottom(self, dock) -> None:
        """Follow a dock of the bottom area: showing it keeps the area's height."""
        dock.visibilityChanged.connect(lambda vis, d=dock: self._bottom_visible(d, vis))

    def _is_bottom(self, dock) -> bool:
        return self.window.dockWidgetArea(dock) == _Qt.BottomDockWidgetArea and not dock.isFloating()

    def _bottom_visible(self, dock, visible: bool) -> None:
        from shiboken6 import isValid

        w = self.window
        if not (isValid(w) and isValid(dock)):
            return  # the window is being destroyed: its docks hide on the way out
        if not visible or self._busy or not getattr(w, "_sized", False) or not self._is_bottom(dock):
            return
        front, self.front = self.front, dock
        if front is None:  # the first tab change: the tab in front is the one still on screen
            front = next((d for d in w.docks.values() if d is not dock and d.isVisible() and self._is_bottom(d)
                          and not d.visibleRegion().isEmpty()), None)
        if front is None or front is dock or not isValid(front) or not self._is_bottom(front) \
                or not front.isVisible():
            return
        # the area's height now: the tab sent behind still has it (the new one is not laid out)
        self._resize(dock, front.height())

    def _resize(self, dock, height: int) -> None:
        """Make ``dock`` ``height`` px tall (Qt sizes the area, tab bar included: measure, correct)."""
        self._busy = True
        try:
            w = self.window
            w.resizeDocks([dock], [height], _Qt.Vertical)
            w.layout().activate()
            got = dock.height()
            if got != height and dock.isVisible():
                w.resizeDocks([dock], [height + (height - got)], _Qt.Vertical)
        finally:
            self._busy = False

    # -- saved between runs ------------------------------------------------------------------------
    def first_shown(self) -> None:
        """The window is on screen with its built layout: remember it, then apply the saved one
        (or the built one again, which puts away the stray tab bars of the docks tabbed while
        the window was being built)."""
        self.default_state = self.window.saveState(STATE_VERSION)
        st = app_settings()
        state = st.value("window/state")
        geom = st.value("window/geometry")
        if isinstance(geom, QByteArray) and not geom.isEmpty():
            self.window.restoreGeometry(geom)
        if not isinstance(state, QByteArray) or state.isEmpty():
            state = self.default_state
        self._restore(state)

    def _restore(self, state: QByteArray) -> None:
        """restoreState, after hiding every dock tab bar of the window: the restored layout
        shows the ones it uses, and Qt's strays stay hidden."""
        w = self.window
        for bar in w.findChildren(QTabBar, options=_Qt.FindDirectChildrenOnly):
            bar.hide()
        self._busy = True
        try:
            if not w.restoreState(state, STATE_VERSION) and state is not self.default_state \
                    and self.default_state is not None:
                w.restoreState(self.default_state, STATE_VERSION)
        finally:
            self._busy = False

    def save(self) -> None:
        st = app_settings()
        st.setValue("window/state", self.window.saveState(STATE_VERSION))
        st.setValue("window/geometry", self.window.saveGeometry())

    def reset(self) -> None:
        """View > Reset layout: the docks as the window built them."""
        if self.default_state is not None:
            self._restore(self.default_state)
        self.front = None
        for d in self.window.docks.values():
            if d.isFloating():
                d.setFloating(False)
        self.window.docks["findings"].raise_()
