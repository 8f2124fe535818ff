"""Phase currents, imbalance and neutral current from single-phase cords, and a rebalance.

The load flow is balanced (per phase, positive sequence). Single-phase cords make the
three-phase equipment above them carry unequal phase currents; we find those by summing
each cord's power onto its phase (a three-phase cord puts a third on each) over every
bus's subtree, and scale them to the bus's solved throughput. A double-conversion UPS
rectifier draws balanced current, so buses at and above a UPS input (and everything in a
zone without a UPS) are balanced.

Imbalance is ``max |I_p - I_avg| / I_avg``; the neutral current is the phasor sum of the
three phase currents (each at its own load angle, the phases 120 degrees apart).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from designer.solvers.power.loadflow import FlowState
from designer.solvers.power.network import CORD, JUNCTION, UPS_OUT, PowerNetwork
from designer.solvers.power.tree import depth_of

_ROT = np.exp(-2j * np.pi / 3 * np.arange(3))
"""Phase angles of L1, L2, L3 voltages (0, -120, +120 degrees)."""


@dataclass
class PhaseState:
    """Per-bus phase currents (A, shape (n_bus, 3)), neutral current (A), imbalance, and the
    ratio of the highest phase current to the balanced current (used for breaker checks)."""

    phase_a: np.ndarray
    neutral_a: np.ndarray
    imbalance: np.ndarray
    factor: np.ndarray
    has_single: np.ndarray
    flow: object = None
    """The :class:`~designer.solvers.power.unbalanced.Unbalanced` flow behind the phase values
    of the buses in its ``region``."""
    unbalanced_failed: bool = False
    """The unbalanced flow found no solution (the phase values are the balanced estimate)."""


def cord_phase_power(net: PowerNetwork, cord_s: np.ndarray, cord_phase: np.ndarray | None = None) -> np.ndarray:
    """(n_bus, 3) complex power per phase placed at the cord buses."""
    ph = net.cord_phase if cord_phase is None else cord_phase
    C = np.zeros((net.n_bus, 3), dtype=complex)
    if len(net.cord_bus) == 0:
        return C
    three = ph == 0
    C[net.cord_bus[three]] = (cord_s[three] / 3.0)[:, None]
    one = ~three
    C[net.cord_bus[one], ph[one] - 1] = cord_s[one]
    return C


def phase_state(net: PowerNetwork, st: FlowState, cord_phase: np.ndarray | None = None) -> PhaseState:
    """Phase currents of every live bus in the solved state ``st``."""
    topo = st.topo
    C = cord_phase_power(net, st.cord_s, cord_phase)
    sub = np.column_stack([topo.T @ C[:, k] for k in range(3)])
    zr = topo.zone_root
    below_ups = (zr >= 0) & (net.bus_kind[np.maximum(zr, 0)] == UPS_OUT) & topo.alive
    single = (net.cord_phase > 0) if cord_phase is None else (cord_phase > 0)
    has_single = np.zeros(net.n_bus, bool)
    if len(net.cord_bus):
        cnt = topo.T @ np.bincount(net.cord_bus[single], minlength=net.n_bus).astype(float)
        has_single = (cnt > 0) & below_ups
    mag = np.abs(sub)
    tot = mag.sum(axis=1)
    share = np.full((net.n_bus, 3), 1.0 / 3.0)
    ok = has_single & (tot > 1e-12)
    share[ok] = mag[ok] / tot[ok, None]
    i_bal = st.current_a.copy()
    cords = net.bus_kind == CORD
    i_bal[cords & net.one_phase] /= 3.0  # back to the balanced-equivalent current
    phase_a = 3.0 * share * i_bal[:, None]
    # single-phase cords: all current on their own line
    one = cords & net.one_phase
    phase_a[one] = 0.0
    if one.any():
        ph = net.cord_phase if cord_phase is None else cord_phase
        cb = net.bus_cord[one]
        phase_a[np.flatnonzero(one), ph[cb] - 1] = st.current_a[one]
    # neutral: phasor sum with each phase's own load angle
    with np.errstate(divide="ignore", invalid="ignore"):
        big = mag > 1e-12  # below a microwatt a phase carries nothing (and denormals overflow)
        unit = np.where(big, np.conj(sub) / np.where(big, mag, 1.0), 0.0)
    neutral = np.abs((phase_a * unit * np.conj(_ROT)[None, :]).sum(axis=1))
    neutral[~has_single & ~one] = 0.0
    avg = phase_a.mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        imb = np.where(avg > 0, np.max(np.abs(phase_a - avg[:, None]), axis=1) / np.where(avg > 0, avg, 1), 0.0)
    factor = np.where(avg > 0, phase_a.max(axis=1) / np.where(avg > 0, avg, 1.0), 1.0)
    factor[one] = 1.0
    imb[one] = 0.0
    # where single-phase cords are, the unbalanced flow gives the true phase and neutral currents
    from designer.solvers.power.unbalanced import solve_unbalanced

    u = solve_unbalanced(net, st, cord_phase)
    reg = u.region & ~one
    if reg.any() and u.converged:
        pa = np.abs(u.I_a[reg])
        phase_a[reg] = pa
        neutral[reg] = u.neutral_a[reg]
        avg = pa.mean(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            imb[reg] = np.where(avg > 0, np.max(np.abs(pa - avg[:, None]), axis=1) / np.where(avg > 0, avg, 1), 0.0)
            ib = i_bal[reg]
            factor[reg] = np.where(ib > 0, pa.max(axis=1) / np.where(ib > 0, ib, 1.0), 1.0)
    return PhaseState(phase_a, neutral, imb, factor, has_single | one | u.region, u if u.converged else None,
                      not u.converged)


# -- rebalancing ---------------------------------------------------------------------------
_PERMS = list(itertools.permutations(range(3)))


def _score(v: np.ndarray) -> tuple[float, float]:
    a, b, c = v.tolist()
    hi = max(a, b, c)
    return (hi, hi - min(a, b, c))


def suggest_phases(net: PowerNetwork, st: FlowState, exact_up_to: int = 7) -> np.ndarray:
    """A phase for every cord that balances the three-phase equipment above single-phase loads.

    Works bottom-up over the live tree below each UPS output (or source): at every bus,
    its own single-phase cords can take any line, and each child's already-balanced group
    can be turned as a whole by a permutation of L1-L2-L3 (which keeps the child's own
    balance). The choices minimise the bus's highest phase load (then its spread):
    exhaustively when a bus has at most ``exact_up_to`` movable parts, else greedily,
    largest first (longest-processing-time rule). Weights are the racks' apparent power,
    so each side stays balanced when it carries the whole rack after a failure. Finally
    each tree's labels are permuted to keep as many cords as possible where they are.

    Returns
    -------
    numpy.ndarray
        New phase code per cord (0 = three-phase, 1-3 = L1-L3); three-phase cords keep 0.
    """
    new = net.cord_phase.copy()
    single = np.flatnonzero((net.cord_phase > 0) & st.topo.alive[net.cord_bus])
    if single.size == 0:
        return new
    ap = st.topo.ap
    w = np.abs(net.rack_s_pu[net.cord_rack])
    cord_at = {int(net.cord_bus[c]): int(c) for c in single}
    # the balancing tree: buses with single-phase cords below them, up to (not above) the UPS
    # output whose rectifier balances everything upstream; busway junctions are skipped, so a
    # busway's taps are balanced together at its feed end rather than one junction at a time
    stop = net.bus_kind == UPS_OUT
    skip = net.bus_kind == JUNCTION
    marked = np.zeros(net.n_bus, bool)
    up = np.full(net.n_bus, -1, dtype=np.int64)
    cur = net.cord_bus[single]
    while cur.size:
        cur = np.unique(cur[~marked[cur]])
        marked[cur] = True
        nxt = np.where(stop[cur], -1, ap[cur])
        while True:  # step over junctions
            j = (nxt >= 0) & skip[np.maximum(nxt, 0)]
            if not j.any():
                break
            nxt[j] = ap[nxt[j]]
        up[cur] = nxt
        cur = nxt[nxt >= 0]
    buses = np.flatnonzero(marked)
    depth = depth_of(ap, st.topo.alive)
    groups: dict[int, tuple[np.ndarray, list[tuple[int, int]]]] = {}
    kids: dict[int, list[int]] = {}
    for b in buses:
        if up[b] >= 0:
            kids.setdefault(int(up[b]), []).append(int(b))
    for b in buses[np.argsort(-depth[buses], kind="stable")]:
        b = int(b)
        if b in cord_at:
            c = cord_at[b]
            vec = np.zeros(3)
            vec[new[c] - 1] = w[c]
            groups[b] = (vec, [(c, int(new[c]) - 1)])
            continue
        parts = [groups.pop(k) for k in kids.get(b, [])]
        vec, members = _combine(parts, exact_up_to)
        # the greedy rule (many parts) is not optimal: never suggest worse than what is there.
        # Keeping the subtree as it stands is a candidate at every bus, so by induction the
        # suggestion is never worse than the present phases anywhere in the tree.
        now = np.zeros(3)
        for c, _ph in members:
            now[net.cord_phase[c] - 1] += w[c]
        if _score(now) <= _score(vec):
            vec, members = now, [(c, int(net.cord_phase[c]) - 1) for c, _ph in members]
        groups[b] = (vec, members)
    # roots of the marked forest: relabel to keep as many cords as they are
    for _vec, members in groups.values():
        best, best_keep = None, -1
        for perm in _PERMS:
            keep = sum(1 for c, ph in members if perm[ph] + 1 == net.cord_phase[c])
            if keep > best_keep:
                best, best_keep = perm, keep
        for c, ph in members:
            new[c] = best[ph] + 1
    return new


def _combine(parts: list[tuple[np.ndarray, list[tuple[int, int]]]], exact_up_to: int
             ) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Turn each part by a permutation so the sum is as even as possible."""
    if len(parts) == 1:
        return parts[0]
    order = sorted(range(len(parts)), key=lambda i: -(parts[i][0].max() - parts[i][0].min()))
    movable = [i for i in order if parts[i][0].max() - parts[i][0].min() > 1e-15]
    fixed = [i for i in order if i not in movable]
    total = sum((parts[i][0] for i in fixed), np.zeros(3))
    choice: dict[int, tuple[int, ...]] = {i: (0, 1, 2) for i in fixed}
    opts = [_distinct_perms(parts[i][0]) for i in movable]
    if movable and np.ptp(total) < 1e-15:
        opts[0] = opts[0][:1]  # the score is symmetric in the phases: fix the largest part
    if movable and int(np.prod([len(o) for o in opts])) <= 6 ** 4 and len(movable) <= exact_up_to:
        # in plain floats (3-vectors are far cheaper as tuples than as arrays), summed in the same order
        placed = [[tuple(parts[i][0][_INV[perm]].tolist()) for perm in o] for i, o in zip(movable, opts, strict=True)]
        t0 = total.tolist()
        best_k, best_s = None, None
        for combo in itertools.product(*[range(len(o)) for o in opts]):
            a, b, c = t0
            for k, j in enumerate(combo):
                x, y, z = placed[k][j]
                a += x
                b += y
                c += z
            hi = max(a, b, c)
            s = (hi, hi - min(a, b, c))
            if best_s is None or s < best_s:
                best_k, best_s = combo, s
        best = tuple(opts[k][j] for k, j in enumerate(best_k))
        for i, perm in zip(movable, best, strict=True):
            choice[i] = perm
            total += parts[i][0][_INV[perm]]
    else:
        for i in movable:
            best, best_s = None, None
            for perm in _distinct_perms(parts[i][0]):
                s = _score(total + parts[i][0][_INV[perm]])
                if best_s is None or s < best_s:
                    best, best_s = perm, s
            choice[i] = best
            total += parts[i][0][_INV[best]]
    members = []
    for i, (_v, mem) in enumerate(parts):
        perm = choice[i]
        members += [(c, perm[ph]) for c, ph in mem]
    return total, members


def _inverse(perm: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0, 0, 0]
    for k, p in enumerate(perm):
        inv[p] = k
    return tuple(inv)


_INV = {p: list(_inverse(p)) for p in _PERMS}
"""Each permutation's inverse as an index list (looked up, not rebuilt, in the search loops)."""


def _distinct_perms(v: np.ndarray) -> list[tuple[int, ...]]:
    """Permutations that give different placements of ``v`` (the identity first)."""
    seen, out = set(), []
    for perm in _PERMS:
        placed = tuple(np.round(v[_INV[perm]], 15))
        if placed not in seen:
            seen.add(placed)
            out.append(perm)
    return out
