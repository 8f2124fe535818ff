"""Editor operations: delete with cascade, duplicate / paste, rack rows, move / rotate / align /
distribute, place from the catalog. Each returns one undoable edit."""

from __future__ import annotations

import math

import pytest

from designer.document import Change, Composite, Document, ops
from designer.document.assembly import members
from designer.document.geometry import bounds
from designer.io.catalog_store import shipped_catalog
from designer.model import hall as h
from designer.model.catalog import Catalog
from designer.model.findings import Severity
from designer.model.project import Project, Settings, Site
from designer.model.registry import iter_items
from designer.model.validate import validate
from designer.solvers.geometry import check_hall

CAT = Catalog(shipped_catalog())
TOL = 1e-9


@pytest.fixture
def doc(sample) -> Document:
    return Document(sample)


def _apply_and_check_undo(doc: Document, edit) -> list[Change]:
    """Apply ``edit`` as one step; check undo restores everything (order included) and redo
    repeats it. Returns the changes heard."""
    changes: list[Change] = []
    doc.subscribe(changes.append)
    before = doc.project.model_dump()
    assert isinstance(edit, Composite)
    inv = doc.apply(edit)
    after = doc.project.model_dump()
    redo = doc.apply(inv)
    assert doc.project.model_dump() == before
    doc.apply(redo)
    assert doc.project.model_dump() == after
    doc.unsubscribe(changes.append)
    return changes


def _errors(project) -> list[str]:
    return [f.as_text() for f in validate(project) if f.severity is Severity.ERROR]


def _all_ids(doc) -> set[str]:
    return {loc.item.id for loc in iter_items(doc.project)}


# -- delete with cascade ------------------------------------------------------------------------
def test_delete_cdu_takes_its_pipes(doc):
    hall = doc.site("core-fra").hall
    cdu = "core-fra.cdu1"
    on_cdu = {p.id for p in hall.pipes if cdu in (p.start.item_id, p.end.item_id)}
    assert on_cdu == {"core-fra.pipe1", "core-fra.pipe2"}
    before = _all_ids(doc)
    changes = _apply_and_check_undo(doc, ops.delete_items(doc, [cdu]))
    assert _all_ids(doc) == before - on_cdu - {cdu}
    assert set(changes[0].removed) == on_cdu | {cdu} and changes[0].modified == {}
    assert _errors(doc.project) == []


def test_delete_module_takes_racks_pipes_and_rear_doors_and_clears_pins(doc):
    site = doc.site("ent-muc")
    mod = site.hall.modules[0].id
    racks = {r.id for r in site.hall.racks if r.module_id == mod}
    # a rear door on one of its racks goes too
    doors = ops.place_entry(doc, "ent-muc", CAT.get("RDHX-50"), site.hall.racks[0].x, site.hall.racks[0].y)
    doc.apply(doors)
    door = doors.edits[0].item
    assert door.rack_id == site.hall.racks[0].id
    pipes = {p.id for p in site.hall.pipes if {p.start.item_id, p.end.item_id} & racks}
    pinned = [w.id for w in doc.project.workloads if w.pinned_module_id == mod]
    assert racks and pipes and pinned
    inside = set(members(doc, mod))  # the whole assembly: CDU, loop, coolers, PDUs, containment
    assert racks | pipes <= inside and door.id in inside
    changes = _apply_and_check_undo(doc, ops.delete_items(doc, [mod]))
    gone = inside | {mod}
    assert set(changes[0].removed) == gone
    assert not gone & _all_ids(doc)
    for w in pinned:
        assert doc.item(w).pinned_module_id is None
        assert changes[0].modified[w] == {"pinned_module_id"}
    assert _errors(doc.project) == []


def test_delete_pdu_clears_the_feeds_of_its_racks(doc):
    pdu = "ind-str.pdu1"
    hall = doc.site("ind-str").hall
    fed_a = [r.id for r in hall.racks if r.feed_a and r.feed_a.source_id == pdu]
    assert fed_a
    edit = ops.delete_items(doc, [pdu])
    assert len([e for e in edit.edits if type(e).__name__ == "RemoveItem"]) == 1
    changes = _apply_and_check_undo(doc, edit)
    assert changes[0].removed == [pdu]
    for rid in fed_a:
        r = doc.item(rid)
        assert r.feed_a is None and r.feed_b is not None  # the B cord stays
    assert _errors(doc.project) == []


