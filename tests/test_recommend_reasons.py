"""Why the recommendation leaves a workload unserved names what binds (issue 15): a candidate
module the answer does not build is never "taken", its own limit (utility headroom, floor
space) is named with the code and capacity fields, and a module that is built and full still
says how much it has left."""

from __future__ import annotations

import json

import pytest

from designer.analysis.placement import recommend_edit
from designer.cli import main
from designer.io.catalog_store import sample_project_path, shipped_catalog
from designer.model.base import Located
from designer.model.catalog import Catalog
from designer.model.project import DataSource, Project, Site, Workload
from designer.solvers.placement.recommend import recommend


def _one_site(utility_kw: float, workloads: list[Workload]) -> Project:
    site = Site(id="A", name="Site A", location=Located(lat=50.0, lon=8.0), cost_per_kw_month=100.0,
                utility_capacity_kw=utility_kw)
    site.hall.outline = [(0.0, 0.0), (60.0, 0.0), (60.0, 40.0), (0.0, 40.0)]  # floor never binds
    p = Project(sites=[site], data_sources=[DataSource(id="d", location=Located(lat=50.0, lon=8.0), site_id="A")])
    p.workloads = workloads
    return p


def _wl(i: str, kw: float, racks: int) -> Workload:
    return Workload(id=i, data_source_id="d", it_power_kw=kw, rack_positions=racks, needs_liquid=True,
                    latency_budget_ms=5.0)


def test_candidate_not_built_for_utility_headroom_says_so():
    """1,000 kW of utility: an AIH-1000L (1,000 kW) for the 900 kW workload and one small one,
    or three IND-120R (360 kW) for the three small ones. Serving more wins, and then 640 kW
    of headroom is left: the AIH-1000L cannot be added. It is not "taken" with "1000 kW left
    after 0 other workloads" (the kW wording of the same path)."""
    p = _one_site(1000.0, [_wl("big", 900.0, 6), *[_wl(f"s{i}", 100.0, 1) for i in range(3)]])
    cat = Catalog(shipped_catalog())
    r = recommend(p, [cat.get("AIH-1000L"), cat.get("IND-120R")])
    assert sorted(m.model for m in r.new_modules) == ["IND-120R"] * 3
    assert set(r.unserved) == {"big"}
    why = r.reasons["big"]
    assert why.code == "utility" and why.capacity == "utility headroom"
    msg = r.unserved["big"]
    assert why.message == msg
    assert "a new AIH-1000L (1000 kW) at Site A cannot be added" in msg
    assert "utility headroom of 1000 kW" in msg and "take 360 kW of it, leaving 640 kW" in msg
    assert "taken" not in msg and "left after" not in msg and "with room" not in msg
    # what serving it would give up: the best answer that serves it serves 2 of the 4
    assert "Serving it, the best answer serves 2 of the free workloads against 3" in msg


def test_built_module_genuinely_short_of_rack_positions_still_says_so():
    """One AIH-1000L (8 rack positions) allowed; two workloads of 5 positions: it is built for one
    and genuinely has 3 positions left for the other."""
    p = _one_site(5000.0, [_wl("a", 100.0, 5), _wl("b", 100.0, 5)])
    r = recommend(p, [Catalog(shipped_catalog()).get("AIH-1000L")], max_copies=1)
    assert len(r.new_modules) == 1 and len(r.unserved) == 1
    (wid, msg), = r.unserved.items()
    why = r.reasons[wid]
    assert why.code == "contention" and why.capacity == "rack positions"
    assert ("the liquid-cooled modules within its 5 ms budget are taken: a new AIH-1000L (1000 kW) at Site A has "
            "3 rack positions left after 1 other workload, against 5 rack positions needed") in msg
    assert "cannot be added" not in msg


@pytest.fixture(scope="module")
def from_scratch():
    from designer.io.files import load

    project = load(sample_project_path())
    return recommend_edit(project, Catalog(shipped_catalog(), project.catalog), use_existing=False).recommendation


def test_sample_core_llm_names_the_floor_space_beside_the_module_built(from_scratch):
    """The core hall (its pod still drawn) has room for a new AIH-1000L or for the ENT-400H that
    serves five workloads, not both; serving wl-core-llm instead serves as many workloads (it
    leaves out wl-llm-ent) at a higher cost. Before, it read "taken: ... has 8 rack positions
    left after 0 other workloads, against 6 needed" of a module never built."""
    r = from_scratch
    why = r.reasons["wl-core-llm"]
    assert why.code == "floor_space" and why.capacity == "floor space"
    msg = r.unserved["wl-core-llm"]
    assert ("a new AIH-1000L (1000 kW) at Rhein-Main core AI factory cannot be added: the hall has no free spot "
            "for its 11.6 x 9.9 m envelope with service clearances beside the new ENT-400H, which serves wl-agv, "
            "wl-llm-ent, wl-citizen, wl-ar and wl-retrain") in msg
    assert "taken" not in msg and "left after" not in msg and "with room" not in msg
    assert "Serving it, the best answer serves as many workloads (it leaves out wl-llm-ent instead) but costs" in msg
    assert [m.model for m in r.new_modules if m.site_id == "core-fra"] == ["ENT-400H", "MIC-60T"]
    assert r.reasons["wl-traffic"].code == "latency"


def test_cli_json_carries_the_reason_code_and_capacity(capsys):
    code = main(["recommend", str(sample_project_path()), "--no-existing", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    row = data["unserved_reasons"]["wl-core-llm"]
    assert row["reason_code"] == "floor_space" and row["reason_capacity"] == "floor space"
    assert row["reason"] == data["unserved"]["wl-core-llm"]
