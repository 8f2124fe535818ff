"""Solve step, part 1: the airflow as potential flow on the plan grid (arrays only).

Air moves from high to low potential: the volume flow through the face between two air cells
is ``c (phi_a - phi_b)`` in m3/s, with ``c`` the face's openness (1 open, a small leak through
a containment panel, 0 at a wall). Mass balance in every air cell gives a graph Laplacian:
``sum_faces c (phi_P - phi_N) = s_P``, ``s_P`` the air put in at P (a unit's supply, a rack's
exhaust) minus the air taken out (a unit's return, a rack's intake). The room height does not
enter the potential: it only turns face flows into velocities (``q / (cell_m * height_m)``).

The Laplacian of a closed room is singular (the potential is defined up to a constant), so a
tiny conductance ``eps`` to a zero potential is added to every cell. When the sources of a
region balance (they do for any unit or rack whose both faces are in the same region) this
changes the flows only by about ``eps`` times the potential; any remaining imbalance leaks
out there and is accounted for as an open boundary by the temperature step.
"""

from __future__ import annotations

import numpy as np

EPS_GROUND = 1e-10


def laplace_coefficients(cx: np.ndarray, cy: np.ndarray, fluid: np.ndarray,
                         eps: float = EPS_GROUND) -> tuple[np.ndarray, ...]:
    """The 5-point coefficients ``(C, W, E, S, N)`` of the airflow operator.

    Parameters
    ----------
    cx, cy : numpy.ndarray
        Face openness, shapes ``(ny, nx + 1)`` and ``(ny + 1, nx)``; zero wherever either
        side is not air (and on the outer edge).
    fluid : numpy.ndarray
        ``(ny, nx)`` bool, the air cells. Other cells get identity rows.
    """
    W = -cx[:, :-1]
    E = -cx[:, 1:]
    S = -cy[:-1, :]
    N = -cy[1:, :]
    C = cx[:, :-1] + cx[:, 1:] + cy[:-1, :] + cy[1:, :] + eps
    C = np.where(fluid, C, 1.0)
    return C, W, E, S, N


def face_flows(phi: np.ndarray, cx: np.ndarray, cy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Face volume flows from the potential: ``fx`` (``(ny, nx + 1)``, + is +x), ``fy``."""
    fx = np.zeros_like(cx)
    fy = np.zeros_like(cy)
    fx[:, 1:-1] = cx[:, 1:-1] * (phi[:, :-1] - phi[:, 1:])
    fy[1:-1, :] = cy[1:-1, :] * (phi[:-1, :] - phi[1:, :])
    return fx, fy


def cell_velocity(fx: np.ndarray, fy: np.ndarray, cell_m: float, height_m: float):
    """Cell-centred velocity components (m/s) from face flows: the mean of opposite faces
    divided by the face area ``cell_m * height_m`` (2D plan, air mixed over the height)."""
    area = cell_m * height_m
    vx = 0.5 * (fx[:, :-1] + fx[:, 1:]) / area
    vy = 0.5 * (fy[:-1, :] + fy[1:, :]) / area
    return vx, vy
