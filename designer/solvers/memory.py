"""A memory guard for solvers: refuse an allocation the machine cannot hold, as a finding.

A solver that sizes arrays from the design (a grid from the hall and the cell size) calls
:func:`check` with its estimate before allocating. When the estimate exceeds what the
machine has free (less a margin for the app), :class:`MemoryBudgetExceeded` is raised; the
analysis runner (:func:`designer.analysis.base.run_analysis`) turns it into an error finding
that says how much was needed and what to change, instead of a MemoryError, swapping for
minutes, or the operating system killing the app.
"""

from __future__ import annotations

import os

SHARE = 0.5
"""At most this share of the memory free now may go to one solver's arrays."""


class MemoryBudgetExceeded(Exception):
    """A solver would need more memory than the machine has free."""

    def __init__(self, what: str, needed: int, available: int, fix: str) -> None:
        self.what, self.needed, self.available, self.fix = what, needed, available, fix
        super().__init__(f"{what} would need {needed / 1e9:.1f} GB of memory; "
                         f"{available / 1e9:.1f} GB can be spared on this machine")


def available_bytes() -> int:
    """Memory free for new allocations now: MemAvailable on Linux, else free physical pages;
    a large number when neither can be read (the guard then never refuses)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (AttributeError, ValueError, OSError):
        return 1 << 62


def check(nbytes: float, what: str, fix: str = "use a coarser setting or a smaller model") -> None:
    """Raise :class:`MemoryBudgetExceeded` when ``nbytes`` is more than :data:`SHARE` of the
    memory free now.

    Parameters
    ----------
    nbytes
        The solver's estimate of what it is about to allocate.
    what
        What needs it, for the message ("the air grid of 4,000 x 3,000 x 40 cells").
    fix
        What the user can change.
    """
    avail = available_bytes()
    if nbytes > SHARE * avail:
        raise MemoryBudgetExceeded(what, int(nbytes), int(SHARE * avail), fix)
