"""Run every writer of the program into one folder where writing fails, and report.

``python tests/writers_on_full_disk.py FOLDER --prepare`` fills ``FOLDER`` with an "old" file
for every output; ``python tests/writers_on_full_disk.py FOLDER`` then asks every writer (save, recovery copy, JSON export and its schema, BOM, DXF,
PDF, SVG, PNG plan, module template, app screenshot, study table as CSV and Parquet) to replace it. Run it on a full file
system (a small tmpfs) or with a file size limit (``RLIMIT_FSIZE``): every writer must fail
with an error, keep the old file and leave no temporary file. Prints one JSON object:
``{"writers": {name: {"error": str | None, "old_kept": bool}}, "left": [file names]}``.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

OLD = b"old\n"


def writers(project, folder: Path) -> dict:
    """Name -> (file name, function that writes it)."""
    from designer.io.catalog_store import (
        load_catalog,
        shipped_catalog,
        template_file_name,
        write_template_file,
    )
    from designer.io.recovery import RecoveryWriter

    entry = shipped_catalog().modules[0]
    rec = RecoveryWriter(folder)
    rec.path = folder / "recovery.json"  # the same name in the preparing and the writing run

    def pdf(path):
        from designer.app.report.pdf import write_pdf
        from designer.io.report import ReportOptions, build_report

        catalog, _ = load_catalog(project)
        write_pdf(build_report(project, {}, catalog, ReportOptions(max_rows=20)), project, path, {})

    def svg(path):
        from designer.app.report.images import write_plan_svg

        write_plan_svg(project, path)

    def png(path):
        from designer.app.report.images import write_plan_png

        write_plan_png(project, path)

    def screenshot(path):
        from PySide6.QtWidgets import QLabel

        from designer.app.report.images import save_png

        w = QLabel("x" * 200)
        w.resize(800, 600)
        save_png(w.grab(), path)

    def json_export(path):
        from designer.io.export_json import write_export_json

        write_export_json(path, project, {})

    def schema(path):
        from designer.io.export_json import write_export_schema

        write_export_schema(path)

    def bom(path):
        from designer.io.bom import bill_of_materials, write_bom_csv

        write_bom_csv(bill_of_materials(project), path)

    def dxf(path):
        from designer.io.dxf import write_dxf

        write_dxf(project, path)

    def save(path):
        from designer.io.files import save as save_

        save_(project, path)

    study_rows = [{"design": f"design {k}", "scenario": "base", "status": "ok", "it_kw": 100.0 + k, "racks": k}
                  for k in range(2000)]

    def study_csv(path):
        from designer.study.table import write_csv

        write_csv(study_rows, path)

    def study_parquet(path):
        from designer.study.table import write_parquet

        write_parquet(study_rows, path)

    return {
        "save": ("p.dhd.json", save),
        "recovery": (rec.path.name, lambda _p: rec.write(project, None)),
        "json": ("e.json", json_export),
        "json-schema": ("s.json", schema),
        "bom": ("b.csv", bom),
        "dxf": ("d.dxf", dxf),
        "pdf": ("r.pdf", pdf),
        "svg": ("p.svg", svg),
        "png": ("p.png", png),
        "template": (template_file_name(entry.model),
                     lambda _p: write_template_file(entry, folder, overwrite=True)),
        "screenshot": ("shot.png", screenshot),
        "study-csv": ("results.csv", study_csv),
        "study-parquet": ("results.parquet", study_parquet),
    }


def main(folder: str, prepare: bool = False) -> dict:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from designer.app.report.qtapp import ensure_app

    ensure_app()
    from designer.io.sample import build_sample_project

    project = build_sample_project()
    folder_p = Path(folder)
    table = writers(project, folder_p)
    if prepare:
        for fname, _w in table.values():
            (folder_p / fname).write_bytes(OLD)
        return {}
    names_before = {fname for fname, _w in table.values()}
    out = {}
    for name, (fname, write) in table.items():
        path = folder_p / fname
        try:
            write(path)
            err = None
        except Exception as e:  # noqa: BLE001 - what is reported is the point
            err = f"{type(e).__name__}: {e}"
        out[name] = {"error": err, "old_kept": path.exists() and path.read_bytes() == OLD}
    left = sorted(n for n in os.listdir(folder_p) if n not in names_before and n != "fill")
    return {"writers": out, "left": left}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(main(sys.argv[1], "--prepare" in sys.argv)) + "\n")
