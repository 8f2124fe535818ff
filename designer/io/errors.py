"""Errors raised when a file cannot be read, each naming the place and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    path: str
    message: str
    fix: str

    def as_text(self) -> str:
        where = self.path or "(file)"
        return f"{where}: {self.message}. Fix: {self.fix}"


class LoadError(Exception):
    """A file could not be opened as a project. ``problems`` says where and why."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(self.summary())

    def summary(self, limit: int = 20) -> str:
        lines = [f"Cannot open {self.source}:"]
        for p in self.problems[:limit]:
            lines.append("  " + p.as_text())
        if len(self.problems) > limit:
            lines.append(f"  ... and {len(self.problems) - limit} more problems")
        return "\n".join(lines)
