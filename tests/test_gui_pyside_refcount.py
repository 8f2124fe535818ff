"""Guard against a PySide6 regression that crashes the app.

PySide6-Essentials 6.12.0 drops a reference to None on every void QPainter call (setPen,
setBrush, translate, ...). On Python 3.11, where None is not immortal, the interpreter
aborts with "none_dealloc" after a few thousand paint calls: on a 200-rack plan that is
one "select all". pyproject.toml pins below 6.12 for that reason; this test fails if a
broken build is installed.
"""

from __future__ import annotations

import sys

import pytest

pytest.importorskip("PySide6.QtGui")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QImage, QPainter, QPen  # noqa: E402

pytestmark = pytest.mark.gui


def test_void_qpainter_calls_keep_none_alive(qapp):
    img = QImage(16, 16, QImage.Format_ARGB32)
    p = QPainter(img)
    pen = QPen(QColor("red"), 1.0)
    try:
        before = sys.getrefcount(None)
        for _ in range(500):
            p.setPen(pen)
            p.setBrush(Qt.NoBrush)
            p.translate(QPointF(0, 0))
        after = sys.getrefcount(None)
    finally:
        p.end()
    # a healthy binding leaves None's count where it was, give or take a few temporaries
    assert after - before > -50, f"None lost {before - after} references in 1,500 void calls"
