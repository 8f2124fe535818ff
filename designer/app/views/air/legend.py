"""The heat map's colour bar, pinned to the plan's top-left corner (the liquid key takes the
bottom-right, the scale bar the bottom-left, the north arrow the top-right).

Vertical, hot at the top: plan views are wider than halls usually are, so at "zoom to fit"
a tall narrow key sits beside the hall instead of on it. Ticks sit on the ASHRAE limits of
the project's class, labelled in display units, with the recommended band bracketed; below
the bar, what the rack inlet tab colours mean.

It shows what is on the plan: the bar with the heat map, the tab key with the tabs, nothing
when neither is shown or the results are off. It is sized to the plan it floats on and never
reaches the scale bar: on a short plan the bar gets shorter, then the tab key moves beside
it, then the subtitle goes; on a plan too short for even that it stays hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QLinearGradient, QPainter, QPen
from PySide6.QtWidgets import QWidget

from designer.app.plan.background import SCALE_BAR_FROM_BOTTOM
from designer.app.plan.text import font
from designer.app.views.air import style as st

BAR_W = 16
BAR_H, MIN_BAR_H = 190, 80
"""The bar's height when there is room, and the least it is drawn at."""
WIDTH = 170
TABS_W = 150
"""Width the tab key takes beside the bar."""
MARGIN = 10
PAD = 10
TITLE_H = 24
LINE_H = 13
TABS_H = 17 + 4 * 16
"""The tab key: its heading and four rows."""
SCALE_BAR_ROOM = SCALE_BAR_FROM_BOTTOM + 18 + 8
"""Pixels at the bottom of the plan kept for the scale bar (its box reaches 18 px above its
line) and a gap."""
MIN_TICK_PX = 13.0
"""Tick labels closer than this on the bar would overlap: the later one is left out."""


@dataclass(frozen=True)
class Layout:
    bar: bool
    tabs: bool
    side: bool
    """The tab key beside the bar (a short plan) instead of under it."""
    subtitle: bool
    bar_h: float
    width: int
    height: int


