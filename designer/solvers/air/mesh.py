"""The 3D mesh of the air model: a uniform plan grid times vertical layers.

Plan cells are squares of ``cell_m`` (:class:`designer.solvers.air.grid.Grid`). Layers are
placed so that every height the room is made of is a layer boundary: the floor (z = 0), the
ceiling (``hall.height_m``), rack tops, unit tops, the 2/3 split of a CRAH's front face and
containment roofs; heights closer than ``MERGE`` cells to a boundary already kept are snapped
to it. Between those, layers are equal and at most ``cell_m`` thick. A raised floor adds
layers below z = 0, a ceiling plenum above the ceiling.

Arrays of cells are ``(nz, ny, nx)`` (layer, row along y, column along x). Faces normal to
axis ``a`` have one more entry along ``a``: x faces ``(nz, ny, nx + 1)``, y faces
``(nz, ny + 1, nx)``, z faces ``(nz + 1, ny, nx)``. Axis numbers follow the array order:
0 is z, 1 is y, 2 is x.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designer.solvers.air.grid import Grid

MERGE = 0.4
"""Heights closer than this share of a cell to a kept layer boundary snap to it."""


@dataclass(frozen=True)
class Mesh:
    plan: Grid
    zf: np.ndarray
    """Layer boundaries, m, ascending (z = 0 is the top of the floor)."""
    k_floor: int
    """Index in ``zf`` of z = 0 (0 without a raised floor)."""
    k_ceil: int
    """Index in ``zf`` of the ceiling (the last one without a ceiling plenum)."""

    @property
    def nz(self) -> int:
        return len(self.zf) - 1

    @property
    def shape(self) -> tuple[int, int, int]:
        return (self.nz, self.plan.ny, self.plan.nx)

    @property
    def size(self) -> int:
        return self.nz * self.plan.ny * self.plan.nx

    @property
    def dz(self) -> np.ndarray:
        return np.diff(self.zf)

    @property
    def zc(self) -> np.ndarray:
        return 0.5 * (self.zf[:-1] + self.zf[1:])

    def widths(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cell widths along z, y, x as arrays broadcastable to the cell shape."""
        h = self.plan.cell_m
        return (self.dz.reshape(-1, 1, 1), np.full((1, self.plan.ny, 1), h), np.full((1, 1, self.plan.nx), h))

    def face_shape(self, axis: int) -> tuple[int, int, int]:
        s = list(self.shape)
        s[axis] += 1
        return tuple(s)

    def k_of(self, z: float) -> int:
        """Index of the layer boundary nearest to height ``z``."""
        return int(np.argmin(np.abs(self.zf - z)))

    def layer_of(self, z: float) -> int | None:
        """Layer holding height ``z`` (None outside the mesh)."""
        if z < self.zf[0] or z > self.zf[-1]:
            return None
        return int(min(np.searchsorted(self.zf, z, side="right") - 1, self.nz - 1))


def layer_bounds(height_m: float, marks, cell_m: float, floor_m: float = 0.0, plenum_m: float = 0.0) -> tuple:
    """Layer boundaries for a room of ``height_m`` with ``marks`` (heights that should be
    boundaries), a raised floor of ``floor_m`` and a ceiling plenum of ``plenum_m``.

    Returns ``(zf, k_floor, k_ceil)``.
    """
    H = float(height_m)
    keep = [0.0, H]
    for m in sorted({round(float(m), 4) for m in marks if 0.0 < m < H}):
        if min(abs(m - k) for k in keep) >= MERGE * cell_m:
            keep.append(m)
    keep.sort()
    zs = [0.0]
    for a, b in zip(keep[:-1], keep[1:], strict=True):
        n = max(1, math.ceil((b - a) / cell_m - 1e-9))
        zs += list(a + (b - a) * np.arange(1, n + 1) / n)
    zs[-1] = H
    below = []
    if floor_m > 0:
        n = max(1, math.ceil(floor_m / cell_m - 1e-9))
        below = list(-floor_m + floor_m * np.arange(n) / n)
    above = []
    if plenum_m > 0:
        n = max(1, math.ceil(plenum_m / cell_m - 1e-9))
        above = list(H + plenum_m * np.arange(1, n + 1) / n)
    zf = np.array(below + zs + above, dtype=float)
    return zf, len(below), len(below) + len(zs) - 1
