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

Compiled code is cached next to this file when it can be (a source checkout or an installed
package); a frozen app (PyInstaller) has no source file to key a cache on and compiles at its
first air solve (under a second).
"""

from __future__ import annotations

import sys

import numba as nb

_CACHE = not getattr(sys, "frozen", False)


@nb.njit(cache=_CACHE)
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


@nb.njit(cache=_CACHE)
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
