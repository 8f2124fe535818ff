"""Compiled inner loops of the air model's march (numba).

The red-black Gauss-Seidel sweeps of the momentum and temperature equations, which
:mod:`.flow` sets up with numpy. In numpy, each half-sweep evaluated the update on every cell
of the grid (both colours: a checkerboard is no slice) in about fourteen whole-array
temporaries, then kept one colour; here one pass over the grid updates one colour in place.

The arithmetic is the numpy sweeps' own, term by term and in the same order, so the answer is
the same to the last bit (``tests/test_air_kernels.py`` holds the numpy sweeps as the oracle
and checks both the kernels and a whole solve against them). Each colour's cells depend only on
the other colour's, so the in-place update of one colour is the same as numpy's evaluate-then-
copy.

The kernels release the interpreter while they run (``nogil``): the app's window stays
responsive while an air solve or a drag preview is inside one on a worker thread.

Compiled code is cached next to this file when it can be (a source checkout or an installed
package). A frozen app (PyInstaller) has no source file for numba to key a cache on: it
compiled at every start, at its first air solve, about 4.4 s (a 10-rack hall's first solve
5.4 s against 1.0 s compiled). It caches in the folder named by :data:`CACHE_ENV` instead
(``packaging/entry.py`` sets it to the user's cache folder), keyed by this module's code: see
:class:`FrozenAppLocator`. Without a writable folder it compiles as before.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile

import numba as nb
import numpy as np
from numba.core import caching

CACHE_ENV = "DESIGNER_KERNEL_CACHE"
"""Environment variable naming the folder a frozen app caches its compiled kernels in."""


_LOCATOR_BASE = getattr(caching, "_CacheLocator", object)
"""numba's locator base class (internal): if a numba release moves it, a frozen app compiles at
every start as before rather than failing to import the air model."""
_IMPL = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)  # renamed in numba 0.6x


class FrozenAppLocator(_LOCATOR_BASE):
    """Where numba keeps the compiled kernels of a frozen app: the folder named by
    :data:`CACHE_ENV`. numba's own locators stamp a cache with the source file's time and size,
    which a frozen app does not have; here the stamp is a digest of the whole module's compiled
    code (as the bundle holds it: every kernel and every helper a kernel calls, which a kernel's
    machine code has built in) and this package's version, so an app rebuilt with any kernel
    changed compiles them afresh. numba checks its own version and the machine's CPU itself."""

    def __init__(self, py_func, folder: str) -> None:
        self._folder = folder
        self._stamp = f"{_module_digest(py_func.__module__)}:{_package_version()}"
        self._lineno = py_func.__code__.co_firstlineno

    def get_cache_path(self) -> str:
        return self._folder

    def get_source_stamp(self) -> str:
        return self._stamp

    def get_disambiguator(self) -> str:
        return str(self._lineno)

    @classmethod
    def from_function(cls, py_func, py_file):
        folder = _frozen_cache_folder()
        return cls(py_func, folder) if folder is not None else None


_DIGESTS: dict[str, str] = {}


def _module_digest(name: str) -> str:
    """SHA-256 of module ``name``'s code object as its loader gives it (the bundle's archive,
    or the source compiled), marshalled; "" when there is none to read."""
    if name not in _DIGESTS:
        mod = sys.modules.get(name)
        loader = getattr(mod, "__loader__", None)
        try:
            code = loader.get_code(name) if loader is not None and hasattr(loader, "get_code") else None
        except Exception:  # noqa: BLE001 - an unreadable module: the package version still keys it
            code = None
        _DIGESTS[name] = hashlib.sha256(marshal.dumps(code)).hexdigest() if code is not None else ""
    return _DIGESTS[name]


def _package_version() -> str:
    try:
        from importlib.metadata import version

        return version("data-hall-designer")
    except Exception:  # noqa: BLE001 - no metadata in some bundles: the code digest still keys it
        return ""


def _frozen_cache_folder() -> str | None:
    """The folder named by :data:`CACHE_ENV` in a frozen app, if it can be written (else None)."""
    folder = os.environ.get(CACHE_ENV)
    if not getattr(sys, "frozen", False) or not folder:
        return None
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return None
    return folder


_REGISTERED = _LOCATOR_BASE is not object and isinstance(getattr(_IMPL, "_locator_classes", None), list)
if _REGISTERED and FrozenAppLocator not in _IMPL._locator_classes:
    _IMPL._locator_classes.insert(0, FrozenAppLocator)
