"""Module spec sheets: what procurement and the site team need to know about each module.

Design values come from the module and its catalog entry; results (power, liquid, air,
placement) are added where the analyses ran, each degrading to "not available".
"""

from __future__ import annotations

from collections import Counter

from designer.io.report.context import Ctx, guarded, guarded_rows, num, pct
from designer.io.report.model import Column, Columns, KeyValues, Section, Table, Text
from designer.io.report.placement import module_workloads
from designer.model.catalog import ModuleType
from designer.model.hall import Module
from designer.model.project import Site

FORM = {"room": "room module", "container_20ft": "20 ft container", "container_40ft": "40 ft container",
        "skid": "skid", "enclosure": "outdoor enclosure"}


def racks_of(site: Site, m: Module) -> list:
    return [r for r in site.hall.racks if r.module_id == m.id]


def entry_of(ctx: Ctx, m: Module) -> ModuleType | None:
    e = ctx.catalog.get(m.catalog_model) if (ctx.catalog is not None and m.catalog_model) else None
    return e if isinstance(e, ModuleType) else None


def spec_sheet(ctx: Ctx, site: Site, m: Module) -> Section:
    e = entry_of(ctx, m)
    racks = racks_of(site, m)
    it = sum(r.it_load_kw for r in racks)
    liquid = sum(r.it_load_kw * r.liquid_fraction for r in racks)
    blocks: list = []
    blocks.append(KeyValues([
        ("Name / id", f"{m.name or m.id} / {m.id}"),
        ("Catalog model", f"{m.catalog_model or '- (custom)'}" + (f": {e.name}" if e else "")),
        ("Maker", e.maker if e else "-"),
        ("Form factor", FORM.get(m.form_factor, m.form_factor)),
        ("Site", f"{site.name or site.id} ({site.kind})"),
        ("Position", f"centre x {ctx.q(m.x, 'length', 2)}, y {ctx.q(m.y, 'length', 2)}, rotated {m.rotation_deg:g}°"),
    ], title="Identity"))
    if e and e.description:
        blocks.append(Text(e.description, "note"))
    area = m.width_m * m.depth_m
    weight = m.weight_kg or (e.weight_kg if e else 0.0)
    dims = [("Footprint (W x D x H)", f"{ctx.q(m.width_m, 'length', 2)} x {ctx.q(m.depth_m, 'length', 2)} x "
                                      f"{ctx.q(m.height_m, 'length', 2)}"),
            ("Footprint area", f"{num(area, 1)} m²"),
            ("Weight (empty)", ctx.q(weight, "mass") if weight else "-")]
    if e:
        dims.append(("Service clearances", f"front {ctx.q(e.clearance_front_m, 'length', 1)}, rear "
                                           f"{ctx.q(e.clearance_rear_m, 'length', 1)}, sides "
                                           f"{ctx.q(e.clearance_side_m, 'length', 1)}"))
    rack_weight = sum(r.weight_kg for r in racks)
    if area > 0 and (weight or rack_weight):
        dims.append(("Floor load with racks", f"{ctx.q((weight + rack_weight) / area, 'floor_load')} against "
                                              f"{ctx.q(site.hall.floor_rating_kg_m2, 'floor_load')} hall rating"))
    if e and e.structural:
        dims.append(("Structural", e.structural))
    left: list = [KeyValues(dims, title="Dimensions and weight")]
    cap = m.it_capacity_kw
    left.append(KeyValues([
        ("Rated IT capacity", ctx.q(cap, "power")),
        ("Installed IT load", f"{ctx.q(it, 'power')}" + (f" ({pct(it / cap)} of rated)" if cap > 0 else "")),
        ("Rack positions", f"{len(racks)} used of {m.rack_positions}"),
        ("Heat to liquid / air", f"{ctx.q(liquid, 'power')} / {ctx.q(it - liquid, 'power')}"),
    ], title="IT capacity"))
    left.append(KeyValues(_electrical(ctx, site, m, e, racks), title="Electrical supply and redundancy"))
    right = [KeyValues(_cooling(ctx, site, m, e, racks), title="Cooling")]
    if e and (e.monitoring or e.standards):
        right.append(KeyValues([("Monitoring", ", ".join(e.monitoring) or "-"),
                                ("Standards", ", ".join(e.standards) or "-")], title="Controls and standards"))
    blocks.append(Columns(left, right))
    if racks:
        blocks.append(_rack_models(ctx, racks))
    blocks += guarded(ctx, "placement", "Assigned workloads", _workloads, m)
    return Section(f"Module spec sheet: {m.name or m.id}", blocks, level=2, key=f"site:{site.id}:module:{m.id}")


