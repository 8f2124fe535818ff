"""Assemble the report: cover, overview, per site (plan, spec sheets, results), project-wide
sections (placement, single failures, findings, bill of materials) and the method notes."""

from __future__ import annotations

from collections.abc import Mapping

from designer.io.bom import Bom, bill_of_materials
from designer.io.report import air, failures, findings, liquid, modules, placement, power, summary
from designer.io.report.context import Ctx, ReportOptions, guarded
from designer.io.report.model import Column, Report, Section, Table, Text
from designer.model.catalog import Catalog
from designer.model.project import Project, Site

SITE_RESULTS = (
    # (analysis, section title, function(ctx, result, site) -> blocks)
    ("liquid", "Liquid cooling", liquid.site_blocks),
    ("air", "Air side", air.site_blocks),
    ("power", "Power chain", power.site_blocks),
)


def build_report(project: Project, results: Mapping[str, object], catalog: Catalog | None = None,
                 options: ReportOptions | None = None, bom: Bom | None = None) -> Report:
    """The structured report of a design and its analysis results.

    Parameters
    ----------
    project
        The design (the snapshot the results were computed on).
    results
        Analysis name -> :class:`~designer.analysis.base.AnalysisResult` (a missing or
        failed analysis gives "not available" in its sections).
    catalog
        For catalog data on the spec sheets (maker, supply, standards); optional.
    options
        :class:`ReportOptions` (date, sites, table length).
    bom
        The bill of materials, when the caller already has it.

    Returns
    -------
    Report
    """
    ctx = Ctx(project, dict(results), catalog, options or ReportOptions())
    sections = [Section("Project overview", summary.overview_blocks(ctx), key="overview")]
    for site in ctx.sites:
        sections.append(site_section(ctx, site))
    sections.append(Section("Workload placement", guarded(ctx, "placement", "Workload placement", placement.blocks),
                            key="placement"))
    sections.append(Section("Single-failure summary", failures.blocks(ctx), key="failures"))
    sections.append(Section("Findings", findings.blocks(ctx), key="findings"))
    bom = bom or bill_of_materials(project, catalog, [s.id for s in ctx.sites])
    sections.append(Section("Bill of materials", bom_blocks(ctx, bom), key="bom", wide=len(bom.site_ids) > 2))
    sections.append(Section("Methods and assumptions", method_blocks(ctx), key="methods"))
    return Report(summary.cover(ctx), sections)


def site_section(ctx: Ctx, site: Site) -> Section:
    label = site.name or site.id
    sec = Section(f"Site: {label}", summary.site_blocks(ctx, site), key=f"site:{site.id}")
    sec.children.append(Section(f"Floor plan: {label}", [summary.plan_block(ctx, site)], level=2,
                                key=f"site:{site.id}:plan"))
    for m in site.hall.modules:
        sec.children.append(guarded_section(ctx, f"Module spec sheet: {m.name or m.id}",
                                            f"site:{site.id}:module:{m.id}", modules.spec_sheet, site, m))
    for name, title, fn in SITE_RESULTS:
        sec.children.append(Section(f"{title}: {label}", guarded(ctx, name, title, fn, site), level=2,
                                    key=f"site:{site.id}:{name}"))
    return sec


def guarded_section(ctx: Ctx, title: str, key: str, fn, *args) -> Section:
    """A whole sub-section that must not fail the report."""
    out = guarded(ctx, "", title, lambda c, *a: [fn(c, *a)], *args)
    if out and isinstance(out[0], Section):
        return out[0]
    return Section(title, out, level=2, key=key)


def bom_blocks(ctx: Ctx, bom: Bom) -> list:
    if not bom.rows:
        return [Text("Nothing to order: the design has no equipment.", "note")]
    site_cols = [Column(s, "right", 0.75) for s in bom.site_ids]
    def q(v: float, unit: str) -> str:
        return "0" if v == 0 else (f"{v:,.0f}" if unit == "pcs" else f"{v:,.1f}")

    rows = [[r.item, r.catalog_model or "-", r.name, r.unit, *(q(r.per_site.get(s, 0.0), r.unit) for s in bom.site_ids),
             q(r.total, r.unit)] for r in bom.rows]
    return [Table([Column("Item", weight=1.3), Column("Model", weight=1.1), Column("Name", weight=2.6),
                   Column("Unit", weight=0.45), *site_cols, Column("Total", "right", 0.75)],
                  rows, title="Items per site and in total",
                  note="Quantities per site id and in total; lengths in metres measured on the plan (pipes port to "
                       "port plus their extra length, busways along their path, feeder cables and rack cords as the "
                       "power analysis routes them), containment as panel area in m2; lengths and areas rounded up "
                       "to 0.1 per site, the total being their sum. The CSV export has the same rows.")]


def method_blocks(ctx: Ctx) -> list:
    out: list = []
    air_r = ctx.result("air")
    if air_r is not None and not air_r.error and air_r.data is not None:
        try:
            out.append(Text("Air side. " + air_r.data.headline))
            out += [Text("- " + a, "note") for a in air_r.data.assumptions]
        except AttributeError:
            pass
    st = ctx.project.settings
    out += [
        Text("Liquid cooling. Hydraulic network solved by the Global Gradient Algorithm (Newton on flows and "
             "heads) with Darcy-Weisbach pipe losses, pump curves of the running pumps at their speed, and a heat "
             "balance through each CDU heat exchanger from the facility water. Flows are checked against each "
             "rack's design temperature rise; one pump down is simulated per CDU."),
        Text("Power chain. Loads per node in kW and kVA, utilisation against ratings with the 80 % continuous "
             "rule for breakers and busways, voltage drop along feeders routed on the plan, and every single "
             "failure (source, transformer, switchboard, UPS, UPS module, PDU, busway, whole side) simulated."),
        Text(f"Placement. Round trip = 2 x route length x {st.fibre_us_per_km:g} µs/km + hops x per-hop delay + "
             f"access delay + processing; route length = great-circle distance x route factor "
             f"({st.default_route_factor:g} by default) unless a fibre length is given. Assignment by mixed-integer "
             f"programming at least cost within module power and cooling capacity."),
        Text("Layout checks. Items inside the hall and clear of each other and of obstructions, service "
             f"clearances, aisle widths (cold at least {ctx.q(st.min_cold_aisle_m, 'length', 1)}, hot at least "
             f"{ctx.q(st.min_hot_aisle_m, 'length', 1)}) and floor loading."),
        Text(f"Units: {'SI' if ctx.units == 'SI' else 'US customary'}, as set in the project.", "note"),
    ]
    return out


__all__ = ["ReportOptions", "build_report"]
