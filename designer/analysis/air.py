"""The air-side thermal analysis: heat map, rack inlet temperatures, unit loads, RCI / RTI.

One :func:`designer.solvers.air.engine.solve_hall` per site with a hall. The cache keeps one
:class:`HallCache` per site and cell size (the two most recently used sizes of each site), so
a coarse preview while dragging and the fine answer on release both stay warm, whether they
share one cache dict or not:

>>> fine = AirAnalysis()              # settings.air_cell_m
>>> coarse = AirAnalysis(cell_m=0.5)  # while dragging; the fine one on release
"""

from __future__ import annotations

import math
import time
from dataclasses import replace

import numpy as np

from designer.analysis.base import Analysis, AnalysisResult, register
from designer.model import findings as fd
from designer.model.project import Project
from designer.solvers.air.engine import AirParams, HallCache, solve_hall
from designer.solvers.air.results import ASSUMPTIONS, HEADLINE, AirResult, SiteAir, site_results

MAX_CELLS = 250_000
"""Grids larger than this are coarsened (and the coarsening reported)."""
GRID_INDEPENDENT = frozenset({"air.no_units", "air.capacity.short", "air.airflow.short"})
"""Findings about totals, which a coarser grid does not change (see ``AirAnalysis._indicative``)."""


def _cell_size(outline, cell_m: float) -> float:
    xs = [p[0] for p in outline]
    ys = [p[1] for p in outline]
    area = max(max(xs) - min(xs), 1e-3) * max(max(ys) - min(ys), 1e-3)
    if area / cell_m ** 2 <= MAX_CELLS:
        return cell_m
    return math.ceil(math.sqrt(area / MAX_CELLS) * 100.0) / 100.0


