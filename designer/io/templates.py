"""The shipped modules' contents: every catalog module as the assembly a vendor ships.

``resources/catalog.json`` keeps, for each module, its ``contents`` (racks, CDUs with their
piped and balanced loop, air units, containment, UPS, PDUs or busways with taps, rack feeds A
and B) and its ``connections`` (power in / out, facility water, loop outputs), all in the
module's own frame (metres from its centre, front = +y). They are written by
:func:`build_templates` (``python -m designer.io.templates``); a test checks the shipped file
matches, so a layout is read and changed here, as code.

How each is made
----------------
- Racks stand in rows at the rack pitch; liquid racks are piped by
  :meth:`~designer.io.builder.HallBuilder.liquid_loop` (supply and return headers behind the
  row, a tee per rack, bores sized for 1.8 m/s at design flow by
  :func:`designer.solvers.sizing.pipe_bore_for`).
- Each CDU's pump speed is commissioned on the liquid solver: the speed at which the
  balanced loop gives every rack its required flow (the balance plan's
  ``speed_for_required``), plus 8 %, rounded up to 0.05; then the balancing valves
  (``valve_k``) are set by :func:`designer.solvers.liquid.balance.balance_site` at that speed.
  The loop is solved against facility water at the module's rated supply temperature.
- Residual air heat (the racks' air share) goes to in-row coolers with at least 40 % margin
  per row; rows around a hot aisle have it contained.
- Feeds follow the module's redundancy: 2N modules take A from one chain and B from an
  independent one (two busways or two UPS with their PDUs); N+1 modules put side A behind
  their UPS and side B on the raw supply (two power inputs the site may feed from one
  supply). Feeders inside a module are sized for the rating of what they feed
  (:func:`designer.solvers.sizing.size_cable`) over their routed length.
- Connection points sit on the module's edge nearest the site services.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

from designer.io.builder import HallBuilder
from designer.model import hall as h
from designer.model import power as p
from designer.model.catalog import Catalog, CatalogData, ModuleContents, ModuleType
from designer.model.project import Project, Site
from designer.solvers.sizing import design_current_a, size_cable

SPEED_MARGIN = 1.08
"""Pump speed over the speed that gives exactly the required flow (commissioning margin)."""


class _LocalBuilder(HallBuilder):
    """A :class:`HallBuilder` whose ids are short and local (``rack1``, ``cdu1``): template ids."""

    def new_id(self, prefix: str) -> str:
        n = self._counters.get(prefix, 0)
        while True:
            n += 1
            cand = f"{prefix}{n}"
            if cand not in self.taken:
                self._counters[prefix] = n
                self.taken.add(cand)
                return cand


def _builder(cat: Catalog, entry: ModuleType) -> _LocalBuilder:
    hw, hd = entry.width_m / 2, entry.depth_m / 2
    site = Site(id="tpl", hall=h.Hall(outline=[(-hw, -hd), (hw, -hd), (hw, hd), (-hw, hd)]))
    return _LocalBuilder(site, cat)


def _feeder(item, upstream, cat: Catalog | None = None) -> p.Cable:
    """A feeder from ``upstream`` to ``item`` routed along the grid (Manhattan plus 3 m for the
    drops at both ends), sized for the item's rating."""
    length = abs(item.x - upstream.x) + abs(item.y - upstream.y) + 3.0
    v = getattr(item, "voltage_v", None) or getattr(item, "primary_v", 415.0)
    if isinstance(item, p.Pdu):
        amps = item.rating_kva * 1000 / (math.sqrt(3) * v)
    elif isinstance(item, p.Ups):
        amps = design_current_a(item.module_count * item.module_kw / item.efficiency, v, 1.0)
    elif isinstance(item, p.Switchboard):
        amps = item.rating_a
    elif isinstance(item, p.Transformer):
        amps = item.rating_kva * 1000 / (math.sqrt(3) * item.primary_v)
    else:
        raise TypeError(type(item).__name__)
    c = size_cable(amps, length, v)
    return p.Cable(length_m=round(length, 2), r_ohm_per_km=round(c.r_ohm_per_km, 5), x_ohm_per_km=c.x_ohm_per_km,
                   parallel_sets=c.sets, conductor_mm2=c.mm2)


