"""The bundled sample project: reproducible from code, complete, and physically coherent."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import Polygon

from designer.io.builder import rack_flow_lpm
from designer.io.catalog_store import sample_project_path, shipped_catalog
from designer.io.files import dumps
from designer.io.generate import generate_project
from designer.io.sample import build_sample_project
from designer.model.catalog import Catalog
from designer.model.validate import validate
from designer.solvers.geometry import check_hall

EDGE_KINDS = ("industrial", "enterprise", "urban", "distributed")


def _km(a, b) -> float:
    """Great-circle distance between two locations (haversine, R = 6371 km)."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    s = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(s))


def test_shipped_file_is_what_the_code_builds(sample_project):
    built = build_sample_project()
    assert built == sample_project
    assert dumps(built) == sample_project_path().read_text(encoding="utf-8")


def test_one_core_and_one_site_of_each_edge_kind(sample_project):
    kinds = [s.kind for s in sample_project.sites]
    assert sorted(kinds) == sorted(["core", *EDGE_KINDS])
    core = next(s for s in sample_project.sites if s.kind == "core")
    assert core.core_site_id is None
    for s in sample_project.sites:
        if s.kind != "core":
            assert s.core_site_id == core.id
            assert 50 < _km(s.location, core.location) < 1000, s.id


@pytest.mark.parametrize("kind", ["core", *EDGE_KINDS])
def test_each_hall_has_modules_racks_cooling_and_power(sample_project, kind):
    site = next(s for s in sample_project.sites if s.kind == kind)
    hall = site.hall
    assert hall.modules and hall.racks and hall.air_units
    assert hall.power.sources and (hall.power.pdus or hall.power.taps)
    if any(r.liquid_fraction > 0 for r in hall.racks):
        assert hall.cdus and hall.pipes
    for r in hall.racks:
        assert r.feed_a is not None and r.feed_b is not None, r.id
    assert any(r.module_id in {m.id for m in hall.modules} for r in hall.racks)


@pytest.mark.parametrize("kind", ["core", *EDGE_KINDS])
def test_numbers_are_coherent(sample_project, kind):
    site = next(s for s in sample_project.sites if s.kind == kind)
    hall = site.hall
    cat = Catalog(shipped_catalog())
    it_kw = sum(r.it_load_kw for r in hall.racks)
    # the site can supply its IT load, with margin for cooling
    assert it_kw * 1.1 <= site.utility_capacity_kw, (site.id, it_kw)
    for r in hall.racks:
        entry = cat.get(r.catalog_model)
        assert entry is not None and 0 < r.it_load_kw <= entry.max_kw, r.id
    # modules hold their racks: footprint and rated IT capacity
    for m in hall.modules:
        inside = [r for r in hall.racks if r.module_id == m.id]
        mp = Polygon(m.corners()).buffer(1e-6)
        assert all(mp.contains(Polygon(r.corners())) for r in inside), m.id
        assert sum(r.it_load_kw for r in inside) <= m.it_capacity_kw, m.id
        assert len(inside) <= m.rack_positions, m.id
    # liquid heat fits the CDUs; pumps can move the flow the racks need
    liquid_kw = sum(r.it_load_kw * r.liquid_fraction for r in hall.racks)
    assert liquid_kw <= sum(c.capacity_kw for c in hall.cdus) + 1e-9
    flow = sum(rack_flow_lpm(r) for r in hall.racks)
    assert flow <= sum(c.rated_flow_lpm for c in hall.cdus) + 1e-9
    assert liquid_kw <= sum(w.capacity_kw for w in hall.water_supplies)
    # the air units can take the heat left in the air
    air_kw = it_kw - liquid_kw
    assert air_kw <= sum(a.capacity_kw for a in hall.air_units), (site.id, air_kw)
    # each UPS, less its redundant modules, can carry the whole IT load (the other side may
    # be lost, or be raw mains)
    for u in hall.power.ups:
        assert (u.module_count - u.redundant_modules) * u.module_kw >= it_kw, u.id


def test_sample_is_clean(sample_project):
    assert validate(sample_project) == []
    for s in sample_project.sites:
        findings, _ = check_hall(s.hall, sample_project.settings, s.name)
        assert [f.as_text() for f in findings] == [], s.id


def test_about_ten_workloads_with_budgets_and_sources(sample_project):
    wls = sample_project.workloads
    assert 8 <= len(wls) <= 14
    sources = {d.id: d for d in sample_project.data_sources}
    for w in wls:
        assert 0 < w.latency_budget_ms, w.id
        assert w.data_source_id in sources, w.id
        assert w.it_power_kw > 0 and w.data_rate_gbps > 0, w.id
    for d in sources.values():
        assert -90 <= d.location.lat <= 90 and -180 <= d.location.lon <= 180
    # a range of budgets, from hard real time to batch
    budgets = sorted(w.latency_budget_ms for w in wls)
    assert budgets[0] <= 10 and budgets[-1] >= 1000
    # the workloads fit the network's IT capacity
    total_it = sum(r.it_load_kw for s in sample_project.sites for r in s.hall.racks)
    assert sum(w.it_power_kw for w in wls) <= total_it


def test_links_join_every_edge_site_to_the_core(sample_project):
    core = next(s for s in sample_project.sites if s.kind == "core")
    joined = {lk.a for lk in sample_project.links if lk.b == core.id} | \
             {lk.b for lk in sample_project.links if lk.a == core.id}
    assert joined == {s.id for s in sample_project.sites if s.kind != "core"}
    places = {s.id: s.location for s in sample_project.sites} | \
             {d.id: d.location for d in sample_project.data_sources}
    for lk in sample_project.links:
        if lk.route_km is not None:
            # a fibre route is never shorter than the straight line
            assert _km(places[lk.a], places[lk.b]) <= lk.route_km, lk.id


@pytest.mark.parametrize("n", [1, 26, 77])
def test_generated_halls_are_exact_deterministic_and_clean(n):
    p = generate_project(n)
    hall = p.sites[0].hall
    assert len(hall.racks) == n
    assert dumps(p) == dumps(generate_project(n))
    assert validate(p) == []
    assert check_hall(hall, p.settings)[0] == []
    assert all(r.feed_a and r.feed_b for r in hall.racks)
    # every rack is on a CDU loop: a supply and a return pipe end at it
    ends = {(q.end.item_id, q.end.port) for q in hall.pipes} | {(q.start.item_id, q.start.port) for q in hall.pipes}
    assert all((r.id, "supply") in ends and (r.id, "return") in ends for r in hall.racks)
