"""Studies in one process: the study file, scenarios as the app's edits, rows, resume."""

from __future__ import annotations

import json

import pytest
from study_helpers import NO_AIR, results, write_study

from designer.document.document import Document, snapshot_project
from designer.document.edits import EditError
from designer.study.designs import load_designs, served_by_site, site_design
from designer.study.engine import StudyStopped, run_study
from designer.study.execute import DesignRunner
from designer.study.headline import NAMES
from designer.study.scenarios import apply_scenario, expand
from designer.study.spec import StudyError, load_study, parse_study_text, study_schema
from designer.study.store import Journal
from designer.study.table import read_csv_rows, read_parquet_rows, write_csv, write_parquet


# -- the study file ---------------------------------------------------------------------------
def _problems(tmp_path, text: str) -> list[str]:
    p = tmp_path / "s.json"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(StudyError) as e:
        load_study(p)
    return [q.as_text() for q in e.value.problems]


@pytest.mark.parametrize("patch, path, words", [
    ({"grid": {"it_load_growth": [1.0, "a lot"]}}, "grid.it_load_growth[1]", "enter a number"),
    ({"grid": {"it_load_growth": [1.0, -2]}}, "grid.it_load_growth[1]", "allowed range"),
    ({"grid": {"failurs": ["each"]}}, "grid.failurs", "remove this field"),
    ({"grid": {"failures": ["each_ups"]}}, "grid.failures", "each_power"),
    ({"analyses": ["power", "thermal"]}, "analyses[1]", "geometry"),
    ({"designs": [{"file": "nowhere.json"}]}, "designs[0].file", "relative to the study file"),
    ({"designs": [{"file": "SAMPLE", "sites": ["twr-ks", "mars-1"]}]}, "designs[0].sites[1]", "twr-ks"),
    ({"study_version": 7}, "study_version", "newer"),
    ({"variants": [{"name": "x", "add": [{"kind": "rack", "item": {"id": "r"}, "bogus": 1}]}]},
     "variants[0].add[0].bogus", "remove this field"),
    ({"variants": [{"name": "x", "add": [{"kind": "rack", "item": {"id": "r", "it_load_kw": "hot"}}]}]},
     "variants[0].add[0].item.it_load_kw", "enter a number"),
    ({"variants": [{"name": "x", "add": [{"kind": "spaceship", "item": {"id": "r"}}]}]},
     "variants[0].add[0].kind", "rack"),
    ({"grid": {"new_workloads": [{"name": "n", "workloads": [{"id": "wl-{site}", "latency_budget_ms": "fast"}]}]}},
     "grid.new_workloads[0].workloads[0].latency_budget_ms", "enter a number"),
])
def test_bad_study_names_the_field_and_the_fix(tmp_path, patch, path, words):
    from designer.io.catalog_store import sample_project_path

    study = {"study_version": 1, "designs": [{"file": str(sample_project_path())}]}
    patch = json.loads(json.dumps(patch).replace('"SAMPLE"', json.dumps(str(sample_project_path()))))
    study.update(patch)
    probs = _problems(tmp_path, json.dumps(study))
    assert any(p.startswith(path + ":") and words in p and "Fix:" in p for p in probs), probs


def test_study_file_text_problems(tmp_path):
    assert any("line 1" in p for p in _problems(tmp_path, '{"study_version": 1,'))
    assert any("appears twice" in p for p in _problems(tmp_path, '{"study_version": 1, "study_version": 1}'))
    assert any(p.startswith("study_version:") for p in _problems(tmp_path, '{"designs": []}'))


def test_schema_describes_the_grid():
    s = study_schema()
    assert s["title"].startswith("Data Hall Designer study")
    assert "grid" in s["properties"] and "Grid" in s["$defs"]
    assert "it_load_growth" in s["$defs"]["Grid"]["properties"]


# -- designs ---------------------------------------------------------------------------------
def test_site_designs_keep_the_workloads_each_site_serves(sample_project):
    served = served_by_site(sample_project)
    assert set(served) == {w.id for w in sample_project.workloads}
    for site in sample_project.sites:
        cut = site_design(sample_project, site.id, served)
        assert [s.id for s in cut.sites] == [site.id]
        assert {w.id for w in cut.workloads} == {w for w, s in served.items() if s == site.id}
        assert cut.sites[0].core_site_id is None
        from designer.model.validate import validate

        assert not [f for f in validate(cut) if f.severity.value == "error"], site.id
    # placement serves the V2X warning from the tower site only (5 ms budget)
    assert served["wl-v2x"] == "twr-ks"


