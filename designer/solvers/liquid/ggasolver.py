"""The Global Gradient Algorithm (Todini and Pilati 1988), as EPANET 2 uses it.

Unknowns are the link flows ``q`` and the heads ``H`` of free nodes. For each link
``h(q) = H_start - H_end`` and at each free node the flows balance the demand. Newton's
method on both, with ``p = 1 / h'(q)`` and ``y = p h(q)``, reduces each iteration to one
symmetric positive-definite sparse system for the heads::

    (A' P A) H = -d - A'(q - y) - A' P A_fixed H_fixed,     q_new = q - y + P A H_all

where ``A`` is the link-node incidence (+1 at the start, -1 at the end). Flows then
satisfy every node balance exactly (to the linear solve's round-off) after each
iteration; the iteration ends when flows stop changing and every link's head loss
matches its end heads.

The sparsity pattern of ``A' P A`` depends only on the graph, so :class:`Topology` builds
it once (with a fill-reducing order) and only the values change between iterations and
between solves of the same hall.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.linalg import LinAlgError, solveh_banded
from scipy.sparse.csgraph import reverse_cuthill_mckee
from scipy.sparse.linalg import splu

from designer.solvers.liquid.elements import RQTOL, LossModel, SolverOptions
from designer.solvers.liquid.network import PIPE, PUMP, RESISTANCE, Network

_EPS = float(np.finfo(float).eps)
MAX_BANDWIDTH = 64
FLOW_NOISE_M3S = 1e-9
"""Flow changes below this (6e-5 L/min) count as converged whatever their relative size."""


class Topology:
    """The graph part of the GGA system, reusable while nodes and links stay the same."""

    def __init__(self, net: Network) -> None:
        self.key = net.structure_key()
        n, m = net.n_nodes, net.n_links
        fixed = net.fixed
        self.n_nodes = n
        self.start, self.end = net.start.copy(), net.end.copy()
        self.free = np.flatnonzero(~fixed)
        self.fixed_idx = np.flatnonzero(fixed)
        col = np.full(n, -1, dtype=np.int64)
        col[self.free] = np.arange(self.free.size)
        rows = np.arange(m)
        # Pattern of A' P A over free nodes: each link touching two free nodes adds
        # +p to both diagonals and -p off-diagonal; a link to a fixed node adds +p once.
        a, b = col[net.start], col[net.end]
        entries_r, entries_c, entries_l, entries_s = [], [], [], []
        for x, y in ((a, b), (b, a)):
            ok = x >= 0
            entries_r.append(x[ok])
            entries_c.append(x[ok])
            entries_l.append(rows[ok])
            entries_s.append(np.ones(ok.sum()))
            both = ok & (y >= 0)
            entries_r.append(x[both])
            entries_c.append(y[both])
            entries_l.append(rows[both])
            entries_s.append(-np.ones(both.sum()))
        r = np.concatenate(entries_r)
        c = np.concatenate(entries_c)
        nf = self.free.size
        # fill-reducing symmetric order (bandwidth of ladder-like loops stays tiny)
        pattern = sp.csr_matrix((np.ones(r.size), (r, c)), shape=(nf, nf))
        perm = reverse_cuthill_mckee(pattern, symmetric_mode=True) if nf else np.arange(0)
        inv = np.empty(nf, dtype=np.int64)
        inv[perm] = np.arange(nf)
        self.perm, self.inv = perm, inv
        key = inv[c] * nf + inv[r]  # column-major order -> CSC
        uniq, where = np.unique(key, return_inverse=True)
        # matrix values = sum over entries of sign * p[link]: one bincount per iteration
        self._where = where.reshape(-1)
        self._link = np.concatenate(entries_l)
        self._sign = np.concatenate(entries_s)
        self.nnz = uniq.size
        self.indices = (uniq % nf).astype(np.int32)
        colcount = np.bincount(uniq // nf, minlength=nf)
        self.indptr = np.r_[0, np.cumsum(colcount)].astype(np.int32)
        self.n_free = nf
        # After the reordering, CDU loops (ladders of supply and return headers with rack
        # rungs) have a bandwidth of about 4: a banded Cholesky (LAPACK pbsv) then beats
        # any general sparse factorisation. Other graphs fall back to SuperLU.
        rr, cc = uniq % nf, uniq // nf
        bw = int(np.abs(rr - cc).max(initial=0))
        self.bandwidth = bw
        self.banded = nf > 0 and bw <= MAX_BANDWIDTH
        upper = rr <= cc
        self._upper = np.flatnonzero(upper)
        self._brow = (bw + rr[upper] - cc[upper]).astype(np.int64)
        self._bcol = cc[upper].astype(np.int64)

    def diff(self, heads: np.ndarray) -> np.ndarray:
        """Head at each link's start minus head at its end (``A H``)."""
        return heads[self.start] - heads[self.end]

    def outflow(self, v: np.ndarray) -> np.ndarray:
        """Per free node: sum of ``v`` over links leaving minus links arriving (``A' v``)."""
        n = self.n_nodes
        return (np.bincount(self.start, v, n) - np.bincount(self.end, v, n))[self.free]

    def values(self, p: np.ndarray) -> np.ndarray:
        """Non-zeros of ``A' P A`` in CSC order of the permuted matrix."""
        return np.bincount(self._where, self._sign * p[self._link], self.nnz)

    def matrix(self, p: np.ndarray) -> sp.csc_matrix:
        """``A' P A`` over free nodes, in the permuted order."""
        return sp.csc_matrix((self.values(p), self.indices, self.indptr), shape=(self.n_free, self.n_free))

    def solve(self, p: np.ndarray, rhs: np.ndarray) -> np.ndarray:
        """Solve ``(A' P A) x = rhs`` (both in the permuted order)."""
        data = self.values(p)
        if self.banded:
            ab = np.zeros((self.bandwidth + 1, self.n_free))
            ab[self._brow, self._bcol] = data[self._upper]
            try:
                return solveh_banded(ab, rhs, check_finite=False)
            except LinAlgError:  # not positive definite: let SuperLU say what is wrong
                pass
        a = sp.csc_matrix((data, self.indices, self.indptr), shape=(self.n_free, self.n_free))
        return splu(a, permc_spec="NATURAL", diag_pivot_thresh=0.0, options={"SymmetricMode": True}).solve(rhs)


