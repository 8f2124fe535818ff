"""Colours and pens of the plan, in one place."""

from __future__ import annotations

from PySide6.QtGui import QColor

FLOOR = QColor("#fbfbf8")
OUTSIDE = QColor("#e9ebee")
WALL = QColor("#3b3f45")
GRID_MINOR = QColor(0, 0, 0, 18)
GRID_MAJOR = QColor(0, 0, 0, 40)
OBSTRUCTION = QColor("#6b6f76")
MODULE_FILL = QColor(90, 120, 160, 28)
MODULE_EDGE = QColor("#5a7396")
GROUP = QColor("#1f5fbf")
"""Outline of the module a selection belongs to, and of a selected module's members."""
RACK = {
    "air": QColor("#d9dde3"),
    "hybrid": QColor("#cfe6e3"),
    "liquid": QColor("#c9dcf3"),
}
RACK_EDGE = QColor("#4a4f57")
FRONT = QColor("#2f7ed8")
CDU = QColor("#8fd0e8")
AIR_UNIT = QColor("#bfe3f5")
POWER = {
    "transformer": QColor("#f2c28b"),
    "switchboard": QColor("#f0d49a"),
    "ups": QColor("#f4b183"),
    "pdu": QColor("#f7d9b5"),
}
BUSWAY = QColor("#8e5bb5")
TAP = QColor("#6d3c94")
SUPPLY = QColor("#2f6fdb")
RETURN = QColor("#d9442f")
FACILITY_SUPPLY = QColor("#0f8f8a")
FACILITY_RETURN = QColor("#8a6d0f")
SOURCE = {"utility": QColor("#f6e7a8"), "generator": QColor("#e8d08a")}
WATER = QColor("#a9dde0")
TILE = QColor("#cfe6fb")
GRILLE = QColor("#f3d6cf")
HOT = QColor(230, 80, 60, 40)
COLD = QColor(60, 130, 230, 40)
SELECT = QColor("#ff9f1a")
STATUS = {"error": QColor("#d62d20"), "warning": QColor("#e8a317")}
LABEL = QColor("#23262b")
FEED_A = QColor("#2a9d3c")
FEED_B = QColor("#b0379a")
