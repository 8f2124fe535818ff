"""Findings of the liquid solve: every message names the item and the number, and a fix."""

from __future__ import annotations

import bisect
import math

from designer.model.findings import Finding, error, info, warning
from designer.model.project import Settings
from designer.solvers.liquid.build import SOURCE, LiquidSystem
from designer.solvers.liquid.operate import OperatingState
from designer.solvers.liquid.results import CduLiquid, PipeLiquid, RackLiquid

BALANCE_TOLERANCE = 0.20
"""Branches are unbalanced when the best-supplied rack gets more than 20 % more of its
required flow than the worst-supplied one (balancing practice aims at +-10 %)."""
FLOW_TOLERANCE = 1e-3
"""A rack short by less than 0.1 % of its required flow is not reported."""
RATED_FLOW_MARGIN = 1.10


def _n(item) -> str:
    return item.name or item.id


from designer.solvers.sizing import PIPE_SIZES_M  # noqa: E402  (nominal bores, for the suggested fix)


def _next_size(d_m: float) -> str:
    i = bisect.bisect_right(PIPE_SIZES_M, d_m + 1e-9)
    return f"{PIPE_SIZES_M[i] * 1000:.0f} mm" if i < len(PIPE_SIZES_M) else "a larger size"


def structural(system: LiquidSystem, cdus=()) -> list[Finding]:
    """Racks with liquid heat outside any loop, unrated cold plates, CDUs without a loop."""
    out = list(system.findings)
    for c in cdus:
        if c.id not in system.cdus:
            out.append(info(
                "liquid.cdu_unpiped", f"CDU {_n(c)} has no pipes on its ports: it serves no loop "
                f"({c.capacity_kw:g} kW unused)", "draw its supply and return headers to the racks, or remove it",
                ids=(c.id,), source=SOURCE))
    for rd in system.racks.values():
        r = rd.rack
        if rd.link < 0 and rd.heat_w > 0:
            out.append(error(
                "liquid.no_loop", f"rack {_n(r)} has {rd.heat_w / 1000:.1f} kW of liquid heat but no complete "
                f"loop to a CDU: {rd.why_not}",
                "pipe its supply port to a supply header and its return port to a return header of a CDU loop",
                ids=(r.id,), source=SOURCE))
        elif rd.link >= 0 and rd.heat_w > 0 and rd.cold_plate_k_pa is None:
            out.append(warning(
                "liquid.cold_plate_assumed", f"rack {_n(r)} has {rd.heat_w / 1000:.1f} kW of liquid heat but no "
                f"cold-plate rating; its branch is taken as 50 kPa at its required flow",
                "enter cold_plate_dp_kpa and cold_plate_rated_flow_lpm from the rack's data sheet",
                ids=(r.id,), source=SOURCE))
        elif rd.link >= 0 and rd.heat_w <= 0 and rd.cold_plate_k_pa is None:
            out.append(info(
                "liquid.no_cold_plate", f"rack {_n(r)} is piped but has neither a cold-plate rating nor liquid "
                "heat; its branch is treated as closed",
                "remove its pipes or enter its cold-plate rating", ids=(r.id,), source=SOURCE))
    return out


