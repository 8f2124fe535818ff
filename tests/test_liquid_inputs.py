"""The liquid analysis run alone on wrong and extreme inputs (issue 15, liquid part).

Every case: the analysis does not raise and prints no warning on stderr, the finding names
the item and the true cause, its fix says what to change, and applying that fix removes the
finding (solved again).
"""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import warnings

import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_liquid_hall import small_project

from designer.analysis.base import run_analysis
from designer.analysis.liquid import LiquidAnalysis
from designer.model.findings import Severity
from designer.model.project import Project
from designer.solvers.liquid import fluids


def analyse(project: Project):
    """Run the liquid analysis as the CLI does (alone); warnings are failures."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = run_analysis(LiquidAnalysis(), project, 0, {})
    assert res.error is None, res.error
    return res


def errors(res, code: str | None = None):
    return [f for f in res.findings if f.severity is Severity.ERROR and (code is None or f.code == code)]


def clean(res) -> bool:
    """No error and no flow or temperature warning."""
    return not errors(res) and not [f for f in res.findings if f.code in ("liquid.unbalanced", "liquid.velocity")]


def test_the_small_project_is_clean():
    project, *_ = small_project(n_racks=2)
    assert clean(analyse(project))


@pytest.mark.parametrize("speed", [0.0, -0.5, float("-1e12")])
def test_zero_or_negative_speed_is_pumps_off_not_a_crash(speed):
    project, site, cdu, racks = small_project(n_racks=2)
    cdu.pump.speed_fraction = speed
    res = analyse(project)
    off = errors(res, "liquid.pumps_off")
    assert len(off) == 1 and off[0].item_ids == (cdu.id,) and "speed_fraction" in off[0].path
    assert f"speed_fraction {speed:g}" in off[0].message and "above 0" in off[0].fix
    no_flow = errors(res, "liquid.no_flow")
    assert {f.item_ids[0] for f in no_flow} == {r.id for r in racks}
    assert all("no pump runs on its loop" in f.message and "speed_fraction" in f.message for f in no_flow)
    assert all("not on a path" not in f.message for f in no_flow)
    text = LiquidAnalysis().report_text(res)
    assert "inf" not in text and "-0.0" not in text and " 0%, rack" not in text
    assert "liquid.unbalanced" not in {f.code for f in res.findings}  # no "R2 gets 0%, R6 only 0%"
    for r in res.data.racks.values():
        assert r.flow_lpm == pytest.approx(0.0, abs=1e-6) and r.return_temp_c is None
    cdu.pump.speed_fraction = 0.75  # the fix
    assert clean(analyse(project))


def test_rising_pump_curve_is_an_error_and_no_made_up_curve():
    project, site, cdu, racks = small_project(n_racks=2)
    cdu.pump.curve = [(0.0, 100.0), (500.0, 150.0), (1000.0, 200.0)]
    res = analyse(project)
    bad = errors(res, "liquid.pump_curve_invalid")
    assert len(bad) == 1 and bad[0].item_ids == (cdu.id,) and bad[0].path.endswith("pump.curve")
    assert "rises" in bad[0].message and "falling heads" in bad[0].fix
    assert all("pump curve rises" in f.message for f in errors(res, "liquid.no_flow"))
    assert res.data.cdus[cdu.id].pumps_running == 0 and res.data.cdus[cdu.id].flow_lpm == pytest.approx(0, abs=1e-6)
    cdu.pump.curve = [(0.0, 300.0), (600.0, 250.0), (1000.0, 160.0)]
    assert clean(analyse(project))


def _branch_pipe(site, rack_id: str):
    """The pipe on the rack's supply port."""
    return next(p for p in site.hall.pipes if p.end.item_id == rack_id and p.end.port == "supply"
                or p.start.item_id == rack_id and p.start.port == "supply")


