"""The floor plan for exports: the app's own plan scene, drawn to scale on a sheet.

:func:`plan_scene` builds a :class:`~designer.app.plan.scene.HallScene` for one site of a
project (all layers on, finding outlines as in the app) without a window or an editing
session. :func:`draw_plan_sheet` draws it to a standard scale with overall dimensions, a
scale bar, a north arrow, a legend, key dimensions and a title block.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen, QPolygonF
from PySide6.QtWidgets import QAbstractGraphicsShapeItem, QGraphicsItem, QGraphicsPathItem

from designer.app.plan.coords import to_scene
from designer.app.plan.scene import HallScene
from designer.app.report.paint import DPI, GREY, INK, LIGHT, draw_text, font, mm, pen
from designer.app.state.selection import Selection
from designer.app.window import style
from designer.document.document import Document
from designer.model.project import Project

SCALES = (20, 25, 50, 75, 100, 125, 200, 250, 300, 400, 500, 750, 1000, 1250, 2000, 2500, 5000)
"""Drawing scales 1:N offered, the usual architectural series."""


class _PlanSession(QObject):
    """The parts of :class:`~designer.app.state.session.Session` a scene reads, for one site."""

    changed = Signal(object)
    document_replaced = Signal()
    site_changed = Signal(str)

    def __init__(self, project: Project, site_id: str) -> None:
        super().__init__()
        self.doc = Document(project)
        self.selection = Selection()
        self.site_id = site_id

    @property
    def project(self) -> Project:
        return self.doc.project

    @property
    def site(self):
        return self.doc.site(self.site_id)


def plan_scene(project: Project, site_id: str, results: dict | None = None) -> HallScene:
    """A plan scene of one site, ready to render (no item caching: vector output).

    ``results`` (name -> AnalysisResult) outline items with findings as the app does.
    """
    session = _PlanSession(project, site_id)
    scene = HallScene(session)
    scene._export_session = session  # keep the session alive as long as the scene
    if results:
        status: dict[str, str] = {}
        for r in results.values():
            for f in getattr(r, "findings", ()) or ():
                if f.severity.value in ("error", "warning"):
                    for i in f.item_ids:
                        if status.get(i) != "error":
                            status[i] = f.severity.value
        scene.set_status(status)
    for it in scene.items():
        it.setCacheMode(QGraphicsItem.NoCache)  # a cached pixmap would land in the PDF as an image
    return scene


def hall_bounds(project: Project, site_id: str) -> QRectF:
    """Bounding rectangle of the hall outline in model metres (x, y, w, h with y up)."""
    site = next(s for s in project.sites if s.id == site_id)
    pts = site.hall.outline or [(0.0, 0.0), (1.0, 1.0)]
    xs = [p[0] for p in pts]
    ys = [p[1] for p in pts]
    return QRectF(min(xs), min(ys), max(max(xs) - min(xs), 0.1), max(max(ys) - min(ys), 0.1))


def px_per_m(scale: int) -> float:
    """Device pixels per metre at 1:``scale`` on paper."""
    return mm(1000.0 / scale)


def choose_scale(bounds: QRectF, area: QRectF) -> int:
    """The largest standard scale at which the hall fits ``area`` (device pixels)."""
    for s in SCALES:
        k = px_per_m(s)
        if bounds.width() * k <= area.width() and bounds.height() * k <= area.height():
            return s
    return SCALES[-1]


def export_strokes(scene, k: float, svg: bool = False) -> None:
    """Make the scene's overlay strokes plain ones for ``k`` device px per metre.

    The app draws its overlays (feed lines, selection and group outlines) with cosmetic
    pens, which Qt's SVG generator writes as ``vector-effect="non-scaling-stroke"``: librsvg
    and CairoSVG ignore it and scale the stroke with the drawing. Here each cosmetic pen
    gets its width in metres instead, and a path item with nothing to draw is hidden (Qt
    would write an empty ``d=""``). For an SVG (``svg``) dashes are given in absolute
    units (see :func:`~designer.app.plan.items.svg_dashes`).
    """
    from designer.app.plan.items import svg_dashes

    for it in scene.items():
        if not isinstance(it, QAbstractGraphicsShapeItem):
            continue
        if isinstance(it, QGraphicsPathItem) and it.path().isEmpty():
            it.setVisible(False)
            continue
        pen = it.pen()
        px = getattr(it, "_export_px", None)
        if pen.isCosmetic() or px is not None:
            if px is None:
                px = it._export_px = (pen.widthF() or 1.0, pen.style())  # a cosmetic width of 0 is 1 px
            pen.setCosmetic(False)
            pen.setWidthF(px[0] / k)
            pen.setStyle(px[1])
            if svg and px[1] == Qt.DashLine:
                svg_dashes(pen)
            it.setPen(pen)


def render_plan(p: QPainter, scene: HallScene, window: QRectF, origin: QPointF, k: float,
                pad: float = 0.6) -> QRectF:
    """Draw the scene over ``window`` (model metres, y up) so that its top-left (north-west)
    corner lands at ``origin`` (device px), ``k`` px per metre; ``pad`` metres around it are
    drawn too (supply arrows, the wall pen). Returns the window's rectangle on the device."""
    src = QRectF(to_scene(window.left(), window.bottom()), to_scene(window.right(), window.top()))
    src = src.adjusted(-pad, -pad, pad, pad)
    from PySide6.QtSvg import QSvgGenerator

    export_strokes(scene, k, isinstance(p.device(), QSvgGenerator))
    target = QRectF(origin.x() - pad * k, origin.y() - pad * k, src.width() * k, src.height() * k)
    p.save()
    p.setRenderHint(QPainter.Antialiasing, True)
    p.setRenderHint(QPainter.TextAntialiasing, True)
    scene.render(p, target, src, Qt.IgnoreAspectRatio)  # clips to the target
    p.restore()
    return QRectF(origin.x(), origin.y(), window.width() * k, window.height() * k)


