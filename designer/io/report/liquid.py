"""Liquid-cooling results of one site: CDUs with their pump and system curves, racks, pipes.

Reads a :class:`designer.solvers.liquid.results.LiquidResults` (``result.data``).
"""

from __future__ import annotations

from designer.io.report.context import Ctx, cap_rows, num, pct
from designer.io.report.model import Column, KeyValues, LinePlot, Marker, Series, Table, Text
from designer.model.project import Site

MAX_PLOTS = 8
"""Pump-curve plots per site at most."""


def site_blocks(ctx: Ctx, result, site: Site) -> list:
    res = result.data
    hall = site.hall
    cdu_ids = [c.id for c in hall.cdus if c.id in res.cdus]
    rack_ids = [r.id for r in hall.racks if r.id in res.racks]
    if not cdu_ids and not rack_ids:
        liquid = [r for r in hall.racks if r.liquid_fraction > 0]
        if not liquid:
            return [Text("No liquid-cooled racks and no CDU at this site.", "note")]
    blocks: list = [_headline(ctx, res, site, cdu_ids, rack_ids)]
    if cdu_ids:
        blocks.append(cdu_table(ctx, res, cdu_ids))
        # the plots that matter: the most loaded CDUs (identical pods give identical curves)
        plotted = sorted(cdu_ids, key=lambda c: -(res.cdus[c].load_fraction or 0.0))[:MAX_PLOTS]
        blocks += [pump_plot(ctx, res.cdus[c]) for c in cdu_ids if c in plotted]
        if len(cdu_ids) > MAX_PLOTS:
            blocks.append(Text(f"Pump and system curves of the {MAX_PLOTS} most loaded of {len(cdu_ids)} CDUs; "
                               "the JSON export has every curve.", "note"))
    if rack_ids:
        blocks.append(rack_table(ctx, res, rack_ids))
    pipes = [p.id for p in hall.pipes if p.id in res.pipes]
    if pipes:
        blocks.append(pipe_table(ctx, res, pipes))
    unconnected = {r.id: res.unconnected[r.id] for r in hall.racks if r.id in res.unconnected}
    if unconnected:
        blocks.append(Table([Column("Rack", weight=1.2), Column("Why it is in no loop", weight=4)],
                            [[ctx.name(k), v] for k, v in unconnected.items()],
                            title="Racks with liquid heat outside any loop",
                            row_status=["error"] * len(unconnected)))
    return blocks


def _headline(ctx: Ctx, res, site: Site, cdu_ids: list[str], rack_ids: list[str]) -> KeyValues:
    racks = [res.racks[r] for r in rack_ids]
    cooled = [r for r in racks if r.required_lpm]
    ratios = [r.flow_ratio for r in cooled if r.flow_ratio is not None]
    worst = min(cooled, key=lambda r: r.flow_ratio if r.flow_ratio is not None else 9e9, default=None)
    cdus = [res.cdus[c] for c in cdu_ids]
    conv = res.convergence.get(site.id) if hasattr(res.convergence, "get") else None
    pipes = [res.pipes[p.id] for p in site.hall.pipes if p.id in res.pipes]
    vmax = max(pipes, key=lambda p: p.velocity_mps, default=None)
    rows = [
        ("Loops", str(len({r.loop for r in racks} | {c.loop for c in cdus}))),
        ("Racks on liquid", f"{len(cooled)}, {ctx.q(sum(r.heat_kw for r in cooled), 'power')} to liquid"),
        ("Lowest flow / required", f"{pct(min(ratios))} ({ctx.name(worst.rack_id)})" if ratios and worst else "-"),
        ("Racks short of flow", str(sum(1 for r in cooled if not r.ok))),
        ("CDU load", _cdu_loads(ctx, cdus)),
        ("Highest pipe velocity", f"{ctx.q(vmax.velocity_mps, 'velocity')} ({ctx.name(vmax.pipe_id)}), limit "
                                  f"{ctx.q(ctx.project.settings.velocity_limit_mps, 'velocity')}" if vmax else "-"),
    ]
    if conv is not None:
        rows.append(("Solution", f"{'converged' if conv.converged else 'NOT converged'} in {conv.iterations} Newton "
                                 f"iterations; head residual {conv.head_residual_m:.1e} m, energy residual "
                                 f"{conv.energy_residual_w:.1e} W"))
    return KeyValues(rows, title="Liquid cooling at a glance")


