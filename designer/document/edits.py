"""Undoable edits. Each applies itself to a :class:`Document` and returns its inverse.

They know nothing of Qt: the app wraps them in ``QUndoCommand`` objects, tests apply
them directly. Composite edits make one undo step of many changes (a drag of a
selection, a delete with its pipes and feeds).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ValidationError

from designer.document.document import Change
from designer.model.base import DModel
from designer.model.hall import Hall
from designer.model.power import PowerChain
from designer.model.registry import BY_KIND, container


class EditError(ValueError):
    """An edit could not be applied (bad value, unknown id). The document is unchanged."""


def _resolve(obj: BaseModel, parts: list[str]) -> BaseModel:
    for p in parts:
        if not isinstance(obj, BaseModel) or p not in type(obj).model_fields:
            raise EditError(f"no field '{p}'")
        obj = getattr(obj, p)
        if obj is None:
            raise EditError(f"'{p}' is not set")
    return obj


def coerce(owner: BaseModel, path: str, value: Any) -> Any:
    """Validate ``value`` for field ``path`` of ``owner`` (raises :class:`EditError`)."""
    parts = path.split(".")
    leaf_owner = _resolve(owner, parts[:-1])
    name = parts[-1]
    if name not in type(leaf_owner).model_fields:
        raise EditError(f"{type(leaf_owner).__name__} has no field '{name}'")
    if isinstance(value, BaseModel):
        value = value.model_copy(deep=True)
    # validate exactly as the file does: the owner's own field schema and config (finite
    # numbers only, id patterns), on a shallow copy so the document is not touched yet
    probe = leaf_owner.model_copy()
    try:
        type(leaf_owner).__pydantic_validator__.validate_assignment(probe, name, value)
        return getattr(probe, name)
    except ValidationError as e:
        first = e.errors(include_url=False)[0]
        raise EditError(f"{path}: {first['msg']}") from None


def _set_path(obj: BaseModel, parts: list[str], value: Any) -> Any:
    """Set a dotted field, copying nested value objects instead of mutating them."""
    name = parts[0]
    if len(parts) == 1:
        old = getattr(obj, name)
        setattr(obj, name, value)
        return old
    child = getattr(obj, name)
    if isinstance(child, (Hall, PowerChain)):
        return _set_path(child, parts[1:], value)  # containers: snapshot copies them
    new_child = child.model_copy()
    old = _set_path(new_child, parts[1:], value)
    setattr(obj, name, new_child)
    return old


class Edit:
    """Base of all edits."""

    label: str = "Edit"

    def apply(self, doc) -> Edit:  # pragma: no cover - abstract
        raise NotImplementedError


@dataclass
class SetFields(Edit):
    """Set fields of one item (``target`` is its id) or of the project (``target`` None).

    ``values`` maps dotted field paths to new values: ``{"x": 3.0, "feed_a.phase": "L2"}``.
    """

    target: str | None
    values: dict[str, Any]
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            what = ", ".join(self.values)
            self.label = f"Set {what}" + (f" of {self.target}" if self.target else "")

    def owner(self, doc) -> BaseModel:
        if self.target is None:
            return doc.project
        obj = doc.item(self.target)
        if obj is None:
            raise EditError(f"no item with id '{self.target}'")
        return obj

    def apply(self, doc) -> SetFields:
        owner = self.owner(doc)
        new = {p: coerce(owner, p, v) for p, v in self.values.items()}
        if "id" in new:
            raise EditError("ids cannot be changed by a field edit")
        old = {}
        for p, v in new.items():
            old[p] = _set_path(owner, p.split("."), v)
        doc._note_modified(self.target or Change.PROJECT, set(new))
        return SetFields(self.target, old, self.label)

    def merge_key(self) -> tuple:
        return (self.target, tuple(sorted(self.values)))


@dataclass
class AddItem(Edit):
    """Insert ``item`` of ``kind`` (into site ``site_id`` for hall items) at ``index``."""

    kind: str
    item: DModel
    site_id: str | None = None
    index: int | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            self.label = f"Add {BY_KIND[self.kind].label.lower()} {self.item.id}"

    def apply(self, doc) -> RemoveItem:
        coll = BY_KIND[self.kind]
        if not isinstance(self.item, coll.type):
            raise EditError(f"a {self.kind} must be a {coll.type.__name__}")
        if doc.find(self.item.id) is not None:
            raise EditError(f"id '{self.item.id}' is already used")
        si = None
        if coll.scope == "hall":
            si = next((i for i, s in enumerate(doc.project.sites) if s.id == self.site_id), None)
            if si is None:
                raise EditError(f"no site with id '{self.site_id}'")
        lst = container(doc.project, coll, si)
        idx = len(lst) if self.index is None else max(0, min(self.index, len(lst)))
        lst.insert(idx, self.item)
        doc._index_added(self.item, coll, si, idx)
        doc._note_added(self.item.id)
        return RemoveItem(self.item.id, label=self.label)


@dataclass
class RemoveItem(Edit):
    item_id: str
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            self.label = f"Remove {self.item_id}"

    def apply(self, doc) -> AddItem:
        loc = doc.find(self.item_id)
        if loc is None:
            raise EditError(f"no item with id '{self.item_id}'")
        site_id = None if loc.site_index is None else doc.project.sites[loc.site_index].id
        lst = container(doc.project, loc.collection, loc.site_index)
        del lst[loc.index]
        doc._index_removed(loc.item, loc.collection, loc.site_index, loc.index)
        doc._note_removed(self.item_id)
        return AddItem(loc.kind, loc.item, site_id, loc.index, label=self.label)


@dataclass
class Composite(Edit):
    """Several edits as one undo step. If one fails, those already applied are undone."""

    edits: list[Edit] = field(default_factory=list)
    label: str = "Edit"

    def apply(self, doc) -> Composite:
        inverses: list[Edit] = []
        try:
            for e in self.edits:
                inverses.append(e.apply(doc))
        except Exception:
            for inv in reversed(inverses):
                inv.apply(doc)
            raise
        return Composite(list(reversed(inverses)), self.label)

    def __bool__(self) -> bool:
        return bool(self.edits)
