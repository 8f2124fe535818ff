"""Catalog of pre-engineered equipment: entry types and the merged lookup.

Entries carry what a spec sheet lists. When an entry is placed, its values are copied
into the new item (see :mod:`designer.model.factory`), so a project file is self-contained:
solvers never consult the catalog, and a catalog edit never silently changes a design.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from designer.model import hall as h
from designer.model import power as p
from designer.model.base import DModel, Id
from designer.model.hall import CoolingType, Fluid

TEMPLATE_FORMAT = 1
"""Version of a module template file (``{"template_format": 1, "module": {...}}``)."""


class CatalogEntry(DModel):
    model: Id
    name: str
    maker: str = "Generic"
    description: str = ""
    width_m: float
    depth_m: float
    height_m: float = 2.0
    weight_kg: float = 0.0
    clearance_front_m: float = 0.0
    clearance_rear_m: float = 0.0
    clearance_side_m: float = 0.0


class ModuleContents(DModel):
    """What a module template places: hall items in the module's own frame (metres from its
    centre, front = +y). Ids are local to the template; references between contents use
    them, and placing the module gives every item a fresh id. An element's ``upstream_id``
    of None is fed through a ``power_in`` connection; a CDU's ``facility_id`` is set through
    a water connection."""

    racks: list[h.Rack] = Field(default_factory=list)
    air_units: list[h.AirUnit] = Field(default_factory=list)
    cdus: list[h.Cdu] = Field(default_factory=list)
    junctions: list[h.Junction] = Field(default_factory=list)
    pipes: list[h.Pipe] = Field(default_factory=list)
    containments: list[h.Containment] = Field(default_factory=list)
    floor_tiles: list[h.FloorTile] = Field(default_factory=list)
    ceiling_grilles: list[h.CeilingGrille] = Field(default_factory=list)
    transformers: list[p.Transformer] = Field(default_factory=list)
    switchboards: list[p.Switchboard] = Field(default_factory=list)
    ups: list[p.Ups] = Field(default_factory=list)
    pdus: list[p.Pdu] = Field(default_factory=list)
    busways: list[p.Busway] = Field(default_factory=list)
    taps: list[p.BuswayTap] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not any(getattr(self, f) for f in type(self).model_fields)


class ModuleType(CatalogEntry):
    form_factor: Literal["room", "container_20ft", "container_40ft", "skid", "enclosure"] = "room"
    it_capacity_kw: float = 0.0
    rack_positions: int = 0
    cooling: CoolingType = "air"
    cooling_capacity_kw: float = 0.0
    supply_voltage_v: float = 415.0
    supply_kva: float = 0.0
    ups_topology: str = ""
    redundancy: str = ""
    runtime_min: float = 0.0
    facility_water_supply_c: float | None = None
    facility_water_class: str = ""
    supply_temp_c: float | None = None
    return_temp_c: float | None = None
    pump_redundancy: str = ""
    structural: str = ""
    monitoring: list[str] = Field(default_factory=list)
    standards: list[str] = Field(default_factory=list)
    default_rack_model: str | None = None
    contents: ModuleContents = Field(default_factory=ModuleContents)
    """The assembly placed with the module (see :mod:`designer.document.assembly`)."""
    connections: list[h.ModuleConnection] = Field(default_factory=list)
    """Its connection points, in the module's frame, naming contents by their local ids."""


class RackType(CatalogEntry):
    height_u: int = 42
    it_load_kw: float = 10.0
    max_kw: float = 15.0
    accelerators: int = 0
    """Accelerators (GPUs) a rack of this model holds (copied to the rack placed)."""
    liquid_fraction: float = 0.0
    design_delta_t_air_k: float = 12.0
    design_delta_t_liquid_k: float = 10.0
    max_supply_temp_c: float = 40.0
    cold_plate_dp_kpa: float = 0.0
    cold_plate_rated_flow_lpm: float = 0.0
    power_factor: float = 0.95
    cord_phase: Literal["3P", "1P"] = "3P"
    cord_breaker_a: float = 32.0
    voltage_v: float = 415.0


class CduType(CatalogEntry):
    kind: Literal["inrow", "facility"] = "inrow"
    capacity_kw: float
    approach_k: float = 3.0
    rated_flow_lpm: float
    hx_dp_kpa: float = 40.0
    fluid: Fluid = "pg25"
    pump_curve: list[tuple[float, float]]
    """(flow L/min, head kPa) of one pump at full speed."""
    pump_count: int = 2
    pump_redundant: int = 1


