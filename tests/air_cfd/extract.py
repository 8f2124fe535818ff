"""Extract the compared quantities from finished runs and write ``results/<name>.json``.

Usage (from the repository root)::

    python tests/air_cfd/extract.py open_aisle_crah /work/cfd-runs/open_aisle_crah/h0.200 ... h0.100
    python tests/air_cfd/extract.py --sensors open_aisle_crah <the same run directories>

``--sensors`` only adds the rack inlet sensors (bottom, middle, top; ``add_sensors``) to an
existing ``results/<name>.json`` from the meshes' fields; a full extraction adds them too.

Per mesh (``summarise_mesh``, also called by ``run_case.py``): per rack the area mean and the
maximum face temperature over its front patch, per unit its return and supply temperature and
load, the room's heat balance, cells, iterations, final residuals, wall-clock and CPU seconds.
Across meshes (``write_results``): the finest mesh is the reference; the mesh study lists every
rack's inlet mean on each mesh and the changes between consecutive meshes. Temperatures in
degC, heat in W. Also writes PNG sections of the temperature field next to the results.
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from foamio import read_fo_table, read_internal, read_residuals  # noqa: E402

RHO_CP = 1.2 * 1005.0
K0 = 273.15
RESULTS = HERE / "results"
MESH_MEAN_CHANGE_K = 0.5
MESH_MAX_CHANGE_K = 1.0


def _fo(case: Path, name: str, window: int) -> float:
    tab = read_fo_table(case / "postProcessing" / name)
    if window <= 0:
        return float(tab[-1, 1])
    sel = tab[:, 0] > tab[-1, 0] - window
    return float(tab[sel, 1].mean())


def _fo_ptp(case: Path, name: str, window: int) -> float:
    tab = read_fo_table(case / "postProcessing" / name)
    sel = tab[:, 0] > tab[-1, 0] - max(window, 200)
    return float(np.ptp(tab[sel, 1]))


def fo_window(case: Path, name: str, t0: float, t1: float) -> np.ndarray:
    tab = read_fo_table(case / "postProcessing" / name)
    sel = (tab[:, 0] > t0 + 1e-9) & (tab[:, 0] <= t1 + 1e-9)
    return tab[sel, 1]


def window_stats(case: Path, meta: dict, history: list, t_avg0: float, n_batch: int = 8) -> dict:
    """Window means of every rack intake (with the standard error from batch means) and of the
    unit returns, the mean applied exhaust and supply temperatures, and the window's heat balance."""
    t1 = history[-1]["t"]
    racks = {}
    q_r = 0.0
    for r in meta["racks"]:
        vals = fo_window(case, f"{r['patch_in']}_areaAverage", t_avg0, t1) - K0
        mx = fo_window(case, f"{r['patch_in']}_max", t_avg0, t1) - K0
        nb = min(n_batch, max(2, len(vals) // 10))
        batches = np.array([b.mean() for b in np.array_split(vals, nb)])
        se = float(batches.std(ddof=1) / np.sqrt(nb))
        out = np.mean([h["rack_out"][r["patch_out"]] for h in history if h["t"] > t_avg0 + 1e-9])
        q_r += RHO_CP * r["airflow_m3s"] * (out - vals.mean())
        racks[r["patch_in"]] = dict(mean_c=float(vals.mean()), se_k=se, std_k=float(vals.std()),
                                    max_mean_c=float(mx.mean()), exhaust_c=float(out))
    units = {}
    q_u = 0.0
    for u in meta["units"]:
        if not u["running"]:
            continue
        vals = fo_window(case, f"{u['patch_ret']}_areaAverage", t_avg0, t1) - K0
        sup = np.mean([h["unit_sup"][u["patch_sup"]] for h in history if h["t"] > t_avg0 + 1e-9])
        q_u += RHO_CP * u["airflow_m3s"] * (vals.mean() - sup)
        units[u["patch_ret"]] = dict(return_c=float(vals.mean()), supply_c=float(sup))
    return dict(racks=racks, units=units, rack_heat_w=q_r, unit_heat_w=q_u, balance_error=(q_u - q_r) / q_r)


def patch_stats(case: Path, field: np.ndarray, patch: str) -> tuple[float, float]:
    """(area mean, max) of a cell field over a patch, taking each face's adjacent cell (the
    value a zeroGradient outlet face has)."""
    z = np.load(case / "zones.npz")
    cells, area = z[f"patch:{patch}:cells"], z[f"patch:{patch}:area"]
    v = field[cells]
    return float((v * area).sum() / area.sum()), float(v.max())


def patch_sensors(case: Path, field: np.ndarray, patch: str, height_m: float) -> tuple[float, float, float]:
    """The rack's three inlet sensors (bottom, middle, top; ``designer.solvers.air.sensors``) from a
    cell field: each face takes its adjacent cell's value (as ``patch_stats``), rows of faces are
    width-averaged and interpolated in height, exactly as the model reads its own faces."""
    from designer.solvers.air.sensors import sensor_readings

    z = np.load(case / "zones.npz")
    g = np.load(case / "grid.npz")
    cells, area = z[f"patch:{patch}:cells"], z[f"patch:{patch}:area"]
    zs = g["zs"]
    k = g["ijk"][cells, 2]
    return sensor_readings(0.5 * (zs[k] + zs[k + 1]), field[cells], area, height_m)


def _rack_heights(meta: dict) -> dict[str, float]:
    from designer.io.files import load

    project = HERE / "cases" / Path(meta["project_file"]).name  # the same file the run was built from
    return {r.id: r.outer_height_m() for r in load(project).sites[0].hall.racks}


def mesh_sensors(case: Path) -> dict[str, dict]:
    """Per rack id: the three inlet sensor readings and their maximum (degC) on one finished mesh,
    from the last written field (steady) or the window's time-mean field (transient)."""
    meta = json.loads((case / "case.json").read_text())
    ld = max((float(p.name), p) for p in case.iterdir() if p.is_dir() and p.name.replace(".", "").isdigit())[1]
    name = "TMean" if meta.get("transient") else "T"
    field = read_internal(ld / name, meta["n_cells"]) - K0
    heights = _rack_heights(meta)
    out = {}
    for r in meta["racks"]:
        sens = patch_sensors(case, field, r["patch_in"], heights[r["id"]])
        mean, _ = patch_stats(case, field, r["patch_in"])
        out[r["id"]] = dict(inlet_sensors_c=[round(v, 4) for v in sens], inlet_sensor_max_c=round(max(sens), 4),
                            inlet_mean_of_field_c=round(mean, 4), field=f"{ld.name}/{name}")
    return out


def add_sensors(name: str, cases: list[Path], results: Path = RESULTS) -> dict:
    """Add the inlet sensors to ``results/<name>.json`` from the run directories of its meshes
    (coarse to fine, the same meshes as its mesh study): per rack on the reference mesh
    ``inlet_sensors_c`` and ``inlet_sensor_max_c``; in the mesh study ``inlet_sensor_max_c`` per
    mesh and its changes between consecutive meshes."""
    path = results / f"{name}.json"
    out = json.loads(path.read_text())
    study = out["mesh_study"]
    per_mesh = [mesh_sensors(c) for c in cases]
    cells = [json.loads((c / "case.json").read_text())["n_cells"] for c in cases]
    if cells != study["cells"]:
        raise SystemExit(f"{name}: run directories have {cells} cells, the mesh study {study['cells']}")
    ids = [r["id"] for r in out["racks"]]
    for r in out["racks"]:
        ref = per_mesh[-1][r["id"]]
        r["inlet_sensors_c"] = ref["inlet_sensors_c"]
        r["inlet_sensor_max_c"] = ref["inlet_sensor_max_c"]
    study["inlet_sensor_max_c"] = {rid: [m[rid]["inlet_sensor_max_c"] for m in per_mesh] for rid in ids}
    for k, ch in enumerate(study["changes"], start=1):
        d = np.array([per_mesh[k][rid]["inlet_sensor_max_c"] - per_mesh[k - 1][rid]["inlet_sensor_max_c"]
                      for rid in ids])
        ch["inlet_sensor_max_max_abs_change_k"] = round(float(np.abs(d).max()), 4)
        ch["inlet_sensor_max_mean_abs_change_k"] = round(float(np.abs(d).mean()), 4)
    study["inlet_sensors_from"] = [per_mesh[k][ids[0]]["field"] for k in range(len(cases))]
    path.write_text(json.dumps(out, indent=1) + "\n")
    return out


def summarise_transient(case: Path, meta: dict, history: list, t_avg0: float | None, status: str,
                        wall_s: float, cpu_s: float, total_wall_s: float) -> dict:
    logs = sorted(case.glob("log.solver.*"))
    res = read_residuals(logs)
    steps = sum(len(v) for k, v in res.items() if k == "T")
    final_res = {f: float(v[-1, 1]) for f, v in res.items()}
    stats = window_stats(case, meta, history, t_avg0)
    ld = max((float(p.name), p) for p in case.iterdir() if p.is_dir() and p.name.replace(".", "").isdigit())[1]
    tmean = read_internal(ld / "TMean", meta["n_cells"]) - K0 if (ld / "TMean").exists() else None
    racks = []
    for r in meta["racks"]:
        s = stats["racks"][r["patch_in"]]
        mean_f, max_f = patch_stats(case, tmean, r["patch_in"]) if tmean is not None else (float("nan"),) * 2
        racks.append(dict(id=r["id"], name=r["name"], it_load_kw=r["it_load_kw"], airflow_m3s=r["airflow_m3s"],
                          inlet_mean_c=round(s["mean_c"], 4), inlet_max_c=round(max_f, 4),
                          exhaust_c=round(s["exhaust_c"], 4), inlet_mean_se_k=round(s["se_k"], 4),
                          inlet_mean_std_k=round(s["std_k"], 4), inlet_mean_of_time_mean_field_c=round(mean_f, 4),
                          inlet_instantaneous_max_mean_c=round(s["max_mean_c"], 4)))
    units = []
    for u in meta["units"]:
        if not u["running"]:
            units.append(dict(id=u["id"], name=u["name"], running=False, airflow_m3s=0.0, return_c=None,
                              supply_c=None, load_kw=0.0, capped=False))
            continue
        s = stats["units"][u["patch_ret"]]
        load = RHO_CP * u["airflow_m3s"] * (s["return_c"] - s["supply_c"])
        units.append(dict(id=u["id"], name=u["name"], running=True, airflow_m3s=u["airflow_m3s"],
                          return_c=round(s["return_c"], 4), supply_c=round(s["supply_c"], 4),
                          load_kw=round(load / 1000, 4), capped=bool(s["supply_c"] > u["supply_set_c"] + 1e-3)))
    design = sum(r["heat_w"] for r in meta["racks"])
    return dict(
        cell_m=meta["cell_m"], cells=meta["n_cells"], grid=meta["grid"], status=status,
        iterations=steps, time_step_s=meta["dt_s"], simulated_s=history[-1]["t"],
        averaging_window_s=[t_avg0, history[-1]["t"]], final_residuals=final_res,
        solver_wall_s=round(wall_s, 1), solver_cpu_s=round(cpu_s, 1), total_wall_s=round(total_wall_s, 1),
        heat=dict(rack_design_w=round(design, 1), rack_w=round(stats["rack_heat_w"], 1),
                  units_w=round(stats["unit_heat_w"], 1), balance_error=round(stats["balance_error"], 5)),
        racks=racks, units=units, coupling_history=history,
    )


def summarise_mesh(case: Path, meta: dict, status: str, window: int, wall_s: float, cpu_s: float,
                   history: list, total_wall_s: float) -> dict:
    logs = sorted(case.glob("log.solver.*"))
    res = read_residuals(logs)
    iterations = int(max(v[-1, 0] for v in res.values()))
    final_res = {f: float(v[-1, 1]) for f, v in res.items()}
    racks = []
    q_r = 0.0
    for r in meta["racks"]:
        t_mean = _fo(case, f"{r['patch_in']}_areaAverage", window) - K0
        t_max = _fo(case, f"{r['patch_in']}_max", window) - K0
        t_out = meta["t_rack_out"][r["patch_out"]]
        q_r += RHO_CP * r["airflow_m3s"] * (t_out - t_mean)
        racks.append(dict(id=r["id"], name=r["name"], it_load_kw=r["it_load_kw"], airflow_m3s=r["airflow_m3s"],
                          inlet_mean_c=round(t_mean, 4), inlet_max_c=round(t_max, 4), inlet_mean_se_k=0.0,
                          exhaust_c=round(t_out, 4),
                          inlet_ptp_last_200_k=round(_fo_ptp(case, f"{r['patch_in']}_areaAverage", window), 4)))
    units = []
    q_u = 0.0
    for u in meta["units"]:
        if not u["running"]:
            units.append(dict(id=u["id"], name=u["name"], running=False, airflow_m3s=0.0, return_c=None,
                              supply_c=None, load_kw=0.0, capped=False))
            continue
        t_ret = _fo(case, f"{u['patch_ret']}_areaAverage", window) - K0
        t_sup = meta["t_unit_sup"][u["patch_sup"]]
        load = RHO_CP * u["airflow_m3s"] * (t_ret - t_sup)
        q_u += load
        units.append(dict(id=u["id"], name=u["name"], running=True, airflow_m3s=u["airflow_m3s"],
                          return_c=round(t_ret, 4), supply_c=round(t_sup, 4), load_kw=round(load / 1000, 4),
                          capped=bool(t_sup > u["supply_set_c"] + 1e-6)))
    design = sum(r["heat_w"] for r in meta["racks"])
    return dict(
        cell_m=meta["cell_m"], cells=meta["n_cells"], grid=meta["grid"], status=status, iterations=iterations,
        averaged_over_last_iterations=window, final_residuals=final_res,
        solver_wall_s=round(wall_s, 1), solver_cpu_s=round(cpu_s, 1), total_wall_s=round(total_wall_s, 1),
        heat=dict(rack_design_w=round(design, 1), rack_w=round(q_r, 1), units_w=round(q_u, 1),
                  balance_error=round((q_u - q_r) / q_r, 5)),
        racks=racks, units=units, coupling_history=history,
    )


def mesh_study(summaries: list[dict]) -> dict:
    """Per-rack inlet means on every mesh, and their changes between consecutive meshes."""
    ids = [r["id"] for r in summaries[-1]["racks"]]
    table = {rid: [next(r for r in s["racks"] if r["id"] == rid)["inlet_mean_c"] for s in summaries] for rid in ids}
    table_max = {rid: [next(r for r in s["racks"] if r["id"] == rid)["inlet_max_c"] for s in summaries] for rid in ids}
    steps = []
    for k in range(1, len(summaries)):
        d = np.array([table[rid][k] - table[rid][k - 1] for rid in ids])
        dm = np.array([table_max[rid][k] - table_max[rid][k - 1] for rid in ids])
        steps.append(dict(from_cell_m=summaries[k - 1]["cell_m"], to_cell_m=summaries[k]["cell_m"],
                          inlet_mean_max_abs_change_k=round(float(np.abs(d).max()), 4),
                          inlet_mean_mean_abs_change_k=round(float(np.abs(d).mean()), 4),
                          inlet_mean_mean_signed_change_k=round(float(d.mean()), 4),
                          inlet_max_max_abs_change_k=round(float(np.abs(dm).max()), 4),
                          inlet_max_mean_abs_change_k=round(float(np.abs(dm).mean()), 4)))
    # racks whose inlet mean still moved by more than 1 K between the two finest meshes: their
    # reference values carry that much mesh uncertainty (stated, not hidden)
    over = []
    if len(summaries) > 1:
        over = [rid for rid in ids if abs(table[rid][-1] - table[rid][-2]) > MESH_MAX_CHANGE_K]
    within = bool(steps) and not over and steps[-1]["inlet_mean_mean_abs_change_k"] <= MESH_MEAN_CHANGE_K
    return dict(cells_m=[s["cell_m"] for s in summaries], cells=[s["cells"] for s in summaries],
                inlet_mean_c=table, inlet_max_c=table_max, changes=steps,
                racks_changed_over_1k_between_finest=over,
                bounds_between_finest=dict(inlet_mean_mean_abs_change_k=MESH_MEAN_CHANGE_K,
                                           inlet_mean_max_abs_change_k=MESH_MAX_CHANGE_K),
                within_bounds_between_finest=within)


def write_results(name: str, cases: list[Path], results: Path = RESULTS) -> dict:
    summaries = [json.loads((c / "result.json").read_text()) for c in cases]
    ref = summaries[-1]
    if "time_step_s" in ref:
        solver = ("OpenFOAM.com v1912 buoyantBoussinesqPimpleFoam, transient (URANS, Euler, fixed step), "
                  "Boussinesq, standard k-epsilon, wall functions; rack inlets are time means over the "
                  "averaging window; coupled rack/unit temperatures follow the 5 s means (run_case.py)")
    else:
        solver = ("OpenFOAM.com v1912 buoyantBoussinesqSimpleFoam, steady, Boussinesq, standard k-epsilon, "
                  "wall functions; coupled rack/unit temperatures iterated by run_case.py")
    units = ref["units"]
    if "time_step_s" in ref:
        # transient: a unit near its capacity is capped in some chunks and not in others; say how often
        meta = json.loads((cases[-1] / "case.json").read_text())
        t0 = ref["averaging_window_s"][0]
        hist = [h for h in ref["coupling_history"] if h["t"] > t0 + 1e-9]
        units = []
        for u, mu in zip(ref["units"], meta["units"], strict=True):
            u = dict(u)
            if u["running"]:
                capped = [h["unit_sup"][mu["patch_sup"]] > mu["supply_set_c"] + 1e-3 for h in hist]
                u["capped_share_of_window"] = round(float(np.mean(capped)), 4) if capped else 0.0
            units.append(u)
    out = dict(
        case=name,
        case_file=f"tests/air_cfd/cases/{name}.json",
        solver=solver,
        machine=f"{platform.machine()} {platform.processor() or ''}".strip() + ", 1 core",
        reference_cell_m=ref["cell_m"],
        reference=dict((k, ref[k]) for k in ("cells", "status", "iterations", "averaged_over_last_iterations",
                                              "time_step_s", "simulated_s", "averaging_window_s", "averaging",
                                              "final_residuals", "solver_wall_s", "solver_cpu_s", "heat") if k in ref),
        racks=ref["racks"],
        units=units,
        meshes=[dict((k, s[k]) for k in ("cell_m", "cells", "grid", "status", "iterations", "time_step_s",
                                         "simulated_s", "averaging_window_s", "averaging", "final_residuals",
                                         "solver_wall_s", "solver_cpu_s", "heat") if k in s) for s in summaries],
        mesh_study=mesh_study(summaries),
    )
    results.mkdir(parents=True, exist_ok=True)
    (results / f"{name}.json").write_text(json.dumps(out, indent=1) + "\n")
    out = add_sensors(name, cases, results)
    try:
        plot_sections(cases[-1], results / f"{name}")
    except Exception as e:  # plotting is a convenience, never a reason to lose results
        print(f"plotting failed: {e}", file=sys.stderr)
    return out


def load_field(case: Path, field: str = "T") -> tuple[np.ndarray, dict, np.ndarray]:
    """A cell field on the structured grid: 3-D array with NaN in solids, the grid, cell values."""
    meta = json.loads((case / "case.json").read_text())
    g = np.load(case / "grid.npz")
    last = max((float(p.name), p) for p in case.iterdir() if p.is_dir() and p.name.replace(".", "").isdigit())[1]
    vals = read_internal(last / field, meta["n_cells"])
    ijk = g["ijk"]
    shape = (len(g["xs"]) - 1, len(g["ys"]) - 1, len(g["zs"]) - 1)
    arr = np.full(shape + (() if vals.ndim == 1 else (3,)), np.nan)
    arr[ijk[:, 0], ijk[:, 1], ijk[:, 2]] = vals
    return arr, {k: g[k] for k in ("xs", "ys", "zs")}, vals


def plot_sections(case: Path, stem: Path) -> list[Path]:
    """Horizontal section at z = 1.0 m and a vertical section across the rows, temperature in degC."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    last = max((float(p.name), p) for p in case.iterdir() if p.is_dir() and p.name.replace(".", "").isdigit())[1]
    mean = (last / "TMean").exists()  # transient runs: the time-mean fields
    T, g, _ = load_field(case, "TMean" if mean else "T")
    T = T - K0
    U, _, _ = load_field(case, "UMean" if mean else "U")
    xs, ys, zs = g["xs"], g["ys"], g["zs"]
    xc, yc, zc = (xs[1:] + xs[:-1]) / 2, (ys[1:] + ys[:-1]) / 2, (zs[1:] + zs[:-1]) / 2
    meta = json.loads((case / "case.json").read_text())
    from designer.io.files import load

    hall = load(meta["project_file"]).sites[0].hall
    vmin = min(u.supply_temp_c for u in hall.air_units)
    vmax = np.nanpercentile(T, 99.5)
    out = []
    k = int(np.argmin(np.abs(zc - 1.0)))
    fig, ax = plt.subplots(figsize=(10, 7))
    im = ax.pcolormesh(xs, ys, T[:, :, k].T, cmap="inferno", vmin=vmin, vmax=vmax, shading="flat")
    sk = max(1, len(xc) // 40)
    ax.quiver(xc[::sk], yc[::sk], U[::sk, ::sk, k, 0].T, U[::sk, ::sk, k, 1].T, color="w", scale=25, width=0.002)
    for r in hall.racks:
        c = np.array(r.corners() + [r.corners()[0]])
        ax.plot(c[:, 0], c[:, 1], "c-", lw=0.8)
        f = np.array([r.corners()[0], r.corners()[3]])
        ax.plot(f[:, 0], f[:, 1], "c-", lw=2.5)
    for u in hall.air_units:
        c = np.array(u.corners() + [u.corners()[0]])
        ax.plot(c[:, 0], c[:, 1], "g-" if u.running else "r-", lw=1.2)
    ax.set_aspect("equal")
    what = "time-mean T" if mean else "T"
    ax.set_title(f"{case.parent.name}: {what} at z = {zc[k]:.2f} m (cell {meta['cell_m']} m; thick line = rack front)")
    fig.colorbar(im, ax=ax, label="T (degC)")
    p = stem.parent / f"{stem.name}_z1.0.png"
    fig.savefig(p, dpi=90, bbox_inches="tight")
    plt.close(fig)
    out.append(p)
    # vertical section across the rows through the middle of the racks' x range
    xm = float(np.mean([r.x for r in hall.racks]))
    i = int(np.argmin(np.abs(xc - xm)))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    im = ax.pcolormesh(ys, zs, T[i, :, :].T, cmap="inferno", vmin=vmin, vmax=vmax, shading="flat")
    skz = max(1, len(zc) // 25)
    sky = max(1, len(yc) // 40)
    ax.quiver(yc[::sky], zc[::skz], U[i, ::sky, ::skz, 1].T, U[i, ::sky, ::skz, 2].T, color="w", scale=25,
              width=0.002)
    ax.set_aspect("equal")
    ax.set_xlabel("y (m)")
    ax.set_ylabel("z (m)")
    ax.set_title(f"{case.parent.name}: {what} on the section x = {xc[i]:.2f} m")
    fig.colorbar(im, ax=ax, label="T (degC)")
    p = stem.parent / f"{stem.name}_x{xc[i]:.1f}.png"
    fig.savefig(p, dpi=90, bbox_inches="tight")
    plt.close(fig)
    out.append(p)
    return out


def markdown_tables(results: Path = RESULTS) -> str:
    """The README's results tables from the stored results."""
    lines = ["| case | mesh (m) | cells | mode, status | iterations / steps | solver CPU s | wall s | "
             "max residual | heat balance | rack inlet mean min-max (degC) | change vs previous mesh: "
             "mean abs / max abs (K) |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for f in sorted(results.glob("*.json")):
        r = json.loads(f.read_text())
        study = r["mesh_study"]
        for k, m in enumerate(r["meshes"]):
            ins = [v[k] for v in study["inlet_mean_c"].values()]
            ch = (f"{study['changes'][k - 1]['inlet_mean_mean_abs_change_k']:.2f} / "
                  f"{study['changes'][k - 1]['inlet_mean_max_abs_change_k']:.2f}") if k else ""
            mode = "transient" if "time_step_s" in m else "steady"
            its = m["iterations"]
            if mode == "transient":
                its = f"{its} ({m['simulated_s']:.0f} s, mean over {m['averaging_window_s'][1] - m['averaging_window_s'][0]:.0f} s)"
            lines.append(f"| {r['case'] if k == 0 else ''} | {m['cell_m']} | {m['cells']} | {mode}, {m['status']} | "
                         f"{its} | {m['solver_cpu_s']:.0f} | {m['solver_wall_s']:.0f} | "
                         f"{max(m['final_residuals'].values()):.1e} | {m['heat']['balance_error'] * 100:+.2f} % | "
                         f"{min(ins):.1f} - {max(ins):.1f} | {ch} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    argv = argv if argv is not None else sys.argv[1:]
    if argv and argv[0] == "--table":
        print(markdown_tables())
        return 0
    if argv and argv[0] == "--sensors":
        if len(argv) < 3:
            print(__doc__)
            return 2
        add_sensors(argv[1], [Path(a) for a in argv[2:]])
        return 0
    if len(argv) < 2:
        print(__doc__)
        return 2
    write_results(argv[0], [Path(a) for a in argv[1:]])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