def test_delete_upstream_clears_downstream_upstream_ids(doc):
    ups = "core-fra.ups1"
    down = [e.id for e in doc.site("core-fra").hall.power.pdus + doc.site("core-fra").hall.power.busways
            if e.upstream_id == ups]
    assert down
    _apply_and_check_undo(doc, ops.delete_items(doc, [ups]))
    assert all(doc.item(i).upstream_id is None for i in down)
    assert _errors(doc.project) == []


def test_delete_busway_takes_its_taps_and_clears_feeds(doc):
    bw = "core-fra.bw1"
    hall = doc.site("core-fra").hall
    taps = {t.id for t in hall.power.taps if t.busway_id == bw}
    fed = [r.id for r in hall.racks if r.feed_a and r.feed_a.source_id in taps]
    assert taps and fed
    _apply_and_check_undo(doc, ops.delete_items(doc, [bw]))
    assert not taps & _all_ids(doc)
    assert all(doc.item(r).feed_a is None for r in fed)
    assert _errors(doc.project) == []


def test_delete_site_takes_its_hall_links_and_clears_references(doc):
    site = doc.site("ent-muc")
    hall_ids = {loc.item.id for loc in iter_items(doc.project)
                if loc.site_index is not None and doc.project.sites[loc.site_index] is site}
    links = {lk.id for lk in doc.project.links if "ent-muc" in (lk.a, lk.b)}
    sources = [d.id for d in doc.project.data_sources if d.site_id == "ent-muc"]
    pinned = [w.id for w in doc.project.workloads if w.pinned_module_id in hall_ids]
    assert hall_ids and links and sources and pinned
    changes = _apply_and_check_undo(doc, ops.delete_items(doc, ["ent-muc"]))
    assert set(changes[0].removed) == hall_ids | links | {"ent-muc"}
    assert all(doc.item(d).site_id is None for d in sources)
    assert all(doc.item(w).pinned_module_id is None for w in pinned)
    assert _errors(doc.project) == []


def test_delete_core_site_untethers_the_edges(doc):
    _apply_and_check_undo(doc, ops.delete_items(doc, ["core-fra"]))
    assert all(s.core_site_id is None for s in doc.project.sites)
    assert _errors(doc.project) == []


def test_delete_first_site_and_a_module_of_a_later_one(doc):
    """Removal order must not depend on list positions across collections."""
    _apply_and_check_undo(doc, ops.delete_items(doc, ["core-fra", "twr-ks.mod1", "ind-str.rack2"]))
    assert _errors(doc.project) == []


def test_delete_data_source_clears_workloads_and_takes_links(doc):
    src = "src-a7"
    wls = [w.id for w in doc.project.workloads if w.data_source_id == src]
    links = {lk.id for lk in doc.project.links if src in (lk.a, lk.b)}
    assert wls and links
    _apply_and_check_undo(doc, ops.delete_items(doc, [src]))
    assert all(doc.item(w).data_source_id is None for w in wls)
    assert not links & _all_ids(doc)


def test_delete_many_racks_undo_restores_list_order(doc):
    hall = doc.site("core-fra").hall
    order = [r.id for r in hall.racks]
    picked = [order[i] for i in (7, 0, 12, 3)]
    _apply_and_check_undo(doc, ops.delete_items(doc, picked))
    assert [r.id for r in hall.racks] == [i for i in order if i not in picked]


def test_delete_nothing(doc):
    assert not ops.delete_items(doc, ["no-such-id"])


