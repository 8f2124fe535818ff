"""A state dump for programs that drive the real window (tests/realwindow): what the window
shows, as JSON, without reading pixels.

Set ``DESIGNER_DEBUG_STATE=<file>`` before starting the app; then Ctrl+Shift+F12 (a real key
press, from anywhere in the app, a modal dialog included) writes the state to that file,
atomically, with a sequence number that grows by one per dump. Because the request is a key
event it is handled in order with the mouse and key events sent before it: the dump shows
their effect.

What is in it: the window title and whether the project is modified; the plan's scale and
where the model origin lies on the screen (so a driver can aim at model points); the model
point under the mouse pointer and the status bar's cursor read-out; the active tool, the
hint bar's text and the last snap; where the catalog's entries and search field are on the
screen; the open modal dialog and its buttons; and the current site's outline and placed
items as the document holds them. Without the variable nothing is installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QAbstractButton, QApplication

from designer.app.plan.coords import to_model, to_scene
from designer.model.base import Placed

ENV = "DESIGNER_DEBUG_STATE"
KEY = Qt.Key_F12
MODS = Qt.ControlModifier | Qt.ShiftModifier


def _rect(widget, r: QRect | None = None) -> list[int]:
    """``r`` (default: the whole widget) in global screen pixels, as [x, y, width, height]."""
    r = r if r is not None else widget.rect()
    tl = widget.mapToGlobal(r.topLeft())
    return [tl.x(), tl.y(), r.width(), r.height()]


class StateDump(QObject):
    """Writes the window's state to ``path`` on Ctrl+Shift+F12 (an application event filter)."""

    def __init__(self, window, path: Path) -> None:
        super().__init__(window)
        self.window = window
        self.path = Path(path)
        self.seq = 0
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, obj, e) -> bool:  # noqa: N802
        if e.type() == QEvent.KeyPress and e.key() == KEY and (e.modifiers() & MODS) == MODS:
            if not e.isAutoRepeat():
                self.write()
            return True
        return False

    def write(self) -> None:
        self.seq += 1
        state = self.state()
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(json.dumps(state, indent=1))
        os.replace(tmp, self.path)

    # -- what is written ----------------------------------------------------------------------
    def state(self) -> dict:
        w = self.window
        s = w.session
        modal = QApplication.activeModalWidget()
        focus = QApplication.focusWidget()
        return {
            "seq": self.seq,
            "title": w.windowTitle(),
            "modified": bool(s.modified),
            "focus": type(focus).__name__ if focus is not None else None,
            "plan": self.plan(),
            "catalog": self.catalog(),
            "modal": None if modal is None else {
                "title": modal.windowTitle(),
                "buttons": [{"text": b.text().replace("&", ""), "rect": _rect(b)}
                            for b in modal.findChildren(QAbstractButton) if b.isVisible()],
            },
            "site": self.site(),
            "selection": list(s.selection.ids),
        }

    def plan(self) -> dict:
        v = self.window.view
        vp = v.viewport()
        origin = vp.mapToGlobal(v.viewportTransform().map(to_scene(0.0, 0.0)))
        cur = QCursor.pos()
        local = vp.mapFromGlobal(cur)
        under = to_model(v.map_to_scene(QPointF(local))) if vp.rect().contains(local) else None
        sn = v.snapper.last
        return {
            "px_per_m": v.px_per_m,
            "origin_global": [origin.x(), origin.y()],
            "viewport": _rect(vp),
            "cursor_global": [cur.x(), cur.y()],
            "under_cursor": list(under) if under is not None else None,
            "cursor_label": self.window.cursor_label.text(),
            "tool": getattr(v.tool, "name", ""),
            "typing": getattr(v.tool, "typing", ""),
            "hint": self.window.hint_bar.text.text(),
            "snap": None if sn is None else {"kind": sn.kind, "owner": sn.owner, "x": sn.x, "y": sn.y},
        }

    def catalog(self) -> dict:
        pal = self.window.palette
        tree = pal.tree
        entries = {}
        view_rect = tree.viewport().rect()
        for g in range(tree.topLevelItemCount()):
            group = tree.topLevelItem(g)
            if group.isHidden() or not group.isExpanded():
                continue
            for c in range(group.childCount()):
                it = group.child(c)
                r = tree.visualItemRect(it).intersected(view_rect)
                if not it.isHidden() and r.height() > 0:
                    entries[it.data(0, Qt.UserRole)] = _rect(tree.viewport(), r)
        return {"search": _rect(pal.search) if pal.search.isVisible() else None, "entries": entries}

    def site(self) -> dict | None:
        site = self.window.session.site
        if site is None:
            return None
        hall = site.hall
        items = []
        for name in type(hall).model_fields:
            value = getattr(hall, name)
            if isinstance(value, list):
                items += [{"kind": name, "id": m.id, "name": m.name, "model": getattr(m, "catalog_model", None),
                           "x": m.x, "y": m.y, "rotation_deg": m.rotation_deg}
                          for m in value if isinstance(m, Placed)]
        return {"id": site.id, "outline": [list(p) for p in hall.outline], "items": items}


def install(window) -> StateDump | None:
    """The dump for ``window`` when ``DESIGNER_DEBUG_STATE`` names a file, else None."""
    path = os.environ.get(ENV)
    if not path:
        return None
    return StateDump(window, Path(path))
