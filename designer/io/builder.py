"""Build halls programmatically: rows of racks, CDU loops with headers, 2N power chains.

Used to write the bundled sample project and the deterministic benchmark halls. Everything
it makes is ordinary document content; nothing here is needed at run time by the app.
"""

from __future__ import annotations

import math

from designer.model import hall as h
from designer.model import power as p
from designer.model.catalog import Catalog
from designer.model.factory import instantiate
from designer.model.project import Site
from designer.solvers.sizing import PIPE_SIZES_M  # noqa: F401  (re-exported for older callers)
from designer.solvers.sizing import pipe_bore_for as pipe_size_for


def rack_flow_lpm(rack: h.Rack, cp: float = 3900.0, rho: float = 1025.0) -> float:
    """Flow a rack needs for its liquid heat at its design temperature rise (PG25 default)."""
    q_w = rack.it_load_kw * 1000.0 * rack.liquid_fraction
    return q_w / (rho * cp * rack.design_delta_t_liquid_k) * 60000.0


class HallBuilder:
    """Adds items to a site's hall with unique ids and readable names."""

    def __init__(self, site: Site, catalog: Catalog, taken: set[str] | None = None) -> None:
        self.site = site
        self.hall = site.hall
        self.catalog = catalog
        self.taken = taken if taken is not None else set()
        self._counters: dict[str, int] = {}

    def new_id(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0)
        while True:
            n += 1
            cand = f"{self.site.id}.{prefix}{n}"
            if cand not in self.taken:
                self._counters[prefix] = n
                self.taken.add(cand)
                return cand

    def name(self, prefix: str) -> str:
        key = "name:" + prefix
        n = self._counters.get(key, 0) + 1
        self._counters[key] = n
        return f"{prefix}{n:02d}"

    def entry(self, model: str):
        e = self.catalog.get(model)
        if e is None:
            raise KeyError(f"catalog has no model '{model}'")
        return e

    # -- geometry ----------------------------------------------------------------------
    def outline(self, w: float, d: float) -> None:
        self.hall.outline = [(0.0, 0.0), (w, 0.0), (w, d), (0.0, d)]

    def columns(self, xs, ys, size: float = 0.5) -> None:
        for x in xs:
            for y in ys:
                s = size / 2
                self.hall.obstructions.append(h.Obstruction(
                    id=self.new_id("col"), name=self.name("C"), kind="column",
                    polygon=[(x - s, y - s), (x + s, y - s), (x + s, y + s), (x - s, y + s)]))

    # -- placed items ------------------------------------------------------------------
    def place(self, model: str, x: float, y: float, rot: float = 0.0, prefix: str = "", name: str = ""):
        e = self.entry(model)
        pre = prefix or {"modules": "mod", "racks": "rack", "cdus": "cdu", "air_units": "ahu",
                         "ups": "ups", "pdus": "pdu", "transformers": "tx",
                         "switchboards": "swb"}[self.catalog.category_of(model)]
        label = {"mod": "M", "rack": "R", "cdu": "CDU", "ahu": "AHU", "ups": "UPS", "pdu": "PDU",
                 "tx": "TX", "swb": "SWB"}.get(pre, pre.upper())
        item = instantiate(e, self.new_id(pre), x, y, rot, name=name or self.name(label))
        coll = {h.Module: self.hall.modules, h.Rack: self.hall.racks, h.Cdu: self.hall.cdus,
                h.AirUnit: self.hall.air_units, p.Ups: self.hall.power.ups, p.Pdu: self.hall.power.pdus,
                p.Transformer: self.hall.power.transformers,
                p.Switchboard: self.hall.power.switchboards}[type(item)]
        coll.append(item)
        if isinstance(item, h.Cdu) and self.hall.water_supplies:
            item.facility_id = self.hall.water_supplies[0].id  # the site's water, once there is one
        return item

    def rack_row(self, model: str, x0: float, y: float, n: int, rot: float = 0.0,
                 module_id: str | None = None, pitch: float | None = None,
                 load_kw: float | None = None) -> list[h.Rack]:
        """``n`` racks with centres on the line y, the first centre at x0."""
        e = self.entry(model)
        pitch = pitch or e.width_m
        out = []
        for k in range(n):
            r = self.place(model, x0 + k * pitch, y, rot)
            r.module_id = module_id
            if load_kw is not None:
                r.it_load_kw = load_kw
            out.append(r)
        return out

    def containment(self, kind: str, x0: float, y0: float, x1: float, y1: float) -> h.Containment:
        c = h.Containment(id=self.new_id("cont"), name=f"{kind} aisle", kind=kind,
                          polygon=[(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
        self.hall.containments.append(c)
        return c

    # -- liquid ------------------------------------------------------------------------
    def junction(self, x: float, y: float) -> h.Junction:
        j = h.Junction(id=self.new_id("j"), name="", x=x, y=y)
        self.hall.junctions.append(j)
        return j

    def pipe(self, a: h.PortRef, b: h.PortRef, role: str, d: float, pts=(), extra: float = 0.0,
             k: float = 1.0) -> h.Pipe:
        pp = h.Pipe(id=self.new_id("pipe"), start=a, end=b, role=role, diameter_m=d,
                    points=list(pts), extra_length_m=extra, minor_k=k)
        self.hall.pipes.append(pp)
        return pp

    def liquid_loop(self, cdu: h.Cdu, racks: list[h.Rack], offset_m: float = 0.35,
                    header_gap_m: float = 0.25, riser_m: float = 2.0, reverse_return: bool = False,
                    v_design: float = 1.8) -> None:
        """Supply and return headers behind the racks, one tee per rack.

        Direct return (default): the return header runs back along the supply header, so
        the first rack sees the most pressure and needs balancing valves. Reverse return:
        the return header flows on to the far end and comes back in one run, so every rack
        has the same path length and the loop balances itself. Headers are sized for the
        flow they carry; each branch for its rack. ``riser_m`` of extra length per branch
        stands for the drops into the rack; pipes are sized for ``v_design`` m/s at design flow.
        """
        if not racks:
            return
        order, left = [], list(racks)
        cx, cy = cdu.port_position("supply")
        while left:  # nearest-neighbour order from the CDU along the headers
            nxt = min(left, key=lambda r: math.dist((cx, cy), r.port_position("supply")))
            order.append(nxt)
            left.remove(nxt)
            cx, cy = nxt.port_position("supply")
        flows = [rack_flow_lpm(r) for r in order]
        downstream = [sum(flows[i:]) for i in range(len(order))]
        upstream = [sum(flows[: i + 1]) for i in range(len(order))]
        prev_s = h.PortRef(item_id=cdu.id, port="supply")
        prev_r = h.PortRef(item_id=cdu.id, port="return")
        prev_s_pt, prev_r_pt = cdu.port_position("supply"), cdu.port_position("return")
        for i, r in enumerate(order):
            nx, ny = r.front_normal()
            sx, sy = r.port_position("supply")
            rx, ry = r.port_position("return")
            js = self.junction(sx - nx * offset_m, sy - ny * offset_m)
            jr = self.junction(rx - nx * (offset_m + header_gap_m), ry - ny * (offset_m + header_gap_m))
            dh = pipe_size_for(downstream[i], v_design)
            self.pipe(prev_s, h.PortRef(item_id=js.id), "supply", dh,
                      _elbow(prev_s_pt, (js.x, js.y)), k=0.9 if i == 0 else 0.3)
            if not reverse_return:
                self.pipe(h.PortRef(item_id=jr.id), prev_r, "return", dh,
                          _elbow((jr.x, jr.y), prev_r_pt), k=0.9 if i == 0 else 0.3)
            elif i > 0:
                self.pipe(prev_r, h.PortRef(item_id=jr.id), "return", pipe_size_for(upstream[i - 1], v_design),
                          _elbow(prev_r_pt, (jr.x, jr.y)), k=0.3)
            db = pipe_size_for(flows[i], v_design)
            self.pipe(h.PortRef(item_id=js.id), h.PortRef(item_id=r.id, port="supply"), "supply", db,
                      extra=riser_m, k=1.8)
            self.pipe(h.PortRef(item_id=r.id, port="return"), h.PortRef(item_id=jr.id), "return", db,
                      extra=riser_m, k=1.8)
            prev_s = h.PortRef(item_id=js.id)
            prev_r = h.PortRef(item_id=jr.id)
            prev_s_pt, prev_r_pt = (js.x, js.y), (jr.x, jr.y)
        if reverse_return:
            # the return run from the far end back to the CDU
            back = cdu.port_position("return")
            self.pipe(prev_r, h.PortRef(item_id=cdu.id, port="return"), "return",
                      pipe_size_for(upstream[-1], v_design), _elbow(prev_r_pt, back), k=0.9)

    # -- power -------------------------------------------------------------------------
    def _beside(self) -> tuple[float, float]:
        """The next free place in a column right of the hall, for site services."""
        xs = [q[0] for q in self.hall.outline]
        ys = [q[1] for q in self.hall.outline]
        k = len(self.hall.power.sources) + len(self.hall.water_supplies)
        return max(xs) + 2.5, min(ys) + 1.0 + 2.0 * k

    def source(self, name: str, kva: float, v: float, side: str, kind: str = "utility",
               x: float | None = None, y: float | None = None) -> p.PowerSource:
        """A utility supply or generator, placed beside the hall unless (x, y) is given."""
        if x is None or y is None:
            x, y = self._beside()
        s = p.PowerSource(id=self.new_id("util" if kind == "utility" else "gen"), name=name, kind=kind,
                          capacity_kva=kva, voltage_v=v, side=side, x=x, y=y)
        self.hall.power.sources.append(s)
        return s

    def water_supply(self, name: str, supply_c: float, capacity_kw: float, kind: str = "chiller",
                     x: float | None = None, y: float | None = None) -> h.WaterSupply:
        """Facility water beside the hall (unless (x, y) is given), connected to every CDU of
        the hall that has no facility water yet."""
        if x is None or y is None:
            x, y = self._beside()
        w = h.WaterSupply(id=self.new_id("fw"), name=name, kind=kind, supply_temp_c=supply_c,
                          capacity_kw=capacity_kw, x=x, y=y)
        self.hall.water_supplies.append(w)
        for c in self.hall.cdus:
            if c.facility_id is None:
                c.facility_id = w.id
        return w

    def busway(self, model: str, path, upstream_id: str, side: str, name: str = "") -> p.Busway:
        e = self.entry(model)
        b = p.Busway(id=self.new_id("bw"), name=name or self.name("BW"), catalog_model=model,
                     upstream_id=upstream_id, side=side, path=[tuple(q) for q in path],
                     rating_a=e.rating_a, voltage_v=e.voltage_v, r_ohm_per_km=e.r_ohm_per_km,
                     x_ohm_per_km=e.x_ohm_per_km)
        self.hall.power.busways.append(b)
        return b

    def tap_for(self, bw: p.Busway, x: float, y: float, breaker_a: float) -> p.BuswayTap:
        """A tap at the point of the busway path nearest (x, y)."""
        off = _offset_along(bw.path, (x, y))
        t = p.BuswayTap(id=self.new_id("tap"), name=self.name("T"), busway_id=bw.id,
                        offset_m=round(off, 3), breaker_a=breaker_a)
        self.hall.power.taps.append(t)
        return t

    def feed(self, rack: h.Rack, side: str, source_id: str, phase: str = "3P",
             breaker_a: float | None = None) -> None:
        e = self.catalog.get(rack.catalog_model)
        br = breaker_a or (getattr(e, "cord_breaker_a", 32.0) if e else 32.0)
        setattr(rack, f"feed_{side.lower()}", h.Feed(source_id=source_id, phase=phase, breaker_a=br))


def _elbow(a, b) -> list:
    """One intermediate point so a run goes along x then y (none if already straight)."""
    if abs(a[0] - b[0]) < 1e-9 or abs(a[1] - b[1]) < 1e-9:
        return []
    return [(b[0], a[1])]


def _offset_along(path, pt) -> float:
    best, best_d, acc = 0.0, float("inf"), 0.0
    for a, b in zip(path, path[1:], strict=False):
        seg = math.dist(a, b)
        if seg == 0:
            continue
        t = max(0.0, min(1.0, ((pt[0] - a[0]) * (b[0] - a[0]) + (pt[1] - a[1]) * (b[1] - a[1])) / seg ** 2))
        q = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]))
        d = math.dist(q, pt)
        if d < best_d:
            best, best_d = acc + t * seg, d
        acc += seg
    return best
