"""Rack inlet sensors: the defined "inlet maximum" of a rack, as engineers measure it.

A maximum over model cells is not a quantity: it rises as the cells shrink (a maximum over
more, smaller samples) and it is not what anyone measures. ASHRAE TC 9.9 has rack inlet
temperatures read at the bottom, the middle and the top of the rack's front. Here the three
sensors sit at :data:`SENSOR_OFFSET_M` above the floor, at mid-height and
:data:`SENSOR_OFFSET_M` below the rack's top; each reads the air entering the front face at its
height, averaged over the rack's width. The rack's inlet maximum is the hottest of the three.

The readings come from the face's temperature profile: the width-average of each row of faces
(one row a layer of cells), linearly interpolated in height between the rows' centres and held
at the lowest / highest row beyond them. So a reading does not depend on where the cell
boundaries fall, only on how well the grid resolves the profile. The same function reads the
OpenFOAM reference fields (``tests/air_cfd/extract.py``), so model and reference give the same
quantity.

The hottest of three readings is not a bound on the face's area mean (a warm band between two
sensors can lift the mean above all three); it is what a sensor strip would show.
"""

from __future__ import annotations

import numpy as np

SENSOR_OFFSET_M = 0.15
"""Distance of the bottom sensor above the floor and of the top sensor below the rack's top, m."""

SENSOR_NAMES = ("bottom", "middle", "top")


def sensor_heights(rack_height_m: float) -> tuple[float, float, float]:
    """Heights of the bottom, middle and top sensors above the floor, m."""
    h = max(float(rack_height_m), 0.0)
    lo = min(SENSOR_OFFSET_M, 0.5 * h)
    return lo, 0.5 * h, h - lo


def face_profile(z_m: np.ndarray, t_c: np.ndarray, area_m2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Width-averaged temperature of each row of faces: ``(row centre heights, temperatures)``,
    ascending in height. ``z_m``, ``t_c``, ``area_m2``: per face, its centre height, temperature
    and area."""
    z = np.asarray(z_m, dtype=float)
    t = np.asarray(t_c, dtype=float)
    a = np.asarray(area_m2, dtype=float)
    _, inv = np.unique(np.round(z, 6), return_inverse=True)  # a row: faces at one height (to 1 um)
    n = int(inv.max()) + 1 if inv.size else 0
    w = np.bincount(inv, weights=a, minlength=n)
    return np.bincount(inv, weights=a * z, minlength=n) / w, np.bincount(inv, weights=a * t, minlength=n) / w


def sensor_readings(z_m: np.ndarray, t_c: np.ndarray, area_m2: np.ndarray,
                    rack_height_m: float) -> tuple[float, float, float]:
    """Bottom, middle and top readings of a rack's inlet sensors, degC (see the module)."""
    rows, prof = face_profile(z_m, t_c, area_m2)
    return tuple(float(np.interp(h, rows, prof)) for h in sensor_heights(rack_height_m))
