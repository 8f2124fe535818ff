"""What every command shares: opening the file, stopping on validation errors, strict JSON.

Rules every command follows (``designer design`` and any new one included):

- open the project with :func:`load_or_report` (inputs are checked before they are read:
  see :mod:`designer.io.inputs`);
- a command that exports opens it with :func:`load_valid`: a file with validation errors it
  cannot work around is not worked on; the command lists them and stops (exit 1). Analyses
  are run through :class:`designer.analysis.runner.Runner`, which runs each analysis only on
  a design whose validation errors it works around and otherwise says which stopped it;
- machine-readable output goes through :func:`print_json` (strict JSON: ``null``, never
  ``NaN`` or ``Infinity``);
- every output path is checked with :func:`designer.io.outputs.check_output_path`, naming
  the input files, before any work starts, and written through :mod:`designer.io.outputs`.
"""

from __future__ import annotations

import sys

SHOWN_ERRORS = 20
"""At most this many validation errors are listed when a command stops."""


def load_or_report(path: str):
    """The project, or None after printing why it cannot be opened."""
    from designer.io.errors import LoadError
    from designer.io.files import load

    try:
        return load(path)
    except LoadError as e:
        print(e.summary(), file=sys.stderr)
        return None


def validation_errors(project, tolerates: tuple[str, ...] = ()) -> list:
    """Validation errors of ``project``, less those whose code starts with one of ``tolerates``."""
    from designer.model.findings import Severity
    from designer.model.validate import validate

    return [f for f in validate(project) if f.severity is Severity.ERROR and not f.code.startswith(tolerates)]


def report_invalid(command: str, path: str, errors: list, as_json: bool = False) -> None:
    """Say which validation errors stop ``command``: the list on stdout (JSON with
    ``as_json``), the reason on stderr."""
    if as_json:
        print_json({"status": "invalid", "file": path, "findings": [f.to_json() for f in errors]})
    else:
        for f in errors[:SHOWN_ERRORS]:
            print(f.as_text())
        if len(errors) > SHOWN_ERRORS:
            print(f"... and {len(errors) - SHOWN_ERRORS} more errors (designer validate {path} lists them all)")
    print(f"designer {command}: {path} has {len(errors)} validation error{'s' * (len(errors) != 1)}; "
          f"fix {'it' if len(errors) == 1 else 'them'} first (nothing was {'solved' if command == 'solve' else 'written'})",
          file=sys.stderr)


def load_valid(path: str, command: str, as_json: bool = False, tolerates: tuple[str, ...] | None = None):
    """The project if it opens and has no validation error the command cannot work around
    (by default those every analysis works around,
    :data:`designer.analysis.base.TOLERATED`); otherwise None, having said why."""
    project = load_or_report(path)
    if project is None:
        return None
    if tolerates is None:
        from designer.analysis.base import TOLERATED as tolerates
    errors = validation_errors(project, tolerates)
    if errors:
        report_invalid(command, path, errors, as_json)
        return None
    return project


def print_json(data, indent: int | None = 2) -> None:
    """Strict JSON on stdout (see :mod:`designer.io.strict_json`)."""
    from designer.io.strict_json import dumps

    print(dumps(data, indent))


class StatusLine:
    """A status line on stderr: on a terminal rewritten in place (``end()`` closes it with a
    newline), elsewhere one line each."""

    def __init__(self, stream=None) -> None:
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._printed = False

    def show(self, line: str) -> None:
        self.stream.write("\r" + line.ljust(100) if self.tty else line + "\n")
        self.stream.flush()
        self._printed = True

    def end(self) -> None:
        if self.tty and self._printed:
            self.stream.write("\n")
            self.stream.flush()


class SolveProgress:
    """What a long solve is doing, on a terminal's stderr: the air model's march of each site
    (its step and how far its changes are from steady), one line rewritten in place. Silent
    when stderr is not a terminal (a script's or a log's stderr stays for errors). Pass it as
    ``Runner.run(..., progress=...)``; ``end()`` after."""

    EVERY_S = 0.5
    """Seconds between updates of the line."""

    def __init__(self, stream=None) -> None:
        self.line = StatusLine(stream)
        self._last = -1e9
        self._site = None

    def __call__(self, name: str, info) -> None:
        import time

        conv = info.get("convergence") if isinstance(info, dict) else None
        if conv is None or not self.line.tty:
            return
        now = time.monotonic()
        new_site = info.get("site_id") != self._site
        if not new_site and now - self._last < self.EVERY_S:
            return
        self._last, self._site = now, info.get("site_id")
        worst = "-"
        if conv.steps:
            ratio = max(float(conv.velocity_change[-1]) / conv.tol_u, float(conv.temperature_change_k[-1]) / conv.tol_t)
            worst = f"{ratio:.3g}x"
        after = len(info.get("pending", ()))
        more = f"; {after} more site{'s' * (after != 1)} after it" if after else ""
        self.line.show(f"{name}: {info.get('site_name') or info.get('site_id')}: step {conv.steps}, changes {worst} "
                       f"the steady tolerance{more}")

    def end(self) -> None:
        self.line.end()
