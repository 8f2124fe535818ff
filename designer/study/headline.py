"""One row of the study table: the headline figures of one design in one scenario.

Every column is listed in :data:`COLUMNS` with its type and meaning (the CSV and Parquet
files carry exactly these, in this order). Figures are rounded to what an engineer reads
(0.001 kW, 0.001 K, 0.01 %), so the table does not change with the last bits of an
iterative solve; a figure that does not apply (no liquid racks, an analysis not chosen) is
empty.
"""

from __future__ import annotations

from dataclasses import dataclass

from designer.model.findings import Severity
from designer.model.project import Project


@dataclass(frozen=True)
class Col:
    name: str
    type: str
    """"str", "float", "int" or "bool"."""
    doc: str


COLUMNS: tuple[Col, ...] = (
    Col("design", "str", "design id: <file stem>/<site id>, or <file stem> for a whole project"),
    Col("file", "str", "project file as named in the study"),
    Col("site", "str", "site id ('' for a whole project)"),
    Col("site_kind", "str", "core, industrial, enterprise, urban, distributed, or project"),
    Col("scenario", "str", "the scenario: the values that differ from the design, 'as designed' when none"),
    Col("it_load_growth", "float", "factor on every rack's IT load"),
    Col("rack_density", "str", "re-rating of the racks ('' when as designed)"),
    Col("facility_water_temp_c", "float", "facility water supply temperature set (empty: as designed)"),
    Col("air_supply_temp_c", "float", "air units' supply set point (empty: as designed)"),
    Col("workload_growth", "float", "factor on every workload's IT power"),
    Col("new_workloads", "str", "name of the workloads added ('' when none)"),
    Col("links", "str", "name of the fibre change ('' when none)"),
    Col("variant", "str", "name of the variant ('' when as designed)"),
    Col("failure", "str", "what fails: item id(s), or the named set ('' when nothing)"),
    Col("failure_kind", "str", "source, transformer, switchboard, ups, pdu, busway, tap, cdu (one pump), air_unit, "
                               "water_supply (the failed item's kind), or named (a named set of items)"),
    Col("status", "str", "ok; 'edit failed: ...' when the scenario does not fit the design; "
                         "'analysis failed: ...' when an analysis raised"),
    Col("racks", "int", "racks in the design"),
    Col("it_kw", "float", "IT load of the racks, kW"),
    Col("racks_lost", "int", "racks without power or without coolant flow"),
    Col("racks_unpowered", "int", "racks with no live cord"),
    Col("racks_without_coolant", "int", "racks with liquid heat and no coolant flow"),
    Col("racks_short_of_flow", "int", "liquid racks below their required flow"),
    Col("min_flow_ratio", "float", "smallest flow / required flow of a liquid rack"),
    Col("cdu_max_load_pct", "float", "highest CDU load against its capacity, %"),
    Col("racks_short_one_pump_down", "int", "liquid racks short of flow with one pump of their CDU down"),
    Col("max_inlet_c", "float", "highest rack inlet air temperature, degC"),
    Col("racks_inlet_above_allowable", "int", "racks whose inlet exceeds the ASHRAE allowable range"),
    Col("rci_hi_pct", "float", "rack cooling index (high side), lowest of the sites, %"),
    Col("air_units_over_capacity", "int", "air units loaded beyond their capacity"),
    Col("power_max_utilisation_pct", "float", "highest utilisation of any live power node (80 % rule), %"),
    Col("power_margin_pct", "float", "100 minus the highest utilisation, %"),
    Col("utility_margin_pct", "float", "utility capacity left after the sources' output, % of capacity"),
    Col("survives_single_failure", "bool", "every single failure of the power chain keeps every rack running"),
    Col("worst_single_failure_racks", "int", "most racks lost by any single failure of the power chain"),
    Col("single_failures_losing_racks", "int", "single failures of the power chain that lose racks"),
    Col("power_losses_kw", "float", "losses of the power chain, kW"),
    Col("workloads", "int", "workloads served by the design"),
    Col("workloads_unplaced", "int", "workloads placement cannot serve"),
    Col("latency_violations", "int", "workloads over their latency budget or unplaceable for latency"),
    Col("smallest_latency_margin_ms", "float", "smallest latency budget margin of a placed workload, ms"),
    Col("placement_cost_per_month", "float", "cost of the placement per month"),
    Col("errors", "int", "error findings of all analyses"),
    Col("warnings", "int", "warning findings of all analyses"),
    Col("geometry_errors", "int", "error findings of the layout checks and validation"),
    Col("liquid_errors", "int", "error findings of the liquid analysis"),
    Col("air_errors", "int", "error findings of the air analysis"),
    Col("power_errors", "int", "error findings of the power analysis"),
    Col("placement_errors", "int", "error findings of the placement analysis"),
    Col("elapsed_ms", "float", "time to apply the edits and run the analyses, ms (not part of the result)"),
    Col("key", "str", "hash of the design, the scenario, the analyses and the program version"),
)
NAMES = tuple(c.name for c in COLUMNS)
TIMING = ("elapsed_ms",)
"""Columns that are measurements of the run, not results (they differ between runs)."""


def _r(v, nd: int = 3):
    if v is None:
        return None
    v = float(v)
    if v != v or v in (float("inf"), float("-inf")):
        return None
    return round(v, nd) + 0.0  # no -0.0


