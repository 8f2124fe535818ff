"""Sizes the solvers can work with: every number within a physical bound, every hall small
enough for a grid, every item large enough to exist.

The file format only asks numbers to be finite; 1e308 kW in every rack is finite but
overflows to infinity in the first sum. These checks run with the rest of validation
(:func:`designer.model.validate.validate`), before any solver, so that no command solves
or exports a design that no solver can handle, and say which value is out of bounds.

Bounds go by the unit in the field's name (``it_load_kw``: kW), generous enough for any
real hall and tight enough that sums, squares and products of them stay finite.
"""

from __future__ import annotations

import functools
import math
import typing

from designer.model.base import DModel
from designer.model.findings import Finding, error

MAX_COORD_M = 100_000.0
"""Plan coordinates (x, y, outlines, paths) within 100 km of the origin."""
MAX_HALL_SPAN_M = 2_000.0
"""A hall outline at most 2 km across: larger than any data hall, small enough for a grid."""
MIN_SIZE_M = 0.01
"""Placed equipment at least 1 cm wide and deep: nothing real is smaller, and every grid
and geometry tolerance in the solvers is far above the floating-point noise of this size."""
MIN_BORE_M = 0.001
"""Pipes at least 1 mm in bore: the friction law of a thinner one overflows (d^5)."""
MIN_DELTA_T_K = 1.0
"""A rack's design temperature rise at least 1 K: the flow it asks for is heat / (rho cp dT),
which overflows as dT goes to zero."""
MIN_VALUES = {"width_m": (MIN_SIZE_M, "m"), "depth_m": (MIN_SIZE_M, "m"), "diameter_m": (MIN_BORE_M, "m"),
              "design_delta_t_air_k": (MIN_DELTA_T_K, "K"), "design_delta_t_liquid_k": (MIN_DELTA_T_K, "K")}
"""Smallest positive value of these fields (zero and negative values are range errors)."""
MIN_NONZERO = 1e-9
"""A number other than zero is at least this large in size: 1e-300 is no real value, and
dividing by it overflows."""
GENERIC_MAX = 1e9
"""Bound of a number whose unit is not in :data:`UNIT_MAX`."""

UNIT_MAX: tuple[tuple[str, float], ...] = (  # the first suffix that matches applies
    ("_kg_m2", 1e6), ("_m2_per_m2", 1e3), ("_per_gbps_km", 1e9), ("_kw_month", 1e9), ("_ohm_per_km", 1e6),
    ("_us_per_km", 1e5),
    ("_kw", 1e6), ("_kva", 1e6), ("_v", 1e6), ("_a", 1e6), ("_kg", 1e7), ("_lpm", 1e7),
    ("_kpa", 1e5), ("_m3s", 1e5), ("_ms", 1e7), ("_us", 1e7), ("_min", 1e7), ("_km", 1e5),
    ("_gbps", 1e7), ("_pct", 1e3), ("_pu", 1e2), ("_k", 1e3), ("_c", 1e3), ("_mps", 1e4),
    ("_m", MAX_COORD_M), ("_deg", 1e6), ("_u", 1e4),
)
NAME_MAX = {"valve_k": GENERIC_MAX, "minor_k": GENERIC_MAX}
"""Loss coefficients end in ``_k`` but are not kelvin."""
COORD_FIELDS = frozenset({"x", "y", "outline", "path", "points", "polygon"})


def _limit(name: str) -> float:
    if name in COORD_FIELDS:
        return MAX_COORD_M
    if name in NAME_MAX:
        return NAME_MAX[name]
    for suffix, bound in UNIT_MAX:
        if name.endswith(suffix):
            return bound
    return GENERIC_MAX


def _item_types() -> frozenset[type]:
    from designer.model.registry import COLLECTIONS

    return frozenset(c.type for c in COLLECTIONS)


def _kind(annotation) -> str | None:
    """How a field is walked: "num", "points" (lists of pairs or a pair), "model", "models"."""
    text = str(annotation)
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if annotation in (int, float) or text in ("float | None", "int | None", "typing.Optional[float]",
                                              "typing.Optional[int]"):
        return "num"
    if "tuple[float, float]" in text:
        return "points"
    if isinstance(annotation, type) and issubclass(annotation, DModel):
        return "model"
    if origin is list and args and isinstance(args[0], type) and issubclass(args[0], DModel):
        return "models"
    for a in args:  # Optional[Model]
        if isinstance(a, type) and issubclass(a, DModel):
            return "model"
    return None


