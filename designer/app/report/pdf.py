"""The PDF design report: vector output through Qt's QPdfWriter.

A4 portrait for text, A3 landscape for the floor plans (drawn to a standard scale by the
app's own plan scene), a cover, a table of contents with page numbers, a running header
and "page n of N" on every page. Layout runs first (every block measured with the PDF's
font metrics), then painting, so page numbers are known before the first page is drawn.

>>> info = write_pdf(report, project, "report.pdf", results)
>>> info.pages, [(e.title, e.page) for e in info.toc]
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QPageLayout, QPageSize, QPainter, QPdfWriter

from designer.app.report import blocks as bl
from designer.app.report import figures as fg
from designer.app.report.layout import A3_LANDSCAPE, A4, A4_LANDSCAPE, Cancelled, Flow, PageSpec, TocEntry
from designer.app.report.paint import ACCENT, DPI, GREY, INK, LIGHT, Metrics, draw_text, font, mm, pen
from designer.app.report.plan import (
    SheetInfo,
    choose_scale,
    draw_plan_sheet,
    hall_bounds,
    plan_scene,
    sheet_area,
)
from designer.app.report.plan_detail import detail_tiles
from designer.io.report.model import (
    Columns,
    HeatMap,
    KeyValues,
    LinePlot,
    Plan,
    Report,
    Section,
    Table,
    Text,
    Tree,
)
from designer.model.project import Project

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class TocLine:
    title: str
    level: int
    page: int
    """1-based page number as printed."""
    key: str


@dataclass(frozen=True)
class PdfInfo:
    pages: int
    toc: tuple[TocLine, ...]
    page_kinds: tuple[str, ...]
    plan_scales: dict
    """Site id -> scale (1:N) of its overview sheet."""
    detail_sheets: dict
    """Site id -> (scale, number) of its detail sheets ((0, 0) when the overview is enough)."""
    callouts: dict = field(default_factory=dict)
    """Page number -> the equipment labels placed outside their items on that plan sheet."""


class _Doc:
    def __init__(self, report: Report, project: Project, results: dict | None, writer: QPdfWriter,
                 progress: Progress, check: Callable[[], None]) -> None:
        self.report = report
        self.project = project
        self.results = results or {}
        self.writer = writer
        self.progress = progress
        self.check = check
        self.m = Metrics(writer)
        self.flow = Flow(self.m, check)
        self.plan_scales: dict[str, int] = {}
        self.detail_sheets: dict[str, tuple[int, int]] = {}
        self.callouts: dict[int, list] = {}
        self._scene = None

    # -- layout ------------------------------------------------------------------------------
    def layout(self) -> None:
        f = self.flow
        f.new_page(A4, "cover")
        f.page.ops.append(self.paint_cover)
        entries = [s for s in self.report.walk() if s.level <= 2]
        per_page = int((f.rect.height() - mm(16)) // mm(5.6))
        n_toc = max(1, -(-len(entries) // per_page))
        self.toc_pages = [f.new_page(A4, "toc") for _ in range(n_toc)]
        self.toc_per_page = per_page
        sections = self.report.sections
        for i, s in enumerate(sections):
            self.progress(0.05 + 0.45 * i / max(len(sections), 1), f"Laying out {s.title}")
            self.section(s)

    def section(self, s: Section) -> None:
        f = self.flow
        plan = next((b for b in s.blocks if isinstance(b, Plan)), None)
        if s.level == 1:
            f.head = s.title
        if plan is not None:
            f.new_page(A3_LANDSCAPE, "plan")
            f.toc.append(TocEntry(s.title, s.level, len(f.pages) - 1, s.key))
            bl.heading(f, s.title, 2)
            self.plan(plan)
        else:
            f.new_page(A4_LANDSCAPE if s.wide else A4)
            f.toc.append(TocEntry(s.title, s.level, len(f.pages) - 1, s.key))
            bl.heading(f, s.title, s.level)
            self.blocks(s.blocks)
        for c in s.children:
            self.section(c)

    def blocks(self, blocks: list, f: Flow | None = None) -> None:
        f = f or self.flow
        i = 0
        while i < len(blocks):
            b = blocks[i]
            if isinstance(b, LinePlot):
                j = i
                while j < len(blocks) and isinstance(blocks[j], LinePlot):
                    j += 1
                fg.plots(f, blocks[i:j])
                i = j
                continue
            if isinstance(b, Text):
                bl.paragraph(f, b)
            elif isinstance(b, KeyValues):
                bl.key_values(f, b)
            elif isinstance(b, Table):
                bl.table(f, b)
            elif isinstance(b, HeatMap):
                fg.heat_map(f, b)
            elif isinstance(b, Tree):
                fg.tree(f, b)
            elif isinstance(b, Columns):
                self.columns(f, b)
            i += 1

    def columns(self, f: Flow, b: Columns) -> None:
        """Side by side when both halves fit below the cursor (or on a fresh page), else stacked."""
        gap = mm(7)
        half = (f.width - gap) / 2
        need = max(self.measure(b.left, half, f), self.measure(b.right, half, f))
        if need > f.room and not f.at_top():
            f.new_page(f.page.size_mm)
        if need > f.room:
            self.blocks([*b.left, *b.right], f)
            return
        full, y0 = QRectF(f.rect), f.y
        ends = []
        for k, part in enumerate((b.left, b.right)):
            f.rect = QRectF(full.left() + k * (half + gap), full.top(), half, full.height())
            f.y = y0
            self.blocks(part, f)
            ends.append(f.y)
        f.rect = full
        f.y = max(ends)

    def measure(self, blocks: list, width: float, like: Flow) -> float:
        """Height of ``blocks`` laid out ``width`` wide on a page like ``like``'s (inf if it
        would not fit one page)."""
        dry = Flow(self.m)
        dry.new_page(like.page.size_mm, like.page.kind)
        dry.rect = QRectF(dry.rect.left(), dry.rect.top(), width, dry.rect.height())
        self.blocks(blocks, dry)
        return dry.y - dry.rect.top() if len(dry.pages) == 1 else float("inf")

    def plan(self, plan: Plan) -> None:
        """The overview sheet; for a hall too big for 1:200 on A3, detail sheets at 1:100 or 1:200
        follow (one scene serves every sheet of the site)."""
        f = self.flow
        rect = QRectF(f.left, f.y, f.width, f.room)
        project, results = self.project, self.results
        site = next((s for s in project.sites if s.id == plan.site_id), None)
        if site is None:
            bl.paragraph(f, Text(f"Floor plan: not available (no site {plan.site_id}).", "note"))
            return
        bounds = hall_bounds(project, site.id)
        area = sheet_area(rect)
        d_scale, tiles = detail_tiles(bounds, area, choose_scale(bounds, area))
        c = self.report.cover
        label = site.name or site.id
        last = len(tiles)

        def scene():
            if self._scene is None or self._scene[0] != site.id:
                self._scene = (site.id, plan_scene(project, site.id, results))
            return self._scene[1]

        def done(i: int) -> None:
            if i == last and self._scene is not None:
                self._scene[1].clear()
                self._scene = None

        def sheet(p: QPainter, page_no: int, i: int, drawing: str) -> None:
            info = SheetInfo.of_project(project, project=c.project, site=label, revision=c.revision, date=c.date,
                                        paper="A3", sheet=f"{page_no} of {self.total}", dimensions=plan.dimensions,
                                        drawing=drawing)
            if i == 0:
                # with detail sheets, the equipment is named there (at 1:300 and beyond the
                # labels of a big hall's power rooms cannot all stand clear on the overview)
                self.plan_scales[site.id] = draw_plan_sheet(p, rect, scene(), bounds, info, callouts=not last)
            else:
                draw_plan_sheet(p, rect, scene(), bounds, info, d_scale, tiles[i - 1], tiles)
            self.callouts[page_no] = info.callouts or []
            done(i)

        n0 = len(f.pages)
        f.add(lambda p: sheet(p, n0, 0, f"Floor plan of site {site.id}, all systems"
                              + (f"; details on the next {last} sheets" if last else "")), rect.height())
        for i in range(1, last + 1):
            f.new_page(A3_LANDSCAPE, "plan")
            bl.heading(f, f"{plan.title}, detail {i} of {last}", 2)
            n = len(f.pages)  # same heading, so the same frame as the overview
            f.add(lambda p, n=n, i=i: sheet(p, n, i, f"Floor plan of site {site.id}, detail {i} of {last}"),
                  rect.height())
        self.detail_sheets[site.id] = (d_scale, last)

    # -- painting ----------------------------------------------------------------------------
    def paint(self) -> None:
        pages = self.flow.pages
        self.total = len(pages)
        self.fill_toc()
        w = self.writer
        painter: QPainter | None = None
        try:
            for i, pg in enumerate(pages):
                self.check()
                self.progress(0.5 + 0.5 * i / len(pages), f"Drawing page {i + 1} of {len(pages)}")
                big = pg.size_mm[0] > 300
                layout = QPageLayout(QPageSize(QPageSize.A3 if big else QPageSize.A4),
                                     QPageLayout.Landscape if pg.landscape else QPageLayout.Portrait,
                                     QMarginsF(0, 0, 0, 0))
                w.setPageLayout(layout)
                if painter is None:
                    painter = QPainter(w)
                    if not painter.isActive():
                        raise OSError("cannot write the PDF (the file could not be opened)")
                else:
                    w.newPage()
                painter.setRenderHint(QPainter.TextAntialiasing, True)
                if pg.kind != "cover":
                    self.paint_frame(painter, pg, i + 1)
                for op in pg.ops:
                    op(painter)
        finally:
            if painter is not None:
                painter.end()

    def paint_frame(self, p: QPainter, pg: PageSpec, number: int) -> None:
        w, h = pg.size_mm
        c = self.report.cover
        f = font(7.2)
        top = mm(pg.margins["top"] - 12)
        ml, mr = pg.margins["left"], pg.margins["right"]
        left, right = mm(ml), mm(w - mr)
        span = right - left
        draw_text(p, QRectF(left, top, span * 0.6, mm(5)), f"{c.project} · revision {c.revision}", f, GREY,
                  Qt.AlignLeft | Qt.AlignBottom)
        draw_text(p, QRectF(left + span * 0.4, top, span * 0.6, mm(5)), pg.running_head, f, GREY,
                  Qt.AlignRight | Qt.AlignBottom)
        p.setPen(pen(LIGHT, 0.8))
        p.drawLine(QPointF(left, top + mm(6)), QPointF(right, top + mm(6)))
        y = mm(h - pg.margins["bottom"] + 7)
        p.drawLine(QPointF(left, y), QPointF(right, y))
        draw_text(p, QRectF(left, y + mm(1), mm(120), mm(5)), f"{c.title} · {c.date}", f, GREY, Qt.AlignLeft)
        draw_text(p, QRectF(right - mm(60), y + mm(1), mm(60), mm(5)), f"Page {number} of {self.total}", f, INK,
                  Qt.AlignRight)

    def paint_cover(self, p: QPainter) -> None:
        c = self.report.cover
        x, w = mm(25), mm(160)
        p.fillRect(QRectF(0, 0, mm(210), mm(8)), ACCENT)
        draw_text(p, QRectF(x, mm(45), w, mm(12)), c.title.upper(), font(12, bold=True), ACCENT)
        h = self.m.text_height(font(24, bold=True), c.project, w)
        draw_text(p, QRectF(x, mm(58), w, h + 4), c.project, font(24, bold=True), INK)
        y = mm(58) + h + mm(6)
        draw_text(p, QRectF(x, y, w, mm(7)), "   ·   ".join(v for v in (f"Revision {c.revision}", c.date, c.author) if v), font(11), GREY)
        y += mm(14)
        if c.description:
            dh = self.m.text_height(font(10), c.description, w)
            draw_text(p, QRectF(x, y, w, dh + 4), c.description, font(10), INK)
            y += dh + mm(10)
        p.setPen(pen(ACCENT, 1.2))
        p.drawLine(QPointF(x, y), QPointF(x + w, y))
        y += mm(4)
        fl, fv = font(10), font(10, bold=True)
        for k, v in c.facts:
            vh = self.m.text_height(fv, v, w * 0.55)
            draw_text(p, QRectF(x, y, w * 0.43, vh), k, fl, GREY)
            draw_text(p, QRectF(x + w * 0.45, y, w * 0.55, vh + 2), v, fv, INK)
            y += vh + mm(2.5)
        draw_text(p, QRectF(x, mm(270), w, mm(6)), f"Produced by {c.generator}. The figures come from the analyses "
                  "of this revision of the design; see Methods and assumptions.", font(7.5, italic=True), GREY)

    def fill_toc(self) -> None:
        entries = self.flow.toc
        self.toc_rects: list[tuple[int, QRectF, int]] = []
        """(page index of the contents page, line rectangle in device px, target page index)."""
        per = self.toc_per_page
        for k, pg in enumerate(self.toc_pages):
            chunk = entries[k * per:(k + 1) * per]
            r = pg.content()

            def op(p: QPainter, chunk=chunk, r=r, first=(k == 0), toc_page=self.flow.pages.index(pg)) -> None:
                y = r.top()
                if first:
                    draw_text(p, QRectF(r.left(), y, r.width(), mm(10)), "Contents", font(15, bold=True), ACCENT)
                y += mm(14)
                for e in chunk:
                    fnt = font(9.4, bold=True) if e.level == 1 else font(8.6)
                    indent = 0.0 if e.level == 1 else mm(6)
                    if e.level == 1:
                        y += mm(1.2)
                    self.toc_rects.append((toc_page, QRectF(r.left() + indent, y, r.width() - indent, mm(5)), e.page))
                    draw_text(p, QRectF(r.left() + indent, y, r.width() - indent - mm(15), mm(5)), e.title, fnt)
                    draw_text(p, QRectF(r.right() - mm(15), y, mm(15), mm(5)), str(e.page + 1), fnt, INK,
                              Qt.AlignRight | Qt.AlignTop)
                    y += mm(5.6) - (mm(1.2) if e.level == 1 else 0.0)

            pg.ops.append(op)
        self.toc_lines = tuple(TocLine(e.title, e.level, e.page + 1, e.key) for e in entries)


def _pdf_text(s: str) -> str:
    """Text a PDF string can hold: lone surrogates (which a project may carry in its names)
    become "?"."""
    return s.encode("utf-8", "replace").decode("utf-8") if s else s


def add_navigation(path, doc: _Doc, report: Report, project: Project) -> None:
    """Bookmarks, clickable contents and the Subject / Keywords metadata, added to the
    finished file with pypdf.

    Qt's PDF writer has no API for an outline (bookmarks) or for links to a page of the
    same document (QPdfWriter paints; QTextDocument makes only external URL links), and
    no Subject field. pypdf (pure Python, BSD, maintained) reads the file Qt wrote and
    writes it back with an outline entry per contents line, nested as in the contents,
    a link annotation over every contents line and the metadata; the page content is
    copied unchanged.
    """
    import io

    from pypdf import PdfWriter
    from pypdf.annotations import Link

    with open(path, "rb") as f:
        data = io.BytesIO(f.read())
    w = PdfWriter(clone_from=data)
    k = 72.0 / DPI
    parents: dict[int, object] = {}
    for e in doc.flow.toc:
        parent = parents.get(e.level - 1) if e.level > 1 else None
        parents[e.level] = w.add_outline_item(title=_pdf_text(e.title), page_number=e.page, parent=parent)
    for page, r, target in doc.toc_rects:
        h = float(w.pages[page].mediabox.height)
        w.add_annotation(page_number=page, annotation=Link(rect=(r.left() * k, h - r.bottom() * k, r.right() * k, h - r.top() * k),
                                    target_page_index=target))
    c = report.cover
    sites = ", ".join(s.name or s.id for s in project.sites)
    w.add_metadata({"/Subject": _pdf_text(f"{c.title} of {c.project}, revision {c.revision}: "
                                          f"{len(project.sites)} sites ({sites})"),
                    "/Keywords": "data hall; design report; liquid cooling; power chain; floor plan"})
    w.page_mode = "/UseOutlines"
    with open(path, "wb") as f:
        w.write(f)


def write_pdf(report: Report, project: Project, path: str | os.PathLike, results: dict | None = None,
              progress: Progress | None = None, should_cancel: Callable[[], bool] | None = None) -> PdfInfo:
    """Write the report as a PDF, atomically: a cancel or an error leaves no file behind.

    Parameters
    ----------
    report
        From :func:`designer.io.report.build_report`.
    project
        The design the report is about (the plans are drawn from it).
    path
        The PDF file.
    results
        Analysis results, for the finding outlines on the plans.
    progress
        Called with (fraction 0-1, what is being done).
    should_cancel
        Polled between pages; True raises :class:`~designer.app.report.layout.Cancelled`.

    Returns
    -------
    PdfInfo
        Page count, the table of contents with printed page numbers, page kinds.
    """
    from designer.io.outputs import atomic_output, complete_pdf

    progress = progress or (lambda _f, _t: None)

    def check() -> None:
        if should_cancel is not None and should_cancel():
            raise Cancelled("export cancelled")

    with atomic_output(path, verify=complete_pdf) as tmp:
        writer = QPdfWriter(str(tmp))
        writer.setResolution(DPI)
        writer.setTitle(f"{report.cover.title}: {report.cover.project} (revision {report.cover.revision})")
        writer.setCreator(report.cover.generator)
        writer.setPageLayout(QPageLayout(QPageSize(QPageSize.A4), QPageLayout.Portrait, QMarginsF(0, 0, 0, 0)))
        writer.setAuthor(report.cover.author if report.cover.author != "-" else "")
        doc = _Doc(report, project, results, writer, progress, check)
        doc.layout()
        doc.paint()  # painter.end() finishes and closes the file before it is renamed
        doc.writer = None
        del writer
        add_navigation(tmp, doc, report, project)
    progress(1.0, "Done")
    return PdfInfo(doc.total, doc.toc_lines, tuple(pg.kind for pg in doc.flow.pages), dict(doc.plan_scales),
                   dict(doc.detail_sheets), dict(doc.callouts))