# -- scenarios are the app's edits -------------------------------------------------------------
def _spec(**kw) -> dict:
    base = {"rack_density": None, "it_load_growth": 1.0, "facility_water_temp_c": None, "air_supply_temp_c": None,
            "workload_growth": 1.0, "new_workloads": None, "links": None, "variant": None, "failure": None}
    base.update(kw)
    return base


def test_edits_of_each_axis(sample_project):
    doc = Document(snapshot_project(sample_project))
    twr = doc.site("twr-ks")
    before = [r.it_load_kw for r in twr.hall.racks]
    spec = _spec(it_load_growth=1.5, facility_water_temp_c=36.0, air_supply_temp_c=24.0, workload_growth=2.0,
                 failure={"name": "twr-ks.cdu1", "items": ["twr-ks.cdu1"], "kind": "cdu"})
    edit = apply_scenario(doc, spec, sites=["twr-ks"])
    assert [r.it_load_kw for r in twr.hall.racks] == pytest.approx([b * 1.5 for b in before])
    assert all(w.supply_temp_c == 36.0 for w in twr.hall.water_supplies)
    assert all(u.supply_temp_c == 24.0 for u in twr.hall.air_units)
    assert doc.item("twr-ks.cdu1").pump.count == 1 and doc.item("twr-ks.cdu1").pump.redundant == 0
    # other sites untouched; the design itself untouched (the document holds a copy)
    assert doc.site("core-fra").hall.racks[0].it_load_kw == sample_project.sites[0].hall.racks[0].it_load_kw
    assert sample_project.sites[4].hall.racks[0].it_load_kw == before[0]
    assert sample_project.sites[4].hall.cdus[0].pump.count == 2
    # one edit; undoing it restores the design
    from designer.io.files import dumps

    assert edit and edit.label == "load x1.5 · FW 36 C · air 24 C · workloads x2 · fail twr-ks.cdu1"
    inv_doc = Document(snapshot_project(sample_project))
    inverse = inv_doc.apply(apply_scenario(Document(snapshot_project(sample_project)), spec, sites=["twr-ks"]))
    inv_doc.apply(inverse)
    assert dumps(inv_doc.project) == dumps(sample_project)


def test_power_failure_is_the_apps_delete(sample_project):
    doc = Document(snapshot_project(sample_project))
    apply_scenario(doc, _spec(failure={"name": "BW-A1", "items": ["core-fra.bw1"], "kind": "named"}))
    assert doc.item("core-fra.bw1") is None
    taps = [t for t in doc.project.sites[0].hall.power.taps if t.busway_id == "core-fra.bw1"]
    assert taps == []  # the busway's taps went with it, as a delete in the app does
    assert all(r.feed_a is None for r in doc.project.sites[0].hall.racks if r.catalog_model == "RK-DLC-132")


def test_a_scenario_that_does_not_fit_leaves_the_document_as_it_was(sample_project):
    from designer.io.files import dumps

    doc = Document(snapshot_project(sample_project))
    before = dumps(doc.project)
    bad = _spec(it_load_growth=1.2, variant={"name": "dup", "set": [], "remove": [],
                                             "add": [{"kind": "workload", "item": {"id": "wl-v2x"}}]})
    with pytest.raises(EditError):
        apply_scenario(doc, bad)
    assert dumps(doc.project) == before


