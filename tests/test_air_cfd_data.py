"""The stored OpenFOAM reference results agree with their case files (no OpenFOAM needed).

``tests/air_cfd/`` holds the five reference cases as project files and, per case that has been
run, ``results/<name>.json`` (see tests/air_cfd/README.md). These tests check that the stored
data are complete and self-consistent: every rack and unit of a case has a result, the room's
heat balance closes, the run converged, and the mesh study stays within the stated bound. The
comparison of the air model against these numbers lives with the model.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from designer.io.files import load
from designer.model.findings import Severity
from designer.model.validate import validate

CFD = Path(__file__).resolve().parent / "air_cfd"
CASES = ("open_aisle_crah", "cold_aisle_raised_floor", "hot_aisle_ceiling_return", "inrow_open_cold_aisle",
         "crah_failed")
RESULTS = sorted(p.stem for p in (CFD / "results").glob("*.json")) if (CFD / "results").exists() else []

RHO_CP = 1.2 * 1005.0
BALANCE_TOL = 0.01
"""Room heat balance: unit removal within 1 % of rack heat."""
MESH_MEAN_TOL_K = 0.5
"""Two finest meshes: the mean over racks of |change of inlet mean| at most this."""
MESH_MAX_TOL_K = 1.0
"""Two finest meshes: no rack's inlet mean changes by more than this."""
MESH_DEPENDENT = {
    # the runs of 2026-12-05 (slip intakes), 0.28 -> 0.20 m only (0.14 m not run for lack of time):
    # R06 in the middle of the south row, where the jets meet, -1.00 K
    "open_aisle_crah": dict(racks=["oa.rack6"], mean_over=False),
    # mean |change| 0.53 K; R11 (north row, middle) -1.52 K
    "crah_failed": dict(racks=["oa.rack11"], mean_over=True),
    # mean |change| 0.69 K; the racks beside the coolers' gaps (R04, R05, R09, R10, R15) 1.1-2.2 K
    "inrow_open_cold_aisle": dict(racks=["irc.rack4", "irc.rack5", "irc.rack9", "irc.rack10", "irc.rack15"],
                                  mean_over=True),
}
"""Cases whose inlet means still moved by more than the bounds between the two finest meshes, known
and stated in the README: the racks over MESH_MAX_TOL_K and whether the mean is over
MESH_MEAN_TOL_K. Any other case or rack over a bound fails, and so does a declaration that is no
longer true (keep the list honest both ways)."""
SE_TOL_K = 0.25
"""Transient runs: standard error of each rack's time-mean inlet temperature at most this."""
SE_KNOWN_K = {
    # the in-row room swings most (face-mean standard deviation up to 1.05 K, periods of 10-30 s):
    # after the README's 300 s window R04's standard error is 0.27 K (R05 0.20, all others under 0.19)
    "inrow_open_cold_aisle": 0.28,
}
"""Cases whose reference stopped at the README's longest window with a rack's standard error above
SE_TOL_K, with the bound that holds for them (it enters the rack's uncertainty as 2 SE in the model
comparison, widening nothing else)."""
DONE = ("converged", "plateau_averaged", "time_averaged", "time_averaged_max_window", "time_averaged_short_window")
"""Statuses of a finished mesh (tests/air_cfd/README.md). ``time_averaged_short_window``: a transient run
stopped before the README's averaging criteria were met (for lack of time); its standard errors, still
bounded by SE_TOL_K here, are stored per rack."""


@pytest.mark.parametrize("name", CASES)
def test_case_file_validates(name: str) -> None:
    project = load(CFD / "cases" / f"{name}.json")
    errors = [f for f in validate(project) if f.severity is Severity.ERROR]
    assert not errors, [f.as_text() for f in errors]
    assert len(project.sites) == 1


def test_results_are_for_known_cases() -> None:
    assert set(RESULTS) <= set(CASES)


def _case_and_result(name: str):
    project = load(CFD / "cases" / f"{name}.json")
    return project.sites[0].hall, json.loads((CFD / "results" / f"{name}.json").read_text())


@pytest.mark.parametrize("name", RESULTS)
def test_result_covers_every_rack_and_unit(name: str) -> None:
    hall, res = _case_and_result(name)
    assert res["case_file"] == f"tests/air_cfd/cases/{name}.json"
    assert [r["id"] for r in res["racks"]] == [r.id for r in hall.racks]
    assert [u["id"] for u in res["units"]] == [u.id for u in hall.air_units]
    for r, rack in zip(res["racks"], hall.racks, strict=True):
        assert r["it_load_kw"] == pytest.approx(rack.it_load_kw)
        assert r["inlet_max_c"] >= r["inlet_mean_c"] - 1e-6
        # exhaust = mean intake + the rack's design rise (the coupling the runs iterate; in the
        # transient runs both are means over the averaging window of a coupling that follows 5 s means)
        assert r["exhaust_c"] - r["inlet_mean_c"] == pytest.approx(rack.design_delta_t_air_k, abs=0.1)
        assert r.get("inlet_mean_se_k", 0.0) <= SE_KNOWN_K.get(name, SE_TOL_K)
    for u, unit in zip(res["units"], hall.air_units, strict=True):
        assert u["running"] == unit.running
        if not unit.running:
            assert u["load_kw"] == 0.0
            continue
        assert u["supply_c"] >= unit.supply_temp_c - 1e-6
        assert u["load_kw"] <= unit.capacity_kw * (1 + 1e-3)
        if "time_step_s" in res["reference"]:
            # a time mean: a unit near its capacity is capped in some 5 s chunks and not in others
            share = u["capped_share_of_window"]
            assert 0.0 <= share <= 1.0
            if u["capped"]:
                assert share > 0.0
            else:
                assert u["supply_c"] == pytest.approx(unit.supply_temp_c, abs=1e-3)
            if share == 0.0:
                assert u["supply_c"] == pytest.approx(unit.supply_temp_c, abs=1e-6)
        elif u["capped"]:
            assert u["load_kw"] == pytest.approx(unit.capacity_kw, rel=0.02)
        else:
            assert u["supply_c"] == pytest.approx(unit.supply_temp_c, abs=1e-6)


