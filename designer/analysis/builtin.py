"""Imports the built-in analyses so they register themselves."""

import importlib

for _mod in ("geometry", "liquid", "air", "power", "placement"):
    try:
        importlib.import_module(f"designer.analysis.{_mod}")
    except ModuleNotFoundError as e:  # an analysis not written yet
        if e.name != f"designer.analysis.{_mod}":
            raise
