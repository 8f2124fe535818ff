"""Report content (Qt-free): the sections are there, the numbers are the analyses' numbers,
and a missing, failed or unreadable result degrades to "not available" instead of failing."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType, SimpleNamespace

import pytest

from designer.analysis.base import AnalysisResult
from designer.analysis.runner import Runner
from designer.io.catalog_store import load_catalog
from designer.io.generate import generate_project
from designer.io.report import ReportOptions, build_report
from designer.io.report.model import Columns, KeyValues, LinePlot, Plan, Table, Text, Tree
from designer.io.report.text import render_text


@pytest.fixture(scope="module")
def results(sample_project):
    return Runner().run(sample_project, 0)


@pytest.fixture(scope="module")
def report(sample_project, results):
    cat, _ = load_catalog(sample_project)
    return build_report(sample_project, results, cat, ReportOptions(date="2026-02-01"))


def blocks_of(section):
    out = []
    for b in section.blocks:
        out += [*b.left, *b.right] if isinstance(b, Columns) else [b]
    return out


def kv(section, title: str) -> dict[str, str]:
    for b in blocks_of(section):
        if isinstance(b, KeyValues) and b.title == title:
            return dict(b.rows)
    raise AssertionError(f"no '{title}' in {section.title}")


def table(section, title: str) -> Table:
    for b in blocks_of(section):
        if isinstance(b, Table) and b.title == title:
            return b
    raise AssertionError(f"no table '{title}' in {section.title}")


def test_structure(report, sample_project):
    keys = [s.key for s in report.walk()]
    for site in sample_project.sites:
        for part in ("", ":plan", ":liquid", ":air", ":power"):
            assert f"site:{site.id}{part}" in keys
        for m in site.hall.modules:
            assert f"site:{site.id}:module:{m.id}" in keys
    for k in ("overview", "placement", "failures", "findings", "bom", "methods"):
        assert k in keys
    c = report.cover
    assert (c.project, c.revision, c.date) == ("Rhein-Main AI inference network", "B", "2026-02-01")
    assert dict(c.facts)["IT load"] == "1,746.0 kW"
    assert dict(c.facts)["Racks"] == "48"
    plan = report.find("site:core-fra:plan").blocks[0]
    assert isinstance(plan, Plan) and plan.site_id == "core-fra"
    assert ("Hall", "36.00 m x 22.00 m") in plan.dimensions


def test_liquid_numbers_are_the_solvers(report, results):
    sec = report.find("site:core-fra:liquid")
    liq = results["liquid"].data
    cdus = table(sec, "CDUs")
    row = next(r for r in cdus.rows if r[0] == "CDU-1A")
    c = liq.cdus["core-fra.cdu1"]
    assert row[2] == f"{c.flow_lpm:,.1f}" and row[3] == f"{c.pump_head_kpa:,.1f}"
    plots = [b for b in sec.blocks if isinstance(b, LinePlot)]
    assert len(plots) == 2
    p = plots[0]
    assert p.series[0].points == [tuple(q) for q in c.pump_curve]
    assert (p.markers[0].x, p.markers[0].y) == pytest.approx((c.flow_lpm, c.pump_head_kpa))
    racks = table(sec, "Racks on liquid")
    assert len(racks.rows) == 8
    ratios = [float(r[4].rstrip(" %")) for r in racks.rows]
    assert ratios == sorted(ratios)  # lowest flow ratio first
    assert all(r[-1] == "standby" for r in racks.rows)  # single duty pump per CDU in the sample


def test_spec_sheet(report, results):
    sheet = report.find("site:core-fra:module:core-fra.mod1")
    ident = kv(sheet, "Identity")
    assert ident["Catalog model"].startswith("AIH-1000L")
    dims = kv(sheet, "Dimensions and weight")
    assert dims["Footprint (W x D x H)"] == "9.60 m x 7.20 m x 3.60 m"
    assert dims["Weight (empty)"] == "38,000 kg"
    cap = kv(sheet, "IT capacity")
    assert cap["Installed IT load"] == "960.0 kW (96 % of rated)"
    assert cap["Rack positions"] == "8 used of 8"
    el = kv(sheet, "Electrical supply and redundancy")
    assert el["Redundancy (catalog)"] == "2N" and el["Racks powered"] == "8 of 8"
    cool = kv(sheet, "Cooling")
    assert cool["Cooling type"] == "liquid"
    assert cool["Design liquid supply / return"] == "35.0 °C / 45.0 °C"
    wl = table(sheet, "Assigned workloads and latency margins")
    pl = results["placement"].data
    mod = pl.modules["core-fra.mod1"]
    assert len(wl.rows) == len(mod.workload_ids) == 3  # its 8 rack positions: 1 + 6 + 1
    for row in wl.rows:
        w = next(w for w in pl.workloads.values() if (w.name or w.workload_id) == row[0].replace(" [pinned]", ""))
        assert float(row[4].replace(",", "")) == pytest.approx(w.margin_ms, abs=0.005)  # "4,897.34"


def test_power_tree_and_failures(report, results):
    sec = report.find("site:urb-ber:power")
    tree = next(b for b in sec.blocks if isinstance(b, Tree))
    sp = results["power"].data.sites["urb-ber"]
    non_tap = {k for k, n in sp.nodes.items() if n.kind != "tap"}
    assert {n.id for n in tree.nodes} == non_tap
    ids = {n.id for n in tree.nodes}
    roots = [n for n in tree.nodes if n.parent is None]
    assert roots and all(n.parent in ids for n in tree.nodes if n.parent is not None)
    hurt = table(sec, "Single failures that hurt")
    assert len(hurt.rows) == sum(1 for s in sp.scenarios if not s.ok) == 3
    fail = table(report.find("failures"), "Power chain")
    row = next(r for r in fail.rows if r[0] == "Berlin Mitte city node")
    assert row[4] == "NO" and row[3] == "3"


def test_findings_and_bom_sections(report, results):
    n = sum(len(r.findings) for r in results.values())
    t = table(report.find("findings"), "Findings")
    assert len(t.rows) == n
    rank = {"error": 0, "warning": 1, "info": 2}
    assert [rank[r[0]] for r in t.rows] == sorted(rank[r[0]] for r in t.rows)  # worst first
    bom = table(report.find("bom"), "Items per site and in total")
    rack_total = sum(int(r[-1]) for r in bom.rows if r[0] == "Rack")
    assert rack_total == 48


def test_missing_and_failed_analyses_say_not_available(sample_project, results):
    res = {"geometry": results["geometry"],
           "power": AnalysisResult("power", 0, error="RuntimeError: solver bug")}
    rep = build_report(sample_project, res)
    text = render_text(rep)
    assert "Liquid cooling: not available (the liquid-cooling analysis did not run)." in text
    assert "Power chain: not available (the power analysis failed: RuntimeError: solver bug)." in text
    assert "Workload placement: not available" in text
    # the design parts are still there
    assert "AIH-1000L" in text and "Bill of materials" in text


def test_payloads_lacking_fields_degrade(sample_project, results):
    """A solver payload that changed shape (a field renamed, a mapping missing) must not fail
    the report: each section says what it could not read."""
    liq = results["liquid"].data
    odd_liquid = SimpleNamespace(racks=liq.racks, pipes={}, unconnected={}, loops=liq.loops)  # no cdus
    air = results["air"].data
    site = air.sites["core-fra"]
    odd_air = dataclasses.replace(air, sites=MappingProxyType({**air.sites, "core-fra": dataclasses.replace(
        site, indices=SimpleNamespace(ashrae_class="A1"))}))  # indices lost their fields
    odd = {**results,
           "liquid": dataclasses.replace(results["liquid"], data=odd_liquid),
           "air": dataclasses.replace(results["air"], data=odd_air),
           "placement": dataclasses.replace(results["placement"], data=object())}
    rep = build_report(sample_project, odd)
    liquid = rep.find("site:core-fra:liquid").blocks
    assert len(liquid) == 1 and isinstance(liquid[0], Text)
    assert liquid[0].text.startswith("Liquid cooling: not available (the results could not be read: AttributeError")
    assert rep.find("site:core-fra:air").blocks[-1].text.startswith("Air side: not available")
    # other sites of the same analysis are unaffected
    assert any(isinstance(b, Table) for b in rep.find("site:ent-muc:air").blocks)
    assert rep.find("placement").blocks[0].text.startswith("Workload placement: not available")
    sheet = rep.find("site:core-fra:module:core-fra.mod1")
    cool = kv(sheet, "Cooling")
    assert cool["Liquid results"].startswith("not available (the results could not be read")


def test_us_units(sample_project, results):
    p = sample_project.model_copy(deep=True)
    p.settings.units = "US"
    rep = build_report(p, results)
    text = render_text(rep)
    assert "°F" in text and "gpm" in text and " kW" in text  # US practice: loads stay in kW
    assert "BTU/h" not in text
    body = text.split("Methods and assumptions")[0]
    assert "°C" not in body and " L/min" not in body  # no SI value leaks into a US report


def test_long_tables_are_capped_with_a_note():
    p = generate_project(200)
    res = Runner(["liquid"]).run(p, 0)  # the tables capped are the liquid ones
    rep = build_report(p, res, options=ReportOptions(max_rows=60))
    racks = table(rep.find("site:gen:liquid"), "Racks on liquid")
    assert len(racks.rows) == 60
    assert "Showing 60 of 200 racks" in racks.note
    full = build_report(p, res, options=ReportOptions(max_rows=None))
    assert len(table(full.find("site:gen:liquid"), "Racks on liquid").rows) == 200
    plots = [b for b in full.find("site:gen:liquid").blocks if isinstance(b, LinePlot)]
    assert len(plots) == 8  # the most loaded CDUs only


def test_site_filter(sample_project, results):
    rep = build_report(sample_project, results, options=ReportOptions(site_ids=["twr-ks"]))
    sites = [s.key for s in rep.sections if s.key.startswith("site:")]
    assert sites == ["site:twr-ks"]
    assert dict(rep.cover.facts)["Racks"] == "2"


def test_placement_module_table_shows_rack_positions_and_accelerators(report, results):
    t = table(report.find("placement"), "Modules")
    heads = [c.title for c in t.columns]
    assert "Rack positions" in heads and "Accelerators" in heads
    pod = next(r for r in t.rows if r[0].startswith("AI-POD-1"))
    m = results["placement"].data.modules["core-fra.mod1"]
    got = dict(zip(heads, pod, strict=True))
    assert got["Rack positions"] == f"{m.rack_positions:.0f} / {m.rack_positions_capacity:.0f}"
    assert got["Accelerators"] == f"{m.accelerators:.0f} / {m.accelerators_capacity:.0f}"


def test_the_air_section_says_how_the_solve_ended_and_why_there_is_no_answer():
    """A steady answer names its march; a site with no answer says why (not 'no air unit
    moves air' for a march that did not settle or a grid too coarse), as the Air dock does."""
    from designer.analysis.air import AirAnalysis
    from designer.model.hall import AirUnit, Hall, Rack
    from designer.model.project import Project, Settings, Site
    from designer.solvers.air import AirParams

    def project(air_cell_m):
        racks = [Rack(id=f"r{k}", name=f"R{k}", x=2.8 + 0.8 * k, y=2.0, it_load_kw=6.0) for k in range(4)]
        units = [AirUnit(id="c1", name="CRAH1", x=0.4, y=3.2, rotation_deg=270, width_m=2.0, depth_m=0.8,
                         height_m=2.0, capacity_kw=100.0, airflow_m3s=3.0, supply_temp_c=20.0)]
        hall = Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)], height_m=3.0, racks=racks, air_units=units)
        return Project(settings=Settings(air_cell_m=air_cell_m), sites=[Site(id="s", name="S", hall=hall)])

    def air_section(p, analysis):
        res = {"air": analysis.run(p, 0, {})}
        return build_report(p, res, options=ReportOptions(date="2026-12-05")).find("site:s:air")

    p = project(0.4)
    sec = air_section(p, AirAnalysis())
    solve = kv(sec, "Air side at a glance")["Solve"]
    steps = AirAnalysis().run(p, 0, {}).data.sites["s"].stats["iterations"]  # the same hall: the kept answer
    tol = AirParams()
    assert solve.startswith(f"steady after {steps} pseudo-time steps") and f"than {tol.tol_u:g} of" in solve \
        and f"{tol.tol_t:g} K" in solve
    # no steady state in 5 steps
    sec = air_section(p, AirAnalysis(params=AirParams(max_iter=5)))
    texts = [b.text for b in blocks_of(sec) if isinstance(b, Text)]
    assert any(t.startswith("No answer: the air model did not reach a steady state (still changing after 5 steps)")
               for t in texts), texts
    assert not any("no air unit moves air" in t for t in texts)
    # cells too coarse for the racks: the reason, with the rack
    sec = air_section(project(0.7), AirAnalysis())
    texts = [b.text for b in blocks_of(sec) if isinstance(b, Text)]
    assert any(t.startswith("No answer: 0.7 m air cells cannot resolve") and "rack" in t for t in texts), texts
