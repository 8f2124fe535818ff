"""Placement analysis: which module serves each workload, at what latency, at what cost.

Runs :func:`designer.solvers.placement.solve_placement` on a snapshot. The payload
(``AnalysisResult.data``) is a :class:`~designer.solvers.placement.PlacementResults`.

Capacity margins from other analyses feed in through the cache: put a mapping module id ->
:class:`~designer.solvers.placement.CapacityOverride` (or a dict of its fields) under
``cache["capacity_overrides"]`` and the next run uses it instead of the module ratings.

:func:`recommend_edit` turns a module recommendation into one undoable edit.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from designer.analysis.base import ALWAYS_BLOCKING, Analysis, AnalysisResult, register
from designer.document.edits import AddItem, Composite
from designer.model.catalog import Catalog, ModuleType
from designer.model.factory import instantiate
from designer.model.project import Project, Site
from designer.model.registry import build_index
from designer.solvers.placement import Network, PlacementResults, solve_placement
from designer.solvers.placement.diagnose import fmt_num
from designer.solvers.placement.recommend import FixedCost, Recommendation, recommend


def _network_key(project: Project) -> str:
    """What the routes depend on: places, links and the latency settings."""
    st = project.settings
    return json.dumps([
        [(s.id, s.location.lat, s.location.lon) for s in project.sites],
        [(d.id, d.location.lat, d.location.lon, d.site_id) for d in project.data_sources],
        [lk.model_dump() for lk in project.links],
        [st.fibre_us_per_km, st.default_route_factor, st.default_hops, st.default_hop_us],
    ])


def _money(v: float) -> str:
    return f"{v:,.0f}"


def _takes(w) -> str:
    """What a workload takes: "56 kW", "56 kW, 2 rack positions, 16 accelerators"."""
    out = f"{fmt_num(w.power_kw)} kW"
    if w.rack_positions:
        out += f", {w.rack_positions} rack position{'s' if w.rack_positions != 1 else ''}"
    if w.accelerators:
        out += f", {w.accelerators} accelerator{'s' if w.accelerators != 1 else ''}"
    return out


def counts_text(m) -> str:
    """A module's rack positions and accelerators used of its capacity, for one line of text."""
    out = []
    for used, cap, share, what in ((m.rack_positions, m.rack_positions_capacity, m.rack_positions_utilisation,
                                    "rack positions"),
                                   (m.accelerators, m.accelerators_capacity, m.accelerators_utilisation,
                                    "accelerators")):
        if math.isfinite(cap):
            pct = f" ({share:.0%})" if math.isfinite(share) else ""
            out.append(f"{what} {fmt_num(used)} of {fmt_num(cap)}{pct}")
        elif used > 0:
            out.append(f"{what} {fmt_num(used)} (not limited: its racks declare none)")
    return ", " + ", ".join(out) if out else ""


