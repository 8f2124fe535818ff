"""DXF in: an architect's drawing (made here with ezdxf, in mm, far from the origin, with a
block, text, a hatch, a dimension and furniture as junk) becomes the hall's background,
outline, columns and walls; bad and huge drawings are refused and nothing changes."""

from __future__ import annotations

import pytest

ezdxf = pytest.importorskip("ezdxf")

from designer.cli import main  # noqa: E402
from designer.document.document import Document  # noqa: E402
from designer.io import dxf_import as di  # noqa: E402
from designer.io.files import load, save  # noqa: E402
from designer.model.project import Project, Site  # noqa: E402

OX, OY = 100_000.0, 50_000.0
COLUMNS = ((6000, 6000), (18000, 6000), (6000, 12000), (18000, 12000))


def architect_dxf(path, units: int = 4) -> None:
    doc = ezdxf.new("R2010")
    doc.header["$INSUNITS"] = units
    for n in ("A-AREA", "S-COLS", "A-WALL", "A-FURN", "A-ANNO"):
        doc.layers.add(n)
    msp = doc.modelspace()
    msp.add_lwpolyline([(OX, OY), (OX + 30000, OY), (OX + 30000, OY + 18000), (OX, OY + 18000)], close=True,
                       dxfattribs={"layer": "A-AREA"})
    for cx, cy in COLUMNS[:3]:
        msp.add_lwpolyline([(OX + cx - 200, OY + cy - 200), (OX + cx + 200, OY + cy - 200),
                            (OX + cx + 200, OY + cy + 200), (OX + cx - 200, OY + cy + 200)], close=True,
                           dxfattribs={"layer": "S-COLS"})
    blk = doc.blocks.new("COL400")  # the fourth column as a block on layer 0, inserted on S-COLS
    blk.add_lwpolyline([(-200, -200), (200, -200), (200, 200), (-200, 200)], close=True)
    msp.add_blockref("COL400", (OX + COLUMNS[3][0], OY + COLUMNS[3][1]), dxfattribs={"layer": "S-COLS"})
    msp.add_lwpolyline([(OX + 10000, OY + 17800), (OX + 14000, OY + 17800), (OX + 14000, OY + 18000),
                        (OX + 10000, OY + 18000)], close=True, dxfattribs={"layer": "A-WALL"})
    msp.add_text("HALL 1", dxfattribs={"layer": "A-ANNO", "height": 500})
    msp.add_mtext("notes", dxfattribs={"layer": "A-ANNO"})
    hatch = msp.add_hatch(dxfattribs={"layer": "A-ANNO"})
    hatch.paths.add_polyline_path([(OX, OY), (OX + 100, OY), (OX + 100, OY + 100)])
    msp.add_point((OX, OY), dxfattribs={"layer": "A-ANNO"})
    msp.add_line((OX + 2000, OY + 2000), (OX + 4000, OY + 2000), dxfattribs={"layer": "A-FURN"})
    msp.add_circle((OX + 25000, OY + 9000), 300, dxfattribs={"layer": "A-FURN"})
    msp.add_arc((OX + 25000, OY + 9000), 800, 0, 90, dxfattribs={"layer": "A-FURN"})
    msp.add_linear_dim(base=(OX, OY - 1000), p1=(OX, OY), p2=(OX + 30000, OY),
                       dxfattribs={"layer": "A-ANNO"}).render()
    doc.saveas(path)


@pytest.fixture
def dxf(tmp_path):
    path = tmp_path / "arch.dxf"
    architect_dxf(path)
    return path


def _project() -> Project:
    return Project(name="p", sites=[Site(id="s1")])


