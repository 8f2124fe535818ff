"""The air model against the OpenFOAM reference cases of ``tests/air_cfd`` (issue 13).

Each case is a project file; the same input went to OpenFOAM (buoyantBoussinesqSimpleFoam or,
for rooms that never settle, time-averaged buoyantBoussinesqPimpleFoam; k-epsilon; a mesh study
of three meshes) under the shared conventions of the README there. The model is solved on the
case's own ``settings.air_cell_m``. A case whose results are not yet in the repository is
skipped, not passed. Every comparison prints its table (``pytest -s``).

Tolerances and why
------------------
The bar is the issue's: rack inlet mean (area mean over the front face), mean absolute error
at most :data:`MAE_K` and largest error at most :data:`MAX_K`; the five hottest racks the same.
It is only a fair bar if the CFD answer itself is known well inside it, so each rack's CFD
uncertainty is taken as ``u = |T(finest) - T(next finer)| + 2 SE`` (the change over the last
mesh refinement plus twice the standard error of its time or iteration average), and:

- inlet means: the CFD must be known to a third of the bar on average and half of it at worst
  (``mean u <= MAE_K / 3``, ``max u <= MAX_K / 2``; asserted on the data), then the model is
  held to the bar itself, not to the bar plus ``u``;
- inlet maxima: the defined maximum of both (``designer.solvers.air.sensors``), the hottest of
  three inlet sensors at 0.15 m, mid-height and 0.15 m below the rack's top, each the
  width-average of the air entering the face at its height (interpolated between rows of cells,
  so not a maximum over cells, which rises as cells shrink); the CFD's from its fields by
  ``extract.py --sensors``. The top sensor sits in the steep gradient under the rack's top and
  the CFD's own readings move by up to 3.5 K between its two finest meshes on some racks, so the
  maxima are compared on the racks whose ``u`` is at most :data:`MAX_U_FOR_MAX_K`, against the
  same bar (for the transient cases ``u`` takes the face mean's standard error as the sensors');
- the hottest five: ranks closer than the CFD's uncertainty are not a fact, so the model's five
  hottest must each be a rack that could be among CFD's five within ``u``, and every rack that is
  among CFD's five beyond ``u`` must be among the model's;
- unit returns: within :data:`RETURN_K` each (flow-weighted means over the intake; the CFD heat
  balances to under 1 %, about 0.1 K of the units' rise).

Where the model misses the bar, the test says so: a strict xfail whose reason gives the figures
measured on this code (and fails the day the model meets the bar, so the xfail goes).
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pytest

from designer.io.files import load
from designer.solvers.air import AirParams, site_results, solve_hall

HERE = Path(__file__).resolve().parent / "air_cfd"
CASES = sorted(p.stem for p in (HERE / "cases").glob("*.json"))
MAE_K = 1.5
MAX_K = 4.0
MAX_U_FOR_MAX_K = 1.0
RETURN_K = 1.0

KNOWN_MISSES = {
    # (case, check): the figures measured on this code (model on the case's 0.25 m cells)
    ("cold_aisle_raised_floor", "hottest"):
        "model's five hottest inlet means are R06, R12, R13, R14, R16; R15, among CFD's five beyond its "
        "uncertainty (CFD 24.68 degC), reads 23.36 in the model (R14 takes its place)",
    ("hot_aisle_ceiling_return", "hottest"):
        "model's five hottest are R10, R11, R12, R15, R16; R12 cannot be among CFD's five, and R14, "
        "among CFD's five beyond its uncertainty (24.29 degC), reads 23.27 in the model",
    ("hot_aisle_ceiling_return", "max"):
        "inlet maxima (hottest sensor) on the 16 racks whose CFD reading is mesh-independent to 1 K: MAE "
        "1.52 K (bar 1.5), largest 3.66 K (R08; bar 4): the top sensors of the contained rows' west ends "
        "(R02, R03, R08, R09: CFD 27.2-28.1 degC, model 23.7-25.4) miss the air spilling over them",
    ("open_aisle_crah", "mean"):
        "CFD (URANS time means, 0.20 m) not mesh-independent: inlet means uncertain by 0.76 K on average, "
        "2.16 K at most; held to the bar widened by that, the model still misses: MAE 3.01 K, largest 9.82 K "
        "(R12; the north row, CFD 30-37 degC, reads 26-28)",
    ("open_aisle_crah", "max"):
        "inlet maxima (hottest sensor) on the 9 racks whose CFD reading is mesh-independent to 1 K: MAE "
        "4.05 K, largest 5.85 K (bar 1.5 / 4)",
    ("open_aisle_crah", "returns"):
        "CRAH AHU01 returns 32.35 degC in the model, 33.62 in CFD (1.26 K; bar 1.0)",
}


def _case(name: str) -> dict | None:
    path = HERE / "results" / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


@functools.cache
def model(name: str):
    p = load(HERE / "cases" / f"{name}.json")
    site = p.sites[0]
    sol = solve_hall(site.hall, AirParams(cell_m=p.settings.air_cell_m))
    assert sol.converged, sol.stats
    res, _ = site_results(site.id, site.name, 0, site.hall, sol, p.settings.ashrae_class)
    return res, p.settings.air_cell_m


def uncertainty(data: dict, quantity: str) -> dict[str, float]:
    """Per rack: change over the CFD's last mesh refinement plus twice its standard error, K."""
    study = data["mesh_study"][quantity]
    out = {}
    for r in data["racks"]:
        v = study[r["id"]]
        change = abs(v[-1] - v[-2]) if len(v) >= 2 else float("inf")
        out[r["id"]] = change + 2.0 * float(r.get("inlet_mean_se_k") or 0.0)
    return out