@register
class PlacementAnalysis(Analysis):
    name = "placement"
    title = "Workload placement"
    order = 60
    blocked_by = ALWAYS_BLOCKING  # it reports dangling references and bad values itself

    def run(self, project: Project, revision: int, cache: dict) -> AnalysisResult:
        key = _network_key(project)
        if cache.get("network_key") != key:  # routes survive edits to workloads and modules
            cache["network_key"] = key
            cache["network"] = Network.from_project(project)
        res, findings = solve_placement(project, cache.get("capacity_overrides"), revision, cache["network"])
        placed = res.placed
        summary = {
            "status": res.status,
            "workloads_placed": len(placed),
            "workloads_unplaced": len(res.unplaced),
            "cost_per_month": round(res.total_cost, 2),
            "hosting_cost_per_month": round(sum(w.hosting_cost for w in placed), 2),
            "backhaul_cost_per_month": round(sum(w.backhaul_cost for w in placed), 2),
            "smallest_margin_ms": (round(min(w.margin_ms for w in placed), 3) if placed else None),
            "optimality_gap": None if res.gap != res.gap else round(res.gap, 6),
            "candidate_pairs": res.n_pairs,
            "solve_ms": round(res.solve_s * 1000, 2),
        }
        return AnalysisResult(self.name, revision, tuple(findings), res, summary)

    def report_json(self, result: AnalysisResult) -> dict:
        out = super().report_json(result)
        res: PlacementResults = result.data
        out["workloads"] = [w.to_json() for w in res.workloads.values()]
        out["unplaced"] = [{"workload_id": w.workload_id, "reason_code": w.reason_code, "reason": w.reason}
                           for w in res.unplaced]
        out["modules"] = [m.to_json() for m in res.modules.values()]
        out["sites"] = [s.to_json() for s in res.sites.values()]
        return out

    def report_text(self, result: AnalysisResult) -> str:
        res: PlacementResults = result.data
        s = result.summary
        gap = s.get("optimality_gap")
        proved = ("proved optimal" if s["status"] == "optimal" else
                  f"gap to the proved lower bound {gap:.2%}" if gap is not None else "gap not proved")
        lines = [f"== {self.title} ==",
                 f"status: {s['status']} ({proved}); {s['workloads_placed']} of {len(res.workloads)} workloads placed; "
                 f"cost {_money(s['cost_per_month'])} per month (hosting {_money(s['hosting_cost_per_month'])}, "
                 f"backhaul {_money(s['backhaul_cost_per_month'])})", "", "Workloads:"]
        mods = res.modules
        for w in res.placed:
            b = w.latency
            m = mods.get(w.module_id)
            where = f"{(m.name if m else '') or w.module_id} @ {w.site_id}"
            pin = " [pinned]" if w.pinned else ""
            lines.append(f"  {w.workload_id}{f' ({w.name})' if w.name else ''}{pin} -> {where}")
            lines.append(f"      {fmt_num(b.total_ms)} ms of {fmt_num(w.budget_ms)} ms budget, margin "
                         f"{fmt_num(w.margin_ms)} ms = fibre {fmt_num(b.fibre_ms)} + hops {fmt_num(b.hops_ms)} + "
                         f"access {fmt_num(b.access_ms)} + processing {fmt_num(b.processing_ms)}; route {b.route_kind} "
                         f"{fmt_num(b.route_km)} km; {_takes(w)}; cost {_money(w.cost)}/month "
                         f"(hosting {_money(w.hosting_cost)}, backhaul {_money(w.backhaul_cost)})")
        if res.unplaced:
            lines += ["", "Unplaced:"]
            for w in res.unplaced:
                name = f"{w.name}, " if w.name else ""
                lines.append(f"  {w.workload_id} ({name}{_takes(w)}, {fmt_num(w.budget_ms)} ms): "
                             f"{w.reason}")
        lines += ["", "Modules:"]
        for m in mods.values():
            cool = "" if m.liquid_kw == 0 else f", liquid {fmt_num(m.liquid_kw)} of {fmt_num(m.liquid_capacity_kw)} kW"
            note = f" [{m.note}]" if m.note else ""
            lines.append(f"  {m.name or m.module_id} @ {m.site_id}: {fmt_num(m.power_kw)} of {fmt_num(m.capacity_kw)} kW "
                         f"({m.utilisation:.0%}){cool}{counts_text(m)}{note}: {', '.join(m.workload_ids) or 'no workloads'}")
        tethers = [t for t in res.sites.values() if t.core_site_id]
        if tethers:
            lines += ["", "Tethers to the core:"]
            for t in tethers:
                lines.append(f"  {t.site_id} -> {t.core_site_id}: {fmt_num(t.route_km)} km, "
                             f"{fmt_num(t.round_trip_ms)} ms round trip ({t.route_kind}: {' - '.join(t.route_nodes)})")
        if result.findings:
            lines += ["", *(f.as_text() for f in result.findings)]
        return "\n".join(lines)


@dataclass(frozen=True)
class RecommendedEdit:
    """The recommendation, the one edit that adds its modules, and what was left out."""

    edit: Composite
    recommendation: Recommendation
    skipped: tuple[str, ...]


def recommend_edit(project: Project, catalog: Catalog | Sequence[ModuleType], extra_sites: Sequence[Site] = (),
                   fixed_cost: FixedCost | None = None, **options) -> RecommendedEdit:
    """Recommend modules (see :func:`~designer.solvers.placement.recommend.recommend`) and
    build ONE undoable edit that adds them.

    The edit is a :class:`~designer.document.edits.Composite` of ``AddItem`` edits: first any
    chosen candidate site not yet in the project, then each new module at the free spot the
    scan found in its site's hall. A module without a free spot is left out (the hall is
    never enlarged) and named in ``skipped``. The edit is empty when nothing is to be added.

    Parameters
    ----------
    project
        The design (not changed).
    catalog
        A :class:`~designer.model.catalog.Catalog` (its module entries are used) or module types.
    extra_sites
        Candidate sites not yet in the project.
    fixed_cost
        Monthly fixed cost model of a module.
    **options
        Passed to ``recommend`` (``use_existing``, ``respect_utility``, ``max_copies``, ...).
    """
    types = list(catalog.entries("modules")) if isinstance(catalog, Catalog) else list(catalog)
    rec = recommend(project, types, extra_sites, fixed_cost, **options)
    by_model = {t.model: t for t in types}
    taken = set(build_index(project))
    extra = {s.id: s for s in extra_sites}
    edits = []
    skipped = []
    added_sites: set[str] = set()
    for nm in rec.new_modules:
        if nm.position is None:
            skipped.append(f"{nm.model} at {nm.site_id}: no free spot in the hall "
                           f"(serving {', '.join(nm.workload_ids)})")
            continue
        if nm.new_site and nm.site_id not in added_sites:
            site = extra[nm.site_id].model_copy(deep=True)
            edits.append(AddItem("site", site, label=f"Add candidate site {site.id}"))
            added_sites.add(site.id)
            taken |= {site.id, *build_index(Project(sites=[site]))}
        n = 1
        while f"{nm.site_id}.mod{n}" in taken:
            n += 1
        mid = f"{nm.site_id}.mod{n}"
        taken.add(mid)
        x, y, rot = nm.position
        item = instantiate(by_model[nm.model], mid, x, y, rot, name=f"{nm.model}-{n}")
        edits.append(AddItem("module", item, nm.site_id))
    n_mod = sum(e.kind == "module" for e in edits)
    label = f"Add {n_mod} recommended module{'s' if n_mod != 1 else ''}"
    return RecommendedEdit(Composite(edits, label), rec, tuple(skipped))
