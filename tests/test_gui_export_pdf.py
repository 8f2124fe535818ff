"""The PDF report and the plan images, read back: pdftotext for the text, pdfinfo for pages
and paper sizes, pdftoppm to measure the plans on paper (they must be to scale)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import numpy as np
import pytest

pytest.importorskip("PySide6.QtWidgets")

from designer.analysis.runner import Runner  # noqa: E402
from designer.app.report.images import write_plan_png, write_plan_svg  # noqa: E402
from designer.app.report.layout import Cancelled  # noqa: E402
from designer.app.report.pdf import write_pdf  # noqa: E402
from designer.io.catalog_store import load_catalog  # noqa: E402
from designer.io.report import ReportOptions, build_report  # noqa: E402

pytestmark = pytest.mark.gui

POPPLER = all(shutil.which(t) for t in ("pdftotext", "pdfinfo", "pdftoppm"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="pdftotext / pdfinfo / pdftoppm (poppler-utils) not installed")
WALL_M = 0.2
"""The plan scene draws the hall outline with a 0.2 m wall pen centred on it."""


def pdftext(path, *args) -> str:
    return subprocess.run(["pdftotext", *args, str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdfinfo(path, first: int | None = None, last: int | None = None) -> str:
    extra = ["-f", str(first), "-l", str(last)] if first else []
    return subprocess.run(["pdfinfo", *extra, str(path)], capture_output=True, text=True, check=True).stdout


def read_pgm(path) -> np.ndarray:
    with open(path, "rb") as f:
        data = f.read()
    fields, i = [], 0
    while len(fields) < 4:
        while data[i:i + 1].isspace():
            i += 1
        j = i
        while not data[j:j + 1].isspace():
            j += 1
        fields.append(data[i:j])
        i = j
    w, h = int(fields[1]), int(fields[2])
    return np.frombuffer(data[i + 1:i + 1 + w * h], dtype=np.uint8).reshape(h, w)


def wall_extent(dark: np.ndarray, axis: int, min_len: float) -> float:
    """Outer size in pixels of the thick wall bands along one axis (thin dimension lines and
    text are ignored: a wall band is at least 3 px wide and ``min_len`` long)."""
    counts = dark.sum(axis=axis)
    idx = np.where(counts > min_len)[0]
    bands, start = [], None
    for k, i in enumerate(idx):
        if start is None:
            start = i
        if k + 1 == len(idx) or idx[k + 1] != i + 1:
            if i - start + 1 >= 3:
                bands.append((start, i))
            start = None
    assert len(bands) >= 2, bands
    return bands[-1][1] - bands[0][0] + 1


@pytest.fixture(scope="module")
def results(sample_project):
    return Runner().run(sample_project, 0)


@pytest.fixture(autouse=True)
def _app(qapp):
    """Plans are QGraphicsScenes: a QApplication must exist."""
    return qapp


@pytest.fixture(scope="module")
def pdf(tmp_path_factory, sample_project, results, qapp):
    cat, _ = load_catalog(sample_project)
    report = build_report(sample_project, results, cat, ReportOptions(date="2026-02-01"))
    path = tmp_path_factory.mktemp("pdf") / "report.pdf"
    info = write_pdf(report, sample_project, path, results)
    return path, info, report


@needs_poppler
def test_page_count_and_paper(pdf):
    path, info, _ = pdf
    meta = pdfinfo(path)
    assert int(re.search(r"Pages:\s+(\d+)", meta).group(1)) == info.pages
    pages = pdftext(path).split("\f")[:-1]
    assert len(pages) == info.pages
    sizes = re.findall(r"Page\s+(\d+) size:\s+([\d.]+) x ([\d.]+) pts", pdfinfo(path, 1, info.pages))
    assert len(sizes) == info.pages
    for (n, w, h), kind in zip(sizes, info.page_kinds, strict=True):
        w, h = float(w), float(h)
        if kind == "plan":
            assert (round(w), round(h)) == (1191, 842), n  # A3 landscape
        else:
            assert {round(w), round(h)} == {595, 842}, n  # A4, portrait or landscape
    assert info.page_kinds.count("plan") == 5


@needs_poppler
def test_contents_lists_every_heading_on_its_page(pdf):
    path, info, report = pdf
    pages = pdftext(path).split("\f")
    toc_text = pdftext(path, "-layout", "-f", "2", "-l", "2")
    assert "Contents" in toc_text
    titles = [s.title for s in report.walk()]
    assert [e.title for e in info.toc] == titles
    for e in info.toc:
        # the contents line names the page ...
        assert re.search(re.escape(e.title) + r"\s+" + str(e.page) + r"\s*$", toc_text, re.M), e.title
        # ... and the heading is on that page, under "page n of N"
        body = pages[e.page - 1]
        assert e.title in body.replace("\n", " "), (e.title, e.page)
        assert f"Page {e.page} of {info.pages}" in body


@needs_poppler
def test_headings_and_values(pdf, results, sample_project):
    path, info, _ = pdf
    text = pdftext(path)
    flat = " ".join(text.split())
    for heading in ("DESIGN REPORT", "Contents", "Project overview", "Module spec sheet: AI-POD-1",
                    "Liquid cooling: Munich campus node", "Air side: Berlin Mitte city node",
                    "Power chain: A7 tower site Kassel-Ost", "Workload placement", "Single-failure summary",
                    "Findings", "Bill of materials", "Methods and assumptions", "Legend", "Key dimensions"):
        assert heading in flat, heading
    assert "Rhein-Main AI inference network" in flat and "Revision B" in flat and "2026-02-01" in flat
    assert "1,746.0 kW" in flat  # IT load on the cover
    c = results["liquid"].data.cdus["ent-muc.cdu1"]
    assert f"{c.flow_lpm:,.1f}" in flat and f"{c.pump_head_kpa:,.1f}" in flat
    assert "pump curve against system curve" in flat and "operating point" in flat
    for w in results["placement"].data.workloads.values():
        assert (w.name or w.workload_id) in flat
    for f in results["power"].data.sites["urb-ber"].scenarios:
        if not f.ok:
            assert f.label in flat
    assert "RK-DLC-132" in flat and "Direct-liquid GPU rack 132 kW" in flat
    assert "Scale 1:125 (A3)" in flat  # the core hall's plan
    assert "ﬂ" not in text and "ﬁ" not in text  # no ligatures: the text searches as typed


@needs_poppler
@pytest.mark.parametrize("site_id", ["core-fra", "ind-str", "twr-ks"])
def test_plans_are_to_scale_on_paper(pdf, sample_project, tmp_path, site_id):
    """Render the plan page and measure the hall's walls: the drawn width and depth must be
    the hall's at the stated scale (within 2 px at 100 dpi, about 0.5 mm)."""
    path, info, _ = pdf
    page = next(e.page for e in info.toc if e.key == f"site:{site_id}:plan")
    scale = info.plan_scales[site_id]
    dpi = 100
    subprocess.run(["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-gray", str(path),
                    str(tmp_path / "p")], check=True)
    img = read_pgm(next(tmp_path.glob("p*.pgm")))
    site = next(s for s in sample_project.sites if s.id == site_id)
    xs = [p[0] for p in site.hall.outline]
    ys = [p[1] for p in site.hall.outline]
    px_per_m = dpi / 25.4 * 1000.0 / scale
    w_px = (max(xs) - min(xs) + WALL_M) * px_per_m
    h_px = (max(ys) - min(ys) + WALL_M) * px_per_m
    dark = img < 100
    assert wall_extent(dark, 0, 0.8 * h_px) == pytest.approx(w_px, abs=2.0)
    assert wall_extent(dark, 1, 0.8 * w_px) == pytest.approx(h_px, abs=2.0)
    assert f"Scale 1:{scale} (A3)" in pdftext(path, "-f", str(page), "-l", str(page))