def test_outline_columns_walls_and_junk(dxf):
    d = di.read_dxf(dxf)
    assert d.units == "mm"
    assert d.layers == {"A-AREA": 1, "A-FURN": 3, "A-WALL": 1, "S-COLS": 4}
    assert d.skipped == {"DIMENSION": 1, "HATCH": 1, "MTEXT": 1, "POINT": 1, "TEXT": 1}
    bg = di.to_background(d, origin=(OX, OY))
    p = _project()
    plan = di.import_edit(p, "s1", bg, outline="A-AREA", columns="S-COLS", walls="A-WALL")
    doc = Document(p)
    undo = doc.apply(plan.edit)
    hall = doc.project.sites[0].hall
    assert hall.outline == [(0.0, 0.0), (30.0, 0.0), (30.0, 18.0), (0.0, 18.0)]
    cols = [o for o in hall.obstructions if o.kind == "column"]
    walls = [o for o in hall.obstructions if o.kind == "wall"]
    centres = sorted((round(sum(x for x, _ in o.polygon) / 4, 6), round(sum(y for _, y in o.polygon) / 4, 6))
                     for o in cols)
    assert centres == sorted((cx / 1000, cy / 1000) for cx, cy in COLUMNS)  # the block's column too
    assert all(abs(di._area(o.polygon) - 0.16) < 1e-9 for o in cols)
    assert len(walls) == 1 and abs(di._area(walls[0].polygon) - 0.8) < 1e-9
    assert hall.background.locked and hall.background.units == "mm" and len(hall.background.paths) == 9
    doc.apply(undo)  # one undo step takes it all back
    assert doc.project == _project()


def test_circle_arc_and_layers(dxf):
    bg = di.to_background(di.read_dxf(dxf, layers=["a-furn"]), origin=(OX, OY))
    assert {p.layer for p in bg.paths} == {"A-FURN"}
    circle = next(p for p in bg.paths if p.closed)
    radii = [((x - 25.0) ** 2 + (y - 9.0) ** 2) ** 0.5 for x, y in circle.points]
    assert all(abs(r - 0.3) <= di.FLATTEN_TOL_M for r in radii) and len(circle.points) >= 8
    with pytest.raises(di.DxfImportError, match="no layer NOPE"):
        di.read_dxf(dxf, layers=["NOPE"])


def test_units_scale_and_origin(tmp_path):
    path = tmp_path / "u.dxf"
    architect_dxf(path, units=0)  # unitless: must be told
    d = di.read_dxf(path)
    with pytest.raises(di.DxfImportError, match="does not say its length unit"):
        di.to_background(d)
    bg = di.to_background(d, units="cm", scale=0.5, origin=(OX, OY))  # 1 cm drawn = 0.5 cm real
    outline = next(p for p in bg.paths if p.layer == "A-AREA")
    assert max(x for x, _ in outline.points) == pytest.approx(30000 * 0.01 * 0.5)
    with pytest.raises(di.DxfImportError, match="is the unit right"):
        di.to_background(d, units="m", origin=(OX, OY))  # 30 km: mm taken for m


def test_bad_and_huge_drawings_leave_the_project_unchanged(tmp_path, dxf, capsys, monkeypatch):
    proj = tmp_path / "p.json"
    save(_project(), proj)
    before = proj.read_bytes()
    bad = tmp_path / "bad.dxf"
    bad.write_bytes(b"\x00garbage" * 40)
    out = tmp_path / "out.json"
    assert main(["import-dxf", str(proj), str(bad), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and not out.exists()
    assert main(["import-dxf", str(proj), str(tmp_path / "missing.dxf"), "-o", str(out)]) == 1
    assert "cannot be read" in capsys.readouterr().err
    monkeypatch.setattr(di, "MAX_POINTS", 20)
    assert main(["import-dxf", str(proj), str(dxf), "-o", str(out)]) == 1
    assert "choose the layers" in capsys.readouterr().err and not out.exists()
    monkeypatch.setattr(di, "MAX_BYTES", 100)
    assert main(["import-dxf", str(proj), str(dxf), "-o", str(out)]) == 1
    assert "MB" in capsys.readouterr().err
    assert proj.read_bytes() == before


def test_cli_list_and_import(tmp_path, dxf, capsys):
    proj = tmp_path / "p.json"
    save(_project(), proj)
    assert main(["import-dxf", str(proj), str(dxf), "--list", "--origin", "min"]) == 0
    out = capsys.readouterr().out
    assert "unit mm" in out and "S-COLS: 4" in out and "0: A-AREA, 540.00" in out
    dst = tmp_path / "q.json"
    assert main(["import-dxf", str(proj), str(dxf), "--origin", "min", "--outline", "0", "--columns", "S-COLS",
                 "-o", str(dst)]) == 0
    hall = load(dst).sites[0].hall
    assert hall.outline[2] == (30.0, 18.0) and len(hall.obstructions) == 4 and hall.background is not None
    assert main(["validate", str(dst)]) == 0
    assert main(["import-dxf", str(proj), str(dxf), "--outline", "6", "-o", str(tmp_path / "r.json")]) == 1
    assert "path 6 is not a closed polyline" in capsys.readouterr().err
