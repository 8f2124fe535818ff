"""DXF drawing of each hall (ezdxf), in metres, one layer per system.

Layers and what goes on them:

- ``HALL``: the outline (closed polyline), obstructions (closed polyline + solid hatch);
- ``MODULES``: module footprints (dashed);
- ``RACKS``: rack footprints and, for each rack, a line just inside its front edge (the
  cold side), so the front reads at a glance;
- ``AIR``: air units (footprint + a line inside the supply face), contained aisles;
- ``LIQUID``: CDUs, pipes (polylines as wide as their bore; supply blue, return red),
  junctions (circles);
- ``POWER``: transformers, switchboards, UPS, PDUs, busways (wide polylines), tap-off
  boxes (small squares);
- ``LABELS``: item names (TEXT), each hall's title block (MTEXT) and its overall
  dimensions;
- ``DIMENSIONS``: the dimensions the user placed on the plan (aligned DIMENSION entities,
  with their text override when they have one).

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

LAYERS = {  # name: (ACI colour, linetype)
    "HALL": (colors.BLACK, "Continuous"),
    "MODULES": (colors.BLUE, "DASHED"),
    "RACKS": (8, "Continuous"),
    "AIR": (colors.CYAN, "Continuous"),
    "LIQUID": (colors.MAGENTA, "Continuous"),
    "POWER": (30, "Continuous"),
    "LABELS": (colors.BLACK, "Continuous"),
    "DIMENSIONS": (colors.BLUE, "Continuous"),
}
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
    t = msp.add_text(text, height=height, rotation=rot, dxfattribs={"layer": "LABELS"})
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
        _closed(msp, hall.outline, "HALL", dx, lineweight=70)
    for o in hall.obstructions:
        if len(o.polygon) >= 3:
            _closed(msp, o.polygon, "HALL", dx)
            hatch = msp.add_hatch(color=8, dxfattribs={"layer": "HALL"})
            hatch.paths.add_polyline_path([(x + dx, y) for x, y in o.polygon], is_closed=True)
    _placed(msp, hall.modules, "MODULES", dx, 0.35)
    _placed(msp, hall.racks, "RACKS", dx, 0.12, front=True)
    _placed(msp, hall.air_units, "AIR", dx, 0.15, front=True)
    for c in hall.containments:
        if len(c.polygon) >= 3:
            _closed(msp, c.polygon, "AIR", dx, color=colors.RED if c.kind == "hot" else colors.BLUE)
    _placed(msp, hall.cdus, "LIQUID", dx, 0.12)
    for pipe, line in zip(hall.pipes, pipe_polylines(hall), strict=True):
        if len(line) >= 2:
            pl = msp.add_lwpolyline([(x + dx, y) for x, y in line],
                                    dxfattribs={"layer": "LIQUID", "const_width": max(pipe.diameter_m, 0.0)})
            pl.rgb = SUPPLY_RGB if pipe.role == "supply" else RETURN_RGB
    for j in hall.junctions:
        msp.add_circle((j.x + dx, j.y), 0.05, dxfattribs={"layer": "LIQUID"})
    pw = hall.power
    _placed(msp, [*pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus], "POWER", dx, 0.15)
    busways = {}
    for b in pw.busways:
        busways[b.id] = b
        if len(b.path) >= 2:
            msp.add_lwpolyline([(x + dx, y) for x, y in b.path], dxfattribs={"layer": "POWER", "const_width": 0.14})
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
        _closed(msp, [(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)], "POWER", dx)
    draw_dimensions(msp, site, dx)
    _title(msp, site, dx)


def draw_dimensions(msp, site: Site, dx: float = 0.0) -> None:
    """The user's dimensions of the hall: aligned dimensions at their offset, measuring the
    true distance (or showing their text)."""
    for d in site.hall.dimensions:
        if d.length_m < 1e-6:
            continue
        (x0, y0), (x1, y1) = d.start, d.end
        dim = msp.add_aligned_dim(p1=(x0 + dx, y0), p2=(x1 + dx, y1), distance=d.offset_m, dimstyle="EZDXF",
                                  text=d.text or "<>", dxfattribs={"layer": "DIMENSIONS"})
        dim.render()


def _title(msp, site: Site, dx: float) -> None:
    x0, y0, x1, y1 = _bbox(site)
    racks = len(site.hall.racks)
    kw = sum(r.it_load_kw for r in site.hall.racks)
    text = (f"{site.name or site.id} ({site.id})\\P{x1 - x0:.2f} m x {y1 - y0:.2f} m, {racks} racks, "
            f"{kw:,.0f} kW IT" + (f"\\PShifted +{dx:.2f} m along x in this drawing" if dx else ""))
    m = msp.add_mtext(text, dxfattribs={"layer": "LABELS", "char_height": 0.5})
    m.set_location((x0 + dx, y1 + 2.6), attachment_point=ezdxf.enums.MTextEntityAlignment.BOTTOM_LEFT)
    # overall dimensions of the hall
    style = "EZDXF"
    msp.add_linear_dim(base=(x0 + dx, y0 - 1.2), p1=(x0 + dx, y0), p2=(x1 + dx, y0), dimstyle=style,
                       dxfattribs={"layer": "LABELS"}).render()
    msp.add_linear_dim(base=(x0 + dx - 1.2, y0), p1=(x0 + dx, y0), p2=(x0 + dx, y1), angle=90, dimstyle=style,
                       dxfattribs={"layer": "LABELS"}).render()


def hall_offsets(sites: list[Site]) -> list[float]:
    """x shift of each hall: 0 for the first, then each to the right of the previous."""
    out, right = [], None
    for s in sites:
        x0, _y0, x1, _y1 = _bbox(s)
        dx = 0.0 if right is None else right + GAP_M - x0
        out.append(dx)
        right = x1 + dx
    return out


def build_dxf(project: Project, site_ids: Iterable[str] | None = None):
    """An ezdxf document with the halls of the project (or of ``site_ids``)."""
    wanted = None if site_ids is None else set(site_ids)
    sites = [s for s in project.sites if wanted is None or s.id in wanted]
    doc = ezdxf.new("R2010", setup=True, units=ezdxf.units.M)
    doc.header["$MEASUREMENT"] = 1
    doc.header["$LUNITS"] = 2
    doc.header["$INSUNITS"] = ezdxf.units.M
    for name, (color, ltype) in LAYERS.items():
        doc.layers.add(name, color=color, linetype=ltype if ltype in doc.linetypes else "Continuous")
    if "EZDXF" in doc.dimstyles:
        ds = doc.dimstyles.get("EZDXF")
        ds.dxf.dimlfac = 1.0  # drawing units are metres: measure them as they are
        ds.dxf.dimpost = "<> m"
        ds.dxf.dimtxt = 0.3
        ds.dxf.dimasz = 0.25
        ds.dxf.dimdec = 2
        ds.dxf.dimzin = 0  # "22.00 m", as on the plan sheets
        ds.dxf.dimexo = 0.1
    msp = doc.modelspace()
    for site, dx in zip(sites, hall_offsets(sites), strict=True):
        draw_hall(msp, site, dx)
    doc.set_modelspace_vport(height=max((_bbox(s)[3] - _bbox(s)[1] for s in sites), default=10.0) * 1.5)
    return doc


def write_dxf(project: Project, path: str | os.PathLike, site_ids: Iterable[str] | None = None) -> None:
    """Write the DXF drawing atomically (see the module doc for the layers)."""
    from designer.io.outputs import atomic_output, complete_dxf

    doc = build_dxf(project, site_ids)
    with atomic_output(path, verify=complete_dxf) as tmp:
        doc.saveas(tmp)
