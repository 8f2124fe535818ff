"""Document.snapshot(): a copy the analysis thread reads while the user keeps editing. Nothing
done to the document afterwards may show in it, down to nested values."""

from __future__ import annotations

import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer.document import AddItem, Document, RemoveItem, SetFields, ops
from designer.io.files import dumps
from designer.model import hall as h
from designer.model.registry import iter_items


@pytest.fixture
def doc(sample) -> Document:
    return Document(sample)


def test_snapshot_equals_the_document(doc):
    snap = doc.snapshot()
    assert snap == doc.project
    assert snap is not doc.project


@pytest.mark.parametrize(("target", "values"), [
    ("core-fra.rack1", {"feed_a.phase": "L2"}),
    ("core-fra.rack1", {"feed_a": None}),
    ("core-fra.cdu1", {"pump.count": 3}),
    ("core-fra.cdu1", {"pump.curve": [(0.0, 100.0), (10.0, 50.0)]}),
    ("core-fra", {"hall.grid.snap_m": 0.5}),
    ("core-fra", {"hall.power.scheme": "N"}),
    ("core-fra", {"hall.outline": [(0, 0), (10, 0), (10, 10)]}),
    ("core-fra", {"hall.floor_rating_kg_m2": 900.0}),
    ("core-fra", {"location.lat": 10.0, "hall.height_m": 3.5, "name": "x"}),
    (None, {"settings.units": "US", "settings.min_cold_aisle_m": 2.0, "name": "y"}),
    ("core-fra.rack1", {"x": 1.0, "it_load_kw": 5.0}),
    ("core-fra.pipe5", {"points": [(1.0, 1.0)], "start.port": "node"}),
    ("core-fra.bw1", {"path": [(0.0, 0.0), (1.0, 0.0)], "feeder.length_m": 12.0}),
    ("core-fra.col1", {"polygon": [(0, 0), (1, 0), (1, 1)]}),
    ("wl-agv", {"it_power_kw": 1.0}),
    ("src-agv", {"location.lon": 1.0}),
    ("link-a7-ks", {"hops": 9}),
])
def test_snapshot_is_independent_of_later_field_edits(doc, target, values):
    snap = doc.snapshot()
    frozen = dumps(snap)
    doc.apply(SetFields(target, values))
    assert dumps(doc.project) != frozen
    assert dumps(snap) == frozen


def test_snapshot_is_independent_of_structural_edits(doc):
    snap = doc.snapshot()
    frozen = dumps(snap)
    doc.apply(AddItem("rack", h.Rack(id="new", x=30.0, y=2.0), "core-fra", 0))
    doc.apply(RemoveItem("core-fra.rack5"))
    doc.apply(RemoveItem("core-fra.pdu1"))
    doc.apply(RemoveItem("wl-agv"))
    doc.apply(ops.delete_items(doc, ["ind-str"]))
    doc.apply(ops.move_items(doc, [loc.item.id for loc in iter_items(doc.project)], 1.0, 1.0))
    assert dumps(snap) == frozen


def test_snapshot_is_independent_of_undo(doc):
    inv = doc.apply(SetFields("core-fra.cdu2", {"pump.speed_fraction": 0.5}))
    snap = doc.snapshot()
    frozen = dumps(snap)
    doc.apply(inv)
    assert dumps(snap) == frozen
    assert snap.sites[0].hall.cdus[1].pump.speed_fraction == 0.5


def test_two_snapshots_do_not_share_what_edits_touch(doc):
    a = doc.snapshot()
    doc.apply(SetFields("core-fra.rack1", {"feed_b.phase": "L3"}))
    b = doc.snapshot()
    doc.apply(SetFields("core-fra.rack1", {"feed_b.phase": "L1"}))
    assert a.sites[0].hall.racks[0].feed_b.phase == "3P"
    assert b.sites[0].hall.racks[0].feed_b.phase == "L3"
    assert doc.project.sites[0].hall.racks[0].feed_b.phase == "L1"


def test_snapshot_lists_are_its_own(doc):
    snap = doc.snapshot()
    live, copy = doc.project.sites[0].hall, snap.sites[0].hall
    for name in ("racks", "modules", "cdus", "pipes", "junctions", "air_units", "obstructions", "containments"):
        assert getattr(live, name) is not getattr(copy, name), name
    for name in ("pdus", "ups", "busways", "taps", "sources", "transformers", "switchboards"):
        assert getattr(live.power, name) is not getattr(copy.power, name), name
    for name in ("sites", "workloads", "data_sources", "links"):
        assert getattr(doc.project, name) is not getattr(snap, name), name


FIELD_EDITS = st.sampled_from([
    ("rack", "feed_a.phase", st.sampled_from(["L1", "L2", "L3", "3P"])),
    ("rack", "feed_b.breaker_a", st.floats(1, 400)),
    ("rack", "x", st.floats(-10, 40)),
    ("rack", "liquid_fraction", st.floats(0, 1)),
    ("cdu", "pump.count", st.integers(1, 6)),
    ("cdu", "pump.speed_fraction", st.floats(0.1, 1.2)),
    ("pdu", "feeder.length_m", st.floats(0, 100)),
    ("site", "hall.grid.snap_m", st.floats(0, 1)),
    ("site", "hall.power.scheme", st.sampled_from(["N", "N+1", "2N", "DR", "block"])),
    ("site", "hall.height_m", st.floats(2.5, 6)),
    ("site", "location.lat", st.floats(-90, 90)),
    ("project", "settings.units", st.sampled_from(["SI", "US"])),
    ("project", "settings.fibre_us_per_km", st.floats(1, 10)),
])


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_random_edits_after_a_snapshot_never_reach_it(sample_project, data):
    doc = Document(sample_project.model_copy(deep=True))
    snap = doc.snapshot()
    frozen = dumps(snap)
    by_kind: dict[str, list[str]] = {}
    for loc in iter_items(doc.project):
        by_kind.setdefault(loc.kind, []).append(loc.item.id)
    for _ in range(data.draw(st.integers(1, 8))):
        kind, path, values = data.draw(FIELD_EDITS)
        target = None if kind == "project" else data.draw(st.sampled_from(by_kind[kind]))
        if kind == "rack" and path.startswith("feed_") and getattr(doc.item(target), path[:6]) is None:
            continue
        doc.apply(SetFields(target, {path: data.draw(values)}))
    assert dumps(snap) == frozen
