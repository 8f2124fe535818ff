"""The plan grid of the air model and the rasterisation of plan shapes onto it.

Cells are squares of ``cell_m`` over the bounding box of the hall outline; cell ``(j, i)``
(row j along y, column i along x) has its centre at ``(x0 + (i + 0.5) h, y0 + (j + 0.5) h)``.
A polygon covers the cells whose centres lie inside it. Rectangles of placed items are
snapped to grid lines (each edge to the nearest line), so a row of racks side by side stays
a gap-free block of cells and mirror-image layouts rasterise to mirror images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely

_EPS = 1e-9


@dataclass(frozen=True)
class Grid:
    """A uniform plan grid: origin (lower-left corner), cell size and counts."""

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int

    @classmethod
    def over(cls, outline: list[tuple[float, float]], cell_m: float) -> Grid:
        """The grid covering the bounding box of ``outline`` with square cells of ``cell_m``."""
        xs = [p[0] for p in outline]
        ys = [p[1] for p in outline]
        x0, y0 = min(xs), min(ys)
        nx = max(1, math.ceil((max(xs) - x0) / cell_m - _EPS))
        ny = max(1, math.ceil((max(ys) - y0) / cell_m - _EPS))
        return cls(x0, y0, cell_m, nx, ny)

    def centres(self) -> tuple[np.ndarray, np.ndarray]:
        """Cell-centre coordinates as two ``(ny, nx)`` arrays."""
        h = self.cell_m
        xc = self.x0 + (np.arange(self.nx) + 0.5) * h
        yc = self.y0 + (np.arange(self.ny) + 0.5) * h
        return np.meshgrid(xc, yc)

    def line_x(self, x) -> np.ndarray:
        """Index of the grid line nearest to plan coordinate(s) ``x``."""
        return np.floor((np.asarray(x, dtype=float) - self.x0) / self.cell_m + 0.5 + _EPS).astype(np.int64)

    def line_y(self, y) -> np.ndarray:
        return np.floor((np.asarray(y, dtype=float) - self.y0) / self.cell_m + 0.5 + _EPS).astype(np.int64)

    def cell_of(self, x: float, y: float) -> tuple[int, int] | None:
        """``(j, i)`` of the cell containing a plan point, or None off the grid."""
        i = math.floor((x - self.x0) / self.cell_m)
        j = math.floor((y - self.y0) / self.cell_m)
        if 0 <= i < self.nx and 0 <= j < self.ny:
            return j, i
        return None


def polygon_mask(grid: Grid, polygon: list[tuple[float, float]], thin: bool = False) -> np.ndarray:
    """Cells whose centres lie inside ``polygon`` (``(ny, nx)`` bool).

    With ``thin``, a polygon too narrow to hold any cell centre (a thin wall) still marks
    the cells it touches, so it keeps blocking air on a coarse grid.
    """
    mask = np.zeros((grid.ny, grid.nx), dtype=bool)
    if len(polygon) < 3:
        return mask
    poly = shapely.Polygon(polygon)
    if not poly.is_valid:
        poly = shapely.make_valid(poly)
    xmin, ymin, xmax, ymax = poly.bounds
    h = grid.cell_m
    i0 = max(0, math.floor((xmin - grid.x0) / h))
    i1 = min(grid.nx, math.ceil((xmax - grid.x0) / h))
    j0 = max(0, math.floor((ymin - grid.y0) / h))
    j1 = min(grid.ny, math.ceil((ymax - grid.y0) / h))
    if i1 <= i0 or j1 <= j0:
        return mask
    xc = grid.x0 + (np.arange(i0, i1) + 0.5) * h
    yc = grid.y0 + (np.arange(j0, j1) + 0.5) * h
    X, Y = np.meshgrid(xc, yc)
    sub = shapely.contains_xy(poly, X, Y)
    if thin and not sub.any():
        boxes = shapely.box(X - h / 2, Y - h / 2, X + h / 2, Y + h / 2)
        sub = shapely.intersects(poly, boxes)
    mask[j0:j1, i0:i1] = sub
    return mask


def snap_quadrant(rotation_deg: float) -> tuple[int, bool]:
    """Rotation as a quarter turn 0-3 (counter-clockwise), and whether it was off-axis."""
    q = rotation_deg / 90.0
    k = int(math.floor(q + 0.5)) % 4
    return k, abs(q - round(q)) > 1e-6


def snapped_boxes(grid: Grid, x, y, w, d, quarter) -> np.ndarray:
    """Cell blocks of rectangles (centre, width along the front face, depth, quarter turn).

    Returns an ``(n, 4)`` int array of ``i0, i1, j0, j1`` (half-open), each edge snapped to the
    nearest grid line; one narrower than a cell gets the cell that holds its centre. Not clipped
    to the grid.
    """
    return snap_boxes(grid, x, y, w, d, quarter)[0]


def snap_boxes(grid: Grid, x, y, w, d, quarter) -> tuple[np.ndarray, np.ndarray]:
    """:func:`snapped_boxes`, and which rectangles were too thin to hold a cell centre.

    Snapping each edge to the nearest line gives an item exactly the cells whose centres it
    covers, so two items share a cell only when they really overlap, except a *thin* one
    (narrower than a cell along x or y): it covers no centre and is given the cell holding its
    own centre, which a neighbour may hold too. Callers let a thin item's cell yield.
    """
    x, y, w, d = (np.asarray(a, dtype=float) for a in (x, y, w, d))
    quarter = np.asarray(quarter, dtype=np.int64)
    odd = quarter % 2 == 1
    ex = np.where(odd, d, w) / 2.0  # half extent along x
    ey = np.where(odd, w, d) / 2.0
    i0, i1 = grid.line_x(x - ex), grid.line_x(x + ex)
    j0, j1 = grid.line_y(y - ey), grid.line_y(y + ey)
    # narrower than a cell: the cell holding its centre (both edges snapped to one line, so
    # the neighbours on either side end at that line too; the centre says which side is its own)
    ci = np.floor((x - grid.x0) / grid.cell_m + _EPS).astype(np.int64)
    cj = np.floor((y - grid.y0) / grid.cell_m + _EPS).astype(np.int64)
    thin_x, thin_y = i1 <= i0, j1 <= j0
    i0, i1 = np.where(thin_x, ci, i0), np.where(thin_x, ci + 1, i1)
    j0, j1 = np.where(thin_y, cj, j0), np.where(thin_y, cj + 1, j1)
    return np.stack([i0, i1, j0, j1], axis=1), thin_x | thin_y
