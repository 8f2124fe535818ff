"""Physics of the air model: heat balance, convergence to an analytic solution, maximum
principle, mirror symmetry, and containment against recirculation over a row end."""

from __future__ import annotations

import numpy as np
import pytest
from hyp import examples
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy.special import k0

from designer.io.generate import generate_project
from designer.model.hall import AirUnit, Containment, Hall, Rack
from designer.solvers.air import AirParams, HallCache, site_results, solve_hall
from designer.solvers.air.build import RHO_CP
from designer.solvers.air.engine import FLOW_RTOL, RESIDUAL_RTOL
from designer.solvers.air.nd import NDPattern
from designer.solvers.air.temperature import matvec, solve_refined, transport_system

BALANCE_RTOL = 1e-9


def _result(hall: Hall, cache: HallCache | None = None, cell_m: float = 0.25):
    sol = solve_hall(hall, AirParams(cell_m=cell_m), cache)
    res, findings = site_results("s", "test hall", 0, hall, sol, "A1")
    return sol, res, findings


def _assert_balanced(res):
    b = res.balance
    assert b.heat_in_kw > 0
    assert abs(b.residual_kw) <= BALANCE_RTOL * b.heat_in_kw, b
    # what the units remove is the heat put in (open boundary only round-off here)
    assert abs(b.open_boundary_kw) <= 1e-6 * b.heat_in_kw, b


def _rack(i, x, y, rot=0.0, kw=10.0, lf=0.0, **kw_):
    return Rack(id=f"r{i}", name=f"R{i:02d}", x=x, y=y, rotation_deg=rot, it_load_kw=kw,
                liquid_fraction=lf, **kw_)


def _irc(i, x, y, rot=0.0, flow=2.9, t=22.0):
    return AirUnit(id=f"u{i}", name=f"IRC{i}", kind="inrow", x=x, y=y, rotation_deg=rot, width_m=0.3,
                   depth_m=1.2, capacity_kw=40.0, airflow_m3s=flow, supply_temp_c=t)


def _crah(i, x, y, rot=0.0, flow=6.0, t=20.0, cap=120.0):
    return AirUnit(id=f"c{i}", name=f"CRAH{i}", kind="crah", x=x, y=y, rotation_deg=rot, width_m=1.8,
                   depth_m=0.9, capacity_kw=cap, airflow_m3s=flow, supply_temp_c=t)


# -- energy balance ---------------------------------------------------------------------------
@pytest.mark.parametrize("n", [40, 200])
def test_energy_balance_generated_hall(n):
    hall = generate_project(n).sites[0].hall
    sol, res, _ = _result(hall)
    _assert_balanced(res)
    # hybrid racks: 30 % of their load goes to air
    expect = sum(r.it_load_kw * (1 - r.liquid_fraction) for r in hall.racks)
    assert res.balance.heat_in_kw == pytest.approx(expect, rel=1e-12)


def test_energy_balance_every_sample_site(sample_project):
    for site in sample_project.sites:
        sol = solve_hall(site.hall, AirParams())
        res, _ = site_results(site.id, site.name, 0, site.hall, sol, "A1")
        _assert_balanced(res)