# -- duplicate and paste -------------------------------------------------------------------------
def test_duplicate_remaps_internal_references(doc):
    """Rack, CDU and the junction between them: the pipes joining them come along, joined to the
    copies; references outside the selection (module, feeds) are kept."""
    ids = ["core-fra.cdu1", "core-fra.j1", "core-fra.rack1"]
    before = _all_ids(doc)
    edit = ops.duplicate_items(doc, ids, dx=0.0, dy=-6.0)
    changes = _apply_and_check_undo(doc, edit)
    new = _all_ids(doc) - before
    assert len(new) == 5 and set(changes[0].added) == new
    copies = {doc.item(i).catalog_model: i for i in new if hasattr(doc.item(i), "catalog_model")}
    rack = doc.item(copies["RK-DLC-132"])
    cdu = doc.item(copies["CDU-IR-800"])
    orig = doc.item("core-fra.rack1")
    assert (rack.x, rack.y) == (orig.x, orig.y - 6.0)
    assert rack.module_id == orig.module_id
    assert rack.feed_a == orig.feed_a and rack.feed_b == orig.feed_b
    # a copy gets the next free name of its kind, never a name the site already has
    names = [r.name for r in doc.site("core-fra").hall.racks]
    assert rack.name == "R17" and names.count("R17") == 1 and orig.name == "R01"
    pipes = [doc.item(i) for i in new if isinstance(doc.item(i), h.Pipe)]
    ends = {(p.start.item_id, p.end.item_id) for p in pipes}
    j = next(i for i in new if isinstance(doc.item(i), h.Junction))
    assert ends == {(cdu.id, j), (j, rack.id)}
    # the copies' pipes keep their roles, ports and sizes
    by_end = {p.end.item_id: p for p in pipes}
    orig_branch = doc.item("core-fra.pipe3")
    assert by_end[rack.id].model_dump(exclude={"id", "start", "end", "points", "name"}) == \
        orig_branch.model_dump(exclude={"id", "start", "end", "points", "name"})
    assert by_end[rack.id].end.port == "supply"
    assert _errors(doc.project) == []


def test_duplicate_ids_are_new_and_unique(doc):
    ids = [r.id for r in doc.site("urb-ber").hall.racks[:3]]
    doc.apply(ops.duplicate_items(doc, ids))
    doc.apply(ops.duplicate_items(doc, ids))
    all_ids = [loc.item.id for loc in iter_items(doc.project)]
    assert len(all_ids) == len(set(all_ids))
    assert _errors(doc.project) == []


def test_paste_into_another_site_drops_foreign_references(doc):
    payload = ops.copy_payload(doc, ["core-fra.rack1", "core-fra.j1", "core-fra.pipe3", "core-fra.pipe4"])
    assert len(payload) == 4
    edit = ops.paste_payload(doc, "twr-ks", payload, -7.0, -8.5)  # into the little tower compound
    _apply_and_check_undo(doc, edit)
    added = [e.item for e in edit.edits]
    rack = next(i for i in added if isinstance(i, h.Rack))
    assert rack.module_id is None and rack.feed_a is None and rack.feed_b is None
    # pipe3 (j1 -> rack1) comes along; pipe4 (rack1 -> j2) does not: j2 was not copied
    pipes = [i for i in added if isinstance(i, h.Pipe)]
    assert len(pipes) == 1 and pipes[0].end.item_id == rack.id
    assert all(i.id not in {"core-fra.rack1", "core-fra.j1"} for i in added)
    assert _errors(doc.project) == []


def test_paste_twice_gives_distinct_ids(doc):
    payload = ops.copy_payload(doc, ["twr-ks.rack1", "twr-ks.cdu1"])
    a = ops.paste_payload(doc, "twr-ks", payload)
    doc.apply(a)
    b = ops.paste_payload(doc, "twr-ks", payload)
    doc.apply(b)
    ids_a = {e.item.id for e in a.edits}
    ids_b = {e.item.id for e in b.edits}
    assert len(ids_a) == len(ids_b) == 2 and not ids_a & ids_b
    assert _errors(doc.project) == []


def test_paste_into_a_missing_site():
    with pytest.raises(ValueError):
        ops.paste_payload(Document(), "nowhere", [])


def test_copy_payload_ignores_project_items(doc):
    assert ops.copy_payload(doc, ["wl-agv", "core-fra", "twr-ks.rack1"]) == \
        [{"kind": "rack", "data": doc.item("twr-ks.rack1").model_dump(mode="json")}]


# -- rows ------------------------------------------------------------------------------------
def _new_racks(doc, edit):
    return [e.item for e in edit.edits if isinstance(e.item, h.Rack)]


