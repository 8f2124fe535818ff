"""Physics of the 3D air model: heat balance to round-off, the limits with known answers
(no heat, a corridor's mixed-cup temperature, capacity control), nothing implied, leakage
independent of the grid, and reuse between edits giving the fresh answer."""

from __future__ import annotations

import numpy as np
import pytest

from designer.model.hall import (
    AirUnit,
    Cdu,
    CeilingGrille,
    CeilingPlenum,
    Containment,
    FloorTile,
    Hall,
    Rack,
    RaisedFloor,
)
from designer.solvers.air import AirParams, HallCache, site_results, solve_hall
from designer.solvers.air.build import RHO_CP, build, leak_k, tile_k
from designer.solvers.air.engine import clear_memo

BALANCE_RTOL = 1e-9
CELL = 0.4  # coarse: these tests check conservation and limits, not accuracy


def _solve(hall: Hall, cell: float = CELL, cache: HallCache | None = None):
    sol = solve_hall(hall, AirParams(cell_m=cell), cache)
    res, findings = site_results("s", "test hall", 0, hall, sol, "A1")
    return sol, res, findings


def _crah(i, x, y, rot, flow=3.0, t=20.0, cap=100.0, **kw):
    return AirUnit(id=f"c{i}", name=f"CRAH{i}", kind="crah", x=x, y=y, rotation_deg=rot, width_m=2.0,
                   depth_m=0.8, height_m=2.0, capacity_kw=cap, airflow_m3s=flow, supply_temp_c=t, **kw)


def _room(kw=6.0, **hall_kw):
    """8 x 6 x 3 m, two rows of four racks around a cold aisle, CRAHs on the end walls."""
    racks = [Rack(id=f"a{k}", name=f"A{k}", x=2.8 + 0.8 * k, y=2.0, rotation_deg=0, it_load_kw=kw) for k in range(4)]
    racks += [Rack(id=f"b{k}", name=f"B{k}", x=2.8 + 0.8 * k, y=4.4, rotation_deg=180, it_load_kw=kw)
              for k in range(4)]
    units = [_crah(1, 0.4, 3.2, 270), _crah(2, 7.6, 3.2, 90)]
    return Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)], height_m=3.0, racks=racks, air_units=units, **hall_kw)


def _assert_balanced(res):
    b = res.balance
    assert b.heat_in_kw > 0
    assert abs(b.residual_kw) <= BALANCE_RTOL * b.heat_in_kw, b


# -- energy balance ---------------------------------------------------------------------------
def test_energy_balance_open_room():
    sol, res, _ = _solve(_room())
    assert sol.converged, sol.stats
    _assert_balanced(res)
    assert res.balance.heat_in_kw == pytest.approx(8 * 6.0, rel=1e-12)
    for r in res.racks.values():
        # exhaust is the front-face mean plus the rack's rise, exactly
        assert r.exhaust_c - r.inlet_mean_c == pytest.approx(6000.0 / (RHO_CP * r.airflow_m3s), rel=1e-9)
        assert 20.0 - 1e-9 <= r.inlet_mean_c <= r.inlet_max_c
        # the inlet max is the hottest of the three inlet sensors (bottom, middle, top)
        assert len(r.inlet_sensors_c) == 3 and r.inlet_max_c == max(r.inlet_sensors_c)
        assert min(r.inlet_sensors_c) >= 20.0 - 1e-9


