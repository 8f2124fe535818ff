"""Power results of one site: loads and margins along the chain, the one-line tree, failures.

Reads a :class:`designer.solvers.power.results.PowerResult` (``result.data``).
"""

from __future__ import annotations

from designer.io.report.context import Ctx, cap_rows, num, pct
from designer.io.report.model import Column, KeyValues, Table, Text, Tree, TreeNode
from designer.model.project import Site

KIND_TEXT = {"source": "source", "transformer": "transformer", "switchboard": "switchboard", "ups": "UPS",
             "pdu": "PDU", "busway": "busway", "tap": "tap"}
MAX_TREE_NODES = 40
"""Bigger chains are listed as an indented table instead of a drawn tree."""


def status_of(utilisation: float | None) -> str:
    if utilisation is None:
        return ""
    return "error" if utilisation > 1.0 + 1e-9 else ("warning" if utilisation > 0.9 else "ok")


def site_blocks(ctx: Ctx, result, site: Site) -> list:
    sp = result.data.sites.get(site.id) if hasattr(result.data.sites, "get") else None
    if sp is None:
        return [Text("No power chain at this site.", "note")]
    blocks: list = [_headline(ctx, sp)]
    nodes = [n for n in sp.nodes.values() if n.kind != "tap"]
    if nodes and len(nodes) <= MAX_TREE_NODES:
        blocks.append(tree(ctx, sp))
    blocks.append(node_table(ctx, sp))
    blocks += scenario_blocks(ctx, sp)
    if sp.phase_suggestion:
        moves = [f"{ctx.name(r)}: " + ", ".join(f"{k.split('.')[0].replace('feed_', 'cord ').upper()} -> {v}"
                                                for k, v in d.items())
                 for r, d in sp.phase_suggestion.items()]
        blocks.append(Text("Phase re-assignment suggested to balance the phases: " + "; ".join(moves) + ".", "note"))
    return blocks


def _headline(ctx: Ctx, sp) -> KeyValues:
    eff = sp.it_powered_kw / sp.source_kw if sp.source_kw > 0 else None  # only what is powered
    rows = [("Scheme (design intent)", sp.scheme),
            ("IT load", f"{ctx.q(sp.it_kw, 'power')}; {sp.racks_powered} of {sp.racks_total} racks powered"),
            ("From the sources", f"{ctx.q(sp.source_kw, 'power')}; losses {ctx.q(sp.losses_kw, 'power', 2)} "
                                 f"({pct(eff, 1)} reaches IT)"),
            ("Survives any single failure", "yes" if sp.survives else "NO"),
            ("Worst single failure", sp.worst or "-")]
    taps = [n for n in sp.nodes.values() if n.kind == "tap"]
    if taps:
        t = max(taps, key=lambda n: n.utilisation)
        rows.append(("Busway taps", f"{len(taps)}; highest {t.name or t.id} at {pct(t.utilisation)} of its limit"))
    if sp.racks:
        r = min(sp.racks.values(), key=lambda r: r.margin_a)
        rows.append(("Smallest cord margin", f"{r.name or r.rack_id}: {num(r.margin_a, 1)} A with one cord carrying "
                                             f"the whole rack ({pct(r.utilisation)} of its limit)"))
    return KeyValues(rows, title="Power chain at a glance")


def _ordered(sp) -> list[tuple[int, object]]:
    """Non-tap nodes depth first from the roots, with their depth."""
    out: list[tuple[int, object]] = []
    seen: set[str] = set()

    def visit(nid: str, depth: int) -> None:
        if nid in seen or nid not in sp.nodes:
            return
        seen.add(nid)
        n = sp.nodes[nid]
        if n.kind == "tap":
            return
        out.append((depth, n))
        for c in n.children:
            visit(c, depth + 1)

    for r in sp.roots:
        visit(r, 0)
    for nid, n in sp.nodes.items():  # unfed items (no path from a source) at the end
        if nid not in seen and n.kind != "tap":
            visit(nid, 0)
    return out


