"""Single-failure sweep: known answers, and the incremental sweep against full load flows."""

from __future__ import annotations

import numpy as np
import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_power_cases import rack, site_of, two_n_site

from designer.model.power import Cable, Pdu, PowerChain, PowerSource, Switchboard, Transformer, Ups
from designer.solvers.power.checks import build_checks, measure, utilisation
from designer.solvers.power.loadflow import solve_flow
from designer.solvers.power.network import build_network
from designer.solvers.power.phases import phase_state
from designer.solvers.power.redundancy import scenarios, sweep
from designer.solvers.power.solve import solve_site


def _sweep(site, keep_flows=False):
    net = build_network(site.hall, site.id)
    stt = solve_flow(net)
    ph = phase_state(net, stt)
    ch = build_checks(net)
    b = ch.bus
    util = utilisation(ch, measure(ch.kind, stt.s_out[b], np.abs(stt.V[b]), stt.topo.base_v[b], ph.factor[b],
                                   net.one_phase[b]))
    specs = scenarios(net, stt)
    return net, stt, ch, util, sweep(net, stt, ch, util, ph.factor, specs, keep_flows=keep_flows)


def test_2n_at_45_percent_survives_any_single_failure():
    res, findings = solve_site(two_n_site(0.45))
    assert res.survives, res.worst
    assert not [f for f in findings if f.severity.value == "error"]
    # the failover loading is about 90 % of the surviving UPS (plus the PDU's 2 % loss)
    sc = res.what_if("upsa")
    assert sc is not None and sc.ok
    ups_b = {c.what: c for c in res.nodes["upsb"].checks}
    assert ups_b["full capacity"].utilisation == pytest.approx(0.45 / 0.98, rel=2e-3)  # kW, with the PDU's loss
    # a unity-power-factor UPS rating in kVA binds first for 0.95 power factor racks
    assert ups_b["kVA capacity"].utilisation > ups_b["full capacity"].utilisation
    assert res.nodes["upsb"].utilisation == ups_b["kVA capacity"].utilisation


def test_2n_at_55_percent_does_not_survive():
    res, findings = solve_site(two_n_site(0.55))
    assert not res.survives
    bad = {s.id: s for s in res.scenarios if not s.ok}
    # losing anything on one side overloads the other side's UPS (about 112 %)
    for sid in ("ups:upsa", "pdu:pdua", "switchboard:swba", "transformer:txa", "source:ua", "side:A"):
        over = dict((o, u) for o, w, u in bad[sid].overloaded if w == "full capacity")
        assert over["upsb"] == pytest.approx(2 * 0.55 / 0.98, rel=5e-3), sid
        assert not bad[sid].racks_lost
    assert "UPS-B" in res.worst and "%" in res.worst
    errs = [f for f in findings if f.code == "power.single_failure"]
    assert errs and all(any(ch.isdigit() for ch in f.message) for f in errs)


def _n_plus_1(modules: int, load_kw: float):
    src = PowerSource(id="u", capacity_kva=2000, voltage_v=415)
    ups = Ups(id="ups", name="UPS-1", x=5, y=5, upstream_id="u", module_kw=100, module_count=modules,
              redundant_modules=1, efficiency=0.96, feeder=Cable(length_m=10.0, parallel_sets=2))
    pdu = Pdu(id="p", x=10, y=5, upstream_id="ups", rating_kva=1000, breaker_a=2000, efficiency=1.0,
              feeder=Cable(length_m=10.0, parallel_sets=2))
    racks = [rack(f"r{k}", load_kw / 5, "p", breaker=125) for k in range(5)]
    return site_of(PowerChain(scheme="N+1", sources=[src], ups=[ups], pdus=[pdu]), racks)


