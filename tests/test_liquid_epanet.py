"""The hydraulic core against EPANET 2.2 (WNTR's EpanetSimulator) on the same networks.

Done-when of issue 4: heads within 1 mm and flows within 0.1 % on a tree, a looped network
and a CDU loop mapped to an equivalent open network (the expansion tank becomes a
reservoir the return pipes run into and the pump draws from). Our solver runs in its
EPANET-compatible mode (Swamee-Jain with Dunlop's transition, EPANET's gravity and one
viscosity for the whole network); EPANET's own convergence (accuracy 1e-5 at best) and
its single-precision output limit the agreement, not the physics.
"""

from __future__ import annotations

import numpy as np
import pytest

from designer.io.generate import generate_project
from designer.solvers.liquid.build import build_system
from designer.solvers.liquid.elements import G_EPANET, NU_EPANET, SolverOptions
from designer.solvers.liquid.ggasolver import solve
from designer.solvers.liquid.network import NetworkBuilder
from designer.solvers.liquid.operate import operate
from designer.solvers.liquid.pumps import fit_curve

pytest.importorskip("wntr")
from designer.solvers.liquid.peer import run_epanet  # noqa: E402

HEAD_TOL_M = 1e-3
FLOW_TOL = 1e-3


def compare(net, tmp_path, min_flow_share=1e-6):
    ours = solve(net, SolverOptions.epanet())
    assert ours.converged, ours.message
    peer = run_epanet(net, workdir=str(tmp_path))
    dh = np.abs(peer.head - ours.head)
    assert dh.max() <= HEAD_TOL_M, f"head differs by {dh.max():.2e} m at node {net.node_names[int(dh.argmax())]}"
    qmax = np.abs(ours.flow).max()
    big = np.abs(ours.flow) > min_flow_share * qmax
    rel = np.abs(peer.flow[big] - ours.flow[big]) / np.abs(ours.flow[big])
    assert rel.max() <= FLOW_TOL, f"flow differs by {rel.max():.2e}"
    assert np.abs(peer.flow[~big] - ours.flow[~big]).max(initial=0.0) <= FLOW_TOL * qmax
    return ours, peer, dh.max(), rel.max()


def test_tree_with_laminar_transitional_and_turbulent_branches(tmp_path):
    b = NetworkBuilder()
    b.node("src", fixed_head=40.0)
    b.pipe("main", "src", "a", 120.0, 0.10, 4.5e-5, 2.0, NU_EPANET)
    b.pipe("a-b", "a", "b", 80.0, 0.08, 4.5e-5, 0.5, NU_EPANET)
    b.pipe("a-c", "a", "c", 60.0, 0.05, 1.5e-6, 1.0, NU_EPANET)
    b.pipe("b-d", "b", "d", 40.0, 0.025, 1.5e-6, 3.0, NU_EPANET)
    b.pipe("b-e", "b", "e", 25.0, 0.05, 1.5e-6, 0.0, NU_EPANET)
    b.pipe("c-f", "c", "f", 30.0, 0.02, 1.5e-6, 0.0, NU_EPANET)
    b.pipe("f-g", "f", "g", 10.0, 0.01, 1.5e-6, 0.0, NU_EPANET)
    # demands chosen so branches run turbulent, transitional (Re 2000-4000) and laminar
    for node, d in (("d", 2.0e-3), ("e", 6.0e-3), ("c", 1.0e-3), ("f", 3.0e-5), ("g", 1.2e-5)):
        b.node(node, demand=d)
    net = b.build()
    ours, _, _, _ = compare(net, tmp_path)
    re = ours.reynolds[~np.isnan(ours.reynolds)]
    assert (re < 2000).any() and ((re > 2000) & (re < 4000)).any() and (re > 4000).any()


def test_looped_network_with_parallel_pumps_and_valves(tmp_path):
    curve = fit_curve([(0, 45.0 * 9.81), (300, 40.0 * 9.81), (600, 28.0 * 9.81)])
    h0, r, n = curve.in_head_units(1000.0, G_EPANET)
    b = NetworkBuilder()
    b.node("lake", fixed_head=10.0)
    b.node("tower", fixed_head=42.0)
    b.pump("pumps", "lake", "j00", h0, r, n, count=2, speed=0.9)
    rows, cols = 3, 4
    for i in range(rows):
        for j in range(cols):
            b.node(f"j{i}{j}", demand=1.5e-3 * (1 + (i + j) % 3))
            if j + 1 < cols:
                b.pipe(f"h{i}{j}", f"j{i}{j}", f"j{i}{j + 1}", 150.0 + 10 * i, 0.1, 4.5e-5, 0.5, NU_EPANET)
            if i + 1 < rows:
                b.pipe(f"v{i}{j}", f"j{i}{j}", f"j{i + 1}{j}", 120.0 + 5 * j, 0.08, 4.5e-5, 0.5, NU_EPANET)
    b.resistance("valve1", "j23", "tower", 4.0e4, diameter=0.1)
    b.resistance("valve2", "j12", "j21", 9.0e4, diameter=0.08)
    net = b.build()
    ours, _, _, _ = compare(net, tmp_path)
    assert ours.flow[0] > 0  # both pumps deliver


@pytest.mark.parametrize("source", ["generated", "sample"])
def test_cdu_loop_as_an_open_network(tmp_path, source, sample_project):
    """A whole hall's CDU loops (tank -> reservoir), with the solver's EPANET constants."""
    site = generate_project(40).sites[0] if source == "generated" else sample_project.sites[0]
    system = build_system(site)
    st = operate(system)  # temperatures -> density per loop; EPANET needs one viscosity
    nu = np.full(system.n_links, 2.0e-6)
    net = system.network(st.rho_link, nu, G_EPANET, st.cold_plate_k_pa)
    net.fixed_head[~np.isnan(net.fixed_head)] = 30.0  # keep EPANET's pressures positive
    ours, peer, dh, dq = compare(net, tmp_path)
    racks = system.role == 1
    assert racks.sum() == sum(len(lp.rack_ids) for lp in system.loops) > 0
    assert np.abs(peer.flow[racks] / ours.flow[racks] - 1).max() <= FLOW_TOL
