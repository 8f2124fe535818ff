"""The nested-dissection grid solver against SciPy's sparse LU, and its partial refactorisation."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
import scipy.sparse.linalg as sla
from hyp import examples
from hypothesis import given, settings
from hypothesis import strategies as st

from designer.solvers.air.nd import NDPattern, _pad


def _sparse(c, w, e, s, n) -> sp.csc_matrix:
    """The same 5-point matrix as a SciPy sparse matrix (couplings off the grid dropped)."""
    ny, nx = c.shape
    idx = np.arange(ny * nx).reshape(ny, nx)
    rows = [idx.ravel(), idx[:, 1:].ravel(), idx[:, :-1].ravel(), idx[1:, :].ravel(), idx[:-1, :].ravel()]
    cols = [idx.ravel(), idx[:, :-1].ravel(), idx[:, 1:].ravel(), idx[:-1, :].ravel(), idx[1:, :].ravel()]
    vals = [c.ravel(), w[:, 1:].ravel(), e[:, :-1].ravel(), s[1:, :].ravel(), n[:-1, :].ravel()]
    return sp.csc_matrix((np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                         shape=(ny * nx, ny * nx))


def _m_matrix(rng, ny, nx, identity_share=0.2, symmetric=False):
    """A random 5-point M-matrix like ours: negative couplings, weakly dominant diagonal,
    some identity rows (solid cells) that nothing couples to."""
    solid = rng.random((ny, nx)) < identity_share
    cx = rng.uniform(0.0, 2.0, (ny, nx + 1))
    cy = rng.uniform(0.0, 2.0, (ny + 1, nx))
    cx[:, [0, -1]] = 0
    cy[[0, -1], :] = 0
    cx[:, 1:-1] *= ~solid[:, :-1] & ~solid[:, 1:]
    cy[1:-1, :] *= ~solid[:-1, :] & ~solid[1:, :]
    if symmetric:
        w, e, s, n = -cx[:, :-1], -cx[:, 1:], -cy[:-1, :], -cy[1:, :]
    else:  # upwind-like: each face carries a different weight each way
        skew = rng.uniform(0.2, 1.8, (4, ny, nx))
        w, e, s, n = -cx[:, :-1] * skew[0], -cx[:, 1:] * skew[1], -cy[:-1, :] * skew[2], -cy[1:, :] * skew[3]
    c = -(w + e + s + n) + rng.uniform(1e-3, 0.1, (ny, nx))
    c = np.where(solid, 1.0, c)
    return c, w, e, s, n


@pytest.mark.parametrize("n", [1, 2, 3, 7, 14, 31, 32, 33, 100, 207, 336])
def test_padding_is_small(n):
    p = _pad(n)
    assert p >= n
    assert p - n <= 15
    # the top four halvings of a long side split with a one-cell separator
    if n > 32:
        assert (p + 1) % 16 == 0


@settings(max_examples=examples(40), deadline=None)
@given(ny=st.integers(1, 40), nx=st.integers(1, 40), seed=st.integers(0, 2 ** 31 - 1),
       symmetric=st.booleans())
def test_solve_matches_scipy(ny, nx, seed, symmetric):
    rng = np.random.default_rng(seed)
    coef = _m_matrix(rng, ny, nx, symmetric=symmetric)
    pat = NDPattern(ny, nx)
    f = pat.factor(pat.coefficients(*coef))
    b = rng.standard_normal((ny, nx))
    x = f.solve(b)
    ref = sla.spsolve(_sparse(*coef), b.ravel())
    assert np.abs(x.ravel() - ref).max() <= 1e-10 * max(np.abs(ref).max(), 1.0)


@settings(max_examples=examples(30), deadline=None)
@given(ny=st.integers(2, 45), nx=st.integers(2, 45), seed=st.integers(0, 2 ** 31 - 1),
       patches=st.integers(1, 3))
def test_partial_refactor_equals_fresh_factor(ny, nx, seed, patches):
    """Change the rows of a few small patches (a rack moved): the partly refactorised
    factor must solve the new matrix exactly, not the old one."""
    rng = np.random.default_rng(seed)
    c, w, e, s, n = _m_matrix(rng, ny, nx)
    pat = NDPattern(ny, nx)
    f = pat.factor(pat.coefficients(c, w, e, s, n))
    changed = np.zeros((ny, nx), dtype=bool)
    c2 = c.copy()
    for _ in range(patches):
        j, i = rng.integers(0, ny), rng.integers(0, nx)
        changed[j:j + 3, i:i + 2] = True
    c2[changed] *= rng.uniform(1.1, 3.0, changed.sum())
    fronts = f.refactor(pat.coefficients(c2, w, e, s, n), changed)
    assert fronts >= 1
    b = rng.standard_normal((ny, nx))
    ref = sla.spsolve(_sparse(c2, w, e, s, n), b.ravel())
    assert np.abs(f.solve(b).ravel() - ref).max() <= 1e-10 * max(np.abs(ref).max(), 1.0)


def test_refactor_touches_few_fronts_on_a_large_grid():
    """A local change on a 200 x 300 grid recomputes a small share of the fronts."""
    rng = np.random.default_rng(1)
    c, w, e, s, n = _m_matrix(rng, 200, 300, symmetric=True)
    pat = NDPattern(200, 300)
    f = pat.factor(pat.coefficients(c, w, e, s, n))
    total = sum(len(lv.ox) for lv in pat.levels)
    changed = np.zeros((200, 300), dtype=bool)
    changed[100:106, 150:153] = True
    fronts = f.refactor(pat.coefficients(c, w, e, s, n), changed)
    assert fronts < 0.02 * total
