"""DXF drawing: reopened with ezdxf, the right entities on the right layers, in metres, with
rack fronts marked on the front side and halls that do not overlap."""

from __future__ import annotations

import collections
import math
import os

import ezdxf
import pytest

from designer.io.dxf import LAYER, LAYERS, TAG_FIELDS, hall_offsets, write_dxf
from designer.io.generate import generate_project
from designer.io.outputs import OutputError


def counts(doc) -> collections.Counter:
    return collections.Counter((e.dxf.layer, e.dxftype()) for e in doc.modelspace())


def expected(sites) -> collections.Counter:
    c: collections.Counter = collections.Counter()
    for s in sites:
        h, pw = s.hall, s.hall.power
        c[LAYER["HALL"], "LWPOLYLINE"] += 1 + len(h.obstructions)
        c[LAYER["HALL"], "HATCH"] += len(h.obstructions)
        c[LAYER["MODULES"], "LWPOLYLINE"] += len(h.modules)
        c[LAYER["RACKS"], "LWPOLYLINE"] += len(h.racks)
        c[LAYER["RACKS"], "LINE"] += len(h.racks)  # one front mark each
        c[LAYER["AIR"], "LWPOLYLINE"] += len(h.air_units) + len(h.containments)
        c[LAYER["AIR"], "LINE"] += len(h.air_units)
        c[LAYER["LIQUID"], "LWPOLYLINE"] += len(h.cdus) + len(h.pipes)
        c[LAYER["LIQUID"], "CIRCLE"] += len(h.junctions)
        c[LAYER["POWER"], "LWPOLYLINE"] += (len(pw.transformers) + len(pw.switchboards) + len(pw.ups) + len(pw.pdus)
                                     + len(pw.busways) + len(pw.taps))
        placed = [*h.modules, *h.racks, *h.air_units, *h.cdus, *pw.transformers, *pw.switchboards, *pw.ups,
                  *pw.pdus]
        c[LAYER["LABELS"], "TEXT"] += len(placed) + len(pw.busways)
        c[LAYER["LABELS"], "MTEXT"] += 1
        c[LAYER["LABELS"], "DIMENSION"] += 2
        c[LAYER["TAGS"], "INSERT"] += (len(h.racks) + len(h.air_units) + len(h.cdus) + len(pw.transformers)
                                       + len(pw.switchboards) + len(pw.ups) + len(pw.pdus)
                                       + sum(1 for b in pw.busways if len(b.path) >= 2))
        if h.dimensions:
            c[LAYER["DIMENSIONS"], "DIMENSION"] += len(h.dimensions)
    return c


@pytest.fixture(scope="module")
def sample_dxf(tmp_path_factory, sample_project):
    path = tmp_path_factory.mktemp("dxf") / "sample.dxf"
    write_dxf(sample_project, path)
    return ezdxf.readfile(path)


def test_entities_per_layer(sample_dxf, sample_project):
    assert counts(sample_dxf) == expected(sample_project.sites)
    assert {name for name in LAYERS} <= {layer.dxf.name for layer in sample_dxf.layers}
    assert sample_dxf.header["$INSUNITS"] == 6  # metres
    assert sample_dxf.audit().has_errors is False


def test_coordinates_are_metres_and_halls_do_not_overlap(sample_dxf, sample_project):
    halls = [e for e in sample_dxf.modelspace().query("LWPOLYLINE[layer=='" + LAYER["HALL"] + "']") if e.closed]
    outlines = {}
    for s, dx in zip(sample_project.sites, hall_offsets(sample_project.sites), strict=True):
        want = [(x + dx, y) for x, y in s.hall.outline]
        match = [e for e in halls if len(e) == len(want) and all(
            math.isclose(p[0], q[0], abs_tol=1e-9) and math.isclose(p[1], q[1], abs_tol=1e-9)
            for p, q in zip(e.get_points("xy"), want, strict=True))]
        assert match, f"outline of {s.id} not found at +{dx} m"
        outlines[s.id] = (min(x for x, _ in want), max(x for x, _ in want))
    assert hall_offsets(sample_project.sites)[0] == 0.0  # the first hall keeps its coordinates
    spans = sorted(outlines.values())
    for (_a0, a1), (b0, _b1) in zip(spans, spans[1:], strict=False):
        assert b0 >= a1 + 9.999  # GAP_M apart


