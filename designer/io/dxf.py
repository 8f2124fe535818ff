"""DXF drawing of each hall (ezdxf), in metres, one layer per system.

Layers are named after the US National CAD Standard (AIA layer guidelines): discipline
letter, major group, minor group (:data:`LAYER` maps each role to its name):

- ``A-WALL`` (HALL): the outline (closed polyline), obstructions (closed polyline + solid hatch);
- ``A-EQPM-MODL`` (MODULES): module footprints (dashed);
- ``T-EQPM-RACK`` (RACKS): rack footprints and, for each rack, a line just inside its front
  edge (the cold side), so the front reads at a glance;
- ``M-HVAC-EQPM`` (AIR): air units (footprint + a line inside the supply face), contained aisles;
- ``M-HYDR-PIPE`` (LIQUID): CDUs, pipes (polylines as wide as their bore; supply blue,
  return red), junctions (circles);
- ``E-POWR-EQPM`` (POWER): transformers, switchboards, UPS, PDUs, busways (wide
  polylines), tap-off boxes (small squares);
- ``G-ANNO-TEXT`` (LABELS): item names (TEXT), each hall's heading (MTEXT) and its
  overall dimensions;
- ``G-ANNO-DIMS`` (DIMENSIONS): the dimensions the user placed on the plan (aligned
  DIMENSION entities, with their text override when they have one);
- ``G-ANNO-ATTR`` (TAGS): an INSERT of a tag block on every rack, air unit, CDU and power
  item (transformer, switchboard, UPS, PDU, busway) with invisible attributes ID, NAME,
  MODEL, KW and FEEDS (:data:`TAG_FIELDS`), for schedules and data extraction;
- ``G-ANNO-TTLB`` / ``G-ANNO-NPLT``: paper space, one A3 layout per site named by its id,
  with a viewport on its hall at a standard scale (frame not plotted) and a title block
  (project, site, drawing, scale, revision, drawn / checked / approved, revision history).

Only what is used is defined: these layers, the DASHED linetype, the Standard text style
and one dimension style (``DHD``).

One site keeps its plan coordinates. With several sites, each hall after the first is
shifted along +x to sit :data:`GAP_M` to the right of the previous one (the title says by
how much), so they can share one model space without overlapping.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

import ezdxf
from ezdxf import colors
from ezdxf.enums import TextEntityAlignment

from designer.io.bom import pipe_polylines
from designer.model.base import Placed
from designer.model.project import Project, Site

LAYER = {  # role: name, after the US National CAD Standard (AIA) discipline-major-minor form
    "HALL": "A-WALL",  # A architectural: hall outline, columns and wall stubs
    "MODULES": "A-EQPM-MODL",
    "RACKS": "T-EQPM-RACK",  # T telecommunications
    "AIR": "M-HVAC-EQPM",  # M mechanical: air units, containment
    "LIQUID": "M-HYDR-PIPE",  # CDUs, pipes, junctions
    "POWER": "E-POWR-EQPM",  # E electrical: transformers ... PDUs, busways, taps
    "LABELS": "G-ANNO-TEXT",  # G general annotation
    "DIMENSIONS": "G-ANNO-DIMS",
    "TAGS": "G-ANNO-ATTR",  # the attribute blocks (invisible attributes) of every item
    "TITLE": "G-ANNO-TTLB",  # paper space: title block
    "VIEWPORTS": "G-ANNO-NPLT",  # paper space: viewport frames, not plotted
}
LAYERS = {  # name: (ACI colour, linetype)
    LAYER["HALL"]: (colors.BLACK, "Continuous"),
    LAYER["MODULES"]: (colors.BLUE, "DASHED"),
    LAYER["RACKS"]: (8, "Continuous"),
    LAYER["AIR"]: (colors.CYAN, "Continuous"),
    LAYER["LIQUID"]: (colors.MAGENTA, "Continuous"),
    LAYER["POWER"]: (30, "Continuous"),
    LAYER["LABELS"]: (colors.BLACK, "Continuous"),
    LAYER["DIMENSIONS"]: (colors.BLUE, "Continuous"),
    LAYER["TAGS"]: (colors.BLACK, "Continuous"),
    LAYER["TITLE"]: (colors.BLACK, "Continuous"),
    LAYER["VIEWPORTS"]: (8, "Continuous"),
}
DIMSTYLE = "DHD"
GAP_M = 10.0
SUPPLY_RGB = (47, 111, 219)
RETURN_RGB = (217, 68, 47)


def _closed(msp, pts, layer: str, dx: float, **attrs) -> None:
    msp.add_lwpolyline([(x + dx, y) for x, y in pts], close=True, dxfattribs={"layer": layer, **attrs})


def _front_line(msp, it: Placed, layer: str, dx: float) -> None:
    """A line just inside the front face (corners 0 and 3 span the front)."""
    c = it.corners()
    nx, ny = it.front_normal()
    inset = min(0.05, it.depth_m * 0.1)
    a = (c[0][0] - nx * inset + dx, c[0][1] - ny * inset)
    b = (c[3][0] - nx * inset + dx, c[3][1] - ny * inset)
    msp.add_line(a, b, dxfattribs={"layer": layer, "lineweight": 50})


def _label(msp, text: str, x: float, y: float, height: float, rotation: float = 0.0) -> None:
    if not text:
        return
    # keep text readable: never upside down
    rot = rotation % 360.0
    if 90.0 < rot <= 270.0:
        rot -= 180.0
    t = msp.add_text(text, height=height, rotation=rot, dxfattribs={"layer": LAYER["LABELS"]})
    t.set_placement((x, y), align=TextEntityAlignment.MIDDLE_CENTER)


def _placed(msp, items: Iterable[Placed], layer: str, dx: float, text_h: float, front: bool = False) -> None:
    for it in items:
        _closed(msp, it.corners(), layer, dx)
        if front:
            _front_line(msp, it, layer, dx)
        # labels run along the long side of the footprint
        along = it.rotation_deg + (90.0 if it.depth_m > it.width_m * 1.5 else 0.0)
        h = min(text_h, 0.8 * min(it.width_m, it.depth_m))
        _label(msp, it.name or it.id, it.x + dx, it.y, h, along)


def _bbox(site: Site) -> tuple[float, float, float, float]:
    pts = list(site.hall.outline) or [(0.0, 0.0)]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return min(xs), min(ys), max(xs), max(ys)


def draw_hall(msp, site: Site, dx: float = 0.0) -> None:
    """Draw one site's hall into model space ``msp``, shifted by ``dx`` metres along x."""
    hall = site.hall
    if len(hall.outline) >= 3:
        _closed(msp, hall.outline, LAYER["HALL"], dx, lineweight=70)
    for o in hall.obstructions:
        if len(o.polygon) >= 3:
            _closed(msp, o.polygon, LAYER["HALL"], dx)
            hatch = msp.add_hatch(color=8, dxfattribs={"layer": LAYER["HALL"]})
            hatch.paths.add_polyline_path([(x + dx, y) for x, y in o.polygon], is_closed=True)
    _placed(msp, hall.modules, LAYER["MODULES"], dx, 0.35)
    _placed(msp, hall.racks, LAYER["RACKS"], dx, 0.12, front=True)
    _placed(msp, hall.air_units, LAYER["AIR"], dx, 0.15, front=True)
    for c in hall.containments:
        if len(c.polygon) >= 3:
            _closed(msp, c.polygon, LAYER["AIR"], dx, color=colors.RED if c.kind == "hot" else colors.BLUE)
    _placed(msp, hall.cdus, LAYER["LIQUID"], dx, 0.12)
    for pipe, line in zip(hall.pipes, pipe_polylines(hall), strict=True):
        if len(line) >= 2:
            pl = msp.add_lwpolyline([(x + dx, y) for x, y in line],
                                    dxfattribs={"layer": LAYER["LIQUID"], "const_width": max(pipe.diameter_m, 0.0)})
            pl.rgb = SUPPLY_RGB if pipe.role == "supply" else RETURN_RGB
    for j in hall.junctions:
        msp.add_circle((j.x + dx, j.y), 0.05, dxfattribs={"layer": LAYER["LIQUID"]})
    pw = hall.power
    _placed(msp, [*pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus], LAYER["POWER"], dx, 0.15)
    busways = {}
    for b in pw.busways:
        busways[b.id] = b
        if len(b.path) >= 2:
            msp.add_lwpolyline([(x + dx, y) for x, y in b.path], dxfattribs={"layer": LAYER["POWER"], "const_width": 0.14})
            (x0, y0), (x1, y1) = b.path[0], b.path[1]
            _label(msp, b.name or b.id, (x0 + x1) / 2 + dx, (y0 + y1) / 2 + 0.25, 0.15)
    from designer.solvers.power.routing import point_along

    s = 0.06
    for t in pw.taps:
        b = busways.get(t.busway_id)
        pt = point_along(b.path, t.offset_m) if b is not None else None
        if pt is None:
            continue
        x, y = pt
        _closed(msp, [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)], LAYER["POWER"], dx)
    draw_dimensions(msp, site, dx)
    _title(msp, site, dx)