def test_cancel_leaves_no_file(tmp_path, sample_project, results):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-old")
    report = build_report(sample_project, results)
    calls = []

    def cancel_later() -> bool:
        calls.append(1)
        return len(calls) > 12

    with pytest.raises(Cancelled):
        write_pdf(report, sample_project, path, results, should_cancel=cancel_later)
    assert path.read_bytes() == b"%PDF-old"
    assert os.listdir(tmp_path) == ["report.pdf"]


@needs_poppler
def test_report_without_results_still_renders(tmp_path, sample_project):
    report = build_report(sample_project, {})
    info = write_pdf(report, sample_project, tmp_path / "bare.pdf", {})
    flat = " ".join(pdftext(tmp_path / "bare.pdf").split())
    assert "Liquid cooling: not available (the liquid-cooling analysis did not run)." in flat
    assert info.page_kinds.count("plan") == len(sample_project.sites)


def test_progress_reaches_the_end(tmp_path, sample_project, results):
    seen = []
    write_pdf(build_report(sample_project, results), sample_project, tmp_path / "r.pdf", results,
              progress=lambda f, t: seen.append(f))
    assert seen[-1] == 1.0 and seen == sorted(seen)
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "r.pdf").read_bytes().rstrip().endswith(b"%%EOF")


def test_plan_svg_and_png(tmp_path, sample_project, results):
    from PySide6.QtGui import QImage

    scale = write_plan_svg(sample_project, tmp_path / "plan.svg", "ent-muc", results)
    root = ET.parse(tmp_path / "plan.svg").getroot()
    texts = " ".join("".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text"))
    assert "R01" in texts and "ENT-1" in texts and f"Scale 1:{scale}" in texts and "Legend" in texts
    scale_png = write_plan_png(sample_project, tmp_path / "plan.png", "ent-muc", results)
    img = QImage(str(tmp_path / "plan.png"))
    assert not img.isNull() and scale_png == scale
    # 22 m of hall at 1:scale and 96 dpi, plus the legend panel: the image is wider than the hall
    assert img.width() > 22.0 * 1000 / scale / 25.4 * 96
    assert abs(img.dotsPerMeterX() - 96 / 0.0254) < 1
    with pytest.raises(ValueError, match="no site"):
        write_plan_png(sample_project, tmp_path / "x.png", "nope")
    assert not (tmp_path / "x.png").exists()


@needs_poppler
def test_nothing_cut_off_or_overprinted(pdf, tmp_path):
    """Every word lies on its page at least 5 mm from the edge, and no two words overlap
    (labels on the plans included)."""
    path, info, _ = pdf
    assert_no_word_cut_off_or_overprinted(path, tmp_path, info.pages)


def assert_no_word_cut_off_or_overprinted(path, tmp_path, n_pages: int | None = None, first: int | None = None,
                                          last: int | None = None) -> None:
    extra = ["-f", str(first), "-l", str(last)] if first else []
    subprocess.run(["pdftotext", "-bbox", *extra, str(path), str(tmp_path / "b.html")], check=True)
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S)
    if n_pages is not None:
        assert len(pages) == n_pages
    edge = 5 / 25.4 * 72
    word = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>')
    for n, (w, h, body) in enumerate(pages, first or 1):
        w, h = float(w), float(h)
        boxes = [(tuple(map(float, m.groups()[:4])), m.group(5)) for m in word.finditer(body)]
        assert boxes, f"page {n} has no text"
        for (x0, y0, x1, y1), t in boxes:
            assert x0 >= edge and y0 >= edge and x1 <= w - edge and y1 <= h - edge, (n, t)
        boxes.sort()
        for a in range(len(boxes)):
            (ax0, ay0, ax1, ay1), at = boxes[a]
            for b in range(a + 1, len(boxes)):
                (bx0, by0, bx1, by1), bt = boxes[b]
                if bx0 >= ax1:
                    break  # sorted by left edge: nothing further right can overlap
                ix, iy = min(ax1, bx1) - max(ax0, bx0), min(ay1, by1) - max(ay0, by0)
                small = min((ax1 - ax0) * (ay1 - ay0), (bx1 - bx0) * (by1 - by0))
                assert not (ix > 0.5 and iy > 0.5 and ix * iy > 0.25 * small), (n, at, bt)


