"""An orthogonal router for pipes and cables on the plan: a shortest path on a grid.

Rules
-----
- Runs are orthogonal: they follow the grid's x and y directions, as trays, busways and pipe
  racks do, along rows, aisles and walls.
- The grid (``step_m``, 0.25 m by default, finer for small areas so that at least about 40
  cells span the area) covers the bounds given plus ``margin_m``; site services outside the
  hall are reached across the yard. Walls are not obstacles: a service entry is assumed where
  a run crosses the outline.
- Obstacles are polygons (equipment footprints, obstructions), grown by ``keepout_m``; a
  cell whose centre lies in one is blocked. The ends may lie inside an obstacle (a port on
  top of a CDU): each end is joined to the nearest free cell.
- Cost is length plus ``bend_m`` for every change of direction, so among runs of similar
  length the one with the fewest bends wins (long straight runs down an aisle rather than a
  staircase across the floor). The search is Dijkstra on the (cell, heading) graph
  (:func:`scipy.sparse.csgraph.dijkstra`), exact for that cost.
- When the ends cannot be joined without crossing an obstacle, the result is a straight
  L-shaped run and ``clear`` is False: the caller says so.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import dijkstra
from shapely.geometry import Polygon
from shapely.ops import unary_union

Point = tuple[float, float]

STEP_M = 0.25
BEND_M = 1.0
KEEPOUT_M = 0.05
MARGIN_M = 2.0
MAX_CELLS = 120_000


@dataclass(frozen=True)
class Route:
    points: tuple[Point, ...]
    """From start to end, corners only."""
    length_m: float
    clear: bool
    """False when no run clear of the obstacles exists (the points are then an L-shaped run)."""

    @property
    def vertices(self) -> list[Point]:
        """The intermediate corners (what a pipe's ``points`` holds)."""
        return list(self.points[1:-1])


def _length(pts: Sequence[Point]) -> float:
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:], strict=False))


def _simplify(pts: list[Point]) -> list[Point]:
    out: list[Point] = []
    for p in pts:
        if out and math.dist(out[-1], p) < 1e-9:
            continue
        while len(out) >= 2:
            a, b = out[-2], out[-1]
            # b lies on the straight line a-p: drop it
            cross = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0])
            if abs(cross) < 1e-9 and (b[0] - a[0]) * (p[0] - b[0]) + (b[1] - a[1]) * (p[1] - b[1]) >= 0:
                out.pop()
            else:
                break
        out.append(p)
    return out


def _elbow(a: Point, b: Point) -> list[Point]:
    if abs(a[0] - b[0]) < 1e-9 or abs(a[1] - b[1]) < 1e-9:
        return [a, b]
    return [a, (b[0], a[1]), b]


def l_route(a: Point, b: Point) -> Route:
    pts = _elbow(a, b)
    return Route(tuple(pts), _length(pts), False)


def route(start: Point, end: Point, obstacles: Sequence[Polygon], bounds: tuple[float, float, float, float],
          step_m: float = STEP_M, bend_m: float = BEND_M, keepout_m: float = KEEPOUT_M,
          margin_m: float = MARGIN_M) -> Route:
    """The cheapest orthogonal run from ``start`` to ``end`` clear of ``obstacles`` (see the
    module doc). ``bounds`` (x0, y0, x1, y1) is the area to search, grown by ``margin_m``."""
    x0 = min(bounds[0], start[0], end[0]) - margin_m
    y0 = min(bounds[1], start[1], end[1]) - margin_m
    x1 = max(bounds[2], start[0], end[0]) + margin_m
    y1 = max(bounds[3], start[1], end[1]) + margin_m
    step = min(step_m, max(min(x1 - x0, y1 - y0) / 40.0, 0.05))
    while ((x1 - x0) / step) * ((y1 - y0) / step) > MAX_CELLS:
        step *= 1.25
    nx, ny = int(math.ceil((x1 - x0) / step)) + 1, int(math.ceil((y1 - y0) / step)) + 1
    xs = x0 + step * np.arange(nx)
    ys = y0 + step * np.arange(ny)
    gx, gy = np.meshgrid(xs, ys)  # cell index = iy * nx + ix
    cx, cy = gx.ravel(), gy.ravel()
    polys = [p if p.is_valid else p.buffer(0) for p in obstacles if not p.is_empty]
    if polys:
        block = unary_union([p.buffer(keepout_m, join_style="mitre") for p in polys])
        blocked = shapely.contains_xy(block, cx, cy) | shapely.intersects_xy(block.boundary, cx, cy)
    else:
        blocked = np.zeros(cx.size, dtype=bool)
    free = ~blocked
    if not free.any():
        return l_route(start, end)
    fi = np.flatnonzero(free)

    def nearest(p: Point) -> int:
        d = np.abs(cx[fi] - p[0]) + np.abs(cy[fi] - p[1])
        return int(fi[int(np.argmin(d))])

    s_cell, e_cell = nearest(start), nearest(end)
    n = cx.size
    rows, cols, w = [], [], []
    idx = np.arange(n).reshape(ny, nx)
    # moves: heading 0 east, 1 north, 2 west, 3 south
    pairs = ((0, idx[:, :-1], idx[:, 1:]), (2, idx[:, 1:], idx[:, :-1]),
             (1, idx[:-1, :], idx[1:, :]), (3, idx[1:, :], idx[:-1, :]))
    for d, a, b in pairs:
        a, b = a.ravel(), b.ravel()
        ok = free[a] & free[b]
        rows.append(a[ok] * 4 + d)
        cols.append(b[ok] * 4 + d)
        w.append(np.full(int(ok.sum()), step))
    for d in range(4):  # turns in place
        for d2 in ((d + 1) % 4, (d + 3) % 4):
            rows.append(fi * 4 + d)
            cols.append(fi * 4 + d2)
            w.append(np.full(fi.size, bend_m))
    g = coo_matrix((np.concatenate(w), (np.concatenate(rows), np.concatenate(cols))), shape=(4 * n, 4 * n)).tocsr()
    dist, pred, _ = dijkstra(g, directed=True, indices=[s_cell * 4 + d for d in range(4)], min_only=True,
                          return_predecessors=True)
    ends = [e_cell * 4 + d for d in range(4)]
    best = min(ends, key=lambda k: dist[k])
    if not np.isfinite(dist[best]):
        return l_route(start, end)
    cells = []
    k = best
    while k >= 0:
        c = k // 4
        if not cells or cells[-1] != c:
            cells.append(c)
        k = pred[k]
    cells.reverse()
    grid_pts = [(float(cx[c]), float(cy[c])) for c in cells]
    pts = _elbow(start, grid_pts[0])[:-1] + grid_pts + _elbow(grid_pts[-1], end)[1:]
    pts = _simplify([(round(x, 4), round(y, 4)) for x, y in pts])
    return Route(tuple(pts), _length(pts), True)
