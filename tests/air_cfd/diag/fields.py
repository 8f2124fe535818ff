"""Loaders for the comparison: the CFD's stored (time-mean) fields and the model's dumped fields,
both as arrays indexed [x, y, z] on cell centres, NaN in solids, with a NaN-aware trilinear sampler."""
from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tests" / "air_cfd"))
from foamio import read_internal  # noqa: E402

K0 = 273.15
RUN = Path("/work/cfd-runs/s22fix/open_aisle_crah/h0.200")
"""Default CFD run directory (the reference rebuilt with fixedNormalSlip outflow patches)."""
OUT = Path(__file__).resolve().parent / "out"


def run_arg(ap):
    """Add the CFD run directory as an optional positional argument (default RUN)."""
    ap.add_argument("run", nargs="?", type=Path, default=RUN,
                    help=f"CFD run directory holding case.json, grid.npz and time directories (default {RUN})")
    return ap


def run_label(run: Path) -> str:
    """A short file-name tag for a run directory, e.g. s22fix_h0.200."""
    run = Path(run).resolve()
    return f"{run.parent.parent.name}_{run.name}"


def latest_time(d: Path) -> str:
    return max((float(p.name), p.name) for p in d.iterdir() if p.is_dir() and p.name.replace(".", "").isdigit())[1]


@dataclass
class Field3:
    name: str
    xe: np.ndarray  # cell edges
    ye: np.ndarray
    ze: np.ndarray
    T: np.ndarray  # [x, y, z] degC
    U: np.ndarray  # [x, y, z, 3] m/s, cell centre
    nut: np.ndarray  # m2/s
    extra: dict = field(default_factory=dict)

    @property
    def xc(self):
        return 0.5 * (self.xe[1:] + self.xe[:-1])

    @property
    def yc(self):
        return 0.5 * (self.ye[1:] + self.ye[:-1])

    @property
    def zc(self):
        return 0.5 * (self.ze[1:] + self.ze[:-1])

    @property
    def vol(self):
        return (np.diff(self.xe)[:, None, None] * np.diff(self.ye)[None, :, None] * np.diff(self.ze)[None, None, :])

    def sample(self, arr, x, y, z):
        """NaN-aware trilinear interpolation between cell centres (solids excluded), clamped at the
        outermost centres. x, y, z broadcastable."""
        x, y, z = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float), np.asarray(z, float))
        out_shape = x.shape + arr.shape[3:]
        res = np.zeros(out_shape)
        wsum = np.zeros(x.shape)
        idx, wts = [], []
        for c, p in ((self.xc, x), (self.yc, y), (self.zc, z)):
            p = np.clip(p, c[0], c[-1])
            i = np.clip(np.searchsorted(c, p) - 1, 0, len(c) - 2)
            t = (p - c[i]) / (c[i + 1] - c[i])
            idx.append(i)
            wts.append(t)
        for dx in (0, 1):
            for dy in (0, 1):
                for dz in (0, 1):
                    w = ((wts[0] if dx else 1 - wts[0]) * (wts[1] if dy else 1 - wts[1])
                         * (wts[2] if dz else 1 - wts[2]))
                    v = arr[idx[0] + dx, idx[1] + dy, idx[2] + dz]
                    ok = np.isfinite(v) if v.ndim == w.ndim else np.isfinite(v).all(-1)
                    w = np.where(ok, w, 0.0)
                    vv = np.where(ok[..., None] if v.ndim > w.ndim else ok, v, 0.0)
                    res += (w[..., None] if v.ndim > w.ndim else w) * vv
                    wsum += w
        with np.errstate(invalid="ignore", divide="ignore"):
            return res / (wsum[..., None] if res.ndim > wsum.ndim else wsum)


def load_cfd(run: Path = RUN, time: str | None = None) -> Field3:
    """The CFD's fields at `time` (default the latest time directory = the end of the averaging window)."""
    d = Path(run)
    meta = json.loads((d / "case.json").read_text())
    g = np.load(d / "grid.npz")
    if time is None:
        time = latest_time(d)
    td = d / time
    n = meta["n_cells"]
    ijk = g["ijk"]
    shape = (len(g["xs"]) - 1, len(g["ys"]) - 1, len(g["zs"]) - 1)

    def put(vals):
        arr = np.full(shape + vals.shape[1:], np.nan)
        arr[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = vals
        return arr

    mean = meta.get("transient", False)
    T = put(read_internal(td / ("TMean" if mean else "T"), n) - K0)
    U = put(read_internal(td / ("UMean" if mean else "U"), n))
    nut = put(read_internal(td / "nut", n))
    extra = dict(alphat=put(read_internal(td / "alphat", n)), k=put(read_internal(td / "k", n)),
                 T_inst=put(read_internal(td / "T", n) - K0), U_inst=put(read_internal(td / "U", n)),
                 meta=meta, time=time, run=d)
    return Field3(f"CFD {run_label(d)}", g["xs"], g["ys"], g["zs"], T, U, nut, extra)


def load_model(case: str, tag: str = "base") -> Field3:
    z = np.load(OUT / f"{case}_{tag}.npz")
    Uz, Uy, Ux, T, nut, solid = z["Uz"], z["Uy"], z["Ux"], z["T"], z["nut"], z["solid"]
    nz, ny, nx = T.shape
    h, x0, y0 = float(z["h"]), float(z["x0"]), float(z["y0"])
    xe = x0 + h * np.arange(nx + 1)
    ye = y0 + h * np.arange(ny + 1)
    ze = z["zf"]
    uc = np.stack([0.5 * (Ux[:, :, :-1] + Ux[:, :, 1:]), 0.5 * (Uy[:, :-1] + Uy[:, 1:]), 0.5 * (Uz[:-1] + Uz[1:])], -1)
    uc[solid] = np.nan

    def tr(a):  # (z,y,x) -> (x,y,z)
        return np.ascontiguousarray(np.moveaxis(a, (0, 1, 2), (2, 1, 0)))

    nut_t = nut - 1.5e-5
    nut_t = np.where(solid, np.nan, nut_t)
    extra = dict(Uxf=tr(Ux), Uyf=tr(Uy), Uzf=tr(Uz), solid=tr(solid), dist=tr(z["dist"]))
    return Field3(f"model {h:g} m ({tag})", xe, ye, ze, tr(T), tr(uc), tr(nut_t), extra)
