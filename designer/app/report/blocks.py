"""Text blocks of the report: headings, paragraphs, key-value lists and tables."""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QRectF, Qt

from designer.app.report.layout import Flow
from designer.app.report.paint import (
    ACCENT,
    GREY,
    HEAD_FILL,
    INK,
    LIGHT,
    STATUS_FILL,
    STATUS_INK,
    draw_text,
    font,
    mm,
    pen,
)
from designer.io.report.model import KeyValues, Table, Text

WRAP = Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap
_UNIT = re.compile(r"(\d) (?=(?:[A-Za-z°µ²³%/]{1,6})(?:[\s,;.)]|$))")


def glue(text: str) -> str:
    """A number and its unit stay on one line ("1.0 m" never wraps before the "m")."""
    return _UNIT.sub("\\1\u00a0", text)


STYLE_FONT = {"body": (9.0, False, False), "note": (7.8, False, True), "warn": (9.0, True, False),
              "mono": (8.0, False, False)}
STYLE_INK = {"body": INK, "note": GREY, "warn": STATUS_INK["error"], "mono": INK}
PAD = mm(1.1)


def heading(flow: Flow, title: str, level: int) -> None:
    f = font(15 if level == 1 else 11.5, bold=True)
    h = flow.m.text_height(f, title, flow.width) + mm(1.5 if level == 1 else 1.0)
    flow.ensure(h + mm(30))  # keep a heading with what follows
    x, y, w = flow.left, flow.y, flow.width

    def op(p, x=x, y=y, w=w, h=h):
        draw_text(p, QRectF(x, y, w, h), title, f, ACCENT if level == 1 else INK, WRAP)
        if level == 1:
            p.setPen(pen(ACCENT, 1.2))
            p.drawLine(QPointF(x, y + h), QPointF(x + w, y + h))

    flow.add(op, h, mm(4 if level == 1 else 2.5))


def caption(flow: Flow, title: str) -> None:
    f = font(8.8, bold=True)
    h = flow.m.text_height(f, title, flow.width)
    x, y, w = flow.left, flow.y, flow.width
    flow.add(lambda p: draw_text(p, QRectF(x, y, w, h), title, f, INK, WRAP), h, mm(1.2))


def paragraph(flow: Flow, block: Text) -> None:
    pt, bold, italic = STYLE_FONT.get(block.style, STYLE_FONT["body"])
    f = font(pt, bold, italic, "DejaVu Sans Mono" if block.style == "mono" else "DejaVu Sans")
    color = STYLE_INK.get(block.style, INK)
    h = flow.m.text_height(f, block.text, flow.width)
    if h > flow.room and not flow.at_top() and h < flow.rect.height():
        flow.ensure(h)
    x, y, w = flow.left, flow.y, flow.width
    flow.add(lambda p: draw_text(p, QRectF(x, y, w, h + 2), block.text, f, color, WRAP), h, mm(2.2))


def key_values(flow: Flow, block: KeyValues) -> None:
    if block.title:
        flow.ensure(mm(12))
        caption(flow, block.title)
    f_label, f_value = font(7.9), font(7.9)
    lw = min(flow.width * (0.34 if flow.width > mm(120) else 0.38), mm(62))
    vw = flow.width - lw - mm(2)
    for label, value in block.rows:
        value = glue(value)
        h = max(flow.m.text_height(f_label, label, lw), flow.m.text_height(f_value, value, vw)) + mm(0.7)
        flow.ensure(h)
        x, y = flow.left, flow.y

        def op(p, x=x, y=y, h=h, label=label, value=value):
            draw_text(p, QRectF(x, y, lw, h), label, f_label, GREY, WRAP)
            draw_text(p, QRectF(x + lw + mm(2), y, vw, h), value, f_value, INK, WRAP)
            p.setPen(pen(LIGHT, 0.5))
            p.drawLine(QPointF(x, y + h - mm(0.3)), QPointF(x + lw + mm(2) + vw, y + h - mm(0.3)))

        flow.add(op, h, 0.0)
    flow.space(mm(3))


