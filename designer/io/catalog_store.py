"""Catalog files: the shipped catalog and the user's catalog folder."""

from __future__ import annotations

import json
import os
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from designer.io.errors import LoadError, Problem
from designer.io.files import parse_json, problems_from_validation
from designer.model.catalog import Catalog, CatalogData
from designer.model.project import Project

APP_NAME = "data-hall-designer"


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
    """Parse one catalog file. Raises :class:`LoadError` for bad content, OSError if unreadable."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(str(path), [Problem(f"byte {e.start}", "the file is not UTF-8 text",
                                            "save the catalog file as UTF-8")]) from None
    data = parse_json(text, str(path))
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if k not in ("$comment", "catalog_version")}
    try:
        return CatalogData.model_validate(data)
    except ValidationError as e:
        raise LoadError(str(path), problems_from_validation(e)) from None


_shipped: CatalogData | None = None


def shipped_catalog() -> CatalogData:
    global _shipped
    if _shipped is None:
        _shipped = read_catalog_file(resource_path("catalog.json"))
    return _shipped


def user_catalog_layers() -> tuple[list[CatalogData], list[LoadError]]:
    """Every ``*.json`` in the user catalog folder, in name order; bad files are reported."""
    layers, errors = [], []
    folder = user_catalog_dir()
    if folder.is_dir():
        for f in sorted(folder.glob("*.json")):
            try:
                layers.append(read_catalog_file(f))
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
