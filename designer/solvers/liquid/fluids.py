"""Coolant properties as functions of temperature: water, PG25 and PG40.

Sources
-------
Water
    Density and isobaric specific heat from the IAPWS-95 formulation (Wagner and Pruss,
    J. Phys. Chem. Ref. Data 31, 387, 2002), dynamic viscosity from the IAPWS 2008
    formulation (Huber et al., J. Phys. Chem. Ref. Data 38, 101, 2009), both at
    101.325 kPa, tabulated every 5 K from 0 to 100 degC and interpolated with a cubic
    spline (viscosity on its logarithm). Interpolation error is below 0.01 %.
Propylene glycol - water (PG25 = 25 %, PG40 = 40 % glycol by mass)
    The polynomial correlations of Melinder (2010), *Properties of Secondary Working
    Fluids for Indirect Systems*, IIR/IIF Paris: each property is a double polynomial in
    (mass-% - 30.7031) and (T degC - 32.7089) with the coefficient table of the book for
    propylene glycol (viscosity as ln(mPa s)). The same correlation backs CoolProp's
    incompressible fluid ``MPG`` and the Modelica IBPSA / Buildings media. The book fits
    data from the freezing point to about 40 degC; above that it is extrapolated. At
    40-70 degC it stays within 0.5 % (density), 0.3 % (heat capacity) and 3 % (PG25
    viscosity; 5 % for PG40) of the independent ASHRAE-style tables in CoolProp's ``APG``.

Validity
--------
Properties are known between :func:`property_range` (0-100 degC for water, the freezing
point to 100 degC for the glycols). A temperature outside it is evaluated at the nearest
end of the range, never silently: the liquid checks
(:func:`designer.solvers.liquid.checks.temperatures`) report every loop temperature
below the fluid's freezing point, above its boiling point at the local pressure
(:func:`boiling_point_c`) or outside the property range as an error finding naming the
item.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import CubicSpline

FLUIDS = ("water", "pg25", "pg40")
VALID_RANGE_C = (0.0, 100.0)
"""Widest range any fluid's properties are known in (see :func:`property_range`)."""
FREEZING_POINT_C = {"water": 0.0, "pg25": -9.6, "pg40": -21.1}
"""Freezing points at the mixtures' glycol share by mass (ASHRAE Handbook Fundamentals,
propylene glycol solutions: 25 % -9.6 degC, 40 % -21.1 degC)."""
WATER_MOLE_FRACTION = {"water": 1.0, "pg25": 0.927, "pg40": 0.864}
"""Mole fraction of water (propylene glycol 76.09 g/mol, water 18.015 g/mol): the mixture
boils where water's vapour pressure times this fraction reaches the pressure (Raoult)."""
ATMOSPHERIC_KPA = 101.325
LOOP_TANK_PRESSURE_KPA = ATMOSPHERIC_KPA
"""Absolute pressure taken at a loop's expansion tank (its pump suction): atmospheric, the
lowest a vented or barely pre-charged tank gives, so a boiling check on it is on the safe
side. Node pressures are added to it (they are relative to the tank)."""

_T_TAB = np.arange(0.0, 101.0, 5.0)
_WATER_RHO = np.array([
    999.844, 999.967, 999.702, 999.103, 998.207, 997.048, 995.649, 994.033, 992.216, 990.213,
    988.035, 985.693, 983.196, 980.551, 977.765, 974.843, 971.790, 968.611, 965.310, 961.888,
    958.350])
_WATER_CP = np.array([
    4219.4, 4205.0, 4195.2, 4188.5, 4184.1, 4181.3, 4179.8, 4179.3, 4179.4, 4180.1, 4181.3,
    4183.0, 4185.0, 4187.3, 4190.1, 4193.2, 4196.8, 4200.7, 4205.2, 4210.2, 4215.7])
_WATER_MU_UPAS = np.array([
    1791.1, 1518.2, 1305.9, 1137.6, 1001.6, 890.02, 797.22, 719.13, 652.73, 595.77, 546.52,
    503.62, 466.04, 432.9, 403.55, 377.42, 354.05, 333.08, 314.18, 297.09, 281.58])

_W_RHO = CubicSpline(_T_TAB, _WATER_RHO)
_W_CP = CubicSpline(_T_TAB, _WATER_CP)
_W_LNMU = CubicSpline(_T_TAB, np.log(_WATER_MU_UPAS * 1e-6))

# Melinder (2010), propylene glycol: reference point and polynomial orders in temperature
# for each power of the concentration difference (6 powers: 4, 4, 4, 3, 2, 1 terms).
_PG_XM, _PG_TM = 30.7031, 32.7089
_PG_NT = (4, 4, 4, 3, 2, 1)
_PG_COEF = {
    "rho": (1.018e3, -5.406e-1, -2.666e-3, 1.347e-5, 7.604e-1, -9.450e-3, 5.541e-5, -1.343e-7,
            -2.498e-3, 2.700e-5, -4.018e-7, 3.376e-9, -1.550e-4, 2.829e-6, -7.175e-9, -1.131e-6,
            -2.221e-8, 2.342e-8),
    "cp": (3.882e3, 2.699e0, -1.659e-3, -1.032e-5, -1.304e1, 5.070e-2, -4.752e-5, 1.522e-6,
           -1.598e-1, 9.534e-5, 1.167e-5, -4.870e-8, 3.539e-4, 3.102e-5, -2.950e-7, 5.000e-5,
           -7.135e-7, -4.959e-7),
    "lnmu": (6.837e-1, -3.045e-2, 2.525e-4, -1.399e-6, 3.328e-2, -3.984e-4, 4.332e-6, -1.860e-8,
             5.453e-5, -8.600e-8, -1.593e-8, -4.465e-11, -3.900e-6, 1.054e-7, -1.589e-9,
             -1.587e-8, 4.475e-10, 3.564e-9),
}


