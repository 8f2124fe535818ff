"""The compiled loops of the air march (designer/solvers/air/kernels.py) against the numpy
code they replaced, kept here as the oracle: the same numbers to the last bit, sweep by sweep
on random coefficients along every axis, one momentum predictor (coefficients and sweeps) on
random fields of a real hall, and a whole solve of a hall with a raised floor, a ceiling
plenum, containment and loss faces."""

from __future__ import annotations

import numpy as np
import pytest

import designer.solvers.air.flow as flow
from designer.model.hall import (
    AirUnit,
    CeilingGrille,
    CeilingPlenum,
    Containment,
    FloorTile,
    Hall,
    Rack,
    RaisedFloor,
)
from designer.solvers.air import AirParams, solve_hall
from designer.solvers.air.engine import clear_memo
from designer.solvers.air.flow import _sl
from designer.solvers.air.kernels import m_sweeps, t_sweeps


# -- the numpy sweeps (flow.py before the kernels), verbatim in their arithmetic ---------------
def numpy_m_sweeps(a, Ua, src, aW, aE, inv, coef, masks, nsweep):
    inner = _sl(a, 1, -1)
    cur = Ua[inner]
    for _ in range(nsweep):
        for m in masks:
            s = src + aW * Ua[_sl(a, 0, -2)] + aE * Ua[_sl(a, 2, None)]
            for t, aS, aN in coef:
                s[_sl(t, 1, None)] += aS[_sl(t, 1, None)] * cur[_sl(t, 0, -1)]
                s[_sl(t, 0, -1)] += aN[_sl(t, 0, -1)] * cur[_sl(t, 1, None)]
            np.copyto(cur, s * inv, where=m)


def numpy_t_sweeps(T, rhs, aP, nb, fluid, tcolor, nsweep):
    for _ in range(nsweep):
        for parity in (False, True):
            s = rhs.copy()
            for a in range(3):
                lo_in, hi_in = nb[a]
                s[_sl(a, 0, -1)] += lo_in * T[_sl(a, 1, None)]
                s[_sl(a, 1, None)] += hi_in * T[_sl(a, 0, -1)]
            new = s / aP
            m = fluid & (tcolor == parity)
            T[m] = new[m]


def _kernel_m(a, Ua, src, aW, aE, inv, coef, masks, nsweep):
    (t1, aS1, aN1), (t2, aS2, aN2) = coef

    def own_first(x):
        return np.moveaxis(x, (a, t1, t2), (0, 1, 2))

    cur = Ua[_sl(a, 1, -1)]
    m_sweeps(own_first(Ua), own_first(cur), own_first(src), own_first(aW), own_first(aE), own_first(inv),
             own_first(aS1), own_first(aN1), own_first(aS2), own_first(aN2), own_first(masks[0]),
             own_first(masks[1]), nsweep)


SHAPE = (5, 7, 9)  # cells (z, y, x): odd and even extents, so no axis lines up with the colours


@pytest.mark.parametrize("a", [0, 1, 2])
@pytest.mark.parametrize("nsweep", [1, 2, 3])
def test_momentum_sweeps_are_the_numpy_sweeps_to_the_bit(a, nsweep):
    rng = np.random.default_rng(10 * a + nsweep)
    face = list(SHAPE)
    face[a] += 1
    Ua = rng.normal(size=face)
    inner_shape = list(face)
    inner_shape[a] -= 2

    def pos():
        return rng.uniform(0.1, 2.0, size=inner_shape)

    src, aW, aE = rng.normal(size=inner_shape), pos(), pos()
    inv = 1.0 / (aW + aE + pos() * 4)
    t1, t2 = [x for x in range(3) if x != a]
    coef = [(t1, pos(), pos()), (t2, pos(), pos())]
    kk, jj, ii = np.indices(face)
    colour = ((kk + jj + ii) % 2).astype(bool)[_sl(a, 1, -1)]
    free = rng.uniform(size=inner_shape) > 0.15  # solid faces keep their value
    masks = (free & ~colour, free & colour)
    want = Ua.copy()
    numpy_m_sweeps(a, want, src, aW, aE, inv, coef, masks, nsweep)
    got = Ua.copy()
    _kernel_m(a, got, src, aW, aE, inv, coef, masks, nsweep)
    assert not np.array_equal(want, Ua)  # the sweeps did something
    assert np.array_equal(got, want)


