"""Which process owns a file, in a way that survives process-id reuse.

A process id alone is not an identity: after a crash (or a reboot) the id is handed to an
unrelated process, and a file "owned" by it would look alive for ever. An owner is recorded
as the process id together with the host, the boot (Linux's boot id) and the process's start
time (clock ticks since boot, from ``/proc/<pid>/stat``); the owner is alive only when all of
them still match. Where the boot id or start time cannot be read (not Linux), the process id
alone is used.
"""

from __future__ import annotations

import functools
import hashlib
import os
import platform


@functools.cache
def boot_id() -> str | None:
    """This boot of this machine (Linux), or None."""
    try:
        with open("/proc/sys/kernel/random/boot_id", encoding="ascii") as f:
            return f.read().strip() or None
    except OSError:
        return None


def process_start(pid: int) -> int | None:
    """Start time of process ``pid`` in clock ticks since boot (Linux), or None."""
    try:
        with open(f"/proc/{int(pid)}/stat", encoding="ascii", errors="replace") as f:
            text = f.read()
    except (OSError, ValueError):
        return None
    try:  # the command name (field 2) may hold spaces and ')': split after the last ')'
        return int(text[text.rindex(")") + 2:].split()[19])
    except (ValueError, IndexError):
        return None


def host_name() -> str:
    try:
        return platform.node()
    except OSError:
        return ""


def this_process() -> dict:
    """The owner record of the running process (JSON-able)."""
    pid = os.getpid()
    return {"pid": pid, "host": host_name(), "boot_id": boot_id(), "start": process_start(pid)}


def host_tag() -> str:
    """Six hex digits naming this host and boot, for names of temporary files."""
    return hashlib.sha1(f"{host_name()}|{boot_id()}".encode("utf-8", "replace")).hexdigest()[:6]


def pid_alive(pid: int) -> bool:
    """True when a process with this id exists (it may be another process than the one meant)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except (OSError, OverflowError):
        return False
    return True


def owner_alive(owner: dict) -> bool:
    """True when the process described by ``owner`` (from :func:`this_process`) still runs.

    A record from another host cannot be checked and counts as alive; one from an earlier
    boot, or whose process id now belongs to a process started at another time, is dead.
    """
    try:
        pid = int(owner.get("pid") or 0)
    except (TypeError, ValueError):
        return False
    host = owner.get("host")
    if host and host != host_name():
        return True
    rec_boot, now_boot = owner.get("boot_id"), boot_id()
    if rec_boot and now_boot and rec_boot != now_boot:
        return False
    if not pid_alive(pid):
        return False
    rec_start, now_start = owner.get("start"), process_start(pid)
    if rec_start is not None and now_start is not None and rec_start != now_start:
        return False  # the id was reused by a process started later
    return True
