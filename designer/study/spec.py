"""The study file: which designs, which scenario grid, which analyses (JSON, ``study_version``).

A study is read like a project file: parsed strictly (duplicate keys, NaN refused), checked
against the pydantic types below, then checked for meaning (the project files exist, the
sites and analyses named are known). Every problem is a
:class:`~designer.io.errors.Problem` naming the JSON path and the fix, gathered in one
:class:`StudyError`; nothing is run or written before the whole file is good.

>>> study = load_study("fleet-study.json")      # raises StudyError naming e.g. grid.it_load_growth[1]
>>> print(json.dumps(study_schema(), indent=2))  # ``designer study --schema``

The grid is a cartesian product: every combination of one value per axis is a scenario. An
axis left out is one value, "as designed". ``failures`` is expanded per design (``"each"``
becomes one scenario per failable item of that design), so designs may have different
numbers of scenarios.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from designer.io.errors import LoadError, Problem

STUDY_VERSION = 1

ANALYSES = ("geometry", "liquid", "air", "power", "placement")

FAILURE_WORDS = ("none", "each", "each_power", "each_pump", "each_air_unit", "each_water")
"""``none``: nothing fails; ``each``: every failable item in turn (power equipment, one pump of
each CDU, each running air unit, each facility water supply); ``each_power`` / ``each_pump`` /
``each_air_unit`` / ``each_water``: only that family."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DesignRef(_Strict):
    """One project file; its sites each become a design (``split: "sites"``) or the whole
    project is one design (``split: "project"``)."""

    file: str
    """Project file, relative to the study file."""
    split: Literal["sites", "project"] = "sites"
    sites: list[str] | None = None
    """Only these sites (with ``split: "sites"``); all when left out."""


class RackDensity(_Strict):
    """Racks re-rated: the given fields set on every rack (or those of ``models``)."""

    name: str = ""
    it_load_kw: float = Field(gt=0)
    liquid_fraction: float | None = Field(default=None, ge=0, le=1)
    models: list[str] = Field(default_factory=list)
    """Catalog models to change (``catalog_model``); all racks when empty."""


class NewWorkloads(_Strict):
    """Workloads (with their data sources and links) added to each design.

    ``{site}`` in any text is replaced by the design's site id (its first site for a whole
    project), so one entry adds a workload at every site of a fleet. A data source with no
    ``location`` takes its ``site_id``'s.
    """

    name: str
    workloads: list[dict[str, Any]] = Field(min_length=1)
    data_sources: list[dict[str, Any]] = Field(default_factory=list)
    links: list[dict[str, Any]] = Field(default_factory=list)


class LinkChange(_Strict):
    """Fibre changes: every route scaled, named links changed, removed or added."""

    name: str
    route_scale: float | None = Field(default=None, gt=0)
    """Every link's route length (``route_km``, or ``route_factor`` where no length is given)
    times this."""
    extra_hops: int = Field(default=0, ge=0)
    """Hops added to every link."""
    set: dict[str, dict[str, Any]] = Field(default_factory=dict)
    """Link id -> fields to set (``{"route_km": 400}``); ids may use ``{site}``."""
    remove: list[str] = Field(default_factory=list)
    add: list[dict[str, Any]] = Field(default_factory=list)


class SetEdit(_Strict):
    target: str | None = None
    """Item id (``{site}`` allowed); null for the project itself."""
    values: dict[str, Any] = Field(min_length=1)
    """Dotted field path -> value, as the app's field edits take them."""


class AddEdit(_Strict):
    kind: str
    """Item kind: rack, cdu, workload, link, ... (as in the file's lists)."""
    item: dict[str, Any]
    site_id: str | None = None
    """For hall items: the site (``{site}`` allowed); the design's site when left out."""


class Variant(_Strict):
    """A named set of edits: the general form of a scenario axis value."""

    name: str = Field(min_length=1)
    set: list[SetEdit] = Field(default_factory=list)
    add: list[AddEdit] = Field(default_factory=list)
    remove: list[str] = Field(default_factory=list)
    """Item ids removed with everything that goes with them (as the app's delete)."""


class FailureSet(_Strict):
    """Items that fail together, under one name."""

    name: str = Field(min_length=1)
    items: list[str] = Field(min_length=1)


FailureValue = Annotated[str, Field(min_length=1)] | FailureSet