def test_n_plus_1_with_one_module_too_few_fails_on_a_module_loss():
    res, findings = solve_site(_n_plus_1(3, 250.0))  # 2+1 x 100 kW for 250 kW
    sc = res.what_if("ups", module=True)
    assert not sc.ok
    over = {what: u for oid, what, u in sc.overloaded if oid == "ups"}
    assert over["full capacity"] == pytest.approx(250.0 / 200.0, rel=3e-3)  # 2 modules left, cord losses
    assert over["kVA capacity"] == pytest.approx(250.0 / 0.95 / 200.0, rel=3e-3)
    assert any(f.code == "power.ups_redundancy" and "125 %" in f.message for f in findings)


def test_n_plus_1_with_enough_modules_survives_a_module_loss():
    res, findings = solve_site(_n_plus_1(4, 250.0))  # 3+1 x 100 kW
    assert res.what_if("ups", module=True).ok
    assert not any(f.code == "power.ups_redundancy" for f in findings)


def test_single_corded_racks_are_lost_with_their_pdu_and_on_battery_with_their_source():
    res, _ = solve_site(_n_plus_1(4, 250.0))
    sc = res.what_if("p")
    assert set(sc.racks_lost) == {f"r{k}" for k in range(5)} and not sc.racks_on_battery
    sc = res.what_if("u")
    assert len(sc.racks_lost) == 5 and len(sc.racks_on_battery) == 5 and sc.battery_min == 5.0
    assert not res.survives


def test_transfer_to_a_generator_that_is_big_enough_or_not():
    def site(gen_kva: float):
        util = PowerSource(id="u", capacity_kva=2000, voltage_v=11000)
        gen = PowerSource(id="g", kind="generator", capacity_kva=gen_kva, voltage_v=415)
        tx = Transformer(id="tx", x=5, y=5, upstream_id="u", rating_kva=1000,
                         feeder=Cable(length_m=50.0, r_ohm_per_km=0.125, x_ohm_per_km=0.11))
        chain = PowerChain(sources=[util, gen], transformers=[tx])
        for s in ("a", "b"):
            chain.switchboards.append(Switchboard(id=f"swb{s}", x=8, y=5, upstream_id="tx", alternate_upstream_id="g",
                                                  rating_a=2000, feeder=Cable(length_m=10.0, parallel_sets=2)))
            chain.ups.append(Ups(id=f"ups{s}", x=10, y=5, upstream_id=f"swb{s}", module_kw=100, module_count=4,
                                 redundant_modules=1, feeder=Cable(length_m=10.0, parallel_sets=2)))
            chain.pdus.append(Pdu(id=f"pdu{s}", x=12, y=5, upstream_id=f"ups{s}", rating_kva=500, breaker_a=1000,
                                  feeder=Cable(length_m=10.0, parallel_sets=2)))
        racks = [rack(f"r{k}", 30.0, "pdua", "pdub", breaker=125) for k in range(8)]
        return site_of(chain, racks)

    res, _ = solve_site(site(800.0))
    for item in ("u", "tx"):
        sc = res.what_if(item)
        assert sc.exact and sc.ok, sc  # transfer switches moved: a full load flow
    assert res.survives, res.worst
    res, _ = solve_site(site(200.0))
    sc = res.what_if("tx")
    assert not sc.ok and sc.overloaded[0][0] == "g" and sc.overloaded[0][2] > 1.2


def test_sides_fail_together_and_shared_sources_show_up():
    site = two_n_site(0.3)
    res, _ = solve_site(site)
    assert res.what_if("A").failed_ids == ("ua", "txa", "swba", "upsa", "pdua")
    assert res.survives
    # one utility for both sides: its loss is the single point of failure (after the battery)
    site.hall.power.transformers[1].upstream_id = "ua"
    res, _ = solve_site(site)
    sc = res.what_if("ua")
    assert len(sc.racks_lost) == 8 and len(sc.racks_on_battery) == 8
    assert res.worst.startswith("source Utility A fails: 8 racks lose power")


