"""Colours of the air overlay: the heat-map colour scale, ASHRAE band colours, number formats.

The heat map uses Moreland's "cool to warm" diverging map (K. Moreland, "Diverging Color
Maps for Scientific Visualization", ISVC 2009; ParaView's default): blue and red halves of
equal perceived strength, lightness rising monotonically to a light grey centre, readable by
people with red-green colour deficiency. Its centre sits on the ASHRAE *recommended maximum*
inlet temperature (27 degC for A1), because that is the line that matters on a plan: any
bluish cell is air a rack may breathe, any reddish cell is air that would put an intake over
the recommended limit. So cold aisles read blue, hot aisles red, and a red tongue reaching a
rack front is a hot spot. The scale is fixed per ASHRAE class (not stretched to the data), so
a colour means the same temperature before and after an edit and between layouts.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtGui import QColor

from designer.model.units import unit_of_quantity
from designer.solvers.air.indices import ASHRAE_CLASSES, AshraeClass

# Moreland's cool-warm table (33 points, sRGB 0-255), centre (221, 221, 221) at 0.5
COOL_WARM = (
    (59, 76, 192), (68, 90, 204), (77, 104, 215), (87, 117, 225), (98, 130, 234), (108, 142, 241),
    (119, 154, 247), (130, 165, 251), (141, 176, 254), (152, 185, 255), (163, 194, 255),
    (174, 201, 253), (184, 208, 249), (194, 213, 244), (204, 217, 238), (213, 219, 230),
    (221, 221, 221), (229, 216, 209), (236, 211, 197), (241, 204, 185), (245, 196, 173),
    (247, 187, 160), (247, 177, 148), (247, 166, 135), (244, 154, 123), (241, 141, 111),
    (236, 127, 99), (229, 112, 88), (222, 96, 77), (213, 80, 66), (203, 62, 56), (192, 40, 47),
    (180, 4, 38),
)
LUT_SIZE = 256


def _lut() -> np.ndarray:
    src = np.array(COOL_WARM, dtype=float)
    t = np.linspace(0.0, 1.0, len(src))
    u = np.linspace(0.0, 1.0, LUT_SIZE)
    rgb = np.stack([np.interp(u, t, src[:, k]) for k in range(3)], axis=1)
    out = np.empty((LUT_SIZE, 4), dtype=np.uint8)
    out[:, :3] = np.round(rgb).astype(np.uint8)
    out[:, 3] = 255
    return out


LUT = _lut()
"""RGBA, uint8, (LUT_SIZE, 4)."""

# ASHRAE band of a rack's maximum inlet: badge fill colours
BAND_COLORS = {
    "below_allowable": QColor("#1f4e9c"),
    "below_recommended": QColor("#6fa8dc"),
    "recommended": QColor("#2a9d3c"),
    "above_recommended": QColor("#e8a317"),
    "above_allowable": QColor("#d62d20"),
    "n/a": QColor("#9aa1aa"),
}
BAND_LABELS = {
    "below_allowable": "< allowable",
    "below_recommended": "< recommended",
    "recommended": "recommended",
    "above_recommended": "> recommended",
    "above_allowable": "> allowable",
    "n/a": "no airflow",
}
BAND_WORDS = {
    "below_allowable": "below the allowable range",
    "below_recommended": "below the recommended range",
    "recommended": "in the recommended range",
    "above_recommended": "above the recommended range",
    "above_allowable": "above the allowable range",
    "n/a": "no airflow through the rack",
}
GRADE_COLORS = {"good": QColor("#2a9d3c"), "acceptable": QColor("#e8a317"), "poor": QColor("#d62d20"),
                "n/a": QColor("#9aa1aa")}
UNIT_OK = QColor("#2f6fdb")
UNIT_TIGHT = QColor("#e8a317")
UNIT_OVER = QColor("#d62d20")
ARROW = QColor(25, 30, 40, 150)


def ashrae(name: str) -> AshraeClass:
    return ASHRAE_CLASSES.get(name, ASHRAE_CLASSES["A1"])


class TemperatureScale:
    """Temperature (degC) -> position on the colour map, piecewise linear about the centre.

    The cold half runs from ``lo`` to ``centre``, the warm half from ``centre`` to ``hi``.
    In "ashrae" mode ``lo = rec_min - 4`` (14 degC) and ``hi = max(centre + 15, allow_max + 5)``
    (42 degC for A1): supply air is clearly blue, exhaust clearly red, the allowable maximum
    pink. In "data" mode the ends follow the field but the centre stays on the limit.
    """

    def __init__(self, lo: float, centre: float, hi: float) -> None:
        self.lo, self.centre, self.hi = lo, centre, hi

    @classmethod
    def for_class(cls, c: AshraeClass) -> TemperatureScale:
        return cls(c.rec_min - 4.0, c.rec_max, max(c.rec_max + 15.0, c.allow_max + 5.0))

    @classmethod
    def for_data(cls, c: AshraeClass, t_min: float, t_max: float) -> TemperatureScale:
        if not (math.isfinite(t_min) and math.isfinite(t_max)):
            return cls.for_class(c)
        lo = min(math.floor(t_min), c.rec_max - 1.0)
        hi = max(math.ceil(t_max), c.rec_max + 1.0)
        return cls(lo, c.rec_max, hi)

    def fraction(self, t):
        """Position(s) on the map, 0..1 (clamped); NaN stays NaN."""
        return np.interp(t, [self.lo, self.centre, self.hi], [0.0, 0.5, 1.0])

    def color(self, t: float) -> QColor:
        f = float(self.fraction(t))
        r, g, b, _a = LUT[min(LUT_SIZE - 1, max(0, int(round(f * (LUT_SIZE - 1)))))]
        return QColor(int(r), int(g), int(b))

    def __eq__(self, other) -> bool:
        return isinstance(other, TemperatureScale) and (self.lo, self.centre, self.hi) == \
            (other.lo, other.centre, other.hi)

    def __hash__(self) -> int:
        return hash((self.lo, self.centre, self.hi))


def text_on(bg: QColor) -> QColor:
    lum = 0.299 * bg.redF() + 0.587 * bg.greenF() + 0.114 * bg.blueF()
    return QColor("#1b1b1b") if lum > 0.6 else QColor("#ffffff")


def temp(value: float | None, system: str, decimals: int = 1) -> str:
    """A temperature in display units without its symbol ("24.9")."""
    if value is None or not math.isfinite(value):
        return "–"
    return f"{unit_of_quantity('temperature', system).to_display(value):.{decimals}f}"


def temp_symbol(system: str) -> str:
    return unit_of_quantity("temperature", system).symbol


def power(value_kw: float | None, system: str) -> str:
    """kW in SI, BTU/h in US (with thousands separators), without the symbol."""
    if value_kw is None or not math.isfinite(value_kw):
        return "–"
    u = unit_of_quantity("power", system)
    return f"{u.to_display(value_kw):,.{1 if system != 'US' else 0}f}"


def power_symbol(system: str) -> str:
    return unit_of_quantity("power", system).symbol


def no_inlet_reason(r) -> str:
    """Why a rack (:class:`RackAir`) has no inlet temperature to show, or "" when it has one."""
    if r.airflow_m3s <= 0:
        if r.blocked:
            return "blocked (no open front and back in the air model), so no air goes through it"
        if r.heat_to_air_kw <= 0:
            return "no airflow: all its heat goes to liquid"
        return "no airflow through it"
    if r.inlet_max_c is None:
        return "the air model has no steady state for this hall (see the findings)"
    return ""


def no_inlet_label(r) -> str:
    """A few words for the band column of a rack with no inlet temperature (see
    :func:`no_inlet_reason`)."""
    if r.airflow_m3s <= 0:
        return "blocked" if r.blocked else "no airflow"
    return "no steady state" if r.inlet_max_c is None else ""
