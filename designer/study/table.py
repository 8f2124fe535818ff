"""The study table as files: Parquet (typed, for pandas / polars / DuckDB) and CSV.

One row per design x scenario, the columns of :data:`designer.study.headline.COLUMNS` in
that order. Both go through the atomic writer: a failure leaves the old file or none.
"""

from __future__ import annotations

import csv
import io
import os

from designer.io.outputs import atomic_output, write_text_atomic
from designer.study.headline import COLUMNS


def _cell(v, typ: str) -> str:
    if v is None:
        return ""
    if typ == "bool":
        return "true" if v else "false"
    if typ == "float":
        return repr(float(v))
    if typ == "int":
        return str(v)
    return csv_cell(str(v))  # names come from the user's files: never a live formula


def csv_cell(text: str) -> str:
    """A text cell no spreadsheet runs as a formula (:func:`designer.io.bom.csv_text`: a
    leading apostrophe, as OWASP recommends); numbers are left as they are."""
    from designer.io.bom import csv_text as neutral

    return neutral(text)


def _text_back(v: str) -> str:
    """Undo :func:`csv_cell` on reading (a text that itself began with an apostrophe and a
    formula character reads back without the apostrophe)."""
    from designer.io.bom import FORMULA_STARTS

    return v[1:] if v.startswith("'") and v[1:].startswith(FORMULA_STARTS) else v


def csv_text(rows: list[dict]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([csv_cell(c.name) for c in COLUMNS])
    for r in rows:
        w.writerow([_cell(r.get(c.name), c.type) for c in COLUMNS])
    return buf.getvalue()


def write_csv(rows: list[dict], path: str | os.PathLike) -> None:
    write_text_atomic(path, csv_text(rows))


def arrow_table(rows: list[dict]):
    import pyarrow as pa

    types = {"str": pa.string(), "float": pa.float64(), "int": pa.int64(), "bool": pa.bool_()}
    schema = pa.schema([pa.field(c.name, types[c.type], metadata={"doc": c.doc}) for c in COLUMNS])
    cols = {}
    for c in COLUMNS:
        vals = [r.get(c.name) for r in rows]
        if c.type == "float":
            vals = [None if v is None else float(v) for v in vals]
        elif c.type == "int":
            vals = [None if v is None else int(v) for v in vals]
        cols[c.name] = vals
    return pa.Table.from_pydict(cols, schema=schema)


def write_parquet(rows: list[dict], path: str | os.PathLike) -> None:
    import pyarrow.parquet as pq

    table = arrow_table(rows)
    with atomic_output(path) as tmp:
        pq.write_table(table, str(tmp))


def read_parquet_rows(path: str | os.PathLike) -> list[dict]:
    import pyarrow.parquet as pq

    return pq.read_table(str(path)).to_pylist()


def read_csv_rows(path: str | os.PathLike) -> list[dict]:
    """The CSV read back with the columns' types (empty cells are None)."""
    types = {c.name: c.type for c in COLUMNS}
    out = []
    with open(path, newline="", encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            row = {}
            for k, v in rec.items():
                t = types.get(k, "str")
                if v == "" and t != "str":
                    row[k] = None
                elif t == "float":
                    row[k] = float(v)
                elif t == "int":
                    row[k] = int(v)
                elif t == "bool":
                    row[k] = v == "true"
                else:
                    row[k] = _text_back(v)
            out.append(row)
    return out
