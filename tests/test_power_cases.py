"""Small power chains built in code for the power tests, and checks of the basic physics.

The builders return a :class:`~designer.model.project.Site` whose hall holds only a power
chain and racks; cable lengths are given explicitly unless a test wants them routed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from designer.model.hall import Feed, Hall, Rack
from designer.model.power import (
    Busway,
    BuswayTap,
    Cable,
    Pdu,
    PowerChain,
    PowerSource,
    Switchboard,
    Transformer,
    Ups,
)
from designer.model.project import Site
from designer.solvers.power.loadflow import solve_flow
from designer.solvers.power.network import S_BASE_VA, build_network
from designer.solvers.power.routing import ROUTE_ALLOWANCE_M, cord_conductor

MV = Cable(length_m=100.0, r_ohm_per_km=0.125, x_ohm_per_km=0.11)
LV = Cable(length_m=20.0, r_ohm_per_km=0.0754, x_ohm_per_km=0.08, parallel_sets=2)


def site_of(chain: PowerChain, racks: list[Rack], sid: str = "t") -> Site:
    return Site(id=sid, name="test", hall=Hall(outline=[(0, 0), (60, 0), (60, 40), (0, 40)], racks=racks,
                                                power=chain))


def rack(rid: str, kw: float, a: str | None, b: str | None = None, *, x: float = 10.0, y: float = 10.0,
         phase: str = "3P", breaker: float = 63.0, pf: float = 0.95, length: float | None = 5.0,
         split: float = 0.5) -> Rack:
    fa = Feed(source_id=a, phase=phase, breaker_a=breaker, cable_length_m=length) if a else None
    fb = Feed(source_id=b, phase=phase, breaker_a=breaker, cable_length_m=length) if b else None
    return Rack(id=rid, name=rid.upper(), x=x, y=y, it_load_kw=kw, power_factor=pf, feed_a=fa, feed_b=fb,
                feed_split_a=split)


def tx_busway_site(n_taps: int = 10, rack_kw: float = 40.0, single_phase_every: int = 0) -> Site:
    """11 kV source -> 1 MVA transformer -> switchboard -> 30 m busway with a tap per rack."""
    src = PowerSource(id="u", name="Utility", capacity_kva=2000, voltage_v=11000)
    tx = Transformer(id="tx", name="TX", x=50, y=5, upstream_id="u", feeder=MV, rating_kva=1000,
                     impedance_pct=6.0, x_r_ratio=6.0, no_load_loss_kw=1.4, load_loss_kw=9.0)
    swb = Switchboard(id="swb", name="SWB", x=48, y=8, upstream_id="tx", feeder=LV, rating_a=2000)
    bw = Busway(id="bw", name="BW", upstream_id="swb", path=[(45.0, 10.0), (15.0, 10.0)], rating_a=1600,
                r_ohm_per_km=0.03, x_ohm_per_km=0.015, feeder=Cable(length_m=8.0, r_ohm_per_km=0.0188,
                                                                    x_ohm_per_km=0.02, parallel_sets=4))
    taps = [BuswayTap(id=f"t{k}", name=f"T{k}", busway_id="bw", offset_m=2.5 + 2.5 * k, breaker_a=125)
            for k in range(n_taps)]
    racks = []
    for k in range(n_taps):
        ph = "3P"
        if single_phase_every and k % single_phase_every == 0:
            ph = "L1"
        racks.append(rack(f"r{k}", rack_kw if ph == "3P" else rack_kw / 4, f"t{k}", phase=ph, breaker=125,
                          x=42.5 - 2.5 * k, y=11.0, length=4.0))
    chain = PowerChain(scheme="N", sources=[src], transformers=[tx], switchboards=[swb], busways=[bw], taps=taps)
    return site_of(chain, racks)


def two_n_site(load_frac: float = 0.45, n_racks: int = 8, module_kw: float = 100.0, modules: int = 4,
               redundant: int = 0) -> Site:
    """A 2N chain: per side utility -> TX -> SWB -> UPS -> PDU; every rack on both sides.

    ``load_frac`` is each side's UPS loading in normal operation as a fraction of its full
    capacity (``modules * module_kw``), counting IT load only.
    """
    cap = modules * module_kw
    rack_kw = 2 * load_frac * cap / n_racks
    chain = PowerChain(scheme="2N")
    for side, x in (("A", 40.0), ("B", 50.0)):
        s = side.lower()
        chain.sources.append(PowerSource(id=f"u{s}", name=f"Utility {side}", capacity_kva=3000, voltage_v=11000,
                                         side=side))
        chain.transformers.append(Transformer(id=f"tx{s}", name=f"TX-{side}", x=x, y=30, upstream_id=f"u{s}",
                                              feeder=MV, side=side, rating_kva=2500))
        chain.switchboards.append(Switchboard(id=f"swb{s}", name=f"SWB-{side}", x=x, y=26, upstream_id=f"tx{s}",
                                              side=side, rating_a=4000, feeder=LV))
        chain.ups.append(Ups(id=f"ups{s}", name=f"UPS-{side}", x=x, y=22, upstream_id=f"swb{s}", side=side,
                             module_kw=module_kw, module_count=modules, redundant_modules=redundant,
                             efficiency=0.96, feeder=LV))
        chain.pdus.append(Pdu(id=f"pdu{s}", name=f"PDU-{side}", x=x - 20, y=15, upstream_id=f"ups{s}", side=side,
                              rating_kva=2 * cap, breaker_a=4000, efficiency=0.98,
                              feeder=Cable(length_m=30.0, r_ohm_per_km=0.0188, x_ohm_per_km=0.02,
                                           parallel_sets=4)))
    racks = [rack(f"r{k}", rack_kw, "pdua", "pdub", x=5.0 + 1.0 * k, y=5.0, breaker=400, length=10.0)
             for k in range(n_racks)]
    return site_of(chain, racks)


# -- basic physics of the load flow -------------------------------------------------------

def test_single_cable_matches_the_closed_form():
    """Source - cable - constant-power load: |V|^2 from the quadratic of the two-bus problem."""
    src = PowerSource(id="u", capacity_kva=500, voltage_v=400)
    pdu = Pdu(id="p", x=0, y=0, upstream_id="u", feeder=Cable(length_m=100.0, r_ohm_per_km=0.3, x_ohm_per_km=0.1),
              efficiency=1.0, rating_kva=500, breaker_a=800)
    r = rack("r", 100.0, "p", length=0.0, pf=0.9, breaker=250)
    net = build_network(site_of(PowerChain(sources=[src], pdus=[pdu]), [r]).hall)
    st = solve_flow(net)
    z = complex(0.03, 0.01) * S_BASE_VA / 400.0 ** 2
    p = 0.1
    q = p * math.tan(math.acos(0.9))
    # |V|^4 + (2 (R P + X Q) - 1) |V|^2 + |Z|^2 |S|^2 = 0, larger root
    b = 2 * (z.real * p + z.imag * q) - 1.0
    c = abs(z) ** 2 * (p * p + q * q)
    v2 = (-b + math.sqrt(b * b - 4 * c)) / 2
    assert abs(st.V[net.item_out[1]]) == pytest.approx(math.sqrt(v2), abs=1e-12)
    loss = z.real * (p * p + q * q) / v2 * S_BASE_VA / 1e3
    assert st.losses_kw == pytest.approx(loss, rel=1e-9)
    assert st.source_kw == pytest.approx(100.0 + loss, rel=1e-12)


def test_transformer_losses_at_rated_load_are_the_data_sheet_figures():
    """At 1.0 pu and rated kVA through it, a transformer loses no-load + load loss."""
    src = PowerSource(id="u", capacity_kva=5000, voltage_v=11000)
    tx = Transformer(id="tx", x=0, y=0, upstream_id="u", feeder=Cable(length_m=0.0), rating_kva=1000,
                     impedance_pct=6.0, no_load_loss_kw=1.4, load_loss_kw=9.0)
    pdu = Pdu(id="p", x=0, y=0, upstream_id="tx", feeder=Cable(length_m=0.0), efficiency=1.0, rating_kva=2000,
              breaker_a=4000)
    r = rack("r", 1000.0, "p", length=0.0, pf=1.0, breaker=4000)
    net = build_network(site_of(PowerChain(sources=[src], transformers=[tx], pdus=[pdu]), [r]).hall)
    st = solve_flow(net)
    v_lv = abs(st.V[net.item_out[1]])
    # series loss = load_loss * (I / I_rated)^2 with I = S / V (pu): 1000 kVA at v_lv
    expected = 1.4 + 9.0 / v_lv ** 2
    assert st.losses_kw == pytest.approx(expected, rel=1e-9)
    # data sheet: vk 6 %, vkr 0.9 % -> the drop at unity power factor is about vkr plus vx^2 / 2
    assert 1 - v_lv == pytest.approx(0.009 + 0.0593 ** 2 / 2, abs=2e-3)


def test_ups_and_pdu_efficiencies_and_the_ups_regulated_output():
    src = PowerSource(id="u", capacity_kva=500, voltage_v=415)
    ups = Ups(id="ups", x=0, y=0, upstream_id="u", feeder=Cable(length_m=50.0), efficiency=0.95, module_kw=100,
              module_count=3)
    pdu = Pdu(id="p", x=0, y=0, upstream_id="ups", feeder=Cable(length_m=0.0), efficiency=0.98, rating_kva=300,
              breaker_a=500)
    r = rack("r", 100.0, "p", length=0.0, pf=0.9, breaker=250)
    net = build_network(site_of(PowerChain(sources=[src], ups=[ups], pdus=[pdu]), [r]).hall)
    st = solve_flow(net)
    p_ups_out = 100.0 / 0.98
    assert st.s_out[net.item_out[1]].real * 1e3 == pytest.approx(p_ups_out, rel=1e-12)
    assert abs(st.V[net.item_out[1]]) == 1.0  # regulated
    # the UPS input is at unity power factor: the source sees no reactive power but its cable's
    p_in = p_ups_out / 0.95
    assert st.s_out[net.item_entry[1]].real * 1e3 == pytest.approx(p_in, rel=1e-12)
    assert st.s_out[net.item_entry[1]].imag == pytest.approx(0.0, abs=1e-15)
    assert st.losses_kw == pytest.approx(st.source_kw - 100.0, rel=1e-12)


def test_single_phase_cord_drop_is_the_line_neutral_loop():
    """A 230 V cord: dV = 2 I (R cos + X sin) to first order, against line-neutral voltage."""
    src = PowerSource(id="u", capacity_kva=500, voltage_v=400)
    pdu = Pdu(id="p", x=0, y=0, upstream_id="u", feeder=Cable(length_m=0.0), efficiency=1.0, rating_kva=500,
              breaker_a=800)
    r = rack("r", 5.0, "p", phase="L2", length=30.0, pf=1.0, breaker=32)
    net = build_network(site_of(PowerChain(sources=[src], pdus=[pdu]), [r]).hall)
    st = solve_flow(net)
    _, rk, xk = cord_conductor(32)
    zl = 2 * complex(rk, xk) * 30.0 / 1000.0  # line + neutral
    v_ln = 400.0 / math.sqrt(3)
    # two-bus closed form on the loop: |V|^4 + (2 R P - V0^2) |V|^2 + |Z|^2 P^2 = 0
    b = 2 * zl.real * 5000.0 - v_ln ** 2
    v = math.sqrt((-b + math.sqrt(b * b - 4 * abs(zl) ** 2 * 5000.0 ** 2)) / 2)
    cb = net.cord_bus[0]
    assert abs(st.V[cb]) * v_ln == pytest.approx(v, rel=1e-9)
    assert st.current_a[cb] == pytest.approx(5000.0 / v, rel=1e-9)


def test_routed_lengths_are_manhattan_plus_the_allowance():
    src = PowerSource(id="u", capacity_kva=500, voltage_v=400)
    ups = Ups(id="ups", x=30.0, y=20.0, upstream_id="u")
    pdu = Pdu(id="p", x=10.0, y=5.0, upstream_id="ups")
    r = rack("r", 10.0, "p", x=14.0, y=12.5, length=None)
    net = build_network(site_of(PowerChain(sources=[src], ups=[ups], pdus=[pdu]), [r]).hall)
    assert net.feeder_len_m[net.item_entry[2]] == pytest.approx(20.0 + 15.0 + ROUTE_ALLOWANCE_M)
    assert net.cord_len_m[0] == pytest.approx(4.0 + 7.5 + ROUTE_ALLOWANCE_M)
    # from a source (not on the plan): the allowance, with an info finding saying so
    assert net.feeder_len_m[net.item_entry[1]] == pytest.approx(ROUTE_ALLOWANCE_M)
    assert [f.code for f in net.findings] == ["power.feeder_length"]


def test_busway_voltage_falls_along_the_taps_and_the_balance_closes():
    site = tx_busway_site()
    net = build_network(site.hall)
    st = solve_flow(net)
    taps = [net.item_index[f"t{k}"] for k in range(10)]
    v = np.abs(st.V[net.item_out[taps]])
    assert np.all(np.diff(v) < 0)
    assert st.balance_error_kw == pytest.approx(0.0, abs=1e-9)
    assert st.load_kw == pytest.approx(400.0)


def test_split_and_failover_shares():
    site = two_n_site(0.3)
    site.hall.racks[0].feed_split_a = 0.7
    net = build_network(site.hall)
    st = solve_flow(net)
    s = net.rack_s_pu[0]
    assert st.cord_s[net.rack_cords[0, 0]] == pytest.approx(0.7 * s)
    assert st.cord_s[net.rack_cords[0, 1]] == pytest.approx(0.3 * s)
    st_b = solve_flow(net, (net.item_index["pdua"],))
    assert st_b.cord_s[net.rack_cords[0, 0]] == 0
    assert st_b.cord_s[net.rack_cords[0, 1]] == pytest.approx(s)
    assert st_b.rack_powered.all()
    assert st_b.load_kw == pytest.approx(st.load_kw)


def test_480_277_volt_system():
    """A 480 V board: three-phase cords at 480 V, single-phase cords line-neutral at 277 V."""
    from designer.solvers.power.solve import solve_site

    src = PowerSource(id="u", capacity_kva=500, voltage_v=480)
    pdu = Pdu(id="p", x=0, y=0, upstream_id="u", voltage_v=480, feeder=Cable(length_m=0.0), rating_kva=300,
              breaker_a=400)
    racks = [rack("r3", 20.0, "p", length=0.0, pf=1.0, breaker=63),
             rack("r1", 5.0, "p", phase="L1", length=0.0, pf=1.0, breaker=32)]
    res, findings = solve_site(site_of(PowerChain(sources=[src], pdus=[pdu]), racks))
    f3, f1 = res.feeds["r3#A"], res.feeds["r1#A"]
    assert f3.voltage_v == pytest.approx(480.0) and f1.voltage_v == pytest.approx(480.0 / math.sqrt(3))
    assert f3.current_a == pytest.approx(20000.0 / (math.sqrt(3) * 480.0))
    assert f1.current_a == pytest.approx(5000.0 / 277.128, rel=1e-4)
    assert not [f for f in findings if f.code == "power.voltage_mismatch"]
    # a 415 V PDU on the 480 V board is flagged
    pdu.voltage_v = 415.0
    _, findings = solve_site(site_of(PowerChain(sources=[src], pdus=[pdu]), racks))
    assert [f.code for f in findings if f.code == "power.voltage_mismatch"] == ["power.voltage_mismatch"]