def test_energy_balance_with_rear_doors_cold_containment_and_liquid_racks():
    """Raised-floor feed of a contained cold aisle, rear doors, mixed liquid fractions."""
    racks = [_rack(k, 3.0 + 0.6 * k, 3.6, 0.0, kw=12.0, lf=0.5 * (k % 2)) for k in range(6)]
    racks += [_rack(10 + k, 3.0 + 0.6 * k, 6.0, 180.0, kw=8.0) for k in range(6)]
    doors = [AirUnit(id="d1", kind="rear_door", rack_id="r1", capacity_kw=4.0, airflow_m3s=0.5),
             AirUnit(id="d2", kind="rear_door", rack_id="r12", capacity_kw=50.0, airflow_m3s=0.5)]
    hall = Hall(outline=[(0, 0), (12, 0), (12, 10), (0, 10)], racks=racks,
                air_units=[_crah(1, 6.0, 0.45, 0.0), _crah(2, 6.0, 9.55, 180.0), *doors],
                containments=[Containment(id="ca", kind="cold", polygon=[(2.7, 4.2), (6.6, 4.2),
                                                                           (6.6, 5.4), (2.7, 5.4)])])
    sol, res, _ = _result(hall)
    _assert_balanced(res)
    # the cold aisle is fed through the floor, not through its panels
    ca = res.containments["ca"]
    assert ca.plenum_m3s == pytest.approx(ca.rack_net_m3s, rel=1e-12)
    assert abs(ca.spill_m3s) < 1e-6
    # a door bigger than its rack's air load makes the rack room-neutral, a small one helps
    r1, r12 = res.racks["r1"], res.racks["r12"]
    assert res.units["d2"].load_kw == pytest.approx(8.0, rel=1e-12)
    assert r12.exhaust_c == pytest.approx(r12.inlet_mean_c, abs=1e-9)
    assert res.units["d1"].load_kw == pytest.approx(4.0, rel=1e-12)
    assert r1.heat_to_air_kw == pytest.approx(12.0 * 0.5 - 4.0, rel=1e-12)
    # heat in counts what reaches the room: all loads to air minus what the doors take
    to_air = sum(r.it_load_kw * (1 - r.liquid_fraction) for r in racks) - 4.0 - 8.0
    assert res.balance.heat_in_kw == pytest.approx(to_air, rel=1e-12)


def test_energy_balance_after_incremental_solves():
    """Moves and power edits go through partial refactorisation and GMRES: the balance
    still closes, and the answer equals a solve from scratch."""
    hall = generate_project(40).sites[0].hall
    cache = HallCache()
    _result(hall, cache)
    hall.racks[7].x += 0.25
    sol, res, _ = _result(hall, cache)
    assert sol.stats["flow"].startswith("partial")
    _assert_balanced(res)
    hall.racks[3].it_load_kw *= 1.7
    sol2, res2, _ = _result(hall, cache)
    assert sol2.stats["flow"] == "reused"
    _assert_balanced(res2)
    fresh, res3, _ = _result(hall)
    assert np.nanmax(np.abs(fresh.T - sol2.T)) < 1e-8
    for rid, r in res3.racks.items():
        assert res2.racks[rid].inlet_max_c == pytest.approx(r.inlet_max_c, abs=1e-8)


# -- point source in uniform flow: convergence at the scheme's order --------------------------
def _point_source_error(h, u=0.5, gam=0.1, height=1.0, q=1.0, box=(-1.0, 3.0, -1.5, 1.5)):
    """Max and RMS error (r >= 0.5 m) of a point source in uniform flow against
    T = q / (2 pi gam H) exp(u x / 2 gam) K0(u r / 2 gam), the exact value imposed outside."""
    x0, x1, y0, y1 = box
    nx, ny = round((x1 - x0) / h), round((y1 - y0) / h)
    xc = x0 + (np.arange(nx) + 0.5) * h
    yc = y0 + (np.arange(ny) + 0.5) * h
    X, Y = np.meshgrid(xc, yc)
    a = u / (2 * gam)

    def exact(x, y):
        return q / height / (2 * np.pi * gam) * np.exp(a * x) * k0(a * np.hypot(x, y))

    fx = np.zeros((ny, nx + 1))
    fx[:, 1:-1] = u * h * height
    fy = np.zeros((ny + 1, nx))
    dx = np.zeros((ny, nx + 1))
    dx[:, 1:-1] = gam * height
    dy = np.zeros((ny + 1, nx))
    dy[1:-1, :] = gam * height
    m_in, heat_in, m_out = np.zeros((ny, nx)), np.zeros((ny, nx)), np.zeros((ny, nx))
    src, g = np.zeros((ny, nx)), np.zeros((ny, nx))
    qf = u * h * height
    m_in[:, 0] += qf
    heat_in[:, 0] += qf * exact(np.full(ny, x0), yc)
    m_out[:, -1] += qf
    gb = 2 * gam * height  # diffusion from the cell centre to the boundary face
    for sl, xb, yb in (((slice(None), 0), np.full(ny, x0), yc), ((slice(None), -1), np.full(ny, x1), yc),
                       ((0, slice(None)), xc, np.full(nx, y0)), ((-1, slice(None)), xc, np.full(nx, y1))):
        g[sl] += gb
        src[sl] += gb * exact(xb, yb)
    i0, j0 = round(-x0 / h), round(-y0 / h)  # the origin is a cell corner at every level
    src[j0 - 1:j0 + 1, i0 - 1:i0 + 1] += q / 4
    ts = transport_system(fx, fy, dx, dy, m_in, heat_in, m_out, src, np.ones((ny, nx), bool), 0.0, g_ex=g)
    pat = NDPattern(ny, nx)
    T, _, res = solve_refined(pat.factor(pat.coefficients(*ts.coef)).solve, ts.coef, ts.rhs)
    assert res < 1e-12
    err = np.abs(T - exact(X, Y))[np.hypot(X, Y) >= 0.5]
    return err.max(), np.sqrt((err ** 2).mean())


