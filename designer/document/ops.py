"""Edit builders: the operations the editor offers, each returning one undoable edit.

Every function reads the document and returns an :class:`~designer.document.edits.Edit`
(usually a :class:`Composite`) without applying it; the caller pushes it on the undo stack.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from designer.document.assembly import members, place_module, with_members
from designer.document.document import Document
from designer.document.edits import AddItem, Composite, Edit, RemoveItem, SetFields
from designer.document.geometry import bounds, rotate_values, translate_values, union_bounds
from designer.document.refs import remapped
from designer.model import hall as h
from designer.model import power as p
from designer.model.base import DModel, Placed, Point, to_plan
from designer.model.catalog import CatalogEntry, ModuleType, RackType
from designer.model.factory import instantiate
from designer.model.registry import BY_KIND, BY_TYPE, iter_items, new_id
from designer.model.validate import point_in_polygon


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


# -- move / rotate ---------------------------------------------------------------------------
def move_items(doc: Document, ids: Iterable[str], dx: float, dy: float) -> Composite:
    """Shift the items by (dx, dy): one undo step for the whole selection. A module moves
    with everything in it."""
    edits = []
    ids = with_members(doc, ids)
    for i in ids:
        it = doc.item(i)
        if it is None:
            continue
        vals = translate_values(it, dx, dy)
        if vals:
            edits.append(SetFields(i, vals))
    return Composite(edits, f"Move {_plural(len(edits), 'item')}")


def set_positions(doc: Document, positions: dict[str, Point], label: str = "") -> Composite:
    """Move each item so its anchor lands on the given point (drag release). A module's
    members not given a position of their own move by the module's displacement."""
    edits = []
    for i, (x, y) in positions.items():
        it = doc.item(i)
        if it is None:
            continue
        if isinstance(it, (Placed, h.Junction)):
            if (it.x, it.y) != (x, y):
                edits.append(SetFields(i, {"x": x, "y": y}))
            if isinstance(it, h.Module) and (it.x, it.y) != (x, y):
                dx, dy = x - it.x, y - it.y
                for m in members(doc, i):
                    if m not in positions and (vals := translate_values(doc.item(m), dx, dy)):
                        edits.append(SetFields(m, vals))
    return Composite(edits, label or f"Move {_plural(len(edits), 'item')}")