def _lines(ctx: Ctx, sp, n) -> list[str]:
    lines = [f"{ctx.n(n.p_kw, 'power')} {ctx.u('power')}, {ctx.n(n.s_kva, 'apparent_power')} kVA",
             f"{pct(n.utilisation)} of limit"]
    if n.kind == "busway":
        taps = [c for c in n.children if c in sp.nodes and sp.nodes[c].kind == "tap"]
        lines.append(f"{len(taps)} taps, end {n.end_voltage_pu * 100:.1f} % V")
    elif n.kind == "pdu":
        lines.append(f"{len(n.feeds)} cords, drop {num(n.drop_pct, 2)} %")
    elif n.kind != "source":
        lines.append(f"{num(n.voltage_v, 0)} V, drop {num(n.drop_pct, 2)} %")
    if not n.energised:
        lines.append("NOT ENERGISED")
    return lines


def tree(ctx: Ctx, sp) -> Tree:
    nodes = []
    for _depth, n in _ordered(sp):
        parent = n.parent_id if n.parent_id in sp.nodes else None
        title = f"{n.name or n.id} ({KIND_TEXT.get(n.kind, n.kind)}{', side ' + n.side if n.side else ''})"
        nodes.append(TreeNode(n.id, parent, title, _lines(ctx, sp, n),
                              "error" if not n.energised else status_of(n.utilisation),
                              n.alternate_id if n.alternate_id in sp.nodes else None))
    return Tree(f"One-line diagram, {sp.site_id} (normal operation)", nodes)


def node_table(ctx: Ctx, sp) -> Table:
    rows, status = [], []
    for depth, n in _ordered(sp):
        rows.append(["  " * depth + (n.name or n.id), KIND_TEXT.get(n.kind, n.kind), n.side or "-",
                     ctx.n(n.p_kw, "power"), ctx.n(n.s_kva, "apparent_power"), num(n.current_a, 0),
                     pct(n.utilisation), num(n.voltage_v, 0), num(n.drop_pct, 2), ctx.n(n.loss_kw, "power", 2)])
        status.append("error" if not n.energised else status_of(n.utilisation).replace("ok", ""))
    shown, note = cap_rows(ctx, list(zip(rows, status, strict=True)), "items")
    pw = ctx.u("power")
    return Table([Column("Item (fed from the one above)", weight=2.4), Column("Kind", weight=1.1),
                  Column("Side", weight=0.5), Column(f"P ({pw})", "right", 0.9), Column("S (kVA)", "right", 0.9),
                  Column("I (A)", "right", 0.8), Column("Use", "right", 0.7), Column("V", "right", 0.7),
                  Column("Drop (%)", "right", 0.8), Column(f"Loss ({pw})", "right", 0.9)],
                 [r for r, _s in shown], title="Loads and margins (normal operation)",
                 row_status=[s for _r, s in shown],
                 note=("Use: the highest utilisation over the item's checks (rating, breaker at 80 % "
                       "continuous, UPS N rating). Drop: below the voltage origin of its zone. " + note).strip())


def scenario_blocks(ctx: Ctx, sp) -> list:
    from designer.solvers.power.solve import describe

    scen = list(sp.scenarios)
    failing = [s for s in scen if not s.ok]
    text = (f"{len(scen)} single failures simulated (each source, transformer, switchboard, UPS, UPS module, "
            f"PDU, busway and whole side); {len(failing)} lose racks or overload something.")
    blocks: list = [Text(text, "warn" if failing else "body")]
    if not scen:
        return blocks
    shown, note = cap_rows(ctx, failing or scen[:0], "failing scenarios")
    if shown:
        rows = [[s.label, str(len(s.racks_lost)), str(len(s.racks_on_battery)), str(len(s.overloaded)),
                 describe(s, sp).split(": ", 1)[-1]] for s in shown]
        blocks.append(Table([Column("Failure", weight=2.2), Column("Racks lost", "right", 0.8),
                             Column("On battery first", "right", 1.0), Column("Overloads", "right", 0.8),
                             Column("Outcome", weight=3.2)],
                            rows, title="Single failures that hurt", row_status=["error"] * len(rows), note=note))
    return blocks