class AirUnitType(CatalogEntry):
    kind: Literal["crah", "inrow", "rear_door"] = "crah"
    capacity_kw: float
    airflow_m3s: float
    supply_temp_c: float = 20.0
    discharge: Literal["front", "underfloor", "top"] | None = None
    """None: front for CRAHs and in-row coolers."""
    intake: Literal["top", "rear", "front", "ceiling_plenum"] | None = None
    """None: top for CRAHs, rear (the hot aisle) for in-row coolers."""


class UpsType(CatalogEntry):
    module_kw: float
    module_count: int
    redundant_modules: int = 1
    efficiency: float = 0.965
    runtime_min: float = 5.0
    voltage_v: float = 415.0


class PduType(CatalogEntry):
    kind: Literal["pdu", "rpp"] = "pdu"
    rating_kva: float
    breaker_a: float
    voltage_v: float = 415.0
    has_transformer: bool = False
    efficiency: float = 0.99


class BuswayType(CatalogEntry):
    rating_a: float
    voltage_v: float = 415.0
    r_ohm_per_km: float = 0.06
    x_ohm_per_km: float = 0.03
    tap_breaker_a: float = 63.0


class TransformerType(CatalogEntry):
    rating_kva: float
    primary_v: float = 11000.0
    secondary_v: float = 415.0
    impedance_pct: float = 6.0
    x_r_ratio: float = 8.0
    no_load_loss_kw: float = 2.5
    load_loss_kw: float = 20.0


class SwitchboardType(CatalogEntry):
    rating_a: float
    voltage_v: float = 415.0


class SourceType(CatalogEntry):
    """A utility point of supply or a generator set."""

    kind: Literal["utility", "generator"] = "utility"
    capacity_kva: float
    voltage_v: float = 11000.0


class WaterSupplyType(CatalogEntry):
    """Facility water / heat rejection: chiller plant, dry cooler, cooling tower, district."""

    kind: Literal["chiller", "dry_cooler", "cooling_tower", "district"] = "chiller"
    supply_temp_c: float
    capacity_kw: float
    design_delta_t_k: float = 6.0


CATEGORIES: dict[str, type[CatalogEntry]] = {
    "modules": ModuleType,
    "racks": RackType,
    "cdus": CduType,
    "air_units": AirUnitType,
    "ups": UpsType,
    "pdus": PduType,
    "busways": BuswayType,
    "transformers": TransformerType,
    "switchboards": SwitchboardType,
    "sources": SourceType,
    "water_supplies": WaterSupplyType,
}


class CatalogData(DModel):
    """Entries grouped by category, as stored in a catalog file or a project."""

    modules: list[ModuleType] = Field(default_factory=list)
    racks: list[RackType] = Field(default_factory=list)
    cdus: list[CduType] = Field(default_factory=list)
    air_units: list[AirUnitType] = Field(default_factory=list)
    ups: list[UpsType] = Field(default_factory=list)
    pdus: list[PduType] = Field(default_factory=list)
    busways: list[BuswayType] = Field(default_factory=list)
    transformers: list[TransformerType] = Field(default_factory=list)
    switchboards: list[SwitchboardType] = Field(default_factory=list)
    sources: list[SourceType] = Field(default_factory=list)
    water_supplies: list[WaterSupplyType] = Field(default_factory=list)


class Catalog:
    """Merged, read-only view of several :class:`CatalogData` layers.

    Later layers override earlier ones entry by entry (same ``model``).
    """

    def __init__(self, *layers: CatalogData) -> None:
        self._by_cat: dict[str, dict[str, CatalogEntry]] = {c: {} for c in CATEGORIES}
        self._category_of: dict[str, str] = {}
        for layer in layers:
            for cat in CATEGORIES:
                for entry in getattr(layer, cat):
                    before = self._category_of.get(entry.model)
                    if before is not None and before != cat:  # overridden in another category
                        del self._by_cat[before][entry.model]
                    self._by_cat[cat][entry.model] = entry
                    self._category_of[entry.model] = cat

    def get(self, model: str) -> CatalogEntry | None:
        cat = self._category_of.get(model)
        return None if cat is None else self._by_cat[cat].get(model)

    def category_of(self, model: str) -> str | None:
        return self._category_of.get(model)

    def entries(self, category: str) -> list[CatalogEntry]:
        return list(self._by_cat[category].values())

    def all_entries(self) -> list[tuple[str, CatalogEntry]]:
        return [(c, e) for c in CATEGORIES for e in self._by_cat[c].values()]

    def __contains__(self, model: str) -> bool:
        return model in self._category_of

    def __len__(self) -> int:
        return len(self._category_of)