def test_energy_balance_raised_floor_ceiling_plenum_doors_and_equipment():
    """Underfloor supply through tiles into a contained cold aisle, ducted returns from a
    ceiling plenum through grilles, a rear door, a CDU that loses heat to the room."""
    hall = _room(raised_floor=RaisedFloor(height_m=0.4), ceiling_plenum=CeilingPlenum(height_m=0.4))
    for u in hall.air_units:
        u.discharge, u.intake = "underfloor", "ceiling_plenum"
    hall.floor_tiles = [FloorTile(id=f"t{k}", x=2.8 + 0.8 * k, y=3.2, width_m=0.8, depth_m=0.8) for k in range(4)]
    hall.ceiling_grilles = [CeilingGrille(id=f"g{k}", x=2.8 + 0.8 * k, y=y, width_m=0.8, depth_m=0.4)
                            for k in range(4) for y in (0.6, 5.8)]
    hall.containments = [Containment(id="ca", kind="cold", polygon=[(2.4, 2.6), (5.6, 2.6), (5.6, 3.8), (2.4, 3.8)])]
    hall.air_units.append(AirUnit(id="d1", kind="rear_door", rack_id="a1", capacity_kw=4.0))
    hall.cdus = [Cdu(id="cdu", x=6.5, y=0.8, heat_to_air_kw=2.0)]
    sol, res, findings = _solve(hall)
    assert sol.converged, sol.stats
    _assert_balanced(res)
    assert res.balance.heat_in_kw == pytest.approx(8 * 6.0 - 4.0 + 2.0, rel=1e-12)
    ca = res.containments["ca"]
    assert ca.plenum_m3s < 0  # fed from the floor
    # the aisle is fed by the tiles and its inlets stay near the supply
    for k in range(4):
        assert res.racks[f"a{k}"].inlet_mean_c < 22.0
    assert not [f for f in findings if f.code.startswith("air.containment")]


# -- limits with known answers ------------------------------------------------------------------
def test_no_heat_means_supply_temperature_everywhere():
    hall = _room(kw=0.0)
    hall.cdus = [Cdu(id="cdu", x=6.5, y=0.8, heat_to_air_kw=1e-9)]
    sol, res, _ = _solve(hall)
    T = sol.T[np.isfinite(sol.T)]
    assert np.abs(T - 20.0).max() < 1e-6


def test_single_unit_returns_supply_plus_heat_over_its_flow():
    """A corridor with one unit blowing along it and a heat source downstream: the unit's
    return (the only way out) is T_supply + P / (rho cp Q) exactly (to round-off)."""
    P, Q = 3000.0, 1.2
    sup = AirUnit(id="u1", kind="inrow", x=0.2, y=1.0, rotation_deg=270, width_m=2.0, depth_m=0.4, height_m=2.0,
                  airflow_m3s=Q, capacity_kw=50, supply_temp_c=18.0, discharge="front", intake="top")
    hall = Hall(outline=[(0, 0), (12, 0), (12, 2), (0, 2)], height_m=3.0, air_units=[sup],
                cdus=[Cdu(id="h", x=4.0, y=1.0, width_m=0.4, depth_m=0.4, heat_to_air_kw=P / 1000.0)])
    sol, res, _ = _solve(hall, cell=0.4)
    assert sol.converged
    _assert_balanced(res)
    assert res.units["u1"].return_temp_c == pytest.approx(18.0 + P / (RHO_CP * Q), abs=1e-9)


def test_capacity_control_raises_the_supply_to_hold_the_capacity():
    hall = _room(kw=10.0)
    hall.air_units[0].capacity_kw = 30.0  # 80 kW of racks, about 40 kW each, on 30 + 70 kW
    hall.air_units[1].capacity_kw = 70.0
    sol, res, findings = _solve(hall)
    assert sol.converged
    _assert_balanced(res)
    c1, c2 = res.units["c1"], res.units["c2"]
    assert c1.limited and c1.supply_temp_c > 20.0 and c1.load_kw == pytest.approx(30.0, rel=1e-9)
    assert c1.supply_temp_c == pytest.approx(c1.return_temp_c - 30e3 / (RHO_CP * c1.airflow_m3s), abs=1e-9)
    assert not c2.limited and c2.supply_temp_c == 20.0
    assert c2.load_kw == pytest.approx(50.0, rel=1e-9)
    codes = {f.code for f in findings}
    assert "air.unit.overloaded" in codes and "air.capacity.short" not in codes