@register
class AirAnalysis(Analysis):
    """Air-side screening model of every site's hall.

    Parameters
    ----------
    cell_m : float, optional
        Grid cell size overriding ``settings.air_cell_m`` (a coarse preview while dragging).
    params : AirParams, optional
        Model constants (diffusivity, containment leakage, refactorisation thresholds).
    """

    name = "air"
    title = "Air-side thermal model (screening)"
    order = 30

    def __init__(self, cell_m: float | None = None, params: AirParams | None = None) -> None:
        self.cell_m = cell_m
        self.params = params or AirParams()

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        t0 = time.perf_counter()
        base = self.cell_m or project.settings.air_cell_m
        halls: dict = cache.setdefault("halls", {})
        sites: dict[str, SiteAir] = {}
        findings: list[fd.Finding] = []
        for si, site in enumerate(project.sites):
            hall = site.hall
            if not hall.racks and not hall.air_units:
                continue
            if len(hall.outline) < 3 or base <= 0:
                findings.append(fd.error("air.hall.invalid", f"{site.name or site.id}: the hall outline or the "
                                         f"air cell size ({base} m) cannot be gridded",
                                         "Give the hall an outline of 3 or more points and a positive "
                                         "settings.air_cell_m", ids=(site.id,), source=self.name))
                continue
            cell = _cell_size(hall.outline, base)
            if cell != base:
                findings.append(fd.info("air.grid.coarsened", f"{site.name or site.id}: the hall is too large "
                                        f"for {base} m cells ({MAX_CELLS} cells at most); using {cell} m, so "
                                        "what the air model says about single racks and air units is "
                                        "indicative (information only)",
                                        "Raise settings.air_cell_m, or model a part of the hall at the finer "
                                        "size", ids=(site.id,), source=self.name))
            sa, f = self._solve_site(project, si, cell, halls)
            if cell != base:
                f = self._indicative(f, base, cell)
            sites[site.id] = sa
            findings += f
        _prune(halls, {s.id for s in project.sites})
        data = AirResult(HEADLINE, ASSUMPTIONS, base, sites)
        return AnalysisResult(self.name, revision, tuple(findings), data, _summary(data),
                              elapsed_s=time.perf_counter() - t0)

    def _solve_site(self, project: Project, si: int, cell: float, halls: dict) -> tuple[SiteAir, list]:
        site = project.sites[si]
        key = (site.id, cell)
        hc = halls.pop(key, None) or HallCache()
        halls[key] = hc  # most recently used last
        params = AirParams(**{**self.params.__dict__, "cell_m": cell})
        sol = solve_hall(site.hall, params, hc)
        return site_results(site.id, site.name or site.id, si, site.hall, sol, project.settings.ashrae_class)

    @staticmethod
    def _indicative(found: list, base: float, cell: float) -> list:
        """Coarsening never invents findings. On a grid coarser than asked for, items narrower
        than a cell (0.3 m in-row coolers, racks) are not resolved and inlet temperatures and
        unit loads shift by several kelvin and per cent (a 5,000-rack hall at 0.38 m instead of
        0.25 m put 44 in-row coolers over capacity that are at 85 % on the asked-for grid), so
        what it says about single racks and units is information only. Totals that do not
        depend on the grid (heat against capacity and airflow) keep their severity."""
        out = []
        for f in found:
            if f.severity != fd.Severity.INFO and f.code not in GRID_INDEPENDENT:
                f = replace(f, severity=fd.Severity.INFO,
                            message=f"{f.message} (indicative: found on a {cell:g} m grid, coarser than the "
                                    f"{base:g} m asked for)")
            out.append(f)
        return out

    # -- reports -----------------------------------------------------------------------------
    def report_json(self, result: AnalysisResult, include_grid: bool = False) -> dict:
        """Plain JSON: per-rack and per-unit values, indices, balance, findings.

        The temperature grid is left out (it is large) unless ``include_grid``.
        """
        data: AirResult = result.data
        out = {"summary": result.summary, "headline": data.headline, "assumptions": list(data.assumptions),
               "cell_m": data.cell_m, "sites": {}, "findings": [f.to_json() for f in result.findings]}
        for sid, s in data.sites.items():
            d = {
                "solved": s.solved,
                "indices": _r(s.indices.__dict__),
                "balance_kw": _r(s.balance.__dict__) if s.balance else None,
                "racks": {k: _r(v.__dict__) for k, v in s.racks.items()},
                "units": {k: _r(v.__dict__) for k, v in s.units.items()},
                "containments": {k: _r(v.__dict__) for k, v in s.containments.items()},
                "stats": _r(dict(s.stats)),
            }
            if s.map is not None:
                m = s.map
                d["map"] = {"x0": m.x0, "y0": m.y0, "cell_m": m.cell_m, "nx": m.nx, "ny": m.ny,
                            "t_min_c": round(m.t_min_c, 2), "t_max_c": round(m.t_max_c, 2)}
                if include_grid:
                    d["map"]["temperature_c"] = [[None if np.isnan(v) else round(float(v), 2) for v in row]
                                                 for row in m.temperature_c]
            out["sites"][sid] = d
        return out

    def report_text(self, result: AnalysisResult) -> str:
        data: AirResult = result.data
        lines = [f"== {self.title} ==", data.headline, "Assumptions:"]
        lines += [f"  - {a}" for a in data.assumptions]
        for s in data.sites.values():
            lines.append(f"\n-- {s.site_name} ({s.site_id}) --")
            if not s.solved:
                lines.append("  not solved (no air unit moves air)")
                continue
            ix, b, m = s.indices, s.balance, s.map
            lines.append(f"  grid {m.nx} x {m.ny} cells of {m.cell_m} m; air {m.t_min_c:.1f}-{m.t_max_c:.1f} degC; "
                         f"solved in {s.stats.get('build_ms', 0) + s.stats.get('flow_ms', 0) + s.stats.get('temperature_ms', 0):.0f} ms")
            lines.append(f"  heat to air {b.heat_in_kw:.1f} kW, removed by units {b.removed_by_units_kw:.1f} kW, "
                         f"open boundary {b.open_boundary_kw:.3f} kW")
            lines.append(f"  ASHRAE {ix.ashrae_class}: RCI_HI {_f(ix.rci_hi, '%')}  RCI_LO {_f(ix.rci_lo, '%')}  "
                         f"RTI {_f(ix.rti, '%')}  SHI {_f(ix.shi, '', 2)}")
            lines.append(f"  {'rack':<22}{'air kW':>8}{'m3/s':>7}{'in mean':>9}{'in max':>8}{'out':>7}  band")
            for r in sorted(s.racks.values(), key=lambda r: -(r.inlet_max_c or -1e9)):
                lines.append(f"  {r.name[:21]:<22}{r.heat_to_air_kw:8.1f}{r.airflow_m3s:7.2f}"
                             f"{_f(r.inlet_mean_c, '', 1, 9)}{_f(r.inlet_max_c, '', 1, 8)}{_f(r.exhaust_c, '', 1, 7)}"
                             f"  {r.band}")
            lines.append(f"  {'air unit':<22}{'kind':>10}{'load kW':>9}{'cap kW':>8}{'use':>6}{'return':>8}")
            for u in s.units.values():
                use = f"{u.utilisation * 100:5.0f}%" if u.utilisation is not None else "    - "
                lines.append(f"  {u.name[:21]:<22}{u.kind:>10}{u.load_kw:9.1f}{u.capacity_kw:8.1f}{use:>6}"
                             f"{_f(u.return_temp_c, '', 1, 8)}")
            for c in s.containments.values():
                lines.append(f"  containment {c.containment_id} ({c.kind}): racks {c.rack_net_m3s:+.2f} m3/s, "
                             f"plenum {c.plenum_m3s:+.2f}, over panels {c.spill_m3s:+.2f}")
        lines.append("")
        lines += [f.as_text() for f in result.findings]
        return "\n".join(lines)


