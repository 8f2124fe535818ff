"""Labels with leaders for equipment whose name does not fit inside it at the sheet's scale.

The plan scene writes each item's name inside its footprint, and skips it when the text
would be smaller than a readable 5.5 px (:func:`designer.app.plan.items.draw_label`). On a
printed sheet every piece of equipment (CDUs, air units, power equipment, site services)
must still be named, so those names go outside: a small boxed label placed at the first of
a ring of positions around the item that is clear of every item and of the labels already
placed, with a leader line back to the item. Racks are not called out (a hall has hundreds;
their rows are named in the report's tables).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF, QPainter

from designer.app.plan import items as pi
from designer.app.plan.coords import to_scene
from designer.app.report.paint import INK, draw_text, font, mm, pen

CALLOUT_KINDS = (pi.CduItem, pi.AirUnitItem, pi.PowerItem, pi.ServiceItem)
MIN_LABEL_PX = 5.5
"""Below this height the scene leaves a label out (as :func:`~designer.app.plan.items.draw_label`)."""


@dataclass(frozen=True)
class Callout:
    item_id: str
    text: str
    box: QRectF
    """Where the label went (device px)."""
    clear: bool
    """False when no clear position was found (the label overlaps something)."""


def label_fits(item: pi.PlacedItem, k: float) -> bool:
    """Whether the scene draws ``item``'s name inside it at ``k`` device px per metre."""
    turned = abs(math.sin(math.radians(item.rot))) > 0.7
    w, h = (item.d, item.w) if turned else (item.w, item.d)
    scale = min(w * 0.92 / max(1.0, pi._text_width(item.text)), h * 0.6 / 12.0, 11.0 / 10.0 / max(k, 1e-9))
    return scale * k * 10 >= MIN_LABEL_PX


def _device_rect(item, window: QRectF, origin: QPointF, k: float) -> QRectF:
    src0 = to_scene(window.left(), window.bottom())
    r = item.sceneBoundingRect()
    return QRectF(origin.x() + (r.left() - src0.x()) * k, origin.y() + (r.top() - src0.y()) * k,
                  r.width() * k, r.height() * k)


def place_callouts(scene, window: QRectF, origin: QPointF, k: float, bounds: QRectF) -> list[Callout]:
    """Where the labels of ``scene``'s unlabelled equipment go (device px), without drawing."""
    f = font(6.5)
    fm = QFontMetricsF(f)
    obstacles: list[QRectF] = []
    todo: list[tuple[str, str, QRectF]] = []
    for it in scene.items():
        if not isinstance(it, pi.PlacedItem) or isinstance(it, pi.ModuleItem) or not it.isVisible():
            continue
        r = _device_rect(it, window, origin, k)
        if not r.intersects(bounds):
            continue
        obstacles.append(r)
        if isinstance(it, CALLOUT_KINDS) and it.text and not label_fits(it, k):
            todo.append((it.item_id, it.text, r))
    todo.sort(key=lambda t: (t[2].top(), t[2].left()))
    placed: list[QRectF] = []
    out: list[Callout] = []
    pad = mm(0.6)
    for item_id, text, r in todo:
        w, h = fm.horizontalAdvance(text) + 2 * pad, fm.height() + pad
        best = None
        for ring in (mm(2.5), mm(6), mm(11), mm(17)):
            for ang in range(-90, 270, 45):  # above first, then clockwise
                dx, dy = math.cos(math.radians(ang)), math.sin(math.radians(ang))
                cx = r.center().x() + dx * (r.width() / 2 + ring + w / 2)
                cy = r.center().y() + dy * (r.height() / 2 + ring + h / 2)
                box = QRectF(cx - w / 2, cy - h / 2, w, h)
                if not bounds.contains(box):
                    continue
                if any(box.intersects(o) for o in obstacles) or any(box.intersects(o) for o in placed):
                    continue
                best = box
                break
            if best is not None:
                break
        clear = best is not None
        if best is None:
            best = QRectF(r.center().x() - w / 2, r.top() - mm(2.5) - h, w, h)
        placed.append(best.adjusted(-mm(0.4), -mm(0.4), mm(0.4), mm(0.4)))
        out.append(Callout(item_id, text, best, clear))
    return out


def draw_callouts(p: QPainter, callouts: list[Callout], targets: dict[str, QRectF] | None = None) -> None:
    """Draw each label boxed on white with a leader to the nearest point of its item."""
    f = font(6.5)
    p.save()
    for c in callouts:
        t = (targets or {}).get(c.item_id)
        if t is not None:
            a = QPointF(min(max(c.box.center().x(), t.left()), t.right()),
                        min(max(c.box.center().y(), t.top()), t.bottom()))
            b = QPointF(min(max(a.x(), c.box.left()), c.box.right()), min(max(a.y(), c.box.top()), c.box.bottom()))
            p.setPen(pen(INK, 0.6))
            p.drawLine(a, b)
            p.setBrush(INK)
            p.drawEllipse(a, mm(0.35), mm(0.35))
        p.setBrush(Qt.white)
        p.setPen(pen(INK, 0.5))
        p.drawRect(c.box)
        draw_text(p, c.box, c.text, f, INK, Qt.AlignCenter)
    p.restore()


def callouts_for_sheet(p: QPainter, scene, window: QRectF, origin: QPointF, k: float,
                       drawn: QRectF) -> list[Callout]:
    """Place and draw the callouts of one sheet (inside the drawing's frame, a little beyond
    the hall where there is room); returns them."""
    bounds = drawn.adjusted(-mm(1), -mm(1), mm(1), mm(1))
    out = place_callouts(scene, window, origin, k, bounds)
    targets = {}
    for it in scene.items():
        if isinstance(it, pi.PlacedItem) and it.item_id in {c.item_id for c in out}:
            targets[it.item_id] = _device_rect(it, window, origin, k)
    draw_callouts(p, out, targets)
    return out
