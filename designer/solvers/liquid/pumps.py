"""Pump curves fitted from catalog points, with affinity laws and parallel pumps.

A curve is EPANET's power function ``h = a - b q^c`` for one pump at full speed (flow in
L/min, head in kPa, as the catalog gives them). It is fitted as EPANET does for the cases
EPANET handles (one design point: ``a = 4/3 h_d`` and zero head at twice the design flow;
three points starting at zero flow: the exact power curve through them) and by least
squares on the heads for any other set of points. Keeping the power form means the same
curve can be handed to EPANET as three points and it recovers the same a, b, c.

``N`` identical pumps in parallel at speed fraction ``s`` (affinity laws: flow ~ s,
head ~ s^2) give ``h = s^2 a - b s^(2-c) (q/N)^c``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize_scalar

C_MIN, C_MAX = 1.0, 6.0


@dataclass(frozen=True)
class PumpCurve:
    """One pump at full speed: ``head_kpa = a - b * flow_lpm ** c``."""

    a: float
    b: float
    c: float
    points: tuple[tuple[float, float], ...]
    """The catalog points it was fitted to (L/min, kPa)."""
    rms_error_kpa: float = 0.0

    @property
    def max_flow_lpm(self) -> float:
        """Largest catalog flow: beyond it the curve is extrapolated."""
        return max(q for q, _ in self.points) if self.points else 0.0

    @property
    def runout_flow_lpm(self) -> float:
        """Flow at which the fitted curve reaches zero head."""
        return (self.a / self.b) ** (1.0 / self.c) if self.b > 0 else math.inf

    def head_kpa(self, flow_lpm, speed: float = 1.0, running: int = 1):
        """Head of ``running`` pumps in parallel at ``speed`` for total flow ``flow_lpm``."""
        q = np.asarray(flow_lpm, dtype=float) / max(running, 1)
        if not speed > 0:  # a stopped pump gives no head (and s^(2-c) would divide by zero)
            return np.zeros_like(q)
        return speed ** 2 * self.a - self.b * speed ** (2 - self.c) * np.maximum(q, 0.0) ** self.c

    def in_head_units(self, rho: float, g: float) -> tuple[float, float, float]:
        """``(h0, r, n)`` with head in m of a fluid of density ``rho`` and flow in m3/s."""
        k = 1000.0 / (rho * g)
        return self.a * k, self.b * k * 60000.0 ** self.c, self.c

    def epanet_points(self, scale_q: float = 1.0, scale_h: float = 1.0) -> list[tuple[float, float]]:
        """Three points (zero flow first) from which EPANET recovers exactly this curve."""
        q2 = min(self.max_flow_lpm, 0.95 * self.runout_flow_lpm) or 1.0
        qs = (0.0, q2 / 2.0, q2)
        return [(q * scale_q, float(self.head_kpa(q)) * scale_h) for q in qs]


def _ls_ab(q: np.ndarray, h: np.ndarray, c: float) -> tuple[float, float, float]:
    """Least-squares a, b for a fixed exponent c; returns (a, b, sum of squares)."""
    x = np.column_stack([np.ones_like(q), -(q ** c)])
    (a, b), *_ = np.linalg.lstsq(x, h, rcond=None)
    res = h - (a - b * q ** c)
    return float(a), float(b), float(res @ res)


def fit_curve(points) -> PumpCurve:
    """Fit a power curve to catalog points ``[(flow L/min, head kPa), ...]``.

    Bad curves (validation reports them) still give a usable, falling curve: with no
    usable point a unit curve is returned, so the solver never sees NaN.
    """
    pts = tuple(sorted((float(q), float(h)) for q, h in points if q >= 0 and h > 0))
    if not pts:
        return PumpCurve(1.0, 1.0, 2.0, (), math.inf)
    q = np.array([p[0] for p in pts])
    h = np.array([p[1] for p in pts])
    if len(pts) == 1 or (len(pts) == 2 and q[0] == 0.0 and q[1] == 0.0):
        qd, hd = (q[0], h[0]) if q[0] > 0 else (1.0, h[0])
        a = 4.0 / 3.0 * hd
        return PumpCurve(a, a / (2.0 * qd) ** 2, 2.0, pts)
    if len(pts) == 2:
        a, b, _ = _ls_ab(q, h, 2.0)
        if b <= 0:
            a, b = max(h), max(h) / max(q.max(), 1.0) ** 2
        return PumpCurve(a, b, 2.0, pts)
    if len(pts) == 3 and q[0] == 0.0 and h[0] > h[1] > h[2] and 0 < q[1] < q[2]:
        c = math.log((h[0] - h[2]) / (h[0] - h[1])) / math.log(q[2] / q[1])
        if C_MIN <= c <= C_MAX:
            return PumpCurve(h[0], (h[0] - h[1]) / q[1] ** c, c, pts)
    best = minimize_scalar(lambda c: _ls_ab(q, h, c)[2], bounds=(C_MIN, C_MAX), method="bounded",
                           options={"xatol": 1e-10})
    c = float(best.x)
    a, b, ss = _ls_ab(q, h, c)
    if b <= 0:  # a rising curve: validation flags it; keep the solver sane
        a, b, c, ss = float(h.max()), float(h.max()) / max(q.max(), 1.0) ** 2, 2.0, float("nan")
    return PumpCurve(a, b, c, pts, math.sqrt(ss / len(pts)))
