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
from designer.io.files import json_schema
from designer.io.strict_json import plain
from designer.model.catalog import Catalog
from designer.model.project import SCHEMA_VERSION, Project

EXPORT_FORMAT = 1
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


def _obj(required: list[str], props: dict | None = None, extra: bool = True) -> dict:
    return {"type": "object", "required": required, "properties": props or {},
            "additionalProperties": extra}


def _rows_of(id_field: str, numbers: list[str]) -> dict:
    return {"type": "array", "items": _obj([id_field, *numbers], {id_field: _STR, **{n: _NUM for n in numbers}})}


def export_schema() -> dict:
    """JSON Schema (draft 2020-12) of the export document.

    The project part is the project file's own schema; each analysis part requires the
    fields a consumer relies on (ids and the headline numbers) and allows more.
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
            "summary": {"type": "object"}, "findings": {"type": "array", "items": {"$ref": "#/$defs/ExportFinding"}}}
    req = ["status", "elapsed_s", "summary", "findings"]
    ok = {"if": {"properties": {"status": {"const": "ok"}}}}

    def analysis(then_required: list[str], props: dict) -> dict:
        return {**_obj(req, {**base, **props}), **ok, "then": {"required": then_required}}

    defs["ExportLiquid"] = analysis(["racks", "pipes", "cdus", "nodes", "loops"], {
        "racks": _rows_of("rack_id", ["flow_lpm", "required_lpm", "flow_ratio", "supply_temp_c", "return_temp_c",
                                      "dp_kpa"]),
        "pipes": _rows_of("pipe_id", ["flow_lpm", "velocity_mps", "dp_kpa", "length_m", "diameter_m"]),
        "cdus": _rows_of("cdu_id", ["flow_lpm", "pump_head_kpa", "load_kw", "capacity_kw", "supply_temp_c",
                                    "return_temp_c"]),
        "nodes": _rows_of("node_id", ["head_m", "pressure_kpa", "temp_c"]),
        "loops": {"type": "array"}})
    site_air = _obj(["solved", "racks", "units"], {
        "solved": {"type": "boolean"},
        "racks": {"type": "object", "additionalProperties": _obj(["rack_id", "inlet_max_c"], {
            "rack_id": _STR, "inlet_max_c": _NUM, "inlet_mean_c": _NUM, "heat_to_air_kw": _NUM})},
        "units": {"type": "object", "additionalProperties": _obj(["unit_id", "load_kw", "capacity_kw"], {
            "unit_id": _STR, "load_kw": _NUM, "capacity_kw": _NUM})},
        "map": _obj(["x0", "y0", "cell_m", "nx", "ny"], {
            "cell_m": {"type": "number", "exclusiveMinimum": 0}, "nx": {"type": "integer"}, "ny": {"type": "integer"},
            "temperature_c": {"type": "array", "items": {"type": "array", "items": _NUM}}})})
    defs["ExportAir"] = analysis(["sites"], {"sites": {"type": "object", "additionalProperties": site_air}})
    site_power = _obj(["scheme", "survives", "it_kw", "nodes", "racks", "scenarios"], {
        "scheme": _STR, "survives": {"type": "boolean"}, "it_kw": _NUM,
        "nodes": {"type": "object", "additionalProperties": _obj(["id", "kind", "p_kw", "utilisation"], {
            "id": _STR, "kind": _STR, "p_kw": _NUM, "utilisation": _NUM, "parent_id": {"type": ["string", "null"]}})},
        "racks": {"type": "object"}, "scenarios": {"type": "array", "items": _obj(["id", "label", "ok"])}})
    defs["ExportPower"] = analysis(["sites"], {"sites": {"type": "object", "additionalProperties": site_power}})
    defs["ExportPlacement"] = analysis(["workloads", "modules"], {
        "workloads": {"type": "array", "items": _obj(["workload_id", "module_id", "budget_ms", "margin_ms"], {
            "workload_id": _STR, "module_id": {"type": ["string", "null"]}, "budget_ms": _NUM, "margin_ms": _NUM})},
        "modules": {"type": "array", "items": _obj(["module_id", "power_kw", "capacity_kw"])}})
    defs["ExportGeometry"] = analysis(["sites"], {"sites": {"type": "object"}})
    defs["ExportAnalysis"] = _obj(req, base)
    defs["ExportBomRow"] = _obj(
        ["category", "item", "catalog_model", "name", "unit", "per_site", "total"],
        {"category": _STR, "item": _STR, "catalog_model": _STR, "name": _STR, "unit": {"enum": ["pcs", "m"]},
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
            "sites": {"type": "array", "items": _obj(["id", "name", "racks", "modules", "it_kw"], {
                "id": _STR, "name": _STR, "racks": {"type": "integer", "minimum": 0},
                "modules": {"type": "integer", "minimum": 0}, "it_kw": {"type": "number"}})},
            "bom": _obj(["sites", "rows"], {
                "sites": {"type": "array", "items": _obj(["id", "name"])},
                "rows": {"type": "array", "items": {"$ref": "#/$defs/ExportBomRow"}}}, extra=False),
        },
        "$defs": defs,
    }


def write_export_schema(path: str | os.PathLike) -> None:
    """Write :func:`export_schema` as a JSON file, atomically."""
    from designer.io.outputs import write_text_atomic

    write_text_atomic(path, json.dumps(export_schema(), indent=2) + "\n")