def draw_dimensions(msp, site: Site, dx: float = 0.0) -> None:
    """The user's dimensions of the hall: aligned dimensions at their offset, measuring the
    true distance (or showing their text)."""
    for d in site.hall.dimensions:
        if d.length_m < 1e-6:
            continue
        (x0, y0), (x1, y1) = d.start, d.end
        dim = msp.add_aligned_dim(p1=(x0 + dx, y0), p2=(x1 + dx, y1), distance=d.offset_m, dimstyle=DIMSTYLE,
                                  text=d.text or "<>", dxfattribs={"layer": LAYER["DIMENSIONS"]})
        dim.render()


def _title(msp, site: Site, dx: float) -> None:
    x0, y0, x1, y1 = _bbox(site)
    racks = len(site.hall.racks)
    kw = sum(r.it_load_kw for r in site.hall.racks)
    text = (f"{site.name or site.id} ({site.id})\\P{x1 - x0:.2f} m x {y1 - y0:.2f} m, {racks} racks, "
            f"{kw:,.0f} kW IT" + (f"\\PShifted +{dx:.2f} m along x in this drawing" if dx else ""))
    m = msp.add_mtext(text, dxfattribs={"layer": LAYER["LABELS"], "char_height": 0.5})
    m.set_location((x0 + dx, y1 + 2.6), attachment_point=ezdxf.enums.MTextEntityAlignment.BOTTOM_LEFT)
    # overall dimensions of the hall
    style = DIMSTYLE
    msp.add_linear_dim(base=(x0 + dx, y0 - 1.2), p1=(x0 + dx, y0), p2=(x1 + dx, y0), dimstyle=style,
                       dxfattribs={"layer": LAYER["LABELS"]}).render()
    msp.add_linear_dim(base=(x0 + dx - 1.2, y0), p1=(x0 + dx, y0), p2=(x0 + dx, y1), angle=90, dimstyle=style,
                       dxfattribs={"layer": LAYER["LABELS"]}).render()


