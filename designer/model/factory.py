"""Make new items from catalog entries: the entry's values are copied into the item."""

from __future__ import annotations

from designer.model import catalog as c
from designer.model import hall as h
from designer.model import power as p
from designer.model.base import DModel


def instantiate(entry: c.CatalogEntry, item_id: str, x: float = 0.0, y: float = 0.0,
                rotation_deg: float = 0.0, name: str = "") -> DModel:
    """A new hall item built from ``entry`` at (x, y).

    Busways get a straight path along +x of the catalog length-free default (4 m)
    starting at (x, y); the editor lets the user draw it instead.
    """
    common = dict(id=item_id, name=name or item_id, catalog_model=entry.model,
                  width_m=entry.width_m, depth_m=entry.depth_m)
    pos = dict(x=x, y=y, rotation_deg=rotation_deg)
    if isinstance(entry, c.ModuleType):
        # the bare module; its contents and connections are placed by
        # designer.document.assembly, which knows how to give them fresh ids
        return h.Module(**common, **pos, height_m=entry.height_m, weight_kg=entry.weight_kg,
                        form_factor=entry.form_factor, it_capacity_kw=entry.it_capacity_kw,
                        cooling=entry.cooling, cooling_capacity_kw=entry.cooling_capacity_kw,
                        rack_positions=entry.rack_positions, redundancy=entry.redundancy)
    if isinstance(entry, c.RackType):
        return h.Rack(**common, **pos, height_u=entry.height_u, height_m=entry.height_m,
                      weight_kg=entry.weight_kg,
                      it_load_kw=entry.it_load_kw, accelerators=entry.accelerators,
                      power_factor=entry.power_factor,
                      liquid_fraction=entry.liquid_fraction,
                      design_delta_t_air_k=entry.design_delta_t_air_k,
                      design_delta_t_liquid_k=entry.design_delta_t_liquid_k,
                      max_supply_temp_c=entry.max_supply_temp_c,
                      cold_plate_dp_kpa=entry.cold_plate_dp_kpa,
                      cold_plate_rated_flow_lpm=entry.cold_plate_rated_flow_lpm,
                      clearance_front_m=entry.clearance_front_m,
                      clearance_rear_m=entry.clearance_rear_m)
    if isinstance(entry, c.CduType):
        return h.Cdu(**common, **pos, capacity_kw=entry.capacity_kw, approach_k=entry.approach_k,
                     hx_dp_kpa=entry.hx_dp_kpa, rated_flow_lpm=entry.rated_flow_lpm,
                     fluid=entry.fluid,
                     pump=h.Pump(curve=list(entry.pump_curve), count=entry.pump_count,
                                 redundant=entry.pump_redundant))
    if isinstance(entry, c.AirUnitType):
        return h.AirUnit(**common, **pos, kind=entry.kind, height_m=entry.height_m,
                         capacity_kw=entry.capacity_kw, airflow_m3s=entry.airflow_m3s,
                         supply_temp_c=entry.supply_temp_c, discharge=entry.discharge or "front",
                         intake=entry.intake or ("rear" if entry.kind == "inrow" else "top"))
    if isinstance(entry, c.UpsType):
        return p.Ups(**common, **pos, module_kw=entry.module_kw, module_count=entry.module_count,
                     redundant_modules=entry.redundant_modules, efficiency=entry.efficiency,
                     runtime_min=entry.runtime_min, voltage_v=entry.voltage_v)
    if isinstance(entry, c.PduType):
        return p.Pdu(**common, **pos, kind=entry.kind, rating_kva=entry.rating_kva,
                     breaker_a=entry.breaker_a, voltage_v=entry.voltage_v,
                     has_transformer=entry.has_transformer, efficiency=entry.efficiency)
    if isinstance(entry, c.TransformerType):
        return p.Transformer(**common, **pos, rating_kva=entry.rating_kva,
                             primary_v=entry.primary_v, secondary_v=entry.secondary_v,
                             impedance_pct=entry.impedance_pct, x_r_ratio=entry.x_r_ratio,
                             no_load_loss_kw=entry.no_load_loss_kw, load_loss_kw=entry.load_loss_kw)
    if isinstance(entry, c.SwitchboardType):
        return p.Switchboard(**common, **pos, rating_a=entry.rating_a, voltage_v=entry.voltage_v)
    if isinstance(entry, c.BuswayType):
        return p.Busway(id=item_id, name=name or item_id, catalog_model=entry.model,
                        path=[(x, y), (x + 4.0, y)], rating_a=entry.rating_a,
                        voltage_v=entry.voltage_v, r_ohm_per_km=entry.r_ohm_per_km,
                        x_ohm_per_km=entry.x_ohm_per_km)
    if isinstance(entry, c.SourceType):
        return p.PowerSource(**common, **pos, kind=entry.kind, capacity_kva=entry.capacity_kva,
                             voltage_v=entry.voltage_v)
    if isinstance(entry, c.WaterSupplyType):
        return h.WaterSupply(**common, **pos, kind=entry.kind, supply_temp_c=entry.supply_temp_c,
                             capacity_kw=entry.capacity_kw, design_delta_t_k=entry.design_delta_t_k)
    raise TypeError(f"cannot place a catalog entry of type {type(entry).__name__}")
