"""What the power overlay's colours mean, and which failure the plan is showing.

Both float over the plan's viewport: the key along its bottom edge (clicks go through to
the plan), the scenario banner across the top centre with a button back to normal.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRect, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from designer.app.views.power import style as ps

MARGIN = 10
ROW = 19


def viewport_rect(viewport: QWidget) -> QRect:
    """The viewport's rectangle in its scroll area's coordinates.

    The floating widgets are children of the scroll area (the plan view), not of its
    viewport: a viewport moves its children along when the view scrolls its contents."""
    return viewport.geometry()


class _Floating(QObject):
    """Keeps a widget floating over a viewport in place when the viewport resizes."""

    def __init__(self, widget: QWidget, viewport: QWidget, place) -> None:
        super().__init__(widget)
        self.widget, self.viewport, self.place = widget, viewport, place
        viewport.installEventFilter(self)

    def eventFilter(self, obj, e) -> bool:  # noqa: N802
        if obj is self.viewport and e.type() in (QEvent.Resize, QEvent.Move):
            self.place()
            refresh = getattr(self.widget, "sync", None)
            if refresh is not None:
                refresh()
        return False


class PowerLegend(QWidget):
    """The key, a strip along the bottom of the plan right of the scale bar (it sits in the
    margin the plan's fit leaves under the hall): feed-margin colours normally; lost /
    battery / overload / off in a failure scenario. It wraps onto more lines when narrow,
    and keeps clear of other keys floating in the bottom-right corner."""

    SWATCH_W = 22
    GAP = 14

    def __init__(self, overlay, viewport: QWidget) -> None:
        super().__init__(viewport.parentWidget())
        self.overlay = overlay
        self.viewport = viewport
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.lines: list[list[tuple[str, str, float]]] = []
        self.stacked = False
        self.above: int | None = None
        self._floating = _Floating(self, viewport, self._place)
        overlay.listeners.append(self.sync)
        self.sync()

    def rows(self) -> list[tuple[str, str]]:
        """(swatch kind, text) of each entry."""
        if self.overlay.scenario is not None:
            sc = self.overlay.scenario
            return [("lost", "rack loses power"),
                    ("battery", f"on UPS battery {sc.battery_min:g} min, then lost" if sc.battery_min
                     else "on UPS battery, then lost"),
                    ("over", "overloaded (% of limit)"),
                    ("off", "de-energised"),
                    ("failed", "failed"),
                    ("good", "others: feed margin")]
        return [("over", ps.MARGIN_TEXT["over"]), ("near", ps.MARGIN_TEXT["near"]),
                ("good", ps.MARGIN_TEXT["good"]), ("none", ps.MARGIN_TEXT["none"]),
                ("bar", "equipment load")]

    def title(self) -> str:
        if self.overlay.scenario is not None:
            return "Failure shown:"
        return "Rack feed margin, one cord carrying the rack:"

    def _left(self) -> int:
        return 230  # right of the scale bar (viewport coordinates)

    def _right_limit(self) -> tuple[int, int | None]:
        """Right edge available (viewport coordinates) up to another floating key in the
        bottom-right corner (other views float theirs on the viewport or on the view), and
        the top of that key (None if there is none)."""
        vp = self.viewport.rect()
        off = viewport_rect(self.viewport).topLeft()
        right = vp.right() - MARGIN
        top: int | None = None
        others = [(w, w.geometry()) for w in self.viewport.findChildren(QWidget, options=Qt.FindDirectChildrenOnly)]
        others += [(w, w.geometry().translated(-off)) for w in
                   self.parentWidget().findChildren(QWidget, options=Qt.FindDirectChildrenOnly)
                   if w is not self.viewport]
        for w, g in others:
            if w is self or not w.isVisible() or w.objectName() == "powerScenarioBanner" or \
                    w.metaObject().className().startswith("Q"):  # scroll bars and Qt's own parts
                continue
            if g.bottom() > vp.bottom() - 80 and g.width() < vp.width() - 100:
                right = min(right, g.left() - MARGIN)
                top = g.top() if top is None else min(top, g.top())
        return right, top

    def sync(self) -> None:
        ov = self.overlay
        fm = QFontMetricsF(ps.font(8.0))
        bold = QFontMetricsF(ps.font(8.0, True))
        right, top = self._right_limit()
        self.stacked = right - self._left() < 300 and top is not None
        # no room beside the other key: go above it, across the plan
        avail = self.viewport.width() - 2 * MARGIN if self.stacked else max(right - self._left(), 260)
        self.above = top
        items = [("title", self.title(), bold.horizontalAdvance(self.title()) + 10)]
        items += [(k, txt, self.SWATCH_W + 6 + fm.horizontalAdvance(txt) + self.GAP) for k, txt in self.rows()]
        lines: list[list[tuple[str, str, float]]] = [[]]
        used = 0.0
        for it in items:
            if lines[-1] and used + it[2] > avail - 16:
                lines.append([])
                used = 0.0
            lines[-1].append(it)
            used += it[2]
        self.lines = lines
        width = max(sum(w for *_x, w in line) for line in lines) + 16
        self.setFixedSize(int(width), 8 + ROW * len(lines))
        self.setVisible(ov.visible() and ov.has_data and self.viewport.height() > 160)
        self._place()
        self.update()

    def _place(self) -> None:
        vp = viewport_rect(self.viewport)
        if self.stacked and self.above is not None:
            self.move(vp.left() + MARGIN, vp.top() + self.above - self.height() - 6)
        else:
            self.move(vp.left() + self._left(), vp.bottom() - self.height() - 6)
        self.raise_()

    def paintEvent(self, e) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QPen(QColor(0, 0, 0, 60), 1))
        p.setBrush(QColor(255, 255, 255, 232))
        p.drawRoundedRect(r, 5, 5)
        y = 4.0
        for line in self.lines:
            x = 8.0
            for kind, text, w in line:
                if kind == "title":
                    p.setFont(ps.font(8.0, True))
                    p.setPen(QColor("#1f2328"))
                    p.drawText(QRectF(x, y, w, ROW), Qt.AlignLeft | Qt.AlignVCenter, text)
                else:
                    self._swatch(p, QRectF(x, y + 4, self.SWATCH_W, ROW - 8), kind)
                    p.setFont(ps.font(8.0))
                    p.setPen(QColor("#1f2328"))
                    p.drawText(QRectF(x + self.SWATCH_W + 6, y, w, ROW), Qt.AlignLeft | Qt.AlignVCenter, text)
                x += w
            y += ROW
        p.end()

    @staticmethod
    def _swatch(p: QPainter, sw: QRectF, kind: str) -> None:
        p.setPen(QPen(QColor("#4a4f57"), 1))
        if kind in ps.MARGIN_COLOR:
            c = QColor(ps.MARGIN_COLOR[kind])
            c.setAlpha(170)
            p.setBrush(c)
            p.drawRect(sw)
        elif kind == "lost":
            p.setBrush(ps.LOST)
            p.drawRect(sw)
            p.setPen(QPen(QColor("#ff5a4f"), 2))
            p.drawLine(sw.topLeft(), sw.bottomRight())
            p.drawLine(sw.topRight(), sw.bottomLeft())
        elif kind == "battery":
            p.setBrush(QColor(ps.BATTERY.red(), ps.BATTERY.green(), ps.BATTERY.blue(), 120))
            p.setPen(QPen(ps.BATTERY, 2))
            p.drawRect(sw)
            p.setBrush(QBrush(QColor("#ffffff"), Qt.BDiagPattern))
            p.drawRect(sw)
        elif kind == "over":
            p.setBrush(Qt.NoBrush)
            p.setPen(QPen(ps.OVER, 3))
            p.drawRect(sw.adjusted(1, 1, -1, -1))
        elif kind == "off":
            p.setPen(QPen(QColor("#5b6068"), 1.5, Qt.DashLine))
            p.setBrush(QColor(120, 124, 130, 170))
            p.drawRect(sw)
        elif kind == "failed":
            p.setBrush(QColor("#f3d3b0"))
            p.drawRect(sw)
            p.setPen(QPen(ps.FAILED, 2.5))
            p.drawLine(sw.topLeft(), sw.bottomRight())
            p.drawLine(sw.topRight(), sw.bottomLeft())
        elif kind == "bar":
            p.setBrush(QColor("#ffffff"))
            p.drawRect(sw)
            p.setPen(Qt.NoPen)
            for i, c in enumerate((ps.GOOD, ps.NEAR, ps.OVER)):
                p.setBrush(c)
                p.drawRect(QRectF(sw.left() + 1 + i * (sw.width() - 2) / 3, sw.top() + 1, (sw.width() - 2) / 3,
                                  sw.height() - 2))
            p.setPen(QPen(QColor("#4a4f57"), 1))
            p.drawLine(QPointF(sw.left(), sw.bottom()), QPointF(sw.right(), sw.bottom()))


class ScenarioBanner(QFrame):
    """"What if X fails": the outcome in words and a button back to normal, one compact line
    across the top of the plan (it must not hide much of what it explains)."""

    back = Signal()

    def __init__(self, viewport: QWidget) -> None:
        super().__init__(viewport.parentWidget())
        self.viewport = viewport
        self.setObjectName("powerScenarioBanner")
        self.label = QLabel()
        self.label.setTextFormat(Qt.RichText)
        self.button = QPushButton("Back to normal")
        self.button.setCursor(Qt.PointingHandCursor)
        self.button.clicked.connect(self.back)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 3, 4, 3)
        lay.setSpacing(10)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.ok = True
        self._style()
        self._floating = _Floating(self, viewport, self._place)
        self.hide()

    def _style(self) -> None:
        edge, bg = ("#2a9d3c", "#eef8f0") if self.ok else ("#c0182b", "#fdeeee")
        self.setStyleSheet(f"QFrame#powerScenarioBanner {{ background: {bg}; border: 2px solid {edge}; "
                           "border-radius: 5px; } QLabel { color: #1f2328; }")

    def show_text(self, html_text: str, ok: bool) -> None:
        self.label.setText(html_text)
        self.label.setToolTip(html_text)
        if ok != self.ok:
            self.ok = ok
            self._style()
        self.show()
        self.raise_()
        self._place()

    def _place(self) -> None:
        vp = viewport_rect(self.viewport)
        room = max(vp.width() - 2 * MARGIN - 60, 240)  # clear of the north arrow
        self.label.setWordWrap(False)
        self.setFixedWidth(min(self.sizeHint().width(), room))
        if self.sizeHint().width() > room:  # too long for one line: wrap it
            self.label.setWordWrap(True)
        self.setFixedHeight(self.heightForWidth(self.width()) if self.hasHeightForWidth() else self.sizeHint().height())
        self.move(vp.center().x() - self.width() // 2, vp.top() + 6)
