"""Malformed project files for the loader: a deterministic generator of damaged inputs.

Each mutation starts from a valid document and breaks it one way a real file gets broken:
truncation, flipped bytes, wrong types, NaN / Infinity, huge numbers, deep nesting,
unknown fields, missing fields, colliding ids, very long strings, a different top level.
Used by tests/test_fuzz_load.py and by ``python tests/fuzz_inputs.py N`` (prints a tally).
"""

from __future__ import annotations

import copy
import json
import random
import sys
import time

MUTATIONS = ("truncate", "flip_bytes", "wrong_type", "nan_literal", "huge_number", "huge_int", "deep_nesting",
             "unknown_field", "drop_field", "id_collision", "long_string", "top_level", "null_everywhere",
             "negative_everywhere", "duplicate_keys", "utf8_garbage")


def _paths(node, prefix=()):
    if isinstance(node, dict):
        for k, v in node.items():
            yield prefix + (k,), v
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield prefix + (i,), v
            yield from _paths(v, prefix + (i,))


def _set(doc, path, value):
    node = doc
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value


def mutate(base_doc: dict, base_text: str, rng: random.Random) -> tuple[str, bytes]:
    """(mutation name, file bytes)."""
    kind = rng.choice(MUTATIONS)
    doc = copy.deepcopy(base_doc)
    paths = list(_paths(doc))
    if kind == "truncate":
        return kind, base_text[: rng.randrange(len(base_text))].encode()
    if kind == "flip_bytes":
        b = bytearray(base_text.encode())
        for _ in range(rng.randint(1, 8)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return kind, bytes(b)
    if kind == "utf8_garbage":
        b = base_text.encode()
        i = rng.randrange(len(b))
        return kind, b[:i] + bytes([0xFF, 0xFE, 0xC3]) + b[i:]
    if kind == "deep_nesting":
        depth = rng.choice([100, 1000, 50_000])
        path, _ = rng.choice(paths)
        _set(doc, path, "@@DEEP@@")
        text = json.dumps(doc).replace('"@@DEEP@@"', "[" * depth + "]" * depth)
        return kind, text.encode()
    if kind == "duplicate_keys":
        text = base_text.replace('"name":', '"name": 1, "name":', 1)
        return kind, text.encode()
    if kind == "top_level":
        return kind, json.dumps(rng.choice([[doc], "project", 42, None, []])).encode()
    path, old = rng.choice(paths)
    if kind == "wrong_type":
        new = rng.choice(["text", 3.5, -1, True, None, [], {}, [1, 2, 3], {"x": 1}])
        _set(doc, path, new)
    elif kind in ("nan_literal", "huge_number", "huge_int"):
        _set(doc, path, "@@NUM@@")
        token = {"nan_literal": rng.choice(["NaN", "Infinity", "-Infinity"]),
                 "huge_number": rng.choice(["1e400", "-1e999", "1e308", "4.9e-324"]),
                 "huge_int": "9" * rng.choice([20, 400, 5000])}[kind]
        return kind, json.dumps(doc).replace('"@@NUM@@"', token).encode()
    elif kind == "unknown_field":
        dicts = [p for p, v in paths if isinstance(v, dict)] or [()]
        target = rng.choice(dicts)
        node = doc
        for p in target:
            node = node[p]
        node[rng.choice(["colour", "power_kw", "__proto__", "x" * 300])] = 1
    elif kind == "drop_field":
        dicts = [p for p, v in paths if isinstance(v, dict) and v]
        target = rng.choice(dicts)
        node = doc
        for p in target:
            node = node[p]
        node.pop(rng.choice(list(node)))
    elif kind == "id_collision":
        ids = [p for p, v in paths if p and p[-1] == "id"]
        a, b = rng.sample(ids, 2)
        node = doc
        for p in b[:-1]:
            node = node[p]
        va = doc
        for p in a:
            va = va[p]
        node["id"] = va
    elif kind == "long_string":
        _set(doc, path, "x" * rng.choice([10_000, 1_000_000]))
    elif kind == "null_everywhere":
        for p, _v in rng.sample(paths, min(20, len(paths))):
            try:
                _set(doc, p, None)
            except (KeyError, IndexError, TypeError):
                pass
    elif kind == "negative_everywhere":
        for p, v in paths:
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                _set(doc, p, -abs(v) - 1)
    return kind, json.dumps(doc).encode()


def base(air_cell_m: float | None = None) -> tuple[dict, str]:
    """A small valid document: the sample's Stuttgart site with its workloads removed (and its
    air model's cell size ``air_cell_m`` when given)."""
    from designer.io.files import dumps
    from designer.io.sample import build_sample_project

    p = build_sample_project()
    if air_cell_m is not None:
        p.settings.air_cell_m = air_cell_m
    p.sites = [s for s in p.sites if s.id == "ind-str"]
    for s in p.sites:
        s.core_site_id = None
    p.workloads, p.links, p.data_sources = [], [], []
    text = dumps(p)
    return json.loads(text), text


def run(n: int, seed: int = 1) -> dict:
    """Feed ``n`` damaged files to the loader; tally how each ended."""
    import os
    import tempfile

    from designer.io.errors import LoadError
    from designer.io.files import load
    from designer.model.validate import validate

    doc, text = base()
    rng = random.Random(seed)
    tally: dict[str, dict[str, int]] = {}
    worst = 0.0
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "f.json")
        for _ in range(n):
            kind, data = mutate(doc, text, rng)
            with open(path, "wb") as f:
                f.write(data)
            t0 = time.perf_counter()
            try:
                project = load(path)
                validate(project)  # a loaded project must also validate without raising
                outcome = "opened (findings if invalid)"
            except LoadError as e:
                outcome = "clear error" if e.problems else "error without detail"
            except Exception as e:  # noqa: BLE001 - this is what we are counting
                outcome = f"CRASH {type(e).__name__}"
            worst = max(worst, time.perf_counter() - t0)
            tally.setdefault(kind, {}).setdefault(outcome, 0)
            tally[kind][outcome] += 1
    return {"tally": tally, "worst_s": worst}


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    t = time.perf_counter()
    out = run(n)
    total: dict[str, int] = {}
    for kind, res in sorted(out["tally"].items()):
        print(f"{kind:20s} " + ", ".join(f"{k}: {v}" for k, v in sorted(res.items())))
        for k, v in res.items():
            total[k] = total.get(k, 0) + v
    print(f"\n{n} damaged files in {time.perf_counter() - t:.1f} s; slowest {out['worst_s'] * 1000:.0f} ms")
    print("total: " + ", ".join(f"{k}: {v}" for k, v in sorted(total.items())))
