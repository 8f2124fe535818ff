"""Air-side results of one site: indices, heat map, rack inlets, air units.

Reads a :class:`designer.solvers.air.results.AirResult` (``result.data``); the model is a
coarse-grid 3D model, not CFD, and the section says so (its headline and assumptions).
"""

from __future__ import annotations

from designer.io.report.context import Ctx, cap_rows, num, pct
from designer.io.report.model import Column, HeatMap, KeyValues, Table, Text
from designer.model.project import Site
from designer.model.units import unit_of_quantity
from designer.solvers.air.results import no_answer

BAND_TEXT = {"recommended": "recommended", "above_recommended": "above recommended",
             "above_allowable": "ABOVE ALLOWABLE", "below_recommended": "below recommended",
             "below_allowable": "BELOW ALLOWABLE", "n/a": "n/a"}
BAND_STATUS = {"above_allowable": "error", "below_allowable": "error", "above_recommended": "warning",
               "below_recommended": "warning"}


def site_blocks(ctx: Ctx, result, site: Site) -> list:
    data = result.data
    s = data.sites.get(site.id) if hasattr(data.sites, "get") else None
    if s is None:
        return [Text("No racks or air units at this site: nothing to model on the air side.", "note")]
    blocks: list = [Text(data.headline, "note")]
    if not s.solved:
        return blocks + [Text(no_answer(s), "warn")]
    blocks.append(_headline(ctx, s))
    if s.map is not None:
        blocks.append(heat_map(ctx, s, site))
    blocks.append(rack_table(ctx, s))
    if s.units:
        blocks.append(unit_table(ctx, s))
    if s.containments:
        blocks.append(Table([Column("Containment", weight=1.5), Column("Kind", weight=0.7),
                             Column("Racks net (m³/s)", "right"), Column("Plenum (m³/s)", "right"),
                             Column("Over panels (m³/s)", "right")],
                            [[ctx.name(c.containment_id), c.kind, num(c.rack_net_m3s, 2), num(c.plenum_m3s, 2),
                              num(c.spill_m3s, 2)] for c in s.containments.values()],
                            title="Contained aisles",
                            note="Plenum: vented to the ceiling plenum (+) or fed from the raised floor (-). "
                                 "Over panels: net flow out over the containment panels (+) or in (-)."))
    return blocks


def _headline(ctx: Ctx, s) -> KeyValues:
    ix, b, m = s.indices, s.balance, s.map
    hottest = max((r for r in s.racks.values() if r.inlet_max_c is not None), key=lambda r: r.inlet_max_c,
                  default=None)
    rows = [("ASHRAE class", f"{ix.ashrae_class}: recommended {ctx.q(ix.recommended_c[0], 'temperature')} to "
                             f"{ctx.q(ix.recommended_c[1], 'temperature')}, allowable "
                             f"{ctx.q(ix.allowable_c[0], 'temperature')} to {ctx.q(ix.allowable_c[1], 'temperature')}"),
            ("Inlet quantity", "each rack's inlet max, the hottest of three inlet sensors at 0.15 m above "
             "the floor, mid-height and 0.15 m below the top, each the mean across the front (bands and RCI)"),
            ("Hottest rack inlet", f"{ctx.q(hottest.inlet_max_c, 'temperature')} ({ctx.name(hottest.rack_id)})"
             if hottest else "-"),
            ("RCI HI / RCI LO", f"{num(ix.rci_hi, 1)} % / {num(ix.rci_lo, 1)} %"),
            ("RTI / SHI", f"{num(ix.rti, 1)} % / {num(ix.shi, 2)}")]
    if b is not None:
        rows.append(("Heat to room air", f"{ctx.q(b.heat_in_kw, 'power')}; removed by units "
                                         f"{ctx.q(b.removed_by_units_kw, 'power')}, with nowhere to go "
                                         f"{ctx.q(b.lost_kw, 'power')}"))
    c = s.convergence
    if c is not None:
        start = "from the previous answer" if c.start == "previous field" else "from rest"
        rows.append(("Solve", f"steady after {c.steps} pseudo-time steps {start}: in the last, no air velocity "
                              f"changed by more than {c.tol_u:g} of the fastest supply or exhaust velocity and "
                              f"no air temperature by more than {c.tol_t:g} K"))
    if m is not None:
        rows.append(("Grid", f"{m.nx} x {m.ny} cells of {ctx.q(m.cell_m, 'length', 2)} x {s.stats.get('layers')} "
                             f"layers; air at {ctx.q(m.z_m, 'length', 1)} {ctx.q(m.t_min_c, 'temperature')} to "
                             f"{ctx.q(m.t_max_c, 'temperature')}"))
    return KeyValues(rows, title="Air side at a glance")