def _assert_matches_full_solves(net, stt, outcomes, rel=2e-3):
    for oc in outcomes:
        if oc.spec.kind == "ups_module":
            continue
        full = solve_flow(net, oc.spec.failed)
        lost = set(np.flatnonzero(stt.rack_powered & ~full.rack_powered).tolist())
        assert lost == set(oc.racks_lost.tolist()), oc.spec.label
        if oc.exact or oc.flows is None:
            continue
        b, s_out = oc.flows
        live = full.topo.alive[b]
        ref = full.s_out[b][live]
        err = np.abs(s_out[live] - ref)
        assert np.all(err <= rel * np.maximum(np.abs(ref), 1e-3)), (oc.spec.label, err.max())
        # everything else carries what it carried before, to second order
        other = np.setdiff1d(np.flatnonzero(full.topo.alive), b)
        assert np.allclose(full.s_out[other], stt.s_out[other], rtol=1e-3, atol=1e-6), oc.spec.label


def test_incremental_sweep_matches_full_load_flows_on_the_sample(sample_project):
    for site in sample_project.sites:
        net, stt, _, _, oc = _sweep(site, keep_flows=True)
        _assert_matches_full_solves(net, stt, oc)


def test_incremental_sweep_matches_full_load_flows_on_a_generated_hall():
    from designer.io.generate import generate_project

    net, stt, _, _, oc = _sweep(generate_project(40).sites[0], keep_flows=True)
    assert len(oc) > 50
    _assert_matches_full_solves(net, stt, oc)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(loads=st.lists(st.floats(1.0, 60.0), min_size=1, max_size=8),
       split=st.lists(st.floats(0.0, 1.0), min_size=8, max_size=8),
       single=st.lists(st.booleans(), min_size=8, max_size=8),
       frac=st.floats(0.05, 0.7))
def test_sweep_matches_full_solves_on_random_2n_chains(loads, split, single, frac):
    site = two_n_site(frac, n_racks=len(loads))
    for k, r in enumerate(site.hall.racks):
        r.it_load_kw = loads[k]
        r.feed_split_a = split[k]
        if single[k]:
            r.feed_b = None  # single-corded
    net, stt, ch, util, oc = _sweep(site, keep_flows=True)
    _assert_matches_full_solves(net, stt, oc)
    # known answer for the single-corded racks: lost with anything on side A
    single_ids = {k for k in range(len(loads)) if single[k]}
    for o in oc:
        if o.spec.kind in ("pdu", "ups") and o.spec.subject.endswith("a"):
            assert single_ids <= set(o.racks_lost.tolist())


@pytest.mark.parametrize("target", [0.998, 1.002])
def test_a_scenario_at_the_limit_is_settled_by_a_full_load_flow(target):
    def site(frac):
        s = two_n_site(frac)
        for r in s.hall.racks:
            r.power_factor = 1.0
        return s

    def failover_util(frac):
        s = site(frac)
        net = build_network(s.hall, s.id)
        full = solve_flow(net, (net.item_index["upsa"],))
        ch = build_checks(net)
        rows = [r for r in range(len(ch.bus)) if ch.owner[r] == net.item_index["upsb"] and ch.overload[r]]
        b = ch.bus[rows]
        v = measure(ch.kind[rows], full.s_out[b], np.abs(full.V[b]), full.topo.base_v[b], np.ones(len(rows)),
                    net.one_phase[b])
        return float(np.max(v / ch.limit[rows]))

    frac = 0.49
    for _ in range(4):  # secant on the loading fraction
        frac *= target / failover_util(frac)
    assert failover_util(frac) == pytest.approx(target, abs=2e-4)
    res, _ = solve_site(site(frac))
    sc = res.what_if("upsa")
    assert sc.exact
    assert sc.ok == (target < 1.0)


def test_single_failure_severity_follows_the_design_intent():
    """Losing racks on a single failure is an error where the scheme claims fault tolerance
    (2N) and a warning, saying so, where it does not (N+1 with a single supply)."""
    _, n1 = solve_site(_n_plus_1(4, 250.0))
    f = [x for x in n1 if x.code == "power.single_failure"]
    assert f and all(x.severity.value == "warning" and "N+1 power design does not claim" in x.message for x in f)
    _, two_n = solve_site(two_n_site(0.55))
    f = [x for x in two_n if x.code == "power.single_failure"]
    assert f and all(x.severity.value == "error" for x in f)
