"""Liquid-cooling analysis: CDU loops, rack flows and temperatures, pump failure, auto-balance.

``data`` of the result is a :class:`~designer.solvers.liquid.results.LiquidResults`
(flows in L/min, pressures in kPa, temperatures in degC), read-only and keyed by id:

- ``racks[rack_id]``: flow, required flow and their ratio, supply / return temperature and
  rise, port-to-port pressure difference, valve setting, flow with one pump down;
- ``pipes[pipe_id]``: flow signed by the loop's direction (``drawn_reversed`` when the pipe was
  drawn against it), velocity, pressure drop, Reynolds number and regime,
  temperature, and ``points``, the pipe's polyline on the plan (colour it by velocity or flow);
  primary (facility water) pipes too, with loop -1: their flow is each CDU's heat at its
  supply's design rise (not a hydraulic solve; see :mod:`designer.solvers.liquid.primary`);
- ``cdus[cdu_id]``: flow, pump head, HX drop, load against capacity and margin, supply /
  return / facility temperatures, ASHRAE class, ``pump_curve`` and ``system_curve`` point
  lists for a pump-vs-system plot with the operating point ``(flow_lpm, pump_head_kpa)``;
- ``nodes[node_id]``: head, pressure relative to the loop's expansion tank, temperature
  (node ids are junction ids and ``"<item>:supply"`` / ``"<item>:return"`` ports), also in
  the JSON results (``nodes``: ``node_id``, ``loop``, ``head_m``, ``pressure_kpa``, ``temp_c``);
- ``loops``: each independent loop's CDUs, racks, pipes and fluid; ``convergence`` (per
  site): iterations and residuals of the solve; ``unconnected``: racks with liquid heat
  in no loop and why.
"""

from __future__ import annotations

from designer.analysis.base import ALWAYS_BLOCKING, Analysis, AnalysisResult, register
from designer.document.edits import Composite, SetFields
from designer.model.project import Project
from designer.solvers.liquid.balance import BalancePlan, balance_site
from designer.solvers.liquid.checks import _num
from designer.solvers.liquid.primary import LOOP as PRIMARY_LOOP
from designer.solvers.liquid.primary import NOTE as PRIMARY_NOTE
from designer.solvers.liquid.results import LiquidResults
from designer.solvers.liquid.solve import solve_project, solve_site

VALVE_DIGITS = 4


def _r(x: float, n: int) -> float:
    """``round`` without a negative zero."""
    return round(x, n) + 0.0


def _f(x: float | None, spec: str, width: int) -> str:
    """A table cell: ``x`` formatted, "-" for None or a non-finite value, never "-0.0"."""
    if x is None or x != x or x in (float("inf"), float("-inf")):
        return f"{'-':>{width}}"
    return f"{_num(x, spec):>{width}}"


def _summary(res: LiquidResults, findings) -> dict:
    cooled = [r for r in res.racks.values() if r.required_lpm]
    ratios = [r.flow_ratio for r in cooled if r.flow_ratio is not None]
    short = [r for r in cooled if not r.ok]
    # one pump down: racks short although pumps keep running, and racks that wait for a
    # standby pump because their CDU runs a single duty pump
    cdu_left = {c.loop: c.failure_running for c in res.cdus.values()}
    f_short = [r for r in cooled if r.failure_ratio is not None and r.failure_ratio < 1.0 - 1e-3
               and (cdu_left.get(r.loop) or 0) > 0]
    running = {c.loop for c in res.cdus.values() if c.pumps_running > 0}
    f_wait = [r for r in cooled if cdu_left.get(r.loop) == 0 and r.loop in running]  # not when no pump runs
    vmax = max((pr.velocity_mps for pr in res.pipes.values() if pr.loop != PRIMARY_LOOP), default=0.0)
    prim = [pr for pr in res.pipes.values() if pr.loop == PRIMARY_LOOP]
    worst = max((c for c in res.cdus.values() if c.load_fraction is not None), key=lambda c: c.load_fraction,
                default=None)
    conv = list(res.convergence.values())
    return {
        "loops": len(res.loops),
        "racks_on_liquid": len(cooled),
        "racks_short_of_flow": len(short),
        "racks_without_loop": len(res.unconnected),
        "min_flow_ratio": _r(min(ratios), 4) if ratios else None,
        "liquid_heat_kw": _r(sum(r.heat_kw for r in cooled), 1),
        "cdu_load_kw": _r(sum(c.load_kw for c in res.cdus.values()), 1),
        "max_velocity_mps": _r(vmax, 3),
        "primary_pipes": len(prim),
        "max_primary_velocity_mps": _r(max((pr.velocity_mps for pr in prim), default=0.0), 3),
        "primary_side": PRIMARY_NOTE if prim else "no facility water pipes drawn",
        "worst_cdu": None if worst is None else f"{worst.cdu_id} at {_num(worst.load_fraction, '.0%')}",
        "racks_short_with_one_pump_down": len(f_short),
        "racks_waiting_for_standby_pump": len(f_wait),
        "converged": all(c.converged for c in conv),
        "newton_iterations": max((c.iterations for c in conv), default=0),
        "max_head_residual_m": max((c.head_residual_m for c in conv), default=0.0),
        "max_mass_residual_m3s": max((c.mass_residual_m3s for c in conv), default=0.0),
        "max_energy_residual_w": max((c.energy_residual_w for c in conv), default=0.0),
        "errors": sum(1 for f in findings if f.severity.value == "error"),
    }