def _rack_models(ctx: Ctx, racks: list) -> Table:
    groups = Counter((r.catalog_model or "-", r.it_load_kw, r.liquid_fraction, r.height_u) for r in racks)
    rows = []
    for (model, kw, lf, u), n in sorted(groups.items(), key=lambda kv: (-kv[0][1], kv[0][0])):
        rows.append([model, str(n), ctx.n(kw, "power"), pct(lf), f"{u}U", ctx.n(kw * n, "power")])
    pw = ctx.u("power")
    return Table([Column("Rack model", weight=1.6), Column("Count", "right", 0.7), Column(f"IT each ({pw})", "right"),
                  Column("To liquid", "right", 0.8), Column("Height", "right", 0.7), Column(f"IT total ({pw})", "right")],
                 rows, title="Racks")


def _electrical(ctx: Ctx, site: Site, m: Module, e: ModuleType | None, racks: list) -> list[tuple[str, str]]:
    rows = []
    if e:
        rows += [("Supply", f"{num(e.supply_voltage_v, 0)} V, {num(e.supply_kva, 0)} kVA"),
                 ("UPS", f"{e.ups_topology or '-'}, {num(e.runtime_min, 0)} min runtime"),
                 ("Redundancy (catalog)", e.redundancy or "-")]
    rows.append(("Site power scheme (design)", site.hall.power.scheme))
    dual = sum(1 for r in racks if r.feed_a is not None and r.feed_b is not None)
    single = sum(1 for r in racks if (r.feed_a is None) != (r.feed_b is None))
    rows.append(("Rack cords", f"{dual} racks dual-corded (A + B), {single} single-corded, "
                               f"{len(racks) - dual - single} without a feed"))
    srcs = {"A": Counter(), "B": Counter()}
    for r in racks:
        for side, f in (("A", r.feed_a), ("B", r.feed_b)):
            if f is not None:
                srcs[side][ctx.name(_feed_parent(site, f.source_id))] += 1
    for side in ("A", "B"):
        if srcs[side]:
            rows.append((f"Fed on side {side} from", ", ".join(f"{k} ({v})" for k, v in srcs[side].items())))
    rows += guarded_rows(ctx, "power", "Power results", _power_rows, site, racks)
    return rows


def _feed_parent(site: Site, source_id: str) -> str:
    """A rack cord names a PDU or a busway tap; a tap is reported by its busway."""
    for t in site.hall.power.taps:
        if t.id == source_id:
            return t.busway_id
    return source_id


def _power_rows(ctx: Ctx, result, site: Site, racks: list) -> list[tuple[str, str]]:
    sp = result.data.sites.get(site.id)
    if sp is None:
        return [("Power results", "no power chain at this site")]
    ids = {r.id for r in racks}
    rp = [sp.racks[i] for i in ids if i in sp.racks]
    rows = [("Racks powered", f"{sum(1 for r in rp if r.powered)} of {len(racks)}")]
    if rp:
        w = min(rp, key=lambda r: r.margin_a)
        rows.append(("Smallest cord margin", f"{num(w.margin_a, 1)} A ({w.name or w.rack_id}, one cord carrying "
                                             f"the whole rack)"))
    hit = [s for s in sp.scenarios if ids & set(s.racks_lost)]
    rows.append(("Single failures that cut its racks", f"{len(hit)} of {len(sp.scenarios)}"
                 + (f": {', '.join(s.label for s in hit[:3])}" + (" ..." if len(hit) > 3 else "") if hit else "")))
    return rows