@pytest.mark.parametrize("aisle", ["cold", "hot"])
def test_rack_rows_geometry(doc, aisle):
    entry = CAT.get("RK-AIR-15")  # 0.6 x 1.2 m
    x0, y0, n, pitch, gap = 14.5, 12.0, 5, 0.7, 1.3  # open floor east of the AI module
    edit = ops.rack_rows(doc, "core-fra", entry, x0, y0, n, pitch_m=pitch, rows=2, aisle_m=gap,
                         aisle=aisle, contain=True)
    changes = _apply_and_check_undo(doc, edit)
    racks = _new_racks(doc, edit)
    assert len(racks) == 2 * n and len(changes[0].added) == 2 * n + 1
    low, high = racks[:n], racks[n:]
    for k, (a, b) in enumerate(zip(low, high, strict=True)):
        assert a.x == pytest.approx(x0 + 0.3 + k * pitch, abs=TOL) == b.x
        assert a.y == pytest.approx(y0 + 0.6, abs=TOL)
        assert b.y == pytest.approx(y0 + 1.2 + gap + 0.6, abs=TOL)
        na, nb = a.front_normal(), b.front_normal()
        if aisle == "cold":  # fronts face each other across the aisle
            assert na == pytest.approx((0, 1), abs=TOL) and nb == pytest.approx((0, -1), abs=TOL)
        else:  # backs to the aisle
            assert na == pytest.approx((0, -1), abs=TOL) and nb == pytest.approx((0, 1), abs=TOL)
        assert a.catalog_model == "RK-AIR-15" and a.module_id is None
    cont = next(e.item for e in edit.edits if isinstance(e.item, h.Containment))
    assert cont.kind == aisle
    x1 = x0 + (n - 1) * pitch + 0.6
    want = [(x0, y0 + 1.2), (x1, y0 + 1.2), (x1, y0 + 1.2 + gap), (x0, y0 + 1.2 + gap)]
    assert [c for pt in cont.polygon for c in pt] == pytest.approx([c for pt in want for c in pt], abs=TOL)
    # the geometry checks measure the aisle that was asked for
    _, res = check_hall(doc.site("core-fra").hall, Settings())
    measured = res.aisle_front_m if aisle == "cold" else res.aisle_rear_m
    for r in racks:
        assert measured[r.id] == pytest.approx(gap, abs=1e-6)
    assert len({r.name for r in doc.site("core-fra").hall.racks}) == len(doc.site("core-fra").hall.racks)


def test_single_row_has_no_containment_and_pitch_defaults_to_width(doc):
    entry = CAT.get("RK-NET-6")  # 0.8 m wide
    edit = ops.rack_rows(doc, "core-fra", entry, 1.0, 15.0, 3, rows=1, contain=True)
    racks = _new_racks(doc, edit)
    assert len(edit.edits) == 3
    assert [r.x for r in racks] == pytest.approx([1.4, 2.2, 3.0], abs=TOL)


def test_rows_inside_a_module_join_it(doc):
    mod = doc.site("ent-muc").hall.modules[0]
    edit = ops.rack_rows(doc, "ent-muc", CAT.get("RK-HYB-50"), mod.x - 1.0, mod.y + 1.5 - 1.2, 2, rows=1)
    assert {r.module_id for r in _new_racks(doc, edit)} == {mod.id}


def test_rows_refuse_bad_arguments(doc):
    with pytest.raises(ValueError):
        ops.rack_rows(doc, "core-fra", CAT.get("RK-AIR-15"), 0, 0, 0)
    with pytest.raises(ValueError):
        ops.rack_rows(doc, "core-fra", CAT.get("RK-AIR-15"), 0, 0, 2, rows=3)
    with pytest.raises(ValueError):
        ops.rack_rows(doc, "nowhere", CAT.get("RK-AIR-15"), 0, 0, 2)


# -- move, rotate, align, distribute ---------------------------------------------------------------
def test_move_shifts_every_kind_of_geometry(doc):
    hall = doc.site("core-fra").hall
    ids = ["core-fra.rack1", "core-fra.j1", "core-fra.bw1", hall.obstructions[0].id, hall.containments[0].id,
           next(p.id for p in hall.pipes if p.points)]
    before = {i: bounds(doc.item(i)) for i in ids}
    changes = _apply_and_check_undo(doc, ops.move_items(doc, ids, 0.5, -0.25))
    assert set(changes[0].modified) == set(ids)
    for i in ids:
        b0, b1 = before[i], bounds(doc.item(i))
        assert b1 == pytest.approx((b0[0] + 0.5, b0[1] - 0.25, b0[2] + 0.5, b0[3] - 0.25), abs=TOL), i


