"""The air analysis: payload for the GUI, slices and sections, reuse between runs, findings,
bad input. Small halls on coarse cells (the 3D solve of the whole sample is benchmark work)."""

from __future__ import annotations

import numpy as np
import pytest

from designer.analysis.air import AirAnalysis
from designer.analysis.base import run_analysis
from designer.model.hall import AirUnit, Hall, Rack
from designer.model.project import Project, Settings, Site
from designer.solvers.air.engine import clear_memo

CELL = 0.4


def _run(project, analysis=None, cache=None, revision=0):
    a = analysis or AirAnalysis(cell_m=CELL)
    res = run_analysis(a, project, revision, cache if cache is not None else {})
    assert res.error is None, res.summary.get("traceback")
    return res


def _project(hall: Hall, cls="A1") -> Project:
    return Project(settings=Settings(ashrae_class=cls, air_cell_m=CELL),
                   sites=[Site(id="s1", name="Test hall", hall=hall)])


def _hall(kw=6.0) -> Hall:
    racks = [Rack(id=f"a{k}", name=f"A{k}", x=2.8 + 0.8 * k, y=2.0, rotation_deg=0, it_load_kw=kw) for k in range(4)]
    racks += [Rack(id=f"b{k}", name=f"B{k}", x=2.8 + 0.8 * k, y=4.4, rotation_deg=180, it_load_kw=kw)
              for k in range(4)]
    units = [AirUnit(id=f"c{i}", name=f"CRAH{i}", x=x, y=3.2, rotation_deg=rot, width_m=2.0, depth_m=0.8,
                     height_m=2.0, capacity_kw=100.0, airflow_m3s=3.0, supply_temp_c=20.0)
             for i, x, rot in ((1, 0.4, 270), (2, 7.6, 90))]
    return Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)], height_m=3.0, racks=racks, air_units=units)


def test_payload_for_the_gui_slices_and_sections():
    res = _run(_project(_hall()))
    data = res.data
    assert "3D" in data.headline and "not CFD" in data.headline
    assert res.summary["model"].startswith("coarse-grid 3D")
    s = data.sites["s1"]
    assert s.solved and s.indices.inlet_quantity == "inlet_max_c"
    m = s.map
    assert m.temperature_c.shape == (m.ny, m.nx) and not m.temperature_c.flags.writeable
    assert m.z_m == pytest.approx(1.2)
    x0, y0, x1, y1 = m.extent
    assert m.at(x0 - 1, y0) is None
    assert m.at(4.0, 3.2) is not None  # the cold aisle
    assert m.t_min_c <= m.t_max_c
    # any height, and a section along the cold aisle
    top = s.field.heat_map(2.8)
    assert top.z_m == 2.8 and np.nanmean(top.temperature_c) > np.nanmean(m.temperature_c) - 1e-9
    sec = s.field.section((0.5, 3.2), (7.5, 3.2))
    assert sec.temperature_c.shape == (len(sec.z_m), len(sec.s_m))
    assert sec.s_m[-1] == pytest.approx(7.0)
    assert np.isfinite(sec.temperature_c).any()
    u = s.units["c1"]
    assert u.utilisation == pytest.approx(u.load_kw / u.capacity_kw)
    assert res.summary["s1"]["rci_hi_pct"] == pytest.approx(s.indices.rci_hi, abs=0.06)
    text = AirAnalysis().report_text(res)
    assert "inlet max: hottest of 3 sensors" in text


def test_reuse_between_runs_gives_the_fresh_answer():
    project = _project(_hall())
    hall = project.sites[0].hall
    a, cache = AirAnalysis(cell_m=CELL), {}
    _run(project, a, cache)
    hall.racks[1].it_load_kw = 9.0
    powered = _run(project, a, cache, 1).data.sites["s1"]
    assert powered.stats["geometry"] == "reused" and powered.stats["start"] == "previous field"
    hall.racks[1].x += 0.4
    moved = _run(project, a, cache, 2).data.sites["s1"]
    assert moved.stats["geometry"] == "rebuilt" and moved.stats["start"] == "previous field"
    clear_memo()  # a solve from scratch, not the kept answer of the same hall
    fresh = _run(project).data.sites["s1"]
    for rid, r in fresh.racks.items():
        assert moved.racks[rid].inlet_mean_c == pytest.approx(r.inlet_mean_c, abs=0.05)


