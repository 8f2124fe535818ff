"""Air-management indices and ASHRAE inlet classes (plain functions of temperatures).

References (see REFERENCE.md): ASHRAE TC9.9 thermal guidelines for the classes; M. Herrlin,
"Rack Cooling Index (RCI)", ASHRAE Transactions 111(2), 2005, for RCI; the Return Temperature
Index and the Supply / Return Heat Index as in the same literature.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AshraeClass:
    """Inlet-air limits of one ASHRAE class, degC."""

    name: str
    rec_min: float
    rec_max: float
    allow_min: float
    allow_max: float


ASHRAE_CLASSES: dict[str, AshraeClass] = {
    "A1": AshraeClass("A1", 18.0, 27.0, 15.0, 32.0),
    "A2": AshraeClass("A2", 18.0, 27.0, 10.0, 35.0),
    "A3": AshraeClass("A3", 18.0, 27.0, 5.0, 40.0),
    "A4": AshraeClass("A4", 18.0, 27.0, 5.0, 45.0),
    "H1": AshraeClass("H1", 18.0, 22.0, 5.0, 25.0),
}

BANDS = ("below_allowable", "below_recommended", "recommended", "above_recommended", "above_allowable")


def band(t: float, cls: AshraeClass) -> str:
    """Which ASHRAE band an inlet temperature falls in (one of :data:`BANDS`)."""
    if t > cls.allow_max:
        return "above_allowable"
    if t > cls.rec_max:
        return "above_recommended"
    if t < cls.allow_min:
        return "below_allowable"
    if t < cls.rec_min:
        return "below_recommended"
    return "recommended"


def rci_hi(t_in, cls: AshraeClass) -> float | None:
    """Rack Cooling Index, high side (percent): 100 when no intake exceeds the recommended
    maximum; 0 when every intake is at the allowable maximum (or the excess adds up to it)."""
    t = np.asarray(t_in, dtype=float)
    if t.size == 0:
        return None
    over = np.clip(t - cls.rec_max, 0.0, None).sum()
    return float((1.0 - over / (t.size * (cls.allow_max - cls.rec_max))) * 100.0)


def rci_lo(t_in, cls: AshraeClass) -> float | None:
    """Rack Cooling Index, low side (percent), mirroring :func:`rci_hi` at the cold end."""
    t = np.asarray(t_in, dtype=float)
    if t.size == 0:
        return None
    under = np.clip(cls.rec_min - t, 0.0, None).sum()
    return float((1.0 - under / (t.size * (cls.rec_min - cls.allow_min))) * 100.0)


def rti(t_return: float, t_supply: float, dt_equipment: float) -> float | None:
    """Return Temperature Index, percent: (T_return - T_supply) / dT_equipment.

    Above 100 % hot exhaust recirculates into intakes; below 100 % cold air bypasses the
    racks and returns to the units unused.
    """
    if dt_equipment <= 0:
        return None
    return float((t_return - t_supply) / dt_equipment * 100.0)


def shi(t_in, t_out, flows, t_supply: float) -> float | None:
    """Supply Heat Index: flow-weighted share of the racks' temperature rise that happens
    before the intake (0 is ideal; RHI = 1 - SHI)."""
    t_in, t_out, w = (np.asarray(a, dtype=float) for a in (t_in, t_out, flows))
    den = float((w * (t_out - t_supply)).sum())
    if den <= 0:
        return None
    return float((w * (t_in - t_supply)).sum() / den)


def rci_grade(value: float | None) -> str:
    """Herrlin's reading of an RCI value: good (>= 96), acceptable (91-96), poor (<= 90)."""
    if value is None:
        return "n/a"
    if value >= 96.0:
        return "good"
    if value > 90.0:
        return "acceptable"
    return "poor"