@pytest.mark.parametrize("case", ["diameter0", "long", "valve"])
def test_blocked_branch_names_the_item_that_blocks_it(case):
    project, site, cdu, racks = small_project(n_racks=2)
    pipe = _branch_pipe(site, racks[0].id)
    if case == "diameter0":
        pipe.diameter_m = 0.0
    elif case == "long":
        pipe.extra_length_m = 1e9
    else:
        racks[0].valve_k = 1e9
    res = analyse(project)
    nf = errors(res, "liquid.no_flow")
    assert [f.item_ids[0] for f in nf] == [racks[0].id]
    f = nf[0]
    assert "not on a path" not in f.message
    if case == "valve":
        assert "balancing valve is closed" in f.message and "valve_k 1e+09" in f.message
        assert "set valve_k to 0" in f.fix
        racks[0].valve_k = 0.0
    else:
        assert pipe.id in f.item_ids and f"pipe {pipe.id}" in f.message
        if case == "diameter0":
            assert "no bore" in f.message and "diameter_m" in f.fix
            inp = [g for g in errors(res, "liquid.input") if g.item_ids == (pipe.id,)]
            assert inp and inp[0].path.endswith("diameter_m")
            pipe.diameter_m = 0.054
        else:
            assert "1e+09 m long" in f.message and "extra_length_m" in f.fix
            inp = [g for g in errors(res, "liquid.input") if g.item_ids == (pipe.id,)]
            assert inp and inp[0].path.endswith("extra_length_m")
            pipe.extra_length_m = 0.0
    assert clean(analyse(project))


def test_an_absurdly_long_pipe_that_still_passes_a_trickle_is_named():
    project, site, cdu, racks = small_project(n_racks=2)
    pipe = _branch_pipe(site, racks[0].id)
    pipe.extra_length_m = 9000.0  # within the input bound: a real value, absurd for a hall
    res = analyse(project)
    low = [f for f in errors(res) if f.code in ("liquid.flow_low", "liquid.no_flow") and f.item_ids[0] == racks[0].id]
    assert len(low) == 1 and f"pipe {pipe.id}" in low[0].message and "most of the pump's head" in low[0].message
    assert "extra_length_m" in low[0].fix and "pump speed" not in low[0].fix


@pytest.mark.parametrize("fluid,facility_c,load_kw,code", [
    ("water", 30.0, 3000.0, "liquid.boiling"),  # 3 MW racks on a loop sized for 132 kW: the water boils
    ("pg25", 30.0, 3000.0, "liquid.boiling"),
    ("water", 2.0, 1.0, None),  # 2 degC water with almost no load: cold but liquid
])
def test_temperatures_outside_the_fluid_range_are_errors(fluid, facility_c, load_kw, code):
    project, site, cdu, racks = small_project(n_racks=2, fluid=fluid, facility_c=facility_c, load_kw=load_kw,
                                              speed=1.0)
    res = analyse(project)
    hot = errors(res, "liquid.boiling")
    if code is None:
        assert not hot and not errors(res, "liquid.freezing")
        return
    assert hot and "boils at" in hot[0].message and fluid in hot[0].message
    assert set(hot[0].item_ids) & {r.id for r in racks} | {cdu.id}
    # every printed temperature above the boiling point has this error
    boil = fluids.boiling_point_c(fluid, fluids.LOOP_TANK_PRESSURE_KPA)
    assert max(r.return_temp_c or 0.0 for r in res.data.racks.values()) > boil
    assert "raise the flow" in hot[0].fix
    for r in racks:
        r.it_load_kw = 50.0  # the fix: a load the loop carries
    assert not errors(analyse(project), "liquid.boiling")


def test_freezing_glycol_share_and_facility_water_out_of_range():
    project, site, cdu, racks = small_project(n_racks=2, fluid="water", facility_c=30.0)
    cdu.facility_supply_temp_c = -5.0  # water at -5 degC: ice
    res = analyse(project)
    assert [f for f in errors(res, "liquid.input") if f.path.endswith("facility_supply_temp_c")]
    frz = errors(res, "liquid.freezing")
    assert frz and "freezes" in frz[0].message and "pg25" in frz[0].fix
    cdu.fluid = "pg25"  # -9.6 degC: liquid at -5 (facility water still out of its range)
    res = analyse(project)
    assert not errors(res, "liquid.freezing")
    cdu.facility_supply_temp_c = 95.0  # 95 degC facility water: out of range, reported
    res = analyse(project)
    assert [f for f in errors(res, "liquid.input") if f.path.endswith("facility_supply_temp_c")
            and "95" in f.message]


