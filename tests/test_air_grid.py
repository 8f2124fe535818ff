"""Grid convergence of the whole-hall answer (issue 13): every rack inlet (front-face mean and
inlet max, the hottest of the three inlet sensors) changes by at most 0.5 K when the cell size
halves from the default 0.25 m. Run on two reference cases: open aisles with CRAHs (16 racks;
recirculation over the rack tops and round the row ends is what moves with the grid) and a
contained cold aisle on a raised floor. The bar is not met yet: the test documents it (strict
xfail, with the measured figures) and will say so when it is. The hot-aisle reference case has
no steady state at 0.125 m (2,000 steps), so it is not a grid test here
(tests/air_cfd/EXPERIMENTS.md).

Each case solves the hall at 0.25 and 0.125 m (eight times the cells): minutes of CPU, so these
run nightly (``DESIGNER_NIGHTLY=1``), not in CI."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

from designer.solvers.air.validation import figures

sys.path.insert(0, str(Path(__file__).resolve().parent / "air_cfd"))
import compare  # noqa: E402

TOL_K = compare.GRID_K
GRID_CASES = ("open_aisle_crah", "cold_aisle_raised_floor")
_grid = functools.cache(compare.grid_change)


def _not_met(name: str) -> str | None:
    """The shipped figures (designer/solvers/air/validation.json, what the Assumptions quote) say the
    bar is not met on this case: the strict xfail's reason is them; the test checks they are still
    what the model gives."""
    g = figures().get("grid", {}).get(name)
    if g is None or g.get("met"):
        return None
    return (f"not met: {g['from_m']:g} -> {g['to_m']:g} m the inlet means move by {g['means_mean_k']} K on average, "
            f"{g['means_max_k']} K at most, the inlet max by {g['max_mean_k']} / {g['max_max_k']} K "
            "(tests/air_cfd/EXPERIMENTS.md: second-order momentum gives no steady state at 0.125 m; a bounded "
            "second-order heat convection moves the means' grid figures by 0.03 K)")


@pytest.mark.slow
@pytest.mark.nightly
@pytest.mark.parametrize("name", GRID_CASES)
def test_the_shipped_grid_figures_are_the_models(name):
    """What the Assumptions quote about grid convergence is what the model gives now."""
    g = _grid(name)
    shipped = {k: v for k, v in figures()["grid"][name].items() if k != "title"}
    assert shipped == g, f"{name}: the model now gives {g} (rerun tests/air_cfd/validate_model.py --grid)"


@pytest.mark.slow
@pytest.mark.nightly
@pytest.mark.parametrize("name", [
    pytest.param(n, marks=[pytest.mark.xfail(strict=True, raises=AssertionError, reason=_not_met(n))]
                 if _not_met(n) else [], id=n)
    for n in GRID_CASES])
def test_rack_inlets_change_little_when_the_cells_halve(name):
    g = _grid(name)
    assert g["steady"] and g["means_max_k"] <= TOL_K and g["max_max_k"] <= TOL_K, g