def test_the_capacity_rounds_share_one_factorisation_and_give_the_same_answer(monkeypatch):
    """The capacity loop's second round (a unit switched to its capacity equation) is
    preconditioned by the first round's incomplete factorisation, not a new one, and reaches the
    same temperatures as with a factorisation of its own (both to the solve's round-off)."""
    import scipy.sparse.linalg as spla

    from designer.solvers.air import energy

    hall = _room(kw=10.0)
    hall.air_units[0].capacity_kw = 30.0
    hall.air_units[1].capacity_kw = 70.0
    real = spla.spilu
    made = []

    def counted(*a, **kw):
        made.append(1)
        return real(*a, **kw)

    monkeypatch.setattr(spla, "spilu", counted)
    clear_memo()
    sol = solve_hall(hall, AirParams(cell_m=CELL))
    assert sol.energy.rounds >= 2 and sol.energy.converged and sol.energy.residual < 1e-12
    assert len(made) == 1
    own = energy._solve
    monkeypatch.setattr(energy, "_solve", lambda A, b, x0, pre=None: own(A, b, x0))  # each round its own
    made.clear()
    clear_memo()
    fresh = solve_hall(hall, AirParams(cell_m=CELL))
    assert len(made) == sol.energy.rounds
    assert np.nanmax(np.abs(sol.T - fresh.T)) < 1e-9
    assert np.abs(sol.energy.t_item - fresh.energy.t_item).max() < 1e-9


def test_heat_beyond_all_running_capacity_has_no_steady_state_and_no_numbers():
    hall = _room(kw=10.0)
    for u in hall.air_units:
        u.capacity_kw = 30.0  # 80 kW on 60 kW: the room can only warm up
    sol, res, findings = _solve(hall)
    assert not res.solved and res.map is None
    assert all(r.inlet_max_c is None for r in res.racks.values())
    codes = {f.code for f in findings}
    assert {"air.capacity.short", "air.not_converged"} <= codes


def test_a_unit_that_is_off_moves_no_air_and_capacity_counts_running_units():
    hall = _room(kw=6.0)  # 48 kW
    hall.air_units[0].running = False
    hall.air_units[1].capacity_kw = 40.0
    sol, res, findings = _solve(hall)
    short = [f for f in findings if f.code == "air.capacity.short"]
    assert short and "can remove 40.0 kW" in short[0].message  # the unit that is off does not count
    assert not res.solved
    hall.air_units[1].capacity_kw = 60.0
    sol, res, findings = _solve(hall)
    assert sol.converged
    _assert_balanced(res)
    assert res.units["c1"].airflow_m3s == 0 and res.units["c1"].load_kw == 0 and not res.units["c1"].running
    assert res.units["c2"].load_kw == pytest.approx(48.0, rel=1e-9)
    assert any(f.code == "air.unit.off" for f in findings)


def test_contained_cold_aisle_with_no_supply_is_a_finding_not_an_implied_floor():
    hall = _room()
    hall.containments = [Containment(id="ca", kind="cold", polygon=[(2.4, 2.6), (5.6, 2.6), (5.6, 3.8), (2.4, 3.8)])]
    sol, res, findings = _solve(hall)
    assert sol.converged
    _assert_balanced(res)
    assert any(f.code == "air.containment.no_supply" and "ca" in f.item_ids for f in findings)
    assert res.containments["ca"].plenum_m3s == 0.0
    # its racks draw room air through the panels: inflow equals their intake
    assert res.containments["ca"].spill_m3s == pytest.approx(res.containments["ca"].rack_net_m3s, rel=1e-6)


def test_loss_coefficients_are_those_of_the_conventions():
    assert tile_k(0.25) == pytest.approx(29.7, abs=0.05)
    assert tile_k(0.5) == pytest.approx(4.0, abs=0.05)
    assert leak_k(0.01) == pytest.approx(1.0 / (0.61 * 0.01) ** 2, rel=1e-12)


