"""Solve step: steady airflow and temperature of the room (arrays only).

Steady incompressible RANS with Boussinesq buoyancy on a staggered (MAC) grid, marched to
steady state in pseudo-time with an incremental pressure-correction (projection) scheme:

1. momentum predictor per velocity component: implicit first-order upwind convection,
   diffusion with the indoor zero-equation model ``nu_t = 0.03874 |V| L`` (Chen and Xu 1998,
   ``L`` the distance to the nearest wall), buoyancy ``g beta (T - T_ref)``, loss faces
   ``K rho |v| v / 2``, and a pseudo-time term ``rho V / dt``; a few red-black Gauss-Seidel
   sweeps;
2. pressure correction: ``div(d grad p') = div(u*)`` with ``d = A / (rho V / dt + loss)`` -
   a fixed operator for a fixed geometry, so its algebraic multigrid hierarchy (pyamg) is built
   once and kept; the correction makes every cell conserve mass to the solver tolerance;
3. temperature: pseudo-time upwind advection-diffusion (turbulent Prandtl number 0.9) with
   the racks' exhaust and the units' supply temperatures from the current field.

At steady state the pseudo-time terms and the correction vanish, so the answer does not
depend on ``dt``.

**Why this method and not fast fluid dynamics (FFD).** The two share the staggered grid, the
projection and the implicit diffusion; they differ in advection. FFD's semi-Lagrangian step
is built for time accuracy at large steps, and its steady state depends on the step and on the
interpolation (which adds numerical diffusion of order ``u dt`` per step); implicit upwind
marched in pseudo-time converges to the discrete *steady* equations, whatever the step, which
is what a grid-convergence test and a comparison with steady RANS (OpenFOAM's
buoyantBoussinesqSimpleFoam) need. FFD was not prototyped here (issue 13 asked for a
measurement of both): the choice rests on that argument and on this method's own figures,
measured on the five reference cases at 0.25 m (13-23k cells, 165-400 pseudo-time steps,
4-55 s of CPU on the shared 2-core machine). The OpenFOAM results were not yet in the
repository when this was written; ``tests/test_air_cfd.py`` compares the two as soon as they are.

**Loss faces and mixing.** Loss faces (floor tiles, ceiling grilles, containment panels, the
leakage of raised floors and ceilings) are not walls for turbulent mixing: heat diffuses
through them with the eddy diffusivity of the cells either side, and they do not shorten the
mixing length ``L``. This is how the OpenFOAM reference realises them (porous layers 0.04 m
thick that take the flow law, with k-epsilon's eddy viscosity unchanged inside them: 0.06 to
0.08 m2/s in the roof of the contained cold aisle of ``cold_aisle_raised_floor``, with no
temperature step across it), and measured against it, it is what the model was missing: with
panels as adiabatic walls that shorten ``L``, every inlet behind a panel read colder than CFD's
(``tests/air_cfd/EXPERIMENTS.md``). Flow through them still obeys only ``dp = K rho v^2 / 2``.

**Known limits (measured).** Grid convergence is not yet at the 0.5 K bar: on the open-aisle
reference case the rack inlet means move by up to 5.6 K from 0.5 to 0.25 m cells and by up to
1.8 K from 0.25 to 0.125 m (inlet max, the hottest of three inlet sensors: 4.6 K); on the
contained cold aisle by up to 0.67 K from 0.25 to 0.125 m (inlet max 1.7 K); the hot-aisle case
has no steady state at 0.125 m in 2,000 steps. A bounded second-order (van Leer) momentum
scheme changed the open-aisle inlets by 0.1 K at 0.25 m and left no steady state at 0.125 m
(and none on the hot-aisle case at 0.25 m): with less numerical diffusion the jets meeting in
an open aisle are unsteady, as OpenFOAM's URANS found (``tests/air_cfd/EXPERIMENTS.md``).
Cost: about 2-4 us of CPU per cell and
step, a few hundred steps from rest; far from issue 13's goals on large halls. The loop stops when the largest change per step of every velocity, relative
to the largest port velocity, and of every temperature are below their tolerances; if it does
not get there within ``max_iter`` steps the solution is flagged unconverged (the results step
turns that into an error finding, never into numbers). The final temperature field is then
solved exactly (:mod:`.energy`) on the converged flow, which is conservative to round-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp
from scipy import ndimage

from designer.solvers.air.build import BETA, GRAVITY, NU_AIR, RHO_AIR, Layout

DT_WINDOW = 40
"""Steps over which the march checks that its changes keep falling."""
CHEN_XU = 0.03874
"""Constant of the indoor zero-equation turbulence model (Chen and Xu 1998)."""
PR_T = 0.9
"""Turbulent Prandtl number."""
V_FLOOR = 2e-3
"""Loss faces follow ``dp = K rho |v| v / 2`` down to this face velocity and a linear law
below it (so the Newton coefficient never vanishes): 2 mm/s, below the leak velocities of
floors and panels at the pressures of a data hall (a 0.2 % leaky floor at 20 Pa: 7 mm/s)."""


def _loss_newton(c: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Newton linearisation of the loss ``L(u) = c |u| u`` (``c = K rho / 2``; linear,
    ``c V_FLOOR u``, below ``V_FLOOR``): the coefficient ``L'(u0)`` and the source
    ``L'(u0) u0 - L(u0)``."""
    a = np.abs(u)
    fast = a >= V_FLOOR
    coef = np.where(fast, 2.0 * c * a, c * V_FLOOR)
    src = np.where(fast, c * a * u, 0.0)
    return coef, src