@dataclass
class SheetInfo:
    """What the title block shows."""

    project: str
    site: str
    revision: str
    date: str
    paper: str = "A3"
    sheet: str = ""
    dimensions: list[tuple[str, str]] | None = None
    drawing: str = "Floor plan, all systems"
    drawn: str = ""
    checked: str = ""
    approved: str = ""
    revisions: list[tuple[str, str, str, str]] | None = None
    """(revision, date, description, by), oldest first; the last few are shown."""
    callouts: list | None = None
    """Set by :func:`draw_plan_sheet`: the labels it placed outside their items."""

    @classmethod
    def of_project(cls, source: Project, **kw) -> SheetInfo:
        """Title block fields kept in the project (drawn / checked / approved, history)."""
        return cls(drawn=source.author, checked=source.checked_by, approved=source.approved_by,
                   revisions=[(r.revision, r.date, r.description, r.by) for r in source.revisions], **kw)


PANEL_W = mm(70)
GAP = mm(8)
DIM_BAND = mm(14)


def sheet_area(rect: QRectF) -> QRectF:
    """Where the drawing goes on a sheet ``rect``: left of the panel, above the scale bar."""
    return QRectF(rect.left() + DIM_BAND, rect.top() + mm(2), rect.width() - PANEL_W - GAP - DIM_BAND,
                  rect.height() - DIM_BAND - mm(16))


