"""Head loss of each link kind and its derivative: what Newton's method needs per link.

Darcy-Weisbach friction
-----------------------
``h = (f L/D + K) v^2 / (2 g)``. The friction factor ``f`` is

- laminar, Re <= 2000: ``64 / Re`` (Hagen-Poiseuille), written as a loss linear in flow;
- turbulent, Re >= 4000: Colebrook-White, ``1/sqrt(f) = -2 log10(e/(3.7 D) + 2.51/(Re sqrt f))``
  solved by Newton's method from the Swamee-Jain value (mode ``"colebrook"``), or the
  explicit Swamee-Jain approximation ``f = 0.25 / log10(e/(3.7 D) + 5.74 / Re^0.9)^2``
  (mode ``"swamee-jain"``);
- transitional, 2000 < Re < 4000: the cubic through the laminar value and slope at 2000 and
  the turbulent value and slope at 4000. With Swamee-Jain this is exactly Dunlop's
  interpolation that EPANET 2 uses, so ``"swamee-jain"`` with EPANET's gravity and
  viscosity (:func:`SolverOptions.epanet`) reproduces EPANET's Darcy-Weisbach model.

Small flows: where a loss is quadratic its gradient vanishes at zero flow and Newton's
method stalls. EPANET switches to a linear loss of gradient RQTOL below a tiny flow; that
switch is discontinuous and can make an iteration cycle. Here every loss gets a linear
term ``RQTOL * q`` instead (EPANET's RQTOL, 1e-7 ft/cfs): smooth, never flat, and at any
flow of interest far below a micrometre of head (1e-8 m at 10 L/s).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.solvers.liquid.network import PIPE, PUMP, RESISTANCE, Network

G_STANDARD = 9.80665
"""Standard gravity, m/s2."""
G_EPANET = 32.2 * 0.3048
"""EPANET's gravity (32.2 ft/s2) in m/s2, for like-for-like comparisons."""
NU_EPANET = 1.1e-5 * 0.3048 ** 2
"""EPANET's default kinematic viscosity (1.1e-5 ft2/s) in m2/s."""
G_EPANET_MINOR = 8.0 / (0.02517 * np.pi ** 2) * 0.3048
"""The gravity implied by EPANET's minor-loss factor ``0.02517 K / D^4`` (ft units), m/s2."""

_FT_PER_CFS = 0.3048 / 0.3048 ** 3  # (m per m3/s) per (ft per cfs)
RQTOL = 1e-7 * _FT_PER_CFS
"""Linear loss added to every link, m/(m3/s): EPANET's RQTOL of 1e-7 ft/cfs."""
CBIG = 1e8 * _FT_PER_CFS
"""Gradient of a closed link, m/(m3/s): EPANET's CBIG."""

RE_LAMINAR = 2000.0
RE_TURBULENT = 4000.0
FRICTION_MODES = ("colebrook", "swamee-jain")
_LN10 = np.log(10.0)


@dataclass(frozen=True)
class SolverOptions:
    """Physical constants and convergence settings of the hydraulic solver."""

    friction: str = "colebrook"
    g: float = G_STANDARD
    g_minor: float | None = None
    """Gravity in minor-loss velocity heads; None means ``g`` (EPANET rounds it differently)."""
    accuracy: float = 1e-10
    """Stop when sum|dq| / sum|q| of an iteration is below this ..."""
    head_tol_m: float = 1e-7
    """... and every link's head loss matches its end heads within this (m)."""
    max_iter: int = 60
    max_status_changes: int = 10

    @classmethod
    def epanet(cls, **kw) -> SolverOptions:
        """EPANET 2's Darcy-Weisbach model: Swamee-Jain + Dunlop transition, g = 32.2 ft/s2."""
        return cls(friction="swamee-jain", g=G_EPANET, g_minor=G_EPANET_MINOR, **kw)

    def __post_init__(self) -> None:
        if self.friction not in FRICTION_MODES:
            raise ValueError(f"friction must be one of {FRICTION_MODES}, not '{self.friction}'")