@needs_poppler
def test_large_hall_gets_detail_sheets_to_scale(tmp_path):
    """The 1,000-rack hall does not fit A3 at 1:200: an overview plus detail sheets at 1:100,
    whose frame coordinates are 5 m = 50 mm apart on paper."""
    from designer.io.generate import generate_project

    p = generate_project(1000)
    info = write_pdf(build_report(p, {}), p, tmp_path / "big.pdf", {})
    scale, n = info.detail_sheets["gen"]
    assert info.plan_scales["gen"] > 200 and scale == 100 and n >= 4
    assert info.page_kinds.count("plan") == 1 + n
    first = info.page_kinds.index("plan") + 1
    text = pdftext(tmp_path / "big.pdf", "-f", str(first + 1), "-l", str(first + 1))
    assert f"detail 1 of {n}" in text and "Scale 1:100 (A3)" in text and "Key plan" in text
    subprocess.run(["pdftotext", "-bbox", "-f", str(first + 1), "-l", str(first + 1), str(tmp_path / "big.pdf"),
                    str(tmp_path / "b.html")], check=True)
    html = (tmp_path / "b.html").read_text(encoding="utf-8")
    words = re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">(.*?)</word>', html)
    xs = {}
    for i, (_x0, _x1, t) in enumerate(words):  # "x" "10" "m" are three words: centre of the number
        if t == "x" and i + 2 < len(words) and words[i + 2][2] == "m" and words[i + 1][2].isdigit():
            xs[int(words[i + 1][2])] = (float(words[i + 1][0]) + float(words[i + 1][1])) / 2
    assert len(xs) >= 3, xs
    pts_per_m = 1000.0 / scale / 25.4 * 72
    vals = sorted(xs)
    for a, b in zip(vals, vals[1:], strict=False):
        assert xs[b] - xs[a] == pytest.approx((b - a) * pts_per_m, abs=1.0)


