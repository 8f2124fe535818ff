"""Grouping on the plan: what a selection means when it holds modules and their members,
and the edits that put items into a module or take them out of it.

A module and its members (the items whose ``module_id`` names it, see
:mod:`designer.document.assembly`) behave as one group: selecting the module selects the
assembly. These helpers keep a selection at its *top level* (a member whose module is also
selected is implied by it, so move, rotate and copy act on the module once and turn it about
its own origin) and build the two membership edits the editor offers.
"""

from __future__ import annotations

from collections.abc import Iterable

from designer.document.assembly import inside_module, members
from designer.document.document import Document
from designer.document.edits import Composite, Edit, SetFields
from designer.document.geometry import rotate_values, translate_values
from designer.model import hall as h


def module_of(doc: Document, item_id: str) -> str | None:
    """The id of the module the item belongs to (None for a module or a free item)."""
    it = doc.item(item_id)
    mid = getattr(it, "module_id", None) if it is not None else None
    return mid if mid is not None and doc.item(mid) is not None else None


def top_level(doc: Document, ids: Iterable[str]) -> list[str]:
    """The ids without members whose module is among them (order kept)."""
    ids = list(dict.fromkeys(ids))
    chosen = set(ids)
    return [i for i in ids if module_of(doc, i) not in chosen]


def modules_involved(doc: Document, ids: Iterable[str]) -> list[str]:
    """Modules that are selected or own a selected item, each once."""
    out: dict[str, None] = {}
    for i in ids:
        it = doc.item(i)
        if isinstance(it, h.Module):
            out[i] = None
        elif (mid := module_of(doc, i)) is not None:
            out[mid] = None
    return list(out)


def add_to_module(doc: Document, ids: Iterable[str]) -> Composite:
    """Put items into a module, as one edit.

    With one module and other items in ``ids``, those items join the module (a member of
    another module moves over). With the module alone, what stands wholly inside its
    footprint and belongs to no module yet joins it (pipes when both their ends do).
    """
    ids = list(ids)
    mods = [i for i in ids if isinstance(doc.item(i), h.Module)]
    if len(mods) != 1:
        return Composite([], "Add to module")
    mid = mods[0]
    module = doc.item(mid)
    site = doc.site_of(mid)
    others = [i for i in ids if i != mid and doc.item(i) is not None]
    if others:
        if any(doc.site_of(i) is not site for i in others):
            return Composite([], "Add to module")
        targets = [i for i in others if "module_id" in type(doc.item(i)).model_fields
                   and doc.item(i).module_id != mid]
    else:
        targets = [it.id for it in inside_module(site.hall, module)]
    edits = [SetFields(i, {"module_id": mid}) for i in targets]
    n = len(edits)
    return Composite(edits, f"Add {n} item{'s' if n != 1 else ''} to {module.name or mid}")


def detach_from_module(doc: Document, ids: Iterable[str]) -> Composite:
    """Take items out of their module (they stay where they are), as one edit. A selected
    module lets go of all its members (its box stays, empty)."""
    targets: dict[str, None] = {}
    for i in ids:
        it = doc.item(i)
        if isinstance(it, h.Module):
            for m in members(doc, i):
                targets[m] = None
        elif getattr(it, "module_id", None) is not None:
            targets[i] = None
    edits = [SetFields(i, {"module_id": None}) for i in targets]
    n = len(edits)
    return Composite(edits, f"Detach {n} item{'s' if n != 1 else ''} from their module")


def with_contents(doc: Document, edit: Edit) -> Edit:
    """``edit`` with a module's members carried along wherever it moves or turns the module
    by setting its ``x``, ``y`` or ``rotation_deg`` (align, distribute, an exact rotation, a
    typed position): the assembly stays together. Members the edit sets itself are left to it.
    """
    edits = list(edit.edits) if isinstance(edit, Composite) else [edit]
    targeted = {e.target for e in edits if isinstance(e, SetFields)}
    extra: list[Edit] = []
    for e in edits:
        if not isinstance(e, SetFields) or e.target is None:
            continue
        mod = doc.item(e.target)
        if not isinstance(mod, h.Module):
            continue
        try:
            dx = float(e.values.get("x", mod.x)) - mod.x
            dy = float(e.values.get("y", mod.y)) - mod.y
            drot = float(e.values.get("rotation_deg", mod.rotation_deg)) - mod.rotation_deg
        except (TypeError, ValueError):
            continue  # the edit itself will refuse the value
        if not (dx or dy or drot):
            continue
        for mid in members(doc, mod.id):
            if mid in targeted:
                continue
            item = doc.item(mid)
            vals: dict = {}
            if drot:
                vals.update(rotate_values(item, (mod.x, mod.y), drot))
                item = item.model_copy(update=vals)
            if dx or dy:
                vals.update(translate_values(item, dx, dy))
            if vals:
                extra.append(SetFields(mid, vals))
    if not extra:
        return edit
    return Composite(edits + extra, edit.label)
