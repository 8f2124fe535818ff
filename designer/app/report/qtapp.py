"""A QApplication for drawing exports from the command line, with or without a display."""

from __future__ import annotations

import os
import sys


def ensure_app():
    """The running QApplication, or a new one; Qt's offscreen platform when there is no display.

    Must run before anything else imports Qt's GUI modules (the platform is chosen then).
    """
    if sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication(sys.argv[:1])