_CACHE = not getattr(sys, "frozen", False) or (_REGISTERED and _frozen_cache_folder() is not None)


@nb.njit(cache=_CACHE, nogil=True)
def t_sweeps(T, rhs, aP, lo0, hi0, lo1, hi1, lo2, hi2, mask0, mask1, nsweep):  # pragma: no cover - compiled
    """``nsweep`` red-black sweeps of the cell temperatures ``T`` (updated in place): the cells
    of ``mask0``, then of ``mask1``, each set to ``(rhs + sum(coefficient x neighbour)) / aP``.
    ``loA[c]`` is the coefficient of the cell after ``c`` along axis A in ``c``'s equation,
    ``hiA[c]`` that of ``c`` in the equation of the cell after it."""
    nz, ny, nx = T.shape
    for _ in range(nsweep):
        for m in (mask0, mask1):
            for k in range(nz):
                for j in range(ny):
                    for i in range(nx):
                        if not m[k, j, i]:
                            continue
                        s = rhs[k, j, i]
                        if k < nz - 1:
                            s += lo0[k, j, i] * T[k + 1, j, i]
                        if k > 0:
                            s += hi0[k - 1, j, i] * T[k - 1, j, i]
                        if j < ny - 1:
                            s += lo1[k, j, i] * T[k, j + 1, i]
                        if j > 0:
                            s += hi1[k, j - 1, i] * T[k, j - 1, i]
                        if i < nx - 1:
                            s += lo2[k, j, i] * T[k, j, i + 1]
                        if i > 0:
                            s += hi2[k, j, i - 1] * T[k, j, i - 1]
                        T[k, j, i] = s / aP[k, j, i]


@nb.njit(cache=_CACHE, nogil=True)
def m_sweeps(Ua, cur, src, aW, aE, inv, aS1, aN1, aS2, aN2, mask0, mask1, nsweep):  # pragma: no cover - compiled
    """``nsweep`` red-black sweeps of one velocity component's interior faces ``cur`` (a view
    into ``Ua``, updated in place). Axis 0 is the component's own axis, along which ``Ua`` has
    the two boundary faces more than ``cur``; axes 1 and 2 are the transverse axes, with the
    south / north coefficients ``aS1, aN1`` and ``aS2, aN2``. Each face of ``mask0``, then of
    ``mask1``, is set to ``(src + sum(coefficient x neighbour)) * inv``."""
    n0, n1, n2 = cur.shape
    for _ in range(nsweep):
        for m in (mask0, mask1):
            for k in range(n0):
                for j in range(n1):
                    for i in range(n2):
                        if not m[k, j, i]:
                            continue
                        s = src[k, j, i] + aW[k, j, i] * Ua[k, j, i] + aE[k, j, i] * Ua[k + 2, j, i]
                        if j > 0:
                            s += aS1[k, j, i] * cur[k, j - 1, i]
                        if j < n1 - 1:
                            s += aN1[k, j, i] * cur[k, j + 1, i]
                        if i > 0:
                            s += aS2[k, j, i] * cur[k, j, i - 1]
                        if i < n2 - 1:
                            s += aN2[k, j, i] * cur[k, j, i + 1]
                        cur[k, j, i] = s * inv[k, j, i]


@nb.njit(cache=_CACHE, nogil=True)
def _pos(x):  # pragma: no cover - compiled
    """``np.maximum(x, 0.0)`` for the sums it enters (a NaN stays a NaN)."""
    return 0.0 if x <= 0.0 else x