@functools.cache
def _plan(cls: type) -> tuple[tuple[str, str, float], ...]:
    items = _item_types()
    out = []
    for name, info in cls.model_fields.items():
        kind = _kind(info.annotation)
        if kind in ("model", "models"):
            inner = info.annotation
            args = [a for a in typing.get_args(inner) if isinstance(a, type)]
            target = inner if isinstance(inner, type) else (args[0] if args else None)
            if target in items:
                continue  # items are checked one by one by the validator
            if target is not None and target is not cls and not _plan(target):
                continue  # nothing to check in there
        if kind is not None:
            out.append((name, kind, _limit(name)))
    return tuple(out)


def _too_large(v, bound: float) -> bool:
    t = type(v)
    return (t is float or t is int) and not -bound <= v <= bound


def _too_small(v) -> bool:
    return type(v) is float and v != 0.0 and -MIN_NONZERO < v < MIN_NONZERO


def _message(name: str, v, bound: float) -> tuple[str, str]:
    if _too_small(v):
        return f"{name} is {v:.3g}, too small to be a real value", f"enter 0, or at least {MIN_NONZERO:g} in size"
    try:
        shown = f"{v:.6g}"
    except OverflowError:  # an integer too long for a float
        shown = f"a {len(str(abs(v)))}-digit number"
    return (f"{name} is {shown}, beyond what any real design uses (at most {bound:.0e} in size)",
            f"enter a realistic value (within +/-{bound:g})")


def magnitude_findings(obj: DModel, path: str, ids: tuple[str, ...] = (), depth: int = 0) -> list[Finding]:
    """Numbers of ``obj`` (and of its nested parts, items excepted) beyond their bound."""
    out: list[Finding] = []
    if depth > 8:
        return out
    values = obj.__dict__  # pydantic keeps the fields here; getattr is ten times slower
    for name, kind, bound in _plan(type(obj)):
        v = values.get(name)
        if v is None:
            continue
        if kind == "num":
            t = type(v)
            if (t is float or t is int) and not -bound <= v <= bound:
                msg, fix = _message(name, v, bound)
                out.append(error("value.magnitude", msg, fix, f"{path}.{name}", ids))
            elif t is float and v != 0.0 and -MIN_NONZERO < v < MIN_NONZERO:
                out.append(error("value.magnitude", f"{name} is {v:.3g}, too small to be a real value",
                                 f"enter 0, or a value of at least {MIN_NONZERO:g} in size",
                                 f"{path}.{name}", ids))
        elif kind == "points":
            pts = [v] if v and not isinstance(v[0], list | tuple) else v
            for k, pt in enumerate(pts):
                bad = next((c for c in pt if _too_large(c, bound) or _too_small(c)), None)
                if bad is not None:
                    msg, fix = _message(f"{name}[{k}]" if pts is v else name, bad, bound)
                    out.append(error("value.magnitude", msg, fix,
                                     f"{path}.{name}[{k}]" if pts is v else f"{path}.{name}", ids))
                    break
        elif kind == "model":
            out += magnitude_findings(v, f"{path}.{name}", ids, depth + 1)
        elif kind == "models":
            for k, m in enumerate(v):
                out += magnitude_findings(m, f"{path}.{name}[{k}]", ids, depth + 1)
    return out


def size_findings(obj: DModel, path: str, ids: tuple[str, ...] = ()) -> list[Finding]:
    """Values below :data:`MIN_VALUES` (zero and negative values are range errors)."""
    out = []
    values = obj.__dict__
    for name, (least, unit) in MIN_VALUES.items():
        v = values.get(name)
        if v is not None and 0 < v < least:
            shown = f"{least * 1000:g} mm" if unit == "m" else f"{least:g} {unit}"
            out.append(error("value.too_small", f"{name} is {v:.3g} {unit}; no real design uses less than {shown}",
                             f"enter the real value (at least {least:g} {unit})", f"{path}.{name}", ids))
    return out


def hall_span_findings(outline, path: str, ids: tuple[str, ...] = ()) -> list[Finding]:
    """A hall outline wider or deeper than :data:`MAX_HALL_SPAN_M`."""
    try:
        xs = [float(p[0]) for p in outline]
        ys = [float(p[1]) for p in outline]
    except (TypeError, ValueError, IndexError):
        return []
    if not xs:
        return []
    span = max(max(xs) - min(xs), max(ys) - min(ys))
    if math.isfinite(span) and span <= MAX_HALL_SPAN_M:
        return []
    return [error("hall.too_large", f"the hall outline is {span:.6g} m across, larger than any data hall "
                                    f"(at most {MAX_HALL_SPAN_M:.0f} m); no analysis grid can be built",
                  "check the outline's coordinates (metres)", path, ids)]
