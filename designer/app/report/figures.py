"""Figures of the report: x-y plots, the air temperature heat map, the power one-line tree."""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetricsF, QImage, QPainter, QPainterPath, QPen, QPolygonF

from designer.app.report.layout import Flow
from designer.app.report.paint import GREY, INK, LIGHT, STATUS_INK, draw_text, font, mm, pen
from designer.io.report.model import HeatMap, LinePlot, Tree

PLOT_H = mm(62)


# -- x-y plots -------------------------------------------------------------------------------------

def nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (steps of 1, 2, 2.5 or 5 x 10^k)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    e = 10 ** math.floor(math.log10(raw))
    step = next(m * e for m in (1, 2, 2.5, 5, 10) if m * e >= raw)
    t0 = math.floor(lo / step) * step
    count = math.ceil((hi - t0) / step - 1e-9)  # the last tick reaches hi: no series is cut off
    return [round(t0 + k * step, 10) for k in range(max(count, 1) + 1)]


def plots(flow: Flow, blocks: list[LinePlot]) -> None:
    """Plots two to a row."""
    gap = mm(6)
    w = (flow.width - gap) / 2
    for i in range(0, len(blocks), 2):
        flow.ensure(PLOT_H)
        y = flow.y
        pair = blocks[i:i + 2]
        for k, b in enumerate(pair):
            r = QRectF(flow.left + k * (w + gap), y, w, PLOT_H)
            flow.page.ops.append(lambda p, r=r, b=b: paint_plot(p, r, b))
        flow.space(PLOT_H + mm(4))


def paint_plot(p: QPainter, r: QRectF, b: LinePlot) -> None:
    title_h = mm(9)
    draw_text(p, QRectF(r.left(), r.top(), r.width(), title_h), b.title, font(7.6, bold=True))
    area = QRectF(r.left() + mm(13), r.top() + title_h, r.width() - mm(16), r.height() - title_h - mm(10))
    xs = [x for s in b.series for x, _ in s.points] + [m.x for m in b.markers]
    ys = [y for s in b.series for _, y in s.points] + [m.y for m in b.markers]
    xs = [v for v in xs if math.isfinite(v)] or [0.0, 1.0]
    ys = [v for v in ys if math.isfinite(v)] or [0.0, 1.0]
    x_lo = b.x_min if b.x_min is not None else min(xs)
    y_lo = b.y_min if b.y_min is not None else min(ys)
    xt = nice_ticks(x_lo, max(xs))
    yt = nice_ticks(y_lo, max(ys) * 1.08)
    x0, x1, y0, y1 = xt[0], xt[-1], yt[0], yt[-1]

    def at(x: float, y: float) -> QPointF:
        return QPointF(area.left() + (x - x0) / (x1 - x0) * area.width(),
                       area.bottom() - (y - y0) / (y1 - y0) * area.height())

    p.save()
    f = font(6.3)
    p.setFont(f)
    for v in xt:
        q = at(v, y0)
        p.setPen(pen(LIGHT, 0.5))
        p.drawLine(QPointF(q.x(), area.top()), QPointF(q.x(), area.bottom()))
        p.setPen(GREY)
        p.drawText(QRectF(q.x() - mm(8), area.bottom() + mm(0.8), mm(16), mm(3.5)), Qt.AlignHCenter, f"{v:g}")
    for v in yt:
        q = at(x0, v)
        p.setPen(pen(LIGHT, 0.5))
        p.drawLine(QPointF(area.left(), q.y()), QPointF(area.right(), q.y()))
        p.setPen(GREY)
        p.drawText(QRectF(area.left() - mm(12.5), q.y() - mm(1.7), mm(11.5), mm(3.5)), Qt.AlignRight | Qt.AlignVCenter,
                   f"{v:g}")
    p.setPen(pen(INK, 0.8))
    p.drawRect(area)
    p.setFont(font(6.8))
    p.setPen(INK)
    p.drawText(QRectF(area.left(), area.bottom() + mm(4.5), area.width(), mm(4)), Qt.AlignHCenter, b.x_label)
    p.save()
    p.translate(r.left() + mm(1), area.center().y())
    p.rotate(-90)
    p.drawText(QRectF(-area.height() / 2, 0, area.height(), mm(3.5)), Qt.AlignHCenter, b.y_label)
    p.restore()
    p.setClipRect(area)
    p.setRenderHint(QPainter.Antialiasing, True)
    for s in b.series:
        pts = [at(x, y) for x, y in s.points if math.isfinite(x) and math.isfinite(y)]
        if len(pts) < 2:
            continue
        pe = QPen(QColor(s.color), mm(0.45))
        if s.dashed:
            pe.setStyle(Qt.DashLine)
        p.setPen(pe)
        p.drawPolyline(QPolygonF(pts))
    for m in b.markers:
        p.setPen(pen(QColor(m.color), mm(0.3)))
        p.setBrush(QColor(m.color))
        p.drawEllipse(at(m.x, m.y), mm(1.0), mm(1.0))
    p.setClipping(False)
    # legend, top right inside the plot
    items = [(s.name, QColor(s.color), s.dashed, False) for s in b.series] + \
            [(m.label, QColor(m.color), False, True) for m in b.markers]
    fl = font(6.0)
    fm = QFontMetricsF(fl, p.device())  # measured while painting: the legend sits inside the plot
    lw = max(fm.horizontalAdvance(t) for t, *_ in items) + mm(9)
    lh = mm(3.4)
    box = QRectF(area.right() - lw - mm(1.5), area.top() + mm(1.5), lw, lh * len(items) + mm(1))
    p.setPen(pen(LIGHT, 0.5))
    p.setBrush(QColor(255, 255, 255, 230))
    p.drawRect(box)
    for i, (t, c, dashed, dot) in enumerate(items):
        y = box.top() + mm(0.5) + i * lh + lh / 2
        if dot:
            p.setPen(pen(c, 0.5))
            p.setBrush(c)
            p.drawEllipse(QPointF(box.left() + mm(3.5), y), mm(0.9), mm(0.9))
        else:
            pe = QPen(c, mm(0.45))
            if dashed:
                pe.setStyle(Qt.DashLine)
            p.setPen(pe)
            p.drawLine(QPointF(box.left() + mm(1), y), QPointF(box.left() + mm(6), y))
        p.setPen(INK)
        p.setFont(fl)
        p.drawText(QRectF(box.left() + mm(7.5), y - lh / 2, lw - mm(8), lh), Qt.AlignLeft | Qt.AlignVCenter, t)
    p.restore()