@dataclass(frozen=True)
class HydraulicSolution:
    """Result of :func:`solve`: arrays in the network's link / node order."""

    flow: np.ndarray
    """m3/s, positive from start to end."""
    head: np.ndarray
    """m, every node (fixed ones at their head)."""
    headloss: np.ndarray
    """m, head loss of each link at its flow (negative for a pump: its gain)."""
    reynolds: np.ndarray
    friction: np.ndarray
    closed: np.ndarray
    """Final status: closed links (including pumps closed by their check valve)."""
    converged: bool
    iterations: int
    flow_change: float
    """sum|dq| / sum|q| of the last iteration."""
    head_residual_m: float
    """max over open links of |h(q) - (H_start - H_end)|."""
    mass_residual_m3s: float
    """max over free nodes of |inflow - outflow - demand|."""
    message: str = ""

    def fixed_inflow(self, net: Network) -> np.ndarray:
        """Net flow into each node from its links, minus its demand (non-zero only at fixed nodes)."""
        inflow = np.bincount(net.end, self.flow, net.n_nodes) - np.bincount(net.start, self.flow, net.n_nodes)
        return inflow - net.demand


def _initial_flow(net: Network) -> np.ndarray:
    q = np.zeros(net.n_links)
    pipes = net.kind == PIPE
    q[pipes] = net.area()[pipes] * 0.3048  # EPANET's 1 ft/s
    q[net.kind == RESISTANCE] = 1e-3
    pumps = net.kind == PUMP
    q[pumps] = 1e-3 * np.maximum(net.pump_count[pumps], 1)
    return q


