"""Grid convergence of the whole-hall answer (issue 13): every rack inlet (front-face mean and
hottest cell) changes by at most 0.5 K when the cell size halves from the default 0.25 m.
Run on a reference case (16 racks, two CRAHs, open aisles: recirculation over the rack tops and
round the row ends is what moves with the grid). The bar is not met yet: the test documents it
(strict xfail, with the measured figures) and will say so when it is."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designer.io.files import load
from designer.solvers.air import AirParams, site_results, solve_hall

CASE = Path(__file__).resolve().parent / "air_cfd" / "cases" / "open_aisle_crah.json"
TOL_K = 0.5


def inlets(cell: float):
    p = load(CASE)
    site = p.sites[0]
    sol = solve_hall(site.hall, AirParams(cell_m=cell))
    assert sol.converged, sol.stats
    res, _ = site_results(site.id, site.name, 0, site.hall, sol, "A1")
    ids = sorted(res.racks)
    return (np.array([res.racks[i].inlet_mean_c for i in ids]), np.array([res.racks[i].inlet_max_c for i in ids]))


@pytest.mark.slow
@pytest.mark.xfail(strict=True, raises=AssertionError, reason=(
    "not met (measured on this case): 0.5 -> 0.25 m the inlet means move by up to 5.6 K and the hottest "
    "cells by 7.5 K; 0.25 -> 0.125 m by up to 1.8 K (mean 0.61 K) and 5.6 K. A bounded second-order "
    "(van Leer) momentum scheme was tried: the steady march then finds no steady state at 0.125 m "
    "(the room is unsteady in OpenFOAM's URANS too; tests/air_cfd/EXPERIMENTS.md)"))
def test_rack_inlets_change_little_when_the_cells_halve():
    m1, x1 = inlets(0.25)
    m2, x2 = inlets(0.125)
    assert np.abs(m1 - m2).max() <= TOL_K, (m1.round(2), m2.round(2))
    assert np.abs(x1 - x2).max() <= TOL_K, (x1.round(2), x2.round(2))