def test_findings_name_the_rack_its_temperature_and_a_fix():
    hall = _hall(kw=12.0)
    for u in hall.air_units:
        u.airflow_m3s = 1.5
    res = _run(_project(hall))
    hot = [f for f in res.findings if f.code.startswith("air.inlet.above")]
    assert hot
    s = res.data.sites["s1"]
    for f in hot:
        (rid,) = f.item_ids
        r = s.racks[rid]
        assert f"{r.inlet_max_c:.1f} degC" in f.message and f.fix
    assert any(f.code == "air.airflow.short" for f in res.findings)


def test_hall_without_running_units_is_a_finding_not_a_crash():
    hall = _hall()
    for u in hall.air_units:
        u.running = False
    res = _run(_project(hall))
    s = res.data.sites["s1"]
    assert not s.solved and s.map is None
    assert all(r.inlet_max_c is None for r in s.racks.values())
    assert any(f.code == "air.no_units" for f in res.findings)


def test_unconverged_solve_is_an_error_finding_with_no_numbers():
    from designer.solvers.air import AirParams

    res = _run(_project(_hall()), AirAnalysis(cell_m=CELL, params=AirParams(max_iter=5)))
    s = res.data.sites["s1"]
    assert not s.solved and s.map is None
    assert all(r.inlet_max_c is None for r in s.racks.values())
    (f,) = [f for f in res.findings if f.code == "air.not_converged"]
    assert f.severity.value == "error" and "Test hall" in f.message
    # and nothing else that would need a steady state: unit loads and containment flows absent
    assert all(u.utilisation is None and not np.isfinite(u.load_kw) for u in s.units.values())
    assert s.balance is None and s.field is None and not s.containments
    # the march it made is kept, and says it did not settle
    c = s.convergence
    assert c is not None and not c.converged and c.steps == 5 == s.stats["iterations"]


def test_the_march_is_reported_while_it_runs_and_kept_with_the_answer(monkeypatch):
    from designer.solvers.air import engine

    clear_memo()
    monkeypatch.setattr(engine, "PROGRESS_EVERY_S", 0.0)  # every step
    project = _three_sites()
    ticks = []
    res = run_analysis(AirAnalysis(cell_m=CELL), project, 0, {}, focus=lambda: "s2",
                       progress=lambda info: ticks.append((info["site_id"], info["site_name"],
                                                           info["convergence"], tuple(info["pending"]))))
    assert res.error is None, res.summary.get("traceback")
    order = list(dict.fromkeys(t[0] for t in ticks))
    assert order == ["s2", "s1", "s3"]  # the site in focus first (no partial callback needed)
    assert ticks[0][1] == "Hall 2" and ticks[0][3] == ("s1", "s3") and ticks[-1][3] == ()
    for sid in order:
        mine = [t[2] for t in ticks if t[0] == sid]
        assert [c.steps for c in mine] == list(range(1, len(mine) + 1))  # one tick a step
        s = res.data.sites[sid]
        final = s.convergence
        assert final.steps == s.stats["iterations"] == len(mine) and final.converged and final.start == "rest"
        # what was shown live is the start of what is kept
        assert np.array_equal(mine[-1].velocity_change, final.velocity_change)
        # steady: the last step's changes under both tolerances, and not before min_iter
        assert final.velocity_change[-1] < final.tol_u and final.temperature_change_k[-1] < final.tol_t
        assert not final.velocity_change.flags.writeable
    # an edit: the march restarts from the previous field, and says so
    project.sites[0].hall.racks[0].it_load_kw = 9.0
    res = run_analysis(AirAnalysis(cell_m=CELL), project, 1, {})
    assert res.data.sites["s1"].convergence.start == "rest"  # a fresh cache: from rest
    cache = {}
    run_analysis(AirAnalysis(cell_m=CELL), project, 2, cache)
    project.sites[0].hall.racks[0].it_load_kw = 8.0
    res = run_analysis(AirAnalysis(cell_m=CELL), project, 3, cache)
    assert res.data.sites["s1"].convergence.start == "previous field"