def test_set_positions_skips_unmoved_items(doc):
    r = doc.item("core-fra.rack1")
    edit = ops.set_positions(doc, {"core-fra.rack1": (r.x, r.y), "core-fra.rack2": (1.0, 2.0)})
    assert [e.target for e in edit.edits] == ["core-fra.rack2"]


def test_rotate_one_item_about_its_centre(doc):
    r = doc.item("core-fra.rack9")
    x, y, rot = r.x, r.y, r.rotation_deg
    for _ in range(4):
        doc.apply(ops.rotate_items(doc, [r.id], 90.0))
        assert (r.x, r.y) == pytest.approx((x, y), abs=TOL)
    assert r.rotation_deg == rot  # normalised back exactly
    doc.apply(ops.rotate_items(doc, [r.id], -90.0))
    assert r.rotation_deg == (rot - 90.0) % 360.0


def test_rotate_a_group_about_its_centre():
    hall = h.Hall(racks=[h.Rack(id="a", x=1.0, y=1.0), h.Rack(id="b", x=3.0, y=1.0)])
    doc = Document(Project(sites=[Site(id="s", hall=hall)]))
    doc.apply(ops.rotate_items(doc, ["a", "b"], 90.0))
    a, b = doc.item("a"), doc.item("b")
    # union bounds x 0.7..3.3, y 0.4..1.6 -> centre (2, 1)
    assert (a.x, a.y, a.rotation_deg) == pytest.approx((2.0, 0.0, 90.0), abs=TOL)
    assert (b.x, b.y, b.rotation_deg) == pytest.approx((2.0, 2.0, 90.0), abs=TOL)


def test_set_rotation_normalises(doc):
    edit = ops.set_rotation(doc, ["core-fra.rack1", "core-fra.j1", "wl-agv"], 450.0)
    assert [(e.target, e.values) for e in edit.edits] == [("core-fra.rack1", {"rotation_deg": 90.0})]


@pytest.mark.parametrize(("how", "index", "want"), [
    ("left", 0, 1.0), ("right", 2, 6.5), ("bottom", 1, 0.5), ("top", 3, 4.0),
    ("hcenter", None, 3.75), ("vcenter", None, 2.25),
])
def test_align(how, index, want):
    # three items of different sizes: bounds (1,1)-(2,2), (3,0.5)-(4.5,3), (5.5,2)-(6.5,4)
    hall = h.Hall(racks=[h.Rack(id="a", x=1.5, y=1.5, width_m=1.0, depth_m=1.0),
                         h.Rack(id="b", x=3.75, y=1.75, width_m=1.5, depth_m=2.5),
                         h.Rack(id="c", x=6.0, y=3.0, width_m=1.0, depth_m=2.0)])
    doc = Document(Project(sites=[Site(id="s", hall=hall)]))
    _apply_and_check_undo(doc, ops.align_items(doc, ["a", "b", "c"], how))
    bbs = [bounds(doc.item(i)) for i in "abc"]
    if index is not None:
        assert {round(bb[index], 9) for bb in bbs} == {want}
    else:
        k = 0 if how == "hcenter" else 1
        assert {round((bb[k] + bb[k + 2]) / 2, 9) for bb in bbs} == {want}
    # the other axis does not move
    other = (1, 3) if how in ("left", "right", "hcenter") else (0, 2)
    assert [bb[other[0]] for bb in bbs] == pytest.approx([1.0, 0.5, 2.0] if other[0] == 1 else [1.0, 3.0, 5.5])


def test_align_needs_two_and_refuses_unknown():
    doc = Document()
    assert not ops.align_items(doc, [], "left")
    hall = h.Hall(racks=[h.Rack(id="a"), h.Rack(id="b", x=2.0)])
    doc = Document(Project(sites=[Site(id="s", hall=hall)]))
    with pytest.raises(ValueError):
        ops.align_items(doc, ["a", "b"], "diagonal")


