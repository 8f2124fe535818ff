"""Plan drawings of the reference cases (``plans/<name>.png``), for the README.

Usage (from the repository root): ``python tests/air_cfd/plot_plans.py``. Racks grey with their
load in kW and a thick blue line on the front; units cyan (red when not running) with their
front thick; tiles light blue, grilles pink; containment dashed green.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.patches import Polygon  # noqa: E402

from designer.io.files import load  # noqa: E402

HERE = Path(__file__).resolve().parent


def plot_plan(project_file: Path, png: Path) -> None:
    hall = load(project_file).sites[0].hall
    fig, ax = plt.subplots(figsize=(8, 5.5))
    ax.add_patch(Polygon(hall.outline, fill=False, lw=1.5))
    for t in hall.floor_tiles:
        ax.add_patch(Polygon(t.corners(), color="lightblue"))
    for g in hall.ceiling_grilles:
        ax.add_patch(Polygon(g.corners(), color="pink", alpha=0.7))
    for c in hall.containments:
        ax.add_patch(Polygon(c.polygon, fill=False, ec="g", lw=2, ls="--"))
    for r in hall.racks:
        c = r.corners()
        ax.add_patch(Polygon(c, fc="lightgray", ec="k", lw=0.6))
        ax.plot([c[0][0], c[3][0]], [c[0][1], c[3][1]], "b-", lw=3)
        ax.text(r.x, r.y, f"{r.it_load_kw:g}", ha="center", va="center", fontsize=7)
    for u in hall.air_units:
        c = u.corners()
        ax.add_patch(Polygon(c, fc="cyan" if u.running else "salmon", ec="k", lw=0.6))
        ax.plot([c[0][0], c[3][0]], [c[0][1], c[3][1]], "b-", lw=3)
        label = u.name + ("" if u.running else "\noff")
        ax.text(u.x, u.y, label, ha="center", va="center", fontsize=6, rotation=90 if u.width_m > 1 and
                abs(u.front_normal()[0]) > 0.5 else 0)
    ax.set_aspect("equal")
    ax.autoscale()
    ax.set_xlabel("x (m)")
    ax.set_ylabel("y (m)")
    ax.set_title(f"{project_file.stem}: racks with kW, fronts thick")
    fig.savefig(png, dpi=80, bbox_inches="tight")
    plt.close(fig)


def main() -> int:
    out = HERE / "plans"
    out.mkdir(exist_ok=True)
    for f in sorted((HERE / "cases").glob("*.json")):
        plot_plan(f, out / f"{f.stem}.png")
        print(out / f"{f.stem}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
