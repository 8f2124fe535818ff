"""The power chain: sources, transformers, switchboards, UPS, PDUs, busways, taps.

Every element but a source names its ``upstream_id``; the chain is a forest rooted at
sources. Racks join it through their ``feed_a`` / ``feed_b`` (see
:class:`designer.model.hall.Feed`), which name a PDU or a busway tap. Redundancy (2N,
distributed redundant) is expressed by topology: independent chains feeding A and B.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from designer.model.base import DModel, Id, Member, Placed, Point


class Cable(DModel):
    """A feeder from the upstream element. ``length_m`` None means: route on the plan."""

    length_m: float | None = None
    r_ohm_per_km: float = 0.0754
    """Per conductor, per km, at operating temperature (240 mm2 copper by default)."""
    x_ohm_per_km: float = 0.08
    parallel_sets: int = 1
    conductor_mm2: float | None = None
    """Cross-section of one conductor of one set when the cable was sized (copper, XLPE,
    see :mod:`designer.solvers.sizing`); None: not sized, r and x stand as given (the
    ampacity check then takes the standard size nearest to ``r_ohm_per_km``)."""
    installation_method: Literal["B1", "C", "D1", "E", "F"] = "E"
    """IEC 60364-5-52 reference method (E: multicore on a perforated tray or in free air; F:
    single-core cables touching in trefoil; C: clipped direct; B1: conductors in conduit; D1:
    in ducts in the ground). Ignored by NEC 310.16 (raceway)."""
    grouping_factor: float | None = None
    """Derating for other circuits laid with it; None: from the standard's table for the
    parallel sets of this feeder alone."""
    ambient_c: float = 30.0
    """Air temperature around it (degC)."""


class PowerSource(Placed):
    """A utility service (the point of supply) or a generator, placed on the site plan
    (usually outside the hall)."""

    kind: Literal["utility", "generator"] = "utility"
    width_m: float = 2.0
    depth_m: float = 1.2
    capacity_kva: float = 2500.0
    voltage_v: float = 11000.0
    voltage_setpoint_pu: float = 1.0
    """Voltage held at the point of supply, per unit of ``voltage_v``."""
    side: str = ""
    """Free label of the redundant path it belongs to ("A", "B", ...)."""


class PowerEquipment(Member, Placed):
    """Base of placed power equipment fed from ``upstream_id`` over ``feeder``."""

    upstream_id: Id | None = None
    alternate_upstream_id: Id | None = None
    """Fed from here when ``upstream_id`` is lost (automatic / static transfer switch)."""
    feeder: Cable = Field(default_factory=Cable)
    side: str = ""
    heat_to_air_kw: float = 0.0
    """Losses released into the hall's air (0 when the equipment stands elsewhere or is
    cooled separately); the air model adds them around the cabinet."""


class Transformer(PowerEquipment):
    width_m: float = 2.2
    depth_m: float = 1.6
    rating_kva: float = 2500.0
    primary_v: float = 11000.0
    secondary_v: float = 415.0
    impedance_pct: float = 6.0
    x_r_ratio: float = 8.0
    no_load_loss_kw: float = 2.5
    load_loss_kw: float = 20.0
    """Copper loss at rated load."""
    tap_pct: float = 0.0
    """Off-load tap position: the change of the secondary's no-load voltage, % of nominal
    (+2.5 raises the secondary by 2.5 %; usual taps are -5, -2.5, 0, +2.5, +5)."""


class Switchboard(PowerEquipment):
    width_m: float = 3.0
    depth_m: float = 0.8
    rating_a: float = 4000.0
    voltage_v: float = 415.0


class Ups(PowerEquipment):
    """A UPS system of identical modules; ``redundant_modules`` is the +1 of N+1."""

    width_m: float = 2.4
    depth_m: float = 0.9
    module_kw: float = 250.0
    module_count: int = 4
    redundant_modules: int = 1
    efficiency: float = 0.965
    power_factor: float = 1.0
    runtime_min: float = 5.0
    voltage_v: float = 415.0


class Pdu(PowerEquipment):
    """A PDU or remote power panel; racks' feeds name it directly."""

    kind: Literal["pdu", "rpp"] = "pdu"
    width_m: float = 0.8
    depth_m: float = 0.9
    rating_kva: float = 150.0
    breaker_a: float = 250.0
    voltage_v: float = 415.0
    has_transformer: bool = False
    efficiency: float = 0.99


class Busway(Member):
    """An overhead busway along the drawn path, fed at its first point."""

    id: Id
    name: str = ""
    catalog_model: str = ""
    upstream_id: Id | None = None
    alternate_upstream_id: Id | None = None
    feeder: Cable = Field(default_factory=Cable)
    side: str = ""
    path: list[Point] = Field(default_factory=list)
    rating_a: float = 800.0
    voltage_v: float = 415.0
    r_ohm_per_km: float = 0.06
    x_ohm_per_km: float = 0.03


class BuswayTap(Member):
    """A tap-off box on a busway, ``offset_m`` along its path from the feed end."""

    id: Id
    name: str = ""
    busway_id: Id
    offset_m: float = 0.0
    breaker_a: float = 63.0


class PowerChain(DModel):
    scheme: Literal["N", "N+1", "2N", "DR", "block"] = "2N"
    """The design intent; the power analysis checks what the topology really gives."""
    sources: list[PowerSource] = Field(default_factory=list)
    transformers: list[Transformer] = Field(default_factory=list)
    switchboards: list[Switchboard] = Field(default_factory=list)
    ups: list[Ups] = Field(default_factory=list)
    pdus: list[Pdu] = Field(default_factory=list)
    busways: list[Busway] = Field(default_factory=list)
    taps: list[BuswayTap] = Field(default_factory=list)
