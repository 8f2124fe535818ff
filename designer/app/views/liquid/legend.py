"""The liquid overlay's key, pinned to the plan's bottom-right corner: the pipe colour bar
(with the velocity limit marked) and what the rack badge colours mean."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QWidget

from designer.app.plan.text import font
from designer.app.views.liquid import style as ls

BAR_W, BAR_H = 230, 12
MARGIN = 10


def nice_step(x: float) -> float:
    """The 1 / 2 / 2.5 / 5 x 10^n nearest above ``x``."""
    if x <= 0:
        return 1.0
    e = 10 ** math.floor(math.log10(x))
    return next(m * e for m in (1, 2, 2.5, 5, 10) if m * e >= x * (1 - 1e-9))


class LiquidLegend(QWidget):
    """Painted by hand (no layout): it floats over the plan and lets clicks through.

    A child of the view, not of its viewport: the view scrolls its viewport's children
    along with the plan when it pans."""

    def __init__(self, overlay, view) -> None:
        super().__init__(view)
        self.overlay = overlay
        self.viewport = view.viewport()
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setFixedSize(BAR_W + 28, 104)
        self.viewport.installEventFilter(self)
        overlay.listeners.append(self.sync)
        self.sync()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if obj is self.viewport and e.type() in (QEvent.Resize, QEvent.Move):
            self._place()
        return False

    def _place(self) -> None:
        vp = self.viewport.geometry()
        self.move(vp.right() - self.width() - MARGIN, vp.bottom() - self.height() - MARGIN)
        self.raise_()

    def sync(self) -> None:
        ov = self.overlay
        self.setVisible(ov.visible() and ov.site_has_liquid)
        self._place()
        self.update()

    # -- scale --------------------------------------------------------------------------------
    def ticks(self) -> list[tuple[float, str, bool]]:
        """(fraction along the bar, label, bold) of the scale's ticks, in display units."""
        ov = self.overlay
        units = ov.units
        if ov.color_by == "velocity":
            # round ticks in display units (0, 0.5, 1.0 m/s or 0, 2, 4, 6 ft/s), then the limit
            limit = ov.session.project.settings.velocity_limit_mps
            top = limit * ls.VELOCITY_SPAN
            f = ls.scale("velocity", units)
            step = nice_step(limit * f / 4)
            out, v = [], 0.0
            while v < limit * f * 0.86:
                out.append((v / f / top, f"{v:g}" if step >= 1 else f"{v:.1f}", False))
                v += step
            return out + [(1 / ls.VELOCITY_SPAN, f"{ls.conv(limit, 'velocity', units):.1f} limit", True)]
        top = ov.scale_max or 1.0
        return [(v / top, f"{ls.conv(v, 'liquid_flow', units):,.0f}", False)
                for v in (0.0, top / 4, top / 2, 3 * top / 4, top)]

    def title(self) -> str:
        ov = self.overlay
        if ov.color_by == "velocity":
            return f"Pipe velocity ({ls.symbol('velocity', ov.units)})"
        return f"Pipe flow ({ls.symbol('liquid_flow', ov.units)})"

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, e) -> None:  # noqa: N802
        ov = self.overlay
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor("#8a929c"), 1))
        p.setBrush(QColor(255, 255, 255, 238))
        p.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 5, 5)
        x0, y = 14.0, 8.0
        p.setPen(QColor("#1b1b1b"))
        p.setFont(font(11, True))
        p.drawText(QRectF(x0, y, BAR_W, 15), Qt.AlignLeft | Qt.AlignVCenter, self.title())
        y += 19
        bar = QRectF(x0, y, BAR_W, BAR_H)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        # sampled from the very tables that colour the pipes
        lut = ls.VELOCITY_LUT if ov.color_by == "velocity" else ls.FLOW_LUT
        span = 1.0 / ls.VELOCITY_SPAN if ov.color_by == "velocity" else 1.0
        n = 32
        for i in range(n + 1):
            grad.setColorAt(i / n * span, lut[round(i / n * (len(lut) - 1))])
        if ov.color_by == "velocity":
            grad.setColorAt(min(1.0, span + 1e-3), ls.OVER_LIMIT)
            grad.setColorAt(1.0, ls.OVER_LIMIT)
        p.setPen(QPen(QColor("#5b6470"), 1))
        p.setBrush(grad)
        p.drawRect(bar)
        p.setFont(font(10))
        ticks = self.ticks()
        for f, label, bold in ticks:
            x = bar.left() + f * bar.width()
            p.setPen(QPen(QColor("#1b1b1b"), 2.2 if bold else 1))
            p.drawLine(QPointF(x, bar.top() - (3 if bold else 0)), QPointF(x, bar.bottom() + 4))
            p.setFont(font(10, bold))
            r = QRectF(x - 40, bar.bottom() + 4, 80, 13)
            align = Qt.AlignHCenter
            if f <= 0:
                r.moveLeft(x - 2)
                align = Qt.AlignLeft
            elif f >= 1:
                r.moveRight(x + 2)
                align = Qt.AlignRight
            p.drawText(r, align | Qt.AlignTop, label)
        if ov.color_by == "velocity":
            over = QRectF(bar.left() + bar.width() / ls.VELOCITY_SPAN, bar.top(), 0, bar.height())
            over.setRight(bar.right())
            p.setPen(QColor("#ffffff"))
            p.setFont(font(9, True))
            p.drawText(over, Qt.AlignCenter, "over")
        y = bar.bottom() + 22
        p.setFont(font(10))
        p.setPen(QColor("#1b1b1b"))
        head = "Rack flow of required" + (", one pump down" if ov.failure else "")
        p.drawText(QRectF(x0, y, BAR_W, 14), Qt.AlignLeft | Qt.AlignVCenter, head)
        y += 17
        x = x0
        for color, label in ((ls.SHORT, "< 100 %"), (ls.TIGHT, "100–105 %"), (ls.GOOD, "> 105 %")):
            p.setPen(QPen(color.darker(135), 1))
            p.setBrush(color)
            p.drawRoundedRect(QRectF(x, y + 2, 14, 11), 2, 2)
            p.setPen(QColor("#1b1b1b"))
            p.drawText(QRectF(x + 18, y, 70, 15), Qt.AlignLeft | Qt.AlignVCenter, label)
            x += 18 + p.fontMetrics().horizontalAdvance(label) + 12
        p.end()
