"""The load flow against pandapower (a test-only peer) on the same networks.

:func:`to_pandapower` builds a pandapower twin of a solved network in a given state: lines
for cables, busway segments and cords (a single-phase cord with its 6 x impedance, as in
our balanced model), two-winding transformers with the iron loss as a shunt on the
primary, an external grid at every live source and every UPS output (a double-conversion
UPS regulates its output), a load at every UPS input equal to the output's real power over
the efficiency, and a load for every PDU's loss. Those two depend on the flows below them,
so :func:`run_pandapower` repeats pandapower's load flow until they settle. The benchmark
uses the same twin.
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pytest

from designer.solvers.power.loadflow import FlowState, solve_flow
from designer.solvers.power.network import (
    BR_CABLE,
    BR_EFF,
    BR_LINK,
    BR_TX,
    BR_UPS,
    S_BASE_VA,
    SOURCE,
    PowerNetwork,
)

SIGN = 1.0
"""A positive step of pandapower's low-voltage-side tap raises the secondary's no-load voltage,
as ``tap_pct`` does."""


def to_pandapower(net: PowerNetwork, st: FlowState):
    """(pandapower net, bookkeeping) of ``net`` in state ``st``."""
    import pandapower as pp

    topo = st.topo
    alive = np.flatnonzero(topo.alive)
    pn = pp.create_empty_network(sn_mva=S_BASE_VA / 1e6)
    bus = {int(b): pp.create_bus(pn, vn_kv=topo.base_v[b] / 1e3, name=net.bus_label[b]) for b in alive}
    zb = topo.base_v ** 2 / S_BASE_VA
    book = {"bus": bus, "ups": {}, "ups_eg": {}, "eff": {}, "eff_line": {}}
    for b in alive:
        b = int(b)
        br, p = net.branch[b], int(topo.ap[b])
        if net.bus_kind[b] == SOURCE:
            pp.create_ext_grid(pn, bus[b], vm_pu=float(net.v_set[b]), va_degree=0.0)
        elif br == BR_CABLE:
            zo = st.z[b] * zb[b]
            if abs(zo) == 0:
                pp.create_switch(pn, bus[p], bus[b], et="b", closed=True)
            else:
                pp.create_line_from_parameters(pn, bus[p], bus[b], length_km=1.0, r_ohm_per_km=zo.real,
                                               x_ohm_per_km=zo.imag, c_nf_per_km=0.0, max_i_ka=100.0)
        elif br == BR_TX:
            zr = net.tx_z_rated[b]
            pp.create_transformer_from_parameters(
                pn, bus[p], bus[b], sn_mva=net.tx_rating_va[b] / 1e6, vn_hv_kv=topo.base_v[p] / 1e3,
                vn_lv_kv=topo.base_v[b] / 1e3, vkr_percent=zr.real * 100, vk_percent=abs(zr) * 100,
                pfe_kw=0.0, i0_percent=0.0, shift_degree=0.0)
            if net.tap_ratio[b] != 1.0:  # an off-load tap on the secondary: its no-load voltage x ratio
                t = pn.trafo.index[-1]
                for col, v in (("tap_side", "lv"), ("tap_neutral", 0), ("tap_min", -10), ("tap_max", 10),
                               ("tap_pos", 1), ("tap_changer_type", "Ratio"),
                               ("tap_step_percent", SIGN * (net.tap_ratio[b] - 1.0) * 100.0)):
                    if isinstance(v, str):
                        pn.trafo[col] = pn.trafo[col].astype(object) if col in pn.trafo else None
                    else:
                        pn.trafo[col] = pn.trafo[col].astype(float) if col in pn.trafo else np.nan
                    pn.trafo.loc[t, col] = v
            if net.p_fe_w[b] > 0:
                pp.create_shunt(pn, bus[p], p_mw=net.p_fe_w[b] / 1e6, q_mvar=0.0)
        elif br == BR_UPS:
            book["ups_eg"][b] = pp.create_ext_grid(pn, bus[b], vm_pu=1.0, va_degree=0.0)
            book["ups"][b] = pp.create_load(pn, bus[p], p_mw=0.0, q_mvar=0.0)
        elif br == BR_EFF:
            # input and output fused; the power in comes through the PDU's feeder line
            pp.create_switch(pn, bus[p], bus[b], et="b", closed=True)
            book["eff"][b] = pp.create_load(pn, bus[b], p_mw=0.0, q_mvar=0.0)
            feeder = [k for k in pn.line.index if pn.line.at[k, "to_bus"] == bus[p]]
            assert len(feeder) == 1, "a PDU fed over a zero-length cable is not supported by the twin"
            book["eff_line"][b] = feeder[0]
        elif br == BR_LINK:
            pp.create_switch(pn, bus[p], bus[b], et="b", closed=True)
    for b in alive:
        if st.load[b] != 0:
            pp.create_load(pn, bus[int(b)], p_mw=st.load[b].real * S_BASE_VA / 1e6,
                           q_mvar=st.load[b].imag * S_BASE_VA / 1e6)
    return pn, book


def run_pandapower(net: PowerNetwork, st: FlowState, max_rounds: int = 40):
    """Solve the twin until UPS-input and PDU-loss loads settle.

    Returns
    -------
    (pn, book, seconds)
        ``seconds`` times one ``runpp`` call on the settled network: one pandapower load
        flow of the network.
    """
    import pandapower as pp

    pn, book = to_pandapower(net, st)
    eff_b = np.array(list(book["eff"]), dtype=np.int64)
    eff_load = np.array([book["eff"][b] for b in eff_b], dtype=np.int64)
    eff_line = np.array([book["eff_line"][b] for b in eff_b], dtype=np.int64)
    ups_b = np.array(list(book["ups"]), dtype=np.int64)
    ups_load = np.array([book["ups"][b] for b in ups_b], dtype=np.int64)
    ups_eg = np.array([book["ups_eg"][b] for b in ups_b], dtype=np.int64)
    last = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(max_rounds):
            pp.runpp(pn, tolerance_mva=1e-11, max_iteration=50, numba=False, init="flat")
            vals = []
            if eff_b.size:
                loss = pn.load.p_mw.to_numpy()[eff_load]
                p_out = -pn.res_line.p_to_mw.to_numpy()[eff_line] - loss
                pn.load.loc[eff_load, "p_mw"] = p_out * (1.0 / net.eff[eff_b] - 1.0)
                vals.append(pn.load.p_mw.to_numpy()[eff_load])
            if ups_b.size:
                p_out = pn.res_ext_grid.p_mw.to_numpy()[ups_eg]
                pn.load.loc[ups_load, "p_mw"] = p_out / net.eff[ups_b]
                vals.append(pn.load.p_mw.to_numpy()[ups_load])
            v = np.concatenate(vals) if vals else np.zeros(0)
            if last is not None and np.max(np.abs(v - last), initial=0.0) < 1e-12:
                break
            last = v
        t = time.perf_counter()
        pp.runpp(pn, tolerance_mva=1e-11, max_iteration=50, numba=False, init="flat")
        dt = time.perf_counter() - t
    return pn, book, dt


def compare(net: PowerNetwork, st: FlowState, pn, book) -> dict:
    """Largest voltage difference (pu) and both sides' losses (kW)."""
    bus = book["bus"]
    idx = np.array(list(bus))
    ours = np.abs(st.V[idx])
    theirs = pn.res_bus.vm_pu.to_numpy()[[bus[b] for b in idx]]
    lines = pn.res_line.pl_mw.to_numpy().sum()
    series_pp = (lines + pn.res_trafo.pl_mw.sum() + pn.res_shunt.p_mw.sum()) * 1e3
    ups_in = pn.load.p_mw.to_numpy()[list(book["ups"].values())].sum() if book["ups"] else 0.0
    ups_out = pn.res_ext_grid.p_mw.to_numpy()[list(book["ups_eg"].values())].sum() if book["ups"] else 0.0
    eff = pn.load.p_mw.to_numpy()[list(book["eff"].values())].sum() if book["eff"] else 0.0
    total_pp = series_pp + (ups_in - ups_out + eff) * 1e3
    ser = ((net.branch == BR_CABLE) | (net.branch == BR_TX)) & st.topo.alive
    return {"dv_max_pu": float(np.max(np.abs(ours - theirs))), "loss_kw": st.losses_kw, "loss_pp_kw": float(total_pp),
            "series_loss_kw": float(st.loss_kw[ser].sum()), "series_loss_pp_kw": float(series_pp)}