def hall_offsets(sites: list[Site]) -> list[float]:
    """x shift of each hall: 0 for the first, then each to the right of the previous."""
    out, right = [], None
    for s in sites:
        x0, _y0, x1, _y1 = _bbox(s)
        dx = 0.0 if right is None else right + GAP_M - x0
        out.append(dx)
        right = x1 + dx
    return out


TAG_FIELDS = ("ID", "NAME", "MODEL", "KW", "FEEDS")
"""Attributes of every item's tag block: id, name, catalog model, power (kW IT of a rack,
kW capacity of a cooling unit, kVA rating of power equipment, with the unit), what feeds it."""
PAPER = (420.0, 297.0)
"""A3 landscape, mm."""
SHEET_SCALES = (50, 100, 125, 200, 250, 500, 1000, 2000)


def _setup(doc) -> None:
    """Only what the drawing uses: its layers, one dashed linetype, one dimension style
    (ezdxf's full setup would bring 26 text styles and 12 dimension styles)."""
    doc.linetypes.add("DASHED", pattern=[0.6, 0.4, -0.2], description="Dashed __ __ __")
    for name, (color, ltype) in LAYERS.items():
        ly = doc.layers.add(name, color=color, linetype=ltype)
        if name == LAYER["VIEWPORTS"]:
            ly.dxf.plot = 0
    doc.dimstyles.new(DIMSTYLE, dxfattribs={
        "dimlfac": 1.0,  # drawing units are metres: measure them as they are
        "dimpost": "<> m", "dimtxt": 0.3, "dimasz": 0.25, "dimdec": 2,
        "dimzin": 0, "dimdsep": 46,  # "22.00 m" (a point, not a comma), as on the plan sheets
        "dimexo": 0.1, "dimexe": 0.15, "dimgap": 0.08, "dimtad": 1, "dimtsz": 0.0, "dimtxsty": "Standard",
        "dimblk": "", "dimclrd": 0, "dimclre": 0, "dimclrt": 0})
    for kind in ("RACK", "AIR_UNIT", "CDU", "POWER"):
        blk = doc.blocks.new(f"DHD-TAG-{kind}")
        for i, tag in enumerate(TAG_FIELDS):
            blk.add_attdef(tag, (0.0, -0.12 * i), dxfattribs={"height": 0.1, "flags": 1})  # invisible


