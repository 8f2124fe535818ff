"""Model (dumped by solve_dump.py) against the CFD's time-mean fields on open_aisle_crah.

python tests/air_cfd/diag/compare.py [RUN_DIR] [--tag base] [--plots]
RUN_DIR: the CFD run directory (default fields.RUN, /work/cfd-runs/s22fix/open_aisle_crah/h0.200);
its latest time directory (the end of the averaging window) is read.
Prints the tables of the report and writes PNGs to tests/air_cfd/diag/out/ named after the run.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fields import OUT, load_cfd, load_model, run_arg, run_label  # noqa: E402

RHO_CP = 1206.0
T_SUP = 22.0
CASE = "open_aisle_crah"
Y_AISLE = 3.6
X_MID = 5.1
Z_TOP = 2.0


def aisle_box(f):
    """The aisle on this field's grid: the run of fluid cells between the rows at z = 1 m, y = 3.6."""
    if f.name.startswith("CFD"):
        return 2.7, 7.5, 3.0, 4.2
    return 2.75, 7.5, 3.0, 4.25  # model at 0.25 m: rack edges snapped to grid lines (checked below)


def idx_between(c, lo, hi):
    return np.where((c > lo + 1e-9) & (c < hi - 1e-9))[0]


def edge_index(e, v):
    i = int(np.argmin(np.abs(e - v)))
    assert abs(e[i] - v) < 1e-6, (v, e[i])
    return i


def plane_z(f, zval, x0, x1, y0, y1, upwind):
    """Volume and heat flow through the horizontal plane z = zval over [x0,x1]x[y0,y1]:
    up (+) and down (-) parts, advective heat relative to T_SUP, mean T of the downflow, and the
    modelled turbulent diffusion (down = heat into the region below)."""
    k = edge_index(f.ze, zval)
    ii, jj = idx_between(f.xc, x0, x1), idx_between(f.yc, y0, y1)
    dx, dy = np.diff(f.xe)[ii][:, None], np.diff(f.ye)[jj][None, :]
    A = dx * dy
    Tlo, Thi = f.T[np.ix_(ii, jj, [k - 1])][..., 0], f.T[np.ix_(ii, jj, [k])][..., 0]
    if "Uzf" in f.extra:  # model: exact face velocity, upwind T, nu_t / 0.9 + nu / 0.7
        w = f.extra["Uzf"][np.ix_(ii, jj, [k])][..., 0]
        nut = 0.5 * (f.nut[np.ix_(ii, jj, [k - 1])][..., 0] + f.nut[np.ix_(ii, jj, [k])][..., 0])
        alpha = nut / 0.9 + 1.5e-5 / 0.7
    else:
        w = 0.5 * (f.U[np.ix_(ii, jj, [k - 1])][..., 0, 2] + f.U[np.ix_(ii, jj, [k])][..., 0, 2])
        al = f.extra["alphat"]
        alpha = 0.5 * (al[np.ix_(ii, jj, [k - 1])][..., 0] + al[np.ix_(ii, jj, [k])][..., 0]) + 1.5e-5 / 0.7
    Tf = np.where(w > 0, Tlo, Thi) if upwind else 0.5 * (Tlo + Thi)
    q = w * A
    dz = 0.5 * (f.ze[k + 1] - f.ze[k - 1])
    diff_down = (alpha * (Thi - Tlo) / dz * A).sum() * RHO_CP  # W into the region below
    return dict(up=q[q > 0].sum(), down=-q[q < 0].sum(), net_down=-q.sum(),
                heat_down=-(q * (Tf - T_SUP)).sum() * RHO_CP, diff_down=diff_down,
                t_down=(q[q < 0] * Tf[q < 0]).sum() / q[q < 0].sum() if (q < 0).any() else np.nan)


