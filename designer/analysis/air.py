"""The air-side thermal analysis: heat map, rack inlet temperatures, unit loads, RCI / RTI.

One :func:`designer.solvers.air.engine.solve_hall` per site with a hall. The cache keeps one
:class:`HallCache` per site and cell size (the two most recently used sizes of each site), so
a coarse preview while dragging and the fine answer on release both stay warm, whether they
share one cache dict or not:

>>> fine = AirAnalysis()              # settings.air_cell_m
>>> coarse = AirAnalysis(cell_m=0.5)  # while dragging; the fine one on release

Cell size: what is asked, what is used, and when there is no answer
--------------------------------------------------------------------
The cell size asked for is ``settings.air_cell_m``. A hall whose 3D mesh at that size would
exceed the cell budget (:data:`MAX_CELLS`, what the app can solve while the engineer edits)
is solved at the smallest cell size within the budget, and the site's results carry a
*warning* (``air.grid.coarsened``) naming both sizes: coarsening is never silent. Where that
size would not resolve the racks but the size asked for does, the hall is solved at the
coarsest cells that do, over the budget up to :data:`MAX_CELLS_RESOLVED` (an answer that
takes longer, and the warning says so, rather than none). Whatever the size used, if it
cannot resolve the racks (a cell wider than half a rack's depth, or than half
the gap in front of or behind a rack up to the next rack, unit, cabinet or wall: see
:mod:`designer.solvers.air.resolution`) the site gets an *error* (``air.grid.too_coarse``)
naming the rack, the gap and both sizes, and no temperatures: an answer on such a grid moves
by many kelvin with the cell size, and a wrong number is worse than none.
"""

from __future__ import annotations

import math
import time

import numpy as np

from designer.analysis.base import Analysis, AnalysisResult, register
from designer.model import findings as fd
from designer.model.project import Project
from designer.solvers.air.engine import AirParams, HallCache, memoised, refused, solve_hall
from designer.solvers.air.resolution import (
    MAX_FACE_VELOCITY_MPS,
    MIN_SHARE_OF_CELL,
    Limit,
    resolution_limit,
    too_fast,
    too_small,
)
from designer.solvers.air.results import ASSUMPTIONS, HEADLINE, AirResult, SiteAir, site_results
from designer.solvers.memory import MemoryBudgetExceeded

MAX_CELLS = 15_000
"""3D meshes larger than this are coarsened (and the coarsening reported as a warning): the
model's cost grows with its cells times its iterations, and the app must keep up with edits
(the air model runs in its own lane of the app's scheduler and is stopped by the next edit,
so the other analyses never wait for it). At 15,000 cells every site of the bundled sample
resolves its racks (the core hall at 0.6 m, half its racks' depth; at 8,000 cells it was
0.75 m, too coarse). The first answer for the whole sample then costs about 16 s of CPU, the
site on screen coming first (the Munich site's solve takes 1.7 s). The reference-case comparison and
the grid-convergence test run at the cell size asked for."""


MAX_CELLS_RESOLVED = 100_000
"""A hall whose racks the budget's coarsening would leave unresolved is solved at the coarsest
cells that do resolve them, over :data:`MAX_CELLS`, up to this many (an answer that takes
longer, said in a warning, rather than none: a generated 200-rack hall needs 0.6 m cells,
about 29,000 with the layers, and 4 s of CPU; the 1,000-rack one 79,000 by volume, 107,000
with the layers, 942 steps and 56 s of CPU, stop 26).
Past this, the site gets the ``air.grid.too_coarse`` error and no temperatures."""


def _volume(hall) -> float:
    xs = [p[0] for p in hall.outline]
    ys = [p[1] for p in hall.outline]
    height = hall.height_m + (hall.raised_floor.height_m if hall.raised_floor else 0.0) + (
        hall.ceiling_plenum.height_m if hall.ceiling_plenum else 0.0)
    return max(max(xs) - min(xs), 1e-3) * max(max(ys) - min(ys), 1e-3) * max(height, 1e-3)


def _cell_size(hall, cell_m: float, max_cells: int = MAX_CELLS) -> float:
    vol = _volume(hall)
    if vol / cell_m ** 3 <= max_cells:
        return cell_m
    return math.ceil((vol / max_cells) ** (1.0 / 3.0) * 20.0) / 20.0


