"""Rack positions and accelerators as placement capacity (issue 15, placement part): the
binding capacity is named, the exact MILP and the heuristic agree with counts, every count
is validated, and files without the new fields load and place as before."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from test_placement_assign import check_feasible

from designer.analysis.base import run_analysis
from designer.analysis.placement import PlacementAnalysis
from designer.io.catalog_store import sample_project_path
from designer.io.errors import LoadError
from designer.io.files import dumps, loads
from designer.model.findings import Severity
from designer.model.validate import validate
from designer.solvers.placement import build_placement, solve_placement
from designer.solvers.placement.assign import _objective, solve_assignment
from designer.solvers.placement.diagnose import diagnose
from designer.solvers.placement.problem import ACCELERATORS, RACKS, AssignmentProblem
from designer.solvers.placement.synthetic import synthetic_problem

LABELS = ["'A'", "'B'"]


def _two(**kw) -> AssignmentProblem:
    """Module A near (2 ms) and B far (9 ms) against a 5 ms budget; kW plentiful in both."""
    n_w = len(kw.get("power_kw", [50.0]))
    base = dict(latency_ms=np.tile([2.0, 9.0], (n_w, 1)), budget_ms=np.full(n_w, 5.0),
                power_kw=np.full(n_w, 50.0), needs_liquid=np.zeros(n_w, bool), cost=np.tile([100.0, 50.0], (n_w, 1)),
                cap_power_kw=np.array([1000.0, 1000.0]), cap_cooling_kw=np.array([np.inf, np.inf]),
                cap_liquid_kw=np.array([0.0, 0.0]), liquid_ok=np.array([False, False]))
    base.update(kw)
    return AssignmentProblem(**base)


def test_kw_fits_but_rack_positions_do_not():
    pr = _two(rack_positions=np.array([3.0]), cap_rack_positions=np.array([2.0, 8.0]))
    sol = solve_assignment(pr)
    assert sol.module_of.tolist() == [-1]
    (r,) = diagnose(pr, sol, LABELS)
    assert r.code == "capacity" and r.capacity == "rack positions" and r.modules == (0,)
    assert "has 3 rack positions free" in r.message
    assert "the most free is 2 rack positions at 'A'" in r.message
    assert "it has 1000 kW free" in r.message  # kW is not what binds
    assert "rack positions" in r.fix
    # one more position and it goes there
    pr3 = _two(rack_positions=np.array([3.0]), cap_rack_positions=np.array([3.0, 8.0]))
    assert solve_assignment(pr3).module_of.tolist() == [0]


def test_accelerators_bind():
    pr = _two(accelerators=np.array([32.0]), cap_accelerators=np.array([16.0, np.inf]))
    sol = solve_assignment(pr)
    (r,) = diagnose(pr, sol, LABELS)
    assert r.code == "capacity" and r.capacity == "accelerators"
    assert "has 32 accelerators free" in r.message and "the most free is 16 accelerators at 'A'" in r.message
    assert "accelerators" in r.fix
    # a module whose racks declare none (inf) does not limit: within budget it takes it
    pr2 = _two(accelerators=np.array([32.0]), cap_accelerators=np.array([np.inf, 16.0]))
    assert solve_assignment(pr2).module_of.tolist() == [0]


def test_contention_names_the_binding_count():
    # two workloads of 2 positions each; A (near) has 3 positions, so one of them waits
    pr = _two(power_kw=np.array([50.0, 50.0]), rack_positions=np.array([2.0, 2.0]),
              cap_rack_positions=np.array([3.0, 8.0]))
    sol = solve_assignment(pr)
    assert sorted(sol.module_of.tolist()) == [-1, 0]
    (r,) = diagnose(pr, sol, LABELS)
    assert r.code == "contention" and r.capacity == "rack positions"
    assert "'A' has 1 rack position left after 1 other workload" in r.message
    assert "against 2 rack positions needed" in r.message
    assert "nearest module with room is 'B'" in r.message and "rack positions" in r.fix


def test_kw_still_named_when_kw_binds():
    pr = _two(power_kw=np.array([1500.0]), rack_positions=np.array([1.0]), cap_rack_positions=np.array([4.0, 4.0]))
    (r,) = diagnose(pr, solve_assignment(pr), LABELS)
    assert r.code == "capacity" and r.capacity == "power" and "has 1500 kW free" in r.message


@pytest.mark.parametrize("seed,ratio", [(1, 2.0), (2, 1.35), (5, 1.1)])
def test_exact_milp_and_heuristic_agree_with_counts(seed, ratio):
    """60 workloads over 12 modules with rack positions and accelerators binding: the
    LP-guided heuristic (with its repair) places as many as the exact MILP, is feasible in
    every resource, and its bound is below the exact optimum."""
    pr = synthetic_problem(60, 12, seed=seed, capacity_ratio=ratio, counts=True)
    exact = solve_assignment(pr, mip_rel_gap=0.0, time_limit_s=60.0)
    fast = solve_assignment(pr, direct_pairs=0, improve_s=2.0)
    for sol in (exact, fast):
        check_feasible(pr, sol.module_of)
    assert int((fast.module_of >= 0).sum()) == int((exact.module_of >= 0).sum())
    cand = pr.candidates()
    r = 1.0 + float(np.where(cand, pr.cost, 0.0).max(axis=1).sum())
    placeable = cand.any(axis=1)
    opt = _objective(pr, exact.module_of, placeable, r)
    got = _objective(pr, fast.module_of, placeable, r)
    assert fast.lower_bound <= opt * (1 + 1e-9) and got >= opt * (1 - 1e-9)
    if fast.status in ("optimal", "near_optimal"):
        assert (got - opt) / got <= fast.gap + 1e-9


def test_counts_bind_in_the_synthetic_instances():
    """The generator's counts are not decoration: rack positions and accelerators fill
    modules to the brim in the optimum, and without them more is placed on those modules."""
    pr = synthetic_problem(60, 12, seed=2, capacity_ratio=1.35, counts=True)
    sol = solve_assignment(pr, mip_rel_gap=0.0, time_limit_s=60.0)
    load, cap = pr.loads(sol.module_of), pr.capacity()
    assert (load[RACKS] >= cap[RACKS] - 1e-9).any() and (load[ACCELERATORS] > 0).any()
    kw_only = dataclasses.replace(pr, rack_positions=None, accelerators=None, cap_rack_positions=None,
                                  cap_accelerators=None)
    assert kw_only.candidates().sum() >= pr.candidates().sum()


# -- on a project -----------------------------------------------------------------------------
def _set_accelerators(project, per_rack: int) -> None:
    for s in project.sites:
        for r in s.hall.racks:
            r.accelerators = per_rack


def test_project_rack_positions_and_accelerators_from_the_racks(sample):
    _set_accelerators(sample, 8)
    inp = build_placement(sample)
    for j, m in enumerate(inp.modules):
        racks = [r for s in sample.sites for r in s.hall.racks if r.module_id == m.id]
        assert inp.problem.capacity()[RACKS, j] == max(m.rack_positions, len(racks))
        assert inp.problem.capacity()[ACCELERATORS, j] == 8 * len(racks)
    res, _ = solve_placement(sample)
    for m in res.modules.values():
        assert m.accelerators_capacity == 8 * len([r for s in sample.sites for r in s.hall.racks
                                                    if r.module_id == m.module_id])
        assert m.accelerators == sum(res.workloads[w].accelerators for w in m.workload_ids)
        assert m.rack_positions == sum(res.workloads[w].rack_positions for w in m.workload_ids)
        assert m.accelerators <= m.accelerators_capacity
        assert m.accelerators_utilisation == pytest.approx(m.accelerators / m.accelerators_capacity)
        assert m.rack_positions_utilisation == pytest.approx(m.rack_positions / m.rack_positions_capacity)


@pytest.mark.parametrize("field", ["rack_positions", "accelerators"])
def test_project_workload_too_big_in_counts_names_the_capacity(sample, field):
    _set_accelerators(sample, 8)
    res0, _ = solve_placement(sample)
    most = max(getattr(m, f"{field}_capacity") for m in res0.modules.values())
    w = sample.workloads[2]
    w.it_power_kw, w.needs_liquid, w.latency_budget_ms = 1.0, False, 5000.0  # fits anywhere in kW and latency
    setattr(w, field, int(most) + 1)
    res, findings = solve_placement(sample)
    got = res.workloads[w.id]
    what = field.replace("_", " ")
    assert got.module_id is None and got.reason_code == "capacity" and got.reason_capacity == what
    assert f"has {int(most) + 1} {what} free" in got.reason
    f = next(f for f in findings if f.code == "placement.unplaced" and w.id in f.item_ids)
    assert f.severity is Severity.ERROR and what in f.message and what in f.fix
    row = next(r for r in PlacementAnalysis().report_json(run_analysis(PlacementAnalysis(), sample, 0, {}))["workloads"]
               if r["workload_id"] == w.id)
    assert row["reason_capacity"] == what and row[field] == int(most) + 1


def test_json_and_text_show_every_capacity(sample):
    _set_accelerators(sample, 8)
    res = run_analysis(PlacementAnalysis(), sample, 0, {})
    out = PlacementAnalysis().report_json(res)
    for m in out["modules"]:
        for key in ("rack_positions", "rack_positions_capacity", "rack_positions_utilisation", "accelerators",
                    "accelerators_capacity", "accelerators_utilisation", "cooling_utilisation", "most_used"):
            assert key in m
        assert m["accelerators_capacity"] is not None
    json.dumps(out, allow_nan=False)
    text = PlacementAnalysis().report_text(res)
    assert "rack positions" in text and "accelerators" in text


# -- validation -------------------------------------------------------------------------------
def _errors(findings, path):
    return [f for f in findings if f.code == "placement.input" and f.path == path and f.severity is Severity.ERROR]


@pytest.mark.parametrize("field", ["rack_positions", "accelerators"])
@pytest.mark.parametrize("value,why", [(-2, "negative"), (2.5, "not a whole number")])
def test_workload_counts_are_validated(sample, field, value, why):
    before, _ = solve_placement(sample)
    w = sample.workloads[0]
    setattr(w, field, value)  # set in memory, as a script or a stale edit could (the file refuses 2.5)
    res, findings = solve_placement(sample)
    (f,) = _errors(findings, f"workloads[0].{field}")
    assert why in f.message and w.id in f.item_ids and "whole number, 0 or more" in f.fix
    assert res.workloads[w.id].module_id is None and res.workloads[w.id].reason_code == "input"
    # nothing else is pushed out by it
    assert {x.workload_id for x in res.placed} == {x.workload_id for x in before.placed} - {w.id}


def test_rack_accelerators_and_module_positions_are_validated(sample):
    site_i, site = next((i, s) for i, s in enumerate(sample.sites) if s.hall.racks and s.hall.modules)
    mod = site.hall.modules[0]
    ri = next(i for i, r in enumerate(site.hall.racks) if r.module_id == mod.id)
    rack = site.hall.racks[ri]
    _set_accelerators(sample, 8)
    rack.accelerators = -8
    res, findings = solve_placement(sample)
    (f,) = _errors(findings, f"sites[{site_i}].hall.racks[{ri}].accelerators")
    assert "negative" in f.message and rack.id in f.item_ids and "whole number" in f.fix
    n = len([r for r in site.hall.racks if r.module_id == mod.id])
    assert res.modules[mod.id].accelerators_capacity == 8 * (n - 1)  # counted as 0, not -8
    mod.rack_positions = 2.5
    _, findings = solve_placement(sample)
    (f,) = _errors(findings, f"sites[{site_i}].hall.modules[0].rack_positions")
    assert "not a whole number" in f.message
    # the project validation names them too
    paths = {x.path for x in validate(sample)}
    assert f"sites[{site_i}].hall.racks[{ri}].accelerators" in paths


def test_file_with_a_fractional_count_is_refused_naming_the_field():
    text = sample_project_path().read_text(encoding="utf-8")
    data = json.loads(text)
    data["workloads"][0]["rack_positions"] = 2.5
    with pytest.raises(LoadError) as e:
        loads(json.dumps(data))
    assert any(p.path == "workloads[0].rack_positions" for p in e.value.problems)


# -- files from before ------------------------------------------------------------------------
def _strip_new_fields(text: str) -> str:
    data = json.loads(text)
    for w in data["workloads"]:
        w.pop("rack_positions", None)
    for s in data["sites"]:
        for r in s["hall"]["racks"]:
            r.pop("accelerators", None)
    return json.dumps(data)


def test_old_files_load_identically_and_place_as_before():
    old = loads(_strip_new_fields(sample_project_path().read_text(encoding="utf-8")))
    assert all(w.rack_positions == 0 for w in old.workloads)
    assert all(r.accelerators == 0 for s in old.sites for r in s.hall.racks)
    assert loads(dumps(old)) == old  # saves and opens again unchanged
    # placement: exactly what the kW-only model gives (no count limits where none are declared)
    inp = build_placement(old)
    assert np.isinf(inp.problem.capacity()[ACCELERATORS]).all()
    res, findings = solve_placement(old)
    kw_only = dataclasses.replace(inp.problem, rack_positions=None, accelerators=None, cap_rack_positions=None,
                                  cap_accelerators=None)
    sol = solve_assignment(kw_only)
    for i, w in enumerate(inp.workloads):
        j = int(sol.module_of[i])
        assert res.workloads[w.id].module_id == (inp.modules[j].id if j >= 0 else None)
    # and it says that accelerators are not counted there
    note = [f for f in findings if f.code == "placement.accelerators_not_given"]
    assert len(note) == 1 and note[0].severity is Severity.INFO and "accelerators" in note[0].fix


def test_export_placement_part_validates_against_the_schema(sample):
    """The JSON export's placement results (every capacity, the binding one) and the project
    part (the new fields) fit the generated schema."""
    jsonschema = pytest.importorskip("jsonschema")
    from designer.io.export_json import export_data, export_schema

    _set_accelerators(sample, 8)
    sample.workloads[2].rack_positions = 99  # one unplaced for rack positions
    data = json.loads(json.dumps(export_data(sample, {"placement": run_analysis(PlacementAnalysis(), sample, 0, {})},
                                             created="2026-01-01T00:00:00+00:00")))
    schema = export_schema()
    errors = [e for e in jsonschema.Draft202012Validator(schema).iter_errors(data)
              if e.json_path.startswith(("$.results.placement", "$.project"))]
    assert not errors, [f"{e.json_path}: {e.message[:200]}" for e in errors[:5]]
    rows = {r["workload_id"]: r for r in data["results"]["placement"]["workloads"]}
    assert rows[sample.workloads[2].id]["reason_capacity"] == "rack positions"


def test_repair_respects_counts_and_stops_at_its_deadline():
    """The repair step places left-out workloads only where every capacity has room, and does
    nothing once its deadline has passed (it used to run far past the solve's time limit)."""
    from designer.solvers.placement.assign import regret_greedy, repair

    pr = synthetic_problem(300, 30, seed=4, capacity_ratio=1.2, counts=True)
    cand = pr.candidates()
    start = regret_greedy(pr, cand, pr.cost)
    start[np.nonzero(start >= 0)[0][::3]] = -1  # take some out again
    late = start.copy()
    assert repair(pr, cand, late, pr.cost, deadline=0.0) == 0 and (late == start).all()
    fixed = start.copy()
    n = repair(pr, cand, fixed, pr.cost)
    assert n > 0 and int((fixed >= 0).sum()) == int((start >= 0).sum()) + n
    check_feasible(pr, fixed)
