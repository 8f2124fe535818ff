"""Recovery copies of open projects, so a crash or a dead battery loses nothing.

The app writes the project it is editing to ``<user dir>/recovery/<session>.json`` while
there are unsaved changes (regularly and when it goes idle), atomically like any save,
and deletes the copy when the project is saved or closed cleanly. Beside it, a lock file
``<session>.lock`` names the process that owns the copy by process id, host, boot id and
process start time (:mod:`designer.io.owner`): a process id alone is reused after a crash
or a reboot, and a copy "owned" by an unrelated process would never be offered. A copy
whose owner is gone was left by a crash: the next start offers every such copy.

A recovery file wraps the project with what the user needs to decide:
``{"recovery_format": 1, "saved_at": ISO time, "pid": int, "original_path": str | null,
"summary": {...}, "project": {...}}``. The lock file is ``{"pid", "host", "boot_id",
"start"}``. A copy without a lock file (written by an older version) is judged by its
process id alone.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from designer.io.catalog_store import user_data_dir
from designer.io.errors import LoadError
from designer.io.files import atomic_write_text, parse_json, project_from_data
from designer.io.owner import owner_alive, pid_alive, this_process
from designer.model.project import Project

RECOVERY_FORMAT = 1
MAX_LOCK_BYTES = 64 * 1024


def recovery_dir() -> Path:
    return user_data_dir() / "recovery"


def summary_of(project: Project) -> dict:
    return {
        "name": project.name,
        "sites": len(project.sites),
        "racks": sum(len(s.hall.racks) for s in project.sites),
        "it_kw": round(sum(r.it_load_kw for s in project.sites for r in s.hall.racks), 1),
        "workloads": len(project.workloads),
    }


def lock_path(copy: Path) -> Path:
    """The lock file of a recovery copy."""
    return copy.with_suffix(".lock")


def read_owner(copy: Path) -> dict | None:
    """The owner record in the copy's lock file, or None (no lock file, or unreadable)."""
    from designer.io.inputs import read_input_text

    try:
        data = json.loads(read_input_text(lock_path(copy), MAX_LOCK_BYTES, "lock file"))
    except (LoadError, ValueError):
        return None
    return data if isinstance(data, dict) else None


@dataclass(frozen=True)
class RecoveryFile:
    path: Path
    saved_at: str
    pid: int
    original_path: str | None
    summary: dict

    @property
    def orphaned(self) -> bool:
        """True when the process that wrote it is gone (it crashed or was killed): by the
        lock file's owner record, which survives process-id reuse; without a lock file by
        the process id."""
        owner = read_owner(self.path)
        if owner is not None:
            return not owner_alive(owner)
        return not pid_alive(self.pid)

    def describe(self) -> str:
        s = self.summary
        where = self.original_path or "an unsaved project"
        return (f"{s.get('name', '?')} ({where}), saved {self.saved_at}: {s.get('sites', '?')} sites, "
                f"{s.get('racks', '?')} racks, {s.get('it_kw', '?')} kW IT, {s.get('workloads', '?')} workloads")

    def discard(self) -> None:
        """Delete the copy and its lock file."""
        for p in (self.path, lock_path(self.path)):
            try:
                p.unlink()
            except OSError:
                pass


class RecoveryWriter:
    """Writes this session's recovery copy; one per running app."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()
        self.session = f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.path = self.folder / f"{self.session}.json"
        self.last_write = 0.0

    def write(self, project: Project, original_path: Path | None) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        lock = lock_path(self.path)
        new_lock = not lock.exists()
        if new_lock:  # the lock first: a copy without its owner could be offered too early
            atomic_write_text(lock, json.dumps(this_process()))
        doc = {
            "recovery_format": RECOVERY_FORMAT,
            "saved_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "original_path": str(original_path) if original_path else None,
            "summary": summary_of(project),
            "project": project.model_dump(mode="json"),
        }
        try:
            atomic_write_text(self.path, json.dumps(doc, ensure_ascii=False, allow_nan=False))
        except BaseException:
            if new_lock:  # a full disk: leave nothing behind
                lock.unlink(missing_ok=True)
            raise
        self.last_write = time.monotonic()
        return self.path

    def discard(self) -> None:
        for p in (self.path, lock_path(self.path)):
            try:
                p.unlink()
            except FileNotFoundError:
                pass


def _read(path: Path) -> object:
    from designer.io.files import MAX_FILE_BYTES
    from designer.io.inputs import read_input_text

    return parse_json(read_input_text(path, MAX_FILE_BYTES, "recovery copy"), str(path))


def read_header(path: Path) -> RecoveryFile:
    data = _read(path)
    if not isinstance(data, dict) or data.get("recovery_format") != RECOVERY_FORMAT:
        raise LoadError(str(path), [])
    summary = data.get("summary")
    return RecoveryFile(path, str(data.get("saved_at", "")), int(data.get("pid", 0) or 0),
                        data.get("original_path") if isinstance(data.get("original_path"), str) else None,
                        dict(summary) if isinstance(summary, dict) else {})


def load_recovery(path: Path) -> Project:
    """The project held by a recovery file (raises :class:`LoadError`)."""
    data = _read(path)
    if not isinstance(data, dict) or "project" not in data:
        from designer.io.errors import Problem

        raise LoadError(str(path), [Problem("", "not a recovery file", "delete it")])
    from designer.io.files import check_editable

    return check_editable(project_from_data(data["project"], str(path)), str(path))


def orphaned_recoveries(folder: Path | None = None) -> list[RecoveryFile]:
    """Every recovery copy whose owner is gone, newest first. Unreadable ones are skipped
    (and kept, in case a newer version can read them). A lock file with no copy whose owner
    is gone (a writer killed between the two) is removed."""
    folder = folder or recovery_dir()
    out = []
    if not folder.is_dir():
        return out
    for lock in folder.glob("*.lock"):  # a writer killed between its lock and its first copy
        copy = lock.with_suffix(".json")
        if not copy.exists():
            owner = read_owner(copy)
            if owner is not None and not owner_alive(owner):
                lock.unlink(missing_ok=True)
    for f in folder.glob("*.json"):
        try:
            rf = read_header(f)
        except (LoadError, OSError, ValueError, TypeError):
            continue
        if rf.orphaned:
            out.append(rf)
    out.sort(key=lambda r: r.saved_at, reverse=True)
    return out
