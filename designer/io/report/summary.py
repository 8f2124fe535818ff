"""Cover facts, the project overview and each site's summary."""

from __future__ import annotations

from designer import __version__
from designer.io.report.context import Ctx, guarded, num
from designer.io.report.model import Column, Cover, KeyValues, Plan, Table, Text
from designer.model.project import Site


def hall_size(site: Site) -> tuple[float, float, float]:
    """Width and depth of the hall outline's bounding box, and the outline's area (m, m2)."""
    pts = site.hall.outline
    if len(pts) < 3:
        return 0.0, 0.0, 0.0
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    area = 0.0
    for (x1, y1), (x2, y2) in zip(pts, pts[1:] + pts[:1], strict=True):
        area += x1 * y2 - x2 * y1
    return max(xs) - min(xs), max(ys) - min(ys), abs(area) / 2.0


def it_kw(site: Site) -> float:
    return sum(r.it_load_kw for r in site.hall.racks)


def _findings(ctx: Ctx) -> list:
    out = []
    for r in ctx.results.values():
        out += list(getattr(r, "findings", ()) or ())
    return out


def cover(ctx: Ctx, title: str = "Design report") -> Cover:
    p = ctx.project
    sites = ctx.sites
    racks = sum(len(s.hall.racks) for s in sites)
    mods = sum(len(s.hall.modules) for s in sites)
    facts = [("Sites", str(len(sites))), ("Modules", str(mods)), ("Racks", str(racks)),
             ("IT load", ctx.q(sum(it_kw(s) for s in sites), "power"))]
    pl = ctx.result("placement")
    if pl is not None and not pl.error and pl.summary:
        s = pl.summary
        n = (s.get("workloads_placed") or 0) + (s.get("workloads_unplaced") or 0)
        facts.append(("Workloads placed", f"{s.get('workloads_placed', '-')} of {n}"))
    pw = ctx.result("power")
    if pw is not None and not pw.error and pw.summary:
        facts.append(("Survives any single power failure", str(pw.summary.get("survives any single failure", "-"))))
    fs = _findings(ctx)
    facts.append(("Findings", f"{sum(f.severity.value == 'error' for f in fs)} errors, "
                              f"{sum(f.severity.value == 'warning' for f in fs)} warnings"))
    return Cover(title=title, project=p.name, revision=p.revision, date=ctx.date,
                 author=ctx.options.author or p.author or "-", description=p.description, facts=facts,
                 generator=f"Data Hall Designer {__version__}")


def overview_blocks(ctx: Ctx) -> list:
    p = ctx.project
    blocks: list = []
    if p.description:
        blocks.append(Text(p.description))
    rows = []
    for s in ctx.sites:
        w, d, a = hall_size(s)
        rows.append([s.name or s.id, s.id, s.kind, str(len(s.hall.modules)), str(len(s.hall.racks)),
                     ctx.n(it_kw(s), "power"), f"{ctx.n(w, 'length', 1)} x {ctx.n(d, 'length', 1)}",
                     s.hall.power.scheme])
    blocks.append(Table([Column("Site", weight=2.6), Column("Id", weight=1.3), Column("Kind", weight=1.2),
                         Column("Modules", "right", 0.9), Column("Racks", "right", 0.8),
                         Column(f"IT ({ctx.u('power')})", "right", 1.1),
                         Column(f"Hall ({ctx.u('length')})", "right", 1.5), Column("Power", weight=0.8)],
                        rows, title="Sites"))
    blocks.append(analysis_status(ctx))
    return blocks


def analysis_status(ctx: Ctx) -> Table:
    rows, status = [], []
    for name in ("geometry", "liquid", "air", "power", "placement"):
        r = ctx.result(name)
        if r is None:
            rows.append([name, "not run", "-", "-", "-", "-"])
            status.append("warning")
            continue
        fs = list(r.findings or ())
        count = {k: sum(f.severity.value == k for f in fs) for k in ("error", "warning", "info")}
        rows.append([name, "failed: " + str(r.error)[:80] if r.error else "ok", str(count["error"]),
                     str(count["warning"]), str(count["info"]), f"{r.elapsed_s * 1000:.0f}"])
        status.append("error" if r.error else ("warning" if count["error"] else ""))
    return Table([Column("Analysis", weight=1.2), Column("Status", weight=2.5), Column("Errors", "right", 0.8),
                  Column("Warnings", "right", 0.9), Column("Info", "right", 0.7), Column("Time (ms)", "right", 0.9)],
                 rows, title="Analyses behind this report", row_status=status,
                 note="Every analysis ran on the same revision of the design as the one exported.")