def plane_x(f, xval, y0, y1, z0, z1, upwind, sign):
    """Flow into the region through the plane x = xval (sign +1: region lies at larger x)."""
    i = edge_index(f.xe, xval)
    jj, kk = idx_between(f.yc, y0, y1), idx_between(f.zc, z0, z1)
    A = np.diff(f.ye)[jj][:, None] * np.diff(f.ze)[kk][None, :]
    Tlo, Thi = f.T[np.ix_([i - 1], jj, kk)][0], f.T[np.ix_([i], jj, kk)][0]
    if "Uxf" in f.extra:
        u = f.extra["Uxf"][np.ix_([i], jj, kk)][0]
        nut = 0.5 * (f.nut[np.ix_([i - 1], jj, kk)][0] + f.nut[np.ix_([i], jj, kk)][0])
        alpha = nut / 0.9 + 1.5e-5 / 0.7
    else:
        u = 0.5 * (f.U[np.ix_([i - 1], jj, kk)][0][..., 0] + f.U[np.ix_([i], jj, kk)][0][..., 0])
        al = f.extra["alphat"]
        alpha = 0.5 * (al[np.ix_([i - 1], jj, kk)][0] + al[np.ix_([i], jj, kk)][0]) + 1.5e-5 / 0.7
    Tf = np.where(u > 0, Tlo, Thi) if upwind else 0.5 * (Tlo + Thi)
    q = sign * u * A  # + into region
    dxx = 0.5 * (f.xe[i + 1] - f.xe[i - 1])
    grad_in = sign * (Thi - Tlo) / dxx  # dT along the inward normal
    diff_in = -(alpha * (-grad_in) * A).sum() * RHO_CP * -1  # heat diffuses down the gradient
    diff_in = (alpha * (-grad_in) * A).sum() * RHO_CP * -1
    # diffusive flux into region = -alpha * dT/dn_out ... dT/dn_in = grad_in; flux into region = -alpha * grad_in? no:
    # heat flows from hot to cold: if T rises going *into* the region (grad_in > 0) heat flows out of it.
    diff_in = -(alpha * grad_in * A).sum() * RHO_CP
    return dict(inflow=q[q > 0].sum(), outflow=-q[q < 0].sum(), net_in=q.sum(),
                heat_in=(q * (Tf - T_SUP)).sum() * RHO_CP, diff_in=diff_in,
                t_in=(q[q > 0] * Tf[q > 0]).sum() / q[q > 0].sum() if (q > 0).any() else np.nan)


