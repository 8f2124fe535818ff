"""A direct solver for 5-point operators on a rectangular grid, by nested dissection.

Why not ``scipy.sparse.linalg.splu``: on the 40,000-cell halls SuperLU needs about 100 ms
per factorisation, we need two per solve (airflow and temperature), and after a rack moves it
has to start again from nothing. On a regular grid the elimination tree of nested dissection is
known in advance and every node of one tree level has the same shape, so the factorisation is
a handful of *batched* dense operations per level (numpy's stacked ``inv`` and ``matmul``),
with no Python loop over nodes. A local change of the matrix (a rack moved) touches only the
fronts around it and their ancestors: :meth:`NDFactor.refactor` recomputes exactly those and
reuses everything else. The result is exact, not an approximation.

Matrix convention: the unknown of cell ``(j, i)`` (row j along y, column i along x) has the
equation ``C x[j,i] + W x[j,i-1] + E x[j,i+1] + S x[j-1,i] + N x[j+1,i] = b[j,i]``, given as
five ``(ny, nx)`` coefficient arrays. Couplings that point off the grid are ignored. Cells
that are not part of the problem should carry an identity row (C = 1, others 0).

There is no pivoting across fronts. That is safe for the M-matrices built here (graph
Laplacians with a small diagonal shift, upwind advection-diffusion): their Schur complements
are M-matrices again.

Layout: the grid is padded to ``(l + 1) 2**k - 1`` cells in each direction so that every split
is exact; the padding cells are identity rows. A front holds its own unknowns (a separator
line, or a whole leaf box) followed by the *ring*: the cells just outside its box on its four
sides, which belong to ancestor separators. Sides that are off the grid for every node of a
level are dropped. A child's ring sides land on contiguous runs of its parent's front, so
the extend-add is a few block slices rather than element-wise indexing.
"""

from __future__ import annotations

import numpy as np

# 5-point stencil directions: C, W, E, S, N as offsets (dx, dy); _OPP maps to the reverse one.
_DIRS = ((0, 0), (-1, 0), (1, 0), (0, -1), (0, 1))
_OPP = (0, 2, 1, 4, 3)
_LEAF = 4  # leaves are boxes of at most _LEAF x _LEAF cells


def _pad(n: int, odd_levels: int = 4) -> int:
    """Padded length: the top ``odd_levels`` halvings of it have a one-cell separator.

    Lower down an even length is split by a two-cell separator, which costs a little more
    in a small front but needs no padding.
    """
    m = 2 ** odd_levels
    if n <= 2 * m:
        return n
    return n + (m - 1 - n) % m


class _Level:
    """All nodes of one tree level: same box shape, so their fronts stack."""

    def __init__(self, w: int, h: int, axis: int, ox: np.ndarray, oy: np.ndarray) -> None:
        self.w, self.h, self.axis, self.ox, self.oy = w, h, axis, ox, oy
        n = w if axis == 0 else h
        self.sep = 1 if axis == -1 or n % 2 else 2  # separator width
        self.half = (n - self.sep) // 2  # length of each child along the split axis
        self.sides: list[tuple[str, list[tuple[int, int]]]] = []  # kept ring sides
        self.n_i = self.n_b = 0
        self.i_idx = self.b_idx = None  # (P, n) global cells (dummy = N)
        self.orig: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # block -> (flat pos, K index)
        self.blocks: list[list[tuple]] = [[], []]  # per child side: (block, ca, pa, la, cb, pb, lb)

    @property
    def own(self) -> list[tuple[int, int]]:
        if self.axis == -1:
            return [(x, y) for y in range(self.h) for x in range(self.w)]
        m = self.half
        if self.axis == 0:
            return [(m + t, y) for t in range(self.sep) for y in range(self.h)]
        return [(x, m + t) for t in range(self.sep) for x in range(self.w)]

    @property
    def ring(self) -> list[tuple[int, int]]:
        return [c for _, cs in self.sides for c in cs]