# -- the comparisons ----------------------------------------------------------------------

def _check(net, failed=()):
    st = solve_flow(net, failed)
    pn, book, _ = run_pandapower(net, st)
    c = compare(net, st, pn, book)
    assert c["dv_max_pu"] < 1e-4, c
    assert c["loss_kw"] == pytest.approx(c["loss_pp_kw"], rel=5e-3), c
    assert c["series_loss_kw"] == pytest.approx(c["series_loss_pp_kw"], rel=5e-3), c
    return st, c


def test_transformer_feeding_a_busway_with_taps():
    from test_power_cases import tx_busway_site

    from designer.solvers.power.network import build_network

    net = build_network(tx_busway_site(n_taps=12, rack_kw=60.0, single_phase_every=4).hall)
    st, c = _check(net)
    # a real drop to compare: several percent through the transformer and along the busway
    assert 1 - np.abs(st.V[net.cord_bus]).min() > 0.02
    assert c["series_loss_kw"] > 5.0


@pytest.mark.parametrize("failed", [(), ("upsa",), ("pdub",), ("txa",), ("side A",)])
def test_two_n_system_normal_and_failed(failed):
    from test_power_cases import two_n_site

    from designer.solvers.power.network import build_network

    site = two_n_site(0.45)
    net = build_network(site.hall)
    if failed == ("side A",):
        idx = tuple(i for i, it in enumerate(net.items) if getattr(it, "side", "") == "A")
    else:
        idx = tuple(net.item_index[f] for f in failed)
    st, _ = _check(net, idx)
    assert st.rack_powered.all()
    if failed:
        # every rack now on the surviving side only
        assert np.all(st.cord_s[net.rack_cords[:, 0]] == 0) or np.all(st.cord_s[net.rack_cords[:, 1]] == 0)


