"""Pipe flows are signed by the loop's direction, whichever way the pipes were drawn; primary pipes
report the flow their CDUs' heat needs."""

from __future__ import annotations

import pytest

from designer.io.builder import HallBuilder
from designer.io.catalog_store import shipped_catalog
from designer.model import hall as h
from designer.model.catalog import Catalog
from designer.model.project import Project, Site
from designer.solvers.liquid.primary import CP, LOOP, RHO
from designer.solvers.liquid.results import LPM
from designer.solvers.liquid.solve import solve_project

CAT = Catalog(shipped_catalog())


def _loop(reverse_drawn: set[str]) -> Project:
    """A CDU and three racks on supply / return headers; the pipes named in
    ``reverse_drawn`` ("supply", "return", "branch") are drawn from their downstream end."""
    s = Site(id="s")
    b = HallBuilder(s, CAT)
    b.outline(12.0, 8.0)
    cdu = b.place("CDU-IR-300", 2.0, 3.0)
    racks = b.rack_row("RK-HYB-50", 2.6, 3.0, 3)
    b.liquid_loop(cdu, racks)
    w = b.water_supply("FW", 18.0, 500)
    for pipe in s.hall.pipes:
        ends = {pipe.start.item_id, pipe.end.item_id}
        is_branch = bool(ends & {r.id for r in racks})
        kind = "branch" if is_branch else pipe.role
        if kind in reverse_drawn:
            pipe.start, pipe.end = pipe.end, pipe.start
            pipe.points = list(reversed(pipe.points))
    # primary: supply -> CDU drawn forwards, return drawn from the supply to the CDU (backwards)
    s.hall.pipes.append(h.Pipe(id="fs", start=h.PortRef(item_id=w.id, port="supply"),
                               end=h.PortRef(item_id=cdu.id, port="facility_supply"), role="facility_supply",
                               diameter_m=0.08))
    s.hall.pipes.append(h.Pipe(id="fr", start=h.PortRef(item_id=w.id, port="return"),
                               end=h.PortRef(item_id=cdu.id, port="facility_return"), role="facility_return",
                               diameter_m=0.08))
    return Project(sites=[s])


@pytest.mark.parametrize("reverse_drawn", [set(), {"return"}, {"supply"}, {"supply", "return", "branch"}])
def test_secondary_flows_are_positive_in_the_loop_direction(reverse_drawn):
    p = _loop(reverse_drawn)
    res, findings, _ = solve_project(p)
    sec = [pr for pr in res.pipes.values() if pr.loop != LOOP]
    assert len(sec) == 12  # 3 racks x (2 header + 2 branch pipes)
    for pr in sec:
        assert pr.flow_lpm > 1.0, (pr.pipe_id, pr.role, pr.flow_lpm)
    # the flag says which were drawn backwards (the header pipes reversed here; branches too
    # when asked): all of them and only them
    hall = p.sites[0].hall
    rack_ids = {r.id for r in hall.racks}
    for pipe in hall.pipes:
        if pipe.role.startswith("facility"):
            continue
        branch = bool({pipe.start.item_id, pipe.end.item_id} & rack_ids)
        kind = "branch" if branch else pipe.role
        assert res.pipes[pipe.id].drawn_reversed == (kind in reverse_drawn), pipe.id
    # the same magnitudes whichever way they were drawn
    base, _, _ = solve_project(_loop(set()))
    for pid, pr in res.pipes.items():
        assert pr.flow_lpm == pytest.approx(base.pipes[pid].flow_lpm, rel=1e-6, abs=1e-6)


def test_primary_pipes_carry_the_cdu_heat_at_the_design_rise():
    p = _loop(set())
    res, findings, _ = solve_project(p)
    cdu = next(iter(res.cdus.values()))
    w = p.sites[0].hall.water_supplies[0]
    q = cdu.load_kw * 1000 / (RHO * CP * w.design_delta_t_k) * LPM
    for pid in ("fs", "fr"):
        pr = res.pipes[pid]
        assert pr.loop == LOOP
        assert pr.flow_lpm == pytest.approx(q, rel=1e-9)
        assert pr.velocity_mps == pytest.approx(q / LPM / (3.141592653589793 * 0.08 ** 2 / 4), rel=1e-9)
        assert pr.dp_kpa > 0
    assert res.pipes["fr"].drawn_reversed and not res.pipes["fs"].drawn_reversed
    assert res.pipes["fr"].temp_c == pytest.approx(w.supply_temp_c + w.design_delta_t_k)
    assert not [f for f in findings if f.code == "liquid.velocity" and "fs" in f.item_ids]


def test_a_primary_pipe_too_small_is_reported():
    p = _loop(set())
    for pipe in p.sites[0].hall.pipes:
        if pipe.id == "fs":
            pipe.diameter_m = 0.022
    res, findings, _ = solve_project(p)
    assert res.pipes["fs"].velocity_mps > 2.0
    hits = [f for f in findings if f.code == "liquid.velocity" and "fs" in f.item_ids]
    assert len(hits) == 1 and "facility water pipe fs" in hits[0].message