MAX_QUANTITY = "inlet_sensor_max_c"
"""The CFD's rack inlet maximum compared with the model's ``inlet_max_c`` (the same definition)."""


def table(name: str, data: dict, res) -> str:
    um, ux = uncertainty(data, "inlet_mean_c"), uncertainty(data, MAX_QUANTITY)
    lines = [f"{name} (model on {model(name)[1]:g} m cells; CFD finest {data['reference_cell_m']:g} m, "
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
        lines.append(f"unit {u['name']:<7} return CFD {u['return_c']:.2f}  model "
                     + ("-" if mu.return_temp_c is None else f"{mu.return_temp_c:.2f}"))
    return "\n".join(lines)


def _params(check: str):
    out = []
    for name in CASES:
        why = KNOWN_MISSES.get((name, check))
        marks = [pytest.mark.xfail(strict=True, raises=AssertionError, reason=why)] if why else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


def _get(name: str):
    data = _case(name)
    if data is None:
        pytest.skip(f"no OpenFOAM results for {name} yet")
    res, _ = model(name)
    print("\n" + table(name, data, res))
    return data, res


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("mean"))
def test_rack_inlet_means_match_cfd(name):
    data, res = _get(name)
    u = np.array(list(uncertainty(data, "inlet_mean_c").values()))
    err = np.array([abs(res.racks[r["id"]].inlet_mean_c - r["inlet_mean_c"]) for r in data["racks"]])
    if not (u.mean() <= MAE_K / 3 and u.max() <= MAX_K / 2):
        # the CFD is not known well enough to hold the model to the bar itself: hold it to the bar
        # widened by the CFD's own uncertainty, rack by rack (a miss there is a miss whatever
        # the CFD's mesh would settle to)
        ids = [r["id"] for r in data["racks"]]
        uu = uncertainty(data, "inlet_mean_c")
        wide = np.array([MAX_K + uu[i] for i in ids])
        assert err.mean() <= MAE_K + u.mean() and (err <= wide).all(), (
            f"CFD uncertain by {u.mean():.2f} K mean / {u.max():.2f} K max; model MAE {err.mean():.2f} K, "
            f"largest {err.max():.2f} K")
        return
    assert err.mean() <= MAE_K and err.max() <= MAX_K, (err.mean(), err.max())


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("max"))
def test_rack_inlet_maxima_match_cfd_where_cfd_is_mesh_independent(name):
    data, res = _get(name)
    u = uncertainty(data, MAX_QUANTITY)
    racks = [r for r in data["racks"] if u[r["id"]] <= MAX_U_FOR_MAX_K]
    assert len(racks) >= len(data["racks"]) // 2, "CFD maxima too mesh-dependent to compare"
    err = np.array([abs(res.racks[r["id"]].inlet_max_c - r[MAX_QUANTITY]) for r in racks])
    assert err.mean() <= MAE_K and err.max() <= MAX_K, (len(racks), err.mean(), err.max())


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("hottest"))
def test_the_hottest_five_racks_are_cfds_within_its_uncertainty(name):
    data, res = _get(name)
    u = uncertainty(data, "inlet_mean_c")
    c = {r["id"]: r["inlet_mean_c"] for r in data["racks"]}
    lo = sorted((c[i] - u[i] for i in c), reverse=True)
    hi = sorted((c[i] + u[i] for i in c), reverse=True)
    could = {i for i in c if c[i] + u[i] >= lo[4]}
    surely = {i for i in c if c[i] - u[i] > hi[5]} if len(c) > 5 else set(c)
    top = set(sorted(c, key=lambda i: -res.racks[i].inlet_mean_c)[:5])
    assert top <= could and surely <= top, (sorted(top - could), sorted(surely - top))


@pytest.mark.slow
@pytest.mark.parametrize("name", _params("returns"))
def test_unit_returns_match_cfd(name):
    data, res = _get(name)
    for u in data["units"]:
        if not u.get("running", True):
            continue
        got = res.units[u["id"]].return_temp_c
        assert got is not None and abs(got - u["return_c"]) <= RETURN_K, (u["id"], got, u["return_c"])
