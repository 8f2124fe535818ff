"""Bill of materials: quantities counted from the design, cross-checked against the solvers'
own geometry (pipe lengths from the liquid build, busway lengths from the power routing)."""

from __future__ import annotations

import csv
import io
import math

import pytest
from hyp import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.io.bom import bill_of_materials, pipe_lengths, write_bom_csv
from designer.io.catalog_store import load_catalog
from designer.io.generate import generate_project
from designer.solvers.liquid.solve import solve_project
from designer.solvers.power.routing import path_length


@pytest.fixture(scope="module")
def bom(sample_project):
    cat, _ = load_catalog(sample_project)
    return bill_of_materials(sample_project, cat)


def test_counts_per_site_match_the_design(sample_project, bom):
    for site in sample_project.sites:
        h, pw = site.hall, site.hall.power
        sid = site.id
        assert bom.quantity("Rack", site_id=sid) == len(h.racks)
        assert bom.quantity("Module", site_id=sid) == len(h.modules)
        assert bom.quantity("CDU", site_id=sid) == len(h.cdus)
        air = bom.quantity("CRAH", site_id=sid) + bom.quantity("In-row cooler", site_id=sid) + \
            bom.quantity("Rear-door heat exchanger", site_id=sid)
        assert air == len(h.air_units)
        assert bom.quantity("UPS", site_id=sid) == len(pw.ups)
        assert bom.quantity("UPS power module", site_id=sid) == sum(u.module_count for u in pw.ups)
        assert bom.quantity("PDU", site_id=sid) + bom.quantity("RPP", site_id=sid) == len(pw.pdus)
        assert bom.quantity("Transformer", site_id=sid) == len(pw.transformers)
        assert bom.quantity("Switchboard", site_id=sid) == len(pw.switchboards)
        assert bom.quantity("Busway tap-off box", site_id=sid) == len(pw.taps)
        assert bom.quantity("Busway", site_id=sid) == pytest.approx(sum(path_length(b.path) for b in pw.busways),
                                                                     rel=1e-12)
        assert bom.quantity("Generator", site_id=sid) == sum(s.kind == "generator" for s in pw.sources)
    # per model: RK-DLC-132 racks only at the core site
    dlc = [r for r in bom.rows if r.catalog_model == "RK-DLC-132"]
    assert len(dlc) == 1 and dlc[0].per_site == {"core-fra": 8.0}


def test_totals_are_the_sum_of_the_sites(bom, sample_project):
    for r in bom.rows:
        assert r.total == pytest.approx(sum(r.per_site.values()), rel=1e-12)
        assert set(r.per_site) <= {s.id for s in sample_project.sites}
        assert all(v >= 0 for v in r.per_site.values())
    assert bom.quantity("Rack") == sum(len(s.hall.racks) for s in sample_project.sites) == 48


def test_pipe_metres_by_bore_match_the_liquid_solver(sample_project, bom):
    """The liquid build measures pipes on its own (vectorised, port positions from the model):
    the bill must give the same metres per bore and site."""
    res, _f, _ = solve_project(sample_project)
    loops_site = {lp.index: lp.site_id for lp in res.loops}
    want: dict[tuple[str, float], float] = {}
    for p in res.pipes.values():
        key = (loops_site[p.loop], round(p.diameter_m, 4))
        want[key] = want.get(key, 0.0) + p.length_m
    got = {}
    for r in bom.rows:
        if r.item == "Pipe":
            bore = float(r.name.split("bore ")[1].split(" mm")[0]) / 1000.0
            for sid, v in r.per_site.items():
                if v:
                    got[(sid, bore)] = v
    assert set(got) == {(s, round(d * 1000) / 1000) for s, d in want}
    for (sid, d), v in want.items():  # what to order: rounded up to 0.1 m per site
        g = got[(sid, round(d * 1000) / 1000)]
        assert v - 1e-9 <= g < v + 0.1 and round(g * 10) == pytest.approx(g * 10, abs=1e-9)


