"""Why a workload could not be placed: a plain reason with the numbers behind it.

Checks in order, stopping at the first that explains it:

1. ``no_modules``: the design has no module that can host workloads.
2. ``no_liquid_module``: it needs liquid cooling and no module is liquid-cooled or hybrid.
3. ``processing``: its processing time alone exceeds its budget.
4. ``latency``: no (suitably cooled) module is within its budget; names the nearest.
5. ``capacity``: modules are within budget but none has enough free capacity even when
   empty of other free workloads (pinned ones count); names the binding capacity (power,
   cooling, liquid cooling, rack positions or accelerators) and the module closest to
   fitting it.
6. ``contention``: a module within budget could take it alone, but the optimum fills those
   modules with other workloads; names them, what each has left of its binding capacity,
   and the nearest module that still has room.

In the recommendation some modules are only candidates (a new module the answer may build).
A candidate that could take the workload alone but is not built is not "taken": its own
reason (a :class:`NotBuilt` from the caller: ``utility`` headroom or ``floor_space`` at its
site) is named instead, and that reason's code and capacity are the workload's. Only built
modules count as "with room".

The binding capacity of a module for a workload is the resource with the smallest share of
the workload's need free (free / need); it is in :attr:`Reason.capacity`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from designer.solvers.placement.assign import FREE, AssignmentProblem, AssignmentSolution
from designer.solvers.placement.latency import LatencyTable
from designer.solvers.placement.problem import KW_RESOURCES, RESOURCES, amount


@dataclass(frozen=True)
class Reason:
    """Why workload ``workload`` (index) is unplaced. ``modules`` are the indices named."""

    workload: int
    code: str
    message: str
    fix: str
    modules: tuple[int, ...] = ()
    capacity: str | None = None
    """For ``capacity`` and ``contention``: the binding capacity (a name of
    :data:`~.problem.RESOURCES`); for a candidate not built, its :attr:`NotBuilt.capacity`."""


@dataclass(frozen=True)
class NotBuilt:
    """Why a candidate module (a column of the problem) that could take a workload is not built.

    ``text`` completes "a new X at S ..." ("finds no free spot in the hall beside ..."); ``code``
    is ``utility``, ``floor_space`` or ``not_built`` (none of the site limits explains it) and
    ``capacity`` the limit in words ("utility headroom", "floor space") or None.
    """

    code: str
    text: str
    capacity: str | None = None
    fix: str = ""


_NOT_BUILT = NotBuilt("not_built", "could take it alone but is not built in this answer")


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
             built: np.ndarray | None = None, not_built: Mapping[int, NotBuilt] | None = None,
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
    built
        (M,) which modules exist (None: all). A module not built is never "taken" nor "with
        room"; where it could take a workload alone, ``not_built`` says why it is not built
        (modules not built and not in ``not_built``, e.g. further copies of the same type at
        the same site, are not named).
    """
    n_w, n_m = problem.shape
    labels = list(module_labels) if module_labels is not None else [f"module {j}" for j in range(n_m)]
    pins = problem.pins()
    free = problem.free_capacity()
    lat_ok = problem.latency_ok()
    cool_ok = problem.cooling_ok()
    fits = problem.fits_alone()
    # what is left in each module after the solution (pinned and free workloads)
    left = problem.capacity() - problem.loads(solution.module_of)
    use = problem.use()
    built = np.ones(n_m, dtype=bool) if built is None else np.asarray(built, dtype=bool)
    not_built = dict(not_built or {})
    out = []
    for w in np.nonzero((solution.module_of < 0) & (pins == FREE))[0]:
        out.append(_one(problem, int(w), labels, latency, lat_ok[w], cool_ok[w], fits[w], free, left, use[:, w],
                        solution.module_of, built, not_built))
    return out


