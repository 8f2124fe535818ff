"""Display units (designer/model/units.py): which quantity a field holds, and SI / US conversion."""

from __future__ import annotations

import pytest

from designer.model import catalog as c
from designer.model import hall as h
from designer.model import power as p
from designer.model import project as pr
from designer.model.registry import COLLECTIONS, iter_items
from designer.model.units import SI, US, fmt, quantity_of, unit_for


@pytest.mark.parametrize(("name", "quantity"), [
    ("it_load_kw", "power"), ("rating_kva", "apparent_power"), ("airflow_m3s", "airflow"),
    ("rated_flow_lpm", "liquid_flow"), ("hx_dp_kpa", "pressure"), ("floor_rating_kg_m2", "floor_load"),
    ("weight_kg", "mass"), ("supply_temp_c", "temperature"), ("approach_k", "temp_diff"),
    ("design_delta_t_air_k", "temp_diff"), ("rotation_deg", "angle"), ("route_km", "long_length"),
    ("width_m", "length"), ("x", "length"), ("voltage_v", "voltage"), ("breaker_a", "current"),
    ("impedance_pct", "percent"), ("latency_budget_ms", "time_ms"), ("per_hop_us", "time_us"),
    ("data_rate_gbps", "data_rate"), ("runtime_min", "minutes"), ("velocity_limit_mps", "velocity"),
    # names whose suffix alone would mislead
    ("r_ohm_per_km", "impedance_per_km"), ("x_ohm_per_km", "impedance_per_km"),
    ("minor_k", None), ("valve_k", None), ("feed_split_a", None), ("fibre_us_per_km", "delay_per_km"),
    ("backhaul_cost_per_gbps_km", None), ("roughness_m", "roughness"),
    ("liquid_fraction", None), ("power_factor", None), ("efficiency", None), ("hops", None),
])
def test_quantity_of_field_names(name, quantity):
    assert quantity_of(name) == quantity


def _numeric_fields():
    types = {col.type for col in COLLECTIONS} | {h.Feed, h.Pump, h.GridSettings, h.Hall, p.Cable, pr.Settings,
                                                 h.RaisedFloor, h.CeilingPlenum, pr.Project, *c.CATEGORIES.values()}
    names = set()
    for t in types:
        for name, f in t.model_fields.items():
            if any(k in str(f.annotation) for k in ("float", "int")) and "list" not in str(f.annotation):
                names.add(name)
    return sorted(names)


@pytest.mark.parametrize("name", _numeric_fields())
def test_every_numeric_field_has_a_sensible_unit(name):
    q = quantity_of(name)
    if q is None:
        return
    # a field's unit is one its name can carry: temperatures end in _c, differences in _k, ...
    expect = {"temperature": "_c", "temp_diff": "_k", "current": "_a", "long_length": "_km",
              "impedance_per_km": "_ohm_per_km", "delay_per_km": "_us_per_km"}
    if q in expect:
        assert name.endswith(expect[q]), (name, q)
    assert q in SI and q in US


@pytest.mark.parametrize("system", ["SI", "US"])
def test_display_round_trip(system):
    table = SI if system == "SI" else US
    for q, u in table.items():
        for v in (-12.5, 0.0, 1e-6, 3.3, 1234.5):
            assert u.from_display(u.to_display(v)) == pytest.approx(v, rel=1e-12, abs=1e-15), q


@pytest.mark.parametrize(("name", "si", "us"), [
    ("supply_temp_c", 20.0, 68.0),
    ("approach_k", 10.0, 18.0),
    ("it_load_kw", 100.0, 100.0),  # US practice: IT load in kW
    ("airflow_m3s", 1.0, 2118.88),
    ("rated_flow_lpm", 1000.0, 264.172),
    ("width_m", 1.0, 3.28084),
    ("route_km", 1.0, 0.621371),
    ("hx_dp_kpa", 100.0, 14.5038),
    ("weight_kg", 1000.0, 2204.62),
    ("floor_rating_kg_m2", 1000.0, 204.816),
    ("r_ohm_per_km", 0.1, 0.1609344),
    ("fibre_us_per_km", 4.9, 7.8858),
    ("roughness_m", 2.54e-5, 0.001),
])
def test_us_conversions(name, si, us):
    assert unit_for(name, "US").to_display(si) == pytest.approx(us, rel=1e-5)


def test_si_display_is_the_stored_value_except_small_lengths():
    for q, u in SI.items():
        if q in ("roughness", "small_length"):
            continue
        assert (u.scale, u.offset) == (1.0, 0.0), q
    assert unit_for("roughness_m").to_display(1.5e-6) == pytest.approx(0.0015)


def test_fmt():
    assert fmt(12.5, "power") == "12.5 kW"
    assert fmt(12.5, "power", "US") == "12.5 kW"  # US practice: loads in kW
    assert fmt(100.0, "cooling", "US") == "28.4 tons"  # cooling capacity in refrigeration tons
    assert unit_for("capacity_kw", "US", "air_unit").symbol == "tons"
    assert unit_for("capacity_kw", "US", "cdu").symbol == "kW"
    assert unit_for("it_load_kw", "US", "rack").symbol == "kW"
    assert fmt(None, "power") == "-"
    assert fmt(20.0, "temperature", "US") == "68.0 °F"


@pytest.mark.parametrize("system", ["SI", "US"])
def test_sample_values_do_not_display_as_zero(sample_project, system):
    """The properties panel shows decimals + 1 places: no real value may round to nothing."""
    checked = 0
    for loc in iter_items(sample_project):
        for name in type(loc.item).model_fields:
            v = getattr(loc.item, name)
            u = unit_for(name, system)
            if u is None or not isinstance(v, float) or v == 0:
                continue
            checked += 1
            assert round(u.to_display(v), u.decimals + 1) != 0, (loc.item.id, name, v)
    assert checked > 1000
