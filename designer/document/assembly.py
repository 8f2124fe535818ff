"""Modules as assemblies: their members, placing a template, and a template from a selection.

A module is what a vendor ships: a tested assembly. In the document it is a :class:`Module`
plus the hall items whose ``module_id`` names it (racks, CDUs and their piped loop, air units,
containment, PDUs or busways with taps, ...). This module knows

- which items belong to a module (:func:`members`) and how a selection grows to whole
  assemblies (:func:`with_members`), so move, rotate, copy and delete act on all of it;
- how a catalog template (:class:`ModuleType` with ``contents`` and ``connections`` in the
  module's own frame) is placed: every item copied with a fresh id, turned and moved with the
  module, its references pointed at the copies, all in one undoable edit (:func:`place_module`);
- how a selection becomes a template (:func:`template_from_selection`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from designer.document.document import Document
from designer.document.edits import AddItem, Composite, Edit
from designer.document.geometry import rotate_values, translate_values, union_bounds
from designer.document.refs import remapped
from designer.model import hall as h
from designer.model.base import DModel, Placed
from designer.model.catalog import ModuleContents, ModuleType
from designer.model.factory import instantiate
from designer.model.registry import BY_KIND, BY_TYPE, HALL_COLLECTIONS, hall_container

CONTENT_KINDS: tuple[str, ...] = tuple(
    BY_TYPE[f.annotation.__args__[0]].kind for f in ModuleContents.model_fields.values())
"""Item kinds a module can hold, in the order :class:`ModuleContents` lists them."""

_CONTENT_ATTR = {BY_TYPE[f.annotation.__args__[0]].kind: name for name, f in ModuleContents.model_fields.items()}


# -- membership --------------------------------------------------------------------------------
def members(doc: Document, module_id: str) -> list[str]:
    """Ids of the items that belong to the module, in file order."""
    site = doc.site_of(module_id)
    if site is None:
        return []
    out = []
    for coll in HALL_COLLECTIONS:
        if coll.kind == "module":
            continue
        for it in hall_container(site.hall, coll):
            if getattr(it, "module_id", None) == module_id:
                out.append(it.id)
    return out


def with_members(doc: Document, ids: Iterable[str]) -> list[str]:
    """The ids, each module followed by its members (each id once, order kept)."""
    out: list[str] = []
    seen: set[str] = set()
    for i in ids:
        if i in seen:
            continue
        seen.add(i)
        out.append(i)
        loc = doc.find(i)
        if loc is not None and loc.kind == "module":
            for m in members(doc, i):
                if m not in seen:
                    seen.add(m)
                    out.append(m)
    return out


def module_of(doc: Document, item_id: str) -> str | None:
    it = doc.item(item_id)
    return getattr(it, "module_id", None) if it is not None else None


# -- placing a template ------------------------------------------------------------------------
class _Ids:
    """Fresh ids ``prefix-N``, counting on from the highest N in use (fast for big halls)."""

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.next: dict[str, int] = {}

    def new(self, prefix: str) -> str:
        n = self.next.get(prefix)
        if n is None:
            pat = re.compile(re.escape(prefix) + r"-(\d+)$")
            n = 1 + max((int(m.group(1)) for t in self.taken if (m := pat.match(t))), default=0)
        while f"{prefix}-{n}" in self.taken:
            n += 1
        self.next[prefix] = n + 1
        iid = f"{prefix}-{n}"
        self.taken.add(iid)
        return iid


def _transform(item: DModel, x: float, y: float, rot: float) -> DModel:
    """The item turned by ``rot`` about the origin, then moved by (x, y)."""
    if rot:
        item = item.model_copy(update=rotate_values(item, (0.0, 0.0), rot))
    return item.model_copy(update=translate_values(item, x, y))


def module_name(doc: Document, site_id: str, entry: ModuleType) -> str:
    """The next free module name M01, M02, ... in the site."""
    site = doc.site(site_id)
    names = {m.name for m in site.hall.modules} if site is not None else set()
    n = 1
    while f"M{n:02d}" in names:
        n += 1
    return f"M{n:02d}"


def place_module(doc: Document, site_id: str, entry: ModuleType, x: float, y: float,
                 rotation_deg: float = 0.0, name: str = "") -> Composite:
    """The module and all its contents at (x, y) turned by ``rotation_deg``: one edit.

    Contents get fresh ids and the names ``<module>-<name in template>``; references inside
    the template are pointed at the copies; references to nothing in the template (a
    template's power inputs) stay empty for :mod:`designer.document.connect` to fill.
    """
    if doc.site(site_id) is None:
        raise ValueError(f"no site '{site_id}'")
    ids = _Ids(set(doc.ids()))
    mid = ids.new(BY_KIND["module"].prefix)
    mname = name or module_name(doc, site_id, entry)
    module = instantiate(entry, mid, x, y, rotation_deg, name=mname)
    remap: dict[str, str] = {}
    staged: list[tuple[str, DModel]] = []
    for kind in CONTENT_KINDS:
        for it in getattr(entry.contents, _CONTENT_ATTR[kind]):
            nid = ids.new(BY_KIND[kind].prefix)
            remap[it.id] = nid
            staged.append((kind, it))
    conns = [c.model_copy(update={"item_ids": [remap[i] for i in c.item_ids if i in remap]})
             for c in entry.connections]
    module = module.model_copy(update={"connections": conns})
    edits: list[Edit] = [AddItem("module", module, site_id)]

    def ref(old: str) -> str | None:
        return remap.get(old)

    for kind, it in staged:
        upd = remapped(it, ref)
        if upd.pop("_drop", False):
            continue  # validate_template refuses such templates; never place half a pipe
        upd.update(id=remap[it.id], module_id=mid)
        if getattr(it, "name", None) is not None:
            upd["name"] = f"{mname}-{it.name or it.id}"
        item = _transform(it.model_copy(update=upd), x, y, rotation_deg)
        edits.append(AddItem(kind, item, site_id))
    n = len(edits) - 1
    return Composite(edits, f"Place {entry.name}" + (f" with {n} items" if n else ""))


# -- a template from a selection ---------------------------------------------------------------
def template_from_selection(doc: Document, ids: Iterable[str], model: str, name: str,
                            description: str = "") -> ModuleType:
    """A module template of the selected items (modules count with their members).

    The template's origin is the selected module's centre when exactly one module is
    selected (its size, kind and connections are kept), else the centre of the selection's
    bounds (the module is the bounds plus 0.5 m all round). Items keep their names; their
    ids become short local ids; references to items outside the selection are dropped
    (power inputs become connection points to be connected again).
    """
    sel = [i for i in with_members(doc, ids) if doc.find(i) is not None]
    locs = [doc.find(i) for i in sel]
    hall_locs = [loc for loc in locs if loc.collection.scope == "hall"]
    if not hall_locs:
        raise ValueError("select the items of the module first")
    sites = {loc.site_index for loc in hall_locs}
    if len(sites) > 1:
        raise ValueError("the selection spans several sites; select items of one hall")
    mods = [loc.item for loc in hall_locs if loc.kind == "module"]
    if len(mods) == 1:
        base: h.Module = mods[0]
        cx, cy, rot = base.x, base.y, base.rotation_deg
        w, d, hgt = base.width_m, base.depth_m, base.height_m
    else:
        bb = union_bounds([loc.item for loc in hall_locs if loc.kind != "module"])
        if bb is None:
            raise ValueError("the selection has nothing with a position on the plan")
        cx, cy, rot = (bb[0] + bb[2]) / 2, (bb[1] + bb[3]) / 2, 0.0
        w, d, hgt = bb[2] - bb[0] + 1.0, bb[3] - bb[1] + 1.0, 3.0
        base = None
    local: dict[str, str] = {}
    counters: dict[str, int] = {}
    for loc in hall_locs:
        if loc.kind == "module" or loc.kind not in _CONTENT_ATTR:
            continue
        pre = BY_KIND[loc.kind].prefix
        counters[pre] = counters.get(pre, 0) + 1
        local[loc.item.id] = f"{pre}{counters[pre]}"
    contents: dict[str, list] = {a: [] for a in _CONTENT_ATTR.values()}
    for loc in hall_locs:
        if loc.item.id not in local:
            continue
        it = loc.item
        upd = remapped(it, local.get)
        if upd.pop("_drop", False):
            continue
        upd.update(id=local[it.id], module_id=None)
        if base is not None and isinstance(it, Placed | h.Junction) and getattr(it, "name", ""):
            # names were "<module>-<name>" when placed from a template: keep the part after
            prefix = f"{base.name}-"
            if it.name.startswith(prefix):
                upd["name"] = it.name[len(prefix):]
        moved = it.model_copy(update=upd)
        moved = moved.model_copy(update=translate_values(moved, -cx, -cy))
        if rot:
            moved = moved.model_copy(update=rotate_values(moved, (0.0, 0.0), -rot))
        contents[_CONTENT_ATTR[loc.kind]].append(moved)
    cont = ModuleContents(**contents)
    racks = cont.racks
    it_kw = sum(r.it_load_kw for r in racks)
    liquid = sum(r.it_load_kw * r.liquid_fraction for r in racks)
    cooling = "none" if not racks else ("liquid" if liquid >= 0.7 * it_kw else "hybrid" if liquid > 0 else "air")
    conns = []
    if base is not None:
        conns = [c.model_copy(update={"item_ids": [local[i] for i in c.item_ids if i in local]})
                 for c in base.connections]
        conns = [c for c in conns if c.item_ids]
    if not conns:
        conns = _default_connections(cont)
    fields = dict(model=model, name=name, description=description, width_m=round(w, 3), depth_m=round(d, 3),
                  height_m=hgt, it_capacity_kw=round(it_kw, 3), rack_positions=len(racks), cooling=cooling,
                  cooling_capacity_kw=round(sum(c.capacity_kw for c in cont.cdus)
                                            + sum(a.capacity_kw for a in cont.air_units), 3),
                  contents=cont, connections=conns)
    if base is not None:
        fields.update(form_factor=base.form_factor if base.form_factor in
                      ("room", "container_20ft", "container_40ft", "skid", "enclosure") else "room",
                      weight_kg=base.weight_kg, redundancy=base.redundancy)
    return ModuleType(**fields)


def _default_connections(cont: ModuleContents) -> list[h.ModuleConnection]:
    """Connection points a selection implies: a power input per side for each element fed
    from nothing in it, and facility water for its CDUs (placed at their positions)."""
    out: list[h.ModuleConnection] = []
    heads: dict[str, list] = {}
    for coll in ("transformers", "switchboards", "ups", "pdus", "busways"):
        for e in getattr(cont, coll):
            if e.upstream_id is None:
                heads.setdefault(e.side or "", []).append(e)
    for side, items in sorted(heads.items()):
        first = items[0]
        x, y = (first.x, first.y) if hasattr(first, "x") else tuple(first.path[0])
        out.append(h.ModuleConnection(id=f"power_in_{side.lower() or 'main'}", name=f"Power in {side}".strip(),
                                      kind="power_in", side=side, x=x, y=y, item_ids=[e.id for e in items]))
    if cont.cdus:
        c0 = cont.cdus[0]
        ids = [c.id for c in cont.cdus]
        out.append(h.ModuleConnection(id="water_supply", name="Facility water in", kind="water_supply",
                                      x=c0.x, y=c0.y, item_ids=ids))
        out.append(h.ModuleConnection(id="water_return", name="Facility water out", kind="water_return",
                                      x=c0.x, y=c0.y, item_ids=ids))
    return out


# -- adopting what stands in a module ----------------------------------------------------------
def inside_module(hall: h.Hall, module: h.Module, tol: float = 1e-6) -> list[DModel]:
    """The items of ``hall`` that lie wholly in the module's footprint and belong to no
    module yet (pipes: when both their ends do; taps: with their busway)."""
    from designer.document.geometry import points_of
    from designer.model.base import to_local

    hw, hd = module.width_m / 2 + tol, module.depth_m / 2 + tol

    def inside(item) -> bool:
        pts = points_of(item)
        return bool(pts) and all(abs(lx) <= hw and abs(ly) <= hd
                                 for lx, ly in (to_local(x, y, module) for x, y in pts))

    out: list[DModel] = []
    taken: set[str] = set()
    for coll in HALL_COLLECTIONS:
        if coll.kind in ("module", "pipe", "tap") or "module_id" not in coll.type.model_fields:
            continue
        for it in hall_container(hall, coll):
            if it.module_id is None and inside(it):
                out.append(it)
                taken.add(it.id)
    for r in hall.racks:
        if r.module_id == module.id:
            taken.add(r.id)
    for pipe in hall.pipes:
        if pipe.module_id is None and pipe.start.item_id in taken and pipe.end.item_id in taken:
            out.append(pipe)
    for tap in hall.power.taps:
        if tap.module_id is None and tap.busway_id in taken:
            out.append(tap)
    return out
