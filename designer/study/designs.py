"""The designs of a study: a whole project, or one site of it with the workloads it serves.

With ``split: "sites"`` (the default, and the fleet case) every site is a design of its own:
the site, the workloads it serves, their data sources and the links among those places.
"The workloads it serves" are those the placement of the whole project puts on the site's
modules, plus those it leaves unplaced whose data sits at the site (or is linked to it, or
that are pinned to its modules). Placement in the design then asks whether the site still
serves its own workloads within their budgets; questions about the whole network (moving
the core) take ``split: "project"``.

Each design carries a hash of its content: a result is keyed by it (with the scenario), so a
rerun finds what is already done, and a changed design is run again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from designer.model.project import Project

DESIGN_VERSION = 1
"""Bump when the way a design is cut from its project changes (results are re-run)."""


@dataclass(frozen=True)
class Design:
    id: str
    """``<file stem>/<site id>`` for a site, ``<file stem>`` for a whole project."""
    file: str
    site_id: str | None
    project: Project
    hash: str
    """Hex sha256 of the design's content."""

    @property
    def site_kind(self) -> str:
        if self.site_id is None:
            return "project"
        return self.project.sites[0].kind

    @property
    def text(self) -> str:
        """The design as compact JSON (what a worker receives)."""
        return self.project.model_dump_json()


def design_hash(project: Project) -> str:
    h = hashlib.sha256(f"design-v{DESIGN_VERSION}\n".encode())
    h.update(project.model_dump_json().encode("utf-8"))
    return h.hexdigest()


def served_by_site(project: Project) -> dict[str, str]:
    """Workload id -> the site that serves it: where the placement of the whole project puts
    it, else the site its data sits at, is linked to, or its pinned module stands in."""
    from designer.analysis.base import run_analysis
    from designer.analysis.placement import PlacementAnalysis

    out: dict[str, str] = {}
    site_ids = {s.id for s in project.sites}
    if project.workloads and any(s.hall.modules for s in project.sites):
        res = run_analysis(PlacementAnalysis(), project, 0, {})
        if res.error is None and res.data is not None:
            for w in res.data.placed:
                out[w.workload_id] = w.site_id
    module_site = {m.id: s.id for s in project.sites for m in s.hall.modules}
    sources = {d.id: d for d in project.data_sources}
    linked: dict[str, str] = {}
    for lk in project.links:
        for a, b in ((lk.a, lk.b), (lk.b, lk.a)):
            if a in sources and b in site_ids:
                linked.setdefault(a, b)
    for w in project.workloads:
        if w.id in out:
            continue
        if w.pinned_module_id in module_site:
            out[w.id] = module_site[w.pinned_module_id]
            continue
        d = sources.get(w.data_source_id or "")
        if d is None:
            continue
        if d.site_id in site_ids:
            out[w.id] = d.site_id
        elif d.id in linked:
            out[w.id] = linked[d.id]
    return out


def site_design(project: Project, site_id: str, served: dict[str, str]) -> Project:
    """The project cut down to one site and the workloads it serves (see the module doc)."""
    site = next(s for s in project.sites if s.id == site_id)
    workloads = [w for w in project.workloads if served.get(w.id) == site_id]
    src_ids = {w.data_source_id for w in workloads if w.data_source_id}
    sources = [d for d in project.data_sources if d.id in src_ids]
    places = {site_id} | src_ids
    links = [lk for lk in project.links if lk.a in places and lk.b in places]
    # references to sites that are not in the design are cleared (the core an edge site is
    # tethered to, the site a data source sits at): the design stands alone
    site = site.model_copy(update={"core_site_id": None}) if site.core_site_id != site_id else site
    sources = [d if d.site_id in (None, site_id) else d.model_copy(update={"site_id": None}) for d in sources]
    cut = project.model_copy(update={
        "name": f"{project.name} / {site.name or site.id}",
        "sites": [site], "workloads": workloads, "data_sources": sources, "links": links,
    })
    return Project.model_validate(cut.model_dump())


def load_designs(study, files: dict[str, Project] | None = None) -> list[Design]:
    """Every design of the study, in the order of the file (sites in file order).

    Parameters
    ----------
    study
        A checked :class:`~designer.study.spec.Study`.
    files
        Projects already loaded, by the path as written in the study (the app passes the open
        project this way); others are read from disk.
    """
    from designer.io.files import load

    out: list[Design] = []
    for ref in study.designs:
        project = (files or {}).get(ref.file)
        if project is None:
            project = load(study.design_path(ref))
        stem = Path(ref.file).stem or "project"
        if ref.split == "project":
            out.append(Design(stem, ref.file, None, project, design_hash(project)))
            continue
        served = served_by_site(project)
        wanted = ref.sites or [s.id for s in project.sites]
        for sid in wanted:
            cut = site_design(project, sid, served)
            out.append(Design(f"{stem}/{sid}", ref.file, sid, cut, design_hash(cut)))
    ids = [d.id for d in out]
    if len(set(ids)) != len(ids):  # two files with one stem: tell them apart by their order
        out = [Design(f"{k}:{d.id}", d.file, d.site_id, d.project, d.hash) for k, d in enumerate(out)]
    return out
