"""Read-only results keyed by item id: what the report, the CLI and the plan overlays read.

Units: flows in L/min, pressures in kPa, velocities in m/s, temperatures in degC, heat in
kW. Pipe flows are signed by the loop's direction: positive from the CDU towards the racks in
a supply pipe and from the racks back to the CDU in a return pipe, whichever way the pipe was
drawn (``drawn_reversed`` says when the drawing runs against it); a negative flow runs
against the loop's direction. Primary (facility water) pipes carry the flow set by their
CDUs' heat at the supply's design rise (see :func:`primary_pipe_results`).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from designer.solvers.liquid.build import LiquidSystem
from designer.solvers.liquid.elements import RE_LAMINAR, RE_TURBULENT, SolverOptions
from designer.solvers.liquid.operate import OperatingState

LPM = 60000.0  # (L/min) per (m3/s)


def _f(x) -> float | None:
    x = float(x)
    return None if math.isnan(x) or math.isinf(x) else x


@dataclass(frozen=True, slots=True)
class RackLiquid:
    rack_id: str
    loop: int
    heat_kw: float
    flow_lpm: float
    required_lpm: float | None
    """Flow for the rack's design temperature rise (None without liquid heat)."""
    flow_ratio: float | None
    supply_temp_c: float
    return_temp_c: float | None
    """None when the rack has liquid heat but no flow (it would overheat)."""
    delta_t_k: float | None
    dp_kpa: float
    """Pressure difference between its supply and return ports."""
    valve_k: float
    max_supply_temp_c: float
    failure_flow_lpm: float | None = None
    """Flow with one fewer pump running at its CDU (None when not computed)."""
    failure_ratio: float | None = None

    @property
    def ok(self) -> bool:
        return self.flow_ratio is None or self.flow_ratio >= 1.0 - 1e-6


@dataclass(frozen=True, slots=True)
class PipeLiquid:
    pipe_id: str
    loop: int
    role: str
    flow_lpm: float
    velocity_mps: float
    dp_kpa: float
    """Pressure lost along the pipe in the flow direction (friction plus fittings)."""
    length_m: float
    diameter_m: float
    reynolds: float | None
    friction_factor: float | None
    regime: str
    temp_c: float
    points: tuple[tuple[float, float], ...]
    """The pipe's polyline on the plan (for drawing)."""
    drawn_reversed: bool = False
    """True when the pipe was drawn against the loop's direction: the flow then runs from its
    ``end`` to its ``start`` when ``flow_lpm`` is positive."""


@dataclass(frozen=True, slots=True)
class CduLiquid:
    cdu_id: str
    loop: int
    fluid: str
    flow_lpm: float
    pumps_running: int
    pump_speed: float
    flow_per_pump_lpm: float
    pump_head_kpa: float
    hx_dp_kpa: float
    available_dp_kpa: float
    """Supply-port minus return-port pressure: what the pipes and racks get."""
    load_kw: float
    capacity_kw: float
    load_fraction: float | None
    """Load over capacity (None when the capacity is not a positive number)."""
    margin_kw: float
    supply_temp_c: float
    return_temp_c: float
    facility_supply_c: float
    approach_k: float
    ashrae_class: str
    rated_flow_lpm: float
    on_curve: bool
    """Operating point within the catalog's flow range (no extrapolation, not near shut-off)."""
    pump_closed: bool
    pump_curve: tuple[tuple[float, float], ...]
    """(total flow L/min, head kPa) of the running set at its speed, for the plot."""
    system_curve: tuple[tuple[float, float], ...]
    """(flow L/min, head kPa) the loop needs (HX + network), quadratic through the operating point."""
    failure_running: int | None = None
    failure_flow_lpm: float | None = None
    failure_head_kpa: float | None = None


@dataclass(frozen=True, slots=True)
class NodeLiquid:
    node_id: str
    loop: int
    head_m: float
    pressure_kpa: float
    """Gauge pressure relative to the expansion tank at the loop's pump suction."""
    temp_c: float


@dataclass(frozen=True, slots=True)
class LoopLiquid:
    index: int
    site_id: str
    cdu_ids: tuple[str, ...]
    rack_ids: tuple[str, ...]
    pipe_ids: tuple[str, ...]
    fluid: str
    density_kg_m3: float
    cp_j_kgk: float
    heat_kw: float


@dataclass(frozen=True, slots=True)
class Convergence:
    """How well one operating state was solved (never a silent answer)."""

    converged: bool
    iterations: int
    """Newton iterations, all hydraulic passes together."""
    passes: int
    """Hydraulic / heat passes."""
    flow_change: float
    head_residual_m: float
    mass_residual_m3s: float
    energy_residual_w: float
    message: str = ""


