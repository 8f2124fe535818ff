"""Strict JSON for everything the program prints or writes for other programs.

JSON has no NaN or Infinity: Python's ``json`` writes them as bare tokens that no strict
parser accepts. :func:`plain` turns any result (dataclasses, numpy values and arrays,
enums, mappings) into plain JSON data with non-finite numbers as ``null``, and
:func:`dumps` refuses anything that is still not JSON. Every ``--json`` output of the
command line goes through :func:`dumps`.
"""

from __future__ import annotations

import dataclasses
import enum
import json
import math
from collections.abc import Mapping


def plain(v):
    """JSON-safe copy: non-finite floats -> None, numpy -> Python, tuples -> lists, keys -> str."""
    t = type(v)
    if t is float:
        return v if math.isfinite(v) else None
    if v is None or t is str or t is int or t is bool:
        return v
    if t is list or t is tuple:
        return [plain(x) for x in v]
    if t is dict:
        return {str(k): plain(x) for k, x in v.items()}
    if isinstance(v, bool | str | int):
        return v
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if t.__module__ == "numpy":  # numpy scalars and arrays, without importing numpy here
        if hasattr(v, "tolist"):
            return plain(v.tolist())
        if hasattr(v, "item"):
            return plain(v.item())
    if isinstance(v, enum.Enum):
        return plain(v.value)
    if isinstance(v, Mapping):
        return {str(k): plain(x) for k, x in v.items()}
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
    if isinstance(v, list | tuple | set | frozenset):
        return [plain(x) for x in v]
    if hasattr(v, "to_json"):
        return plain(v.to_json())
    if hasattr(v, "tolist"):
        return plain(v.tolist())
    return str(v)


def dumps(data, indent: int | None = 2) -> str:
    """Strict JSON text of ``data`` (see :func:`plain`); lone surrogates become U+FFFD."""
    from designer.io.outputs import writable_text

    return writable_text(json.dumps(plain(data), indent=indent, ensure_ascii=False, allow_nan=False))