def draw_plan_sheet(p: QPainter, rect: QRectF, scene: HallScene, bounds: QRectF, info: SheetInfo,
                    scale: int | None = None, window: QRectF | None = None,
                    tiles: list[QRectF] | None = None, callouts: bool = True) -> int:
    """Draw the plan to a standard scale in ``rect`` with its annotations. Returns the scale.

    With ``window`` (model metres) only that part is drawn: a detail sheet, framed with
    plan coordinates, with a key plan showing ``tiles`` and where this one is. Equipment
    too small for its name gets a label with a leader unless ``callouts`` is False (an
    overview whose detail sheets carry them).
    """
    from designer.app.report import plan_detail as pd

    area = sheet_area(rect)
    scale = scale or choose_scale(bounds, area)
    k = px_per_m(scale)
    view = window or bounds
    w, h = view.width() * k, view.height() * k
    origin = QPointF(area.left() + max(0.0, (area.width() - w) / 2), area.top() + max(0.0, (area.height() - h) / 2))
    from designer.app.report.callouts import callouts_for_sheet

    if window is None:
        drawn = render_plan(p, scene, bounds, origin, k)
        draw_dimensions(p, drawn, bounds)
    else:
        drawn = render_plan(p, scene, window, origin, k, pad=0.0)
        pd.draw_frame(p, drawn, window, k)
    info.callouts = callouts_for_sheet(p, scene, view, origin, k, drawn) if callouts else []
    bar_y = min(rect.bottom() - mm(12), drawn.bottom() + DIM_BAND + mm(3))
    draw_scale_bar(p, QPointF(drawn.left(), bar_y), k, scale, info.paper)
    panel = QRectF(rect.right() - PANEL_W, rect.top(), PANEL_W, rect.height())
    draw_north(p, QPointF(panel.right() - mm(6), panel.top() + mm(8)))
    y = draw_legend(p, QRectF(panel.left(), panel.top(), panel.width(), panel.height()))
    if window is not None:
        pd.draw_key_plan(p, QRectF(panel.left(), y + mm(5), panel.width(), mm(52)), bounds, tiles or [window],
                         window)
    elif info.dimensions:
        draw_key_dims(p, QRectF(panel.left(), y + mm(5), panel.width(), panel.height()), info.dimensions)
    tb_h = title_block_height(p, panel.width(), info, scale)
    draw_title_block(p, QRectF(panel.left(), panel.bottom() - tb_h, panel.width(), tb_h), info, scale)
    return scale


def draw_dimensions(p: QPainter, r: QRectF, bounds: QRectF) -> None:
    """Overall width below and depth left of the drawing, with extension lines and ticks."""
    p.save()
    p.setPen(pen(INK, 0.8))
    off = mm(7)
    y = r.bottom() + off
    x = r.left() - off
    for a, b in ((QPointF(r.left(), r.bottom() + mm(1.5)), QPointF(r.left(), y + mm(1.5))),
                 (QPointF(r.right(), r.bottom() + mm(1.5)), QPointF(r.right(), y + mm(1.5))),
                 (QPointF(r.left() - mm(1.5), r.top()), QPointF(x - mm(1.5), r.top())),
                 (QPointF(r.left() - mm(1.5), r.bottom()), QPointF(x - mm(1.5), r.bottom()))):
        p.drawLine(a, b)
    p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
    p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
    t = mm(1.4)
    for c in (QPointF(r.left(), y), QPointF(r.right(), y), QPointF(x, r.top()), QPointF(x, r.bottom())):
        p.drawLine(QPointF(c.x() - t, c.y() + t), QPointF(c.x() + t, c.y() - t))  # architectural ticks
    f = font(8)
    p.setFont(f)
    label_w = f"{bounds.width():.2f} m"
    p.fillRect(QRectF(r.center().x() - mm(11), y - mm(2.2), mm(22), mm(4.4)), Qt.white)
    p.drawText(QRectF(r.center().x() - mm(11), y - mm(2.2), mm(22), mm(4.4)), Qt.AlignCenter, label_w)
    p.translate(x, r.center().y())
    p.rotate(-90)
    p.fillRect(QRectF(-mm(11), -mm(2.2), mm(22), mm(4.4)), Qt.white)
    p.drawText(QRectF(-mm(11), -mm(2.2), mm(22), mm(4.4)), Qt.AlignCenter, f"{bounds.height():.2f} m")
    p.restore()


def nice_length(k: float, target_px: float) -> float:
    """A round length (1, 2, 5 x 10^n m) close to ``target_px`` long on paper."""
    raw = target_px / k
    e = 10 ** math.floor(math.log10(raw))
    for m in (1, 2, 5, 10):
        if m * e >= raw * 0.7:
            return m * e
    return 10 * e


