"""Primary (facility water) pipes: flows from the CDUs' heat, velocities, pressure drops.

The primary side is not solved hydraulically: no facility pumps, valves or plant are
modelled. Each CDU draws the facility water flow that carries its heat exchanger's duty at
its supply's design temperature rise, ``Q / (rho cp dT)`` in water; that flow runs from the
supply's ``supply`` port to the CDU's ``facility_supply`` port and back from its
``facility_return`` port to the supply's ``return`` port along the facility pipes (the
fewest pipes of that role between them). A pipe carries the sum of the CDUs it serves.
Velocity, Reynolds number and the Darcy-Weisbach drop (Swamee-Jain friction plus the pipe's
fittings) follow from the flow, so oversized and undersized mains show, and velocities above
the limit are reported as for the secondary loops.
"""

from __future__ import annotations

import math
from collections import deque

from designer.model.findings import Finding, warning
from designer.model.hall import Hall
from designer.solvers.liquid.build import SOURCE
from designer.solvers.liquid.results import LPM, CduLiquid, PipeLiquid

RHO = 995.0
CP = 4180.0
NU = 0.80e-6
"""Water near 30 degC: density kg/m3, specific heat J/(kg K), kinematic viscosity m2/s."""
LOOP = -1
"""Loop index given to primary pipes (they belong to no secondary loop)."""
NOTE = ("primary (facility water) pipes carry each CDU's heat at its supply's design rise; the primary side "
        "has no pumps or valves in the model and is not solved hydraulically")


def _positions(hall: Hall) -> dict[str, tuple[float, float]]:
    pos: dict[str, tuple[float, float]] = {}
    for c in hall.cdus:
        for port in ("facility_supply", "facility_return"):
            pos[f"{c.id}:{port}"] = c.port_position(port)
    for w in hall.water_supplies:
        for port in ("supply", "return"):
            pos[f"{w.id}:{port}"] = w.port_position(port)
    for j in hall.junctions:
        pos[j.id] = (j.x, j.y)
    return pos


