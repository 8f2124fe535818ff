"""Sizing helpers: pipe bores for a velocity limit, cables for ampacity and voltage drop.

Pure functions on numbers, shared by the connect step, the template generator and the
analyses (which check what these choose).

Pipes
-----
Nominal inner bores of copper / stainless pipe for liquid loops (:data:`PIPE_SIZES_M`);
:func:`pipe_bore_for` takes the smallest bore whose mean velocity at the design flow is at
or under the limit.

Cables
------
Copper multicore cables with XLPE insulation (90 degC conductor), three loaded conductors,
installed by IEC 60364-5-52 reference method E (multicore cable in free air, on a perforated
tray), ambient 30 degC: current-carrying capacities of table B.52.12. Parallel sets of one
feeder lie touching on one tray and are derated by the grouping factors of table B.52.20
(method E, one tray, touching); an ambient above 30 degC by table B.52.14 (XLPE). A feeder
is chosen as the fewest parallel sets of sizes up to 240 mm2 (larger cables are hard to
bend into switchgear), then the smallest size of that count, that

- carries the design current with the continuous-load rule (load <= 80 % of the derated
  capacity, a breaker and its cable at 125 % of the load), and
- keeps the three-phase voltage drop ``sqrt(3) I L (R cos phi + X sin phi)`` at or under the
  limit (3 % for a feeder), with R of copper at 90 degC and X of a multicore cable.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

PIPE_SIZES_M: tuple[float, ...] = (0.022, 0.028, 0.035, 0.042, 0.054, 0.067, 0.080, 0.105, 0.130, 0.155,
                                   0.205, 0.255, 0.305)
"""Nominal inner bores (m) of loop pipe."""

DESIGN_VELOCITY_MPS = 1.8
"""Velocity pipes are sized for: under the usual 2 m/s limit with room for balancing."""


def velocity_mps(flow_lpm: float, bore_m: float) -> float:
    """Mean velocity of ``flow_lpm`` in a pipe of inner bore ``bore_m``."""
    return abs(flow_lpm) / 60000.0 / (math.pi * bore_m * bore_m / 4.0)


def pipe_bore_for(flow_lpm: float, v_max: float = DESIGN_VELOCITY_MPS) -> float:
    """The smallest nominal bore that keeps the velocity at or under ``v_max`` m/s (the
    largest size when none does)."""
    for d in PIPE_SIZES_M:
        if velocity_mps(flow_lpm, d) <= v_max:
            return d
    return PIPE_SIZES_M[-1]


def water_flow_lpm(heat_kw: float, delta_t_k: float, cp_j_kgk: float = 4180.0, rho: float = 995.0) -> float:
    """Flow carrying ``heat_kw`` at a temperature rise of ``delta_t_k`` (water by default)."""
    if delta_t_k <= 0:
        return math.inf
    return heat_kw * 1000.0 / (rho * cp_j_kgk * delta_t_k) * 60000.0


# -- cables ----------------------------------------------------------------------------------
CABLE_SIZES_MM2: tuple[float, ...] = (2.5, 4, 6, 10, 16, 25, 35, 50, 70, 95, 120, 150, 185, 240, 300)

AMPACITY_XLPE_E_A: dict[float, float] = {
    2.5: 32, 4: 42, 6: 54, 10: 75, 16: 100, 25: 127, 35: 158, 50: 192, 70: 246, 95: 298,
    120: 346, 150: 399, 185: 456, 240: 538, 300: 621,
}
"""IEC 60364-5-52 table B.52.12, copper, XLPE, three loaded conductors, method E, 30 degC (A)."""

GROUPING_E_TRAY: tuple[tuple[int, float], ...] = ((1, 1.00), (2, 0.88), (3, 0.82), (4, 0.79), (6, 0.76),
                                                  (9, 0.73))
"""IEC 60364-5-52 table B.52.20, multicore cables touching on one perforated tray (method E):
(number of circuits, factor); more than 9 takes 0.72."""

AMBIENT_XLPE: tuple[tuple[float, float], ...] = ((10, 1.15), (15, 1.12), (20, 1.08), (25, 1.04), (30, 1.00),
                                               (35, 0.96), (40, 0.91), (45, 0.87), (50, 0.82), (55, 0.76),
                                               (60, 0.71))
"""IEC 60364-5-52 table B.52.14, XLPE, ambient air temperature (degC, factor)."""

RHO_CU_90C_OHM_MM2_PER_KM = 22.5
"""Copper at 90 degC: 17.24 at 20 degC times (1 + 0.00393 x 70), plus about 2 % for skin and
proximity effects at 50 Hz in the larger sizes."""
CABLE_X_OHM_PER_KM = 0.08
"""Reactance of a multicore cable, per conductor (typical 0.07-0.09 ohm/km)."""
CONTINUOUS_FACTOR = 0.8
"""A continuous load may use 80 % of the derated capacity."""
FEEDER_DROP_PCT = 3.0
MAX_SET_MM2 = 240.0
MAX_SETS = 16


def grouping_factor(circuits: int) -> float:
    """Derating of ``circuits`` multicore cables touching on one tray (table B.52.20)."""
    f = 0.72
    for n, k in GROUPING_E_TRAY:
        if circuits <= n:
            return k
    return f


def ambient_factor(ambient_c: float) -> float:
    """Derating for the ambient air temperature (table B.52.14, XLPE), interpolated."""
    pts = AMBIENT_XLPE
    if ambient_c <= pts[0][0]:
        return pts[0][1]
    for (t0, k0), (t1, k1) in zip(pts, pts[1:], strict=False):
        if ambient_c <= t1:
            return k0 + (k1 - k0) * (ambient_c - t0) / (t1 - t0)
    return pts[-1][1]


def ampacity_a(mm2: float, sets: int = 1, ambient_c: float = 30.0) -> float:
    """Derated current-carrying capacity of ``sets`` parallel cables of ``mm2`` (A, all sets)."""
    base = AMPACITY_XLPE_E_A.get(float(mm2))
    if base is None:
        raise ValueError(f"no standard size {mm2} mm2")
    return base * sets * grouping_factor(sets) * ambient_factor(ambient_c)


def r_ohm_per_km(mm2: float) -> float:
    return RHO_CU_90C_OHM_MM2_PER_KM / mm2


def drop_pct(current_a: float, length_m: float, voltage_v: float, mm2: float, sets: int = 1,
             power_factor: float = 0.95) -> float:
    """Three-phase voltage drop in % of ``voltage_v`` along ``sets`` parallel cables."""
    pf = min(max(power_factor, 0.0), 1.0)
    sin = math.sqrt(1.0 - pf * pf)
    z = (r_ohm_per_km(mm2) * pf + CABLE_X_OHM_PER_KM * sin) / sets
    return math.sqrt(3.0) * current_a * length_m / 1000.0 * z / voltage_v * 100.0


@dataclass(frozen=True)
class CableChoice:
    """A feeder sized for a load: ``sets`` parallel cables of ``mm2`` each."""

    mm2: float
    sets: int
    design_current_a: float
    ampacity_a: float
    """Derated capacity of all sets together."""
    drop_pct: float
    r_ohm_per_km: float
    """Per conductor of one set (the project's Cable stores it per set with ``parallel_sets``)."""
    x_ohm_per_km: float
    ok: bool
    """False when even :data:`MAX_SETS` sets of the largest size cannot meet both limits."""

    def describe(self) -> str:
        sets = f"{self.sets} x " if self.sets > 1 else ""
        return (f"{sets}{self.mm2:g} mm2 Cu/XLPE ({self.ampacity_a:.0f} A derated, "
                f"{self.design_current_a:.0f} A design, {self.drop_pct:.2f} % drop)")


def design_current_a(kw: float, voltage_v: float, power_factor: float = 0.95) -> float:
    """Line current of a balanced three-phase load."""
    return kw * 1000.0 / (math.sqrt(3.0) * voltage_v * max(power_factor, 0.05))


def size_cable(current_a: float, length_m: float, voltage_v: float, power_factor: float = 0.95,
               max_drop_pct: float = FEEDER_DROP_PCT, ambient_c: float = 30.0) -> CableChoice:
    """The feeder for ``current_a`` over ``length_m`` (see the module doc for the rules)."""
    sizes = [s for s in CABLE_SIZES_MM2 if s <= MAX_SET_MM2]
    need = current_a / CONTINUOUS_FACTOR
    for sets in range(1, MAX_SETS + 1):
        for mm2 in sizes:
            cap = ampacity_a(mm2, sets, ambient_c)
            dp = drop_pct(current_a, length_m, voltage_v, mm2, sets, power_factor)
            if cap >= need and dp <= max_drop_pct:
                return CableChoice(mm2, sets, current_a, cap, dp, r_ohm_per_km(mm2), CABLE_X_OHM_PER_KM, True)
    mm2 = sizes[-1]
    return CableChoice(mm2, MAX_SETS, current_a, ampacity_a(mm2, MAX_SETS, ambient_c),
                       drop_pct(current_a, length_m, voltage_v, mm2, MAX_SETS, power_factor),
                       r_ohm_per_km(mm2), CABLE_X_OHM_PER_KM, False)
