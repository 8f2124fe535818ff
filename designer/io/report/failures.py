"""What survives a single failure: the power chain and the CDU pumps, per site."""

from __future__ import annotations

from designer.io.report.context import Ctx, guarded, pct
from designer.io.report.model import Column, Table, Text


def blocks(ctx: Ctx) -> list:
    out: list = [Text("Each failure is simulated alone with the rest of the design in its normal state. "
                      "The air side is not part of this summary: to see the loss of an air unit, set it "
                      "not running and read the air results.", "note")]
    out += guarded(ctx, "power", "Power single failures", _power)
    out += guarded(ctx, "liquid", "Pump failures", _liquid)
    return out


def _power(ctx: Ctx, result) -> list:
    rows, status = [], []
    for site in ctx.sites:
        sp = result.data.sites.get(site.id)
        if sp is None:
            continue
        scen = list(sp.scenarios)
        bad = [s for s in scen if not s.ok]
        rows.append([site.name or site.id, sp.scheme, str(len(scen)), str(len(bad)), "yes" if sp.survives else "NO",
                     sp.worst or "-"])
        status.append("" if sp.survives else "error")
    return [Table([Column("Site", weight=1.8), Column("Scheme", weight=0.6), Column("Failures", "right", 0.7),
                   Column("That hurt", "right", 0.7), Column("Survives", weight=0.7), Column("Worst case", weight=4.0)],
                  rows, title="Power chain", row_status=status)]


def _liquid(ctx: Ctx, result) -> list:
    res = result.data
    site_of = {lp.index: lp.site_id for lp in res.loops}
    wanted = {s.id for s in ctx.sites}
    rows, status = [], []
    for c in res.cdus.values():
        sid = site_of.get(c.loop)
        if sid not in wanted:
            continue
        racks = [r for r in res.racks.values() if r.loop == c.loop and r.required_lpm]
        fr = [r.failure_ratio for r in racks if r.failure_ratio is not None]
        if c.failure_running is None:
            outcome = "not simulated"
        elif c.failure_running == 0:
            outcome = "single duty pump: flow stops until the standby pump starts"
            fr = []
        else:
            short = sum(1 for x in fr if x < 1.0 - 1e-3)
            outcome = f"{short} of {len(racks)} racks short of flow" if short else "all racks keep their flow"
        rows.append([ctx.name(c.cdu_id), ctx.name(sid), str(c.pumps_running),
                     "-" if c.failure_running is None else str(c.failure_running),
                     ctx.n(c.flow_lpm, "liquid_flow"),
                     "-" if c.failure_running == 0 else ctx.n(c.failure_flow_lpm, "liquid_flow"),
                     pct(min(fr)) if fr else "-", outcome])
        status.append("warning" if c.failure_running == 0 else ("error" if fr and min(fr) < 1.0 - 1e-3 else ""))
    q = ctx.u("liquid_flow")
    return [Table([Column("CDU", weight=1.5), Column("Site", weight=1.8), Column("Pumps running", "right", 0.8),
                   Column("After one fails", "right", 0.8), Column(f"Flow ({q})", "right", 0.8),
                   Column(f"After ({q})", "right", 0.8), Column("Lowest rack ratio", "right", 0.9),
                   Column("Outcome", weight=2.6)],
                  rows, title="One CDU pump fails", row_status=status)]
