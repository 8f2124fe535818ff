"""The unbalanced three-phase flow against pandapower's runpp_3ph (a test-only peer): phase
currents, neutral currents and phase-to-neutral voltages on unbalanced four-wire networks
(issue 15), and what the power analysis reports from it."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from test_power_cases import rack, site_of

from designer.model.power import Busway, BuswayTap, Cable, Pdu, PowerChain, PowerSource, Transformer
from designer.solvers.power.loadflow import solve_flow
from designer.solvers.power.network import BR_CABLE, BR_EFF, BR_LINK, BR_TX, CORD, SOURCE, build_network
from designer.solvers.power.routing import cord_conductor
from designer.solvers.power.solve import solve_site
from designer.solvers.power.unbalanced import solve_unbalanced


def runpp_3ph_twin(net, st):
    """pandapower twin: four-wire lines with Z0 = 4 Z (a full neutral), single-phase cords as
    their conductor with the load on one phase, stiff external grids at the sources."""
    import pandapower as pp

    topo = st.topo
    pn = pp.create_empty_network(sn_mva=1.0)
    alive = np.flatnonzero(topo.alive)
    bus = {int(b): pp.create_bus(pn, vn_kv=topo.base_v[b] / 1e3) for b in alive}
    line = {}
    zb = topo.base_v ** 2 / 1e6
    for b in alive:
        b = int(b)
        p = int(topo.ap[b])
        if net.bus_kind[b] == SOURCE:
            pp.create_ext_grid(pn, bus[b], vm_pu=float(net.v_set[b]), va_degree=0.0, s_sc_max_mva=1e8, rx_max=0.1,
                               x0x_max=1.0, r0x0_max=0.1)
        elif net.branch[b] == BR_CABLE and abs(st.z[b]) > 0:
            zo = st.z[b] * zb[b] / (6.0 if net.one_phase[b] else 1.0)
            line[b] = pp.create_line_from_parameters(
                pn, bus[p], bus[b], length_km=1.0, r_ohm_per_km=zo.real, x_ohm_per_km=zo.imag, c_nf_per_km=0.0,
                r0_ohm_per_km=4 * zo.real, x0_ohm_per_km=4 * zo.imag, c0_nf_per_km=0.0, max_i_ka=100.0)
        elif net.branch[b] == BR_TX:
            zr = net.tx_z_rated[b]
            pp.create_transformer_from_parameters(
                pn, bus[p], bus[b], sn_mva=net.tx_rating_va[b] / 1e6, vn_hv_kv=topo.base_v[p] / 1e3,
                vn_lv_kv=topo.base_v[b] / 1e3, vkr_percent=zr.real * 100, vk_percent=abs(zr) * 100, pfe_kw=0.0,
                i0_percent=0.0, shift_degree=150.0, vector_group="Dyn", vk0_percent=abs(zr) * 100,
                vkr0_percent=zr.real * 100, mag0_percent=100.0, mag0_rx=0.0, si0_hv_partial=0.9)
            assert net.p_fe_w[b] == 0 and net.tap_ratio[b] == 1.0, "the twin takes no iron loss and no tap"
        elif net.branch[b] in (BR_CABLE, BR_EFF, BR_LINK):
            pp.create_switch(pn, bus[p], bus[b], et="b", closed=True)
        else:
            raise AssertionError("the twin takes sources, cables, PDUs without losses and taps")
    for c, cb in enumerate(net.cord_bus):
        s = st.cord_s[c] * 1.0  # MVA (1 MVA base)
        ph = net.cord_phase[c]
        kw = {}
        for k, name in enumerate("abc"):
            share = s / 3 if ph == 0 else (s if ph == k + 1 else 0.0)
            kw[f"p_{name}_mw"], kw[f"q_{name}_mvar"] = share.real, share.imag
        pp.create_asymmetric_load(pn, bus[int(cb)], type="wye", **kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pp.runpp_3ph(pn, tolerance_mva=1e-12, max_iteration=100)
    return pn, bus, line


def compare(net, st):
    pn, bus, line = runpp_3ph_twin(net, st)
    u = solve_unbalanced(net, st)
    assert u.converged
    dv, di, dn = 0.0, 0.0, 0.0
    for b, k in bus.items():
        vm = pn.res_bus_3ph.loc[k, ["vm_a_pu", "vm_b_pu", "vm_c_pu"]].to_numpy(float)
        ours = np.abs(u.V[b])
        if net.bus_kind[b] == CORD and net.one_phase[b]:
            p = net.cord_phase[net.bus_cord[b]] - 1
            dv = max(dv, abs(vm[p] - ours[p]))
        else:
            dv = max(dv, float(np.max(np.abs(vm - ours))))
    for b, k in line.items():
        ia = pn.res_line_3ph.loc[k, ["i_a_to_ka", "i_b_to_ka", "i_c_to_ka"]].to_numpy(float) * 1e3
        ours = np.abs(u.I_a[b])
        scale = max(float(ia.max()), 1e-9)
        di = max(di, float(np.max(np.abs(ia - ours))) / scale)
        i_n = float(pn.res_line_3ph.loc[k, "i_n_to_ka"]) * 1e3
        dn = max(dn, abs(i_n - u.neutral_a[b]) / scale)
    return dv, di, dn, u


def _pdu_site(racks, length=30.0):
    src = PowerSource(id="u", name="LV", capacity_kva=1000, voltage_v=415)
    pdu = Pdu(id="p", name="P1", x=0, y=0, upstream_id="u", efficiency=1.0, rating_kva=300, breaker_a=400,
              feeder=Cable(length_m=length, r_ohm_per_km=0.0754, x_ohm_per_km=0.08))
    return site_of(PowerChain(scheme="N", sources=[src], pdus=[pdu]), racks)


def case_all_on_l1():
    """The issue's case: three 20 kW racks all on L1 of a PDU fed straight from a 415 V source."""
    return _pdu_site([rack(f"r{k}", 20.0, "p", phase="L1", length=10.0, breaker=125) for k in range(3)])


