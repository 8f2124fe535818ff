"""Layout checks (designer/solvers/geometry.py) on small hand-built halls with known answers."""

from __future__ import annotations

import math

import pytest

from designer.analysis.geometry import GeometryAnalysis
from designer.io.generate import generate_project
from designer.model import hall as h
from designer.model import power as p
from designer.model.findings import Severity
from designer.model.project import Project, Settings, Site
from designer.solvers.geometry import check_hall

TOL = 1e-9


def hall_of(*items, outline=((0, 0), (20, 0), (20, 12), (0, 12)), rating=1200.0) -> h.Hall:
    hall = h.Hall(outline=list(outline), floor_rating_kg_m2=rating)
    for it in items:
        if isinstance(it, h.Rack):
            hall.racks.append(it)
        elif isinstance(it, h.Module):
            hall.modules.append(it)
        elif isinstance(it, h.Cdu):
            hall.cdus.append(it)
        elif isinstance(it, h.AirUnit):
            hall.air_units.append(it)
        elif isinstance(it, h.Obstruction):
            hall.obstructions.append(it)
        elif isinstance(it, p.Pdu):
            hall.power.pdus.append(it)
        else:
            raise TypeError(it)
    return hall


def rack(id_, x, y, rot=0.0, front=0.0, rear=0.0, **kw) -> h.Rack:
    """A 0.6 x 1.2 m, 500 kg rack; service clearances off unless asked for."""
    kw.setdefault("weight_kg", 500.0)
    return h.Rack(id=id_, name=id_.upper(), x=x, y=y, rotation_deg=rot, clearance_front_m=front,
                  clearance_rear_m=rear, **kw)


def check(hall, settings=None):
    return check_hall(hall, settings or Settings())


def codes(findings, code):
    return [f for f in findings if f.code == code]


def square(id_, x0, y0, x1, y1) -> h.Obstruction:
    return h.Obstruction(id=id_, name=id_.upper(), polygon=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])


# -- overlaps ------------------------------------------------------------------------------------
def test_overlap_reports_its_area():
    f, res = check(hall_of(rack("a", 5.0, 5.0), rack("b", 5.3, 5.0)))
    (ov,) = codes(f, "geometry.overlap")
    assert ov.severity is Severity.ERROR
    assert set(ov.item_ids) == {"a", "b"}
    assert "0.36 m2" in ov.message and "A" in ov.message and "B" in ov.message  # 0.3 x 1.2
    assert res.status == {"a": "error", "b": "error"}


def test_overlap_of_a_rotated_item():
    # b turned 90 deg: 1.2 x 0.6 over x 4.9..6.1, y 4.7..5.3; a spans x 4.7..5.3 -> 0.4 x 0.6
    f, _ = check(hall_of(rack("a", 5.0, 5.0), rack("b", 5.5, 5.0, rot=90.0)))
    (ov,) = codes(f, "geometry.overlap")
    assert "0.24 m2" in ov.message


def test_touching_items_do_not_overlap():
    f, _ = check(hall_of(rack("a", 5.0, 5.0), rack("b", 5.6, 5.0), rack("c", 6.2, 5.0)))
    assert f == []


def test_overlap_between_other_kinds():
    cdu = h.Cdu(id="cdu", x=10.0, y=5.0)
    pdu = p.Pdu(id="pdu", x=10.5, y=5.0, width_m=0.8, depth_m=0.9)  # x 10.1..10.3 of the CDU: 0.2 x 0.9
    f, _ = check(hall_of(cdu, pdu))
    (ov,) = codes(f, "geometry.overlap")
    assert set(ov.item_ids) == {"cdu", "pdu"} and "0.18 m2" in ov.message


# -- outside the hall ------------------------------------------------------------------------------
def test_outside_the_hall():
    f, _ = check(hall_of(rack("in", 0.3, 5.0), rack("out", 0.2, 7.0)))
    out = codes(f, "geometry.outside")
    assert [x.item_ids for x in out] == [("out",)]
    assert out[0].severity is Severity.ERROR


def test_outside_an_l_shaped_hall():
    L = ((0, 0), (10, 0), (10, 5), (5, 5), (5, 10), (0, 10))
    f, _ = check(hall_of(rack("notch", 7.0, 7.0), rack("arm", 2.0, 7.0), outline=L))
    assert [x.item_ids for x in codes(f, "geometry.outside")] == [("notch",)]


