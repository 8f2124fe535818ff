"""Rack inlet sensors (designer.solvers.air.sensors): the defined inlet maximum reads the same
profile the same way whatever the cell size, unlike a maximum over cells."""

from __future__ import annotations

import numpy as np
import pytest

from designer.solvers.air.sensors import face_profile, sensor_heights, sensor_readings


def _face(h: float, top: float = 2.0, width_cells: int = 3):
    """Faces of a rack front on rows of height ``h``: centre heights, areas (columns of unequal
    width, as racks snapped to a grid have)."""
    zc = np.arange(h / 2, top, h)
    z = np.repeat(zc, width_cells)
    a = np.tile(np.array([0.25, 0.25, 0.1])[:width_cells], zc.size) * h
    return z, a


def test_sensor_heights():
    assert sensor_heights(2.0) == pytest.approx((0.15, 1.0, 1.85))
    assert sensor_heights(0.2) == pytest.approx((0.1, 0.1, 0.1))  # a short box: one height


@pytest.mark.parametrize("h", [0.25, 0.125, 0.1, 2.0 / 14])
def test_a_linear_profile_reads_the_same_on_any_rows(h):
    z, a = _face(h)
    t = 20.0 + 3.0 * z
    got = sensor_readings(z, t, a, 2.0)
    assert got == pytest.approx((20.45, 23.0, 25.55), abs=1e-12)
    # the hottest cell is not a quantity: it rises towards the top value as the rows shrink
    assert t.max() == pytest.approx(20.0 + 3.0 * (2.0 - h / 2))


def test_readings_are_width_averages_and_held_beyond_the_outer_rows():
    z = np.array([0.5, 0.5, 1.5, 1.5])
    t = np.array([20.0, 30.0, 24.0, 24.0])
    a = np.array([3.0, 1.0, 1.0, 1.0])
    rows, prof = face_profile(z, t, a)
    assert rows.tolist() == [0.5, 1.5] and prof == pytest.approx([22.5, 24.0])
    lo, mid, hi = sensor_readings(z, t, a, 2.0)
    assert lo == pytest.approx(22.5)  # 0.15 m is below the lowest row's centre
    assert mid == pytest.approx(23.25)
    assert hi == pytest.approx(24.0)  # 1.85 m is above the highest row's centre