def _turbulent(re: np.ndarray, e: np.ndarray, mode: str) -> tuple[np.ndarray, np.ndarray]:
    """Turbulent friction factor and its derivative with respect to Re."""
    y = e / 3.7 + 5.74 / re ** 0.9
    lg = np.log10(y)
    f = 0.25 / lg ** 2
    dy = -0.9 * 5.74 * re ** -1.9
    dfdre = -0.5 / lg ** 3 * dy / (y * _LN10)
    if mode == "swamee-jain":
        return f, dfdre
    # Colebrook-White: x = 1/sqrt(f) solves F(x) = x + 2 log10(a + b x) = 0, b = 2.51/Re.
    a, b = e / 3.7, 2.51 / re
    x = 1.0 / np.sqrt(f)
    for _ in range(4):  # Newton from Swamee-Jain (within 3 %): quadratic, at round-off after 3
        u = a + b * x
        fx = x + 2.0 * np.log10(u)
        x = x - fx / (1.0 + 2.0 * b / (u * _LN10))
    u = a + b * x
    dxdre = (2.0 * x * b / (re * u * _LN10)) / (1.0 + 2.0 * b / (u * _LN10))
    return 1.0 / x ** 2, -2.0 / x ** 3 * dxdre


def friction_factor(re, rel_rough, mode: str = "colebrook") -> tuple[np.ndarray, np.ndarray]:
    """Darcy friction factor and d f / d Re for Reynolds numbers ``re`` (any regime).

    Parameters
    ----------
    re : array_like
        Reynolds numbers (> 0).
    rel_rough : array_like
        Roughness over diameter.
    mode : {"colebrook", "swamee-jain"}
        Turbulent formula (see module doc).
    """
    re = np.atleast_1d(np.asarray(re, dtype=float))
    e = np.broadcast_to(np.asarray(rel_rough, dtype=float), re.shape)
    f = np.empty_like(re)
    d = np.empty_like(re)
    lam = re <= RE_LAMINAR
    f[lam] = 64.0 / re[lam]
    d[lam] = -64.0 / re[lam] ** 2
    turb = re >= RE_TURBULENT
    if turb.any():
        f[turb], d[turb] = _turbulent(re[turb], e[turb], mode)
    tr = ~(lam | turb)
    if tr.any():
        # Cubic Hermite between (2000, 64/Re, slope) and (4000, f_t, f_t'): Dunlop's polynomial.
        f1, m1 = _turbulent(np.full(tr.sum(), RE_TURBULENT), e[tr], mode)
        f0, m0 = 64.0 / RE_LAMINAR, -64.0 / RE_LAMINAR ** 2
        span = RE_TURBULENT - RE_LAMINAR
        t = (re[tr] - RE_LAMINAR) / span
        t2, t3 = t * t, t * t * t
        f[tr] = ((2 * t3 - 3 * t2 + 1) * f0 + (t3 - 2 * t2 + t) * span * m0
                 + (-2 * t3 + 3 * t2) * f1 + (t3 - t2) * span * m1)
        d[tr] = ((6 * t2 - 6 * t) * f0 / span + (3 * t2 - 4 * t + 1) * m0
                 + (-6 * t2 + 6 * t) * f1 / span + (3 * t2 - 2 * t) * m1)
    return f, d


@dataclass
class LinkLosses:
    """Head loss (m, in the link's direction), its gradient and pipe diagnostics."""

    headloss: np.ndarray
    gradient: np.ndarray
    reynolds: np.ndarray
    friction: np.ndarray


