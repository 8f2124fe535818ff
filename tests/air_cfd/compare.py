"""The air model against one OpenFOAM reference case: the figures the tests assert and the app states.

Used by ``tests/test_air_cfd.py`` (which asserts the bars) and by ``validate_model.py`` (which
writes ``designer/solvers/air/validation.json``, the figures the app's Assumptions and the PDF
report quote). One set of functions, so the text shown to engineers is the figures the tests
measure. The rules are in ``tests/test_air_cfd.py``'s docstring.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from designer.io.files import load
from designer.solvers.air import AirParams, site_results, solve_hall

HERE = Path(__file__).resolve().parent
CASES = sorted(p.stem for p in (HERE / "cases").glob("*.json"))
MAE_K = 1.5
MAX_K = 4.0
MAX_U_FOR_MAX_K = 1.0
RETURN_K = 1.0
GRID_K = 0.5
MAX_QUANTITY = "inlet_sensor_max_c"
"""The CFD's rack inlet maximum compared with the model's ``inlet_max_c`` (the same definition)."""


REFERENCE_NOTES: dict[str, str] = {
}
"""What a reader of the figures must know about a case's reference (shown with its figures)."""


def cfd(name: str, results: Path | None = None) -> dict | None:
    """The stored OpenFOAM results of a case, or None while it has none."""
    path = (results or HERE / "results") / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def case_title(name: str) -> str:
    return load(HERE / "cases" / f"{name}.json").sites[0].name


def solve(name: str, cell_m: float | None = None):
    """The model's site results on the case (its own ``settings.air_cell_m`` unless given), and the cell size."""
    p = load(HERE / "cases" / f"{name}.json")
    site = p.sites[0]
    cell = cell_m or p.settings.air_cell_m
    sol = solve_hall(site.hall, AirParams(cell_m=cell))
    if not sol.converged:
        return None, cell, sol.stats
    res, _ = site_results(site.id, site.name, 0, site.hall, sol, p.settings.ashrae_class)
    return res, cell, sol.stats


def uncertainty(data: dict, quantity: str) -> dict[str, float]:
    """Per rack: change over the CFD's last mesh refinement plus twice its standard error, K."""
    study = data["mesh_study"][quantity]
    out = {}
    for r in data["racks"]:
        v = study[r["id"]]
        change = abs(v[-1] - v[-2]) if len(v) >= 2 else float("inf")
        out[r["id"]] = change + 2.0 * float(r.get("inlet_mean_se_k") or 0.0)
    return out


def _r2(x: float) -> float:
    return round(float(x), 2)


def _r3(x: float) -> float:
    """Mean errors are kept to 0.001 K: they are held to a bar, and 1.504 K must not read as 1.50."""
    return round(float(x), 3)


def means(data: dict, res) -> dict:
    """Inlet means against CFD, and whether they meet the bar (held to the bar widened by the
    CFD's own uncertainty where the CFD is not known to a third of the bar on average and half at
    worst)."""
    ids = [r["id"] for r in data["racks"]]
    uu = uncertainty(data, "inlet_mean_c")
    u = np.array([uu[i] for i in ids])
    signed = np.array([res.racks[r["id"]].inlet_mean_c - r["inlet_mean_c"] for r in data["racks"]])
    err = np.abs(signed)
    known = bool(u.mean() <= MAE_K / 3 and u.max() <= MAX_K / 2)
    if known:
        met = bool(err.mean() <= MAE_K and err.max() <= MAX_K)
    else:
        met = bool(err.mean() <= MAE_K + u.mean() and (err <= MAX_K + u).all())
    worst = int(np.argmax(err))
    return {"mae_k": _r3(err.mean()), "max_k": _r2(err.max()), "bias_k": _r2(signed.mean()),
            "worst": data["racks"][worst]["name"], "cfd_u_mean_k": _r2(u.mean()), "cfd_u_max_k": _r2(u.max()),
            "cfd_known_to_bar": known, "met": met}


def maxima(data: dict, res) -> dict:
    """Inlet maxima (hottest sensor) on the racks whose CFD reading is known to ``MAX_U_FOR_MAX_K``."""
    u = uncertainty(data, MAX_QUANTITY)
    racks = [r for r in data["racks"] if u[r["id"]] <= MAX_U_FOR_MAX_K]
    enough = len(racks) >= len(data["racks"]) // 2
    if not racks:
        return {"racks": 0, "of": len(data["racks"]), "comparable": False, "met": False}
    err = np.array([abs(res.racks[r["id"]].inlet_max_c - r[MAX_QUANTITY]) for r in racks])
    worst = racks[int(np.argmax(err))]["name"]
    return {"racks": len(racks), "of": len(data["racks"]), "comparable": enough, "mae_k": _r3(err.mean()),
            "max_k": _r2(err.max()), "worst": worst,
            "met": bool(enough and err.mean() <= MAE_K and err.max() <= MAX_K)}