# -- heat map --------------------------------------------------------------------------------------

_TURBO = ("#30123b", "#4145ab", "#4675ed", "#39a2fc", "#1bcfd4", "#24eca6", "#61fc6c", "#a4fc3b",
          "#d1e834", "#f3c63a", "#fe9b2d", "#f36315", "#d93806", "#b11901", "#7a0403")


def _lut() -> np.ndarray:
    anchors = np.array([[int(c[i:i + 2], 16) for i in (1, 3, 5)] for c in _TURBO], dtype=float)
    t = np.linspace(0, len(anchors) - 1, 256)
    i = np.clip(np.floor(t).astype(int), 0, len(anchors) - 2)
    f = (t - i)[:, None]
    return (anchors[i] * (1 - f) + anchors[i + 1] * f).astype(np.uint8)


LUT = _lut()


def colour_image(values: np.ndarray, lo: float, hi: float) -> QImage:
    """RGBA image of a (ny, nx) field, row 0 at the top (+y up in the model); NaN transparent."""
    v = np.asarray(values, dtype=float)[::-1]
    ok = np.isfinite(v)
    idx = np.clip(((np.where(ok, v, lo) - lo) / max(hi - lo, 1e-9) * 255).round(), 0, 255).astype(np.uint8)
    rgba = np.zeros(v.shape + (4,), dtype=np.uint8)
    rgba[..., :3] = LUT[idx]
    rgba[..., 3] = np.where(ok, 255, 0)
    ny, nx = v.shape
    img = QImage(np.ascontiguousarray(rgba).data, nx, ny, nx * 4, QImage.Format_RGBA8888)
    return img.copy()  # own the pixels: the numpy buffer goes away


