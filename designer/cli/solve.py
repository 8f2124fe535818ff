"""``designer solve FILE [--liquid] [--air] [--power] [--placement] [--json]``."""

from __future__ import annotations

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
    from designer.cli.common import SolveProgress, load_or_report, print_json
    from designer.model.findings import Severity

    project = load_or_report(args.file)
    if project is None:
        return 1
    reg = registered()
    wanted = [n for n in reg if getattr(args, n, False)] or list(reg)
    missing = [n for n in ("geometry", "liquid", "air", "power", "placement")
               if getattr(args, n, False) and n not in reg]
    if missing:
        print(f"not available in this version: {', '.join(missing)}", file=sys.stderr)
        return 2
    runner = Runner(wanted)
    progress = SolveProgress()
    results = runner.run(project, 0, progress=progress)  # an analysis the validation errors stop says so
    progress.end()
    failed = False
    if args.json:
        out = {}
        for n, r in results.items():
            out[n] = _json(runner.analyses[n], r)
            out[n]["elapsed_s"] = r.elapsed_s
        print_json(out)
    else:
        for n, r in results.items():
            print(_text(runner.analyses[n], r))
            print(f"({n}: {r.elapsed_s * 1000:.1f} ms)\n")
    not_run = [runner.analyses[n].title for n, r in results.items() if r.summary.get("not_run")]
    if not_run:
        print(f"designer solve: not analysed because of validation errors: {', '.join(not_run)} "
              f"(designer validate {args.file} lists them)", file=sys.stderr)
    for r in results.values():
        failed |= r.error is not None or bool(r.summary.get("not_run"))
        failed |= any(f.severity is Severity.ERROR for f in r.findings)
    return 1 if failed else 0


def _json(analysis, r) -> dict:
    if r.error is not None:
        return {"status": "failed", "error": r.error}
    if r.summary.get("not_run"):
        return {"status": "not_run", "summary": r.summary, "findings": [f.to_json() for f in r.findings]}
    try:
        return {"status": "ok", **analysis.report_json(r)}
    except Exception as e:  # a report bug must not hide the other analyses' answers
        return {"status": "failed", "error": f"the report could not be written: {type(e).__name__}: {e}"}


def _text(analysis, r) -> str:
    if r.error is not None:
        return f"== {analysis.title} ==\nanalysis failed: {r.error}"
    if r.summary.get("not_run"):
        return f"== {analysis.title} ==\n" + "\n".join(f.as_text() for f in r.findings)
    try:
        return analysis.report_text(r)
    except Exception as e:  # noqa: BLE001
        return f"== {analysis.title} ==\nthe report could not be written: {type(e).__name__}: {e}"