def case_mixed_pdu():
    """Nine racks on one PDU: unequal single-phase loads on all three lines, power factors
    0.85-1.0, long cords, and two three-phase racks."""
    racks = []
    for k in range(9):
        ph = ("L1", "L2", "L3", "L1", "L1", "L2", "3P", "L3", "3P")[k]
        racks.append(rack(f"r{k}", 3.0 + 2.5 * k, "p", phase=ph, length=8.0 + 4 * k, pf=(0.85, 0.9, 0.95, 1.0)[k % 4],
                          breaker=63 if ph != "3P" else 80))
    return _pdu_site(racks, length=60.0)


def case_busway():
    """A 30 m busway from a 400 V supply with a tap per rack, single-phase racks on every line."""
    src = PowerSource(id="u", name="LV", capacity_kva=2000, voltage_v=400, voltage_setpoint_pu=1.02)
    bw = Busway(id="bw", name="BW", upstream_id="u", path=[(45.0, 10.0), (15.0, 10.0)], rating_a=1000,
                r_ohm_per_km=0.05, x_ohm_per_km=0.02, feeder=Cable(length_m=25.0, r_ohm_per_km=0.0754,
                                                                   x_ohm_per_km=0.08, parallel_sets=2))
    taps = [BuswayTap(id=f"t{k}", name=f"T{k}", busway_id="bw", offset_m=3.0 * (k + 1), breaker_a=63)
            for k in range(8)]
    racks = [rack(f"r{k}", 6.0 + k, f"t{k}", phase=("L1", "L2", "L3", "L1", "L1", "3P", "L2", "L1")[k],
                  length=5.0, pf=0.95, breaker=63) for k in range(8)]
    return site_of(PowerChain(scheme="N", sources=[src], busways=[bw], taps=taps), racks)


def case_transformer():
    """11 kV supply -> 500 kVA Dyn transformer (6 %) -> 40 m feeder -> PDU with single-phase racks
    loading L1 twice as much as L3: the transformer's own unbalanced drop is in the answer."""
    src = PowerSource(id="u", name="MV", capacity_kva=5000, voltage_v=11000)
    tx = Transformer(id="tx", name="TX", x=5, y=5, upstream_id="u", rating_kva=500, impedance_pct=6.0,
                     load_loss_kw=5.0, no_load_loss_kw=0.0, feeder=Cable(length_m=200.0, r_ohm_per_km=0.125,
                                                                           x_ohm_per_km=0.11))
    pdu = Pdu(id="p", name="P1", x=0, y=0, upstream_id="tx", efficiency=1.0, rating_kva=300, breaker_a=400,
              feeder=Cable(length_m=40.0, r_ohm_per_km=0.0754, x_ohm_per_km=0.08, parallel_sets=2))
    racks = [rack(f"r{k}", 12.0, "p", phase=("L1", "L1", "L2", "L3", "L1", "L2")[k], length=12.0, pf=0.95,
                  breaker=80) for k in range(6)]
    return site_of(PowerChain(scheme="N", sources=[src], transformers=[tx], pdus=[pdu]), racks)


@pytest.mark.parametrize("case", [case_all_on_l1, case_mixed_pdu, case_busway])
def test_unbalanced_flow_agrees_with_runpp_3ph(case):
    net = build_network(case().hall)
    st = solve_flow(net)
    dv, di, dn, _ = compare(net, st)
    assert dv < 1e-4, dv
    assert di < 0.005, di
    assert dn < 0.005, dn


