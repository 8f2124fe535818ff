"""Placement on projects: the sample, reasons with their numbers, pins, overrides, CLI,
module recommendation and its one undoable edit, the free-spot scan."""

from __future__ import annotations

import json

import pytest
import shapely
from shapely.geometry import Polygon

from designer.analysis.placement import PlacementAnalysis, recommend_edit
from designer.document.document import Document
from designer.io.catalog_store import sample_project_path, shipped_catalog
from designer.model.base import Located
from designer.model.catalog import Catalog
from designer.model.hall import Hall, Obstruction
from designer.model.project import Site, Workload
from designer.solvers.placement import CapacityOverride, solve_placement
from designer.solvers.placement.space import Envelope, find_free_spot, hall_obstacles


def _place(project, **kw):
    res, findings = solve_placement(project, **kw)
    return res, findings


def test_sample_assignment(sample_project):
    res, findings = _place(sample_project)
    assert res.status == "optimal" and res.gap == 0.0
    assert not res.unplaced
    w = res.workloads
    assert w["wl-vision"].module_id == "ind-str.mod1"  # weld-seam vision QA on the Stuttgart skid
    assert w["wl-core-llm"].module_id == "core-fra.mod1"  # national serving on the core
    for p in res.placed:
        assert p.margin_ms >= -1e-9
        b = p.latency
        assert b.total_ms == pytest.approx(b.fibre_ms + b.hops_ms + b.access_ms + b.processing_ms)
    for m in res.modules.values():
        assert m.power_kw <= m.capacity_kw + 1e-9
        assert m.liquid_kw <= m.liquid_capacity_kw + 1e-9
    assert sum(m.power_kw for m in res.modules.values()) == pytest.approx(
        sum(x.it_power_kw for x in sample_project.workloads))
    assert res.sites["ind-str"].route_km == 212.0 and res.sites["ind-str"].core_site_id == "core-fra"
    # every candidate module of a workload, with what it would get there (for the pane)
    cands = dict(res.candidates("wl-vision"))
    assert set(cands) == set(res.modules)
    assert cands["core-fra.mod1"].total_ms == pytest.approx(2 * 212 * 4.9e-3 + 2 * 6 * 40e-3 + 0.1 + 1.8)
    assert cands["ind-str.mod1"].total_ms == pytest.approx(w["wl-vision"].total_ms)
    assert not [f for f in findings if f.severity.value == "error"]


def _sample_with(sample, **changes):
    for wid, vals in changes.items():
        w = next(x for x in sample.workloads if x.id == wid)
        for k, v in vals.items():
            setattr(w, k, v)
    return sample


def test_reason_capacity_on_sample(sample):
    res, findings = _place(_sample_with(sample, **{"wl-vision": {"it_power_kw": 150.0}}))
    v = res.workloads["wl-vision"]
    assert not v.placed and v.reason_code == "capacity"
    assert "no liquid-cooled module within its 4 ms budget has 150 kW free" in v.reason
    assert "largest free is 120 kW at 'SKID-1' at Stuttgart body-shop node" in v.reason
    f = next(f for f in findings if f.code == "placement.unplaced")
    assert "wl-vision" in f.item_ids and "ind-str.mod1" in f.item_ids and f.fix


def test_reason_contention_on_sample(sample):
    sample = _sample_with(sample, **{"wl-vision": {"it_power_kw": 80.0}})
    sample.workloads.append(Workload(id="wl-vision2", name="Paint-shop vision", latency_budget_ms=4.0,
                                     data_source_id="src-bodyshop", it_power_kw=80.0, needs_liquid=True,
                                     processing_ms=1.8))
    res, _ = _place(sample)
    out = res.unplaced
    assert len(out) == 1 and out[0].reason_code == "contention"
    assert "'SKID-1' at Stuttgart body-shop node has 40 kW left" in out[0].reason
    # the core is nearer but its 8 rack positions are taken, and Munich has 78 kW left: Berlin is the
    # nearest with room, 212 + 575 km: 7.71 ms fibre + 14 hops x 40 us both ways (1.12) + 0.1 + 1.8 = 10.7 ms
    assert ("the nearest liquid-cooled module with room is 'CNT-1' at Berlin Mitte city node, 787 km away by "
            "route: 10.7 ms against a 4 ms budget") in out[0].reason


def test_reason_latency_on_sample(sample):
    sample.workloads.append(Workload(id="wl-signal", name="Signal pre-emption", latency_budget_ms=5.0,
                                     data_source_id="src-traffic", it_power_kw=10.0, needs_liquid=True,
                                     processing_ms=4.0))
    res, _ = _place(sample)
    w = res.workloads["wl-signal"]
    assert w.reason_code == "latency"
    # 9.5 km of fibre (0.09 ms) + 3 hops of 30 us both ways (0.18) + 1 ms radio + 4 ms
    assert "the nearest, 'CNT-1' at Berlin Mitte city node, is 9.5 km away by route: 5.27 ms" in w.reason
    assert "against a 5 ms budget" in w.reason