def _feeds(r) -> str:
    parts = []
    for side, f in (("A", r.feed_a), ("B", r.feed_b)):
        if f is not None:
            parts.append(f"{side}: {f.source_id} {f.phase} {f.breaker_a:g} A")
    return "; ".join(parts)


def _tags(msp, site: Site, dx: float) -> int:
    """One attribute block per rack, air unit, CDU and power item, at its centre."""
    hall, pw = site.hall, site.hall.power
    rows = []
    for r in hall.racks:
        rows.append(("RACK", r, {"KW": f"{r.it_load_kw:g} kW IT", "FEEDS": _feeds(r)}))
    for u in hall.air_units:
        rows.append(("AIR_UNIT", u, {"KW": f"{u.capacity_kw:g} kW cooling", "FEEDS": ""}))
    for c in hall.cdus:
        rows.append(("CDU", c, {"KW": f"{c.capacity_kw:g} kW cooling", "FEEDS": ""}))
    for it, rating in ([(t, f"{t.rating_kva:g} kVA") for t in pw.transformers]
                       + [(b, f"{b.rating_a:g} A") for b in pw.switchboards]
                       + [(u, f"{u.module_count * u.module_kw:g} kW") for u in pw.ups]
                       + [(d, f"{d.rating_kva:g} kVA") for d in pw.pdus]):
        feeds = ", ".join(i for i in (it.upstream_id, it.alternate_upstream_id) if i)
        rows.append(("POWER", it, {"KW": rating, "FEEDS": feeds}))
    n = 0
    for kind, it, extra in rows:
        ins = msp.add_blockref(f"DHD-TAG-{kind}", (it.x + dx, it.y),
                               dxfattribs={"layer": LAYER["TAGS"], "rotation": it.rotation_deg})
        ins.add_auto_attribs({"ID": it.id, "NAME": it.name or "", "MODEL": getattr(it, "catalog_model", "") or "",
                              **extra})
        n += 1
    for b in pw.busways:
        if len(b.path) >= 2:
            (x0, y0), (x1, y1) = b.path[0], b.path[1]
            ins = msp.add_blockref("DHD-TAG-POWER", ((x0 + x1) / 2 + dx, (y0 + y1) / 2),
                                   dxfattribs={"layer": LAYER["TAGS"]})
            ins.add_auto_attribs({"ID": b.id, "NAME": b.name or "", "MODEL": b.catalog_model or "",
                                  "KW": f"{b.rating_a:g} A",
                                  "FEEDS": ", ".join(i for i in (b.upstream_id, b.alternate_upstream_id) if i)})
            n += 1
    return n