def test_bookmarks_links_and_metadata(pdf):
    """One bookmark per section, nested as in the contents and opening its page; every
    contents line is a link to its page; Title, Author and Subject are filled in."""
    pypdf = pytest.importorskip("pypdf")
    path, info, report = pdf
    r = pypdf.PdfReader(str(path))
    flat = []

    def walk(items, level):
        for it in items:
            if isinstance(it, list):
                walk(it, level + 1)
            else:
                flat.append((it.title, level, r.get_destination_page_number(it) + 1))

    walk(r.outline, 1)
    assert flat == [(t.title, t.level, t.page) for t in info.toc]
    assert len(flat) == sum(1 for _ in report.walk()) > 20
    links = []
    index = {pg.indirect_reference.idnum: i for i, pg in enumerate(r.pages)}
    for n, kind in enumerate(info.page_kinds):
        if kind != "toc":
            continue
        for a in r.pages[n].get("/Annots", []):
            a = a.get_object()
            assert a["/Subtype"] == "/Link"
            links.append(index[a["/Dest"][0].idnum] + 1)
    assert links == [t.page for t in info.toc]
    meta = r.metadata
    assert meta.title.startswith("Design report") and meta.author == "Data Hall Designer sample"
    assert "Rhein-Main AI inference network" in meta.subject and "5 sites" in meta.subject
    assert r.trailer["/Root"]["/PageMode"] == "/UseOutlines"


@needs_poppler
def test_equipment_labelled_on_the_sample_plan(pdf, sample_project):
    """At 1:125 the PDUs and CDUs of the core site are too small for their names inside: the
    names go beside them, clear of everything, and are in the page's text."""
    path, info, _ = pdf
    page = info.page_kinds.index("plan") + 1
    placed = {c.text: c for c in info.callouts[page]}
    for name in ("PDU-A1", "PDU-B1", "CDU-1A", "CDU-1B"):
        assert name in placed, sorted(placed)
        assert placed[name].clear, name
    words = pdftext(path, "-f", str(page), "-l", str(page)).split()
    for name in ("PDU-A1", "PDU-B1", "CDU-1A", "CDU-1B", "UPS-A", "TX-A", "SWB-B", "AHU01"):
        assert name in words, name


@needs_poppler
def test_title_block_fields_and_history(pdf, sample_project):
    path, info, _ = pdf
    page = info.page_kinds.index("plan") + 1
    text = pdftext(path, "-f", str(page), "-l", str(page))
    for s in ("Drawn", "Checked", "Approved", "Sample checker", "Sample approver", "Revision history",
              "Edge sites added; power chain revised", "First issue for comment"):
        assert s in text.replace("\n", " "), s


