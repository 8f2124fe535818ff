"""Recovery copies of open projects, so a crash or a dead battery loses nothing.

The app writes the project it is editing to ``<user dir>/recovery/<session>.json`` while
there are unsaved changes (regularly and when it goes idle), atomically like any save,
and deletes the copy when the project is saved or closed cleanly. A copy whose process is
no longer running was left by a crash: the next start offers to restore it.

A recovery file wraps the project with what the user needs to decide:
``{"recovery_format": 1, "saved_at": ISO time, "pid": int, "original_path": str | null,
"summary": {...}, "project": {...}}``.
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
from designer.model.project import Project

RECOVERY_FORMAT = 1


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


@dataclass(frozen=True)
class RecoveryFile:
    path: Path
    saved_at: str
    pid: int
    original_path: str | None
    summary: dict

    @property
    def orphaned(self) -> bool:
        """True when the process that wrote it is gone (it crashed or was killed)."""
        return not _pid_alive(self.pid)

    def describe(self) -> str:
        s = self.summary
        where = self.original_path or "an unsaved project"
        return (f"{s.get('name', '?')} ({where}), saved {self.saved_at}: {s.get('sites', '?')} sites, "
                f"{s.get('racks', '?')} racks, {s.get('it_kw', '?')} kW IT, {s.get('workloads', '?')} workloads")


class RecoveryWriter:
    """Writes this session's recovery copy; one per running app."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = folder or recovery_dir()
        self.session = f"{datetime.now().strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self.path = self.folder / f"{self.session}.json"
        self.last_write = 0.0

    def write(self, project: Project, original_path: Path | None) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        doc = {
            "recovery_format": RECOVERY_FORMAT,
            "saved_at": datetime.now(UTC).astimezone().isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "original_path": str(original_path) if original_path else None,
            "summary": summary_of(project),
            "project": project.model_dump(mode="json"),
        }
        atomic_write_text(self.path, json.dumps(doc, ensure_ascii=False, allow_nan=False))
        self.last_write = time.monotonic()
        return self.path

    def discard(self) -> None:
        try:
            self.path.unlink()
        except FileNotFoundError:
            pass


def _pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def _read(path: Path) -> object:
    from designer.io.files import MAX_FILE_BYTES
    from designer.io.inputs import read_input_text

    return parse_json(read_input_text(path, MAX_FILE_BYTES, "recovery copy"), str(path))


def read_header(path: Path) -> RecoveryFile:
    data = _read(path)
    if not isinstance(data, dict) or data.get("recovery_format") != RECOVERY_FORMAT:
        raise LoadError(str(path), [])
    return RecoveryFile(path, str(data.get("saved_at", "")), int(data.get("pid", 0)),
                        data.get("original_path"), dict(data.get("summary") or {}))


def load_recovery(path: Path) -> Project:
    """The project held by a recovery file (raises :class:`LoadError`)."""
    data = _read(path)
    if not isinstance(data, dict) or "project" not in data:
        from designer.io.errors import Problem

        raise LoadError(str(path), [Problem("", "not a recovery file", "delete it")])
    from designer.io.files import check_editable

    return check_editable(project_from_data(data["project"], str(path)), str(path))


def orphaned_recoveries(folder: Path | None = None) -> list[RecoveryFile]:
    """Recovery files left by processes that are gone, newest first. Unreadable ones are
    skipped (and kept, in case a newer version can read them)."""
    folder = folder or recovery_dir()
    out = []
    if not folder.is_dir():
        return out
    for f in folder.glob("*.json"):
        try:
            rf = read_header(f)
        except (LoadError, OSError, ValueError):
            continue
        if not _pid_alive(rf.pid):
            out.append(rf)
    out.sort(key=lambda r: r.saved_at, reverse=True)
    return out