def _sheet(doc, project: Project, site: Site, dx: float) -> str:
    """A paper-space layout for one site: A3, one viewport on its hall at a standard scale,
    a title block. Returns the layout's name."""
    x0, y0, x1, y1 = _bbox(site)
    pad = 3.0  # metres around the hall: its dimensions and title
    w, h = x1 - x0 + 2 * pad, y1 - y0 + 2 * pad + 3.0
    vw, vh = PAPER[0] - 20.0 - 95.0, PAPER[1] - 20.0  # drawing area, mm (title block on the right)
    scale = next((n for n in SHEET_SCALES if w * 1000.0 / n <= vw and h * 1000.0 / n <= vh), SHEET_SCALES[-1])
    name = "".join(ch if ch.isalnum() or ch in "-_ " else "_" for ch in f"{site.id}")[:250] or "site"
    lay = doc.layouts.new(name)
    lay.page_setup(size=PAPER, margins=(0, 0, 0, 0), units="mm")
    cx, cy = 10.0 + vw / 2, 10.0 + vh / 2
    # the viewport is only as large as this hall (and its pad) at the scale, so the halls beside
    # it in model space (GAP_M > pad away) stay out of the sheet
    pw, ph = min(vw, w * 1000.0 / scale), min(vh, h * 1000.0 / scale)
    vp = lay.add_viewport(center=(cx, cy), size=(pw, ph),
                          view_center_point=((x0 + x1) / 2 + dx, (y0 + y1) / 2 + 1.5),
                          view_height=ph * scale / 1000.0, dxfattribs={"layer": LAYER["VIEWPORTS"]})
    vp.dxf.status = 2
    # title block
    tb_x, tb_w = PAPER[0] - 10.0 - 90.0, 90.0
    ttl = {"layer": LAYER["TITLE"]}
    lay.add_lwpolyline([(10, 10), (PAPER[0] - 10, 10), (PAPER[0] - 10, PAPER[1] - 10), (10, PAPER[1] - 10)],
                       close=True, dxfattribs=ttl)
    rows = [("Project", project.name), ("Site", site.name or site.id), ("Drawing", "Floor plan, all systems"),
            ("Scale", f"1:{scale} on A3"), ("Revision", project.revision),
            ("Drawn", project.author or "-"), ("Checked", project.checked_by or "-"),
            ("Approved", project.approved_by or "-")]
    rows += [(f"Rev {r.revision}", f"{r.date} {r.description}".strip()) for r in project.revisions[-4:]]
    row_h = 8.0
    top = 10.0 + row_h * len(rows)
    lay.add_lwpolyline([(tb_x, 10), (tb_x + tb_w, 10), (tb_x + tb_w, top), (tb_x, top)], close=True, dxfattribs=ttl)
    for i, (k, v) in enumerate(rows):
        y = top - row_h * (i + 1)
        if i:
            lay.add_line((tb_x, y + row_h), (tb_x + tb_w, y + row_h), dxfattribs=ttl)
        lay.add_text(k, height=2.2, dxfattribs=ttl).set_placement((tb_x + 2, y + 2.8))
        v = v if len(v) <= 34 else v[:33] + "..."  # 2.6 mm text in a 66 mm cell
        lay.add_text(v, height=2.6, dxfattribs=ttl).set_placement((tb_x + 22, y + 2.6))
    return name


def build_dxf(project: Project, site_ids: Iterable[str] | None = None):
    """An ezdxf document with the halls of the project (or of ``site_ids``): model space
    with every hall (side by side), an attribute block on every item, and one A3 paper
    layout per site with its title block."""
    wanted = None if site_ids is None else set(site_ids)
    sites = [s for s in project.sites if wanted is None or s.id in wanted]
    doc = ezdxf.new("R2010", setup=False, units=ezdxf.units.M)
    doc.header["$MEASUREMENT"] = 1
    doc.header["$LUNITS"] = 2
    doc.header["$INSUNITS"] = ezdxf.units.M
    _setup(doc)
    msp = doc.modelspace()
    offsets = hall_offsets(sites)
    for site, dx in zip(sites, offsets, strict=True):
        draw_hall(msp, site, dx)
        _tags(msp, site, dx)
    doc.set_modelspace_vport(height=max((_bbox(s)[3] - _bbox(s)[1] for s in sites), default=10.0) * 1.5)
    for site, dx in zip(sites, offsets, strict=True):
        _sheet(doc, project, site, dx)
    if sites and "Layout1" in doc.layouts:
        doc.layouts.delete("Layout1")
    return doc


def write_dxf(project: Project, path: str | os.PathLike, site_ids: Iterable[str] | None = None) -> None:
    """Write the DXF drawing atomically (see the module doc for the layers)."""
    from designer.io.outputs import atomic_output, complete_dxf

    doc = build_dxf(project, site_ids)
    with atomic_output(path, verify=complete_dxf) as tmp:
        doc.saveas(tmp)