def test_source_set_point_and_transformer_tap():
    from test_power_cases import tx_busway_site

    from designer.solvers.power.network import build_network

    site = tx_busway_site(n_taps=8, rack_kw=60.0)
    site.hall.power.sources[0].voltage_setpoint_pu = 1.02
    site.hall.power.transformers[0].tap_pct = 2.5
    net = build_network(site.hall)
    st, _ = _check(net)
    assert np.abs(st.V).max() > 1.02  # the tap lifts the secondary above the source's set point


def test_sample_sites_and_a_generated_hall(sample_project):
    from designer.io.generate import generate_project
    from designer.solvers.power.network import build_network

    for site in [*sample_project.sites, generate_project(40).sites[0]]:
        _check(build_network(site.hall, site.id))


def test_generator_transfer_state(sample_project):
    """The enterprise switchboard's transfer switch moves to a 400 V generator."""
    from designer.solvers.power.network import build_network

    site = next(s for s in sample_project.sites if s.kind == "enterprise")
    net = build_network(site.hall, site.id)
    util = next(i for i, (k, it) in enumerate(zip(net.item_kind, net.items, strict=True))
                if k == "source" and it.kind == "utility")
    st, _ = _check(net, (util,))
    assert st.topo.via_alt.any()
    assert st.rack_powered.all()
