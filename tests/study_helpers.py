"""Shared pieces of the study tests: a small study on the sample, the table without timings."""

from __future__ import annotations

import json
from pathlib import Path

from designer.io.catalog_store import sample_project_path
from designer.study.headline import TIMING

SMALL_GRID = {"it_load_growth": [1.0, 1.4], "failures": ["none", "each_pump", "{site}.ups1"]}
"""Every site of the sample at two load steps, as designed, with one CDU pump down and with its
first UPS failed: 32 scenarios, a few seconds in one process."""

NO_AIR = ["geometry", "liquid", "power", "placement"]
"""The analyses of the study tests' scenarios unless a test asks for air: the 3D air model
takes 2-20 s of CPU per site and scenario on the sample (the 32 scenarios above: minutes),
while what these tests check (the grid, rows, reuse, resume, workers) is the same for every
analysis. Air in a study has its own test on one site (``test_study.py``)."""


def write_study(folder: Path, grid: dict | None = None, **extra) -> Path:
    study = {"study_version": 1, "name": "Sample, small grid",
             "designs": [{"file": str(sample_project_path())}], "grid": grid or SMALL_GRID, "analyses": NO_AIR,
             **extra}
    path = folder / "study.json"
    path.write_text(json.dumps(study, indent=2), encoding="utf-8")
    return path


def results(rows: list[dict]) -> list[dict]:
    """The rows without the columns that measure the run (times)."""
    return [{k: v for k, v in r.items() if k not in TIMING} for r in rows]
