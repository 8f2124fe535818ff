"""Semantic validation: hand-broken projects give the right finding at the right JSON path.

Every check asserts the finding's code, its severity, the exact JSON path of the bad value,
that the message names the value and that a fix is offered.
"""

from __future__ import annotations

import pytest

from designer.model import hall as h
from designer.model import power as pw
from designer.model.findings import Finding, Severity
from designer.model.project import Project, Settings, Site
from designer.model.registry import iter_items
from designer.model.validate import RULES, validate


def at(project: Project, path: str) -> list[Finding]:
    """Findings of ``project`` whose JSON path is exactly ``path``."""
    return [f for f in validate(project) if f.path == path]


def one_error(project: Project, path: str, code: str) -> Finding:
    found = at(project, path)
    assert found, f"no finding at {path}; got {[f.as_text() for f in validate(project)]}"
    hits = [f for f in found if f.code == code]
    assert len(hits) == 1, [f.as_text() for f in found]
    f = hits[0]
    assert f.severity is Severity.ERROR
    assert f.fix.strip(), f"finding without a fix: {f.as_text()}"
    assert f.message.strip()
    return f


def errors(project: Project) -> list[Finding]:
    return [f for f in validate(project) if f.severity is Severity.ERROR]


def _rack_index(site: Site, pred) -> int:
    return next(i for i, r in enumerate(site.hall.racks) if pred(r))


# -- the sample --------------------------------------------------------------------------------
def test_sample_has_no_errors_and_no_warnings(sample_project):
    found = validate(sample_project)
    assert [f.as_text() for f in found] == []


def test_errors_are_listed_first(sample):
    sample.sites[0].hall.racks[0].it_load_kw = -1.0
    sample.sites[0].hall.racks[1].cold_plate_dp_kpa = 0.0  # a warning (liquid rack, no rating)
    found = validate(sample)
    ranks = [f.severity.rank for f in found]
    assert ranks == sorted(ranks)
    assert {f.severity for f in found} == {Severity.ERROR, Severity.WARNING}


# -- dangling and wrong references --------------------------------------------------------------
def test_rack_fed_from_missing_pdu(sample):
    site = sample.sites[0]
    i = _rack_index(site, lambda r: r.feed_a is not None)
    site.hall.racks[i].feed_a = site.hall.racks[i].feed_a.model_copy(update={"source_id": "pdu-gone"})
    f = one_error(sample, f"sites[0].hall.racks[{i}].feed_a.source_id", "ref.dangling")
    assert "pdu-gone" in f.message
    assert site.hall.racks[i].id in f.item_ids


def test_rack_fed_from_a_rack_is_a_wrong_kind(sample):
    site = sample.sites[1]
    r0, r1 = site.hall.racks[0], site.hall.racks[1]
    r1.feed_b = r1.feed_b.model_copy(update={"source_id": r0.id})
    f = one_error(sample, "sites[1].hall.racks[1].feed_b.source_id", "ref.kind")
    assert r0.id in f.message


def test_feed_from_another_sites_pdu(sample):
    other_pdu = sample.sites[2].hall.power.pdus[0].id
    r = sample.sites[1].hall.racks[0]
    r.feed_a = r.feed_a.model_copy(update={"source_id": other_pdu})
    one_error(sample, "sites[1].hall.racks[0].feed_a.source_id", "ref.site")


def test_pipe_to_missing_item(sample):
    pipe = sample.sites[0].hall.pipes[3]
    pipe.end = pipe.end.model_copy(update={"item_id": "j-nowhere"})
    f = one_error(sample, "sites[0].hall.pipes[3].end.item_id", "ref.dangling")
    assert "j-nowhere" in f.message and pipe.id in f.item_ids


