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


class Analysis:
    """Base class. Subclasses set ``name`` and ``title`` and implement :meth:`run`."""

    name: str = "analysis"
    title: str = "Analysis"
    order: int = 50
    lane: str = "main"
    """The app runs each lane on its own worker thread: a slow analysis (the 3D air model) in
    a lane of its own never holds back the others' results."""
    stoppable: bool = False
    """True when :meth:`run` takes a ``should_stop`` callable and polls it (a long iterative
    solve that a newer document revision makes pointless)."""

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


def run_analysis(analysis: Analysis, project: Project, revision: int, cache: dict,
                 should_stop=None) -> AnalysisResult:
    """Run one analysis, timing it; an exception becomes a result with ``error`` set.
    ``should_stop`` goes to analyses that are :attr:`Analysis.stoppable`."""
    t0 = time.perf_counter()
    try:
        if analysis.stoppable and should_stop is not None:
            res = analysis.run(project, revision, cache, should_stop=should_stop)
        else:
            res = analysis.run(project, revision, cache)
    except Exception as e:  # a solver bug must not take the app down
        import traceback

        return AnalysisResult(analysis.name, revision, error=f"{type(e).__name__}: {e}",
                              summary={"traceback": traceback.format_exc(limit=8)},
                              elapsed_s=time.perf_counter() - t0)
    if res.elapsed_s == 0.0:
        object.__setattr__(res, "elapsed_s", time.perf_counter() - t0)
    return res