@pytest.mark.parametrize("cell", [0.4, 0.2])
def test_panel_leak_coefficient_does_not_depend_on_the_grid(cell):
    hall = _room()
    hall.containments = [Containment(id="ca", kind="cold", polygon=[(2.4, 2.6), (5.6, 2.6), (5.6, 3.8), (2.4, 3.8)],
                                     leak_area_m2_per_m2=0.02)]
    lay = build(hall, cell)
    air = ~lay.solid
    area = 0.0
    for a in range(3):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        inner = [slice(None)] * 3
        lo[a], hi[a], inner[a] = slice(0, -1), slice(1, None), slice(1, -1)
        panel = (lay.K[a][tuple(inner)] > 0) & air[tuple(lo)] & air[tuple(hi)]  # between air cells
        assert np.allclose(lay.K[a][tuple(inner)][panel], leak_k(0.02))
        w = lay.mesh.widths()
        b, c = [x for x in range(3) if x != a]
        area += float((panel * (w[b] * w[c])).sum())
    # panel area on the grid is the drawn area: the two aisle ends (1.2 m wide) and, along the
    # long sides, the gaps between the racks (4 x 0.6 m of racks in 3.2 m), up to the roof at the
    # rack tops, and the roof over the aisle (3.2 x 1.2 m); the rest of the long sides is rack
    # faces. Exact where the 0.2 m gaps fall on grid lines, within the snapping at 0.4 m
    h = lay.mesh.zf[lay.mesh.k_of(hall.racks[0].outer_height_m())]
    drawn = (2 * 1.2 + 2 * (3.2 - 4 * 0.6)) * h + 3.2 * 1.2
    assert area == pytest.approx(drawn, rel=1e-9 if cell == 0.2 else 0.05)


def test_power_edit_reuses_geometry_and_gives_the_fresh_answer():
    hall = _room()
    cache = HallCache()
    _solve(hall, cache=cache)
    hall.racks[2].it_load_kw = 9.0
    sol, res, _ = _solve(hall, cache=cache)
    assert sol.stats["geometry"] == "reused" and sol.stats["start"] == "previous field"
    _assert_balanced(res)
    clear_memo()  # a solve from scratch, not the kept answer of the same hall
    fresh, res2, _ = _solve(hall)
    for rid, r in res2.racks.items():
        assert res.racks[rid].inlet_mean_c == pytest.approx(r.inlet_mean_c, abs=0.05)


def test_the_pressure_preconditioner_is_pyamgs_v_cycle():
    """Our V-cycle (without pyamg's per-call residual norms) gives pyamg's preconditioner's
    vector to the last bit, on pyamg's BSR coarse levels and on the CSR ones the solver keeps
    (whole-solve repeatability: tests/test_air_analysis.py)."""
    import pyamg
    import scipy.sparse as sp

    from designer.solvers.air.flow import v_cycle

    n = 24  # a 3D Poisson operator, 13,824 unknowns: three levels
    one = sp.diags([-np.ones(n - 1), 2 * np.ones(n), -np.ones(n - 1)], [-1, 0, 1])
    eye = sp.identity(n)
    A = (sp.kron(sp.kron(one, eye), eye) + sp.kron(sp.kron(eye, one), eye) + sp.kron(sp.kron(eye, eye), one)).tocsr()
    ml = pyamg.smoothed_aggregation_solver(A, symmetry="hermitian", max_coarse=300,
                                           presmoother=("gauss_seidel", {"sweep": "forward"}),
                                           postsmoother=("gauss_seidel", {"sweep": "backward"}))
    assert len(ml.levels) >= 3
    b = np.random.default_rng(3).standard_normal(A.shape[0])
    assert np.array_equal(v_cycle(ml) @ b, ml.aspreconditioner(cycle="V") @ b)
    for lvl in ml.levels:  # as FlowSolver.ensure_amg keeps them
        lvl.A = lvl.A.tocsr()
        if hasattr(lvl, "P"):
            lvl.P, lvl.R = lvl.P.tocsr(), lvl.R.tocsr()
    assert np.array_equal(v_cycle(ml) @ b, ml.aspreconditioner(cycle="V") @ b)


