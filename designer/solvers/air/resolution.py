"""Whether a cell size can resolve a hall's racks, and the cell size a cell budget allows.

The air model's answer means something only when the grid resolves what decides it: a rack
must be at least two cells deep (its front and rear faces on different cells), and the air
in front of its intake and behind its exhaust, up to the next rack, unit, cabinet or wall,
at least two cells wide (an aisle of one cell has no jet, no mixing, and a temperature that
is whatever the cell holds). A cell larger than half of either is *too coarse*: the caller
refuses to give temperatures (an error finding naming the rack, the gap and both sizes),
rather than show numbers that change with the grid by many kelvin.

Every rack and air unit must also be at least half a cell wide and deep
(:data:`MIN_SHARE_OF_CELL`): a smaller box snaps to a whole cell and its openings would be
more than twice its own. An item under half the cell size *asked for* is the item's problem,
not the grid's (:func:`too_small`: an error naming it; a 10 mm rack once made the sample's
solve run for minutes and not settle); under half of a coarsened cell it limits the cell
size like a rack's depth.

Aisle width here is measured per rack along its facing direction, over the rack's width:
the clear distance from its front (and from its rear) face to the nearest box of another
rack, air unit or equipment cabinet, obstruction, or the hall's outline; gaps wider than
:data:`FAR_M` do not limit the cell (open room).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

from designer.model.hall import Hall
from designer.solvers.air.build import RHO_CP, rack_airflow
from designer.solvers.air.grid import box_edges, snap_quadrant

MIN_SHARE_OF_CELL = 0.5
"""A rack or air unit narrower or shallower than this share of a cell cannot be represented:
its box snaps to a whole cell, so its faces (and the area its air crosses) would be more than
twice its own. Such an item is an error finding naming it, and its site gets no temperatures."""
MIN_CELLS_ACROSS = 2
"""Cells a rack's depth and the gaps in front of and behind it must span at least."""
FAR_M = 6.0
"""Gaps in front of / behind a rack longer than this are open room, not an aisle."""


@dataclass(frozen=True)
class Limit:
    """The largest cell size that resolves a hall, and what sets it."""

    cell_m: float
    """math.inf when nothing limits it."""
    item_id: str
    what: str
    """e.g. ``"the 1.20 m depth of rack R01"`` or ``"the 0.90 m gap in front of rack R01"``."""


def _boxes(items) -> np.ndarray:
    if not items:
        return np.zeros((0, 4))
    x0, x1, y0, y1 = box_edges([b.x for b in items], [b.y for b in items], [b.width_m for b in items],
                               [b.depth_m for b in items], [snap_quadrant(b.rotation_deg)[0] for b in items])
    return np.stack([x0, y0, x1, y1], axis=1)


def _gaps(racks, sgn: float, geoms, owner, tree, wall) -> np.ndarray:
    """Clear distance from each rack's front (``sgn`` 1) or rear (-1) face to the nearest other
    box, obstruction or wall within :data:`FAR_M` straight ahead of it (``FAR_M``: nothing).

    All racks at once (shapely's array functions): the slab ahead of a face, the boxes it
    meets, their parts inside it and the face's distance to them. One rack at a time this took
    40 ms on the generated 200-rack hall, which a drag preview paid at every new position."""
    q = np.array([snap_quadrant(r.rotation_deg)[0] for r in racks], dtype=float)
    th = np.deg2rad(90.0 * q)
    d = np.stack([-np.sin(th), np.cos(th)], axis=1)  # the direction the front faces
    t = np.stack([d[:, 1], -d[:, 0]], axis=1)  # along the face
    c = np.array([[r.x, r.y] for r in racks], dtype=float)
    half_d = np.array([0.5 * r.depth_m for r in racks])[:, None]
    half_w = np.array([0.5 * r.width_m for r in racks])[:, None]
    face_c = c + sgn * half_d * d
    a, b = face_c - half_w * t * 0.999, face_c + half_w * t * 0.999
    faces = shapely.linestrings(np.stack([a, b], axis=1))
    far_a, far_b = a + sgn * FAR_M * d, b + sgn * FAR_M * d
    slabs = shapely.polygons(np.stack([a + sgn * 1e-6 * d, b + sgn * 1e-6 * d, far_b, far_a], axis=1))
    gap = np.full(len(racks), FAR_M)
    si, gi = tree.query(slabs, predicate="intersects")
    ids = np.array([r.id for r in racks], dtype=object)
    other = np.array(owner, dtype=object)[gi] != ids[si]
    si, gi = si[other], gi[other]
    if si.size:
        parts = shapely.intersection(np.asarray(geoms, dtype=object)[gi], slabs[si])
        hit = ~shapely.is_empty(parts)
        np.minimum.at(gap, si[hit], shapely.distance(faces[si[hit]], parts[hit]))
    parts = shapely.intersection(wall, slabs)
    hit = ~shapely.is_empty(parts)
    gap[hit] = np.minimum(gap[hit], shapely.distance(faces[hit], parts[hit]))
    return gap


