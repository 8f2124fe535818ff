"""Semantic validation of a project: ids, references and physical plausibility.

Returns findings, never raises. Each finding names the JSON path of the offending value,
what is wrong and how to fix it. Structural problems (wrong types, unknown fields) are
caught earlier, when the file is parsed (:mod:`designer.io.files`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from designer.model import hall as h
from designer.model import power as p
from designer.model.base import DModel, Point
from designer.model.findings import Finding, error, warning
from designer.model.limits import hall_span_findings, magnitude_findings, size_findings
from designer.model.project import DataSource, Link, Project, Settings, Site, Workload
from designer.model.registry import ItemLoc, iter_items

# Plausibility rules per type: field -> (kind, lo, hi). Kinds:
#   "pos"   strictly positive       "nonneg"  zero or more
#   "frac"  between 0 and 1         "range"   between lo and hi (inclusive)
_PLACED = {"width_m": ("pos",), "depth_m": ("pos",)}
RULES: dict[type, dict[str, tuple]] = {
    h.Module: {**_PLACED, "height_m": ("pos",), "weight_kg": ("nonneg",),
               "it_capacity_kw": ("nonneg",), "cooling_capacity_kw": ("nonneg",),
               "rack_positions": ("nonneg",)},
    h.Rack: {**_PLACED, "height_u": ("pos",), "weight_kg": ("nonneg",),
             "it_load_kw": ("nonneg",), "accelerators": ("nonneg",), "power_factor": ("range", 0.5, 1.0),
             "liquid_fraction": ("frac",), "design_delta_t_air_k": ("pos",),
             "design_delta_t_liquid_k": ("pos",), "max_supply_temp_c": ("range", 0.0, 90.0),
             "cold_plate_dp_kpa": ("nonneg",), "cold_plate_rated_flow_lpm": ("nonneg",),
             "valve_k": ("nonneg",), "feed_split_a": ("frac",),
             "clearance_front_m": ("nonneg",), "clearance_rear_m": ("nonneg",),
             "height_m": ("range", 0.3, 4.0), "recirculation_fraction": ("range", 0.0, 0.9),
             "bypass_fraction": ("range", 0.0, 0.9)},
    h.AirUnit: {**_PLACED, "height_m": ("range", 0.2, 6.0), "capacity_kw": ("nonneg",),
                "airflow_m3s": ("nonneg",), "supply_temp_c": ("range", 5.0, 45.0)},
    h.Containment: {"height_m": ("range", 0.5, 10.0), "leak_area_m2_per_m2": ("range", 0.0, 0.5)},
    h.FloorTile: {**_PLACED, "open_fraction": ("range", 0.01, 1.0)},
    h.CeilingGrille: {**_PLACED, "open_fraction": ("range", 0.01, 1.0)},
    h.RaisedFloor: {"height_m": ("range", 0.1, 3.0), "leak_area_m2_per_m2": ("range", 0.0, 0.5)},
    h.CeilingPlenum: {"height_m": ("range", 0.1, 5.0), "leak_area_m2_per_m2": ("range", 0.0, 0.5)},
    h.Cdu: {**_PLACED, "capacity_kw": ("pos",), "approach_k": ("nonneg",),
            "facility_supply_temp_c": ("range", 2.0, 70.0), "hx_dp_kpa": ("nonneg",),
            "rated_flow_lpm": ("pos",), "heat_to_air_kw": ("nonneg",)},
    h.Pipe: {"diameter_m": ("pos",), "roughness_m": ("nonneg",), "minor_k": ("nonneg",),
             "extra_length_m": ("nonneg",)},
    p.PowerSource: {**_PLACED, "capacity_kva": ("pos",), "voltage_v": ("pos",),
                    "voltage_setpoint_pu": ("range", 0.9, 1.1)},
    h.WaterSupply: {**_PLACED, "supply_temp_c": ("range", 2.0, 70.0), "capacity_kw": ("pos",),
                    "design_delta_t_k": ("range", 1.0, 30.0)},
    p.Transformer: {**_PLACED, "rating_kva": ("pos",), "primary_v": ("pos",),
                    "secondary_v": ("pos",), "impedance_pct": ("range", 0.5, 25.0),
                    "x_r_ratio": ("pos",), "no_load_loss_kw": ("nonneg",),
                    "load_loss_kw": ("nonneg",), "tap_pct": ("range", -10.0, 10.0),
                    "heat_to_air_kw": ("nonneg",)},
    p.Switchboard: {**_PLACED, "rating_a": ("pos",), "voltage_v": ("pos",), "heat_to_air_kw": ("nonneg",)},
    p.Ups: {**_PLACED, "module_kw": ("pos",), "module_count": ("pos",),
            "redundant_modules": ("nonneg",), "efficiency": ("range", 0.5, 1.0),
            "power_factor": ("range", 0.5, 1.0), "runtime_min": ("nonneg",),
            "voltage_v": ("pos",), "heat_to_air_kw": ("nonneg",)},
    p.Pdu: {**_PLACED, "rating_kva": ("pos",), "breaker_a": ("pos",), "voltage_v": ("pos",),
            "efficiency": ("range", 0.5, 1.0), "heat_to_air_kw": ("nonneg",)},
    p.Busway: {"rating_a": ("pos",), "voltage_v": ("pos",), "r_ohm_per_km": ("nonneg",),
               "x_ohm_per_km": ("nonneg",)},
    p.BuswayTap: {"offset_m": ("nonneg",), "breaker_a": ("pos",)},
    Workload: {"latency_budget_ms": ("pos",), "data_rate_gbps": ("nonneg",),
               "it_power_kw": ("nonneg",), "accelerators": ("nonneg",), "rack_positions": ("nonneg",),
               "processing_ms": ("nonneg",)},
    DataSource: {"access_delay_ms": ("nonneg",)},
    Link: {"route_km": ("nonneg",), "route_factor": ("range", 1.0, 10.0), "hops": ("nonneg",),
           "per_hop_us": ("nonneg",), "access_delay_ms": ("nonneg",)},
    Settings: {"air_cell_m": ("range", 0.05, 2.0), "velocity_limit_mps": ("pos",),
               "min_cold_aisle_m": ("nonneg",), "min_hot_aisle_m": ("nonneg",),
               "fibre_us_per_km": ("pos",), "default_route_factor": ("range", 1.0, 10.0),
               "default_hops": ("nonneg",), "default_hop_us": ("nonneg",),
               "backhaul_cost_per_gbps_km": ("nonneg",)},
    Site: {"utility_capacity_kw": ("nonneg",), "cost_per_kw_month": ("nonneg",)},
}

# Valid pipe-end ports: (item kind, primary side?) -> ports
_PORTS = {
    ("rack", False): ("supply", "return"), ("rack", True): (),
    ("cdu", False): ("supply", "return"), ("cdu", True): ("facility_supply", "facility_return"),
    ("junction", False): ("node",), ("junction", True): ("node",),
    ("water_supply", False): (), ("water_supply", True): ("supply", "return"),
}

_FIX = {
    "pos": "enter a value greater than zero",
    "nonneg": "enter zero or a positive value",
    "frac": "enter a fraction between 0 and 1 (for example 0.8 for 80 %)",
}


def _check_value(v, rule: tuple) -> str | None:
    if v is None or isinstance(v, bool):
        return None
    kind = rule[0]
    if kind == "pos" and not v > 0:
        return f"must be greater than zero, is {v}"
    if kind == "nonneg" and v < 0:
        return f"must not be negative, is {v}"
    if kind == "frac" and not 0 <= v <= 1:
        return f"must be between 0 and 1, is {v}"
    if kind == "range" and not rule[1] <= v <= rule[2]:
        return f"must be between {rule[1]} and {rule[2]}, is {v}"
    return None


def _fix(rule: tuple) -> str:
    if rule[0] == "range":
        return f"enter a value between {rule[1]} and {rule[2]}"
    return _FIX[rule[0]]


def check_fields(obj: DModel, path: str, ids: tuple[str, ...] = ()) -> list[Finding]:
    """Plausibility of the numeric fields of ``obj`` per :data:`RULES`."""
    out = []
    for name, rule in RULES.get(type(obj), {}).items():
        msg = _check_value(getattr(obj, name), rule)
        if msg:
            out.append(error("value.range", f"{name} {msg}", _fix(rule), f"{path}.{name}", ids))
    return out


def point_in_polygon(pt: Point, poly: list[Point]) -> bool:
    """Even-odd ray casting; points on the boundary count as inside."""
    x, y = pt
    inside = False
    n = len(poly)
    for i in range(n):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % n]
        # on the segment?
        cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
        if abs(cross) < 1e-9 and min(x1, x2) - 1e-9 <= x <= max(x1, x2) + 1e-9 \
                and min(y1, y2) - 1e-9 <= y <= max(y1, y2) + 1e-9:
            return True
        if (y1 > y) != (y2 > y):
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
            if x < xi:
                inside = not inside
    return inside


def points_in_polygon(pts, poly: list[Point]):
    """Vectorised :func:`point_in_polygon` for an (n, 2) array; boundary counts as inside."""
    import numpy as np

    pts = np.asarray(pts, dtype=float).reshape(-1, 2)
    x, y = pts[:, 0], pts[:, 1]
    inside = np.zeros(len(pts), dtype=bool)
    on_edge = np.zeros(len(pts), dtype=bool)
    n = len(poly)
    # absurd coordinates (1e308) overflow to inf / nan: such points simply test outside
    with np.errstate(all="ignore"):
        for i in range(n):
            x1, y1 = poly[i]
            x2, y2 = poly[(i + 1) % n]
            cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
            on_edge |= (np.abs(cross) < 1e-9) & (x >= min(x1, x2) - 1e-9) & (x <= max(x1, x2) + 1e-9) \
                & (y >= min(y1, y2) - 1e-9) & (y <= max(y1, y2) + 1e-9)
            crosses = (y1 > y) != (y2 > y)
            xi = x1 + (y - y1) * (x2 - x1) / (y2 - y1 if y2 != y1 else 1.0)
            inside ^= crosses & (x < xi)
    return inside | on_edge


def polygon_area(poly: list[Point]) -> float:
    """Signed area (positive when counter-clockwise)."""
    a = 0.0
    for i in range(len(poly)):
        x1, y1 = poly[i]
        x2, y2 = poly[(i + 1) % len(poly)]
        a += x1 * y2 - x2 * y1
    return a / 2.0


def _check_polygon(poly: list[Point], path: str, what: str, ids=(), crossing: bool = True) -> list[Finding]:
    """Enough corners, an area, and (``crossing``) no edges that cross. A crossing hall
    outline is reported by the layout checks (designer.solvers.geometry) instead."""
    if len(poly) < 3:
        return [error("geometry.polygon", f"{what} needs at least 3 points, has {len(poly)}",
                      "draw the outline again with three or more corners", path, ids)]
    if abs(polygon_area(poly)) < 1e-6:
        return [error("geometry.polygon", f"{what} has zero area",
                      "move its corners apart", path, ids)]
    if crossing and _crosses_itself(poly):
        return [error("geometry.polygon", f"{what} crosses itself",
                      "redraw it so that its edges do not cross", path, ids)]
    return []


MAX_CROSSING_CHECK = 400
"""Polygons with more corners than this are not checked for crossing edges (quadratic)."""


def _crosses_itself(poly: list[Point]) -> bool:
    """True when two edges that do not share a corner cross or touch (a bow tie)."""
    n = len(poly)
    if n < 4 or n > MAX_CROSSING_CHECK:
        return False

    def orient(a, b, c) -> float:
        return (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])

    def on(a, b, c) -> bool:
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    edges = [(poly[i], poly[(i + 1) % n]) for i in range(n)]
    for i in range(n):
        a, b = edges[i]
        for j in range(i + 2, n):
            if i == 0 and j == n - 1:
                continue  # neighbours through the closing edge
            c, d = edges[j]
            o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
            if ((o1 > 0) != (o2 > 0) and o1 != 0 and o2 != 0) and ((o3 > 0) != (o4 > 0) and o3 != 0 and o4 != 0):
                return True
            if (o1 == 0 and on(a, b, c)) or (o2 == 0 and on(a, b, d)) or (o3 == 0 and on(c, d, a)) \
                    or (o4 == 0 and on(c, d, b)):
                return True
    return False


class _Validator:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.findings: list[Finding] = []
        self.locs: dict[str, ItemLoc] = {}

    def add(self, f: Finding) -> None:
        self.findings.append(f)

    def run(self) -> list[Finding]:
        pr = self.project
        for loc in iter_items(pr):
            iid = loc.item.id  # type: ignore[attr-defined]
            if iid in self.locs:
                first = self.locs[iid]
                self.add(error("id.duplicate",
                               f"id '{iid}' is already used by the {first.kind} at {first.json_path}",
                               "give one of them a new, unique id", f"{loc.json_path}.id", (iid,)))
            else:
                self.locs[iid] = loc
            jp = loc.json_path
            self.findings += check_fields(loc.item, jp, (iid,))
            self.findings += magnitude_findings(loc.item, jp, (iid,))
            self.findings += size_findings(loc.item, jp, (iid,))
        self.findings += check_fields(pr.settings, "settings")
        self.findings += magnitude_findings(pr.settings, "settings")
        for si, site in enumerate(pr.sites):
            self.findings += hall_span_findings(site.hall.outline, f"sites[{si}].hall.outline", (site.id,))
        for si, site in enumerate(pr.sites):
            self._site(si, site)
        self._project_refs()
        return self.findings

    # -- references --------------------------------------------------------------------
    def _ref(self, ref: str | None, kinds: Iterable[str], path: str, owner: str,
             site_index: int | None = None, what: str = "") -> ItemLoc | None:
        """Check that ``ref`` names an item of one of ``kinds`` (in the same site)."""
        if ref is None:
            return None
        kinds = tuple(kinds)
        loc = self.locs.get(ref)
        want = " or ".join(k.replace("_", " ") for k in kinds)
        if loc is None:
            self.add(error("ref.dangling", f"{what or 'reference'} '{ref}' names no {want}",
                           f"pick an existing {want} or clear the field", path, (owner,)))
            return None
        if loc.kind not in kinds:
            self.add(error("ref.kind", f"'{ref}' is a {loc.kind.replace('_', ' ')}, not a {want}",
                           f"pick a {want}", path, (owner,)))
            return None
        if site_index is not None and loc.site_index is not None and loc.site_index != site_index:
            self.add(error("ref.site", f"'{ref}' is in another site's hall",
                           f"pick a {want} in the same hall", path, (owner,)))
            return None
        return loc

    def _site(self, si: int, site: Site) -> None:
        sp = f"sites[{si}]"
        hall = site.hall
        hp = f"{sp}.hall"
        loc = site.location
        if not -90 <= loc.lat <= 90:
            self.add(error("value.range", f"latitude must be between -90 and 90, is {loc.lat}",
                           "enter the latitude in decimal degrees", f"{sp}.location.lat", (site.id,)))
        if not -180 <= loc.lon <= 180:
            self.add(error("value.range", f"longitude must be between -180 and 180, is {loc.lon}",
                           "enter the longitude in decimal degrees", f"{sp}.location.lon", (site.id,)))
        if site.core_site_id is not None:
            self._ref(site.core_site_id, ("site",), f"{sp}.core_site_id", site.id, what="core site")
        outline_bad = _check_polygon(hall.outline, f"{hp}.outline", "hall outline", (site.id,), crossing=False)
        outline_ok = not outline_bad
        self.findings += outline_bad
        if hall.floor_rating_kg_m2 <= 0:
            self.add(error("value.range", f"floor rating must be greater than zero, is {hall.floor_rating_kg_m2}",
                           "enter the floor's rated load in kg/m2", f"{hp}.floor_rating_kg_m2", (site.id,)))
        if hall.grid.snap_m < 0:
            self.add(error("value.range", "grid snap must not be negative", "enter 0 (off) or a step in metres",
                           f"{hp}.grid.snap_m", (site.id,)))
        for i, o in enumerate(hall.obstructions):
            self.findings += _check_polygon(o.polygon, f"{hp}.obstructions[{i}].polygon", "obstruction", (o.id,))
        for i, c in enumerate(hall.containments):
            self.findings += _check_polygon(c.polygon, f"{hp}.containments[{i}].polygon", "containment", (c.id,))
        for i, d in enumerate(hall.dimensions):
            if d.length_m < 1e-6:
                self.add(warning("dimension.zero", "a dimension measures two points in the same place",
                                 "drag one of its ends, or delete it", f"{hp}.dimensions[{i}].end", (d.id,)))
        self._air_side(si, site)
        rack_inside = []
        if outline_ok and hall.racks:
            import numpy as np

            corners = np.array([r.corners() for r in hall.racks], dtype=float).reshape(-1, 2)
            rack_inside = points_in_polygon(corners, hall.outline).reshape(-1, 4).all(axis=1).tolist()
        for i, r in enumerate(hall.racks):
            rp = f"{hp}.racks[{i}]"
            self._ref(r.module_id, ("module",), f"{rp}.module_id", r.id, si, "module")
            for side in ("a", "b"):
                feed = getattr(r, f"feed_{side}")
                if feed is not None:
                    self._ref(feed.source_id, ("pdu", "tap"), f"{rp}.feed_{side}.source_id", r.id, si,
                              f"feed {side.upper()} source")
                    if feed.breaker_a <= 0:
                        self.add(error("value.range", f"feed {side.upper()} breaker must be greater than zero",
                                       "enter the cord's breaker rating in A", f"{rp}.feed_{side}.breaker_a", (r.id,)))
                    if feed.cable_length_m is not None and feed.cable_length_m < 0:
                        self.add(error("value.range", f"feed {side.upper()} cable length must not be negative",
                                       "enter a length in metres, or clear it to route on the plan",
                                       f"{rp}.feed_{side}.cable_length_m", (r.id,)))
            if r.liquid_fraction > 0 and r.it_load_kw > 0 and (
                    r.cold_plate_rated_flow_lpm <= 0 or r.cold_plate_dp_kpa <= 0):
                self.add(warning("rack.cold_plate", "liquid-cooled rack has no cold-plate rating",
                                 "enter the cold-plate pressure drop at its rated flow",
                                 f"{rp}.cold_plate_dp_kpa", (r.id,)))
            if outline_ok and not rack_inside[i]:
                self.add(error("geometry.outside", f"rack '{r.name or r.id}' is not inside the hall outline",
                               "move it inside the hall or enlarge the outline", f"{rp}.x", (r.id,)))
        for i, m in enumerate(hall.modules):
            if outline_ok and not all(points_in_polygon(m.corners(), hall.outline)):
                self.add(error("geometry.outside", f"module '{m.name or m.id}' is not inside the hall outline",
                               "move it inside the hall or enlarge the outline", f"{hp}.modules[{i}].x", (m.id,)))
        for i, a in enumerate(hall.air_units):
            self._ref(a.rack_id, ("rack",), f"{hp}.air_units[{i}].rack_id", a.id, si, "rack")
            if a.kind == "rear_door" and a.rack_id is None:
                self.add(error("ref.missing", "a rear-door heat exchanger must name its rack",
                               "set rack_id to the rack it is mounted on", f"{hp}.air_units[{i}].rack_id", (a.id,)))
        for i, c in enumerate(hall.cdus):
            self._pump(c, f"{hp}.cdus[{i}].pump")
            self._ref(c.facility_id, ("water_supply",), f"{hp}.cdus[{i}].facility_id", c.id, si, "facility water")
        self._members(si, site)
        for i, pipe in enumerate(hall.pipes):
            pp = f"{hp}.pipes[{i}]"
            for end in ("start", "end"):
                ref = getattr(pipe, end)
                loc2 = self._ref(ref.item_id, ("rack", "cdu", "junction", "water_supply"), f"{pp}.{end}.item_id",
                                 pipe.id, si, f"pipe {end}")
                if loc2 is not None:
                    primary = pipe.role in ("facility_supply", "facility_return")
                    good = _PORTS[(loc2.kind, primary)]
                    if ref.port not in good:
                        where = " on a facility water pipe" if primary else ""
                        fix = (f"use port {' or '.join(good)}" if good else
                               f"a {loc2.kind.replace('_', ' ')} cannot end a {pipe.role.replace('_', ' ')} pipe")
                        self.add(error("ref.port", f"a {loc2.kind.replace('_', ' ')}'s port cannot be "
                                       f"'{ref.port}'{where}", fix, f"{pp}.{end}.port", (pipe.id,)))
            if pipe.start == pipe.end:
                self.add(error("pipe.loop", "pipe starts and ends at the same port",
                               "connect it to another port or delete it", pp, (pipe.id,)))
        self._power(si, site)

    def _air_side(self, si: int, site: Site) -> None:
        """Plenums, tiles, grilles and unit air paths: what the air model needs to exist."""
        hall = site.hall
        hp = f"sites[{si}].hall"
        if hall.height_m <= 0 or hall.height_m > 30:
            self.add(error("value.range", f"hall clear height must be between 0 and 30 m, is {hall.height_m}",
                           "enter the height from floor to ceiling in metres", f"{hp}.height_m", (site.id,)))
        for attr in ("raised_floor", "ceiling_plenum"):
            obj = getattr(hall, attr)
            if obj is not None:
                self.findings += check_fields(obj, f"{hp}.{attr}", (site.id,))
        if hall.floor_tiles and hall.raised_floor is None:
            self.add(error("air.tile.no_floor", f"{len(hall.floor_tiles)} floor tile(s) but the hall has no "
                           "raised floor", "give the hall a raised floor (hall.raised_floor) or delete the tiles",
                           f"{hp}.floor_tiles", tuple(t.id for t in hall.floor_tiles)))
        if hall.ceiling_grilles and hall.ceiling_plenum is None:
            self.add(error("air.grille.no_plenum", f"{len(hall.ceiling_grilles)} ceiling grille(s) but the hall "
                           "has no ceiling plenum", "give the hall a ceiling plenum (hall.ceiling_plenum) or "
                           "delete the grilles", f"{hp}.ceiling_grilles", tuple(g.id for g in hall.ceiling_grilles)))
        for i, a in enumerate(hall.air_units):
            if a.kind == "rear_door":
                continue
            if a.discharge == "underfloor" and hall.raised_floor is None:
                self.add(error("air.unit.no_floor", f"air unit '{a.name or a.id}' discharges under the floor but "
                               "the hall has no raised floor", "give the hall a raised floor, or set the unit's "
                               "discharge to front or top", f"{hp}.air_units[{i}].discharge", (a.id,)))
            if a.intake == "ceiling_plenum" and hall.ceiling_plenum is None:
                self.add(error("air.unit.no_plenum", f"air unit '{a.name or a.id}' returns from the ceiling "
                               "plenum but the hall has none", "give the hall a ceiling plenum, or set the "
                               "unit's intake to top or rear", f"{hp}.air_units[{i}].intake", (a.id,)))
            if a.height_m > hall.height_m + 1e-9:
                self.add(error("air.unit.too_tall", f"air unit '{a.name or a.id}' is {a.height_m:g} m tall in a "
                               f"{hall.height_m:g} m room", "lower the unit's height or raise the hall's",
                               f"{hp}.air_units[{i}].height_m", (a.id,)))
        for i, r in enumerate(hall.racks):
            if r.outer_height_m() > hall.height_m + 1e-9:
                self.add(error("air.rack.too_tall", f"rack '{r.name or r.id}' is {r.outer_height_m():.2f} m tall "
                               f"in a {hall.height_m:g} m room", "use a shorter rack or raise the hall's height",
                               f"{hp}.racks[{i}].height_m", (r.id,)))

    def _members(self, si: int, site: Site) -> None:
        """Module membership and module connection points."""
        from designer.model.registry import HALL_COLLECTIONS, hall_container

        hp = f"sites[{si}].hall"
        for coll in HALL_COLLECTIONS:
            if coll.kind == "rack":
                continue  # checked with the racks
            for i, it in enumerate(hall_container(site.hall, coll)):
                mid = getattr(it, "module_id", None)
                if mid is not None:
                    self._ref(mid, ("module",), f"{hp}.{coll.json_attr}[{i}].module_id", it.id, si, "module")
        for i, m in enumerate(site.hall.modules):
            seen: set[str] = set()
            for k, conn in enumerate(m.connections):
                cp = f"{hp}.modules[{i}].connections[{k}]"
                if conn.id in seen:
                    self.add(error("module.connection.duplicate", f"module '{m.name or m.id}' has two connection "
                                   f"points named '{conn.id}'", "give each connection point its own id",
                                   f"{cp}.id", (m.id,)))
                seen.add(conn.id)
                kinds = (("cdu",) if conn.kind.startswith(("water", "loop")) else
                         ("transformer", "switchboard", "ups", "pdu", "busway"))
                for j, ref in enumerate(conn.item_ids):
                    loc = self._ref(ref, kinds, f"{cp}.item_ids[{j}]", m.id, si, f"connection {conn.id}")
                    if loc is not None and getattr(loc.item, "module_id", None) != m.id:
                        self.add(error("module.connection.outside", f"connection {conn.id} of module "
                                       f"'{m.name or m.id}' names '{ref}', which is not part of the module",
                                       "name an item of the module, or add the item to the module",
                                       f"{cp}.item_ids[{j}]", (m.id, ref)))

    def _pump(self, cdu: h.Cdu, path: str) -> None:
        pump = cdu.pump
        if not pump.curve:
            self.add(error("pump.curve", "pump curve has no points",
                           "enter at least one (flow, head) point", f"{path}.curve", (cdu.id,)))
        else:
            q = [pt[0] for pt in pump.curve]
            hd = [pt[1] for pt in pump.curve]
            if any(b <= a for a, b in zip(q, q[1:], strict=False)) or any(b >= a for a, b in zip(hd, hd[1:], strict=False)):
                self.add(error("pump.curve", "pump curve must have rising flows and falling heads",
                               "sort the points by flow; head must fall as flow rises", f"{path}.curve", (cdu.id,)))
            if any(v < 0 for v in q + hd) or max(hd) <= 0:
                self.add(error("pump.curve", "pump curve has negative or zero values",
                               "enter flows in L/min and heads in kPa, all positive", f"{path}.curve", (cdu.id,)))
        if pump.count < 1:
            self.add(error("value.range", "a CDU needs at least one pump", "set count to 1 or more",
                           f"{path}.count", (cdu.id,)))
        if not 0 <= pump.redundant < max(pump.count, 1):
            self.add(error("value.range", f"standby pumps ({pump.redundant}) must be fewer than pumps ({pump.count})",
                           "lower redundant or add pumps", f"{path}.redundant", (cdu.id,)))
        if not 0 < pump.speed_fraction <= 1.2:
            self.add(error("value.range", f"pump speed fraction must be in (0, 1.2], is {pump.speed_fraction}",
                           "enter the speed as a fraction of full speed", f"{path}.speed_fraction", (cdu.id,)))

    def _power(self, si: int, site: Site) -> None:
        pw = site.hall.power
        hp = f"sites[{si}].hall.power"
        upstream_kinds = ("source", "transformer", "switchboard", "ups", "pdu")
        parent: dict[str, str | None] = {}
        paths: dict[str, str] = {}
        for attr in ("transformers", "switchboards", "ups", "pdus", "busways"):
            for i, e in enumerate(getattr(pw, attr)):
                path = f"{hp}.{attr}[{i}]"
                if e.upstream_id is None:
                    self.add(warning("power.unfed", f"{e.name or e.id} has no upstream supply",
                                     "connect it to a source, transformer, switchboard or UPS",
                                     f"{path}.upstream_id", (e.id,)))
                else:
                    self._ref(e.upstream_id, upstream_kinds, f"{path}.upstream_id", e.id, si, "upstream")
                parent[e.id] = e.upstream_id
                paths.setdefault(e.id, path)
                if e.alternate_upstream_id is not None:
                    self._ref(e.alternate_upstream_id, upstream_kinds, f"{path}.alternate_upstream_id",
                              e.id, si, "alternate upstream")
                cab = e.feeder
                if cab.length_m is not None and cab.length_m < 0:
                    self.add(error("value.range", "feeder length must not be negative",
                                   "enter a length in metres, or clear it to route on the plan",
                                   f"{path}.feeder.length_m", (e.id,)))
                if cab.r_ohm_per_km < 0 or cab.x_ohm_per_km < 0 or cab.parallel_sets < 1:
                    self.add(error("value.range", "feeder impedance must not be negative and sets must be 1 or more",
                                   "enter the cable's data-sheet values", f"{path}.feeder", (e.id,)))
                if cab.grouping_factor is not None and not 0.1 <= cab.grouping_factor <= 1.0:
                    self.add(error("value.range", f"feeder grouping factor {cab.grouping_factor:g} is outside "
                                   "0.1-1 (the standard's tables)", "enter the factor from the grouping table, "
                                   "or clear it to take it from the table", f"{path}.feeder.grouping_factor", (e.id,)))
                if not -40.0 <= cab.ambient_c <= 80.0:
                    self.add(error("value.range", f"feeder ambient {cab.ambient_c:g} degC is outside -40-80 degC",
                                   "enter the air temperature around the cable", f"{path}.feeder.ambient_c", (e.id,)))
                if cab.conductor_mm2 is not None and not cab.conductor_mm2 > 0:
                    self.add(error("value.range", "feeder conductor size must be positive",
                                   "enter the cross-section in mm2, or clear it", f"{path}.feeder.conductor_mm2",
                                   (e.id,)))
        for i, u in enumerate(pw.ups):
            if u.redundant_modules >= u.module_count > 0:
                self.add(error("value.range", f"redundant modules ({u.redundant_modules}) must be fewer than "
                                              f"modules ({u.module_count})", "lower redundant_modules",
                               f"{hp}.ups[{i}].redundant_modules", (u.id,)))
        for i, t in enumerate(pw.taps):
            bl = self._ref(t.busway_id, ("busway",), f"{hp}.taps[{i}].busway_id", t.id, si, "busway")
            if bl is not None:
                bw = bl.item
                length = sum(math.dist(a, b) for a, b in zip(bw.path, bw.path[1:], strict=False))  # type: ignore[attr-defined]
                if bw.path and t.offset_m > length + 1e-9:  # type: ignore[attr-defined]
                    self.add(error("value.range", f"tap offset {t.offset_m} m is beyond the busway's end "
                                                  f"({length:.2f} m)", "enter an offset along the busway",
                                   f"{hp}.taps[{i}].offset_m", (t.id,)))
        for i, b in enumerate(pw.busways):
            if len(b.path) < 2:
                self.add(error("geometry.path", "busway path needs at least two points",
                               "draw the busway on the plan", f"{hp}.busways[{i}].path", (b.id,)))
        # cycles in the upstream chain: report each element that is on a loop (not those
        # merely fed from one), at its upstream_id, naming the whole loop
        for start in parent:
            chain = [start]
            cur = parent.get(start)
            while cur is not None and cur in parent and cur not in chain:
                chain.append(cur)
                cur = parent.get(cur)
            if cur == start:
                loop = " -> ".join([*chain, start])
                self.add(error("power.cycle", f"the upstream chain of '{start}' loops back on itself ({loop})",
                               "break the loop: one element must be fed from a source",
                               f"{paths[start]}.upstream_id", (start,)))

    def _project_refs(self) -> None:
        pr = self.project
        for i, d in enumerate(pr.data_sources):
            self._ref(d.site_id, ("site",), f"data_sources[{i}].site_id", d.id, what="site")
            if not (-90 <= d.location.lat <= 90 and -180 <= d.location.lon <= 180):
                self.add(error("value.range", "location outside -90..90 / -180..180 degrees",
                               "enter latitude and longitude in decimal degrees",
                               f"data_sources[{i}].location", (d.id,)))
        for i, w in enumerate(pr.workloads):
            self._ref(w.data_source_id, ("data_source",), f"workloads[{i}].data_source_id", w.id,
                      what="data source")
            self._ref(w.pinned_module_id, ("module",), f"workloads[{i}].pinned_module_id", w.id,
                      what="pinned module")
        for i, link in enumerate(pr.links):
            for end in ("a", "b"):
                self._ref(getattr(link, end), ("site", "data_source"), f"links[{i}].{end}", link.id,
                          what=f"link end {end}")
            if link.a == link.b:
                self.add(error("link.self", "a link must join two different places",
                               "change one of its ends", f"links[{i}]", (link.id,)))


def validate(project: Project) -> list[Finding]:
    """All validation findings of ``project``, errors first."""
    out = _Validator(project).run()
    out.sort(key=lambda f: f.severity.rank)
    return out