def test_pinned_workload_stays_put_and_is_flagged(sample):
    res, findings = _place(_sample_with(sample, **{"wl-vision": {"pinned_module_id": "core-fra.mod1"}}))
    v = res.workloads["wl-vision"]
    assert v.module_id == "core-fra.mod1" and v.pinned
    assert v.margin_ms == pytest.approx(4.0 - (2 * 212 * 4.9e-3 + 2 * 6 * 40e-3 + 0.1 + 1.8))
    f = next(f for f in findings if f.code == "placement.pinned_latency")
    assert "4.46 ms against a 4 ms budget" in f.message
    assert "wl-vision" in res.modules["core-fra.mod1"].workload_ids


def test_pin_to_unknown_module(sample):
    res, findings = _place(_sample_with(sample, **{"wl-ar": {"pinned_module_id": "nowhere"}}))
    w = res.workloads["wl-ar"]
    assert not w.placed and w.reason_code == "pin" and "'nowhere'" in w.reason


def test_capacity_override_from_another_analysis(sample):
    res, _ = _place(sample, overrides={"ind-str.mod1": CapacityOverride(power_kw=40.0, note="UPS-1 margin")})
    v = res.workloads["wl-vision"]
    assert v.reason_code == "capacity" and "largest free is 40 kW" in v.reason
    assert res.modules["ind-str.mod1"].note == "UPS-1 margin"
    res, _ = _place(sample, overrides={"ind-str.mod1": {"liquid_kw": 50.0}})
    assert "50 kW of liquid cooling at 'SKID-1'" in res.workloads["wl-vision"].reason


def test_analysis_reuses_routes_and_reports(sample):
    a = PlacementAnalysis()
    cache: dict = {}
    r1 = a.run(sample, 1, cache)
    net = cache["network"]
    sample.workloads[0].it_power_kw = 50.0  # workloads change: routes stay
    r2 = a.run(sample, 2, cache)
    assert cache["network"] is net and r2.revision == 2
    text = a.report_text(r1)
    assert "wl-vision (Weld-seam vision QA) -> SKID-1 @ ind-str" in text and "Tethers to the core:" in text
    js = a.report_json(r1)
    json.dumps(js)
    assert {"workloads", "unplaced", "modules", "sites", "summary"} <= set(js)
    cache["capacity_overrides"] = {"ind-str.mod1": {"power_kw": 10.0}}
    r3 = a.run(sample, 3, cache)
    assert r3.summary["workloads_unplaced"] == 1


def test_cli_solve_placement_json(capsys):
    from designer.cli import main

    rc = main(["solve", str(sample_project_path()), "--placement", "--json"])
    out = json.loads(capsys.readouterr().out)
    assert rc == 0
    pl = out["placement"]
    assert pl["summary"]["workloads_placed"] == 11
    vision = next(w for w in pl["workloads"] if w["workload_id"] == "wl-vision")
    assert vision["module_id"] == "ind-str.mod1" and vision["latency"]["route_kind"] == "local"


def test_free_spot_scan():
    hall = Hall(outline=[(0, 0), (10, 0), (10, 10), (0, 10)])
    env = Envelope(4.0, 2.0)
    assert find_free_spot(hall, env) == (2.0, 1.0, 0.0)
    hall.obstructions.append(Obstruction(id="c", polygon=[(0, 0), (5, 0), (5, 9), (0, 9)]))
    x, y, rot = find_free_spot(hall, env)
    box = Envelope(4.0, 2.0).polygon(x, y, rot)
    assert Polygon(hall.outline).contains(box) and box.intersection(hall_obstacles(hall)).area < 1e-9
    # a 1 m front clearance must also stay inside the hall and clear of the column
    spot = find_free_spot(hall, Envelope(4.8, 1.0, front_m=1.0, rear_m=0.0))
    assert spot is not None
    assert find_free_spot(hall, Envelope(6.0, 6.0)) is None


