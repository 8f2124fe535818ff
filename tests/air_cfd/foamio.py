"""Small readers for what OpenFOAM writes: internal fields, function-object tables, solver logs.

Only what the reference runs need: ``internalField`` of volScalar/volVector fields in ascii or
binary (double precision, 32-bit labels as the Debian build uses), the ``surfaceFieldValue``
tables, and the initial residuals in a solver log.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

_NONUNI = re.compile(rb"internalField\s+nonuniform\s+List<(scalar|vector)>\s*\n?\s*(\d+)\s*\n?\s*\(")
_UNI = re.compile(rb"internalField\s+uniform\s+(\([^)]*\)|[-+0-9.eE]+)\s*;")


def read_internal(path: Path, n_cells: int) -> np.ndarray:
    """The cell values of a field file: shape (n,) for scalars, (n, 3) for vectors."""
    data = Path(path).read_bytes()
    binary = b"format      binary" in data[:1000] or re.search(rb"format\s+binary", data[:1000]) is not None
    m = _NONUNI.search(data)
    if m is None:
        u = _UNI.search(data)
        if u is None:
            raise ValueError(f"{path}: no internalField")
        txt = u.group(1).decode().strip("()")
        vals = np.array([float(v) for v in txt.split()])
        return np.tile(vals, (n_cells, 1)) if vals.size > 1 else np.full(n_cells, vals[0])
    kind, n = m.group(1), int(m.group(2))
    width = 3 if kind == b"vector" else 1
    start = m.end()
    if binary:
        arr = np.frombuffer(data, dtype="<f8", count=n * width, offset=start)
    else:
        end = data.index(b")\n;", start) if width == 1 else data.index(b"\n)\n", start)
        body = data[start:end].replace(b"(", b" ").replace(b")", b" ")
        arr = np.array(body.split(), dtype=float)
    return arr.reshape(n, width) if width == 3 else arr.copy()


def read_fo_table(fo_dir: Path) -> np.ndarray:
    """All rows (iteration, value) of a surfaceFieldValue function object over every restart.

    Each restart writes into its own ``postProcessing/<name>/<startTime>/`` folder; rows are
    merged and, where restarts overlap, the later run wins.
    """
    rows: dict[float, float] = {}
    if not fo_dir.exists():
        return np.zeros((0, 2))
    for sub in sorted(fo_dir.iterdir(), key=lambda p: float(p.name)):
        for f in sub.glob("*.dat"):
            for line in f.read_text().splitlines():
                if not line or line.startswith("#"):
                    continue
                parts = line.split()
                rows[round(float(parts[0]), 6)] = float(parts[1])
    its = sorted(rows)
    return np.array([[i, rows[i]] for i in its]) if its else np.zeros((0, 2))


_TIME = re.compile(r"^Time = (\S+)$")
_RES = re.compile(r"Solving for (\w+), Initial residual = ([-+0-9.eE]+)")


def read_residuals(log_files: list[Path]) -> dict[str, np.ndarray]:
    """Initial residual of each solved field per iteration (first solve of the iteration)."""
    out: dict[str, dict[float, float]] = {}
    for lf in log_files:
        it = None
        seen: set[str] = set()
        for line in Path(lf).read_text(errors="replace").splitlines():
            mt = _TIME.match(line)
            if mt:
                it = round(float(mt.group(1)), 6)
                seen = set()
                continue
            mr = _RES.search(line)
            if mr and it is not None and mr.group(1) not in seen:
                seen.add(mr.group(1))
                out.setdefault(mr.group(1), {})[it] = float(mr.group(2))
    return {k: np.array(sorted(v.items())) for k, v in out.items()}


def add_to_internal(path: Path, offset: float) -> None:
    """Add ``offset`` to every cell value of a scalar field file (ascii or binary), in place."""
    data = bytearray(Path(path).read_bytes())
    m = _NONUNI.search(data)
    if m is None:
        u = _UNI.search(data)
        if u is None:
            raise ValueError(f"{path}: no internalField")
        val = float(u.group(1)) + offset
        data[u.start(1):u.end(1)] = f"{val:.10g}".encode()
        Path(path).write_bytes(bytes(data))
        return
    n = int(m.group(2))
    start = m.end()
    if re.search(rb"format\s+binary", bytes(data[:1000])):
        arr = np.frombuffer(bytes(data[start:start + 8 * n]), dtype="<f8") + offset
        data[start:start + 8 * n] = arr.astype("<f8").tobytes()
    else:
        end = data.index(b")", start)
        vals = np.array(bytes(data[start:end]).split(), dtype=float) + offset
        data[start:end] = ("\n" + "\n".join(f"{v:.10g}" for v in vals) + "\n").encode()
    Path(path).write_bytes(bytes(data))
