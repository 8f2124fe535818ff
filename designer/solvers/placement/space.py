"""Free floor space in a hall for a new module: a simple scan with shapely.

A spot is good when the module's *envelope* (its footprint grown by its service clearances:
front, rear, and each side) lies inside the hall outline and overlaps no obstacle. Obstacles
are the footprints of everything placed in the hall (modules, racks, CDUs, air units, power
equipment), the obstructions and the contained aisles. Pipes and busways run overhead or
under the floor and do not block. Existing items' own clearances are not checked here (the
geometry analysis does that once the module is in).

The scan tries rotations 0, 90, 180 and 270 degrees at every point of a ``step_m`` grid,
bottom row first, left to right, and takes the first good spot: deterministic, quick for
halls of a few hundred square metres, and not an optimal packing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.ops import unary_union

from designer.model.base import Placed, footprint_corners
from designer.model.hall import Hall


@dataclass(frozen=True)
class Envelope:
    """Footprint and service clearances of a module (m)."""

    width_m: float
    depth_m: float
    front_m: float = 0.0
    rear_m: float = 0.0
    side_m: float = 0.0

    def local_box(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the envelope in the module's frame (front = +y)."""
        return (-self.width_m / 2 - self.side_m, -self.depth_m / 2 - self.rear_m,
                self.width_m / 2 + self.side_m, self.depth_m / 2 + self.front_m)

    def plan_box(self, rotation_deg: float) -> tuple[float, float, float, float]:
        """Axis-aligned envelope offsets from the module centre at a quarter-turn rotation."""
        x0, y0, x1, y1 = self.local_box()
        k = int(round(rotation_deg / 90.0)) % 4
        for _ in range(k):  # (x, y) -> (-y, x) per quarter turn counter-clockwise
            x0, y0, x1, y1 = -y1, x0, -y0, x1
        return x0, y0, x1, y1

    @property
    def area_m2(self) -> float:
        x0, y0, x1, y1 = self.local_box()
        return (x1 - x0) * (y1 - y0)

    def polygon(self, x: float, y: float, rotation_deg: float) -> Polygon:
        x0, y0, x1, y1 = self.plan_box(rotation_deg)
        return shapely.box(x + x0, y + y0, x + x1, y + y1)


def _placed_items(hall: Hall) -> Iterable[Placed]:
    yield from hall.modules
    yield from hall.racks
    yield from hall.cdus
    yield from hall.air_units
    pw = hall.power
    for coll in (pw.transformers, pw.switchboards, pw.ups, pw.pdus):
        yield from coll


def hall_obstacles(hall: Hall):
    """Union of everything that blocks floor space (see the module docstring)."""
    polys = [Polygon(footprint_corners(i.x, i.y, i.width_m, i.depth_m, i.rotation_deg))
             for i in _placed_items(hall)]
    polys += [Polygon(o.polygon) for o in hall.obstructions if len(o.polygon) >= 3]
    polys += [Polygon(c.polygon) for c in hall.containments if len(c.polygon) >= 3]
    polys = [p if p.is_valid else p.buffer(0) for p in polys]
    return unary_union(polys) if polys else Polygon()


def free_area_m2(hall: Hall, obstacles=None) -> float:
    """Floor area of the outline not covered by obstacles."""
    if len(hall.outline) < 3:
        return 0.0
    outline = Polygon(hall.outline)
    if not outline.is_valid:
        outline = outline.buffer(0)
    obstacles = hall_obstacles(hall) if obstacles is None else obstacles
    return float(outline.difference(obstacles).area)


def find_free_spot(hall: Hall, env: Envelope, obstacles=None, step_m: float = 0.5,
                   rotations: tuple[float, ...] = (0.0, 90.0, 180.0, 270.0),
                   ) -> tuple[float, float, float] | None:
    """The first free spot for ``env`` in ``hall``: (x, y, rotation_deg) of the module centre.

    Parameters
    ----------
    hall
        The hall (outline and contents).
    env
        Module footprint and clearances.
    obstacles
        A shapely geometry to use instead of :func:`hall_obstacles` (e.g. with modules
        already placed by the same recommendation added).
    step_m
        Grid of the scan.
    rotations
        Quarter turns to try, in order of preference.

    Returns
    -------
    tuple or None
        None when nothing fits.
    """
    if len(hall.outline) < 3:
        return None
    outline = Polygon(hall.outline)
    if not outline.is_valid:
        outline = outline.buffer(0)
    obstacles = hall_obstacles(hall) if obstacles is None else obstacles
    shapely.prepare(outline)
    if not obstacles.is_empty:
        shapely.prepare(obstacles)
    bx0, by0, bx1, by1 = outline.bounds
    shrink = 1e-6  # touching an obstacle or the wall is fine; overlapping is not
    for rot in rotations:
        ex0, ey0, ex1, ey1 = env.plan_box(rot)
        xs = np.arange(bx0 - ex0, bx1 - ex1 + 1e-9, step_m)
        ys = np.arange(by0 - ey0, by1 - ey1 + 1e-9, step_m)
        if xs.size == 0 or ys.size == 0:
            continue
        gx, gy = np.meshgrid(xs, ys)  # rows of constant y: bottom row first
        cx, cy = gx.ravel(), gy.ravel()
        boxes = shapely.box(cx + ex0 + shrink, cy + ey0 + shrink, cx + ex1 - shrink, cy + ey1 - shrink)
        ok = shapely.contains(outline, boxes)
        if not obstacles.is_empty:
            ok &= ~shapely.intersects(obstacles, boxes)
        hit = np.nonzero(ok)[0]
        if hit.size:
            k = int(hit[0])
            return round(float(cx[k]), 6), round(float(cy[k]), 6), float(rot)
    return None


def place_many(hall: Hall, envs: list[Envelope], step_m: float = 0.5) -> list[tuple[float, float, float] | None]:
    """Place envelopes one after the other, each blocking the next; None where one does not fit."""
    obstacles = hall_obstacles(hall)
    out: list[tuple[float, float, float] | None] = []
    for env in envs:
        spot = find_free_spot(hall, env, obstacles, step_m)
        out.append(spot)
        if spot is not None:
            obstacles = unary_union([obstacles, env.polygon(*spot)])
    return out