def test_expand_each_failure_and_named_sets(tmp_path, sample_project):
    study = load_study(write_study(tmp_path, {"it_load_growth": [1.0, 1.2, 1.2],
                                              "failures": ["none", "each_power", {"name": "both UPS",
                                                                                   "items": ["{site}.ups1", "{site}.ups2"]}]}))
    twr = next(d for d in load_designs(study) if d.site_id == "twr-ks")
    sc = expand(study, twr.project, twr.site_id)
    power = [i.id for s in [twr.project.sites[0]] for i in
             (*s.hall.power.sources, *s.hall.power.transformers, *s.hall.power.switchboards, *s.hall.power.ups,
              *s.hall.power.pdus, *s.hall.power.busways)]
    assert len(sc) == 2 * (1 + len(power) + 1)  # 1.2 listed twice counts once
    assert sc[0].id == "as designed"
    assert {s.spec["failure"]["items"][0] for s in sc if s.spec["failure"] and s.spec["failure"]["kind"] != "named"} \
        == set(power)
    named = [s for s in sc if s.spec["failure"] and s.spec["failure"]["kind"] == "named"]
    assert named[0].spec["failure"]["items"] == ["twr-ks.ups1"]  # ups2 is not in this design
    assert len({s.id for s in sc}) == len(sc)


def test_new_workloads_and_link_changes(tmp_path):
    grid = {"new_workloads": [None, {"name": "robotics", "data_sources": [{"id": "src-{site}-r", "site_id": "{site}"}],
                                     "workloads": [{"id": "wl-{site}-r", "data_source_id": "src-{site}-r",
                                                    "it_power_kw": 5000.0, "latency_budget_ms": 2.0}]}],
            "links": [None, {"name": "long haul", "route_scale": 40.0, "extra_hops": 2}]}
    study = load_study(write_study(tmp_path, grid, designs=[{"file": str(_sample()), "sites": ["twr-ks"]}]))
    out = run_study(study, None, workers=0)
    by = {r["scenario"]: r for r in out.rows}
    assert set(by) == {"as designed", "+robotics", "links long haul", "+robotics · links long haul"}
    assert all(r["status"] == "ok" for r in out.rows)
    assert by["+robotics"]["workloads"] == by["as designed"]["workloads"] + 1
    assert by["+robotics"]["workloads_unplaced"] == 1  # 5 MW does not fit a tower site
    assert by["links long haul"]["smallest_latency_margin_ms"] < by["as designed"]["smallest_latency_margin_ms"]


def _sample():
    from designer.io.catalog_store import sample_project_path

    return sample_project_path()


# -- rows and tables ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("study")
    study = load_study(write_study(folder))
    out = run_study(study, folder / "res", workers=0)
    return study, folder, out


def test_rows_carry_the_headline_figures(small_run):
    _study, _folder, out = small_run
    assert len(out.rows) == 32 and out.computed == 32 and out.skipped == 0
    assert all(set(r) == set(NAMES) for r in out.rows)
    assert all(r["status"] == "ok" for r in out.rows)
    by = {(r["design"], r["scenario"]): r for r in out.rows}
    core = by[("sample_project/core-fra", "as designed")]
    assert core["racks"] == 16 and core["it_kw"] == pytest.approx(1042.0)
    assert core["survives_single_failure"] is True and core["racks_lost"] == 0
    grown = by[("sample_project/core-fra", "load x1.4")]
    assert grown["it_kw"] == pytest.approx(1042.0 * 1.4)
    assert grown["power_margin_pct"] < core["power_margin_pct"]
    assert grown["cdu_max_load_pct"] == pytest.approx(core["cdu_max_load_pct"] * 1.4, rel=0.02)
    # the tower site on one UPS path: losing its UPS drops side A, the racks stay on side B
    twr = by[("sample_project/twr-ks", "fail twr-ks.ups1")]
    assert twr["racks_unpowered"] == 0
    # a single-pump-down CDU with its standby pump keeps every rack cooled
    assert by[("sample_project/twr-ks", "fail twr-ks.cdu1")]["racks_without_coolant"] == 0


def test_reuse_changes_time_not_results(small_run):
    study, _folder, out = small_run
    cold = run_study(study, None, workers=0, reuse=False)
    chunked = run_study(study, None, workers=0, chunk_size=3)
    assert results(cold.rows) == results(out.rows)
    assert results(chunked.rows) == results(out.rows)


AIR_REUSE_K = 0.02
"""How far a warm-started air solve (from the previous scenario's field) may land from a cold
one: both stop when no temperature changes by more than ``tol_t`` (1e-3 K) and no velocity by
more than ``tol_u`` of the fastest port velocity per step; the engine's test of the two
tolerances puts inlets 0.005 K apart, and rows are rounded to 0.001 K. A warm start that
found another flow pattern would be off by kelvins."""