def test_pipe_to_a_port_the_item_does_not_have(sample):
    hall = sample.sites[0].hall
    i = next(k for k, p in enumerate(hall.pipes) if p.end.port in ("supply", "return"))
    hall.pipes[i].end = hall.pipes[i].end.model_copy(update={"port": "node"})
    one_error(sample, f"sites[0].hall.pipes[{i}].end.port", "ref.port")
    j = next(k for k, p in enumerate(hall.pipes) if p.start.port == "node")
    hall.pipes[j].start = hall.pipes[j].start.model_copy(update={"port": "supply"})
    one_error(sample, f"sites[0].hall.pipes[{j}].start.port", "ref.port")


def test_pipe_from_a_port_to_itself(sample):
    pipe = sample.sites[0].hall.pipes[0]
    pipe.end = pipe.start
    one_error(sample, "sites[0].hall.pipes[0]", "pipe.loop")


def test_rack_in_missing_module(sample):
    sample.sites[2].hall.racks[5].module_id = "mod-ghost"
    f = one_error(sample, "sites[2].hall.racks[5].module_id", "ref.dangling")
    assert "mod-ghost" in f.message


def test_rack_module_id_naming_a_cdu(sample):
    cdu = sample.sites[2].hall.cdus[0].id
    sample.sites[2].hall.racks[5].module_id = cdu
    one_error(sample, "sites[2].hall.racks[5].module_id", "ref.kind")


def test_missing_upstream(sample):
    sample.sites[0].hall.power.ups[1].upstream_id = "swb-ghost"
    f = one_error(sample, "sites[0].hall.power.ups[1].upstream_id", "ref.dangling")
    assert "swb-ghost" in f.message


def test_upstream_naming_a_rack(sample):
    rack = sample.sites[0].hall.racks[0].id
    sample.sites[0].hall.power.pdus[0].upstream_id = rack
    one_error(sample, "sites[0].hall.power.pdus[0].upstream_id", "ref.kind")


def test_missing_alternate_upstream(sample):
    sample.sites[2].hall.power.switchboards[0].alternate_upstream_id = "gen-ghost"
    one_error(sample, "sites[2].hall.power.switchboards[0].alternate_upstream_id", "ref.dangling")


def test_tap_on_missing_busway(sample):
    sample.sites[0].hall.power.taps[4].busway_id = "bw-ghost"
    one_error(sample, "sites[0].hall.power.taps[4].busway_id", "ref.dangling")


def test_workload_with_missing_data_source(sample):
    sample.workloads[2].data_source_id = "src-ghost"
    f = one_error(sample, "workloads[2].data_source_id", "ref.dangling")
    assert sample.workloads[2].id in f.item_ids


def test_workload_pinned_to_missing_module(sample):
    sample.workloads[0].pinned_module_id = "mod-ghost"
    one_error(sample, "workloads[0].pinned_module_id", "ref.dangling")


def test_link_ends(sample):
    sample.links[1].b = "site-ghost"
    f = one_error(sample, "links[1].b", "ref.dangling")
    assert "site-ghost" in f.message
    sample.links[2].a = sample.workloads[0].id  # a workload is no place
    one_error(sample, "links[2].a", "ref.kind")
    sample.links[3].a = sample.links[3].b
    one_error(sample, "links[3]", "link.self")


def test_data_source_at_missing_site(sample):
    sample.data_sources[0].site_id = "site-ghost"
    one_error(sample, "data_sources[0].site_id", "ref.dangling")


def test_edge_site_tethered_to_missing_core(sample):
    sample.sites[3].core_site_id = "core-ghost"
    one_error(sample, "sites[3].core_site_id", "ref.dangling")


def test_rear_door_without_rack(sample):
    hall = sample.sites[0].hall
    hall.air_units.append(h.AirUnit(id="rd-1", kind="rear_door", x=30.0, y=2.0, width_m=0.6, depth_m=0.25))
    one_error(sample, f"sites[0].hall.air_units[{len(hall.air_units) - 1}].rack_id", "ref.missing")


