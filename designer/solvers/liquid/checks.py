"""Findings of the liquid solve: every message names the item and the number, and a fix."""

from __future__ import annotations

import math

import numpy as np

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


def size_for_velocity(flow_lpm: float, limit_mps: float, at_least_m: float = 0.0) -> float | None:
    """Smallest nominal bore above ``at_least_m`` that carries ``flow_lpm`` at or under the
    limit (None when even the largest does not)."""
    q = abs(flow_lpm) / 60000.0
    for d in PIPE_SIZES_M:
        if d > at_least_m + 1e-9 and q / (math.pi * d * d / 4.0) <= limit_mps:
            return d
    return None


def _num(x: float, spec: str) -> str:
    """``format(x, spec)`` without a negative zero ("-0.0" is shown as "0.0")."""
    t = format(x, spec)
    try:
        return format(0.0, spec) if float(t.replace(",", "").rstrip("%")) == 0 else t
    except ValueError:
        return t


def _pct(x: float) -> str:
    """A share in per cent, with a decimal below 10 % (never "0%" for a flow that is there)."""
    return _num(x, ".0%") if abs(x) >= 0.095 else _num(x, ".1%")


def _loop_off(system: LiquidSystem, st: OperatingState, loop: int) -> str:
    """Why no pump of ``loop`` runs ("" when one does)."""
    cds = [system.cdus[c] for c in system.loops[loop].cdu_ids] if 0 <= loop < len(system.loops) else []
    if any(st.running[cd.pump_link] > 0 and not st.hyd.closed[cd.pump_link] for cd in cds):
        return ""
    why = []
    for cd in cds:
        r = cd.off_reason or ("its pumps cannot deliver against the loop (their check valves close)"
                              if st.running[cd.pump_link] > 0 else
                              f"no pump is on duty ({cd.cdu.pump.count} installed, {cd.cdu.pump.redundant} on standby)")
        why.append(f"CDU {_n(cd.cdu)}: {r}")
    return "; ".join(why) or "its loop has no CDU"


def _blockers(system: LiquidSystem, st: OperatingState, link: int, g: float,
              cold_plates: bool = True) -> list[tuple[int, float]]:
    """Links that stop or starve the flow through rack branch ``link``: (link, pressure drop kPa).

    The starved part of the loop is the rack's branch and every pipe that carries no more
    than it does, reached from its ports; a link there with most of the pump's head across
    it (a closed valve, a pipe without a bore, an absurdly long or thin pipe) is what holds
    the flow back. A branch no head reaches (both ports on one header) has none.
    """
    from designer.solvers.liquid.build import ROLE_PIPE, ROLE_RACK

    q = st.hyd.flow
    h = st.hyd.head
    li = int(system.link_loop[link])
    pumps = [system.cdus[c].pump_link for c in system.loops[li].cdu_ids]
    gain = max((-float(st.hyd.headloss[k]) for k in pumps), default=0.0)
    if not gain > 0:
        return []
    thr = abs(float(q[link])) * (1 + 1e-6) + 1e-9
    start, end, role = system.start, system.end, system.role
    adj: dict[int, list[int]] = {}
    for k in np.flatnonzero((system.link_loop == li) & (role == ROLE_PIPE) & (np.abs(q) <= thr)).tolist():
        adj.setdefault(int(start[k]), []).append(k)
        adj.setdefault(int(end[k]), []).append(k)
    seen_l = {link}
    todo = [int(start[link]), int(end[link])]
    seen_n = set(todo)
    while todo:
        nd = todo.pop()
        for k in adj.get(nd, ()):
            if k in seen_l:
                continue
            seen_l.add(k)
            for other in (int(start[k]), int(end[k])):
                if other not in seen_n:
                    seen_n.add(other)
                    todo.append(other)
    rho = float(st.rho_link[link])
    out = []
    for k in seen_l:
        dh = abs(float(h[start[k]] - h[end[k]]))
        if dh < 0.5 * gain:
            continue
        if role[k] == ROLE_RACK and not _rack_blocks(system, st, k, gain, g, cold_plates):
            continue  # cold plates taking their rated drop: the pumps are short, not the branch
        out.append((k, dh * rho * g / 1000.0))
    return sorted(out, key=lambda x: -x[1])