def _ratios(room: np.ndarray, need: np.ndarray) -> np.ndarray:
    """(K, M) share of the need each module has free per resource (inf where nothing is needed)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(need[:, None] > 0, np.maximum(room, 0.0) / np.where(need > 0, need, 1.0)[:, None], np.inf)
    return r


def _needs(need: np.ndarray, ks) -> str:
    """What the workload needs of resources ``ks``: "80 kW", "2 rack positions and 16 accelerators"."""
    ks = set(ks)
    parts = []
    if ks & set(KW_RESOURCES):
        parts.append(amount(0, float(need[0]), fmt_num))
    parts += [amount(k, float(need[k]), fmt_num) for k in sorted(ks) if k not in KW_RESOURCES and need[k] > 0]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _one(pr: AssignmentProblem, w: int, labels, lat, lat_ok, cool_ok, fits, free, left, need, module_of, built,
         not_built):
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
    if not (fits & ok).any():
        ratio = _ratios(free, need)
        eff = ratio.min(axis=0)
        cands = np.nonzero(ok)[0]
        j = int(cands[np.argmax(eff[cands])])  # the module closest to fitting it
        k = int(np.argmin(ratio[:, j]))  # its binding capacity
        pinned = " after pinned workloads" if free[k, j] < pr.capacity()[k, j] - 1e-9 else ""
        if k in KW_RESOURCES:
            res = "" if k == 0 else f" of {RESOURCES[k]}"
            msg = (f"no {kind}module within its {b} ms budget has {fmt_num(p)} kW free; the largest free is "
                   f"{fmt_num(free[k, j])} kW{res} at {labels[j]}{pinned}")
            fix = "add capacity within the budget (a larger module or a second one), or split the workload"
        else:
            what = RESOURCES[k]
            others = [f"{amount(q, float(free[q, j]), fmt_num)}" for q in range(len(RESOURCES))
                      if q != k and need[q] > 0 and q != 1 and (q != 2 or liquid)]
            has = f" (it has {', '.join(others)} free)" if others else ""
            msg = (f"no {kind}module within its {b} ms budget has {amount(k, float(need[k]), fmt_num)} free; "
                   f"the most free is {amount(k, float(free[k, j]), fmt_num)} at {labels[j]}{pinned}{has}")
            fix = (f"add {what} within the budget (more racks, racks with more accelerators or a second "
                   "module), or split the workload" if k != 3 else
                   "add rack positions within the budget (a larger module or a second one), or split the "
                   "workload")
        return Reason(w, "capacity", msg, fix, (j,), RESOURCES[k])
    ratio_now = _ratios(left, need)
    tight = np.nonzero(fits & ok & (built | np.isin(np.arange(n_m), list(not_built))))[0]
    if tight.size == 0:  # only candidates the caller gave no reason for
        tight = np.nonzero(fits & ok)[0]
    tight = tight[np.argsort(latency[tight], kind="stable")][:3]
    full = [int(j) for j in tight if built[j]]
    unbuilt = [int(j) for j in tight if not built[j]]
    parts = []
    binding = []
    for j in full:
        k = int(np.argmin(ratio_now[:, j]))
        binding.append(k)
        others = int(np.count_nonzero(module_of == j))
        parts.append(f"{labels[j]} has {amount(k, max(float(left[k, j]), 0.0), fmt_num)} left after {others} other "
                     f"workload{'s' if others != 1 else ''}")
    if full and not unbuilt:
        msg = f"the {kind}modules within its {b} ms budget are taken: " + "; ".join(parts)
    elif full:
        msg = f"the {kind}modules within its {b} ms budget are taken or cannot be added: " + "; ".join(parts)
    else:
        msg = f"no {kind}module that could take it within its {b} ms budget is built"
    if full:
        msg += f", against {_needs(need, binding)} needed"
    if unbuilt:
        msg += (": " if not full else "; ") + "; ".join(f"{labels[j]} {not_built.get(j, _NOT_BUILT).text}" for j in unbuilt)
    roomy = np.nonzero(cool_ok & built & (ratio_now.min(axis=0) >= 1 - 1e-9))[0]
    named = tuple(int(j) for j in tight)
    anywhere = "" if built.all() else " in the design or the recommendation"
    if roomy.size:
        j = int(roomy[np.argmin(latency[roomy])])
        away = _away(lat, w, j)
        msg += (f"; the nearest {kind}module with room{anywhere} is {labels[j]}{',' if away else ''}{away}: "
                f"{fmt_num(latency[j])} ms against a {b} ms budget")
        named += (j,)
    else:
        msg += f"; no {kind}module{anywhere} has {_needs(need, range(len(RESOURCES)))} left anywhere"
    if unbuilt:
        nb = not_built.get(unbuilt[0], _NOT_BUILT)
        return Reason(w, nb.code, msg, nb.fix or "add capacity within the budget, or raise the budget", named,
                      nb.capacity)
    counts = sorted({RESOURCES[k] for k in binding if k not in KW_RESOURCES})
    fix = ("add capacity within the budget, move or unpin other workloads, or raise the budget" if not counts else
           f"add {' and '.join(counts)} within the budget, move or unpin other workloads, or raise the budget")
    k0 = binding[0] if binding else 0
    return Reason(w, "contention", msg, fix, named, RESOURCES[k0])