class NDPattern:
    """The symbolic part: tree, index maps and assembly maps for an ``ny`` x ``nx`` grid.

    Depends on the grid size only, so it is built once per grid and shared by every matrix
    on that grid (airflow and temperature alike).

    Parameters
    ----------
    ny, nx : int
        Grid size in cells (rows along y, columns along x).
    """

    def __init__(self, ny: int, nx: int) -> None:
        self.ny, self.nx = ny, nx
        self.NX, self.NY = _pad(nx), _pad(ny)
        self.N = self.NX * self.NY
        self.levels: list[_Level] = []
        w, h = self.NX, self.NY
        ox = np.zeros(1, dtype=np.int64)
        oy = np.zeros(1, dtype=np.int64)
        while True:
            if w <= _LEAF and h <= _LEAF:
                self.levels.append(_Level(w, h, -1, ox, oy))
                break
            axis = 0 if (w > _LEAF and (w >= h or h <= _LEAF)) else 1
            lv = _Level(w, h, axis, ox, oy)
            self.levels.append(lv)
            step = lv.half + lv.sep
            if axis == 0:
                ox, oy = np.stack([ox, ox + step], axis=1).ravel(), np.repeat(oy, 2)
                w = lv.half
            else:
                oy, ox = np.stack([oy, oy + step], axis=1).ravel(), np.repeat(ox, 2)
                h = lv.half
        for lv in self.levels:
            self._build_level(lv)
        for k, lv in enumerate(self.levels[:-1]):
            self._build_children(lv, self.levels[k + 1])

    # -- symbolic helpers ------------------------------------------------------------------
    def _global(self, lv: _Level, coords: list[tuple[int, int]]) -> np.ndarray:
        cx = np.array([c[0] for c in coords], dtype=np.int64).reshape(-1)
        cy = np.array([c[1] for c in coords], dtype=np.int64).reshape(-1)
        gx = lv.ox[:, None] + cx[None, :]
        gy = lv.oy[:, None] + cy[None, :]
        ok = (gx >= 0) & (gx < self.NX) & (gy >= 0) & (gy < self.NY)
        return np.where(ok, gy * self.NX + gx, self.N)

    def _build_level(self, lv: _Level) -> None:
        w, h = lv.w, lv.h
        for name, cs in (("W", [(-1, y) for y in range(h)]), ("E", [(w, y) for y in range(h)]),
                         ("S", [(x, -1) for x in range(w)]), ("N", [(x, h) for x in range(w)])):
            if (self._global(lv, cs[:1]) != self.N).any():
                lv.sides.append((name, cs))
        own, ring = lv.own, lv.ring
        ni, nb = len(own), len(ring)
        lv.n_i, lv.n_b = ni, nb
        pos = {c: k for k, c in enumerate(own)}
        rpos = {c: k for k, c in enumerate(ring)}
        lv.i_idx = self._global(lv, own)
        lv.b_idx = self._global(lv, ring) if ring else np.zeros((len(lv.ox), 0), dtype=np.int64)
        # original entries per block: (flat position in the block, direction, whose row)
        ent: dict[str, tuple[list, list, list]] = {"II": ([], [], []), "IB": ([], [], []),
                                                     "BI": ([], [], [])}
        for a, (x, y) in enumerate(own):
            for d, (dx, dy) in enumerate(_DIRS):
                nb_ = (x + dx, y + dy)
                if nb_ in pos:  # A_II, with the diagonal
                    e = ent["II"]
                    e[0].append(a * ni + pos[nb_])
                    e[1].append(d)
                    e[2].append(lv.i_idx[:, a])
                elif nb_ in rpos:  # A_IB from row a, A_BI from the ring cell's row
                    r = rpos[nb_]
                    e = ent["IB"]
                    e[0].append(a * nb + r)
                    e[1].append(d)
                    e[2].append(lv.i_idx[:, a])
                    e = ent["BI"]
                    e[0].append(r * ni + a)
                    e[1].append(_OPP[d])
                    e[2].append(lv.b_idx[:, r])
                # else the neighbour lies in a child box, whose front holds the coupling
        lv.orig = {}
        for key, (flat, dirs, cells) in ent.items():
            if not flat:
                continue
            kidx = np.array(dirs, dtype=np.int64)[None, :] * (self.N + 1) + np.stack(cells, axis=1)
            lv.orig[key] = (np.array(flat, dtype=np.int64), kidx)

    def _build_children(self, lv: _Level, child: _Level) -> None:
        ni = lv.n_i
        front = lv.own + lv.ring
        pos = {c: k for k, c in enumerate(front)}
        for side in (0, 1):
            step = lv.half + lv.sep
            off = (0 if side == 0 else step, 0) if lv.axis == 0 else (0, 0 if side == 0 else step)
            runs = []  # (child start, parent start, length) per child side
            c0 = 0
            for _, cs in child.sides:
                p = [pos.get((x + off[0], y + off[1]), -1) for x, y in cs]
                if p[0] >= 0:
                    assert p == list(range(p[0], p[0] + len(p))), "ring side must map to a run"
                    assert p[-1] < ni or p[0] >= ni, "a run lies in the separator or the ring"
                    runs.append((c0, p[0], len(cs)))
                else:
                    # off the grid for these children: their S is exactly zero there
                    assert all(q < 0 for q in p)
                c0 += len(cs)
            blocks = []
            for ca, pa, la in runs:
                for cb, pb, lb in runs:
                    key = ("I" if pa < ni else "B") + ("I" if pb < ni else "B")
                    pa_ = pa if pa < ni else pa - ni
                    pb_ = pb if pb < ni else pb - ni
                    blocks.append((key, ca, pa_, la, cb, pb_, lb))
            lv.blocks[side] = blocks

    # -- numeric ----------------------------------------------------------------------------
    def coefficients(self, c, w, e, s, n) -> np.ndarray:
        """Stack five ``(ny, nx)`` coefficient arrays into the padded form :meth:`factor` reads.

        Returns
        -------
        numpy.ndarray
            Shape ``(5, N + 1)``; the last column is the zero "off the grid" slot.
        """
        K = np.zeros((5, self.N + 1))
        K[0, : self.N] = 1.0  # padding cells: identity rows
        v = K[:, : self.N].reshape(5, self.NY, self.NX)
        for d, a in enumerate((c, w, e, s, n)):
            v[d, : self.ny, : self.nx] = a
        # couplings that point off the real grid must not reach the padding
        v[1, :, 0] = 0.0
        v[2, :, self.nx - 1] = 0.0
        v[3, 0, :] = 0.0
        v[4, self.ny - 1, :] = 0.0
        return K

    def factor(self, K: np.ndarray) -> NDFactor:
        """Factorise the matrix with padded coefficients ``K`` (see :meth:`coefficients`)."""
        f = NDFactor(self, K)
        for k in range(len(self.levels) - 1, -1, -1):
            f._compute(k, None)
        return f


