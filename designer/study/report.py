"""The study summary as report data (Qt-free): tables and plots of the study table.

Rendered to PDF by the app's report writer (``designer study`` starts an offscreen Qt for it).
Sections: an overview by site kind; margins against IT load growth; failures that lose racks;
budget violations (latency, utility, power, CDU and air limits); one line per design; and
the scenarios that did not run through.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import statistics
from collections import defaultdict

from designer.io.report.model import Column, Cover, KeyValues, LinePlot, Report, Section, Series, Table, Text

BLUE, RED, GREEN, GREY, ORANGE, PURPLE = "#2f6fdb", "#d9442f", "#2e9e5b", "#8a8f98", "#e08a1e", "#7a4fc9"
MAX_ROWS = 40


def _f(v, nd: int = 1, unit: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v}{unit}"
    return f"{v:,.{nd}f}{unit}"


def _ok(rows):
    return [r for r in rows if r["status"] == "ok"]


def _nofail(rows):
    return [r for r in _ok(rows) if not r["failure"]]


def _vals(rows, col):
    return [r[col] for r in rows if r.get(col) is not None]


def _by(rows, col):
    out = defaultdict(list)
    for r in rows:
        out[r[col]].append(r)
    return dict(sorted(out.items(), key=lambda kv: (kv[0] is None, kv[0])))


def _survive_share(rows) -> float | None:
    v = [r["survives_single_failure"] for r in rows if r.get("survives_single_failure") is not None]
    return 100.0 * sum(v) / len(v) if v else None


def overview(study, rows, outcome) -> Section:
    designs = {r["design"] for r in rows}
    ok = _ok(rows)
    facts = [("Designs", str(len(designs))), ("Scenarios (design x scenario)", f"{len(rows):,}"),
             ("Ran through", f"{len(ok):,}"), ("Analyses", ", ".join(study.analyses)),
             ("Run on", outcome.mode if outcome is not None else "-")]
    if outcome is not None:
        facts.append(("Time", f"{outcome.elapsed_s:.1f} s ({outcome.computed} run now, "
                              f"{outcome.skipped} from an earlier run)"))
    kinds = _by(rows, "site_kind")
    trows = []
    for kind, rs in kinds.items():
        nf = _nofail(rs)
        fails = [r for r in _ok(rs) if r["failure"]]
        trows.append([kind, str(len({r['design'] for r in rs})), f"{len(rs):,}", _f(_survive_share(nf), 0, " %"),
                      f"{sum((r.get('racks_lost') or 0) > 0 for r in fails)} of {len(fails)}",
                      str(sum((r.get("latency_violations") or 0) > 0 for r in _ok(rs))),
                      _f(min(_vals(nf, "power_margin_pct"), default=None), 1, " %")])
    table = Table([Column("Site kind"), Column("Designs", "right"), Column("Scenarios", "right"),
                   Column("Survive any single failure", "right", 1.3), Column("Failures losing racks", "right", 1.3),
                   Column("Scenarios over a latency budget", "right", 1.4), Column("Least power margin", "right")],
                  trows, "By site kind",
                  "Survive: share of the scenarios without an added failure in which every single failure of the power "
                  "chain keeps every rack running. Failures losing racks: added failures (the failures axis) that "
                  "leave racks without power or coolant.")
    blocks = [Text(study.description)] if study.description else []
    blocks += [KeyValues(facts, "Study"), table]
    return Section("Overview", blocks, key="study:overview")


def growth(rows) -> Section:
    nf = _nofail(rows)
    steps = _by(nf, "it_load_growth")
    xs = list(steps)
    trows, pm_lo, pm_med, surv, cdu, inlet, inlet_med = [], [], [], [], [], [], []
    for g, rs in steps.items():
        pm = _vals(rs, "power_margin_pct")
        sv = _survive_share(rs)
        cd = _vals(rs, "cdu_max_load_pct")
        it = _vals(rs, "max_inlet_c")
        if pm:
            pm_lo.append((g, min(pm)))
            pm_med.append((g, statistics.median(pm)))
        if sv is not None:
            surv.append((g, sv))
        if cd:
            cdu.append((g, max(cd)))
        if it:
            inlet.append((g, max(it)))
            inlet_med.append((g, statistics.median(it)))
        trows.append([f"x{g:g}", f"{len(rs):,}", _f(sv, 0, " %"), _f(min(pm, default=None)),
                      _f(statistics.median(pm) if pm else None), _f(max(cd, default=None)),
                      _f(max(it, default=None)), str(sum((r.get("racks_lost") or 0) for r in rs)),
                      str(sum((r.get("latency_violations") or 0) for r in rs))])
    blocks: list = [Text("Scenarios without an added failure, every other axis included, by the factor on the "
                         "racks' IT load: the least and the median over the designs of each margin.", "note")]
    if len(xs) >= 2:
        blocks += [
            LinePlot("Power margin (100 % less the most loaded node)", "IT load growth (x)", "margin %",
                     [Series("least", pm_lo, RED), Series("median", pm_med, BLUE)],
                     x_min=None, y_min=None),
            LinePlot("Designs surviving any single power failure", "IT load growth (x)", "% of scenarios",
                     [Series("survive", surv, BLUE)], x_min=None, y_min=0.0),
            LinePlot("Most loaded CDU", "IT load growth (x)", "% of capacity",
                     [Series("highest", cdu, RED), Series("100 %", [(xs[0], 100.0), (xs[-1], 100.0)], GREY, True)],
                     x_min=None, y_min=None),
            LinePlot("Hottest rack inlet", "IT load growth (x)", "degC",
                     [Series("hottest", inlet, RED), Series("median of designs", inlet_med, BLUE)],
                     x_min=None, y_min=None),
        ]
    else:
        blocks.append(Text("The grid has one IT load step: no growth to plot.", "note"))
    blocks.append(Table([Column("Load"), Column("Scenarios", "right"), Column("Survive", "right"),
                         Column("Least power margin %", "right", 1.3), Column("Median power margin %", "right", 1.3),
                         Column("Most loaded CDU %", "right", 1.2), Column("Hottest inlet degC", "right", 1.2),
                         Column("Racks lost", "right"), Column("Latency violations", "right", 1.2)],
                        trows, "Margins by IT load growth"))
    return Section("Margins against load growth", blocks, key="study:growth")


def failures(rows) -> Section:
    fails = [r for r in _ok(rows) if r["failure"]]
    if not fails:
        return Section("Failures that lose racks", [Text("The study adds no failures (its failures axis is "
                                                        "\"none\"); the power chain's own single-failure sweep "
                                                        "is in the other sections.")], key="study:failures")
    kinds = _by(fails, "failure_kind")
    krows = []
    for k, rs in kinds.items():
        losing = [r for r in rs if (r.get("racks_lost") or 0) > 0]
        worst = max(rs, key=lambda r: r.get("racks_lost") or 0)
        krows.append([k, f"{len(rs):,}", f"{len(losing):,}", str(worst.get("racks_lost") or 0),
                      f"{worst['design']}: {worst['failure']}" if losing else "-"])
    blocks: list = [Table([Column("Fails"), Column("Scenarios", "right"), Column("Losing racks", "right"),
                           Column("Most racks lost", "right"), Column("Worst", weight=2.6)], krows,
                          "Added failures by kind")]
    steps = sorted({r["it_load_growth"] for r in fails})
    if len(steps) >= 2:
        colours = [RED, BLUE, GREEN, ORANGE, PURPLE, GREY]
        series = []
        losing_kinds = [(k, rs) for k, rs in kinds.items() if any((r.get("racks_lost") or 0) > 0 for r in rs)]
        for i, (k, rs) in enumerate(losing_kinds):
            pts = []
            for g in steps:
                at = [r for r in rs if r["it_load_growth"] == g]
                if at:
                    pts.append((g, 100.0 * sum((r.get("racks_lost") or 0) > 0 for r in at) / len(at)))
            series.append(Series(k, pts, colours[i % len(colours)]))
        if series:
            blocks.append(LinePlot("Added failures that lose racks", "IT load growth (x)",
                                   "% of failures of the kind", series, x_min=None, y_min=0.0))
    losing = sorted((r for r in fails if (r.get("racks_lost") or 0) > 0),
                    key=lambda r: (-(r["racks_lost"] or 0), r["design"], r["scenario"]))
    if losing:
        blocks.append(Table([Column("Design", weight=1.4), Column("Scenario", weight=2.6), Column("Racks lost", "right"),
                             Column("No power", "right"), Column("No coolant", "right")],
                            [[r["design"], r["scenario"], str(r["racks_lost"]), _f(r.get("racks_unpowered")),
                              _f(r.get("racks_without_coolant"))] for r in losing[:MAX_ROWS]],
                            f"Failures that lose racks ({len(losing)}; the worst {min(len(losing), MAX_ROWS)})",
                            row_status=["error"] * min(len(losing), MAX_ROWS)))
    else:
        blocks.append(Text("No added failure loses a rack.", "body"))
    return Section("Failures that lose racks", blocks, key="study:failures")


CHECKS = (
    ("Workload over its latency budget or unplaceable for latency", "latency_violations", lambda v: v > 0, 0),
    ("Workload that placement cannot serve", "workloads_unplaced", lambda v: v > 0, 0),
    ("Utility capacity exceeded", "utility_margin_pct", lambda v: v < 0, 1),
    ("Power node over its limit", "power_margin_pct", lambda v: v < 0, 1),
    ("CDU over its capacity", "cdu_max_load_pct", lambda v: v > 100, 1),
    ("Rack inlet above the ASHRAE allowable range", "racks_inlet_above_allowable", lambda v: v > 0, 0),
    ("Air unit over its capacity", "air_units_over_capacity", lambda v: v > 0, 0),
    ("Liquid rack short of flow", "racks_short_of_flow", lambda v: v > 0, 0),
)


def budgets(rows) -> Section:
    ok = _ok(rows)
    trows, status = [], []
    for title, col, bad, nd in CHECKS:
        hit = [r for r in ok if r.get(col) is not None and bad(r[col])]
        if hit:
            worst = (min if col.endswith("margin_pct") else max)(hit, key=lambda r: r[col])
            where = f"{worst['design']}, {worst['scenario']}: {_f(worst[col], nd)}"
        else:
            where = "-"
        trows.append([title, f"{len(hit):,}", str(len({r['design'] for r in hit})), where])
        status.append("error" if hit else "ok")
    blocks: list = [Table([Column("Budget", weight=2.4), Column("Scenarios", "right"), Column("Designs", "right"),
                           Column("Worst", weight=2.6)], trows, "Violations in all scenarios", row_status=status)]
    lat = sorted((r for r in ok if (r.get("latency_violations") or 0) > 0 or (r.get("workloads_unplaced") or 0) > 0),
                 key=lambda r: (-(r.get("latency_violations") or 0), -(r.get("workloads_unplaced") or 0), r["design"]))
    if lat:
        blocks.append(Table([Column("Design", weight=1.4), Column("Scenario", weight=2.4),
                             Column("Over budget", "right"), Column("Unplaced", "right"),
                             Column("Smallest margin ms", "right")],
                            [[r["design"], r["scenario"], str(r.get("latency_violations") or 0),
                              str(r.get("workloads_unplaced") or 0), _f(r.get("smallest_latency_margin_ms"), 2)]
                             for r in lat[:MAX_ROWS]],
                            f"Latency budgets that break ({len(lat)} scenarios)"))
    wg = _by(_nofail(rows), "workload_growth")
    if len(wg) >= 2:
        blocks.append(LinePlot("Latency budgets under workload growth", "workload growth (x)", "scenarios",
                               [Series("over budget", [(g, sum((r.get('latency_violations') or 0) > 0 for r in rs))
                                                       for g, rs in wg.items()], RED),
                                Series("unplaced", [(g, sum((r.get('workloads_unplaced') or 0) > 0 for r in rs))
                                                    for g, rs in wg.items()], ORANGE)], x_min=None, y_min=0.0))
    return Section("Budget violations", blocks, key="study:budgets")


def per_design(rows) -> Section:
    out, status = [], []
    for d, rs in _by(rows, "design").items():
        base = next((r for r in rs if r["scenario"] == "as designed"), rs[0])
        ok = _ok(rs)
        margins = _vals(ok, "power_margin_pct")
        lost = max((r.get("racks_lost") or 0 for r in ok), default=0)
        out.append([d, base["site_kind"], str(len(rs)), _f(base.get("it_kw"), 0), _f(base.get("power_margin_pct")),
                    _f(min(margins, default=None)), _f(base.get("survives_single_failure")), str(lost),
                    str(max((r.get("latency_violations") or 0 for r in ok), default=0)),
                    str(base.get("errors") if base.get("errors") is not None else "-")])
        status.append("error" if lost or len(ok) < len(rs) else "")
    t = Table([Column("Design", weight=1.6), Column("Kind"), Column("Scenarios", "right"), Column("IT kW", "right"),
               Column("Power margin %", "right"), Column("Least in any scenario", "right", 1.2),
               Column("Survives single failure", "right", 1.2), Column("Most racks lost", "right"),
               Column("Most latency violations", "right", 1.2), Column("Errors as designed", "right")],
              out, "Designs", "Figures as designed, and the worst over the design's scenarios.", row_status=status)
    return Section("Designs", [t], key="study:designs", wide=True)


def not_run(rows) -> Section | None:
    bad = [r for r in rows if r["status"] != "ok"]
    if not bad:
        return None
    return Section("Scenarios that did not run through", [Table(
        [Column("Design", weight=1.4), Column("Scenario", weight=2.2), Column("Status", weight=3.4)],
        [[r["design"], r["scenario"], r["status"]] for r in bad[:MAX_ROWS]],
        f"{len(bad)} scenarios", row_status=["warning"] * min(len(bad), MAX_ROWS))], key="study:not-run")


def build_study_report(study, rows: list[dict], outcome=None, date: str | None = None) -> Report:
    """The summary report of a study's table."""
    from designer import __version__

    designs = len({r["design"] for r in rows})
    # the "revision" of a study summary: which results it shows (a hash of their keys)
    rev = hashlib.sha256("\n".join(sorted(str(r.get("key")) for r in rows)).encode()).hexdigest()[:8]
    cover = Cover("Study summary", study.name, rev, date or _dt.date.today().isoformat(), "",
                  study.description or f"{designs} designs, {len(rows):,} design x scenario rows.",
                  [("Designs", str(designs)), ("Rows", f"{len(rows):,}"), ("Analyses", ", ".join(study.analyses))],
                  f"Data Hall Designer {__version__}")
    sections = [overview(study, rows, outcome), growth(rows), failures(rows), budgets(rows), per_design(rows)]
    extra = not_run(rows)
    if extra is not None:
        sections.append(extra)
    return Report(cover, sections)
