"""Finished scenarios, kept as they arrive so that an interrupted study resumes.

The store is an append-only journal in the results folder (``journal.jsonl``): one JSON line
per finished scenario, ``{"key": ..., "row": {...}}``, written and flushed as each result
comes in and synced after each batch. A process killed mid-line leaves at most one torn last
line, which is ignored on reading; a rerun runs only the scenarios whose key is not there. The
key hashes the design's content, the scenario, the analyses and the program version, so a
changed design or a new version runs again while everything else is reused.

The table and the report are written from the journal at the end, through the atomic
writer; delete the journal to run everything again.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

JOURNAL = "journal.jsonl"


class Journal:
    def __init__(self, folder: Path) -> None:
        self.path = Path(folder) / JOURNAL
        self.rows: dict[str, dict] = {}
        self._f = None
        if self.path.exists():
            self._read()

    def _read(self) -> None:
        with open(self.path, encoding="utf-8", errors="replace") as f:
            for line in f:
                try:
                    rec = json.loads(line)
                    self.rows[rec["key"]] = rec["row"]
                except (ValueError, KeyError, TypeError):
                    continue  # a torn last line of a killed run

    def __contains__(self, key: str) -> bool:
        return key in self.rows

    def add(self, key: str, row: dict) -> None:
        if self._f is None:
            torn = self.path.exists() and self.path.stat().st_size > 0 and not self._ends_with_newline()
            self._f = open(self.path, "a", encoding="utf-8")
            if torn:
                self._f.write("\n")  # the torn line stays torn; the next one starts clean
        self._f.write(json.dumps({"key": key, "row": row}, separators=(",", ":"), allow_nan=False) + "\n")
        self._f.flush()
        self.rows[key] = row

    def sync(self) -> None:
        if self._f is not None:
            self._f.flush()
            try:
                os.fsync(self._f.fileno())
            except OSError:
                pass

    def close(self) -> None:
        if self._f is not None:
            self.sync()
            self._f.close()
            self._f = None

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1) == b"\n"
