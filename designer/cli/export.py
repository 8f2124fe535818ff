"""``designer export FILE --pdf OUT.pdf --json OUT.json --bom OUT.csv --dxf OUT.dxf --svg OUT.svg
--png OUT.png --epanet DIR --pandapower DIR [--site ID]``: the design as documents, with no
display needed.

Every output path is checked before any work starts (a missing or read-only folder, a pipe,
a link loop or the input file itself is a clear error, exit 2); a project with validation
errors is not exported (they are listed, exit 1); every file is written atomically and
checked complete, so a full disk, a failure or an interrupt never leaves a half-written file. PDF, SVG and PNG are drawn with Qt: without a display, Qt's
offscreen platform is used.
"""

from __future__ import annotations

import sys
import time

FORMATS = (
    ("pdf", "design report (PDF)"),
    ("json", "design and all results (JSON, with --json-schema for its schema)"),
    ("bom", "bill of materials (CSV)"),
    ("dxf", "drawing of each hall (DXF, metres)"),
    ("svg", "plan view of one site (SVG)"),
    ("png", "plan view of one site (PNG)"),
)
QT_FORMATS = ("pdf", "svg", "png")
FOLDER_FORMATS = (
    ("epanet", "each liquid loop as an EPANET input file (SITE-loopN.inp) in this folder"),
    ("pandapower", "each site's power chain as a pandapower network (SITE.json) in this folder; "
                   "needs the optional pandapower extra"),
)


def add_parser(sub) -> None:
    p = sub.add_parser("export", help="write the report, JSON, bill of materials, DXF, SVG / PNG plans",
                       description="Export the design. At least one output is needed. Works without a display.")
    p.add_argument("file", nargs="?", help="project file")
    for name, help_ in FORMATS:
        p.add_argument(f"--{name}", metavar="OUT", help=help_)
    for name, help_ in FOLDER_FORMATS:
        p.add_argument(f"--{name}", metavar="DIR", help=help_)
    p.add_argument("--site", help="only this site (report, BOM, DXF); the site of the SVG / PNG plan "
                                  "(default: the first site)")
    p.add_argument("--scale", type=int, metavar="N", help="SVG / PNG drawn at 1:N at 96 dpi (default: the largest of "
                                                          "1:50, 1:100, 1:200, ... that keeps the image under 4,000 px)")
    p.add_argument("--all-rows", action="store_true", help="list every rack and pipe in the report's tables")
    p.add_argument("--date", help="report date (default: today)")
    p.add_argument("--json-schema", metavar="OUT", help="write the JSON Schema of the JSON export")
    p.set_defaults(func=cmd_export)


def _err(msg: str) -> None:
    print(f"designer export: {msg}", file=sys.stderr)


def cmd_export(args) -> int:
    from designer.io.outputs import OutputError, check_output_folder, check_output_path

    wanted = {name: getattr(args, name) for name, _ in FORMATS if getattr(args, name)}
    folders = {name: getattr(args, name) for name, _ in FOLDER_FORMATS if getattr(args, name, None)}
    if not wanted and not folders and not args.json_schema:
        _err("nothing to export: give at least one of "
             + ", ".join(f"--{n}" for n, _ in (*FORMATS, *FOLDER_FORMATS)))
        return 2
    for name, folder in folders.items():
        try:
            check_output_folder(folder)
        except OutputError as e:
            _err(f"--{name}: {e}")
            return 2
    paths = {**wanted, **({"json-schema": args.json_schema} if args.json_schema else {})}
    seen: dict[str, str] = {}
    for name, out in paths.items():
        try:
            real = str(check_output_path(out, inputs=[args.file] if args.file else ()))
        except OutputError as e:
            _err(str(e))
            return 2
        if real in seen:
            _err(f"--{name} and --{seen[real]} both write {out}; give each output its own file")
            return 2
        seen[real] = name
    if args.json_schema:
        from designer.io.export_json import write_export_schema

        write_export_schema(args.json_schema)
        print(f"wrote {args.json_schema} (JSON Schema of the export)")
    if not wanted and not folders:
        return 0
    if not args.file:
        _err("give the project FILE to export")
        return 2
    from designer.cli.common import load_valid

    project = load_valid(args.file, "export")
    if project is None:
        return 1
    ids = [s.id for s in project.sites]
    if args.site is not None and args.site not in ids:
        _err(f"no site {args.site!r} in {args.file}; its sites are: {', '.join(ids) or 'none'}")
        return 2
    if args.scale is not None and args.scale <= 0:
        _err("--scale must be a positive whole number (1:N)")
        return 2
    try:
        if folders and _export_folders(project, args, folders) != 0:
            return 1
        return _export(project, args, wanted) if wanted else 0
    except OutputError as e:
        _err(str(e))
        return 1
    except OSError as e:
        _err(f"writing failed: {e.strerror or e}; no partial file was left behind")
        return 1