# -- duplicate ids -------------------------------------------------------------------------------
def test_duplicate_rack_id(sample):
    racks = sample.sites[0].hall.racks
    racks[5].id = racks[4].id
    f = one_error(sample, "sites[0].hall.racks[5].id", "id.duplicate")
    assert "sites[0].hall.racks[4]" in f.message  # names where the id is used first
    assert at(sample, "sites[0].hall.racks[4].id") == []


def test_duplicate_id_across_kinds_and_sites(sample):
    first = sample.sites[0].hall.cdus[0].id
    sample.sites[4].hall.power.pdus[1].id = first
    one_error(sample, "sites[4].hall.power.pdus[1].id", "id.duplicate")
    sample.workloads[3].id = sample.sites[0].id
    # sites are listed first in file order: the workload is the second use
    f = one_error(sample, "workloads[3].id", "id.duplicate")
    assert "sites[0]" in f.message


# -- physical plausibility -----------------------------------------------------------------------
def test_negative_rack_power(sample):
    sample.sites[0].hall.racks[3].it_load_kw = -5.0
    f = one_error(sample, "sites[0].hall.racks[3].it_load_kw", "value.range")
    assert "-5" in f.message


def test_zero_pipe_diameter(sample):
    sample.sites[0].hall.pipes[2].diameter_m = 0.0
    f = one_error(sample, "sites[0].hall.pipes[2].diameter_m", "value.range")
    assert "0.0" in f.message


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_liquid_fraction_outside_0_1(sample, value):
    sample.sites[2].hall.racks[1].liquid_fraction = value
    f = one_error(sample, "sites[2].hall.racks[1].liquid_fraction", "value.range")
    assert str(value) in f.message


@pytest.mark.parametrize("value", [0.0, 1.0])
def test_liquid_fraction_bounds_are_allowed(sample, value):
    sample.sites[2].hall.racks[1].liquid_fraction = value
    assert at(sample, "sites[2].hall.racks[1].liquid_fraction") == []


def test_rack_outside_hall(sample):
    sample.sites[1].hall.racks[2].x = 40.0
    f = one_error(sample, "sites[1].hall.racks[2].x", "geometry.outside")
    assert sample.sites[1].hall.racks[2].name in f.message


def test_rack_on_the_wall_is_inside(sample):
    """A rack whose back touches the outline is inside (boundary counts as inside)."""
    r = sample.sites[0].hall.racks[0]
    r.rotation_deg, r.x, r.y = 0.0, 30.0, r.depth_m / 2
    assert at(sample, "sites[0].hall.racks[0].x") == []
    r.y -= 0.01
    one_error(sample, "sites[0].hall.racks[0].x", "geometry.outside")


def test_module_outside_hall(sample):
    sample.sites[4].hall.modules[0].x = 7.5
    one_error(sample, "sites[4].hall.modules[0].x", "geometry.outside")


def test_outline_with_two_points(sample):
    sample.sites[1].hall.outline = [(0.0, 0.0), (10.0, 0.0)]
    f = one_error(sample, "sites[1].hall.outline", "geometry.polygon")
    assert "3" in f.message and "2" in f.message
    # no 'outside' noise when there is no usable outline
    assert not [x for x in validate(sample) if x.code == "geometry.outside"]


def test_outline_with_zero_area(sample):
    sample.sites[1].hall.outline = [(0.0, 0.0), (5.0, 0.0), (10.0, 0.0)]
    one_error(sample, "sites[1].hall.outline", "geometry.polygon")


def test_obstruction_and_containment_polygons(sample):
    sample.sites[0].hall.obstructions[1].polygon = [(1.0, 1.0)]
    one_error(sample, "sites[0].hall.obstructions[1].polygon", "geometry.polygon")
    sample.sites[0].hall.containments[0].polygon = []
    one_error(sample, "sites[0].hall.containments[0].polygon", "geometry.polygon")


def test_busway_path_with_one_point(sample):
    sample.sites[0].hall.power.busways[0].path = [(1.0, 1.0)]
    one_error(sample, "sites[0].hall.power.busways[0].path", "geometry.path")


