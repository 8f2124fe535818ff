"""Solve step, part 2: steady advection-diffusion of air temperature (arrays only).

Finite volumes on the plan grid, first-order upwind for advection: every face carries heat
at the temperature of the cell the air comes from. Written per cell this is

``(out-flows + diffusion + exchange) T_P - sum(in-flow from N + diffusion) T_N = inflow heat``

an M-matrix whose columns are diagonally dominant whatever the flows, so the solution has no
overshoots (a discrete maximum principle): with no heat sources every temperature lies
between the coldest and warmest air coming in. The scheme is conservative, so the heat put in
equals the heat carried out to the units' returns plus any open-boundary exchange, to round-off.

All quantities are volumetric: flows in m3/s, heat in K m3/s (watts divided by rho cp).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class TransportSystem:
    """The temperature equations of one hall, in 5-point form, and their bookkeeping."""

    coef: tuple[np.ndarray, ...]  # C, W, E, S, N, each (ny, nx)
    rhs: np.ndarray  # (ny, nx)
    active: np.ndarray  # cells with an equation (others: identity rows)
    open_out: np.ndarray  # (ny, nx) air leaving through an open boundary, m3/s
    open_in: np.ndarray  # air entering through an open boundary at t_ref, m3/s
    g_ex: np.ndarray  # exchange conductance to t_ref, m3/s
    t_ref: float


def transport_system(fx: np.ndarray, fy: np.ndarray, dx: np.ndarray, dy: np.ndarray,
                     m_in: np.ndarray, heat_in: np.ndarray, m_out: np.ndarray,
                     src: np.ndarray, active: np.ndarray, t_ref: float,
                     g_ex: float | np.ndarray = 1e-9) -> TransportSystem:
    """Assemble the upwind advection-diffusion equations.

    Parameters
    ----------
    fx, fy : numpy.ndarray
        Face volume flows (``(ny, nx + 1)`` and ``(ny + 1, nx)``, + along the axis), m3/s.
    dx, dy : numpy.ndarray
        Face diffusion conductances (same shapes), m3/s: diffusivity x face area / distance.
    m_in, heat_in : numpy.ndarray
        Air put into a cell from outside the grid (a unit's supply), m3/s, and the heat it
        brings, ``sum(q T)`` in K m3/s.
    m_out : numpy.ndarray
        Air taken out of a cell (a unit's return), m3/s; it leaves at the cell's temperature.
    src : numpy.ndarray
        Heat released into a cell, K m3/s.
    active : numpy.ndarray
        Cells that have an equation; the rest get identity rows and must not be coupled to.
    t_ref : float
        Temperature of open-boundary inflow and of the weak exchange ``g_ex`` that keeps
        cells with no flow at all (sealed pockets) defined.

    Notes
    -----
    Each cell's mass balance is closed exactly: whatever the flows leave over (round-off of
    the airflow solve, or a region whose air has nowhere to go) leaves or enters through an
    open boundary, and is reported in ``open_out`` / ``open_in`` so that the heat balance
    closes to round-off.
    """
    px, nx_ = np.maximum(fx, 0.0), np.maximum(-fx, 0.0)
    py, ny_ = np.maximum(fy, 0.0), np.maximum(-fy, 0.0)
    outflow = px[:, 1:] + nx_[:, :-1] + py[1:, :] + ny_[:-1, :]
    inflow = nx_[:, 1:] + px[:, :-1] + ny_[1:, :] + py[:-1, :]
    W = -(px[:, :-1] + dx[:, :-1])
    E = -(nx_[:, 1:] + dx[:, 1:])
    S = -(py[:-1, :] + dy[:-1, :])
    N = -(ny_[1:, :] + dy[1:, :])
    resid = np.where(active, inflow + m_in - outflow - m_out, 0.0)
    open_out = np.maximum(resid, 0.0)
    open_in = np.maximum(-resid, 0.0)
    g = np.where(active, g_ex, 0.0)
    diff = dx[:, :-1] + dx[:, 1:] + dy[:-1, :] + dy[1:, :]
    C = outflow + m_out + open_out + diff + g
    rhs = heat_in + open_in * t_ref + g * t_ref + src
    C = np.where(active, C, 1.0)
    rhs = np.where(active, rhs, 0.0)
    W, E, S, N = (np.where(active, a, 0.0) for a in (W, E, S, N))
    return TransportSystem((C, W, E, S, N), rhs, active, open_out, open_in, g, t_ref)


def matvec(coef: tuple[np.ndarray, ...], x: np.ndarray) -> np.ndarray:
    """Apply the 5-point operator ``coef = (C, W, E, S, N)`` to ``x`` (both ``(ny, nx)``)."""
    C, W, E, S, N = coef
    y = C * x
    y[:, 1:] += W[:, 1:] * x[:, :-1]
    y[:, :-1] += E[:, :-1] * x[:, 1:]
    y[1:, :] += S[1:, :] * x[:-1, :]
    y[:-1, :] += N[:-1, :] * x[1:, :]
    return y


def solve_refined(solve, coef, b: np.ndarray, rtol: float = 1e-12, max_iter: int = 40,
                  x0: np.ndarray | None = None):
    """Solve ``A x = b`` given an approximate inverse ``solve`` of a nearby matrix.

    ``solve`` may factorise a slightly different matrix (from an earlier run, with only the
    entries that changed a lot updated). Right-preconditioned GMRES on the true operator
    (``coef``) makes up the difference; with an exact factor it stops after the first solve.
    A starting guess ``x0`` (the previous answer) helps when only part of the field changed.

    Returns
    -------
    x, iterations, relative residual (max norm)
    """
    scale = max(float(np.abs(b).max()), 1e-300)
    x = solve(b) if x0 is None else x0 + solve(b - matvec(coef, x0))
    r = b - matvec(coef, x)
    res = float(np.abs(r).max()) / scale
    it = 0
    while res > rtol and it < max_iter:
        # one GMRES cycle on A M^-1 y = r, then x += M^-1 y
        m = min(20, max_iter - it)
        beta = float(np.linalg.norm(r))
        V = [r / beta]
        Z = []
        H = np.zeros((m + 1, m))
        k_used = 0
        for k in range(m):
            z = solve(V[k])
            Z.append(z)
            w = matvec(coef, z)
            for i in range(k + 1):  # modified Gram-Schmidt
                H[i, k] = float((w * V[i]).sum())
                w = w - H[i, k] * V[i]
            H[k + 1, k] = float(np.linalg.norm(w))
            k_used = k + 1
            it += 1
            e1 = np.zeros(k + 2)
            e1[0] = beta
            y, *_ = np.linalg.lstsq(H[: k + 2, : k + 1], e1, rcond=None)
            est = float(np.linalg.norm(H[: k + 2, : k + 1] @ y - e1)) / max(float(np.linalg.norm(b)), 1e-300)
            if H[k + 1, k] <= 1e-300 or est < rtol * 1e-2:
                break
            V.append(w / H[k + 1, k])
        x = x + sum(yi * zi for yi, zi in zip(y, Z[:k_used], strict=True))
        r = b - matvec(coef, x)
        new = float(np.abs(r).max()) / scale
        if new > 0.5 * res and new > rtol:  # stagnating: let the caller refactorise
            res = new
            break
        res = new
    return x, it, res