def _widths(flow: Flow, block: Table, f_head, f_body, total: float) -> list[float]:
    """Column widths: each column gets its natural (one-line) width when everything fits;
    otherwise columns shrink towards their longest word, the widest ones first (by weight)."""
    fm_h, fm_b = flow.m.of(f_head), flow.m.of(f_body)
    pad = 2 * PAD + 1.0
    n = len(block.columns)
    natural = [0.0] * n
    least = [0.0] * n
    for k, c in enumerate(block.columns):
        words = c.title.split()
        least[k] = max((fm_h.horizontalAdvance(w) for w in words), default=0.0)
        natural[k] = max(fm_h.horizontalAdvance(c.title), least[k])
    for row in block.rows:
        for k in range(min(n, len(row))):
            cell = row[k]
            if not cell:
                continue
            lines = cell.split("\n")
            w = max(fm_b.horizontalAdvance(x) for x in lines)
            if w > natural[k]:
                natural[k] = w
            if len(lines) == 1 and (" " not in cell or len(cell) <= 12):  # "99 %", "0.0 m": keep whole
                if w > least[k]:
                    least[k] = w
            else:
                lw = max(fm_b.horizontalAdvance(x) for x in cell.split())
                if lw > least[k]:
                    least[k] = lw
    natural = [w + pad for w in natural]
    least = [min(w + pad, total / n * 2.5) for w in least]  # one very long word must not eat the table
    if sum(natural) <= total:
        extra = total - sum(natural)
        wsum = sum(max(c.weight, 0.1) for c in block.columns)
        return [natural[k] + extra * max(c.weight, 0.1) / wsum for k, c in enumerate(block.columns)]
    # shrink the columns with room to give (natural above least) in proportion to that room
    give = [natural[k] - least[k] for k in range(n)]
    need = sum(natural) - total
    room = sum(give)
    if room >= need > 0:
        return [natural[k] - give[k] * need / room for k in range(n)]
    s = sum(least)
    return [least[k] * total / s for k in range(n)]


def table(flow: Flow, block: Table) -> None:
    cols = block.columns
    if not cols:
        return
    f_body, f_head = font(7.4), font(7.4, bold=True)
    widths = _widths(flow, block, f_head, f_body, flow.width)
    xs = [flow.left]
    for w in widths[:-1]:
        xs.append(xs[-1] + w)
    m = flow.m

    def height(cells, f) -> float:
        return max((m.text_height(f, cells[i] if i < len(cells) else "", widths[i] - 2 * PAD)
                    for i in range(len(cols))), default=0.0) + 2 * PAD

    # units like "L/min" must not break after the slash (a word joiner forbids it)
    head_cells = [c.title.replace("/", "/\u2060") for c in cols]
    head_h = height(head_cells, f_head)
    rows = [[glue(c) for c in r] for r in block.rows]
    row_h = [height(r, f_body) for r in rows]
    status = block.row_status or [""] * len(block.rows)
    cap_h = m.text_height(font(8.8, bold=True), block.title, flow.width) + mm(1.2) if block.title else 0.0
    first = head_h + (row_h[0] if row_h else 0.0) + cap_h
    flow.ensure(first)
    if block.title:
        caption(flow, block.title)
    i = 0
    n = len(block.rows)
    while True:
        flow.check()
        y0 = flow.y
        avail = flow.rect.bottom() - y0 - head_h
        j = i
        used = 0.0
        while j < n and (used + row_h[j] <= avail or j == i):
            used += row_h[j]
            j += 1
        chunk = (i, j, y0)

        def op(p, chunk=chunk):
            a, b, y = chunk
            _paint_rows(p, xs, widths, cols, head_cells, head_h, rows[a:b], row_h[a:b], status[a:b], y,
                        f_head, f_body)

        flow.add(op, head_h + used, 0.0)
        i = j
        if i >= n:
            break
        flow.new_page(flow.page.size_mm)
        if block.title:
            caption(flow, f"{block.title} (continued)")
    flow.space(mm(1.5))
    if block.note:
        paragraph(flow, Text(block.note, "note"))
    else:
        flow.space(mm(1.5))


def _paint_rows(p, xs, widths, cols, head_cells, head_h, rows, heights, status, y, f_head, f_body) -> None:
    total_w = sum(widths)
    x0 = xs[0]
    p.fillRect(QRectF(x0, y, total_w, head_h), HEAD_FILL)
    for k, c in enumerate(cols):
        align = Qt.AlignRight if c.align == "right" else (Qt.AlignHCenter if c.align == "center" else Qt.AlignLeft)
        draw_text(p, QRectF(xs[k] + PAD, y + PAD, widths[k] - 2 * PAD, head_h - PAD), head_cells[k], f_head, INK,
                  align | Qt.AlignTop | Qt.TextWordWrap)
    y += head_h
    p.setPen(pen(INK, 0.8))
    p.drawLine(QPointF(x0, y), QPointF(x0 + total_w, y))
    for cells, h, st in zip(rows, heights, status, strict=True):
        if st in ("error", "warning"):
            p.fillRect(QRectF(x0, y, total_w, h), STATUS_FILL[st])
        for k, c in enumerate(cols):
            align = Qt.AlignRight if c.align == "right" else (Qt.AlignHCenter if c.align == "center" else Qt.AlignLeft)
            text = cells[k] if k < len(cells) else ""
            draw_text(p, QRectF(xs[k] + PAD, y + PAD, widths[k] - 2 * PAD, h - PAD), text, f_body, INK,
                      align | Qt.AlignTop | Qt.TextWordWrap)
        y += h
        p.setPen(pen(LIGHT, 0.5))
        p.drawLine(QPointF(x0, y), QPointF(x0 + total_w, y))