def hottest(data: dict, res) -> dict:
    """The model's five hottest (by inlet mean) against CFD's, ranks closer than CFD's uncertainty being ties:
    the model's five must each be a rack that could be among CFD's five within ``u``, and every rack among
    CFD's five beyond ``u`` must be among the model's."""
    u = uncertainty(data, "inlet_mean_c")
    c = {r["id"]: r["inlet_mean_c"] for r in data["racks"]}
    name = {r["id"]: r["name"] for r in data["racks"]}
    lo = sorted((c[i] - u[i] for i in c), reverse=True)
    hi = sorted((c[i] + u[i] for i in c), reverse=True)
    could = {i for i in c if c[i] + u[i] >= lo[4]}
    surely = {i for i in c if c[i] - u[i] > hi[5]} if len(c) > 5 else set(c)
    top = sorted(c, key=lambda i: -res.racks[i].inlet_mean_c)[:5]
    cfd_top = sorted(c, key=lambda i: -c[i])[:5]
    return {"model": [name[i] for i in top], "cfd": [name[i] for i in cfd_top],
            "common": len(set(top) & set(cfd_top)),
            "not_possible": sorted(name[i] for i in set(top) - could),
            "missed": sorted(name[i] for i in surely - set(top)),
            "met": bool(set(top) <= could and surely <= set(top))}


def returns(data: dict, res) -> dict:
    worst, worst_k = None, 0.0
    for u in data["units"]:
        if not u.get("running", True) or u.get("return_c") is None:
            continue
        got = res.units[u["id"]].return_temp_c
        d = float("inf") if got is None else abs(got - u["return_c"])
        if worst is None or d > worst_k:
            worst, worst_k = u["name"], d
    return {"max_k": _r2(worst_k), "worst": worst, "met": bool(worst_k <= RETURN_K)}


def figures(name: str, data: dict, res, cell_m: float) -> dict:
    """Every compared figure of one case (what ``validation.json`` keeps per case)."""
    ref = data["reference"]
    changes = data["mesh_study"].get("changes") or [{}]
    last = changes[-1]
    return {
        "title": case_title(name),
        "racks": len(data["racks"]),
        "model_cell_m": cell_m,
        "cfd": {"solver": data["solver"].split(",")[0], "meshes_m": data["mesh_study"]["cells_m"],
                "status": ref["status"],
                "mesh_change_mean_k": _r2(last.get("inlet_mean_mean_abs_change_k", float("nan"))),
                "mesh_change_max_k": _r2(last.get("inlet_mean_max_abs_change_k", float("nan")))},
        "means": means(data, res),
        "max": maxima(data, res),
        "hottest": hottest(data, res),
        "returns": returns(data, res),
        **({"note": REFERENCE_NOTES[name]} if name in REFERENCE_NOTES else {}),
    }


def grid_change(name: str, coarse_m: float = 0.25, fine_m: float = 0.125) -> dict:
    """Every rack inlet (mean and inlet max) when the cells halve: mean / largest change, K."""
    a, _, _ = solve(name, coarse_m)
    b, _, stats = solve(name, fine_m)
    if a is None or b is None:
        return {"from_m": coarse_m, "to_m": fine_m, "steady": False,
                "iterations": int(stats.get("iterations", 0)), "met": False}
    ids = sorted(a.racks)
    dm = np.array([abs(a.racks[i].inlet_mean_c - b.racks[i].inlet_mean_c) for i in ids])
    dx = np.array([abs(a.racks[i].inlet_max_c - b.racks[i].inlet_max_c) for i in ids])
    return {"from_m": coarse_m, "to_m": fine_m, "steady": True,
            "means_mean_k": _r2(dm.mean()), "means_max_k": _r2(dm.max()),
            "max_mean_k": _r2(dx.mean()), "max_max_k": _r2(dx.max()),
            "met": bool(dm.max() <= GRID_K and dx.max() <= GRID_K)}


def table(name: str, data: dict, res, cell_m: float) -> str:
    um, ux = uncertainty(data, "inlet_mean_c"), uncertainty(data, MAX_QUANTITY)
    lines = [f"{name} (model on {cell_m:g} m cells; CFD finest {data['reference_cell_m']:g} m, "
             f"{data['reference']['status']})",
             f"{'rack':<12}{'CFD mean':>9}{'+-u':>6}{'model':>7}{'err':>7}   {'CFD max':>8}{'+-u':>6}{'model':>7}{'err':>7}"
             "   (max: hottest of the bottom / middle / top inlet sensors)"]
    for r in data["racks"]:
        m = res.racks[r["id"]]
        lines.append(f"{r['name']:<12}{r['inlet_mean_c']:9.2f}{um[r['id']]:6.2f}{m.inlet_mean_c:7.2f}"
                     f"{m.inlet_mean_c - r['inlet_mean_c']:+7.2f}   {r[MAX_QUANTITY]:8.2f}{ux[r['id']]:6.2f}"
                     f"{m.inlet_max_c:7.2f}{m.inlet_max_c - r[MAX_QUANTITY]:+7.2f}")
    for u in data["units"]:
        mu = res.units[u["id"]]
        lines.append(f"unit {u['name']:<7} return CFD "
                     + ("-" if u.get("return_c") is None else f"{u['return_c']:.2f}") + "  model "
                     + ("-" if mu.return_temp_c is None else f"{mu.return_temp_c:.2f}"))
    return "\n".join(lines)
