"""The heat map's colour bar, pinned to the plan's top-left corner (the liquid key takes the
bottom-right, the scale bar the bottom-left, the north arrow the top-right).

Ticks sit on the ASHRAE limits of the project's class, labelled in display units, with the
recommended band bracketed above the bar; below it, what the rack inlet tab colours mean.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QWidget

from designer.app.views import air_style as st
from designer.app.views.air_items import font

BAR_W, BAR_H = 280, 14
MARGIN = 10
PAD = 12


class AirLegend(QWidget):
    """Painted by hand; it floats over the plan's viewport and lets clicks through."""

    def __init__(self, overlay, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.setObjectName("air-legend")
        self.overlay = overlay
        self.viewport = viewport
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setFixedSize(BAR_W + 2 * PAD, 136)
        viewport.installEventFilter(self)
        overlay.listeners.append(self.sync)
        self.sync()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if obj is self.viewport and e.type() == QEvent.Resize:
            self.move(MARGIN, MARGIN)
        return False

    def sync(self) -> None:
        ov = self.overlay
        sa = ov.site_air()
        self.setVisible(ov.visible() and sa is not None and sa.solved and (ov.show_map or ov.show_badges))
        self.move(MARGIN, MARGIN)
        self.update()

    # -- content ------------------------------------------------------------------------------
    def ticks(self) -> list[tuple[float, str, bool]]:
        """(fraction along the bar, label in display units, bold) of each tick."""
        ov = self.overlay
        sc = ov.current_scale()
        sa = ov.site_air()
        cls = st.ashrae(sa.indices.ashrae_class if sa is not None else ov.session.project.settings.ashrae_class)
        units = ov.units
        temps = [(sc.lo, False), (cls.rec_min, False), (cls.rec_max, True), (cls.allow_max, False), (sc.hi, False)]
        out = []
        for t, bold in temps:
            f = float(sc.fraction(t))
            if any(abs(f - g) < 0.06 for g, _l, _b in out):
                continue  # too close to a tick already there (the data scale can land on a limit)
            out.append((f, st.temp(t, units, 0), bold))
        return sorted(out)

    def title(self) -> str:
        return f"Air temperature ({st.temp_symbol(self.overlay.units)})"

    def subtitle(self) -> str:
        ov = self.overlay
        sa = ov.site_air()
        cell = sa.map.cell_m if sa is not None and sa.map is not None else None
        grid = f" · {cell:g} m grid" if cell else ""
        if ov.preview is not None:
            return f"coarse preview while dragging{grid}"
        return f"screening model, 2D, not CFD{grid}"

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, e) -> None:  # noqa: N802
        ov = self.overlay
        sa = ov.site_air()
        sc = ov.current_scale()
        cls = st.ashrae(sa.indices.ashrae_class if sa is not None else ov.session.project.settings.ashrae_class)
        units = ov.units
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor("#8a929c"), 1))
        p.setBrush(QColor(255, 255, 255, 240))
        p.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 5, 5)
        x0, y = float(PAD), 8.0
        p.setPen(QColor("#1b1b1b"))
        p.setFont(font(11, True))
        p.drawText(QRectF(x0, y, BAR_W, 15), Qt.AlignLeft | Qt.AlignVCenter, self.title())
        y += 15
        p.setFont(font(9.5))
        p.setPen(QColor("#b35c00") if ov.preview is not None else QColor("#5b6470"))
        p.drawText(QRectF(x0, y, BAR_W, 13), Qt.AlignLeft | Qt.AlignVCenter, self.subtitle())
        y += 19
        # the recommended band, bracketed above the bar
        f0, f1 = float(sc.fraction(cls.rec_min)), float(sc.fraction(cls.rec_max))
        bx0, bx1 = x0 + f0 * BAR_W, x0 + f1 * BAR_W
        p.setFont(font(9))
        p.setPen(QPen(QColor("#2a9d3c"), 1.6))
        p.drawLine(QPointF(bx0, y + 11), QPointF(bx0, y + 7))
        p.drawLine(QPointF(bx0, y + 7), QPointF(bx1, y + 7))
        p.drawLine(QPointF(bx1, y + 7), QPointF(bx1, y + 11))
        p.setPen(QColor("#1f6e2c"))
        label = f"{cls.name} recommended"
        tw = p.fontMetrics().horizontalAdvance(label) + 4
        lx = min(max((bx0 + bx1) / 2 - tw / 2, 2.0), self.width() - tw - 2)
        p.drawText(QRectF(lx, y - 6, tw, 12), Qt.AlignCenter, label)
        y += 13
        bar = QRectF(x0, y, BAR_W, BAR_H)
        grad = QLinearGradient(bar.topLeft(), bar.topRight())
        n = 32
        for k in range(n + 1):
            f = k / n
            r, g, b, _a = st.LUT[min(st.LUT_SIZE - 1, int(round(f * (st.LUT_SIZE - 1))))]
            grad.setColorAt(f, QColor(int(r), int(g), int(b)))
        p.setPen(QPen(QColor("#5b6470"), 1))
        p.setBrush(grad)
        p.drawRect(bar)
        ticks = self.ticks()
        for f, label, bold in ticks:
            x = bar.left() + f * bar.width()
            p.setPen(QPen(QColor("#1b1b1b"), 2.2 if bold else 1))
            p.drawLine(QPointF(x, bar.top() - (3 if bold else 0)), QPointF(x, bar.bottom() + 4))
            p.setFont(font(10, bold))
            r = QRectF(x - 30, bar.bottom() + 4, 60, 13)
            align = Qt.AlignHCenter
            if f <= 0.001:
                r.moveLeft(x - 1)
                align = Qt.AlignLeft
                label = f"≤{label}"
            elif f >= 0.999:
                r.moveRight(x + 1)
                align = Qt.AlignRight
                label = f"≥{label}"
            p.drawText(r, align | Qt.AlignTop, label)
        # the allowable maximum, named under its tick when there is room
        fa = float(sc.fraction(cls.allow_max))
        if 0.0 < fa < 0.9:
            p.setFont(font(9))
            p.setPen(QColor("#8a1c12"))
            p.drawText(QRectF(bar.left() + fa * bar.width() - 40, bar.bottom() + 16, 80, 12),
                       Qt.AlignHCenter | Qt.AlignTop, "allowable max")
        y = bar.bottom() + 34
        p.setFont(font(10))
        p.setPen(QColor("#1b1b1b"))
        p.drawText(QRectF(x0, y, BAR_W, 14), Qt.AlignLeft | Qt.AlignVCenter, "Rack inlet tab (max inlet):")
        y += 17
        x = x0
        lo, hi, amax = (st.temp(v, units, 0) for v in (cls.rec_min, cls.rec_max, cls.allow_max))
        for band, label in (("recommended", f"{lo}–{hi}"), ("above_recommended", f"{hi}–{amax}"),
                            ("above_allowable", f"> {amax}"), ("below_recommended", f"< {lo}")):
            color = st.BAND_COLORS[band]
            p.setPen(QPen(color.darker(135), 1))
            p.setBrush(color)
            p.drawRoundedRect(QRectF(x, y + 2, 14, 11), 2, 2)
            p.setPen(QColor("#1b1b1b"))
            p.drawText(QRectF(x + 18, y, 70, 15), Qt.AlignLeft | Qt.AlignVCenter, label)
            x += 18 + p.fontMetrics().horizontalAdvance(label) + 12
        p.end()
