"""The bundled sample project: one core AI factory and one site of each edge kind.

``resources/sample_project.json`` is written by :func:`build_sample_project`
(``python -m designer.io.sample``); a test checks the shipped file matches, so the
sample can be read as code here and changed in one place.
"""

from __future__ import annotations

from designer.document.assembly import inside_module
from designer.io.builder import HallBuilder
from designer.io.catalog_store import shipped_catalog
from designer.model.base import Located
from designer.model.catalog import Catalog
from designer.model.power import Cable
from designer.model.project import (
    DataSource,
    Link,
    Project,
    RevisionEntry,
    Settings,
    Site,
    Workload,
)


def _core(cat: Catalog, taken: set[str]) -> Site:
    """Rhein-Main core: a 1 MW liquid-cooled AI module plus an air-cooled services row, 2N."""
    s = Site(id="core-fra", name="Rhein-Main core AI factory", kind="core",
             location=Located(lat=50.0998, lon=8.6321), utility_capacity_kw=5000,
             cost_per_kw_month=110.0)
    b = HallBuilder(s, cat, taken)
    b.outline(36.0, 22.0)
    s.hall.floor_rating_kg_m2 = 1500.0
    b.columns([12.0, 24.0], [3.0, 19.0], 0.6)
    mod = b.place("AIH-1000L", 9.0, 11.2, 0.0, name="AI-POD-1")
    # two rows back to back around a 1.2 m hot aisle; one in-row CDU heads each row
    cdu1 = b.place("CDU-IR-800", 7.8, 9.8, 180.0, name="CDU-1A")
    row1 = b.rack_row("RK-DLC-132", 8.4, 9.8, 4, 180.0, mod.id)
    cdu2 = b.place("CDU-IR-800", 7.8, 12.2, 0.0, name="CDU-1B")
    row2 = b.rack_row("RK-DLC-132", 8.4, 12.2, 4, 0.0, mod.id)
    for c in (cdu1, cdu2):
        c.pump.speed_fraction = 0.75
    b.containment("hot", 7.5, 10.4, 10.5, 11.6)
    b.liquid_loop(cdu1, row1)
    b.liquid_loop(cdu2, row2)
    # services row: storage / CPU inference and network, air-cooled, in-row coolers at the ends
    b.place("IRC-40", 17.85, 5.0, 0.0)
    svc = b.rack_row("RK-AIR-15", 18.3, 5.0, 6, 0.0)
    net = b.rack_row("RK-NET-6", 22.0, 5.0, 2, 0.0, pitch=0.8)
    b.place("IRC-40", 23.35, 5.0, 0.0)
    b.place("CRAH-150", 6.0, 21.45, 180.0)
    b.place("CRAH-150", 14.0, 21.45, 180.0)
    b.place("CRAH-80", 20.5, 0.55, 0.0)
    # power: two utility feeds, 2N all the way to the racks
    ua = b.source("Utility feed A (11 kV)", 2500, 11000, "A")
    ub = b.source("Utility feed B (11 kV)", 2500, 11000, "B")
    sides = {}
    for side, util, x in (("A", ua, 28.0), ("B", ub, 33.0)):
        tx = b.place("TX-2500", x, 19.8, 180.0, name=f"TX-{side}")
        tx.upstream_id, tx.side = util.id, side
        tx.feeder = Cable(length_m=120.0, r_ohm_per_km=0.125, x_ohm_per_km=0.11)
        swb = b.place("SWB-4000", x, 16.5, 180.0, name=f"SWB-{side}")
        swb.upstream_id, swb.side = tx.id, side
        swb.feeder = _feeder_for(1150.0)  # each side carries the whole hall when the other fails
        ups = b.place("UPS-1500-M", x, 12.5, 180.0, name=f"UPS-{side}")
        ups.upstream_id, ups.side = swb.id, side
        ups.feeder = _feeder_for(1150.0)
        pdu = b.place("PDU-150", x - 2.0 if side == "A" else x + 1.5, 4.5, 0.0, name=f"PDU-{side}1")
        pdu.upstream_id, pdu.side = ups.id, side
        y = 10.9 if side == "A" else 11.1
        bw = b.busway("BW-2000", [(26.0, y), (8.1, y)], ups.id, side, name=f"BW-{side}1")
        bw.feeder = _feeder_for(1050.0)
        sides[side] = (pdu, bw)
    for r in row1 + row2:
        for side in ("A", "B"):
            tap = b.tap_for(sides[side][1], r.x, r.y, 250.0)
            b.feed(r, side, tap.id)
    for i, r in enumerate(svc + net):
        phase = "3P" if r.catalog_model == "RK-AIR-15" else ("L1", "L2", "L3")[i % 3]
        b.feed(r, "A", sides["A"][0].id, phase)
        b.feed(r, "B", sides["B"][0].id, phase)
    s.hall.power.scheme = "2N"
    b.water_supply("Facility water", 32.0, 2500)
    return s