def rack_heat(f, racks_res):
    """Heat the rack fronts take out of the aisle relative to supply: sum rho cp Q (T_in - 22)."""
    return sum(RHO_CP * q * (t - T_SUP) for q, t in racks_res)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tag", default="base")
    ap.add_argument("--plots", action="store_true")
    run_arg(ap)
    a = ap.parse_args()
    c = load_cfd(a.run)
    m = load_model(CASE, a.tag)
    res = json.loads((a.run / "result.json").read_text())
    print(f"CFD run {a.run} (time {c.extra['time']}); model dump out/{CASE}_{a.tag}.npz")
    meta = c.extra["meta"]
    qr = {r["id"]: r["airflow_m3s"] for r in meta["racks"]}
    fs = [c, m]
    # check the model's aisle from its solids
    zi = int(np.searchsorted(m.zc, 1.0))
    jrow = m.extra["solid"][int(np.searchsorted(m.xc, 5.1)), :, zi]
    print("model solid along y at x=5.1, z=1:", "".join("#" if s else "." for s in jrow), " y edges", m.ye[0], m.ye[-1])
    print("CFD fluid along y at x=5.1, z=1: ", "".join("#" if not np.isfinite(v) else "." for v in c.T[int(np.searchsorted(c.xc, 5.1)), :, int(np.searchsorted(c.zc, 1.0))]))

    # 1. centre line
    xs = np.arange(1.0, 10.01, 0.5)
    print("\n## 1. Cold-aisle centre line y = 3.6 m (CFD time mean | model): T degC, Ux m/s, |U| m/s")
    zs = [0.3, 1.0, 1.8, 2.3]
    prof = {}
    for f in fs:
        for z in zs:
            prof[(f.name, z)] = (f.sample(f.T, xs, Y_AISLE, z), f.sample(f.U, xs, Y_AISLE, z))
    for z in zs:
        print(f"\nz = {z} m")
        print(f"{'x':>5} | {'T cfd':>6} {'T mod':>6} {'dT':>6} | {'Ux cfd':>6} {'Ux mod':>6} | {'|U|cfd':>6} {'|U|mod':>6} | {'Uz cfd':>6} {'Uz mod':>6}")
        Tc, Uc = prof[(c.name, z)]
        Tm, Um = prof[(m.name, z)]
        for i, x in enumerate(xs):
            print(f"{x:5.1f} | {Tc[i]:6.2f} {Tm[i]:6.2f} {Tm[i] - Tc[i]:+6.2f} | {Uc[i, 0]:+6.2f} {Um[i, 0]:+6.2f} | "
                  f"{np.linalg.norm(Uc[i]):6.2f} {np.linalg.norm(Um[i]):6.2f} | {Uc[i, 2]:+6.2f} {Um[i, 2]:+6.2f}")
    # aisle-only mean of dT
    sel = (xs > 2.7) & (xs < 7.5)
    for z in zs:
        print(f"aisle (x 3-7) mean T at z={z}: CFD {prof[(c.name, z)][0][sel].mean():.2f}  model {prof[(m.name, z)][0][sel].mean():.2f}")

    # 2. aisle boundaries
    print("\n## 2. Flows through the aisle's boundaries (heat relative to 22 degC, kW; + into the aisle)")
    racks_c = [(qr[r["id"]], r["inlet_mean_c"]) for r in res["racks"]]
    out = {}
    for f in fs:
        x0, x1, y0, y1 = aisle_box(f)
        up = f is m
        top = plane_z(f, Z_TOP, x0, x1, y0, y1, upwind=up)
        west = plane_x(f, x0, y0, y1, 0, Z_TOP, upwind=up, sign=+1)
        east = plane_x(f, x1, y0, y1, 0, Z_TOP, upwind=up, sign=-1)
        out[f.name] = (top, west, east)
        print(f"\n{f.name}: aisle x {x0}-{x1}, y {y0}-{y1}, z 0-{Z_TOP}")
        print(f"  top plane: in (down) {top['down']:.3f} m3/s at mean {top['t_down']:.2f} degC, out (up) {top['up']:.3f}, net in {top['net_down']:+.3f};"
              f" advective heat in {top['heat_down'] / 1e3:+.2f} kW, modelled turbulent diffusion in {top['diff_down'] / 1e3:+.2f} kW")
        for nm, e in (("west end", west), ("east end", east)):
            print(f"  {nm}: in {e['inflow']:.3f} m3/s at {e['t_in']:.2f} degC, out {e['outflow']:.3f}, net in {e['net_in']:+.3f};"
                  f" advective heat in {e['heat_in'] / 1e3:+.2f} kW, diffusion in {e['diff_in'] / 1e3:+.2f} kW")
        net = top["net_down"] + west["net_in"] + east["net_in"]
        adv = top["heat_down"] + west["heat_in"] + east["heat_in"]
        dif = top["diff_down"] + west["diff_in"] + east["diff_in"]
        print(f"  total net in {net:.3f} m3/s (racks take {sum(qr.values()):.3f}); advective + diffusive heat in {adv / 1e3:.2f} + {dif / 1e3:.2f} kW")
        out[f.name] = dict(top=top, west=west, east=east, net=net, adv=adv, dif=dif)
    # rack-side heat
    print(f"\n  heat the racks' fronts take out of the aisle, sum rho cp Q (T_in - 22): CFD {rack_heat(c, racks_c) / 1e3:.2f} kW"
          f" (from the results' inlet means)")
    print("  (model: from its inlet means, see solve_dump; CFD residual = rack heat - mean advection - modelled diffusion"
          " = transport by resolved unsteadiness, not stored as a field)")
    # jet decay from the unit faces
    print("\n## 2b. CRAH jets: speed along y = 3.6, z = 0.67 m (mid-height of the supply), and the largest |U| in the"
          " plane x = const (y 1.8-5.4, z 0-2)")
    print(f"{'d from face':>11} | {'west: cfd':>9} {'mod':>5} {'max cfd':>7} {'max mod':>7} | {'east: cfd':>9} {'mod':>5} {'max cfd':>7} {'max mod':>7}")
    for d in np.arange(0.1, 4.3, 0.5):
        row = f"{d:11.1f} |"
        for x0, s in ((0.9, 1), (10.1, -1)):
            x = x0 + s * d
            vals = []
            for f in fs:
                vals.append(float(np.linalg.norm(f.sample(f.U, x, Y_AISLE, 0.667))))
            for f in fs:
                Y, Z = np.meshgrid(np.linspace(1.8, 5.4, 37), np.linspace(0.05, 1.95, 20), indexing="ij")
                sp = np.linalg.norm(f.sample(f.U, x, Y, Z), axis=-1)
                vals.append(float(np.nanmax(sp)))
            row += f" {vals[0]:9.2f} {vals[1]:5.2f} {vals[2]:7.2f} {vals[3]:7.2f} |"
        print(row)

    # 3. vertical profiles
    print("\n## 3. Vertical temperature profiles (degC) at x = 5.1 m: aisle middle y = 3.6, behind the south row y = 0.9,"
          " behind the north row y = 6.3; and the east end of the aisle x = 7.0")
    zz = np.array([0.1, 0.3, 0.6, 0.9, 1.2, 1.5, 1.8, 2.1, 2.4, 2.7, 2.9])
    cols = [(5.1, 3.6), (5.1, 0.9), (5.1, 6.3), (7.0, 3.6)]
    print(f"{'z':>4} | " + " | ".join(f"({x},{y}) cfd  mod" for x, y in cols))
    for z in zz:
        print(f"{z:4.1f} | " + " | ".join(f"{c.sample(c.T, x, y, z):10.2f} {m.sample(m.T, x, y, z):5.2f}" for x, y in cols))
    for f in fs:
        zc = f.zc
        sel = (zc > 2.0) & (zc < 3.0)
        v = f.vol[:, :, sel]
        t = f.T[:, :, sel]
        ok = np.isfinite(t)
        sel2 = zc < 2.0
        v2, t2 = f.vol[:, :, sel2], f.T[:, :, sel2]
        ok2 = np.isfinite(t2)
        print(f"{f.name}: room mean T at z 2-3 m {(v * np.where(ok, t, 0)).sum() / v[ok].sum():.2f} degC,"
              f" at z 0-2 m {(v2 * np.where(ok2, t2, 0)).sum() / v2[ok2].sum():.2f} degC")

    # 4. eddy viscosity
    print("\n## 4. Eddy viscosity, volume means (m2/s): model nu_t = 0.03874 |V| L; CFD nut of the LAST instant"
          f" (t = {c.extra['time']} s, not a time mean)")
    for f in fs:
        x0, x1, y0, y1 = aisle_box(f)
        X, Y, Z = np.meshgrid(f.xc, f.yc, f.zc, indexing="ij")
        regs = {"aisle z 0-2": (X > x0) & (X < x1) & (Y > y0) & (Y < y1) & (Z < 2),
                "aisle jet core x<4 z<1.2": (X > x0) & (X < 4.0) & (Y > y0) & (Y < y1) & (Z < 1.2),
                "over aisle z 2-3": (X > x0) & (X < x1) & (Y > y0) & (Y < y1) & (Z > 2),
                "jets before the aisle (x<2.7 or >7.5, y 2.35-4.85, z<1.33)": ((X < 2.7) | (X > 7.5)) & (Y > 2.35) & (Y < 4.85) & (Z < 1.33),
                "room": np.ones_like(X, bool)}
        s = f"{f.name}: "
        for k, r in regs.items():
            r = r & np.isfinite(f.nut)
            s += f"{k} {(f.nut * f.vol)[r].sum() / f.vol[r].sum():.4f}; "
        print(s)
    if "k" in c.extra:
        X, Y, Z = np.meshgrid(c.xc, c.yc, c.zc, indexing="ij")
        r = (X > 2.7) & (X < 7.5) & (Y > 3) & (Y < 4.2) & (Z < 2)
        du = c.extra["U_inst"] - c.U
        kres = 0.5 * (du ** 2).sum(-1)
        print(f"CFD aisle: modelled k (last instant) mean {np.nanmean(c.extra['k'][r]):.4f} m2/s2; "
              f"0.5|U(t={c.extra['time']}) - UMean|^2 mean {np.nanmean(kres[r]):.4f} m2/s2 (one snapshot: resolved unsteadiness is small)")
    # 5. fastest cells
    sp = np.linalg.norm(c.U, axis=-1)
    vmax = max(o["flow_m3s"] / o["area"] for o in meta["openings"])
    print(f"\n## 5. Fastest cells of the CFD time mean (fastest opening face speed {vmax:.2f} m/s;"
          f" cells faster than 1.05x that: {(sp > 1.05 * vmax).sum()} of {np.isfinite(sp).sum()})")
    for fl in np.argsort(-np.nan_to_num(sp).ravel())[:8]:
        i, j, k = np.unravel_index(fl, sp.shape)
        u = c.U[i, j, k]
        print(f"  {sp[i, j, k]:5.2f} m/s at ({c.xc[i]:.2f}, {c.yc[j]:.2f}, {c.zc[k]:.2f})  U = ({u[0]:+.2f}, {u[1]:+.2f}, {u[2]:+.2f})")
    spm = np.linalg.norm(m.U, axis=-1)
    i, j, k = np.unravel_index(np.argmax(np.nan_to_num(spm)), spm.shape)
    print(f"  model's fastest cell: {spm[i, j, k]:.2f} m/s at ({m.xc[i]:.2f}, {m.yc[j]:.2f}, {m.zc[k]:.2f})")
    return 0 if not a.plots else plots(c, m, prof, xs, zs, run_label(a.run))