def _cdu_loads(ctx: Ctx, cdus: list) -> str:
    if len(cdus) <= 4:
        return ", ".join(f"{ctx.name(c.cdu_id)} {pct(c.load_fraction)}" for c in cdus) or "-"
    known = [c for c in cdus if c.load_fraction is not None]
    if not known:
        return f"{len(cdus)} CDUs"
    hi = max(known, key=lambda c: c.load_fraction)
    lo = min(known, key=lambda c: c.load_fraction)
    return (f"{len(cdus)} CDUs from {pct(lo.load_fraction)} ({ctx.name(lo.cdu_id)}) to {pct(hi.load_fraction)} "
            f"({ctx.name(hi.cdu_id)}) of capacity")


def cdu_table(ctx: Ctx, res, cdu_ids: list[str]) -> Table:
    rows, status = [], []
    for cid in cdu_ids:
        c = res.cdus[cid]
        fail = "-"
        if c.failure_running is not None:
            fail = "waits for standby" if c.failure_running == 0 else \
                f"{ctx.n(c.failure_flow_lpm, 'liquid_flow')} ({c.failure_running} run)"
        rows.append([ctx.name(cid), c.fluid, ctx.n(c.flow_lpm, "liquid_flow"), ctx.n(c.pump_head_kpa, "pressure"),
                     f"{ctx.n(c.load_kw, 'power')} / {ctx.n(c.capacity_kw, 'power', 0)}", pct(c.load_fraction),
                     ctx.n(c.supply_temp_c, "temperature"), ctx.n(c.return_temp_c, "temperature"),
                     f"{ctx.n(c.facility_supply_c, 'temperature')} {c.ashrae_class}", str(c.pumps_running), fail])
        lf = c.load_fraction
        status.append("error" if (lf is not None and lf > 1.0) or c.pump_closed else
                      ("warning" if (lf is not None and lf > 0.9) or not c.on_curve else ""))
    t, q, p, pw = ctx.u("temperature"), ctx.u("liquid_flow"), ctx.u("pressure"), ctx.u("power")
    return Table([Column("CDU", weight=1.6), Column("Fluid", weight=0.7), Column(f"Flow ({q})", "right", 1.0),
                  Column(f"Head ({p})", "right", 0.9), Column(f"Load / cap ({pw})", "right", 1.4),
                  Column("Load", "right", 0.7), Column(f"Supply ({t})", "right", 0.9),
                  Column(f"Return ({t})", "right", 0.9), Column(f"Facility ({t})", "right", 1.1),
                  Column("Pumps", "right", 0.7), Column(f"1 pump down ({q})", "right", 1.4)],
                 rows, title="CDUs", row_status=status,
                 note="Facility: facility-water supply and its ASHRAE liquid class. 1 pump down: loop flow "
                      "with one fewer pump running.")


def pump_plot(ctx: Ctx, c) -> LinePlot:
    from designer.model.units import unit_of_quantity

    uq, up = unit_of_quantity("liquid_flow", ctx.units), unit_of_quantity("pressure", ctx.units)

    def conv(pts):
        return [(uq.to_display(x), up.to_display(y)) for x, y in pts]

    series = [Series(f"pumps ({c.pumps_running} running at {c.pump_speed:.0%} speed)", conv(c.pump_curve),
                     "#2f6fdb"),
              Series("system (HX + network)", conv(c.system_curve), "#d9442f", dashed=True)]
    markers = [Marker(f"operating point {num(uq.to_display(c.flow_lpm), 0)} {uq.symbol}, "
                      f"{num(up.to_display(c.pump_head_kpa), 0)} {up.symbol}",
                      uq.to_display(c.flow_lpm), up.to_display(c.pump_head_kpa), "#111111")]
    if c.failure_flow_lpm is not None and c.failure_head_kpa is not None and c.failure_running:
        markers.append(Marker("one pump down", uq.to_display(c.failure_flow_lpm),
                              up.to_display(c.failure_head_kpa), "#e8a317"))
    return LinePlot(f"{ctx.name(c.cdu_id)}: pump curve against system curve", f"Flow ({uq.symbol})",
                    f"Head ({up.symbol})", series, markers)


