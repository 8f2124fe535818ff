"""Power analysis: loads, margins, voltage drop, phases and single failures for every site.

Runs :func:`designer.solvers.power.solve.solve_site` per site. ``data`` is a
:class:`~designer.solvers.power.results.PowerResult` (``sites[site_id]`` ->
:class:`~designer.solvers.power.results.SitePower`). The cache keeps each site's live-tree
matrices between runs, so edits that do not change the topology skip rebuilding them.

:func:`suggest_phase_balance` turns the solver's phase re-assignment into one undoable edit.
"""

from __future__ import annotations

import time

from designer.analysis.base import ALWAYS_BLOCKING, Analysis, AnalysisResult, register
from designer.document.edits import Composite, SetFields
from designer.model.findings import error
from designer.model.project import Project
from designer.solvers.power.collapse import fix_text
from designer.solvers.power.loadflow import LoadFlowDiverged
from designer.solvers.power.results import PowerResult, SitePower, frozen_map
from designer.solvers.power.solve import describe, solve_site


@register
class PowerAnalysis(Analysis):
    name = "power"
    title = "Power chain"
    order = 40
    blocked_by = ALWAYS_BLOCKING  # it reports dangling references and bad values itself

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        t0 = time.perf_counter()
        sites: dict[str, SitePower] = {}
        unsolved: dict[str, tuple[str, float]] = {}  # site id -> (why, IT kW)
        findings = []
        for si, site in enumerate(project.sites):
            try:
                res, f = solve_site(site, cache, standard=project.settings.cable_standard)
            except LoadFlowDiverged as e:  # no solution: say so, keep the other sites
                col = e.collapse
                ids = (site.id,) + (col.ids if col is not None else ())
                findings.append(error("power.no_solution", f"site {site.name or site.id}: {e}", fix_text(col),
                                      f"sites[{si}].hall.power", ids, source=self.name))
                findings += getattr(e, "findings", [])
                unsolved[site.id] = (f"no load-flow solution: {col.text() if col is not None else e}",
                                     sum(r.it_load_kw for r in site.hall.racks))
                continue
            except Exception as e:  # a bug in one site's analysis must not blank the others
                findings.append(error("power.failed", f"site {site.name or site.id}: the power analysis failed "
                                      f"({type(e).__name__}: {e})", "report this as a bug, with the project file",
                                      f"sites[{si}].hall.power", (site.id,), source=self.name))
                unsolved[site.id] = (f"not analysed ({type(e).__name__})", sum(r.it_load_kw for r in site.hall.racks))
                continue
            sites[site.id] = res
            findings += f
        live = {s.id for s in project.sites}
        for key in [k for k in cache if isinstance(k, tuple) and k[-1] not in live]:
            del cache[key]  # sites that are gone
        data = PowerResult(sites=frozen_map(sites))
        return AnalysisResult(self.name, revision, tuple(findings), data, _summary(sites, unsolved),
                              elapsed_s=time.perf_counter() - t0)

    def report_text(self, result: AnalysisResult) -> str:
        lines = [f"== {self.title} =="]
        data: PowerResult | None = result.data
        if data is None:  # not run (validation errors it cannot work around): the findings say why
            return "\n".join(lines + [""] + [f.as_text() for f in result.findings])
        for site in data.sites.values():
            lines += _site_text(site)
        for sid, row in result.summary.get("sites", {}).items():
            if sid not in data.sites:
                lines += ["", f"-- site {sid} --", f"survives any single failure: no; {row['worst']}"]
        lines.append("")
        lines += [f.as_text() for f in result.findings]
        return "\n".join(lines)

    def report_json(self, result: AnalysisResult) -> dict:
        out = super().report_json(result)
        out["sites"] = {sid: site_json(s) for sid, s in result.data.sites.items()}
        return out


def _summary(sites: dict[str, SitePower], unsolved: dict[str, tuple[str, float]] | None = None) -> dict:
    """Totals and the verdict; a site without a solution (``unsolved``: why, its IT kW) does not survive."""
    unsolved = unsolved or {}
    bad = [s for s in sites.values() if not s.survives]
    verdict = "yes" if not bad and not unsolved else "no"
    n_all = len(sites) + len(unsolved)
    if unsolved:
        sid, (why, _kw) = next(iter(unsolved.items()))
        verdict += f" ({len(bad) + len(unsolved)} of {n_all} sites; e.g. {sid}: {why})"
    elif bad:
        worst = max(bad, key=lambda s: s.racks_total - s.racks_powered)
        verdict += f" ({len(bad)} of {n_all} sites; e.g. {worst.site_id}: {worst.worst})"
    per_site = {sid: {"survives": s.survives, "worst": s.worst} for sid, s in sites.items()}
    per_site.update({sid: {"survives": False, "worst": why} for sid, (why, _kw) in unsolved.items()})
    return {
        "survives any single failure": verdict,
        "IT load kW": round(sum(s.it_kw for s in sites.values()) + sum(kw for _w, kw in unsolved.values()), 1),
        "source output kW": round(sum(s.source_kw for s in sites.values()), 1),
        "losses kW": round(sum(s.losses_kw for s in sites.values()), 2),
        "failure scenarios": sum(len(s.scenarios) for s in sites.values()),
        "sites": per_site,
    }


