"""DXF drawing: reopened with ezdxf, the right entities on the right layers, in metres, with
rack fronts marked on the front side and halls that do not overlap."""

from __future__ import annotations

import collections
import math
import os

import ezdxf
import pytest

from designer.io.dxf import LAYERS, hall_offsets, write_dxf
from designer.io.generate import generate_project
from designer.io.outputs import OutputError


def counts(doc) -> collections.Counter:
    return collections.Counter((e.dxf.layer, e.dxftype()) for e in doc.modelspace())


def expected(sites) -> collections.Counter:
    c: collections.Counter = collections.Counter()
    for s in sites:
        h, pw = s.hall, s.hall.power
        c["HALL", "LWPOLYLINE"] += 1 + len(h.obstructions)
        c["HALL", "HATCH"] += len(h.obstructions)
        c["MODULES", "LWPOLYLINE"] += len(h.modules)
        c["RACKS", "LWPOLYLINE"] += len(h.racks)
        c["RACKS", "LINE"] += len(h.racks)  # one front mark each
        c["AIR", "LWPOLYLINE"] += len(h.air_units) + len(h.containments)
        c["AIR", "LINE"] += len(h.air_units)
        c["LIQUID", "LWPOLYLINE"] += len(h.cdus) + len(h.pipes)
        c["LIQUID", "CIRCLE"] += len(h.junctions)
        c["POWER", "LWPOLYLINE"] += (len(pw.transformers) + len(pw.switchboards) + len(pw.ups) + len(pw.pdus)
                                     + len(pw.busways) + len(pw.taps))
        placed = [*h.modules, *h.racks, *h.air_units, *h.cdus, *pw.transformers, *pw.switchboards, *pw.ups,
                  *pw.pdus]
        c["LABELS", "TEXT"] += len(placed) + len(pw.busways)
        c["LABELS", "MTEXT"] += 1
        c["LABELS", "DIMENSION"] += 2
        if h.dimensions:
            c["DIMENSIONS", "DIMENSION"] += len(h.dimensions)
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
    halls = [e for e in sample_dxf.modelspace().query("LWPOLYLINE[layer=='HALL']") if e.closed]
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
    lines = [e for e in sample_dxf.modelspace().query("LINE[layer=='RACKS']")]
    mids = [((e.dxf.start.x + e.dxf.end.x) / 2, (e.dxf.start.y + e.dxf.end.y) / 2) for e in lines]
    for r in site.hall.racks:
        nx, ny = r.front_normal()
        front = (r.x + nx * r.depth_m / 2, r.y + ny * r.depth_m / 2)
        best = min(mids, key=lambda m: math.dist(m, front))
        assert math.dist(best, front) < 0.06, r.id
        assert (best[0] - r.x) * nx + (best[1] - r.y) * ny > 0.4 * r.depth_m


def test_pipes_are_as_wide_as_their_bore_and_coloured_by_role(sample_dxf, sample_project):
    site = sample_project.sites[0]
    plines = [e for e in sample_dxf.modelspace().query("LWPOLYLINE[layer=='LIQUID']") if not e.closed]
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
    assert counts(doc)["RACKS", "LWPOLYLINE"] == 200
    assert counts(doc)["POWER", "LWPOLYLINE"] - len(p.sites[0].hall.power.taps) > 0


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
    dims = list(doc.modelspace().query("DIMENSION[layer=='DIMENSIONS']"))
    assert len(dims) == 2
    a, b = dims
    assert a.dxf.defpoint[1] == pytest.approx(8.0 - 0.8)  # to the right of west -> east: below
    texts = [e.dxf.text for e in a.get_geometry_block() if e.dxftype() == "MTEXT"]
    assert texts == ["2.40 m"]
    assert b.dxf.text == "min. 3 m" and b.dxf.defpoint[0] == pytest.approx(-0.5)  # left of south -> north
    assert doc.audit().has_errors is False
