"""Geometry analysis: the layout checks of every hall, plus document validation."""

from __future__ import annotations

from designer.analysis.base import Analysis, AnalysisResult, register
from designer.model.findings import Severity
from designer.model.project import Project
from designer.model.validate import validate
from designer.solvers.geometry import GeometryResult, check_hall


@register
class GeometryAnalysis(Analysis):
    name = "geometry"
    title = "Layout checks"
    order = 10

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        findings = list(validate(project))
        per_site: dict[str, GeometryResult] = {}
        for site in project.sites:
            f, res = check_hall(site.hall, project.settings, site.name or site.id)
            findings += f
            per_site[site.id] = res
        findings.sort(key=lambda f: f.severity.rank)
        n_err = sum(f.severity is Severity.ERROR for f in findings)
        n_warn = sum(f.severity is Severity.WARNING for f in findings)
        return AnalysisResult(self.name, revision, tuple(findings), per_site,
                              {"errors": n_err, "warnings": n_warn})

    def report_json(self, result: AnalysisResult) -> dict:
        out = super().report_json(result)
        out["sites"] = {
            sid: {"aisle_front_m": {k: (v if v != float("inf") else None) for k, v in r.aisle_front_m.items()},
                  "aisle_rear_m": {k: (v if v != float("inf") else None) for k, v in r.aisle_rear_m.items()},
                  "floor_load_kg_m2": r.floor_load_kg_m2}
            for sid, r in (result.data or {}).items()
        }
        return out