def test_tap_beyond_busway_end(sample):
    bw = sample.sites[0].hall.power.busways[0]
    taps = sample.sites[0].hall.power.taps
    i = next(k for k, t in enumerate(taps) if t.busway_id == bw.id)
    length = abs(bw.path[1][0] - bw.path[0][0])
    taps[i].offset_m = length + 0.5
    f = one_error(sample, f"sites[0].hall.power.taps[{i}].offset_m", "value.range")
    assert f"{length:.2f}" in f.message
    taps[i].offset_m = length
    assert at(sample, f"sites[0].hall.power.taps[{i}].offset_m") == []


# -- pumps -------------------------------------------------------------------------------------
@pytest.mark.parametrize("curve", [
    [(0.0, 300.0), (600.0, 320.0), (1000.0, 160.0)],  # head rises
    [(0.0, 300.0), (600.0, 250.0), (500.0, 160.0)],  # flow falls
    [(0.0, 300.0), (600.0, 250.0), (600.0, 160.0)],  # flow repeats
])
def test_pump_curve_not_monotone(sample, curve):
    sample.sites[0].hall.cdus[1].pump = sample.sites[0].hall.cdus[1].pump.model_copy(update={"curve": curve})
    f = one_error(sample, "sites[0].hall.cdus[1].pump.curve", "pump.curve")
    assert sample.sites[0].hall.cdus[1].id in f.item_ids


def test_pump_curve_empty_and_negative(sample):
    cdu = sample.sites[2].hall.cdus[0]
    cdu.pump = cdu.pump.model_copy(update={"curve": []})
    one_error(sample, "sites[2].hall.cdus[0].pump.curve", "pump.curve")
    cdu.pump = cdu.pump.model_copy(update={"curve": [(-10.0, 200.0), (100.0, 150.0)]})
    one_error(sample, "sites[2].hall.cdus[0].pump.curve", "pump.curve")


def test_redundant_pumps_not_fewer_than_pumps(sample):
    cdu = sample.sites[0].hall.cdus[0]
    cdu.pump = cdu.pump.model_copy(update={"count": 2, "redundant": 2})
    f = one_error(sample, "sites[0].hall.cdus[0].pump.redundant", "value.range")
    assert "2" in f.message
    cdu.pump = cdu.pump.model_copy(update={"count": 3, "redundant": 2})
    assert at(sample, "sites[0].hall.cdus[0].pump.redundant") == []
    cdu.pump = cdu.pump.model_copy(update={"count": 0, "redundant": 0})
    one_error(sample, "sites[0].hall.cdus[0].pump.count", "value.range")


def test_ups_redundant_modules(sample):
    ups = sample.sites[0].hall.power.ups[0]
    ups.redundant_modules = ups.module_count
    one_error(sample, "sites[0].hall.power.ups[0].redundant_modules", "value.range")


# -- power upstream cycles -------------------------------------------------------------------
def test_power_upstream_cycle(sample):
    """TX-A fed from UPS-A closes the loop TX -> SWB -> UPS -> TX. Each element on the loop is
    reported at its upstream_id; elements merely fed from the loop (the PDU) are not."""
    power = sample.sites[0].hall.power
    tx, swb, ups = power.transformers[0], power.switchboards[0], power.ups[0]
    assert (swb.upstream_id, ups.upstream_id) == (tx.id, swb.id)
    tx.upstream_id = ups.id
    cyc = [f for f in validate(sample) if f.code == "power.cycle"]
    assert {f.path for f in cyc} == {"sites[0].hall.power.transformers[0].upstream_id",
                                     "sites[0].hall.power.switchboards[0].upstream_id",
                                     "sites[0].hall.power.ups[0].upstream_id"}
    for f in cyc:
        assert f.severity is Severity.ERROR and f.fix
        assert tx.name in f.message or tx.id in f.message
    assert {i for f in cyc for i in f.item_ids} == {tx.id, swb.id, ups.id}


