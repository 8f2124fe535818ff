"""``designer design FILE --site ID -o OUT``: a first design of a site from its workloads."""

from __future__ import annotations

import sys


def add_parser(sub) -> None:
    p = sub.add_parser("design", help="design a site from its workloads: modules, services, connections, checks")
    p.add_argument("file")
    p.add_argument("--site", required=True, help="id of the site to design")
    p.add_argument("-o", "--output", required=True, help="project file to write (never the input)")
    p.set_defaults(func=cmd_design)


def cmd_design(args) -> int:
    from designer.analysis.design import design_site
    from designer.cli.common import load_valid
    from designer.document.document import Document
    from designer.io.catalog_store import load_catalog
    from designer.io.files import save
    from designer.io.outputs import OutputError, check_output_path
    from designer.model.findings import Severity

    try:  # before any work: never the input, a folder, a pipe or a loop of links
        check_output_path(args.output, [args.file])
    except OutputError as e:
        print(f"designer design: {e}", file=sys.stderr)
        return 2
    project = load_valid(args.file, "design")
    if project is None:
        return 1
    if not any(s.id == args.site for s in project.sites):
        print(f"no site '{args.site}' in {args.file} (sites: {', '.join(s.id for s in project.sites)})",
              file=sys.stderr)
        return 2
    catalog, problems = load_catalog(project)
    for e in problems:
        print(e.summary(), file=sys.stderr)
    res = design_site(project, args.site, catalog)
    doc = Document(project)
    doc.apply(res.edit)
    try:
        save(doc.project, args.output)
    except (OutputError, OSError) as e:
        print(f"designer design: writing {args.output} failed: {e}; nothing was written", file=sys.stderr)
        return 1
    print(f"Design of {args.site}:")
    for line in res.account:
        print(f"  - {line}")
    shown = [f for f in res.findings if f.severity is not Severity.INFO]
    if shown:
        print("Findings:")
        for f in shown:
            print(f"  {f.as_text()}")
    n_err = len(res.errors)
    print(f"{args.output}: written; {n_err} errors, "
          f"{sum(f.severity is Severity.WARNING for f in res.findings)} warnings")
    return 1 if n_err else 0
