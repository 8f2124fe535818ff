"""Checks of a module template: everything placing it relies on.

A template (a :class:`~designer.model.catalog.ModuleType` with ``contents`` and
``connections``) is checked as the hall it would make: the contents in a hall whose outline
is the module's footprint, run through :func:`designer.model.validate.validate` (ids,
references, plausible values, ports), plus what only a template needs: every item inside
the module, references only within the template, connection points that name contents of
the right kind and lie on the module. Only errors count; problems are returned as
(JSON path within the template, message, fix), never raised.
"""

from __future__ import annotations

import re

from designer.model import hall as h
from designer.model.base import Placed
from designer.model.catalog import ModuleContents, ModuleType
from designer.model.findings import Severity
from designer.model.project import Project, Site

_TOL = 1e-6
_SITE = "__template_site__"
_MODULE = "__template_module__"


def template_problems(entry: ModuleType, path: str = "") -> list[tuple[str, str, str]]:
    """Every error in the template as (path, message, fix); empty when it can be placed."""
    from designer.model.validate import validate

    pre = f"{path}." if path else ""
    out: list[tuple[str, str, str]] = []
    c: ModuleContents = entry.contents
    hw, hd = entry.width_m / 2.0, entry.depth_m / 2.0
    if not (entry.width_m > 0 and entry.depth_m > 0):
        out.append((f"{pre}width_m", "a module needs a footprint greater than zero", "enter its width and depth"))
        return out
    hall = h.Hall(outline=[(-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd)],
                  height_m=max(entry.height_m, 0.1), **{k: getattr(c, k) for k in
                                                       ("racks", "air_units", "cdus", "junctions", "pipes",
                                                        "containments", "floor_tiles", "ceiling_grilles")})
    for k in ("transformers", "switchboards", "ups", "pdus", "busways", "taps"):
        setattr(hall.power, k, getattr(c, k))
    if c.floor_tiles:
        hall.raised_floor = h.RaisedFloor()
    if c.ceiling_grilles:
        hall.ceiling_plenum = h.CeilingPlenum()
    project = Project(sites=[Site(id=_SITE, hall=hall)])
    for f in validate(project):
        if f.severity is not Severity.ERROR:
            continue
        p = f.path.replace("sites[0].hall.power.", "contents.").replace("sites[0].hall.", "contents.")
        p = re.sub(r"^sites\[0\]\.hall$", "contents", p)
        if f.code == "geometry.outside":
            msg = f.message.replace("hall outline", "module")
            out.append((pre + p, msg, "move it inside the module's footprint or enlarge the module"))
            continue
        out.append((pre + p, f.message, f.fix))
    # what only a template needs
    for coll in ModuleContents.model_fields:
        for i, it in enumerate(getattr(c, coll)):
            ip = f"{pre}contents.{coll}[{i}]"
            if getattr(it, "module_id", None) is not None:
                out.append((f"{ip}.module_id", "an item of a template cannot name a module",
                            "remove module_id: placing the module sets it"))
            if isinstance(it, Placed) and not isinstance(it, h.Rack):  # racks: checked above
                if any(abs(x) > hw + _TOL or abs(y) > hd + _TOL for x, y in it.corners()):
                    out.append((f"{ip}.x", f"{type(it).__name__.lower()} '{it.name or it.id}' is not inside "
                                f"the module ({entry.width_m:g} x {entry.depth_m:g} m about its centre)",
                                "move it inside the module's footprint or enlarge the module"))
            if isinstance(it, h.Cdu) and it.facility_id is not None:
                out.append((f"{ip}.facility_id", "a template's CDU cannot name a facility water supply",
                            "clear facility_id and give the module water connections"))
    ids = {it.id: coll for coll in ModuleContents.model_fields for it in getattr(c, coll)}
    seen: set[str] = set()
    for k, conn in enumerate(entry.connections):
        cp = f"{pre}connections[{k}]"
        if conn.id in seen:
            out.append((f"{cp}.id", f"two connection points are named '{conn.id}'", "give each its own id"))
        seen.add(conn.id)
        if abs(conn.x) > hw + _TOL or abs(conn.y) > hd + _TOL:
            out.append((f"{cp}.x", f"connection point '{conn.id}' is not on the module",
                        "put it inside the module's footprint"))
        want = ("cdus",) if conn.kind.startswith(("water", "loop")) else ("transformers", "switchboards", "ups", "pdus",
                                                                  "busways")
        if not conn.item_ids:
            out.append((f"{cp}.item_ids", f"connection point '{conn.id}' names no item of the module",
                        "name the items it connects (" + " or ".join(w.rstrip("s") for w in want) + ")"))
        for j, ref in enumerate(conn.item_ids):
            coll = ids.get(ref)
            if coll is None:
                out.append((f"{cp}.item_ids[{j}]", f"connection point '{conn.id}' names '{ref}', which is not "
                            "in the template's contents", "name an item of the contents or remove it"))
            elif coll not in want:
                out.append((f"{cp}.item_ids[{j}]", f"a {conn.kind.replace('_', ' ')} connection cannot take "
                            f"'{ref}' (one of the {coll})", "name a " + " or ".join(w.rstrip("s") for w in want)))
    if entry.rack_positions < len(c.racks):
        out.append((f"{pre}rack_positions", f"the module holds {len(c.racks)} racks but rack_positions says "
                    f"{entry.rack_positions}", f"set rack_positions to {len(c.racks)} or more"))
    return out