def operating(system: LiquidSystem, st: OperatingState, racks: dict[str, RackLiquid],
              pipes: dict[str, PipeLiquid], cdus: dict[str, CduLiquid], settings: Settings,
              site_name: str) -> list[Finding]:
    """Findings of normal operation."""
    out: list[Finding] = []
    if not st.converged:
        h = st.hyd
        out.append(error(
            "liquid.not_converged", f"the liquid loops of {site_name} did not converge: {h.iterations} Newton "
            f"iterations in the last of {st.passes} heat passes, flow change {h.flow_change:.1e}, head residual "
            f"{h.head_residual_m:.1e} m; results below are not reliable. {h.message}".rstrip(),
            "look for racks or pipes with zero or extreme values, or pumps fighting each other in one loop",
            ids=tuple(c for lp in system.loops for c in lp.cdu_ids), source=SOURCE))
    cdu_of_loop = {lp.index: lp.cdu_ids for lp in system.loops}
    for rid, rr in racks.items():
        rd = system.racks[rid]
        r = rd.rack
        cd_ids = cdu_of_loop.get(rd.loop, ())
        cd = system.cdus[cd_ids[0]].cdu if cd_ids else None
        if rr.required_lpm is None:
            continue
        # flows below 0.1 % of the need (or 0.01 L/min) are no flow: a branch with none is
        # carried at round-off, which can have either sign
        tiny = max(0.01, 1e-3 * rr.required_lpm)
        if rr.flow_lpm < -tiny:
            out.append(error(
                "liquid.reversed", f"coolant flows backwards through rack {_n(r)} ({-rr.flow_lpm:.1f} L/min from "
                "its return port to its supply port)",
                "swap the pipes on its supply and return ports", ids=(rid,), source=SOURCE))
            continue
        if rr.flow_lpm <= tiny:
            out.append(error(
                "liquid.no_flow", f"rack {_n(r)} gets no coolant flow (it needs {rr.required_lpm:.1f} L/min for "
                f"{rr.heat_kw:.1f} kW): its branch is not on a path through a running CDU pump",
                "connect its supply port to the supply side and its return port to the return side of the loop",
                ids=(rid,), source=SOURCE))
            continue
        if rr.flow_ratio is not None and rr.flow_ratio < 1.0 - FLOW_TOLERANCE:
            fixes = []
            if cd is not None:
                fixes.append(f"raise the pump speed of CDU {_n(cd)} (speed_fraction {cd.pump.speed_fraction:g})")
            if rr.valve_k > 0:
                fixes.append(f"open its balancing valve (valve_k {rr.valve_k:g})")
            fixes.append("apply Auto-balance, or use larger pipes")
            out.append(error(
                "liquid.flow_low", f"rack {_n(r)} gets {rr.flow_lpm:.1f} L/min of the {rr.required_lpm:.1f} L/min "
                f"it needs for a {r.design_delta_t_liquid_k:g} K rise ({rr.flow_ratio:.0%}); its coolant leaves "
                f"at {rr.return_temp_c:.1f} degC", "; ".join(fixes), ids=(rid,), source=SOURCE))
        if rr.supply_temp_c > r.max_supply_temp_c + 1e-6:
            out.append(error(
                "liquid.supply_temp", f"rack {_n(r)} is supplied at {rr.supply_temp_c:.1f} degC, above its limit "
                f"of {r.max_supply_temp_c:g} degC",
                "lower the facility water temperature, use a CDU with a smaller approach, or reduce the CDU's load",
                ids=(rid,), source=SOURCE))
    # velocity: one finding per loop (naming the worst pipe), highlighting all its fast pipes
    limit = settings.velocity_limit_mps
    fast_by_loop: dict[int, list[PipeLiquid]] = {}
    for pr in pipes.values():
        if pr.velocity_mps > limit:
            fast_by_loop.setdefault(pr.loop, []).append(pr)
    for fast in fast_by_loop.values():
        w = max(fast, key=lambda pr: pr.velocity_mps)
        what = (f"pipe {w.pipe_id} carries" if len(fast) == 1 else
                f"{len(fast)} pipes of one loop run above the {limit:g} m/s limit; the fastest, {w.pipe_id}, carries")
        out.append(warning(
            "liquid.velocity", f"{what} {abs(w.flow_lpm):.1f} L/min at {w.velocity_mps:.2f} m/s, above the {limit:g} "
            f"m/s limit (diameter {w.diameter_m * 1000:.0f} mm)",
            f"use {_next_size(w.diameter_m)} pipe for {w.pipe_id} (and larger sizes for the others), or lower the "
            "flow (pump speed, balancing valves)",
            ids=tuple(pr.pipe_id for pr in sorted(fast, key=lambda pr: -pr.velocity_mps)), source=SOURCE))
    for cid, cr in cdus.items():
        cd = system.cdus[cid].cdu
        if cr.pumps_running <= 0:
            out.append(error(
                "liquid.pumps_off", f"CDU {_n(cd)} has no running pump ({cd.pump.count} installed, "
                f"{cd.pump.redundant} on standby): its loop has no flow",
                "set fewer standby pumps than installed pumps", ids=(cid,), source=SOURCE))
            continue
        if cr.pump_closed:
            out.append(error(
                "liquid.pump_closed", f"the pumps of CDU {_n(cd)} cannot deliver against the loop "
                f"(shut-off head {cd.pump.speed_fraction ** 2 * system.cdus[cid].curve.a:.0f} kPa at speed "
                f"{cd.pump.speed_fraction:g}); their check valves close",
                "raise the pump speed, or check the other CDUs on the same loop", ids=(cid,), source=SOURCE))
        if cr.load_fraction is not None and cr.load_kw > cr.capacity_kw * (1 + 1e-9):
            out.append(error(
                "liquid.cdu_capacity", f"CDU {_n(cd)} carries {cr.load_kw:.1f} kW, above its {cr.capacity_kw:g} kW "
                f"capacity ({cr.load_fraction:.0%})",
                "move racks to another CDU loop or use a larger CDU", ids=(cid,), source=SOURCE))
        if not cr.on_curve and not cr.pump_closed:
            curve = system.cdus[cid].curve
            s = cd.pump.speed_fraction
            q_eq = cr.flow_per_pump_lpm / s if s > 0 else math.inf
            where = ("beyond the last catalog point" if q_eq > curve.max_flow_lpm
                     else "near shut-off (under 10 % of the catalog's largest flow)")
            out.append(warning(
                "liquid.pump_curve", f"each running pump of CDU {_n(cd)} delivers {cr.flow_per_pump_lpm:.0f} L/min at "
                f"speed {s:g}, that is {q_eq:.0f} L/min at full speed, {where} ({curve.max_flow_lpm:.0f} L/min)",
                "lower the flow with balancing valves or a lower speed, or run more pumps"
                if q_eq > curve.max_flow_lpm else "reduce the pump speed or bypass some flow",
                ids=(cid,), source=SOURCE))
        if cr.rated_flow_lpm > 0 and cr.flow_lpm > cr.rated_flow_lpm * RATED_FLOW_MARGIN:
            out.append(info(
                "liquid.cdu_rated_flow", f"CDU {_n(cd)} circulates {cr.flow_lpm:.0f} L/min, "
                f"{cr.flow_lpm / cr.rated_flow_lpm:.0%} of its rated {cr.rated_flow_lpm:g} L/min; its heat-exchanger "
                "pressure drop and approach are extrapolated", "lower the pump speed", ids=(cid,), source=SOURCE))
    # unbalanced branches, per loop
    for lp in system.loops:
        rows = [(racks[r].flow_ratio, r) for r in lp.rack_ids
                if r in racks and racks[r].flow_ratio is not None and racks[r].flow_ratio > 0]
        if len(rows) < 2:
            continue
        lo, hi = min(rows), max(rows)
        if hi[0] > lo[0] * (1 + BALANCE_TOLERANCE):
            rlo, rhi = system.racks[lo[1]].rack, system.racks[hi[1]].rack
            out.append(warning(
                "liquid.unbalanced", f"the branches of the loop of CDU {', '.join(lp.cdu_ids)} are unbalanced: rack "
                f"{_n(rhi)} gets {hi[0]:.0%} of its required flow, rack {_n(rlo)} only {lo[0]:.0%}",
                "apply Auto-balance to set the racks' balancing valves", ids=tuple(lp.rack_ids), source=SOURCE))
    for wid, (wname, cap, ids) in system.supplies.items():
        total = sum(cdus[c].load_kw for c in ids if c in cdus)
        if total > cap * (1 + 1e-9):
            out.append(warning(
                "liquid.facility_capacity", f"the CDUs on {wname} reject {total:.0f} kW to facility water sized for "
                f"{cap:g} kW", f"raise the capacity of {wname} or move load to another supply",
                ids=(wid, *ids), source=SOURCE))
    return out


