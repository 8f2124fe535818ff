"""Plan (model) coordinates have y up; Qt's scene has y down. Converting is this file's job."""

from __future__ import annotations

from PySide6.QtCore import QPointF


def to_scene(x: float, y: float) -> QPointF:
    return QPointF(x, -y)


def to_model(p: QPointF) -> tuple[float, float]:
    return (p.x(), -p.y())


def scene_rotation(rotation_deg: float) -> float:
    """Qt rotates clockwise on screen for positive angles; the model turns counter-clockwise."""
    return -rotation_deg