@register
class LiquidAnalysis(Analysis):
    name = "liquid"
    title = "Liquid cooling"
    order = 20
    blocked_by = ALWAYS_BLOCKING  # it reports dangling references and bad values itself

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        res, findings, _ = solve_project(project, cache=cache)
        return AnalysisResult(self.name, revision, tuple(findings), data=res, summary=_summary(res, findings))

    def report_json(self, result: AnalysisResult) -> dict:
        out = super().report_json(result)
        if isinstance(result.data, LiquidResults):
            out.update(result.data.to_json())
        return out

    def report_text(self, result: AnalysisResult) -> str:
        lines = [f"== {self.title} =="]
        lines += [f"{k}: {v}" for k, v in result.summary.items()]
        res = result.data
        if isinstance(res, LiquidResults):
            lines += ["", "CDUs", f"  {'cdu':24} {'flow L/min':>10} {'head kPa':>9} {'load kW':>8} {'cap kW':>7} "
                      f"{'margin kW':>9} {'supply C':>8} {'return C':>8} {'class':>5} {'pumps':>5}"]
            for c in res.cdus.values():
                lines.append(f"  {c.cdu_id:24} {_f(c.flow_lpm, '.1f', 10)} {_f(c.pump_head_kpa, '.1f', 9)} "
                             f"{_f(c.load_kw, '.1f', 8)} {_f(c.capacity_kw, '.0f', 7)} {_f(c.margin_kw, '.1f', 9)} "
                             f"{_f(c.supply_temp_c, '.2f', 8)} {_f(c.return_temp_c, '.2f', 8)} "
                             f"{c.ashrae_class:>5} {c.pumps_running:5d}")
            lines += ["", "Racks", f"  {'rack':24} {'flow L/min':>10} {'req L/min':>9} {'ratio':>6} {'supply C':>8} "
                      f"{'return C':>8} {'dp kPa':>7} {'1 pump down':>11}"]
            for r in res.racks.values():
                lines.append(f"  {r.rack_id:24} {_f(r.flow_lpm, '.1f', 10)} {_f(r.required_lpm or None, '.1f', 9)} "
                             f"{_f(r.flow_ratio, '.0%', 6)} {_f(r.supply_temp_c, '.2f', 8)} "
                             f"{_f(r.return_temp_c, '.2f', 8)} {_f(r.dp_kpa, '.1f', 7)} "
                             f"{_f(r.failure_flow_lpm, '.1f', 11)}")
            lines += ["", "Pipes", f"  {'pipe':24} {'flow L/min':>10} {'v m/s':>6} {'dp kPa':>7} {'len m':>6} "
                      f"{'D mm':>5} {'regime':>12}"]
            for p in res.pipes.values():
                lines.append(f"  {p.pipe_id:24} {_f(p.flow_lpm, '.1f', 10)} {_f(p.velocity_mps, '.2f', 6)} "
                             f"{_f(p.dp_kpa, '.2f', 7)} {_f(p.length_m, '.2f', 6)} {_f(p.diameter_m * 1000, '.0f', 5)} "
                             f"{p.regime:>12}")
            if res.unconnected:
                lines += ["", "Racks with liquid heat outside any loop"]
                lines += [f"  {rid}: {why}" for rid, why in res.unconnected.items()]
        if result.findings:
            lines += ["", "Findings"]
            lines += [f"  {f.as_text()}" for f in result.findings]
        return "\n".join(lines)


def balance_plans(project: Project, site_id: str | None = None) -> dict[str, BalancePlan]:
    """Balancing-valve plans per site (see :mod:`designer.solvers.liquid.balance`)."""
    plans = {}
    for site in project.sites:
        if site_id is not None and site.id != site_id:
            continue
        oc = solve_site(site, project.settings, failure=False)
        if oc.system.n_links:
            plans[site.id] = balance_site(oc.system, oc.normal)
    return plans


def auto_balance(project: Project, site_id: str | None = None) -> Composite:
    """One undoable edit setting every liquid rack's balancing valve (``valve_k``).

    Every rack of a loop then gets the same fraction of its required flow, the index rack
    with its valve fully open (``valve_k`` 0); that fraction is at least 1 when the pumps
    can supply every rack at their set speed. Racks whose setting does not change are left
    out; an empty :class:`Composite` (false) means there is nothing to balance.
    """
    edits = []
    for plan in balance_plans(project, site_id).values():
        for rid, k in plan.valve_k.items():
            k = float(f"{k:.{VALVE_DIGITS}g}") if k > 0 else 0.0
            edits.append(SetFields(rid, {"valve_k": k}))
    return Composite(edits, "Auto-balance liquid loops")
