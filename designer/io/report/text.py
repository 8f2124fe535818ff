"""Plain-text rendering of a report (for the terminal, diffs and Qt-free tests)."""

from __future__ import annotations

from designer.io.report.model import (
    Columns,
    HeatMap,
    KeyValues,
    LinePlot,
    Plan,
    Report,
    Section,
    Table,
    Text,
    Tree,
)


def render_text(report: Report, width: int = 110) -> str:
    c = report.cover
    out = [c.title.upper(), c.project, f"Revision {c.revision} | {c.date} | {c.author}", ""]
    out += [f"  {k}: {v}" for k, v in c.facts]
    for s in report.sections:
        _section(s, out, width)
    return "\n".join(out) + "\n"


def _section(s: Section, out: list[str], width: int) -> None:
    bar = "=" if s.level == 1 else "-"
    out += ["", s.title, bar * min(len(s.title), width)]
    for b in s.blocks:
        _block(b, out, width)
    for c in s.children:
        _section(c, out, width)


def _block(b, out: list[str], width: int) -> None:
    if isinstance(b, Columns):
        for x in (*b.left, *b.right):
            _block(x, out, width)
    elif isinstance(b, Text):
        out.append(b.text)
    elif isinstance(b, KeyValues):
        if b.title:
            out.append(f"[{b.title}]")
        w = max((len(k) for k, _ in b.rows), default=0)
        out += [f"  {k:<{w}}  {v}" for k, v in b.rows]
    elif isinstance(b, Table):
        if b.title:
            out.append(f"[{b.title}]")
        cols = [c.title for c in b.columns]
        rows = [[cell.replace("\n", " / ") for cell in r] for r in b.rows]
        ws = [max([len(cols[i])] + [len(r[i]) for r in rows if i < len(r)]) for i in range(len(cols))]
        ws = [min(w, 60) for w in ws]

        def line(cells):
            parts = []
            for i, col in enumerate(b.columns):
                v = cells[i] if i < len(cells) else ""
                v = v if len(v) <= ws[i] else v[: ws[i] - 1] + "…"
                parts.append(v.rjust(ws[i]) if col.align == "right" else v.ljust(ws[i]))
            return "  " + " | ".join(parts).rstrip()

        out.append(line(cols))
        out += [line(r) for r in rows]
        if b.note:
            out.append(f"  ({b.note})")
    elif isinstance(b, LinePlot):
        out.append(f"[plot] {b.title}: " + "; ".join(f"{s.name} ({len(s.points)} points)" for s in b.series)
                   + "".join(f"; {m.label}" for m in b.markers))
    elif isinstance(b, HeatMap):
        out.append(f"[heat map] {b.title}: {b.v_min:.1f} to {b.v_max:.1f} {b.unit}")
    elif isinstance(b, Tree):
        out.append(f"[{b.title}]")
        depth: dict[str, int] = {}
        for n in b.nodes:
            d = depth[n.id] = depth.get(n.parent, -1) + 1 if n.parent else 0
            alt = f" [alternate supply: {n.alternate}]" if n.alternate else ""
            out.append("  " + "  " * d + f"{n.title}: " + "; ".join(n.lines) + alt)
    elif isinstance(b, Plan):
        out.append(f"[drawing] {b.title}: " + "; ".join(f"{k} {v}" for k, v in b.dimensions))
