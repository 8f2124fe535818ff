"""Solve step: which buses are live, how the racks' load splits, and the radial load flow.

The load flow is a backward / forward sweep on complex per-unit voltages written with
path matrices, so one iteration is two sparse products instead of a loop over buses:

* backward: every bus's input power is the sum over its subtree of the loads plus each
  branch's own addition ``d`` (its losses; for a UPS also the swap of the load's reactive
  power for a unity-power-factor input): ``S_in = T @ (load + d)``;
* forward: every bus's voltage is its zone root's set voltage (a source, or a UPS output,
  which a double-conversion UPS regulates) minus the drops of the branches on the way:
  ``V = v_root - M @ (z * I)``.

``d`` depends on the currents and voltages, so the two steps repeat until neither moves
(a handful of iterations). Constant-power loads; transformer iron loss as a constant
impedance on the primary; UPS and PDU losses as constant efficiencies.

After convergence the power balance is checked with losses recomputed independently from
the voltages (Kirchhoff's voltage law on every branch): source output must equal loads plus
losses, or the solve raises, because that can only be a bug.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from designer.solvers.power.network import (
    BR_CABLE,
    BR_EFF,
    BR_TX,
    BR_UPS,
    S_BASE_VA,
    SOURCE,
    PowerNetwork,
)
from designer.solvers.power.tree import depth_of, dfs_ranges, nearest_ancestor, pair_matrix, path_pairs

SQRT3 = float(np.sqrt(3.0))


@dataclass
class Topology:
    """The live tree of one state: who is alive, fed from where, and its path matrices."""

    alive: np.ndarray
    ap: np.ndarray
    """Active parent bus (-1 at roots and dead buses)."""
    via_alt: np.ndarray
    origin: np.ndarray
    """Bus that sets each bus's voltage base (source, transformer secondary, UPS output, ...)."""
    zone_root: np.ndarray
    """Bus whose regulated voltage each bus's voltage hangs from (a source or a UPS output)."""
    base_v: np.ndarray
    T: sp.csr_matrix
    """Ancestor-or-self matrix: ``T[a, n] = 1`` when ``a`` is on ``n``'s path to its root."""
    M: sp.csr_matrix
    """Voltage-path matrix: ``M[n, a] = 1`` when ``a``'s branch lies between ``n`` and its zone root."""
    _ranges: tuple[np.ndarray, np.ndarray] | None = None

    _tin_t: sp.csr_matrix | None = None

    def ranges(self) -> tuple[np.ndarray, np.ndarray]:
        """Depth-first ``(tin, tout)`` of the live tree (see :func:`tree.dfs_ranges`), computed once."""
        if self._ranges is None:
            self._ranges = dfs_ranges(self.ap, self.alive)
        return self._ranges

    def tin_order(self) -> np.ndarray:
        """The live bus with each depth-first number."""
        tin = self.ranges()[0]
        live = np.flatnonzero(tin >= 0)
        order = np.empty(len(live), dtype=np.int64)
        order[tin[live]] = live
        return order

    def tin_matrix(self) -> sp.csr_matrix:
        """``T`` transposed and renumbered depth-first: ``[tin[n], tin[a]] = 1`` for each ancestor ``a`` of ``n``."""
        if self._tin_t is None:
            tin = self.ranges()[0]
            c = self.T.tocoo()
            m = len(self.alive)
            self._tin_t = sp.csr_matrix((np.ones(c.nnz), (tin[c.col], tin[c.row])), shape=(m, m))
        return self._tin_t


@dataclass
class FlowState:
    """Result arrays of one solve (per unit on 1 MVA unless the name says otherwise)."""

    topo: Topology
    failed_items: tuple[int, ...]
    load: np.ndarray
    cord_s: np.ndarray
    rack_powered: np.ndarray
    z: np.ndarray
    V: np.ndarray
    s_in: np.ndarray
    s_out: np.ndarray
    d: np.ndarray
    loss_kw: np.ndarray
    current_a: np.ndarray
    """Line current (three-phase buses) or cord current (single-phase cords), A."""
    iterations: int
    source_kw: float
    load_kw: float
    losses_kw: float
    balance_error_kw: float
    _z_path: np.ndarray | None = None
    _v_min: np.ndarray | None = None

    def v_min_below(self) -> np.ndarray:
        """Per bus: the lowest voltage (pu) at or below it in its zone (down to the next UPS)."""
        if self._v_min is None:
            m = self.topo.M.tocsc()
            v = np.abs(self.V)
            out = np.full(len(v), np.inf)
            cnt = np.diff(m.indptr)
            has = np.flatnonzero(cnt > 0)
            if has.size:
                out[has] = np.minimum.reduceat(v[m.indices], m.indptr[has])
            self._v_min = np.where(np.isfinite(out), out, v)
        return self._v_min

    def z_path(self) -> np.ndarray:
        """Series impedance from each bus's zone root down to it (per unit), computed once."""
        if self._z_path is None:
            self._z_path = self.topo.M @ self.z
        return self._z_path


