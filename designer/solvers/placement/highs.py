"""``scipy.optimize.milp`` and ``linprog`` without HiGHS's stray debug lines on stdout.

HiGHS (inside scipy) prints a few developer lines with C ``printf`` whatever its options say:
``HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();`` each time it
repairs a solution that presolve's undo left slightly infeasible (seen with scipy 1.17 on a
generated 20-site fleet, seed 1). They landed in the middle of ``designer solve`` output (a
``--json`` document included) and of the app's terminal.

:func:`milp` and :func:`linprog` run the scipy functions with file descriptor 1 pointed at a
temporary file. Afterwards (the C library's buffer flushed first) the lines that name a C++
method (``Class::method ...``: HiGHS's developer prints) go to this module's logger at debug
level, and anything else written meanwhile (another thread's print) is written to the real
stdout, so nothing else is lost. Calls from several threads share one redirection. Where
descriptor 1 cannot be redirected (closed) the call runs as it is.
"""

from __future__ import annotations

import ctypes
import logging
import os
import re
import sys
import tempfile
import threading

from scipy.optimize import linprog as _linprog
from scipy.optimize import milp as _milp

__all__ = ["linprog", "milp", "native_stdout_to_log"]

log = logging.getLogger(__name__)

DEBUG_LINE = re.compile(r"^\s*[A-Za-z_]\w*::\w+")
"""A HiGHS developer print: it starts with a C++ qualified name."""

_lock = threading.Lock()
_depth = 0
_saved_fd: int | None = None
_capture = None


def _flush_c_stdio() -> None:
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # no C library to reach (not on this platform)
        pass


def _enter() -> None:
    global _depth, _saved_fd, _capture
    with _lock:
        if _depth == 0:
            try:
                sys.stdout.flush()
            except (OSError, ValueError):  # closed or broken: nothing of ours is pending
                pass
            _flush_c_stdio()
            try:
                saved = os.dup(1)
            except OSError:  # no descriptor 1 (a GUI started without a terminal)
                saved = None
            if saved is not None:
                cap = tempfile.TemporaryFile()
                os.dup2(cap.fileno(), 1)
                _saved_fd, _capture = saved, cap
        _depth += 1


def _leave() -> None:
    global _depth, _saved_fd, _capture
    with _lock:
        _depth -= 1
        if _depth > 0 or _saved_fd is None:
            return
        try:
            sys.stdout.flush()
        except (OSError, ValueError):
            pass
        _flush_c_stdio()
        os.dup2(_saved_fd, 1)
        os.close(_saved_fd)
        cap, _saved_fd, _capture = _capture, None, None
    cap.seek(0)
    text = cap.read().decode("utf-8", "replace")
    cap.close()
    if not text:
        return
    keep = []
    for line in text.splitlines(keepends=True):
        if DEBUG_LINE.match(line):
            log.debug("HiGHS: %s", line.rstrip())
        else:
            keep.append(line)
    if keep:
        os.write(1, "".join(keep).encode("utf-8"))


def native_stdout_to_log(fn, *args, **kwargs):
    """``fn(*args, **kwargs)`` with what native code prints to stdout filtered (see above)."""
    _enter()
    try:
        return fn(*args, **kwargs)
    finally:
        _leave()


def milp(*args, **kwargs):
    """:func:`scipy.optimize.milp`, its stray debug lines kept off stdout."""
    return native_stdout_to_log(_milp, *args, **kwargs)


def linprog(*args, **kwargs):
    """:func:`scipy.optimize.linprog`, its stray debug lines kept off stdout."""
    return native_stdout_to_log(_linprog, *args, **kwargs)