class Grid(_Strict):
    """The axes. Each scenario takes one value of each axis; ``null`` is "as designed"."""

    it_load_growth: list[Annotated[float, Field(gt=0)]] = Field(default_factory=lambda: [1.0], min_length=1)
    """Factors on every rack's IT load (applied after ``rack_density``)."""
    rack_density: list[RackDensity | None] = Field(default_factory=lambda: [None], min_length=1)
    facility_water_temp_c: list[float | None] = Field(default_factory=lambda: [None], min_length=1)
    """Supply temperature of every facility water supply (and of CDUs that override it)."""
    air_supply_temp_c: list[float | None] = Field(default_factory=lambda: [None], min_length=1)
    """Supply set point of every air unit."""
    workload_growth: list[Annotated[float, Field(gt=0)]] = Field(default_factory=lambda: [1.0], min_length=1)
    """Factors on every workload's IT power."""
    new_workloads: list[NewWorkloads | None] = Field(default_factory=lambda: [None], min_length=1)
    links: list[LinkChange | None] = Field(default_factory=lambda: [None], min_length=1)
    failures: list[FailureValue] = Field(default_factory=lambda: ["none"], min_length=1)
    """``"none"``, ``"each"`` (and ``each_power``, ``each_pump``, ``each_air_unit``,
    ``each_water``), an item id, or ``{"name": ..., "items": [...]}`` failing together."""

    @field_validator("failures")
    @classmethod
    def _words(cls, v: list) -> list:
        for x in v:
            if isinstance(x, str) and x.startswith("each") and x not in FAILURE_WORDS:
                raise ValueError(f"'{x}' is not one of {', '.join(FAILURE_WORDS)}")
        return v


class Study(_Strict):
    """A study file."""

    study_version: int
    name: str = "Study"
    description: str = ""
    designs: list[DesignRef] = Field(min_length=1)
    analyses: list[Literal["geometry", "liquid", "air", "power", "placement"]] = Field(
        default_factory=lambda: list(ANALYSES), min_length=1)
    grid: Grid = Field(default_factory=Grid)
    variants: list[Variant] = Field(default_factory=list)
    """Named edit sets, an axis of the grid after "as designed" (crossed with the others)."""
    chunk_size: int = Field(default=25, ge=1, le=10_000)
    """Scenarios of one design run in sequence in one task (sharing the design's structure)."""

    _base_dir: Path | None = PrivateAttr(default=None)
    """Folder the design files are relative to (the study file's); not part of the file."""

    @property
    def base_dir(self) -> Path | None:
        return self._base_dir

    @base_dir.setter
    def base_dir(self, v: Path | None) -> None:
        self._base_dir = v

    def design_path(self, ref: DesignRef) -> Path:
        p = Path(ref.file).expanduser()
        return p if p.is_absolute() else (self._base_dir or Path.cwd()) / p


class StudyError(LoadError):
    """The study file cannot be used; ``problems`` name the JSON path and the fix."""

    def summary(self, limit: int = 20) -> str:
        return super().summary(limit).replace("Cannot open", "Cannot run the study", 1)


_FIX_BY_FIELD = {
    "study_version": f"set study_version to {STUDY_VERSION}",
    "designs": 'list project files: [{"file": "project.json"}]',
    "analyses": f"use some of {', '.join(ANALYSES)}",
}


def _problems(err: ValidationError) -> list[Problem]:
    from designer.io.files import problems_from_validation

    out = []
    for p in problems_from_validation(err):
        top = p.path.split(".")[0].split("[")[0]
        fix = p.fix
        if p.message.startswith("Input should be greater than") or "less than" in p.message:
            fix = "enter a value in the allowed range"
        elif top in _FIX_BY_FIELD and (p.path == top or top == "analyses"):
            fix = _FIX_BY_FIELD[top]
        out.append(Problem(p.path, p.message, fix))
    return out


def study_from_data(data: object, source: str = "<study>", base_dir: Path | None = None) -> Study:
    """Validate parsed JSON as a study (structure and meaning). Raises :class:`StudyError`."""
    if not isinstance(data, dict):
        raise StudyError(source, [Problem("", f"the top level is a {type(data).__name__}, not an object",
                                          "write the study as a JSON object {...}")])
    version = data.get("study_version")
    if version is None:
        raise StudyError(source, [Problem("study_version", "the file has no study_version",
                                          f"add \"study_version\": {STUDY_VERSION}")])
    if isinstance(version, int) and not isinstance(version, bool) and version > STUDY_VERSION:
        raise StudyError(source, [Problem("study_version", f"the study was written for a newer Data Hall "
                                                           f"Designer (study version {version}; this version reads "
                                                           f"up to {STUDY_VERSION})",
                                          "update Data Hall Designer")])
    if version != STUDY_VERSION:
        raise StudyError(source, [Problem("study_version", f"study_version must be {STUDY_VERSION}, is {version!r}",
                                          f"set study_version to {STUDY_VERSION}")])
    try:
        study = Study.model_validate(data)
    except ValidationError as e:
        raise StudyError(source, _problems(e)) from None
    study.base_dir = base_dir
    problems = check_meaning(study)
    if problems:
        raise StudyError(source, problems)
    return study