def test_crossing_outline_is_reported():
    bow = ((0, 0), (10, 10), (10, 0), (0, 10))
    f, _ = check(hall_of(outline=bow))
    assert [x.code for x in f] == ["geometry.outline"]


def test_outline_with_too_few_points_is_left_to_validation():
    f, res = check(hall_of(rack("a", 1.0, 1.0), outline=((0, 0), (1, 0))))
    assert f == [] and res.status == {}


# -- obstructions --------------------------------------------------------------------------------
def test_obstruction_overlap_with_area():
    col = square("c1", 4.75, 5.2, 5.25, 5.7)  # rack spans y 4.4..5.6: 0.5 x 0.4 in common
    f, _ = check(hall_of(rack("a", 5.0, 5.0), col))
    (ob,) = codes(f, "geometry.obstruction")
    assert set(ob.item_ids) == {"a", "c1"} and "0.20 m2" in ob.message
    assert ob.severity is Severity.ERROR


def test_obstruction_just_clear():
    f, _ = check(hall_of(rack("a", 5.0, 5.0), square("c1", 4.75, 5.6, 5.25, 6.1)))
    assert f == []


# -- modules -------------------------------------------------------------------------------------
def _room(form="room", **kw) -> h.Module:
    """A 6 x 3 m module over x 7..13, y 4.5..7.5."""
    return h.Module(id="m", name="M", x=10.0, y=6.0, width_m=6.0, depth_m=3.0, form_factor=form, **kw)


def test_racks_and_a_cdu_inside_a_module_are_not_overlaps():
    items = [_room(), rack("a", 8.0, 6.0, module_id="m"), rack("b", 8.6, 6.0, module_id="m"),
             h.Cdu(id="cdu", x=7.4, y=6.0)]
    f, _ = check(hall_of(*items))
    assert f == []


def test_rack_across_a_module_wall_is_an_overlap():
    f, _ = check(hall_of(_room(), rack("a", 13.0, 6.0, module_id="m")))
    (ov,) = codes(f, "geometry.overlap")
    assert set(ov.item_ids) == {"a", "m"}
    assert "crosses the wall of module M: 0.36 m2 inside, 0.360 m2 outside" in ov.message  # 0.3 x 1.2 each
    # 5 mm through the wall is still through the wall
    f, _ = check(hall_of(_room(), rack("a", 12.705, 6.0, module_id="m")))
    (ov,) = codes(f, "geometry.overlap")
    assert "0.006 m2 outside" in ov.message


def test_two_modules_overlapping():
    other = h.Module(id="m2", x=15.0, y=6.0, width_m=6.0, depth_m=3.0)  # x 12..18: 1 x 3 in common
    f, _ = check(hall_of(_room(), other))
    (ov,) = codes(f, "geometry.overlap")
    assert set(ov.item_ids) == {"m", "m2"} and "3.00 m2" in ov.message


# -- service clearances --------------------------------------------------------------------------
def _facing(gap: float, **kw):
    """Two racks facing each other across ``gap`` metres (fronts at y 5.6 and 5.6 + gap)."""
    return rack("a", 5.0, 5.0, 0.0, **kw), rack("b", 5.0, 5.6 + gap + 0.6, 180.0, **kw)


def test_clearance_blocked_by_another_rack():
    f, res = check(hall_of(*_facing(1.0, front=1.2)))
    cl = codes(f, "geometry.clearance")
    assert {x.item_ids for x in cl} == {("a",), ("b",)}
    msg = {x.item_ids[0]: x.message for x in cl}
    assert "1.20 m front service clearance is blocked by B" in msg["a"]
    assert "blocked by A" in msg["b"]
    assert all(x.severity is Severity.WARNING for x in cl)


def test_clearance_exactly_met():
    f, res = check(hall_of(*_facing(1.2, front=1.2)))
    assert f == []
    assert res.aisle_front_m["a"] == pytest.approx(1.2, abs=TOL)


def test_clearance_blocked_by_the_hall_wall():
    f, res = check(hall_of(rack("a", 5.0, 1.0, 180.0, front=1.2)))  # front face at y 0.4
    (cl,) = codes(f, "geometry.clearance")
    assert "the hall wall" in cl.message
    assert res.aisle_front_m["a"] == pytest.approx(0.4, abs=TOL)
    assert codes(f, "geometry.aisle") == []  # a wall ahead is a clearance matter