def test_power_self_loop(sample):
    pdu = sample.sites[3].hall.power.pdus[0]
    pdu.upstream_id = pdu.id
    f = one_error(sample, "sites[3].hall.power.pdus[0].upstream_id", "power.cycle")
    assert pdu.id in f.item_ids


# -- locations -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("field", "value"), [("lat", 90.5), ("lat", -91.0), ("lon", 180.01), ("lon", -200.0)])
def test_site_location_out_of_range(sample, field, value):
    sample.sites[2].location = sample.sites[2].location.model_copy(update={field: value})
    f = one_error(sample, f"sites[2].location.{field}", "value.range")
    assert str(value) in f.message


def test_site_location_extremes_allowed(sample):
    sample.sites[2].location = sample.sites[2].location.model_copy(update={"lat": -90.0, "lon": 180.0})
    assert errors(sample) == []


def test_data_source_location_out_of_range(sample):
    sample.data_sources[3].location = sample.data_sources[3].location.model_copy(update={"lat": 123.0})
    one_error(sample, "data_sources[3].location", "value.range")


# -- every plausibility rule, both sides of its limit -----------------------------------------------
def _bad_and_good(rule: tuple, is_int: bool) -> tuple[float, list[float]]:
    kind = rule[0]
    if kind == "pos":
        return 0, [1 if is_int else 1e-9]
    if kind == "nonneg":
        return -1, [0]
    if kind == "frac":
        return 1.0000001, [0.0, 1.0]
    lo, hi = rule[1], rule[2]
    return hi + 1, [lo, hi]


def _rule_cases():
    cases = []
    for typ, rules in RULES.items():
        for name, rule in rules.items():
            cases.append(pytest.param(typ, name, rule, id=f"{typ.__name__}.{name}"))
    return cases


def _target(project: Project, typ: type):
    """The first object of ``typ`` in the sample, with its JSON path."""
    if typ is Settings:
        return project.settings, "settings"
    if typ is Site:
        return project.sites[0], "sites[0]"
    hall = project.sites[0].hall
    if typ in (h.RaisedFloor, h.CeilingPlenum):  # the sample's halls have neither: add one
        attr = "raised_floor" if typ is h.RaisedFloor else "ceiling_plenum"
        setattr(hall, attr, typ())
        return getattr(hall, attr), f"sites[0].hall.{attr}"
    if typ is h.FloorTile and not hall.floor_tiles:
        hall.raised_floor = h.RaisedFloor()
        hall.floor_tiles.append(h.FloorTile(id="tile-test", x=3.0, y=3.0))
    if typ is h.CeilingGrille and not hall.ceiling_grilles:
        hall.ceiling_plenum = h.CeilingPlenum()
        hall.ceiling_grilles.append(h.CeilingGrille(id="grille-test", x=3.0, y=3.0))
    for loc in iter_items(project):
        if type(loc.item) is typ:
            return loc.item, loc.json_path
    raise AssertionError(f"the sample has no {typ.__name__}")


@pytest.mark.parametrize(("typ", "name", "rule"), _rule_cases())
def test_every_rule_flags_its_bad_value_at_its_path(sample, typ, name, rule):
    obj, base = _target(sample, typ)
    ann = type(obj).model_fields[name].annotation
    is_int = ann is int
    bad, goods = _bad_and_good(rule, is_int)
    path = f"{base}.{name}"
    setattr(obj, name, bad)
    f = one_error(sample, path, "value.range")
    assert str(bad) in f.message
    if typ not in (Settings, Site, h.RaisedFloor, h.CeilingPlenum):
        assert obj.id in f.item_ids
    for good in goods:
        setattr(obj, name, good)
        assert [x for x in at(sample, path) if x.code == "value.range"] == [], (name, good)


def test_rules_cover_every_placed_type():
    for typ in (h.Module, h.Rack, h.AirUnit, h.Cdu, pw.Transformer, pw.Switchboard, pw.Ups, pw.Pdu):
        assert {"width_m", "depth_m"} <= set(RULES[typ]), typ.__name__