# -- a rack with no air of its own -------------------------------------------------------------
def test_a_covered_rack_picks_up_no_heat_in_the_march():
    """A rack drawn over another (a drag that lands on a neighbour) has no faces of its own, so
    no modelled airflow: the march gave it an exhaust of heat / 1e-300 = 1e300 K, which started
    the final temperature solve's iterations and made them NaN for 300 iterations (15 s on the
    1,000-rack hall) before the direct solve took over. It now picks up nothing, as in the
    final system, and the hall still solves with its heat reported lost."""
    from designer.solvers.air.build import build_mesh
    from designer.solvers.air.flow import FlowParams, FlowSolver, geometry

    hall = _room()
    hall.racks.append(hall.racks[0].model_copy(update={"id": "dup", "name": "Dup"}))
    lay = build(hall, CELL, build_mesh(hall, CELL))
    k = lay.rack_ids.index("dup")
    assert lay.rack_q[k] == 0 and lay.rack_heat_w[k] > 0
    fs = FlowSolver(lay, geometry(lay), FlowParams(), 20.0)
    t = fs.item_temps(np.full(lay.mesh.shape, 20.0))
    assert np.isfinite(t).all() and t[k] == 0.0
    others = np.arange(lay.n_racks) != k
    assert np.allclose(t[:lay.n_racks][others], 20.0 + lay.rack_heat_w[others] / (RHO_CP * lay.rack_q[others]))
    sol, res, findings = _solve(hall)
    assert sol.converged, sol.stats
    assert np.isfinite(sol.energy.t_item).all()


def test_the_iterative_temperature_solve_stops_at_a_non_finite_iterate(monkeypatch):
    """BiCGSTAB from a start that overflows stops at once and the direct solve answers (it
    used to iterate on NaN to its 300-iteration limit)."""
    import scipy.sparse as sp
    import scipy.sparse.linalg as spla

    from designer.solvers.air import energy

    rng = np.random.default_rng(3)
    n = 400
    A = sp.random(n, n, density=0.01, random_state=rng, format="csr")
    A = A + sp.diags(np.asarray(abs(A).sum(axis=1)).ravel() + 1.0)
    x_true = rng.uniform(15, 40, n)
    b = A @ x_true
    calls = []
    real = spla.bicgstab

    def counted(*args, callback=None, **kw):
        def cb(xk):
            calls.append(1)
            callback(xk)
        return real(*args, callback=cb, **kw)

    monkeypatch.setattr(spla, "bicgstab", counted)
    x0 = x_true.copy()
    x0[7] = 1e300
    x = energy._solve(A, b, x0)
    assert np.allclose(x, x_true, rtol=1e-12)
    assert len(calls) == 1  # stopped at the first iterate
    calls.clear()
    x = energy._solve(A, b, x_true + 1.0)  # a finite start: iterations, no fallback needed
    assert np.allclose(x, x_true, rtol=1e-12) and 1 <= len(calls) < 300


# -- the march's step size ----------------------------------------------------------------------


@pytest.mark.slow
def test_the_march_halves_its_step_in_a_limit_cycle_not_in_a_drift():
    """The pseudo-time step is halved when the march stops making progress *and* its field goes
    back and forth (a limit cycle: the failed-CRAH reference marched at twice the default step),
    not when it drifts one way while a recirculation settles (the generated 40-rack hall from
    rest, whose field went 0.6-0.97 of the way its steps travelled: halved at step 200 it took
    659 steps, left alone 437, the same answer, at a velocity tolerance of 1e-4; 348 at 1e-3)."""
    from pathlib import Path

    from designer.io.files import load
    from designer.io.generate import generate_project

    clear_memo()
    p = load(Path(__file__).parent / "air_cfd" / "cases" / "crah_failed.json")
    cycle = solve_hall(p.sites[0].hall, AirParams(cell_m=p.settings.air_cell_m, dt=4.0))
    assert cycle.converged and cycle.stats["dt_halved_at"], cycle.stats
    drift = solve_hall(generate_project(40).sites[0].hall, AirParams(cell_m=0.5))
    assert drift.converged and drift.stats["dt_halved_at"] == [], drift.stats
    assert drift.iterations < 500


