"""How far the air model is from CFD: the validation figures the app and the report state.

``validation.json`` beside this module holds, per OpenFOAM reference case of ``tests/air_cfd``,
what the model gives against the CFD's rack inlets (inlet means, inlet maxima, the five hottest
racks, unit returns) and how the inlets move when the cells halve. It is written by
``tests/air_cfd/validate_model.py`` and checked by ``tests/test_air_cfd.py`` and
``tests/test_air_grid.py`` against the model as it is, so the text built here from it cannot
drift from the code. Pure: reads one file shipped with the package.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

FIGURES_PATH = Path(__file__).with_name("validation.json")

_STATUS = {
    "converged": "steady, converged",
    "plateau_averaged": "steady, iteration mean",
    "time_averaged": "URANS time mean",
    "time_averaged_short_window": "URANS time mean, short window",
    "time_averaged_max_window": "URANS time mean",
}


@functools.cache
def figures() -> dict:
    """The shipped figures (empty when the file is missing, which the tests do not allow)."""
    try:
        return json.loads(FIGURES_PATH.read_text())
    except (OSError, ValueError):
        return {}


def _yes(flag: bool) -> str:
    return "met" if flag else "not met"


def _k(v: float, bar: float) -> str:
    """A mean error to 0.01 K, or to 0.001 K where that is what puts it on one side of its bar."""
    return f"{v:.3f}" if round(v, 2) == bar and v != bar else f"{v:.2f}"


def case_sentence(c: dict) -> str:
    """One reference case in a sentence: what CFD is, and how far the model is from it."""
    cfd, m, x, h, r = c["cfd"], c["means"], c["max"], c["hottest"], c["returns"]
    bar = figures().get("bars", {}).get("mae_k", 1.5)
    meshes = " / ".join(f"{v:g}" for v in cfd["meshes_m"])
    out = (f"{c['title']} ({c['racks']} racks; CFD {_STATUS.get(cfd['status'], cfd['status'])} on {meshes} m "
           f"meshes, its inlet means moving {cfd['mesh_change_mean_k']:.2f} K on average and "
           f"{cfd['mesh_change_max_k']:.2f} K at most over its last refinement): inlet means off by "
           f"{_k(m['mae_k'], bar)} K on average, {m['max_k']:.2f} K at most ({m['worst']}), the model "
           f"{abs(m['bias_k']):.2f} K {'cooler' if m['bias_k'] < 0 else 'warmer'} on average")
    if x.get("racks"):
        out += (f"; inlet max {_k(x['mae_k'], bar)} K on average, {x['max_k']:.2f} K at most, on the {x['racks']} of "
                f"{x['of']} racks whose CFD reading is known to 1 K")
    else:
        out += "; inlet max not compared (no rack's CFD reading is known to 1 K)"
    out += f"; {h['common']} of CFD's five hottest racks among the model's five"
    if r.get("worst"):
        out += f"; unit returns within {r['max_k']:.2f} K"
    out += (f". Means {_yes(m['met'])}, inlet max {_yes(x['met'])}, five hottest {_yes(h['met'])}, "
            f"returns {_yes(r['met'])}.")
    if c.get("note"):
        out += f" Note: {c['note']}."
    return out


def grid_sentence(g: dict) -> str:
    bars = figures().get("bars", {})
    head = (f"Grid (cells halved from {_first(g, 'from_m', 0.25):g} to {_first(g, 'to_m', 0.125):g} m; target: every "
            f"rack inlet within {bars.get('grid_k', 0.5):g} K): ")
    parts = []
    for name, v in g.items():
        if not v.get("steady", True):
            parts.append(f"{v.get('title', name)}: no steady state at {v['to_m']:g} m")
        else:
            parts.append(f"{v.get('title', name)}: inlet means move {v['means_mean_k']:.2f} K on average, "
                         f"{v['means_max_k']:.2f} K at most, inlet max {v['max_mean_k']:.2f} / {v['max_max_k']:.2f} K "
                         f"({_yes(v['met'])})")
    return head + "; ".join(parts) + "."


def _first(g: dict, key: str, default: float) -> float:
    for v in g.values():
        if key in v:
            return v[key]
    return default


def paragraphs() -> tuple[str, ...]:
    """The validation part of the air model's assumptions, from the shipped figures."""
    f = figures()
    cases = f.get("cases", {})
    if not cases:
        return ("Validation figures are missing from this installation (designer/solvers/air/validation.json).",)
    b = f["bars"]
    cell = next(iter(cases.values()))["model_cell_m"]
    out = [(f"Validation against OpenFOAM (k-epsilon, Boussinesq; reference cases and scripts in tests/air_cfd), "
            f"model on {cell:g} m cells, the same inlet sensors read from the CFD fields. Bars (issue 13): inlet "
            f"means within {b['mae_k']:g} K on average and {b['max_k']:g} K at most, the same on the inlet max, "
            f"the same five hottest racks (CFD ties within its own uncertainty allowed), unit returns within "
            f"{b['return_k']:g} K. Where CFD's own mesh change is large the means are held to the bar widened "
            f"by it.")]
    out += [case_sentence(c) for c in cases.values()]
    if f.get("missing"):
        out.append("No CFD results yet for: " + "; ".join(m["title"] for m in f["missing"]) + ".")
    if f.get("grid"):
        out.append(grid_sentence(f["grid"]))
    return tuple(out)


def headline() -> str:
    """One sentence for the top of the air results: how far from CFD, in figures."""
    cases = figures().get("cases", {})
    if not cases:
        return "Not validated: the validation figures are missing from this installation."
    maes = [c["means"]["mae_k"] for c in cases.values()]
    worst = max(c["means"]["max_k"] for c in cases.values())
    ok = [c["title"] for c in cases.values() if c["means"]["met"] and c["max"]["met"]]
    cooler = sum(c["means"]["bias_k"] < 0 for c in cases.values())
    grid = figures().get("grid", {})
    converged = grid and all(v.get("met") for v in grid.values())
    s = (f"Against OpenFOAM on {len(cases)} reference rooms its rack inlet means are off by {min(maes):.1f} to "
         f"{max(maes):.1f} K on average and by up to {worst:.1f} K at single racks")
    s += " (mostly cooler than CFD); " if cooler > len(cases) / 2 else "; "
    s += (f"it meets the accuracy bars on means and maxima in {len(ok)} of {len(cases)} rooms" if ok
          else "it meets the accuracy bars in none of them")
    s += ", and it is grid-converged." if converged else ", and it is not yet grid-converged."
    return s
