"""Whether a cell size can resolve a hall's racks, and the cell size a cell budget allows.

The air model's answer means something only when the grid resolves what decides it: a rack
must be at least two cells deep (its front and rear faces on different cells), and the air
in front of its intake and behind its exhaust, up to the next rack, unit, cabinet or wall,
at least two cells wide (an aisle of one cell has no jet, no mixing, and a temperature that
is whatever the cell holds). A cell larger than half of either is *too coarse*: the caller
refuses to give temperatures (an error finding naming the rack, the gap and both sizes),
rather than show numbers that change with the grid by many kelvin.

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
from designer.solvers.air.grid import box_edges, snap_quadrant

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


def resolution_limit(hall: Hall) -> Limit:
    """The largest cell size (m) that resolves every rack of ``hall`` (see the module doc)."""
    racks = list(hall.racks)
    if not racks:
        return Limit(float("inf"), "", "")
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
    wall = outline.boundary
    tree = shapely.STRtree(geoms)

    best = Limit(float("inf"), "", "")
    for r in racks:
        q, _ = snap_quadrant(r.rotation_deg)
        th = np.deg2rad(90.0 * q)
        d = np.array([-np.sin(th), np.cos(th)])  # the direction the front faces
        t = np.array([d[1], -d[0]])  # along the face
        c = np.array([r.x, r.y])
        half_d, half_w = 0.5 * r.depth_m, 0.5 * r.width_m
        cand = Limit(half_d * 2 / MIN_CELLS_ACROSS, r.id, f"the {r.depth_m:.2f} m depth of rack {r.name or r.id}")
        for side, sgn in (("in front of", 1.0), ("behind", -1.0)):
            face_c = c + sgn * half_d * d
            a, b = face_c - half_w * t * 0.999, face_c + half_w * t * 0.999
            face = shapely.LineString([a, b])
            far_a, far_b = a + sgn * FAR_M * d, b + sgn * FAR_M * d
            slab = shapely.Polygon([a + sgn * 1e-6 * d, b + sgn * 1e-6 * d, far_b, far_a])
            gap = FAR_M
            for j in tree.query(slab, predicate="intersects"):
                if owner[j] == r.id:
                    continue
                part = shapely.intersection(geoms[j], slab)
                if not part.is_empty:
                    gap = min(gap, float(shapely.distance(face, part)))
            part = shapely.intersection(wall, slab)
            if not part.is_empty:
                gap = min(gap, float(shapely.distance(face, part)))
            if gap < FAR_M and gap / MIN_CELLS_ACROSS < cand.cell_m:
                cand = Limit(gap / MIN_CELLS_ACROSS, r.id, f"the {gap:.2f} m gap {side} rack {r.name or r.id}")
        if cand.cell_m < best.cell_m:
            best = cand
    return best