def _export(project, args, wanted: dict[str, str]) -> int:
    from designer.io.bom import bill_of_materials
    from designer.io.catalog_store import load_catalog

    sites = [args.site] if args.site else None
    catalog, _errors = load_catalog(project)
    results: dict = {}
    if {"pdf", "json"} & set(wanted) or ({"svg", "png"} & set(wanted)):
        from designer.analysis.runner import Runner

        t = time.perf_counter()
        runner = Runner()
        if sites and "json" not in wanted and "air" in runner.analyses:
            # one site's report, plan and BOM need that site's air only (the 3D model takes
            # seconds to a minute a hall); the JSON export carries every site
            runner.analyses["air"].site_ids = set(sites)
        from designer.cli.common import SolveProgress

        progress = SolveProgress()
        results = runner.run(project, 0, progress=progress)
        progress.end()
        failed = [n for n, r in results.items() if r.error]
        print(f"analysed in {time.perf_counter() - t:.2f} s" + (f" (failed: {', '.join(failed)})" if failed else ""))
    bom = bill_of_materials(project, catalog, sites)
    if "json" in wanted:
        from designer.io.bom import bill_of_materials as full_bom
        from designer.io.export_json import write_export_json

        t = time.perf_counter()
        write_export_json(wanted["json"], project, results, catalog, full_bom(project, catalog) if sites else bom)
        print(f"wrote {wanted['json']} (JSON, {time.perf_counter() - t:.2f} s)")
    if "bom" in wanted:
        from designer.io.bom import write_bom_csv

        write_bom_csv(bom, wanted["bom"])
        print(f"wrote {wanted['bom']} (bill of materials, {len(bom.rows)} rows)")
    if "dxf" in wanted:
        from designer.io.dxf import write_dxf

        t = time.perf_counter()
        write_dxf(project, wanted["dxf"], sites)
        print(f"wrote {wanted['dxf']} (DXF, {len(sites or project.sites)} halls, {time.perf_counter() - t:.2f} s)")
    if set(QT_FORMATS) & set(wanted):
        from designer.app.report.qtapp import ensure_app

        ensure_app()
    if "pdf" in wanted:
        from designer.app.report.pdf import write_pdf
        from designer.io.report import ReportOptions, build_report

        t = time.perf_counter()
        opts = ReportOptions(max_rows=None if args.all_rows else 60, date=args.date, site_ids=sites)
        report = build_report(project, results, catalog, opts, bom)
        info = write_pdf(report, project, wanted["pdf"], results)
        print(f"wrote {wanted['pdf']} (PDF, {info.pages} pages, {time.perf_counter() - t:.2f} s)")
    for fmt in ("svg", "png"):
        if fmt in wanted:
            from designer.app.report import images

            site = args.site or (project.sites[0].id if project.sites else None)
            if site is None:
                _err(f"--{fmt}: the project has no site to draw")
                return 1
            write = images.write_plan_svg if fmt == "svg" else images.write_plan_png
            scale = write(project, wanted[fmt], site, results, args.scale, args.date)
            print(f"wrote {wanted[fmt]} (plan of {site} at 1:{scale})")
    return 0


def _export_folders(project, args, folders: dict[str, str]) -> int:
    """EPANET and pandapower files, one per loop / site, each written atomically."""
    from pathlib import Path

    from designer.io.outputs import write_text_atomic

    sites = [args.site] if args.site else None
    if "epanet" in folders:
        from designer.io.interop.epanet import epanet_files

        files = epanet_files(project, sites)
        for f in files:
            write_text_atomic(Path(folders["epanet"]) / f.file_name, f.text)
        print(f"wrote {len(files)} EPANET input file(s) to {folders['epanet']}"
              + ("" if files else " (no liquid loops)"))
    if "pandapower" in folders:
        from designer.io.interop.pandapower import PandapowerMissing, pandapower_networks

        try:
            nets = pandapower_networks(project, sites)
        except PandapowerMissing as e:
            _err(str(e))
            return 1
        for n in nets:
            write_text_atomic(Path(folders["pandapower"]) / n.file_name, n.text)
        print(f"wrote {len(nets)} pandapower network(s) to {folders['pandapower']}"
              + ("" if nets else " (no power chains)"))
    return 0
