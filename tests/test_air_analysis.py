"""The air analysis: sample project, reuse between runs, coarse grid, findings, CLI, bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.analysis.air import AirAnalysis
from designer.analysis.base import run_analysis
from designer.cli import main
from designer.io.catalog_store import sample_project_path
from designer.io.generate import generate_project
from designer.model.hall import AirUnit, Hall, Rack
from designer.model.project import Project, Settings, Site


def _run(project, analysis=None, cache=None, revision=0):
    a = analysis or AirAnalysis()
    res = run_analysis(a, project, revision, cache if cache is not None else {})
    assert res.error is None, res.summary.get("traceback")
    return res


def _project(hall: Hall, cls="A1") -> Project:
    return Project(settings=Settings(ashrae_class=cls), sites=[Site(id="s1", name="Test hall", hall=hall)])


# -- the sample ----------------------------------------------------------------------------
def test_sample_answers_are_plausible(sample_project):
    res = _run(sample_project)
    data = res.data
    assert "Screening model" in data.headline
    assert set(data.sites) == {s.id for s in sample_project.sites}
    for site in sample_project.sites:
        s = data.sites[site.id]
        assert s.solved
        supply = min(u.supply_temp_c for u in site.hall.air_units if u.kind != "rear_door")
        for r in s.racks.values():
            if r.airflow_m3s > 0:
                # no intake colder than the coldest supply; exhaust above intake by the rack's rise
                assert supply - 1e-6 <= r.inlet_mean_c <= r.inlet_max_c < 50.0
                assert r.exhaust_c > r.inlet_mean_c
        assert abs(s.balance.residual_kw) < 1e-9 * s.balance.heat_in_kw
        assert s.map.temperature_c.shape == (s.map.ny, s.map.nx)
        assert not s.map.temperature_c.flags.writeable
    # the core site's contained hot aisle is hot, the cold aisles in front of the racks cold
    core = data.sites["core-fra"]
    hall = sample_project.sites[0].hall
    cont = hall.containments[0]
    xs = [p[0] for p in cont.polygon]
    ys = [p[1] for p in cont.polygon]
    hot = core.map.at((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    dlc = [r for r in hall.racks if r.catalog_model == "RK-DLC-132"]
    cold = [core.racks[r.id].inlet_mean_c for r in dlc]
    assert hot > max(cold) + 8.0
    assert max(cold) < 27.0


def test_summary_and_payload_for_the_gui(sample_project):
    res = _run(sample_project)
    s = res.data.sites["core-fra"]
    assert res.summary["model"].startswith("screening")
    assert res.summary["core-fra"]["rci_hi_pct"] == pytest.approx(s.indices.rci_hi, abs=0.06)
    x0, y0, x1, y1 = s.map.extent
    assert s.map.at(x0 - 1, y0) is None
    assert s.map.at((x0 + x1) / 2, (y0 + y1) / 2) is not None
    assert s.map.t_min_c <= s.map.t_max_c
    u = next(iter(s.units.values()))
    assert u.utilisation == pytest.approx(u.load_kw / u.capacity_kw)


# -- reuse between runs --------------------------------------------------------------------
def test_reuse_between_runs_gives_the_fresh_answer():
    project = generate_project(40)
    hall = project.sites[0].hall
    a, cache = AirAnalysis(), {}
    first = _run(project, a, cache)
    assert first.data.sites["gen"].stats["flow"] == "full"
    again = _run(project, a, cache, 1)
    st_ = again.data.sites["gen"].stats
    assert st_["flow"] == "reused" and st_["static"] == "reused"
    assert "0 cells" in st_["temperature"]
    hall.racks[11].x += 0.5  # a move: partial refactorisation of both operators
    moved = _run(project, a, cache, 2)
    assert moved.data.sites["gen"].stats["flow"].startswith("partial")
    hall.racks[11].it_load_kw = 30.0  # a power edit: the airflow factor is reused
    powered = _run(project, a, cache, 3)
    assert powered.data.sites["gen"].stats["flow"] == "reused"
    fresh = _run(project)
    tf = fresh.data.sites["gen"].map.temperature_c
    tp = powered.data.sites["gen"].map.temperature_c
    assert np.nanmax(np.abs(tf - tp)) < 1e-8
    for rid, r in fresh.data.sites["gen"].racks.items():
        assert powered.data.sites["gen"].racks[rid].inlet_max_c == pytest.approx(r.inlet_max_c, abs=1e-8)


def test_coarse_grid_is_close_to_the_fine_one():
    project = generate_project(40)
    fine = _run(project).data.sites["gen"]
    coarse_run = _run(project, AirAnalysis(cell_m=0.5))
    coarse = coarse_run.data.sites["gen"]
    assert coarse.map.cell_m == 0.5 and coarse.map.nx * 2 >= fine.map.nx - 1
    assert coarse.balance.heat_in_kw == pytest.approx(fine.balance.heat_in_kw, rel=1e-12)
    assert coarse.balance.removed_by_units_kw == pytest.approx(fine.balance.removed_by_units_kw, rel=1e-6)
    d = [abs(coarse.racks[k].inlet_mean_c - fine.racks[k].inlet_mean_c) for k in fine.racks]
    assert max(d) < 3.0


# -- findings ------------------------------------------------------------------------------
def _starved_hall(cls_load=25.0) -> Hall:
    """Racks facing a wall-mounted in-row unit that is far too small: hot intakes."""
    racks = [Rack(id=f"r{k}", name=f"HOT-{k}", x=2.3 + 0.6 * k, y=3.0, rotation_deg=0.0,
                  it_load_kw=cls_load) for k in range(4)]
    unit = AirUnit(id="u1", name="IRC-small", kind="inrow", x=1.85, y=3.0, width_m=0.3, depth_m=1.2,
                   capacity_kw=20.0, airflow_m3s=1.0, supply_temp_c=22.0)
    return Hall(outline=[(0, 0), (8, 0), (8, 6), (0, 6)], racks=racks, air_units=[unit])


def test_findings_name_the_rack_its_temperature_and_a_fix():
    res = _run(_project(_starved_hall()))
    hot = [f for f in res.findings if f.code.startswith("air.inlet.above")]
    assert hot
    s = res.data.sites["s1"]
    for f in hot:
        (rid,) = f.item_ids
        r = s.racks[rid]
        assert r.name in f.message
        assert f"{r.inlet_max_c:.1f} degC" in f.message
        assert f.fix and f.source == "air"
        assert f.path.startswith("sites[0].hall.racks[")
    codes = {f.code for f in res.findings}
    assert "air.unit.overloaded" in codes
    assert "air.capacity.short" in codes
    over = next(f for f in res.findings if f.code == "air.unit.overloaded")
    assert "IRC-small" in over.message and "20.0 kW" in over.message
    assert s.indices.rci_hi < 90


def test_ashrae_class_sets_the_limits():
    hall = _starved_hall(6.0)
    a1 = _run(_project(hall, "A1")).data.sites["s1"]
    h1 = _run(_project(hall, "H1")).data.sites["s1"]
    assert a1.indices.recommended_c == (18.0, 27.0) and a1.indices.allowable_c == (15.0, 32.0)
    assert h1.indices.recommended_c == (18.0, 22.0) and h1.indices.allowable_c == (5.0, 25.0)
    # same temperatures, stricter class: RCI_HI can only drop
    assert h1.indices.rci_hi <= a1.indices.rci_hi


def test_hall_without_air_units_is_a_finding_not_a_crash():
    hall = Hall(racks=[Rack(id="r1", name="R1", x=5, y=5, it_load_kw=10.0)])
    res = _run(_project(hall))
    assert not res.data.sites["s1"].solved
    assert any(f.code == "air.no_units" and "10.0 kW" in f.message for f in res.findings)


@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(-3, 23), st.floats(-3, 15), st.floats(0, 359),
                          st.floats(0, 60), st.floats(0, 1)), min_size=0, max_size=12))
def test_any_rack_placement_gives_an_answer_and_a_heat_balance(spec):
    """Racks anywhere (overlapping, outside the hall, odd angles): findings, never exceptions."""
    racks = [Rack(id=f"r{k}", name=f"R{k}", x=x, y=y, rotation_deg=rot, it_load_kw=kw, liquid_fraction=lf)
             for k, (x, y, rot, kw, lf) in enumerate(spec)]
    units = [AirUnit(id="c1", kind="crah", x=10, y=0.45, width_m=2.5, depth_m=0.9, airflow_m3s=8.0,
                     capacity_kw=150.0),
             AirUnit(id="c2", kind="crah", x=10, y=11.55, rotation_deg=180, width_m=2.5, depth_m=0.9,
                     airflow_m3s=8.0, capacity_kw=150.0)]
    res = _run(_project(Hall(racks=racks, air_units=units)))
    s = res.data.sites["s1"]
    b = s.balance
    assert abs(b.residual_kw) <= 1e-8 * max(b.heat_in_kw, 1.0)
    lost = sum(r.it_load_kw * (1 - r.liquid_fraction) for r in racks) - b.heat_in_kw - b.lost_kw
    assert abs(lost) < 1e-9 * max(b.heat_in_kw, 1.0)
    for r in s.racks.values():
        if r.blocked:
            assert any(f.code == "air.rack.blocked" and r.rack_id in f.item_ids for f in res.findings)


# -- command line --------------------------------------------------------------------------
def test_cli_json(capsys):
    code = main(["solve", str(sample_project_path()), "--air", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code in (0, 1)
    air = out["air"]
    assert "Screening" in air["headline"] and air["assumptions"]
    core = air["sites"]["core-fra"]
    r = next(iter(core["racks"].values()))
    assert {"inlet_mean_c", "inlet_max_c", "exhaust_c", "band", "airflow_m3s"} <= set(r)
    u = next(iter(core["units"].values()))
    assert {"load_kw", "capacity_kw", "return_temp_c", "utilisation"} <= set(u)
    assert {"rci_hi", "rci_lo", "rti"} <= set(core["indices"])
    assert "temperature_c" not in core["map"]  # the grid only on request
    assert len(json.dumps(out)) < 200_000


def test_cli_text_and_full_grid_on_request(capsys, sample_project):
    code = main(["solve", str(sample_project_path()), "--air"])
    text = capsys.readouterr().out
    assert code in (0, 1)
    assert "Screening model" in text and "RCI_HI" in text and "RTI" in text
    a = AirAnalysis()
    res = _run(sample_project, a)
    j = a.report_json(res, include_grid=True)
    m = j["sites"]["twr-ks"]["map"]
    assert len(m["temperature_c"]) == m["ny"] and len(m["temperature_c"][0]) == m["nx"]


def test_fine_and_coarse_share_a_cache_without_evicting_each_other():
    project = generate_project(40)
    cache: dict = {}
    fine, coarse = AirAnalysis(), AirAnalysis(cell_m=0.5)
    _run(project, fine, cache)
    _run(project, coarse, cache)
    assert set(cache["halls"]) == {("gen", 0.25), ("gen", 0.5)}
    again = _run(project, fine, cache, 1)
    assert again.data.sites["gen"].stats["flow"] == "reused"
    project.sites[0].id = "renamed"  # a deleted site's caches go
    _run(project, fine, cache, 2)
    assert set(cache["halls"]) == {("renamed", 0.25)}


def test_walled_off_rack_is_reported_not_given_absurd_temperatures():
    """A rack in a pocket closed by walls: no air unit's air reaches it. Its heat is reported
    as unremovable and left out; the rest of the hall is solved and balanced."""
    from designer.model.hall import Obstruction

    walls = [Obstruction(id="w1", kind="wall", polygon=[(10, 0), (10.1, 0), (10.1, 6), (10, 6)]),
             Obstruction(id="w2", kind="wall", polygon=[(10, 6), (14, 6), (14, 6.1), (10, 6.1)])]
    racks = [Rack(id="r1", name="POCKET", x=12, y=3, it_load_kw=10), Rack(id="r2", x=5, y=5, it_load_kw=10)]
    units = [AirUnit(id="c1", kind="crah", x=3, y=9.5, rotation_deg=180, airflow_m3s=5, capacity_kw=60)]
    hall = Hall(outline=[(0, 0), (14, 0), (14, 6), (8, 6), (8, 10), (0, 10)], obstructions=walls,
                racks=racks, air_units=units)
    res = _run(_project(hall))
    s = res.data.sites["s1"]
    f = next(f for f in res.findings if f.code == "air.region.unreached")
    assert "10.0 kW" in f.message and "POCKET" in f.message and f.item_ids == ("r1",)
    assert s.racks["r1"].inlet_max_c is None
    assert s.map.t_max_c < 60.0
    assert s.balance.heat_in_kw == pytest.approx(10.0) and s.balance.lost_kw == pytest.approx(10.0)
    assert abs(s.balance.residual_kw) < 1e-9 * s.balance.heat_in_kw


def test_containment_spill_is_reported_only_when_it_carries_heat_to_intakes():
    """An under-supplied contained cold aisle sucks room air in: a warning with the numbers.
    Over-supplied, it leaks cold air out: that is the design intent, no warning."""
    from designer.model.hall import Containment

    def hall(flow):
        racks = [Rack(id=f"a{k}", x=3.3 + 0.6 * k, y=3.4, rotation_deg=0.0, it_load_kw=8.0) for k in range(5)]
        racks += [Rack(id=f"b{k}", x=3.3 + 0.6 * k, y=5.8, rotation_deg=180.0, it_load_kw=8.0) for k in range(5)]
        units = [AirUnit(id="u1", name="IRC-W", kind="inrow", x=2.85, y=3.4, width_m=0.3, depth_m=1.2,
                         airflow_m3s=flow, capacity_kw=40),
                 AirUnit(id="u2", name="IRC-E", kind="inrow", x=6.15, y=5.8, rotation_deg=180.0, width_m=0.3,
                         depth_m=1.2, airflow_m3s=flow, capacity_kw=40)]
        cont = [Containment(id="ca", kind="cold", polygon=[(2.7, 4.0), (6.3, 4.0), (6.3, 5.2), (2.7, 5.2)])]
        return Hall(outline=[(0, 0), (10, 0), (10, 9), (0, 9)], racks=racks, air_units=units, containments=cont)

    short = _run(_project(hall(1.5)))
    f = next(f for f in short.findings if f.code == "air.containment.spill")
    need = sum(r.airflow_m3s for r in short.data.sites["s1"].racks.values())
    assert f"racks draw {need:.2f} m3/s" in f.message and "sucked in" in f.message
    plenty = _run(_project(hall(4.0)))
    assert not any(f.code == "air.containment.spill" for f in plenty.findings)
    assert plenty.data.sites["s1"].containments["ca"].spill_m3s > 0
