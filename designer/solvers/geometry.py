"""Layout checks with shapely: containment in the hall, overlaps, clearances, aisles, floor load.

Pure: takes a hall and settings, returns findings and per-item results. Anything may sit
inside a module (that is what modules are for); nothing else may overlap. Service
clearance zones in front of and behind racks must stay clear of other equipment,
obstructions and walls, and of the module's walls when the rack is in a walk-in module
(room, container); skids and enclosures are serviced through doors that open outwards. Aisle widths are measured from the middle of each rack face straight ahead;
an aisle finding is raised only when the next thing ahead is another rack (a wall or a
module side ahead is a clearance matter, reported as such).

All spatial queries are vectorised through shapely's STRtree, so a 1,000-rack hall is
checked in tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry import Polygon
from shapely.strtree import STRtree

from designer.model import hall as h
from designer.model import power as p
from designer.model.base import Placed
from designer.model.findings import Finding, error, warning
from designer.model.project import Settings

SOURCE = "geometry"
RAY_M = 8.0
"""Aisles are measured this far ahead; anything wider is reported as infinite (open floor)."""


@dataclass(frozen=True)
class GeometryResult:
    status: dict[str, str] = field(default_factory=dict)
    """Item id -> "error" | "warning" for items with findings."""
    aisle_front_m: dict[str, float] = field(default_factory=dict)
    """Rack id -> free distance in front of it (inf when nothing is within ``RAY_M``)."""
    aisle_rear_m: dict[str, float] = field(default_factory=dict)
    floor_load_kg_m2: dict[str, float] = field(default_factory=dict)
    """Rack or module id -> distributed floor load."""


def placed_items(hall: h.Hall) -> list[Placed]:
    pw = hall.power
    return [*hall.modules, *hall.racks, *hall.cdus, *hall.air_units, *pw.transformers,
            *pw.switchboards, *pw.ups, *pw.pdus]


def footprints(items) -> np.ndarray:
    """Footprint polygons of placed items, built in one vectorised call."""
    if not items:
        return np.array([], dtype=object)
    a = np.array([(it.x, it.y, it.width_m, it.depth_m, it.rotation_deg) for it in items], dtype=float)
    x, y, w, d, rot = a.T
    t = np.radians(rot)
    c, s = np.cos(t), np.sin(t)
    lx = np.stack([-w / 2, -w / 2, w / 2, w / 2], axis=1)
    ly = np.stack([d / 2, -d / 2, -d / 2, d / 2], axis=1)
    px = x[:, None] + c[:, None] * lx - s[:, None] * ly
    py = y[:, None] + s[:, None] * lx + c[:, None] * ly
    return shapely.polygons(np.stack([px, py], axis=2))


def _label(it) -> str:
    return it.name or it.id


def _kind(it) -> str:
    return {h.Module: "module", h.Rack: "rack", h.Cdu: "CDU", h.AirUnit: "air unit",
            p.Transformer: "transformer", p.Switchboard: "switchboard", p.Ups: "UPS",
            p.Pdu: "PDU", h.Obstruction: "obstruction"}.get(type(it), type(it).__name__)


class _Checker:
    def __init__(self, hall: h.Hall, settings: Settings, site_label: str) -> None:
        self.hall = hall
        self.settings = settings
        self.site = site_label
        self.findings: list[Finding] = []
        self.status: dict[str, str] = {}

    def add(self, f: Finding) -> None:
        self.findings.append(f)
        for i in f.item_ids:
            if self.status.get(i) != "error":
                self.status[i] = f.severity.value

    def msg(self, text: str) -> str:
        return f"{self.site}: {text}" if self.site else text

    def run(self) -> GeometryResult:
        hall = self.hall
        if len(hall.outline) < 3:
            return GeometryResult()
        room = Polygon(hall.outline)
        if not room.is_valid:
            self.add(error("geometry.outline", self.msg("the hall outline crosses itself"),
                           "redraw the outline so its edges do not cross", source=SOURCE))
            room = room.buffer(0)
        self.room_tol = room.buffer(1e-6)
        self.room = room
        self.items = placed_items(hall)
        self.polys = footprints(self.items)
        self.tree = STRtree(self.polys)
        self.obst_items = [o for o in hall.obstructions if len(o.polygon) >= 3]
        obst = []
        for o in self.obst_items:
            poly = Polygon(o.polygon)
            if not poly.is_valid:  # validation reports the crossing; measure what it covers
                poly = shapely.make_valid(poly)
            obst.append(poly)
        self.obst = np.array(obst, dtype=object)
        self.otree = STRtree(self.obst) if len(self.obst) else None
        self.module_poly = {m.id: Polygon(m.corners()) for m in hall.modules}
        # racks in walk-in modules (rooms, containers) are serviced inside them; skids and
        # enclosures open their doors outwards, so clearance may reach past their walls
        self.walk_in = {m.id: self.module_poly[m.id] for m in hall.modules
                        if m.form_factor in ("room", "container_20ft", "container_40ft")}
        self._hosting()
        self._inside()
        self._overlaps()
        self._clearances()
        af, ar = self._aisles()
        load = self._floor()
        return GeometryResult(self.status, af, ar, load)

    def _hosting(self) -> None:
        """Which items sit wholly inside which module (modules come first in ``items``).

        ``self.hosted`` holds (item index, module index) pairs; ``self.hosts`` maps each
        item id to the modules it is in, plus a rack's own ``module_id``."""
        n_mod = len(self.hall.modules)
        self.hosted: set[tuple[int, int]] = set()
        self.hosts: dict[str, set[str]] = {it.id: set() for it in self.items}
        for r in self.hall.racks:
            if r.module_id:
                self.hosts[r.id].add(r.module_id)
        if not n_mod:
            return
        tol = shapely.buffer(self.polys[:n_mod], 1e-6)
        ii, mi = STRtree(tol).query(self.polys[n_mod:], predicate="within")
        for i, m in zip((ii + n_mod).tolist(), mi.tolist(), strict=True):
            self.hosted.add((i, m))
            self.hosts[self.items[i].id].add(self.items[m].id)

    def _inside(self) -> None:
        if not len(self.polys):
            return
        ok = shapely.contains(self.room_tol, self.polys)
        for it, good in zip(self.items, ok.tolist(), strict=True):
            if not good:
                self.add(error("geometry.outside", self.msg(f"{_kind(it)} {_label(it)} is not inside the hall"),
                               "move it inside the hall outline or enlarge the outline", ids=(it.id,),
                               source=SOURCE))

    def _overlaps(self) -> None:
        if not len(self.polys):
            return
        left, right = self.tree.query(self.polys, predicate="intersects")
        keep = left < right
        left, right = left[keep], right[keep]
        if len(left):
            areas = shapely.area(shapely.intersection(self.polys[left], self.polys[right]))
            for i, j, area in zip(left.tolist(), right.tolist(), areas.tolist(), strict=True):
                a, b = self.items[i], self.items[j]
                # anything may sit inside a module, but not across its walls
                if area < 1e-6 or (i, j) in self.hosted or (j, i) in self.hosted:
                    continue
                if isinstance(a, h.Module) != isinstance(b, h.Module):  # half in, half out
                    m, it, k = (a, b, j) if isinstance(a, h.Module) else (b, a, i)
                    out = float(shapely.area(self.polys[k])) - area
                    self.add(error("geometry.overlap",
                                   self.msg(f"{_kind(it)} {_label(it)} crosses the wall of module {_label(m)}: "
                                            f"{area:.2f} m2 inside, {out:.3f} m2 outside"),
                                   "move it wholly inside the module or wholly out of it",
                                   ids=(it.id, m.id), source=SOURCE))
                    continue
                self.add(error("geometry.overlap",
                               self.msg(f"{_kind(a)} {_label(a)} overlaps {_kind(b)} {_label(b)} by {area:.2f} m2"),
                               "move one of them apart", ids=(a.id, b.id), source=SOURCE))
        if self.otree is not None:
            left, right = self.otree.query(self.polys, predicate="intersects")
            if len(left):
                areas = shapely.area(shapely.intersection(self.polys[left], self.obst[right]))
                for i, j, area in zip(left.tolist(), right.tolist(), areas.tolist(), strict=True):
                    if area > 1e-6:
                        o = self.obst_items[j]
                        it = self.items[i]
                        self.add(error("geometry.obstruction",
                                       self.msg(f"{_kind(it)} {_label(it)} overlaps {o.kind} {_label(o)} "
                                                f"by {area:.2f} m2"),
                                       "move it clear of the obstruction", ids=(it.id, o.id), source=SOURCE))

    def _rack_faces(self):
        """Per rack and side (front first, then rear): the face's two corners and the unit
        normal pointing out of it, as (2n, 2) arrays; computed once, vectorised."""
        if getattr(self, "_faces", None) is None:
            racks = self.hall.racks
            a = np.array([(r.x, r.y, r.width_m, r.depth_m, r.rotation_deg) for r in racks], dtype=float)
            x, y, w, d, rot = a.T
            t = np.radians(rot)
            c, sn = np.cos(t), np.sin(t)
            nrm = np.stack([-sn, c], axis=1)  # the front normal (rotation 0 -> +y)
            ex = np.stack([c, sn], axis=1) * (w / 2)[:, None]  # half-width along the face
            ctr = np.stack([x, y], axis=1)
            ff = ctr + nrm * (d / 2)[:, None]
            bf = ctr - nrm * (d / 2)[:, None]
            # faces in the same order as corners(): front (FL, FR), rear (BL, BR)
            p1 = np.concatenate([ff - ex, bf - ex])
            p2 = np.concatenate([ff + ex, bf + ex])
            out = np.concatenate([nrm, -nrm])
            self._faces = (p1, p2, out)
        return self._faces

    def _clearances(self) -> None:
        racks = self.hall.racks
        if not racks:
            return
        p1, p2, out = self._rack_faces()
        n = len(racks)
        need = np.array([r.clearance_front_m for r in racks] + [r.clearance_rear_m for r in racks])
        keep = np.nonzero(need > 0)[0]
        if not len(keep):
            return
        off = out[keep] * need[keep][:, None]
        quad = np.stack([p1[keep], p2[keep], p2[keep] + off, p1[keep] + off], axis=1)
        zones_arr = shapely.polygons(quad)
        zones = list(zones_arr)
        owners = [(racks[k % n], k < n, float(need[k])) for k in keep.tolist()]
        shrunk = shapely.buffer(zones_arr, -1e-4)
        hits: list[list[str]] = [[] for _ in zones]
        zi, ii = self.tree.query(shrunk, predicate="intersects")
        for z, k in zip(zi.tolist(), ii.tolist(), strict=True):
            r = owners[z][0]
            other = self.items[k]
            if other.id == r.id or other.id == r.module_id:
                continue
            if isinstance(other, h.Module) and other.id in self.hosts[r.id]:
                continue  # the walls of the rack's own module are checked below
            hits[z].append(_label(other))
        if self.otree is not None:
            zi, oi = self.otree.query(shrunk, predicate="intersects")
            for z, k in zip(zi.tolist(), oi.tolist(), strict=True):
                hits[z].append(_label(self.obst_items[k]))
        inside = shapely.contains(self.room_tol, zones_arr)
        for z, (r, front, need) in enumerate(owners):
            if not inside[z]:
                hits[z].append("the hall wall")
            mp = self.walk_in.get(r.module_id or "")
            if mp is not None and not mp.buffer(1e-6).contains(zones[z]):
                hits[z].append("the module wall")
            if hits[z]:
                side = "front" if front else "rear"
                names = sorted(set(hits[z]))
                shown = ", ".join(names[:3]) + (" ..." if len(names) > 3 else "")
                self.add(warning("geometry.clearance",
                                 self.msg(f"rack {_label(r)}: the {need:.2f} m {side} service clearance is "
                                          f"blocked by {shown}"),
                                 f"keep {need:.2f} m clear {'in front of' if front else 'behind'} the rack",
                                 ids=(r.id,), source=SOURCE))

    def _aisles(self) -> tuple[dict[str, float], dict[str, float]]:
        racks = self.hall.racks
        af: dict[str, float] = {}
        ar: dict[str, float] = {}
        if not racks:
            return af, ar
        p1, p2, out = self._rack_faces()
        n = len(racks)
        mid = (p1 + p2) / 2
        rays_arr = shapely.linestrings(np.stack([mid + out * 1e-4, mid + out * RAY_M], axis=1))
        orig_arr = shapely.points(mid)
        owners = [(racks[k % n], k < n) for k in range(2 * n)]
        best = np.full(2 * n, np.inf)
        best_is_rack = np.zeros(2 * n, dtype=bool)
        ri, ii = self.tree.query(rays_arr, predicate="intersects")
        if len(ri):
            d = shapely.distance(orig_arr[ri], shapely.intersection(self.polys[ii], rays_arr[ri]))
            for z, k, dist in zip(ri.tolist(), ii.tolist(), d.tolist(), strict=True):
                other = self.items[k]
                r = owners[z][0]
                if other.id == r.id or (isinstance(other, h.Module) and other.id in self.hosts[r.id]):
                    continue  # a ray leaves the rack's own module through its wall (see walls)
                if dist < best[z]:
                    best[z] = dist
                    best_is_rack[z] = isinstance(other, h.Rack)
        walls = [self.room.exterior] + [mp.exterior for mp in self.walk_in.values()]
        if self.otree is not None:
            walls += list(self.obst)
        wall_tree = STRtree(np.array(walls, dtype=object))
        ri, wi = wall_tree.query(rays_arr, predicate="intersects")
        if len(ri):
            wall_arr = np.array(walls, dtype=object)
            d = shapely.distance(orig_arr[ri], shapely.intersection(wall_arr[wi], rays_arr[ri]))
            for z, dist in zip(ri.tolist(), d.tolist(), strict=True):
                if dist < best[z]:
                    best[z] = dist
                    best_is_rack[z] = False
        for z, (r, front) in enumerate(owners):
            dist = float(best[z])
            (af if front else ar)[r.id] = dist
            lim = self.settings.min_cold_aisle_m if front else self.settings.min_hot_aisle_m
            if best_is_rack[z] and 1e-6 < dist < lim - 1e-6:
                kind = "cold" if front else "hot"
                self.add(warning("geometry.aisle",
                                 self.msg(f"rack {_label(r)}: the {kind} aisle {'in front' if front else 'behind'}"
                                          f" is {dist:.2f} m wide, less than {lim:.2f} m"),
                                 f"widen the aisle to at least {lim:.2f} m", ids=(r.id,), source=SOURCE))
        return af, ar

    def _floor(self) -> dict[str, float]:
        """Distributed load over footprint plus half the service clearances front and rear;
        racks inside a module add to the module's load instead."""
        hall = self.hall
        load: dict[str, float] = {}
        in_module: dict[str, float] = {}
        by_id = {}
        for r in hall.racks:
            by_id[r.id] = r
            if r.module_id:
                in_module[r.module_id] = in_module.get(r.module_id, 0.0) + r.weight_kg
                continue
            area = r.width_m * (r.depth_m + (r.clearance_front_m + r.clearance_rear_m) / 2)
            if area > 0:
                load[r.id] = r.weight_kg / area
        for m in hall.modules:
            by_id[m.id] = m
            area = m.width_m * m.depth_m
            if area > 0:
                load[m.id] = (m.weight_kg + in_module.get(m.id, 0.0)) / area
        rating = hall.floor_rating_kg_m2
        if rating > 0:
            for iid, v in load.items():
                if v > rating:
                    it = by_id[iid]
                    self.add(warning("geometry.floor_load",
                                     self.msg(f"{_kind(it)} {_label(it)} loads the floor with {v:.0f} kg/m2, "
                                              f"above the rated {rating:.0f} kg/m2"),
                                     "spread the load (spreader plates, wider pitch) or confirm a higher "
                                     "floor rating", ids=(iid,), source=SOURCE))
        return load


def check_hall(hall: h.Hall, settings: Settings, site_label: str = "") -> tuple[list[Finding], GeometryResult]:
    """All layout findings of one hall, and per-item measurements."""
    c = _Checker(hall, settings, site_label)
    res = c.run()
    return c.findings, res