@dataclass(frozen=True)
class LiquidResults:
    """Everything the liquid analysis found, keyed by item id (read-only)."""

    racks: MappingProxyType
    pipes: MappingProxyType
    cdus: MappingProxyType
    nodes: MappingProxyType
    loops: tuple[LoopLiquid, ...]
    convergence: MappingProxyType
    """site id -> :class:`Convergence` of normal operation."""
    failure_convergence: MappingProxyType
    unconnected: MappingProxyType
    """rack id -> why a rack with liquid heat is in no loop."""
    options: dict = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        def rows(m):
            return [asdict(v) for v in m.values()]

        return {"racks": rows(self.racks), "pipes": rows(self.pipes), "cdus": rows(self.cdus), "nodes": rows(self.nodes),
                "loops": [asdict(lp) for lp in self.loops],
                "convergence": {k: asdict(v) for k, v in self.convergence.items()},
                "failure_convergence": {k: asdict(v) for k, v in self.failure_convergence.items()},
                "unconnected": dict(self.unconnected), "options": dict(self.options)}


def ashrae_liquid_class(facility_supply_c: float) -> str:
    """ASHRAE TC9.9 liquid-cooling class of a facility water supply temperature."""
    for name, limit in (("W17", 17.0), ("W27", 27.0), ("W32", 32.0), ("W40", 40.0), ("W45", 45.0)):
        if facility_supply_c <= limit + 1e-9:
            return name
    return "W+"


def convergence(state: OperatingState) -> Convergence:
    h = state.hyd
    return Convergence(state.converged, state.newton_iterations, state.passes, h.flow_change, h.head_residual_m,
                       h.mass_residual_m3s, state.heat.energy_residual_w, h.message)


def _curves(cd, rho: float, g: float, q_op_lpm: float, h_sys_kpa: float, running: int) -> tuple[tuple, tuple]:
    """Pump curve of the running set and the system curve through the operating point."""
    curve = cd.curve
    s = cd.cdu.pump.speed_fraction
    q_end = max(running, 1) * s * max(curve.max_flow_lpm, 1.0) * 1.25
    q_end = max(q_end, q_op_lpm * 1.2, 1.0)
    qs = np.linspace(0.0, q_end, 25)
    hp = curve.head_kpa(qs, s, running) if running > 0 else np.zeros_like(qs)
    pump = tuple((float(a), float(b)) for a, b in zip(qs, hp, strict=True) if b >= 0 or a == 0)
    k = h_sys_kpa / q_op_lpm ** 2 if q_op_lpm > 0 else 0.0
    system = tuple((float(a), float(k * a * a)) for a in qs)
    return pump, system


@dataclass
class FailureView:
    """The pump-failure scenarios folded into per-link arrays (see :mod:`.solve`)."""

    flow: np.ndarray
    """Per rack link: its lowest flow over the scenarios that hit its loop; per pump link:
    its flow in the scenario where it lost a pump (m3/s)."""
    running: np.ndarray
    head_kpa: np.ndarray


def _none(a: np.ndarray) -> list:
    """Array to a list with NaN / inf as None (JSON-able, and honest about 'no value')."""
    return [x if math.isfinite(x) else None for x in a.tolist()]


