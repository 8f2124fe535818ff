"""Shared painting helpers of the report: units on the page, fonts, colours.

Everything is drawn in device pixels of a :data:`DPI` device (PDF, SVG or image alike):
the plan items size their labels in device pixels (tuned for the screen), so drawing at
screen resolution makes the exported plan read like the plan in the app.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen

DPI = 96
FAMILY = "DejaVu Sans"

INK = QColor("#1d2126")
GREY = QColor("#5f6670")
LIGHT = QColor("#d5d9de")
HEAD_FILL = QColor("#e9edf2")
ACCENT = QColor("#2c5d8f")
STATUS_FILL = {"error": QColor(214, 45, 32, 38), "warning": QColor(232, 163, 23, 40), "ok": QColor(0, 0, 0, 0)}
STATUS_INK = {"error": QColor("#b3261e"), "warning": QColor("#9a6a00"), "ok": QColor("#2a7d3c"), "": INK}


def mm(v: float) -> float:
    """Millimetres on paper -> device pixels."""
    return v * DPI / 25.4


def font(pt: float, bold: bool = False, italic: bool = False, family: str = FAMILY) -> QFont:
    f = QFont(family)
    f.setPointSizeF(pt)
    f.setBold(bold)
    f.setItalic(italic)
    f.setHintingPreference(QFont.PreferNoHinting)  # same metrics on every device
    # no ligatures: "fl" must stay two letters for anyone searching or copying the PDF text
    f.setStyleStrategy(QFont.PreferNoShaping)
    return f


class Metrics:
    """Font metrics for the target device, cached per font."""

    def __init__(self, device) -> None:
        self.device = device
        self._m: dict[tuple, QFontMetricsF] = {}

    def of(self, f: QFont) -> QFontMetricsF:
        key = (f.family(), f.pointSizeF(), f.bold(), f.italic())
        m = self._m.get(key)
        if m is None:
            m = self._m[key] = QFontMetricsF(f, self.device)
        return m

    def text_height(self, f: QFont, text: str, width: float) -> float:
        """Height of ``text`` wrapped to ``width``."""
        fm = self.of(f)
        if "\n" not in text and fm.horizontalAdvance(text) <= width:
            return fm.height()
        r = fm.boundingRect(QRectF(0, 0, max(width, 1.0), 1e6), int(Qt.TextWordWrap | Qt.AlignLeft), text)
        return r.height()


def pen(color: QColor, width: float = 1.0, style=Qt.SolidLine) -> QPen:
    p = QPen(color, width)
    p.setStyle(style)
    return p


def draw_text(p: QPainter, rect: QRectF, text: str, f: QFont, color: QColor = INK,
              flags=Qt.AlignLeft | Qt.AlignTop | Qt.TextWordWrap) -> None:
    p.setFont(f)
    p.setPen(color)
    p.drawText(rect, int(flags), text)
