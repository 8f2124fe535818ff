"""The splash shown while the app starts: something on screen at once (a few tenths of a
second of CPU), and what it is doing, until the main window replaces it."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPainter, QPixmap
from PySide6.QtWidgets import QSplashScreen


def show_splash(app) -> QSplashScreen:
    from designer import __version__

    dpr = QGuiApplication.primaryScreen().devicePixelRatio() if QGuiApplication.primaryScreen() else 1.0
    pix = QPixmap(int(460 * dpr), int(170 * dpr))
    pix.setDevicePixelRatio(dpr)
    pix.fill(QColor("#f4f6fa"))
    p = QPainter(pix)
    p.setRenderHint(QPainter.Antialiasing)
    p.fillRect(QRectF(0, 0, 460, 8), QColor("#1f4e9a"))
    p.setPen(QColor("#1f2d44"))
    p.setFont(QFont("DejaVu Sans", 20, QFont.Bold))
    p.drawText(QRectF(24, 30, 420, 40), Qt.AlignLeft | Qt.AlignVCenter, "Data Hall Designer")
    p.setFont(QFont("DejaVu Sans", 10))
    p.setPen(QColor("#4a5870"))
    p.drawText(QRectF(24, 70, 420, 24), Qt.AlignLeft | Qt.AlignVCenter,
               f"Modular AI data halls, from the workload outward · {__version__}")
    p.end()
    splash = QSplashScreen(pix)
    splash.setObjectName("splash")
    splash.show()
    step(splash, "Starting…")
    return splash


def step(splash: QSplashScreen | None, text: str) -> None:
    """Say what start-up is doing now (and let the splash paint)."""
    if splash is None:
        return
    splash.showMessage(f"  {text}", Qt.AlignBottom | Qt.AlignLeft, QColor("#1f2d44"))
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