def test_clearance_blocked_by_an_obstruction():
    f, _ = check(hall_of(rack("a", 5.0, 5.0, front=1.2), square("c1", 4.8, 6.3, 5.2, 6.7)))
    (cl,) = codes(f, "geometry.clearance")
    assert "C1" in cl.message


def test_rear_clearance_and_hot_aisle():
    # back to back, rears 0.6 m apart (rear faces at y 4.4 and 3.8)
    a = rack("a", 5.0, 5.0, 0.0, rear=0.9)
    b = rack("b", 5.0, 3.2, 180.0, rear=0.9)
    f, res = check(hall_of(a, b))
    assert res.aisle_rear_m["a"] == pytest.approx(0.6, abs=TOL)
    assert {x.item_ids[0] for x in codes(f, "geometry.clearance")} == {"a", "b"}
    (al,) = [x for x in codes(f, "geometry.aisle") if x.item_ids == ("a",)]
    assert "hot aisle behind is 0.60 m wide, less than 0.90 m" in al.message


@pytest.mark.parametrize(("form", "blocked"), [("room", True), ("container_40ft", True), ("skid", False),
                                               ("enclosure", False)])
def test_clearance_and_module_walls(form, blocked):
    """A rack in a walk-in module needs its clearance inside; a skid opens outwards."""
    r = rack("a", 10.0, 6.0, 0.0, front=1.2, module_id="m")  # front at 6.6, module wall at 7.5
    f, res = check(hall_of(_room(form), r))
    cl = codes(f, "geometry.clearance")
    if blocked:
        assert len(cl) == 1 and "the module wall" in cl[0].message
        assert res.aisle_front_m["a"] == pytest.approx(0.9, abs=TOL)
    else:
        assert cl == []
    assert codes(f, "geometry.overlap") == []


def test_clearance_fits_inside_a_room_module():
    f, _ = check(hall_of(_room(), rack("a", 10.0, 5.6, 0.0, front=1.2, module_id="m")))  # 1.3 m to the wall
    assert f == []


def test_clearance_of_a_free_standing_rack_blocked_by_a_module():
    """A rack facing a module's side 0.5 m away cannot be serviced from the front."""
    r = rack("a", 10.0, 3.4, 0.0, front=1.2)  # front face at y 4.0; the module starts at 4.5
    f, res = check(hall_of(_room("skid"), r))
    (cl,) = codes(f, "geometry.clearance")
    assert "M" in cl.message and cl.item_ids == ("a",)
    assert res.aisle_front_m["a"] == pytest.approx(0.5, abs=TOL)


def test_clearance_out_of_a_skid_into_another_module():
    skid = _room("skid")
    other = h.Module(id="m2", name="M2", x=10.0, y=8.5, width_m=6.0, depth_m=1.0)  # y 8.0..9.0
    r = rack("a", 10.0, 6.0, 0.0, front=1.2, module_id="m")  # clearance y 6.6..7.8 is clear
    f, _ = check(hall_of(skid, other, r))
    assert codes(f, "geometry.clearance") == []
    r.clearance_front_m = 1.6  # now reaches y 8.2, into M2
    f, _ = check(hall_of(skid, other, r))
    (cl,) = codes(f, "geometry.clearance")
    assert "M2" in cl.message


# -- aisles --------------------------------------------------------------------------------------
@pytest.mark.parametrize("gap", [0.6, 1.0, 1.19, 1.2, 1.5])
def test_cold_aisle_measured_exactly(gap):
    rows = []
    for k in range(4):
        rows += [rack(f"a{k}", 5.0 + 0.6 * k, 5.0, 0.0), rack(f"b{k}", 5.0 + 0.6 * k, 5.6 + gap + 0.6, 180.0)]
    f, res = check(hall_of(*rows))
    for r in rows:
        assert res.aisle_front_m[r.id] == pytest.approx(gap, abs=TOL), r.id
    warn = codes(f, "geometry.aisle")
    if gap < 1.2:
        assert {x.item_ids[0] for x in warn} == {r.id for r in rows}
        assert all(f"{gap:.2f} m wide, less than 1.20 m" in x.message for x in warn)
    else:
        assert warn == []


def test_aisle_limit_comes_from_settings():
    s = Settings(min_cold_aisle_m=0.9)
    f, _ = check(hall_of(*_facing(1.0)), s)
    assert codes(f, "geometry.aisle") == []


