"""The analysis plumbing: every solver runs behind one small interface.

An :class:`Analysis` takes a *snapshot* of the project (never the live document) and the
revision it was taken at, and returns an :class:`AnalysisResult`: findings plus a
solver-specific, read-only payload keyed by item id. The runner (Qt-free here; the app
drives it from a worker thread) calls every registered analysis after each edit and drops
results whose revision is stale.

Analyses may keep a cache between runs (factorisations, geometry indexes): the runner
hands each analysis the same ``cache`` dict every time, so an analysis can reuse work
when only right-hand sides changed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from designer.model.findings import Finding
from designer.model.project import Project


@dataclass(frozen=True)
class AnalysisResult:
    name: str
    revision: int
    findings: tuple[Finding, ...] = ()
    data: Any = None
    """Solver-specific results (frozen dataclasses keyed by item id)."""
    summary: dict = field(default_factory=dict)
    """A few headline figures for the status bar and the report (JSON-able)."""
    elapsed_s: float = 0.0
    error: str | None = None
    """Set when the analysis itself failed (a bug): the message, for the findings panel."""


TOLERATED = ("geometry.outside", "module.connection.")
"""Validation errors every analysis works around: an item outside the hall outline is still
solved where it stands; module connection points are for placing templates."""

ALWAYS_BLOCKING = ("id.duplicate", "ref.kind", "value.magnitude", "value.too_small", "hall.too_large")
"""Validation errors no analysis works around: two items with one id, a reference to an
item of the wrong kind, numbers beyond any physical bound, a hall too large for a grid."""


class Analysis:
    """Base class. Subclasses set ``name`` and ``title`` and implement :meth:`run`.

    An analysis runs only on a design whose validation errors it can work around (see
    :meth:`blocking`): the runner gives it a result that says which errors stopped it
    instead. A solver can then rely on what validation checks and guards only the rest.
    """

    name: str = "analysis"
    title: str = "Analysis"
    order: int = 50
    lane: str = "main"
    """The app runs each lane on its own worker thread: a slow analysis (the 3D air model) in
    a lane of its own never holds back the others' results."""
    stoppable: bool = False
    """True when :meth:`run` takes a ``should_stop`` callable and polls it (a long iterative
    solve that a newer document revision makes pointless)."""
    progressive: bool = False
    """True when :meth:`run` also takes ``focus`` (a callable giving the site the engineer is
    looking at, to solve first), ``partial`` (called with results so far, so the app can
    show one site's answer before the last site is solved) and ``progress`` (called with a
    dict a few times a second during a long solve)."""
    blocked_by: tuple[str, ...] | None = None
    """Prefixes of the validation error codes that stop this analysis. None (the default,
    for an analysis that has not said what it works around): every validation error but
    those in :data:`TOLERATED`. An analysis tested to work around the rest names only
    :data:`ALWAYS_BLOCKING` (and its own)."""
    needs_valid_design: bool = True
    """False for an analysis that reports validation itself (the layout checks)."""

    def blocking(self, errors) -> list:
        """Of the validation ``errors``, those this analysis cannot work around."""
        if self.blocked_by is None:
            return [f for f in errors if not f.code.startswith(TOLERATED)]
        return [f for f in errors if f.code.startswith(self.blocked_by)]

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        raise NotImplementedError

    # -- command-line reporting (``designer solve``) -------------------------------------
    def report_json(self, result: AnalysisResult) -> dict:
        """The result as plain JSON data."""
        return {"summary": result.summary, "findings": [f.to_json() for f in result.findings]}

    def report_text(self, result: AnalysisResult) -> str:
        lines = [f"== {self.title} ==", *(f"{k}: {v}" for k, v in result.summary.items())]
        lines += [f.as_text() for f in result.findings]
        return "\n".join(lines)


_REGISTRY: dict[str, type[Analysis]] = {}


def register(cls: type[Analysis]) -> type[Analysis]:
    """Class decorator: make an analysis known to the runner and to ``designer solve``."""
    _REGISTRY[cls.name] = cls
    return cls


def registered() -> dict[str, type[Analysis]]:
    """Name -> class of every analysis, importing the built-in ones first."""
    from designer.analysis import builtin  # noqa: F401  (registers)

    return dict(sorted(_REGISTRY.items(), key=lambda kv: kv[1].order))


def not_run(analysis: Analysis, revision: int, blocking: list) -> AnalysisResult:
    """The result of an analysis stopped by validation errors: one finding that says which."""
    from designer.model.findings import warning

    first = blocking[0]
    more = f" and {len(blocking) - 1} more" if len(blocking) > 1 else ""
    f = warning("analysis.not_run",
                f"{analysis.title} not analysed: the design has {len(blocking)} validation "
                f"error{'s' * (len(blocking) != 1)} it cannot work around ({first.path or first.code}: "
                f"{first.message}{more})",
                "fix the validation errors listed with the layout checks", first.path,
                first.item_ids, source=analysis.name)
    return AnalysisResult(analysis.name, revision, (f,), None,
                          {"not_run": f"{len(blocking)} validation errors",
                           "blocked_by": [b.to_json() for b in blocking[:20]]})


def run_analysis(analysis: Analysis, project: Project, revision: int, cache: dict,
                 should_stop=None, focus=None, partial=None, progress=None) -> AnalysisResult:
    """Run one analysis, timing it; an exception becomes a result with ``error`` set.
    ``should_stop`` goes to analyses that are :attr:`Analysis.stoppable`, ``focus``,
    ``partial`` and ``progress`` to those that are :attr:`Analysis.progressive`."""
    from designer.solvers.memory import MemoryBudgetExceeded

    t0 = time.perf_counter()
    kw: dict = {}
    if analysis.stoppable and should_stop is not None:
        kw["should_stop"] = should_stop
    if analysis.progressive:
        if focus is not None:
            kw["focus"] = focus
        if partial is not None:
            kw["partial"] = partial
        if progress is not None:
            kw["progress"] = progress
    try:
        res = analysis.run(project, revision, cache, **kw)
    except MemoryBudgetExceeded as e:  # a design too large for this machine: a finding, not a bug
        from designer.model.findings import error

        f = error("analysis.memory", f"{analysis.title}: {e}", e.fix, source=analysis.name)
        return AnalysisResult(analysis.name, revision, (f,), None, {"not_run": str(e)},
                              elapsed_s=time.perf_counter() - t0)
    except Exception as e:  # a solver bug must not take the app down
        import traceback

        return AnalysisResult(analysis.name, revision, error=f"{type(e).__name__}: {e}",
                              summary={"traceback": traceback.format_exc(limit=8)},
                              elapsed_s=time.perf_counter() - t0)
    if res.elapsed_s == 0.0:
        object.__setattr__(res, "elapsed_s", time.perf_counter() - t0)
    return res