def rotate_items(doc: Document, ids: Iterable[str], deg: float) -> Composite:
    """Turn the selection by ``deg`` about its centre (a single item, or a single module with
    its contents, about its own)."""
    ids = list(ids)
    single = [i for i in ids if doc.item(i) is not None]
    items = [(i, doc.item(i)) for i in with_members(doc, ids)]
    items = [(i, it) for i, it in items if it is not None]
    if not items:
        return Composite([], "Rotate")
    if len(single) == 1 and isinstance(doc.item(single[0]), Placed):
        c = (doc.item(single[0]).x, doc.item(single[0]).y)
    else:
        bb = union_bounds([it for _, it in items])
        if bb is None:
            return Composite([], "Rotate")
        c = ((bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2)
    edits = [SetFields(i, v) for i, it in items if (v := rotate_values(it, c, deg))]
    return Composite(edits, f"Rotate {_plural(len(edits), 'item')} by {deg:g} deg")


def rotate_each(doc: Document, ids: Iterable[str], deg: float) -> Composite:
    """Turn every selected item by ``deg`` about its own centre, each staying in place (a
    module with its contents about the module's centre); :func:`rotate_items` turns the
    group about the group's centre instead."""
    ids = list(ids)
    edits: list = []
    for i in ids:
        it = doc.item(i)
        if it is None:
            continue
        if isinstance(it, Placed):
            c = (it.x, it.y)
        else:
            bb = union_bounds([it])
            if bb is None:
                continue
            c = ((bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2)
        for j in with_members(doc, [i]):
            m = doc.item(j)
            if m is not None and (v := rotate_values(m, c, deg)):
                edits.append(SetFields(j, v))
    return Composite(edits, f"Rotate each of {_plural(len(ids), 'item')} by {deg:g} deg in place")


def payload_centre(payload: list[dict]) -> Point | None:
    """The centre of the bounds of clipboard items (where a paste at the cursor puts them)."""
    items = []
    for entry in payload:
        coll = BY_KIND.get(entry["kind"])
        if coll is None:
            continue
        try:
            items.append(coll.type.model_validate(entry["data"]))
        except Exception:  # noqa: BLE001 - an entry that does not load is skipped by the paste too
            continue
    bb = union_bounds(items)
    return None if bb is None else ((bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2)


def set_rotation(doc: Document, ids: Iterable[str], deg: float) -> Composite:
    edits = [SetFields(i, {"rotation_deg": deg % 360.0}) for i in ids
             if isinstance(doc.item(i), Placed)]
    return Composite(edits, f"Set rotation to {deg:g} deg")


def align_items(doc: Document, ids: Iterable[str], how: str) -> Composite:
    """Align bounding boxes: left, right, top, bottom, hcenter, vcenter."""
    items = [(i, doc.item(i)) for i in ids]
    items = [(i, it, bounds(it)) for i, it in items if it is not None and bounds(it) is not None]
    if len(items) < 2:
        return Composite([], "Align")
    bb = union_bounds([it for _, it, _ in items])
    edits = []
    for i, it, b in items:
        dx = dy = 0.0
        if how == "left":
            dx = bb[0] - b[0]
        elif how == "right":
            dx = bb[2] - b[2]
        elif how == "bottom":
            dy = bb[1] - b[1]
        elif how == "top":
            dy = bb[3] - b[3]
        elif how == "hcenter":
            dx = (bb[0] + bb[2]) / 2 - (b[0] + b[2]) / 2
        elif how == "vcenter":
            dy = (bb[1] + bb[3]) / 2 - (b[1] + b[3]) / 2
        else:
            raise ValueError(f"unknown alignment {how!r}")
        if abs(dx) > 1e-12 or abs(dy) > 1e-12:
            edits.append(SetFields(i, translate_values(it, dx, dy)))
    return Composite(edits, f"Align {how}")


def distribute_items(doc: Document, ids: Iterable[str], axis: str) -> Composite:
    """Spread the selection so the gaps between neighbours are equal along x or y."""
    items = [(i, doc.item(i)) for i in ids]
    items = [(i, it, bounds(it)) for i, it in items if it is not None and bounds(it) is not None]
    if len(items) < 3:
        return Composite([], "Distribute")
    k0, k1 = (0, 2) if axis == "x" else (1, 3)
    items.sort(key=lambda t: t[2][k0])
    first, last = items[0][2], items[-1][2]
    total = sum(b[k1] - b[k0] for _, _, b in items)
    gap = ((last[k1] - first[k0]) - total) / (len(items) - 1)
    pos = first[k0]
    edits = []
    for i, it, b in items:
        d = pos - b[k0]
        if abs(d) > 1e-12:
            edits.append(SetFields(i, translate_values(it, d, 0.0) if axis == "x"
                                   else translate_values(it, 0.0, d)))
        pos += (b[k1] - b[k0]) + gap
    return Composite(edits, f"Distribute along {axis}")


# -- delete with cascade --------------------------------------------------------------------
def cascade(doc: Document, ids: Iterable[str]) -> set[str]:
    """The ids that go when ``ids`` go: a site's hall contents, a module's racks, a rack's
    rear doors, the pipes on deleted ports, junctions left with no pipe, a busway's taps."""
    gone = {i for i in ids if doc.find(i) is not None}
    sites_gone = {si for si, s in enumerate(doc.project.sites) if s.id in gone}
    for loc in iter_items(doc.project):  # a site takes its hall with it
        if loc.site_index in sites_gone:
            gone.add(loc.item.id)
    changed = True
    while changed:
        changed = False
        for loc in iter_items(doc.project):
            it = loc.item
            if it.id in gone:
                continue
            hit = (
                (getattr(it, "module_id", None) in gone)
                or (isinstance(it, h.AirUnit) and it.rack_id in gone)
                or (isinstance(it, h.Pipe) and (it.start.item_id in gone or it.end.item_id in gone))
                or (isinstance(it, p.BuswayTap) and it.busway_id in gone)
                or (loc.kind == "link" and (it.a in gone or it.b in gone))
            )
            if hit:
                gone.add(it.id)
                changed = True
    # a junction left with no pipe at all goes too (it only existed to join them)
    pipes_at: dict[str, list[str]] = {}
    for loc in iter_items(doc.project):
        if isinstance(loc.item, h.Pipe):
            for end in (loc.item.start.item_id, loc.item.end.item_id):
                pipes_at.setdefault(end, []).append(loc.item.id)
    for loc in iter_items(doc.project):
        it = loc.item
        if isinstance(it, h.Junction) and it.id not in gone:
            ps = pipes_at.get(it.id, [])
            if ps and all(pid in gone for pid in ps):
                gone.add(it.id)
    return gone


def delete_items(doc: Document, ids: Iterable[str]) -> Composite:
    """Remove the items with everything that cannot live without them, and clear
    references to them elsewhere: one undo step."""
    gone = cascade(doc, ids)
    if not gone:
        return Composite([], "Delete")
    clears: list[Edit] = []
    for loc in iter_items(doc.project):
        it = loc.item
        if it.id in gone:
            continue
        vals = {}
        if loc.collection.scope == "hall":
            vals = remapped(it, lambda r: None if r in gone else r)
            vals.pop("_drop", None)  # (pipes and taps on gone items are gone themselves)
        if loc.kind == "workload":
            if it.pinned_module_id in gone:
                vals["pinned_module_id"] = None
            if it.data_source_id in gone:
                vals["data_source_id"] = None
        if loc.kind == "data_source" and it.site_id in gone:
            vals["site_id"] = None
        if loc.kind == "site" and it.core_site_id in gone:
            vals["core_site_id"] = None
        if vals:
            clears.append(SetFields(it.id, vals))
    # remove children before parents (sites last) so undo restores parents first; within
    # a list, from the back, so each recorded index is the item's original position
    rank = {"module": 1, "busway": 1, "site": 2}
    order = sorted(gone, key=lambda i: (rank.get(doc.find(i).kind, 0), -doc.find(i).index))
    removes = [RemoveItem(i) for i in order]
    return Composite(clears + removes, f"Delete {_plural(len(gone), 'item')}")


# -- add / duplicate / paste ------------------------------------------------------------------
def module_at(doc: Document, site_id: str, x: float, y: float) -> str | None:
    site = doc.site(site_id)
    if site is None:
        return None
    for m in site.hall.modules:
        if point_in_polygon((x, y), m.corners()):
            return m.id
    return None


def place_entry(doc: Document, site_id: str, entry: CatalogEntry, x: float, y: float,
                rotation_deg: float = 0.0) -> Composite:
    """Place a catalog entry. A module comes with all its contents (one edit); an item
    dropped inside a placed module joins it."""
    if isinstance(entry, ModuleType):
        return place_module(doc, site_id, entry, x, y, rotation_deg)
    kind = BY_TYPE[type(instantiate(entry, "tmp"))].kind
    taken = doc.ids()
    iid = new_id(BY_KIND[kind].prefix, taken)
    item = instantiate(entry, iid, x, y, rotation_deg, name=_next_name(doc, site_id, entry, kind))
    if "module_id" in type(item).model_fields:
        item.module_id = module_at(doc, site_id, x, y)
    if isinstance(item, h.AirUnit) and item.kind == "rear_door":
        # a rear door dropped on a rack is mounted on that rack's rear face
        rack = rack_at(doc, site_id, x, y)
        if rack is not None:
            item.rack_id = rack.id
            item.x, item.y = to_plan(0.0, -(rack.depth_m + item.depth_m) / 2, rack)
            item.rotation_deg = rack.rotation_deg
    return Composite([AddItem(kind, item, site_id)], f"Place {entry.name}")


def _module_holding(doc: Document, site_id: str, item: Placed) -> str | None:
    """The module whose footprint holds the item's whole footprint (else the one under its
    centre, as a drop does)."""
    site = doc.site(site_id)
    if site is None:
        return None
    for m in site.hall.modules:
        poly = m.corners()
        if all(point_in_polygon(c, poly) for c in item.corners()):
            return m.id
    return module_at(doc, site_id, item.x, item.y)


def rack_at(doc: Document, site_id: str, x: float, y: float) -> h.Rack | None:
    """The rack whose footprint holds the point (x, y), if any."""
    site = doc.site(site_id)
    if site is None:
        return None
    for r in site.hall.racks:
        if point_in_polygon((x, y), r.corners()):
            return r
    return None


def _next_name(doc: Document, site_id: str, entry: CatalogEntry, kind: str) -> str:
    site = doc.site(site_id)
    prefix = {"rack": "R", "module": "M", "cdu": "CDU", "air_unit": "AHU", "ups": "UPS",
              "pdu": "PDU", "transformer": "TX", "switchboard": "SWB", "busway": "BW",
              "water_supply": "FW", "floor_tile": "TILE", "ceiling_grille": "GRILLE"}.get(kind, kind)
    if kind == "source":
        prefix = "GEN" if getattr(entry, "kind", "") == "generator" else "UTIL"
    names = set()
    if site is not None:
        for loc in iter_items(doc.project):
            if loc.site_index is not None and doc.project.sites[loc.site_index] is site:
                names.add(getattr(loc.item, "name", ""))
    n = 1
    while f"{prefix}{n:02d}" in names:
        n += 1
    return f"{prefix}{n:02d}"


def copy_payload(doc: Document, ids: Iterable[str]) -> list[dict]:
    """The selection as plain data for the clipboard (kind and fields of each item); a
    module comes with its contents."""
    out = []
    for i in with_members(doc, ids):
        loc = doc.find(i)
        if loc is not None and loc.collection.scope == "hall":
            out.append({"kind": loc.kind, "data": loc.item.model_dump(mode="json")})
    return out


def paste_payload(doc: Document, site_id: str, payload: list[dict], dx: float = 1.0,
                  dy: float = -1.0) -> Composite:
    """Add copies of clipboard items with new ids, shifted by (dx, dy).

    References between pasted items are remapped; references to items outside the
    paste are kept when they exist in the target site, else cleared. Pipes come along
    only when both their ends do (or the ends exist in the site).
    """
    taken = set(doc.ids())
    site = doc.site(site_id)
    if site is None:
        raise ValueError(f"no site '{site_id}'")
    site_ids = {loc.item.id for loc in iter_items(doc.project)
                if loc.site_index is not None and doc.project.sites[loc.site_index] is site}
    remap: dict[str, str] = {}
    items: list[tuple[str, DModel]] = []
    for entry in payload:
        kind = entry["kind"]
        coll = BY_KIND[kind]
        item = coll.type.model_validate(entry["data"])
        nid = new_id(coll.prefix, taken)
        taken.add(nid)
        remap[item.id] = nid
        items.append((kind, item))

    def ref(old: str | None) -> str | None:
        if old is None:
            return None
        if old in remap:
            return remap[old]
        return old if old in site_ids else None

    edits: list[Edit] = []
    names = _site_names(doc, site)
    renamed: dict[str, str] = {}  # module name -> its copy's name (members follow it)
    for kind, item in items:
        if kind == "module" and item.name:
            renamed[item.name] = _free_name(item.name, names)
    for kind, item in items:
        upd = remapped(item, ref)
        if upd.pop("_drop", False):
            continue
        upd["id"] = remap[item.id]
        upd.update(translate_values(item, dx, dy))
        name = getattr(item, "name", "")
        if name:
            if kind == "module":
                upd["name"] = renamed[name]
            else:
                head, sep, tail = name.partition("-")
                if sep and head in renamed and getattr(item, "module_id", None) in remap:
                    upd["name"] = _free_name(f"{renamed[head]}-{tail}", names)
                else:
                    upd["name"] = _free_name(name, names)
        edits.append(AddItem(kind, item.model_copy(update=upd), site_id))
    return Composite(edits, f"Paste {_plural(len(edits), 'item')}")


def _site_names(doc: Document, site) -> set[str]:
    return {getattr(loc.item, "name", "") for loc in iter_items(doc.project)
            if loc.site_index is not None and doc.project.sites[loc.site_index] is site}


def _free_name(name: str, taken: set[str]) -> str:
    """``name`` if free, else the next free number in its place: R13 -> R14 (R13 and R14
    taken -> R15), CDU-1A -> CDU-2A is not guessed: a name without a trailing number gets
    " (2)", " (3)", ... The result is added to ``taken``."""
    if name not in taken:
        taken.add(name)
        return name
    m = re.match(r"^(.*?)(\d+)$", name)
    if m:
        head, digits = m.group(1), m.group(2)
        n = int(digits) + 1
        while f"{head}{n:0{len(digits)}d}" in taken:
            n += 1
        out = f"{head}{n:0{len(digits)}d}"
    else:
        n = 2
        while f"{name} ({n})" in taken:
            n += 1
        out = f"{name} ({n})"
    taken.add(out)
    return out


def duplicate_items(doc: Document, ids: Iterable[str], dx: float = 1.0, dy: float = -1.0) -> Composite:
    ids = list(ids)
    if not ids:
        return Composite([], "Duplicate")
    site = doc.site_of(ids[0])
    if site is None:
        return Composite([], "Duplicate")
    # take pipes whose both ends are duplicated along (in plan order, so the new ids do not
    # depend on set iteration order)
    ids = with_members(doc, ids)
    sel = set(ids)
    order = list(ids) + [pipe.id for pipe in site.hall.pipes if pipe.id not in sel
                         and pipe.start.item_id in sel and pipe.end.item_id in sel]
    c = paste_payload(doc, site.id, copy_payload(doc, order), dx, dy)
    c.label = c.label.replace("Paste", "Duplicate")
    return c


# -- rows and containment ---------------------------------------------------------------------
def aisle_width(doc: Document, entry: RackType, aisle: str = "cold") -> float:
    """The aisle two rows of ``entry`` need: a cold aisle both rows face takes the rack's front
    clearance, a hot aisle both rows turn their backs to its rear clearance; where the entry
    gives none, the project's minimum cold / hot aisle."""
    st = doc.project.settings
    if aisle == "hot":
        return entry.clearance_rear_m if entry.clearance_rear_m > 0 else st.min_hot_aisle_m
    return entry.clearance_front_m if entry.clearance_front_m > 0 else st.min_cold_aisle_m


def rack_rows(doc: Document, site_id: str, entry: RackType, x0: float, y0: float, count: int,
              pitch_m: float | None = None, rows: int = 2, aisle_m: float | None = None,
              aisle: str = "cold", contain: bool = False) -> Composite:
    """``rows`` (1 or 2) rows of ``count`` racks starting at (x0, y0) (the first rack's
    outer corner), ``pitch_m`` apart along x. Two rows face each other across a cold
    aisle (``aisle="cold"``) or turn their backs to a hot aisle (``"hot"``);
    ``contain`` adds containment over that aisle. ``aisle_m`` None takes the width the
    entry's clearances ask for (:func:`aisle_width`). A rack that stands in a module
    joins it."""
    if count < 1 or rows not in (1, 2):
        raise ValueError("count must be 1 or more and rows 1 or 2")
    if aisle_m is None:
        aisle_m = aisle_width(doc, entry, aisle)
    pitch = pitch_m if pitch_m is not None else entry.width_m
    w, d = entry.width_m, entry.depth_m
    taken = set(doc.ids())
    names = set()
    site = doc.site(site_id)
    if site is None:
        raise ValueError(f"no site '{site_id}'")
    for r in site.hall.racks:
        names.add(r.name)
    edits: list[Edit] = []
    # row 0 below the aisle, row 1 above it
    rot = (0.0, 180.0) if aisle == "cold" else (180.0, 0.0)
    ys = (y0 + d / 2, y0 + d + aisle_m + d / 2)
    n = 1
    for row in range(rows):
        for k in range(count):
            iid = new_id("rack", taken)
            taken.add(iid)
            while f"R{n:02d}" in names:
                n += 1
            names.add(f"R{n:02d}")
            x = x0 + w / 2 + k * pitch
            rack = instantiate(entry, iid, x, ys[row], rot[row], name=f"R{n:02d}")
            rack.module_id = _module_holding(doc, site_id, rack)
            edits.append(AddItem("rack", rack, site_id))
    if contain and rows == 2:
        cid = new_id("cont", taken)
        x1 = x0 + (count - 1) * pitch + w
        poly = [(x0, y0 + d), (x1, y0 + d), (x1, y0 + d + aisle_m), (x0, y0 + d + aisle_m)]
        edits.append(AddItem("containment", h.Containment(id=cid, name=f"{aisle} aisle",
                                                          kind=aisle, polygon=poly), site_id))
    return Composite(edits, f"Add {_plural(rows * count, 'rack')} in {_plural(rows, 'row')}")
