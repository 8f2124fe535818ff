"""The air model's set-up, vectorised, against the per-item code it replaced (the oracles here).

A drag preview pays the set-up at every new position: the resolution check (the gap in front
of and behind every rack) and the rasterisation of the hall. Both were loops over items; the
array forms must give the same answers exactly, on random halls (racks at any turn, overlapping
or outside the outline, obstructions, air units) as on the shipped ones.
"""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as hs

from designer.model.hall import AirUnit, Hall, Obstruction, Rack
from designer.solvers.air import build as B
from designer.solvers.air import resolution as R
from designer.solvers.air.grid import snap_quadrant
from tests.hyp import examples


def _gap_oracle(hall: Hall) -> list[tuple[float, float]]:
    """Per rack, the clear distance ahead of its front and of its rear: one rack at a time, one
    box at a time (the loop :func:`resolution._gaps` replaced), among the same obstacles."""
    geoms, owner, tree, wall = R.obstacles(hall)
    out = []
    for r in hall.racks:
        q, _ = snap_quadrant(r.rotation_deg)
        th = np.deg2rad(90.0 * q)
        d = np.array([-np.sin(th), np.cos(th)])
        t = np.array([d[1], -d[0]])
        c = np.array([r.x, r.y])
        half_d, half_w = 0.5 * r.depth_m, 0.5 * r.width_m
        pair = []
        for sgn in (1.0, -1.0):
            face_c = c + sgn * half_d * d
            a, b = face_c - half_w * t * 0.999, face_c + half_w * t * 0.999
            face = shapely.LineString([a, b])
            slab = shapely.Polygon([a + sgn * 1e-6 * d, b + sgn * 1e-6 * d, b + sgn * R.FAR_M * d, a + sgn * R.FAR_M * d])
            gap = R.FAR_M
            for j in tree.query(slab, predicate="intersects"):
                if owner[j] == r.id:
                    continue
                part = shapely.intersection(geoms[j], slab)
                if not part.is_empty:
                    gap = min(gap, float(shapely.distance(face, part)))
            part = shapely.intersection(wall, slab)
            if not part.is_empty:
                gap = min(gap, float(shapely.distance(face, part)))
            pair.append(gap)
        out.append(tuple(pair))
    return out


def _gaps(hall: Hall) -> list[tuple[float, float]]:
    """The same through :func:`resolution._gaps` (all racks at once)."""
    racks = list(hall.racks)
    geoms, owner, tree, wall = R.obstacles(hall)
    front = R._gaps(racks, 1.0, geoms, owner, tree, wall)
    back = R._gaps(racks, -1.0, geoms, owner, tree, wall)
    return [(float(f), float(b)) for f, b in zip(front, back, strict=True)]


_coord = hs.floats(-1.0, 13.0, allow_nan=False).map(lambda v: round(v, 2))
_turn = hs.sampled_from([0.0, 90.0, 180.0, 270.0, 45.0, 10.0, 135.0])


@hs.composite
def halls(draw) -> Hall:
    n = draw(hs.integers(1, 14))
    racks = [Rack(id=f"r{i}", name=f"R{i}", x=draw(_coord), y=draw(_coord), rotation_deg=draw(_turn),
                  width_m=draw(hs.sampled_from([0.6, 0.8])), depth_m=draw(hs.sampled_from([1.0, 1.2])))
             for i in range(n)]
    units = [AirUnit(id=f"u{i}", name=f"U{i}", x=draw(_coord), y=draw(_coord), rotation_deg=draw(_turn),
                     width_m=0.3, depth_m=1.2, kind="inrow", capacity_kw=30.0, airflow_m3s=2.0)
             for i in range(draw(hs.integers(0, 3)))]
    obs = []
    for i in range(draw(hs.integers(0, 2))):
        x, y = draw(_coord), draw(_coord)
        obs.append(Obstruction(id=f"o{i}", polygon=[(x, y), (x + 0.4, y), (x + 0.4, y + 0.4), (x, y + 0.4)]))
    return Hall(outline=[(0, 0), (12, 0), (12, 12), (0, 12)], racks=racks, air_units=units, obstructions=obs)


@settings(max_examples=examples(60))
@given(halls())
def test_the_gaps_ahead_of_every_rack_are_the_one_at_a_time_figures(hall):
    assert _gaps(hall) == _gap_oracle(hall)


def test_the_gaps_on_the_shipped_halls():
    from pathlib import Path

    from designer.io.catalog_store import sample_project_path
    from designer.io.files import load
    from designer.io.generate import generate_project

    found = [s.hall for s in load(sample_project_path()).sites] + [generate_project(200).sites[0].hall]
    found += [load(p).sites[0].hall for p in sorted((Path(__file__).parent / "air_cfd" / "cases").glob("*.json"))]
    for hall in found:
        assert _gaps(hall) == _gap_oracle(hall)
    assert any(g < R.FAR_M for hall in found for pair in _gaps(hall) for g in pair)  # aisles were measured


def _touching_oracle(boxes, mask) -> list[bool]:
    """One box at a time: the mask sliced over the box grown by a cell each way."""
    out = []
    ny, nx = mask.shape
    for i0, i1, j0, j1 in boxes:
        jj0, jj1, ii0, ii1 = max(j0 - 1, 0), min(j1 + 1, ny), max(i0 - 1, 0), min(i1 + 1, nx)
        out.append(bool(mask[jj0:jj1, ii0:ii1].any()) if jj1 > jj0 and ii1 > ii0 else False)
    return out


@settings(max_examples=examples(100))
@given(hs.integers(1, 9), hs.integers(1, 9), hs.data())
def test_boxes_touching_a_mask_are_the_one_at_a_time_figures(ny, nx, data):
    """Boxes inside, across and wholly outside the grid (a rack off the outline), against a
    random mask."""
    mask = np.array(data.draw(hs.lists(hs.booleans(), min_size=ny * nx, max_size=ny * nx))).reshape(ny, nx)
    edge = hs.integers(-4, 12)
    boxes = [tuple(sorted(data.draw(hs.tuples(edge, edge)))) + tuple(sorted(data.draw(hs.tuples(edge, edge))))
             for _ in range(data.draw(hs.integers(0, 8)))]
    assert B._touching(boxes, mask).tolist() == _touching_oracle(boxes, mask)