# -- cell size: budget and resolution -----------------------------------------------------------
def test_resolution_limit_is_half_the_rack_depth_or_the_narrowest_aisle():
    from designer.solvers.air.resolution import resolution_limit

    hall = _hall()  # 1.2 m deep racks, a 1.2 m cold aisle, 1.4 m behind them to the walls
    lim = resolution_limit(hall)
    assert lim.cell_m == pytest.approx(0.6)
    # a rack 0.5 m from the wall behind it: that gap sets the limit, and is named
    hall.racks[0].y = 0.5 + 0.6
    lim = resolution_limit(hall)
    assert lim.cell_m == pytest.approx(0.25) and lim.item_id == "a0"
    assert "0.50 m gap behind rack A0" in lim.what


def test_a_grid_too_coarse_for_the_racks_is_an_error_with_no_temperatures():
    res = _run(_project(_hall()), AirAnalysis(cell_m=0.7))
    s = res.data.sites["s1"]
    assert not s.solved and s.map is None and s.field is None
    assert all(r.inlet_max_c is None and r.inlet_mean_c is None for r in s.racks.values())
    (f,) = [f for f in res.findings if f.code == "air.grid.too_coarse"]
    assert f.severity.value == "error"
    assert "0.7 m" in f.message and "0.60 m" in f.message and "rack" in f.message
    assert not any(f.code in ("air.no_units", "air.not_converged") for f in res.findings)


def test_coarsening_to_fit_the_budget_is_a_warning_naming_both_sizes():
    res = _run(_project(_hall()), AirAnalysis(cell_m=0.25, max_cells=2000))
    (f,) = [f for f in res.findings if f.code == "air.grid.coarsened"]
    assert f.severity.value == "warning"
    used = res.data.sites["s1"].stats["cells"]
    assert "0.25 m asked" in f.message and "0.45 m cells" in f.message, f.message
    assert res.data.sites["s1"].solved and used <= 2000 * 1.3  # layers follow the item heights
    # a budget that would coarsen past what resolves the racks (0.60 m: half a rack's depth):
    # solved at the coarsest cells that do, over the budget, and the warning says so
    res = _run(_project(_hall()), AirAnalysis(cell_m=0.25, max_cells=300))
    (f,) = [f for f in res.findings if f.code == "air.grid.coarsened"]
    assert f.severity.value == "warning" and "air.grid.too_coarse" not in {g.code for g in res.findings}
    assert "0.6 m cells" in f.message and "over the 300 cells" in f.message and "rack" in f.message, f.message
    s = res.data.sites["s1"]
    assert s.solved and s.map.cell_m == pytest.approx(0.6) and s.stats["cells"] > 300
    # ... unless those cells are over the second cap too: an error and no temperatures
    res = _run(_project(_hall()), AirAnalysis(cell_m=0.25, max_cells=300, max_cells_resolved=500))
    codes = {f.code: f for f in res.findings}
    assert codes["air.grid.coarsened"].severity.value == "warning"
    assert codes["air.grid.too_coarse"].severity.value == "error"
    assert "asked" in codes["air.grid.too_coarse"].message and "over 500" in codes["air.grid.too_coarse"].message
    assert not res.data.sites["s1"].solved


def test_should_stop_stops_the_solve_with_no_answer_and_nothing_kept():
    from designer.solvers.air import AirParams, HallCache, solve_hall

    clear_memo()
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 3

    hall = _hall()
    sol = solve_hall(hall, AirParams(cell_m=CELL), HallCache(), stop)
    assert sol.stats["stopped"] and not sol.solved and not sol.converged and sol.T is None
    assert sol.iterations == 3
    # the next solve of the same hall is a real one (the stopped one was not memoised)
    res = _run(_project(hall))
    assert res.data.sites["s1"].solved
    # through the analysis: a stopped run says so and carries no data
    res = run_analysis(AirAnalysis(cell_m=CELL), _project(_hall(kw=5.0)), 1, {}, should_stop=lambda: True)
    assert res.summary == {"stopped": True} and res.data is None