def test_rack_front_marks_are_on_the_front(sample_dxf, sample_project):
    site = sample_project.sites[0]  # no offset
    lines = [e for e in sample_dxf.modelspace().query("LINE[layer=='" + LAYER["RACKS"] + "']")]
    mids = [((e.dxf.start.x + e.dxf.end.x) / 2, (e.dxf.start.y + e.dxf.end.y) / 2) for e in lines]
    for r in site.hall.racks:
        nx, ny = r.front_normal()
        front = (r.x + nx * r.depth_m / 2, r.y + ny * r.depth_m / 2)
        best = min(mids, key=lambda m: math.dist(m, front))
        assert math.dist(best, front) < 0.06, r.id
        assert (best[0] - r.x) * nx + (best[1] - r.y) * ny > 0.4 * r.depth_m


def test_pipes_are_as_wide_as_their_bore_and_coloured_by_role(sample_dxf, sample_project):
    site = sample_project.sites[0]
    plines = [e for e in sample_dxf.modelspace().query("LWPOLYLINE[layer=='" + LAYER["LIQUID"] + "']") if not e.closed]
    widths = sorted(round(e.dxf.const_width, 6) for e in plines)
    want = sorted(round(p.diameter_m, 6) for s in sample_project.sites for p in s.hall.pipes)
    assert widths == want
    supply = sum(1 for e in plines if e.rgb == (47, 111, 219))
    assert supply == sum(p.role == "supply" for s in sample_project.sites for p in s.hall.pipes)
    assert site.hall.pipes


def test_site_filter_and_generated_hall(tmp_path):
    p = generate_project(200)
    path = tmp_path / "gen.dxf"
    write_dxf(p, path, site_ids=["gen"])
    doc = ezdxf.readfile(path)
    assert counts(doc) == expected(p.sites)
    assert counts(doc)[LAYER["RACKS"], "LWPOLYLINE"] == 200
    assert counts(doc)[LAYER["POWER"], "LWPOLYLINE"] - len(p.sites[0].hall.power.taps) > 0


def test_failed_write_leaves_nothing(tmp_path, sample_project, monkeypatch):
    target = tmp_path / "out.dxf"
    target.write_text("old drawing")

    def boom(self, *a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ezdxf.document.Drawing, "saveas", boom)
    with pytest.raises(OSError):
        write_dxf(sample_project, target)
    assert target.read_text() == "old drawing"
    assert sorted(os.listdir(tmp_path)) == ["out.dxf"]


def test_missing_folder_is_a_clear_error(tmp_path):
    from designer.io.outputs import check_output_path

    with pytest.raises(OutputError, match="does not exist"):
        check_output_path(tmp_path / "nope" / "x.dxf")


def test_overall_dimensions_read_in_metres(sample_dxf, sample_project):
    texts = []
    for d in sample_dxf.modelspace().query("DIMENSION"):
        texts += [e.dxf.text for e in d.get_geometry_block() if e.dxftype() == "MTEXT"]
    for s in sample_project.sites:
        xs = [p[0] for p in s.hall.outline]
        ys = [p[1] for p in s.hall.outline]
        assert f"{max(xs) - min(xs):.2f} m" in texts
        assert f"{max(ys) - min(ys):.2f} m" in texts


def test_the_users_dimensions_are_aligned_dimensions_at_their_offset(tmp_path, sample_project):
    from designer.model.hall import Dimension

    p = sample_project.model_copy(deep=True)
    hall = p.sites[0].hall
    hall.dimensions = [Dimension(id="dim1", start=(8.1, 8.0), end=(10.5, 8.0), offset_m=-0.8),
                       Dimension(id="dim2", start=(0.0, 0.0), end=(0.0, 3.0), offset_m=0.5, text="min. 3 m")]
    write_dxf(p, tmp_path / "d.dxf", site_ids=[p.sites[0].id])
    doc = ezdxf.readfile(tmp_path / "d.dxf")
    dims = list(doc.modelspace().query("DIMENSION[layer=='" + LAYER["DIMENSIONS"] + "']"))
    assert len(dims) == 2
    a, b = dims
    assert a.dxf.defpoint[1] == pytest.approx(8.0 - 0.8)  # to the right of west -> east: below
    texts = [e.dxf.text for e in a.get_geometry_block() if e.dxftype() == "MTEXT"]
    assert texts == ["2.40 m"]
    assert b.dxf.text == "min. 3 m" and b.dxf.defpoint[0] == pytest.approx(-0.5)  # left of south -> north
    assert doc.audit().has_errors is False


