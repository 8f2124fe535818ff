"""Object snaps: the points and edges of a hall a cursor or a moved item can snap to.

Qt-free, so it is tested without a window. The plan asks :func:`targets` once per document
revision (arrays of every snap point and edge of the site's hall, minus what is being moved),
then per mouse move :func:`snap_point` (a cursor: drawing, measuring) or :func:`snap_move`
(a dragged item: its own corners, centre, edge midpoints and ports against the others).

Order of preference, as in CAD: a point snap (port, corner or end point, midpoint, centre)
within the tolerance wins, the nearest first, ports and corners before midpoints and centres
at equal distance; else the nearest point on an edge; else alignment with another item's
points along x and / or y (the guides); else the grid.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from designer.model import hall as h
from designer.model.base import Placed, footprint_corners
from designer.model.registry import HALL_COLLECTIONS, hall_container

POINT_KINDS = ("port", "corner", "end", "mid", "centre")
"""Kinds of point snaps, in order of preference at equal distance."""
KIND_NAMES = {"port": "port", "corner": "corner", "end": "end point", "mid": "midpoint", "centre": "centre",
              "edge": "edge", "axis": "alignment", "grid": "grid"}
_RANK = {k: i for i, k in enumerate(POINT_KINDS)}


@dataclass
class Targets:
    """Every snap point and edge of a hall (what is being moved left out)."""

    pts: np.ndarray  # (N, 2)
    kinds: list[str]
    owners: list[str]
    """The id each point belongs to ("outline" for the hall's walls)."""
    labels: list[str]
    """What the point is ("supply port", "corner"), for the marker's text."""
    solid: list[bool]
    """True for points of equipment (racks, units, modules): preferred to a polygon's or a
    pipe's point in the same place (a rack's corner, not the containment's around it)."""
    segs: np.ndarray  # (M, 4): x0, y0, x1, y1
    seg_owners: list[str]
    axis_pts: np.ndarray  # (K, 2): corners and centres other items line up with

    @property
    def empty(self) -> bool:
        return len(self.kinds) == 0 and len(self.seg_owners) == 0


@dataclass
class Snap:
    """A snapped position and what it snapped to."""

    x: float
    y: float
    kind: str
    """One of POINT_KINDS, "edge", "axis" or "grid"."""
    owner: str = ""
    label: str = ""
    guides: list[tuple[float, float, float, float]] = field(default_factory=list)
    """Alignment guides to draw: (x0, y0, x1, y1) from the aligned point to the snapped one."""
    target: tuple[float, float] | None = None
    """The point snapped to (for a moved item, where its snapping point landed)."""


def _placed_features(m: Placed, out, segs) -> None:
    cs = footprint_corners(m.x, m.y, m.width_m, m.depth_m, m.rotation_deg)
    for c in cs:
        out.append((c, "corner", m.id, "corner"))
    for a, b in zip(cs, cs[1:] + cs[:1], strict=True):
        out.append((((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), "mid", m.id, "edge midpoint"))
        segs.append((a[0], a[1], b[0], b[1], m.id))
    out.append(((m.x, m.y), "centre", m.id, "centre"))


def _poly_features(pts, owner: str, closed: bool, out, segs, vertex: str = "corner") -> None:
    pts = [tuple(p) for p in pts]
    if not pts:
        return
    for p in pts:
        out.append((p, vertex, owner, "corner" if vertex == "corner" else "bend"))
    pairs = list(zip(pts, pts[1:] + pts[:1], strict=True)) if closed else list(zip(pts, pts[1:], strict=False))
    for a, b in pairs:
        if math.dist(a, b) < 1e-9:
            continue
        out.append((((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), "mid", owner, "midpoint"))
        segs.append((a[0], a[1], b[0], b[1], owner))


PORT_LABELS = {"supply": "supply port", "return": "return port", "facility_supply": "facility supply port",
               "facility_return": "facility return port"}


def item_features(m) -> tuple[list, list]:
    """(points, segments) of one hall item: points as ((x, y), kind, owner id, label),
    segments as (x0, y0, x1, y1, owner id)."""
    out: list = []
    segs: list = []
    if isinstance(m, Placed):
        _placed_features(m, out, segs)
        if isinstance(m, (h.Rack, h.Cdu, h.WaterSupply)):
            for port in ("supply", "return"):
                out.append((m.port_position(port), "port", m.id, PORT_LABELS[port]))
        if isinstance(m, h.Cdu):
            for port in ("facility_supply", "facility_return"):
                out.append((m.port_position(port), "port", m.id, PORT_LABELS[port]))
        if isinstance(m, h.Module):
            for c in m.connections:
                out.append((m.connection_position(c), "port", m.id, f"connection {c.name or c.id}"))
    elif isinstance(m, (h.Obstruction, h.Containment)):
        _poly_features(m.polygon, m.id, True, out, segs)
    elif isinstance(m, h.Junction):
        out.append(((m.x, m.y), "end", m.id, "junction"))
    elif isinstance(m, h.Pipe):
        _poly_features(m.points, m.id, False, out, [], vertex="end")
    elif hasattr(m, "path"):  # busway
        _poly_features(m.path, m.id, False, out, segs, vertex="end")
    elif isinstance(m, h.Dimension):
        for p in (m.start, m.end):
            out.append((tuple(p), "end", m.id, "dimension end"))
    return out, segs


def targets(hall: h.Hall, exclude: Iterable[str] = ()) -> Targets:
    """The snap targets of ``hall``, leaving out the items in ``exclude``."""
    ex = set(exclude)
    pts: list = []
    segs: list = []
    if "outline" not in ex:
        _poly_features(hall.outline, "outline", True, pts, segs)
    for coll in HALL_COLLECTIONS:
        if coll.kind == "tap":
            continue  # taps sit on their busway: its points serve
        for m in hall_container(hall, coll):
            if m.id in ex:
                continue
            p, s = item_features(m)
            pts += p
            segs += s
    axis = np.array([p for p, k, _o, _l in pts if k in ("corner", "centre", "end")] or np.zeros((0, 2)),
                    dtype=float).reshape(-1, 2)
    solid_ids = {m.id for coll in HALL_COLLECTIONS for m in hall_container(hall, coll) if isinstance(m, Placed)}
    return Targets(
        pts=np.array([p for p, *_ in pts], dtype=float).reshape(-1, 2),
        kinds=[k for _p, k, _o, _l in pts], owners=[o for _p, _k, o, _l in pts],
        labels=[lab for *_r, lab in pts], solid=[o in solid_ids for _p, _k, o, _l in pts],
        segs=np.array([s[:4] for s in segs], dtype=float).reshape(-1, 4),
        seg_owners=[s[4] for s in segs], axis_pts=axis)


def _best_point(t: Targets, q: np.ndarray, tol: float) -> tuple[int, float] | None:
    """Index and distance of the preferred snap point within ``tol`` of each row of ``q``
    ((k, 2)); the best over all rows: (point index, row index, distance)."""
    if len(t.kinds) == 0:
        return None
    d = np.hypot(t.pts[None, :, 0] - q[:, None, 0], t.pts[None, :, 1] - q[:, None, 1])  # (k, N)
    ok = d <= tol
    if not ok.any():
        return None
    rows, cols = np.nonzero(ok)
    # nearest first; at (nearly) equal distance the better kind
    key = [(round(float(d[r, c]) / tol * 20), _RANK.get(t.kinds[c], 9), not t.solid[c], float(d[r, c]))
           for r, c in zip(rows, cols, strict=True)]
    i = min(range(len(key)), key=key.__getitem__)
    return int(cols[i]), int(rows[i]), float(d[rows[i], cols[i]])


def _nearest_on_edges(t: Targets, q: np.ndarray, tol: float):
    """(segment index, row index, foot point, distance) of the nearest edge within ``tol``."""
    if len(t.seg_owners) == 0:
        return None
    s = t.segs
    ax, ay, bx, by = s[:, 0], s[:, 1], s[:, 2], s[:, 3]
    vx, vy = bx - ax, by - ay
    l2 = np.maximum(vx * vx + vy * vy, 1e-18)
    best = None
    for r, (x, y) in enumerate(q):
        tt = np.clip(((x - ax) * vx + (y - ay) * vy) / l2, 0.0, 1.0)
        fx, fy = ax + tt * vx, ay + tt * vy
        d = np.hypot(fx - x, fy - y)
        j = int(np.argmin(d))
        if d[j] <= tol and (best is None or d[j] < best[3]):
            best = (j, r, (float(fx[j]), float(fy[j])), float(d[j]))
    return best


def _align(t: Targets, q: np.ndarray, tol: float):
    """Alignment of the rows of ``q`` with the targets' axis points, separately in x and y:
    ((shift x, guide) | None, (shift y, guide) | None), guides from the aligned point."""
    if len(t.axis_pts) == 0:
        return None, None
    out = []
    for axis in (0, 1):
        d = t.axis_pts[None, :, axis] - q[:, axis, None]  # (k, K) shifts
        ad = np.abs(d)
        k, j = np.unravel_index(int(np.argmin(ad)), ad.shape)
        if ad[k, j] > tol:
            out.append(None)
            continue
        shift = float(d[k, j])
        # of the points on that line, the guide goes to the nearest along the other axis
        line = np.abs(t.axis_pts[:, axis] - t.axis_pts[j, axis]) < 1e-9
        other = 1 - axis
        cand = np.nonzero(line)[0]
        jj = int(cand[np.argmin(np.abs(t.axis_pts[cand, other] - q[k, other]))])
        src = t.axis_pts[jj]
        out.append((shift, int(k), (float(src[0]), float(src[1]))))
    return out[0], out[1]


def snap_point(t: Targets, x: float, y: float, tol: float, step: float = 0.0,
               objects: bool = True) -> Snap:
    """Snap a cursor at (x, y): to an object within ``tol`` (metres), else to the grid
    ``step`` (0: no grid), aligning with other items' points where it can."""
    if objects and not t.empty:
        q = np.array([[x, y]], dtype=float)
        hit = _best_point(t, q, tol)
        if hit is not None:
            i, _r, _d = hit
            px, py = t.pts[i]
            return Snap(float(px), float(py), t.kinds[i], t.owners[i], t.labels[i], target=(float(px), float(py)))
        ax, ay = _align(t, q, tol)
        edge = _nearest_on_edges(t, q, tol)
        if edge is not None and (ax is None or ay is None):  # on a line beats a single alignment
            j, _r, (fx, fy), _d = edge
            return Snap(fx, fy, "edge", t.seg_owners[j], "edge", target=(fx, fy))
        if ax is not None or ay is not None:
            sx = x + ax[0] if ax else (_grid(x, step) if step else x)
            sy = y + ay[0] if ay else (_grid(y, step) if step else y)
            guides = []
            if ax:
                guides.append((ax[2][0], ax[2][1], sx, sy))
            if ay:
                guides.append((ay[2][0], ay[2][1], sx, sy))
            return Snap(sx, sy, "axis", "", "aligned", guides=guides, target=(sx, sy))
    if step:
        return Snap(_grid(x, step), _grid(y, step), "grid")
    return Snap(x, y, "")


def snap_move(t: Targets, moving: np.ndarray, dx: float, dy: float, tol: float, step: float = 0.0,
              anchor: tuple[float, float] | None = None, objects: bool = True) -> Snap:
    """Snap a move by (dx, dy) of items whose snapping points are ``moving`` ((k, 2), where
    they are before the move): the returned Snap's (x, y) is the snapped (dx, dy).

    A moved point landing on a target point (within ``tol``) wins, then on an edge, then
    alignment in x / y; else ``anchor`` (the grabbed item's centre) goes to the grid."""
    if objects and len(moving) and not t.empty:
        q = moving + np.array([dx, dy])
        hit = _best_point(t, q, tol)
        if hit is not None:
            i, r, _d = hit
            sdx, sdy = t.pts[i, 0] - moving[r, 0], t.pts[i, 1] - moving[r, 1]
            return Snap(float(sdx), float(sdy), t.kinds[i], t.owners[i], t.labels[i],
                        target=(float(t.pts[i, 0]), float(t.pts[i, 1])))
        ax, ay = _align(t, q, tol)
        if ax is None and ay is None:
            edge = _nearest_on_edges(t, q, tol)
            if edge is not None:
                j, r, (fx, fy), _d = edge
                return Snap(fx - moving[r, 0], fy - moving[r, 1], "edge", t.seg_owners[j], "edge", target=(fx, fy))
        if ax is not None or ay is not None:
            gdx, gdy = _grid_move(anchor, dx, dy, step)
            sdx = dx + ax[0] if ax else gdx
            sdy = dy + ay[0] if ay else gdy
            guides = []
            for a in (ax, ay):
                if a:
                    k = a[1]
                    guides.append((a[2][0], a[2][1], float(moving[k, 0] + sdx), float(moving[k, 1] + sdy)))
            return Snap(sdx, sdy, "axis", "", "aligned", guides=guides)
    gdx, gdy = _grid_move(anchor, dx, dy, step)
    return Snap(gdx, gdy, "grid" if step else "")


def _grid(v: float, step: float) -> float:
    return round(v / step) * step if step > 0 else v


def _grid_move(anchor, dx: float, dy: float, step: float) -> tuple[float, float]:
    if not step or anchor is None:
        return dx, dy
    return _grid(anchor[0] + dx, step) - anchor[0], _grid(anchor[1] + dy, step) - anchor[1]


def moving_points(items: Iterable) -> np.ndarray:
    """The snapping points of items being moved or placed: their corners, edge midpoints,
    centres and ports (a module's connection points too)."""
    pts = []
    for m in items:
        p, _s = item_features(m)
        pts += [q for q, k, *_ in p if k in ("corner", "mid", "centre", "port", "end")]
    return np.array(pts, dtype=float).reshape(-1, 2)