def rack_table(ctx: Ctx, res, rack_ids: list[str]) -> Table:
    racks = [res.racks[r] for r in rack_ids]
    # the racks that matter first: lowest flow ratio, then the rest in plan order
    racks.sort(key=lambda r: (r.flow_ratio is None, r.flow_ratio if r.flow_ratio is not None else 0.0))
    shown, note = cap_rows(ctx, racks, "racks (lowest flow ratio first)")
    # a CDU with a single duty pump has no flow with it down until its standby starts
    standby = {c.loop for c in res.cdus.values() if c.failure_running == 0}
    rows, status = [], []
    for r in shown:
        rows.append([ctx.name(r.rack_id), ctx.n(r.heat_kw, "power"), ctx.n(r.flow_lpm, "liquid_flow"),
                     ctx.n(r.required_lpm, "liquid_flow"), pct(r.flow_ratio), ctx.n(r.supply_temp_c, "temperature"),
                     ctx.n(r.return_temp_c, "temperature"), ctx.n(r.dp_kpa, "pressure"),
                     "standby" if r.loop in standby else pct(r.failure_ratio)])
        status.append("" if r.ok else "error")
    t, q = ctx.u("temperature"), ctx.u("liquid_flow")
    return Table([Column("Rack", weight=1.6), Column(f"Heat ({ctx.u('power')})", "right"),
                  Column(f"Flow ({q})", "right"), Column(f"Required ({q})", "right", 1.1),
                  Column("Ratio", "right", 0.7), Column(f"Supply ({t})", "right"), Column(f"Return ({t})", "right"),
                  Column(f"dp ({ctx.u('pressure')})", "right", 0.8), Column("1 pump down", "right", 1.0)],
                 rows, title="Racks on liquid", row_status=status,
                 note=("Ratio: flow against the flow for the rack's design temperature rise. 1 pump down: "
                       "the ratio with one fewer pump running at its CDU; standby: the CDU runs a single duty "
                       "pump, so flow stops until its standby pump starts. " + note).strip())


def pipe_table(ctx: Ctx, res, pipe_ids: list[str]) -> Table:
    by_d: dict[float, list] = {}
    for pid in pipe_ids:
        p = res.pipes[pid]
        by_d.setdefault(round(p.diameter_m, 4), []).append(p)
    rows, status = [], []
    limit = ctx.project.settings.velocity_limit_mps
    for d, ps in sorted(by_d.items()):
        fast = max(ps, key=lambda p: p.velocity_mps)
        steep = max(ps, key=lambda p: p.dp_kpa / p.length_m if p.length_m > 0 else 0.0)
        grad = steep.dp_kpa / steep.length_m if steep.length_m > 0 else 0.0
        rows.append([ctx.n(d * 1000, "small_length", 0), str(len(ps)), ctx.n(sum(p.length_m for p in ps), "length", 1),
                     f"{ctx.n(fast.velocity_mps, 'velocity')} ({ctx.name(fast.pipe_id)})",
                     f"{num(grad, 2)}", ", ".join(sorted({p.regime for p in ps}))])
        status.append("warning" if fast.velocity_mps > limit else "")
    return Table([Column("Bore (mm)", "right", 0.8), Column("Pipes", "right", 0.6),
                  Column(f"Length ({ctx.u('length')})", "right", 0.9),
                  Column(f"Highest velocity ({ctx.u('velocity')})", weight=2.2),
                  Column("Steepest loss (kPa/m)", "right", 1.3), Column("Regime", weight=1.3)],
                 rows, title="Pipes by bore", row_status=status)