def _three_sites() -> Project:
    sites = []
    for i in (1, 2, 3):
        hall = _hall(kw=4.0 + i)
        for item in (*hall.racks, *hall.air_units):
            item.id = f"s{i}-{item.id}"  # ids are unique over the project
        sites.append(Site(id=f"s{i}", name=f"Hall {i}", hall=hall))
    return Project(settings=Settings(air_cell_m=CELL), sites=sites)


def _inlets(res) -> dict:
    return {f"{sid}/{rid}/{q}": v for sid, s in res.data.sites.items() for rid, r in s.racks.items()
            for q, v in (("mean", r.inlet_mean_c), ("max", r.inlet_max_c))}


def test_the_site_in_focus_is_solved_first_and_each_answer_handed_over_as_it_comes():
    clear_memo()
    project = _three_sites()
    want = ["s3"]
    parts = []

    def partial(res):
        parts.append((tuple(res.data.sites), res.data.pending, res.summary.get("pending")))
        want[0] = "s2"  # the engineer turns to another site while the air lane works

    cache = {}
    res = run_analysis(AirAnalysis(cell_m=CELL), project, 0, cache, focus=lambda: want[0], partial=partial)
    assert res.error is None, res.summary.get("traceback")
    # s3 first (in focus at the start), then s2 (in focus from then on), then s1; after the
    # last site the final result, with nothing pending
    assert parts == [(("s3",), ("s1", "s2"), ["s1", "s2"]), (("s2", "s3"), ("s1",), ["s1"])]
    assert tuple(res.data.sites) == ("s1", "s2", "s3") and res.data.pending == ()
    assert "pending" not in res.summary
    # the same answers as a run in project order from scratch, to the last bit, whatever the
    # global random state (the multigrid build seeds its own and puts the caller's back)
    clear_memo()
    np.random.seed(7)
    before = np.random.get_state()[1].copy()
    plain = _run(_three_sites())
    assert np.array_equal(np.random.get_state()[1], before)
    assert plain.data.pending == () and _inlets(plain) == _inlets(res)
    assert [f.code for f in plain.findings] == [f.code for f in res.findings]
    # an edit on one site: the kept answers of the others come at once, before its solve
    project.sites[1].hall.racks[0].it_load_kw = 9.0
    parts.clear()
    res = run_analysis(AirAnalysis(cell_m=CELL), project, 1, cache, focus=lambda: "s1", partial=partial)
    assert parts == [(("s1", "s3"), ("s2",), ["s2"])]
    assert tuple(res.data.sites) == ("s1", "s2", "s3") and res.data.sites["s2"].stats["start"] == "previous field"


def test_a_rack_or_unit_under_half_a_cell_is_an_error_naming_it():
    hall = _hall()
    hall.racks[1].width_m = 0.01
    hall.air_units[0].depth_m = 0.01
    res = _run(_project(hall))
    s = res.data.sites["s1"]
    assert not s.solved and all(r.inlet_mean_c is None for r in s.racks.values())
    small = {f.item_ids[-1]: f for f in res.findings if f.code == "air.item.too_small"}
    assert set(small) == {"a1", "c1"}
    assert all(f.severity.value == "error" for f in small.values())
    assert "rack A1 is 0.01 m wide" in small["a1"].message and "0.4 m" in small["a1"].message
    assert "air unit CRAH1 is 0.01 m deep" in small["c1"].message
    assert not any(f.code in ("air.not_converged", "air.rack.blocked", "air.unit.blocked") for f in res.findings)
    # at half a cell it is represented (and solved)
    hall.racks[1].width_m = hall.air_units[0].depth_m = 0.5 * CELL
    assert not [f for f in _run(_project(hall)).findings if f.code == "air.item.too_small"]


