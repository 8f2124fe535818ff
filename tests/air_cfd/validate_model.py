"""Write the air model's validation figures that the app and the report quote.

Runs the model on every reference case that has stored OpenFOAM results and writes
``designer/solvers/air/validation.json`` (the figures of ``compare.figures``); with ``--grid``,
also the grid-convergence figures (0.25 -> 0.125 m) of the named cases, which take minutes each.
Entries not recomputed are kept from the existing file. ``tests/test_air_cfd.py`` and
``tests/test_air_grid.py`` check that the file holds what the model gives now.

Run from the repository root after a model change or new CFD results:

    python tests/air_cfd/validate_model.py [--grid open_aisle_crah cold_aisle_raised_floor]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare  # noqa: E402

from designer.solvers.air.validation import FIGURES_PATH  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--grid", nargs="*", default=None, metavar="CASE",
                    help="also recompute the grid figures of these cases (none named: the grid cases already in the file)")
    ap.add_argument("--out", type=Path, default=FIGURES_PATH)
    a = ap.parse_args(argv)
    old = json.loads(a.out.read_text()) if a.out.exists() else {}
    out = {"bars": {"mae_k": compare.MAE_K, "max_k": compare.MAX_K, "max_u_for_max_k": compare.MAX_U_FOR_MAX_K,
                    "return_k": compare.RETURN_K, "grid_k": compare.GRID_K},
           "cases": {}, "missing": [], "grid": dict(old.get("grid", {}))}
    for name in compare.CASES:
        data = compare.cfd(name)
        if data is None:
            out["missing"].append({"case": name, "title": compare.case_title(name)})
            print(f"{name}: no CFD results")
            continue
        t = time.process_time()
        res, cell, stats = compare.solve(name)
        if res is None:
            raise SystemExit(f"{name}: the model did not converge ({stats}); nothing written")
        out["cases"][name] = compare.figures(name, data, res, cell)
        m = out["cases"][name]["means"]
        print(f"{name}: means {m['mae_k']} / {m['max_k']} K ({time.process_time() - t:.0f} s CPU)")
    if a.grid is not None:
        for name in a.grid or list(out["grid"]):
            t = time.process_time()
            out["grid"][name] = compare.grid_change(name) | {"title": compare.case_title(name)}
            print(f"{name}: grid {out['grid'][name]} ({time.process_time() - t:.0f} s CPU)")
    tmp = a.out.with_suffix(".tmp")
    tmp.write_text(json.dumps(out, indent=1) + "\n")
    tmp.replace(a.out)
    print(f"wrote {a.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