def test_recommendation_from_scratch_and_edit_undoes(sample):
    cat = Catalog(shipped_catalog(), sample.catalog)
    assert not recommend_edit(sample, cat).edit  # the sample's modules serve everything already
    rec = recommend_edit(sample, cat, use_existing=False)
    r = rec.recommendation
    # Berlin's and the tower's halls are full: nothing new fits where traffic and V2X need it; and
    # the core hall (its pod still drawn) has room for a new AIH-1000L or an ENT-400H, not both:
    # serving wl-core-llm serves no more workloads and costs more, so it is left out (the reason
    # is tested in test_recommend_reasons)
    assert r.status == "partial"
    assert {"wl-traffic", "wl-v2x"} < set(r.unserved) and len(r.unserved) == 3
    assert "Berlin Mitte city node (" in r.unserved["wl-traffic"] and "no free spot" in r.unserved["wl-traffic"]
    assert "A7 tower site Kassel-Ost (" in r.unserved["wl-v2x"]
    pinned = {w.id for w in sample.workloads if w.pinned_module_id}
    assert set(r.choices) | set(r.unserved) | pinned == {w.id for w in sample.workloads}
    for c in r.choices.values():
        w = next(x for x in sample.workloads if x.id == c.workload_id)
        assert c.latency_ms <= w.latency_budget_ms + 1e-9
    for nm in r.new_modules:
        assert nm.load_kw <= nm.it_capacity_kw + 1e-9
    assert r.total_cost == pytest.approx(r.fixed_cost + r.assignment_cost)
    # the vision workload must be served from Stuttgart (nothing else is within 4 ms)
    assert r.choices["wl-vision"].site_id == "ind-str"
    doc = Document(sample)
    before = {s.id: hall_obstacles(s.hall) for s in sample.sites}
    n_before = sum(len(s.hall.modules) for s in sample.sites)
    inverse = doc.apply(rec.edit)
    placed = [nm for nm in r.new_modules if nm.position is not None]
    assert sum(len(s.hall.modules) for s in doc.project.sites) == n_before + len(placed)
    for s in doc.project.sites:
        for m in s.hall.modules:
            if m.id.endswith(tuple(f".mod{k}" for k in range(2, 9))) and m.catalog_model:
                fp = Polygon(m.corners())
                assert Polygon(s.hall.outline).buffer(1e-6).contains(fp)
                assert fp.intersection(before[s.id]).area < 1e-6
    doc.apply(inverse)
    assert sum(len(s.hall.modules) for s in doc.project.sites) == n_before


def test_recommendation_adds_a_candidate_site(sample):
    """V2X at 4 ms with the tower module out of service: only a new module near the A7 will do."""
    sample = _sample_with(sample, **{"wl-v2x": {"latency_budget_ms": 4.0}})
    tower = next(s for s in sample.sites if s.id == "twr-ks")
    tower.hall.modules[0].it_capacity_kw = 0.0
    res, _ = _place(sample)
    assert res.workloads["wl-v2x"].reason_code == "latency"
    cand = Site(id="cand-a7", name="A7 service area", kind="distributed", core_site_id="core-fra",
                location=Located(lat=51.3050, lon=9.5500), utility_capacity_kw=200.0, cost_per_kw_month=300.0)
    cat = Catalog(shipped_catalog(), sample.catalog)
    rec = recommend_edit(sample, cat, extra_sites=[cand])
    r = rec.recommendation
    c = r.choices["wl-v2x"]
    assert c.new_module is not None and c.latency_ms <= 4.0
    nm = r.new_modules[c.new_module]
    assert nm.site_id in ("cand-a7", "twr-ks") and nm.position is not None
    doc = Document(sample)
    inverse = doc.apply(rec.edit)
    assert rec.edit.label.startswith("Add ")
    res2, _ = _place(doc.project)
    assert res2.workloads["wl-v2x"].placed and res2.workloads["wl-v2x"].margin_ms >= 0
    doc.apply(inverse)
    assert [s.id for s in doc.project.sites] == [s.id for s in sample.sites]


def test_envelope_rotation_keeps_front_clearance_in_front():
    env = Envelope(2.0, 1.0, front_m=1.0)
    # at 90 degrees the front faces -x: the clearance sits on the -x side
    x0, y0, x1, y1 = env.plan_box(90.0)
    assert (x0, x1) == (-1.5, 0.5) and (y0, y1) == (-1.0, 1.0)
    assert shapely.box(x0, y0, x1, y1).area == pytest.approx(env.area_m2)


@pytest.mark.parametrize("n, expect", [(1, ["MIC-60T"]), (2, ["IND-120R"]), (3, ["IND-120R", "MIC-60T"])])
def test_facility_location_by_hand(n, expect):
    """Fixed cost (8,000 x kW + 100,000) / 120 a month: MIC-60T 4,833, IND-120R 8,833. One
    50 kW workload: the small one; two: one IND-120R beats two MIC-60T (9,667); three: an
    IND-120R and a MIC-60T (13,667) beat three MIC-60T (14,500) and two IND-120R (17,667)."""
    from designer.model.project import DataSource, Project
    from designer.solvers.placement.recommend import FixedCost, recommend

    site = Site(id="A", location=Located(lat=50.0, lon=8.0), cost_per_kw_month=100.0)
    p = Project(sites=[site], data_sources=[DataSource(id="d", location=Located(lat=50.0, lon=8.0), site_id="A")])
    p.workloads = [Workload(id=f"w{i}", data_source_id="d", it_power_kw=50.0, needs_liquid=True,
                            latency_budget_ms=5.0) for i in range(n)]
    cat = Catalog(shipped_catalog())
    types = [cat.get("MIC-60T"), cat.get("IND-120R")]
    r = recommend(p, types, fixed_cost=FixedCost())
    assert sorted(m.model for m in r.new_modules) == sorted(expect)
    fixed = {"MIC-60T": (8000 * 60 + 1e5) / 120, "IND-120R": (8000 * 120 + 1e5) / 120}
    assert r.fixed_cost == pytest.approx(sum(fixed[m] for m in expect))
    assert r.assignment_cost == pytest.approx(n * 50.0 * 100.0)
    assert all(m.position is not None for m in r.new_modules)