@pytest.mark.parametrize("nsweep", [1, 3])
def test_temperature_sweeps_are_the_numpy_sweeps_to_the_bit(nsweep):
    rng = np.random.default_rng(nsweep)
    T0 = rng.uniform(18, 40, size=SHAPE)
    rhs = rng.uniform(0, 5, size=SHAPE)
    nb = []
    for a in range(3):
        s = list(SHAPE)
        s[a] -= 1
        nb.append((rng.uniform(0, 1, size=s), rng.uniform(0, 1, size=s)))
    aP = 3.5 + rng.uniform(0, 1, size=SHAPE)
    fluid = rng.uniform(size=SHAPE) > 0.2
    kk, jj, ii = np.indices(SHAPE)
    tcolor = ((kk + jj + ii) % 2).astype(bool)
    want = T0.copy()
    numpy_t_sweeps(want, rhs, aP, nb, fluid, tcolor, nsweep)
    got = T0.copy()
    t_sweeps(got, rhs, aP, nb[0][0], nb[0][1], nb[1][0], nb[1][1], nb[2][0], nb[2][1], fluid & ~tcolor,
             fluid & tcolor, nsweep)
    assert not np.array_equal(want, T0)
    assert np.array_equal(got[~fluid], T0[~fluid])
    assert np.array_equal(got, want)


def _hall() -> Hall:
    """Two rows around a contained cold aisle fed by floor tiles, ceiling grilles to a plenum:
    every kind of face the sweeps see (open, solid, loss faces, ports)."""
    racks = [Rack(id=f"a{k}", name=f"A{k}", x=2.8 + 0.8 * k, y=2.0, rotation_deg=0, it_load_kw=6.0) for k in range(4)]
    racks += [Rack(id=f"b{k}", name=f"B{k}", x=2.8 + 0.8 * k, y=4.4, rotation_deg=180, it_load_kw=6.0)
              for k in range(4)]
    units = [AirUnit(id=f"c{i}", name=f"CRAH{i}", kind="crah", x=x, y=3.2, rotation_deg=rot, width_m=2.0, depth_m=0.8,
                     height_m=2.0, capacity_kw=100.0, airflow_m3s=3.0, supply_temp_c=20.0,
                     discharge="underfloor", intake="ceiling_plenum")
             for i, x, rot in ((1, 0.4, 270), (2, 7.6, 90))]
    return Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)], height_m=3.0, racks=racks, air_units=units,
                raised_floor=RaisedFloor(height_m=0.4), ceiling_plenum=CeilingPlenum(height_m=0.4),
                floor_tiles=[FloorTile(id=f"t{k}", x=2.8 + 0.8 * k, y=3.2, width_m=0.8, depth_m=0.8)
                             for k in range(4)],
                ceiling_grilles=[CeilingGrille(id=f"g{k}", x=2.8 + 0.8 * k, y=y, width_m=0.8, depth_m=0.4)
                                 for k in range(4) for y in (0.6, 5.8)],
                containments=[Containment(id="ca", kind="cold",
                                          polygon=[(2.4, 2.6), (5.6, 2.6), (5.6, 3.8), (2.4, 3.8)])])


