"""Unbalanced three-phase load flow where single-phase loads are: phase and neutral currents
and phase-to-neutral voltages.

Regions: the balanced load flow fixes the voltage of every bus that holds or sets one (a
source at its set point, a UPS output, a transformer secondary, the secondary of a PDU with
a transformer). Below each such *region root* the network is radial and four-wire: every
cable, busway segment and cord carries three phases and a neutral, the neutral as large as a
phase (so its impedance is the phase's, ``Zn = Z``), earthed at the region root only. The
phase-to-neutral drop along a branch is then ``Z I_p + Zn (I_1 + I_2 + I_3)``: in sequence
terms ``Z1 = Z`` and ``Z0 = Z + 3 Zn = 4 Z``, which is how the test twin gives it to
pandapower's ``runpp_3ph``. A single-phase cord is its line and neutral conductors only (its
loop impedance ``2 Z``: ``dV = 2 I (R cos + X sin) L`` to first order).

Each region is solved by a backward / forward sweep on phase currents (constant-power loads:
a three-phase cord puts a third of its rack on each phase, a single-phase cord all on its
line), written with the same path matrices as the balanced flow, all regions at once. What a
region hands up is balanced (a UPS rectifier, a transformer or a PDU transformer with a delta
primary passes no neutral current; their positive-sequence share is taken as balanced: the
negative-sequence current a delta passes on is not followed upstream, a documented
simplification), and a region root is held at its balanced-flow voltage (the unbalanced drop
inside a transformer is not included). A PDU without a transformer adds its loss on each
phase in proportion to that phase's power.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.solvers.power.loadflow import FlowState
from designer.solvers.power.network import (
    BR_EFF,
    BR_TX,
    CORD,
    PDU_OUT,
    S_BASE_VA,
    SOURCE,
    TX_HV,
    TX_LV,
    UPS_IN,
    UPS_OUT,
    PowerNetwork,
)
from designer.solvers.power.tree import pair_matrix, path_pairs

ROT = np.exp(-2j * np.pi / 3 * np.arange(3))
"""L1, L2, L3 at 0, -120, +120 degrees."""


@dataclass
class Unbalanced:
    """Per bus: phase-to-neutral voltages (pu of the phase voltage, complex, (n, 3)), the phase
    currents of its branch (A, complex, (n, 3)) and its neutral current (A); ``region`` marks the
    buses solved unbalanced (the others carry the balanced flow's values)."""

    V: np.ndarray
    I_a: np.ndarray
    neutral_a: np.ndarray
    region: np.ndarray
    iterations: int
    converged: bool


def region_roots(net: PowerNetwork, alive: np.ndarray) -> np.ndarray:
    has_tx = np.zeros(net.n_bus, bool)
    pdu_out = np.flatnonzero(net.bus_kind == PDU_OUT)
    for b in pdu_out:
        has_tx[b] = bool(getattr(net.items[net.bus_item[b]], "has_transformer", False))
    return alive & ((net.bus_kind == SOURCE) | (net.bus_kind == UPS_OUT) | (net.bus_kind == TX_LV) | has_tx)


def solve_unbalanced(net: PowerNetwork, st: FlowState, cord_phase: np.ndarray | None = None,
                     tol: float = 1e-11, max_iter: int = 100) -> Unbalanced:
    """Phase voltages and currents of the regions of ``st`` that hold single-phase cords."""
    topo = st.topo
    alive = topo.alive
    n = net.n_bus
    ph = net.cord_phase if cord_phase is None else cord_phase
    single = np.flatnonzero(ph > 0) if len(net.cord_bus) else np.zeros(0, np.int64)
    single = single[alive[net.cord_bus[single]]]
    need = np.zeros(n, bool)
    if single.size:
        from designer.solvers.power.tree import nearest_ancestor

        roots = region_roots(net, alive)
        root_of = nearest_ancestor(topo.ap, roots, alive)
        r = root_of[net.cord_bus[single]]
        need_root = np.zeros(n, bool)
        need_root[r[r >= 0]] = True
        need = alive & (root_of >= 0) & need_root[np.maximum(root_of, 0)]
    # balanced defaults everywhere
    v_bal = st.V
    Vp = np.where(alive, v_bal, 0.0)[:, None] * ROT[None, :]
    i_bal = np.conj(np.where(alive & (np.abs(v_bal) > 0), st.s_out / np.where(np.abs(v_bal) > 0, v_bal, 1.0), 0.0))
    Ip = i_bal[:, None] * ROT[None, :]  # per-phase pu current of a balanced branch
    if not need.any():
        return _out(net, topo, Vp, Ip, need, 0, True)
    # the buses of the regions to solve, and their path matrix (root branches left out)
    a, b = path_pairs(topo.ap, need, stop=roots)
    M = pair_matrix(b, a, n)
    T = M.T.tocsr()
    z = st.z.copy()
    one = net.one_phase & (net.bus_kind == CORD)
    z[one] /= 6.0  # the balanced model's single-phase cord is 6 x its conductor
    zn = z  # the neutral as large as the phase (a single-phase cord: its line and neutral conductors)
    # loads per phase (pu of S_base / 3 per phase, i.e. 3 x the per-phase share)
    S = np.zeros((n, 3), dtype=complex)
    cb = net.cord_bus
    if len(cb):
        three = ph == 0
        S[cb[three]] = st.cord_s[three, None]  # S/3 per phase x 3
        S[cb[~three], ph[~three] - 1] = 3.0 * st.cord_s[~three]
    # boundary loads: a UPS input, a transformer primary, a PDU transformer's input (balanced)
    bnd = need & ((net.bus_kind == UPS_IN) | (net.bus_kind == TX_HV))
    pdu_tx = np.flatnonzero(need & (net.branch == BR_EFF) & roots)
    bnd_power = np.zeros(n, dtype=complex)
    kb = np.flatnonzero(bnd)
    bnd_power[kb] = st.s_in[net.item_out[net.bus_item[kb]]]  # the UPS output / transformer secondary
    for k in pdu_tx:
        bnd_power[int(topo.ap[k])] += st.s_in[k]
    S[bnd_power != 0] += bnd_power[bnd_power != 0, None]
    loss_k = np.where(need & (net.branch == BR_EFF) & ~roots, 1.0 / net.eff - 1.0, 0.0)
    eff_bus = np.flatnonzero(loss_k > 0)
    eff_par = topo.ap[eff_bus]
    # region roots: a source, UPS output or PDU transformer holds its (balanced) voltage; a
    # transformer secondary is its open-circuit voltage behind the transformer's impedance, the
    # same for every sequence (Dyn: zero-sequence current circulates in the delta)
    rb = np.flatnonzero(roots & need)
    tx_root = net.branch[rb] == BR_TX
    v_open = v_bal[rb].copy()
    v_open[tx_root] += st.z[rb[tx_root]] * i_bal[rb[tx_root]]
    z_root = np.where(tx_root, st.z[rb], 0.0)
    kids = np.flatnonzero(need & ~roots & (topo.ap >= 0))
    kids = kids[roots[topo.ap[kids]]]
    slot = np.full(n, -1, np.int64)
    slot[rb] = np.arange(rb.size)
    kid_slot = slot[topo.ap[kids]]
    rsl = np.maximum(slot[np.maximum(root_of, 0)], 0)
    Vroot = v_open[:, None] * ROT[None, :]
    V = np.where(need[:, None], Vroot[rsl], Vp)
    Ibr = np.zeros((n, 3), dtype=complex)
    Iroot = np.zeros((rb.size, 3), dtype=complex)
    it, converged, limit, last = 0, False, max_iter, np.inf
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        while it < limit:
            it += 1
            Sx = S.copy()
            if eff_bus.size:  # PDU losses per phase from the power through it
                p_out = (V[eff_bus] * np.conj(Ibr[eff_bus])).real if it > 1 else S[eff_bus].real
                np.add.at(Sx, eff_par, loss_k[eff_bus, None] * p_out)
            inj = np.where(need[:, None], np.conj(Sx / np.where(V != 0, V, 1.0)), 0.0)
            Ibr = T @ inj
            Iroot = inj[rb].copy()
            np.add.at(Iroot, kid_slot, Ibr[kids])
            Vroot = v_open[:, None] * ROT[None, :] - z_root[:, None] * Iroot
            In = Ibr.sum(axis=1)
            drop = M @ (z[:, None] * Ibr + zn[:, None] * In[:, None])
            V_new = np.where(need[:, None], Vroot[rsl] - drop, Vp)
            dv = np.max(np.abs(V_new - V), initial=0.0)
            V = V_new
            if dv < tol:
                converged = True
                break
            if not np.isfinite(dv) or np.max(np.abs(V), initial=0.0) > 1e6:
                break
            if it == limit and limit < 8 * max_iter and dv < 0.9 * last:
                limit += max_iter  # near the nose the sweep contracts slowly: keep going while it does
            if it % max_iter == 0:
                last = dv
    Ibr[rb] = Iroot  # a region root's own branch carries its whole region
    Ip = np.where(need[:, None], Ibr, Ip)
    Vp = np.where(need[:, None], V, Vp)
    return _out(net, topo, Vp, Ip, need, it, converged)


def _out(net, topo, Vp, Ip, need, it, converged) -> Unbalanced:
    base_i = S_BASE_VA / (np.sqrt(3.0) * np.where(topo.base_v > 0, topo.base_v, 1.0))
    I_a = Ip * base_i[:, None]
    return Unbalanced(Vp, I_a, np.abs(I_a.sum(axis=1)), need, it, converged)


