"""The equipment catalog: what ships, the user catalog folder, and placing entries."""

from __future__ import annotations

import json

import pytest

from designer.io.catalog_store import load_catalog, shipped_catalog, user_catalog_dir
from designer.io.errors import LoadError
from designer.model import catalog as c
from designer.model import hall as h
from designer.model import power as p
from designer.model.factory import instantiate
from designer.model.validate import check_fields


@pytest.fixture(scope="module")
def shipped() -> c.CatalogData:
    return shipped_catalog()


def _write_user(name: str, data) -> None:
    folder = user_catalog_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if isinstance(data, bytes):
        path.write_bytes(data)
    elif isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_text(json.dumps(data), encoding="utf-8")


# -- what ships ----------------------------------------------------------------------------------
def test_at_least_six_module_types(shipped):
    assert len(shipped.modules) >= 6
    forms = {m.form_factor for m in shipped.modules}
    assert {"room", "skid"} <= forms and forms & {"container_20ft", "container_40ft"}
    # a ~1 MW liquid AI module, a 300-500 kW enterprise module, a 50-100 kW micro-module
    assert any(900 <= m.it_capacity_kw <= 1200 and m.cooling == "liquid" for m in shipped.modules)
    assert any(300 <= m.it_capacity_kw <= 500 for m in shipped.modules)
    assert any(50 <= m.it_capacity_kw <= 100 for m in shipped.modules)
    # a power skid and a CDU skid carry no IT
    assert sum(m.it_capacity_kw == 0 for m in shipped.modules) >= 2


def test_rack_types_span_air_hybrid_and_direct_liquid(shipped):
    racks = shipped.racks
    assert len(racks) >= 4
    air = [r for r in racks if r.liquid_fraction == 0 and 10 <= r.max_kw <= 20]
    hybrid = [r for r in racks if 0 < r.liquid_fraction < 1 and 40 <= r.max_kw <= 60]
    dlc = [r for r in racks if r.liquid_fraction >= 0.75 and 120 <= r.max_kw <= 140]
    assert air and hybrid and dlc
    for r in racks:
        assert 0 < r.it_load_kw <= r.max_kw, r.model
        if r.liquid_fraction > 0:
            assert r.cold_plate_dp_kpa > 0 and r.cold_plate_rated_flow_lpm > 0, r.model


def test_cdus_in_row_and_facility_with_pump_curves(shipped):
    kinds = {x.kind for x in shipped.cdus}
    assert kinds == {"inrow", "facility"}
    for cdu in shipped.cdus:
        flows = [q for q, _ in cdu.pump_curve]
        heads = [hd for _, hd in cdu.pump_curve]
        assert len(cdu.pump_curve) >= 3, cdu.model
        assert flows[0] == 0 and all(b > a for a, b in zip(flows, flows[1:], strict=False)), cdu.model
        assert all(b < a for a, b in zip(heads, heads[1:], strict=False)) and heads[-1] > 0, cdu.model
        assert 0 < cdu.approach_k <= 10, cdu.model
        assert 0 <= cdu.pump_redundant < cdu.pump_count, cdu.model
        # the pumps (less standby) deliver the rated flow on their curve
        assert flows[-1] * (cdu.pump_count - cdu.pump_redundant) >= cdu.rated_flow_lpm, cdu.model


def test_air_units_crah_and_in_row(shipped):
    kinds = {a.kind for a in shipped.air_units}
    assert {"crah", "inrow"} <= kinds
    for a in shipped.air_units:
        # sensible heat: airflow of a unit carries its capacity at a 8-20 K rise
        dt = a.capacity_kw / (1.2 * 1.006 * a.airflow_m3s)
        assert 8 <= dt <= 20, (a.model, dt)


def test_power_equipment_present(shipped):
    assert shipped.ups and shipped.busways and shipped.transformers
    assert {x.kind for x in shipped.pdus} == {"pdu", "rpp"}
    for u in shipped.ups:
        assert 0 <= u.redundant_modules < u.module_count
        assert 0.9 <= u.efficiency < 1


def test_every_entry_has_a_footprint_and_weight(shipped):
    for _cat, entry in c.Catalog(shipped).all_entries():
        assert entry.width_m > 0 and entry.depth_m > 0 and entry.height_m > 0, entry.model
        assert entry.weight_kg > 0, entry.model
        assert entry.name and entry.description, entry.model


def test_models_are_unique_across_categories(shipped):
    models = [e.model for cat in c.CATEGORIES for e in getattr(shipped, cat)]
    assert len(models) == len(set(models))


def test_placed_entries_pass_validation_rules(shipped):
    for _cat, entry in c.Catalog(shipped).all_entries():
        item = instantiate(entry, "t-1", 5.0, 5.0)
        assert check_fields(item, "x") == [], entry.model


# -- instantiate -------------------------------------------------------------------------------
_RENAMED = {"model": "catalog_model"}
_NOT_COPIED = {"name", "maker", "description", "connections"}
"""(a module's connections name its contents: place_module copies them with the new ids)"""


