"""Every catalog module dropped alone into an empty hall, connected in one step, solves clean.

Each module gets the site services its spec sheet asks for (supply voltage and kVA, facility
water temperature and heat), placed outside the hall as the app's catalog would place them.
The 1 MW module takes its power from two power skids (its partner: it has no UPS of its own,
and 2N needs two independent paths); the power skid alone is connected to an 11 kV supply
(nothing below it yet); the CDU skid alone to facility water (its secondary loop has no racks
yet, which the liquid analysis reports as information, not an error).
"""

from __future__ import annotations

import math

import pytest
from shapely.geometry import LineString, Polygon

from designer.analysis.runner import Runner
from designer.document.assembly import place_module
from designer.document.connect import connect_items, connect_module
from designer.document.document import Document
from designer.document.edits import AddItem
from designer.io.catalog_store import shipped_catalog
from designer.model import hall as h
from designer.model import power as p
from designer.model.catalog import Catalog
from designer.model.factory import instantiate
from designer.model.findings import Severity
from designer.model.project import Project, Site
from designer.solvers.sizing import FEEDER_DROP_PCT, ampacity_a

CAT = Catalog(shipped_catalog())
SERVICES = {
    "AIH-1000L": [("UTIL-MV-2500", "A"), ("UTIL-MV-2500", "B"), ("FW-DC-1500", "")],
    "ENT-400H": [("UTIL-LV-1000", "A"), ("UTIL-LV-1000", "B"), ("FW-CH-600", "")],
    "URB-250A": [("UTIL-LV-630", ""), ("FW-DC-300", "")],
    "IND-120R": [("UTIL-LV-250", ""), ("FW-DC-150", "")],
    "MIC-60T": [("UTIL-LV-250", ""), ("FW-DC-80", "")],
    "PWR-2500": [("UTIL-MV-2500", "")],
    "CDU-SKID-2000": [("FW-CT-3000", "")],
}
PARTNERS = {"AIH-1000L": ["PWR-2500", "PWR-2500"]}
ANALYSES = ("geometry", "liquid", "power")


def _site(model: str, obstruction: list | None = None) -> tuple[Document, str, list[str]]:
    """An empty 40 x 24 m hall with the module's services east of it, its partners and the
    module placed; returns the document, the module id and the partners' ids."""
    site = Site(id="s1", name="Test site")
    site.hall.outline = [(0.0, 0.0), (40.0, 0.0), (40.0, 24.0), (0.0, 24.0)]
    if obstruction:
        site.hall.obstructions.append(h.Obstruction(id="wall-1", kind="wall", polygon=obstruction))
    doc = Document(Project(sites=[site]))
    y = 2.0
    for k, (svc, side) in enumerate(SERVICES[model]):
        e = CAT.get(svc)
        it = instantiate(e, f"svc-{k + 1}", 42.0 + e.width_m / 2, y + e.depth_m / 2, 0.0, name=f"{svc} {side}".strip())
        if side:
            it.side = side
        kind = "source" if isinstance(it, p.PowerSource) else "water_supply"
        doc.apply(AddItem(kind, it, "s1"))
        y += e.depth_m + 1.0
    partners = []
    for k, pm in enumerate(PARTNERS.get(model, [])):
        ed = place_module(doc, "s1", CAT.get(pm), 30.0, 4.0 + 6.0 * k)
        doc.apply(ed)
        partners.append(ed.edits[0].item.id)
    ed = place_module(doc, "s1", CAT.get(model), 14.0, 12.0)
    doc.apply(ed)
    return doc, ed.edits[0].item.id, partners


def _connect_all(doc: Document, mid: str, partners: list[str]):
    for pid in partners:
        doc.apply(connect_module(doc, pid).edit)
    res = connect_module(doc, mid)
    doc.apply(res.edit)
    return res


def _run(doc: Document) -> dict:
    return Runner(list(ANALYSES)).run(doc.snapshot(), 1)


@pytest.mark.parametrize("model", sorted(SERVICES))
def test_module_alone_connected_solves_with_no_error(model):
    doc, mid, partners = _site(model)
    res = _connect_all(doc, mid, partners)
    assert res.problems == []
    assert res.account and len(res.edit.edits) > 0
    results = _run(doc)
    for name in ANALYSES:
        r = results[name]
        assert r.error is None, (name, r.error)
        errors = [f.as_text() for f in r.findings if f.severity is Severity.ERROR]
        assert errors == [], (name, errors)
    hall = doc.site("s1").hall
    mod = doc.item(mid)
    # every power input fed, every CDU on facility water
    for c in mod.connections:
        for i in c.item_ids:
            it = doc.item(i)
            if c.kind == "power_in":
                assert it.upstream_id is not None and it.feeder.length_m > 0 and it.feeder.conductor_mm2
            if c.kind.startswith("water"):
                assert it.facility_id is not None
    racks = [r for r in hall.racks if r.module_id == mid]
    if racks:
        power = results["power"].data.sites["s1"]
        assert power.racks_powered == power.racks_total == len(racks)
        liq = results["liquid"].data
        for r in racks:
            if r.liquid_fraction > 0:
                assert liq.racks[r.id].flow_ratio >= 1.0
    # the site's power is delivered: the sources carry the IT load plus the losses
    power = results["power"].data.sites["s1"]
    assert power.source_kw >= power.it_kw - 1e-6