def check_meaning(study: Study) -> list[Problem]:
    """What pydantic cannot see: files that are missing, sites that are not in them."""
    from designer.io.files import load

    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, ref in enumerate(study.designs):
        path = study.design_path(ref)
        where = f"designs[{i}]"
        if not path.is_file():
            problems.append(Problem(f"{where}.file", f"no project file {path}",
                                    "give the path of a project file, relative to the study file"))
            continue
        try:
            project = load(path)
        except LoadError as e:
            first = e.problems[0].as_text() if e.problems else "unreadable"
            problems.append(Problem(f"{where}.file", f"{path} cannot be opened ({first})",
                                    "repair the project file (designer validate shows every problem)"))
            continue
        ids = [s.id for s in project.sites]
        if ref.split == "project" and ref.sites:
            problems.append(Problem(f"{where}.sites", "sites are chosen only when each site is a design",
                                    'remove "sites" or set "split": "sites"'))
        for j, sid in enumerate(ref.sites or []):
            if sid not in ids:
                problems.append(Problem(f"{where}.sites[{j}]", f"{path.name} has no site '{sid}'",
                                        f"use one of {', '.join(ids) or '(no sites)'}"))
        key = f"{os.path.realpath(path)}|{ref.split}"
        if key in seen:
            problems.append(Problem(f"{where}.file", f"the same file is already listed as designs[{seen[key]}]",
                                    "list each project file once (choose its sites with \"sites\")"))
        seen[key] = i
        if not project.sites:
            problems.append(Problem(f"{where}.file", f"{path.name} has no site", "add a site to the project"))
    names = [v.name for v in study.variants]
    for k, n in enumerate(names):
        if n in names[:k] or n == "as designed":
            problems.append(Problem(f"variants[{k}].name", f"the variant name '{n}' is used twice"
                                    if n != "as designed" else "'as designed' is the name of the unchanged design",
                                    "give each variant its own name"))
    problems += _check_items(study)
    for axis in ("new_workloads", "links"):
        vals = [v.name for v in getattr(study.grid, axis) if v is not None]
        for k, n in enumerate(vals):
            if n in vals[:k]:
                problems.append(Problem(f"grid.{axis}", f"the name '{n}' is used twice", "give each value its own name"))
    return problems


def _item_problems(kind: str, data: dict, where: str) -> list[Problem]:
    """An item the study adds, checked as the project file would check it (``{site}`` taken
    as a site id; a data source may leave out its location to take its site's)."""
    from designer.io.files import problems_from_validation
    from designer.model.registry import BY_KIND

    coll = BY_KIND.get(kind)
    if coll is None:
        return [Problem(f"{where.removesuffix('.item')}.kind", f"'{kind}' is not a kind of item",
                        f"use one of {', '.join(sorted(BY_KIND))}")]
    probe = json.loads(json.dumps(data).replace("{site}", "site"))
    if kind == "data_source" and isinstance(probe, dict) and "location" not in probe and probe.get("site_id"):
        probe["location"] = {"lat": 0.0, "lon": 0.0}
    try:
        coll.type.model_validate(probe)
    except ValidationError as e:
        return [Problem(f"{where}.{p.path}" if p.path else where, p.message, p.fix)
                for p in problems_from_validation(e)]
    return []


def _check_items(study: Study) -> list[Problem]:
    out: list[Problem] = []
    for i, nw in enumerate(study.grid.new_workloads):
        if nw is None:
            continue
        for attr, kind in (("data_sources", "data_source"), ("workloads", "workload"), ("links", "link")):
            for j, d in enumerate(getattr(nw, attr)):
                out += _item_problems(kind, d, f"grid.new_workloads[{i}].{attr}[{j}]")
    for i, lc in enumerate(study.grid.links):
        if lc is not None:
            for j, d in enumerate(lc.add):
                out += _item_problems("link", d, f"grid.links[{i}].add[{j}]")
    for i, v in enumerate(study.variants):
        for j, a in enumerate(v.add):
            out += _item_problems(a.kind, a.item, f"variants[{i}].add[{j}].item")
    return out


MAX_STUDY_BYTES = 16 * 1024 * 1024
"""A study file lists designs and scenarios; anything larger is not one."""


def parse_study_text(text: str, source: str = "<study>", base_dir: Path | None = None) -> Study:
    from designer.io.files import parse_json

    try:
        data = parse_json(text, source)
    except LoadError as e:
        raise StudyError(source, e.problems) from None
    return study_from_data(data, source, base_dir)


def load_study(path: str | os.PathLike) -> Study:
    """Read and check a study file. Raises :class:`StudyError` (never anything else for bad input)."""
    from designer.io.inputs import read_input

    path = Path(path)
    try:  # a regular file only, within a size and a time bound (never waits on a FIFO)
        raw = read_input(path, MAX_STUDY_BYTES)
    except LoadError as e:
        raise StudyError(str(path), e.problems) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise StudyError(str(path), [Problem(f"byte {e.start}", "the file is not UTF-8 text",
                                             "save the study as UTF-8 JSON")]) from None
    return parse_study_text(text, str(path), path.resolve().parent)


def study_schema() -> dict:
    """JSON Schema of the study file."""
    schema = Study.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Data Hall Designer study (study version {STUDY_VERSION})"
    return schema