def pump_failure(system: LiquidSystem, racks: dict[str, RackLiquid], cdus: dict[str, CduLiquid]) -> list[Finding]:
    """Findings of the scenario with one fewer running pump (per loop; racks keep their worst case)."""
    out: list[Finding] = []
    for lp in system.loops:
        live = [c for c in lp.cdu_ids if c in cdus and cdus[c].pumps_running > 0]
        rk = [r for r in lp.rack_ids if r in racks and racks[r].required_lpm]
        if not live or not rk:
            continue
        names = ", ".join(_n(system.cdus[c].cdu) for c in lp.cdu_ids)
        normal = sum(cdus[c].pumps_running for c in live)
        stopped = all(abs(racks[r].failure_flow_lpm or 0.0) <= max(0.01, 1e-3 * racks[r].required_lpm) for r in rk)
        if stopped:
            standby = sum(system.cdus[c].cdu.pump.redundant for c in lp.cdu_ids)
            out.append(info(
                "liquid.pump_changeover", f"CDU {names} runs a single duty pump: with it down, the {len(rk)} racks "
                f"on its loop get no flow until a standby pump takes over ({standby} standby)",
                "confirm automatic changeover to the standby pump, or run two pumps in parallel as duty",
                ids=(*lp.cdu_ids, *rk), source=SOURCE))
            continue
        short = [r for r in rk if (racks[r].failure_ratio or 0.0) < 1.0 - FLOW_TOLERANCE]
        if short:
            worst = min(short, key=lambda r: racks[r].failure_ratio or 0.0)
            wr = racks[worst]
            speeds = ", ".join(f"{system.cdus[c].cdu.pump.speed_fraction:g}" for c in live)
            out.append(warning(
                "liquid.pump_failure", f"with one of the {normal} running pumps of CDU {names} down, {len(short)} of "
                f"{len(rk)} racks fall short; worst is rack {_n(system.racks[worst].rack)} with "
                f"{wr.failure_flow_lpm:.1f} of {wr.required_lpm:.1f} L/min ({wr.failure_ratio or 0.0:.0%})",
                f"raise the pump speed (speed_fraction {speeds}) so the remaining pumps carry the load, or add a "
                "pump", ids=(*lp.cdu_ids, *short), source=SOURCE))
    return out
