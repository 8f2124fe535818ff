"""What every section function gets: the project, the results, the options, formatting."""

from __future__ import annotations

import datetime as _dt
import math
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from designer.io.report.model import KeyValues, Text
from designer.model.catalog import Catalog
from designer.model.project import Project, Site
from designer.model.registry import iter_items
from designer.model.units import fmt, unit_of_quantity

ANALYSIS_TITLES = {"geometry": "layout checks", "liquid": "liquid-cooling", "air": "air-side",
                   "power": "power", "placement": "placement"}


@dataclass
class ReportOptions:
    """What goes into the report.

    ``max_rows`` caps the per-item tables (racks, pipes): longer ones list the rows that
    matter most (lowest flow ratio, hottest inlet, ...) and say how many were left out;
    every value is in the JSON export. None lists everything.
    """

    max_rows: int | None = 60
    date: str | None = None
    """Report date (ISO); today when None."""
    site_ids: list[str] | None = None
    """Only these sites (all when None)."""
    author: str | None = None
    """Overrides the project's author on the cover."""


@dataclass
class Ctx:
    project: Project
    results: dict[str, Any]
    catalog: Catalog | None = None
    options: ReportOptions = field(default_factory=ReportOptions)

    def __post_init__(self) -> None:
        self.units = self.project.settings.units
        self._names: dict[str, str] = {}
        self._site_of: dict[str, str] = {}
        sites = self.project.sites
        for loc in iter_items(self.project):
            it = loc.item
            self._names.setdefault(it.id, getattr(it, "name", "") or it.id)
            if loc.site_index is not None:
                self._site_of.setdefault(it.id, sites[loc.site_index].name or sites[loc.site_index].id)
            elif loc.kind == "site":
                self._site_of.setdefault(it.id, it.name or it.id)

    # -- selection -------------------------------------------------------------------------
    @property
    def sites(self) -> list[Site]:
        want = self.options.site_ids
        return [s for s in self.project.sites if want is None or s.id in want]

    @property
    def date(self) -> str:
        return self.options.date or _dt.date.today().isoformat()

    def result(self, name: str):
        """The analysis result, or None when the analysis did not run."""
        return self.results.get(name)

    def name(self, item_id: str | None) -> str:
        if item_id is None:
            return "-"
        return self._names.get(item_id, item_id)

    def site_name_of(self, item_id: str | None) -> str:
        """Name of the site an item (or a site) belongs to; "" for project-level items."""
        return self._site_of.get(item_id or "", "")

    # -- formatting ------------------------------------------------------------------------
    def q(self, value, quantity: str, decimals: int | None = None) -> str:
        """A value with its unit in the project's display units (``12.5 kW``); "-" for None."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "-"
        return fmt(float(value), quantity, self.units, decimals)

    def n(self, value, quantity: str, decimals: int | None = None) -> str:
        """A value in display units without its unit (for table cells)."""
        if value is None or (isinstance(value, float) and not math.isfinite(value)):
            return "-"
        u = unit_of_quantity(quantity, self.units)
        d = u.decimals if decimals is None else decimals
        return f"{u.to_display(float(value)):,.{d}f}"

    def u(self, quantity: str) -> str:
        """The unit symbol of a quantity in display units."""
        return unit_of_quantity(quantity, self.units).symbol


def pct(v, decimals: int = 0) -> str:
    """A fraction as a percentage; "-" for None / not finite."""
    if v is None or not isinstance(v, int | float) or not math.isfinite(v):
        return "-"
    return f"{v * 100:.{decimals}f} %"


def num(v, decimals: int = 1) -> str:
    if v is None or not isinstance(v, int | float) or not math.isfinite(v):
        return "-"
    return f"{v:,.{decimals}f}"


def not_available(what: str, why: str) -> Text:
    return Text(f"{what}: not available ({why}).", "note")


def guarded(ctx: Ctx, analysis: str, what: str, fn: Callable[..., list], *args) -> list:
    """Run a section function; a missing, failed or unreadable result becomes a note.

    A payload that lacks something the report expects (a renamed field, an older solver)
    must not stop the export: the section says what is missing instead.
    """
    res = ctx.result(analysis) if analysis else None
    if analysis:
        if res is None:
            return [not_available(what, f"the {ANALYSIS_TITLES.get(analysis, analysis)} analysis did not run")]
        if getattr(res, "error", None):
            return [not_available(what, f"the {ANALYSIS_TITLES.get(analysis, analysis)} analysis failed: "
                                        f"{res.error}")]
        if getattr(res, "data", None) is None:
            return [not_available(what, "the analysis returned no data")]
    try:
        return fn(ctx, res, *args) if analysis else fn(ctx, *args)
    except Exception as e:  # a payload the report does not understand: say so, keep going
        where = traceback.extract_tb(e.__traceback__)[-1]
        return [not_available(what, f"the results could not be read: {type(e).__name__}: {e} "
                                    f"[{where.name}:{where.lineno}]")]


def cap_rows(ctx: Ctx, rows: list, what: str) -> tuple[list, str]:
    """The first ``options.max_rows`` rows, and a note saying how many were left out."""
    m = ctx.options.max_rows
    if m is None or len(rows) <= m:
        return rows, ""
    return rows[:m], f"Showing {m} of {len(rows)} {what}; the JSON export has every value."


def guarded_rows(ctx: Ctx, analysis: str, label: str, fn: Callable[..., list], *args) -> list[tuple[str, str]]:
    """Like :func:`guarded` for key-value rows: a missing result becomes one row saying why."""
    out = guarded(ctx, analysis, label, lambda c, r, *a: [KeyValues(fn(c, r, *a))], *args)
    rows: list[tuple[str, str]] = []
    for b in out:
        if isinstance(b, KeyValues):
            rows += b.rows
        else:
            rows.append((label, b.text.split(": ", 1)[-1].rstrip(".")))
    return rows
