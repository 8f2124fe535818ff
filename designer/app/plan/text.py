"""Fonts, text widths and level of detail shared by the plan's items and result overlays."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontMetricsF, QPainter
from PySide6.QtWidgets import QStyleOptionGraphicsItem

FONT_FAMILY = "DejaVu Sans"
_fonts: dict[tuple[int, bool], QFont] = {}
_widths: dict[tuple[str, bool], float] = {}


def font(px: float, bold: bool = False) -> QFont:
    """A cached font of ``px`` pixels (to the half pixel)."""
    key = (int(round(px * 2)), bold)
    f = _fonts.get(key)
    if f is None:
        f = _fonts[key] = QFont(FONT_FAMILY)
        f.setPixelSize(max(1, int(round(px))))
        f.setBold(bold)
    return f


def text_width(text: str, bold: bool = False) -> float:
    """Width of ``text`` at a 10 px font (scales linearly with the size); cached."""
    w = _widths.get((text, bold))
    if w is None:
        w = _widths[(text, bold)] = QFontMetricsF(font(10, bold)).horizontalAdvance(text)
    return w


def lod(painter: QPainter) -> float:
    """Screen pixels per scene unit (per metre on the plan) at which the painter draws."""
    return QStyleOptionGraphicsItem.levelOfDetailFromTransform(painter.worldTransform())
