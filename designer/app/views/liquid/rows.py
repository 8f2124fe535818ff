"""Table rows of one site's liquid results: (item id, SI values in column order, tooltip).

Pure functions of the site and the results (no Qt), so they are cheap to test and to time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from designer.solvers.liquid.results import LiquidResults


def _name(m) -> str:
    return getattr(m, "name", "") or m.id


def loop_cdu_names(site, data: LiquidResults) -> dict[int, str]:
    """Loop index -> the name(s) of the CDU(s) feeding it."""
    names = {c.id: _name(c) for c in site.hall.cdus}
    return {lp.index: " + ".join(names.get(c, c) for c in lp.cdu_ids) for lp in data.loops}


def rack_rows(site, data: LiquidResults) -> list[tuple[str, tuple, str]]:
    cdu_of = loop_cdu_names(site, data)
    rows = []
    for rack in site.hall.racks:
        r = data.racks.get(rack.id)
        why = data.unconnected.get(rack.id)
        if r is None or r.required_lpm is None:
            if why is not None:
                rows.append((rack.id, (_name(rack), "no loop") + (None,) * 10, f"{rack.id}: {why}"))
            continue
        rows.append((rack.id, (_name(rack), cdu_of.get(r.loop, ""), r.flow_lpm, r.required_lpm, r.flow_ratio,
                               r.supply_temp_c, r.return_temp_c, r.delta_t_k, r.dp_kpa, r.valve_k,
                               r.failure_flow_lpm, r.failure_ratio), rack.id))
    return rows


def cdu_rows(site, data: LiquidResults) -> list[tuple[str, tuple, str]]:
    rows = []
    for cdu in site.hall.cdus:
        c = data.cdus.get(cdu.id)
        if c is None:
            continue
        pct = None if c.load_fraction is None else c.load_fraction * 100.0
        pumps = f"{c.pumps_running} of {cdu.pump.count} at {c.pump_speed * 100:.0f} %"
        tip = f"{cdu.id}: {'on' if c.on_curve else 'OUTSIDE'} its pump curve; {c.fluid}"
        rows.append((cdu.id, (_name(cdu), c.flow_lpm, c.pump_head_kpa, c.hx_dp_kpa, c.load_kw, c.capacity_kw,
                              c.margin_kw, pct, c.supply_temp_c, c.return_temp_c, c.facility_supply_c,
                              c.ashrae_class, pumps), tip))
    return rows


def pipe_rows(site, data: LiquidResults) -> list[tuple[str, tuple, str]]:
    rows = []
    pipes = data.pipes
    for pipe in site.hall.pipes:
        p = pipes.get(pipe.id)
        if p is None:
            continue
        rows.append((pipe.id, (_name(pipe), p.role, p.flow_lpm, p.velocity_mps, p.dp_kpa, p.length_m,
                               p.diameter_m * 1000.0, p.reynolds, p.regime, p.temp_c), pipe.id))
    return rows


def site_summary(site, data: LiquidResults, limit_mps: float) -> dict:
    """Headline figures of one site: loops, liquid racks, short racks, lowest ratio, fastest pipe."""
    ids = {r.id for r in site.hall.racks}
    racks = [r for i, r in data.racks.items() if i in ids and r.required_lpm]
    ratios = [r.flow_ratio for r in racks if r.flow_ratio is not None]
    pipe_ids = {p.id for p in site.hall.pipes}
    vmax = max((p.velocity_mps for i, p in data.pipes.items() if i in pipe_ids), default=0.0)
    loops = [lp for lp in data.loops if lp.site_id == site.id]
    return {"loops": len(loops), "racks": len(racks), "short": sum(not r.ok for r in racks),
            "min_ratio": min(ratios) if ratios else None, "vmax": vmax, "over_limit": vmax > limit_mps,
            "no_loop": sum(1 for i in data.unconnected if i in ids)}