def plots(c, m, prof, xs, zs, label) -> int:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(2, 4, figsize=(18, 7.5), sharex=True)
    for j, z in enumerate(zs):
        for f, sty in ((c, "-r"), (m, "--b")):
            T, U = prof[(f.name, z)]
            ax[0, j].plot(xs, T, sty, label=f.name)
            ax[1, j].plot(xs, U[:, 0], sty, label=f.name + " Ux")
            ax[1, j].plot(xs, U[:, 2], sty.replace("-", ":") if sty == "-r" else ":b", lw=1, label=f.name + " Uz")
        for a_ in ax[:, j]:
            a_.axvspan(2.7, 7.5, color="0.92")
            a_.grid(alpha=0.3)
        ax[0, j].set_title(f"aisle centre line y = 3.6 m, z = {z} m")
        ax[1, j].set_xlabel("x (m)   [grey: the aisle; CRAH faces at 0.9 and 10.1]")
    ax[0, 0].set_ylabel("T (degC)")
    ax[1, 0].set_ylabel("Ux, Uz (m/s)")
    ax[0, 0].legend(fontsize=8)
    ax[1, 0].legend(fontsize=7)
    fig.tight_layout()
    p1 = OUT / f"centreline_{label}.png"
    fig.savefig(p1, dpi=70)
    # sections: x-z along the aisle centre, and y-z across at x = 5.1, T with in-plane vectors
    fig, ax = plt.subplots(2, 2, figsize=(17, 8))
    xg = np.linspace(0.95, 10.05, 92)
    zg = np.linspace(0.05, 2.95, 30)
    yg = np.linspace(0.05, 7.15, 72)
    for i, f in enumerate((c, m)):
        X, Z = np.meshgrid(xg, zg, indexing="ij")
        T = f.sample(f.T, X, 3.6, Z)
        U = f.sample(f.U, X, 3.6, Z)
        im = ax[i, 0].pcolormesh(X, Z, T, vmin=22, vmax=44, cmap="inferno", shading="auto")
        ax[i, 0].quiver(X[::3, ::2], Z[::3, ::2], U[::3, ::2, 0], U[::3, ::2, 2], color="c", scale=30, width=0.002)
        ax[i, 0].set_title(f"{f.name}: y = 3.6 m (aisle centre), T and (Ux, Uz)")
        ax[i, 0].axvline(2.7, color="w", lw=0.5)
        ax[i, 0].axvline(7.5, color="w", lw=0.5)
        ax[i, 0].axhline(2.0, color="w", lw=0.5)
        Y, Z2 = np.meshgrid(yg, zg, indexing="ij")
        T2 = f.sample(f.T, 5.1, Y, Z2)
        T2 = np.where(np.isfinite(f.sample(f.T, 5.1, Y, Z2)) & ~(((Y > 1.8) & (Y < 3.0) | (Y > 4.2) & (Y < 5.4)) & (Z2 < 2.0)), T2, np.nan)
        U2 = f.sample(f.U, 5.1, Y, Z2)
        ax[i, 1].pcolormesh(Y, Z2, T2, vmin=22, vmax=44, cmap="inferno", shading="auto")
        ax[i, 1].quiver(Y[::3, ::2], Z2[::3, ::2], U2[::3, ::2, 1], U2[::3, ::2, 2], color="c", scale=20, width=0.002)
        ax[i, 1].set_title(f"{f.name}: x = 5.1 m (across the rows), T and (Uy, Uz)")
        fig.colorbar(im, ax=ax[i, :], shrink=0.8, label="T (degC)")
    p2 = OUT / f"sections_{label}.png"
    fig.savefig(p2, dpi=70)
    print("plots:", p1, p2)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