def test_title_block_rows_hold_their_text(qapp):
    """However long a value (the drawing title of a hall with many detail sheets), its row is
    as tall as the wrapped text measured on the device, and the block grows instead."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QFontMetricsF, QImage, QPainter

    from designer.app.report.paint import font, mm
    from designer.app.report.plan import TB_LABEL_W, SheetInfo, _tb_layout, _tb_rows, title_block_height

    img = QImage(800, 1200, QImage.Format_RGB32)
    p = QPainter(img)
    try:
        short = SheetInfo("P", "S", "A", "2026-01-01", drawing="Floor plan")
        long_ = SheetInfo("Generated 1000-rack hall", "Generated hall, 1000 racks", "A", "2026-01-01",
                          drawing="Floor plan of site gen, all systems; details on the next 9 sheets",
                          drawn="A person with a rather long name")
        w = mm(70)
        assert title_block_height(p, w, long_, 300) > title_block_height(p, w, short, 300) + mm(5)
        fm = QFontMetricsF(font(7.5, bold=True), p.device())
        heights = _tb_layout(p, w, long_, 300)[0]
        for (k, v), h in zip(_tb_rows(long_, 300), heights, strict=True):
            need = fm.boundingRect(QRectF(0, 0, w - TB_LABEL_W - mm(2.5), 1e6), int(Qt.TextWordWrap), v).height()
            assert h >= need, k
        assert heights[2] > 2 * fm.height()  # the drawing title takes three lines here
    finally:
        p.end()


@needs_poppler
def test_large_hall_overview_nothing_cut_off(tmp_path):
    """The 1,000-rack hall's overview sheet and its first detail: no word overprinted or off
    the page, the title block's drawing title whole."""
    from designer.io.generate import generate_project

    p = generate_project(1000)
    info = write_pdf(build_report(p, {}), p, tmp_path / "big.pdf", {})
    first = info.page_kinds.index("plan") + 1
    assert_no_word_cut_off_or_overprinted(tmp_path / "big.pdf", tmp_path, first=first, last=first + info.detail_sheets["gen"][1])
    text = " ".join(pdftext(tmp_path / "big.pdf", "-f", str(first), "-l", str(first)).split())
    n = info.detail_sheets["gen"][1]
    assert f"Floor plan of site gen, all systems; details on the next {n} sheets" in text


def test_svg_renders_the_same_in_cairosvg(tmp_path, sample_project, results):
    """No stroke relies on vector-effect (librsvg and CairoSVG ignore it and drew 1 px
    outlines 76 px wide at 1:50), no empty path, no dash 4 m long; CairoSVG's picture of the
    SVG matches Qt's PNG of the same sheet pixel for pixel within a tolerance (text is set by
    two different engines, so a fraction of pixels differ)."""
    cairosvg = pytest.importorskip("cairosvg")
    from PIL import Image

    from designer.model.hall import Dimension

    project = sample_project.model_copy(deep=True)  # with a dimension the user drew (cad)
    project.sites[0].hall.dimensions.append(Dimension(id="dim1", start=(0.0, 0.0), end=(12.0, 0.0), offset_m=1.5))
    svg, png = tmp_path / "p.svg", tmp_path / "p.png"
    for site in ("core-fra", "ent-muc"):
        write_plan_svg(project, svg, site, results, date="2026-02-01")
        write_plan_png(project, png, site, results, date="2026-02-01")
        text = svg.read_text(encoding="utf-8")
        assert "non-scaling-stroke" not in text and 'd=""' not in text
        for g in re.finditer(r'stroke-dasharray="([^"]+)"[^>]*stroke-width="([^"]+)"', text):
            dashes, width = [float(v) for v in g.group(1).split(",")], float(g.group(2))
            assert max(dashes) <= 10 * width, g.group(0)[:120]
        import io

        q = np.asarray(Image.open(png).convert("L"), dtype=float)
        c = np.asarray(Image.open(io.BytesIO(cairosvg.svg2png(
            url=str(svg), output_width=q.shape[1], output_height=q.shape[0], background_color="white"))).convert("L"),
            dtype=float)
        differ = (np.abs(q - c) > 64).mean()
        assert differ < 0.01, (site, differ)
        dark_q, dark_c = (q < 128).mean(), (c < 128).mean()
        assert dark_c == pytest.approx(dark_q, rel=0.05), (site, dark_q, dark_c)


@needs_poppler
def test_dimensions_drawn_on_the_plan_sheet(tmp_path, sample_project):
    from designer.model.hall import Dimension

    p = sample_project.model_copy(deep=True)
    p.sites = p.sites[-1:]  # one small site: a short report
    p.workloads, p.links = [], []
    hall = p.sites[0].hall
    hall.dimensions = [Dimension(id="dim1", start=(0.0, -0.5), end=(7.35, -0.5), offset_m=-0.6),
                       Dimension(id="dim2", start=(0.0, 1.0), end=(0.0, 4.0), offset_m=0.6, text="clear 3 m")]
    report = build_report(p, {})
    write_pdf(report, p, tmp_path / "dims.pdf", {})
    flat = " ".join(pdftext(tmp_path / "dims.pdf").split())
    assert "7.35 m" in flat and "clear 3 m" in flat
    hall.dimensions = []
    write_pdf(build_report(p, {}), p, tmp_path / "none.pdf", {})
    assert "7.35 m" not in " ".join(pdftext(tmp_path / "none.pdf").split())
