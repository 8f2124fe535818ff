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


# -- ampacity by standard and installation method (the power analysis checks feeders) ----------
IEC = "IEC 60364-5-52"
NEC = "NEC 310.16"
STANDARDS = (IEC, NEC)

IEC_XLPE_3_A: dict[str, dict[float, float]] = {
    "B1": {1.5: 17, 2.5: 23, 4: 31, 6: 40, 10: 54, 16: 73, 25: 95, 35: 117, 50: 141, 70: 179, 95: 216, 120: 249,
           150: 285, 185: 324, 240: 380, 300: 435},
    "C": {1.5: 22, 2.5: 30, 4: 40, 6: 51, 10: 70, 16: 94, 25: 119, 35: 148, 50: 180, 70: 232, 95: 282, 120: 328,
          150: 379, 185: 434, 240: 514, 300: 593},
    "D1": {1.5: 19, 2.5: 24, 4: 31, 6: 39, 10: 52, 16: 67, 25: 86, 35: 103, 50: 122, 70: 151, 95: 179, 120: 203,
           150: 230, 185: 258, 240: 297, 300: 336},
    "E": dict(AMPACITY_XLPE_E_A),
    "F": {25: 141, 35: 176, 50: 216, 70: 279, 95: 342, 120: 400, 150: 464, 185: 533, 240: 634, 300: 736, 400: 868,
          500: 998, 630: 1151},
}
"""IEC 60364-5-52, copper, XLPE (90 degC), three loaded conductors, 30 degC air / 20 degC
ground (A): methods B1 (insulated conductors in conduit on a wall), C (clipped direct) and D1
(in ducts in the ground) from table B.52.5, E (multicore in free air / on a perforated tray)
from B.52.12, F (single-core cables touching, trefoil, in free air) from B.52.13."""

IEC_BUNCHED: tuple[tuple[int, float], ...] = ((1, 1.00), (2, 0.80), (3, 0.70), (4, 0.65), (5, 0.60), (6, 0.57),
                                              (7, 0.54), (8, 0.52), (9, 0.50), (12, 0.45), (16, 0.41), (20, 0.38))
"""IEC 60364-5-52 table B.52.17, item 1 (bunched, on a surface, embedded or enclosed): grouping
factors for methods B1, C and D1 (circuits, factor)."""

NEC_CU_75C_A: dict[float, float] = {
    2.08: 20, 3.31: 25, 5.26: 35, 8.37: 50, 13.3: 65, 21.2: 85, 26.7: 100, 33.6: 115, 42.4: 130, 53.5: 150,
    67.4: 175, 85.0: 200, 107.2: 230, 126.7: 255, 152.0: 285, 177.3: 310, 202.7: 335, 253.4: 380, 304.0: 420,
    354.7: 460, 380.0: 475, 405.4: 490, 456.0: 520, 506.7: 545,
}
"""NEC Table 310.16, copper, 75 degC column (the usual termination rating), not more than three
current-carrying conductors in a raceway or cable, 30 degC ambient (A), keyed by the
conductor area in mm2 (14 AWG ... 1000 kcmil)."""
NEC_NAMES = {2.08: "14 AWG", 3.31: "12 AWG", 5.26: "10 AWG", 8.37: "8 AWG", 13.3: "6 AWG", 21.2: "4 AWG",
             26.7: "3 AWG", 33.6: "2 AWG", 42.4: "1 AWG", 53.5: "1/0 AWG", 67.4: "2/0 AWG", 85.0: "3/0 AWG",
             107.2: "4/0 AWG", 126.7: "250 kcmil", 152.0: "300 kcmil", 177.3: "350 kcmil", 202.7: "400 kcmil",
             253.4: "500 kcmil", 304.0: "600 kcmil", 354.7: "700 kcmil", 380.0: "750 kcmil", 405.4: "800 kcmil",
             456.0: "900 kcmil", 506.7: "1000 kcmil"}
NEC_MAX_SET_MM2 = 253.4
"""Parallel runs of 500 kcmil are the usual largest per set."""

R20_CU_OHM_PER_KM: dict[float, float] = {
    1.5: 12.1, 2.5: 7.41, 4: 4.61, 6: 3.08, 10: 1.83, 16: 1.15, 25: 0.727, 35: 0.524, 50: 0.387, 70: 0.268,
    95: 0.193, 120: 0.153, 150: 0.124, 185: 0.0991, 240: 0.0754, 300: 0.0601, 400: 0.047, 500: 0.0366, 630: 0.0283,
}
"""IEC 60228 class 2 copper, largest DC resistance at 20 degC (ohm/km)."""


