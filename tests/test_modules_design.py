"""Design from the workloads: each of the sample's sites, its hall emptied, designed again."""

from __future__ import annotations

import json

import pytest

from designer.analysis.design import design_site
from designer.analysis.runner import Runner
from designer.cli import main
from designer.document import ops
from designer.document.document import Document
from designer.io.catalog_store import load_catalog, sample_project_path
from designer.io.files import dumps, load, save
from designer.model.findings import Severity
from designer.model.registry import iter_items

SITES = ["core-fra", "ind-str", "ent-muc", "urb-ber", "twr-ks"]


def _emptied(site_id: str):
    p = load(sample_project_path())
    doc = Document(p)
    si = [s.id for s in p.sites].index(site_id)
    ids = [loc.item.id for loc in iter_items(p) if loc.site_index == si and loc.collection.scope == "hall"]
    doc.apply(ops.delete_items(doc, ids))  # as the user would: references to them are cleared
    assert not doc.site(site_id).hall.racks and not doc.site(site_id).hall.power.sources
    return doc.project


@pytest.fixture(scope="module")
def original_placement():
    p = load(sample_project_path())
    res = Runner(["placement"]).run(p, 0)["placement"].data
    return {w.workload_id: w for w in res.workloads.values()}


@pytest.mark.parametrize("site_id", SITES)
def test_design_of_an_emptied_site_has_no_error_and_keeps_every_latency_budget(site_id, original_placement):
    project = _emptied(site_id)
    catalog, _ = load_catalog(project)
    res = design_site(project, site_id, catalog)
    assert res.errors == [], [f.as_text() for f in res.errors]
    assert res.module_ids, res.account
    assert res.workload_ids
    assert res.account and not any(a.startswith("Not done") for a in res.account), res.account
    # the edit against the emptied project gives exactly the designed project
    doc = Document(project)
    doc.apply(res.edit)
    assert dumps(doc.project) == dumps(res.project)
    site = doc.site(site_id)
    assert site.hall.racks and site.hall.power.sources
    assert all(r.feed_a is not None and r.feed_b is not None for r in site.hall.racks)
    # every workload placed in the original is placed within its budget in the design
    runs = Runner(["placement", "power", "liquid"]).run(doc.project, 0)
    now = {w.workload_id: w for w in runs["placement"].data.workloads.values()}
    for wid, w0 in original_placement.items():
        if w0.placed:
            w1 = now[wid]
            assert w1.placed, (wid, w1.reason)
            assert w1.total_ms <= w1.budget_ms * (1 + 1e-9)
    # what was designed is energised and cooled
    power = runs["power"].data.sites[site_id]
    assert power.racks_powered == power.racks_total == len(site.hall.racks)
    liq = runs["liquid"].data
    for r in site.hall.racks:
        if r.liquid_fraction > 0:
            assert liq.racks[r.id].flow_ratio >= 1.0


def test_design_is_one_undo_step():
    project = _emptied("twr-ks")
    catalog, _ = load_catalog(project)
    res = design_site(project, "twr-ks", catalog)
    doc = Document(project)
    before = dumps(doc.project)
    inv = doc.apply(res.edit)
    assert dumps(doc.project) != before
    doc.apply(inv)
    assert dumps(doc.project) == before


def test_design_cli_writes_a_new_file_and_never_the_input(tmp_path, capsys):
    src = tmp_path / "in.json"
    save(_emptied("ind-str"), src)
    text = src.read_text(encoding="utf-8")
    out = tmp_path / "out.json"
    code = main(["design", str(src), "--site", "ind-str", "-o", str(out)])
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "Design of ind-str" in printed and "0 errors" in printed
    assert src.read_text(encoding="utf-8") == text
    designed = load(out)
    assert next(s for s in designed.sites if s.id == "ind-str").hall.modules
    assert json.loads(out.read_text(encoding="utf-8"))["schema_version"] == designed.schema_version
    assert main(["design", str(src), "--site", "ind-str", "-o", str(src)]) == 2
    assert main(["design", str(src), "--site", "nowhere", "-o", str(tmp_path / "x.json")]) == 2
    assert src.read_text(encoding="utf-8") == text


def test_a_site_already_served_gets_nothing_new():
    p = load(sample_project_path())
    catalog, _ = load_catalog(p)
    res = design_site(p, "twr-ks", catalog)
    assert res.edit.edits == [] and res.module_ids == []
    assert any("nothing to design" in a for a in res.account)
    assert all(f.severity is not Severity.ERROR or f.source != "geometry" for f in res.findings)