def test_point_source_converges_at_first_order():
    hs = np.array([0.1, 0.05, 0.025])
    errs = np.array([_point_source_error(h) for h in hs])
    slope_max = np.polyfit(np.log(hs), np.log(errs[:, 0]), 1)[0]
    slope_rms = np.polyfit(np.log(hs), np.log(errs[:, 1]), 1)[0]
    # first-order upwind: the error halves with the cell size
    assert 0.8 <= slope_max <= 1.2, slope_max
    assert 0.9 <= slope_rms <= 1.1, slope_rms
    assert errs[-1, 0] < 0.02  # against a peak of about 0.6 K at r = 0.5 m


# -- maximum principle ------------------------------------------------------------------------
@settings(max_examples=examples(30), deadline=None)
@given(ny=st.integers(2, 25), nx=st.integers(2, 25), seed=st.integers(0, 2 ** 31 - 1),
       heat=st.booleans())
def test_no_overshoot(ny, nx, seed, heat):
    """Any flow field, any inflow temperatures: without heat sources every temperature lies
    between the coldest and warmest air coming in; with sources none is below the coldest."""
    rng = np.random.default_rng(seed)
    phi = rng.standard_normal((ny, nx)) * rng.uniform(0.01, 10)
    cx = np.zeros((ny, nx + 1))
    cx[:, 1:-1] = rng.uniform(0, 1, (ny, nx - 1))
    cy = np.zeros((ny + 1, nx))
    cy[1:-1, :] = rng.uniform(0, 1, (ny - 1, nx))
    fx, fy = np.zeros_like(cx), np.zeros_like(cy)
    fx[:, 1:-1] = cx[:, 1:-1] * (phi[:, :-1] - phi[:, 1:])
    fy[1:-1, :] = cy[1:-1, :] * (phi[:-1, :] - phi[1:, :])
    m_in = np.where(rng.random((ny, nx)) < 0.2, rng.uniform(0, 2, (ny, nx)), 0.0)
    t_in = rng.uniform(15, 30, (ny, nx))
    m_out = np.where(rng.random((ny, nx)) < 0.2, rng.uniform(0, 2, (ny, nx)), 0.0)
    src = rng.uniform(0, 5, (ny, nx)) if heat else np.zeros((ny, nx))
    t_ref = 22.0
    ts = transport_system(fx, fy, 0.05 * cx, 0.05 * cy, m_in, m_in * t_in, m_out, src,
                          np.ones((ny, nx), bool), t_ref)
    pat = NDPattern(ny, nx)
    T, _, _ = solve_refined(pat.factor(pat.coefficients(*ts.coef)).solve, ts.coef, ts.rhs)
    lo = min(t_ref, t_in[m_in > 0].min()) if (m_in > 0).any() else t_ref
    hi = max(t_ref, t_in[m_in > 0].max()) if (m_in > 0).any() else t_ref
    assert T.min() >= lo - 1e-9
    if not heat:
        assert T.max() <= hi + 1e-9


# -- mirror symmetry --------------------------------------------------------------------------
W, D = 12.0, 8.0


def _mirror_rack(r: Rack, k: int) -> Rack:
    return r.model_copy(update={"id": f"m{k}", "name": f"M{k}", "x": W - r.x,
                                "rotation_deg": (360.0 - r.rotation_deg) % 360.0})