def _pg_poly_in_t(prop: str, mass_pct: float) -> np.ndarray:
    """Collapse the 2-D Melinder polynomial at a fixed concentration to coefficients in dT."""
    dx = mass_pct - _PG_XM
    out = np.zeros(max(_PG_NT))
    n = 0
    for i, nt in enumerate(_PG_NT):
        for j in range(nt):
            out[j] += _PG_COEF[prop][n] * dx ** i
            n += 1
    return out


_PG = {name: {p: _pg_poly_in_t(p, pct) for p in ("rho", "cp", "lnmu")}
       for name, pct in (("pg25", 25.0), ("pg40", 40.0))}


def _pg_eval(coef: np.ndarray, t):
    dy = np.asarray(t, dtype=float) - _PG_TM
    return np.polynomial.polynomial.polyval(dy, coef)


def property_range(fluid: str) -> tuple[float, float]:
    """Temperatures (degC) the properties of ``fluid`` are known between."""
    return (FREEZING_POINT_C.get(fluid, 0.0) if fluid != "water" else 0.0, VALID_RANGE_C[1])


def freezing_point_c(fluid: str) -> float:
    """Freezing point of ``fluid`` (degC)."""
    return FREEZING_POINT_C[fluid]


_IF97 = (0.11670521452767e4, -0.72421316703206e6, -0.17073846940092e2, 0.12020824702470e5,
         -0.32325550322333e7, 0.14915108613530e2, -0.48232657361591e4, 0.40511340542057e6,
         -0.23855557567849, 0.65017534844798e3)


def water_saturation_temp_c(p_kpa):
    """Boiling point of water (degC) at absolute pressure ``p_kpa``: IAPWS-IF97 region 4
    (the saturation-temperature equation, 611 Pa to 22.064 MPa; clipped to that range)."""
    n = _IF97
    p = np.clip(np.asarray(p_kpa, dtype=float), 0.611657, 22064.0) / 1000.0
    b = p ** 0.25
    e = b * b + n[2] * b + n[5]
    f = n[0] * b * b + n[3] * b + n[6]
    g = n[1] * b * b + n[4] * b + n[7]
    d = 2.0 * g / (-f - np.sqrt(f * f - 4.0 * e * g))
    t = (n[9] + d - np.sqrt((n[9] + d) ** 2 - 4.0 * (n[8] + n[9] * d))) / 2.0
    return (t - 273.15)[()]


def boiling_point_c(fluid: str, p_kpa=LOOP_TANK_PRESSURE_KPA):
    """Boiling point of ``fluid`` (degC) at absolute pressure ``p_kpa`` (Raoult's law for the
    glycol mixtures: the glycol hardly evaporates, water's partial pressure sets it)."""
    _check(fluid)
    return water_saturation_temp_c(np.asarray(p_kpa, dtype=float) / WATER_MOLE_FRACTION[fluid])


def _clamp(t, fluid: str = "water"):
    return np.clip(np.nan_to_num(np.asarray(t, dtype=float), nan=20.0), *property_range(fluid))


def _check(fluid: str) -> None:
    if fluid not in FLUIDS:
        raise ValueError(f"unknown fluid '{fluid}' (known: {', '.join(FLUIDS)})")


def density(fluid: str, t_c):
    """Density in kg/m3 at ``t_c`` degC (scalar or array)."""
    _check(fluid)
    t = _clamp(t_c, fluid)
    if fluid == "water":
        return _W_RHO(t)[()]
    return _pg_eval(_PG[fluid]["rho"], t)[()]


def specific_heat(fluid: str, t_c):
    """Isobaric specific heat in J/(kg K) at ``t_c`` degC."""
    _check(fluid)
    t = _clamp(t_c, fluid)
    if fluid == "water":
        return _W_CP(t)[()]
    return _pg_eval(_PG[fluid]["cp"], t)[()]


def viscosity(fluid: str, t_c):
    """Dynamic viscosity in Pa s at ``t_c`` degC."""
    _check(fluid)
    t = _clamp(t_c, fluid)
    if fluid == "water":
        return np.exp(_W_LNMU(t))[()]
    return (1e-3 * np.exp(_pg_eval(_PG[fluid]["lnmu"], t)))[()]


@dataclass(frozen=True)
class FluidState:
    """Properties of one coolant at one temperature."""

    fluid: str
    temp_c: float
    density_kg_m3: float
    cp_j_kgk: float
    viscosity_pa_s: float

    @property
    def kinematic_viscosity_m2_s(self) -> float:
        return self.viscosity_pa_s / self.density_kg_m3


def state(fluid: str, t_c: float) -> FluidState:
    """All properties of ``fluid`` at ``t_c`` degC."""
    return FluidState(fluid, float(t_c), float(density(fluid, t_c)),
                      float(specific_heat(fluid, t_c)), float(viscosity(fluid, t_c)))