def _site_text(s: SitePower) -> list[str]:
    eff = s.it_powered_kw / s.source_kw * 100 if s.source_kw > 0 else 0.0  # only what is powered
    lines = ["", f"-- site {s.site_id} (scheme {s.scheme}) --",
             f"IT load {s.it_kw:.1f} kW, sources {s.source_kw:.1f} kW, losses {s.losses_kw:.2f} kW "
             f"({eff:.1f} % to IT), {s.racks_powered}/{s.racks_total} racks powered, "
             f"balance error {s.balance_error_kw:.1e} kW",
             f"survives any single failure: {'yes' if s.survives else 'no'}; worst case: {s.worst}",
             f"{'item':<28}{'kind':<12}{'kW':>9}{'kVA':>9}{'A':>8}{'util %':>8}{'V':>8}{'drop %':>8}"]
    for n in s.nodes.values():
        if n.kind == "tap":
            continue
        lines.append(f"{n.name[:27]:<28}{n.kind:<12}{n.p_kw:9.1f}{n.s_kva:9.1f}{n.current_a:8.0f}"
                     f"{n.utilisation * 100:8.0f}{n.voltage_v:8.1f}{n.drop_pct:8.2f}")
    taps = [n for n in s.nodes.values() if n.kind == "tap"]
    if taps:
        t = max(taps, key=lambda n: n.utilisation)
        lines.append(f"{len(taps)} busway taps; highest {t.name} at {t.utilisation * 100:.0f} % of its breaker limit")
    if s.racks_total:
        r = min(s.racks.values(), key=lambda r: r.margin_a)
        lines.append(f"smallest cord margin with one cord carrying the whole rack: {r.name} {r.margin_a:.1f} A "
                     f"({r.utilisation * 100:.0f} % of its limit)")
    failing = [sc for sc in s.scenarios if not sc.ok]
    lines.append(f"{len(s.scenarios)} failure scenarios simulated, {len(failing)} lose racks or overload something")
    for sc in failing[:12]:
        lines.append("  - " + describe(sc, s))
    if len(failing) > 12:
        lines.append(f"  ... and {len(failing) - 12} more")
    if s.phase_suggestion:
        n = sum(len(v) for v in s.phase_suggestion.values())
        moves = ", ".join(f"{s.name_of(r)} {k.split('.')[0][-1].upper()}->{v}" for r, d in s.phase_suggestion.items()
                          for k, v in d.items())
        lines.append(f"phase re-assignment suggested ({n} cord change{'s' if n != 1 else ''}): {moves}")
    return lines


def site_json(s: SitePower) -> dict:
    """One site's results as plain JSON data."""
    from dataclasses import asdict

    return {
        "scheme": s.scheme, "survives": s.survives, "worst": s.worst, "worst_scenario": s.worst_scenario,
        "it_kw": s.it_kw, "it_powered_kw": s.it_powered_kw, "source_kw": s.source_kw, "losses_kw": s.losses_kw,
        "balance_error_kw": s.balance_error_kw, "racks_total": s.racks_total, "racks_powered": s.racks_powered,
        "roots": list(s.roots), "solve_ms": s.solve_ms, "sweep_ms": s.sweep_ms,
        "nodes": {k: asdict(v) for k, v in s.nodes.items()},
        "feeds": {k: asdict(v) for k, v in s.feeds.items()},
        "racks": {k: asdict(v) for k, v in s.racks.items()},
        "scenarios": [asdict(sc) for sc in s.scenarios],
        "phase_suggestion": {k: dict(v) for k, v in s.phase_suggestion.items()},
    }


def suggest_phase_balance(project: Project, site_id: str | None = None) -> Composite:
    """One undoable edit that moves single-phase cords to balance the phases.

    Parameters
    ----------
    project
        The project (a snapshot is fine; the edit names racks by id).
    site_id
        Only this site; all sites when None.

    Returns
    -------
    Composite
        ``SetFields`` on racks' ``feed_a.phase`` / ``feed_b.phase``; empty (falsy) when
        nothing would improve.
    """
    edits = []
    for site in project.sites:
        if site_id is not None and site.id != site_id:
            continue
        res, _ = solve_site(site, None, sweep_failures=False)
        for rack_id, values in res.phase_suggestion.items():
            edits.append(SetFields(rack_id, dict(values)))
    n = sum(len(e.values) for e in edits)
    return Composite(edits, label=f"Balance phases ({n} cord{'s' if n != 1 else ''})")
