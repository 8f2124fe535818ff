"""Catalog files: the shipped catalog and the user's catalog folder."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from designer.io.errors import LoadError, Problem
from designer.io.files import parse_json, problems_from_validation, writable
from designer.io.inputs import read_input_text
from designer.model.catalog import TEMPLATE_FORMAT, Catalog, CatalogData, ModuleType
from designer.model.project import Project
from designer.model.template import template_problems

APP_NAME = "data-hall-designer"
MAX_CATALOG_BYTES = 64 * 1024 * 1024
"""Catalog and template files larger than this are refused before reading."""


def resource_path(name: str) -> Path:
    """A file shipped with the package.

    Installed, the files are the package ``designer.resources`` (the repository's
    top-level ``resources/`` folder mapped into the wheel). Run from a source checkout
    without installing, that package does not exist, so the folder is used directly.
    """
    try:
        return Path(str(resources.files("designer.resources").joinpath(name)))
    except ModuleNotFoundError:
        return Path(__file__).resolve().parents[2] / "resources" / name


def sample_project_path() -> Path:
    return resource_path("sample_project.json")


def user_data_dir() -> Path:
    """Per-user data folder; ``DESIGNER_USER_DIR`` overrides it (tests, portable use)."""
    env = os.environ.get("DESIGNER_USER_DIR")
    if env:
        return Path(env)
    from platformdirs import user_data_dir as _udd

    return Path(_udd(APP_NAME, appauthor=False))


def user_catalog_dir() -> Path:
    return user_data_dir() / "catalog"


def read_catalog_file(path: Path) -> CatalogData:
    """Parse one catalog file. Raises :class:`LoadError` for bad content or an unreadable file."""
    return _catalog_from_text(read_input_text(path, MAX_CATALOG_BYTES, "catalog file"), path)


def _catalog_from_text(text: str, path: Path) -> CatalogData:
    data = parse_json(text, str(path))
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in ("$comment", "catalog_version")}
    try:
        cat = CatalogData.model_validate(data)
    except ValidationError as e:
        raise LoadError(str(path), problems_from_validation(e)) from None
    problems = [Problem(*pr) for i, m in enumerate(cat.modules)
                for pr in template_problems(m, f"modules[{i}]")]
    if problems:
        raise LoadError(str(path), problems)
    return cat


_shipped: CatalogData | None = None


def shipped_catalog() -> CatalogData:
    global _shipped
    if _shipped is None:
        _shipped = read_catalog_file(resource_path("catalog.json"))
    return _shipped


# -- module template files ------------------------------------------------------------------------
def template_from_data(data: object, source: str) -> ModuleType:
    """A module template from a parsed template file. Raises :class:`LoadError` naming the
    field and the fix for anything that placing it would trip over."""
    if not isinstance(data, dict) or "template_format" not in data:
        raise LoadError(source, [Problem("template_format", "this is not a module template file",
                                         "save a module template with Save selection as module...")])
    version = data.get("template_format")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise LoadError(source, [Problem("template_format", f"template_format must be a whole number from 1, "
                                                            f"is {version!r}", "repair the file's template_format")])
    if version > TEMPLATE_FORMAT:
        raise LoadError(source, [Problem(
            "template_format", f"the template was written by a newer Data Hall Designer (template format "
                               f"{version}; this version reads up to {TEMPLATE_FORMAT})",
            "update Data Hall Designer to use it; the file was left unchanged")])
    extra = sorted(set(data) - {"template_format", "module", "$comment"})
    if extra:
        raise LoadError(source, [Problem(k, "unknown field in a template file", "remove it") for k in extra])
    if "module" not in data:
        raise LoadError(source, [Problem("module", "the template has no module", "add the module object")])
    try:
        entry = ModuleType.model_validate(data["module"])
    except ValidationError as e:
        raise LoadError(source, [Problem(f"module.{pr.path}" if pr.path else "module", pr.message, pr.fix)
                                 for pr in problems_from_validation(e)]) from None
    problems = template_problems(entry, "module")
    if problems:
        raise LoadError(source, [Problem(*pr) for pr in problems])
    return entry


def read_template_file(path: Path) -> ModuleType:
    text = read_input_text(path, MAX_CATALOG_BYTES, "template")
    return template_from_data(parse_json(text, str(path)), str(path))


def template_text(entry: ModuleType) -> str:
    return json.dumps({"template_format": TEMPLATE_FORMAT, "module": entry.model_dump(mode="json")},
                      indent=2, ensure_ascii=False) + "\n"


def template_file_name(model: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in model) + ".json"


def write_template_file(entry: ModuleType, folder: Path | None = None, overwrite: bool = False) -> Path:
    """Write the template to the user catalog folder (or ``folder``), atomically.

    Refuses a template that would not load back (its problems, as :class:`LoadError`) and,
    unless ``overwrite``, a file that exists (FileExistsError)."""
    from designer.io.outputs import write_bytes_atomic

    problems = template_problems(entry, "module")
    if problems:
        raise LoadError(entry.model, [Problem(*pr) for pr in problems])
    folder = Path(folder) if folder is not None else user_catalog_dir()
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / template_file_name(entry.model)
    if target.exists() and not overwrite:
        raise FileExistsError(str(target))
    write_bytes_atomic(target, writable(template_text(entry)).encode("utf-8"))
    return target


def _read_user_file(f: Path) -> CatalogData:
    """A user catalog file, or a module template file (``template_format``)."""
    text = read_input_text(f, MAX_CATALOG_BYTES, "catalog file")
    if '"template_format"' in text[:4096]:
        return CatalogData(modules=[template_from_data(parse_json(text, str(f)), str(f))])
    return _catalog_from_text(text, f)


def user_catalog_layers() -> tuple[list[CatalogData], list[LoadError]]:
    """Every ``*.json`` in the user catalog folder (catalog files and module templates), in
    name order; bad files are reported and add nothing."""
    layers, errors = [], []
    folder = user_catalog_dir()
    if folder.is_dir():
        for f in sorted(folder.glob("*.json")):
            try:
                layers.append(_read_user_file(f))
            except (LoadError, OSError) as e:
                errors.append(e if isinstance(e, LoadError) else
                              LoadError(str(f), [Problem("", str(e), "check the file")]))
    return layers, errors


def load_catalog(project: Project | None = None) -> tuple[Catalog, list[LoadError]]:
    """Shipped catalog, then user files, then the project's own entries."""
    layers, errors = user_catalog_layers()
    all_layers = [shipped_catalog(), *layers]
    if project is not None:
        all_layers.append(project.catalog)
    return Catalog(*all_layers), errors


def dump_catalog(data: CatalogData) -> str:
    return json.dumps(data.model_dump(mode="json"), indent=2) + "\n"