def test_a_drag_preview_shows_the_marchs_temperatures(monkeypatch):
    """A drag preview (a few dozen steps from the previous field) shows the march's own
    temperatures, not the exact solve on its not-yet-steady flow (half of a preview's time on
    large halls); they follow the move: closer to the moved hall's converged answer than the
    answer before the move is."""
    from designer.solvers.air import engine

    hall = _room(kw=8.0)
    cache = HallCache()
    clear_memo()
    before = solve_hall(hall, AirParams(cell_m=CELL), cache)
    hall.racks[3].x += 1.2  # A3 out of the row's east end onto free floor
    called = []
    real = engine.solve_energy
    monkeypatch.setattr(engine, "solve_energy", lambda *a, **k: called.append(1) or real(*a, **k))
    clear_memo()
    pv = solve_hall(hall, AirParams(cell_m=CELL, preview=True, max_iter=40), cache)
    assert called == [] and pv.converged and pv.stats["preview"] and pv.iterations <= 40
    assert np.isnan(pv.T[pv.layout.solid]).all() and np.isfinite(pv.T[~pv.layout.solid]).all()
    clear_memo()
    full = solve_hall(hall, AirParams(cell_m=CELL))
    assert called == [1]  # the full answer is solved exactly
    got = {k: site_results("s", "t", 0, hall, sol, "A1")[0].racks for k, sol in
           (("before", before), ("preview", pv), ("full", full))}
    d_pv = max(abs(got["preview"][k].inlet_mean_c - got["full"][k].inlet_mean_c) for k in got["full"])
    d_move = max(abs(got["before"][k].inlet_mean_c - got["full"][k].inlet_mean_c) for k in got["full"])
    assert d_pv < 0.5 * d_move, (d_pv, d_move)


def test_a_preview_asked_for_again_marches_on_until_it_settles(monkeypatch):
    """Previews are not memoised: the same hall asked for again (the pointer resting on a drag)
    marches on from where the last preview stopped, without rasterising the hall again, until
    the march meets its tolerances (``settled``). The settled field is the steady one: its
    rack inlets agree with a full solve of the moved hall to the march's own tolerance (the
    full answer's temperatures are solved exactly on its flow; the preview's are the march's)."""
    from designer.solvers.air import engine

    hall = _room(kw=8.0)
    cache = HallCache()
    clear_memo()
    solve_hall(hall, AirParams(cell_m=CELL), cache)
    hall.racks[3].x += 1.2
    builds = []
    real = engine.build
    monkeypatch.setattr(engine, "build", lambda *a, **k: builds.append(1) or real(*a, **k))
    prm = AirParams(cell_m=CELL, preview=True, max_iter=5, min_iter=1)
    steps, fields, settled = 0, [], None
    for _ in range(400):
        pv = solve_hall(hall, prm, cache)
        assert pv.stats["preview"] and pv.iterations <= 5
        steps += pv.iterations
        fields.append(pv.T)
        if pv.stats["settled"]:
            settled = pv
            break
    assert settled is not None, f"no steady preview in {steps} steps"
    assert len(fields) > 3 and not np.array_equal(fields[0], fields[1], equal_nan=True)  # it marched on
    assert builds == [1]  # the moved hall was rasterised once, not once a preview
    assert len(engine._MEMO) == 1  # only the full solve before the move was kept
    full = solve_hall(hall, AirParams(cell_m=CELL))
    a = site_results("s", "t", 0, hall, settled, "A1")[0].racks
    b = site_results("s", "t", 0, hall, full, "A1")[0].racks
    d = max(abs(a[k].inlet_mean_c - b[k].inlet_mean_c) for k in b)
    assert d < 0.01, d


def test_a_preview_that_diverged_does_not_start_the_next(monkeypatch):
    """Previews march on from the last one's field; one whose march diverged (its field NaN)
    is not kept as the start of the next (every later preview of the drag would fail)."""
    from designer.solvers.air import engine
    from designer.solvers.air.flow import FlowState

    hall = _room(kw=8.0)
    cache = HallCache()
    clear_memo()
    prm = AirParams(cell_m=CELL, preview=True, max_iter=5, min_iter=1)
    solve_hall(hall, prm, cache)
    kept = cache.state
    real = engine.FlowSolver.run

    def diverging(self, st):
        out = real(self, st)
        self.failure = "the iteration diverged"
        self.converged = False
        return FlowState([np.full_like(u, np.nan) for u in out.U], out.p * np.nan, out.T * np.nan, out.t_item)

    monkeypatch.setattr(engine.FlowSolver, "run", diverging)
    bad = solve_hall(hall, prm, cache)
    assert bad.stats["failure"] and not bad.stats["settled"]
    assert cache.state is kept  # the last good field stays the start
    monkeypatch.setattr(engine.FlowSolver, "run", real)
    again = solve_hall(hall, prm, cache)
    assert np.isfinite(again.T[~again.layout.solid]).all()
