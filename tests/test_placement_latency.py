"""Latency model of placement: the formula and the route rules on hand-worked cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from designer.model.base import Located
from designer.model.project import DataSource, Link, Project, Settings, Site, Workload
from designer.solvers.placement.latency import (
    EARTH_RADIUS_KM,
    Network,
    great_circle_km,
    latency_table,
    round_trip_ms,
)

DEG_KM = EARTH_RADIUS_KM * math.pi / 180.0  # one degree along a meridian: 111.195 km


def test_great_circle_known_distances():
    assert great_circle_km(0.0, 0.0, 1.0, 0.0) == pytest.approx(111.195, abs=1e-3)
    assert great_circle_km(0.0, 0.0, 0.0, 90.0) == pytest.approx(math.pi / 2 * EARTH_RADIUS_KM, rel=1e-12)
    # Frankfurt - Munich against the spherical law of cosines (an independent formula)
    f1, l1, f2, l2 = map(math.radians, (50.0998, 8.6321, 48.1769, 11.5562))
    ref = EARTH_RADIUS_KM * math.acos(math.sin(f1) * math.sin(f2) + math.cos(f1) * math.cos(f2) * math.cos(l2 - l1))
    assert great_circle_km(50.0998, 8.6321, 48.1769, 11.5562) == pytest.approx(ref, abs=1e-6)


def test_round_trip_formula_by_hand():
    # 100 km: 2 x 100 x 4.9 us = 0.98 ms; 4 hops of 50 us both ways = 0.4 ms; + 0.8 + 2
    assert round_trip_ms(100.0, 4 * 50.0, 0.8, 2.0, 4.9) == pytest.approx(4.18, abs=1e-12)
    assert round_trip_ms(0.0, 0.0, 0.0, 1.5, 4.9) == 1.5


def _project() -> Project:
    """Core A at (50, 8), edge B at (49, 8): 1 degree apart; sources around them."""
    L = Located
    p = Project(settings=Settings(fibre_us_per_km=4.9, default_route_factor=1.5, default_hops=4,
                                  default_hop_us=50.0))
    p.sites = [Site(id="A", location=L(lat=50.0, lon=8.0)),
               Site(id="B", kind="industrial", core_site_id="A", location=L(lat=49.0, lon=8.0))]
    p.data_sources = [
        DataSource(id="s1", location=L(lat=49.0, lon=8.0), site_id="B", access_delay_ms=0.5),
        DataSource(id="s2", location=L(lat=51.0, lon=8.0), access_delay_ms=0.2),
        DataSource(id="s3", location=L(lat=48.0, lon=8.0), access_delay_ms=0.0),
        DataSource(id="s4", location=L(lat=49.0, lon=9.0)),
        DataSource(id="s5", location=L(lat=49.0, lon=10.0)),
    ]
    p.links = [
        Link(id="AB", a="A", b="B", route_km=200.0, hops=5, per_hop_us=40.0),
        Link(id="s2A", a="s2", b="A", route_factor=1.4, hops=3, per_hop_us=30.0, access_delay_ms=0.7),
        Link(id="s4B", a="s4", b="B", route_km=10.0, hops=1, per_hop_us=10.0),
        Link(id="s5s4", a="s5", b="s4", route_km=10.0, hops=1, per_hop_us=10.0),
    ]
    p.workloads = [Workload(id=f"w{i}", data_source_id=f"s{i}", processing_ms=1.0) for i in range(1, 6)]
    p.workloads.append(Workload(id="w0", data_source_id=None, processing_ms=3.0))
    return p


@pytest.fixture
def table():
    p = _project()
    net = Network.from_project(p)
    return latency_table(net, p.workloads, p.data_sources, [("mA", "A"), ("mB", "B")]), p


def _row(tab, wid):
    return tab.workload_ids.index(wid)


def test_local_source_is_zero_distance(table):
    tab, _ = table
    b = tab.breakdown(_row(tab, "w1"), 1)
    assert b.route_kind == "local"
    assert (b.route_km, b.fibre_ms, b.hops_ms) == (0.0, 0.0, 0.0)
    assert b.total_ms == pytest.approx(0.5 + 1.0, abs=1e-12)


def test_path_from_source_site_to_core(table):
    tab, _ = table
    b = tab.breakdown(_row(tab, "w1"), 0)
    assert b.route_kind == "path"
    # 200 km: 1.96 ms fibre; 5 hops x 40 us both ways: 0.4 ms; access 0.5; processing 1
    assert b.fibre_ms == pytest.approx(1.96, abs=1e-12)
    assert b.hops_ms == pytest.approx(0.4, abs=1e-12)
    assert b.total_ms == pytest.approx(3.86, abs=1e-12)
    assert tab.route(_row(tab, "w1"), 0).nodes == ("s1", "B", "A")


def test_direct_link_with_route_factor_and_link_access(table):
    tab, _ = table
    b = tab.breakdown(_row(tab, "w2"), 0)
    km = DEG_KM * 1.4
    assert b.route_kind == "direct"
    assert b.route_km == pytest.approx(km, rel=1e-9)
    assert b.total_ms == pytest.approx(2 * km * 4.9e-3 + 2 * 3 * 30e-3 + 0.7 + 0.2 + 1.0, rel=1e-12)
    # on to B through the core: both links' lengths, hops and access add up
    b2 = tab.breakdown(_row(tab, "w2"), 1)
    assert b2.route_kind == "path"
    assert b2.route_km == pytest.approx(km + 200.0, rel=1e-9)
    assert b2.hops_ms == pytest.approx(2 * (3 * 30 + 5 * 40) / 1000.0, abs=1e-12)
    assert b2.access_ms == pytest.approx(0.9, abs=1e-12)


def test_fallback_without_any_link(table):
    tab, _ = table
    b = tab.breakdown(_row(tab, "w3"), 0)  # s3 has no link: 2 degrees south of A
    assert b.route_kind == "fallback"
    assert b.route_km == pytest.approx(2 * DEG_KM * 1.5, rel=1e-9)
    assert b.hops_ms == pytest.approx(2 * 4 * 50e-3, abs=1e-12)
    assert b.total_ms == pytest.approx(2 * 2 * DEG_KM * 1.5 * 4.9e-3 + 0.4 + 1.0, rel=1e-12)


def test_data_source_is_no_transit_node(table):
    tab, _ = table
    # s5 reaches B only through s4, another data source: not a route, so the fallback
    assert tab.breakdown(_row(tab, "w5"), 1).route_kind == "fallback"
    assert tab.breakdown(_row(tab, "w4"), 1).route_kind == "direct"


def test_the_fastest_path_wins_whether_direct_or_not():
    p = _project()
    p.links.append(Link(id="s2B", a="s2", b="B", route_km=1000.0, hops=1, per_hop_us=1.0))
    net = Network.from_project(p)
    r = net.route("s2", "B")  # 1,000 km direct (9.8 ms) against s2 - A - B (about 6.7 ms)
    assert (r.kind, r.links, r.nodes) == ("path", ("s2A", "AB"), ("s2", "A", "B"))
    direct_ms = 2 * 1000.0 * 4.9e-3 + 2 * 1e-3
    assert r.network_ms(4.9) < direct_ms
    p.links[-1] = Link(id="s2B", a="s2", b="B", route_km=100.0, hops=1, per_hop_us=1.0)
    r = Network.from_project(p).route("s2", "B")  # now the direct link is the faster one
    assert (r.kind, r.km, r.links) == ("direct", 100.0, ("s2B",))


def test_a_long_direct_link_loses_to_a_faster_path_through_an_edge_site():
    """The issue's case: a 2,000 km direct link (about 20 ms) beside a path of about 7 ms."""
    L = Located
    p = Project(sites=[Site(id="core", location=L(lat=50.0, lon=8.0)),
                       Site(id="edge", kind="urban", location=L(lat=50.5, lon=8.5))],
                data_sources=[DataSource(id="cam", location=L(lat=51.0, lon=9.0))],
                links=[Link(id="long", a="cam", b="core", route_km=2000.0, hops=2, per_hop_us=50.0),
                       Link(id="a", a="cam", b="edge", route_km=300.0, hops=2, per_hop_us=50.0),
                       Link(id="b", a="edge", b="core", route_km=300.0, hops=2, per_hop_us=50.0)])
    p.workloads = [Workload(id="w", data_source_id="cam", latency_budget_ms=10.0, processing_ms=1.0)]
    tab = latency_table(Network.from_project(p), p.workloads, p.data_sources, [("m", "core")])
    b = tab.breakdown(0, 0)
    assert b.route_kind == "path" and b.route_km == pytest.approx(600.0)
    assert b.total_ms == pytest.approx(2 * 600 * 4.9e-3 + 2 * 4 * 50e-3 + 1.0) and b.total_ms < 10.0


def test_workload_without_source_has_processing_only(table):
    tab, _ = table
    w = _row(tab, "w0")
    assert tab.origin_ids[w] is None
    np.testing.assert_allclose(tab.total_ms[w], [3.0, 3.0], atol=0)
    assert tab.breakdown(w, 0).route_kind == "none"


def test_tether_round_trip():
    p = _project()
    r = Network.from_project(p).route("B", "A")
    assert r.kind == "direct"
    assert r.network_ms(4.9) == pytest.approx(1.96 + 0.4, abs=1e-12)


def test_sample_weld_seam_vision_breakdown(sample_project):
    from designer.solvers.placement import build_placement

    inp = build_placement(sample_project)
    w = inp.workload_index["wl-vision"]
    core = inp.module_index["core-fra.mod1"]
    b = inp.latency.breakdown(w, core)
    # body shop -> Stuttgart node -> core over the 212 km link with 6 hops of 40 us
    assert b.route_km == 212.0
    assert b.total_ms == pytest.approx(2 * 212 * 4.9e-3 + 2 * 6 * 40e-3 + 0.1 + 1.8, abs=1e-12)
