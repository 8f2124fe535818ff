"""Page layout of the report: blocks flow down pages; long tables continue with their header.

Layout is a separate pass from painting: it measures every block with the target device's
font metrics and records, per page, the drawing operations with their positions. Page
numbers (table of contents, "page n of N") are then known before anything is painted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QRectF

from designer.app.report.paint import Metrics, mm

A4 = (210.0, 297.0)
A4_LANDSCAPE = (297.0, 210.0)
A3_LANDSCAPE = (420.0, 297.0)
MARGIN = {"left": 18.0, "right": 18.0, "top": 22.0, "bottom": 20.0}
PLAN_MARGIN = {"left": 10.0, "right": 10.0, "top": 20.0, "bottom": 18.0}
"""A plan sheet gives the drawing all the paper it can: a larger scale fits."""

Op = Callable[[object], None]
"""A drawing operation: called with the QPainter."""


class Cancelled(Exception):
    """The user cancelled the export."""


@dataclass
class PageSpec:
    size_mm: tuple[float, float] = A4
    kind: str = "body"
    """cover, toc, body, plan."""
    ops: list[Op] = field(default_factory=list)
    running_head: str = ""

    @property
    def landscape(self) -> bool:
        return self.size_mm[0] > self.size_mm[1]

    @property
    def margins(self) -> dict[str, float]:
        return PLAN_MARGIN if self.kind == "plan" else MARGIN

    def content(self) -> QRectF:
        w, h = self.size_mm
        m = self.margins
        return QRectF(mm(m["left"]), mm(m["top"]), mm(w - m["left"] - m["right"]), mm(h - m["top"] - m["bottom"]))


@dataclass
class TocEntry:
    title: str
    level: int
    page: int
    """Index into the page list (0-based)."""
    key: str = ""


class Flow:
    """Places blocks top to bottom, starting new pages as needed."""

    def __init__(self, metrics: Metrics, check: Callable[[], None] = lambda: None) -> None:
        self.m = metrics
        self.pages: list[PageSpec] = []
        self.toc: list[TocEntry] = []
        self.head = ""
        self.check = check
        self.y = 0.0
        self.rect = QRectF()

    # -- pages -----------------------------------------------------------------------------
    def new_page(self, size=A4, kind: str = "body") -> PageSpec:
        self.check()
        pg = PageSpec(size, kind, running_head=self.head)
        self.pages.append(pg)
        self.rect = pg.content()
        self.y = self.rect.top()
        return pg

    @property
    def page(self) -> PageSpec:
        return self.pages[-1]

    @property
    def width(self) -> float:
        return self.rect.width()

    @property
    def left(self) -> float:
        return self.rect.left()

    @property
    def room(self) -> float:
        return self.rect.bottom() - self.y

    def at_top(self) -> bool:
        return self.y <= self.rect.top() + 0.5

    def ensure(self, h: float) -> None:
        """Start a new page unless ``h`` fits below the cursor (a block taller than a page
        goes at the top of a fresh one)."""
        if h > self.room and not self.at_top():
            self.new_page(self.page.size_mm if self.page.kind == "body" else A4)

    def add(self, op: Op, h: float, gap: float = mm(3)) -> None:
        """Add an op drawn at the current y (it captured its own position); advance."""
        self.page.ops.append(op)
        self.y += h + gap

    def space(self, h: float) -> None:
        self.y += h
