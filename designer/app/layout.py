"""The window's dock layout: first sizes, the bottom panels' height, kept between runs.

- The bottom area (Findings and the results panels tabbed with it) has a height of its own.
  A results panel brought to the front may take more room for its plots and tables (about a
  third of the window); going back to a panel that does not need it (Findings), or closing
  the results panel, returns the area to the height it had before.
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

from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtCore import Qt as _Qt
from PySide6.QtWidgets import QTabBar

from designer.app.settings import app_settings

STATE_VERSION = 3
"""Bumped when the docks change, so an old saved layout is not applied to new docks."""
GROW = 0.36


class WindowLayout:
    def __init__(self, window) -> None:
        self.window = window
        self.default_state: QByteArray | None = None
        self.base_height: int | None = None
        """The bottom area's height before a results panel grew it (None: not grown)."""
        self.growers: set = set()
        self._busy = False

    # -- the bottom area -------------------------------------------------------------------------
    def watch_bottom(self, dock, grows: bool) -> None:
        """Follow a dock of the bottom area: ``grows`` if it wants the extra room."""
        if grows:
            self.growers.add(dock)
        dock.visibilityChanged.connect(lambda vis, d=dock: self._bottom_visible(d, vis))

    def _bottom_visible(self, dock, visible: bool) -> None:
        from shiboken6 import isValid

        w = self.window
        if not (isValid(w) and isValid(dock)):
            return  # the window is being destroyed: its docks hide on the way out
        if self._busy or not getattr(w, "_sized", False) or w.dockWidgetArea(dock) != _Qt.BottomDockWidgetArea \
                or dock.isFloating():
            return
        if visible and dock in self.growers:
            want = int(w.height() * GROW)
            # the area's height now: the tab sent behind still has it (the new one is not laid out)
            now = max(d.height() for d in self._bottom_docks())
            if now < want:
                if self.base_height is None:
                    self.base_height = now
                self._resize(dock, want)
        elif visible and self.base_height is not None:
            self._resize(dock, self.base_height)
            self.base_height = None
        elif not visible and dock in self.growers and self.base_height is not None:
            # closed (not just sent behind another tab): the next bottom panel shown returns
            QTimer.singleShot(0, self._settle)

    def _bottom_docks(self) -> list:
        w = self.window
        return [d for d in w.docks.values() if w.dockWidgetArea(d) == _Qt.BottomDockWidgetArea
                and not d.isFloating()]

    def _settle(self) -> None:
        w = self.window
        shown = [d for d in w.docks.values() if d.isVisible() and w.dockWidgetArea(d) == _Qt.BottomDockWidgetArea
                 and not d.isFloating() and not d.visibleRegion().isEmpty()]
        if self.base_height is not None and shown and not any(d in self.growers for d in shown):
            self._resize(shown[0], self.base_height)
            self.base_height = None

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
        # a grown bottom area is saved at the height it returns to
        if self.base_height is not None:
            shown = [d for d in self.growers if d.isVisible()]
            if shown:
                self._resize(shown[0], self.base_height)
        st.setValue("window/state", self.window.saveState(STATE_VERSION))
        st.setValue("window/geometry", self.window.saveGeometry())

    def reset(self) -> None:
        """View > Reset layout: the docks as the window built them."""
        if self.default_state is not None:
            self._restore(self.default_state)
        self.base_height = None
        for d in self.window.docks.values():
            if d.isFloating():
                d.setFloating(False)
        self.window.docks["findings"].raise_()