@pytest.mark.parametrize("cat", list(c.CATEGORIES))
def test_instantiate_copies_every_value_the_item_can_hold(shipped, cat):
    for entry in getattr(shipped, cat):
        item = instantiate(entry, "new-1", 3.5, -2.0, 90.0, name="Mine")
        assert item.id == "new-1" and item.name == "Mine"
        assert item.catalog_model == entry.model
        common = (set(type(entry).model_fields) & set(type(item).model_fields)) - _NOT_COPIED
        for f in common:
            if getattr(entry, f) is None and f in ("discharge", "intake"):
                continue  # resolved by kind (a rear door has neither)
            assert getattr(item, f) == getattr(entry, f), (entry.model, f)
        if isinstance(item, (h.Module, h.Rack, h.Cdu, h.AirUnit, p.Ups, p.Pdu, p.Transformer, p.Switchboard)):
            assert (item.x, item.y, item.rotation_deg) == (3.5, -2.0, 90.0)
        if isinstance(item, h.Cdu):
            assert item.pump.curve == list(entry.pump_curve)
            assert (item.pump.count, item.pump.redundant) == (entry.pump_count, entry.pump_redundant)
        if isinstance(item, p.Busway):
            assert item.path == [(3.5, -2.0), (7.5, -2.0)]


def test_instantiate_name_defaults_to_id(shipped):
    assert instantiate(shipped.racks[0], "rack-9").name == "rack-9"


def test_instantiated_item_is_independent_of_the_entry(shipped):
    entry = shipped.cdus[0]
    curve = list(entry.pump_curve)
    item = instantiate(entry, "cdu-x")
    item.pump.curve.append((9999.0, 1.0))
    item.pump.count = 7
    assert entry.pump_curve == curve and entry.pump_count != 7


def test_instantiate_refuses_an_unknown_entry_type():
    class Odd(c.CatalogEntry):
        pass

    with pytest.raises(TypeError):
        instantiate(Odd(model="odd", name="Odd", width_m=1, depth_m=1), "x")


# -- user catalog --------------------------------------------------------------------------------
def test_no_user_folder_is_fine(shipped):
    cat, errors = load_catalog()
    assert errors == []
    assert len(cat) == sum(len(getattr(shipped, k)) for k in c.CATEGORIES)


def test_user_catalog_extends_and_overrides(shipped):
    base = next(r for r in shipped.racks if r.model == "RK-AIR-15")
    override = base.model_dump(mode="json") | {"it_load_kw": 14.0, "weight_kg": 950.0, "maker": "Me"}
    new_rack = {"model": "RK-USER-20", "name": "User rack 20 kW", "width_m": 0.6, "depth_m": 1.2,
                "weight_kg": 1000.0, "it_load_kw": 18.0, "max_kw": 20.0}
    _write_user("10-mine.json", {"$comment": "ours", "catalog_version": 1,
                                 "racks": [override, new_rack]})
    cat, errors = load_catalog()
    assert errors == []
    assert cat.get("RK-USER-20").it_load_kw == 18.0
    assert cat.category_of("RK-USER-20") == "racks"
    got = cat.get("RK-AIR-15")
    assert (got.it_load_kw, got.weight_kg, got.maker) == (14.0, 950.0, "Me")
    racks = cat.entries("racks")
    assert len(racks) == len(shipped.racks) + 1
    assert [r for r in racks if r.model == "RK-AIR-15"] == [got]
    # the shipped catalog itself is untouched
    assert next(r for r in shipped_catalog().racks if r.model == "RK-AIR-15").it_load_kw == base.it_load_kw


def test_user_files_apply_in_name_order_and_the_project_last(sample):
    entry = {"model": "RK-LAYER", "name": "layer", "width_m": 0.6, "depth_m": 1.2, "weight_kg": 1.0}
    _write_user("20-second.json", {"racks": [entry | {"name": "second"}]})
    _write_user("10-first.json", {"racks": [entry | {"name": "first"}]})
    cat, _ = load_catalog()
    assert cat.get("RK-LAYER").name == "second"
    sample.catalog = c.CatalogData(racks=[c.RackType(**(entry | {"name": "project"}))])
    cat, _ = load_catalog(sample)
    assert cat.get("RK-LAYER").name == "project"


def test_override_in_another_category_replaces_the_entry(shipped):
    """A user entry with a shipped model name but another category replaces it everywhere."""
    _write_user("x.json", {"modules": [{"model": "RK-AIR-15", "name": "now a module", "width_m": 2.0,
                                        "depth_m": 2.0, "weight_kg": 10.0}]})
    cat, errors = load_catalog()
    assert errors == []
    assert cat.category_of("RK-AIR-15") == "modules"
    assert "RK-AIR-15" not in [r.model for r in cat.entries("racks")]
    assert [e.model for _, e in cat.all_entries()].count("RK-AIR-15") == 1


@pytest.mark.parametrize("content", [
    "{ not json",
    {"racks": [{"model": "R", "name": "no size"}]},
    {"racks": "all of them"},
    {"gadgets": []},
    [1, 2, 3],
    "",
    "München".encode("latin-1"),
    b"\xff\xfe{\x00}\x00",
])
def test_broken_user_file_is_reported_not_fatal(shipped, content):
    _write_user("00-broken.json", content)
    _write_user("50-good.json", {"racks": [{"model": "RK-GOOD", "name": "good", "width_m": 0.6,
                                            "depth_m": 1.2, "weight_kg": 900.0}]})
    cat, errors = load_catalog()
    assert len(errors) == 1
    err = errors[0]
    assert isinstance(err, LoadError)
    assert "00-broken.json" in err.source
    assert err.problems and all(pr.fix for pr in err.problems)
    assert "RK-GOOD" in cat  # the good file still counts
    assert "RK-AIR-15" in cat  # and the shipped catalog


def test_unreadable_user_file_is_reported(monkeypatch):
    _write_user("a.json", {})
    (user_catalog_dir() / "b.json").mkdir()  # a folder named like a catalog file
    cat, errors = load_catalog()
    assert [e.source.endswith("b.json") for e in errors] == [True]
    assert "RK-AIR-15" in cat


def test_only_json_files_count():
    _write_user("notes.txt", "not a catalog")
    cat, errors = load_catalog()
    assert errors == []