def _sl(a: int, start, stop) -> tuple:
    s = [slice(None)] * 3
    s[a] = slice(start, stop)
    return tuple(s)


def _shift(x: np.ndarray, a: int, k: int) -> np.ndarray:
    """``y[i] = x[i + k]`` along axis ``a`` (k = +-1), zero beyond the ends."""
    y = np.zeros_like(x)
    if k > 0:
        y[_sl(a, 0, -1)] = x[_sl(a, 1, None)]
    else:
        y[_sl(a, 1, None)] = x[_sl(a, 0, -1)]
    return y


@dataclass
class FlowParams:
    dt: float = 1.0
    """Pseudo-time step, s."""
    sweeps: int = 2
    """Gauss-Seidel sweeps of each momentum component per step."""
    t_sweeps: int = 3
    dt_t_factor: float = 1.0
    """Pseudo-time step of the temperature relative to the flow's. Larger steps are stable
    for the temperature alone but not for the buoyant coupling: at 5 the failed-CRAH case
    oscillated by 12 K a step and never settled; at 1 it converges in about 300 steps."""
    max_iter: int = 3000
    min_iter: int = 20
    tol_u: float = 2e-5
    """Stop when no velocity changes by more than this share of the largest port velocity in a step..."""
    tol_t: float = 2e-4
    """... and no temperature by more than this many K in a step."""
    p_rtol: float = 1e-2
    """Relative tolerance of the pressure-correction solve inside the loop."""
    nut_every: int = 1
    dt_min: float = 0.5
    """Smallest pseudo-time step the march may halve down to (see ``run``)."""
    rebuild_cg: int = 25
    """Rebuild the multigrid hierarchy when CG needs more iterations than this."""


@dataclass
class FlowState:
    U: list  # face velocities per axis (z, y, x)
    p: np.ndarray
    T: np.ndarray
    t_item: np.ndarray  # exhaust T of racks, supply T of units


@dataclass
class Geometry:
    """Face masks, widths and the pressure operator of one layout (cached between solves)."""

    free: list
    wallboth: list
    K: list
    pw: list  # transverse wall flags: pw[a][b] for CV faces of a-faces on b-faces
    w: tuple
    fluid: np.ndarray
    idx: np.ndarray  # cell -> unknown of the pressure system (-1 solid)
    dist: np.ndarray
    color: list
    tcolor: np.ndarray
    key: tuple = ()
    K_in: list = field(default_factory=list)
    amg: object = None
    P: object = None
    p_pattern: tuple | None = None
    mom: list = field(default_factory=lambda: [None, None, None])
    d_ref: list = field(default_factory=list)


