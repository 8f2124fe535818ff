"""Drawn thumbnails of catalog entries (no image files to ship or go stale)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap

from designer.app.window import style

_cache: dict[tuple[str, str], QIcon] = {}


def thumbnail(category: str, entry, size: int = 40) -> QIcon:
    key = (category, entry.model)
    if key in _cache:
        return _cache[key]
    pm = QPixmap(size, size)
    pm.fill(Qt.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.Antialiasing)
    w, d = max(entry.width_m, 0.1), max(entry.depth_m, 0.1)
    k = (size - 8) / max(w, d)
    r = QRectF((size - w * k) / 2, (size - d * k) / 2, w * k, d * k)
    if category == "modules":
        p.setBrush(style.MODULE_FILL.darker(105))
        pen = QPen(style.MODULE_EDGE, 1.5, Qt.DashLine)
        p.setPen(pen)
        p.drawRect(r)
        n = max(1, min(getattr(entry, "rack_positions", 0), 12))
        if n:
            rw = r.width() / (n + 1)
            for i in range(n):
                p.fillRect(QRectF(r.left() + rw * (i + 0.5), r.center().y() - rw, rw * 0.9, rw * 1.8),
                           style.RACK["liquid" if entry.cooling == "liquid" else "air"].darker(115))
    elif category == "racks":
        lf = getattr(entry, "liquid_fraction", 0.0)
        fill = style.RACK["air" if lf <= 0 else ("liquid" if lf >= 0.75 else "hybrid")]
        p.setBrush(fill)
        p.setPen(QPen(style.RACK_EDGE, 1))
        p.drawRect(r)
        p.setPen(QPen(style.FRONT, 3))
        p.drawLine(QPointF(r.left() + 1, r.top() + 1.5), QPointF(r.right() - 1, r.top() + 1.5))
    elif category == "cdus":
        p.setBrush(style.CDU)
        p.setPen(QPen(style.RACK_EDGE, 1))
        p.drawRect(r)
        p.setPen(QPen(style.SUPPLY, 2))
        p.drawEllipse(QPointF(r.center().x() - r.width() / 4, r.bottom() - 4), 2, 2)
        p.setPen(QPen(style.RETURN, 2))
        p.drawEllipse(QPointF(r.center().x() + r.width() / 4, r.bottom() - 4), 2, 2)
    elif category == "air_units":
        p.setBrush(style.AIR_UNIT)
        p.setPen(QPen(style.RACK_EDGE, 1))
        p.drawRect(r)
        p.setPen(QPen(style.FRONT, 2))
        p.drawLine(QPointF(r.center().x(), r.center().y()), QPointF(r.center().x(), 2))
    elif category == "busways":
        p.setPen(QPen(style.BUSWAY, 6))
        p.drawLine(QPointF(4, size / 2), QPointF(size - 4, size / 2))
        p.setBrush(style.TAP)
        p.setPen(Qt.NoPen)
        for x in (12, 20, 28):
            p.drawRect(QRectF(x - 2, size / 2 + 4, 4, 4))
    elif category in ("sources", "water_supplies"):
        water = category == "water_supplies"
        fill = style.WATER if water else style.SOURCE.get(getattr(entry, "kind", "utility"), style.SOURCE["utility"])
        p.setBrush(fill)
        p.setPen(QPen(QColor("#2b6f8a") if water else QColor("#8a5a2b"), 1))
        r = QRectF(4, size * 0.25, size - 8, size * 0.5)
        p.drawRect(r)
        symbol = "\u2248" if water else ("G" if getattr(entry, "kind", "") == "generator" else "~")
        p.setPen(QColor("#1b4a5a") if water else QColor("#5a3a1b"))
        p.drawText(r, Qt.AlignCenter, symbol)
    else:
        kind = {"transformers": "transformer", "switchboards": "switchboard", "ups": "ups",
                "pdus": "pdu"}.get(category, "pdu")
        p.setBrush(style.POWER.get(kind, QColor("#f3d3b0")))
        p.setPen(QPen(QColor("#8a5a2b"), 1))
        p.drawRect(r)
        p.setPen(QColor("#5a3a1b"))
        p.drawText(r, Qt.AlignCenter, {"transformer": "TX", "switchboard": "SWB", "ups": "UPS",
                                       "pdu": "PDU"}[kind])
    p.end()
    icon = QIcon(pm)
    _cache[key] = icon
    return icon
