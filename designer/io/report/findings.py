"""All findings of all analyses, worst first, each with its fix."""

from __future__ import annotations

from designer.io.report.context import Ctx
from designer.io.report.model import Column, Table, Text


def all_findings(ctx: Ctx) -> list:
    """Findings of every result (validation included via geometry), worst first, de-duplicated."""
    seen = set()
    out = []
    for r in ctx.results.values():
        for f in getattr(r, "findings", ()) or ():
            key = (f.severity, f.code, f.message, f.item_ids)
            if key not in seen:
                seen.add(key)
                out.append(f)
    out.sort(key=lambda f: f.severity.rank)
    return out


def blocks(ctx: Ctx) -> list:
    fs = all_findings(ctx)
    if not fs:
        return [Text("No findings: every check passed.")]
    counts = {k: sum(f.severity.value == k for f in fs) for k in ("error", "warning", "info")}
    out: list = [Text(f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes.")]
    rows, status = [], []
    for f in fs:
        ids = list(f.item_ids)
        items = ", ".join(ctx.name(i) for i in ids[:3]) + (f" +{len(ids) - 3}" if len(ids) > 3 else "")
        text = f.message + (f". Fix: {f.fix}" if f.fix else "")
        where = next((w for w in (ctx.site_name_of(i) for i in ids) if w), "-")
        rows.append([f.severity.value, where, f"{f.source}\n{f.code}", text, items or "-"])
        status.append(f.severity.value if f.severity.value != "info" else "")
    out.append(Table([Column("Severity", weight=0.8), Column("Site", weight=1.3), Column("Source / code", weight=1.6),
                      Column("Finding and fix", weight=5.0), Column("Items", weight=1.3)],
                     rows, title="Findings", row_status=status))
    return out