def test_boiling_point_and_freezing_points():
    assert fluids.water_saturation_temp_c(101.325) == pytest.approx(99.974, abs=0.01)  # IAPWS-IF97
    assert fluids.water_saturation_temp_c(1000.0) == pytest.approx(179.88, abs=0.01)
    assert fluids.water_saturation_temp_c(200.0) == pytest.approx(120.21, abs=0.01)
    assert 101.5 < fluids.boiling_point_c("pg25") < 103.0 < fluids.boiling_point_c("pg40") < 105.5
    assert fluids.freezing_point_c("pg40") < fluids.freezing_point_c("pg25") < 0.0 == fluids.freezing_point_c("water")
    lo, hi = fluids.property_range("pg25")
    assert lo == fluids.freezing_point_c("pg25") and hi == 100.0


def test_velocity_fix_names_a_size_that_meets_the_limit_when_solved_again():
    project, site, cdu, racks = small_project(n_racks=4, speed=1.0)
    trunk = site.hall.pipes[0]
    trunk.diameter_m = 0.028
    res = analyse(project)
    vel = [f for f in res.findings if f.code == "liquid.velocity"]
    assert vel and vel[0].item_ids[0] == trunk.id
    m = re.search(r"use (\d+) mm pipe for (\S+) \(([\d.]+) m/s there, solved again\)", vel[0].fix)
    assert m and m.group(2) == trunk.id
    trunk.diameter_m = float(m.group(1)) / 1000.0
    res2 = analyse(project)
    v = res2.data.pipes[trunk.id].velocity_mps
    assert v <= project.settings.velocity_limit_mps and v == pytest.approx(float(m.group(3)), abs=0.006)
    assert trunk.id not in {i for f in res2.findings if f.code == "liquid.velocity" for i in f.item_ids}


def test_node_heads_and_pressures_in_solve_json_and_the_export(tmp_path):
    from designer.io.export_json import export_data, export_schema
    from designer.io.files import save

    project, site, cdu, racks = small_project(n_racks=2)
    path = tmp_path / "p.json"
    save(project, path)
    out = subprocess.run([sys.executable, "-m", "designer", "solve", str(path), "--liquid", "--json"],
                         capture_output=True, text=True, check=False)
    assert out.returncode in (0, 1), out.stderr
    data = json.loads(out.stdout)["liquid"]
    nodes = {n["node_id"]: n for n in data["nodes"]}
    sup = nodes[f"{cdu.id}:supply"]
    assert sup["pressure_kpa"] > 0 and math.isfinite(sup["head_m"]) and nodes[f"{cdu.id}:return"]["pressure_kpa"] == 0
    assert {f"{r.id}:supply" for r in racks} <= set(nodes)
    res = analyse(project)
    exp = export_data(project, {"liquid": res})
    import jsonschema

    jsonschema.validate(exp, export_schema())
    assert exp["results"]["liquid"]["nodes"]
    assert "nodes" in export_schema()["$defs"]["ExportLiquid"]["then"]["required"]


def test_cli_solve_liquid_alone_reports_the_stopped_pump(tmp_path):
    from designer.io.files import save

    project, site, cdu, racks = small_project(n_racks=2)
    cdu.pump.speed_fraction = 0.0
    path = tmp_path / "p.json"
    save(project, path)
    out = subprocess.run([sys.executable, "-m", "designer", "solve", str(path), "--liquid"],
                         capture_output=True, text=True, check=False)
    assert out.returncode == 1
    assert "Warning" not in out.stderr and "Error" not in out.stderr, out.stderr
    assert "analysis failed" not in out.stdout and "liquid.pumps_off" in out.stdout
    assert "-0.0" not in out.stdout and "inf" not in out.stdout.replace("info", "").replace("INFO", "")


