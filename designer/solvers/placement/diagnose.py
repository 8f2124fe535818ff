"""Why a workload could not be placed: a plain reason with the numbers behind it.

Checks in order, stopping at the first that explains it:

1. ``no_modules``: the design has no module that can host workloads.
2. ``no_liquid_module``: it needs liquid cooling and no module is liquid-cooled or hybrid.
3. ``processing``: its processing time alone exceeds its budget.
4. ``latency``: no (suitably cooled) module is within its budget; names the nearest.
5. ``capacity``: modules are within budget but none has enough free capacity even when
   empty of other free workloads (pinned ones count); names the largest free.
6. ``contention``: a module within budget could take it alone, but the optimum fills those
   modules with other workloads; names them and the nearest module that still has room.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from designer.solvers.placement.assign import FREE, AssignmentProblem, AssignmentSolution
from designer.solvers.placement.latency import LatencyTable

_RES = ("power", "cooling", "liquid cooling")


@dataclass(frozen=True)
class Reason:
    """Why workload ``workload`` (index) is unplaced. ``modules`` are the indices named."""

    workload: int
    code: str
    message: str
    fix: str
    modules: tuple[int, ...] = ()


def fmt_num(v: float) -> str:
    """Numbers as people write them: 412, 15.5, 5.96, 0.35 (no trailing zeros)."""
    if not np.isfinite(v):
        return "unlimited"
    a = abs(v)
    if a >= 100:
        return f"{v:.0f}"
    if a >= 10:
        return f"{v:.1f}".rstrip("0").rstrip(".")
    return f"{v:.2f}".rstrip("0").rstrip(".")


def _breakdown(lat: LatencyTable | None, w: int, m: int) -> str:
    if lat is None:
        return ""
    b = lat.breakdown(w, m)
    return (f" (fibre {fmt_num(b.fibre_ms)}, hops {fmt_num(b.hops_ms)}, access {fmt_num(b.access_ms)}, "
            f"processing {fmt_num(b.processing_ms)} ms)")


def _away(lat: LatencyTable | None, w: int, m: int) -> str:
    if lat is None:
        return ""
    km = float(lat.route_km[w, m])
    return " at the data source" if km == 0 else f" {fmt_num(km)} km away by route"


def diagnose(problem: AssignmentProblem, solution: AssignmentSolution,
             module_labels: Sequence[str] | None = None, latency: LatencyTable | None = None,
             ) -> list[Reason]:
    """A :class:`Reason` for every free workload left unplaced by ``solution``.

    Parameters
    ----------
    problem, solution
        The arrays and the assignment found.
    module_labels
        How to name module ``j`` in a message ("'SKID-1' at Stuttgart node"); default "module j".
    latency
        The latency table behind ``problem`` (for distances and breakdowns), if any.
    """
    n_w, n_m = problem.shape
    labels = list(module_labels) if module_labels is not None else [f"module {j}" for j in range(n_m)]
    pins = problem.pins()
    free_p, free_c, free_l = problem.free_capacity()
    lat_ok = problem.latency_ok()
    cool_ok = problem.cooling_ok()
    fits = problem.fits_alone()
    # what is left in each module after the solution
    placed = solution.module_of >= 0
    used = np.bincount(solution.module_of[placed], weights=problem.power_kw[placed], minlength=n_m)
    used_l = np.bincount(solution.module_of[placed],
                         weights=(problem.power_kw * problem.needs_liquid)[placed], minlength=n_m)
    left_p = problem.cap_power_kw - used
    left_c = problem.cap_cooling_kw - used
    left_l = problem.cap_liquid_kw - used_l
    out = []
    for w in np.nonzero((solution.module_of < 0) & (pins == FREE))[0]:
        out.append(_one(problem, int(w), labels, latency, lat_ok[w], cool_ok[w], fits[w],
                        (free_p, free_c, free_l), (left_p, left_c, left_l), solution.module_of))
    return out


def _one(pr: AssignmentProblem, w: int, labels, lat, lat_ok, cool_ok, fits, free, left, module_of):
    n_m = pr.shape[1]
    budget = float(pr.budget_ms[w])
    p = float(pr.power_kw[w])
    liquid = bool(pr.needs_liquid[w])
    kind = "liquid-cooled " if liquid else ""
    latency = pr.latency_ms[w]
    b = fmt_num(budget)
    if n_m == 0:
        return Reason(w, "no_modules", "there is no module with IT capacity and rack positions in the design",
                      "add a module (or use the placement recommendation)")
    if not cool_ok.any():
        return Reason(w, "no_liquid_module", "it needs liquid cooling and no module in the design is "
                      "liquid-cooled or hybrid", "add a liquid-cooled module, or clear 'needs liquid' "
                      "if air cooling will do")
    proc = float(lat.processing_ms[w]) if lat is not None else None
    if proc is not None and proc > budget * (1 + 1e-9):
        return Reason(w, "processing", f"its processing alone takes {fmt_num(proc)} ms against a {b} ms "
                      "budget", "cut the processing time or raise the latency budget")
    ok = lat_ok & cool_ok
    if not ok.any():
        cands = np.nonzero(cool_ok)[0]
        j = int(cands[np.argmin(latency[cands])])
        away = _away(lat, w, j)
        verb = f"is{away}:" if away else "gives"
        return Reason(w, "latency", f"no {kind}module is within its {b} ms budget: the nearest, {labels[j]}, "
                      f"{verb} {fmt_num(latency[j])} ms round trip{_breakdown(lat, w, j)} "
                      f"against a {b} ms budget",
                      "add a module nearer the data source (see the placement recommendation), shorten "
                      "the route or raise the budget", (j,))
    fp, fc, fl = free
    if not (fits & ok).any():
        room = np.stack([fp, fc, np.where(liquid, fl, np.inf)])
        eff = room.min(axis=0)
        cands = np.nonzero(ok)[0]
        j = int(cands[np.argmax(eff[cands])])
        which = int(np.argmin(room[:, j]))
        res = "" if which == 0 else f" of {_RES[which]}"
        pinned = " after pinned workloads" if fp[j] < pr.cap_power_kw[j] - 1e-9 else ""
        return Reason(w, "capacity", f"no {kind}module within its {b} ms budget has {fmt_num(p)} kW free; the "
                      f"largest free is {fmt_num(eff[j])} kW{res} at {labels[j]}{pinned}",
                      "add capacity within the budget (a larger module or a second one), or split the "
                      "workload", (j,))
    lp, lc, ll = left
    room_now = np.stack([lp, lc, np.where(liquid, ll, np.inf)]).min(axis=0)
    tight = np.nonzero(fits & ok)[0]
    tight = tight[np.argsort(latency[tight])][:3]
    parts = []
    for j in tight:
        others = int(np.count_nonzero(module_of == j))
        parts.append(f"{labels[j]} has {fmt_num(max(room_now[j], 0.0))} kW left after {others} other "
                     f"workload{'s' if others != 1 else ''}")
    msg = (f"the {kind}modules within its {b} ms budget are taken: " + "; ".join(parts)
           + f", against {fmt_num(p)} kW needed")
    roomy = np.nonzero(cool_ok & (room_now >= p - 1e-9))[0]
    named = tuple(int(j) for j in tight)
    if roomy.size:
        j = int(roomy[np.argmin(latency[roomy])])
        away = _away(lat, w, j)
        msg += (f"; the nearest {kind}module with room is {labels[j]}{',' if away else ''}{away}: "
                f"{fmt_num(latency[j])} ms against a {b} ms budget")
        named += (j,)
    else:
        msg += f"; no {kind}module has {fmt_num(p)} kW left anywhere"
    return Reason(w, "contention", msg, "add capacity within the budget, move or unpin other workloads, "
                  "or raise the budget", named)