def infer_mm2(r_ohm_per_km: float) -> float:
    """The standard copper size whose resistance (IEC 60228 at 20 degC, or at 90 degC as
    :func:`r_ohm_per_km` gives it) is nearest to ``r_ohm_per_km`` (on a log scale)."""
    if not (r_ohm_per_km > 0 and math.isfinite(r_ohm_per_km)):
        return 630.0 if r_ohm_per_km == 0 else 1.5
    best, err = 1.5, math.inf
    for mm2, r20 in R20_CU_OHM_PER_KM.items():
        for r in (r20, RHO_CU_90C_OHM_MM2_PER_KM / mm2):
            e = abs(math.log(r_ohm_per_km / r))
            if e < err:
                best, err = mm2, e
    return best


def _table(standard: str, method: str) -> dict[float, float]:
    if standard == NEC:
        return NEC_CU_75C_A
    return IEC_XLPE_3_A.get(method, IEC_XLPE_3_A["E"])


def default_grouping(standard: str, method: str, sets: int) -> float:
    """Grouping factor of ``sets`` parallel sets of one circuit laid together: IEC tables
    B.52.20 (methods E and F, one tray, touching) or B.52.17 (B1, C, D1); NEC: parallel sets
    in their own raceways (1.0)."""
    if standard == NEC:
        return 1.0
    if method in ("E", "F"):
        return grouping_factor(sets)
    f = 0.38
    for n, k in IEC_BUNCHED:
        if sets <= n:
            return k
    return f


def cable_ampacity_a(mm2: float, sets: int = 1, standard: str = IEC, method: str = "E",
                     grouping: float | None = None, ambient_c: float = 30.0) -> float:
    """Derated current-carrying capacity of ``sets`` parallel cables of ``mm2`` (A, all sets):
    the table value of the size at or below ``mm2`` (a size between two standard ones counts
    as the smaller), times the grouping factor (given, or :func:`default_grouping`) and, for
    IEC in air, the ambient factor (NEC 310.15(B) is close to the same for 75 degC)."""
    tab = _table(standard, method)
    sizes = sorted(tab)
    fit = [s for s in sizes if s <= mm2 * 1.0001]
    base = tab[fit[-1]] if fit else tab[sizes[0]] * mm2 / sizes[0]
    sets = max(int(sets), 1)
    g = default_grouping(standard, method, sets) if grouping is None else grouping
    amb = ambient_factor(ambient_c) if method != "D1" else 1.0
    return base * sets * g * amb


def size_name(mm2: float, standard: str = IEC) -> str:
    if standard == NEC and mm2 in NEC_NAMES:
        return NEC_NAMES[mm2]
    return f"{mm2:g} mm2"


def choose_cable(current_a: float, length_m: float, voltage_v: float, standard: str = IEC, method: str = "E",
                 grouping: float | None = None, ambient_c: float = 30.0, power_factor: float = 0.95,
                 max_drop_pct: float = FEEDER_DROP_PCT) -> CableChoice:
    """The fewest parallel sets, then the smallest size, of ``standard`` / ``method`` that carry
    ``current_a`` continuously (at 80 %) with at most ``max_drop_pct`` drop (like :func:`size_cable`,
    for any table). A given ``grouping`` factor applies whatever the number of sets."""
    tab = _table(standard, method)
    cap_mm2 = NEC_MAX_SET_MM2 if standard == NEC else MAX_SET_MM2
    sizes = [s for s in sorted(tab) if s <= cap_mm2]
    need = current_a / CONTINUOUS_FACTOR
    top = tab[sizes[-1]] * ambient_factor(ambient_c) * (1.0 if grouping is None else max(grouping, 1.0))
    first = min(max(int(need // top) if math.isfinite(need) and top > 0 else MAX_SETS, 1), MAX_SETS)
    for sets in range(first, MAX_SETS + 1):  # fewer sets than ``first`` cannot carry it
        for mm2 in sizes:
            cap = cable_ampacity_a(mm2, sets, standard, method, grouping, ambient_c)
            dp = drop_pct(current_a, length_m, voltage_v, mm2, sets, power_factor)
            if cap >= need and dp <= max_drop_pct:
                return CableChoice(mm2, sets, current_a, cap, dp, r_ohm_per_km(mm2), CABLE_X_OHM_PER_KM, True)
    mm2 = sizes[-1]
    return CableChoice(mm2, MAX_SETS, current_a, cable_ampacity_a(mm2, MAX_SETS, standard, method, grouping, ambient_c),
                       drop_pct(current_a, length_m, voltage_v, mm2, MAX_SETS, power_factor),
                       r_ohm_per_km(mm2), CABLE_X_OHM_PER_KM, False)
