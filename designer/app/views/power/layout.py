"""Layout of the one-line diagram, from the power results' tree (no Qt).

Rows follow the equipment kind (sources, transformers, switchboards, UPS, PDUs / busways,
racks) and always go down the tree: a node sits at least one row below its supply, so the
layout is layered by depth even for unusual chains (a PDU straight off a source). Empty
rows are dropped. Columns come from a tidy-tree pass: leaves take consecutive columns,
a parent sits over the middle of its children, and siblings are ordered side A, then B,
then unlabelled; the chains themselves go A, B, A, B, so redundant paths stand side by
side. A hall with dozens of chains wraps whole chains into bands, one under the other.

Racks are never drawn one by one: each PDU and each busway gets one *block* of the racks
whose cords hang on it (a busway's tap-off boxes are folded into its block too), so a
1,000-rack hall draws a few hundred boxes at most.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from itertools import zip_longest

from designer.model.project import Site
from designer.solvers.power.results import SitePower

RANK = {"source": 0, "transformer": 1, "switchboard": 2, "ups": 3, "pdu": 4, "busway": 4, "tap": 5, "racks": 6}
SIDE_ORDER = {"A": 0, "B": 1}
BAND_ASPECT = 2.5
"""Big halls wrap into bands so the diagram is about this much wider than tall (as a dock
is): a 1,000-rack hall's 84 columns become three bands."""
WRAP_FROM = 16
"""Diagrams this many columns wide or less are never wrapped."""


@dataclass
class LNode:
    key: str
    """The item id, or ``"racks:<supply id>"`` for a block of racks."""
    kind: str
    """Equipment kind, or "racks"."""
    item_id: str | None
    parent: str | None
    """Key of the node drawn above it (its supply in the normal state)."""
    alternate: str | None = None
    """Key of its alternate supply (transfer switch), drawn dashed."""
    side: str = ""
    rack_ids: tuple[str, ...] = ()
    tap_ids: tuple[str, ...] = ()
    cords: tuple[str, ...] = ()
    """Block: the cord sides hung on its supply ("A", "B")."""
    children: list[str] = field(default_factory=list)
    depth: int = 0
    row: int = 0
    """Row within its band (0 = sources)."""
    col: float = 0.0
    band: int = 0
    """Big halls wrap their chains into bands, one under the other."""


@dataclass
class Layout:
    nodes: dict[str, LNode]
    rows: int
    cols: int
    block_of: dict[str, list[str]]
    """Rack id or tap id -> keys of the blocks showing it."""
    tap_busway: dict[str, str]
    signature: tuple
    bands: int = 1

    def key_for(self, item_id: str) -> list[str]:
        """Diagram keys that stand for a plan item (itself, or the blocks holding it)."""
        if item_id in self.nodes:
            return [item_id]
        return list(self.block_of.get(item_id, ()))

    def edges(self) -> list[tuple[str, str]]:
        return [(n.parent, k) for k, n in self.nodes.items() if n.parent is not None]

    def alternates(self) -> list[tuple[str, str]]:
        return [(n.alternate, k) for k, n in self.nodes.items() if n.alternate is not None]


def natural(s: str) -> tuple:
    """Sort key that puts "PDU-2" before "PDU-10"."""
    return tuple(int(t) if t.isdigit() else t.lower() for t in re.split(r"(\d+)", s))


