"""JSON export: the design together with every analysis result, versioned, with a JSON Schema.

The document (``export_format`` :data:`EXPORT_FORMAT`)::

    {
      "export_format": 1,
      "generator": {"name": "Data Hall Designer", "version": "..."},
      "created": "2026-01-31T12:00:00+00:00",
      "project": { ... the project file, unchanged ... },
      "results": {"liquid": {"status": "ok", "elapsed_s": ..., "summary": {...},
                             "findings": [...], ...the analysis's own JSON report...}, ...},
      "findings": [ ...every finding, worst first... ],
      "sites": [{"id", "name", "racks", "modules", "it_kw"}, ...],
      "bom": {"sites": [...], "rows": [...]}
    }

Non-finite numbers (an infinite aisle width, a ratio without a required flow) are written
as ``null``: the file is strict JSON. :func:`export_schema` gives the JSON Schema (draft
2020-12) that every export validates against; :func:`write_export_schema` writes it.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Mapping

from designer import __version__
from designer.io.bom import Bom, bill_of_materials
from designer.io.files import EXPORT_FORMAT, json_schema
from designer.io.result_schema import Defs, results_schemas
from designer.io.strict_json import plain
from designer.model.catalog import Catalog
from designer.model.project import SCHEMA_VERSION, Project

ANALYSES = ("geometry", "liquid", "air", "power", "placement")


def result_json(name: str, result) -> dict:
    """One analysis result as JSON: its status, timing, summary, findings and its own report."""
    status = "failed" if result.error else "not_run" if result.summary.get("not_run") else "ok"
    out: dict = {"status": status, "error": result.error,
                 "revision": result.revision, "elapsed_s": result.elapsed_s}
    if status == "ok":
        from designer.analysis.base import registered

        cls = registered().get(name)
        try:
            if cls is None:
                raise LookupError(f"no analysis named {name}")
            a = cls()
            body = a.report_json(result, include_grid=True) if name == "air" else a.report_json(result)
        except Exception as e:  # a report the export cannot read must not lose the rest
            body = {"summary": result.summary, "findings": [f.to_json() for f in result.findings],
                    "report_error": f"{type(e).__name__}: {e}"}
        out.update(body)
    out.setdefault("summary", result.summary)
    out.setdefault("findings", [f.to_json() for f in result.findings])
    return plain(out)


def export_data(project: Project, results: Mapping[str, object], catalog: Catalog | None = None,
                bom: Bom | None = None, created: str | None = None) -> dict:
    """The export document (see the module doc) as plain JSON data.

    Parameters
    ----------
    project
        The design the results were computed on.
    results
        Analysis name -> :class:`~designer.analysis.base.AnalysisResult`.
    catalog
        For the bill of materials' names.
    bom
        The bill of materials when the caller already has it.
    created
        ISO timestamp; now (UTC) when None.
    """
    findings = []
    for r in results.values():
        findings += [f for f in (r.findings or ())]
    findings.sort(key=lambda f: f.severity.rank)
    bom = bom or bill_of_materials(project, catalog)
    sites = [{"id": s.id, "name": s.name, "kind": s.kind, "racks": len(s.hall.racks), "modules": len(s.hall.modules),
              "it_kw": sum(r.it_load_kw for r in s.hall.racks)} for s in project.sites]
    return {  # every part is plain JSON data already (results through result_json)
        "export_format": EXPORT_FORMAT,
        "generator": {"name": "Data Hall Designer", "version": __version__},
        "created": created or _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "project_schema_version": SCHEMA_VERSION,
        "project": project.model_dump(mode="json"),
        "results": {n: result_json(n, r) for n, r in results.items()},
        "findings": [f.to_json() for f in findings],
        "sites": plain(sites),
        "bom": plain(bom.to_json()),
    }


def dumps_export(data: dict) -> str:
    """Compact text: the export is read by programs, and the C encoder only runs unindented
    (ten times faster on a 1,000-rack hall)."""
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False) + "\n"


def write_export_json(path: str | os.PathLike, project: Project, results: Mapping[str, object],
                      catalog: Catalog | None = None, bom: Bom | None = None) -> dict:
    """Write the export atomically; returns the data written."""
    from designer.io.outputs import write_text_atomic

    data = export_data(project, results, catalog, bom)
    write_text_atomic(path, dumps_export(data))
    return data


# -- schema ------------------------------------------------------------------------------------

_NUM = {"type": ["number", "null"]}
_STR = {"type": "string"}


def _obj(required: list[str], props: dict | None = None, extra: bool = False) -> dict:
    return {"type": "object", "required": required, "properties": props or {},
            "additionalProperties": extra}


def export_schema() -> dict:
    """JSON Schema (draft 2020-12) of the export document.

    The project part is the project file's own schema; each analysis part is generated
    from its result types (:mod:`designer.io.result_schema`) and allows nothing else.
    """
    proj = json_schema()
    defs = dict(proj.pop("$defs", {}))
    proj.pop("$schema", None)
    defs["Project"] = proj
    defs["ExportFinding"] = _obj(
        ["severity", "code", "message", "fix", "path", "item_ids", "source"],
        {"severity": {"enum": ["error", "warning", "info"]}, "code": _STR, "message": _STR, "fix": _STR,
         "path": _STR, "item_ids": {"type": "array", "items": _STR}, "source": _STR}, extra=False)
    base = {"status": {"enum": ["ok", "failed", "not_run"]}, "error": {"type": ["string", "null"]},
            "revision": {"type": "integer"}, "elapsed_s": {"type": "number", "minimum": 0},
            "summary": {"type": "object"}, "findings": {"type": "array", "items": {"$ref": "#/$defs/ExportFinding"}},
            "report_error": _STR}
    req = ["status", "elapsed_s", "summary", "findings"]
    gen = Defs(defs)
    own = results_schemas(gen)
    defs = gen.defs

    def analysis(part: dict) -> dict:
        """A finished analysis has every part of its report (generated from its result
        types); a failed one only the status, error, timing and findings."""
        props = {**base, **{k: {} for k in part["properties"]}}
        ok = {**part, "required": list(part["required"]), "properties": {**base, **part["properties"]}}
        return {"type": "object", "required": req, "properties": props, "additionalProperties": False,
                "if": {"properties": {"status": {"const": "ok"}}},
                "then": ok, "else": {"properties": {"summary": {  # a failed run keeps the traceback,
                    "type": "object", "additionalProperties": False,  # one not run says why
                    "properties": {"traceback": _STR, "not_run": _STR,
                                   "blocked_by": {"type": "array", "items": {"$ref": "#/$defs/ExportFinding"}}}}}}}

    names = {"geometry": "ExportGeometry", "liquid": "ExportLiquid", "air": "ExportAir", "power": "ExportPower",
             "placement": "ExportPlacement"}
    for name, part in own.items():
        defs[names[name]] = analysis(part)
    # an extension's analysis: its report's shape is its own, so only the common part is checked
    defs["ExportAnalysis"] = _obj(req, base, extra=True)
    defs["ExportBomRow"] = _obj(
        ["category", "item", "catalog_model", "name", "unit", "per_site", "total"],
        {"category": _STR, "item": _STR, "catalog_model": _STR, "name": _STR, "unit": {"enum": ["pcs", "m", "m2"]},
         "per_site": {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}},
         "total": {"type": "number", "minimum": 0}}, extra=False)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://data-hall-designer.invalid/export-{EXPORT_FORMAT}.schema.json",
        "title": f"Data Hall Designer export (export format {EXPORT_FORMAT})",
        "type": "object",
        "required": ["export_format", "generator", "created", "project_schema_version", "project", "results",
                     "findings", "sites", "bom"],
        "additionalProperties": False,
        "properties": {
            "export_format": {"const": EXPORT_FORMAT},
            "generator": _obj(["name", "version"], {"name": _STR, "version": _STR}),
            "created": {"type": "string", "format": "date-time",  # the pattern checks it without extras
                        "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$"},
            "project_schema_version": {"const": SCHEMA_VERSION},
            "project": {"$ref": "#/$defs/Project"},
            "results": {
                "type": "object",
                "properties": {"geometry": {"$ref": "#/$defs/ExportGeometry"}, "liquid": {"$ref": "#/$defs/ExportLiquid"},
                               "air": {"$ref": "#/$defs/ExportAir"}, "power": {"$ref": "#/$defs/ExportPower"},
                               "placement": {"$ref": "#/$defs/ExportPlacement"}},
                "additionalProperties": {"$ref": "#/$defs/ExportAnalysis"},
            },
            "findings": {"type": "array", "items": {"$ref": "#/$defs/ExportFinding"}},
            "sites": {"type": "array", "items": _obj(["id", "name", "kind", "racks", "modules", "it_kw"], {
                "id": _STR, "name": _STR, "kind": _STR, "racks": {"type": "integer", "minimum": 0},
                "modules": {"type": "integer", "minimum": 0}, "it_kw": {"type": "number"}})},
            "bom": _obj(["sites", "rows"], {
                "sites": {"type": "array", "items": _obj(["id", "name"], {"id": _STR, "name": _STR})},
                "rows": {"type": "array", "items": {"$ref": "#/$defs/ExportBomRow"}}}, extra=False),
        },
        "$defs": defs,
    }


def write_export_schema(path: str | os.PathLike) -> None:
    """Write :func:`export_schema` as a JSON file, atomically."""
    from designer.io.outputs import write_text_atomic

    write_text_atomic(path, json.dumps(export_schema(), indent=2) + "\n")