def obstacles(hall: Hall) -> tuple:
    """What a rack's aisle can end at: the boxes of the racks (first, in order), air units,
    CDUs and power cabinets and the obstructions' polygons, the rack each box belongs to (None
    for the rest), their search tree, and the outline's wall."""
    racks = list(hall.racks)
    pw = hall.power
    others = [*[u for u in hall.air_units if u.kind != "rear_door"], *hall.cdus, *pw.transformers,
              *pw.switchboards, *pw.ups, *pw.pdus]
    rb = _boxes(racks)
    ob = _boxes(others)
    geoms = list(shapely.box(rb[:, 0], rb[:, 1], rb[:, 2], rb[:, 3])) + \
        (list(shapely.box(ob[:, 0], ob[:, 1], ob[:, 2], ob[:, 3])) if len(ob) else [])
    geoms += [shapely.Polygon(o.polygon) for o in hall.obstructions if len(o.polygon) >= 3]
    owner = [r.id for r in racks] + [None] * (len(geoms) - len(racks))
    outline = shapely.Polygon(hall.outline)
    if not outline.is_valid:
        outline = shapely.make_valid(outline)
    return geoms, owner, shapely.STRtree(geoms), outline.boundary


def resolution_limit(hall: Hall) -> Limit:
    """The largest cell size (m) that resolves every rack of ``hall`` (see the module doc)."""
    racks = list(hall.racks)
    if not racks:
        return Limit(float("inf"), "", "")
    geoms, owner, tree, wall = obstacles(hall)

    best = Limit(float("inf"), "", "")
    # every rack and unit at least half a cell across (see MIN_SHARE_OF_CELL)
    for kind, items in (("rack", racks), ("air unit", [u for u in hall.air_units if u.kind != "rear_door"])):
        for it in items:
            for dim, v in (("width", it.width_m), ("depth", it.depth_m)):
                if v / MIN_SHARE_OF_CELL < best.cell_m:
                    best = Limit(v / MIN_SHARE_OF_CELL, it.id, f"the {v:.2f} m {dim} of {kind} {it.name or it.id}")
    gaps = {sgn: _gaps(racks, sgn, geoms, owner, tree, wall) for sgn in (1.0, -1.0)}
    for k, r in enumerate(racks):
        cand = Limit(0.5 * r.depth_m * 2 / MIN_CELLS_ACROSS, r.id, f"the {r.depth_m:.2f} m depth of rack {r.name or r.id}")
        for side, sgn in (("in front of", 1.0), ("behind", -1.0)):
            gap = float(gaps[sgn][k])
            if gap < FAR_M and gap / MIN_CELLS_ACROSS < cand.cell_m:
                cand = Limit(gap / MIN_CELLS_ACROSS, r.id, f"the {gap:.2f} m gap {side} rack {r.name or r.id}")
        if cand.cell_m < best.cell_m:
            best = cand
    return best


@dataclass(frozen=True)
class TooSmall:
    """A rack or air unit too small in plan for the air model's cells."""

    item_id: str
    what: str
    """e.g. ``"rack R01 is 0.01 m wide"``."""
    size_m: float


def too_small(hall: Hall, cell_m: float) -> list[TooSmall]:
    """Racks and air units (rear doors are part of their rack) whose width or depth is under
    :data:`MIN_SHARE_OF_CELL` of ``cell_m``: the grid cannot represent them (see there)."""
    out = []
    bound = MIN_SHARE_OF_CELL * cell_m
    for kind, items in (("rack", hall.racks), ("air unit", [u for u in hall.air_units if u.kind != "rear_door"])):
        for it in items:
            for dim, v in (("wide", it.width_m), ("deep", it.depth_m)):
                if v < bound - 1e-12:
                    out.append(TooSmall(it.id, f"{kind} {it.name or it.id} is {v:.2f} m {dim}", float(v)))
                    break
    return out


MAX_FACE_VELOCITY_MPS = 15.0
"""Fastest mean air speed through a rack's front face or an air unit's face that the model takes.
Rack faces run at 0.5-2 m/s and unit openings at 2-6 m/s; past 15 m/s the input is wrong (a load
or airflow typed in the wrong unit) and the coarse-grid jets would be meaningless, so the site is
refused with the item named rather than solved (or left to fail to converge)."""


def too_fast(hall: Hall) -> list[TooSmall]:
    """Racks and air units whose airflow needs more than :data:`MAX_FACE_VELOCITY_MPS` through
    their face: a rack's airflow over its front face; a unit's over the larger of its front face
    and its footprint (a lower bound of the speed through whichever opening it uses)."""
    out = []
    for r in hall.racks:
        heat = max(r.it_load_kw, 0.0) * 1000.0 * min(max(1.0 - r.liquid_fraction, 0.0), 1.0)
        dt = r.design_delta_t_air_k if r.design_delta_t_air_k > 0 else 12.0
        q = rack_airflow(heat, dt, r.recirculation_fraction, r.bypass_fraction)
        area = max(r.width_m * r.outer_height_m(), 1e-9)
        if q / area > MAX_FACE_VELOCITY_MPS:
            out.append(TooSmall(r.id, f"rack {r.name or r.id} needs {q:,.1f} m3/s through its {area:.2f} m2 front "
                                f"({q / area:,.0f} m/s, from {r.it_load_kw:,.0f} kW at {dt:g} K rise, rho cp "
                                f"{RHO_CP:.0f} J/(m3 K))", float(q / area)))
    for u in hall.air_units:
        if u.kind == "rear_door" or not u.running:
            continue
        area = max(u.width_m * u.height_m, u.width_m * u.depth_m, 1e-9)
        if u.airflow_m3s / area > MAX_FACE_VELOCITY_MPS:
            out.append(TooSmall(u.id, f"air unit {u.name or u.id} moves {u.airflow_m3s:,.1f} m3/s through a "
                                f"{area:.2f} m2 face ({u.airflow_m3s / area:,.0f} m/s)", float(u.airflow_m3s / area)))
    return out