@pytest.mark.parametrize("axis", ["x", "y"])
def test_distribute_makes_equal_gaps(axis):
    k = 0 if axis == "x" else 1
    pos = [0.0, 1.0, 1.5, 9.0]
    widths = [1.0, 0.5, 2.0, 1.0]
    racks = []
    for i, (p, w) in enumerate(zip(pos, widths, strict=True)):
        xy = {"x": p + w / 2, "y": 0.0} if axis == "x" else {"x": 0.0, "y": p + w / 2}
        racks.append(h.Rack(id=f"r{i}", width_m=w if axis == "x" else 1.0,
                            depth_m=w if axis == "y" else 1.0, **xy))
    doc = Document(Project(sites=[Site(id="s", hall=h.Hall(racks=racks))]))
    _apply_and_check_undo(doc, ops.distribute_items(doc, [r.id for r in reversed(racks)], axis))
    bbs = sorted((bounds(doc.item(r.id)) for r in racks), key=lambda b: b[k])
    gaps = [b2[k] - b1[k + 2] for b1, b2 in zip(bbs, bbs[1:], strict=False)]
    # span 0..10 holds 4.5 m of items: three gaps of 5.5 / 3
    assert gaps == pytest.approx([5.5 / 3] * 3, abs=TOL)
    assert bbs[0][k] == 0.0 and bbs[-1][k + 2] == pytest.approx(10.0, abs=TOL)
    assert not ops.distribute_items(doc, ["r0", "r1"], axis)


# -- place from the catalog --------------------------------------------------------------------
def test_place_rack_in_a_module(doc):
    mod = doc.site("twr-ks").hall.modules[0]
    edit = ops.place_entry(doc, "twr-ks", CAT.get("RK-EDGE-30"), mod.x + 0.6, mod.y - 0.3)
    changes = _apply_and_check_undo(doc, edit)
    rack = edit.edits[0].item
    assert changes[0].added == [rack.id]
    assert rack.module_id == mod.id
    assert rack.name not in {r.name for r in doc.site("twr-ks").hall.racks if r is not rack}
    assert rack.it_load_kw == CAT.get("RK-EDGE-30").it_load_kw


def test_place_rack_outside_modules(doc):
    edit = ops.place_entry(doc, "core-fra", CAT.get("RK-AIR-15"), 30.0, 2.0, 90.0)
    rack = edit.edits[0].item
    assert rack.module_id is None and rack.rotation_deg == 90.0


@pytest.mark.parametrize("model", ["AIH-1000L", "CDU-FAC-2000", "CRAH-80", "UPS-80-R", "RPP-400", "BW-800",
                                   "TX-315", "SWB-630"])
def test_place_every_kind(doc, model):
    edit = ops.place_entry(doc, "core-fra", CAT.get(model), 30.0, 10.0)
    _apply_and_check_undo(doc, edit)
    item = edit.edits[0].item
    assert doc.item(item.id) is item and item.catalog_model == model


def test_rear_door_is_mounted_on_the_rack_it_is_dropped_on(doc):
    rack = doc.item("core-fra.rack9")
    edit = ops.place_entry(doc, "core-fra", CAT.get("RDHX-50"), rack.x + 0.1, rack.y - 0.2)
    door = edit.edits[0].item
    assert door.rack_id == rack.id and door.rotation_deg == rack.rotation_deg
    # directly behind the rack: its front touches the rack's rear face
    nx, ny = rack.front_normal()
    d = (rack.depth_m + door.depth_m) / 2
    assert (door.x, door.y) == pytest.approx((rack.x - nx * d, rack.y - ny * d), abs=TOL)
    doc.apply(edit)
    assert _errors(doc.project) == []
    findings, _ = check_hall(doc.site("core-fra").hall, Settings())
    assert not [f for f in findings if f.code == "geometry.overlap" and door.id in f.item_ids]


def test_rear_door_on_the_floor_stays_unattached(doc):
    edit = ops.place_entry(doc, "core-fra", CAT.get("RDHX-50"), 30.0, 2.0)
    assert edit.edits[0].item.rack_id is None
    doc.apply(edit)
    assert [f.code for f in validate(doc.project) if f.severity is Severity.ERROR] == ["ref.missing"]


def test_busway_is_placed_along_x(doc):
    edit = ops.place_entry(doc, "core-fra", CAT.get("BW-800"), 10.0, 2.0)
    bw = edit.edits[0].item
    assert bw.path == [(10.0, 2.0), (14.0, 2.0)]
    assert math.dist(*bw.path) == 4.0


