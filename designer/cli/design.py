"""``designer design FILE --site ID -o OUT``: a first design of a site from its workloads."""

from __future__ import annotations

import os
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("design", help="design a site from its workloads: modules, services, connections, checks")
    p.add_argument("file")
    p.add_argument("--site", required=True, help="id of the site to design")
    p.add_argument("-o", "--output", required=True, help="project file to write (never the input)")
    p.set_defaults(func=cmd_design)


def cmd_design(args) -> int:
    from designer.analysis.design import design_site
    from designer.document.document import Document
    from designer.io.catalog_store import load_catalog
    from designer.io.errors import LoadError
    from designer.io.files import load, save
    from designer.model.findings import Severity

    try:
        same = os.path.exists(args.output) and os.path.samefile(args.file, args.output)
    except OSError:
        same = False
    if same or os.path.abspath(args.output) == os.path.abspath(args.file):
        print("the output must be a new file, not the input", file=sys.stderr)
        return 2
    try:
        project = load(args.file)
    except LoadError as e:
        print(e.summary(), file=sys.stderr)
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
    save(doc.project, args.output)
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