def geometry(lay: Layout) -> Geometry:
    mesh = lay.mesh
    solid = lay.solid
    fluid = ~solid
    w = mesh.widths()
    free, wallboth, K = [], [], []
    for a in range(3):
        fs = mesh.face_shape(a)
        f = np.zeros(fs, dtype=bool)
        wb = np.ones(fs, dtype=bool)
        f[_sl(a, 1, -1)] = fluid[_sl(a, 0, -1)] & fluid[_sl(a, 1, None)]
        wb[_sl(a, 1, -1)] = solid[_sl(a, 0, -1)] & solid[_sl(a, 1, None)]
        Ka = np.where(f, lay.K[a], 0.0)
        f &= np.isfinite(Ka)
        Ka = np.where(f, Ka, 0.0)
        free.append(f)
        wallboth.append(wb)
        K.append(Ka)
    # transverse walls of momentum CVs: a loss face (panel, floor) on the CV face acts as a wall
    pw = [[None] * 3 for _ in range(3)]
    for a in range(3):
        for b in range(3):
            if a == b:
                continue
            kb = K[b] > 0  # b-face array: cells along a
            pw[a][b] = kb[_sl(a, 0, -1)] | kb[_sl(a, 1, None)]  # shape: n_a - 1 along a, n_b + 1 along b
    # the pressure system has a row for every cell (identity in solids), so its size and
    # numbering survive moves and an old multigrid hierarchy stays usable as a preconditioner
    idx = np.arange(mesh.size).reshape(mesh.shape)
    nz, ny, nx = mesh.shape
    color = []
    for a in range(3):
        fs = mesh.face_shape(a)
        kk, jj, ii = np.indices(fs)
        color.append(((kk + jj + ii) % 2).astype(bool))
    kk, jj, ii = np.indices(mesh.shape)
    tcolor = ((kk + jj + ii) % 2).astype(bool)
    return Geometry(free, wallboth, K, pw, w, fluid, idx, wall_distance(lay), color, tcolor)


def wall_distance(lay: Layout) -> np.ndarray:
    """Distance from each cell centre to the nearest wall, m (solids and the grid's edge; not
    loss faces: see the module docstring): the plan distance in the layer and the vertical
    distance in the column, whichever is shorter."""
    mesh = lay.mesh
    h = mesh.plan.cell_m
    solid = lay.solid
    nz = mesh.nz
    plan = np.empty(mesh.shape)
    for k in range(nz):
        pad = np.pad(~solid[k], 1, constant_values=False)
        plan[k] = ndimage.distance_transform_edt(pad)[1:-1, 1:-1] * h - 0.5 * h
    zf, zc = mesh.zf, mesh.zc
    barrier = np.zeros((nz + 1,) + mesh.shape[1:], dtype=bool)
    barrier[0] = barrier[-1] = True
    barrier[1:-1] = solid[:-1] | solid[1:]
    below = np.empty(mesh.shape)
    last = np.full(mesh.shape[1:], zf[0])
    for k in range(nz):
        last = np.where(barrier[k], zf[k], last)
        below[k] = zc[k] - last
    above = np.empty(mesh.shape)
    nxt = np.full(mesh.shape[1:], zf[-1])
    for k in range(nz - 1, -1, -1):
        nxt = np.where(barrier[k + 1], zf[k + 1], nxt)
        above[k] = nxt - zc[k]
    return np.maximum(np.minimum(plan, np.minimum(below, above)), 1e-3)