def empty_row() -> dict:
    return dict.fromkeys(NAMES)


def axis_values(spec: dict) -> dict:
    d = spec["rack_density"]
    f = spec["failure"]
    return {
        "it_load_growth": spec["it_load_growth"],
        "rack_density": "" if d is None else (d.get("name") or f"{d['it_load_kw']:g} kW"),
        "facility_water_temp_c": spec["facility_water_temp_c"],
        "air_supply_temp_c": spec["air_supply_temp_c"],
        "workload_growth": spec["workload_growth"],
        "new_workloads": "" if spec["new_workloads"] is None else spec["new_workloads"]["name"],
        "links": "" if spec["links"] is None else spec["links"]["name"],
        "variant": "" if spec["variant"] is None else spec["variant"]["name"],
        "failure": "" if f is None else f["name"],
        "failure_kind": "" if f is None else f["kind"],
    }


def figures(project: Project, results: dict) -> dict:
    """The headline figures of the analysed ``project`` (see :data:`COLUMNS`)."""
    racks = [r for s in project.sites for r in s.hall.racks]
    out: dict = {"racks": len(racks), "it_kw": _r(sum(r.it_load_kw for r in racks))}
    unpowered: set[str] = set()
    dry: set[str] = set()
    n_err = n_warn = 0
    for name, res in results.items():
        errs = sum(f.severity is Severity.ERROR for f in res.findings)
        n_err += errs
        n_warn += sum(f.severity is Severity.WARNING for f in res.findings)
        out[f"{name}_errors"] = errs
    out["errors"], out["warnings"] = n_err, n_warn
    liq = results.get("liquid")
    if liq is not None and liq.data is not None:
        cooled = [r for r in liq.data.racks.values() if r.required_lpm]
        ratios = [r.flow_ratio for r in cooled if r.flow_ratio is not None]
        dry = {r.rack_id for r in cooled if r.flow_lpm <= 1e-9} | set(liq.data.unconnected)
        loads = [c.load_fraction for c in liq.data.cdus.values() if c.load_fraction is not None]
        out.update(racks_without_coolant=len(dry), racks_short_of_flow=sum(not r.ok for r in cooled),
                   min_flow_ratio=_r(min(ratios), 4) if ratios else None,
                   cdu_max_load_pct=_r(max(loads) * 100, 2) if loads else None,
                   # (racks whose CDU starts a standby pump are not short: they wait for it)
                   racks_short_one_pump_down=liq.summary.get("racks_short_with_one_pump_down", 0))
    air = results.get("air")
    if air is not None and air.data is not None:
        inlets = [r.inlet_max_c for s in air.data.sites.values() for r in s.racks.values() if r.inlet_max_c is not None]
        rci = [s.indices.rci_hi for s in air.data.sites.values() if s.solved and s.indices.rci_hi is not None]
        out.update(max_inlet_c=_r(max(inlets)) if inlets else None,
                   racks_inlet_above_allowable=sum(r.band == "above_allowable" for s in air.data.sites.values()
                                                   for r in s.racks.values()),
                   rci_hi_pct=_r(min(rci), 2) if rci else None,
                   air_units_over_capacity=sum((u.utilisation or 0.0) > 1.0 + 1e-9 for s in air.data.sites.values()
                                               for u in s.units.values()))
    pw = results.get("power")
    if pw is not None and pw.data is not None:
        sites = list(pw.data.sites.values())
        utils = [n.utilisation for s in sites for n in s.nodes.values() if n.energised and n.utilisation == n.utilisation]
        unpowered = {r.rack_id for s in sites for r in s.racks.values() if not r.powered}
        lost = [len(sc.racks_lost) for s in sites for sc in s.scenarios]
        cap = sum(s.utility_capacity_kw for s in project.sites if s.id in pw.data.sites)
        src = sum(s.source_kw for s in sites)
        mx = max(utils) if utils else None
        out.update(racks_unpowered=len(unpowered),
                   power_max_utilisation_pct=_r(mx * 100, 2) if mx is not None else None,
                   power_margin_pct=_r(100 - mx * 100, 2) if mx is not None else None,
                   utility_margin_pct=_r((1 - src / cap) * 100, 2) if cap > 0 else None,
                   # a site without a load-flow solution has no results but its summary says "no"
                   survives_single_failure=all(s.survives for s in sites)
                   and all(v.get("survives", True) for v in (pw.summary or {}).get("sites", {}).values()),
                   worst_single_failure_racks=max(lost, default=0),
                   single_failures_losing_racks=sum(n > 0 for n in lost),
                   power_losses_kw=_r(sum(s.losses_kw for s in sites)))
    if liq is not None or pw is not None:
        out["racks_lost"] = len(unpowered | dry)
    pl = results.get("placement")
    if pl is not None and pl.data is not None:
        res = pl.data
        placed = res.placed
        over = sum(w.margin_ms < 0 for w in placed) + sum(w.reason_code == "latency" for w in res.unplaced)
        out.update(workloads=len(res.workloads), workloads_unplaced=len(res.unplaced), latency_violations=over,
                   smallest_latency_margin_ms=_r(min(w.margin_ms for w in placed)) if placed else None,
                   placement_cost_per_month=_r(res.total_cost, 2))
    return out
