"""The report as data: sections of blocks (text, key figures, tables, figures).

Built Qt-free by :func:`designer.io.report.build_report` from a project and analysis
results; rendered by the app (PDF via Qt) or as plain text (:mod:`.text`). A block holds
display strings already formatted in the project's units, so every renderer shows the
same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Align = Literal["left", "right", "center"]


@dataclass
class Text:
    """A paragraph. ``style``: body, note (small grey), warn (highlighted), mono."""

    text: str
    style: str = "body"


@dataclass
class KeyValues:
    """Label / value pairs, e.g. a spec sheet block."""

    rows: list[tuple[str, str]]
    title: str = ""


@dataclass
class Column:
    title: str
    align: Align = "left"
    weight: float = 1.0
    """Relative width."""


@dataclass
class Table:
    """A table; long tables continue over pages with the header repeated."""

    columns: list[Column]
    rows: list[list[str]]
    title: str = ""
    note: str = ""
    row_status: list[str] | None = None
    """Per row: "" or "error" / "warning" / "ok" (a renderer may tint the row)."""


@dataclass
class Series:
    name: str
    points: list[tuple[float, float]]
    color: str = "#2f6fdb"
    dashed: bool = False


@dataclass
class Marker:
    label: str
    x: float
    y: float
    color: str = "#d9442f"


@dataclass
class LinePlot:
    """An x-y chart (pump curve against system curve, ...)."""

    title: str
    x_label: str
    y_label: str
    series: list[Series]
    markers: list[Marker] = field(default_factory=list)
    x_min: float | None = 0.0
    y_min: float | None = 0.0


@dataclass
class HeatMap:
    """A plan field on a regular grid (the air temperature map)."""

    title: str
    x0: float
    y0: float
    cell_m: float
    values: Any
    """2-D array-like ``(ny, nx)``, row j along +y; NaN where there is no value."""
    v_min: float
    v_max: float
    unit: str
    outline: list[tuple[float, float]] = field(default_factory=list)
    boxes: list[list[tuple[float, float]]] = field(default_factory=list)
    """Footprints drawn over the field (racks, units), model metres."""
    limits: list[tuple[float, str]] = field(default_factory=list)
    """Values marked on the colour bar (ASHRAE recommended limits)."""


@dataclass
class TreeNode:
    id: str
    parent: str | None
    title: str
    lines: list[str] = field(default_factory=list)
    status: str = ""
    """"", "ok", "warning", "error"."""
    alternate: str | None = None
    """Node it is fed from when its normal supply is lost (a transfer switch), drawn dashed."""


@dataclass
class Tree:
    """A one-line-diagram-like tree (power chain from the source to the distribution)."""

    title: str
    nodes: list[TreeNode]


@dataclass
class Plan:
    """The floor plan of a site, drawn to scale by the renderer."""

    site_id: str
    title: str
    dimensions: list[tuple[str, str]] = field(default_factory=list)
    """Key dimensions listed beside the drawing (label, value)."""


@dataclass
class Columns:
    """Two groups of blocks side by side (a renderer may stack them when they do not fit)."""

    left: list
    right: list


Block = Text | KeyValues | Table | LinePlot | HeatMap | Tree | Plan | Columns


@dataclass
class Section:
    """A heading with its blocks; ``level`` 1 starts a new page in the PDF."""

    title: str
    blocks: list = field(default_factory=list)
    level: int = 1
    key: str = ""
    """Stable id ("site:core-fra:liquid") for links and tests."""
    children: list[Section] = field(default_factory=list)
    wide: bool = False
    """Lay out on landscape pages (wide tables)."""

    def walk(self):
        yield self
        for c in self.children:
            yield from c.walk()


@dataclass
class Cover:
    title: str
    project: str
    revision: str
    date: str
    author: str
    description: str = ""
    facts: list[tuple[str, str]] = field(default_factory=list)
    generator: str = ""


@dataclass
class Report:
    cover: Cover
    sections: list[Section]

    def walk(self):
        """Every section, depth first, in reading order."""
        for s in self.sections:
            yield from s.walk()

    def find(self, key: str) -> Section | None:
        return next((s for s in self.walk() if s.key == key), None)