class AirLegend(QWidget):
    """Painted by hand; it floats over the plan and lets clicks through.

    A child of the view, not of its viewport: the view scrolls its viewport's children
    along with the plan when it pans."""

    def __init__(self, overlay, view: QWidget) -> None:
        super().__init__(view)
        self.setObjectName("air-legend")
        self.overlay = overlay
        self.viewport = view.viewport()
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.current: Layout | None = None
        self.viewport.installEventFilter(self)
        overlay.listeners.append(self.sync)
        self.sync()

    def eventFilter(self, obj: QObject, e: QEvent) -> bool:  # noqa: N802
        if obj is self.viewport and e.type() in (QEvent.Resize, QEvent.Move):
            self.sync()
        return False

    def sync(self) -> None:
        """Size, place and show or hide the key for what the overlay shows. Sized and placed
        before the results arrive too, so a fit already leaves it its room."""
        ov = self.overlay
        on = ov.visible() and (ov.show_map or ov.show_badges)
        lay = self.layout(self.viewport.height(), self.viewport.width()) if on else None
        self.current = lay
        if lay is None:
            self.setFixedSize(0, 0)  # no room kept for it by a fit either
        else:
            self.setFixedSize(lay.width, lay.height)
            self.move(self.viewport.geometry().topLeft() + QPointF(MARGIN, MARGIN).toPoint())
            self.raise_()
        sa = ov.site_air()
        self.setVisible(lay is not None and sa is not None and sa.solved)
        self.update()

    def layout(self, vp_h: int, vp_w: int) -> Layout | None:
        """How the key is drawn on a plan ``vp_w`` x ``vp_h`` pixels: None when it does not fit
        between the top margin and the scale bar."""
        ov = self.overlay
        avail_h = vp_h - MARGIN - SCALE_BAR_ROOM
        avail_w = vp_w - 2 * MARGIN
        if not ov.show_map:  # the tabs alone
            h = 7 + TABS_H + PAD
            return Layout(False, True, False, False, 0.0, WIDTH, h) if h <= avail_h and WIDTH <= avail_w else None
        tabs = ov.show_badges
        sub_h = LINE_H * len(self.subtitle().split("\n"))
        options = ((False, True), (True, True), (True, False)) if tabs else ((False, True), (False, False))
        # narrow first: the hall is fitted beside the key, and plans are wider than tall
        for side, subtitle in options:
            head = TITLE_H + (sub_h if subtitle else 0) + 12
            width = WIDTH + (TABS_W if side and tabs else 0)
            if width > avail_w:
                continue
            if side:
                bar_h = min(BAR_H, avail_h - head - PAD - 7)
                height = head + max(bar_h + 7, TABS_H if tabs else 0) + PAD
            else:
                below = 14 + TABS_H if tabs else 7
                bar_h = min(BAR_H, avail_h - head - below - PAD)
                height = head + bar_h + below + PAD
            if bar_h >= MIN_BAR_H:
                return Layout(True, tabs, side, subtitle, float(bar_h), width, int(height))
        return None

    # -- content ------------------------------------------------------------------------------
    def _class(self):
        ov = self.overlay
        sa = ov.site_air()
        return st.ashrae(sa.indices.ashrae_class if sa is not None else ov.session.project.settings.ashrae_class)

    def ticks(self, bar_h: float = BAR_H) -> list[tuple[float, str, bool]]:
        """(fraction up the bar, label in display units, bold) of each tick on a bar ``bar_h``
        pixels tall (a tick whose label would touch one already there is left out)."""
        ov = self.overlay
        sc = ov.current_scale()
        cls = self._class()
        temps = [(sc.lo, False), (cls.rec_min, False), (cls.rec_max, True), (cls.allow_max, False), (sc.hi, False)]
        out: list[tuple[float, str, bool]] = []
        for t, bold in temps:
            f = float(sc.fraction(t))
            if any(abs(f - g) < max(0.05, MIN_TICK_PX / bar_h) for g, _l, _b in out):
                continue  # too close to a tick already there (the data scale can land on a limit)
            out.append((f, st.temp(t, ov.units, 0), bold))
        return sorted(out)

    def title(self) -> str:
        return f"Air temperature ({st.temp_symbol(self.overlay.units)})"

    def subtitle(self) -> str:
        ov = self.overlay
        sa = ov.site_air()
        m = ov.map_of(sa) if sa is not None else None
        grid = f"\n{m.cell_m:g} m grid, at {m.z_m:g} m" if m is not None else ""
        if ov.preview is not None:
            # the march goes on while the pointer rests, until it is steady (preview.py)
            state = "settled" if ov.preview.stats.get("settled") else "settling"
            return f"coarse preview while\ndragging ({state}){grid}"
        if ov.no_preview:
            return f"before this drag (no\ncoarse preview here){grid}"
        return f"coarse-grid 3D model,\nnot CFD{grid}"

    # -- painting -----------------------------------------------------------------------------
    def paintEvent(self, e) -> None:  # noqa: N802
        lay = self.current
        if lay is None:
            return
        ov = self.overlay
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        p.setPen(QPen(QColor("#8a929c"), 1))
        p.setBrush(QColor(255, 255, 255, 240))
        p.drawRoundedRect(QRectF(0.5, 0.5, self.width() - 1, self.height() - 1), 5, 5)
        x0, y = float(PAD), 7.0
        if not lay.bar:
            self._paint_tabs(p, x0, y, WIDTH - 2 * PAD)
            p.end()
            return
        inner_w = WIDTH - 2 * PAD
        p.setPen(QColor("#1b1b1b"))
        p.setFont(font(11.5, True))
        p.drawText(QRectF(x0, y, lay.width - 2 * PAD, 16), Qt.AlignLeft | Qt.AlignVCenter, self.title())
        y += 17
        if lay.subtitle:
            p.setFont(font(10))
            p.setPen(QColor("#b35c00") if ov.preview is not None or ov.no_preview else QColor("#5b6470"))
            for line in self.subtitle().split("\n"):
                p.drawText(QRectF(x0, y, inner_w, 13), Qt.AlignLeft | Qt.AlignVCenter, line)
                y += 13
        y += 12
        bar = QRectF(x0 + 2, y, BAR_W, lay.bar_h)
        self._paint_bar(p, bar)
        if lay.tabs:
            if lay.side:
                self._paint_tabs(p, WIDTH, y, TABS_W - PAD)
            else:
                self._paint_tabs(p, x0, bar.bottom() + 14, inner_w)
        p.end()

    def _paint_bar(self, p: QPainter, bar: QRectF) -> None:
        """The colour bar, hot at the top, its ticks and the recommended band bracketed."""
        sc = self.overlay.current_scale()
        cls = self._class()
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

        text_w = WIDTH - (bar.right() + 40) - 10
        f0, f1 = float(sc.fraction(cls.rec_min)), float(sc.fraction(cls.rec_max))
        bx = bar.right() + 40
        p.setPen(QPen(QColor("#2a9d3c"), 1.6))
        p.drawLine(QPointF(bx - 4, ypos(f0)), QPointF(bx, ypos(f0)))
        p.drawLine(QPointF(bx, ypos(f0)), QPointF(bx, ypos(f1)))
        p.drawLine(QPointF(bx - 4, ypos(f1)), QPointF(bx, ypos(f1)))
        p.setPen(QColor("#1f6e2c"))
        p.setFont(font(10))
        mid = (ypos(f0) + ypos(f1)) / 2
        p.drawText(QRectF(bx + 4, mid - 14, text_w, 14), Qt.AlignLeft | Qt.AlignVCenter, f"{cls.name}")
        p.drawText(QRectF(bx + 4, mid, text_w, 14), Qt.AlignLeft | Qt.AlignVCenter, "recomm.")
        for f, label, bold in self.ticks(bar.height()):
            yy = ypos(f)
            p.setPen(QPen(QColor("#1b1b1b"), 2.2 if bold else 1))
            p.drawLine(QPointF(bar.left() - (3 if bold else 0), yy), QPointF(bar.right() + 4, yy))
            p.setFont(font(10.5, bold))
            if f <= 0.001:
                label = f"≤{label}"
            elif f >= 0.999:
                label = f"≥{label}"
            p.drawText(QRectF(bar.right() + 6, yy - 7, 34, 14), Qt.AlignLeft | Qt.AlignVCenter, label)
        # the allowable maximum, named beside its tick when it is on the bar, clear of the band's words
        fa = float(sc.fraction(cls.allow_max))
        if 0.0 < fa < 0.97 and ypos(fa) + 7 <= mid - 14:
            p.setFont(font(10))
            p.setPen(QColor("#8a1c12"))
            p.drawText(QRectF(bx + 4, ypos(fa) - 7, text_w, 14), Qt.AlignLeft | Qt.AlignVCenter, "allowable max")

    def _paint_tabs(self, p: QPainter, x0: float, y: float, inner_w: float) -> None:
        """What the rack inlet tab colours mean, from ``(x0, y)``: a heading and four rows."""
        cls = self._class()
        units = self.overlay.units
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
