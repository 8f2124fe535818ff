"""Colours and the latency-margin classes shared by the placement table, map and chart."""

from __future__ import annotations

from PySide6.QtGui import QColor

TIGHT_FRACTION = 0.25
"""A placed workload is *tight* when less than this share of its budget is left."""

MARGIN = {
    "ample": QColor("#2a9d3c"),
    "tight": QColor("#e39b0b"),
    "over": QColor("#d62d20"),
    "unplaced": QColor("#8a1c7c"),
}
MARGIN_TEXT = {
    "ample": f"ample (≥ {TIGHT_FRACTION:.0%} of budget left)",
    "tight": f"tight (< {TIGHT_FRACTION:.0%} of budget left)",
    "over": "over budget (pinned)",
    "unplaced": "unplaced",
}

SITE_KIND = {
    "core": QColor("#1f4e8c"),
    "industrial": QColor("#8c5a1f"),
    "enterprise": QColor("#1f7a6e"),
    "urban": QColor("#6a3d9a"),
    "distributed": QColor("#4d5560"),
}
SITE_SHAPE = {"core": "diamond", "industrial": "hexagon", "enterprise": "square", "urban": "triangle",
              "distributed": "circle"}

SOURCE = QColor("#505860")
TETHER = QColor("#5a6472")
GRATICULE = QColor(0, 0, 0, 28)
MAP_BG = QColor("#f4f6f8")
HIGHLIGHT = QColor(47, 126, 216, 38)
"""Row background of workloads on the selected module. Blue, not the plan's orange selection
colour: orange would read as the amber of a tight margin next to it."""
FOCUS = QColor(47, 126, 216, 70)
"""Chart band of the workload picked in the table (its row is selected there)."""
HIGHLIGHT_RING = QColor("#2f7ed8")
"""Ring round the site of the module selected on the plan."""

COMPONENTS = (
    ("fibre_ms", "fibre", QColor("#3a78c2")),
    ("hops_ms", "hops", QColor("#8fb5e0")),
    ("access_ms", "access", QColor("#9c6bc4")),
    ("processing_ms", "processing", QColor("#b9bec6")),
)
"""The round-trip components in the order they are stacked, with their colours."""


def margin_class(margin_ms: float | None, budget_ms: float) -> str:
    """``ample``, ``tight``, ``over`` or ``unplaced`` (margin None)."""
    if margin_ms is None:
        return "unplaced"
    if margin_ms < -1e-9 * max(budget_ms, 1.0):
        return "over"
    if margin_ms < TIGHT_FRACTION * budget_ms:
        return "tight"
    return "ample"


def light(c: QColor, alpha: int = 60) -> QColor:
    out = QColor(c)
    out.setAlpha(alpha)
    return out


def fmt_num(*args, **kwargs) -> str:
    """:func:`designer.solvers.placement.diagnose.fmt_num`, loaded when first used: the
    placement solver (scipy's MILP) is not needed to show the window."""
    from designer.solvers.placement.diagnose import fmt_num as real

    return real(*args, **kwargs)


def great_circle_km(*args) -> float:
    """:func:`designer.solvers.placement.latency.great_circle_km`, loaded when first used."""
    from designer.solvers.placement.latency import great_circle_km as real

    return real(*args)