def primary_pipe_results(hall: Hall, cdus: dict[str, CduLiquid], out: dict[str, PipeLiquid]) -> None:
    """Add a :class:`PipeLiquid` for every facility pipe of the hall whose ends are known."""
    pos = _positions(hall)
    junctions = {j.id for j in hall.junctions}

    def key(ref) -> str:
        return ref.item_id if ref.item_id in junctions else f"{ref.item_id}:{ref.port}"

    pipes = [p for p in hall.pipes if p.role in ("facility_supply", "facility_return")]
    ends = {p.id: (key(p.start), key(p.end)) for p in pipes}
    pipes = [p for p in pipes if ends[p.id][0] in pos and ends[p.id][1] in pos]
    flow = {p.id: 0.0 for p in pipes}
    sign = {p.id: 1.0 for p in pipes}
    supplies = {w.id: w for w in hall.water_supplies}
    for role, ws_port, cdu_port in (("facility_supply", "supply", "facility_supply"),
                                    ("facility_return", "return", "facility_return")):
        adj: dict[str, list[tuple[str, str]]] = {}
        for p in pipes:
            if p.role != role:
                continue
            a, b = ends[p.id]
            adj.setdefault(a, []).append((b, p.id))
            adj.setdefault(b, []).append((a, p.id))
        for c in hall.cdus:
            w = supplies.get(c.facility_id) if c.facility_id else None
            res = cdus.get(c.id)
            if w is None or res is None or w.design_delta_t_k <= 0:
                continue
            q = max(res.load_kw, 0.0) * 1000.0 / (RHO * CP * w.design_delta_t_k) * LPM
            start, goal = f"{w.id}:{ws_port}", f"{c.id}:{cdu_port}"
            prev: dict[str, tuple[str, str] | None] = {start: None}
            todo = deque([start])
            while todo and goal not in prev:
                u = todo.popleft()
                for v, pid in adj.get(u, []):
                    if v not in prev:
                        prev[v] = (u, pid)
                        todo.append(v)
            if goal not in prev:
                continue
            v = goal
            while prev[v] is not None:
                u, pid = prev[v]
                flow[pid] += q
                # the supply runs from the water supply to the CDU, the return back
                a, _b = ends[pid]
                downstream = v if role == "facility_supply" else u
                sign[pid] = 1.0 if a != downstream else -1.0
                v = u
    for p in pipes:
        a, b = ends[p.id]
        pts = (pos[a], *p.points, pos[b])
        run = sum(math.dist(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
        length = run + max(p.extra_length_m, 0.0)
        d = p.diameter_m
        q = flow[p.id]
        area = math.pi * d * d / 4.0 if d > 0 else 0.0
        v = q / LPM / area if area > 0 else 0.0
        re = v * d / NU if d > 0 else 0.0
        if re >= 4000:
            f = 0.25 / math.log10(max(p.roughness_m, 0.0) / (3.7 * d) + 5.74 / re ** 0.9) ** 2
            regime = "turbulent"
        elif re > 0:
            f = 64.0 / re
            regime = "laminar" if re <= 2000 else "transitional"
        else:
            f, regime = 0.0, "no flow"
        dp = ((f * length / d if d > 0 else 0.0) + max(p.minor_k, 0.0)) * RHO * v * v / 2.0 / 1000.0
        ws = None
        for ref in (p.start, p.end):
            if ref.item_id in supplies:
                ws = supplies[ref.item_id]
        temp = 0.0 if ws is None else ws.supply_temp_c + (ws.design_delta_t_k if p.role == "facility_return" else 0.0)
        if ws is None:
            # a branch between a junction and a CDU: the temperature of the supply its CDU names
            for ref in (p.start, p.end):
                c = next((c for c in hall.cdus if c.id == ref.item_id), None)
                if c is not None and c.facility_id in supplies:
                    w = supplies[c.facility_id]
                    temp = w.supply_temp_c + (w.design_delta_t_k if p.role == "facility_return" else 0.0)
        out[p.id] = PipeLiquid(p.id, LOOP, p.role, q, v, dp, length, d, re if re > 0 else None, f or None, regime,
                               temp, pts, sign[p.id] < 0 and q > 0)


def primary_findings(pipes: dict[str, PipeLiquid], limit: float) -> list[Finding]:
    """One warning for the primary pipes above the velocity limit (naming the fastest)."""
    from designer.solvers.liquid.checks import size_for_velocity

    if not limit > 0:
        return []  # the input checks report the limit
    fast = sorted((pr for pr in pipes.values() if pr.loop == LOOP and pr.velocity_mps > limit),
                  key=lambda pr: -pr.velocity_mps)
    if not fast:
        return []
    d = size_for_velocity(fast[0].flow_lpm, limit, fast[0].diameter_m)  # the flow is set by heat, not the bore
    use = (f"use {d * 1000:.0f} mm pipe for {fast[0].pipe_id} "
           f"({abs(fast[0].flow_lpm) / LPM / (math.pi * d * d / 4.0):.2f} m/s there)" if d is not None else
           f"split the flow of {fast[0].pipe_id} over parallel pipes (no listed size keeps it under the limit)")
    w = fast[0]
    what = (f"facility water pipe {w.pipe_id} carries" if len(fast) == 1 else
            f"{len(fast)} facility water pipes run above the {limit:g} m/s limit; the fastest, {w.pipe_id}, carries")
    return [warning("liquid.velocity", f"{what} {w.flow_lpm:.1f} L/min at {w.velocity_mps:.2f} m/s, above the "
                    f"{limit:g} m/s limit (diameter {w.diameter_m * 1000:.0f} mm; flow from its CDUs' heat at the "
                    "supply's design rise)",
                    f"{use}{' and larger sizes for the others' if len(fast) > 1 else ''}",
                    ids=tuple(pr.pipe_id for pr in fast), source=SOURCE)]