class LossModel:
    """Evaluates head losses of a :class:`Network`; per-kind index sets are made once."""

    def __init__(self, net: Network, opts: SolverOptions) -> None:
        self.net, self.opts = net, opts
        self.pipes = np.flatnonzero(net.kind == PIPE)
        self.res = np.flatnonzero(net.kind == RESISTANCE)
        self.pumps = np.flatnonzero(net.kind == PUMP)
        g = opts.g
        d = net.diameter[self.pipes]
        area = np.pi * d ** 2 / 4.0
        with np.errstate(divide="ignore", invalid="ignore"):
            self.p_r = np.where(d > 0, net.length[self.pipes] / (2 * g * d * area ** 2), 0.0)
            gm = opts.g_minor or g
            self.p_km = np.where(d > 0, net.minor_k[self.pipes] / (2 * gm * area ** 2), 0.0)
            self.p_e = np.where(d > 0, net.roughness[self.pipes] / d, 0.0)
        self.p_s = net.viscosity[self.pipes] * d  # nu * D; |q|/s = Re * pi / 4
        with np.errstate(divide="ignore", invalid="ignore"):
            self.p_cre = np.where(self.p_s > 0, 4.0 / (np.pi * self.p_s), 0.0)  # Re per unit |q|
        self.p_rl = 16.0 * np.pi * self.p_s * self.p_r  # laminar: f R q^2 with f = 64/Re
        self.p_f4000, self.p_m4000 = _turbulent(np.full(self.pipes.size, RE_TURBULENT), self.p_e, opts.friction)
        self.r_r = net.resistance[self.res]
        s = net.pump_speed[self.pumps]
        n = net.pump_n[self.pumps]
        cnt = net.pump_count[self.pumps]
        self.u_h0 = s ** 2 * net.pump_h0[self.pumps]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.u_r = np.where(cnt > 0, net.pump_r[self.pumps] * s ** (2 - n) / np.maximum(cnt, 1) ** n, 0.0)
        self.u_n = n
        self.u_off = (cnt <= 0) | (s <= 0)

    def pump_shutoff(self) -> np.ndarray:
        """Shut-off head of each pump link at its speed (m), in link order of ``pumps``."""
        return self.u_h0

    def evaluate(self, q: np.ndarray, closed: np.ndarray) -> LinkLosses:
        m = q.size
        hl = np.zeros(m)
        gr = np.zeros(m)
        re = np.full(m, np.nan)
        fr = np.full(m, np.nan)
        # pipes: every regime evaluated on all pipes and picked with where (for a few hundred
        # pipes numpy's per-call overhead, not arithmetic, is the cost)
        i = self.pipes
        if i.size:
            qi = q[i]
            aq = np.abs(qi)
            rey = aq * self.p_cre
            ft, dft = _turbulent(np.maximum(rey, RE_TURBULENT), self.p_e, self.opts.friction)
            # transition: cubic Hermite from (2000, 64/Re) to (4000, f_t) with matching slopes
            span = RE_TURBULENT - RE_LAMINAR
            t = np.clip((rey - RE_LAMINAR) / span, 0.0, 1.0)
            t2, t3 = t * t, t * t * t
            f0, m0 = 64.0 / RE_LAMINAR, -64.0 / RE_LAMINAR ** 2
            f1, m1 = self.p_f4000, self.p_m4000
            fh = ((2 * t3 - 3 * t2 + 1) * f0 + (t3 - 2 * t2 + t) * span * m0
                  + (-2 * t3 + 3 * t2) * f1 + (t3 - t2) * span * m1)
            dh_ = ((6 * t2 - 6 * t) * f0 / span + (3 * t2 - 4 * t + 1) * m0
                   + (-6 * t2 + 6 * t) * f1 / span + (3 * t2 - 2 * t) * m1)
            turb = rey >= RE_TURBULENT
            f = np.where(turb, ft, fh)
            dfdq = np.where(turb, dft, dh_) * self.p_cre
            r1 = f * self.p_r + self.p_km
            lam = rey <= RE_LAMINAR
            rl = self.p_rl
            h = np.where(lam, qi * (rl + self.p_km * aq), r1 * aq * qi) + RQTOL * qi
            g = np.where(lam, rl + 2.0 * self.p_km * aq, 2.0 * r1 * aq + dfdq * self.p_r * aq * aq) + RQTOL
            with np.errstate(divide="ignore"):
                f = np.where(lam, np.where(rey > 0, 64.0 / np.maximum(rey, 1e-300), np.nan), f)
            hl[i], gr[i], re[i], fr[i] = h, g, rey, f
        # quadratic resistances (EPANET's valve treatment at tiny flows)
        i = self.res
        if i.size:
            qi = q[i]
            aq = np.abs(qi)
            r = self.r_r
            g = 2.0 * r * aq + RQTOL
            h = r * aq * qi + RQTOL * qi
            hl[i], gr[i] = h, g
        # pumps: head loss = -(gain)
        i = self.pumps
        if i.size:
            qi = q[i]
            aq = np.abs(qi)
            n, r, h0 = self.u_n, self.u_r, self.u_h0
            with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
                gp = np.where(r > 0, n * r * aq ** (n - 1.0), 0.0)
                h = -h0 + gp * qi / n + RQTOL * qi
            g = gp + RQTOL
            hl[i], gr[i] = h, g
        # closed links (and pumps with nothing running): a very high linear resistance
        off = closed.copy()
        if self.pumps.size:
            off[self.pumps] |= self.u_off
        if off.any():
            hl[off] = CBIG * q[off]
            gr[off] = CBIG
        return LinkLosses(hl, gr, re, fr)
