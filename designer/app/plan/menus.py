"""The plan's right-click menus: one for each kind of item, one for the floor.

Each menu lists the window's actions (by id, so menus, toolbar and shortcuts stay one set)
that apply to what was clicked, enabled ones only; results views add theirs through the
view's ``menu_providers`` (the power view's "What if it fails").
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu

from designer.document.grouping import module_of

COMMON = ("cut", "copy", "paste", "duplicate", None, "rotate_cw", "rotate_ccw", "rotate_each", "set_rotation",
          None, "delete")
BY_KIND: dict[str, tuple] = {
    "module": ("select_module", "connect_module", "save_module", None, "add_to_module", "detach_module"),
    "rack": ("feed_a", "feed_b", "pipe_supply", "pipe_return", None, "select_module", "add_to_module",
             "detach_module"),
    "cdu": ("pipe_supply", "pipe_return", None, "select_module", "add_to_module", "detach_module"),
    "water_supply": ("pipe_supply", "pipe_return", "connect_selection"),
    "junction": ("pipe_supply", "pipe_return"),
    "pipe": ("pipe_supply", "pipe_return", None, "select_module", "detach_module"),
    "busway": ("busway", "feed_a", "feed_b", None, "select_module", "detach_module"),
    "tap": ("feed_a", "feed_b"),
    "pdu": ("feed_a", "feed_b", None, "select_module", "add_to_module", "detach_module"),
    "obstruction": ("corners",),
    "containment": ("corners", None, "select_module", "add_to_module", "detach_module"),
    "dimension": ("dimension_flip",),
}
"""Actions that apply to an item of each kind, before the common ones."""
MEMBER = ("select_module", "add_to_module", "detach_module")
FLOOR = ("paste_here", "select_all", None, "fit", "grid", "snap_objects", "legends", None, "measure", "dimension",
         None, "outline", "corners", "row", "obstruction")
"""The floor's menu (nothing under the cursor)."""


class PlanMenus:
    """Builds the plan's context menu for an item id (None: the floor)."""

    def __init__(self, window) -> None:
        self.window = window

    def __call__(self, item_id: str | None) -> QMenu:
        w = self.window
        menu = QMenu(w)
        if item_id is None:
            keys = FLOOR
        else:
            kind = w.scene.items_by_id[item_id].kind if item_id in w.scene.items_by_id else ""
            keys = BY_KIND.get(kind, MEMBER if module_of(w.session.doc, item_id) else ())
            keys = (*keys, None, *COMMON)
            if len(w.session.selection) >= 2:
                keys = (*keys, None, "menu:Edit/Align", "menu:Edit/Distribute")
            keys = (*keys, None, "properties")
        self._fill(menu, keys)
        for provide in list(w.view.menu_providers):
            provide(menu, item_id)
        return menu

    def _fill(self, menu: QMenu, keys) -> None:
        reg = self.window.registry
        pending_sep = False
        seen = set()
        for key in keys:
            if key is None:
                pending_sep = bool(menu.actions())
                continue
            if key in seen:
                continue
            seen.add(key)
            if key.startswith("menu:"):
                sub = reg.menus.get(key[5:])
                if sub is None or not sub.actions():
                    continue
                if pending_sep:
                    menu.addSeparator()
                    pending_sep = False
                menu.addMenu(sub)
                continue
            act = reg.actions.get(key)
            if act is None or not act.isEnabled() or not act.isVisible():
                continue
            if pending_sep:
                menu.addSeparator()
                pending_sep = False
            menu.addAction(act)
