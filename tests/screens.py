"""What a window shows on screen, for the GUI tests that check incremental repaints."""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np


def on_screen(window, widget):
    """What the window's backing store holds over ``widget`` (what the user sees now, as
    painted bit by bit; ``widget.grab()`` would paint it afresh instead)."""
    from PySide6.QtCore import QPoint

    at = widget.mapTo(window, QPoint(0, 0))
    screen = window.windowHandle().screen()
    return screen.grabWindow(window.winId(), at.x(), at.y(), widget.width(), widget.height()).toImage()


def largest_difference(a, b) -> int:
    """Largest difference of any colour channel between two images of one size, 0-255. A
    partial repaint of the smoothly scaled heat map can differ from a full one by 1 at the
    edges of the repainted part; a marker, label or guide left behind differs by a hundred."""

    def arr(img):
        img = img.convertToFormat(img.Format.Format_RGB32)
        return np.frombuffer(img.constBits(), np.uint8, img.sizeInBytes()).reshape(img.height(), -1)

    assert not a.isNull() and a.size() == b.size()
    return int(np.abs(arr(a).astype(int) - arr(b).astype(int)).max())


@contextmanager
def paints(widget):
    """The regions ``widget`` is asked to repaint while the block runs: a list of ``QRegion``,
    filled as the paint events come."""
    from PySide6.QtCore import QEvent, QObject
    from PySide6.QtGui import QRegion

    regions = []

    class _Spy(QObject):
        def eventFilter(self, obj, ev):  # noqa: N802
            if ev.type() == QEvent.Paint:
                regions.append(QRegion(ev.region()))
            return False

    spy = _Spy()
    widget.installEventFilter(spy)
    try:
        yield regions
    finally:
        widget.removeEventFilter(spy)


def largest_area(regions) -> int:
    """The largest bounding rectangle of ``regions``, in pixels."""
    return max(q.boundingRect().width() * q.boundingRect().height() for q in regions)