def test_connect_is_one_undo_step():
    doc, mid, partners = _site("IND-120R")
    before = doc.project.model_dump()
    res = connect_module(doc, mid)
    assert doc.project.model_dump() == before  # the document is only read
    inverse = doc.apply(res.edit)
    after = doc.project.model_dump()
    assert after != before
    redo = doc.apply(inverse)
    assert doc.project.model_dump() == before
    doc.apply(redo)
    assert doc.project.model_dump() == after
    # connecting again finds nothing left to do
    again = connect_module(doc, mid)
    assert again.edit.edits == [] and again.problems == []


def test_routes_avoid_obstructions():
    # a wall across the yard side of the hall between the module and its services, open at the top
    wall = [(33.0, -3.0), (33.5, -3.0), (33.5, 20.0), (33.0, 20.0)]
    doc, mid, partners = _site("IND-120R", obstruction=wall)
    _connect_all(doc, mid, partners)
    hall = doc.site("s1").hall
    poly = Polygon(wall)
    pipes = [pp for pp in hall.pipes if pp.role.startswith("facility")]
    assert pipes
    pos = {}
    for w in hall.water_supplies:
        for port in ("supply", "return"):
            pos[(w.id, port)] = w.port_position(port)
    for c in hall.cdus:
        for port in ("facility_supply", "facility_return"):
            pos[(c.id, port)] = c.port_position(port)
    for j in hall.junctions:
        pos[(j.id, "node")] = (j.x, j.y)
    crossing = 0
    for pp in pipes:
        line = LineString([pos[(pp.start.item_id, pp.start.port)], *pp.points, pos[(pp.end.item_id, pp.end.port)]])
        assert not line.intersects(poly), pp.id
        # orthogonal: every segment runs along x or y
        pts = list(line.coords)
        for a, b in zip(pts[1:-2], pts[2:-1], strict=False):
            assert abs(a[0] - b[0]) < 1e-6 or abs(a[1] - b[1]) < 1e-6
        crossing += line.length
    # the runs go round the wall's end: longer than the straight distance across it
    main = [pp for pp in pipes if pp.module_id is None]
    assert main and all(len(pp.points) >= 2 for pp in main)
    # the feeder lengths also come from routes around it: more than the straight distance plus drops
    ups = next(u for u in hall.power.ups if u.module_id == mid)
    src = hall.power.sources[0]
    straight = abs(src.x - doc.item(mid).x) + abs(src.y - doc.item(mid).y)
    assert ups.feeder.length_m > 3.0 + 0.5 * straight and math.isfinite(crossing)


def test_cable_and_pipe_sizes_meet_their_limits_on_resolving():
    doc, mid, partners = _site("AIH-1000L")
    _connect_all(doc, mid, partners)
    results = _run(doc)
    power = results["power"].data.sites["s1"]
    hall = doc.site("s1").hall
    busways = [b for b in hall.power.busways if b.module_id == mid]
    assert len(busways) == 2
    # the whole module on one busway (the other side lost): sum of both sides' currents
    whole = sum(power.nodes[b.id].current_a for b in busways)
    for b in busways:
        f = b.feeder
        assert whole <= 0.8 * ampacity_a(f.conductor_mm2, f.parallel_sets) + 1e-6
        assert power.nodes[b.id].feeder_drop_pct <= FEEDER_DROP_PCT
    for t in hall.power.transformers:
        assert power.nodes[t.id].feeder_drop_pct <= FEEDER_DROP_PCT
    liq = results["liquid"].data
    limit = doc.project.settings.velocity_limit_mps
    assert liq.pipes
    for pr in liq.pipes.values():
        assert pr.velocity_mps <= limit, (pr.pipe_id, pr.velocity_mps)
    primary = [pr for pr in liq.pipes.values() if pr.loop == -1]
    assert len(primary) == 6 and all(pr.flow_lpm > 0 for pr in primary)


def test_a_2n_module_on_one_skid_says_its_sides_are_not_independent():
    doc, mid, partners = _site("AIH-1000L")
    skid = partners[1]
    doc.apply(connect_module(doc, partners[0]).edit)
    # only one skid connected and the other removed from consideration: take its outputs away
    m = doc.item(skid)
    from designer.document.edits import SetFields

    doc.apply(SetFields(skid, {"connections": [c for c in m.connections if c.kind != "power_out"]}))
    res = connect_module(doc, mid)
    assert any("independent" in pr for pr in res.problems)
    assert any(a.startswith("Not done:") for a in res.account)


def test_connect_items_takes_a_loose_cdu_to_water():
    doc, mid, partners = _site("IND-120R")
    e = CAT.get("CDU-IR-100")
    cdu = instantiate(e, "cdu-loose", 5.0, 20.0, 0.0, name="CDU-X")
    doc.apply(AddItem("cdu", cdu, "s1"))
    res = connect_items(doc, ["cdu-loose"])
    doc.apply(res.edit)
    assert doc.item("cdu-loose").facility_id == doc.site("s1").hall.water_supplies[0].id
    ends = {(pp.start.item_id, pp.end.item_id) for pp in doc.site("s1").hall.pipes}
    ws = doc.site("s1").hall.water_supplies[0].id
    assert (ws, "cdu-loose") in ends and ("cdu-loose", ws) in ends