def _rack_blocks(system: LiquidSystem, st: OperatingState, k: int, gain_m: float, g: float,
                 cold_plates: bool = True) -> bool:
    """A rack branch holds its flow back by itself: its balancing valve takes most of its
    resistance, or its cold plates alone need ten times the pump's head at the required flow."""
    rd = system.racks[system.link_item[k]]
    rho = float(st.rho_link[k])
    kcp = float(st.cold_plate_k_pa[k]) / (rho * g)  # m per (m3/s)^2
    kv = float(rd.rack.valve_k or 0.0)
    r_valve = kv / (2.0 * g * rd.valve_area_m2 ** 2) if kv > 0 and rd.valve_area_m2 > 0 else 0.0
    if r_valve > 0 and r_valve >= kcp:
        return True
    req = float(st.required_m3s[k])
    return bool(cold_plates and kcp > 0 and math.isfinite(req) and kcp * req * req > 10.0 * gain_m)


def _describe_blocker(system: LiquidSystem, k: int, dp_kpa: float, rack_link: int) -> tuple[str, str]:
    """What a blocking link is and how to open it: (cause, fix)."""
    from designer.solvers.liquid.build import ROLE_RACK

    item = system.link_item[k]
    if system.role[k] == ROLE_RACK:
        rd = system.racks[item]
        r = rd.rack
        who = "its" if k == rack_link else f"rack {_n(r)}'s"
        if (r.valve_k or 0) > 0:
            return (f"{who} balancing valve is closed or nearly so (valve_k {r.valve_k:g}; {dp_kpa:.0f} kPa across it)",
                    f"open the balancing valve of rack {_n(r)} (set valve_k to 0, or apply Auto-balance)")
        return (f"{who} cold plates pass almost nothing ({dp_kpa:.0f} kPa across them)",
                f"check the cold-plate rating of rack {_n(r)} (cold_plate_dp_kpa at cold_plate_rated_flow_lpm)")
    d = float(system.diameter[k])
    if not d > 0:
        return (f"pipe {item} has no bore (diameter {d * 1000:g} mm), so it passes nothing",
                f"enter the bore of pipe {item} (diameter_m)")
    return (f"pipe {item} ({system.length[k]:.6g} m long, {d * 1000:.0f} mm bore) takes {dp_kpa:.0f} kPa, most of "
            "the pump's head, so almost nothing flows through it",
            f"check the length and bore of pipe {item} (extra_length_m, diameter_m)")


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


MAX_RESIZE_SOLVES = 6


def _checked_size(pr: PipeLiquid, limit: float, resize) -> tuple[float, float] | None:
    """(bore, velocity) of the smallest listed size that keeps ``pr`` at or under ``limit``,
    checked by solving again with it (a wider pipe draws more flow); None when none does."""
    d = size_for_velocity(pr.flow_lpm, limit, pr.diameter_m)
    tries = 0
    while d is not None:
        if resize is None:
            return d, abs(pr.flow_lpm) / 60000.0 / (math.pi * d * d / 4.0)
        v = resize(pr.pipe_id, d)
        tries += 1
        if v is not None and v <= limit:
            return d, v
        if tries >= MAX_RESIZE_SOLVES:
            return None
        d = size_for_velocity(pr.flow_lpm if v is None else v * math.pi * d * d / 4.0 * 60000.0, limit, d)
    return None


