"""The heat map's colour bar, pinned to the plan's top-left corner (the liquid key takes the
bottom-right, the scale bar the bottom-left, the north arrow the top-right).

Vertical, hot at the top: plan views are wider than halls usually are, so at "zoom to fit"
a tall narrow key sits beside the hall instead of on it. Ticks sit on the ASHRAE limits of
the project's class, labelled in display units, with the recommended band bracketed; below
the bar, what the rack inlet tab colours mean.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QWidget

from designer.app.plan.text import font
from designer.app.views import air_style as st

BAR_W, BAR_H = 16, 190
WIDTH, HEIGHT = 170, 366
MARGIN = 10
PAD = 10


class AirLegend(QWidget):
    """Painted by hand; it floats over the plan and lets clicks through."""

    def __init__(self, overlay, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.setObjectName("air-legend")
        self.overlay = overlay
        self.viewport = viewport
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.setFixedSize(WIDTH, HEIGHT)
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
    def _class(self):
        ov = self.overlay
        sa = ov.site_air()
        return st.ashrae(sa.indices.ashrae_class if sa is not None else ov.session.project.settings.ashrae_class)

    def ticks(self) -> list[tuple[float, str, bool]]:
        """(fraction up the bar, label in display units, bold) of each tick."""
        ov = self.overlay
        sc = ov.current_scale()
        cls = self._class()
        temps = [(sc.lo, False), (cls.rec_min, False), (cls.rec_max, True), (cls.allow_max, False), (sc.hi, False)]
        out: list[tuple[float, str, bool]] = []
        for t, bold in temps:
            f = float(sc.fraction(t))
            if any(abs(f - g) < 0.05 for g, _l, _b in out):
                continue  # too close to a tick already there (the data scale can land on a limit)
            out.append((f, st.temp(t, ov.units, 0), bold))
        return sorted(out)

    def title(self) -> str:
        return f"Air temperature ({st.temp_symbol(self.overlay.units)})"

    def subtitle(self) -> str:
        ov = self.overlay
        sa = ov.site_air()
        cell = sa.map.cell_m if sa is not None and sa.map is not None else None
        grid = f"\n{cell:g} m grid" if cell else ""
        if ov.preview is not None:
            return f"coarse preview while\ndragging{grid}"
        return f"coarse-grid 3D model,\nnot CFD{grid}"

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, e) -> None:  # noqa: N802
        ov = self.overlay
        sc = ov.current_scale()
        cls = self._class()
        units = ov.units
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor("#8a929c"), 1))
        p.setBrush(QColor(255, 255, 255, 240))
        p.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 5, 5)
        x0, y = float(PAD), 7.0
        inner_w = self.width() - 2 * PAD
        p.setPen(QColor("#1b1b1b"))
        p.setFont(font(11.5, True))
        p.drawText(QRectF(x0, y, inner_w, 16), Qt.AlignLeft | Qt.AlignVCenter, self.title())
        y += 17
        p.setFont(font(10))
        p.setPen(QColor("#b35c00") if ov.preview is not None else QColor("#5b6470"))
        sub = self.subtitle().split("\n")
        for line in sub:
            p.drawText(QRectF(x0, y, inner_w, 13), Qt.AlignLeft | Qt.AlignVCenter, line)
            y += 13
        y += 12
        # the bar, hot at the top
        bar = QRectF(x0 + 2, y, BAR_W, BAR_H)
        grad = QLinearGradient(bar.bottomLeft(), bar.topLeft())
        n = 32
        for k in range(n + 1):
            f = k / n
            r, g, b, _a = st.LUT[min(st.LUT_SIZE - 1, int(round(f * (st.LUT_SIZE - 1))))]
            grad.setColorAt(f, QColor(int(r), int(g), int(b)))
        p.setPen(QPen(QColor("#5b6470"), 1))
        p.setBrush(grad)
        p.drawRect(bar)

        def ypos(f: float) -> float:
            return bar.bottom() - f * bar.height()

        # the recommended band, bracketed on the right of the labels
        f0, f1 = float(sc.fraction(cls.rec_min)), float(sc.fraction(cls.rec_max))
        bx = bar.right() + 40
        p.setPen(QPen(QColor("#2a9d3c"), 1.6))
        p.drawLine(QPointF(bx - 4, ypos(f0)), QPointF(bx, ypos(f0)))
        p.drawLine(QPointF(bx, ypos(f0)), QPointF(bx, ypos(f1)))
        p.drawLine(QPointF(bx - 4, ypos(f1)), QPointF(bx, ypos(f1)))
        p.setPen(QColor("#1f6e2c"))
        p.setFont(font(10))
        mid = (ypos(f0) + ypos(f1)) / 2
        p.drawText(QRectF(bx + 4, mid - 14, self.width() - bx - 6, 14), Qt.AlignLeft | Qt.AlignVCenter,
                   f"{cls.name}")
        p.drawText(QRectF(bx + 4, mid, self.width() - bx - 6, 14), Qt.AlignLeft | Qt.AlignVCenter, "recomm.")
        for f, label, bold in self.ticks():
            yy = ypos(f)
            p.setPen(QPen(QColor("#1b1b1b"), 2.2 if bold else 1))
            p.drawLine(QPointF(bar.left() - (3 if bold else 0), yy), QPointF(bar.right() + 4, yy))
            p.setFont(font(10.5, bold))
            if f <= 0.001:
                label = f"≤{label}"
            elif f >= 0.999:
                label = f"≥{label}"
            p.drawText(QRectF(bar.right() + 6, yy - 7, 34, 14), Qt.AlignLeft | Qt.AlignVCenter, label)
        # the allowable maximum, named beside its tick when it is on the bar
        fa = float(sc.fraction(cls.allow_max))
        if 0.0 < fa < 0.97 and abs(fa - f1) > 0.06:
            p.setFont(font(10))
            p.setPen(QColor("#8a1c12"))
            p.drawText(QRectF(bx + 4, ypos(fa) - 7, self.width() - bx - 6, 14), Qt.AlignLeft | Qt.AlignVCenter,
                       "allowable max")
        y = bar.bottom() + 14
        p.setFont(font(10.5, True))
        p.setPen(QColor("#1b1b1b"))
        p.drawText(QRectF(x0, y, inner_w, 14), Qt.AlignLeft | Qt.AlignVCenter, "Rack inlet tabs (max)")
        y += 17
        lo, hi, amax = (st.temp(v, units, 0) for v in (cls.rec_min, cls.rec_max, cls.allow_max))
        p.setFont(font(10))
        for band, label in (("above_allowable", f"above {amax}"), ("above_recommended", f"{hi}–{amax}"),
                            ("recommended", f"{lo}–{hi} recommended"), ("below_recommended", f"below {lo}")):
            color = st.BAND_COLORS[band]
            p.setPen(QPen(color.darker(135), 1))
            p.setBrush(color)
            p.drawRoundedRect(QRectF(x0 + 2, y + 2, 16, 10), 2, 2)
            p.setPen(QColor("#1b1b1b"))
            p.drawText(QRectF(x0 + 24, y, inner_w - 24, 14), Qt.AlignLeft | Qt.AlignVCenter, label)
            y += 16
        p.end()