def _feeder_for(kw: float, volts: float = 415.0, length_m: float = 30.0) -> Cable:
    """A routed low-voltage feeder sized (IEC 60364-5-52, method E) for ``kw`` over about ``length_m``."""
    from designer.solvers.sizing import design_current_a, size_cable

    c = size_cable(design_current_a(kw, volts), length_m, volts)
    return Cable(r_ohm_per_km=c.r_ohm_per_km, x_ohm_per_km=c.x_ohm_per_km, parallel_sets=c.sets,
                 conductor_mm2=c.mm2)


def _industrial(cat: Catalog, taken: set[str]) -> Site:
    """Stuttgart body shop: a ruggedised 120 kW skid on the factory floor, UPS on side A."""
    s = Site(id="ind-str", name="Stuttgart body-shop node", kind="industrial", core_site_id="core-fra",
             location=Located(lat=48.8342, lon=9.1525), utility_capacity_kw=400, cost_per_kw_month=210.0)
    b = HallBuilder(s, cat, taken)
    b.outline(14.0, 8.0)
    s.hall.floor_rating_kg_m2 = 5000.0
    b.columns([0.4, 13.6], [0.4, 7.6], 0.5)
    mod = b.place("IND-120R", 6.0, 4.0, 0.0, name="SKID-1")
    cdu = b.place("CDU-IR-100", 3.6, 3.48, 0.0, name="CDU-1")
    cdu.pump.speed_fraction = 0.8  # commissioned for ~115 % of design flow (full speed gave 140 %, 2.5 m/s)
    racks = b.rack_row("RK-EDGE-30", 4.2, 3.48, 4, 0.0, mod.id)
    for c in racks:
        c.module_id = mod.id
    b.place("IRC-40", 6.75, 3.58, 0.0)
    b.liquid_loop(cdu, racks, offset_m=0.08, header_gap_m=0.06, riser_m=1.0)
    util = b.source("Factory LV board (400 V)", 630, 400, "")  # feeds both sides: on neither
    ups = b.place("UPS-160-R", 11.0, 6.5, 180.0, name="UPS-1")
    ups.upstream_id, ups.side = util.id, "A"
    ups.feeder = Cable(length_m=35.0, r_ohm_per_km=0.153, x_ohm_per_km=0.08)
    dba = b.place("RPP-400", 10.0, 1.0, 0.0, name="DB-A")
    dba.upstream_id, dba.side = ups.id, "A"
    dbb = b.place("RPP-400", 11.0, 1.0, 0.0, name="DB-B")
    dbb.upstream_id, dbb.side = util.id, "B"
    dbb.feeder = Cable(length_m=40.0, r_ohm_per_km=0.153, x_ohm_per_km=0.08)
    for r in racks:
        b.feed(r, "A", dba.id)
        b.feed(r, "B", dbb.id)
    s.hall.power.scheme = "N+1"
    b.water_supply("Facility water", 35.0, 150)
    return s