def test_deleting_a_single_rack_branch_takes_the_junction_it_leaves_bare(sample):
    from designer.document.document import Document
    from designer.document.edits import AddItem
    from designer.document.ops import delete_items
    from designer.model import hall as h

    doc = Document(sample)
    site = sample.sites[0]
    rack = site.hall.racks[0]
    doc.apply(AddItem("junction", h.Junction(id="jx", x=rack.x, y=rack.y - 2), site.id))
    doc.apply(AddItem("pipe", h.Pipe(id="px", start=h.PortRef(item_id="jx"),
                                     end=h.PortRef(item_id=rack.id, port="supply")), site.id))
    before = sample.model_dump()
    inv = doc.apply(delete_items(doc, [rack.id]))
    assert doc.item("px") is None and doc.item("jx") is None  # bare junction removed
    busy = {p.start.item_id for p in site.hall.pipes} | {p.end.item_id for p in site.hall.pipes}
    assert all(j.id in busy for j in site.hall.junctions)  # every other junction still has pipes
    doc.apply(inv)
    assert sample.model_dump() == before


def test_save_through_a_symlink_writes_the_target(tmp_path, sample):
    import os

    from designer.io.files import load, save

    real = tmp_path / "real.dhd.json"
    save(sample, real)
    link = tmp_path / "link.dhd.json"
    os.symlink(real, link)
    sample.name = "through the link"
    save(sample, link)
    assert link.is_symlink()
    assert load(real).name == "through the link"


def test_id_index_kept_current_through_bulk_edits_matches_a_fresh_build(sample):
    """The document updates its id index in place on adds and removes; after pastes,
    cascaded deletes, rows and their undo it equals an index built from scratch."""
    import random

    from designer.document.document import Document
    from designer.document.ops import copy_payload, delete_items, paste_payload, rack_rows
    from designer.io.catalog_store import load_catalog
    from designer.model.registry import build_index

    doc = Document(sample)
    cat, _ = load_catalog(sample)
    rng = random.Random(5)
    undo = []

    def same():
        fresh = build_index(doc.project)
        live = doc.index
        assert set(live) == set(fresh)
        for k, loc in fresh.items():
            got = live[k]
            assert (got.kind, got.site_index, got.index) == (loc.kind, loc.site_index, loc.index)
            assert got.item is loc.item

    for _step in range(40):
        site = rng.choice(doc.project.sites)
        ids = [r.id for r in site.hall.racks]
        choice = rng.random()
        if choice < 0.3 and ids:
            edit = paste_payload(doc, site.id, copy_payload(doc, rng.sample(ids, min(3, len(ids)))))
        elif choice < 0.6 and ids:
            edit = delete_items(doc, rng.sample(ids, min(2, len(ids))))
        elif choice < 0.8:
            edit = rack_rows(doc, site.id, cat.get("RK-AIR-15"), 1.0, 1.0, rng.randint(1, 3), None, 2)
        elif undo:
            doc.apply(undo.pop())
            same()
            continue
        else:
            continue
        undo.append(doc.apply(edit))
        same()
    while undo:
        doc.apply(undo.pop())
        same()


@pytest.mark.parametrize("model, aisle, want", [("RK-DLC-132", "cold", 1.5), ("RK-DLC-132", "hot", 1.2),
                                                ("RK-AIR-15", "cold", 1.2), ("RK-AIR-15", "hot", 0.9)])
def test_rows_take_the_aisle_from_the_rack_clearances(doc, model, aisle, want):
    entry = CAT.get(model)
    edit = ops.rack_rows(doc, "core-fra", entry, 1.0, 14.0, 2, rows=2, aisle=aisle)
    racks = _new_racks(doc, edit)
    ys = sorted({round(r.y, 6) for r in racks})
    # centres one rack depth plus the aisle apart: the rows' faces are the aisle apart
    assert ys[1] - ys[0] - entry.depth_m == pytest.approx(want, abs=TOL)
    assert ops.aisle_width(doc, entry, aisle) == pytest.approx(want, abs=TOL)
    # a typed width still wins
    edit = ops.rack_rows(doc, "core-fra", entry, 1.0, 14.0, 2, rows=2, aisle=aisle, aisle_m=2.0)
    ys = sorted({round(r.y, 6) for r in _new_racks(doc, edit)})
    assert ys[1] - ys[0] - entry.depth_m == pytest.approx(2.0, abs=TOL)
