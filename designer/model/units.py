"""Units for display: which quantity a field holds (from its name) and SI / US conversion.

Files and solvers stay SI; only the display converts. A field's unit comes from its
name suffix (``it_load_kw`` -> kW), the convention of the whole document.

US customary display follows US data-centre practice, not a blanket conversion: IT and
electrical loads stay in kW (nobody sizes a rack in BTU/h), while the cooling capacity of
air units, facility water plant and modules is in refrigeration tons.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    symbol: str
    scale: float = 1.0
    offset: float = 0.0
    """display = value * scale + offset"""
    decimals: int = 2

    def to_display(self, v: float) -> float:
        return v * self.scale + self.offset

    def from_display(self, v: float) -> float:
        return (v - self.offset) / self.scale


# whole field names whose suffix would mislead: loss and valve coefficients are not
# temperature differences, a feed split is not a current, a delay per km is not a length
_NAMES: dict[str, str | None] = {
    "minor_k": None, "valve_k": None, "feed_split_a": None, "x_r_ratio": None,
    "fibre_us_per_km": "delay_per_km", "backhaul_cost_per_gbps_km": None,
    "roughness_m": "roughness",
}

# suffix -> quantity; the first match wins, so longer suffixes come before their tails
_SUFFIX: list[tuple[str, str]] = [
    ("_ohm_per_km", "impedance_per_km"),
    ("_m3s", "airflow"), ("_lpm", "liquid_flow"), ("_kw", "power"), ("_kva", "apparent_power"),
    ("_kpa", "pressure"), ("_kg_m2", "floor_load"), ("_kg", "mass"), ("_mps", "velocity"),
    ("_c", "temperature"), ("_k", "temp_diff"), ("_deg", "angle"), ("_mm", "small_length"),
    ("_km", "long_length"), ("_m", "length"), ("_v", "voltage"), ("_a", "current"),
    ("_pct", "percent"), ("_ms", "time_ms"), ("_us", "time_us"), ("_gbps", "data_rate"),
    ("_min", "minutes"),
]

SI: dict[str, Unit] = {
    "airflow": Unit("m³/s", decimals=3), "liquid_flow": Unit("L/min", decimals=1),
    "power": Unit("kW", decimals=1), "apparent_power": Unit("kVA", decimals=1),
    "pressure": Unit("kPa", decimals=1), "floor_load": Unit("kg/m²", decimals=0),
    "mass": Unit("kg", decimals=0), "velocity": Unit("m/s", decimals=2),
    "temperature": Unit("°C", decimals=1), "temp_diff": Unit("K", decimals=1),
    "angle": Unit("°", decimals=1), "small_length": Unit("mm", decimals=1),
    "long_length": Unit("km", decimals=1), "length": Unit("m", decimals=3),
    "voltage": Unit("V", decimals=0), "current": Unit("A", decimals=0), "percent": Unit("%", decimals=1),
    "time_ms": Unit("ms", decimals=2), "time_us": Unit("µs", decimals=1),
    "data_rate": Unit("Gb/s", decimals=2), "minutes": Unit("min", decimals=1),
    "impedance_per_km": Unit("Ω/km", decimals=4), "delay_per_km": Unit("µs/km", decimals=2),
    "roughness": Unit("mm", 1000.0, decimals=4), "cooling": Unit("kW", decimals=1),
}

US: dict[str, Unit] = {
    **SI,
    "airflow": Unit("CFM", 2118.88, decimals=0), "liquid_flow": Unit("gpm", 0.264172, decimals=1),
    "pressure": Unit("psi", 0.145038, decimals=2), "cooling": Unit("tons", 0.284345, decimals=1),
    "floor_load": Unit("lb/ft²", 0.204816, decimals=1), "mass": Unit("lb", 2.20462, decimals=0),
    "velocity": Unit("ft/s", 3.28084, decimals=2), "temperature": Unit("°F", 1.8, 32.0, decimals=1),
    "temp_diff": Unit("°F", 1.8, decimals=1), "small_length": Unit("in", 1 / 25.4, decimals=2),
    "long_length": Unit("mi", 0.621371, decimals=2), "length": Unit("ft", 3.28084, decimals=2),
    "impedance_per_km": Unit("Ω/mi", 1.609344, decimals=4), "delay_per_km": Unit("µs/mi", 1.609344, decimals=2),
    "roughness": Unit("in", 1 / 0.0254, decimals=6),
}

TONS_PER_KW = 0.284345
"""Refrigeration tons per kW, for cooling capacities in US display."""


def quantity_of(field_name: str) -> str | None:
    """The quantity a field holds, from its name (None: a plain number)."""
    if field_name in ("x", "y", "offset"):
        return "length"
    if field_name in _NAMES:
        return _NAMES[field_name]
    for suffix, q in _SUFFIX:
        if field_name.endswith(suffix):
            return q
    return None


COOLING_FIELDS = {("air_unit", "capacity_kw"), ("water_supply", "capacity_kw"), ("module", "cooling_capacity_kw")}
"""(item kind, field) whose kW are a cooling capacity: tons of refrigeration in US display."""


def unit_for(field_name: str, system: str = "SI", kind: str | None = None) -> Unit | None:
    """The display unit of a field; ``kind`` (the item kind, "air_unit") tells the cooling
    capacities, shown in tons in US units, from other powers."""
    if (kind, field_name) in COOLING_FIELDS:
        return (US if system == "US" else SI)["cooling"]
    q = quantity_of(field_name)
    if q is None:
        return None
    return (US if system == "US" else SI)[q]


def unit_of_quantity(quantity: str, system: str = "SI") -> Unit:
    return (US if system == "US" else SI)[quantity]


def fmt(value: float | None, quantity: str, system: str = "SI", decimals: int | None = None) -> str:
    """``12.5 kW`` or ``68.0 °F``: a value in display units with its symbol."""
    if value is None:
        return "-"
    if not math.isfinite(value):
        return "n/a"
    u = unit_of_quantity(quantity, system)
    d = u.decimals if decimals is None else decimals
    return f"{u.to_display(value):,.{d}f} {u.symbol}"