def test_csv_reads_back(tmp_path, bom, sample_project):
    path = tmp_path / "bom.csv"
    write_bom_csv(bom, path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    sites = [s.id for s in sample_project.sites]
    assert list(rows[0]) == ["category", "item", "catalog_model", "name", "unit", *sites, "total"]
    assert len(rows) == len(bom.rows)
    for row, r in zip(rows, bom.rows, strict=True):
        per = [float(row[s]) for s in sites]
        if r.unit == "pcs":
            assert all(float(x).is_integer() for x in per)
            assert sum(per) == float(row["total"])
        else:  # lengths and areas: the printed cells add up to the printed total, exactly
            from decimal import Decimal

            assert sum(Decimal(row[s]) for s in sites) == Decimal(row["total"]), row
            assert float(row["total"]) == pytest.approx(r.total, abs=1e-9)
    racks = sum(float(r["total"]) for r in rows if r["item"] == "Rack")
    assert racks == 48
    assert [s for s in rows if s["catalog_model"] == "CDU-IR-800"][0]["name"] == "In-row CDU 800 kW"


def test_generated_hall_and_site_filter():
    p = generate_project(200)
    bom = bill_of_materials(p)
    hall = p.sites[0].hall
    assert bom.quantity("Rack") == 200
    assert bom.quantity("Busway tap-off box") == 400  # an A and a B tap per rack
    assert bom.quantity("Pipe") == pytest.approx(sum(pipe_lengths(hall)), rel=1e-12)
    assert bom.quantity("CDU") == len(hall.cdus) == math.ceil(200 / 25)
    assert bill_of_materials(p, site_ids=["nope"]).rows == ()
    # without a catalog the names come from the items' own ratings
    assert any(r.name.startswith("Pipe, bore") for r in bom.rows)


@settings(max_examples=examples(25), deadline=None)
@given(st.sets(st.integers(0, 47), max_size=20))
def test_removing_racks_changes_the_count_by_exactly_that(sample_project, gone):
    p = sample_project.model_copy(deep=True)
    k = 0
    for s in p.sites:
        keep = []
        for r in s.hall.racks:
            if k not in gone:
                keep.append(r)
            k += 1
        s.hall.racks = keep
    bom = bill_of_materials(p)
    assert bom.quantity("Rack") == 48 - len(gone)
    for s in p.sites:
        assert bom.quantity("Rack", site_id=s.id) == len(s.hall.racks)


def test_cables_and_cords_are_the_power_models_lengths(sample_project, bom):
    """Feeder cables (each item's normal and alternate feeder, times its parallel sets) and
    rack cords, with the lengths the power analysis computes voltage drop over."""
    from designer.solvers.power.network import build_network
    from designer.solvers.power.solve import solve_site

    alternates = 0
    for site in sample_project.sites:
        sp, _ = solve_site(site, sweep_failures=False)
        items = {it.id: it for it in (*site.hall.power.transformers, *site.hall.power.switchboards,
                                      *site.hall.power.ups, *site.hall.power.pdus, *site.hall.power.busways)}
        feeders = sum(n.feeder_length_m * max(items[n.id].feeder.parallel_sets, 1)
                      for n in sp.nodes.values() if n.id in items)
        net = build_network(site.hall, site.id)  # the transfer switches' alternate feeders
        for i, it in enumerate(net.items):
            b = net.item_entry[i]
            if it.id in items and net.alt[b] >= 0:
                feeders += net.alt_len_m[b] * max(it.feeder.parallel_sets, 1)
                alternates += 1
        cords = sum(f.length_m for f in sp.feeds.values())
        assert feeders > 0 and cords > 0
        got_f = bom.quantity("Feeder cable", site_id=site.id)
        got_c = bom.quantity("Rack power cord", site_id=site.id)
        n_f = sum(1 for r in bom.rows if r.item == "Feeder cable" and r.per_site.get(site.id))
        n_c = sum(1 for r in bom.rows if r.item == "Rack power cord" and r.per_site.get(site.id))
        assert feeders <= got_f < feeders + 0.1 * n_f + 1e-9, site.id
        assert cords <= got_c < cords + 0.1 * n_c + 1e-9, site.id
    assert alternates >= 1
    kinds = {r.name for r in bom.rows if r.item == "Rack power cord"}
    assert any("three-phase" in k for k in kinds) and any("single-phase" in k for k in kinds)


def test_containment_tiles_grilles_and_valves():
    """A 1.2 m hot aisle between two rows of four 0.6 m racks, roofed at the racks' height:
    panels only at the two open ends (2 x 1.2 m x rack height) and the roof (2.4 x 1.2 m);
    tiles by open area, grilles, and one balancing valve per rack that has one set."""
    from designer.model.hall import CeilingGrille, Containment, FloorTile, Hall, Rack
    from designer.model.project import Project, Site

    racks = [Rack(id=f"r{i}{j}", x=0.3 + 0.6 * i, y=-0.6 if j == 0 else 1.8,
                  rotation_deg=0.0 if j == 0 else 180.0, width_m=0.6, depth_m=1.2, height_u=42,
                  valve_k=(2.0 if i == 0 else None))
             for i in range(4) for j in range(2)]
    h = Hall(outline=[(-5, -5), (10, -5), (10, 10), (-5, 10)], racks=racks,
             containments=[Containment(id="c1", kind="hot", polygon=[(0, 0), (2.4, 0), (2.4, 1.2), (0, 1.2)])],
             floor_tiles=[FloorTile(id=f"t{i}", x=5, y=float(i)) for i in range(3)],
             ceiling_grilles=[CeilingGrille(id="g1", x=6, y=6)])
    p = Project(sites=[Site(id="s", hall=h)])
    b = bill_of_materials(p)
    rack_h = racks[0].outer_height_m()
    assert b.quantity("Containment panels") == pytest.approx(math.ceil(2 * 1.2 * rack_h * 10 - 1e-9) / 10)
    assert b.quantity("Containment roof") == pytest.approx(2.9)  # 2.88 m2 ordered as 2.9
    assert b.quantity("Perforated floor tile") == 3 and b.quantity("Ceiling return grille") == 1
    assert b.quantity("Balancing valve") == 2


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x.invalid")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  "\uff1d1+1"])
def test_cells_a_spreadsheet_would_run_as_formulas_are_neutralised(sample, tmp_path, text):
    """CSV injection (OWASP): a leading apostrophe makes the cell text, in every text column."""
    site = sample.sites[0]
    site.hall.racks[0].catalog_model = text  # a model the catalog does not know: its own row
    site.id = "-" + site.id if text == "-2+3" else site.id
    write_bom_csv(bill_of_materials(sample, None), tmp_path / "b.csv")
    with open(tmp_path / "b.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    cells = [c for r in rows for c in r[:5]] + rows[0]
    assert "'" + text.replace("\r", "\n") in cells
    for c in cells:
        assert not c.startswith(("=", "+", "-", "@", "\t", "\r", "\uff1d")), c


def test_ordinary_text_is_unchanged():
    from designer.io.bom import csv_text

    for t in ("Rack 42U 600 x 1200 mm", "Pipe, bore 50 mm", "", "a=b", "1-2", "'quoted"):
        assert csv_text(t) == t