def _condition_inf(coef, keep) -> float:
    """Condition number (max norm) of a 5-point operator on the cells ``keep``, estimated
    (Higham's 1-norm estimator on the transpose). ``keep`` must be a union of blocks the
    operator does not couple to the rest (here: the cells the units' air reaches; a sealed
    pocket is held only by a 1e-9 exchange and is left out of the answer)."""
    import scipy.sparse as sp
    from scipy.sparse.linalg import LinearOperator, onenormest, splu

    C, Wc, E, S, N = coef
    ny, nx = C.shape
    idx = np.arange(ny * nx).reshape(ny, nx)
    rows = [idx, idx[:, 1:], idx[:, :-1], idx[1:, :], idx[:-1, :]]
    cols = [idx, idx[:, :-1], idx[:, 1:], idx[:-1, :], idx[1:, :]]
    vals = [C, Wc[:, 1:], E[:, :-1], S[1:, :], N[:-1, :]]
    A = sp.csc_matrix((np.concatenate([v.ravel() for v in vals]),
                       (np.concatenate([r.ravel() for r in rows]), np.concatenate([c.ravel() for c in cols]))),
                      shape=(ny * nx, ny * nx)).tocsr()
    k = np.nonzero(keep.ravel())[0]
    A = A[k][:, k].tocsc()
    lu = splu(A)
    inv_t = LinearOperator(A.shape, matvec=lambda x: lu.solve(x, trans="T"), rmatvec=lu.solve)
    return float(onenormest(A.T.tocsc()) * onenormest(inv_t))


@settings(max_examples=examples(12), deadline=None)
@given(st.lists(st.tuples(st.integers(5, 26), st.integers(8, 62), st.sampled_from([0, 90, 180, 270]),
                          st.floats(2.0, 20.0)), min_size=1, max_size=5))
# found at random: two racks on one spot (both blocked) left a region whose sources do not
# balance; its leak through the grounding raised the potential to 2.9e10, and flows taken as
# differences of it were asymmetric by 5e-8 m3/s, the temperatures by 4.2e-6 K; the second
# and third also wall off pockets the units' air does not reach
@example([(5, 8, 0, 2.0), (5, 8, 0, 2.0), (8, 45, 90, 2.0), (11, 37, 90, 2.0), (17, 43, 0, 2.0)])
@example([(5, 8, 0, 2.0), (5, 8, 90, 2.0), (5, 15, 90, 2.0)])
@example([(5, 8, 0, 2.0), (5, 8, 90, 2.0), (5, 17, 90, 2.0)])
def test_mirror_symmetric_layout_gives_mirror_symmetric_answer(spec):
    """Racks placed at random in the west half and mirrored into the east half (x -> W - x,
    rotation -> -rotation), between mirror-symmetric units: the temperature field and every
    answer must be mirror-symmetric, to the round-off the solves allow.

    Tolerance, from the numerics: a solve whose relative residual is ``r`` is off by at most
    ``kappa * r`` relative (``kappa`` the operator's condition number, estimated here, about
    1e3 for these halls, on the cells the units' air reaches). ``r`` is the larger of the two solves' achieved residuals (airflow
    and temperature: at most FLOW_RTOL and RESIDUAL_RTOL, mostly round-off) and never taken
    below machine epsilon; a factor 10 covers the norm-wise estimate. That is mostly ~1e-9 K,
    at worst ~1e-5 K; the answers agree to ~1e-13 K.
    """
    left = [_rack(k, 0.1 * xi, 0.1 * yi, float(rot), kw=kw) for k, (xi, yi, rot, kw) in enumerate(spec)]
    right = [_mirror_rack(r, k) for k, r in enumerate(left)]
    units = [_crah(1, W / 2, 0.45, 0.0), _crah(2, W / 2, D - 0.45, 180.0),
             _irc(1, 0.6, D / 2, 270.0), _irc(2, W - 0.6, D / 2, 90.0)]
    hall = Hall(outline=[(0, 0), (W, 0), (W, D), (0, D)], racks=left + right, air_units=units)
    sol, res, _ = _result(hall)
    T = sol.T
    assert np.array_equal(np.isnan(T), np.isnan(T[:, ::-1]))
    reached = sol.ts.active if sol.unreached is None else sol.ts.active & ~sol.unreached
    kappa = _condition_inf(sol.ts.coef, reached)
    # the temperature residual on the cells of the answer (a sealed pocket, left out of it, is
    # held only by a 1e-9 exchange; its residual says nothing about the rest)
    Tr = np.nan_to_num(sol.T_all)
    res_t = np.abs((sol.ts.rhs - matvec(sol.ts.coef, Tr))[reached]).max() / np.abs(sol.ts.rhs[reached]).max()
    assert res_t <= RESIDUAL_RTOL and sol.stats["flow_residual"] <= FLOW_RTOL
    r = max(res_t, sol.stats["flow_residual"], np.finfo(float).eps)
    rel = 10.0 * kappa * r
    scale = np.nanmax(np.abs(T)) * rel
    assert np.nanmax(np.abs(T - T[:, ::-1])) <= scale
    for a, b in zip(left, right, strict=True):
        ra, rb = res.racks[a.id], res.racks[b.id]
        assert ra.blocked == rb.blocked
        if ra.inlet_max_c is not None:
            assert rb.inlet_max_c == pytest.approx(ra.inlet_max_c, abs=scale)
            assert rb.inlet_mean_c == pytest.approx(ra.inlet_mean_c, abs=scale)
    assert res.units["u1"].load_kw == pytest.approx(res.units["u2"].load_kw, rel=rel)
    assert res.units["c1"].load_kw > 0


