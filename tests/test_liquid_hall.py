"""The liquid solver on halls: loops from the plan, heat balance, findings, balancing, CLI.

Every solve here is followed by :func:`assert_balances`: mass at every node and the energy
balance of every loop, recomputed from the results, to round-off.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.analysis.liquid import LiquidAnalysis, auto_balance
from designer.document.document import Document
from designer.document.edits import Composite, SetFields
from designer.document.ops import move_items
from designer.io.builder import HallBuilder
from designer.io.catalog_store import shipped_catalog
from designer.model.catalog import Catalog
from designer.model.hall import Junction, Pipe, PortRef
from designer.model.project import Project, Site
from designer.solvers.liquid import fluids
from designer.solvers.liquid.build import ROLE_HX, ROLE_RACK
from designer.solvers.liquid.elements import RQTOL, SolverOptions
from designer.solvers.liquid.results import LPM, ashrae_liquid_class
from designer.solvers.liquid.solve import solve_project
from designer.solvers.sizing import PIPE_SIZES_M

G = 9.80665


def assert_balances(outcomes) -> None:
    """Mass at every node and energy per loop, from the flows and temperatures themselves.

    Mass round-off is relative to the flows; a branch with no flow at all (conductance
    1 / RQTOL) adds eps |H| / RQTOL, about 1e-9 m3/s (see test_liquid_core.check).
    """
    for oc in outcomes:
        s, stt = oc.system, oc.normal
        if not s.n_links:
            continue
        q = stt.hyd.flow
        scale = np.abs(q).max()
        bal = np.bincount(s.end, q, s.n_nodes) - np.bincount(s.start, q, s.n_nodes)
        tol = 1e-12 * scale + 10 * np.finfo(float).eps * np.abs(stt.hyd.head).max() / RQTOL
        assert np.abs(bal).max() <= tol, "mass balance"  # at every node, the tanks included
        heat = stt.heat
        rho_cp = stt.rho_link * np.array([stt.cp_loop[i] for i in s.link_loop])
        # energy round-off: relative, plus what the mass round-off carries across the loop's range
        carried = rho_cp.max() * np.abs(bal).sum() * np.ptp(heat.node_temp_c)
        for lp in s.loops:
            links = s.link_loop == lp.index
            added = heat.transported_w[links].sum()
            removed = heat.hx_duty_w[links].sum()
            assert abs(added - removed) <= 1e-9 * max(added, 1.0) + carried, "energy balance"
        # every rack heats its stream by Q / (rho cp q); every node is the flow-weighted mix
        racks = (s.role == ROLE_RACK) & (np.abs(q) > 1e-7)
        rise = heat.link_out_c[racks] - heat.link_in_c[racks]
        assert np.allclose(rise, heat.transported_w[racks] / (rho_cp[racks] * np.abs(q[racks])), rtol=1e-9, atol=1e-9)
        down = np.where(q >= 0, s.end, s.start)
        c = rho_cp * np.abs(q)
        mixed = np.bincount(down, c * heat.link_out_c, s.n_nodes)
        weight = np.bincount(down, c, s.n_nodes)
        live = weight > 1e-6 * c.max()
        assert np.allclose(mixed[live] / weight[live], heat.node_temp_c[live], rtol=0, atol=1e-9)


def run(project: Project, **kw):
    res, findings, outcomes = solve_project(project, **kw)
    assert_balances(outcomes)
    return res, findings, outcomes


def codes(findings) -> list[str]:
    return [f.code for f in findings]


def small_project(n_racks=4, rack="RK-DLC-132", cdu_model="CDU-IR-800", speed=0.75, facility_c=30.0,
                  load_kw: float | None = None, fluid: str | None = None):
    cat = Catalog(shipped_catalog())
    site = Site(id="t", name="Test hall")
    b = HallBuilder(site, cat)
    b.outline(24.0, 12.0)
    cdu = b.place(cdu_model, 2.0, 5.0, 180.0)
    b.water_supply("Facility water", facility_c, 5000)
    cdu.pump.speed_fraction = speed
    if fluid:
        cdu.fluid = fluid
    racks = b.rack_row(rack, 2.6, 5.0, n_racks, 180.0, load_kw=load_kw)
    b.liquid_loop(cdu, racks)
    return Project(name="t", sites=[site]), site, cdu, racks


# -- the sample ------------------------------------------------------------------------------
def test_sample_project_every_rack_gets_its_flow_with_margin(sample_project):
    res, findings, _ = run(sample_project)
    liquid = [r for r in res.racks.values() if r.required_lpm]
    assert len(liquid) == 26
    assert min(r.flow_ratio for r in liquid) >= 1.05
    assert max(r.flow_ratio for r in liquid) <= 1.3
    assert max(p.velocity_mps for p in res.pipes.values()) <= sample_project.settings.velocity_limit_mps
    for c in res.cdus.values():
        assert c.load_kw < c.capacity_kw and c.on_curve and c.pumps_running == 1
    assert all(r.supply_temp_c <= r.max_supply_temp_c for r in liquid)
    assert all(cv.converged for cv in res.convergence.values())
    assert not [f for f in findings if f.severity.value in ("error", "warning")]
    classes = {c.cdu_id.split(".")[0]: c.ashrae_class for c in res.cdus.values()}
    assert classes == {"core-fra": "W32", "ind-str": "W40", "ent-muc": "W27", "urb-ber": "W27", "twr-ks": "W40"}
    # a DLC rack of 102 kW liquid at 10 K in PG25 needs about 1.5 L/min per kW
    core = res.racks["core-fra.rack1"]
    assert core.required_lpm / core.heat_kw == pytest.approx(1.5, abs=0.05)


# -- building loops from the plan ------------------------------------------------------------
def test_pipe_length_is_the_drawn_polyline_plus_extra_length():
    project, site, cdu, racks = small_project(n_racks=1)
    hall = site.hall
    pipe = hall.pipes[0]  # CDU supply -> first supply tee, drawn with an elbow
    res, _, _ = run(project)
    pts = [cdu.port_position("supply"), *pipe.points,
           next((j.x, j.y) for j in hall.junctions if j.id == pipe.end.item_id)]
    drawn = sum(math.dist(a, b) for a, b in zip(pts, pts[1:], strict=False))
    assert res.pipes[pipe.id].length_m == pytest.approx(drawn + pipe.extra_length_m, rel=1e-12)
    branch = next(p for p in hall.pipes if p.end.item_id == racks[0].id)
    assert branch.extra_length_m > 0
    assert res.pipes[branch.id].length_m > branch.extra_length_m


def test_independent_loops_and_racks_without_a_loop_are_found():
    project, site, cdu, racks = small_project(n_racks=3)
    h = site.hall
    taken = {it.id for coll in (h.racks, h.cdus, h.junctions, h.pipes) for it in coll}
    b = HallBuilder(site, Catalog(shipped_catalog()), taken=taken)
    cdu2 = b.place("CDU-IR-300", 2.0, 9.0, 0.0, prefix="cduB")
    row2 = b.rack_row("RK-HYB-50", 2.6, 9.0, 2, 0.0)
    b.liquid_loop(cdu2, row2)
    lonely = b.rack_row("RK-HYB-50", 15.0, 9.0, 1, 0.0)[0]  # not piped at all
    half = b.rack_row("RK-HYB-50", 16.0, 9.0, 1, 0.0)[0]  # only its supply port piped
    j = Junction(id="jx", x=16.0, y=10.0)
    site.hall.junctions.append(j)
    site.hall.pipes.append(Pipe(id="px", start=PortRef(item_id="jx"), end=PortRef(item_id=half.id, port="supply")))
    spare = b.place("CDU-IR-100", 20.0, 2.0, 0.0, prefix="cduC")  # no pipes at all
    island = b.rack_row("RK-HYB-50", 18.0, 9.0, 1, 0.0)[0]  # piped to junctions only, no CDU
    site.hall.junctions += [Junction(id="ja", x=18.0, y=10.0), Junction(id="jb", x=18.3, y=10.0)]
    site.hall.pipes += [Pipe(id="pa", start=PortRef(item_id="ja"), end=PortRef(item_id=island.id, port="supply")),
                        Pipe(id="pb", start=PortRef(item_id=island.id, port="return"), end=PortRef(item_id="jb")),
                        Pipe(id="pc", start=PortRef(item_id="jb"), end=PortRef(item_id="ja"))]
    res, findings, outcomes = run(project)
    assert len(res.loops) == 2
    assert {lp.cdu_ids for lp in res.loops} == {(cdu.id,), (cdu2.id,)}
    assert set(res.loops[0].rack_ids) | set(res.loops[1].rack_ids) == {r.id for r in racks + row2}
    assert res.unconnected == {lonely.id: "neither of its ports is piped",
                               half.id: "its return port has no pipe",
                               island.id: "its pipes do not reach a CDU"}
    no_loop = [f for f in findings if f.code == "liquid.no_loop"]
    assert {f.item_ids[0] for f in no_loop} == {lonely.id, half.id, island.id}
    assert all("kW of liquid heat" in f.message and f.fix for f in no_loop)
    assert [f.item_ids for f in findings if f.code == "liquid.cdu_unpiped"] == [(spare.id,)]
    assert spare.id not in res.cdus
    # the two loops do not see each other: the second CDU's flow is its racks' flow
    assert res.cdus[cdu2.id].flow_lpm == pytest.approx(sum(res.racks[r.id].flow_lpm for r in row2), rel=1e-9)


# -- heat balance ----------------------------------------------------------------------------
@pytest.mark.parametrize("fluid", ["water", "pg25", "pg40"])
def test_rack_rise_return_mix_and_supply_temperature(fluid):
    project, site, cdu, racks = small_project(n_racks=3, facility_c=28.0, fluid=fluid)
    res, _, outcomes = run(project)
    c = res.cdus[cdu.id]
    load = sum(r.it_load_kw * r.liquid_fraction for r in racks)
    assert c.load_kw == pytest.approx(load, rel=1e-9)
    # supply = facility + approach * load / capacity
    assert c.supply_temp_c == pytest.approx(28.0 + cdu.approach_k * load / cdu.capacity_kw, abs=1e-9)
    st_ = outcomes[0].normal
    rho, cp = st_.rho_loop[0], st_.cp_loop[0]
    t_mean = (c.supply_temp_c + c.return_temp_c) / 2
    assert rho == pytest.approx(fluids.density(fluid, t_mean), rel=1e-3)
    assert cp == pytest.approx(fluids.specific_heat(fluid, t_mean), rel=1e-3)
    for r in racks:
        rr = res.racks[r.id]
        assert rr.supply_temp_c == pytest.approx(c.supply_temp_c, abs=1e-9)
        assert rr.delta_t_k == pytest.approx(rr.heat_kw * 1000 / (rho * cp * rr.flow_lpm / LPM), rel=1e-9)
        # required flow gives exactly the design rise
        assert rr.required_lpm / LPM * rho * cp * r.design_delta_t_liquid_k == pytest.approx(rr.heat_kw * 1000)
    # the CDU's return is the flow-weighted mix of the rack outlets
    mix = sum(res.racks[r.id].flow_lpm * res.racks[r.id].return_temp_c for r in racks) / c.flow_lpm
    assert c.return_temp_c == pytest.approx(mix, abs=1e-9)
    assert c.flow_lpm * rho * cp / LPM * (c.return_temp_c - c.supply_temp_c) == pytest.approx(c.load_kw * 1000)


def test_cdu_facility_temperature_overrides_the_site():
    project, site, cdu, racks = small_project(n_racks=2, facility_c=30.0)
    cdu.facility_supply_temp_c = 16.0
    res, _, _ = run(project)
    assert res.cdus[cdu.id].facility_supply_c == 16.0
    assert res.cdus[cdu.id].ashrae_class == "W17"


@pytest.mark.parametrize("t, cls", [(12.0, "W17"), (17.0, "W17"), (17.1, "W27"), (27.0, "W27"), (32.0, "W32"),
                                    (39.9, "W40"), (45.0, "W45"), (45.5, "W+")])
def test_ashrae_liquid_classes(t, cls):
    assert ashrae_liquid_class(t) == cls


# -- findings --------------------------------------------------------------------------------
def test_low_flow_names_rack_numbers_and_fix():
    project, site, cdu, racks = small_project(speed=0.45)
    res, findings, _ = run(project)
    low = [f for f in findings if f.code == "liquid.flow_low"]
    assert {f.item_ids[0] for f in low} == {r.id for r in racks}
    r0 = res.racks[racks[0].id]
    assert r0.flow_ratio < 1
    msg = next(f for f in low if f.item_ids[0] == racks[0].id).message
    assert f"{r0.flow_lpm:.1f} L/min" in msg and f"{r0.required_lpm:.1f} L/min" in msg
    assert all("speed_fraction 0.45" in f.fix for f in low)


def test_velocity_capacity_supply_temperature_and_pump_curve_findings():
    project, site, cdu, racks = small_project(n_racks=4, speed=1.0, facility_c=38.0)
    site.hall.pipes[0].diameter_m = 0.035  # the first supply run, far too small
    cdu.capacity_kw = 300.0
    res, findings, _ = run(project)
    fc = codes(findings)
    vel = [f for f in findings if f.code == "liquid.velocity"]
    assert len(vel) == 1  # one per loop, the fastest pipe first and named
    assert vel[0].item_ids[0] == site.hall.pipes[0].id
    # the fix names a size that meets the limit once solved again (a wider pipe draws more flow)
    size_mm = float(re.search(r"use (\d+) mm pipe for", vel[0].fix).group(1))
    wider = project.model_copy(deep=True)
    wider.sites[0].hall.pipes[0].diameter_m = size_mm / 1000.0
    res2, _, _ = run(wider)
    assert res2.pipes[site.hall.pipes[0].id].velocity_mps <= 2.0
    smaller = max(d for d in PIPE_SIZES_M if d < size_mm / 1000.0 - 1e-9)
    wider.sites[0].hall.pipes[0].diameter_m = smaller  # and the size below it does not
    res3, _, _ = run(wider)
    assert res3.pipes[site.hall.pipes[0].id].velocity_mps > 2.0
    assert set(vel[0].item_ids) == {p for p, r in res.pipes.items() if r.velocity_mps > 2.0}
    assert res.pipes[site.hall.pipes[0].id].velocity_mps > 2.0
    assert "liquid.cdu_capacity" in fc and res.cdus[cdu.id].load_fraction > 1
    sup = [f for f in findings if f.code == "liquid.supply_temp"]
    assert {f.item_ids[0] for f in sup} == {r.id for r in racks}  # 38 + 3 * 408/300 > 40
    # a loop so open that the pump runs out beyond its catalog curve ...
    project, site, cdu, racks = small_project(n_racks=8, speed=1.0)
    for r in racks:
        r.cold_plate_dp_kpa = 10.0
    for p in site.hall.pipes:
        p.diameter_m = 0.105
    res, findings, _ = run(project)
    c = res.cdus[cdu.id]
    assert not c.on_curve and c.flow_per_pump_lpm > 1700
    f = next(f for f in findings if f.code == "liquid.pump_curve")
    assert "beyond the last catalog point" in f.message
    # ... and one so tight that it runs near shut-off
    project, site, cdu, racks = small_project(n_racks=1, rack="RK-EDGE-30", speed=1.0)
    res, findings, _ = run(project)
    c = res.cdus[cdu.id]
    assert not c.on_curve and c.flow_per_pump_lpm < 170
    assert "near shut-off" in next(f for f in findings if f.code == "liquid.pump_curve").message


def test_unbalanced_branches_then_auto_balance_as_one_undoable_edit():
    # a long direct-return row on thin headers: near racks get 1.3x their flow, the far
    # one falls short although the pump could feed everyone
    project, site, cdu, racks = small_project(n_racks=10, rack="RK-HYB-50", cdu_model="CDU-IR-300", speed=0.8)
    for p in site.hall.pipes:
        p.diameter_m = min(p.diameter_m, 0.042)
    res, findings, _ = run(project)
    ratios = [res.racks[r.id].flow_ratio for r in racks]
    assert max(ratios) > 1.2 * min(ratios) and min(ratios) < 1.0
    assert "liquid.unbalanced" in codes(findings) and "liquid.flow_low" in codes(findings)
    doc = Document(project)
    edit = auto_balance(doc.project)
    assert isinstance(edit, Composite) and len(edit.edits) == 10
    assert all(isinstance(e, SetFields) and set(e.values) == {"valve_k"} for e in edit.edits)
    inverse = doc.apply(edit)
    res2, findings2, _ = run(doc.project)
    r2 = [res2.racks[r.id].flow_ratio for r in racks]
    assert max(r2) / min(r2) - 1 < 2e-3  # every rack the same share of its flow
    assert min(r2) >= 1.0
    assert "liquid.unbalanced" not in codes(findings2) and "liquid.flow_low" not in codes(findings2)
    ks = [res2.racks[r.id].valve_k for r in racks]
    assert min(ks) == 0.0 and max(ks) > 1.0  # the index rack fully open, the near ones throttled
    doc.apply(inverse)  # one undo restores every valve
    assert all(r.valve_k is None for r in doc.project.sites[0].hall.racks)


def test_reversed_rack_and_rack_without_a_flow_path():
    project, site, cdu, racks = small_project(n_racks=3)
    hall = site.hall
    r0 = racks[0]
    for p in hall.pipes:  # swap the first rack's connections
        for end in (p.start, p.end):
            if end.item_id == r0.id:
                end.port = "return" if end.port == "supply" else "supply"
    r1 = racks[1]
    sup = next(p for p in hall.pipes if p.end.item_id == r1.id and p.end.port == "supply")
    ret = next(p for p in hall.pipes if p.start.item_id == r1.id and p.start.port == "return")
    ret.end = PortRef(item_id=sup.start.item_id)  # both ports on the same supply tee
    res, findings, _ = run(project)
    assert res.racks[r0.id].flow_lpm < 0
    assert [f.item_ids[0] for f in findings if f.code == "liquid.reversed"] == [r0.id]
    assert abs(res.racks[r1.id].flow_lpm) < 1e-3  # no flow, carried at round-off (see assert_balances)
    assert [f.item_ids[0] for f in findings if f.code == "liquid.no_flow"] == [r1.id]


def test_non_convergence_becomes_a_finding():
    project, *_ = small_project()
    # an unreachable head tolerance: Newton never stops by itself
    res, findings, _ = solve_project(project, opts=SolverOptions(max_iter=3, head_tol_m=-1.0))
    bad = [f for f in findings if f.code == "liquid.not_converged"]
    assert bad and bad[0].severity.value == "error" and "3 Newton iterations" in bad[0].message
    assert not res.convergence["t"].converged
    assert "head residual" in bad[0].message


# -- pump failure ----------------------------------------------------------------------------
def test_one_pump_down_in_a_two_plus_one_set():
    project, site, cdu, racks = small_project(n_racks=6, speed=0.7)
    cdu.pump.count, cdu.pump.redundant = 3, 1  # two duty pumps in parallel
    res, findings, _ = run(project)
    c = res.cdus[cdu.id]
    assert c.pumps_running == 2 and c.failure_running == 1
    assert all(res.racks[r.id].flow_ratio >= 1 for r in racks)
    assert c.failure_flow_lpm < c.flow_lpm
    short = [f for f in findings if f.code == "liquid.pump_failure"]
    assert short and short[0].severity.value == "warning" and cdu.id in short[0].item_ids
    # the scenario is the same as running one pump fewer: solve that directly
    cdu.pump.redundant = 2
    direct, _, _ = run(project)
    for r in racks:
        assert res.racks[r.id].failure_flow_lpm == pytest.approx(direct.racks[r.id].flow_lpm, rel=1e-6)


def test_single_duty_pump_relies_on_changeover():
    project, site, cdu, racks = small_project(n_racks=2)
    res, findings, _ = run(project)
    assert res.cdus[cdu.id].failure_running == 0
    assert all(res.racks[r.id].failure_flow_lpm == 0.0 for r in racks)
    info = [f for f in findings if f.code == "liquid.pump_changeover"]
    assert len(info) == 1 and info[0].severity.value == "info"


def test_no_running_pump_is_an_error_not_a_crash():
    project, site, cdu, racks = small_project(n_racks=2)
    cdu.pump.count, cdu.pump.redundant = 1, 1
    res, findings, _ = run(project)
    assert "liquid.pumps_off" in codes(findings)
    assert all(abs(res.racks[r.id].flow_lpm) < 1e-6 for r in racks)
    assert "liquid.no_flow" in codes(findings)


# -- analysis plumbing -----------------------------------------------------------------------
def test_refresh_after_moving_a_rack_reuses_the_cache_and_matches_a_cold_solve():
    project, site, cdu, racks = small_project(n_racks=8)
    doc = Document(project)
    a, cache = LiquidAnalysis(), {}
    a.run(doc.snapshot(), 0, cache)
    doc.apply(move_items(doc, [racks[3].id], 0.0, 0.3))
    snap = doc.snapshot()
    warm = a.run(snap, 1, cache)
    cold = a.run(snap, 1, {})
    assert cache["sites"]["t"]["skeleton"].signature is not None
    assert warm.summary["newton_iterations"] < cold.summary["newton_iterations"]
    for rid, r in cold.data.racks.items():
        assert warm.data.racks[rid].flow_lpm == pytest.approx(r.flow_lpm, rel=1e-8)
    moved = [p for p in snap.sites[0].hall.pipes if racks[3].id in (p.start.item_id, p.end.item_id)]
    assert moved and all(warm.data.pipes[p.id].length_m == cold.data.pipes[p.id].length_m for p in moved)


def test_cli_solve_liquid_text_and_json(tmp_path, capsys, sample_project):
    from designer.cli import main
    from designer.io.files import save

    path = tmp_path / "s.json"
    save(sample_project, path)
    assert main(["solve", str(path), "--liquid", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)["liquid"]
    rack = next(r for r in out["racks"] if r["rack_id"] == "core-fra.rack1")
    assert {"flow_lpm", "required_lpm", "supply_temp_c", "return_temp_c"} <= set(rack)
    pipe = out["pipes"][0]
    assert {"flow_lpm", "velocity_mps", "dp_kpa"} <= set(pipe)
    cdu = out["cdus"][0]
    assert {"flow_lpm", "pump_head_kpa", "load_kw", "margin_kw"} <= set(cdu)
    assert out["summary"]["converged"] is True
    assert main(["solve", str(path), "--liquid"]) == 0
    text = capsys.readouterr().out
    assert "core-fra.rack1" in text and "CDUs" in text and "Pipes" in text


# -- property: balances hold whatever the loop ----------------------------------------------
@settings(max_examples=examples(15), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(1, 8), speed=st.floats(0.3, 1.0), fluid=st.sampled_from(["water", "pg25", "pg40"]),
       facility=st.floats(10.0, 40.0), load=st.floats(5.0, 130.0),
       rack=st.sampled_from(["RK-DLC-132", "RK-HYB-50", "RK-EDGE-30"]))
def test_any_loop_balances_mass_and_energy(n, speed, fluid, facility, load, rack):
    project, site, cdu, racks = small_project(n_racks=n, rack=rack, speed=speed, facility_c=facility,
                                              load_kw=load, fluid=fluid)
    res, _, outcomes = run(project)
    assert res.convergence["t"].converged
    hx = outcomes[0].system.role == ROLE_HX
    assert outcomes[0].normal.heat.hx_duty_w[hx].sum() == pytest.approx(
        sum(r.it_load_kw * r.liquid_fraction for r in racks) * 1000, rel=1e-9)


def test_balance_plan_suggests_the_speed_for_exactly_the_required_flow():
    from designer.analysis.liquid import balance_plans

    project, site, cdu, racks = small_project(n_racks=6, rack="RK-HYB-50", cdu_model="CDU-IR-300", speed=0.8)
    plan = balance_plans(project)["t"]
    assert plan.alpha[0] > 1.05 and plan.index_rack[0] == racks[-1].id  # the far rack is the index
    cdu.pump.speed_fraction = plan.speed_for_required[cdu.id]
    again = balance_plans(project)["t"]
    assert again.alpha[0] == pytest.approx(1.0, abs=0.01)


def test_two_cdus_on_one_loop_share_flow_and_load():
    project, site, cdu, racks = small_project(n_racks=6, speed=0.6)
    hall = site.hall
    b = HallBuilder(site, Catalog(shipped_catalog()),
                    taken={it.id for coll in (hall.racks, hall.cdus, hall.junctions, hall.pipes) for it in coll})
    cdu2 = b.place("CDU-IR-800", 2.0, 2.0, 0.0, prefix="cduB")
    cdu2.pump.speed_fraction = cdu.pump.speed_fraction
    first_s = hall.pipes[0].end.item_id  # first supply tee
    first_r = hall.pipes[1].start.item_id  # first return tee
    b.pipe(PortRef(item_id=cdu2.id, port="supply"), PortRef(item_id=first_s), "supply", 0.105, extra=1.0)
    b.pipe(PortRef(item_id=first_r), PortRef(item_id=cdu2.id, port="return"), "return", 0.105, extra=1.0)
    res, findings, _ = run(project)
    assert len(res.loops) == 1 and res.loops[0].cdu_ids == (cdu.id, cdu2.id)
    assert all(res.racks[r.id].flow_ratio >= 1 for r in racks)
    a, c = res.cdus[cdu.id], res.cdus[cdu2.id]
    assert a.flow_lpm > 0 and c.flow_lpm > 0
    assert a.flow_lpm + c.flow_lpm == pytest.approx(sum(res.racks[r.id].flow_lpm for r in racks), rel=1e-9)
    assert a.load_kw + c.load_kw == pytest.approx(sum(r.it_load_kw * r.liquid_fraction for r in racks), rel=1e-9)
    # one pump down: the scenario takes it from each CDU in turn, racks keep the worse
    assert a.failure_running == 0 and c.failure_running == 0
    assert all(0 < res.racks[r.id].failure_flow_lpm < res.racks[r.id].flow_lpm for r in racks)
    # the other CDU keeps the loop going: no changeover notice, but racks fall short
    assert "liquid.pump_changeover" not in codes(findings)
    short = next(f for f in findings if f.code == "liquid.pump_failure")
    assert short.item_ids[:2] == (cdu.id, cdu2.id)


def test_implausible_values_give_findings_not_crashes_or_nan():
    project, site, cdu, racks = small_project(n_racks=3)
    hall = site.hall
    hall.pipes[2].diameter_m = 0.0
    hall.pipes[3].roughness_m = -1e-3
    hall.pipes[4].minor_k = -5.0
    racks[1].cold_plate_dp_kpa = -10.0  # unrated: assumed
    cdu.capacity_kw = 0.0
    cdu.rated_flow_lpm = 0.0
    cdu.pump.curve = [(0.0, 100.0), (500.0, 150.0)]  # rising: validation's error, still solvable
    res, findings, _ = run(project)
    payload = LiquidAnalysis().report_json(LiquidAnalysis().run(project, 0, {}))
    json.dumps(payload, allow_nan=False)  # strict JSON: no NaN or infinity anywhere
    assert res.pipes[hall.pipes[2].id].velocity_mps == 0.0
    assert res.cdus[cdu.id].load_fraction is None
    assert "liquid.cold_plate_assumed" in codes(findings)


def test_a_cdu_without_facility_water_makes_no_loop_and_says_so():
    """Nothing implied: a CDU with no facility water has nowhere to put its heat, so its loop
    is not solved (no made-up temperatures), its racks say why, and the finding names it."""
    project, site, cdu, racks = small_project(n_racks=3)
    cdu.facility_id = None
    res, findings, _ = run(project)
    assert res.loops == ()
    assert set(res.unconnected) == {r.id for r in racks}
    assert set(res.unconnected.values()) == {"its CDU has no facility water"}
    f = [f for f in findings if f.code == "liquid.cdu.no_facility"]
    assert len(f) == 1 and f[0].severity.value == "error" and f[0].item_ids == (cdu.id,)
    # a temperature of its own is enough
    cdu.facility_supply_temp_c = 30.0
    res, findings, _ = run(project)
    assert len(res.loops) == 1 and not any(f.code == "liquid.cdu.no_facility" for f in findings)


def test_a_loop_of_junctions_with_no_cdu_is_named():
    """Three junctions piped in a ring, with no CDU or rack: nothing pumps coolant through
    them, and the liquid analysis says so (it used to say nothing)."""
    import fuzz_inputs

    from designer.analysis.runner import Runner
    from designer.io.files import loads
    from designer.model import hall as hm

    _doc, text = fuzz_inputs.base()
    p = loads(text)
    hall = p.sites[0].hall
    hall.junctions.extend(hm.Junction(id=f"jx{k}", x=2.0 + k, y=2.0 + k % 2) for k in range(3))
    hall.pipes.extend(hm.Pipe(id=f"px{k}", role="supply", start=hm.PortRef(item_id=f"jx{k}", port="node"),
                              end=hm.PortRef(item_id=f"jx{(k + 1) % 3}", port="node"), diameter_m=0.05)
                      for k in range(3))
    res = Runner(["liquid"]).run(p, 0)["liquid"]
    (f,) = [f for f in res.findings if f.code == "liquid.no_pump"]
    assert set(f.item_ids) == {"px0", "px1", "px2", "jx0", "jx1", "jx2"}
    assert not any(f.code == "liquid.no_pump" for f in Runner(["liquid"]).run(loads(text), 0)["liquid"].findings)
