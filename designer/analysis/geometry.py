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
    needs_valid_design = False  # it reports validation itself
    BLOCKED_BY = ("value.magnitude", "hall.too_large")
    """Validation errors that stop the layout checks of a site (numbers no geometry library
    can work with); the validation findings are reported all the same."""

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        findings = list(validate(project))
        blocked = {f.path.split(".hall", 1)[0] for f in findings
                   if f.severity is Severity.ERROR and f.code in self.BLOCKED_BY}
        per_site: dict[str, GeometryResult] = {}
        for si, site in enumerate(project.sites):
            if f"sites[{si}]" in blocked or "settings" in blocked:
                continue
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
