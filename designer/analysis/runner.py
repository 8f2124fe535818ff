"""Runs every registered analysis on a snapshot; Qt-free so the CLI and tests share it."""

from __future__ import annotations

from designer.analysis.base import Analysis, AnalysisResult, not_run, registered, run_analysis
from designer.model.findings import Severity
from designer.model.project import Project


def validation_errors(project: Project, results: dict[str, AnalysisResult] | None = None) -> list:
    """The validation errors of ``project``: taken from the layout checks' result when it
    is among ``results`` (it holds them), otherwise validated here."""
    geo = (results or {}).get("geometry")
    if geo is not None and geo.error is None:
        return [f for f in geo.findings if f.source == "validation" and f.severity is Severity.ERROR]
    from designer.model.validate import validate

    return [f for f in validate(project) if f.severity is Severity.ERROR]


class Runner:
    """Holds one instance and one cache per analysis, so reusable work survives runs.
    ``lane`` keeps only the analyses of that lane (the app runs one runner per lane)."""

    def __init__(self, names: list[str] | None = None, lane: str | None = None) -> None:
        reg = registered()
        self.analyses: dict[str, Analysis] = {n: cls() for n, cls in reg.items()
                                              if (names is None or n in names) and (lane is None or cls.lane == lane)}
        self.caches: dict[str, dict] = {n: {} for n in self.analyses}

    def run(self, project: Project, revision: int, names: list[str] | None = None,
            should_stop=lambda: False, focus=None, partial=None, progress=None) -> dict[str, AnalysisResult]:
        """Run the analyses in order. One whose preconditions validation says are not met
        (:meth:`~designer.analysis.base.Analysis.blocking`) is not run; its result says why.
        ``focus``, ``partial(name, result)`` and ``progress(name, info)`` go to the
        progressive analyses (the app's air lane: the site shown first, each site's answer
        as it comes, the march's convergence while it runs)."""
        out: dict[str, AnalysisResult] = {}
        errors = None
        for n, a in self.analyses.items():
            if names is not None and n not in names:
                continue
            if should_stop():
                break
            if a.needs_valid_design:
                if errors is None:
                    errors = validation_errors(project, out)
                blocking = a.blocking(errors)
                if blocking:
                    out[n] = not_run(a, revision, blocking)
                    continue
            part = (lambda res, n=n: partial(n, res)) if partial is not None else None
            prog = (lambda info, n=n: progress(n, info)) if progress is not None else None
            out[n] = run_analysis(a, project, revision, self.caches[n], should_stop, focus, part, prog)
        return out
