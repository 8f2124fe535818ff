"""Command line: ``designer [FILE]`` opens the app; sub-commands work without a display.

Heavy imports (scipy, Qt) stay inside the commands that need them, so ``designer info``
starts fast.
"""

from __future__ import annotations

import argparse
import sys

COMMANDS = ("validate", "schema", "info", "solve", "export", "design", "recommend", "balance", "what-if",
            "import-dxf", "study", "generate", "gui")


def _load_or_report(path: str):
    from designer.cli.common import load_or_report

    return load_or_report(path)


def cmd_validate(args) -> int:
    from designer.model.findings import Severity
    from designer.model.validate import validate

    project = _load_or_report(args.file)
    if project is None:
        return 1
    findings = validate(project)
    if args.json:
        from designer.cli.common import print_json

        print_json([f.to_json() for f in findings])
    else:
        for f in findings:
            print(f.as_text())
        n_err = sum(f.severity is Severity.ERROR for f in findings)
        n_warn = sum(f.severity is Severity.WARNING for f in findings)
        print(f"{args.file}: {n_err} errors, {n_warn} warnings")
    return 1 if any(f.severity is Severity.ERROR for f in findings) else 0


def cmd_schema(args) -> int:
    from designer.cli.common import print_json
    from designer.io.files import json_schema

    print_json(json_schema())
    return 0


def cmd_info(args) -> int:
    project = _load_or_report(args.file)
    if project is None:
        return 1
    rows = []
    for s in project.sites:
        hall = s.hall
        rows.append({
            "site": s.id, "name": s.name, "kind": s.kind,
            "modules": len(hall.modules), "racks": len(hall.racks),
            "it_kw": round(sum(r.it_load_kw for r in hall.racks), 3),
            "cdus": len(hall.cdus), "air_units": len(hall.air_units),
        })
    if args.json:
        from designer.cli.common import print_json

        print_json({"name": project.name, "schema_version": project.schema_version,
                    "sites": rows, "workloads": len(project.workloads)})
        return 0
    print(f"{project.name} (revision {project.revision}, file format {project.schema_version})")
    print(f"{'site':<12} {'kind':<12} {'modules':>7} {'racks':>6} {'IT kW':>9}  name")
    for r in rows:
        print(f"{r['site']:<12} {r['kind']:<12} {r['modules']:>7} {r['racks']:>6} {r['it_kw']:>9.1f}  {r['name']}")
    tot = sum(r["it_kw"] for r in rows)
    print(f"{'total':<12} {'':<12} {sum(r['modules'] for r in rows):>7} "
          f"{sum(r['racks'] for r in rows):>6} {tot:>9.1f}")
    print(f"workloads: {len(project.workloads)}, data sources: {len(project.data_sources)}, "
          f"links: {len(project.links)}")
    return 0


def cmd_gui(args) -> int:
    from designer.app.main import run

    return run(args.file, screenshot=args.screenshot, site=args.site)


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="designer",
        description="Data Hall Designer. With no command, opens FILE (or the bundled sample) in the app.",
    )
    ap.add_argument("--version", action="store_true", help="print the version and exit")
    sub = ap.add_subparsers(dest="command")
    p = sub.add_parser("gui", help="open the app (default)")
    p.add_argument("file", nargs="?", help="project file; the bundled sample when omitted")
    p.add_argument("--screenshot", metavar="PNG", help="render the window once analyses finish, save it, exit "
                   "(status 4, with each on stderr, if an analysis failed)")
    p.add_argument("--site", help="site id to show first")
    p.set_defaults(func=cmd_gui)
    p = sub.add_parser("validate", help="list findings; exit 1 on any error")
    p.add_argument("file")
    p.add_argument("--json", action="store_true", help="findings as JSON")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("schema", help="print the JSON Schema of the project file")
    p.set_defaults(func=cmd_schema)
    p = sub.add_parser("info", help="sites, modules, racks and IT load")
    p.add_argument("file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_info)
    _add_solve(sub)
    _add_export(sub)
    from designer.cli.design import add_parser as _add_design

    _add_design(sub)
    from designer.cli.tools import add_import_parser
    from designer.cli.tools import add_parsers as _add_tools

    _add_tools(sub)
    add_import_parser(sub)
    from designer.cli.generate import add_parser as _add_generate
    from designer.cli.study import add_parser as _add_study

    _add_study(sub)
    _add_generate(sub)
    return ap


def _add_solve(sub) -> None:
    from designer.cli.solve import add_parser

    add_parser(sub)


def _add_export(sub) -> None:
    try:
        from designer.cli.export import add_parser
    except ModuleNotFoundError as e:  # export is its own piece of work
        if e.name != "designer.cli.export":
            raise
        return
    add_parser(sub)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help", "--version")):
        argv = ["gui", *argv]
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.version:
        from designer import __version__

        print(__version__)
        return 0
    if not getattr(args, "func", None):
        ap.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
