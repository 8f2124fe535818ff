"""Scenarios: one value of every grid axis, turned into the app's own Qt-free edits.

A :class:`Scenario` is plain JSON data (``spec``) so it can be hashed, sent to a worker and
stored; :func:`apply_scenario` turns it into :class:`~designer.document.edits.Edit` objects
against a document and applies them, part by part (so each part sees the one before: the
growth factor scales the re-rated racks, a failure happens in the grown design):

==========================  =====================================================================
axis                        edits
==========================  =====================================================================
``rack_density``            ``SetFields`` of ``it_load_kw`` (``liquid_fraction``) on matching racks
``it_load_growth``          ``SetFields`` of every rack's ``it_load_kw`` times the factor
``facility_water_temp_c``   ``SetFields`` of every water supply's ``supply_temp_c`` (and CDU overrides)
``air_supply_temp_c``       ``SetFields`` of every air unit's ``supply_temp_c``
``workload_growth``         ``SetFields`` of every workload's ``it_power_kw`` times the factor
``new_workloads``           ``AddItem`` of data sources, workloads and links
``links``                   ``SetFields`` of links' route and hops, ``AddItem``, the app's delete
variant                     any ``SetFields`` / ``AddItem`` / delete the study names
``failures``                power equipment and water supplies: the app's delete (with what goes
                            with them); a CDU: one pump fewer (a standby one first); an air unit:
                            the app's delete too (the air model does not read ``running`` yet)
==========================  =====================================================================

Applied to the whole open project with ``sites`` set, the same scenario changes only that
site: the app opens a study row this way as an unsaved variant of the design.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from designer.document.document import Document
from designer.document.edits import AddItem, Composite, Edit, EditError, SetFields
from designer.document.ops import delete_items
from designer.model.project import Project
from designer.model.registry import BY_KIND

ROW_VERSION = 2
"""Bump when the figures of a row change meaning (stored results are then re-run)."""

POWER_KINDS = ("source", "transformer", "switchboard", "ups", "pdu", "busway", "tap")
FAILABLE = {"each_power": ("source", "transformer", "switchboard", "ups", "pdu", "busway"),
            "each_pump": ("cdu",), "each_air_unit": ("air_unit",), "each_water": ("water_supply",)}
"""Which kinds ``each_*`` fails in turn (busway taps only when named: the power analysis sweeps
each of them already)."""

AXES = ("rack_density", "it_load_growth", "facility_water_temp_c", "air_supply_temp_c", "workload_growth",
        "new_workloads", "links", "variant", "failure")
"""The axes, in the order their edits are applied."""

PRODUCT = ("failure", "variant", "new_workloads", "links", "rack_density", "facility_water_temp_c",
           "air_supply_temp_c", "workload_growth", "it_load_growth")
"""Order of the product, the last varying fastest: what changes the structure of a design (a
failure, added items) slowest, so the scenarios run one after the other share the structure
and differ in loads and temperatures (right-hand sides) only."""


@dataclass(frozen=True)
class Scenario:
    id: str
    """Readable and unique within a design: ``"load x1.3 · fail twr-ks.ups1"``."""
    spec: dict
    """One value per axis (JSON data); None is "as designed"."""

    def key(self, design_hash: str, analyses: Iterable[str]) -> str:
        """The result's key: the design's content, this scenario, the analyses, the code."""
        from designer import __version__

        blob = json.dumps({"design": design_hash, "scenario": self.spec, "analyses": sorted(analyses),
                           "version": __version__, "row": ROW_VERSION}, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def _dump(v) -> Any:
    return None if v is None else (v.model_dump(mode="json", exclude_defaults=False) if hasattr(v, "model_dump") else v)


def _label(spec: dict) -> str:
    parts = []
    d = spec["rack_density"]
    if d is not None:
        parts.append(f"density {d['name'] or format(d['it_load_kw'], 'g') + ' kW'}")
    if spec["it_load_growth"] != 1.0:
        parts.append(f"load x{spec['it_load_growth']:g}")
    if spec["facility_water_temp_c"] is not None:
        parts.append(f"FW {spec['facility_water_temp_c']:g} C")
    if spec["air_supply_temp_c"] is not None:
        parts.append(f"air {spec['air_supply_temp_c']:g} C")
    if spec["workload_growth"] != 1.0:
        parts.append(f"workloads x{spec['workload_growth']:g}")
    for axis, word in (("new_workloads", "+"), ("links", "links "), ("variant", "")):
        if spec[axis] is not None:
            parts.append(f"{word}{spec[axis]['name']}")
    f = spec["failure"]
    if f is not None:
        parts.append(f"fail {f['name']}")
    return " · ".join(parts) or "as designed"


def _sub(obj, site: str):
    """``{site}`` replaced in every string of ``obj``."""
    if isinstance(obj, str):
        return obj.replace("{site}", site)
    if isinstance(obj, list):
        return [_sub(v, site) for v in obj]
    if isinstance(obj, dict):
        return {k: _sub(v, site) for k, v in obj.items()}
    return obj


def failable(project: Project, word: str, sites: Iterable[str] | None = None) -> list[tuple[str, str, str]]:
    """(id, name, kind) of every item ``word`` (``each``, ``each_power``, ...) fails in turn."""
    from designer.model.registry import iter_items

    kinds = set(itertools.chain(*FAILABLE.values())) if word == "each" else set(FAILABLE[word])
    keep = None if sites is None else set(sites)
    out = []
    for loc in iter_items(project):
        if loc.kind not in kinds or loc.site_index is None:
            continue
        if keep is not None and project.sites[loc.site_index].id not in keep:
            continue
        it = loc.item
        if loc.kind == "air_unit" and (not it.running):
            continue
        out.append((it.id, it.name or it.id, loc.kind))
    return out


def expand(study, project: Project, site_id: str | None = None) -> list[Scenario]:
    """Every scenario of the study's grid for one design, in a fixed order (duplicates once).

    Parameters
    ----------
    study
        A checked :class:`~designer.study.spec.Study`.
    project
        The design (failures are expanded over its items).
    site_id
        The design's site (``{site}`` in the study's names), else its first site.
    """
    g = study.grid
    site = site_id or (project.sites[0].id if project.sites else "")
    ids = _ids(project)
    failures: list[dict | None] = []
    for f in g.failures:
        if isinstance(f, str) and f == "none":
            failures.append(None)
        elif isinstance(f, str) and f.startswith("each"):
            failures += [{"name": i, "items": [i], "kind": k, "title": n} for i, n, k in failable(project, f)]
        else:
            name, items = (f, [f]) if isinstance(f, str) else (f.name, list(f.items))
            name, items = _sub(name, site), [_sub(i, site) for i in items]
            here = [i for i in items if i in ids]
            if here:  # a failure of another design's items does not apply here
                kind = ids[here[0]].kind if len(here) == 1 and isinstance(f, str) else "named"
                failures.append({"name": name, "items": here, "kind": kind, "title": name})
    axes = {
        "rack_density": [_dump(v) for v in g.rack_density],
        "it_load_growth": list(g.it_load_growth),
        "facility_water_temp_c": list(g.facility_water_temp_c),
        "air_supply_temp_c": list(g.air_supply_temp_c),
        "workload_growth": list(g.workload_growth),
        "new_workloads": [_dump(v) for v in g.new_workloads],
        "links": [_dump(v) for v in g.links],
        "variant": [None] + [_dump(v) for v in study.variants],
        "failure": failures,
    }
    out: list[Scenario] = []
    seen: set[str] = set()
    for combo in itertools.product(*(axes[a] for a in PRODUCT)):
        spec = {a: v for a, v in zip(PRODUCT, combo, strict=True)}
        spec = {a: spec[a] for a in AXES}
        spec["site"] = site
        blob = json.dumps(spec, sort_keys=True)
        if blob in seen:
            continue
        seen.add(blob)
        out.append(Scenario(_label(spec), spec))
    return out


def _ids(project: Project) -> dict:
    from designer.model.registry import build_index

    return build_index(project)


# -- edits ---------------------------------------------------------------------------------------
def _scope(doc: Document, sites: Iterable[str] | None):
    keep = None if sites is None else set(sites)
    return [s for s in doc.project.sites if keep is None or s.id in keep]


def _apply(doc: Document, edits: list[Edit], label: str, done: list[tuple[Edit, Edit]]) -> None:
    if edits:
        e = Composite(edits, label)
        done.append((e, doc.apply(e)))


def _density(doc, sites, d: dict) -> list[Edit]:
    vals = {"it_load_kw": d["it_load_kw"]}
    if d.get("liquid_fraction") is not None:
        vals["liquid_fraction"] = d["liquid_fraction"]
    models = set(d.get("models") or ())
    return [SetFields(r.id, dict(vals)) for s in sites for r in s.hall.racks
            if not models or r.catalog_model in models]


def _failure(doc: Document, f: dict) -> list[Edit]:
    edits: list[Edit] = []
    gone = []
    for iid in f["items"]:
        loc = doc.find(iid)
        if loc is None:
            raise EditError(f"no item '{iid}' to fail")
        it = loc.item
        if loc.kind == "cdu":
            p = it.pump
            edits.append(SetFields(iid, {"pump.count": max(p.count - 1, 0), "pump.redundant": max(p.redundant - 1, 0)},
                                   label=f"One pump of {it.name or iid} fails"))
        else:
            # an air unit is removed, not set to running false: the screening air model does not
            # read ``running`` yet (a stopped unit would change nothing); same for everything else
            gone.append(iid)
    if gone:
        edits.append(delete_items(doc, gone))
    return edits


def _links(doc: Document, change: dict, site: str) -> list[Edit]:
    change = _sub(change, site)
    st = doc.project.settings
    edits: list[Edit] = []
    for lk in doc.project.links:
        vals: dict = {}
        if change.get("route_scale"):
            if lk.route_km is not None:
                vals["route_km"] = lk.route_km * change["route_scale"]
            else:
                vals["route_factor"] = (lk.route_factor or st.default_route_factor) * change["route_scale"]
        if change.get("extra_hops"):
            vals["hops"] = lk.hops + change["extra_hops"]
        vals.update(change.get("set", {}).get(lk.id, {}))
        if vals:
            edits.append(SetFields(lk.id, vals))
    unknown = set(change.get("set", {})) - {lk.id for lk in doc.project.links}
    if unknown:
        raise EditError(f"no link {', '.join(sorted(unknown))} to change")
    return edits


def _add(kind: str, data: dict, site_id: str | None) -> AddItem:
    coll = BY_KIND.get(kind)
    if coll is None:
        raise EditError(f"unknown item kind '{kind}'")
    try:
        item = coll.type.model_validate(data)
    except Exception as e:  # pydantic's message names the field
        raise EditError(f"{kind} {data.get('id', '')}: {e}".strip()) from None
    return AddItem(kind, item, site_id if coll.scope == "hall" else None)


def _new_workloads(doc: Document, nw: dict, site: str) -> list[Edit]:
    nw = _sub(nw, site)
    edits: list[Edit] = []
    places = {s.id: s.location for s in doc.project.sites}
    for d in nw.get("data_sources", []):
        d = dict(d)
        if "location" not in d and d.get("site_id") in places:
            d["location"] = places[d["site_id"]].model_dump()
        edits.append(_add("data_source", d, None))
    edits += [_add("workload", w, None) for w in nw["workloads"]]
    edits += [_add("link", lk, None) for lk in nw.get("links", [])]
    return edits


def _variant(doc: Document, v: dict, site: str, done: list) -> None:
    v = _sub(v, site)
    _apply(doc, [SetFields(s["target"], s["values"]) for s in v.get("set", [])], v["name"], done)
    _apply(doc, [_add(a["kind"], a["item"], a.get("site_id") or site) for a in v.get("add", [])], v["name"], done)
    if v.get("remove"):
        missing = [i for i in v["remove"] if doc.find(i) is None]
        if missing:
            raise EditError(f"no item {', '.join(missing)} to remove")
        _apply(doc, [delete_items(doc, v["remove"])], v["name"], done)


def _run(doc: Document, spec: dict, sites, workloads) -> list[tuple[Edit, Edit]]:
    site = spec.get("site") or (doc.project.sites[0].id if doc.project.sites else "")
    done: list[tuple[Edit, Edit]] = []
    try:
        _steps(doc, spec, sites, site, done, workloads)
    except Exception:
        for _e, inverse in reversed(done):  # leave the document as it was
            doc.apply(inverse)
        raise
    return done


def apply_scenario(doc: Document, scenario: Scenario | dict, sites: Iterable[str] | None = None,
                   workloads: Iterable[str] | None = None) -> Composite:
    """Apply the scenario to ``doc`` (a copy of the design) and return what was applied.

    ``sites`` limits the changes to those sites' items (all sites when None), ``workloads``
    the workload growth to those workloads (by default all, or with ``sites`` those pinned to
    or sourced at them). Raises :class:`~designer.document.edits.EditError` (the document
    is then as it was) when an edit does not fit the design: an id already used, a value of
    the wrong type.
    """
    spec = scenario.spec if isinstance(scenario, Scenario) else scenario
    done = _run(doc, spec, sites, workloads)
    return Composite([e for e, _ in done], _label(spec))


@dataclass
class ScenarioEdit(Edit):
    """A whole scenario as ONE undoable edit (the app opens a study row this way)."""

    spec: dict
    sites: list[str] | None = None
    workloads: list[str] | None = None
    label: str = ""

    def __post_init__(self) -> None:
        if not self.label:
            self.label = f"Scenario: {_label(self.spec)}"

    def apply(self, doc) -> Composite:
        done = _run(doc, self.spec, self.sites, self.workloads)
        return Composite([inv for _e, inv in reversed(done)], self.label)


def _steps(doc: Document, spec: dict, sites, site: str, done: list, workloads=None) -> None:
    sc = _scope(doc, sites)
    if spec["rack_density"] is not None:
        _apply(doc, _density(doc, sc, spec["rack_density"]), "Re-rate racks", done)
    g = spec["it_load_growth"]
    if g != 1.0:
        _apply(doc, [SetFields(r.id, {"it_load_kw": r.it_load_kw * g}) for s in sc for r in s.hall.racks],
               f"IT load x{g:g}", done)
    t = spec["facility_water_temp_c"]
    if t is not None:
        edits: list[Edit] = [SetFields(w.id, {"supply_temp_c": t}) for s in sc for w in s.hall.water_supplies]
        edits += [SetFields(c.id, {"facility_supply_temp_c": t}) for s in sc for c in s.hall.cdus
                  if c.facility_supply_temp_c is not None]
        _apply(doc, edits, f"Facility water {t:g} degC", done)
    t = spec["air_supply_temp_c"]
    if t is not None:
        _apply(doc, [SetFields(u.id, {"supply_temp_c": t}) for s in sc for u in s.hall.air_units],
               f"Air supply {t:g} degC", done)
    wg = spec["workload_growth"]
    if wg != 1.0:
        mine = set(workloads) if workloads is not None else _workloads_of(doc.project, sites)
        _apply(doc, [SetFields(w.id, {"it_power_kw": w.it_power_kw * wg}) for w in doc.project.workloads
                     if w.id in mine], f"Workloads x{wg:g}", done)
    if spec["new_workloads"] is not None:
        _apply(doc, _new_workloads(doc, spec["new_workloads"], site), spec["new_workloads"]["name"], done)
    if spec["links"] is not None:
        _apply(doc, _links(doc, spec["links"], site), spec["links"]["name"], done)
    if spec["variant"] is not None:
        _variant(doc, spec["variant"], site, done)
    if spec["failure"] is not None:
        _apply(doc, _failure(doc, spec["failure"]), f"Fail {spec['failure']['name']}", done)


def _workloads_of(project: Project, sites) -> set[str]:
    """Workloads a site-limited scenario grows: those pinned to or sourced at its sites, or
    all when no sites are given."""
    if sites is None:
        return {w.id for w in project.workloads}
    keep = set(sites)
    mods = {m.id for s in project.sites if s.id in keep for m in s.hall.modules}
    srcs = {d.id for d in project.data_sources if d.site_id in keep}
    return {w.id for w in project.workloads if w.pinned_module_id in mods or w.data_source_id in srcs}
