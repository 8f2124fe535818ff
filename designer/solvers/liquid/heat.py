"""Heat balance of the loops: rack outlet temperatures, mixing, CDU duty and supply.

Temperatures are carried with the flow. Each rack branch heats its stream by
``Q / (rho cp q)``; pipes and pumps are adiabatic; at a node the streams arriving mix
flow-weighted (in the direction of flow); each CDU's heat exchanger sets its outlet to the
CDU's secondary supply temperature and takes out what the stream brought::

    sum_in(C_l) T_n - sum_in(C_l T_up(l), l not an HX) = sum_in(Q_l) + sum_in(C_l T_supply(l), l an HX)

with ``C = rho cp |q|``. That is one sparse linear system for all node temperatures; a node
no flow reaches takes its loop's supply temperature. Because every node balances mass to
round-off and one ``rho cp`` is used per loop, the heat taken out by the CDUs equals the
heat put in by the racks to round-off (:attr:`HeatSolution.energy_residual_w`).

CDU supply temperature
----------------------
``T_supply = T_facility + approach_k * duty / capacity``: ``approach_k`` is the approach
at rated duty. With both flows through a counterflow exchanger fixed, its effectiveness
is fixed and every temperature difference in it is proportional to the duty, so the
approach scales linearly with load. (It ignores the change of effectiveness with the
secondary flow: a screening model.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import spsolve

ZERO_FLOW_M3S = 1e-12
"""Flows below this are round-off (a loop with no pump running)."""
MIN_FLOW_M3S = 1e-7
"""Below this (0.006 L/min) a rack is taken to carry no flow and its heat is not transported."""


@dataclass(frozen=True)
class HeatSolution:
    node_temp_c: np.ndarray
    link_in_c: np.ndarray
    """Temperature entering each link (at its upstream end)."""
    link_out_c: np.ndarray
    """Temperature leaving each link (rack: heated; HX: the supply temperature)."""
    hx_duty_w: np.ndarray
    """Heat taken out by each HX link (0 elsewhere)."""
    transported_w: np.ndarray
    """Heat each rack link puts into the water (0 where it has no flow)."""
    energy_residual_w: float
    """|heat removed by all HX - heat added by all racks|."""


def supply_temperature(facility_c: float, approach_k: float, duty_w: float, capacity_w: float) -> float:
    """Secondary supply temperature of a CDU (see module doc)."""
    load = max(duty_w, 0.0) / capacity_w if capacity_w > 0 else 1.0
    return facility_c + approach_k * load


def solve_heat(n_nodes: int, start: np.ndarray, end: np.ndarray, flow: np.ndarray, rho_cp: np.ndarray,
               heat_w: np.ndarray, hx_supply_c: np.ndarray, node_default_c: np.ndarray) -> HeatSolution:
    """Temperatures everywhere for given flows.

    Parameters
    ----------
    n_nodes : int
        Number of nodes.
    start, end : ndarray of int
        Link ends.
    flow : ndarray
        Link flows, m3/s (positive from start to end).
    rho_cp : ndarray
        Volumetric heat capacity per link, J/(m3 K).
    heat_w : ndarray
        Heat added by each link, W (racks).
    hx_supply_c : ndarray
        Outlet temperature imposed by each HX link; NaN for every other link.
    node_default_c : ndarray
        Temperature of nodes no flow reaches (the loop's supply).
    """
    m = flow.size
    up = np.where(flow >= 0, start, end)
    down = np.where(flow >= 0, end, start)
    # flows at round-off level (a stopped loop) carry nothing: they would otherwise form
    # cycles with no inflow of known temperature and make the system singular
    c = np.where(np.abs(flow) > ZERO_FLOW_M3S, rho_cp * np.abs(flow), 0.0)
    carries = np.abs(flow) > MIN_FLOW_M3S
    q_added = np.where(carries, heat_w, 0.0)  # no heat carried off a branch without flow
    is_hx = ~np.isnan(hx_supply_c)
    diag = np.bincount(down, c, n_nodes)
    rhs = np.bincount(down, q_added, n_nodes) + np.bincount(down[is_hx], (c * hx_supply_c)[is_hx], n_nodes)
    # a vanishing pull towards the supply temperature keeps the system regular when flow
    # circulates without passing a CDU (only possible with round-off flows); it moves
    # temperatures by about 1e-12 of the loop's range
    eps = 1e-12 * float(diag.max(initial=0.0))
    diag = diag + eps
    rhs = rhs + eps * node_default_c
    cold = diag <= 0
    diag_full = np.where(cold, 1.0, diag)
    rhs = np.where(cold, node_default_c, rhs)
    off = (c > 0) & ~is_hx & ~cold[down]
    a = sp.csr_matrix((np.r_[diag_full, -c[off]], (np.r_[np.arange(n_nodes), down[off]],
                                                    np.r_[np.arange(n_nodes), up[off]])),
                      shape=(n_nodes, n_nodes))
    t = spsolve(a.tocsc(), rhs) if n_nodes else np.zeros(0)
    t = np.atleast_1d(t)
    t_in = t[up] if m else np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rise = np.where(c > 0, q_added / c, 0.0)
    t_out = np.where(is_hx, hx_supply_c, t_in + rise)
    duty = np.where(is_hx, c * (t_in - np.nan_to_num(hx_supply_c)), 0.0)
    resid = abs(float(duty.sum()) - float(q_added.sum()))
    return HeatSolution(t, t_in, t_out, duty, q_added, resid)