def _prune(halls: dict, site_ids: set[str], per_site: int = 2) -> None:
    """Drop caches of deleted sites, and all but the ``per_site`` most recently used cell
    sizes of each site (the fine grid and a coarse preview)."""
    seen: dict[str, int] = {}
    for key in reversed(list(halls)):
        sid = key[0]
        seen[sid] = seen.get(sid, 0) + 1
        if sid not in site_ids or seen[sid] > per_site:
            del halls[key]


def _f(v, unit: str, nd: int = 0, width: int = 0) -> str:
    s = "-" if v is None else f"{v:.{nd}f}{unit}"
    return s.rjust(width) if width else s


def _r(d: dict) -> dict:
    """JSON-safe copy of a flat dict: rounded floats, tuples as lists."""
    out = {}
    for k, v in d.items():
        if isinstance(v, float | np.floating):
            v = None if not math.isfinite(v) else round(float(v), 4)
        elif isinstance(v, tuple):
            v = list(v)
        elif isinstance(v, np.integer | np.bool_):
            v = v.item()
        out[k] = v
    return out


def _summary(data: AirResult) -> dict:
    out: dict = {"model": "screening (2D potential flow + upwind advection-diffusion; not CFD)"}
    for sid, s in data.sites.items():
        if not s.solved:
            out[sid] = "not solved"
            continue
        hottest = max((r for r in s.racks.values() if r.inlet_max_c is not None),
                      key=lambda r: r.inlet_max_c, default=None)
        out[sid] = {
            "max_inlet_c": round(hottest.inlet_max_c, 1) if hottest else None,
            "hottest_rack": hottest.rack_id if hottest else None,
            "rci_hi_pct": None if s.indices.rci_hi is None else round(s.indices.rci_hi, 1),
            "rci_lo_pct": None if s.indices.rci_lo is None else round(s.indices.rci_lo, 1),
            "rti_pct": None if s.indices.rti is None else round(s.indices.rti, 1),
            "heat_to_air_kw": round(s.balance.heat_in_kw, 1),
        }
    return out
