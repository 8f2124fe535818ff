"""A deterministic fleet for studies and benchmarks: a core AI factory and N edge sites.

The edge sites are of the four edge kinds (distributed tower sites most, then urban,
industrial and enterprise nodes), each a copy of the sample's site of that kind (its module,
racks, CDU loop, power chain and facility water, all solved and checked there) under its own
ids, with its racks' IT load varied (70-100 %) so no two sites are the same design. Each edge
site has its own data sources and workloads (two per site, with budgets like the sample's)
and a fibre link to the core; the core serves a national workload of its own.

Same ``n_sites`` and ``seed``, same project: ``designer generate fleet --sites 200``.
"""

from __future__ import annotations

import json
import math
import random

from designer.io.catalog_store import shipped_catalog
from designer.io.sample import _core, _distributed, _enterprise, _industrial, _urban
from designer.model.base import Located
from designer.model.catalog import Catalog
from designer.model.project import DataSource, Link, Project, Settings, Site, Workload

KINDS = ("distributed", "urban", "industrial", "enterprise")
WEIGHTS = (0.5, 0.2, 0.15, 0.15)
"""Share of each edge kind: towers dominate a fleet."""

_BUILD = {"industrial": (_industrial, "ind-str"), "enterprise": (_enterprise, "ent-muc"),
          "urban": (_urban, "urb-ber"), "distributed": (_distributed, "twr-ks")}
_PREFIX = {"industrial": "ind", "enterprise": "ent", "urban": "urb", "distributed": "twr"}
_NAMES = {"industrial": "factory node", "enterprise": "campus node", "urban": "city node",
          "distributed": "tower site"}

# (name, kind, budget ms, kW, liquid, processing ms, access ms, data rate Gb/s) per site kind,
# scaled to the site (the sample's own workloads served from its sites)
_WORKLOADS = {
    "industrial": (("Vision QA", "vision", 4.0, 56.0, True, 1.8, 0.1, 4.0),
                   ("Robot coordination", "robotics", 10.0, 24.0, False, 2.0, 0.8, 0.4)),
    "enterprise": (("Private LLM", "llm", 60.0, 150.0, True, 25.0, 0.3, 0.5),
                   ("Document RAG", "llm", 80.0, 60.0, False, 30.0, 0.3, 2.0)),
    "urban": (("Traffic optimisation", "vision", 10.0, 60.0, True, 6.0, 1.0, 8.0),
              ("Public-service chatbot", "llm", 150.0, 30.0, False, 40.0, 8.0, 0.2)),
    "distributed": (("V2X hazard warning", "automotive", 5.0, 20.0, True, 2.5, 0.8, 1.5),
                    ("AR guidance", "xr", 20.0, 12.0, False, 6.0, 0.8, 0.3)),
}
CORE = Located(lat=50.0998, lon=8.6321)


def _km(a: Located, b: Located) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def _renamed(site: Site, old: str, new: str) -> Site:
    """The site under a new id: every id the builder derived from the old one follows."""
    text = json.dumps(site.model_dump(mode="json"))
    text = text.replace(f'"{old}.', f'"{new}.').replace(f'"{old}"', f'"{new}"')
    return Site.model_validate(json.loads(text))


def _edge(cat: Catalog, kind: str, k: int, rng: random.Random) -> Site:
    build, old = _BUILD[kind]
    sid = f"{_PREFIX[kind]}-{k:04d}"
    site = _renamed(build(cat, set()), old, sid)
    site.name = f"{_NAMES[kind].capitalize()} {k:04d}"
    site.core_site_id = "core"
    site.location = Located(lat=round(rng.uniform(47.6, 54.4), 4), lon=round(rng.uniform(6.2, 14.6), 4))
    f = round(rng.uniform(0.7, 1.0), 3)
    for r in site.hall.racks:
        r.it_load_kw = round(r.it_load_kw * f, 3)
    return site


def generate_fleet(n_sites: int, seed: int = 1) -> Project:
    """A core plus ``n_sites`` edge sites (see the module doc). Same arguments, same project."""
    if n_sites < 0:
        raise ValueError("n_sites must be 0 or more")
    cat = Catalog(shipped_catalog())
    rng = random.Random(seed)
    core = _renamed(_core(cat, set()), "core-fra", "core")
    core.name = "Core AI factory"
    core.location = CORE
    sites = [core]
    sources = [DataSource(id="src-core", name="Core data lake", location=CORE, site_id="core")]
    workloads = [Workload(id="wl-core", name="Foundation-model serving", kind="llm", latency_budget_ms=250.0,
                          data_source_id="src-core", data_rate_gbps=20.0, it_power_kw=600.0, accelerators=360,
                          needs_liquid=True, processing_ms=60.0)]
    links = []
    for k in range(1, n_sites + 1):
        kind = rng.choices(KINDS, WEIGHTS)[0]
        site = _edge(cat, kind, k, rng)
        sites.append(site)
        it_kw = sum(r.it_load_kw for r in site.hall.racks)
        links.append(Link(id=f"link-{site.id}", a=site.id, b="core",
                          route_km=round(_km(site.location, CORE) * 1.3 + 5.0, 1), hops=6 + k % 3, per_hop_us=40.0))
        for j, (name, wkind, budget, kw, liquid, proc, access, rate) in enumerate(_WORKLOADS[kind]):
            src = f"src-{site.id}-{j + 1}"
            sources.append(DataSource(id=src, name=f"{name} data, {site.name}", location=site.location,
                                      site_id=site.id, access_delay_ms=access))
            # the site's workloads fill about 60 % of its racks' IT load between them
            share = kw / sum(w[3] for w in _WORKLOADS[kind])
            workloads.append(Workload(id=f"wl-{site.id}-{j + 1}", name=f"{name}, {site.name}", kind=wkind,
                                      latency_budget_ms=budget, data_source_id=src, data_rate_gbps=rate,
                                      it_power_kw=round(0.6 * it_kw * share, 1), needs_liquid=liquid,
                                      processing_ms=proc))
    return Project(name=f"Generated fleet: core and {n_sites} edge sites", revision="A",
                   author="designer generate fleet",
                   description=f"A core AI factory and {n_sites} edge sites of the four edge kinds, each with its "
                               f"own workloads, fibre to the core (seed {seed}).",
                   settings=Settings(), sites=sites, data_sources=sources, workloads=workloads, links=links)
