"""Where items are on the plan, and the field values that move or turn them."""

from __future__ import annotations

from designer.model import hall as h
from designer.model import power as p
from designer.model.base import DModel, Placed, Point, rotate


def _norm_deg(a: float) -> float:
    a = a % 360.0
    return 0.0 if abs(a - 360.0) < 1e-9 or abs(a) < 1e-9 else round(a, 9)


def points_of(item: DModel) -> list[Point]:
    """The points that outline the item on the plan (for bounds and selection)."""
    if isinstance(item, Placed):
        return item.corners()
    if isinstance(item, h.Junction):
        return [(item.x, item.y)]
    if isinstance(item, h.Pipe):
        return list(item.points)
    if isinstance(item, p.Busway):
        return list(item.path)
    if isinstance(item, (h.Obstruction, h.Containment)):
        return list(item.polygon)
    if isinstance(item, h.Dimension):
        return [tuple(item.start), tuple(item.end)]
    return []


def bounds(item: DModel) -> tuple[float, float, float, float] | None:
    pts = points_of(item)
    if not pts:
        return None
    xs = [q[0] for q in pts]
    ys = [q[1] for q in pts]
    return min(xs), min(ys), max(xs), max(ys)


def union_bounds(items) -> tuple[float, float, float, float] | None:
    bb = [b for b in (bounds(i) for i in items) if b is not None]
    if not bb:
        return None
    return (min(b[0] for b in bb), min(b[1] for b in bb), max(b[2] for b in bb), max(b[3] for b in bb))


def is_movable(item: DModel) -> bool:
    return bool(translate_values(item, 0.0, 0.0)) or isinstance(item, h.Pipe)


def translate_values(item: DModel, dx: float, dy: float) -> dict:
    """Field values that shift ``item`` by (dx, dy); empty when it has no position."""
    if isinstance(item, (Placed, h.Junction)):
        return {"x": item.x + dx, "y": item.y + dy}
    if isinstance(item, h.Pipe):
        return {"points": [(x + dx, y + dy) for x, y in item.points]} if item.points else {}
    if isinstance(item, p.Busway):
        return {"path": [(x + dx, y + dy) for x, y in item.path]}
    if isinstance(item, (h.Obstruction, h.Containment)):
        return {"polygon": [(x + dx, y + dy) for x, y in item.polygon]}
    if isinstance(item, h.Dimension):
        return {"start": (item.start[0] + dx, item.start[1] + dy), "end": (item.end[0] + dx, item.end[1] + dy)}
    return {}


def _rot_about(pt: Point, c: Point, deg: float) -> Point:
    rx, ry = rotate(pt[0] - c[0], pt[1] - c[1], deg)
    return (c[0] + rx, c[1] + ry)


def rotate_values(item: DModel, centre: Point, deg: float) -> dict:
    """Field values that turn ``item`` by ``deg`` counter-clockwise about ``centre``."""
    if isinstance(item, Placed):
        x, y = _rot_about((item.x, item.y), centre, deg)
        return {"x": x, "y": y, "rotation_deg": _norm_deg(item.rotation_deg + deg)}
    if isinstance(item, h.Junction):
        x, y = _rot_about((item.x, item.y), centre, deg)
        return {"x": x, "y": y}
    if isinstance(item, h.Pipe):
        return {"points": [_rot_about(q, centre, deg) for q in item.points]} if item.points else {}
    if isinstance(item, p.Busway):
        return {"path": [_rot_about(q, centre, deg) for q in item.path]}
    if isinstance(item, (h.Obstruction, h.Containment)):
        return {"polygon": [_rot_about(q, centre, deg) for q in item.polygon]}
    if isinstance(item, h.Dimension):
        return {"start": _rot_about(item.start, centre, deg), "end": _rot_about(item.end, centre, deg)}
    return {}


def snap(v: float, step: float) -> float:
    if step <= 0:
        return v
    return round(round(v / step) * step, 9)
