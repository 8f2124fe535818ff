"""Views never let an exception escape: what a view cannot draw it leaves out.

A view (a plan overlay, a results dock) that raises while it shows results must not take
the app down or stop the other views: the call is wrapped in :func:`safely` (or the slot in
:func:`guarded`), the error is reported once on stderr as one line (no modal box) and the
view shows nothing for it. Numbers that cannot be shown (NaN, infinity) are written as
"n/a" by :func:`designer.model.units.fmt` and :func:`num`.

``caught`` keeps every error caught this way, for tests and the fuzz run: each is a bug to
fix at its root, but never a crash.
"""

from __future__ import annotations

import functools
import math
import sys
import traceback

caught: list[str] = []
"""Every error a guard caught (one line each, with the innermost place)."""
_reported: set[tuple[str, str]] = set()


def report(where: str, exc: BaseException) -> None:
    tb = traceback.extract_tb(exc.__traceback__)
    place = f" ({tb[-1].filename.rsplit('/', 1)[-1]}:{tb[-1].lineno})" if tb else ""
    line = f"{where} could not be shown: {type(exc).__name__}: {exc}{place}"
    caught.append(line)
    key = (where, f"{type(exc).__name__}{place}")
    if key not in _reported:
        _reported.add(key)
        sys.stderr.write(f"designer: {line}; it is left out, the rest of the app is unaffected\n")


def safely(where: str, fn, *args, **kwargs):
    """``fn(*args, **kwargs)``, or None when it raises (reported, see :func:`report`)."""
    try:
        return fn(*args, **kwargs)
    except Exception as e:  # noqa: BLE001 - a view's bug must not escape
        report(where, e)
        return None


def guarded(where: str):
    """Decorator for a view's slot: an exception is reported and swallowed."""
    def deco(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001
                report(where, e)
                return None
        return wrapper
    return deco


def num(value, fmt: str = ".1f", na: str = "n/a") -> str:
    """``format(value, fmt)``, or "n/a" for None, NaN and infinity."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return na
    return format(v, fmt) if math.isfinite(v) else na
