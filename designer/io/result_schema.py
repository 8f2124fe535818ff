"""JSON Schema of the export's results, generated from the result types themselves.

Each analysis writes its rows with ``dataclasses.asdict`` (or a ``to_json`` made of the
dataclass's fields and a few named properties), and its summary follows a ``TypedDict``
in :mod:`designer.analysis.summaries`. pydantic turns those types into JSON Schema here;
:func:`strict` then makes every object closed (``additionalProperties: false``) with
every field required, and every number nullable (non-finite numbers are written as ``null``). So a field added to a
result type appears in the schema by itself, and a field the export drops, renames or
mistypes fails validation (the tests validate real exports against it).

Only the shape of the report around the rows (which tables an analysis writes, under
which key) is stated here, in :func:`results_schemas`.
"""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from pydantic import TypeAdapter

REF = "#/$defs/{model}"


def strict(node: Any) -> Any:
    """Close every object schema, require all its fields and let every number be null
    (in place; returns ``node``)."""
    if isinstance(node, dict):
        if node.get("type") == "number":
            node["type"] = ["number", "null"]
        if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
            node["additionalProperties"] = False
            # rows are written whole (asdict): a field with a default is still always there
            node["required"] = list(node["properties"])
        for v in node.values():
            strict(v)
    elif isinstance(node, list):
        for v in node:
            strict(v)
    return node


class Defs:
    """Collects ``$defs`` of generated schemas; refuses two different types of one name."""

    def __init__(self, existing: dict | None = None) -> None:
        self.defs: dict[str, Any] = dict(existing or {})

    def add(self, schema: dict) -> dict:
        for name, d in schema.pop("$defs", {}).items():
            if name in self.defs and self.defs[name] != d:
                raise ValueError(f"two result types are called {name}; rename one")
            self.defs[name] = d
        return schema

    def of(self, tp: Any) -> dict:
        """Schema of a type (a ``$ref`` for dataclasses and TypedDicts)."""
        return strict(self.add(TypeAdapter(tp).json_schema(ref_template=REF, mode="serialization")))

    def dataclass(self, cls: type, extra: tuple[str, ...] = (), exclude: tuple[str, ...] = (),
                  override: dict[str, dict] | None = None) -> dict:
        """Schema of ``cls`` written as its fields (less ``exclude``) plus the properties
        ``extra`` (typed by their return annotation), all required, nothing else."""
        hints = typing.get_type_hints(cls)
        props: dict[str, dict] = {}
        for f in dataclasses.fields(cls):
            if f.name not in exclude:
                props[f.name] = self.of(hints[f.name])
        for name in extra:
            ret = typing.get_type_hints(getattr(cls, name).fget)["return"]
            props[name] = self.of(ret)
        props.update(override or {})
        return {"type": "object", "properties": props, "required": list(props), "additionalProperties": False}


def _closed(props: dict[str, dict], required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": props, "required": list(props) if required is None else required,
            "additionalProperties": False}


def _map(values: dict) -> dict:
    return {"type": "object", "additionalProperties": values}


def _array(items: dict) -> dict:
    return {"type": "array", "items": items}


def results_schemas(defs: Defs) -> dict[str, dict]:
    """Analysis name -> JSON Schema of its report's own part (beside status, timing and
    findings, which :func:`designer.io.export_json.export_schema` adds)."""
    from designer.analysis import summaries as S
    from designer.solvers.air.results import AirIndices, ContainmentAir, EnergyBalance, RackAir, UnitAir
    from designer.solvers.liquid.results import (
        CduLiquid,
        Convergence,
        LoopLiquid,
        NodeLiquid,
        PipeLiquid,
        RackLiquid,
    )
    from designer.solvers.placement.latency import LatencyBreakdown
    from designer.solvers.placement.results import ModuleLoad, SiteTether, WorkloadPlacement
    from designer.solvers.power.results import SitePower

    num = {"type": ["number", "null"]}
    out: dict[str, dict] = {}
    out["geometry"] = _closed({"summary": defs.of(S.GeometrySummary), "sites": _map(_closed({
        "aisle_front_m": _map(num), "aisle_rear_m": _map(num), "floor_load_kg_m2": _map(num)}))})
    out["liquid"] = _closed({
        "summary": defs.of(S.LiquidSummary),
        "racks": _array(defs.of(RackLiquid)), "pipes": _array(defs.of(PipeLiquid)),
        "cdus": _array(defs.of(CduLiquid)), "nodes": _array(defs.of(NodeLiquid)),
        "loops": _array(defs.of(LoopLiquid)),
        "convergence": _map(defs.of(Convergence)), "failure_convergence": _map(defs.of(Convergence)),
        "unconnected": _map({"type": "string"}), "options": {"type": "object"}})
    latency = defs.dataclass(LatencyBreakdown, extra=("total_ms",))
    out["placement"] = _closed({
        "summary": defs.of(S.PlacementSummary),
        "workloads": _array(defs.dataclass(WorkloadPlacement, extra=("margin_ms", "cost"),
                                           override={"latency": {"anyOf": [latency, {"type": "null"}]}})),
        "unplaced": _array(_closed({"workload_id": {"type": "string"}, "reason_code": {"type": ["string", "null"]},
                                    "reason": {"type": ["string", "null"]}})),
        "modules": _array(defs.dataclass(ModuleLoad, extra=(
            "utilisation", "cooling_utilisation", "liquid_utilisation", "rack_positions_utilisation",
            "accelerators_utilisation", "most_used"))),
        "sites": _array(defs.dataclass(SiteTether))})
    out["power"] = _closed({
        "summary": defs.of(S.PowerSummary),
        "sites": _map(defs.dataclass(SitePower, exclude=("site_id", "iterations", "scenario_index")))})
    air_site_summary = {"anyOf": [defs.of(S.AirSiteSummary), {"const": "not solved"}]}
    air_summary = {"type": "object", "properties": {k: defs.of(t) for k, t in S.AIR_SUMMARY_FIXED.items()},
                   "required": list(S.AIR_SUMMARY_FIXED), "additionalProperties": air_site_summary}
    heat_map = _closed({"x0": num, "y0": num, "cell_m": num, "nx": {"type": "integer"}, "ny": {"type": "integer"},
                        "t_min_c": num, "t_max_c": num, "temperature_c": _array(_array(num))},
                       required=["x0", "y0", "cell_m", "nx", "ny", "t_min_c", "t_max_c"])
    out["air"] = _closed({
        "summary": air_summary, "headline": {"type": "string"}, "assumptions": _array({"type": "string"}),
        "cell_m": num,
        "sites": _map(_closed({
            "solved": {"type": "boolean"}, "indices": defs.of(AirIndices),
            "balance_kw": {"anyOf": [defs.of(EnergyBalance), {"type": "null"}]},
            "racks": _map(defs.of(RackAir)), "units": _map(defs.of(UnitAir)),
            "containments": _map(defs.of(ContainmentAir)), "stats": {"type": "object"}, "map": heat_map},
            required=["solved", "indices", "balance_kw", "racks", "units", "containments", "stats"]))})
    return out
