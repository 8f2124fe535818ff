"""The power analysis as the app and the command line see it."""

from __future__ import annotations

import json

import pytest
from test_power_cases import two_n_site

from designer.analysis.base import registered
from designer.analysis.runner import Runner
from designer.cli import main
from designer.model.findings import Severity
from designer.model.project import Project
from designer.solvers.power.results import PowerResult


def test_registered_and_run_on_the_sample(sample_project):
    assert "power" in registered()
    runner = Runner(["power"])
    res = runner.run(sample_project, 7)["power"]
    assert res.error is None, res.summary
    assert res.revision == 7
    data: PowerResult = res.data
    assert set(data.sites) == {s.id for s in sample_project.sites}
    assert res.summary["survives any single failure"].split()[0] in ("yes", "no")
    assert res.summary["IT load kW"] == pytest.approx(
        sum(r.it_load_kw for s in sample_project.sites for r in s.hall.racks))
    for f in res.findings:
        assert f.source == "power" and f.message and f.fix
        if f.severity is not Severity.INFO:
            assert any(ch.isdigit() for ch in f.message), f.message  # names the number
            assert f.item_ids


def test_results_are_read_only_and_keyed_by_id(sample_project):
    res = Runner(["power"]).run(sample_project, 0)["power"].data
    core = res.sites["core-fra"]
    with pytest.raises(TypeError):
        core.nodes["x"] = None  # type: ignore[index]
    n = next(iter(core.nodes.values()))
    with pytest.raises(AttributeError):
        n.p_kw = 0.0  # type: ignore[misc]
    hall = sample_project.sites[0].hall
    assert set(core.racks) == {r.id for r in hall.racks}
    assert set(core.feeds) == {f"{r.id}#{s}" for r in hall.racks for s in "AB"}


def test_tree_links_are_consistent_for_a_one_line_diagram(sample_project):
    res = Runner(["power"]).run(sample_project, 0)["power"].data
    for site in res.sites.values():
        for nid, n in site.nodes.items():
            if n.parent_id is not None:
                assert nid in site.nodes[n.parent_id].children
            for c in n.children:
                assert site.nodes[c].parent_id == nid
            for key in n.feeds:
                assert site.feeds[key].source_id == nid
        roots = [n for n in site.nodes.values() if n.parent_id is None]
        assert {n.id for n in roots if n.kind == "source"} == set(site.roots)


def test_power_balance_and_voltages_in_the_results(sample_project):
    res = Runner(["power"]).run(sample_project, 0)["power"].data
    for site in res.sites.values():
        assert abs(site.balance_error_kw) < 1e-6
        assert site.source_kw == pytest.approx(site.it_kw + site.losses_kw, rel=1e-9)
        for n in site.nodes.values():
            if n.energised and n.kind != "source":
                assert 0.9 < n.voltage_pu < 1.01 and n.drop_pct < 5.0
        for f in site.feeds.values():
            assert f.current_full_a == pytest.approx(2 * f.current_a, rel=0.02) or f.current_a == 0


def test_cache_reuses_the_tree_until_the_topology_changes():
    site = two_n_site(0.3)
    p = Project(sites=[site])
    runner = Runner(["power"])
    runner.run(p, 0)
    cache = runner.caches["power"]
    topo = cache[("topology", site.id)][1]
    site.hall.racks[0].it_load_kw = 33.0  # a right-hand side change
    runner.run(p, 1)
    assert cache[("topology", site.id)][1] is topo
    site.hall.power.pdus[0].upstream_id = "swba"  # a topology change
    r = runner.run(p, 2)["power"]
    assert cache[("topology", site.id)][1] is not topo
    assert r.data.sites[site.id].nodes["pdua"].parent_id == "swba"


def test_cli_text_and_json(tmp_path, capsys, sample_project):
    from designer.io.files import save

    path = tmp_path / "s.json"
    save(sample_project, path)
    rc = main(["solve", str(path), "--power"])
    out = capsys.readouterr().out
    assert "== Power chain ==" in out and "survives any single failure:" in out
    assert rc in (0, 1)
    rc = main(["solve", str(path), "--power", "--json"])
    data = json.loads(capsys.readouterr().out)["power"]
    assert {"summary", "findings", "sites"} <= set(data)
    core = data["sites"]["core-fra"]
    assert core["nodes"] and core["feeds"] and core["racks"] and core["scenarios"]
    assert rc == (1 if any(f["severity"] == "error" for f in data["findings"]) else 0)


def test_bad_input_gives_findings_not_crashes():
    site = two_n_site(0.3)
    hall = site.hall
    hall.racks[0].feed_a.source_id = "nowhere"
    hall.racks[1].feed_b = None
    hall.racks[1].feed_a = None
    hall.power.pdus[1].upstream_id = "missing"
    hall.power.ups[0].efficiency = 0.0
    hall.power.transformers[0].rating_kva = 0.0
    res = Runner(["power"]).run(Project(sites=[site]), 0)["power"]
    assert res.error is None, res.summary
    codes = {f.code for f in res.findings}
    assert {"power.feed_source", "power.no_feed", "power.upstream"} <= codes
    # a 0 kVA transformer passes nothing: no solution for the site, named
    assert any(f.code == "power.no_solution" and "transformer TX-A" in f.message for f in res.findings)