def heat_map(flow: Flow, b: HeatMap) -> None:
    vals = np.asarray(b.values, dtype=float)
    ny, nx = vals.shape
    gx0, gy0 = b.x0, b.y0
    gx1, gy1 = b.x0 + nx * b.cell_m, b.y0 + ny * b.cell_m
    pts = list(b.outline) or [(gx0, gy0), (gx1, gy1)]
    bx0, by0 = min(min(x for x, _ in pts), gx0), min(min(y for _, y in pts), gy0)
    bx1, by1 = max(max(x for x, _ in pts), gx1), max(max(y for _, y in pts), gy1)
    bar_w = mm(24)
    w_avail = flow.width - bar_w
    k = min(w_avail / max(bx1 - bx0, 1e-6), mm(120) / max(by1 - by0, 1e-6))
    h = (by1 - by0) * k + mm(8)
    flow.ensure(h)
    ox, oy = flow.left, flow.y + mm(6)
    img = colour_image(vals, b.v_min, b.v_max)

    def op(p: QPainter) -> None:
        def at(x: float, y: float) -> QPointF:
            return QPointF(ox + (x - bx0) * k, oy + (by1 - y) * k)

        draw_text(p, QRectF(ox, oy - mm(6), w_avail, mm(5)), b.title, font(8.8, bold=True))
        p.save()
        p.setRenderHint(QPainter.SmoothPixmapTransform, False)
        p.drawImage(QRectF(at(gx0, gy1), at(gx1, gy0)), img)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.setBrush(Qt.NoBrush)
        p.setPen(pen(QColor(20, 20, 20, 150), 0.5))
        path = QPainterPath()
        for box in b.boxes:
            path.addPolygon(QPolygonF([at(x, y) for x, y in box]))
            path.closeSubpath()
        p.drawPath(path)
        if len(b.outline) >= 3:
            p.setPen(pen(INK, 1.4))
            p.drawPolygon(QPolygonF([at(x, y) for x, y in b.outline]))
        p.restore()
        _colour_bar(p, QRectF(ox + (bx1 - bx0) * k + mm(5), oy, mm(4), min((by1 - by0) * k, mm(80))), b)

    flow.add(op, h, mm(4))


def _colour_bar(p: QPainter, r: QRectF, b: HeatMap) -> None:
    n = 64
    col = np.linspace(b.v_max, b.v_min, n)[:, None]
    img = colour_image(col[::-1], b.v_min, b.v_max)
    p.save()
    p.drawImage(r, img)
    p.setPen(pen(INK, 0.6))
    p.drawRect(r)
    p.setFont(font(6.3))
    span = max(b.v_max - b.v_min, 1e-9)
    for v in nice_ticks(b.v_min, b.v_max, 5):
        if v < b.v_min - 1e-9 or v > b.v_max + 1e-9:
            continue
        y = r.bottom() - (v - b.v_min) / span * r.height()
        p.drawLine(QPointF(r.right(), y), QPointF(r.right() + mm(1), y))
        p.drawText(QRectF(r.right() + mm(1.5), y - mm(1.7), mm(14), mm(3.4)), Qt.AlignLeft | Qt.AlignVCenter, f"{v:g}")
    for v, _label in b.limits:
        if b.v_min <= v <= b.v_max:
            y = r.bottom() - (v - b.v_min) / span * r.height()
            p.setPen(pen(INK, 1.2, Qt.DashLine))
            p.drawLine(QPointF(r.left() - mm(1.5), y), QPointF(r.right() + mm(1.5), y))
    p.setPen(INK)
    p.drawText(QRectF(r.left() - mm(2), r.top() - mm(5), mm(20), mm(4)), Qt.AlignLeft, b.unit)
    if b.limits:
        v, label = b.limits[0]
        p.setFont(font(5.8, italic=True))
        p.drawText(QRectF(r.left() - mm(2), r.bottom() + mm(1.5), mm(22), mm(8)), Qt.AlignLeft | Qt.TextWordWrap,
                   f"dashed: {label} {v:g} {b.unit}")
    p.restore()


# -- one-line tree ---------------------------------------------------------------------------------

