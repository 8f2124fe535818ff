"""The selection: ids of selected items, shared by the plan, the panels and the actions."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class Selection(QObject):
    changed = Signal(list)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ids: list[str] = []

    @property
    def ids(self) -> list[str]:
        return list(self._ids)

    def set(self, ids) -> None:
        ids = list(dict.fromkeys(ids))
        if ids != self._ids:
            self._ids = ids
            self.changed.emit(list(ids))

    def clear(self) -> None:
        self.set([])

    def discard(self, gone) -> None:
        gone = set(gone)
        if any(i in gone for i in self._ids):
            self.set([i for i in self._ids if i not in gone])

    def __bool__(self) -> bool:
        return bool(self._ids)

    def __len__(self) -> int:
        return len(self._ids)
