"""Hydraulic core of the liquid solver: fluids, friction, pump curves and the GGA itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hyp import examples
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from designer.solvers.liquid import fluids
from designer.solvers.liquid.elements import RQTOL, SolverOptions, friction_factor
from designer.solvers.liquid.ggasolver import solve
from designer.solvers.liquid.network import NetworkBuilder
from designer.solvers.liquid.pumps import fit_curve

G = 9.80665
NU = 1.0e-6


def mass_imbalance(net, sol) -> np.ndarray:
    """Inflow - outflow - demand at every free node, from the flows (not the solver's report)."""
    bal = np.bincount(net.end, sol.flow, net.n_nodes) - np.bincount(net.start, sol.flow, net.n_nodes) - net.demand
    return bal[~net.fixed]


def energy_residual(net, sol, opts) -> np.ndarray:
    """|h(q) - (H_start - H_end)| per open link, recomputed."""
    from designer.solvers.liquid.elements import LossModel

    h = LossModel(net, opts).evaluate(sol.flow, sol.closed).headloss
    r = np.abs(h - (sol.head[net.start] - sol.head[net.end]))
    r[sol.closed] = 0.0
    return r


def check(net, sol, opts, q_scale: float) -> None:
    """Converged, every free node balanced and every link's loss equal to its head drop.

    Mass: round-off is relative to the flows, except at links with no flow, whose
    conductance is 1 / RQTOL (1e6 m3/s per m): there the last digit of a head moves the
    balance by eps * |H| / RQTOL (1e-8 m3/s at 40 m).
    """
    assert sol.converged, sol.message
    eps = np.finfo(float).eps
    tol = 1e-12 * q_scale + 10 * eps * np.abs(sol.head).max() / RQTOL
    assert np.abs(mass_imbalance(net, sol)).max(initial=0.0) <= tol
    assert energy_residual(net, sol, opts).max(initial=0.0) <= 1e-7


# -- fluids ----------------------------------------------------------------------------------
@pytest.mark.parametrize("t, rho, cp, mu", [
    # IAPWS-95 / IAPWS 2008 at 101.325 kPa (independent points between the table's nodes too)
    (20.0, 998.207, 4184.05, 1.0016e-3),
    (37.0, 993.33, 4179.25, 0.6912e-3),
    (62.5, 981.89, 4186.1, 0.4489e-3),
])
def test_water_properties_match_iapws(t, rho, cp, mu):
    assert fluids.density("water", t) == pytest.approx(rho, rel=2e-5)
    assert fluids.specific_heat("water", t) == pytest.approx(cp, rel=3e-4)
    assert fluids.viscosity("water", t) == pytest.approx(mu, rel=2e-3)


@pytest.mark.parametrize("fluid, t, rho, cp, mu", [
    # Melinder (2010) correlation values for 25 % / 40 % propylene glycol by mass
    ("pg25", 20.0, 1019.3, 3920.5, 2.445e-3),
    ("pg25", 40.0, 1009.9, 3968.6, 1.353e-3),
    ("pg40", 30.0, 1026.4, 3738.9, 2.972e-3),
])
def test_glycol_properties_match_melinder(fluid, t, rho, cp, mu):
    assert fluids.density(fluid, t) == pytest.approx(rho, rel=1e-4)
    assert fluids.specific_heat(fluid, t) == pytest.approx(cp, rel=1e-4)
    assert fluids.viscosity(fluid, t) == pytest.approx(mu, rel=1e-3)


def test_glycol_is_denser_more_viscous_and_holds_less_heat_than_water():
    for t in (10.0, 30.0, 50.0):
        w, p25, p40 = (fluids.state(f, t) for f in ("water", "pg25", "pg40"))
        assert w.density_kg_m3 < p25.density_kg_m3 < p40.density_kg_m3
        assert w.viscosity_pa_s < p25.viscosity_pa_s < p40.viscosity_pa_s
        assert w.cp_j_kgk > p25.cp_j_kgk > p40.cp_j_kgk
    # reference: PG25 cp about 3.9-4.0 kJ/(kg K) (REFERENCE.md); water 1.44 L/min/kW at 10 K, 30 degC
    assert 3850 < fluids.specific_heat("pg25", 30.0) < 4000
    lpm_per_kw = 1000.0 / (fluids.density("water", 30.0) * fluids.specific_heat("water", 30.0) * 10.0) * 60000
    assert lpm_per_kw == pytest.approx(1.44, abs=0.005)


def test_viscosity_falls_with_temperature_everywhere():
    t = np.linspace(0.0, 100.0, 201)
    for f in fluids.FLUIDS:
        assert np.all(np.diff(fluids.viscosity(f, t)) < 0)


# -- friction --------------------------------------------------------------------------------
@given(re=st.floats(4000, 1e8), e=st.floats(0, 0.05))
def test_colebrook_solves_its_equation(re, e):
    f, _ = friction_factor(re, e, "colebrook")
    lhs = 1 / math.sqrt(f[0])
    rhs = -2 * math.log10(e / 3.7 + 2.51 / (re * math.sqrt(f[0])))
    assert lhs == pytest.approx(rhs, rel=1e-12)


@given(re=st.floats(5000, 1e8), e=st.floats(1e-6, 0.01))
def test_swamee_jain_within_three_percent_of_colebrook_over_its_stated_range(re, e):
    fc, _ = friction_factor(re, e, "colebrook")
    fs, _ = friction_factor(re, e, "swamee-jain")
    assert fs[0] == pytest.approx(fc[0], rel=0.03)


@given(re=st.floats(1e4, 1e6), e=st.floats(0.0, 1e-3))
def test_swamee_jain_within_one_percent_in_smooth_cooling_pipes(re, e):
    fc, _ = friction_factor(re, e, "colebrook")
    fs, _ = friction_factor(re, e, "swamee-jain")
    assert fs[0] == pytest.approx(fc[0], rel=0.01)


@pytest.mark.parametrize("mode", ["colebrook", "swamee-jain"])
def test_friction_is_continuous_and_its_derivative_is_right(mode):
    e = 3e-5
    re = np.r_[np.linspace(300, 9000, 400), 1999.999, 2000.001, 3999.999, 4000.001, 1e5, 1e7]
    f, d = friction_factor(re, e, mode)
    h = re * 1e-6
    fp, _ = friction_factor(re + h, e, mode)
    fm, _ = friction_factor(re - h, e, mode)
    assert np.allclose(d, (fp - fm) / (2 * h), rtol=1e-5, atol=1e-12)
    for a in (2000.0, 4000.0):  # value and slope match across the regime boundaries
        lo, dlo = friction_factor(a - 1e-7, e, mode)
        hi, dhi = friction_factor(a + 1e-7, e, mode)
        assert lo[0] == pytest.approx(hi[0], rel=1e-8)
        assert dlo[0] == pytest.approx(dhi[0], rel=1e-5)
    assert friction_factor(1000.0, e, mode)[0][0] == pytest.approx(0.064, rel=1e-12)


def test_epanet_transition_is_dunlops_polynomial():
    """EPANET 2's cubic between Re 2000 and 4000 (hydcoeffs.c), written out independently."""
    e = 1e-4
    for re in (2100.0, 2900.0, 3800.0):
        y2 = e / 3.7 + 5.74 / 4000 ** 0.9
        y3 = -2 / math.log(10) * math.log(y2)
        fa = 1 / y3 ** 2
        fb = (2.0 + (-2 * 0.9 * 2 / math.log(10)) * (5.74 / 4000 ** 0.9) / (y2 * y3)) * fa
        r = re / 2000
        x1, x2, x3, x4 = 7 * fa - fb, 0.128 - 17 * fa + 2.5 * fb, -0.128 + 13 * fa - 2 * fb, 0.032 - 3 * fa + 0.5 * fb
        ref = x1 + r * (x2 + r * (x3 + r * x4))
        assert friction_factor(re, e, "swamee-jain")[0][0] == pytest.approx(ref, rel=1e-12)


# -- pump curves -----------------------------------------------------------------------------
def test_three_points_from_zero_flow_fit_exactly_like_epanet():
    c = fit_curve([(0, 300.0), (500, 260.0), (1000, 140.0)])
    for q, h in [(0, 300.0), (500, 260.0), (1000, 140.0)]:
        assert c.head_kpa(q) == pytest.approx(h, rel=1e-12)


def test_single_point_uses_epanets_rule():
    c = fit_curve([(600.0, 240.0)])
    assert c.a == pytest.approx(320.0)
    assert c.head_kpa(600.0) == pytest.approx(240.0)
    assert c.head_kpa(1200.0) == pytest.approx(0.0, abs=1e-9)


def test_four_catalog_points_fit_within_a_few_percent():
    pts = [(0, 360), (800, 330), (1200, 290), (1700, 180)]
    c = fit_curve(pts)
    for q, h in pts:
        assert c.head_kpa(q) == pytest.approx(h, rel=0.03)
    assert 1.0 <= c.c <= 6.0 and c.b > 0


def test_affinity_laws_and_parallel_pumps():
    c = fit_curve([(0, 300.0), (500, 260.0), (1000, 140.0)])
    # two pumps at speed 0.8 deliver twice the flow of one at the same head, and one pump
    # at speed s delivers s * q at s^2 * h (affinity laws)
    for q in (0.0, 300.0, 800.0):
        assert c.head_kpa(2 * q, 0.8, 2) == pytest.approx(c.head_kpa(q, 0.8, 1), rel=1e-12)
        assert c.head_kpa(0.8 * q, 0.8, 1) == pytest.approx(0.64 * c.head_kpa(q), rel=1e-12)


# -- the GGA ---------------------------------------------------------------------------------
def _single_pipe(length=50.0, d=0.05, rough=4.5e-5, k=3.0, dh=5.0):
    b = NetworkBuilder()
    b.node("A", fixed_head=dh)
    b.node("B", fixed_head=0.0)
    b.pipe("p", "A", "B", length, d, rough, k, NU)
    return b.build()


@pytest.mark.parametrize("dh", [5.0, 0.02, 1e-4])  # turbulent, transitional, laminar
def test_single_pipe_matches_a_scalar_root(dh):
    net = _single_pipe(dh=dh)
    opts = SolverOptions()
    sol = solve(net, opts)
    check(net, sol, opts, 1e-3)
    area = math.pi * 0.05 ** 2 / 4

    def resid(q):
        re = q / area * 0.05 / NU
        f = friction_factor(re, 4.5e-5 / 0.05, "colebrook")[0][0]
        return (f * 50.0 / 0.05 + 3.0) * (q / area) ** 2 / (2 * G) + RQTOL * q - dh

    q = brentq(resid, 1e-12, 1.0, xtol=1e-16, rtol=1e-14)
    assert sol.flow[0] == pytest.approx(q, rel=1e-9)


def test_pump_against_a_resistance_finds_the_operating_point():
    c = fit_curve([(0, 300.0), (500, 260.0), (1000, 140.0)])
    h0, r, n = c.in_head_units(1000.0, G)
    b = NetworkBuilder()
    b.node("tank", fixed_head=10.0)
    b.pump("pump", "tank", "mid", h0, r, n, count=2, speed=0.9)
    rr = 3.0e5
    b.resistance("load", "mid", "tank", rr)
    net = b.build()
    opts = SolverOptions()
    sol = solve(net, opts)
    check(net, sol, opts, 0.01)
    q = brentq(lambda x: 0.81 * h0 - r * 0.9 ** (2 - n) * (x / 2) ** n - rr * x * x - 2 * RQTOL * x, 1e-9, 1.0,
               xtol=1e-16)
    assert sol.flow[0] == pytest.approx(q, rel=1e-9)
    assert sol.flow[1] == pytest.approx(q, rel=1e-12)
    # the expansion tank neither gives nor takes water in a closed loop
    assert abs(sol.fixed_inflow(net)[0]) < 1e-14


def test_weaker_pump_in_parallel_is_closed_by_its_check_valve():
    b = NetworkBuilder()
    b.node("tank", fixed_head=0.0)
    b.pump("strong", "tank", "m", 40.0, 1e5, 2.0)
    b.pump("weak", "tank", "m", 10.0, 1e5, 2.0)
    b.resistance("load", "m", "tank", 1e6)  # the strong pump alone lifts 36 m > 10 m
    net = b.build()
    sol = solve(net)
    assert sol.converged
    assert sol.closed[1] and not sol.closed[0]
    assert abs(sol.flow[1]) < 1e-5 * sol.flow[0]  # a closed link leaks dh / CBIG, as in EPANET
    assert sol.head[1] > 10.0  # the strong pump's head holds the weak one shut


def test_no_pump_running_gives_no_flow_and_no_exception():
    b = NetworkBuilder()
    b.node("tank", fixed_head=0.0)
    b.pump("p", "tank", "m", 40.0, 1e5, 2.0, count=0)
    b.resistance("load", "m", "n", 1e4)
    b.pipe("back", "n", "tank", 10.0, 0.05, 1e-6, 1.0, NU)
    net = b.build()
    sol = solve(net)
    assert sol.converged
    assert np.abs(sol.flow).max() < 1e-9


def test_non_convergence_is_reported_not_hidden():
    net = _single_pipe()
    sol = solve(net, SolverOptions(max_iter=1))
    assert not sol.converged
    assert "no convergence" in sol.message and sol.iterations == 1


@st.composite
def networks(draw):
    """Random connected networks: a spanning tree plus extra loops, one or two reservoirs,
    random demands, pipes from laminar to turbulent and quadratic resistances.

    Sizes stay physical (velocities of a few m/s, heads within a few hundred metres): with
    heads of 1e4 m, or 1 cm pipes at 16 m/s next to dead ends at zero flow, link
    conductances span 11-14 decades and the GGA's heads lose digits, as EPANET's do.
    """
    n = draw(st.integers(3, 14))
    b = NetworkBuilder()
    heads = draw(st.lists(st.floats(5.0, 60.0), min_size=2, max_size=2))
    b.node("n0", fixed_head=heads[0])
    two = draw(st.booleans())
    for i in range(1, n):
        fixed = heads[1] if (two and i == n - 1) else None
        b.node(f"n{i}", fixed_head=fixed, demand=0.0 if fixed is not None else draw(st.floats(0.0, 3e-4)))
    k = 0
    for i in range(1, n):
        j = draw(st.integers(0, i - 1))
        kind = draw(st.sampled_from(["pipe", "pipe", "res"]))
        if kind == "pipe":
            b.pipe(f"l{k}", f"n{j}", f"n{i}", draw(st.floats(1.0, 300.0)), draw(st.sampled_from([0.025, 0.05, 0.1])),
                   draw(st.sampled_from([0.0, 1.5e-6, 4.5e-5])), draw(st.floats(0.0, 5.0)), NU)
        else:
            b.resistance(f"l{k}", f"n{j}", f"n{i}", draw(st.floats(1e3, 1e7)))
        k += 1
    for _ in range(draw(st.integers(0, 5))):
        i, j = draw(st.integers(0, n - 1)), draw(st.integers(0, n - 1))
        if i != j:
            b.pipe(f"l{k}", f"n{i}", f"n{j}", draw(st.floats(1.0, 300.0)), 0.05, 4.5e-5, 0.5, NU)
            k += 1
    return b.build()


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(net=networks(), mode=st.sampled_from(["colebrook", "swamee-jain"]))
def test_random_networks_converge_with_balanced_nodes_and_links(net, mode):
    opts = SolverOptions(friction=mode)
    sol = solve(net, opts)
    check(net, sol, opts, float(np.abs(net.demand).sum()) + 1e-3)
    assert np.all(np.isfinite(sol.head)) and np.all(np.isfinite(sol.flow))
    assert sol.iterations <= 25


def test_rqtol_is_epanets_constant_in_si():
    assert RQTOL == pytest.approx(1e-7 * 0.3048 / 0.3048 ** 3)