def solve(net: Network, opts: SolverOptions | None = None, topo: Topology | None = None,
          q0: np.ndarray | None = None, removed: np.ndarray | None = None) -> HydraulicSolution:
    """Solve the network's flows and heads.

    Parameters
    ----------
    net : Network
        The network. Must have at least one fixed-head node in every connected part
        (the builder guarantees it); parts without one make the system singular.
    opts : SolverOptions, optional
        Friction model, gravity and tolerances.
    topo : Topology, optional
        A topology built for this network's structure (reused from a cache).
    q0 : ndarray, optional
        Starting flows (a previous solution makes re-solves take 1-3 iterations).
    removed : ndarray of bool, optional
        Links left out entirely (no flow, no coupling); used by the balancing valve
        computation, which replaces rack branches by fixed flows.

    Returns
    -------
    HydraulicSolution
        Never raises for a bad design: non-convergence is reported in ``converged``,
        ``message`` and the residuals.
    """
    opts = opts or SolverOptions()
    if topo is None or topo.key != net.structure_key():
        topo = Topology(net)
    m = net.n_links
    removed = np.zeros(m, dtype=bool) if removed is None else removed
    model = LossModel(net, opts)
    q = _initial_flow(net) if q0 is None else np.array(q0, dtype=float)
    q[removed] = 0.0
    closed = net.closed.copy()
    heads = np.where(net.fixed, net.fixed_head, 0.0)
    if net.fixed.any():
        heads[~net.fixed] = np.nanmax(net.fixed_head)
    dem = net.demand[topo.free]
    fixed_term = topo.diff(np.where(net.fixed, net.fixed_head, 0.0))
    it, changes, rel = 0, 0, np.inf
    converged = False
    message = ""
    pumps = model.pumps
    dh = topo.diff(heads)
    loss = model.evaluate(q, closed)
    while it < opts.max_iter:
        it += 1
        p = 1.0 / loss.gradient
        y = p * loss.headloss
        p[removed] = 0.0
        y[removed] = 0.0
        rhs = -dem - topo.outflow(q - y + p * fixed_term)
        if topo.n_free:
            try:
                hp = topo.solve(p, rhs[topo.perm])
            except RuntimeError as e:  # singular: a part with no fixed head (a builder bug)
                message = f"singular system: {e}"
                break
            heads[topo.free] = hp[topo.inv]
        dh = topo.diff(heads)
        q_new = q - y + p * dh
        q_new[removed] = 0.0
        if it > 20:  # damp a stubborn iteration (never needed on well-posed loops)
            q_new = q + 0.6 * (q_new - q)
        step = np.abs(q_new - q)
        rel = step.sum() / max(np.abs(q_new).sum(), 1e-300)
        q = q_new
        loss = model.evaluate(q, closed)  # for the test below and the next iteration
        # Flows through links with (almost) no flow are round-off of the heads times their
        # conductance 1 / RQTOL: they jitter at about eps |H| / RQTOL and a network with
        # little flow cannot meet a relative test. Below that noise a step is no change.
        noise = max(FLOW_NOISE_M3S, 64.0 * _EPS * float(np.abs(heads).max(initial=0.0)) / RQTOL)
        if rel > opts.accuracy and step.max(initial=0.0) > noise:
            continue
        resid = np.abs(loss.headloss - dh)
        resid[removed] = 0.0
        if resid.max(initial=0.0) > opts.head_tol_m:
            continue
        # converged for this status; check the pumps' check valves as EPANET does
        if pumps.size and changes < opts.max_status_changes:
            flip = np.zeros(m, dtype=bool)
            running = ~model.u_off
            open_rev = running & ~closed[pumps] & (q[pumps] < 0.0)
            lift = heads[net.end[pumps]] - heads[net.start[pumps]]
            can_push = running & closed[pumps] & ~net.closed[pumps] & (lift < model.pump_shutoff())
            flip[pumps[open_rev | can_push]] = True
            if flip.any():
                closed ^= flip
                q[pumps[open_rev]] = 0.0
                q[pumps[can_push]] = 1e-6
                changes += 1
                loss = model.evaluate(q, closed)
                continue
        converged = True
        break
    resid = np.abs(loss.headloss - dh)
    off = closed | removed
    resid[off] = 0.0
    imbalance = topo.outflow(q) + dem  # outflow - inflow + demand at free nodes
    if not converged and not message:
        message = (f"no convergence in {it} iterations: flow change {rel:.2e}, "
                   f"head residual {resid.max(initial=0.0):.2e} m")
    return HydraulicSolution(
        flow=q, head=heads.copy(), headloss=loss.headloss, reynolds=loss.reynolds, friction=loss.friction,
        closed=closed, converged=converged, iterations=it, flow_change=float(rel),
        head_residual_m=float(resid.max(initial=0.0)),
        mass_residual_m3s=float(np.abs(imbalance).max(initial=0.0)), message=message)