def test_open_floor_is_infinite():
    f, res = check(hall_of(rack("a", 20.0, 20.0), outline=((0, 0), (40, 0), (40, 40), (0, 40))))
    assert math.isinf(res.aisle_front_m["a"]) and math.isinf(res.aisle_rear_m["a"])


def test_aisle_to_a_cdu_is_not_an_aisle_warning():
    f, res = check(hall_of(rack("a", 5.0, 5.0), h.Cdu(id="c", x=5.0, y=6.8, rotation_deg=180.0)))
    assert res.aisle_front_m["a"] == pytest.approx(0.6, abs=TOL)  # CDU back face at 6.2
    assert codes(f, "geometry.aisle") == []


# -- floor load ----------------------------------------------------------------------------------
def test_floor_load_by_hand():
    free = rack("r", 3.0, 3.0, front=1.2, rear=0.9, weight_kg=1000.0)
    mod = _room(weight_kg=9000.0)
    inside = [rack(f"i{k}", 8.0 + 0.6 * k, 6.0, module_id="m", weight_kg=1000.0) for k in range(2)]
    f, res = check(hall_of(free, mod, *inside, rating=700.0))
    # 1000 kg over 0.6 x (1.2 + (1.2 + 0.9) / 2) m
    assert res.floor_load_kg_m2["r"] == pytest.approx(1000.0 / (0.6 * 2.25), rel=1e-12)
    # (9000 + 2 x 1000) kg over 6 x 3 m; racks in a module count towards it, not alone
    assert res.floor_load_kg_m2["m"] == pytest.approx(11000.0 / 18.0, rel=1e-12)
    assert "i0" not in res.floor_load_kg_m2
    (fl,) = codes(f, "geometry.floor_load")
    assert fl.item_ids == ("r",) and "741 kg/m2" in fl.message and "700 kg/m2" in fl.message
    f, _ = check(hall_of(free, mod, *inside, rating=600.0))
    assert {x.item_ids for x in codes(f, "geometry.floor_load")} == {("r",), ("m",)}


# -- realistic halls -----------------------------------------------------------------------------
def test_sample_halls_are_clean(sample_project):
    for s in sample_project.sites:
        f, res = check_hall(s.hall, sample_project.settings, s.name)
        assert f == [], [x.as_text() for x in f]
        assert set(res.aisle_front_m) == {r.id for r in s.hall.racks}


@pytest.mark.parametrize("n", [40, 200])
def test_generated_halls_are_clean(n):
    p = generate_project(n)
    f, res = check_hall(p.sites[0].hall, p.settings)
    assert f == [], [x.as_text() for x in f[:5]]
    # pods: two rows around a 1.2 m hot aisle, 1.4 m cold aisles between pods
    rears = [v for v in res.aisle_rear_m.values() if not math.isinf(v)]
    assert rears and min(rears) == pytest.approx(1.2, abs=1e-6)


def test_findings_name_the_site():
    f, _ = check_hall(hall_of(rack("a", 5.0, 5.0), rack("b", 5.3, 5.0)), Settings(), "Site X")
    assert f[0].message.startswith("Site X: ") and f[0].source == "geometry"


def test_geometry_analysis_on_the_sample(sample_project):
    a = GeometryAnalysis()
    res = a.run(sample_project, 7, {})
    assert res.revision == 7 and res.findings == ()
    rep = a.report_json(res)
    assert set(rep["sites"]) == {s.id for s in sample_project.sites}
    for site in rep["sites"].values():
        assert all(v is None or v > 0 for v in site["aisle_front_m"].values())


def test_geometry_analysis_adds_validation_findings(sample):
    sample.sites[1].hall.racks[0].it_load_kw = -1.0
    sample.sites[1].hall.racks[1].x += 0.3  # overlaps its neighbour
    res = GeometryAnalysis().run(Project.model_validate(sample.model_dump()), 1, {})
    found = {f.code for f in res.findings}
    assert {"value.range", "geometry.overlap"} <= found
    assert res.summary["errors"] >= 2 if hasattr(res, "summary") else True


def test_site_helper_builds_valid_project():
    # the hand-built halls above are valid documents too
    hall = hall_of(*_facing(1.0))
    assert Project(sites=[Site(id="s", hall=hall)]).sites[0].hall.racks[1].rotation_deg == 180.0
