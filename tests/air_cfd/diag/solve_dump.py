"""Solve one reference case with the air model and dump its fields (issue 13 diagnostics).

python tests/air_cfd/diag/solve_dump.py open_aisle_crah [--cell 0.25] [--tag base] [--cfd RUN_DIR]
Writes tests/air_cfd/diag/out/<case>_<tag>.npz (face velocities, cell T, nu_t, mesh, solids) and
prints the rack table against the CFD: RUN_DIR/result.json if given (inlet means; the sensor max
only where that file has it), else tests/air_cfd/results/<case>.json (the numbers of tests/test_air_cfd.py).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
from designer.io.files import load  # noqa: E402
from designer.solvers.air import AirParams, site_results, solve_hall  # noqa: E402
from designer.solvers.air.flow import FlowParams, FlowSolver  # noqa: E402

HERE = ROOT / "tests" / "air_cfd"
OUT = Path(__file__).resolve().parent / "out"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("case")
    ap.add_argument("--cell", type=float, default=None)
    ap.add_argument("--tag", default="base")
    ap.add_argument("--cfd", type=Path, default=None, help="CFD run directory whose result.json the racks are compared with")
    a = ap.parse_args()
    p = load(HERE / "cases" / f"{a.case}.json")
    site = p.sites[0]
    cell = a.cell or p.settings.air_cell_m
    t0 = time.process_time()
    sol = solve_hall(site.hall, AirParams(cell_m=cell))
    cpu = time.process_time() - t0
    res, _ = site_results(site.id, site.name, 0, site.hall, sol, p.settings.ashrae_class)
    lay = sol.layout
    mesh = lay.mesh
    from designer.solvers.air.flow import geometry
    geo = geometry(lay)
    fs = FlowSolver(lay, geo, FlowParams(), sol.t_ref)
    nut = fs.nu_eff(sol.U)
    OUT.mkdir(exist_ok=True)
    np.savez_compressed(OUT / f"{a.case}_{a.tag}.npz", Uz=sol.U[0], Uy=sol.U[1], Ux=sol.U[2], T=sol.T, nut=nut,
                        dist=geo.dist, solid=lay.solid, zf=mesh.zf, x0=mesh.plan.x0, y0=mesh.plan.y0,
                        h=mesh.plan.cell_m, t_item=sol.energy.t_item)
    ref = a.cfd / "result.json" if a.cfd else HERE / "results" / f"{a.case}.json"
    data = json.loads(ref.read_text())
    print("rack table against", ref)
    err, errx = [], []
    print(f"{a.case} tag={a.tag} cell={cell} converged={sol.converged} it={sol.iterations} cpu={cpu:.0f}s")
    print("stats:", {k: sol.stats.get(k) for k in ("iterations", "flow_change", "failure", "dt_halved_at")})
    Tf = sol.T.ravel()
    own = {rid: i for i, rid in enumerate(lay.rack_ids)}
    for r in data["racks"]:
        m = res.racks[r["id"]]
        i = own[r["id"]]
        cells, area = np.asarray(lay.rack_front_cells[i]), np.asarray(lay.rack_front_area[i])
        mean_here = float((Tf[cells] * area).sum() / area.sum())
        if m.inlet_mean_c is None:  # unconverged: results withhold numbers; take the field's face mean
            m = type("M", (), dict(inlet_mean_c=mean_here, inlet_max_c=float("nan")))()
        e = m.inlet_mean_c - r["inlet_mean_c"]
        smax = r.get("inlet_sensor_max_c", float("nan"))
        ex = m.inlet_max_c - smax
        err.append(e)
        errx.append(ex)
        print(f"{r['name']:<6}{r['inlet_mean_c']:8.2f}{m.inlet_mean_c:8.2f}{e:+7.2f}   max {smax:7.2f}"
              f"{m.inlet_max_c:7.2f}{ex:+7.2f}")
    for u in data["units"]:
        mu = res.units[u["id"]]
        print(f"unit {u['name']} return CFD {u['return_c']:.2f} model {mu.return_temp_c}")
    errx = [e for e in errx if np.isfinite(e)] or [float("nan")]
    err, errx = np.array(err), np.array(errx)
    summ = dict(case=a.case, tag=a.tag, ref=str(ref), mae=float(np.abs(err).mean()), largest=float(np.abs(err).max()),
                bias=float(err.mean()), max_mae=float(np.abs(errx).mean()), max_largest=float(np.abs(errx).max()),
                it=sol.iterations, cpu=cpu, converged=bool(sol.converged))
    print("SUMMARY", json.dumps(summ))
    with open(OUT / "summaries.jsonl", "a") as f:
        f.write(json.dumps(summ) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
