"""Undo commands: a thin QUndoCommand around a Qt-free document edit."""

from __future__ import annotations

import time

from PySide6.QtGui import QUndoCommand

from designer.document.document import Document
from designer.document.edits import Composite, Edit, SetFields

MERGE_ID = 1001
NUDGE = "Nudge"
MERGE_WINDOW_S = 2.0


class EditCommand(QUndoCommand):
    """Applies ``edit`` on redo and its inverse on undo.

    Repeated :class:`SetFields` edits of the same fields of the same item merge into one
    step (spin-box typing, slider drags), and so do arrow-key nudges of the same selection,
    if they follow each other within two seconds.
    """

    def __init__(self, doc: Document, edit: Edit, label: str | None = None) -> None:
        super().__init__(label or edit.label)
        self.doc = doc
        self.forward = edit
        self.inverse: Edit | None = None
        self.stamp = time.monotonic()

    def redo(self) -> None:
        self.inverse = self.doc.apply(self.forward)

    def undo(self) -> None:
        assert self.inverse is not None
        self.forward = self.doc.apply(self.inverse)

    def _key(self):
        e = self.forward
        if self.text() == NUDGE and isinstance(e, Composite) and all(isinstance(x, SetFields) for x in e.edits):
            # arrow-key nudges of one selection merge like typing: values are absolute positions
            return (NUDGE, tuple(sorted(x.merge_key() for x in e.edits)))
        if isinstance(e, Composite) and len(e.edits) == 1:
            e = e.edits[0]
        return e.merge_key() if isinstance(e, SetFields) else None

    def id(self) -> int:  # noqa: A003 - Qt API
        return MERGE_ID if self._key() is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt API
        if not isinstance(other, EditCommand) or other._key() != self._key():
            return False
        if other.text() != self.text():
            return False  # two different commands (detach, then add back) stay two steps
        if other.stamp - self.stamp > MERGE_WINDOW_S:
            return False
        # self.inverse restores the state before both; other's forward is the new state
        self.forward = other.forward
        self.stamp = other.stamp
        return True