def test_loops_in_the_upstream_chain_do_not_hang():
    site = two_n_site(0.3)
    site.hall.power.pdus[0].upstream_id = "pdub"
    site.hall.power.pdus[1].upstream_id = "pdua"
    site.hall.power.ups[0].alternate_upstream_id = "upsb"  # transfer switches fed from each other
    site.hall.power.ups[1].alternate_upstream_id = "upsa"
    res = Runner(["power"]).run(Project(sites=[site]), 0)["power"]
    assert res.error is None
    s = res.data.sites[site.id]
    assert s.racks_powered == 0 and not s.survives
    assert "power.unpowered" in {f.code for f in res.findings}


def test_sample_core_and_enterprise_survive_and_edge_sites_fail_only_on_their_one_supply(sample_project):
    res = Runner(["power"]).run(sample_project, 0)["power"].data
    for site in sample_project.sites:
        s = res.sites[site.id]
        assert s.racks_powered == s.racks_total
        assert all(not sc.overloaded for sc in s.scenarios), (site.id, s.worst)
        if site.kind in ("core", "enterprise"):
            assert s.survives, (site.id, s.worst)
        else:
            # N+1 UPS on A, raw mains on B, one utility and no generator: only the shared
            # supply path (source, and transformer / board where there is one) is fatal, after
            # the UPS battery on side A
            bad = [sc for sc in s.scenarios if not sc.ok]
            assert bad and {sc.kind for sc in bad} <= {"source", "transformer", "switchboard"}, site.id
            assert all(len(sc.racks_on_battery) == s.racks_total for sc in bad)


def test_warm_cache_gives_the_same_answers_as_a_cold_solve():
    from designer.model.hall import Feed
    from designer.solvers.power.solve import solve_site

    site = two_n_site(0.52, n_racks=6)
    cache: dict = {}

    def same():
        warm, fw = solve_site(site, cache)
        cold, fc = solve_site(site, None)
        assert [f.as_text() for f in fw] == [f.as_text() for f in fc]
        assert [(s.id, s.racks_lost, tuple((o, w, round(u, 12)) for o, w, u in s.overloaded)) for s in warm.scenarios] \
            == [(s.id, s.racks_lost, tuple((o, w, round(u, 12)) for o, w, u in s.overloaded)) for s in cold.scenarios]
        assert {k: n.s_kva for k, n in warm.nodes.items()} == pytest.approx({k: n.s_kva for k, n in cold.nodes.items()})
        return warm

    assert not same().survives  # 52 %: overloads on failover
    site.hall.racks[0].it_load_kw *= 0.5  # loads only
    site.hall.racks[1].x += 7.0  # a move: routed lengths (make it route)
    site.hall.racks[1].feed_a.cable_length_m = None
    same()
    site.hall.racks[2].feed_b = None  # a cord removed: new structure
    res = same()
    assert "r2" in res.what_if("pdua").racks_lost
    site.hall.racks[2].feed_b = Feed(source_id="pdub", breaker_a=400, cable_length_m=10.0)
    assert same().what_if("pdua").racks_lost == ()


@pytest.mark.parametrize("kw", [1e5, 1e6])
def test_loads_beyond_the_chain_give_a_finding_not_a_failure(sample, kw):
    """Racks at the validation bound behind busways of 10 ohm/m: no load flow solution. The
    analysis says so per site (power.no_solution) and still answers for the other sites."""
    import warnings

    for s in sample.sites:
        for r in s.hall.racks:
            r.it_load_kw = kw
        for bw in s.hall.power.busways:
            bw.r_ohm_per_km = 1e4
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = Runner(["power"]).run(sample, 0)["power"]
    assert res.error is None, res.summary
    bad = [f for f in res.findings if f.code == "power.no_solution"]
    assert bad and all(f.severity.value == "error" and f.item_ids for f in bad)
    assert set(res.data.sites) | {f.item_ids[0] for f in bad} == {s.id for s in sample.sites}


def test_a_failure_scenario_whose_losses_do_not_settle_is_solved_exactly():
    """One rack at 1 GW on a small site: no load flow settles (the normal state has no
    solution at all: 1 GW cannot pass its cord); the analysis says which element and by how
    much instead of failing a balance check (issue 15: it used to report an overload from a
    state that had not converged)."""
    import fuzz_inputs

    from designer.io.files import loads

    _doc, text = fuzz_inputs.base()
    p = loads(text)
    p.sites[0].hall.racks[1].it_load_kw = 1e6
    res = Runner(["power"]).run(p, 0)["power"]
    assert res.error is None, res.summary
    (f,) = [f for f in res.findings if f.code == "power.no_solution"]
    assert "rack R02 cord B cannot carry its load" in f.message and "kVA" in f.message
