"""References between hall items, in one place: which fields hold ids, and how to rewrite them.

Copy and paste, placing a module template and saving a selection as a template all copy
items and must point the copies' references at the copies. Deleting must clear references
to what went. Each of them asks this module instead of knowing the fields itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from designer.model import hall as h
from designer.model.base import DModel

Remap = Callable[[str], str | None]
"""Old id -> new id, or None to clear the reference (drop it from a list)."""


def references(item: DModel) -> Iterator[tuple[str, str]]:
    """(field path, id) of every reference the hall item holds."""
    for name in ("module_id", "rack_id", "facility_id", "upstream_id", "alternate_upstream_id", "busway_id"):
        v = getattr(item, name, None)
        if isinstance(v, str):
            yield name, v
    for side in ("feed_a", "feed_b"):
        f = getattr(item, side, None)
        if isinstance(f, h.Feed):
            yield f"{side}.source_id", f.source_id
    if isinstance(item, h.Pipe):
        yield "start.item_id", item.start.item_id
        yield "end.item_id", item.end.item_id
    if isinstance(item, h.Module):
        for k, c in enumerate(item.connections):
            for j, ref in enumerate(c.item_ids):
                yield f"connections[{k}].item_ids[{j}]", ref


def remapped(item: DModel, remap: Remap) -> dict:
    """Field updates that point the item's references through ``remap``.

    A reference that maps to None is cleared: an optional id becomes None, a feed is
    removed, a module connection forgets the item. Pipe ends are required, so a pipe whose
    end maps to None gets ``{"_drop": True}``: the caller leaves the pipe out.
    """
    upd: dict = {}
    for name in ("module_id", "rack_id", "facility_id", "upstream_id", "alternate_upstream_id", "busway_id"):
        v = getattr(item, name, None)
        if isinstance(v, str):
            new = remap(v)
            if new != v:
                upd[name] = new
    for side in ("feed_a", "feed_b"):
        f = getattr(item, side, None)
        if isinstance(f, h.Feed):
            new = remap(f.source_id)
            if new != f.source_id:
                upd[side] = None if new is None else f.model_copy(update={"source_id": new})
    if isinstance(item, h.Pipe):
        s, e = remap(item.start.item_id), remap(item.end.item_id)
        if s is None or e is None:
            return {"_drop": True}
        if s != item.start.item_id:
            upd["start"] = item.start.model_copy(update={"item_id": s})
        if e != item.end.item_id:
            upd["end"] = item.end.model_copy(update={"item_id": e})
    if isinstance(item, h.Module) and item.connections:
        conns = []
        changed = False
        for c in item.connections:
            ids = [n for n in (remap(r) for r in c.item_ids) if n is not None]
            changed |= ids != c.item_ids
            conns.append(c.model_copy(update={"item_ids": ids}))
        if changed:
            upd["connections"] = conns
    if "busway_id" in upd and upd["busway_id"] is None:
        return {"_drop": True}  # a tap cannot live without its busway
    return upd
