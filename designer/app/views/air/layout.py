"""Where the air-unit load bars go: beside each unit, on the first free spot.

An in-row cooler's front is the cold aisle and its back the hot aisle, both of which the heat
map must show; the ends of a row usually have free floor. So the bar is tried beside the
unit's ends first (level with it, then shifted half a bar either way), then in front, then
behind, and the first spot that covers no equipment, no rack's inlet tab and no bar placed
before wins. Qt-free: plain rectangles in plan metres.
"""

from __future__ import annotations

import numpy as np

from designer.app.views.air.items import front_tab_rect

GAP_M = 0.08


def _aabb(m) -> tuple[float, float, float, float]:
    xs, ys = zip(*m.corners(), strict=True)
    return (min(xs), min(ys), max(xs), max(ys))


def obstacles(hall) -> np.ndarray:
    """``(n, 4)`` rectangles ``x0, y0, x1, y1`` a bar must not cover."""
    rects = []
    for coll in (hall.racks, hall.air_units, hall.cdus, hall.power.transformers, hall.power.switchboards,
                 hall.power.ups, hall.power.pdus):
        for m in coll:
            if getattr(m, "kind", "") == "rear_door":
                continue
            rects.append(_aabb(m))
    for r in hall.racks:
        cx, cy, w, h = front_tab_rect(r)
        rects.append((cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2))
    for o in hall.obstructions:
        xs, ys = zip(*o.polygon, strict=True)
        rects.append((min(xs), min(ys), max(xs), max(ys)))
    return np.array(rects, dtype=float).reshape(-1, 4)


def candidates(unit, w: float, h: float) -> list[tuple[float, float]]:
    """Bar centres to try for one unit, best first."""
    x0, y0, x1, y1 = _aabb(unit)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    nx, ny = unit.front_normal()
    g = GAP_M
    out = []
    if abs(ny) >= abs(nx):  # faces +-y: its ends are left and right
        for dyo in (0.0, h / 2 + g / 2, -(h / 2 + g / 2), h + g, -(h + g)):
            out += [(x0 - g - w / 2, cy + dyo), (x1 + g + w / 2, cy + dyo)]
        front = (cx, (y1 + g + h / 2) if ny > 0 else (y0 - g - h / 2))
        back = (cx, (y0 - g - h / 2) if ny > 0 else (y1 + g + h / 2))
    else:  # faces +-x: its ends are below and above
        for dxo in (0.0, w / 2 - (x1 - x0) / 2, -(w / 2 - (x1 - x0) / 2)):
            out += [(cx + dxo, y0 - g - h / 2), (cx + dxo, y1 + g + h / 2)]
        front = ((x1 + g + w / 2) if nx > 0 else (x0 - g - w / 2), cy)
        back = ((x0 - g - w / 2) if nx > 0 else (x1 + g + w / 2), cy)
    return out + [front, back]


def place_bars(hall, unit_ids: list[str], w: float, h: float) -> dict[str, tuple[float, float]]:
    """Centre of each unit's bar (plan metres), in ``unit_ids`` order of priority."""
    units = {u.id: u for u in hall.air_units}
    obs = obstacles(hall)
    xs, ys = zip(*hall.outline, strict=True) if len(hall.outline) >= 3 else ((0.0,), (0.0,))
    hx0, hy0, hx1, hy1 = min(xs), min(ys), max(xs), max(ys)
    placed: list[tuple[float, float, float, float]] = []
    out: dict[str, tuple[float, float]] = {}
    for uid in unit_ids:
        u = units.get(uid)
        if u is None:
            continue
        cands = candidates(u, w, h)
        c = np.array(cands)
        bx0, by0 = c[:, 0] - w / 2, c[:, 1] - h / 2
        bx1, by1 = c[:, 0] + w / 2, c[:, 1] + h / 2
        inside = (bx0 >= hx0) & (by0 >= hy0) & (bx1 <= hx1) & (by1 <= hy1)
        allr = np.vstack([obs, np.array(placed).reshape(-1, 4)]) if placed else obs
        # only what lies near this unit can be in the way (keeps a 1,000-rack hall in milliseconds)
        near = ((allr[:, 0] < bx1.max()) & (allr[:, 2] > bx0.min()) & (allr[:, 1] < by1.max())
                & (allr[:, 3] > by0.min()))
        allr = allr[near]
        if len(allr):
            hit = ((bx0[:, None] < allr[None, :, 2] - 1e-9) & (bx1[:, None] > allr[None, :, 0] + 1e-9)
                   & (by0[:, None] < allr[None, :, 3] - 1e-9) & (by1[:, None] > allr[None, :, 1] + 1e-9)).any(axis=1)
        else:
            hit = np.zeros(len(cands), dtype=bool)
        ok = np.flatnonzero(inside & ~hit)
        k = int(ok[0]) if ok.size else len(cands) - 2  # nowhere free: in front of the unit
        out[uid] = cands[k]
        placed.append((bx0[k], by0[k], bx1[k], by1[k]))
    return out