def heat_map(ctx: Ctx, s, site: Site) -> HeatMap:
    m = s.map
    u = unit_of_quantity("temperature", ctx.units)
    boxes = [it.corners() for it in (*site.hall.racks, *site.hall.air_units, *site.hall.cdus)]
    hi = s.indices.recommended_c[1]
    lo, top = m.t_min_c, m.t_max_c
    return HeatMap(f"Air temperature at {m.z_m:g} m, {site.name or site.id}", m.x0, m.y0, m.cell_m, u.to_display(m.temperature_c),
                   u.to_display(lo), u.to_display(max(top, lo + 0.5)), u.symbol, list(site.hall.outline), boxes,
                   [(u.to_display(hi), "recommended max")])


def rack_table(ctx: Ctx, s) -> Table:
    racks = sorted(s.racks.values(), key=lambda r: -(r.inlet_max_c if r.inlet_max_c is not None else -1e9))
    shown, note = cap_rows(ctx, racks, "racks (hottest inlet first)")
    t = ctx.u("temperature")
    rows, status = [], []
    for r in shown:
        rows.append([ctx.name(r.rack_id), ctx.n(r.heat_to_air_kw, "power"), ctx.n(r.airflow_m3s, "airflow"),
                     ctx.n(r.inlet_mean_c, "temperature"), ctx.n(r.inlet_max_c, "temperature"),
                     ctx.n(r.exhaust_c, "temperature"), BAND_TEXT.get(r.band, r.band)])
        status.append(BAND_STATUS.get(r.band, ""))
    return Table([Column("Rack", weight=1.6), Column(f"To air ({ctx.u('power')})", "right"),
                  Column(f"Air ({ctx.u('airflow')})", "right"), Column(f"Inlet mean ({t})", "right", 1.1),
                  Column(f"Inlet max ({t})", "right", 1.1), Column(f"Exhaust ({t})", "right"),
                  Column("ASHRAE band", weight=1.6)],
                 rows, title="Rack inlet temperatures", row_status=status, note=note)


def unit_table(ctx: Ctx, s) -> Table:
    rows, status = [], []
    for u in s.units.values():
        rows.append([ctx.name(u.unit_id), u.kind, ctx.n(u.load_kw, "power"), ctx.n(u.capacity_kw, "power", 0),
                     pct(u.utilisation), ctx.n(u.airflow_m3s, "airflow"), ctx.n(u.supply_temp_c, "temperature"),
                     ctx.n(u.return_temp_c, "temperature")])
        status.append("error" if (u.utilisation or 0) > 1.0 else ("warning" if (u.utilisation or 0) > 0.9 else ""))
    t = ctx.u("temperature")
    return Table([Column("Air unit", weight=1.6), Column("Kind", weight=0.9), Column(f"Load ({ctx.u('power')})", "right"),
                  Column(f"Capacity ({ctx.u('power')})", "right", 1.1), Column("Use", "right", 0.7),
                  Column(f"Air ({ctx.u('airflow')})", "right"), Column(f"Supply ({t})", "right"),
                  Column(f"Return ({t})", "right")],
                 rows, title="Air units", row_status=status)
