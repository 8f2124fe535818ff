"""Findings: problems reported as data (validation, geometry checks, solvers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 0, "warning": 1, "info": 2}[self.value]


@dataclass(frozen=True)
class Finding:
    """One problem: what is wrong, where, and how to fix it.

    ``path`` is a JSON path into the project file (``sites[0].hall.racks[3].it_load_kw``)
    when the finding is about a stored value; ``item_ids`` name the items involved so the
    UI can select and highlight them.
    """

    severity: Severity
    code: str
    message: str
    fix: str = ""
    path: str = ""
    item_ids: tuple[str, ...] = field(default_factory=tuple)
    source: str = "validation"

    def as_text(self) -> str:
        where = f"{self.path}: " if self.path else ""
        fix = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.severity.value.upper()} [{self.code}] {where}{self.message}.{fix}"

    def to_json(self) -> dict:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "fix": self.fix,
            "path": self.path,
            "item_ids": list(self.item_ids),
            "source": self.source,
        }


def error(code: str, message: str, fix: str = "", path: str = "", ids=(), source="validation"):
    return Finding(Severity.ERROR, code, message, fix, path, tuple(ids), source)


def warning(code: str, message: str, fix: str = "", path: str = "", ids=(), source="validation"):
    return Finding(Severity.WARNING, code, message, fix, path, tuple(ids), source)


def info(code: str, message: str, fix: str = "", path: str = "", ids=(), source="validation"):
    return Finding(Severity.INFO, code, message, fix, path, tuple(ids), source)
