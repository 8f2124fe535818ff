"""What the power overlay's colours mean, and which failure the plan is showing.

Both float over the plan's viewport: the key in its bottom-left corner (clicks go through
to the plan), the scenario banner across the top centre with a button back to normal.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from designer.app.views import power_style as ps

MARGIN = 10
ROW = 19


class _Floating(QObject):
    """Keeps a child widget of a viewport in place when the viewport resizes."""

    def __init__(self, widget: QWidget, viewport: QWidget, place) -> None:
        super().__init__(widget)
        self.widget, self.viewport, self.place = widget, viewport, place
        viewport.installEventFilter(self)

    def eventFilter(self, obj, e) -> bool:  # noqa: N802
        if obj is self.viewport and e.type() == QEvent.Resize:
            self.place()
            refresh = getattr(self.widget, "sync", None)
            if refresh is not None:
                refresh()
        return False


class PowerLegend(QWidget):
    """The key: feed-margin colours normally; lost / battery / overload / off in a scenario."""

    def __init__(self, overlay, viewport: QWidget) -> None:
        super().__init__(viewport)
        self.overlay = overlay
        self.viewport = viewport
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self._floating = _Floating(self, viewport, self._place)
        overlay.listeners.append(self.sync)
        self.sync()

    def rows(self) -> list[tuple[str, str]]:
        """(swatch kind, text) of each line."""
        if self.overlay.scenario is not None:
            sc = self.overlay.scenario
            return [("lost", "rack loses power"),
                    ("battery", f"on UPS battery ({sc.battery_min:g} min), then lost" if sc.battery_min
                     else "on UPS battery, then lost"),
                    ("over", "overloaded (% of limit)"),
                    ("off", "equipment de-energised"),
                    ("failed", "the failed component"),
                    ("good", "racks still powered: feed margin")]
        return [("over", ps.MARGIN_TEXT["over"]), ("near", ps.MARGIN_TEXT["near"]),
                ("good", ps.MARGIN_TEXT["good"]), ("none", ps.MARGIN_TEXT["none"]),
                ("bar", "equipment load (green < 80 %, amber, red > 100 %)")]

    def title(self) -> str:
        if self.overlay.scenario is not None:
            return "Failure scenario"
        return "Rack feed margin (one cord carries the rack)"

    def sync(self) -> None:
        ov = self.overlay
        # a plan squeezed by a tall dock has no room for a key beside the other overlays' keys
        room = self.viewport.height() >= 30 + ROW * len(self.rows()) + 260
        self.setVisible(ov.visible() and ov.has_data and room)
        fm = self.fontMetrics()
        self.setFont(ps.font(8.0))
        w = max([fm.horizontalAdvance(t) for _k, t in self.rows()] + [fm.horizontalAdvance(self.title()) - 20])
        self.setFixedSize(int(w) + 56, 30 + ROW * len(self.rows()))
        self._place()
        self.update()

    def _place(self) -> None:
        # bottom-left, above the plan's scale bar (the liquid key takes the bottom-right corner,
        # the scenario banner the top)
        vp = self.viewport.rect()
        self.move(MARGIN, vp.bottom() - self.height() - 44)

    def paintEvent(self, e) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        r = QRectF(self.rect()).adjusted(0.5, 0.5, -0.5, -0.5)
        p.setPen(QPen(QColor(0, 0, 0, 60), 1))
        p.setBrush(QColor(255, 255, 255, 232))
        p.drawRoundedRect(r, 5, 5)
        p.setFont(ps.font(8.0, True))
        p.setPen(QColor("#1f2328"))
        p.drawText(QRectF(10, 5, r.width() - 14, 18), Qt.AlignLeft | Qt.AlignVCenter, self.title())
        p.setFont(ps.font(8.0))
        y = 27.0
        for kind, text in self.rows():
            sw = QRectF(12, y + 3, 24, 12)
            self._swatch(p, sw, kind)
            p.setPen(QColor("#1f2328"))
            p.drawText(QRectF(44, y, r.width() - 48, ROW - 1), Qt.AlignLeft | Qt.AlignVCenter, text)
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
        super().__init__(viewport)
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
        vp = self.viewport.rect()
        self.setMaximumWidth(max(vp.width() - 2 * MARGIN - 40, 200))
        self.adjustSize()
        self.move(vp.center().x() - self.width() // 2, 6)