def test_air_in_a_study_follows_its_scenarios(tmp_path):
    """The 3D air model in a study, on the tower site (two racks, about 2 s a solve): the
    hottest inlet rises with the load and follows the supply set point; reusing the previous
    scenario's field changes the time, not the answer (beyond the march's tolerance)."""
    from designer.solvers.air.engine import clear_memo

    grid = {"it_load_growth": [1.0, 2.0], "air_supply_temp_c": [None, 16.0]}
    study = load_study(write_study(tmp_path, grid, designs=[{"file": str(_sample()), "sites": ["twr-ks"]}],
                                   analyses=["air"]))
    clear_memo()  # identical halls are memoised: each run below solves
    warm = run_study(study, None, workers=0)
    clear_memo()
    cold = run_study(study, None, workers=0, reuse=False)
    by = {r["scenario"]: r for r in warm.rows}
    assert set(by) == {"as designed", "load x2", "air 16 C", "load x2 · air 16 C"}, set(by)
    assert all(r["status"] == "ok" and r["air_errors"] == 0 for r in warm.rows), warm.rows
    base = by["as designed"]["max_inlet_c"]
    assert base is not None and 16.0 < base < 45.0
    assert by["load x2"]["max_inlet_c"] > base + 0.2  # 22.02 -> 22.40 degC: more of a hotter exhaust comes back
    # every supply 16 degC (as designed: 22) and the same heat: buoyancy acts on T - T_ref and
    # T_ref is the supply, so the same flow carries the same rises, 6 K lower
    for load in ("as designed", "load x2"):
        cold_supply = by["air 16 C" if load == "as designed" else "load x2 · air 16 C"]["max_inlet_c"]
        assert cold_supply == pytest.approx(by[load]["max_inlet_c"] - 6.0, abs=AIR_REUSE_K), load
    for w, c in zip(warm.rows, cold.rows, strict=True):
        assert w["scenario"] == c["scenario"]
        assert w["max_inlet_c"] == pytest.approx(c["max_inlet_c"], abs=AIR_REUSE_K), w["scenario"]
        assert w["racks_inlet_above_allowable"] == c["racks_inlet_above_allowable"]


def test_tables_round_trip(small_run, tmp_path):
    _study, _folder, out = small_run
    write_parquet(out.rows, tmp_path / "r.parquet")
    write_csv(out.rows, tmp_path / "r.csv")
    assert read_parquet_rows(tmp_path / "r.parquet") == out.rows
    assert read_csv_rows(tmp_path / "r.csv") == out.rows
    import pyarrow.parquet as pq

    schema = pq.read_schema(tmp_path / "r.parquet")
    assert schema.names == list(NAMES)
    assert str(schema.field("it_kw").type) == "double" and str(schema.field("racks").type) == "int64"


# -- resume ------------------------------------------------------------------------------------
def test_stopped_study_resumes_without_rerunning_what_finished(small_run, tmp_path):
    study, _folder, full = small_run
    seen = []

    def stop() -> bool:
        return len(seen) >= 2

    with pytest.raises(StudyStopped) as e:
        run_study(study, tmp_path, workers=0, chunk_size=5, progress=lambda i: seen.append(i.done),
                  should_stop=stop)
    done = len(Journal(tmp_path).rows)
    assert 0 < done < 32 and e.value.done == done
    # a torn last line (killed while writing) is ignored
    with open(tmp_path / "journal.jsonl", "a", encoding="utf-8") as f:
        f.write('{"key": "abc", "row": {"des')
    again = run_study(study, tmp_path, workers=0)
    assert again.skipped == done and again.computed == 32 - done
    assert results(again.rows) == results(full.rows)
    third = run_study(study, tmp_path, workers=0)
    assert third.computed == 0 and results(third.rows) == results(full.rows)


def test_changed_design_runs_again(small_run, tmp_path, sample):
    from designer.io.files import save

    study, _folder, _full = small_run
    path = tmp_path / "p.json"
    save(sample, path)
    text = json.dumps({"study_version": 1, "designs": [{"file": "p.json", "sites": ["twr-ks", "urb-ber"]}],
                       "grid": {"it_load_growth": [1.0, 1.1]}, "analyses": NO_AIR})
    s1 = parse_study_text(text, "s", tmp_path)
    first = run_study(s1, tmp_path / "r", workers=0)
    assert first.computed == 4
    sample.sites[4].hall.racks[0].it_load_kw = 10.0
    save(sample, path)
    second = run_study(parse_study_text(text, "s", tmp_path), tmp_path / "r", workers=0)
    assert second.skipped == 2 and second.computed == 2  # only the changed tower site