def numpy_momentum(fs, a, U, U_old, p, T, mu, nsweep):
    """FlowSolver.momentum as it was in numpy (flow.py before the kernels), coefficients and
    sweeps."""
    st = fs._mom_factors(a)
    rho, dt = flow.RHO_AIR, fs.prm.dt
    w = fs.geo.w
    area, vol, inner = st["area"], st["vol"], st["inner"]
    lo, hi = _sl(a, 0, -1), _sl(a, 1, None)
    Ua = U[a]
    Fc = (0.5 * rho) * (Ua[lo] + Ua[hi]) * area
    Dc = mu * (area / w[a])
    Fw, Fe = Fc[lo], Fc[hi]
    aW = Dc[lo] + np.maximum(Fw, 0.0)
    aE = Dc[hi] + np.maximum(-Fe, 0.0)
    aP = aW + aE
    mu_a = 0.5 * (mu[lo] + mu[hi])
    coef = []
    for t, tr_ in st["trans"].items():
        Ut = U[t]
        flux = (0.5 * rho) * (Ut[lo] * tr_["ws"] + Ut[hi] * tr_["wh"])
        Fs, Fn = flux[_sl(t, 0, -1)], flux[_sl(t, 1, None)]
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
        ps, pn = tr_["ps"], tr_["pn"]
        aS = np.where(ps, 0.0, Ds + np.maximum(Fs, 0.0))
        aN = np.where(pn, 0.0, Dn + np.maximum(-Fn, 0.0))
        aP += aS + aN + np.where(ps, Ds, 0.0) + np.where(pn, Dn, 0.0)
        coef.append((t, aS, aN))
    U_old_int = U_old[a][inner]
    trn = rho * vol / dt
    lin, lsrc = flow._loss_newton(st["Kh"], U_old_int)
    aP += trn + lin * area
    src = trn * U_old_int + (lsrc + (p[lo] - p[hi])) * area
    if a == 0:
        src += (rho * flow.GRAVITY * flow.BETA) * (0.5 * (T[:-1] + T[1:]) - fs.t_ref) * vol
    inv = 1.0 / aP
    numpy_m_sweeps(a, Ua, src, aW, aE, inv, coef, st["masks"], nsweep)


def _solver(hall: Hall, cell: float = 0.4) -> flow.FlowSolver:
    from designer.solvers.air.build import build, build_mesh

    mesh = build_mesh(hall, cell)
    lay = build(hall, cell, mesh)
    geo = flow.geometry(lay)
    return flow.FlowSolver(lay, geo, flow.FlowParams(dt=2.0), 21.0)


@pytest.mark.parametrize("a", [0, 1, 2])
def test_one_momentum_predictor_is_the_numpy_one_to_the_bit(a):
    """Random flow, pressure and temperature fields on a hall with loss faces (tiles, grilles,
    panels, the floor's and ceiling's leakage), some loss faces slower than the linear floor."""
    fs = _solver(_hall())
    rng = np.random.default_rng(a)
    mesh = fs.mesh
    U = [np.where(fs.geo.free[b], rng.normal(0, 0.5, mesh.face_shape(b)), fs.fixed[b]) for b in range(3)]
    U[a].ravel()[rng.choice(U[a].size, 50)] = 1e-3  # under V_FLOOR
    U_old = [u + rng.normal(0, 0.05, u.shape) for u in U]
    p = rng.normal(0, 2.0, mesh.shape)
    T = rng.uniform(18, 40, mesh.shape)
    mu = flow.RHO_AIR * fs.nu_eff(U)
    want = [u.copy() for u in U]
    numpy_momentum(fs, a, want, U_old, p, T, mu, 2)
    got = [u.copy() for u in U]
    fs.momentum(a, got, U_old, p, T, mu, 2)
    assert not np.array_equal(want[a], U[a])
    assert (fs.geo.K[a] > 0).any() and (fs.geo.K[a] > 0).sum() < fs.geo.free[a].sum()
    for b in range(3):
        assert np.array_equal(got[b], want[b])


def test_a_whole_solve_is_the_numpy_solve_to_the_bit(monkeypatch):
    prm = AirParams(cell_m=0.4)
    clear_memo()
    fast = solve_hall(_hall(), prm)

    def t_numpy(T, rhs, aP, lo0, hi0, lo1, hi1, lo2, hi2, mask0, mask1, nsweep):
        fluid = mask0 | mask1
        numpy_t_sweeps(T, rhs, aP, [(lo0, hi0), (lo1, hi1), (lo2, hi2)], fluid, mask1, nsweep)

    monkeypatch.setattr(flow.FlowSolver, "momentum", numpy_momentum)
    monkeypatch.setattr(flow, "t_sweeps", t_numpy)
    clear_memo()
    slow = solve_hall(_hall(), prm)
    assert fast.converged and slow.converged
    assert fast.iterations == slow.iterations
    for a in range(3):
        assert np.array_equal(fast.U[a], slow.U[a])
    assert np.array_equal(fast.T, slow.T, equal_nan=True)
