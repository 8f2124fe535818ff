"""The document: the project being edited, its revision and its listeners.

Rules that keep snapshots cheap and views honest:

- The project is changed only by :class:`~designer.document.edits.Edit` objects applied
  through :meth:`Document.apply`.
- Values are replaced, never mutated in place: an edit of ``feed_a.phase`` puts a new
  ``Feed`` on the rack. So a snapshot only needs shallow copies of items and lists.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from designer.model.base import shallow_copy
from designer.model.project import Project, Site
from designer.model.registry import HALL_COLLECTIONS, ItemLoc, build_index, container


@dataclass
class Change:
    """What one applied edit changed. ``modified`` maps an id to its changed field paths;
    ``PROJECT`` stands for project-level fields (name, settings, ...)."""

    revision: int = 0
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: dict[str, set[str]] = field(default_factory=dict)

    PROJECT = "@project"

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.modified)

    @property
    def structural(self) -> bool:
        return bool(self.added or self.removed)


Listener = Callable[[Change], None]


class Document:
    """Holds a :class:`Project`; edits go through :meth:`apply`, listeners hear every change."""

    def __init__(self, project: Project | None = None, path: Path | None = None) -> None:
        self.project = project if project is not None else Project()
        self.path = path
        self.revision = 0
        self._listeners: list[Listener] = []
        self._index: dict[str, ItemLoc] | None = None
        self._pending: Change | None = None
        self._depth = 0

    # -- listeners -------------------------------------------------------------------------
    def subscribe(self, fn: Listener) -> None:
        self._listeners.append(fn)

    def unsubscribe(self, fn: Listener) -> None:
        if fn in self._listeners:
            self._listeners.remove(fn)

    # -- lookup --------------------------------------------------------------------------
    @property
    def index(self) -> dict[str, ItemLoc]:
        if self._index is None:
            self._index = build_index(self.project)
        return self._index

    def find(self, item_id: str) -> ItemLoc | None:
        loc = self.index.get(item_id)
        if loc is not None:
            # positions in lists move when others are removed; check and rebuild when stale
            lst = container(self.project, loc.collection, loc.site_index)
            if loc.index >= len(lst) or lst[loc.index] is not loc.item:
                self._index = None
                loc = self.index.get(item_id)
        return loc

    def item(self, item_id: str):
        loc = self.find(item_id)
        return None if loc is None else loc.item

    def site_of(self, item_id: str) -> Site | None:
        loc = self.find(item_id)
        if loc is None:
            return None
        if loc.kind == "site":
            return loc.item  # type: ignore[return-value]
        return None if loc.site_index is None else self.project.sites[loc.site_index]

    def site(self, site_id: str) -> Site | None:
        for s in self.project.sites:
            if s.id == site_id:
                return s
        return None

    def ids(self) -> set[str]:
        return set(self.index)

    # -- editing -------------------------------------------------------------------------
    def apply(self, edit) -> object:
        """Apply ``edit``; returns its inverse. Listeners hear one :class:`Change`."""
        self._begin()
        ok = False
        try:
            inverse = edit.apply(self)
            ok = True
        finally:
            self._end(discard=not ok)
        return inverse

    def _begin(self) -> None:
        if self._depth == 0:
            self._pending = Change()
        self._depth += 1

    def _end(self, discard: bool = False) -> None:
        self._depth -= 1
        if self._depth == 0 and self._pending is not None:
            change, self._pending = self._pending, None
            # a refused edit has undone whatever it did (edits check first, composites roll
            # back): the document is as it was, so there is nothing to hear
            if change.is_empty() or discard:
                return
            self.revision += 1
            change.revision = self.revision
            for fn in list(self._listeners):
                fn(change)

    # -- keeping the id index current without rebuilding it (O(n) per edit made paste,
    # delete and row edits O(n^2): 14,000 rebuilds in a 1,000-step session) ------------------
    def _reindex_list(self, coll, site_index) -> None:
        lst = container(self.project, coll, site_index)
        for i, it in enumerate(lst):
            loc = self._index.get(it.id)
            if loc is None or loc.item is it:
                self._index[it.id] = ItemLoc(coll, site_index, i, it)

    def _index_added(self, item, coll, site_index, position: int) -> None:
        if self._index is None:
            return
        if coll.kind == "site":
            self._index = None  # a site brings a hall and shifts the sites after it
            return
        lst = container(self.project, coll, site_index)
        if position == len(lst) - 1:
            self._index.setdefault(item.id, ItemLoc(coll, site_index, position, item))
        else:
            self._reindex_list(coll, site_index)

    def _index_removed(self, item, coll, site_index, position: int) -> None:
        if self._index is None:
            return
        if coll.kind == "site":
            self._index = None
            return
        loc = self._index.get(item.id)
        if loc is not None and loc.item is item:
            del self._index[item.id]
        if position < len(container(self.project, coll, site_index)):
            self._reindex_list(coll, site_index)

    def _note_added(self, item_id: str) -> None:
        assert self._pending is not None
        if item_id in self._pending.removed:
            self._pending.removed.remove(item_id)
            self._pending.modified.setdefault(item_id, set()).add("*")
        else:
            self._pending.added.append(item_id)

    def _note_removed(self, item_id: str) -> None:
        assert self._pending is not None
        if item_id in self._pending.added:
            self._pending.added.remove(item_id)
        else:
            self._pending.removed.append(item_id)
        self._pending.modified.pop(item_id, None)

    def _note_modified(self, item_id: str, fields: set[str]) -> None:
        assert self._pending is not None
        if item_id not in self._pending.added:
            self._pending.modified.setdefault(item_id, set()).update(fields)

    def replace_project(self, project: Project, path: Path | None = None) -> None:
        """Start over with another project (new / open). Not an edit: history is cleared
        by the owner of the undo stack."""
        old = list(self.index)
        self.project = project
        self.path = path
        self._index = None
        self.revision += 1
        change = Change(self.revision, added=list(self.index), removed=old)
        change.modified[Change.PROJECT] = {"*"}
        for fn in list(self._listeners):
            fn(change)

    # -- snapshots -----------------------------------------------------------------------
    def snapshot(self) -> Project:
        """A copy the analysis thread can read while the user keeps editing.

        Shallow per item: safe because edits replace values instead of mutating them.
        """
        return snapshot_project(self.project)


def snapshot_project(p: Project) -> Project:
    cp = shallow_copy
    sites = []
    for s in p.sites:
        hall = cp(s.hall)
        power = cp(hall.power)
        for name in ("sources", "transformers", "switchboards", "ups", "pdus", "busways", "taps"):
            object.__setattr__(power, name, [cp(it) for it in getattr(power, name)])
        object.__setattr__(hall, "power", power)
        for c in HALL_COLLECTIONS:
            if c.attrs[0] != "power":
                object.__setattr__(hall, c.attrs[0], [cp(it) for it in getattr(hall, c.attrs[0])])
        site = cp(s)
        object.__setattr__(site, "hall", hall)
        sites.append(site)
    out = cp(p)
    object.__setattr__(out, "sites", sites)
    object.__setattr__(out, "workloads", [cp(w) for w in p.workloads])
    object.__setattr__(out, "data_sources", [cp(d) for d in p.data_sources])
    object.__setattr__(out, "links", [cp(lk) for lk in p.links])
    return out