@register
class AirAnalysis(Analysis):
    """Air-side model (coarse-grid 3D RANS) of every site's hall.

    Parameters
    ----------
    cell_m : float, optional
        Grid cell size overriding ``settings.air_cell_m`` (a coarse preview while dragging).
    params : AirParams, optional
        Model constants (diffusivity, containment leakage, refactorisation thresholds).
    max_cells : int
        The cell budget (:data:`MAX_CELLS`): a larger mesh is coarsened, with a warning.
    max_cells_resolved : int
        How far over the budget a hall may go to keep its racks resolved
        (:data:`MAX_CELLS_RESOLVED`; the drag preview passes its own, smaller limit).
    site_ids : set of str, optional
        Solve these sites only (``designer export --site`` without JSON: the report, plan and
        bill of materials of one site need its air alone, and another site's hall can take a
        minute); every site when None.
    """

    name = "air"
    title = "Air-side thermal model (coarse-grid 3D)"
    order = 30
    lane = "air"
    stoppable = True
    progressive = True

    def __init__(self, cell_m: float | None = None, params: AirParams | None = None,
                 max_cells: int = MAX_CELLS, site_ids: set[str] | None = None,
                 max_cells_resolved: int = MAX_CELLS_RESOLVED) -> None:
        self.cell_m = cell_m
        self.params = params or AirParams()
        self.max_cells = max_cells
        self.max_cells_resolved = max(max_cells_resolved, max_cells)
        self.site_ids = site_ids

    def run(self, project: Project, revision: int, cache: dict, should_stop=None,
            focus=None, partial=None, progress=None) -> AnalysisResult:
        """Solve every site's hall (or those of :attr:`site_ids`).

        ``focus`` (a callable giving the id of the site the engineer is looking at, asked
        again before each site) and ``partial`` (called with an :class:`AnalysisResult` whose
        :attr:`AirResult.pending` lists the sites still to solve) are for the app: sites whose
        answer is kept from an earlier run come first (no solve), then the site in focus, then
        the rest in project order, and the views get each answer as it comes instead of after
        the last site. Without them the sites are solved in project order. The final result
        is the same either way (each site's solve depends on its own hall only). ``progress``
        is called a few times a second while a site's march runs, with a dict: ``site_id``,
        ``site_name``, ``convergence`` (:class:`~designer.solvers.air.flow.Convergence` so
        far) and ``pending`` (the sites after it).
        """
        t0 = time.perf_counter()
        base = self.cell_m or project.settings.air_cell_m
        halls: dict = cache.setdefault("halls", {})
        done: dict[int, tuple[SiteAir | None, list[fd.Finding]]] = {}
        todo = [(si, site) for si, site in enumerate(project.sites)
                if (site.hall.racks or site.hall.air_units)
                and (self.site_ids is None or site.id in self.site_ids)]
        if focus is not None or partial is not None:
            kept = {si for si, site in todo if self._kept(site.hall, base, cache)}
            todo.sort(key=lambda t: t[0] not in kept)  # stable: project order within each group
        else:
            kept = set()
        shown = 0  # sites in the last partial result
        while todo:
            k = 0
            want = focus() if focus is not None else None
            if want is not None and todo[0][0] not in kept:
                k = next((j for j, (_si, s) in enumerate(todo) if s.id == want), 0)
            si, site = todo.pop(k)
            if partial is not None and si not in kept and len(done) > shown:
                # about to solve: show what is in (the kept answers) before the wait
                shown = len(done)
                partial(self._result(project, revision, base, done, todo + [(si, site)], t0))
            got = self._site(project, si, site, base, cache, should_stop,
                             self._ticker(progress, site, [s.id for _i, s in todo]))
            if got is None:
                # the document moved on: this revision's answer is not wanted (and there is none)
                return AnalysisResult(self.name, revision, (), None, {"stopped": True},
                                      elapsed_s=time.perf_counter() - t0)
            done[si] = got
            if partial is not None and todo and si not in kept:
                shown = len(done)
                partial(self._result(project, revision, base, done, todo, t0))
        _prune(halls, {s.id for s in project.sites})
        return self._result(project, revision, base, done, [], t0)

    @staticmethod
    def _ticker(progress, site, after: list[str]):
        """The solver's progress callback for ``site``: the march so far, with whose it is."""
        if progress is None:
            return None

        def tick(conv) -> None:
            progress({"site_id": site.id, "site_name": site.name or site.id, "convergence": conv,
                      "pending": after})

        return tick

    def _kept(self, hall, base: float, cache: dict) -> bool:
        """True when this hall's answer at its cell size is kept from an earlier solve."""
        if len(hall.outline) < 3 or base <= 0:
            return True  # a finding at once, no solve
        cell, _over = self._cell(hall, base, cache)
        return memoised(hall, AirParams(**{**self.params.__dict__, "cell_m": cell}))

    def _cell(self, hall, base: float, cache: dict) -> tuple[float, bool]:
        """The cell size to solve on, and whether it is over the budget: ``base`` within the
        budget; else coarsened to fit it, but not past the coarsest cells that resolve the
        racks (:func:`resolution_limit`) while that stays within :attr:`max_cells_resolved`."""
        cell = _cell_size(hall, base, self.max_cells)
        if cell == base:
            return cell, False
        limit = _limit(hall, cache).cell_m
        if cell <= limit + 1e-9 or base > limit + 1e-9:
            return cell, False  # resolves the racks anyway, or not even base does
        fine = max(base, math.floor(limit * 20.0 + 1e-9) / 20.0)  # a tidy size, not past the limit
        if _volume(hall) / fine ** 3 <= self.max_cells_resolved:
            return fine, True
        return cell, False

    def _result(self, project: Project, revision: int, base: float, done: dict, todo: list,
                t0: float) -> AnalysisResult:
        """The result over the sites solved so far (in project order); ``todo`` are pending."""
        sites: dict[str, SiteAir] = {}
        findings: list[fd.Finding] = []
        for si in sorted(done):
            sa, f = done[si]
            if sa is not None:
                sites[sa.site_id] = sa
            findings += f
        pending = tuple(site.id for si, site in sorted(todo, key=lambda t: t[0]))
        data = AirResult(HEADLINE, ASSUMPTIONS, base, sites, pending)
        summary = _summary(data)
        if pending:
            summary["pending"] = list(pending)
        return AnalysisResult(self.name, revision, tuple(findings), data, summary,
                              elapsed_s=time.perf_counter() - t0)

    def _site(self, project: Project, si: int, site, base: float, cache: dict,
              should_stop, progress=None) -> tuple[SiteAir | None, list[fd.Finding]] | None:
        """One site's answer and findings; None when ``should_stop`` stopped the solve."""
        hall = site.hall
        halls: dict = cache.setdefault("halls", {})
        findings: list[fd.Finding] = []
        if len(hall.outline) < 3 or base <= 0:
            findings.append(fd.error("air.hall.invalid", f"{site.name or site.id}: the hall outline or the "
                                     f"air cell size ({base} m) cannot be gridded",
                                     "Give the hall an outline of 3 or more points and a positive "
                                     "settings.air_cell_m", ids=(site.id,), source=self.name))
            return None, findings
        name = site.name or site.id
        cell, over = self._cell(hall, base, cache)
        if over:
            findings.append(fd.warning("air.grid.coarsened", f"{name}: air model solved on {cell:g} m cells, "
                                       f"not the {base:g} m asked for (settings.air_cell_m), and over the "
                                       f"{self.max_cells:,} cells the app solves while editing (about "
                                       f"{float(f'{_volume(hall) / cell ** 3:.2g}'):,.0f} by volume): coarser cells would not resolve "
                                       f"{_limit(hall, cache).what}, so its answer takes longer",
                                       "Read its temperatures as coarser than asked, or split the hall",
                                       ids=(site.id,), source=self.name))
        elif cell != base:
            findings.append(fd.warning("air.grid.coarsened", f"{name}: air model solved on {cell:g} m cells, "
                                       f"not the {base:g} m asked for (settings.air_cell_m): the hall needs "
                                       f"more than the {self.max_cells:,} cells the app solves while editing",
                                       "Read its temperatures as coarser than asked, or split the hall",
                                       ids=(site.id,), source=self.name))
        params = AirParams(**{**self.params.__dict__, "cell_m": cell})
        ashrae = project.settings.ashrae_class
        small = too_small(hall, base)  # the item's size, not the budget's coarsening
        if small:
            # a box under half a cell snaps to a whole cell: its openings (and its jet)
            # would be many times its own; no answer rather than a wrong one
            for ts in small:
                findings.append(fd.error("air.item.too_small", f"{name}: {ts.what}, under half the {base:g} m "
                                         "air cells asked for; the air model cannot represent it, so no temperatures "
                                         "are given for this site",
                                         f"Check its size (at least {MIN_SHARE_OF_CELL * base:.2f} m on "
                                         "these cells)", ids=(site.id, ts.item_id), source=self.name))
            sa, f = site_results(site.id, name, si, hall, refused(
                hall, params, f"{small[0].what}, under half the {base:g} m air cells: the model cannot "
                              "represent it"), ashrae)
            return sa, findings + f
        fast = too_fast(hall)
        if fast:
            for tf in fast:
                findings.append(fd.error("air.item.too_fast", f"{name}: {tf.what}, past the "
                                         f"{MAX_FACE_VELOCITY_MPS:g} m/s the air model takes; no temperatures are "
                                         "given for this site",
                                         "Check the rack's it_load_kw, liquid_fraction and design_delta_t_air_k "
                                         "or the unit's airflow_m3s (a value in the wrong unit?)",
                                         ids=(site.id, tf.item_id), source=self.name))
            sa, f = site_results(site.id, name, si, hall, refused(
                hall, params, f"{fast[0].what}, past the {MAX_FACE_VELOCITY_MPS:g} m/s the air model takes"), ashrae)
            return sa, findings + f
        limit = _limit(hall, cache)
        if cell > limit.cell_m + 1e-9:
            findings.append(fd.error("air.grid.too_coarse", f"{name}: {cell:g} m air cells cannot resolve "
                                     f"{limit.what} (at most {limit.cell_m:.2f} m cells: two across); "
                                     f"no temperatures are given for this site"
                                     + (f" ({base:g} m was asked, coarsened to fit the cell budget; the "
                                        f"cells that resolve it would be over {self.max_cells_resolved:,})"
                                        if cell != base else ""),
                                     f"Set settings.air_cell_m to {limit.cell_m:.2f} m or less"
                                     + (", or make the hall smaller" if cell != base else ""),
                                     ids=tuple(i for i in (site.id, limit.item_id) if i), source=self.name))
            sa, f = site_results(site.id, name, si, hall, refused(
                hall, params, f"{cell:g} m air cells cannot resolve {limit.what} (at most {limit.cell_m:.2f} m "
                              "cells: two across)"), ashrae)
            return sa, findings + f
        key = (site.id, cell)
        hc = halls.pop(key, None) or HallCache()
        halls[key] = hc  # most recently used last
        try:
            sol = solve_hall(hall, params, hc, should_stop, progress)
        except MemoryBudgetExceeded as e:
            # this site's grid does not fit the memory free now; the other sites still solve
            findings.append(fd.error("air.memory", f"{name}: {e}; no temperatures are given for this site",
                                     e.fix, ids=(site.id,), source=self.name))
            halls.pop(key, None)
            sa, f = site_results(site.id, name, si, hall, refused(hall, params, str(e)), ashrae)
            return sa, findings + f
        if sol.stats.get("stopped"):
            return None
        sa, f = site_results(site.id, name, si, hall, sol, ashrae)
        return sa, findings + f

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
                lines.append("  not solved (no running air unit moves air, or no steady state: see findings)")
                continue
            ix, b, m = s.indices, s.balance, s.map
            lines.append(f"  grid {m.nx} x {m.ny} cells of {m.cell_m} m x {s.stats.get('layers')} layers; air at "
                         f"{m.z_m:g} m {m.t_min_c:.1f}-{m.t_max_c:.1f} degC; {s.stats.get('iterations')} iterations; "
                         f"solved in {s.stats.get('build_ms', 0) + s.stats.get('flow_ms', 0) + s.stats.get('temperature_ms', 0):.0f} ms")
            lines.append(f"  heat to air {b.heat_in_kw:.1f} kW, removed by units {b.removed_by_units_kw:.1f} kW, "
                         f"residual {b.residual_kw:.2e} kW")
            lines.append(f"  ASHRAE {ix.ashrae_class} (on each rack's inlet max: hottest of 3 sensors): RCI_HI {_f(ix.rci_hi, '%')}  RCI_LO {_f(ix.rci_lo, '%')}  "
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


def _limit(hall, cache: dict) -> Limit:
    """:func:`resolution_limit` of the hall, kept while the boxes that set it do not change
    (a power or set-point edit does not measure the aisles again)."""
    pw = hall.power
    items = [*hall.racks, *hall.air_units, *hall.cdus, *pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus]
    key = (tuple(hall.outline), tuple((i.id, i.x, i.y, i.width_m, i.depth_m, i.rotation_deg) for i in items),
           tuple(tuple(o.polygon) for o in hall.obstructions))
    kept: dict = cache.setdefault("limits", {})
    hit = kept.get(key)
    if hit is None:
        hit = resolution_limit(hall)
        if len(kept) > 16:
            kept.clear()
        kept[key] = hit
    return hit


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
    out: dict = {"model": "coarse-grid 3D RANS (zero-equation turbulence, buoyancy); not CFD",
                 "inlet_quantity": "inlet_max_c: hottest of three inlet sensors (0.15 m, mid-height, top - 0.15 m; "
                                   "each the mean across the rack's width)"}
    for sid, s in data.sites.items():
        if not s.solved:
            out[sid] = "not solved"
            continue
        hottest = max((r for r in s.racks.values() if r.inlet_max_c is not None and r.airflow_m3s > 0),
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
