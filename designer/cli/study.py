"""``designer study STUDY.json -o RESULTS [--workers N | --scheduler tcp://HOST:8786]``.

Runs every design x scenario of the study and writes into the folder RESULTS:
``results.parquet`` and ``results.csv`` (one row per design x scenario) and ``summary.pdf``
(tables and plots), each atomically, plus ``journal.jsonl``, the finished scenarios a rerun
reuses. A bad study file is reported with the field and the fix, and nothing is written.
Ctrl+C stops cleanly: what finished is kept, and the same command resumes.
"""

from __future__ import annotations

import errno
import json
import os
import sys
import time
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("study", help="run a scenario study over designs (local Dask cluster or a scheduler)",
                       description="Run every design x scenario of a study file; write the table (Parquet, CSV) "
                                   "and a summary report (PDF) into RESULTS. Interrupted studies resume.")
    p.add_argument("study", nargs="?", help="study file (JSON; see --schema)")
    p.add_argument("-o", "--output", metavar="RESULTS", help="results folder (made if missing)")
    p.add_argument("--workers", type=int, metavar="N",
                   help="processes of the local Dask cluster (default: one per CPU); 0 runs in this process")
    p.add_argument("--scheduler", metavar="ADDRESS", help="use the Dask cluster at this address (tcp://HOST:8786)")
    p.add_argument("--no-pdf", action="store_true", help="write the table only, no summary.pdf")
    p.add_argument("--date", help="date printed on the summary (default: today)")
    p.add_argument("--schema", action="store_true", help="print the JSON Schema of the study file and exit")
    p.set_defaults(func=cmd_study)


def _err(msg: str) -> None:
    print(f"designer study: {msg}", file=sys.stderr)


class TextProgress:
    """A one-line progress bar with rate and time left (plain lines when not a terminal)."""

    def __init__(self, stream=None, width: int = 28) -> None:
        from designer.cli.common import StatusLine

        self.line = StatusLine(stream)
        self.tty = self.line.tty
        self.width = width
        self._last = -1.0

    def __call__(self, info) -> None:
        if info.todo == 0:
            return
        frac = info.done / info.todo
        now = time.monotonic()
        if not self.tty and info.done < info.todo and now - self._last < 5.0:
            return  # a log gets a line every few seconds, not every task
        self._last = now
        bar = "#" * round(frac * self.width) + "-" * (self.width - round(frac * self.width))
        eta = info.eta_s
        left = f", about {_hms(eta)} left" if eta is not None and info.done < info.todo else ""
        before = f" ({info.skipped} already done)" if info.skipped else ""
        line = (f"[{bar}] {info.done}/{info.todo} scenarios{before}, {info.rate:.1f}/s, "
                f"{_hms(info.elapsed_s)}{left}")
        self.line.show(line)

    def end(self) -> None:
        self.line.end()


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


def _results_folder(out: str) -> Path | str:
    """The folder, checked (not made) before anything runs; a message when it cannot be used."""
    p = Path(out).expanduser()
    p = p if p.is_absolute() else Path.cwd() / p
    try:
        p = p.resolve()
    except RuntimeError:  # Python 3.11 reports a loop of links this way
        return f"{out}: the path is a loop of symbolic links"
    except OSError as e:
        return f"{out}: {'the path is a loop of symbolic links' if e.errno == errno.ELOOP else e.strerror or e}"
    if p.exists() and not p.is_dir():
        return f"{out}: is a file; give a folder for the results"
    parent = p if p.exists() else p.parent
    if not parent.is_dir():
        return f"{out}: the folder {parent} does not exist; create it or choose another"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"{out}: {parent} is not writable; choose another folder"
    return p


def cmd_study(args) -> int:
    from designer.study.spec import StudyError, load_study, study_schema

    if args.schema:
        print(json.dumps(study_schema(), indent=2))
        return 0
    if not args.study or not args.output:
        _err("give the STUDY file and -o RESULTS (or --schema)")
        return 2
    if args.workers is not None and args.workers < 0:
        _err("--workers must be 0 (this process) or more")
        return 2
    try:
        study = load_study(args.study)
    except StudyError as e:
        print(e.summary(), file=sys.stderr)
        return 2
    folder = _results_folder(args.output)
    if isinstance(folder, str):
        _err(folder)
        return 2
    from designer.study.designs import load_designs
    from designer.study.engine import ClusterError, StudyStopped, run_study

    designs = load_designs(study)
    if _invalid_designs(designs):
        return 1
    workers = args.workers if args.workers is not None else (os.cpu_count() or 1)
    try:
        folder.mkdir(exist_ok=True)
    except OSError as e:
        _err(f"{args.output}: {e.strerror or e}; choose another folder")
        return 2
    bar = TextProgress()
    where = f"the Dask cluster at {args.scheduler}" if args.scheduler else (
        "this process" if workers == 0 else f"a local Dask cluster of {workers} processes")
    print(f"{study.name}: {len(designs)} designs, analyses {', '.join(study.analyses)}; running on {where}",
          file=sys.stderr)
    try:
        outcome = run_study(study, folder, designs, workers=workers, scheduler=args.scheduler, progress=bar)
    except StudyStopped as e:
        bar.end()
        _err(f"{e}; nothing else was written")
        return 130
    except ClusterError as e:
        bar.end()
        _err(str(e))
        return 1
    bar.end()
    return _write(study, designs, outcome, folder, args)


def _invalid_designs(designs) -> bool:
    """Designs with validation errors no analysis works around stop the study before it
    runs (as every command stops on them): say which, and True."""
    from designer.analysis.base import TOLERATED
    from designer.cli.common import SHOWN_ERRORS, validation_errors

    bad = [(d, validation_errors(d.project, TOLERATED)) for d in designs]
    bad = [(d, errs) for d, errs in bad if errs]
    for d, errs in bad:
        print(f"{d.id} ({d.file}): {len(errs)} validation error{'s' * (len(errs) != 1)}", file=sys.stderr)
        for f in errs[:SHOWN_ERRORS]:
            print(f"  {f.as_text()}", file=sys.stderr)
    if bad:
        _err(f"{len(bad)} design{'s' * (len(bad) != 1)} with validation errors; fix them first (nothing was run)")
    return bool(bad)


def _write(study, designs, outcome, folder: Path, args) -> int:
    from designer.io.outputs import OutputError
    from designer.study.table import write_csv, write_parquet

    rows = outcome.rows
    try:
        write_parquet(rows, folder / "results.parquet")
        write_csv(rows, folder / "results.csv")
        wrote = ["results.parquet", "results.csv"]
        if not args.no_pdf:
            from designer.app.report.qtapp import ensure_app

            ensure_app()
            from designer.app.report.pdf import write_pdf
            from designer.model.project import Project
            from designer.study.report import build_study_report

            report = build_study_report(study, rows, outcome, date=args.date)
            info = write_pdf(report, Project(name=study.name), folder / "summary.pdf")
            wrote.append(f"summary.pdf ({info.pages} pages)")
    except (OutputError, OSError) as e:
        _err(f"writing failed: {e}; no partial file was left behind")
        return 1
    bad = [r for r in rows if r["status"] != "ok"]
    print(f"{len(rows)} rows ({outcome.computed} run now, {outcome.skipped} from an earlier run) in "
          f"{outcome.elapsed_s:.1f} s on {outcome.mode}; wrote {', '.join(wrote)} in {folder}")
    if bad:
        print(f"{len(bad)} scenarios did not run through (see the status column), e.g. {bad[0]['design']}, "
              f"{bad[0]['scenario']}: {bad[0]['status']}")
    return 1 if outcome.failed_tasks else 0
