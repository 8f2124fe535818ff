"""Tree utilities on parent arrays: depths, DFS ranges, nearest ancestors, path matrices.

Everything here is vectorised by pointer chasing: a loop runs once per tree level (tens),
never once per bus (thousands).
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp


def depth_of(parent: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """Depth of every alive bus below its root (0 at roots, -1 if dead or not reachable).

    ``parent`` is -1 at roots. A bus in a parent cycle never resolves and keeps -1.
    """
    n = len(parent)
    depth = np.full(n, -1, dtype=np.int64)
    depth[alive & (parent < 0)] = 0
    todo = np.flatnonzero(alive & (parent >= 0))
    while todo.size:
        pd = depth[parent[todo]]
        ok = pd >= 0
        if not ok.any():
            break
        depth[todo[ok]] = pd[ok] + 1
        todo = todo[~ok]
    return depth


def nearest_ancestor(parent: np.ndarray, mask: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """For each alive bus, the nearest ancestor-or-self where ``mask`` holds (-1 if none)."""
    n = len(parent)
    res = np.full(n, -1, dtype=np.int64)
    cur = np.where(alive, np.arange(n), -1)
    active = np.flatnonzero(cur >= 0)
    for _ in range(n + 1):
        if not active.size:
            break
        c = cur[active]
        hit = mask[c]
        res[active[hit]] = c[hit]
        active = active[~hit]
        nxt = parent[cur[active]]
        cur[active] = nxt
        active = active[nxt >= 0]
    return res


def dfs_ranges(parent: np.ndarray, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pre-order numbers ``tin`` and subtree ends ``tout`` (exclusive) of the forest.

    Bus ``m`` is in the subtree of ``b`` exactly when ``tin[b] <= tin[m] < tout[b]``, so
    a failure's dead set is one interval. Children are ordered by bus index. Buses that
    are dead or unreachable get -1.
    """
    n = len(parent)
    depth = depth_of(parent, alive)
    ok = depth >= 0
    size = ok.astype(np.int64)
    order = np.argsort(-depth, kind="stable")
    order = order[depth[order] >= 1]
    # subtree sizes, deepest level first
    if order.size:
        levels = depth[order]
        cuts = np.flatnonzero(np.diff(levels)) + 1
        for grp in np.split(order, cuts):
            np.add.at(size, parent[grp], size[grp])
    # offset of each bus among its siblings (children sorted by index), then top-down
    kids = np.flatnonzero(ok & (parent >= 0))
    roots = np.flatnonzero(ok & (parent < 0))
    tin = np.full(n, -1, dtype=np.int64)
    tin[roots] = np.concatenate(([0], np.cumsum(size[roots])[:-1])) if roots.size else roots
    sib = np.zeros(n, dtype=np.int64)
    if kids.size:
        srt = kids[np.lexsort((kids, parent[kids]))]
        csum = np.cumsum(size[srt])
        grp_start = np.r_[True, parent[srt][1:] != parent[srt][:-1]]
        start_val = np.where(grp_start, csum - size[srt], 0)
        start_val = np.maximum.accumulate(start_val)
        sib[srt] = csum - size[srt] - start_val
        by_depth = kids[np.argsort(depth[kids], kind="stable")]
        d = depth[by_depth]
        cuts = np.flatnonzero(np.diff(d)) + 1
        for grp in np.split(by_depth, cuts):
            tin[grp] = tin[parent[grp]] + 1 + sib[grp]
    tout = np.where(ok, tin + size, -1)
    return tin, tout


def path_pairs(parent: np.ndarray, alive: np.ndarray, stop: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """All (ancestor-or-self, bus) pairs of alive buses.

    With ``stop`` given, a walk ends *before* a bus where ``stop`` holds (and pairs with
    that bus are left out), except that a stop bus is not paired with itself either.
    """
    n = len(parent)
    nodes = np.flatnonzero(alive)
    cur = nodes.copy()
    anc_parts, node_parts = [], []
    for _ in range(n + 1):
        if not cur.size:
            break
        if stop is not None:
            keep = ~stop[cur]
            cur, nodes = cur[keep], nodes[keep]
        anc_parts.append(cur)
        node_parts.append(nodes)
        nxt = parent[cur]
        ok = nxt >= 0
        cur, nodes = nxt[ok], nodes[ok]
    if not anc_parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(anc_parts), np.concatenate(node_parts)


def pair_matrix(rows: np.ndarray, cols: np.ndarray, n: int) -> sp.csr_matrix:
    """A 0/1 CSR matrix with ones at (rows, cols)."""
    return sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