# -- containment -------------------------------------------------------------------------------
def _row_hall(contained: bool) -> Hall:
    """One row of air-cooled racks facing a CRAH on the south wall; the exhaust can only get
    back to the CRAH round the row ends (past the end racks' intakes) unless the hot aisle
    behind the row is contained and vented to the CRAH through a ceiling plenum."""
    racks = [_rack(k, 3.3 + 0.6 * k, 4.0, 180.0, kw=10.0) for k in range(10)]
    cont = [Containment(id="hot", kind="hot", polygon=[(3.0, 4.6), (9.0, 4.6), (9.0, 5.8), (3.0, 5.8)])]
    return Hall(outline=[(0, 0), (12, 0), (12, 9), (0, 9)], racks=racks,
                air_units=[_crah(1, 6.0, 0.45, 0.0, flow=8.0, t=20.0, cap=150.0)],
                containments=cont if contained else [])


def test_containment_stops_recirculation_over_the_row_end():
    _, open_, _ = _result(_row_hall(False))
    _, closed, _ = _result(_row_hall(True))
    t_open = max(r.inlet_max_c for r in open_.racks.values())
    t_closed = max(r.inlet_max_c for r in closed.racks.values())
    ends = [open_.racks["r0"].inlet_max_c, open_.racks["r9"].inlet_max_c]
    middle = open_.racks["r4"].inlet_max_c
    # open: exhaust comes round the row ends into the end racks
    assert min(ends) > 20.0 + 2.0
    assert min(ends) > middle + 1.0
    # contained: the hot aisle vents to the CRAH, intakes see supply air (plus a little heat
    # diffusing through the leaky end panels: about 0.7 K at the end racks)
    assert t_closed < 20.0 + 1.0
    assert t_closed < t_open - 2.0
    _assert_balanced(open_)
    _assert_balanced(closed)
    assert closed.containments["hot"].plenum_m3s == pytest.approx(sum(r.airflow_m3s for r in closed.racks.values()))


def test_hot_aisle_is_hot_and_cold_aisle_cold_in_generated_hall():
    hall = generate_project(40).sites[0].hall
    sol, res, _ = _result(hall)
    inlets = np.array([r.inlet_mean_c for r in res.racks.values()])
    exhausts = np.array([r.exhaust_c for r in res.racks.values()])
    lab = sol.static.cont_label
    hot = np.nanmean(sol.T[lab >= 0])
    assert hot > inlets.mean() + 10.0
    assert np.all(exhausts > inlets)
    assert 20.0 <= inlets.min() and inlets.max() < 30.0
    # rack airflow from load: V = P / (rho cp dT)
    r = hall.racks[0]
    assert res.racks[r.id].airflow_m3s == pytest.approx(
        r.it_load_kw * 1000 * (1 - r.liquid_fraction) / (RHO_CP * r.design_delta_t_air_k), rel=1e-12)
