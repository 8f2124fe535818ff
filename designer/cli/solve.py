"""``designer solve FILE [--liquid] [--air] [--power] [--placement] [--json]``."""

from __future__ import annotations

import json
import sys


def add_parser(sub) -> None:
    p = sub.add_parser("solve", help="run the solvers and print their results")
    p.add_argument("file")
    for name, help_ in (("geometry", "layout checks"), ("liquid", "liquid-cooling loops"),
                        ("air", "air-side thermal model"), ("power", "power chain and single failures"),
                        ("placement", "workload placement and latency")):
        p.add_argument(f"--{name}", action="store_true", help=help_)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_solve)


def cmd_solve(args) -> int:
    from designer.analysis.base import registered
    from designer.analysis.runner import Runner
    from designer.io.errors import LoadError
    from designer.io.files import load
    from designer.model.findings import Severity

    try:
        project = load(args.file)
    except LoadError as e:
        print(e.summary(), file=sys.stderr)
        return 1
    reg = registered()
    wanted = [n for n in reg if getattr(args, n, False)] or list(reg)
    missing = [n for n in ("geometry", "liquid", "air", "power", "placement")
               if getattr(args, n, False) and n not in reg]
    if missing:
        print(f"not available in this version: {', '.join(missing)}", file=sys.stderr)
        return 2
    runner = Runner(wanted)
    results = runner.run(project, 0)
    failed = False
    if args.json:
        out = {}
        for n, r in results.items():
            out[n] = runner.analyses[n].report_json(r) if r.error is None else {"error": r.error}
            out[n]["elapsed_s"] = r.elapsed_s
        print(json.dumps(out, indent=2))
    else:
        for n, r in results.items():
            if r.error is not None:
                print(f"== {runner.analyses[n].title} ==\nanalysis failed: {r.error}")
            else:
                print(runner.analyses[n].report_text(r))
            print(f"({n}: {r.elapsed_s * 1000:.1f} ms)\n")
    for r in results.values():
        failed |= r.error is not None
        failed |= any(f.severity is Severity.ERROR for f in r.findings)
    return 1 if failed else 0
