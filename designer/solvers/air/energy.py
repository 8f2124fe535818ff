"""Solve step: the exact steady temperature field on a converged flow (arrays only).

Unknowns are the cell temperatures plus one per item: each rack's exhaust temperature
(its front-face mean intake plus its heat over rho cp Q) and each unit's supply temperature
(its set point, or its return less capacity / (rho cp Q) when the load is past capacity).
Cells use first-order upwind advection and turbulent diffusion in conservative form: every
face carries air at the temperature of the cell it comes from, so summed over the room the
face terms cancel and the heat put in equals the heat the units take out, to round-off,
whatever the flow (a discrete maximum principle holds too: no overshoots). Capacity control
is an active set: units past capacity switch to the capacity equation and the system is
solved again until no unit changes side (a few rounds at most).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

from designer.solvers.air.build import RHO_CP

MAX_ROUNDS = 20


@dataclass
class EnergySolution:
    T: np.ndarray  # (nz, ny, nx), NaN in solids
    t_item: np.ndarray  # rack exhausts then unit supplies
    limited: np.ndarray  # per unit: supply raised by capacity
    residual: float  # max-norm residual of the final system, relative to the rhs
    rounds: int
    converged: bool


class _NotFinite(Exception):
    pass


class Preconditioner:
    """The incomplete factorisation of the temperature system, kept for the capacity loop's
    next round: that system differs from it in a few entries (units switched to or from their
    capacity equation), and the factorisation still brings BiCGSTAB to round-off in about as
    many iterations as a fresh one, for none of the factorising (about half of a round: 0.25 of
    0.5 s on the generated 200-rack hall, stop 26). Kept across edits it paid nothing: the
    next edit's flow is different enough that it failed to reach round-off in 60 iterations
    about half the time (22 of 42 on the benchmark's edits), which cost as much as it saved.
    Whatever the preconditioner, the answer is held to the same residual; a kept one that does
    not get there is replaced."""

    def __init__(self) -> None:
        self.ilu = None
        self.shape: tuple[int, int] | None = None


STALE_MAXITER = 60
"""BiCGSTAB iterations a kept factorisation gets before a fresh one is made: a fresh one needs
30-55 on the generated halls, and making one costs about as much as 50 iterations."""


def _bicgstab(A, b, x0, ilu, maxiter: int):
    """BiCGSTAB to round-off preconditioned by ``ilu``: x, or None if it did not get there
    (stopped at the first non-finite iterate)."""
    import warnings

    from scipy.sparse.linalg import LinearOperator, bicgstab

    def finite(xk: np.ndarray) -> None:
        if not np.isfinite(xk).all():
            raise _NotFinite

    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            M = LinearOperator(A.shape, ilu.solve)
            x, info = bicgstab(A, b, x0=x0, rtol=1e-14, atol=0.0, maxiter=maxiter, M=M, callback=finite)
            r = float(np.abs(A @ x - b).max()) / max(float(np.abs(b).max()), 1e-300)
    except _NotFinite:
        return None
    return x if np.isfinite(r) and (info == 0 or r < 1e-12) else None


def _solve(A, b, x0, pre: Preconditioner | None = None):
    """The temperature system to round-off: BiCGSTAB with an incomplete-LU preconditioner (the
    one kept in ``pre`` first, if any, then a fresh one), and sparse LU if that does not get
    there (stopped at the first non-finite iterate, not after its 300 iterations).

    LU first was tried (stop 25): on the generated 40- and 200-rack halls (17,760 and 28,638
    cells) the whole solve's CPU was the same to 0.2 s, and its peak memory 6.1-6.6 kB a cell
    against 2.4-2.6 kB with ILU."""
    import warnings

    from scipy.sparse.linalg import spilu

    A = A.tocsc()
    if x0 is not None and not np.isfinite(x0).all():
        x0 = None
    pre = pre if pre is not None else Preconditioner()  # one solve's: nothing to reuse
    if pre.ilu is not None and pre.shape == A.shape:
        x = _bicgstab(A, b, x0, pre.ilu, STALE_MAXITER)
        if x is not None:
            return x
    pre.ilu = pre.shape = None  # freed before the new one is made: the peak holds one
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ilu = spilu(A, drop_tol=1e-5, fill_factor=8)
    except RuntimeError:
        ilu = None
    if ilu is not None:
        pre.ilu, pre.shape = ilu, A.shape
        x = _bicgstab(A, b, x0, ilu, 300)
        if x is not None:
            return x
    return spsolve(A, b)


def solve_energy(solver, U, mu, limited0: np.ndarray | None = None, T0=None, t_item0=None) -> EnergySolution:
    lay, geo, mesh = solver.lay, solver.geo, solver.mesh
    n = mesh.size
    nr, nu = lay.n_racks, len(lay.unit_ids)
    ni = nr + nu
    aP, nb = solver.t_coeffs(U, mu)
    rows, cols, vals = [], [], []
    idx = np.arange(n).reshape(mesh.shape)
    from designer.solvers.air.flow import _sl

    for a in range(3):
        lo_in, hi_in = nb[a]
        ilo, ihi = idx[_sl(a, 0, -1)].ravel(), idx[_sl(a, 1, None)].ravel()
        rows += [ilo, ihi]
        cols += [ihi, ilo]
        vals += [-lo_in.ravel(), -hi_in.ravel()]
    pt = lay.ports
    out = np.where(pt.q < 0, -pt.q, 0.0)
    inn = np.where(pt.q > 0, pt.q, 0.0)
    diag = aP.ravel() + np.bincount(pt.cell, weights=out, minlength=n)
    fluid = geo.fluid.ravel()
    diag = np.where(fluid, diag, 1.0)
    rhs = np.zeros(n + ni)
    heat = np.bincount(lay.heat_cells, weights=lay.heat_w, minlength=n) / RHO_CP
    rhs[:n] = np.where(fluid, heat, 0.0)
    # inflow ports: - q T_item in the cell equation
    rows.append(pt.cell[inn > 0])
    cols.append(n + pt.owner[inn > 0])
    vals.append(-inn[inn > 0])
    rows.append(np.arange(n))
    cols.append(np.arange(n))
    vals.append(diag)
    # rack exhausts
    qo = np.bincount(pt.owner, weights=out, minlength=ni)
    sel = (out > 0) & (pt.owner < nr)
    rows.append(n + pt.owner[sel])
    cols.append(pt.cell[sel])
    vals.append(-out[sel] / qo[pt.owner[sel]])
    rows.append(n + np.arange(ni))
    cols.append(n + np.arange(ni))
    vals.append(np.ones(ni))
    rk = np.arange(nr)
    rhs[n + rk] = np.where(lay.rack_q > 0, lay.rack_heat_w / (RHO_CP * np.maximum(lay.rack_q, 1e-300)), 0.0)
    base = sp.csr_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n + ni, n + ni))
    # drop couplings into solid cells (identity rows there)
    keep = np.concatenate([fluid, np.ones(ni, dtype=bool)]).astype(float)
    base = sp.diags(keep) @ base @ sp.diags(keep) + sp.diags(1.0 - keep)
    limited = np.zeros(nu, dtype=bool) if limited0 is None else limited0.copy()
    usel = (out > 0) & (pt.owner >= nr)
    cap = lay.unit_capacity_w / (RHO_CP * np.maximum(lay.unit_q, 1e-300))
    x = None
    if T0 is not None and t_item0 is not None:
        x = np.concatenate([np.nan_to_num(T0.ravel(), nan=0.0), t_item0])
    rounds = 0
    pre = Preconditioner()  # the rounds' systems differ in a few entries: one factorisation serves
    while rounds < MAX_ROUNDS:
        rounds += 1
        lim_ports = usel & limited[np.maximum(pt.owner - nr, 0)]
        extra = sp.csr_matrix((-out[lim_ports] / qo[pt.owner[lim_ports]],
                               (n + pt.owner[lim_ports], pt.cell[lim_ports])), shape=(n + ni, n + ni))
        A = (base + extra).tocsc()
        b = rhs.copy()
        running = lay.unit_q > 0
        b[n + nr:] = np.where(running, np.where(limited, -cap, lay.unit_t_set), lay.unit_t_set)
        x = _solve(A, b, x, pre)
        t_ret = np.zeros(nu)
        tu = np.bincount(pt.owner[usel] - nr, weights=out[usel] * x[pt.cell[usel]], minlength=nu)
        t_ret = tu / np.maximum(lay.unit_q, 1e-300)
        want = running & (t_ret - cap > lay.unit_t_set + 1e-12)
        if np.array_equal(want, limited):
            break
        limited = want
    r = A @ x - b
    res = float(np.abs(r).max()) / max(float(np.abs(b).max()), 1e-300)
    T = x[:n].reshape(mesh.shape).copy()
    T[~geo.fluid] = np.nan
    return EnergySolution(T, x[n:], limited, res, rounds, np.array_equal(want, limited))