def test_airflow_no_rack_or_unit_can_move_is_an_error_naming_it_and_the_fix():
    """A load typed in W as kW, or an airflow in m3/h as m3/s, asks for air faster than any rack
    face or unit opening moves it; the model would run to its step limit and then say only that
    it did not converge. It says which item and what to check, without solving."""
    hall = _hall()
    hall.racks[0].it_load_kw = 6000.0  # 6 MW in a 0.6 m x 2.0 m face: 414 m3/s, 345 m/s
    hall.air_units[0].airflow_m3s = 8000.0
    res = _run(_project(hall))
    s = res.data.sites["s1"]
    assert not s.solved and all(r.inlet_mean_c is None for r in s.racks.values())
    fast = {f.item_ids[-1]: f for f in res.findings if f.code == "air.item.too_fast"}
    assert set(fast) == {hall.racks[0].id, "c1"} and all(f.severity.value == "error" for f in fast.values())
    m = fast[hall.racks[0].id].message
    assert "6,000 kW" in m and "m/s" in m and "15 m/s" in m
    assert "it_load_kw" in fast[hall.racks[0].id].fix
    assert not any(f.code == "air.not_converged" for f in res.findings)
    # at a real data-hall load it solves
    hall.racks[0].it_load_kw, hall.air_units[0].airflow_m3s = 40.0, 8.0
    assert not [f for f in _run(_project(hall)).findings if f.code == "air.item.too_fast"]


@pytest.mark.slow
def test_the_sample_with_items_at_the_10_mm_bound_answers_in_bounded_time(tmp_path):
    """The sample with, in every site, two racks 10 mm wide and an air unit 10 mm deep (the
    smallest sizes a file may hold) once ran ``designer solve --air`` past 300 s. Each such
    item is an error finding naming it, and the command ends well inside a bound generous for
    a loaded machine (it takes seconds)."""
    import json
    import subprocess
    import sys
    import time

    from designer.io.catalog_store import sample_project_path

    d = json.loads(sample_project_path().read_text(encoding="utf-8"))
    want = set()
    for site in d["sites"]:
        h = site["hall"]
        for r in h["racks"][:2]:
            r["width_m"] = 0.01
            want.add(r["id"])
        unit = next(u for u in h["air_units"] if u["kind"] != "rear_door")
        unit["depth_m"] = 0.01
        want.add(unit["id"])
    f = tmp_path / "tiny.json"
    f.write_text(json.dumps(d), encoding="utf-8")
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "designer", "solve", "--air", "--json", str(f)],
                         capture_output=True, text=True, timeout=240)
    wall = time.monotonic() - t0
    air = json.loads(out.stdout)["air"]
    small = [x for x in air["findings"] if x["code"] == "air.item.too_small"]
    assert {x["item_ids"][-1] for x in small} == want
    assert all(x["severity"] == "error" for x in small)
    assert not [x for x in air["findings"] if x["code"] == "air.not_converged"]
    assert wall < 120, wall


def test_a_grid_the_memory_cannot_hold_is_an_error_for_that_site_only(monkeypatch):
    from designer.solvers import memory
    from designer.solvers.air import engine
    from designer.solvers.air.build import build_mesh

    clear_memo()
    small = _hall()
    big = _hall()
    big.outline = [(0, 0), (24, 0), (24, 6.4), (0, 6.4)]
    for item in (*big.racks, *big.air_units):
        item.id = f"big-{item.id}"
    project = Project(settings=Settings(air_cell_m=CELL), sites=[Site(id="s1", name="Small", hall=small),
                                                                Site(id="s2", name="Big", hall=big)])
    n_small, n_big = build_mesh(small, CELL).size, build_mesh(big, CELL).size
    assert n_big > 2 * n_small
    spare = engine.BYTES_PER_CELL * (n_small + n_big) / 2  # the small grid fits, the big one not
    monkeypatch.setattr(memory, "available_bytes", lambda: spare / memory.SHARE)
    res = _run(project)
    assert res.data.sites["s1"].solved
    s2 = res.data.sites["s2"]
    assert not s2.solved and s2.map is None and all(r.inlet_max_c is None for r in s2.racks.values())
    (f,) = [f for f in res.findings if f.code == "air.memory"]
    assert f.severity.value == "error" and f.item_ids == ("s2",)
    assert "Big:" in f.message and "GB of memory" in f.message and "settings.air_cell_m" in f.fix
    from designer.solvers.air.results import no_answer

    assert no_answer(s2).startswith("No answer: the air model of ") and "cells of 0.4 m would need" in no_answer(s2)