def tree(flow: Flow, b: Tree) -> None:
    nodes = b.nodes
    if not nodes:
        return
    ids = {n.id for n in nodes}
    depth: dict[str, int] = {}
    children: dict[str | None, list] = {}
    for n in nodes:
        parent = n.parent if n.parent in ids else None
        depth[n.id] = 0 if parent is None else depth.get(parent, 0) + 1
        children.setdefault(parent, []).append(n)
    ncol = max(depth.values()) + 1
    gap = mm(6)
    bw = min(mm(40), (flow.width - gap * (ncol - 1)) / ncol)
    f_title, f_line = font(6.6, bold=True), font(6.1)
    m = flow.m
    bh = max(m.text_height(f_title, n.title, bw - mm(3)) + len(n.lines) * m.of(f_line).height() for n in nodes) + mm(2)
    pitch = bh + mm(2.5)
    ypos: dict[str, float] = {}
    row = [0]

    def place(n) -> float:
        kids = children.get(n.id, [])
        if not kids:
            ypos[n.id] = row[0] * pitch
            row[0] += 1
        else:
            ys = [place(c) for c in kids]
            ypos[n.id] = (ys[0] + ys[-1]) / 2
        return ypos[n.id]

    for r in children.get(None, []):
        place(r)
    total_h = row[0] * pitch
    if any(n.alternate in ypos for n in nodes):
        total_h += mm(5)  # the key to the dashed lines
    title_h = mm(6)
    scale = min(1.0, (flow.rect.height() - title_h) / max(total_h, 1.0))
    h = total_h * scale + title_h
    flow.ensure(h)
    ox, oy = flow.left, flow.y

    def op(p: QPainter) -> None:
        draw_text(p, QRectF(ox, oy, flow_w, title_h), b.title, font(8.8, bold=True))
        p.save()
        p.translate(ox, oy + title_h)
        p.scale(scale, scale)
        p.setRenderHint(QPainter.Antialiasing, True)
        for n in nodes:  # alternate supplies (transfer switches): dashed, under the boxes
            if n.alternate in ypos:
                ax, ay = depth[n.alternate] * (bw + gap) + bw, ypos[n.alternate] + bh / 2
                cx, cy = depth[n.id] * (bw + gap), ypos[n.id] + bh * 0.7
                mid = cx - gap * 0.28  # beside the normal supply's elbow, not on it
                p.setPen(pen(STATUS_INK["warning"], 0.9, Qt.DashLine))
                p.drawPolyline(QPolygonF([QPointF(ax, ay), QPointF(mid, ay), QPointF(mid, cy), QPointF(cx, cy)]))
        for n in nodes:
            x = depth[n.id] * (bw + gap)
            y = ypos[n.id]
            for c in children.get(n.id, []):
                cx, cy = depth[c.id] * (bw + gap), ypos[c.id]
                p.setPen(pen(GREY, 0.8))
                mid = x + bw + gap / 2
                p.drawPolyline(QPolygonF([QPointF(x + bw, y + bh / 2), QPointF(mid, y + bh / 2),
                                          QPointF(mid, cy + bh / 2), QPointF(cx, cy + bh / 2)]))
            r = QRectF(x, y, bw, bh)
            p.setPen(pen(INK, 0.7))
            p.setBrush(QColor("#ffffff"))
            p.drawRect(r)
            p.fillRect(QRectF(x, y, mm(1.2), bh), STATUS_INK.get(n.status, LIGHT) if n.status else LIGHT)
            th = m.text_height(f_title, n.title, bw - mm(3))
            draw_text(p, QRectF(x + mm(2), y + mm(0.8), bw - mm(3), th), n.title, f_title)
            lh = m.of(f_line).height()
            for i, line in enumerate(n.lines):
                ink = STATUS_INK["error"] if line.isupper() else INK
                draw_text(p, QRectF(x + mm(2), y + mm(0.8) + th + i * lh, bw - mm(3), lh), line, f_line, ink,
                          Qt.AlignLeft | Qt.AlignTop)
        if any(n.alternate in ypos for n in nodes):
            y = row[0] * pitch + mm(1)
            p.setPen(pen(STATUS_INK["warning"], 0.9, Qt.DashLine))
            p.drawLine(QPointF(0, y + mm(1.5)), QPointF(mm(8), y + mm(1.5)))
            draw_text(p, QRectF(mm(10), y, mm(150), mm(4)), "alternate supply through a transfer switch",
                      font(6.3, italic=True), GREY, Qt.AlignLeft | Qt.AlignVCenter)
        p.restore()

    flow_w = flow.width
    flow.add(op, h, mm(4))