def test_a_transformer_secondary_sags_on_its_loaded_phase():
    """Below a Dyn transformer the secondary is the open-circuit voltage behind the transformer's
    impedance, the same for every sequence: V_p = V_open e^(-j 120 k) - Z I_p on each phase.
    (Not compared with runpp_3ph: pandapower 3.5's Dyn model in the three-phase flow is known to
    give inconsistent low-voltage results, e2nIEE/pandapower issues 1580, 2662 and PR 2720.)"""
    from designer.solvers.power.unbalanced import ROT

    net = build_network(case_transformer().hall)
    st = solve_flow(net)
    u = solve_unbalanced(net, st)
    lv = net.item_out[net.item_index["tx"]]
    i_pu = u.I_a[lv] / (1e6 / (math.sqrt(3) * 415.0))
    i_bal = np.conj(st.s_out[lv] / st.V[lv])
    v_open = st.V[lv] + st.z[lv] * i_bal
    assert np.allclose(u.V[lv], v_open * ROT - st.z[lv] * i_pu, atol=1e-12)
    v = np.abs(u.V[lv])
    assert v[0] < abs(st.V[lv]) < v[2]  # L1 carries twice L3
    assert u.neutral_a[lv] == pytest.approx(abs(u.I_a[lv].sum()))
    assert np.abs(u.I_a[lv]).sum() == pytest.approx(np.abs(u.I_a[net.item_entry[net.item_index["p"]]]).sum())


def test_the_issue_case_265_a_on_l1_and_in_the_neutral():
    site = case_all_on_l1()
    res, findings = solve_site(site)
    pdu = res.nodes["p"]
    a, b, c = pdu.phase_current_a
    assert a == pytest.approx(265, abs=2) and b == pytest.approx(0, abs=1e-6) and c == pytest.approx(0, abs=1e-6)
    assert pdu.neutral_a == pytest.approx(a, rel=1e-9)
    f = [x for x in findings if x.code == "power.phase_imbalance" and "P1" in x.message]
    assert f and "200 %" in f[0].message and f[0].fix


def test_single_phase_cord_drop_is_two_i_r_cos_plus_x_sin():
    """One 5 kW single-phase rack on a 30 m cord: the drop against 2 I (R cos + X sin) L by hand."""
    site = _pdu_site([rack("r", 5.0, "p", phase="L2", length=30.0, pf=1.0, breaker=32)], length=0.0)
    site.hall.power.pdus[0].feeder = Cable(length_m=0.0)
    res, _ = solve_site(site)
    f = res.feeds["r#A"]
    _, rk, xk = cord_conductor(32)
    v_ln = 415.0 / math.sqrt(3)
    i = 5000.0 / v_ln
    by_hand = 2 * i * (rk * 1.0 + xk * 0.0) * 30.0 / 1000.0 / v_ln * 100
    assert f.cord_drop_pct == pytest.approx(by_hand, rel=0.02)
    assert f.voltage_v == pytest.approx(v_ln * (1 - f.drop_pct / 100), rel=1e-9)


def test_phase_to_neutral_voltage_at_each_cord():
    site = case_mixed_pdu()
    res, _ = solve_site(site)
    net = build_network(site.hall)
    u = solve_unbalanced(net, solve_flow(net))
    v_ln = 415.0 / math.sqrt(3)
    for c, b in enumerate(net.cord_bus):
        f = res.feeds[net.bus_label[b]]
        ph = net.cord_phase[c]
        if ph == 0:
            assert f.phase_voltage_v == pytest.approx(tuple(np.abs(u.V[b]) * v_ln), rel=1e-12)
        else:
            expect = [0.0, 0.0, 0.0]
            expect[ph - 1] = abs(u.V[b, ph - 1]) * v_ln
            assert f.phase_voltage_v == pytest.approx(tuple(expect), rel=1e-12)
            assert f.voltage_v == pytest.approx(expect[ph - 1], rel=1e-12)


def test_an_unbalanced_flow_without_solution_is_an_error_not_a_number():
    """One line overloaded far beyond its loop impedance while the balanced model (which spreads
    the load) still solves."""
    racks = [rack(f"r{k}", 30.0, "p", phase="L1", length=60.0, breaker=400, pf=0.95) for k in range(4)]
    site = _pdu_site(racks, length=400.0)
    site.hall.power.pdus[0].feeder = Cable(length_m=400.0, r_ohm_per_km=0.387, x_ohm_per_km=0.08)
    net = build_network(site.hall)
    st = solve_flow(net)
    u = solve_unbalanced(net, st)
    assert not u.converged
    res, findings = solve_site(site)
    assert any(f.code == "power.unbalanced_no_solution" for f in findings)
    assert all(math.isfinite(x) for n in res.nodes.values() for x in n.phase_current_a)


def test_berlin_db_b_no_longer_reads_the_same_current_on_every_phase(sample_project):
    """Behind a transformer and a switchboard, no UPS: the issue saw 168.3 A on all three phases."""
    site = next(s for s in sample_project.sites if s.id == "urb-ber")
    res, _ = solve_site(site)
    db_b = next(n for n in res.nodes.values() if n.name == "DB-B")
    a, b, c = db_b.phase_current_a
    assert max(a, b, c) - min(a, b, c) > 5.0
    assert db_b.neutral_a > 5.0
    # the neutral is the phasor sum of the three: it never exceeds the largest phase current here
    assert db_b.neutral_a <= max(a, b, c)