# -- random extreme values -------------------------------------------------------------------
EXTREMES = [0.0, -1.0, -1e12, 1e-9, 1e12, 0.5, 2.0]
PLACED = ["x", "y", "width_m", "depth_m", "rotation_deg"]
RACK_FIELDS = ["it_load_kw", "liquid_fraction", "design_delta_t_liquid_k", "max_supply_temp_c", "cold_plate_dp_kpa",
               "cold_plate_rated_flow_lpm", "valve_k", *PLACED]
CDU_FIELDS = ["capacity_kw", "approach_k", "facility_supply_temp_c", "hx_dp_kpa", "rated_flow_lpm", *PLACED]
PUMP_FIELDS = ["speed_fraction", "count", "redundant"]
PIPE_FIELDS = ["diameter_m", "roughness_m", "minor_k", "extra_length_m"]
SUPPLY_FIELDS = ["supply_temp_c", "capacity_kw", "design_delta_t_k", *PLACED]
NUMBER = re.compile(r"-?\d[\d,]*\.?\d*(?:e[+-]?\d+)?")


@settings(max_examples=examples(30), deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(["rack", "cdu", "pump", "pipe", "supply", "curve", "junction", "settings"]),
                          st.integers(0, 50),
                          st.sampled_from(EXTREMES)), min_size=1, max_size=4))
def test_random_extreme_values_never_raise_nor_print_impossible_numbers(edits):
    project, site, cdu, racks = small_project(n_racks=2)
    hall = site.hall
    for what, i, v in edits:
        if what == "rack":
            obj, name = racks[i % len(racks)], RACK_FIELDS[i % len(RACK_FIELDS)]
        elif what == "cdu":
            obj, name = cdu, CDU_FIELDS[i % len(CDU_FIELDS)]
        elif what == "pump":
            obj, name = cdu.pump, PUMP_FIELDS[i % len(PUMP_FIELDS)]
            if name != "speed_fraction":
                v = int(max(min(v, 5), -1))
        elif what == "pipe":
            obj, name = hall.pipes[i % len(hall.pipes)], PIPE_FIELDS[i % len(PIPE_FIELDS)]
        elif what == "junction":
            obj, name = hall.junctions[i % len(hall.junctions)], ("x", "y")[i % 2]
        elif what == "settings":
            obj, name = project.settings, "velocity_limit_mps"
        elif what == "supply":
            obj, name = hall.water_supplies[0], SUPPLY_FIELDS[i % len(SUPPLY_FIELDS)]
        else:
            pts = list(cdu.pump.curve)
            k = i % len(pts)
            pts[k] = (pts[k][0], v) if i % 2 else (v, pts[k][1])
            cdu.pump.curve = pts
            continue
        setattr(obj, name, v)
    res = analyse(project)
    text = LiquidAnalysis().report_text(res)
    assert "nan" not in text.lower().replace("nan-", "") and " inf" not in text and "-0.0 " not in text
    errs = errors(res)
    data = res.data
    temps = [r.supply_temp_c for r in data.racks.values()] + [r.return_temp_c for r in data.racks.values()]
    temps += [c.supply_temp_c for c in data.cdus.values()] + [c.return_temp_c for c in data.cdus.values()]
    for t in temps:
        if t is None:
            continue
        fluid = cdu.fluid
        impossible = (not math.isfinite(t) or t < fluids.freezing_point_c(fluid)
                      or t > fluids.boiling_point_c(fluid, fluids.LOOP_TANK_PRESSURE_KPA) or t < -273.15)
        if impossible:
            assert errs, (t, edits)
    for r in data.racks.values():
        assert math.isfinite(r.flow_lpm) or errs
    for p in data.pipes.values():
        assert math.isfinite(p.velocity_mps) and p.velocity_mps >= 0
