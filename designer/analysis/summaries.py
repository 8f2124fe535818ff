"""The types of each analysis's ``summary`` (the headline numbers the app, the report and the
JSON export show).

The export's JSON Schema is generated from these and from the result dataclasses
(:mod:`designer.io.result_schema`); a test checks every analysis's summary against its
type, so a key added to a summary without adding it here fails, and so does one dropped.
Keys with spaces (the power summary's) use the functional ``TypedDict`` form. The schema
forbids keys not declared (see :func:`designer.io.result_schema.strict`).
"""

from __future__ import annotations

from typing_extensions import TypedDict  # pydantic reads only this one on Python 3.11


class GeometrySummary(TypedDict):
    errors: int
    warnings: int


class LiquidSummary(TypedDict):
    loops: int
    racks_on_liquid: int
    racks_short_of_flow: int
    racks_without_loop: int
    min_flow_ratio: float | None
    liquid_heat_kw: float
    cdu_load_kw: float
    max_velocity_mps: float
    primary_pipes: int
    max_primary_velocity_mps: float
    primary_side: str
    worst_cdu: str | None
    racks_short_with_one_pump_down: int
    racks_waiting_for_standby_pump: int
    converged: bool
    newton_iterations: int
    max_head_residual_m: float
    max_mass_residual_m3s: float
    max_energy_residual_w: float
    errors: int


class AirSiteSummary(TypedDict):
    max_inlet_c: float | None
    hottest_rack: str | None
    rci_hi_pct: float | None
    rci_lo_pct: float | None
    rti_pct: float | None
    heat_to_air_kw: float


AIR_SUMMARY_FIXED = {"model": str, "inlet_quantity": str}
"""The air summary's fixed keys; every other key is a site id -> :class:`AirSiteSummary`
or the text ``"not solved"``."""


class PowerSiteSummary(TypedDict):
    survives: bool
    worst: str


PowerSummary = TypedDict("PowerSummary", {
    "survives any single failure": str,
    "IT load kW": float,
    "source output kW": float,
    "losses kW": float,
    "failure scenarios": int,
    "sites": dict[str, PowerSiteSummary],
})


class PlacementSummary(TypedDict):
    status: str
    workloads_placed: int
    workloads_unplaced: int
    cost_per_month: float
    hosting_cost_per_month: float
    backhaul_cost_per_month: float
    smallest_margin_ms: float | None
    optimality_gap: float | None
    candidate_pairs: int
    solve_ms: float


SUMMARY_TYPES: dict[str, type] = {"geometry": GeometrySummary, "liquid": LiquidSummary,
                                  "power": PowerSummary, "placement": PlacementSummary}
"""Analysis name -> its summary type (air: see :data:`AIR_SUMMARY_FIXED`)."""
