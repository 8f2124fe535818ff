"""Typed input while drawing, as CAD's dynamic input: the next point by the keyboard.

After the first point, what is typed is read relative to the last point:

- ``5`` (a length): that far along the rubber band, towards the cursor;
- ``5<30`` (length < angle): that far at 30 degrees counter-clockwise from east (+x);
- ``3,4`` or ``@3,4`` (dx, dy): that offset;
- ``#12,8`` (absolute x, y): that point.

Before the first point, ``12,8`` (or ``#12,8``) is the first point. Lengths and offsets are in
the display units (metres, or feet in US units); the model stays in metres.
"""

from __future__ import annotations

import math

ALLOWED = set("0123456789.,<-@# ")
FT = 0.3048


class TypedError(ValueError):
    """The text is not a point; the message says what to type instead."""


def _num(text: str, what: str) -> float:
    try:
        v = float(text.strip())
    except ValueError:
        raise TypedError(f"'{text.strip()}' is not a {what}") from None
    if not math.isfinite(v):
        raise TypedError(f"'{text.strip()}' is not a {what}")
    return v


def parse_point(text: str, last: tuple[float, float] | None, toward: tuple[float, float] | None,
                units: str = "SI") -> tuple[float, float]:
    """The point ``text`` names (model metres), from the ``last`` point drawn (None: the first
    point) with the rubber band pointing at ``toward`` (the cursor)."""
    k = FT if units == "US" else 1.0
    t = text.strip().replace(" ", "")
    if not t:
        raise TypedError("type a length, length<angle or dx,dy")
    if t.startswith("#") or last is None:
        t = t.lstrip("#@")
        if "," not in t:
            raise TypedError("type the first point as x,y")
        xs, ys = t.split(",", 1)
        return _num(xs, "coordinate") * k, _num(ys, "coordinate") * k
    if t.startswith("@") or ("," in t and "<" not in t):
        xs, ys = t.lstrip("@").split(",", 1)
        return last[0] + _num(xs, "length") * k, last[1] + _num(ys, "length") * k
    if "<" in t:
        ls, angs = t.split("<", 1)
        length = _num(ls, "length") * k
        a = math.radians(_num(angs, "angle") if angs else 0.0)
        return last[0] + length * math.cos(a), last[1] + length * math.sin(a)
    length = _num(t, "length") * k
    dx, dy = (toward[0] - last[0], toward[1] - last[1]) if toward is not None else (1.0, 0.0)
    d = math.hypot(dx, dy)
    if d < 1e-12:
        dx, dy, d = 1.0, 0.0, 1.0
    return last[0] + length * dx / d, last[1] + length * dy / d


def describe_segment(a: tuple[float, float], b: tuple[float, float], units: str = "SI") -> str:
    """``4.20 m < 90°`` (or in feet): the length and direction from ``a`` to ``b``."""
    d = math.dist(a, b)
    ang = math.degrees(math.atan2(b[1] - a[1], b[0] - a[0])) % 360.0
    if units == "US":
        return f"{d / FT:.2f} ft < {ang:.1f}°"
    return f"{d:.2f} m < {ang:.1f}°"