def _enterprise(cat: Catalog, taken: set[str]) -> Site:
    """Munich campus: a 400 kW hybrid room module, cold-aisle containment, 2N UPS."""
    s = Site(id="ent-muc", name="Munich campus node", kind="enterprise", core_site_id="core-fra",
             location=Located(lat=48.1769, lon=11.5562), utility_capacity_kw=900, cost_per_kw_month=180.0)
    b = HallBuilder(s, cat, taken)
    b.outline(22.0, 12.0)
    s.hall.floor_rating_kg_m2 = 1200.0
    mod = b.place("ENT-400H", 8.0, 6.0, 0.0, name="ENT-1")
    cdu = b.place("CDU-IR-300", 3.7, 4.6, 0.0, name="CDU-1")
    cdu.pump.speed_fraction = 0.55  # a 300 kW CDU on a 154 kW loop: full speed pushed 2x design flow at 3.6 m/s
    hyb = b.rack_row("RK-HYB-50", 4.3, 4.6, 8, 0.0, mod.id, load_kw=32.0)
    # the hybrid row puts 102 kW into the air: 70 kW in-row coolers at both ends (the air model
    # found 40 kW units at 116-120 %: 2.9 m3/s returning at the racks' 14 K rise is ~47 kW)
    b.place("IRC-70", 9.2, 4.6, 0.0)
    b.place("IRC-40", 3.25, 7.0, 180.0)
    air = b.rack_row("RK-AIR-15", 3.7, 7.0, 6, 180.0, mod.id, load_kw=10.0)
    net = b.rack_row("RK-NET-6", 7.4, 7.0, 2, 180.0, mod.id, pitch=0.8, load_kw=5.0)
    b.place("IRC-40", 8.75, 7.0, 180.0)
    b.containment("cold", 2.5, 5.2, 9.5, 6.4)
    b.liquid_loop(cdu, hyb)
    b.place("CRAH-80", 1.0, 10.0, 270.0)
    b.place("CRAH-80", 15.0, 11.55, 180.0)
    # a fourth in-row cooler at the west end of the hybrid row: the contained cold aisle must be
    # fed by the coolers facing it (the racks draw 11.0 m3/s, three coolers supply 8.7 m3/s; the
    # air model showed 2.3 m3/s of hot air sucked in through the end panels, 42 degC intakes)
    b.place("IRC-70", 2.8, 4.6, 0.0)
    util = b.source("Campus ring main (11 kV)", 1250, 11000, "")
    gen = b.source("Standby generator 800 kVA", 800, 400, "", kind="generator")
    tx = b.place("TX-1000", 20.5, 10.5, 180.0, name="TX-1")
    tx.upstream_id = util.id
    tx.feeder = Cable(length_m=60.0, r_ohm_per_km=0.206, x_ohm_per_km=0.12)
    # one board per side, each with a transfer switch to the generator, so that no single board,
    # transformer or supply takes both sides down; each side's PDUs carry the whole room alone
    sides = {}
    for side, y, y_swb in (("A", 4.5, 7.5), ("B", 1.5, 3.5)):
        swb = b.place("SWB-1600", 19.5, y_swb, 270.0, name=f"SWB-{side}")
        swb.upstream_id, swb.alternate_upstream_id, swb.side = tx.id, gen.id, side
        swb.feeder = _feeder_for(360.0)  # each side carries the whole room when the other fails
        ups = b.place("UPS-500-M", 16.5, y, 0.0, name=f"UPS-{side}")
        ups.upstream_id, ups.side = swb.id, side
        ups.feeder = _feeder_for(360.0)
        pdu = b.place("PDU-300", 13.0, y - 0.5, 0.0, name=f"PDU-{side}1")
        pdu.upstream_id, pdu.side = ups.id, side
        pdu2 = b.place("PDU-150", 11.6, y - 0.5, 0.0, name=f"PDU-{side}2")
        pdu2.upstream_id, pdu2.side = ups.id, side
        sides[side] = (pdu, pdu2)
    for i, r in enumerate(hyb + air + net):
        phase = "3P" if r.catalog_model != "RK-NET-6" else ("L1", "L2", "L3")[i % 3]
        k = 0 if r.catalog_model == "RK-HYB-50" else 1
        b.feed(r, "A", sides["A"][k].id, phase)
        b.feed(r, "B", sides["B"][k].id, phase)
    s.hall.power.scheme = "2N"
    b.water_supply("Facility water", 18.0, 500)
    return s


