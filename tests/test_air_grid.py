"""Grid convergence of the whole-hall answer (issue 13): every rack inlet (front-face mean and
inlet max, the hottest of the three inlet sensors) changes by at most 0.5 K when the cell size
halves from the default 0.25 m. Run on two reference cases: open aisles with CRAHs (16 racks;
recirculation over the rack tops and round the row ends is what moves with the grid) and a
contained cold aisle on a raised floor. The bar is not met yet: the test documents it (strict
xfail, with the measured figures) and will say so when it is. The hot-aisle reference case has
no steady state at 0.125 m (2,000 steps), so it is not a grid test here
(tests/air_cfd/EXPERIMENTS.md)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from designer.io.files import load
from designer.solvers.air import AirParams, site_results, solve_hall

CASES = Path(__file__).resolve().parent / "air_cfd" / "cases"
TOL_K = 0.5
NOT_MET = {
    "open_aisle_crah": (
        "not met (measured on this case): 0.5 -> 0.25 m the inlet means move by up to 5.6 K; 0.25 -> 0.125 m "
        "the means by 0.61 K on average, 1.79 K at most, the inlet max (hottest sensor) by 1.54 / 4.62 K (the "
        "top sensor sits in the hot layer spilling over the rack tops). A bounded second-order (van Leer) "
        "momentum scheme was tried: the steady march then finds no steady state at 0.125 m (the room is "
        "unsteady in OpenFOAM's URANS too; tests/air_cfd/EXPERIMENTS.md)"),
    "cold_aisle_raised_floor": (
        "not met (measured on this case): 0.25 -> 0.125 m the inlet means move by 0.18 K on average, 0.67 K "
        "at most (R13, the open row's south end), the inlet max (hottest sensor) by 0.57 / 1.70 K (R13; the "
        "contained rows' top sensors under the roof by up to 0.8 K)"),
}


def inlets(name: str, cell: float):
    p = load(CASES / f"{name}.json")
    site = p.sites[0]
    sol = solve_hall(site.hall, AirParams(cell_m=cell))
    assert sol.converged, sol.stats
    res, _ = site_results(site.id, site.name, 0, site.hall, sol, "A1")
    ids = sorted(res.racks)
    return (np.array([res.racks[i].inlet_mean_c for i in ids]), np.array([res.racks[i].inlet_max_c for i in ids]))


@pytest.mark.slow
@pytest.mark.parametrize("name", [
    pytest.param(n, marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=NOT_MET[n])]
                 if n in NOT_MET else [], id=n)
    for n in ("open_aisle_crah", "cold_aisle_raised_floor")])
def test_rack_inlets_change_little_when_the_cells_halve(name):
    m1, x1 = inlets(name, 0.25)
    m2, x2 = inlets(name, 0.125)
    assert np.abs(m1 - m2).max() <= TOL_K, (m1.round(2), m2.round(2))
    assert np.abs(x1 - x2).max() <= TOL_K, (x1.round(2), x2.round(2))