@nb.njit(cache=_CACHE, nogil=True)
def _transverse(aP, aS, aN, Ut, ws, wh, gs, gn, ps, pn, own_s, own_n, mu_a, half_rho, axis):  # pragma: no cover
    """The coefficients of one transverse direction (``axis`` 1 or 2) of the momentum control
    volumes, added to ``aP`` (see :func:`m_coeffs`)."""
    n0, n1, n2 = aP.shape
    for k in range(n0):
        for j in range(n1):
            for i in range(n2):
                mu = mu_a[k, j, i]
                if axis == 1:
                    fs = half_rho * (Ut[k, j, i] * ws[k, j, i] + Ut[k + 1, j, i] * wh[k, j, i])
                    fn = half_rho * (Ut[k, j + 1, i] * ws[k, j + 1, i] + Ut[k + 1, j + 1, i] * wh[k, j + 1, i])
                    mu_s = mu if (own_s[k, j, i] or j == 0) else (mu + mu_a[k, j - 1, i]) * 0.5
                    mu_n = mu if (own_n[k, j, i] or j == n1 - 1) else (mu + mu_a[k, j + 1, i]) * 0.5
                else:
                    fs = half_rho * (Ut[k, j, i] * ws[k, j, i] + Ut[k + 1, j, i] * wh[k, j, i])
                    fn = half_rho * (Ut[k, j, i + 1] * ws[k, j, i + 1] + Ut[k + 1, j, i + 1] * wh[k, j, i + 1])
                    mu_s = mu if (own_s[k, j, i] or i == 0) else (mu + mu_a[k, j, i - 1]) * 0.5
                    mu_n = mu if (own_n[k, j, i] or i == n2 - 1) else (mu + mu_a[k, j, i + 1]) * 0.5
                ds = mu_s * gs[k, j, i]
                dn = mu_n * gn[k, j, i]
                s = 0.0 if ps[k, j, i] else ds + _pos(fs)
                n = 0.0 if pn[k, j, i] else dn + _pos(-fn)
                aS[k, j, i] = s
                aN[k, j, i] = n
                aP[k, j, i] = aP[k, j, i] + (((s + n) + (ds if ps[k, j, i] else 0.0)) + (dn if pn[k, j, i] else 0.0))


@nb.njit(cache=_CACHE, nogil=True)
def m_coeffs(Ua, Ua_old, mu, p, T, buoyancy, t_ref, rho, dt, v_floor, area, area_wa, vol, kh,
             Ut1, ws1, wh1, gs1, gn1, ps1, pn1, os1, on1,
             Ut2, ws2, wh2, gs2, gn2, ps2, pn2, os2, on2,
             src, aW, aE, inv, aS1, aN1, aS2, aN2):  # pragma: no cover - compiled
    """The coefficients of one velocity component's momentum equations (axis 0 its own, as in
    :func:`m_sweeps`): upwind convection and diffusion in its own direction and the two
    transverse ones (loss faces on a control-volume face are thin walls), the pseudo-time term,
    the Newton-linearised loss ``kh |u| u`` below and above ``v_floor``, the pressure
    difference and, when ``buoyancy`` is not 0 (the vertical component), ``buoyancy (T - t_ref)``.
    Writes ``src``, ``aW``, ``aE``, ``aS1/aN1``, ``aS2/aN2`` and ``inv = 1 / aP``; the arithmetic is
    that of the numpy code it replaced (``tests/test_air_kernels.py``), term by term."""
    n0, n1, n2 = src.shape
    half_rho = 0.5 * rho
    mu_a = np.empty((n0, n1, n2))
    aP = np.empty((n0, n1, n2))
    for k in range(n0):
        for j in range(n1):
            for i in range(n2):
                fw = half_rho * (Ua[k, j, i] + Ua[k + 1, j, i]) * area[k, j, i]
                fe = half_rho * (Ua[k + 1, j, i] + Ua[k + 2, j, i]) * area[k + 1, j, i]
                w = mu[k, j, i] * area_wa[k, j, i] + _pos(fw)
                e = mu[k + 1, j, i] * area_wa[k + 1, j, i] + _pos(-fe)
                aW[k, j, i] = w
                aE[k, j, i] = e
                aP[k, j, i] = w + e
                mu_a[k, j, i] = 0.5 * (mu[k, j, i] + mu[k + 1, j, i])
    _transverse(aP, aS1, aN1, Ut1, ws1, wh1, gs1, gn1, ps1, pn1, os1, on1, mu_a, half_rho, 1)
    _transverse(aP, aS2, aN2, Ut2, ws2, wh2, gs2, gn2, ps2, pn2, os2, on2, mu_a, half_rho, 2)
    for k in range(n0):
        for j in range(n1):
            for i in range(n2):
                u = Ua_old[k + 1, j, i]
                trn = rho * vol[k, j, i] / dt
                c = kh[k, j, i]
                au = abs(u)
                if au >= v_floor:
                    lin = 2.0 * c * au
                    lsrc = c * au * u
                else:
                    lin = c * v_floor
                    lsrc = 0.0
                a = area[k, j, i]
                ap = aP[k, j, i] + (trn + lin * a)
                s = trn * u + (lsrc + (p[k, j, i] - p[k + 1, j, i])) * a
                if buoyancy != 0.0:
                    s = s + (buoyancy * (0.5 * (T[k, j, i] + T[k + 1, j, i]) - t_ref)) * vol[k, j, i]
                src[k, j, i] = s
                inv[k, j, i] = 1.0 / ap