def _conn(cid: str, name: str, kind: str, x: float, y: float, ids: list[str], side: str = "") -> h.ModuleConnection:
    return h.ModuleConnection(id=cid, name=name, kind=kind, side=side, x=x, y=y, item_ids=ids)


def _water(x: float, y_s: float, y_r: float, cdus) -> list[h.ModuleConnection]:
    ids = [c.id for c in cdus]
    return [_conn("water_supply", "Facility water in", "water_supply", x, y_s, ids),
            _conn("water_return", "Facility water out", "water_return", x, y_r, ids)]


def _rack_loads(racks, kw: float) -> None:
    for r in racks:
        r.it_load_kw = kw


# -- the modules ---------------------------------------------------------------------------------
def _aih_1000l(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """8 x 120 kW direct-liquid racks in two rows around a contained hot aisle; one in-row CDU
    per row; two 70 kW in-row coolers per row take the 15 % air share (72 kW a row); A and B
    busways of 2000 A run over the hot aisle with a 250 A tap per rack and side."""
    rows = []
    for y, rot in ((1.2, 0.0), (-1.2, 180.0)):
        b.place("IRC-70", -1.8, y, rot)
        cdu = b.place("CDU-IR-800", -1.2, y, rot)
        racks = b.rack_row("RK-DLC-132", -0.6, y, 4, rot)
        _rack_loads(racks, 120.0)
        b.place("IRC-70", 1.8, y, rot)
        b.liquid_loop(cdu, racks, offset_m=0.2, header_gap_m=0.2)
        rows.append(racks)
    b.containment("hot", -2.1, -0.6, 2.1, 0.6)
    bws = {}
    for side, y in (("A", 0.1), ("B", -0.1)):
        bws[side] = b.busway("BW-2000", [(-4.7, y), (2.1, y)], None, side, name=f"BW-{side}")
    for r in rows[0] + rows[1]:
        for side in ("A", "B"):
            tap = b.tap_for(bws[side], r.x, r.y, 250.0)
            b.feed(r, side, tap.id)
    return [_conn("power_in_a", "Power in A", "power_in", -4.7, 0.1, [bws["A"].id], "A"),
            _conn("power_in_b", "Power in B", "power_in", -4.7, -0.1, [bws["B"].id], "B"),
            *_water(-4.7, 0.5, -0.5, b.hall.cdus)]


def _ent_400h(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """16 hybrid racks at 25 kW in two rows around a contained hot aisle; one 300 kW CDU takes
    the 60 % liquid share (240 kW); two 70 kW in-row coolers per row take the 80 kW of air a
    row; an electrical room at the east end with a UPS per side and a PDU per row and side."""
    rows = []
    cdu = None
    for y, rot in ((1.2, 0.0), (-1.2, 180.0)):
        if rot == 0.0:
            cdu = b.place("CDU-IR-300", -5.7, y, rot)
        b.place("IRC-70", -5.1, y, rot)
        racks = b.rack_row("RK-HYB-50", -4.5, y, 8, rot)
        _rack_loads(racks, 25.0)
        b.place("IRC-70", 0.3, y, rot)
        rows.append(racks)
    b.containment("hot", -5.4, -0.6, 0.6, 0.6)
    b.liquid_loop(cdu, rows[0] + rows[1], offset_m=0.2, header_gap_m=0.2)
    pdus = {}
    for side, y, rot in (("A", 2.4, 0.0), ("B", -2.4, 180.0)):
        ups = b.place("UPS-500-M", 3.0, y, rot, name=f"UPS-{side}")
        ups.side = side
        for k, yy in ((1, y), (2, y - math.copysign(1.4, y))):
            pdu = b.place("PDU-300", 5.3, yy, rot, name=f"PDU-{side}{k}")
            pdu.upstream_id, pdu.side = ups.id, side
            pdu.feeder = _feeder(pdu, ups)
            pdus[side, k] = pdu
    for k, racks in ((1, rows[0]), (2, rows[1])):
        for r in racks:
            b.feed(r, "A", pdus["A", k].id)
            b.feed(r, "B", pdus["B", k].id)
    ups = {u.side: u for u in b.hall.power.ups}
    return [_conn("power_in_a", "Power in A", "power_in", 5.9, 2.9, [ups["A"].id], "A"),
            _conn("power_in_b", "Power in B", "power_in", 5.9, -2.9, [ups["B"].id], "B"),
            *_water(-5.9, 1.6, 0.8, b.hall.cdus)]


def _urb_250a(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """40 ft container: 10 hybrid racks at 25 kW in one front-access row against the rear wall,
    headers overhead; a 300 kW CDU (150 kW liquid); two 70 kW in-row coolers (100 kW of air);
    UPS N+1 (3+1 x 100 kW) on side A, side B on the raw supply through its own board."""
    y = -1.22 + 0.6
    cdu = b.place("CDU-IR-300", -5.7, y, 0.0)
    b.place("IRC-70", -5.1, y, 0.0)
    racks = b.rack_row("RK-HYB-50", -4.5, y, 10, 0.0)
    _rack_loads(racks, 25.0)
    for r in racks:
        r.clearance_rear_m = 0.0  # front access: the rear stands against the container wall
    b.place("IRC-70", 1.5, y, 0.0)
    b.liquid_loop(cdu, racks, offset_m=-0.15, header_gap_m=-0.15)  # headers run over the racks
    ups = b.place("UPS-300-M", 2.9, -1.22 + 0.45, 0.0, name="UPS-1")
    ups.side = "A"
    dba = b.place("PDU-300", 4.4, -1.22 + 0.45, 0.0, name="DB-A")
    dba.upstream_id, dba.side = ups.id, "A"
    dba.feeder = _feeder(dba, ups)
    dbb = b.place("PDU-300", 5.5, -1.22 + 0.45, 0.0, name="DB-B")
    dbb.side = "B"
    for r in racks:
        b.feed(r, "A", dba.id)
        b.feed(r, "B", dbb.id)
    return [_conn("power_in_a", "Power in A (UPS)", "power_in", 6.0, 0.2, [ups.id], "A"),
            _conn("power_in_b", "Power in B (raw)", "power_in", 6.0, -0.2, [dbb.id], "B"),
            *_water(-6.0, 0.4, 0.0, b.hall.cdus)]


def _ind_120r(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """20 ft skid: 4 ruggedised liquid racks at 30 kW, a 100 kW CDU (96 kW liquid), a 40 kW
    in-row cooler (24 kW of air), UPS N+1 on side A and the raw supply on B through RPPs."""
    y = -0.5
    cdu = b.place("CDU-IR-100", -2.73, y, 0.0)
    racks = b.rack_row("RK-EDGE-30", -2.13, y, 4, 0.0)
    _rack_loads(racks, 30.0)
    b.place("IRC-40", 0.12, -0.6, 0.0)
    b.liquid_loop(cdu, racks, offset_m=0.08, header_gap_m=0.06, riser_m=1.0)
    ups = b.place("UPS-160-R", 1.0, -1.22 + 0.45, 0.0, name="UPS-1")
    ups.side = "A"
    dba = b.place("RPP-400", 2.0, -1.22 + 0.3, 0.0, name="DB-A")
    dba.upstream_id, dba.side = ups.id, "A"
    dba.feeder = _feeder(dba, ups)
    dbb = b.place("RPP-400", 2.7, -1.22 + 0.3, 0.0, name="DB-B")
    dbb.side = "B"
    for r in racks:
        b.feed(r, "A", dba.id)
        b.feed(r, "B", dbb.id)
    return [_conn("power_in_a", "Power in A (UPS)", "power_in", 3.0, 0.2, [ups.id], "A"),
            _conn("power_in_b", "Power in B (raw)", "power_in", 3.0, -0.2, [dbb.id], "B"),
            *_water(-3.0, 0.4, 0.0, b.hall.cdus)]


def _mic_60t(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """Outdoor enclosure: 2 liquid racks at 30 kW against the front doors, a 100 kW CDU, a
    40 kW in-row cooler; behind them a compact UPS (4+1 x 20 kW) on side A and two 160 A
    boards."""
    cdu = b.place("CDU-IR-100", -0.9, 0.3, 0.0)
    racks = b.rack_row("RK-EDGE-30", -0.3, 0.3, 2, 0.0)
    _rack_loads(racks, 30.0)
    b.place("IRC-40", 0.75, 0.2, 0.0)
    b.liquid_loop(cdu, racks, offset_m=0.05, header_gap_m=0.04, riser_m=0.8)
    ups = b.place("UPS-80-C", -0.9, -0.5, 0.0, name="UPS-1")
    ups.side = "A"
    dba = b.place("PDU-110-R", -0.3, -0.6, 0.0, name="DB-A")
    dba.upstream_id, dba.side = ups.id, "A"
    dba.feeder = _feeder(dba, ups)
    dbb = b.place("PDU-110-R", 0.3, -0.6, 0.0, name="DB-B")
    dbb.side = "B"
    for r in racks:
        b.feed(r, "A", dba.id)
        b.feed(r, "B", dbb.id)
    return [_conn("power_in_a", "Power in A (UPS)", "power_in", 1.1, -0.5, [ups.id], "A"),
            _conn("power_in_b", "Power in B (raw)", "power_in", 1.1, -0.7, [dbb.id], "B"),
            *_water(-1.1, -0.1, -0.3, b.hall.cdus)]


def _pwr_2500(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """E-house: 2.5 MVA transformer, 4000 A LV switchboard, modular UPS 6 x 250 kW (5+1).
    Power in at 11 kV; out A from the UPS (backed up), out B from the switchboard (raw LV, for
    modules with a UPS of their own or the raw side of an N+1 module)."""
    tx = b.place("TX-2500", -4.9, -0.5, 0.0, name="TX-1")
    swb = b.place("SWB-4000", -1.3, -0.8, 0.0, name="SWB-1")
    swb.upstream_id = tx.id
    swb.feeder = _feeder(swb, tx)
    ups = b.place("UPS-1500-M", 2.9, -0.8, 0.0, name="UPS-1")
    ups.upstream_id = swb.id
    ups.feeder = _feeder(ups, swb)
    return [_conn("power_in", "Power in (11 kV)", "power_in", -6.0, 0.0, [tx.id]),
            _conn("power_out_a", "Power out A (UPS)", "power_out", 6.0, 0.2, [ups.id], "A"),
            _conn("power_out_b", "Power out B (raw LV)", "power_out", 6.0, -0.2, [swb.id], "B")]


def _cdu_skid_2000(b: _LocalBuilder) -> list[h.ModuleConnection]:
    """A 2 MW facility CDU (2+1 pumps) between facility water and a technology cooling loop
    whose supply and return it offers to racks outside the skid."""
    cdu = b.place("CDU-FAC-2000", -1.5, -0.4, 0.0, name="CDU-1")
    return [*_water(-3.0, 0.4, 0.0, [cdu]),
            _conn("loop_supply", "Loop supply out", "loop_supply", 3.0, 0.2, [cdu.id]),
            _conn("loop_return", "Loop return in", "loop_return", 3.0, -0.2, [cdu.id])]


LAYOUTS = {"AIH-1000L": _aih_1000l, "ENT-400H": _ent_400h, "URB-250A": _urb_250a, "IND-120R": _ind_120r,
           "MIC-60T": _mic_60t, "PWR-2500": _pwr_2500, "CDU-SKID-2000": _cdu_skid_2000}


# -- commissioning the loops ---------------------------------------------------------------------
def _commission(hall: h.Hall, supply_c: float) -> None:
    """Set each CDU's pump speed and each rack's balancing valve (see the module doc)."""
    from designer.analysis.liquid import balance_plans

    if not hall.pipes:
        return
    test = hall.model_copy(deep=True)
    ws = h.WaterSupply(id="tpl-fw", supply_temp_c=supply_c, capacity_kw=1e6)
    test.water_supplies = [ws]
    for c in test.cdus:
        c.facility_id = ws.id
        c.pump.speed_fraction = 1.0
    project = Project(sites=[Site(id="tpl", hall=test)])
    plan = balance_plans(project)["tpl"]
    for c, live in zip(hall.cdus, test.cdus, strict=True):
        s = plan.speed_for_required.get(c.id)
        if s is not None:
            speed = min(1.0, math.ceil(s * SPEED_MARGIN / 0.05 - 1e-9) * 0.05)
            c.pump.speed_fraction = live.pump.speed_fraction = round(speed, 2)
    plan = balance_plans(project)["tpl"]
    racks = {r.id: r for r in hall.racks}
    for rid, k in plan.valve_k.items():
        racks[rid].valve_k = float(f"{k:.4g}") if k > 0 else 0.0


def build_template(entry: ModuleType, cat: Catalog) -> ModuleType:
    """The entry with its contents and connections made by its layout."""
    b = _builder(cat, entry)
    conns = LAYOUTS[entry.model](b)
    _commission(b.hall, entry.facility_water_supply_c or 32.0)
    hall = b.hall
    contents = ModuleContents(
        racks=hall.racks, air_units=hall.air_units, cdus=hall.cdus, junctions=hall.junctions, pipes=hall.pipes,
        containments=hall.containments, transformers=hall.power.transformers,
        switchboards=hall.power.switchboards, ups=hall.power.ups, pdus=hall.power.pdus,
        busways=hall.power.busways, taps=hall.power.taps)
    return entry.model_copy(update={"contents": contents, "connections": conns})


def build_templates(data: CatalogData) -> CatalogData:
    """The catalog with every module in :data:`LAYOUTS` given its contents and connections."""
    cat = Catalog(data)
    mods = [build_template(m, cat) if m.model in LAYOUTS else m for m in data.modules]
    return data.model_copy(update={"modules": mods})


# -- the file ------------------------------------------------------------------------------------
def _entry_text(entry: dict, indent: str = "    ") -> str:
    """One catalog entry: its fields on one line; a module's contents one item a line."""
    plain = {k: v for k, v in entry.items() if k not in ("contents", "connections")}
    head = json.dumps(plain, ensure_ascii=False)
    if "contents" not in entry and "connections" not in entry:
        return indent + head
    parts = []
    cont = entry.get("contents") or {}
    lists = [(k, v) for k, v in cont.items() if v]
    if lists:
        blocks = []
        for k, items in lists:
            rows = ",\n".join(f"{indent}    {json.dumps(it, ensure_ascii=False)}" for it in items)
            blocks.append(f'{indent}   "{k}": [\n{rows}]')
        parts.append(f'{indent} "contents": {{\n' + ",\n".join(blocks) + "}")
    conns = entry.get("connections") or []
    if conns:
        rows = ",\n".join(f"{indent}   {json.dumps(c, ensure_ascii=False)}" for c in conns)
        parts.append(f'{indent} "connections": [\n{rows}]')
    return indent + head[:-1] + ",\n" + ",\n".join(parts) + "}"


def catalog_text(raw: dict, data: CatalogData) -> str:
    """The catalog file: ``$comment`` and the categories of ``raw`` in order, entries from
    ``data`` (modules with their contents in full)."""
    out = ["{"]
    keys = [k for k in raw if k != "$comment"]
    if "$comment" in raw:
        out.append(f'  "$comment": {json.dumps(raw["$comment"], ensure_ascii=False)},')
    for i, k in enumerate(keys):
        entries = getattr(data, k)
        dumped = []
        for e in entries:
            d = e.model_dump(mode="json", exclude_defaults=True)
            if k == "modules":
                d = e.model_dump(mode="json", exclude_defaults=True, exclude={"contents", "connections"})
                if not e.contents.is_empty():
                    d["contents"] = e.contents.model_dump(mode="json")
                if e.connections:
                    d["connections"] = [c.model_dump(mode="json") for c in e.connections]
            dumped.append(_entry_text(d))
        sep = "," if i < len(keys) - 1 else ""
        out.append(f'  "{k}": [\n' + ",\n".join(dumped) + f"\n  ]{sep}")
    out.append("}")
    return "\n".join(out) + "\n"


def rebuilt_catalog_text(path: Path) -> str:
    """What ``python -m designer.io.templates`` writes for the catalog file at ``path``."""
    from designer.io.catalog_store import MAX_CATALOG_BYTES, read_catalog_file
    from designer.io.inputs import read_input_text

    raw = json.loads(read_input_text(path, MAX_CATALOG_BYTES, "catalog file"))
    return catalog_text(raw, build_templates(read_catalog_file(path)))


def main() -> None:  # pragma: no cover - writes the resource file
    from designer.io.catalog_store import resource_path
    from designer.io.outputs import write_text_atomic

    path = resource_path("catalog.json")
    write_text_atomic(path, rebuilt_catalog_text(path))


if __name__ == "__main__":  # pragma: no cover
    main()