def _urban(cat: Catalog, taken: set[str]) -> Site:
    """Berlin city site: a 40 ft container in a plant yard, UPS N+1 on A, mains on B."""
    s = Site(id="urb-ber", name="Berlin Mitte city node", kind="urban", core_site_id="core-fra",
             location=Located(lat=52.5145, lon=13.3923), utility_capacity_kw=300, cost_per_kw_month=260.0)
    b = HallBuilder(s, cat, taken)
    b.outline(18.0, 8.0)
    s.hall.floor_rating_kg_m2 = 2500.0
    # 7.99, not 8.0: the west-end cooler (x 1.9 to 2.5) must fit inside the container wall (x 1.895)
    mod = b.place("URB-250A", 7.99, 4.0, 0.0, name="CNT-1")
    y = 3.38
    cdu = b.place("CDU-IR-300", 2.8, y, 0.0, name="CDU-1")
    cdu.pump.speed_fraction = 0.52  # 96 kW on a 300 kW CDU: full speed gave 2.1x design flow at 3.8 m/s
    hyb = b.rack_row("RK-HYB-50", 3.4, y, 4, 0.0, mod.id)
    b.place("IRC-70", 5.8, y, 0.0)
    air = b.rack_row("RK-AIR-15", 6.4, y, 4, 0.0, mod.id)
    b.place("IRC-40", 8.65, y, 0.0)
    net = b.rack_row("RK-NET-6", 9.2, y, 2, 0.0, mod.id, pitch=0.8)
    b.place("IRC-40", 10.55, y, 0.0)
    # west end, by the hybrid racks: their exhaust needs a return near it (a second cooler at
    # the east end beside the first one served only two 5 kW network racks; the air model put
    # 41 degC at the first hybrid rack's intake, hot air coming round the row end)
    # 70 kW units either side of the hybrid racks: they put 64 kW into the air, and 40 kW
    # units there ran at 115 % (2.9 m3/s returning at the racks' 14 K rise is ~47 kW)
    b.place("IRC-70", 2.2, y, 0.0)
    b.liquid_loop(cdu, hyb, offset_m=0.08, header_gap_m=0.06)
    for r in hyb + air + net:
        r.clearance_rear_m = 0.0  # front-access racks; the rear is reached through the container's doors
    util = b.source("City grid (10 kV)", 400, 10000, "")
    tx = b.place("TX-315", 16.0, 6.5, 180.0, name="TX-1")
    tx.upstream_id = util.id
    tx.feeder = Cable(length_m=45.0, r_ohm_per_km=0.32, x_ohm_per_km=0.13)
    swb = b.place("SWB-630", 16.0, 4.0, 270.0, name="SWB-1")
    swb.upstream_id = tx.id
    ups = b.place("UPS-300-M", 15.5, 1.2, 0.0, name="UPS-1")
    ups.upstream_id, ups.side = swb.id, "A"
    # each board carries the whole container when the other side is lost (about 335 A at 395 V:
    # a 400 A board's 320 A continuous limit is too small); each hybrid rack's cord then carries its
    # whole 40 kW (about 61 A), which the catalog's 100 A cord breaker (80 A continuous) takes
    dba = b.place("PDU-300", 13.4, 1.0, 0.0, name="DB-A")
    dba.upstream_id, dba.side = ups.id, "A"
    dbb = b.place("PDU-300", 12.2, 1.0, 0.0, name="DB-B")
    dbb.upstream_id, dbb.side = swb.id, "B"
    for i, r in enumerate(hyb + air + net):
        phase = "3P" if r.catalog_model != "RK-NET-6" else ("L1", "L2")[i % 2]
        b.feed(r, "A", dba.id, phase)
        b.feed(r, "B", dbb.id, phase)
    s.hall.power.scheme = "N+1"
    b.water_supply("Facility water", 27.0, 150)
    return s