def rack_results(system: LiquidSystem, st: OperatingState, fail: FailureView | None, g: float,
                 out: dict, off: int = 0) -> None:
    rds = [rd for rd in system.racks.values() if rd.link >= 0]
    if not rds:
        return
    k = np.fromiter((rd.link for rd in rds), dtype=np.int64, count=len(rds))
    heat = np.fromiter((rd.heat_w for rd in rds), dtype=float, count=len(rds))
    flow = st.hyd.flow[k]
    req = st.required_m3s[k]
    t_in = st.heat.link_in_c[k]  # upstream end, whichever way the flow goes
    # a rack below 0.1 % of its required flow (or 0.01 L/min) has no flow (the no-flow
    # finding): its outlet temperature is not a number to print
    carries = (np.abs(flow) > 1e-7) & (np.abs(flow) > np.where(req > 0, np.maximum(1e-3 * req, 0.01 / LPM), 0.0))
    t_out = np.where(carries | (heat == 0), st.heat.link_out_c[k], np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(req > 0, flow / req, np.nan)
        f_flow = fail.flow[k] * LPM if fail is not None else np.full(k.size, np.nan)
        f_ratio = np.where(req > 0, fail.flow[k] / req, np.nan) if fail is not None else np.full(k.size, np.nan)
    dp = (st.hyd.head[system.start[k]] - st.hyd.head[system.end[k]]) * st.rho_link[k] * g / 1000.0
    rows = zip(rds, (heat / 1000.0).tolist(), (flow * LPM).tolist(), _none(req * LPM), _none(ratio),
               t_in.tolist(), _none(t_out), _none(t_out - t_in), dp.tolist(), _none(f_flow), _none(f_ratio),
               strict=True)
    for rd, hk, fl, rq, ra, ti, to, dt, dpk, ff, fr in rows:
        r = rd.rack
        out[r.id] = RackLiquid(r.id, rd.loop + off, hk, fl, rq, ra, ti, to, dt, dpk, float(r.valve_k or 0.0),
                               r.max_supply_temp_c, ff, fr)


def pipe_results(system: LiquidSystem, st: OperatingState, g: float, out: dict, off: int = 0) -> None:
    q = st.hyd.flow
    idx = np.fromiter(system.pipes.values(), dtype=np.int64, count=len(system.pipes))
    if not idx.size:
        return
    d = system.diameter[idx]
    area = np.pi * d ** 2 / 4.0
    vel = np.divide(np.abs(q[idx]), area, out=np.zeros(idx.size), where=area > 0)
    dp = np.abs(st.hyd.headloss[idx]) * st.rho_link[idx] * g / 1000.0
    re = st.hyd.reynolds[idx]
    regime = np.where(re <= RE_LAMINAR, "laminar", np.where(re >= RE_TURBULENT, "turbulent", "transitional"))
    re_l = [None if x != x else x for x in re.tolist()]
    fr_l = [None if x != x else x for x in st.hyd.friction[idx].tolist()]
    rows = zip(system.pipes, (system.link_loop[idx] + off).tolist(), (q[idx] * LPM).tolist(), vel.tolist(),
               dp.tolist(), system.length[idx].tolist(), d.tolist(), re_l, fr_l, regime.tolist(),
               st.heat.link_in_c[idx].tolist(), strict=True)
    roles, points, sign = system.pipe_roles, system.pipe_points, system.pipe_sign
    for pid, lp, fl, v, dpk, ln, dd, r, f, rg, t in rows:
        sg = sign.get(pid, 1.0)
        out[pid] = PipeLiquid(pid, lp, roles.get(pid, ""), fl * sg, v, dpk, ln, dd, r, f, rg, t, points[pid], sg < 0)


def cdu_results(system: LiquidSystem, st: OperatingState, fail: FailureView | None, g: float,
                out: dict, off: int = 0) -> None:
    for cid, cd in system.cdus.items():
        kp, kh = cd.pump_link, cd.hx_link
        rho = st.rho_link[kp]
        flow = st.hyd.flow[kp] * LPM
        running = int(st.running[kp])
        head = -st.hyd.headloss[kp] * rho * g / 1000.0 if running > 0 and not st.hyd.closed[kp] else 0.0
        hx = st.hyd.headloss[kh] * rho * g / 1000.0
        avail = (st.hyd.head[system.end[kh]] - st.hyd.head[system.start[kp]]) * rho * g / 1000.0
        load = st.heat.hx_duty_w[kh] / 1000.0
        cap = cd.cdu.capacity_kw
        s = cd.cdu.pump.speed_fraction
        per_pump = flow / running if running > 0 else 0.0
        q_eq = per_pump / s if s > 0 else math.inf  # the flow this duty is at full speed
        on = running > 0 and 0.1 * cd.curve.max_flow_lpm <= q_eq <= cd.curve.max_flow_lpm * (1 + 1e-9)
        pump_c, sys_c = _curves(cd, rho, g, flow, head, running)
        f_run = f_flow = f_head = None
        if fail is not None:
            f_run = int(fail.running[kp])
            f_flow = float(fail.flow[kp] * LPM)
            f_head = float(fail.head_kpa[kp])
        out[cid] = CduLiquid(
            cid, cd.loop + off, system.loops[cd.loop].fluid, float(flow), running, s, float(per_pump), float(head),
            float(hx), float(avail), float(load), cap, float(load / cap) if cap > 0 else None,
            float(cap - load), float(st.supply_c[cid]), float(st.heat.link_in_c[kp]), cd.facility_supply_c,
            cd.cdu.approach_k, ashrae_liquid_class(cd.facility_supply_c), cd.cdu.rated_flow_lpm, bool(on),
            bool(st.hyd.closed[kp] and running > 0), pump_c, sys_c, f_run, f_flow, f_head)


def node_results(system: LiquidSystem, st: OperatingState, g: float, out: dict, off: int = 0) -> None:
    rho = st.rho_loop[system.node_loop] if system.n_nodes else np.zeros(0)
    p = st.hyd.head * rho * g / 1000.0
    rows = zip(system.node_names, (system.node_loop + off).tolist(), st.hyd.head.tolist(), p.tolist(),
               st.heat.node_temp_c.tolist(), strict=True)
    for name, lp, h, pk, t in rows:
        out[name] = NodeLiquid(name, lp, h, pk, t)


def loop_results(system: LiquidSystem, st: OperatingState, out: list, off: int = 0) -> None:
    for lp in system.loops:
        heat = sum(system.racks[r].heat_w for r in lp.rack_ids) / 1000.0
        out.append(LoopLiquid(lp.index + off, system.site_id, lp.cdu_ids, lp.rack_ids, lp.pipe_ids, lp.fluid,
                              float(st.rho_loop[lp.index]), float(st.cp_loop[lp.index]), heat))


def options_json(opts: SolverOptions) -> dict:
    return {"friction": opts.friction, "g": opts.g, "accuracy": opts.accuracy, "head_tol_m": opts.head_tol_m}
