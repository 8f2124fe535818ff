"""Coarse air grids: items thinner than a cell, and coarsening that never invents findings."""

from __future__ import annotations

import numpy as np
import pytest

from designer.analysis import air as air_analysis
from designer.analysis.air import GRID_INDEPENDENT, AirAnalysis
from designer.io.generate import generate_project
from designer.model.findings import Severity
from designer.solvers.air.build import build_racks, build_static
from designer.solvers.air.grid import Grid, snap_boxes


@pytest.fixture(scope="module")
def hall200():
    return generate_project(200).sites[0].hall


def _cells(box) -> set[tuple[int, int]]:
    i0, i1, j0, j1 = (int(v) for v in box)
    return {(j, i) for j in range(j0, j1) for i in range(i0, i1)}


def test_snapping_gives_an_item_the_cells_whose_centres_it_covers():
    g = Grid(0.0, 0.0, 0.5, 20, 20)
    # a 1.2 m wide item from 1.1 to 2.3 covers the centres 1.25 .. 2.25: cells 2, 3, 4
    box, thin = snap_boxes(g, [1.7], [5.0], [1.2], [1.0], [0])
    assert tuple(box[0][:2]) == (2, 5) and not thin[0]
    # a 0.3 m item from 2.3 to 2.6 covers no centre: it gets the cell holding its centre 2.45
    box, thin = snap_boxes(g, [2.45], [5.0], [0.3], [1.0], [0])
    assert tuple(box[0][:2]) == (4, 5) and thin[0]


def test_an_in_row_cooler_thinner_than_a_cell_yields_its_cell_to_the_rack_beside_it(hall200):
    """0.3 m coolers flush with the end racks of each row: at 0.5 m cells both snap to the same
    line; the rack holds the cell centre, so the rack keeps it (it used to be 'blocked')."""
    st = build_static(hall200, 0.5, 0.02)
    rl = build_racks(hall200, st)
    assert st.soft.any()  # some coolers are thin here
    assert not rl.invalid.any()
    assert rl.col_open[np.isin(rl.col_rack, np.arange(len(rl.ids)))].any()
    per_rack = np.bincount(rl.col_rack[rl.col_open], minlength=len(rl.ids))
    assert (per_rack > 0).all()  # every rack moves air
    assert all(len(c) for c in rl.unit_supply_cells)  # and every cooler still supplies air


def test_racks_thinner_than_a_cell_each_get_a_cell_of_their_own_or_are_unresolved(hall200):
    """At 0.75 m cells a row of 0.6 m racks does not fit one rack per cell: each rack takes a
    free cell beside its snapped edge line, the rest are 'unresolved', and no rack is
    invalidated by a neighbour that only a coarse cell made it touch."""
    st = build_static(hall200, 0.75, 0.02)
    rl = build_racks(hall200, st)
    assert np.array_equal(rl.invalid, rl.unresolved)
    placed = np.nonzero(~rl.unresolved)[0]
    assert len(placed) >= 0.75 * len(rl.ids)
    seen: set = set()
    for k in placed:
        c = _cells(rl.box[k])
        assert not (c & seen), f"rack {rl.ids[k]} shares a cell"
        seen |= c
    # and each unresolved rack is reported as a limit of the grid, not as a blocked rack
    from designer.solvers.air.engine import AirParams, solve_hall
    from designer.solvers.air.results import site_results

    sol = solve_hall(hall200, AirParams(cell_m=0.75))
    _, found = site_results("gen", "gen", 0, hall200, sol, "A1")
    unresolved = {f.item_ids[0] for f in found if f.code == "air.rack.unresolved"}
    assert unresolved == {rl.ids[k] for k in np.nonzero(rl.unresolved)[0]}
    assert not any(f.code == "air.rack.blocked" for f in found)


def _severe(result) -> set[tuple[str, tuple[str, ...]]]:
    return {(f.code, f.item_ids) for f in result.findings if f.severity != Severity.INFO}


def test_coarsening_never_invents_findings(hall200, monkeypatch):
    """The same hall on the grid asked for and on one coarsened to fit a cell limit: every
    warning or error of the coarse answer is one the fine answer has too."""
    project = generate_project(200)
    fine = AirAnalysis().run(project, 0, {})
    assert not any(f.code == "air.grid.coarsened" for f in fine.findings)
    monkeypatch.setattr(air_analysis, "MAX_CELLS", 5_000)
    coarse = AirAnalysis().run(project, 0, {})
    note = [f for f in coarse.findings if f.code == "air.grid.coarsened"]
    assert note and "indicative" in note[0].message
    assert coarse.data.sites["gen"].map.cell_m >= 0.45
    assert _severe(coarse) <= _severe(fine)
    assert not any(f.code == "air.rack.blocked" for f in coarse.findings)


def test_on_a_coarsened_grid_totals_keep_their_severity(monkeypatch):
    """Too little air-side capacity is an error on any grid (it does not depend on the cells)."""
    project = generate_project(200)
    hall = project.sites[0].hall
    hall.air_units = [u for u in hall.air_units if u.kind != "crah"][:2]
    monkeypatch.setattr(air_analysis, "MAX_CELLS", 5_000)
    coarse = AirAnalysis().run(project, 0, {})
    assert any(f.code == "air.grid.coarsened" for f in coarse.findings)
    short = [f for f in coarse.findings if f.code == "air.capacity.short"]
    assert short and short[0].severity == Severity.ERROR
    assert "air.capacity.short" in GRID_INDEPENDENT
    # item findings there are information, and say why
    items = [f for f in coarse.findings if f.code.startswith(("air.unit.", "air.inlet.", "air.rack."))]
    assert items and all(f.severity == Severity.INFO and "indicative" in f.message for f in items)