class FlowSolver:
    """Pseudo-time marching of one layout to steady state (see the module docstring)."""

    def __init__(self, lay: Layout, geo: Geometry, prm: FlowParams, t_ref: float) -> None:
        self.lay, self.geo, self.prm, self.t_ref = lay, geo, prm, t_ref
        mesh = lay.mesh
        self.mesh = mesh
        self.fixed = [np.zeros(mesh.face_shape(a)) for a in range(3)]
        pt = lay.ports
        for a in range(3):
            s = pt.axis == a
            self.fixed[a].ravel()[pt.face[s]] = pt.vel[s]
        self.u_ref = max(float(np.abs(pt.vel).max()) if pt.vel.size else 0.0, 0.05)
        w = geo.w
        self.vol = w[0] * w[1] * w[2]
        self.iterations = 0
        self._M = None
        self._M_of = None
        self.amg_builds = 0
        self._last_cg = 0
        self.P = None
        self.converged = False
        self.failure = ""
        self.should_stop = None
        """A callable polled once per pseudo-time step: True stops the march (the document
        moved on); the solver then reports ``stopped`` and no answer."""
        self.stopped = False
        self.divergence = float("nan")
        self.history: list = []

    # -- turbulence ----------------------------------------------------------------------
    def nu_eff(self, U) -> np.ndarray:
        vz = 0.5 * (U[0][:-1] + U[0][1:])
        vy = 0.5 * (U[1][:, :-1] + U[1][:, 1:])
        vx = 0.5 * (U[2][:, :, :-1] + U[2][:, :, 1:])
        speed = np.sqrt(vx * vx + vy * vy + vz * vz)
        return NU_AIR + CHEN_XU * speed * self.geo.dist

    # -- pressure operator ------------------------------------------------------------------
    def d_faces(self, U) -> list:
        """Pressure-correction coefficient A d of every free face, m3/(s Pa) x rho."""
        geo, w, dt = self.geo, self.geo.w, self.prm.dt
        out = []
        for a in range(3):
            b, c = [x for x in range(3) if x != a]
            area = w[b] * w[c]
            wa = w[a]
            da = np.zeros(self.mesh.face_shape(a)) + 0.0
            da_int = 0.5 * (wa[_sl(a, 0, -1)] + wa[_sl(a, 1, None)])
            da[_sl(a, 1, -1)] = da_int
            # loss faces at their velocity rounded to a power of two: the operator (and its
            # multigrid hierarchy) changes only when a face's flow changes by more than ~40 %
            ub = 2.0 ** np.round(np.log2(np.maximum(np.abs(U[a]), V_FLOOR)))
            aP = RHO_AIR * da / dt + _loss_newton(0.5 * RHO_AIR * geo.K[a], ub)[0]
            out.append(np.where(geo.free[a], area * area / np.maximum(aP * area, 1e-300), 0.0))
        return out

    def pressure_matrix(self, dA) -> sp.csr_matrix:
        """The pressure-correction operator ``sum_f A d (p_P - p_nb)`` (identity rows in solids).
        Its sparsity pattern is worked out once per geometry; later calls only scatter the
        face coefficients into it."""
        geo = self.geo
        n = self.mesh.size
        if geo.p_pattern is None:
            rows, cols = [], []
            for a in range(3):
                f = geo.free[a][_sl(a, 1, -1)]
                ia = geo.idx[_sl(a, 0, -1)][f]
                ib = geo.idx[_sl(a, 1, None)][f]
                rows += [ia, ib, ia, ib]
                cols += [ib, ia, ia, ib]
            diag = np.arange(n)
            keys = np.concatenate(rows + [diag]) * n + np.concatenate(cols + [diag])
            uniq, inv = np.unique(keys, return_inverse=True)
            r = uniq // n
            indptr = np.zeros(n + 1, dtype=np.int64)
            np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
            geo.p_pattern = (uniq % n, indptr, inv, len(uniq), keys.size - n)
        indices, indptr, inv, nnz, nf = geo.p_pattern
        vals = []
        for a in range(3):
            v = dA[a][_sl(a, 1, -1)][geo.free[a][_sl(a, 1, -1)]]
            vals += [-v, -v, v, v]
        v = np.concatenate(vals)
        dsum = np.bincount(inv[:nf], weights=v, minlength=nnz)
        diag_pos = inv[nf:]
        d_now = dsum[diag_pos]
        scale = float(d_now[d_now > 0].mean()) if (d_now > 0).any() else 1.0
        dsum[diag_pos] += np.where(geo.fluid.ravel(), 1e-9 * scale, scale)
        return sp.csr_matrix((dsum, indices, indptr), shape=(n, n))

    def ensure_amg(self, U, force: bool = False) -> None:
        """Assemble the pressure operator for the current loss-face velocities; build a
        multigrid hierarchy when there is none (or ``force``): an older one, of a nearby
        operator, is kept as CG's preconditioner."""
        import pyamg

        geo = self.geo
        if self.P is not None and not force and not any((k > 0).any() for k in geo.K):
            return  # no loss faces: the operator depends on the geometry only
        dA = self.d_faces(U)
        if self.P is None or any(not np.array_equal(dA[a], self.dA[a]) for a in range(3)):
            self.dA = dA
            self.P = self.pressure_matrix(dA)
        if geo.amg is None or force:
            geo.amg = pyamg.smoothed_aggregation_solver(self.P, symmetry="hermitian", max_coarse=300)
            geo.d_ref = self.dA
            self.amg_builds += 1

    def solve_p(self, rhs: np.ndarray, rtol: float) -> tuple[np.ndarray, float, int]:
        from scipy.sparse.linalg import cg

        count = [0]

        def cb(_):
            count[0] += 1

        if self._M is None or self._M_of is not self.geo.amg:
            self._M = self.geo.amg.aspreconditioner(cycle="V")
            self._M_of = self.geo.amg
        x, _ = cg(self.P, rhs, rtol=rtol, atol=0.0, maxiter=300, M=self._M, callback=cb)
        nrm = float(np.linalg.norm(rhs)) or 1.0
        r = float(np.linalg.norm(rhs - self.P @ x)) / nrm
        self._last_cg = count[0]
        return x, r, count[0]

    # -- one momentum component ----------------------------------------------------------
    def _mom_static(self, a: int) -> dict:
        """Geometry-only factors of the a-momentum equations (kept on the cached geometry)."""
        geo, w = self.geo, self.geo.w
        if geo.mom[a] is not None:
            return geo.mom[a]
        b_, c_ = [x for x in range(3) if x != a]
        wa = w[a]
        area = w[b_] * w[c_]
        wlo, whi = wa[_sl(a, 0, -1)], wa[_sl(a, 1, None)]
        da = 0.5 * (wlo + whi)
        inner = _sl(a, 1, -1)
        shape = geo.free[a][inner].shape
        wb_int = geo.wallboth[a][inner]
        trans = {}
        for t in (b_, c_):
            o = c_ if t == b_ else b_
            wt = np.broadcast_to(w[t], shape)
            ds = 0.5 * (wt + _shift(wt.copy(), t, -1))
            dn = 0.5 * (wt + _shift(wt.copy(), t, +1))
            nb_s = _shift(wb_int.astype(float), t, -1) > 0
            nb_n = _shift(wb_int.astype(float), t, +1) > 0
            n_t = shape[t]
            edge_s = np.zeros(shape, dtype=bool)
            edge_n = np.zeros(shape, dtype=bool)
            edge_s[_sl(t, 0, 1)] = True
            edge_n[_sl(t, n_t - 1, n_t)] = True
            pwt = geo.pw[a][t]
            ps, pn = pwt[_sl(t, 0, -1)], pwt[_sl(t, 1, None)]
            ds = np.where(nb_s | edge_s | ps, 0.5 * wt, ds)
            dn = np.where(nb_n | edge_n | pn, 0.5 * wt, dn)
            g = np.broadcast_to(da * w[o], shape)
            trans[t] = dict(o=o, gs=g / ds, gn=g / dn, ps=ps, pn=pn, own_s=edge_s | nb_s, own_n=edge_n | nb_n,
                            ws=wlo * w[o], wh=whi * w[o])
        free = geo.free[a][inner]
        col = geo.color[a][inner]
        st = dict(b=b_, c=c_, area=area, vol=da * area, inner=inner, trans=trans,
                  Kh=0.5 * RHO_AIR * geo.K[a][inner], masks=(free & ~col, free & col))
        geo.mom[a] = st
        return st

    def momentum(self, a: int, U, U_old, p, T, mu, nsweep: int) -> None:
        st = self._mom_static(a)
        rho, dt = RHO_AIR, self.prm.dt
        w = self.geo.w
        area, vol, inner = st["area"], st["vol"], st["inner"]
        lo, hi = _sl(a, 0, -1), _sl(a, 1, None)
        Ua = U[a]
        # own direction: CV faces at cell centres
        Fc = (0.5 * rho) * (Ua[lo] + Ua[hi]) * area
        Dc = mu * (area / w[a])
        Fw, Fe = Fc[lo], Fc[hi]
        aW = Dc[lo] + np.maximum(Fw, 0.0)
        aE = Dc[hi] + np.maximum(-Fe, 0.0)
        # aP = sum of the neighbour coefficients (the net outflow of a momentum cell, which is
        # not exactly zero on a staggered grid, is left out: the usual choice for stability)
        aP = aW + aE
        mu_a = 0.5 * (mu[lo] + mu[hi])
        coef = []
        for t, tr_ in st["trans"].items():
            Ut = U[t]
            flux = (0.5 * rho) * (Ut[lo] * tr_["ws"] + Ut[hi] * tr_["wh"])
            Fs, Fn = flux[_sl(t, 0, -1)], flux[_sl(t, 1, None)]
            # viscosity on the CV faces along t: mean of the cells around the edge
            mu_s = mu_a.copy()
            mu_s[_sl(t, 1, None)] += mu_a[_sl(t, 0, -1)]
            mu_s[_sl(t, 1, None)] *= 0.5
            mu_n = mu_a.copy()
            mu_n[_sl(t, 0, -1)] += mu_a[_sl(t, 1, None)]
            mu_n[_sl(t, 0, -1)] *= 0.5
            mu_s = np.where(tr_["own_s"], mu_a, mu_s)
            mu_n = np.where(tr_["own_n"], mu_a, mu_n)
            Ds = mu_s * tr_["gs"]
            Dn = mu_n * tr_["gn"]
            # a loss face on the CV face is a thin wall for momentum (no flux, no-slip)
            ps, pn = tr_["ps"], tr_["pn"]
            aS = np.where(ps, 0.0, Ds + np.maximum(Fs, 0.0))
            aN = np.where(pn, 0.0, Dn + np.maximum(-Fn, 0.0))
            aP += aS + aN + np.where(ps, Ds, 0.0) + np.where(pn, Dn, 0.0)
            coef.append((t, aS, aN))
        U_old_int = U_old[a][inner]
        trn = rho * vol / dt
        # loss faces, Newton-linearised (a Picard step on v|v| oscillates about the answer)
        lin, lsrc = _loss_newton(st["Kh"], U_old_int)
        aP += trn + lin * area
        src = trn * U_old_int + (lsrc + (p[lo] - p[hi])) * area
        if a == 0:
            src += (rho * GRAVITY * BETA) * (0.5 * (T[:-1] + T[1:]) - self.t_ref) * vol
        inv = 1.0 / aP
        cur = Ua[inner]  # a view: updated in place
        for _ in range(nsweep):
            for m in st["masks"]:
                s = src + aW * Ua[_sl(a, 0, -2)] + aE * Ua[_sl(a, 2, None)]
                for t, aS, aN in coef:
                    s[_sl(t, 1, None)] += aS[_sl(t, 1, None)] * cur[_sl(t, 0, -1)]
                    s[_sl(t, 0, -1)] += aN[_sl(t, 0, -1)] * cur[_sl(t, 1, None)]
                np.copyto(cur, s * inv, where=m)

    # -- temperature ----------------------------------------------------------------------
    def flows(self, U) -> list:
        w = self.geo.w
        out = []
        for a in range(3):
            b, c = [x for x in range(3) if x != a]
            out.append(U[a] * (w[b] * w[c]))
        return out

    def t_coeffs(self, U, mu):
        """Upwind advection-diffusion coefficients of the cells (volumetric, m3/s)."""
        geo, w = self.geo, self.geo.w
        q = self.flows(U)
        al = (mu / RHO_AIR - NU_AIR) / PR_T + NU_AIR / 0.7
        aP = np.zeros(self.mesh.shape)
        nb = []
        for a in range(3):
            b, c = [x for x in range(3) if x != a]
            qa = q[a]
            inner = _sl(a, 1, -1)
            # loss faces (tiles, grilles, panels, leaky floors) diffuse heat like any face: see the
            # module docstring
            open_ = geo.free[a][inner]
            dist = 0.5 * (w[a][_sl(a, 0, -1)] + w[a][_sl(a, 1, None)])
            al_f = 0.5 * (al[_sl(a, 0, -1)] + al[_sl(a, 1, None)])
            D = np.where(open_, al_f * (w[b] * w[c]) / dist, 0.0)
            qi = np.where(geo.free[a][inner], qa[inner], 0.0)
            # face between cell lo (m-1) and hi (m): flow + goes lo -> hi
            lo_in = D + np.maximum(-qi, 0.0)  # coefficient of T_hi in the lo equation
            hi_in = D + np.maximum(qi, 0.0)  # coefficient of T_lo in the hi equation
            aP[_sl(a, 0, -1)] += D + np.maximum(qi, 0.0)
            aP[_sl(a, 1, None)] += D + np.maximum(-qi, 0.0)
            nb.append((lo_in, hi_in))
        return aP, nb

    def port_terms(self, t_item):
        """Port contributions to the cell equations: extra aP (outflow) and rhs (inflow x T)."""
        pt = self.lay.ports
        n = self.mesh.size
        out = np.where(pt.q < 0, -pt.q, 0.0)
        aP = np.bincount(pt.cell, weights=out, minlength=n)
        inn = np.where(pt.q > 0, pt.q, 0.0)
        rhs = np.bincount(pt.cell, weights=inn * t_item[pt.owner], minlength=n)
        return aP.reshape(self.mesh.shape), rhs.reshape(self.mesh.shape)

    def item_temps(self, T) -> np.ndarray:
        """Rack exhaust and unit supply temperatures from the current field (capacity control)."""
        lay = self.lay
        pt = lay.ports
        nr, nu = lay.n_racks, len(lay.unit_ids)
        Tf = T.ravel()
        w = np.where(pt.q < 0, -pt.q, 0.0)
        qo = np.bincount(pt.owner, weights=w, minlength=nr + nu)
        to = np.bincount(pt.owner, weights=w * Tf[pt.cell], minlength=nr + nu) / np.maximum(qo, 1e-300)
        from designer.solvers.air.build import RHO_CP

        t = np.empty(nr + nu)
        t[:nr] = to[:nr] + lay.rack_heat_w / (RHO_CP * np.maximum(lay.rack_q, 1e-300))
        ret = to[nr:]
        cap = lay.unit_capacity_w / (RHO_CP * np.maximum(lay.unit_q, 1e-300))
        t[nr:] = np.maximum(lay.unit_t_set, ret - cap)
        return t

    def temperature(self, T, T_old, U, mu, t_item, nsweep) -> None:
        from designer.solvers.air.build import RHO_CP

        aP, nb = self.t_coeffs(U, mu)
        paP, prhs = self.port_terms(t_item)
        tr = self.vol / (self.prm.dt * self.prm.dt_t_factor)
        aP = aP + paP + tr
        rhs = prhs + tr * T_old
        heat = np.bincount(self.lay.heat_cells, weights=self.lay.heat_w, minlength=self.mesh.size)
        rhs = rhs + heat.reshape(self.mesh.shape) / RHO_CP
        fluid = self.geo.fluid
        for _ in range(nsweep):
            for parity in (False, True):
                s = rhs.copy()
                for a in range(3):
                    lo_in, hi_in = nb[a]
                    s[_sl(a, 0, -1)] += lo_in * T[_sl(a, 1, None)]
                    s[_sl(a, 1, None)] += hi_in * T[_sl(a, 0, -1)]
                new = s / aP
                m = fluid & (self.geo.tcolor == parity)
                T[m] = new[m]

    # -- the loop ---------------------------------------------------------------------------
    def run(self, st: FlowState) -> FlowState:
        prm, geo = self.prm, self.geo
        self.dt_changes: list = []
        U = [np.where(geo.free[a], st.U[a], self.fixed[a]) for a in range(3)]
        p, T = st.p.copy(), st.T.copy()
        T[~geo.fluid] = self.t_ref
        t_item = st.t_item.copy()
        self.ensure_amg(U)
        mu = RHO_AIR * self.nu_eff(U)
        for it in range(prm.max_iter):
            if self.should_stop is not None and self.should_stop():
                self.stopped = True
                break
            U_old = [u.copy() for u in U]
            T_old = T.copy()
            if it % prm.nut_every == 0:
                mu = RHO_AIR * self.nu_eff(U)
            for a in range(3):
                self.momentum(a, U, U_old, p, T, mu, prm.sweeps)
            # projection
            div = np.zeros(self.mesh.shape)
            q = self.flows(U)
            for a in range(3):
                div += q[a][_sl(a, 1, None)] - q[a][_sl(a, 0, -1)]
            rhs = np.where(geo.fluid, -div, 0.0).ravel()
            if it > 0:
                self.ensure_amg(U_old)
            pc, pres, ncg = self.solve_p(rhs, prm.p_rtol)
            if ncg > prm.rebuild_cg or pres > 10 * prm.p_rtol:
                self.ensure_amg(U, force=True)
                pc, pres, ncg = self.solve_p(rhs, prm.p_rtol)
            if pres > 10 * prm.p_rtol:
                self.failure = f"pressure correction did not converge (relative residual {pres:.1e})"
                break
            pfull = np.where(geo.fluid, pc.reshape(self.mesh.shape), 0.0)
            dA = self.dA
            for a in range(3):
                b, c = [x for x in range(3) if x != a]
                area = geo.w[b] * geo.w[c]
                inner = _sl(a, 1, -1)
                corr = dA[a][inner] / area * (pfull[_sl(a, 0, -1)] - pfull[_sl(a, 1, None)])
                U[a][inner] += np.where(geo.free[a][inner], corr, 0.0)
            p = p + pfull
            # temperature
            t_item = self.item_temps(T)
            self.temperature(T, T_old, U, mu, t_item, prm.t_sweeps)
            # changes per step at the first step size: a halved step must not pass for progress
            scale = prm.dt / self.prm.dt
            du = max(float(np.abs(U[a] - U_old[a]).max()) for a in range(3)) / self.u_ref * scale
            dT = (float(np.abs(T - T_old)[geo.fluid].max()) if geo.fluid.any() else 0.0) * scale
            self.history.append((du, dT, pres, self._last_cg))
            if not (np.isfinite(du) and np.isfinite(dT)) or du > 1e3:
                self.failure = "the iteration diverged"
                break
            self.iterations = it + 1
            if it + 1 >= prm.min_iter and du < prm.tol_u and dT < prm.tol_t:
                self.converged = True
                break
            # a buoyant flow can settle into a limit cycle of the pseudo-time march at large
            # steps (the hot-aisle case at 0.25 m: 1-3 % of the velocities a step, for ever);
            # when the changes stop falling, halve the step (the steady answer does not depend
            # on it; the pressure operator and its hierarchy are rebuilt)
            w = DT_WINDOW
            if (it + 1) % w == 0 and it + 1 >= 4 * w and self.prm.dt > prm.dt_min \
                    and (not self.dt_changes or it + 1 - self.dt_changes[-1][0] >= 3 * w):
                h = np.array([x[0] for x in self.history[-3 * w:]])
                if h[2 * w:].max() > 0.9 * h[:w].max():  # no progress over two windows
                    self.prm = replace(self.prm, dt=max(self.prm.dt * 0.5, prm.dt_min))
                    self.dt_changes.append((it + 1, self.prm.dt))
                    self.ensure_amg(U, force=True)
        if self.converged:
            # a last, tight projection: the flow the temperature solve sees conserves mass in
            # every cell to round-off (so the discrete maximum principle holds exactly)
            for _ in range(3):
                div = np.zeros(self.mesh.shape)
                q = self.flows(U)
                for a in range(3):
                    div += q[a][_sl(a, 1, None)] - q[a][_sl(a, 0, -1)]
                scale = max(float(np.abs(np.concatenate([x.ravel() for x in q])).max()), 1e-300)
                self.divergence = float(np.abs(div[geo.fluid]).max()) / scale
                if self.divergence < 1e-11:
                    break
                pc, pres, _ = self.solve_p(np.where(geo.fluid, -div, 0.0).ravel(), 1e-12)
                pfull = np.where(geo.fluid, pc.reshape(self.mesh.shape), 0.0)
                for a in range(3):
                    inner = _sl(a, 1, -1)
                    b, c = [x for x in range(3) if x != a]
                    corr = self.dA[a][inner] / (geo.w[b] * geo.w[c]) * (pfull[_sl(a, 0, -1)] - pfull[_sl(a, 1, None)])
                    U[a][inner] += np.where(geo.free[a][inner], corr, 0.0)
        return FlowState(U, p, T, t_item)
