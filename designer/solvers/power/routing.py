"""Cable lengths from the floor plan, busway geometry, and rack-cord conductors.

A feeder whose ``length_m`` is None (or a rack cord whose ``cable_length_m`` is None) is
"routed on the plan": its length is the Manhattan distance between the two ends (cables
run in trays or under the floor along the grid, not diagonally) plus
:data:`ROUTE_ALLOWANCE_M` for the vertical runs at both ends (up from the sending
equipment into the tray or busway level and down into the receiving one) and the
termination slack. Sources are not placed on the plan, so a routed feeder from a source
gets the allowance only, and the build reports that as an info finding.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

Point = tuple[float, float]

ROUTE_ALLOWANCE_M = 3.0
"""Added to every routed run: about 1.5 m of rise or drop at each end (tray at ~3 m in a
~4 m hall) including termination slack. A documented assumption; give ``length_m`` to
override it for a run."""

COPPER_RESISTIVITY_OHM_MM2_PER_KM = 20.6
"""Copper at 70 degC (PVC / LSZH conductor operating temperature): 17.24 at 20 degC
times (1 + 0.00393 * 50)."""

CORD_X_OHM_PER_KM = 0.08
"""Reactance of a multi-core cable, per conductor (typical 0.07-0.09 ohm/km)."""

# (breaker A up to, conductor mm2): copper multi-core, clipped / tray installation
# (IEC 60364-5-52 reference method E, 70 degC), rounded to standard sizes.
_CONDUCTORS: tuple[tuple[float, float], ...] = (
    (16, 2.5), (20, 2.5), (25, 4.0), (32, 6.0), (40, 10.0), (50, 10.0), (63, 16.0), (80, 25.0),
    (100, 35.0), (125, 50.0), (160, 70.0), (200, 95.0), (250, 120.0), (315, 185.0), (400, 240.0),
)


def manhattan(a: Point, b: Point) -> float:
    """Grid-aligned distance between two plan points, in metres."""
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def routed_length(a: Point | None, b: Point | None) -> tuple[float, bool]:
    """Length of a routed run between plan points ``a`` and ``b``.

    Returns
    -------
    (length_m, known)
        ``known`` is False when an end is not on the plan (a source): the length is
        then the allowance alone.
    """
    if a is None or b is None:
        return ROUTE_ALLOWANCE_M, False
    return manhattan(a, b) + ROUTE_ALLOWANCE_M, True


def path_length(path: Sequence[Point]) -> float:
    """Length of a polyline in metres."""
    return sum(math.dist(p, q) for p, q in zip(path, path[1:], strict=False))


def point_along(path: Sequence[Point], offset_m: float) -> Point | None:
    """The plan point ``offset_m`` along ``path`` from its first point (clamped to the ends)."""
    if not path:
        return None
    acc = 0.0
    for p, q in zip(path, path[1:], strict=False):
        seg = math.dist(p, q)
        if seg > 0 and acc + seg >= offset_m:
            t = max(0.0, (offset_m - acc) / seg)
            return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
        acc += seg
    return tuple(path[-1])  # type: ignore[return-value]


def cord_conductor(breaker_a: float) -> tuple[float, float, float]:
    """Conductor a rack cord of a ``breaker_a`` breaker is assumed to have.

    Returns
    -------
    (area_mm2, r_ohm_per_km, x_ohm_per_km)
        The smallest standard size rated for the breaker; above 400 A, parallel 240 mm2
        runs (expressed as an equivalent area).
    """
    area = None
    for limit, mm2 in _CONDUCTORS:
        if breaker_a <= limit:
            area = mm2
            break
    if area is None:
        area = 240.0 * math.ceil(max(breaker_a, 1.0) / 400.0)
    return area, COPPER_RESISTIVITY_OHM_MM2_PER_KM / area, CORD_X_OHM_PER_KM