def test_design_runner_keeps_the_design_untouched(sample_project):
    served = served_by_site(sample_project)
    cut = site_design(sample_project, "urb-ber", served)
    from designer.io.files import dumps

    before = dumps(cut)
    dr = DesignRunner(cut, ["power", "liquid"])
    figs, project = dr.run(_spec(it_load_growth=2.0, failure={"name": "x", "items": ["urb-ber.ups1"], "kind": "ups"}))
    assert figs["status"] == "ok" and project is not None
    assert dumps(cut) == before


def test_scenario_edit_is_one_undo_step_on_the_whole_project(sample_project):
    from designer.io.files import dumps
    from designer.study.scenarios import ScenarioEdit

    doc = Document(sample_project.model_copy(deep=True))
    before = dumps(doc.project)
    spec = _spec(it_load_growth=1.3, workload_growth=2.0,
                 failure={"name": "urb-ber.ups1", "items": ["urb-ber.ups1"], "kind": "ups"})
    edit = ScenarioEdit(spec, ["urb-ber"], ["wl-traffic"])
    inverse = doc.apply(edit)
    assert edit.label == "Scenario: load x1.3 · workloads x2 · fail urb-ber.ups1"
    assert doc.item("urb-ber.ups1") is None
    assert doc.item("wl-traffic").it_power_kw == pytest.approx(180.0)
    assert doc.item("wl-citizen").it_power_kw == pytest.approx(80.0)  # not a workload of this design
    assert doc.site("twr-ks").hall.racks[0].it_load_kw == sample_project.sites[4].hall.racks[0].it_load_kw
    after = dumps(doc.project)
    redo = doc.apply(inverse)
    assert dumps(doc.project) == before
    doc.apply(redo)
    assert dumps(doc.project) == after


def test_shipped_sample_study_reads():
    from designer.io.catalog_store import resource_path

    study = load_study(resource_path("sample_study.json"))
    designs = load_designs(study)
    assert [d.site_id for d in designs] == ["core-fra", "ind-str", "ent-muc", "urb-ber", "twr-ks"]
    assert sum(len(expand(study, d.project, d.site_id)) for d in designs) > 300


def test_a_scenario_that_makes_the_design_invalid_says_so_instead_of_ok(sample_project):
    """Load growth past the bound of a rack's load (1e6 kW): the analyses that cannot work
    around it are stopped, and the row's status names them (it used to read "ok" with the
    figures left empty)."""
    cut = site_design(sample_project, "urb-ber", served_by_site(sample_project))
    dr = DesignRunner(cut, ["power", "liquid"])
    figs, _ = dr.run(_spec(it_load_growth=1e6))
    assert figs["status"].startswith("not analysed (liquid, power): validation errors")
    assert "it_load_kw" in figs["status"]
    figs, _ = dr.run(_spec(it_load_growth=1.0))
    assert figs["status"] == "ok"


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.invalid")', "+1+1", "-2+3", "@SUM(A1)", "\tx"])
def test_study_csv_neutralises_formulas_in_text_cells_and_reads_them_back(tmp_path, text):
    """CSV injection (OWASP): a design or scenario name from the user's files is never a live
    formula in the study table; numbers (negative ones too) stay numbers."""
    import csv

    row = {"design": text, "scenario": text + " s", "status": "ok", "it_kw": -2.5, "racks": 3}
    write_csv([row], tmp_path / "r.csv")
    with open(tmp_path / "r.csv", encoding="utf-8", newline="") as f:
        cells = list(csv.DictReader(f))[0]
    assert cells["design"] == "'" + text and cells["scenario"] == "'" + text + " s"
    assert cells["it_kw"] == "-2.5" and cells["racks"] == "3"
    back = read_csv_rows(tmp_path / "r.csv")[0]
    assert back["design"] == text and back["it_kw"] == -2.5