def energise(net: PowerNetwork, failed_bus: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Live buses and their active parents when the buses in ``failed_bus`` are lost.

    A bus is live when it has not failed and its normal upstream is live; failing that, when
    its alternate upstream is live (the transfer switch moves). Grown from the sources.
    """
    is_root = net.bus_kind == SOURCE
    par, alt = net.parent, net.alt
    pc, ac = np.maximum(par, 0), np.maximum(alt, 0)
    alive = is_root & ~failed_bus
    for _ in range(net.n_bus + 1):
        p_ok = (par >= 0) & alive[pc]
        a_ok = (alt >= 0) & alive[ac]
        new = ~failed_bus & (is_root | p_ok | a_ok)
        if np.array_equal(new, alive):
            break
        alive = new
    p_ok = (par >= 0) & alive[pc]
    a_ok = (alt >= 0) & alive[ac] & ~p_ok
    ap = np.where(p_ok, par, np.where(a_ok, alt, -1))
    ap[is_root] = -1
    depth = depth_of(ap, alive)
    alive &= depth >= 0  # a transfer loop (fed from its own load side) is not a supply
    ap[~alive] = -1
    return alive, ap, a_ok & alive


def topology(net: PowerNetwork, failed_bus: np.ndarray | None = None) -> Topology:
    """Live tree, voltage bases and path matrices for one set of failed buses."""
    failed_bus = np.zeros(net.n_bus, bool) if failed_bus is None else failed_bus
    alive, ap, via_alt = energise(net, failed_bus)
    has_origin = ~np.isnan(net.origin_v)
    origin = nearest_ancestor(ap, has_origin, alive)
    zone_root = nearest_ancestor(ap, net.sets_voltage, alive)
    base_v = np.where(origin >= 0, net.origin_v[np.maximum(origin, 0)], np.nan)
    # dead buses: the nominal voltage nearest above them in the normal tree (for display)
    own = np.where(np.isnan(net.origin_v), net.equip_v, net.origin_v)
    everyone = np.ones(len(own), bool)
    near = nearest_ancestor(np.where(net.parent >= 0, net.parent, -1), ~np.isnan(own), everyone)
    fallback = np.where(near >= 0, own[np.maximum(near, 0)], 400.0)
    base_v = np.where(np.isnan(base_v), fallback, base_v)
    n = net.n_bus
    a, b = path_pairs(ap, alive)
    T = pair_matrix(a, b, n)
    a2, b2 = path_pairs(ap, alive, stop=net.sets_voltage)
    M = pair_matrix(b2, a2, n)
    return Topology(alive, ap, via_alt, origin, zone_root, base_v, T, M)


def cord_loads(net: PowerNetwork, alive: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each cord's share of its rack's load given which cords are live.

    With both cords live the rack's ``feed_split_a`` applies; with one, it carries the
    whole rack. Returns (cord load per unit, rack powered).
    """
    nr = len(net.racks)
    cl = np.zeros(len(net.cord_bus), dtype=complex)
    if nr == 0:
        return cl, np.zeros(0, bool)
    rc = net.rack_cords
    live = np.where(rc >= 0, alive[net.cord_bus[np.maximum(rc, 0)]] if len(net.cord_bus) else False, False)
    share = np.where(live, net.rack_share, 0.0)
    both = live.all(axis=1)
    one = live.any(axis=1) & ~both
    share[one] = live[one].astype(float)
    for side in (0, 1):
        has = rc[:, side] >= 0
        cl[rc[has, side]] = net.rack_s_pu[has] * share[has, side]
    return cl, live.any(axis=1)


def branch_z(net: PowerNetwork, topo: Topology) -> np.ndarray:
    """Series impedance of each bus's active branch, per unit on its zone's base."""
    zb = np.where(topo.base_v > 0, topo.base_v, 1.0) ** 2 / S_BASE_VA
    r = np.where(topo.via_alt, net.alt_r_ohm, net.r_ohm)
    x = np.where(topo.via_alt, net.alt_x_ohm, net.x_ohm)
    z = (r + 1j * x) / zb
    tx = net.branch == BR_TX
    # its percent impedance is on the tapped secondary voltage: in ohms on the secondary it scales with ratio^2
    z[tx] = net.tx_z_rated[tx] * S_BASE_VA / net.tx_rating_va[tx] * net.tap_ratio[tx] ** 2
    z[net.branch == BR_UPS] = 0.0
    z[net.branch == BR_EFF] = 0.0
    z[~topo.alive] = 0.0
    return z


def branch_groups(br: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Indices of series branches (cables, transformers), transformers, UPSs and PDUs."""
    return (np.flatnonzero((br == BR_CABLE) | (br == BR_TX)), np.flatnonzero(br == BR_TX),
            np.flatnonzero(br == BR_UPS), np.flatnonzero(br == BR_EFF))


def branch_additions(groups: tuple, eff: np.ndarray, p_fe_pu: np.ndarray, z: np.ndarray, s_out: np.ndarray,
                     v: np.ndarray, v_parent_abs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each branch's addition ``S_in - S_out`` and its series current (aligned arrays).

    Series losses ``z |I|^2`` with ``I = conj(S_out / V)``; transformer iron loss
    ``p_fe |V_primary|^2``; a UPS draws its output's real power over its efficiency at unity
    power factor (so its addition also cancels the load's reactive power); a PDU adds
    ``P (1 / eff - 1)``. ``groups`` comes from :func:`branch_groups`.
    """
    series, tx, ups, conv = groups
    d = np.zeros(len(s_out), dtype=complex)
    cur = np.zeros(len(s_out), dtype=complex)
    i = np.conj(s_out[series] / v[series])
    cur[series] = i
    d[series] = z[series] * (i.real * i.real + i.imag * i.imag)
    d[tx] += p_fe_pu[tx] * v_parent_abs[tx] ** 2
    so = s_out[ups]
    d[ups] = so.real / eff[ups] - so
    d[conv] = s_out[conv].real * (1.0 / eff[conv] - 1.0)
    return d, cur


class LoadFlowDiverged(Exception):
    """The load flow found no solution: the loads are beyond what the chain can deliver
    (voltage collapse). The analysis reports it as a finding, not as a failure.

    ``collapse`` (a :class:`designer.solvers.power.collapse.Collapse`, or None) names the
    element that cannot carry its load and by how much.
    """

    def __init__(self, message: str, collapse=None) -> None:
        super().__init__(message)
        self.collapse = collapse


def zone_voltages(net: PowerNetwork, topo: Topology) -> tuple[np.ndarray, np.ndarray]:
    """(voltage held at each bus's zone root, product of the tap ratios from that root down
    to the bus) per bus: a bus's no-load voltage is their product."""
    zr = topo.zone_root
    v_root = np.where(zr >= 0, net.v_set[np.maximum(zr, 0)], 1.0)
    if np.all(net.tap_ratio == 1.0):
        return v_root, np.ones(net.n_bus)
    k = np.exp(topo.M @ np.log(np.where(topo.alive, net.tap_ratio, 1.0)))
    return v_root, k


def solve_flow(net: PowerNetwork, failed_items: tuple[int, ...] = (), topo: Topology | None = None,
               tol: float = 1e-11, max_iter: int = 60) -> FlowState:
    """Radial load flow of ``net`` with the equipment ``failed_items`` (indices) lost.

    Parameters
    ----------
    topo
        A :class:`Topology` for the same failures, to reuse (the analysis caches the
        normal-state one); built when None.

    Returns
    -------
    FlowState
        Converged voltages and flows. Raises :class:`LoadFlowDiverged` when the sweep
        finds no solution (loads far beyond the chain's capacity) and ``AssertionError`` if
        the power balance of a converged solution does not close (a bug).
    """
    failed_bus = np.zeros(net.n_bus, bool)
    for i in failed_items:
        failed_bus[net.item_entry[i]] = True
    if topo is None:
        topo = topology(net, failed_bus)
    alive, ap = topo.alive, topo.ap
    cord_s, rack_powered = cord_loads(net, alive)
    load = np.zeros(net.n_bus, dtype=complex)
    if len(net.cord_bus):
        load[net.cord_bus] = cord_s
    z = branch_z(net, topo)
    series = ((net.branch == BR_CABLE) | (net.branch == BR_TX)) & alive
    groups = branch_groups(np.where(alive, net.branch, -1))
    apc = np.maximum(ap, 0)
    V = alive.astype(complex)
    d = np.zeros(net.n_bus, dtype=complex)
    p_fe = net.p_fe_w / S_BASE_VA
    v_root, k = zone_voltages(net, topo)
    tapped = not np.all(k == 1.0)
    V = np.where(alive, v_root * k, 0.0) + 0j
    it, dv, dd, last = 0, 0.0, 0.0, np.inf
    limit = max_iter
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # a diverging sweep is caught below
        while it < limit:
            it += 1
            s_in = topo.T @ (load + d)
            s_out = s_in - d
            vpa = np.abs(np.where(ap >= 0, V[apc], V))
            d_new, cur = branch_additions(groups, net.eff, p_fe, z, s_out, V, vpa)
            drop = topo.M @ (z * cur / k) if tapped else topo.M @ (z * cur)
            V_new = np.where(alive, (v_root - drop) * k, 0.0) + 0j
            dv = np.max(np.abs(V_new - V), initial=0.0)
            dd = np.max(np.abs(d_new - d), initial=0.0)
            V, d = V_new, d_new
            if dv < tol and dd < tol:
                break
            step = max(dv, dd)
            if not np.isfinite(step) or np.max(np.abs(V), initial=0.0) > 1e6:
                break
            if it == limit and limit < 8 * max_iter and step < 0.9 * last:
                limit += max_iter  # near the nose of the curve the sweep contracts slowly: keep going
            if it % max_iter == 0:
                last = step
    converged = bool(dv < tol and dd < tol) and bool(np.all(np.isfinite(V)))
    if not converged or np.any(alive & ~(np.abs(V) > 0)):
        from designer.solvers.power.collapse import diagnose

        col = diagnose(net, topo, load, z)
        raise LoadFlowDiverged(("the load flow has no solution" + (" with equipment failed" if failed_items else "")
                                + (f": {col.text()}" if col is not None else
                                   ": the loads are beyond what the power chain can deliver")), col)
    s_in = topo.T @ (load + d)
    s_out = s_in - d
    Vabs = np.abs(V)
    with np.errstate(divide="ignore", invalid="ignore"):
        cur = np.abs(s_out) * S_BASE_VA / (SQRT3 * topo.base_v * Vabs)
    cur = np.where(alive & (Vabs > 0), cur, 0.0)
    cur[net.one_phase] *= 3.0  # single-phase cord: S / V_line-neutral
    # power balance with losses from the voltages (Kirchhoff), not from the sweep's own sums
    vp = np.where(ap >= 0, V[apc], V)
    own_tap = np.where(net.branch == BR_TX, net.tap_ratio, 1.0)  # the ideal ratio sits before z
    with np.errstate(divide="ignore", invalid="ignore"):
        i_kvl = np.where(series & (np.abs(z) > 0), (own_tap * vp - V) / np.where(np.abs(z) > 0, z, 1.0), 0.0)
    loss = z.real * np.abs(i_kvl) ** 2
    tx = (net.branch == BR_TX) & alive
    loss[tx] += net.p_fe_w[tx] / S_BASE_VA * np.abs(vp[tx]) ** 2
    conv = ((net.branch == BR_UPS) | (net.branch == BR_EFF)) & alive
    loss[conv] = d[conv].real
    roots = alive & (net.bus_kind == SOURCE)
    src = float(s_in[roots].real.sum()) * S_BASE_VA / 1e3
    ld = float(load.real.sum()) * S_BASE_VA / 1e3
    ls = float(loss.sum()) * S_BASE_VA / 1e3
    err = src - ld - ls
    if not abs(err) <= 1e-6 * max(1.0, abs(src)):
        raise AssertionError(f"power balance does not close: sources {src:.6f} kW, loads {ld:.6f} kW, "
                             f"losses {ls:.6f} kW, error {err:.3g} kW after {it} iterations")
    return FlowState(topo=topo, failed_items=tuple(failed_items), load=load, cord_s=cord_s,
                     rack_powered=rack_powered, z=z, V=V, s_in=s_in, s_out=s_out, d=d,
                     loss_kw=loss * S_BASE_VA / 1e3, current_a=cur, iterations=it, source_kw=src,
                     load_kw=ld, losses_kw=ls, balance_error_kw=err)