def test_audit_blocks_attributes_layouts_and_styles(sample_dxf, sample_project):
    """The drawing passes ezdxf's audit; every rack, air unit, CDU and power item carries a tag
    block whose attributes read back; one A3 layout per site with a viewport on its hall and
    a title block; only the styles used are defined; layer names follow the NCS form."""
    import re

    assert not sample_dxf.audit().has_errors
    tags = {}
    for ins in sample_dxf.modelspace().query("INSERT"):
        assert ins.dxf.layer == LAYER["TAGS"] and ins.dxf.name.startswith("DHD-TAG-")
        att = {a.dxf.tag: a.dxf.text for a in ins.attribs}
        assert tuple(att) == TAG_FIELDS and all(a.is_invisible for a in ins.attribs)
        tags[att["ID"]] = att
    for s in sample_project.sites:
        h, pw = s.hall, s.hall.power
        for r in h.racks:
            t = tags[r.id]
            assert t["NAME"] == r.name and t["MODEL"] == r.catalog_model and t["KW"] == f"{r.it_load_kw:g} kW IT"
            if r.feed_a is not None:
                assert r.feed_a.source_id in t["FEEDS"]
        for it in (*h.air_units, *h.cdus, *pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus):
            assert it.id in tags, it.id
        for u in pw.ups:
            assert tags[u.id]["FEEDS"].startswith(u.upstream_id or "")
    names = [lay.name for lay in sample_dxf.layouts if lay.name != "Model"]
    assert names == [s.id for s in sample_project.sites]
    offsets = hall_offsets(sample_project.sites)
    for s in sample_project.sites:
        lay = sample_dxf.layouts.get(s.id)
        assert (lay.dxf.paper_width, lay.dxf.paper_height) == (420.0, 297.0)
        vps = [v for v in lay.query("VIEWPORT") if v.dxf.id > 1]
        assert len(vps) == 1
        texts = " ".join(t.dxf.text for t in lay.query("TEXT"))
        assert s.name in texts and "Drawn" in texts and "Approved" in texts
        scale = int(re.search(r"1:(\d+) on A3", texts).group(1))
        # the viewport's scale: paper mm per model m
        assert vps[0].dxf.height / vps[0].dxf.view_height == pytest.approx(1000.0 / scale)
        x0, x1 = min(p[0] for p in s.hall.outline), max(p[0] for p in s.hall.outline)
        assert (x1 - x0) * 1000.0 / scale <= vps[0].dxf.width  # the hall fits its sheet
        # and no other hall shows in it: the model-space window of the viewport (centre and
        # height from the viewport, width from its aspect) holds this hall's outline only
        vp = vps[0]
        half_w = vp.dxf.view_height * vp.dxf.width / vp.dxf.height / 2
        wx0, wx1 = vp.dxf.view_center_point[0] - half_w, vp.dxf.view_center_point[0] + half_w
        for other, dx in zip(sample_project.sites, offsets, strict=True):
            ox0, ox1 = (min(p[0] for p in other.hall.outline) + dx, max(p[0] for p in other.hall.outline) + dx)
            if other.id == s.id:
                assert wx0 < ox0 and ox1 < wx1, s.id
            else:
                assert ox1 < wx0 or ox0 > wx1, (s.id, other.id)
    assert [st.dxf.name for st in sample_dxf.styles] == ["Standard"]
    assert sorted(d.dxf.name for d in sample_dxf.dimstyles) == ["DHD", "Standard"]
    assert {lt.dxf.name for lt in sample_dxf.linetypes} == {"ByBlock", "ByLayer", "Continuous", "DASHED"}
    used = {e.dxf.layer for e in sample_dxf.modelspace()}
    assert used - {"0"} <= set(LAYERS)
    for name in LAYERS:
        assert re.fullmatch(r"[AEGMT]-[A-Z]{4}(-[A-Z]{4})?", name), name
