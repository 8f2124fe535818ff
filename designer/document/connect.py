"""Connect a module to the site in one step: power feeders, standby transfer, facility water.

:func:`connect_module` reads the document and returns a :class:`ConnectResult`: ONE undoable
:class:`~designer.document.edits.Composite` (empty when there is nothing to do), a plain
account of what it did, and the problems it could not solve (also in the account). The
caller pushes the edit; the user can change anything afterwards.

Power (each ``power_in`` connection, A before B)
------------------------------------------------
- Candidates are the site's utility supplies and the ``power_out`` connections of other
  modules (power skids), at the voltage of the items the input feeds (within 10 %), with
  room left for the module's load. A module without a UPS of its own prefers a UPS-backed
  output; a module with one prefers a raw supply (no double conversion). A matching side
  label ("A" to "A") is preferred, then the shortest run. Generators are never the normal
  supply while anything else can be.
- Loads: a module's load is its racks' IT load (a power skid's is its transformer rating):
  each input's feeder carries all of it, as it must after the loss of the other side. Room
  left on a supply is its capacity less the racks already below it.
- Redundancy: where the module says 2N, side B must come from a path that shares nothing
  with side A's (neither the supply nor anything above it). When there is none, B is still
  connected, and the problem says what is shared.
- The input's items get ``upstream_id``, and a ``feeder`` whose length is the routed run (see
  :mod:`designer.solvers.route`) plus 3 m of drops at the ends, sized by
  :func:`designer.solvers.sizing.size_cable` (copper XLPE on a tray, grouping of parallel
  sets, 80 % continuous, 3 % drop). A standby generator at the same voltage, where the site
  has one with room, becomes the ``alternate_upstream_id`` (a transfer switch) of inputs fed
  straight from a utility supply.

Facility water (the ``water_supply`` / ``water_return`` connections)
--------------------------------------------------------------------
- Candidates are the site's water supplies cold enough for the module's racks (supply plus
  the CDU's approach at or under the racks' maximum supply temperature) with room for the
  module's liquid heat (other CDUs count with their modules' liquid heat); the warmest such
  (the most free cooling), then the most room, then the nearest.
- Each CDU named gets ``facility_id``; facility pipes run from the supply's ``supply`` port
  to a junction at the module's water-in point and on to each CDU's ``facility_supply`` port,
  and back from each ``facility_return`` port through a junction at the water-out point to
  the supply's ``return`` port (no junction for a single CDU). Bores are sized for the CDU's
  rated capacity at the supply's design temperature rise in water, for 1.8 m/s.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from shapely.geometry import Polygon

from designer.document.assembly import members
from designer.document.document import Document
from designer.document.edits import AddItem, Composite, Edit, SetFields
from designer.model import hall as h
from designer.model import power as p
from designer.model.base import Placed, footprint_corners
from designer.model.registry import BY_KIND, new_id
from designer.solvers.power.routing import ROUTE_ALLOWANCE_M
from designer.solvers.route import Route, route
from designer.solvers.sizing import design_current_a, pipe_bore_for, size_cable, velocity_mps, water_flow_lpm

VOLTAGE_TOL = 0.10
POWER_FACTOR = 0.95


@dataclass
class ConnectResult:
    """What connecting did: the edit, a plain account, and what could not be done."""

    edit: Composite
    account: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class _Upstream:
    item_id: str
    label: str
    voltage_v: float
    point: tuple[float, float]
    capacity_kw: float
    used_kw: float
    backed_up: bool
    side: str
    kind: str
    """"utility", "generator" or "output" (a module's power_out)."""
    owner_id: str
    """The source or the module the run ends at (not an obstacle for the route)."""


def _name(it) -> str:
    return getattr(it, "name", "") or it.id


# -- loads and chains --------------------------------------------------------------------------
def _chains(hall: h.Hall) -> dict[str, str | None]:
    """Element id -> its (normal) upstream id; taps -> their busway."""
    up: dict[str, str | None] = {}
    pw = hall.power
    for coll in (pw.transformers, pw.switchboards, pw.ups, pw.pdus, pw.busways):
        for e in coll:
            up[e.id] = e.upstream_id
    for t in pw.taps:
        up[t.id] = t.busway_id
    return up


def ancestors(hall: h.Hall, item_id: str, up: dict[str, str | None] | None = None) -> list[str]:
    """The item and everything above it on its normal supply path, nearest first."""
    up = _chains(hall) if up is None else up
    out: list[str] = []
    cur: str | None = item_id
    while cur is not None and cur not in out:
        out.append(cur)
        cur = up.get(cur)
    return out


def loads_kw(hall: h.Hall, exclude_module: str | None = None) -> dict[str, float]:
    """Per element (and source): the IT load of the racks it can end up carrying, that is
    every rack with a cord below it (each cord may carry its whole rack); racks of
    ``exclude_module`` do not count (the module being connected counts once, as its need)."""
    up = _chains(hall)
    out: dict[str, float] = {}
    for r in hall.racks:
        if exclude_module is not None and r.module_id == exclude_module:
            continue
        seen: set[str] = set()
        for f in (r.feed_a, r.feed_b):
            if f is not None:
                seen.update(ancestors(hall, f.source_id, up))
        for e in seen:
            out[e] = out.get(e, 0.0) + r.it_load_kw
    # a power skid (a module without racks) reserves its rating on what feeds it, less what
    # already hangs below it, so that a second skid goes to another supply
    with_racks = {r.module_id for r in hall.racks}
    items = {e.id: e for coll in (hall.power.transformers, hall.power.switchboards, hall.power.ups,
                                  hall.power.pdus, hall.power.busways) for e in coll}
    for m in hall.modules:
        if m.id in with_racks or m.id == exclude_module:
            continue
        for c in m.connections:
            if c.kind != "power_in":
                continue
            for i in c.item_ids:
                it = items.get(i)
                if it is None or it.upstream_id is None:
                    continue
                reserve = max(0.0, rating_kw(it) - out.get(it.id, 0.0))
                for e in ancestors(hall, it.upstream_id, up):
                    out[e] = out.get(e, 0.0) + reserve
    return out


def rating_kw(it) -> float:
    """What a power element can pass, in kW at the connect step's power factor."""
    if isinstance(it, p.Transformer):
        return it.rating_kva * POWER_FACTOR
    if isinstance(it, p.Ups):
        return it.module_count * it.module_kw / max(it.efficiency, 0.5)
    if isinstance(it, p.Switchboard):
        return math.sqrt(3) * it.voltage_v * it.rating_a * POWER_FACTOR / 1000.0
    if isinstance(it, p.Pdu):
        return it.rating_kva * POWER_FACTOR
    if isinstance(it, p.Busway):
        return math.sqrt(3) * it.voltage_v * it.rating_a * 0.8 * POWER_FACTOR / 1000.0
    return 0.0


# -- obstacles and routes ----------------------------------------------------------------------
def _placed(hall: h.Hall) -> list[Placed]:
    pw = hall.power
    return [*hall.modules, *hall.racks, *hall.cdus, *hall.air_units, *hall.water_supplies, *pw.sources,
            *pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus]


class _Router:
    """Routes runs in one hall; obstacles are every footprint but the ends' own."""

    def __init__(self, hall: h.Hall) -> None:
        self.hall = hall
        self.items = _placed(hall)
        self.polys = {it.id: Polygon(footprint_corners(it.x, it.y, it.width_m, it.depth_m, it.rotation_deg))
                      for it in self.items}
        self.obst = [Polygon(o.polygon) for o in hall.obstructions if len(o.polygon) >= 3]
        xs = [q[0] for q in hall.outline] or [0.0]
        ys = [q[1] for q in hall.outline] or [0.0]
        for it in self.items:
            xs.append(it.x)
            ys.append(it.y)
        self.bounds = (min(xs), min(ys), max(xs), max(ys))

    def run(self, a: tuple[float, float], b: tuple[float, float], free: Iterable[str]) -> Route:
        free = set(free)
        obstacles = [poly for iid, poly in self.polys.items() if iid not in free] + self.obst
        return route(a, b, obstacles, self.bounds)


# -- power -------------------------------------------------------------------------------------
def _voltage(it) -> float:
    if isinstance(it, p.Transformer):
        return it.primary_v
    return float(getattr(it, "voltage_v", 415.0))


def _upstreams(doc: Document, hall: h.Hall, exclude_module: str) -> list[_Upstream]:
    loads = loads_kw(hall, exclude_module)
    out: list[_Upstream] = []
    for s in hall.power.sources:
        out.append(_Upstream(s.id, f"{'generator' if s.kind == 'generator' else 'utility supply'} {_name(s)}",
                             s.voltage_v, (s.x, s.y), s.capacity_kva * POWER_FACTOR, loads.get(s.id, 0.0),
                             False, s.side, s.kind, s.id))
    for m in hall.modules:
        if m.id == exclude_module:
            continue
        for c in m.connections:
            if c.kind != "power_out" or not c.item_ids:
                continue
            it = doc.item(c.item_ids[0])
            if it is None:
                continue
            if isinstance(it, p.Ups):
                cap, backed = (it.module_count - it.redundant_modules) * it.module_kw, True
            elif isinstance(it, p.Switchboard):
                cap, backed = math.sqrt(3) * it.voltage_v * it.rating_a * POWER_FACTOR / 1000.0, False
            elif isinstance(it, p.Transformer):
                cap, backed = it.rating_kva * POWER_FACTOR, False
            elif isinstance(it, p.Pdu):
                cap, backed = it.rating_kva * POWER_FACTOR, False
            else:
                continue
            out.append(_Upstream(it.id, f"{c.name or c.id} of {_name(m)}", _voltage(it), m.connection_position(c),
                                 cap, loads.get(it.id, 0.0), backed, c.side, "output", m.id))
    return out


def _module_load_kw(doc: Document, module: h.Module, items: list) -> float:
    racks = [doc.item(i) for i in members(doc, module.id)]
    kw = sum(r.it_load_kw for r in racks if isinstance(r, h.Rack))
    if kw > 0:
        return kw
    # a power skid: what its inputs are rated for
    return sum(rating_kw(it) for it in items)


def _entry_point(it) -> tuple[float, float]:
    if isinstance(it, p.Busway):
        return tuple(it.path[0]) if it.path else (0.0, 0.0)
    return (it.x, it.y)


class _Session:
    """One connect run on a scratch copy of the document: edits are applied as they are made
    (so later steps see earlier ones) and collected for the caller's document."""

    def __init__(self, doc: Document) -> None:
        self.doc = Document(doc.project.model_copy(deep=True))
        self.edits: list[Edit] = []
        self.account: list[str] = []
        self.problems: list[str] = []
        self.allocated: dict[str, float] = {}
        """Upstream id -> load given to it in this session beyond its racks (a power skid
        connected before what it feeds)."""

    def apply(self, edit: Edit) -> None:
        self.doc.apply(edit)
        self.edits.append(edit)

    def problem(self, text: str) -> None:
        self.problems.append(text)
        self.account.append("Not done: " + text)

    # -- power ---------------------------------------------------------------------------------
    def power(self, module: h.Module) -> None:
        doc = self.doc
        site = doc.site_of(module.id)
        hall = site.hall
        conns = [c for c in module.connections if c.kind == "power_in"]
        conns.sort(key=lambda c: (c.side or "~", c.id))
        if not conns:
            return
        self._scheme(site, module)
        two_n = module.redundancy.strip().upper().startswith("2N")
        contents = [doc.item(i) for i in members(doc, module.id)]
        has_ups = any(isinstance(it, p.Ups) for it in contents)
        chosen: dict[str, _Upstream] = {}
        for conn in conns:
            items = [doc.item(i) for i in conn.item_ids if doc.item(i) is not None]
            if not items:
                self.problem(f"power input {conn.name or conn.id} of {_name(module)} names no item of the module")
                continue
            if all(getattr(it, "upstream_id", None) for it in items):
                self.account.append(f"{conn.name or conn.id} of {_name(module)} is already fed "
                                    f"(from {items[0].upstream_id}): left as it is")
                continue
            hall = doc.site_of(module.id).hall
            volts = _voltage(items[0])
            load = _module_load_kw(doc, module, items)
            cands = [u for u in _upstreams(doc, hall, module.id)
                     if abs(u.voltage_v - volts) <= VOLTAGE_TOL * volts]
            for u in cands:
                u.used_kw = max(u.used_kw, self.allocated.get(u.item_id, 0.0))
            if not cands:
                self.problem(f"no supply at {volts:g} V for {conn.name or conn.id} of {_name(module)}: add a "
                             f"{'power skid' if volts < 1000 else 'utility supply'} or a supply at {volts:g} V")
                continue
            normal = [u for u in cands if u.kind != "generator"] or cands
            roomy = [u for u in normal if u.capacity_kw - u.used_kw >= load - 1e-6]
            shortage = not roomy
            pool = roomy or normal
            other = [chosen[s] for s in chosen if s != conn.side]
            if two_n and other:
                taken = set(ancestors(hall, other[0].item_id)) | {other[0].owner_id}
                indep = [u for u in pool if not (set(ancestors(hall, u.item_id)) | {u.owner_id}) & taken]
                if indep:
                    pool = indep
                else:
                    self.problem(f"no supply independent of side {other[0].side or 'A'} ({other[0].label}) for "
                                 f"{conn.name or conn.id} of {_name(module)}: it shares its path, so a 2N module "
                                 "loses both sides with one failure there; add a second supply or power skid")
            want_backed = not has_ups
            router = _Router(hall)

            def score(u: _Upstream, conn=conn, want_backed=want_backed, router=router, items=items):
                pref = 0 if u.backed_up == want_backed else 1
                same_side = 0 if (u.side and u.side == conn.side) else 1
                a = module.connection_position(conn)
                dist = abs(u.point[0] - a[0]) + abs(u.point[1] - a[1])
                return (pref, same_side, -round(u.capacity_kw - u.used_kw, 3), dist)

            up = min(pool, key=score)
            if shortage:
                self.problem(f"no supply has room for the {load:.0f} kW of {_name(module)} at {volts:g} V; "
                             f"{conn.name or conn.id} is fed from {up.label} ({up.capacity_kw - up.used_kw:.0f} kW "
                             f"left)")
            a = module.connection_position(conn)
            run = router.run(up.point, a, {up.owner_id, module.id, *[it.id for it in items]})
            length = run.length_m + ROUTE_ALLOWANCE_M
            amps = design_current_a(load, volts, POWER_FACTOR)
            cable = size_cable(amps, length, volts, POWER_FACTOR)
            feeder = p.Cable(length_m=round(length, 2), r_ohm_per_km=round(cable.r_ohm_per_km, 5),
                             x_ohm_per_km=cable.x_ohm_per_km, parallel_sets=cable.sets, conductor_mm2=cable.mm2)
            gen = None
            if up.kind == "utility":
                gens = [g for g in cands if g.kind == "generator" and g.capacity_kw - g.used_kw >= load - 1e-6]
                gen = min(gens, key=lambda g: abs(g.point[0] - a[0]) + abs(g.point[1] - a[1]), default=None)
            for it in items:
                vals = {"upstream_id": up.item_id, "feeder": feeder}
                if gen is not None:
                    vals["alternate_upstream_id"] = gen.item_id
                self.apply(SetFields(it.id, vals, label=f"Feed {_name(it)}"))
            where = "" if run.clear else " (no run clear of the equipment was found: a straight run is assumed)"
            self.account.append(
                f"{conn.name or conn.id} of {_name(module)} ({', '.join(_name(i) for i in items)}, {volts:g} V) "
                f"fed from {up.label}: {length:.1f} m{where}, {cable.describe()} for {load:.0f} kW"
                + (f"; standby from generator {gen.label.split(' ', 1)[1]} through a transfer switch" if gen else ""))
            if not cable.ok:
                self.problem(f"the feeder of {conn.name or conn.id} of {_name(module)} cannot meet the 3 % drop or its "
                             f"current with {cable.sets} sets of {cable.mm2:g} mm2 over {length:.0f} m")
            chosen[conn.side] = up
            if not any(isinstance(i, h.Rack) for i in contents):
                # a skid's own load is not yet below it: book its rating on the supply
                self.allocated[up.item_id] = up.used_kw + load

    def _scheme(self, site, module: h.Module) -> None:
        """The site's power scheme follows the module's redundancy when the module holds the
        only racks of the site (else the site's scheme stands, and the account says so)."""
        red = module.redundancy.strip().upper()
        scheme = "2N" if red.startswith("2N") else "N+1" if red.startswith("N+1") else None
        hall = site.hall
        if scheme is None or not any(r.module_id == module.id for r in hall.racks):
            return
        if hall.power.scheme == scheme:
            return
        others = [r for r in hall.racks if r.module_id != module.id]
        if others:
            self.account.append(f"{_name(module)} is built {scheme}; the site's power scheme stays "
                                f"{hall.power.scheme} (other racks share the site)")
            return
        self.apply(SetFields(site.id, {"hall.power.scheme": scheme}, label="Set power scheme"))
        self.account.append(f"the site's power scheme is now {scheme}, as {_name(module)} is built")

    # -- water ---------------------------------------------------------------------------------
    def water(self, module: h.Module) -> None:
        doc = self.doc
        ws_conn = next((c for c in module.connections if c.kind == "water_supply"), None)
        wr_conn = next((c for c in module.connections if c.kind == "water_return"), None)
        if ws_conn is None and wr_conn is None:
            return
        conn = ws_conn or wr_conn
        cdus = [doc.item(i) for i in conn.item_ids]
        cdus = [c for c in cdus if isinstance(c, h.Cdu)]
        todo = [c for c in cdus if c.facility_id is None]
        if not cdus:
            self.problem(f"the water connection of {_name(module)} names no CDU")
            return
        if not todo:
            self.account.append(f"the CDUs of {_name(module)} already have facility water: left as they are")
            return
        self.connect_cdus(todo, module)

    def connect_cdus(self, cdus: list[h.Cdu], module: h.Module | None) -> None:
        doc = self.doc
        site = doc.site_of(cdus[0].id)
        hall = site.hall
        what = _name(module) if module is not None else ", ".join(_name(c) for c in cdus)
        racks = [r for r in hall.racks if module is not None and r.module_id == module.id]
        heat = sum(r.it_load_kw * r.liquid_fraction for r in racks) or sum(c.capacity_kw for c in cdus)
        t_max = min((r.max_supply_temp_c for r in racks if r.liquid_fraction > 0), default=45.0)
        approach = max(c.approach_k for c in cdus)
        used = _water_use(hall)
        cands = []
        for w in hall.water_supplies:
            room = w.capacity_kw - used.get(w.id, 0.0)
            cold = w.supply_temp_c + approach <= t_max - 0.5 + 1e-9
            cands.append((w, room, cold))
        if not cands:
            self.problem(f"the site has no facility water supply for {what}: add one (chiller, dry cooler, cooling "
                         "tower or district connection)")
            return
        good = [c for c in cands if c[2] and c[1] >= heat - 1e-6]
        if not good:
            pick = min(cands, key=lambda c: (not c[2], -c[1]))
            w = pick[0]
            why = (f"{w.supply_temp_c:g} degC is too warm for racks limited to {t_max:g} degC at the CDU's "
                   f"{approach:g} K approach" if not pick[2] else
                   f"it has {pick[1]:.0f} kW left for {heat:.0f} kW")
            self.problem(f"no facility water supply suits {what}; connected to {_name(w)} although {why}")
        else:
            mod_pt = None
            if module is not None:
                c0 = next((c for c in module.connections if c.kind == "water_supply"), None)
                mod_pt = module.connection_position(c0) if c0 is not None else (module.x, module.y)
            w = max(good, key=lambda c: (c[0].supply_temp_c, c[1],
                                         -(abs(c[0].x - mod_pt[0]) + abs(c[0].y - mod_pt[1])) if mod_pt else 0.0))[0]
        for c in cdus:
            self.apply(SetFields(c.id, {"facility_id": w.id}, label=f"Connect {_name(c)} to {_name(w)}"))
        self._facility_pipes(w, cdus, module)
        self.account.append(f"the CDUs of {what} ({', '.join(_name(c) for c in cdus)}) reject {heat:.0f} kW to "
                            f"{_name(w)} ({w.kind.replace('_', ' ')}, {w.supply_temp_c:g} degC supply, "
                            f"{w.design_delta_t_k:g} K rise)")

    def _facility_pipes(self, w: h.WaterSupply, cdus: list[h.Cdu], module: h.Module | None) -> None:
        doc = self.doc
        site = doc.site_of(w.id)
        taken = set(doc.ids())
        mid = module.id if module is not None else None
        flows = {c.id: water_flow_lpm(c.capacity_kw, w.design_delta_t_k) for c in cdus}
        total = sum(flows.values())
        for role, ws_port, cdu_port, conn_kind in (("facility_supply", "supply", "facility_supply", "water_supply"),
                                                   ("facility_return", "return", "facility_return", "water_return")):
            router = _Router(doc.site_of(w.id).hall)
            ws_pt = w.port_position(ws_port)
            conn = None
            if module is not None:
                conn = next((c for c in module.connections if c.kind == conn_kind), None)
            hub_pt = module.connection_position(conn) if conn is not None else None
            free_ends = {w.id, *(c.id for c in cdus)} | ({mid} if mid else set())
            if len(cdus) == 1 and hub_pt is None:
                c = cdus[0]
                self._pipe(role, w, ws_port, c, cdu_port, router.run(ws_pt, c.port_position(cdu_port), free_ends),
                           flows[c.id], None, taken)
                continue
            if hub_pt is None:
                hub_pt = cdus[0].port_position(cdu_port)
            jid = new_id(BY_KIND["junction"].prefix, taken)
            taken.add(jid)
            j = h.Junction(id=jid, name=f"{(module.name + '-') if module else ''}FW {'in' if role.endswith('supply') else 'out'}",
                           x=hub_pt[0], y=hub_pt[1], module_id=mid)
            self.apply(AddItem("junction", j, site.id))
            self._pipe(role, w, ws_port, j, "node", router.run(ws_pt, hub_pt, free_ends), total, None, taken)
            for c in cdus:
                self._pipe(role, j, "node", c, cdu_port, router.run(hub_pt, c.port_position(cdu_port), free_ends),
                           flows[c.id], mid, taken)

    def _pipe(self, role: str, a, a_port: str, b, b_port: str, run: Route, flow_lpm: float, module_id, taken) -> None:
        # the supply side flows from the water supply to the CDU; the return side back
        if role == "facility_return":
            a, a_port, b, b_port = b, b_port, a, a_port
            pts = list(reversed(run.vertices))
        else:
            pts = run.vertices
        d = pipe_bore_for(flow_lpm)
        pid = new_id(BY_KIND["pipe"].prefix, taken)
        taken.add(pid)
        pipe = h.Pipe(id=pid, name="", start=h.PortRef(item_id=a.id, port=a_port), end=h.PortRef(item_id=b.id, port=b_port),
                      points=pts, role=role, diameter_m=d, extra_length_m=2.0, minor_k=1.5, module_id=module_id)
        site = self.doc.site_of(a.id)
        self.apply(AddItem("pipe", pipe, site.id))
        note = "" if run.clear else " (not clear of the equipment: a straight run)"
        self.account.append(f"facility {'supply' if role == 'facility_supply' else 'return'} pipe {_name(a)} -> "
                            f"{_name(b)}: {run.length_m:.1f} m, {d * 1000:.0f} mm for {flow_lpm:.0f} L/min "
                            f"({velocity_mps(flow_lpm, d):.2f} m/s at rated capacity){note}")


def _water_use(hall: h.Hall) -> dict[str, float]:
    """Per water supply: the liquid heat of the modules whose CDUs it serves (CDUs outside a
    module count with their capacity)."""
    out: dict[str, float] = {}
    by_mod: dict[str | None, list[h.Rack]] = {}
    for r in hall.racks:
        by_mod.setdefault(r.module_id, []).append(r)
    done: set[tuple[str, str]] = set()
    for c in hall.cdus:
        if c.facility_id is None:
            continue
        if c.module_id is None:
            out[c.facility_id] = out.get(c.facility_id, 0.0) + c.capacity_kw
            continue
        key = (c.facility_id, c.module_id)
        if key in done:
            continue
        done.add(key)
        heat = sum(r.it_load_kw * r.liquid_fraction for r in by_mod.get(c.module_id, []))
        out[c.facility_id] = out.get(c.facility_id, 0.0) + (heat or c.capacity_kw)
    return out


# -- entry points ------------------------------------------------------------------------------
def connect_module(doc: Document, module_id: str) -> ConnectResult:
    """Connect a placed module's power inputs and facility water to the site (module doc).

    Returns one :class:`Composite` (label "Connect <module> to site"), the account and the
    problems; the edit is empty when there was nothing to connect.
    """
    return connect_items(doc, [module_id])


def connect_items(doc: Document, ids: Iterable[str]) -> ConnectResult:
    """Connect the selection: each module as :func:`connect_module` does, each CDU outside a
    module to facility water, each power element outside a module with no upstream to a
    supply of its voltage. One edit for all of it."""
    ses = _Session(doc)
    mods: list[str] = []
    loose_cdus: list[str] = []
    loose_power: list[str] = []
    for i in ids:
        it = ses.doc.item(i)
        if it is None:
            continue
        if isinstance(it, h.Module):
            mods.append(i)
        elif getattr(it, "module_id", None) and it.module_id not in mods:
            mods.append(it.module_id)
        elif isinstance(it, h.Cdu) and it.facility_id is None:
            loose_cdus.append(i)
        elif isinstance(it, (p.Transformer, p.Switchboard, p.Ups, p.Pdu, p.Busway)) and it.upstream_id is None:
            loose_power.append(i)
    # skids first: what they feed needs them connected
    mods.sort(key=lambda m: 0 if any(c.kind == "power_out" for c in ses.doc.item(m).connections) else 1)
    names = []
    for mid in mods:
        m = ses.doc.item(mid)
        names.append(_name(m))
        ses.power(m)
        ses.water(ses.doc.item(mid))
    if loose_cdus:
        ses.connect_cdus([ses.doc.item(c) for c in loose_cdus], None)
        names.append(f"{len(loose_cdus)} CDU{'s' if len(loose_cdus) > 1 else ''}")
    for eid in loose_power:
        it = ses.doc.item(eid)
        fake = h.Module(id="__loose__", name=_name(it), x=it.x if hasattr(it, "x") else 0.0,
                        y=it.y if hasattr(it, "y") else 0.0,
                        connections=[h.ModuleConnection(id="power_in", name=f"the input of {_name(it)}",
                                                        kind="power_in", item_ids=[it.id])])
        ses._loose_power(fake, it)
        names.append(_name(it))
    if not ses.edits and not ses.account:
        ses.account.append("nothing to connect: select a module, a CDU without facility water or power equipment "
                           "fed from nothing")
    label = f"Connect {', '.join(names)} to site" if names else "Connect to site"
    return ConnectResult(Composite(ses.edits, label), ses.account, ses.problems)


def _loose_power(self: _Session, fake: h.Module, it) -> None:
    """A power element outside any module: fed like a module input at its own position."""
    site = self.doc.site_of(it.id)
    pt = _entry_point(it)
    conn = fake.connections[0].model_copy(update={"x": 0.0, "y": 0.0})
    fake = fake.model_copy(update={"x": pt[0], "y": pt[1], "rotation_deg": 0.0, "connections": [conn]})
    # a transient module in the scratch document gives the power step a frame to work in
    self.doc.apply(AddItem("module", fake, site.id))
    try:
        self.power(fake)
    finally:
        from designer.document.edits import RemoveItem

        self.doc.apply(RemoveItem(fake.id))


_Session._loose_power = _loose_power
