"""The shipped modules' contents: made by the generator, valid templates, true to their spec sheets."""

from __future__ import annotations

import pytest

from designer.io.catalog_store import resource_path, shipped_catalog
from designer.io.templates import LAYOUTS, rebuilt_catalog_text
from designer.model.template import template_problems
from designer.solvers.sizing import velocity_mps

SHIPPED = shipped_catalog()
MODULES = {m.model: m for m in SHIPPED.modules}
IT_MODULES = [m for m in MODULES if MODULES[m].it_capacity_kw > 0]


def test_shipped_catalog_is_what_the_generator_writes():
    path = resource_path("catalog.json")
    assert rebuilt_catalog_text(path) == path.read_text(encoding="utf-8")


def test_every_module_has_a_layout():
    assert set(MODULES) == set(LAYOUTS)


@pytest.mark.parametrize("model", sorted(MODULES))
def test_template_has_no_problem(model):
    assert template_problems(MODULES[model]) == []


@pytest.mark.parametrize("model", IT_MODULES)
def test_contents_match_the_spec_sheet(model):
    m = MODULES[model]
    c = m.contents
    racks = c.racks
    assert len(racks) == m.rack_positions
    it_kw = sum(r.it_load_kw for r in racks)
    assert it_kw <= m.it_capacity_kw + 1e-9
    assert it_kw >= 0.9 * m.it_capacity_kw
    if m.default_rack_model:
        assert {r.catalog_model for r in racks} == {m.default_rack_model}
    liquid_kw = sum(r.it_load_kw * r.liquid_fraction for r in racks)
    air_kw = it_kw - liquid_kw
    # the CDUs take the liquid heat, the air units (with margin) the rest
    assert sum(cd.capacity_kw for cd in c.cdus) >= liquid_kw
    assert sum(a.capacity_kw for a in c.air_units) >= 1.3 * air_kw
    # cooling type: liquid modules put most heat into liquid, hybrid ones share it
    share = liquid_kw / it_kw
    if m.cooling == "liquid":
        assert share >= 0.7
    elif m.cooling == "hybrid":
        assert 0.2 <= share < 0.9
    # every rack fed twice, from A and from B chains that do not meet inside the module
    for r in racks:
        assert r.feed_a is not None and r.feed_b is not None
        assert r.feed_a.source_id != r.feed_b.source_id
    sides = {conn.side for conn in m.connections if conn.kind == "power_in"}
    assert sides == {"A", "B"}
    kinds = sorted(conn.kind for conn in m.connections)
    assert kinds.count("water_supply") == 1 and kinds.count("water_return") == 1


@pytest.mark.parametrize("model", IT_MODULES)
def test_every_liquid_rack_is_piped_and_pipes_are_sized_for_the_velocity(model):
    c = MODULES[model].contents
    ends = {(e.item_id, e.port) for p in c.pipes for e in (p.start, p.end)}
    for r in c.racks:
        if r.liquid_fraction > 0:
            assert (r.id, "supply") in ends and (r.id, "return") in ends
    # design flow of each branch: the rack's liquid heat at its rise in PG25 (the sizing basis)
    for r in c.racks:
        q = r.it_load_kw * r.liquid_fraction * 1000 / (1025 * 3900 * r.design_delta_t_liquid_k) * 60000
        branch = [p for p in c.pipes if p.end.item_id == r.id or p.start.item_id == r.id]
        for p in branch:
            assert velocity_mps(q, p.diameter_m) <= 1.8 + 1e-9


def test_power_skid_and_cdu_skid_connections():
    pwr = MODULES["PWR-2500"]
    kinds = {(c.kind, c.side) for c in pwr.connections}
    assert kinds == {("power_in", ""), ("power_out", "A"), ("power_out", "B")}
    c = pwr.contents
    assert [t.rating_kva for t in c.transformers] == [2500.0]
    assert len(c.switchboards) == 1 and len(c.ups) == 1
    # the chain inside: transformer -> switchboard -> UPS, with sized feeders
    assert c.switchboards[0].upstream_id == c.transformers[0].id
    assert c.ups[0].upstream_id == c.switchboards[0].id
    assert c.ups[0].feeder.conductor_mm2 is not None and c.ups[0].feeder.parallel_sets >= 1
    skid = MODULES["CDU-SKID-2000"]
    assert {c.kind for c in skid.connections} == {"water_supply", "water_return", "loop_supply", "loop_return"}
    assert [cd.capacity_kw for cd in skid.contents.cdus] == [2000.0]