def site_blocks(ctx: Ctx, site: Site) -> list:
    hall = site.hall
    w, d, area = hall_size(site)
    kw = it_kw(site)
    racks = hall.racks
    kinds = {"air": 0, "hybrid": 0, "liquid": 0}
    for r in racks:
        kinds["air" if r.liquid_fraction <= 0 else ("liquid" if r.liquid_fraction >= 0.75 else "hybrid")] += 1
    liquid_kw = sum(r.it_load_kw * r.liquid_fraction for r in racks)
    core = ctx.name(site.core_site_id) if site.core_site_id else "- (core site)"
    rows = [
        ("Kind", site.kind), ("Location", f"{site.location.lat:.4f}, {site.location.lon:.4f}"),
        ("Tethered to", core),
        ("Hall", f"{ctx.q(w, 'length', 1)} x {ctx.q(d, 'length', 1)}, {num(area, 0)} m², "
                 f"clear height {ctx.q(hall.height_m, 'length', 1)}"),
        ("Floor rating", ctx.q(hall.floor_rating_kg_m2, "floor_load")),
        ("Utility capacity", ctx.q(site.utility_capacity_kw, "power")),
        ("Facility water", "; ".join(f"{w.name or w.id}: {ctx.q(w.supply_temp_c, 'temperature')} supply, "
                                     f"{ctx.q(w.capacity_kw, 'power')} heat rejection"
                                     for w in hall.water_supplies) or "none"),
        ("IT load", f"{ctx.q(kw, 'power')} in {len(racks)} racks ({kinds['air']} air, {kinds['hybrid']} hybrid, "
                    f"{kinds['liquid']} liquid)" + (f"; {num(kw / area, 2)} kW/m² of hall" if area > 0 else "")),
        ("Heat to liquid / air", f"{ctx.q(liquid_kw, 'power')} / {ctx.q(kw - liquid_kw, 'power')}"),
        ("Modules", ", ".join(m.name or m.id for m in hall.modules) or "-"),
        ("Cooling equipment", f"{len(hall.cdus)} CDUs, {len(hall.air_units)} air units, {len(hall.pipes)} pipes"),
        ("Power scheme (design intent)", hall.power.scheme),
    ]
    blocks: list = [KeyValues(rows, title="Site data")]
    blocks += guarded(ctx, "geometry", "Layout checks", layout_blocks, site)
    return blocks


def layout_blocks(ctx: Ctx, res, site: Site) -> list:
    g = res.data.get(site.id) if hasattr(res.data, "get") else None
    if g is None:
        return [Text("Layout checks: no result for this site.", "note")]
    front = [v for v in g.aisle_front_m.values() if v is not None and v != float("inf")]
    rear = [v for v in g.aisle_rear_m.values() if v is not None and v != float("inf")]
    loads = g.floor_load_kg_m2
    worst = max(loads, key=loads.get, default=None)
    ids = {i for i in g.status}
    site_ids = {it.id for it in (*site.hall.racks, *site.hall.modules, *site.hall.cdus, *site.hall.air_units)}
    rows = [("Narrowest aisle at rack fronts", ctx.q(min(front), "length", 2) if front else "open floor"),
            ("Narrowest aisle at rack rears", ctx.q(min(rear), "length", 2) if rear else "open floor"),
            ("Highest floor load", f"{ctx.q(loads[worst], 'floor_load')} ({ctx.name(worst)}) against "
                                   f"{ctx.q(site.hall.floor_rating_kg_m2, 'floor_load')} rating"
             if worst else "-"),
            ("Items with layout findings", str(len(ids & site_ids)))]
    return [KeyValues(rows, title="Layout checks")]


def plan_block(ctx: Ctx, site: Site) -> Plan:
    w, d, area = hall_size(site)
    dims = [("Hall", f"{ctx.q(w, 'length', 2)} x {ctx.q(d, 'length', 2)}"), ("Hall area", f"{num(area, 1)} m²")]
    for m in site.hall.modules:
        dims.append((f"Module {m.name or m.id}", f"{ctx.q(m.width_m, 'length', 2)} x {ctx.q(m.depth_m, 'length', 2)}"))
    racks = site.hall.racks
    if racks:
        r = racks[0]
        dims.append(("Rack footprint", f"{ctx.q(r.width_m, 'length', 2)} x {ctx.q(r.depth_m, 'length', 2)}"))
    g = ctx.result("geometry")
    try:
        gs = g.data.get(site.id) if g is not None and not g.error else None
        front = [v for v in gs.aisle_front_m.values() if v != float("inf")] if gs else []
        if front:
            dims.append(("Narrowest aisle at rack fronts", ctx.q(min(front), "length", 2)))
    except Exception:  # the plan never fails over a dimension
        pass
    return Plan(site.id, f"Floor plan: {site.name or site.id}", dims)