@pytest.mark.parametrize("name", RESULTS)
def test_inlet_sensors_are_stored_for_every_rack_and_mesh(name: str) -> None:
    """The rack inlet maximum compared with the model is the hottest of three inlet sensors
    (bottom, middle, top; designer.solvers.air.sensors), read from the reference mesh's field by
    ``extract.py --sensors``: a width-average at a height, so never above the hottest face (the
    stored face maximum of a steady run is a 500-iteration mean, the field the last iteration:
    they differ by the inlets' swing, under 0.1 K) and never below the coldest supply."""
    hall, res = _case_and_result(name)
    study = res["mesh_study"]
    t_sup = min(u.supply_temp_c for u in hall.air_units if u.running)
    for r in res["racks"]:
        sens = r["inlet_sensors_c"]
        assert len(sens) == 3
        assert r["inlet_sensor_max_c"] == max(sens)
        assert t_sup - 0.05 <= min(sens) and max(sens) <= r["inlet_max_c"] + 0.1
        v = study["inlet_sensor_max_c"][r["id"]]
        assert len(v) == len(study["cells_m"]) and v[-1] == r["inlet_sensor_max_c"]
    for ch in study["changes"]:
        assert 0.0 <= ch["inlet_sensor_max_mean_abs_change_k"] <= ch["inlet_sensor_max_max_abs_change_k"]


@pytest.mark.parametrize("name", RESULTS)
def test_heat_balance_closes(name: str) -> None:
    hall, res = _case_and_result(name)
    design = sum(r.it_load_kw * (1 - r.liquid_fraction) for r in hall.racks)
    heat = res["reference"]["heat"]
    assert heat["rack_design_w"] / 1000 == pytest.approx(design, rel=1e-6)
    assert heat["rack_w"] / 1000 == pytest.approx(design, rel=BALANCE_TOL)
    assert abs(heat["balance_error"]) <= BALANCE_TOL
    assert sum(u["load_kw"] for u in res["units"]) == pytest.approx(design, rel=BALANCE_TOL)


@pytest.mark.parametrize("name", RESULTS)
def test_reference_run_converged(name: str) -> None:
    _, res = _case_and_result(name)
    ref = res["reference"]
    assert ref["status"] in DONE
    assert res["meshes"][-1]["cell_m"] == res["reference_cell_m"]
    assert all(m["status"] in DONE for m in res["meshes"])
    assert ref["solver_wall_s"] > 0 and ref["solver_cpu_s"] > 0


@pytest.mark.parametrize("name", RESULTS)
def test_mesh_independence(name: str) -> None:
    _, res = _case_and_result(name)
    study = res["mesh_study"]
    # two meshes at least; the change between the two finest is the figure the README reports
    assert len(study["cells_m"]) >= 2, "two meshes at least"
    assert study["cells"] == sorted(study["cells"]), "meshes get finer"
    last = study["changes"][-1]
    known = MESH_DEPENDENT.get(name, dict(racks=[], mean_over=False))
    assert (last["inlet_mean_mean_abs_change_k"] > MESH_MEAN_TOL_K) == known["mean_over"]
    over = [rid for rid, v in study["inlet_mean_c"].items() if abs(v[-1] - v[-2]) > MESH_MAX_TOL_K]
    assert over == known["racks"]
    assert study["racks_changed_over_1k_between_finest"] == over
    assert study["within_bounds_between_finest"] == (not over and not known["mean_over"])
    if not over:
        assert last["inlet_mean_max_abs_change_k"] <= MESH_MAX_TOL_K
    for r in res["racks"]:
        assert study["inlet_mean_c"][r["id"]][-1] == pytest.approx(r["inlet_mean_c"])


@pytest.mark.parametrize("name", RESULTS)
def test_transient_status_matches_its_statistics(name: str) -> None:
    """A transient mesh says ``time_averaged`` only when the README's criteria hold: every rack's
    standard error within 0.1 K over a window of at least 150 s; otherwise it says how it ended."""
    _, res = _case_and_result(name)
    for m in res["meshes"]:
        if "time_step_s" not in m:
            continue
        t0, t1 = m["averaging_window_s"]
        window = t1 - t0
        se_max = m["averaging"]["se_max_k"] if "averaging" in m else None
        if m["status"] == "time_averaged":
            assert window >= 150 - 1e-6
            assert se_max is None or se_max <= 0.1 + 1e-9
        elif m["status"] == "time_averaged_max_window":
            assert window >= 300 - 1e-6
        elif m["status"] == "time_averaged_short_window":
            assert window < 300 and se_max is not None and se_max <= SE_KNOWN_K.get(name, SE_TOL_K)
    if "time_step_s" in res["meshes"][-1]:
        se = max(r["inlet_mean_se_k"] for r in res["racks"])
        assert se == pytest.approx(res["reference"]["averaging"]["se_max_k"], abs=1e-3)


@pytest.mark.parametrize("name", sorted(SE_KNOWN_K))
def test_a_declared_standard_error_exception_is_still_needed(name: str) -> None:
    """Keep SE_KNOWN_K honest: a case listed there has a rack over SE_TOL_K (else remove it)."""
    if name not in RESULTS:
        pytest.skip(f"no results for {name}")
    _, res = _case_and_result(name)
    assert max(r["inlet_mean_se_k"] for r in res["racks"]) > SE_TOL_K