def draw_scale_bar(p: QPainter, at: QPointF, k: float, scale: int, paper: str) -> None:
    length = nice_length(k, mm(60))
    n = 5 if length / 5 >= 0.999 * 10 ** math.floor(math.log10(length / 5)) else 4
    seg = length / n * k
    h = mm(2.2)
    p.save()
    p.setPen(pen(INK, 0.8))
    for i in range(n):
        p.setBrush(INK if i % 2 == 0 else Qt.white)
        p.drawRect(QRectF(at.x() + i * seg, at.y(), seg, h))
    f = font(7)
    p.setFont(f)
    for i in (0, n // 2 if n % 2 == 0 else n, n):
        v = length * i / n
        p.drawText(QRectF(at.x() + i * seg - mm(8), at.y() + h + mm(0.5), mm(16), mm(4)), Qt.AlignHCenter,
                   f"{v:g} m" if i == n else f"{v:g}")
    p.setFont(font(8, bold=True))
    p.drawText(QRectF(at.x() + n * seg + mm(6), at.y() - mm(1.5), mm(70), mm(5)), Qt.AlignLeft | Qt.AlignVCenter,
               f"Scale 1:{scale} ({paper})")
    p.restore()


def draw_north(p: QPainter, c: QPointF) -> None:
    """North arrow: model +y is north."""
    p.save()
    p.setPen(pen(INK, 0.8))
    p.setBrush(INK)
    s = mm(4)
    p.drawPolygon(QPolygonF([QPointF(c.x(), c.y() - s), QPointF(c.x() + s * 0.5, c.y() + s * 0.6),
                             QPointF(c.x(), c.y() + s * 0.25), QPointF(c.x() - s * 0.5, c.y() + s * 0.6)]))
    p.setFont(font(8, bold=True))
    p.drawText(QRectF(c.x() - mm(4), c.y() - s - mm(5), mm(8), mm(4.5)), Qt.AlignCenter, "N")
    p.restore()


def _swatch(p: QPainter, r: QRectF, kind: str) -> None:
    p.save()
    if kind.startswith("rack"):
        p.setBrush(style.RACK[kind.split(":")[1]])
        p.setPen(pen(style.RACK_EDGE, 0.8))
        p.drawRect(r)
        if kind.endswith("air"):
            p.setPen(pen(style.FRONT, mm(0.6)))
            p.drawLine(QPointF(r.left() + 1, r.top() + mm(0.4)), QPointF(r.right() - 1, r.top() + mm(0.4)))
    elif kind == "module":
        p.setBrush(style.MODULE_FILL)
        p.setPen(pen(style.MODULE_EDGE, 1.2, Qt.DashLine))
        p.drawRect(r)
    elif kind in ("cdu", "air_unit"):
        p.setBrush(style.CDU if kind == "cdu" else style.AIR_UNIT)
        p.setPen(pen(style.RACK_EDGE, 0.8))
        p.drawRect(r)
    elif kind in ("supply", "return", "busway"):
        c = {"supply": style.SUPPLY, "return": style.RETURN, "busway": style.BUSWAY}[kind]
        p.setPen(QPen(c, mm(0.9 if kind == "busway" else 0.6), Qt.SolidLine, Qt.FlatCap))
        p.drawLine(QPointF(r.left(), r.center().y()), QPointF(r.right(), r.center().y()))
    elif kind in style.POWER:
        p.setBrush(style.POWER[kind])
        p.setPen(pen(QColor("#8a5a2b"), 0.8))
        p.drawRect(r)
    elif kind in ("hot", "cold"):
        c = style.HOT if kind == "hot" else style.COLD
        p.setBrush(QBrush(QColor(c.red(), c.green(), c.blue(), 150), Qt.BDiagPattern))
        p.setPen(pen(QColor(c.red(), c.green(), c.blue(), 200), 1.0))
        p.drawRect(r)
    elif kind == "obstruction":
        p.setBrush(style.OBSTRUCTION)
        p.setPen(pen(QColor("#333333"), 0.8))
        p.drawRect(r)
    elif kind in ("error", "warning"):
        p.setBrush(Qt.NoBrush)
        p.setPen(pen(style.STATUS[kind], 2.0))
        p.drawRect(r)
    p.restore()


LEGEND = (
    ("rack:air", "Air-cooled rack (blue edge: front)"), ("rack:hybrid", "Hybrid rack"), ("rack:liquid", "Liquid rack"),
    ("module", "Module"), ("cdu", "CDU"), ("air_unit", "Air unit (CRAH, in-row)"),
    ("supply", "Supply pipe"), ("return", "Return pipe"), ("busway", "Busway (with taps)"),
    ("transformer", "Transformer"), ("switchboard", "Switchboard"), ("ups", "UPS"), ("pdu", "PDU / RPP"),
    ("hot", "Hot-aisle containment"), ("cold", "Cold-aisle containment"), ("obstruction", "Column / obstruction"),
    ("error", "Item with an error finding"), ("warning", "Item with a warning"),
)


def draw_legend(p: QPainter, r: QRectF) -> float:
    """The legend at the top of ``r``; returns the y below it."""
    draw_text(p, QRectF(r.left(), r.top(), r.width(), mm(5)), "Legend", font(9, bold=True))
    y = r.top() + mm(6.5)
    f = font(7.5)
    for kind, text in LEGEND:
        _swatch(p, QRectF(r.left(), y + mm(0.6), mm(9), mm(3.2)), kind)
        draw_text(p, QRectF(r.left() + mm(12), y, r.width() - mm(12), mm(4.5)), text, f)
        y += mm(4.6)
    return y


def draw_key_dims(p: QPainter, r: QRectF, dims: list[tuple[str, str]]) -> float:
    draw_text(p, QRectF(r.left(), r.top(), r.width(), mm(5)), "Key dimensions", font(9, bold=True))
    y = r.top() + mm(6)
    f, fb = font(7.5), font(7.5, bold=True)
    for label, value in dims:
        draw_text(p, QRectF(r.left(), y, r.width() * 0.55, mm(8)), label, f, GREY)
        draw_text(p, QRectF(r.left() + r.width() * 0.55, y, r.width() * 0.45, mm(8)), value, fb)
        y += mm(4.4) if len(label) < 26 else mm(7.8)
    return y


TB_LABEL_W = mm(18)
TB_MIN_ROW = mm(5.2)
TB_HISTORY = 4
"""Revision history lines shown (the newest)."""


def _tb_rows(info: SheetInfo, scale: int) -> list[tuple[str, str]]:
    rows = [("Project", info.project), ("Site", info.site), ("Drawing", info.drawing),
            ("Scale", f"1:{scale} on {info.paper}"), ("Revision", info.revision), ("Date", info.date)]
    if info.sheet:
        rows.append(("Sheet", info.sheet))
    return rows


def _tb_layout(p: QPainter, width: float, info: SheetInfo, scale: int):
    """Row heights of the title block: each value wrapped to the cell and measured with the
    device's own font metrics, so no value is cut off however long (e.g. the drawing title
    of a hall with many detail sheets)."""
    from PySide6.QtGui import QFontMetricsF

    fb = font(7.5, bold=True)
    fm = QFontMetricsF(fb, p.device())
    vw = width - TB_LABEL_W - mm(2.5)
    heights = []
    for _k, v in _tb_rows(info, scale):
        r = fm.boundingRect(QRectF(0, 0, vw, 1e6), int(Qt.TextWordWrap | Qt.AlignLeft), v or "-")
        heights.append(max(TB_MIN_ROW, r.height() + mm(1.6)))
    hist = (info.revisions or [])[-TB_HISTORY:]
    fh = QFontMetricsF(font(6.5), p.device())
    desc_w = width - mm(30)
    hist_h = [max(mm(3.8), fh.boundingRect(QRectF(0, 0, desc_w, 1e6), int(Qt.TextWordWrap), d or "-").height()
                  + mm(0.8)) for _r, _d, d, _b in hist]
    fsig = QFontMetricsF(font(7, bold=True), p.device())
    sign = max(fsig.boundingRect(QRectF(0, 0, width / 3 - mm(2), 1e6), int(Qt.TextWordWrap), v or "-").height()
               for v in (info.drawn, info.checked, info.approved)) + mm(5.2)
    return heights, hist, hist_h, max(sign, mm(9.5))


def title_block_height(p: QPainter, width: float, info: SheetInfo, scale: int) -> float:
    heights, _hist, hist_h, sign = _tb_layout(p, width, info, scale)
    history = mm(4.5) + (sum(hist_h) if hist_h else mm(3.8))
    return sum(heights) + sign + history


def draw_title_block(p: QPainter, r: QRectF, info: SheetInfo, scale: int) -> None:
    """Revision history on top, the drawn / checked / approved row, then the sheet's fields."""
    heights, hist, hist_h, sign = _tb_layout(p, r.width(), info, scale)
    p.save()
    p.setPen(pen(INK, 1.0))
    p.setBrush(Qt.NoBrush)
    p.drawRect(r)
    f, fb, fs = font(7), font(7.5, bold=True), font(6.5)
    x0, y = r.left(), r.top()
    # revision history: Rev | Date | Description | By
    cols = (mm(7), mm(16), r.width() - mm(7) - mm(16) - mm(12), mm(12))
    xs = [x0 + mm(1)]
    for c in cols[:-1]:
        xs.append(xs[-1] + c)
    for x, head in zip(xs, ("Rev", "Date", "Revision history", "By"), strict=True):
        draw_text(p, QRectF(x, y + mm(0.5), mm(40), mm(4)), head, fs, GREY)
    y += mm(4.5)
    if not hist:
        draw_text(p, QRectF(xs[0], y, r.width(), mm(3.8)), "(no revisions recorded)", fs, GREY)
        y += mm(3.8)
    for (rev, date, desc, by), h in zip(hist, hist_h, strict=True):
        for x, w, v in zip(xs, cols, (rev, date, desc, by), strict=True):
            draw_text(p, QRectF(x, y, w - mm(1), h), v or "-", fs, INK)
        y += h
    p.setPen(pen(INK, 1.0))
    p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
    # drawn / checked / approved
    third = r.width() / 3
    for i, (k, v) in enumerate((("Drawn", info.drawn), ("Checked", info.checked), ("Approved", info.approved))):
        x = r.left() + i * third
        if i:
            p.setPen(pen(LIGHT, 0.8))
            p.drawLine(QPointF(x, y), QPointF(x, y + sign))
        draw_text(p, QRectF(x + mm(1.2), y + mm(0.5), third - mm(2), mm(3.5)), k, fs, GREY)
        draw_text(p, QRectF(x + mm(1.2), y + mm(4.2), third - mm(2), sign - mm(4.2)), v or "-",
                  font(7, bold=True), INK, Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap)
    y += sign
    p.setPen(pen(INK, 1.0))
    p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
    for i, ((k, v), h) in enumerate(zip(_tb_rows(info, scale), heights, strict=True)):
        if i:
            p.setPen(pen(LIGHT, 0.8))
            p.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
        draw_text(p, QRectF(r.left() + mm(1.5), y, TB_LABEL_W - mm(1), h), k, f, GREY, Qt.AlignLeft | Qt.AlignVCenter)
        draw_text(p, QRectF(r.left() + TB_LABEL_W + mm(1), y, r.width() - TB_LABEL_W - mm(2.5), h), v or "-", fb, INK,
                  Qt.AlignLeft | Qt.AlignVCenter | Qt.TextWordWrap)
        y += h
    p.restore()


__all__ = ["DPI", "SheetInfo", "choose_scale", "draw_plan_sheet", "hall_bounds", "plan_scene", "px_per_m"]