def _cooling(ctx: Ctx, site: Site, m: Module, e: ModuleType | None, racks: list) -> list[tuple[str, str]]:
    rows = [("Cooling type", m.cooling), ("Rated cooling capacity", ctx.q(m.cooling_capacity_kw, "power"))]
    if e:
        if e.supply_temp_c is not None or e.return_temp_c is not None:
            rows.append(("Design liquid supply / return", f"{ctx.q(e.supply_temp_c, 'temperature')} / "
                                                          f"{ctx.q(e.return_temp_c, 'temperature')}"))
        if e.facility_water_supply_c is not None:
            rows.append(("Facility water (design)", f"{ctx.q(e.facility_water_supply_c, 'temperature')} "
                                                    f"{e.facility_water_class}".strip()))
        if e.pump_redundancy:
            rows.append(("Pump redundancy", e.pump_redundancy))
    for w in site.hall.water_supplies:
        rows.append((f"Site facility water ({w.name or w.id})",
                     f"{ctx.q(w.supply_temp_c, 'temperature')}, {ctx.q(w.capacity_kw, 'power')}"))
    if any(r.liquid_fraction > 0 for r in racks):
        rows += guarded_rows(ctx, "liquid", "Liquid results", _liquid_rows, racks)
    rows += guarded_rows(ctx, "air", "Air results", _air_rows, site, racks)
    return rows


def _liquid_rows(ctx: Ctx, result, racks: list) -> list[tuple[str, str]]:
    res = result.data
    rl = [res.racks[r.id] for r in racks if r.id in res.racks]
    if not rl:
        return [("Liquid results", "its liquid racks are in no loop")]
    loops = {r.loop for r in rl}
    cdus = [c for c in res.cdus.values() if c.loop in loops]
    ratios = [r.flow_ratio for r in rl if r.flow_ratio is not None]
    rets = [r.return_temp_c for r in rl if r.return_temp_c is not None]
    rows = [("CDUs serving it", ", ".join(f"{ctx.name(c.cdu_id)} {ctx.n(c.load_kw, 'power')} of "
                                          f"{ctx.q(c.capacity_kw, 'power', 0)}" for c in cdus) or "-"),
            ("Liquid supply / highest return", f"{ctx.q(min(r.supply_temp_c for r in rl), 'temperature')} / "
                                               f"{ctx.q(max(rets), 'temperature') if rets else '-'}"),
            ("Lowest rack flow / required", pct(min(ratios)) if ratios else "-")]
    if cdus and all(c.failure_running == 0 for c in cdus):
        rows.append(("With one pump down", "flow stops until the standby pump starts (one duty pump per CDU)"))
    else:
        fr = [r.failure_ratio for r in rl if r.failure_ratio is not None]
        if fr:
            rows.append(("Lowest with one pump down", pct(min(fr))))
    return rows


def _air_rows(ctx: Ctx, result, site: Site, racks: list) -> list[tuple[str, str]]:
    s = result.data.sites.get(site.id)
    if s is None or not s.solved:
        return [("Air results", "not solved for this site")]
    ra = [s.racks[r.id] for r in racks if r.id in s.racks and s.racks[r.id].inlet_max_c is not None]
    if not ra:
        return [("Rack inlets", "-")]
    w = max(ra, key=lambda r: r.inlet_max_c)
    return [("Hottest rack inlet", f"{ctx.q(w.inlet_max_c, 'temperature')} ({w.name or w.rack_id}, "
                                   f"{w.band.replace('_', ' ')})"),
            ("Heat to room air", ctx.q(sum(r.heat_to_air_kw for r in ra), "power"))]


def _workloads(ctx: Ctx, result, m: Module) -> list:
    rows = module_workloads(ctx, result.data, m.id)
    if not rows:
        return [Text("Assigned workloads: none.", "note")]
    return [Table([Column("Workload", weight=3), Column(f"Power ({ctx.u('power')})", "right"),
                   Column("Budget (ms)", "right"), Column("Round trip (ms)", "right"), Column("Margin (ms)", "right")],
                  rows, title="Assigned workloads and latency margins")]
