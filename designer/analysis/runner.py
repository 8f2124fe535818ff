"""Runs every registered analysis on a snapshot; Qt-free so the CLI and tests share it."""

from __future__ import annotations

from designer.analysis.base import Analysis, AnalysisResult, registered, run_analysis
from designer.model.project import Project


class Runner:
    """Holds one instance and one cache per analysis, so reusable work survives runs.
    ``lane`` keeps only the analyses of that lane (the app runs one runner per lane)."""

    def __init__(self, names: list[str] | None = None, lane: str | None = None) -> None:
        reg = registered()
        self.analyses: dict[str, Analysis] = {n: cls() for n, cls in reg.items()
                                              if (names is None or n in names) and (lane is None or cls.lane == lane)}
        self.caches: dict[str, dict] = {n: {} for n in self.analyses}

    def run(self, project: Project, revision: int, names: list[str] | None = None,
            should_stop=lambda: False) -> dict[str, AnalysisResult]:
        out = {}
        for n, a in self.analyses.items():
            if names is not None and n not in names:
                continue
            if should_stop():
                break
            out[n] = run_analysis(a, project, revision, self.caches[n], should_stop)
        return out
