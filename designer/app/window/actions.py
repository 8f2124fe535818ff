"""One registry of actions: menus, toolbars and shortcuts are all built from it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtGui import QAction, QKeySequence


@dataclass
class ActionSpec:
    id: str
    text: str
    handler: Callable | None = None
    shortcut: QKeySequence.StandardKey | str | None = None
    menu: str = ""
    """Menu path, e.g. "Edit" or "Edit/Align"."""
    toolbar: bool = False
    checkable: bool = False
    checked: bool = False
    tip: str = ""
    icon: object = None
    separator_before: bool = False
    extra_shortcuts: list[str] = field(default_factory=list)


class ActionRegistry:
    def __init__(self, parent) -> None:
        self.parent = parent
        self.specs: list[ActionSpec] = []
        self.actions: dict[str, QAction] = {}

    def add(self, spec: ActionSpec) -> QAction:
        act = QAction(spec.text, self.parent)
        if spec.shortcut is not None:
            seqs = [QKeySequence(spec.shortcut)] + [QKeySequence(s) for s in spec.extra_shortcuts]
            act.setShortcuts(seqs)
        act.setCheckable(spec.checkable)
        if spec.checkable:
            act.setChecked(spec.checked)
        tip = spec.tip or spec.text.replace("&", "").replace("…", "")
        sc = act.shortcut().toString(QKeySequence.NativeText)
        act.setToolTip(f"{tip} ({sc})" if sc else tip)
        act.setStatusTip(tip)
        if spec.icon is not None:
            act.setIcon(spec.icon)
        if spec.handler is not None:
            if spec.checkable:
                act.toggled.connect(spec.handler)
            else:
                act.triggered.connect(lambda _checked=False, h=spec.handler: h())
        self.specs.append(spec)
        self.actions[spec.id] = act
        return act

    def __getitem__(self, key: str) -> QAction:
        return self.actions[key]

    def build_menus(self, menubar, order: list[str]) -> dict[str, object]:
        self.menubar = menubar
        self.menus: dict[str, object] = {}
        for top in order:
            self.menu_for(top)
        for spec in self.specs:
            self._place(spec)
        return self.menus

    def menu_for(self, path: str):
        """The menu at ``path`` ("Analysis" or "Edit/Align"), created when missing.
        New top-level menus go before Help."""
        if path in self.menus:
            return self.menus[path]
        if "/" in path:
            parent_path, name = path.rsplit("/", 1)
            m = self.menu_for(parent_path).addMenu(name)
        else:
            help_menu = self.menus.get("Help")
            if help_menu is not None:
                from PySide6.QtWidgets import QMenu

                m = QMenu(path, self.menubar)
                self.menubar.insertMenu(help_menu.menuAction(), m)
            else:
                m = self.menubar.addMenu(path)
        self.menus[path] = m
        return m

    def _place(self, spec: ActionSpec) -> None:
        if not spec.menu:
            return
        m = self.menu_for(spec.menu)
        if spec.separator_before:
            m.addSeparator()
        m.addAction(self.actions[spec.id])

    def add_later(self, spec: ActionSpec) -> QAction:
        """Add an action after the menus were built (extensions)."""
        act = self.add(spec)
        if getattr(self, "menus", None) is not None:
            self._place(spec)
        return act

    def build_toolbar(self, toolbar) -> None:
        for spec in self.specs:
            if spec.toolbar:
                if spec.separator_before:
                    toolbar.addSeparator()
                toolbar.addAction(self.actions[spec.id])