def operating(system: LiquidSystem, st: OperatingState, racks: dict[str, RackLiquid],
              pipes: dict[str, PipeLiquid], cdus: dict[str, CduLiquid], settings: Settings,
              site_name: str, g: float = 9.81, resize=None) -> list[Finding]:
    """Findings of normal operation.

    ``resize(pipe_id, diameter_m)`` -> velocity (m/s) in that pipe when its bore is changed,
    by solving again: a velocity fix is only suggested once a size is checked to meet the
    limit (without it the size is worked out at the present flow).
    """
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
            off = _loop_off(system, st, rd.loop)
            blk = _blockers(system, st, rd.link, g) if not off else []
            if off:
                why, fix, more = f"no pump runs on its loop ({off})", "start the loop's pumps (see the CDU's finding)", ()
            elif blk:
                causes = [_describe_blocker(system, k, dp, rd.link) for k, dp in blk]
                why = "; ".join(c for c, _ in causes)
                fix = "; ".join(dict.fromkeys(f for _, f in causes))
                more = tuple(system.link_item[k] for k, _ in blk if system.link_item[k] != rid)
            else:
                why = "its branch is not on a path through a running CDU pump (no pressure difference across it)"
                fix = "connect its supply port to the supply side and its return port to the return side of the loop"
                more = ()
            out.append(error(
                "liquid.no_flow", f"rack {_n(r)} gets no coolant flow (it needs {rr.required_lpm:.1f} L/min for "
                f"{rr.heat_kw:.1f} kW): {why}", fix, ids=(rid, *more), source=SOURCE))
            continue
        if rr.flow_ratio is not None and rr.flow_ratio < 1.0 - FLOW_TOLERANCE:
            blk = _blockers(system, st, rd.link, g, cold_plates=False)
            if blk:
                causes = [_describe_blocker(system, k, dp, rd.link) for k, dp in blk]
                ret = "" if rr.return_temp_c is None else f"; its coolant leaves at {rr.return_temp_c:.1f} degC"
                out.append(error(
                    "liquid.flow_low", f"rack {_n(r)} gets {rr.flow_lpm:.1f} L/min of the {rr.required_lpm:.1f} "
                    f"L/min it needs ({_num(rr.flow_ratio, '.0%')}){ret}: {'; '.join(c for c, _ in causes)}",
                    "; ".join(dict.fromkeys(f for _, f in causes)),
                    ids=(rid, *(system.link_item[k] for k, _ in blk if system.link_item[k] != rid)), source=SOURCE))
                continue
            fixes = []
            if cd is not None:
                fixes.append(f"raise the pump speed of CDU {_n(cd)} (speed_fraction {cd.pump.speed_fraction:g})")
            if rr.valve_k > 0:
                fixes.append(f"open its balancing valve (valve_k {rr.valve_k:g})")
            fixes.append("apply Auto-balance, or use larger pipes")
            out.append(error(
                "liquid.flow_low", f"rack {_n(r)} gets {rr.flow_lpm:.1f} L/min of the {rr.required_lpm:.1f} L/min "
                f"it needs for a {r.design_delta_t_liquid_k:g} K rise ({_num(rr.flow_ratio, '.0%')}); its coolant "
                f"leaves at {rr.return_temp_c:.1f} degC", "; ".join(fixes), ids=(rid,), source=SOURCE))
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
        if limit > 0 and pr.velocity_mps > limit:
            fast_by_loop.setdefault(pr.loop, []).append(pr)
    for fast in fast_by_loop.values():
        w = max(fast, key=lambda pr: pr.velocity_mps)
        what = (f"pipe {w.pipe_id} carries" if len(fast) == 1 else
                f"{len(fast)} pipes of one loop run above the {limit:g} m/s limit; the fastest, {w.pipe_id}, carries")
        size = _checked_size(w, limit, resize)
        use = (f"use {size[0] * 1000:.0f} mm pipe for {w.pipe_id} ({size[1]:.2f} m/s there, solved again)"
               if size else f"no listed size up to {PIPE_SIZES_M[-1] * 1000:.0f} mm keeps {w.pipe_id} under the limit: "
               "split the flow over parallel pipes")
        out.append(warning(
            "liquid.velocity", f"{what} {abs(w.flow_lpm):.1f} L/min at {w.velocity_mps:.2f} m/s, above the {limit:g} "
            f"m/s limit (diameter {w.diameter_m * 1000:.0f} mm)",
            f"{use}{' and larger sizes for the others' if len(fast) > 1 else ''}, or lower the flow (pump speed, "
            "balancing valves)",
            ids=tuple(pr.pipe_id for pr in sorted(fast, key=lambda pr: -pr.velocity_mps)), source=SOURCE))
    for cid, cr in cdus.items():
        cd = system.cdus[cid].cdu
        if cr.pumps_running <= 0:
            if system.cdus[cid].off_reason:
                pass  # a stopped pump or an unusable curve: the input checks name the field
            else:
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
        if _loop_off(system, st, lp.index):
            continue  # no pump runs: the racks' no-flow findings say so
        rows = [(racks[r].flow_ratio, r) for r in lp.rack_ids
                if r in racks and racks[r].flow_ratio is not None and racks[r].flow_ratio > FLOW_TOLERANCE]
        if len(rows) < 2:
            continue
        lo, hi = min(rows), max(rows)
        if hi[0] > lo[0] * (1 + BALANCE_TOLERANCE):
            rlo, rhi = system.racks[lo[1]].rack, system.racks[hi[1]].rack
            out.append(warning(
                "liquid.unbalanced", f"the branches of the loop of CDU {', '.join(lp.cdu_ids)} are unbalanced: rack "
                f"{_n(rhi)} gets {_pct(hi[0])} of its required flow, rack {_n(rlo)} only {_pct(lo[0])}",
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


def temperatures(system: LiquidSystem, racks: dict[str, RackLiquid], cdus: dict[str, CduLiquid],
                 nodes: dict, site_name: str) -> list[Finding]:
    """Temperatures the coolant cannot have: below its freezing point, above its boiling point
    at the local pressure (expansion tank at :data:`~.fluids.LOOP_TANK_PRESSURE_KPA` plus the
    node's pressure), or outside the range its properties are known in (they are evaluated
    at the nearest end of it). One error per loop and kind, naming the worst item."""
    from designer.solvers.liquid import fluids

    out: list[Finding] = []
    for lp in system.loops:
        fluid = lp.fluid
        lo, hi = fluids.property_range(fluid)
        freeze = fluids.freezing_point_c(fluid)
        seen: list[tuple[float | None, str, str, str]] = []  # (temp, item id, what, node)
        for rid in lp.rack_ids:
            rr = racks.get(rid)
            if rr is not None:
                name = _n(system.racks[rid].rack)
                seen.append((rr.supply_temp_c, rid, f"rack {name} is supplied", f"{rid}:supply"))
                seen.append((rr.return_temp_c, rid, f"coolant leaves rack {name}", f"{rid}:return"))
        for cid in lp.cdu_ids:
            cr = cdus.get(cid)
            if cr is not None:
                name = _n(system.cdus[cid].cdu)
                seen.append((cr.supply_temp_c, cid, f"CDU {name} supplies coolant", f"{cid}:supply"))
                seen.append((cr.return_temp_c, cid, f"coolant returns to CDU {name}", f"{cid}:return"))
        hot: list[tuple[float, float, str, str]] = []  # (excess K, temp, item id, what)
        cold: list[tuple[float, float, str, str]] = []
        outside: list[tuple[float, float, str, str]] = []
        temps = np.array([np.nan if t is None else t for t, *_ in seen], dtype=float)
        p_abs = np.array([fluids.LOOP_TANK_PRESSURE_KPA + (nodes[nd].pressure_kpa if nd in nodes else 0.0)
                          for *_, nd in seen], dtype=float)
        p_abs = np.maximum(np.nan_to_num(p_abs, nan=fluids.LOOP_TANK_PRESSURE_KPA), 1.0)
        boil = np.asarray(fluids.boiling_point_c(fluid, p_abs), dtype=float).reshape(-1)
        with np.errstate(invalid="ignore"):
            flag = ~np.isfinite(temps) & ~np.isnan(temps) | (temps > np.minimum(boil, hi)) | (temps < lo)
        for k in np.flatnonzero(flag).tolist():
            t, item, what, _node = seen[k]
            if not math.isfinite(t):
                outside.append((math.inf, t, item, what))
                continue
            bk, pk = float(boil[k]), float(p_abs[k])
            if t > bk:
                hot.append((t - bk, t, item, f"{what} at {t:.1f} degC, above the {bk:.1f} degC {fluid} boils at "
                            f"{pk:.0f} kPa (absolute)"))
            elif t > hi:
                outside.append((t - hi, t, item, f"{what} at {t:.1f} degC, above the {hi:g} degC up to which the "
                                f"properties of {fluid} are known (taken at {hi:g} degC)"))
            if t < freeze:
                cold.append((freeze - t, t, item, f"{what} at {t:.1f} degC, below the {freeze:g} degC {fluid} freezes at"))
            elif t < lo:
                outside.append((lo - t, t, item, f"{what} at {t:.1f} degC, below the {lo:g} degC down to which the "
                                f"properties of {fluid} are known (taken at {lo:g} degC)"))
        cdu_names = ", ".join(_n(system.cdus[c].cdu) for c in lp.cdu_ids)
        for code, rows, fix in (
                ("liquid.boiling", hot, "raise the flow through the hot racks (pump speed, larger pipes, balancing "
                 "valves) or lower their load; a supply above boiling needs colder facility water"),
                ("liquid.freezing", cold, f"raise the facility water temperature, or use a glycol mix that freezes "
                 f"below it (pg25 {fluids.FREEZING_POINT_C['pg25']:g} degC, pg40 {fluids.FREEZING_POINT_C['pg40']:g} "
                 "degC)"),
                ("liquid.fluid_range", outside, "bring the loop's temperatures into the fluid's range: more flow, "
                 "less load or a different facility water temperature")):
            if not rows:
                continue
            rows.sort(key=lambda x: -x[0])
            worst = rows[0]
            n = len({r[2] for r in rows})
            more = f" ({n} items of the loop of CDU {cdu_names}, worst shown)" if n > 1 else ""
            what = worst[3] if math.isfinite(worst[1]) else f"{worst[2]} has no finite temperature"
            out.append(error(code, f"{site_name}: {what}{more}; the results of this loop are not physical", fix,
                             ids=tuple(dict.fromkeys(r[2] for r in rows)), source=SOURCE))
    return out