def _distributed(cat: Catalog, taken: set[str]) -> Site:
    """A7 tower site: a 60 kW outdoor micro-module in the tower compound."""
    s = Site(id="twr-ks", name="A7 tower site Kassel-Ost", kind="distributed", core_site_id="core-fra",
             location=Located(lat=51.3003, lon=9.5412), utility_capacity_kw=100, cost_per_kw_month=320.0)
    b = HallBuilder(s, cat, taken)
    b.outline(8.0, 6.0)
    s.hall.floor_rating_kg_m2 = 2000.0
    b.columns([7.0], [5.0], 1.2)  # the tower's foundation
    mod = b.place("MIC-60T", 3.0, 2.5, 0.0, name="MM-1")
    cdu = b.place("CDU-IR-100", 2.1, 2.2, 0.0, name="CDU-1")
    cdu.pump.speed_fraction = 0.6  # two 19 kW racks: full speed gave 2x design flow at 3.2 m/s
    racks = b.rack_row("RK-EDGE-30", 2.7, 2.2, 2, 0.0, mod.id, load_kw=24.0)
    b.place("IRC-40", 3.75, 2.3, 0.0)
    b.liquid_loop(cdu, racks, offset_m=0.05, header_gap_m=0.04, riser_m=0.8)
    util = b.source("Tower LV supply (400 V)", 160, 400, "")
    ups = b.place("UPS-80-R", 6.0, 1.0, 0.0, name="UPS-1")
    ups.upstream_id, ups.side = util.id, "A"
    ups.feeder = Cable(length_m=15.0, r_ohm_per_km=0.387, x_ohm_per_km=0.08)
    dba = b.place("PDU-60-R", 6.8, 2.5, 270.0, name="DB-A")
    dba.upstream_id, dba.side = ups.id, "A"
    dbb = b.place("PDU-60-R", 6.8, 3.3, 270.0, name="DB-B")
    dbb.upstream_id, dbb.side = util.id, "B"
    dbb.feeder = Cable(length_m=15.0, r_ohm_per_km=0.387, x_ohm_per_km=0.08)
    for r in racks:
        b.feed(r, "A", dba.id)
        b.feed(r, "B", dbb.id)
    s.hall.power.scheme = "N+1"
    b.water_supply("Facility water", 40.0, 70)
    return s


def _workloads(p: Project) -> None:
    L = Located
    p.data_sources = [
        DataSource(id="src-bodyshop", name="Body-shop camera lines", location=L(lat=48.8350, lon=9.1540),
                   site_id="ind-str", access_delay_ms=0.1),
        DataSource(id="src-agv", name="AGV fleet radio (private 5G)", location=L(lat=48.8338, lon=9.1512),
                   site_id="ind-str", access_delay_ms=0.8),
        DataSource(id="src-campus", name="Munich campus users", location=L(lat=48.1775, lon=11.5570),
                   site_id="ent-muc", access_delay_ms=0.3),
        DataSource(id="src-traffic", name="Berlin traffic-signal sensors", location=L(lat=52.5200, lon=13.4050),
                   access_delay_ms=1.0),
        DataSource(id="src-citizens", name="Berlin public-service users", location=L(lat=52.5000, lon=13.4200),
                   access_delay_ms=8.0),
        DataSource(id="src-a7", name="A7 motorway segment (V2X, 5G)", location=L(lat=51.2950, lon=9.5500),
                   access_delay_ms=0.8),
        DataSource(id="src-fra", name="Core data lake", location=L(lat=50.1000, lon=8.6330),
                   site_id="core-fra", access_delay_ms=0.0),
    ]
    W = Workload
    p.workloads = [
        W(id="wl-vision", name="Weld-seam vision QA", kind="vision", latency_budget_ms=4.0,
          data_source_id="src-bodyshop", data_rate_gbps=4.0, it_power_kw=56.0, rack_positions=2, accelerators=16,
          needs_liquid=True, processing_ms=1.8),
        W(id="wl-agv", name="AGV fleet coordination", kind="robotics", latency_budget_ms=10.0,
          data_source_id="src-agv", data_rate_gbps=0.4, it_power_kw=24.0, rack_positions=1, accelerators=4, processing_ms=2.0),
        W(id="wl-pdm", name="Press-line predictive maintenance", kind="analytics", latency_budget_ms=200.0,
          data_source_id="src-bodyshop", data_rate_gbps=0.2, it_power_kw=20.0, rack_positions=1, processing_ms=20.0),
        W(id="wl-llm-ent", name="Private LLM assistant (campus)", kind="llm", latency_budget_ms=60.0,
          data_source_id="src-campus", data_rate_gbps=0.5, it_power_kw=150.0, rack_positions=2, accelerators=32,
          needs_liquid=True, processing_ms=25.0),
        # data must stay on campus: pinned by hand (placement has no residency rule of its own)
        W(id="wl-rag", name="Document RAG, data kept on campus", kind="llm", latency_budget_ms=80.0,
          data_source_id="src-campus", data_rate_gbps=2.0, it_power_kw=60.0, rack_positions=2, accelerators=8, processing_ms=30.0,
          pinned_module_id="ent-muc.mod1"),
        # 10 ms: served from Berlin; the core, 584 km away, takes 13.5 ms
        W(id="wl-traffic", name="Traffic-signal optimisation", kind="vision", latency_budget_ms=10.0,
          data_source_id="src-traffic", data_rate_gbps=8.0, it_power_kw=90.0, rack_positions=2, accelerators=16,
          needs_liquid=True, processing_ms=6.0),
        W(id="wl-citizen", name="Public-service chatbot", kind="llm", latency_budget_ms=150.0,
          data_source_id="src-citizens", data_rate_gbps=0.2, it_power_kw=80.0, rack_positions=2, accelerators=16,
          processing_ms=40.0),
        # 5 ms (3GPP V2X: 3-10 ms): only the tower site is near enough; the core takes 5.96 ms
        W(id="wl-v2x", name="V2X hazard warning", kind="automotive", latency_budget_ms=5.0,
          data_source_id="src-a7", data_rate_gbps=1.5, it_power_kw=20.0, rack_positions=1, accelerators=4,
          needs_liquid=True, processing_ms=2.5),
        W(id="wl-ar", name="AR guidance for road crews", kind="xr", latency_budget_ms=20.0,
          data_source_id="src-a7", data_rate_gbps=0.3, it_power_kw=12.0, rack_positions=1, accelerators=2, processing_ms=6.0),
        W(id="wl-core-llm", name="Foundation-model serving (national)", kind="llm", latency_budget_ms=250.0,
          data_source_id="src-fra", data_rate_gbps=20.0, it_power_kw=720.0, rack_positions=6, accelerators=432,
          needs_liquid=True, processing_ms=60.0),
        W(id="wl-retrain", name="Nightly vision-model fine-tuning", kind="training", latency_budget_ms=5000.0,
          data_source_id="src-bodyshop", data_rate_gbps=1.0, it_power_kw=120.0, rack_positions=1, accelerators=72,
          needs_liquid=True, processing_ms=100.0),
    ]
    p.links = [
        Link(id="link-str-fra", a="ind-str", b="core-fra", route_km=212.0, hops=6, per_hop_us=40.0),
        Link(id="link-muc-fra", a="ent-muc", b="core-fra", route_km=418.0, hops=8, per_hop_us=40.0),
        Link(id="link-ber-fra", a="urb-ber", b="core-fra", route_km=575.0, hops=8, per_hop_us=40.0),
        Link(id="link-ks-fra", a="twr-ks", b="core-fra", route_km=205.0, hops=7, per_hop_us=40.0),
        Link(id="link-traffic-ber", a="src-traffic", b="urb-ber", route_km=9.5, hops=3, per_hop_us=30.0),
        Link(id="link-citizens-ber", a="src-citizens", b="urb-ber", route_factor=2.0, hops=6, per_hop_us=60.0),
        Link(id="link-a7-ks", a="src-a7", b="twr-ks", route_km=1.2, hops=2, per_hop_us=20.0),
    ]


