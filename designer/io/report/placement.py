"""Workload placement: where each workload runs, its round trip against its budget, cost.

Reads a :class:`designer.solvers.placement.PlacementResults` (``result.data``).
"""

from __future__ import annotations

import math

from designer.io.report.context import Ctx, cap_rows, num, pct
from designer.io.report.model import Column, KeyValues, Table


def money(v) -> str:
    return "-" if v is None else f"{v:,.0f}"


def blocks(ctx: Ctx, result) -> list:
    res = result.data
    s = result.summary or {}
    wl = list(res.workloads.values())
    placed = [w for w in wl if w.placed]
    rows = [("Status", str(s.get("status", res.status))),
            ("Workloads placed", f"{len(placed)} of {len(wl)}"),
            ("Cost per month", f"{money(res.total_cost)} (hosting {money(sum(w.hosting_cost for w in placed))}, "
                               f"backhaul {money(sum(w.backhaul_cost for w in placed))})"),
            ("Smallest latency margin", f"{num(min(w.margin_ms for w in placed), 2)} ms" if placed else "-")]
    if res.gap == res.gap:
        rows.append(("Optimality gap", pct(res.gap, 2)))
    out: list = [KeyValues(rows, title="Placement at a glance"), workload_table(ctx, res)]
    unplaced = [w for w in wl if not w.placed]
    if unplaced:
        out.append(Table([Column("Workload", weight=1.8), Column(f"Power ({ctx.u('power')})", "right", 0.9),
                          Column("Budget (ms)", "right", 0.9), Column("Why it cannot be placed", weight=4.5)],
                         [[w.name or w.workload_id, ctx.n(w.power_kw, "power"), num(w.budget_ms, 2), w.reason or "-"]
                          for w in unplaced], title="Unplaced workloads", row_status=["error"] * len(unplaced)))
    out.append(module_table(ctx, res))
    tethers = [t for t in res.sites.values() if t.core_site_id]
    if tethers:
        out.append(Table([Column("Site", weight=1.8), Column("Core site", weight=1.5), Column("Route (km)", "right"),
                          Column("Round trip (ms)", "right"), Column("Route", weight=1.2)],
                         [[t.name or t.site_id, ctx.name(t.core_site_id), num(t.route_km, 1), num(t.round_trip_ms, 2),
                           t.route_kind or "-"] for t in tethers], title="Tethers to the core"))
    return out


def workload_table(ctx: Ctx, res) -> Table:
    wl = sorted(res.workloads.values(), key=lambda w: (not w.placed, w.margin_ms if w.placed else 0.0))
    shown, note = cap_rows(ctx, wl, "workloads (smallest margin first)")
    rows, status = [], []
    for w in shown:
        where = f"{ctx.name(w.module_id)} @ {ctx.name(w.site_id)}" if w.placed else "not placed"
        lat = w.latency
        rows.append([(w.name or w.workload_id) + (" [pinned]" if w.pinned else ""), where, num(w.budget_ms, 2),
                     num(w.total_ms, 2), num(w.margin_ms, 2),
                     f"{num(lat.fibre_ms, 2)} + {num(lat.hops_ms, 2)} + {num(lat.access_ms, 2)} + "
                     f"{num(lat.processing_ms, 2)}" if lat else "-",
                     ctx.n(w.power_kw, "power"), money(w.cost) if w.placed else "-"])
        status.append("error" if not w.placed or (w.margin_ms is not None and w.margin_ms < 0) else
                      ("warning" if w.margin_ms is not None and w.margin_ms < 0.1 * w.budget_ms else ""))
    return Table([Column("Workload", weight=2.2), Column("Runs in", weight=2.2), Column("Budget (ms)", "right", 0.9),
                  Column("Round trip (ms)", "right", 1.0), Column("Margin (ms)", "right", 0.9),
                  Column("Fibre + hops + access + proc.", "right", 2.0), Column(f"{ctx.u('power')}", "right", 0.6),
                  Column("Cost/month", "right", 0.9)],
                 rows, title="Workloads", row_status=status,
                 note=("Round trip from the data source and back; margin = budget - round trip. " + note).strip())


def _count(used: float, cap: float) -> str:
    """"6 / 8" of a count capacity; "6 / -" where its racks declare none (not limiting)."""
    return f"{used:.0f} / {cap:.0f}" if math.isfinite(cap) else f"{used:.0f} / -"


def module_table(ctx: Ctx, res) -> Table:
    rows = []
    for m in res.modules.values():
        rows.append([f"{m.name or m.module_id} @ {ctx.name(m.site_id)}",
                     f"{ctx.n(m.power_kw, 'power')} / {ctx.n(m.capacity_kw, 'power', 0)}", pct(m.utilisation),
                     _count(m.rack_positions, m.rack_positions_capacity),
                     _count(m.accelerators, m.accelerators_capacity),
                     ", ".join(ctx.name(w) for w in m.workload_ids) or "-"])
    return Table([Column("Module", weight=1.8), Column(f"Load / capacity ({ctx.u('power')})", "right", 1.5),
                  Column("Use", "right", 0.6), Column("Rack positions", "right", 0.9),
                  Column("Accelerators", "right", 0.9), Column("Workloads", weight=3.2)], rows, title="Modules",
                 note="Rack positions and accelerators: taken by the workloads / the module's ('-': its racks "
                      "declare no accelerators, so they do not limit it).")


def module_workloads(ctx: Ctx, res, module_id: str) -> list[list[str]]:
    """Rows of the workloads assigned to one module (for its spec sheet)."""
    m = res.modules.get(module_id) if hasattr(res.modules, "get") else None
    if m is None:
        return []
    out = []
    for wid in m.workload_ids:
        w = res.workloads.get(wid)
        if w is None:
            continue
        out.append([(w.name or wid) + (" [pinned]" if w.pinned else ""), ctx.n(w.power_kw, "power"),
                    num(w.budget_ms, 2), num(w.total_ms, 2), num(w.margin_ms, 2)])
    return out