def build_layout(sp: SitePower, site: Site) -> Layout:
    """The diagram of one site's power results (``site`` is the model the results are for)."""
    taps = {t.id: t.busway_id for t in site.hall.power.taps}
    nodes: dict[str, LNode] = {}
    names: dict[str, str] = {}
    for k in sp.nodes:
        if k in taps:
            continue  # folded into the busway's block; building 2,000 tap results costs 100 ms
        n = sp.nodes[k]
        if n.kind == "tap":
            continue
        nodes[k] = LNode(k, n.kind, k, n.parent_id, n.alternate_id, n.side)
        names[k] = n.name
    for ln in nodes.values():
        if ln.parent not in nodes:
            ln.parent = None
        if ln.alternate not in nodes or ln.alternate == ln.parent:
            ln.alternate = None
    # blocks of racks, one per supply (PDU, or a busway for all its taps)
    racks: dict[str, list[str]] = {}
    sides: dict[str, set[str]] = {}
    tap_of: dict[str, dict[str, None]] = {}
    for r in site.hall.racks:
        for side in ("a", "b"):
            f = getattr(r, f"feed_{side}")
            if f is None:
                continue
            owner = taps.get(f.source_id, f.source_id)
            if owner not in nodes:
                continue
            lst = racks.setdefault(owner, [])
            if not lst or lst[-1] != r.id:
                lst.append(r.id)
            sides.setdefault(owner, set()).add(side.upper())
            if f.source_id in taps:
                tap_of.setdefault(owner, {})[f.source_id] = None  # in rack order, as along the row
    block_of: dict[str, list[str]] = {}
    for owner, ids in racks.items():
        key = f"racks:{owner}"
        tap_ids = tuple(tap_of.get(owner, ()))
        nodes[key] = LNode(key, "racks", None, owner, None, nodes[owner].side, tuple(dict.fromkeys(ids)),
                           tap_ids, tuple(sorted(sides[owner])))
        names[key] = ""
        for i in (*nodes[key].rack_ids, *tap_ids):
            block_of.setdefault(i, []).append(key)
    for k, ln in nodes.items():
        if ln.parent is not None:
            nodes[ln.parent].children.append(k)

    def order(k: str) -> tuple:
        ln = nodes[k]
        return (SIDE_ORDER.get(ln.side, 2), ln.kind == "racks", RANK.get(ln.kind, 9), natural(names[k]))

    for ln in nodes.values():
        ln.children.sort(key=order)
    # roots: the chains of each side interleaved (A1, B1, A2, B2, ...), so redundant chains
    # stand side by side; a standby generator (feeding only alternates) after the chains it backs
    roots = _interleave(sorted((k for k, ln in nodes.items() if ln.parent is None and not _alt_only(nodes, k)),
                               key=order), nodes)
    roots += sorted((k for k, ln in nodes.items() if ln.parent is None and _alt_only(nodes, k)), key=order)
    # rows: at least the kind's rank, always below the parent
    raw: dict[str, int] = {}
    stack = [(k, 0, -1) for k in reversed(roots)]
    while stack:
        k, depth, prow = stack.pop()
        ln = nodes[k]
        ln.depth = depth
        raw[k] = max(RANK.get(ln.kind, 5), prow + 1)
        stack.extend((c, depth + 1, raw[k]) for c in reversed(ln.children))
    used = sorted(set(raw.values()))
    dense = {r: i for i, r in enumerate(used)}
    for k, r in raw.items():
        nodes[k].row = dense[r]
    # columns: tidy tree; big halls wrap whole chains into bands stacked downwards
    next_col = [0]

    def place(k: str) -> float:
        ln = nodes[k]
        if not ln.children:
            ln.col = float(next_col[0])
            next_col[0] += 1
        else:
            cs = [place(c) for c in ln.children]
            ln.col = (cs[0] + cs[-1]) / 2
        return ln.col

    spans = []
    for k in roots:
        start = next_col[0]
        place(k)
        spans.append((k, start, next_col[0] - start))
    total = next_col[0]
    # bands so that width / height (in boxes of about 2:1) comes near BAND_ASPECT
    bands = 1 if total <= WRAP_FROM else max(1, round(math.sqrt(total * 2.0 / (BAND_ASPECT * len(used) * 1.1))))
    width = math.ceil(total / bands)
    band, shift, used_w, cols = 0, 0, 0, 0
    for k, start, span in spans:
        if used_w and used_w + span > width:
            band, used_w = band + 1, 0
        shift = used_w - start
        used_w += span
        cols = max(cols, used_w)
        _move(nodes, k, band, shift)
    ordered = {k: nodes[k] for k in sorted(raw, key=lambda k: (nodes[k].band, nodes[k].row, nodes[k].col))}
    sig = tuple((k, ln.parent, ln.alternate, ln.rack_ids, ln.tap_ids, ln.band, ln.row, ln.col)
                for k, ln in ordered.items())
    return Layout(ordered, len(used), cols, block_of, taps, sig, band + 1)


def _move(nodes: dict[str, LNode], k: str, band: int, shift: float) -> None:
    stack = [k]
    while stack:
        ln = nodes[stack.pop()]
        ln.band = band
        ln.col += shift
        stack.extend(ln.children)


def _interleave(roots: list[str], nodes: dict[str, LNode]) -> list[str]:
    """Roots of side A, B, ... taken in turn (unlabelled ones last, in their order)."""
    by_side: dict[str, list[str]] = {}
    for k in roots:
        by_side.setdefault(nodes[k].side if nodes[k].side in SIDE_ORDER else "", []).append(k)
    labelled = [by_side[s] for s in sorted(by_side, key=lambda s: SIDE_ORDER.get(s, 9)) if s]
    out = [k for group in zip_longest(*labelled) for k in group if k is not None] if labelled else []
    return out + by_side.get("", [])


def _alt_only(nodes: dict[str, LNode], k: str) -> bool:
    """A source with no load of its own that backs others up (a standby generator)."""
    ln = nodes[k]
    return ln.kind == "source" and not ln.children and any(n.alternate == k for n in nodes.values())
