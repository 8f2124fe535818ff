"""The editable document: revision counter, change notifications and undoable edits."""

from designer.document.document import Change, Document
from designer.document.edits import AddItem, Composite, Edit, RemoveItem, SetFields

__all__ = ["AddItem", "Change", "Composite", "Document", "Edit", "RemoveItem", "SetFields"]