class NDFactor:
    """The numeric factorisation: per level, stacked front inverses and Schur complements.

    Keeps every level's Schur complements so that :meth:`refactor` can rebuild a parent
    front from one changed child and one unchanged one.
    """

    def __init__(self, pattern: NDPattern, K: np.ndarray) -> None:
        self.p = pattern
        self.K = K
        n = len(pattern.levels)
        self.inv: list = [None] * n
        self.w: list = [None] * n
        self.fib: list = [None] * n
        self.s: list = [None] * n

    def _compute(self, k: int, nodes: np.ndarray | None) -> None:
        lv = self.p.levels[k]
        P = len(lv.ox) if nodes is None else len(nodes)
        ni, nb = lv.n_i, lv.n_b
        blk = {"II": np.zeros((P, ni, ni)), "IB": np.zeros((P, ni, nb)),
               "BI": np.zeros((P, nb, ni)), "BB": np.zeros((P, nb, nb))}
        Kf = self.K.ravel()
        for key, (flat, kidx) in lv.orig.items():
            m = blk[key]
            size = m.shape[1] * m.shape[2]
            ki = kidx if nodes is None else kidx[nodes]
            m.reshape(-1)[(np.arange(P) * size)[:, None] + flat[None, :]] = Kf[ki]
        if lv.axis != -1:
            S = self.s[k + 1]
            for side in (0, 1):
                Sc = S[side::2] if nodes is None else S[2 * nodes + side]
                for key, ca, pa, la, cb, pb, lb in lv.blocks[side]:
                    blk[key][:, pa:pa + la, pb:pb + lb] += Sc[:, ca:ca + la, cb:cb + lb]
        inv = np.linalg.inv(blk["II"])
        fib = blk["IB"]
        w = np.matmul(blk["BI"], inv)
        s = blk["BB"]
        s -= np.matmul(w, fib)
        if nodes is None:
            self.inv[k], self.w[k], self.fib[k], self.s[k] = inv, w, fib, s
        else:
            self.inv[k][nodes], self.w[k][nodes], self.fib[k][nodes] = inv, w, fib
            self.s[k][nodes] = s

    def refactor(self, K: np.ndarray, changed: np.ndarray) -> int:
        """Update in place to new coefficients ``K`` that differ from the old ones only in
        the rows of the cells flagged in ``changed`` (``(ny, nx)`` bool array).

        Only fronts whose box or ring contains a changed cell are recomputed (their
        ancestors follow, since an ancestor's box contains its descendants' boxes).

        Returns
        -------
        int
            How many fronts were recomputed.
        """
        self.K = K
        jj, ii = np.nonzero(changed)
        if len(ii) == 0:
            return 0
        count = 0
        for k in range(len(self.p.levels) - 1, -1, -1):
            lv = self.p.levels[k]
            inx = (ii[None, :] >= lv.ox[:, None] - 1) & (ii[None, :] <= lv.ox[:, None] + lv.w)
            iny = (jj[None, :] >= lv.oy[:, None] - 1) & (jj[None, :] <= lv.oy[:, None] + lv.h)
            nodes = np.nonzero((inx & iny).any(axis=1))[0]
            if len(nodes):
                self._compute(k, nodes)
                count += len(nodes)
        return count

    def solve(self, b: np.ndarray) -> np.ndarray:
        """Solve for a right-hand side ``b`` of shape ``(ny, nx)``; returns ``(ny, nx)``."""
        p = self.p
        x = np.zeros(p.N + 1)
        x[: p.N].reshape(p.NY, p.NX)[: p.ny, : p.nx] = b
        z = [None] * len(p.levels)
        for k in range(len(p.levels) - 1, -1, -1):
            lv = p.levels[k]
            bi = x[lv.i_idx]
            z[k] = bi
            if lv.n_b:
                upd = np.matmul(self.w[k], bi[:, :, None])[:, :, 0]
                x -= np.bincount(lv.b_idx.ravel(), weights=upd.ravel(), minlength=p.N + 1)
        x[p.N] = 0.0
        for k, lv in enumerate(p.levels):
            rhs = z[k]
            if lv.n_b:
                rhs = rhs - np.matmul(self.fib[k], x[lv.b_idx][:, :, None])[:, :, 0]
            x[lv.i_idx] = np.matmul(self.inv[k], rhs[:, :, None])[:, :, 0]
            x[p.N] = 0.0
        return x[: p.N].reshape(p.NY, p.NX)[: p.ny, : p.nx].copy()