def build_sample_project() -> Project:
    cat = Catalog(shipped_catalog())
    taken: set[str] = set()
    p = Project(name="Rhein-Main AI inference network", revision="B", author="Data Hall Designer sample",
                description="A core AI factory near Frankfurt tethering four edge nodes: a factory floor in "
                            "Stuttgart, a corporate campus in Munich, a city site in Berlin and a motorway "
                            "tower near Kassel.",
                checked_by="Sample checker", approved_by="Sample approver",
                revisions=[RevisionEntry(revision="A", date="2026-01-15", description="First issue for comment",
                                         by="DHD"),
                           RevisionEntry(revision="B", date="2026-02-02",
                                         description="Edge sites added; power chain revised after review", by="DHD")],
                settings=Settings())
    p.sites = [_core(cat, taken), _industrial(cat, taken), _enterprise(cat, taken), _urban(cat, taken),
               _distributed(cat, taken)]
    for site in p.sites:  # what stands in a module is part of it (moves, turns and goes with it)
        for m in site.hall.modules:
            for it in inside_module(site.hall, m):
                it.module_id = m.id
    _workloads(p)
    return p


def main() -> None:  # pragma: no cover - writes the resource file
    from designer.io.catalog_store import resource_path
    from designer.io.files import save

    save(build_sample_project(), resource_path("sample_project.json"))


if __name__ == "__main__":  # pragma: no cover
    main()

