"""Round-trip latency from a workload's data source to a candidate module (no Qt).

The formula
-----------
For a workload ``w`` served by a module at site ``s``::

    round trip [ms] = fibre + hops + access + processing
    fibre      = 2 x route_km x Settings.fibre_us_per_km / 1000
    hops       = 2 x sum over the route's links of (hops x per_hop_us) / 1000
    access     = DataSource.access_delay_ms + sum of Link.access_delay_ms on the route
    processing = Workload.processing_ms

*Fibre and hops count both ways*: the request travels the route out and the answer travels
it back, and ``per_hop_us`` is what one router or switch adds to a packet passing it in one
direction, so every hop is passed twice in a round trip. *Access and processing count once*:
access-network delays (a 5G radio link's 0.5-1 ms, an internet access line) are quoted as
round-trip figures by the people who give them to us, and a workload processes each request
once.

The route
---------
The route from data source ``d`` to site ``s`` is the first of these that applies:

1. **local**: ``d.site_id == s``: the data is produced on the site; 0 km, no hops, only the
   source's own access delay.
2. **direct** or **path**: the fastest path (by round-trip network latency, Dijkstra) over
   the links graph, a direct :class:`~designer.model.project.Link` between ``d`` and ``s``
   being one path among the others (a 2,000 km direct link loses to a 7 ms path through an
   edge site); "direct" when the fastest is one link from the source. A source with
   ``site_id`` starts from its site as well as from itself. Other data sources are end
   points, never transit nodes (they are not routers). Negative lengths, hops and delays
   (input errors, reported) count as zero, so no path is faster than light.
4. **fallback**: no link path exists: the great-circle distance x
   ``Settings.default_route_factor``, with ``Settings.default_hops`` hops of
   ``Settings.default_hop_us`` each and no link access delay.

A link is ``route_km`` long when that is given, else the great-circle distance between its
ends x its ``route_factor`` (or ``Settings.default_route_factor`` when that is None too). A
workload without a (known) data source has no network leg: its round trip is its processing
time alone and it moves no data over backhaul (route kind ``none``).

Routes are computed per (origin, site) pair and shared by all workloads of one source and
all modules of one site, so a table of W workloads x M modules costs (sources x sites)
shortest-path look-ups plus numpy gathers.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from designer.model.project import DataSource, Link, Project, Settings, Site, Workload

EARTH_RADIUS_KM = 6371.0088
"""Mean Earth radius (IUGG), for great-circle distances."""

ROUTE_KINDS = ("none", "local", "direct", "path", "fallback")
"""Route kinds; :attr:`LatencyTable.route_kind` holds indices into this tuple."""


def great_circle_km(lat1, lon1, lat2, lon2):
    """Great-circle (haversine) distance in km between points in decimal degrees.

    Works on scalars and numpy arrays alike (broadcasting).
    """
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlam = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dphi / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlam / 2.0) ** 2
    d = 2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return float(d) if np.ndim(d) == 0 else d


def round_trip_ms(route_km, hop_us_one_way, access_ms, processing_ms, fibre_us_per_km: float):
    """The round-trip formula of this module (scalars or arrays).

    Parameters
    ----------
    route_km : float or ndarray
        One-way route length.
    hop_us_one_way : float or ndarray
        Sum of ``hops x per_hop_us`` over the route, one way.
    access_ms : float or ndarray
        Access delays (round trip, counted once).
    processing_ms : float or ndarray
        Processing time of the workload.
    fibre_us_per_km : float
        One-way delay of light in fibre.

    Returns
    -------
    float or ndarray
        Round trip in ms.
    """
    return (2.0 * route_km * fibre_us_per_km / 1000.0 + 2.0 * hop_us_one_way / 1000.0
            + access_ms + processing_ms)


def _nonneg(v) -> float:
    """A length or delay for the solver: negative or non-finite input (reported by the
    placement input checks) counts as zero."""
    v = float(v)
    return v if v > 0 and v != float("inf") else 0.0


@dataclass(frozen=True)
class Route:
    """One network route from an origin (a data source or a site) to a site.

    ``hop_us`` is the one-way sum of ``hops x per_hop_us``; ``access_ms`` the link access
    delays on the route (the data source's own access delay is added per workload).
    """

    kind: str
    km: float = 0.0
    hops: int = 0
    hop_us: float = 0.0
    access_ms: float = 0.0
    nodes: tuple[str, ...] = ()
    links: tuple[str, ...] = ()

    def network_ms(self, fibre_us_per_km: float) -> float:
        """Round trip over the network alone (no source access delay, no processing)."""
        return float(round_trip_ms(self.km, self.hop_us, self.access_ms, 0.0, fibre_us_per_km))


@dataclass(frozen=True)
class _Leg:
    link_id: str
    to: str
    km: float
    hops: int
    hop_us: float
    access_ms: float
    weight_ms: float


class Network:
    """Sites, data sources and links as a graph, with cached shortest-path trees.

    Parameters
    ----------
    sites, data_sources, links
        The places and the links between them; links naming unknown places are ignored
        (validation reports them).
    settings
        Fibre delay and the defaults for missing route factors and for the fallback.
    """

    def __init__(self, sites: Iterable[Site], data_sources: Iterable[DataSource],
                 links: Iterable[Link], settings: Settings) -> None:
        self.settings = settings
        self.location: dict[str, tuple[float, float]] = {}
        self.site_ids: set[str] = set()
        for s in sites:
            self.location[s.id] = (s.location.lat, s.location.lon)
            self.site_ids.add(s.id)
        self.site_of: dict[str, str] = {}
        for d in data_sources:
            self.location.setdefault(d.id, (d.location.lat, d.location.lon))
            if d.site_id is not None and d.site_id in self.site_ids:
                self.site_of[d.id] = d.site_id
        self.adj: dict[str, list[_Leg]] = {n: [] for n in self.location}
        for lk in links:
            if lk.a not in self.location or lk.b not in self.location or lk.a == lk.b:
                continue
            km = _nonneg(self.link_km(lk))
            hops = max(int(lk.hops), 0)
            hop_us = hops * _nonneg(lk.per_hop_us)
            acc = _nonneg(lk.access_delay_ms)
            w = float(round_trip_ms(km, hop_us, acc, 0.0, _nonneg(settings.fibre_us_per_km)))
            for a, b in ((lk.a, lk.b), (lk.b, lk.a)):
                self.adj[a].append(_Leg(lk.id, b, km, hops, hop_us, acc, w))
        self._trees: dict[str, tuple[dict, dict]] = {}
        self._routes: dict[tuple[str, str], Route] = {}

    @classmethod
    def from_project(cls, project: Project, extra_sites: Sequence[Site] = ()) -> Network:
        """The network of ``project``, plus ``extra_sites`` (candidate sites, no links)."""
        return cls([*project.sites, *extra_sites], project.data_sources, project.links,
                   project.settings)

    def link_km(self, link: Link) -> float:
        """Route length of ``link``: ``route_km``, else great circle x route factor."""
        if link.route_km is not None:
            return float(link.route_km)
        (la, oa), (lb, ob) = self.location[link.a], self.location[link.b]
        factor = link.route_factor if link.route_factor is not None else self.settings.default_route_factor
        return great_circle_km(la, oa, lb, ob) * factor

    def _tree(self, origin: str) -> tuple[dict, dict]:
        """Dijkstra from ``origin`` (and its site): best weight and predecessor leg per node."""
        if origin in self._trees:
            return self._trees[origin]
        starts = [origin] + ([self.site_of[origin]] if origin in self.site_of else [])
        dist: dict[str, float] = {}
        prev: dict[str, tuple[str, _Leg] | None] = {}
        heap = [(0.0, n) for n in starts]
        for n in starts:
            prev[n] = None
        best = {n: 0.0 for n in starts}
        while heap:
            d, n = heapq.heappop(heap)
            if n in dist:
                continue
            dist[n] = d
            if n not in self.site_ids and n != origin:
                continue  # a data source is an end point, not a router
            for leg in self.adj.get(n, ()):
                nd = d + leg.weight_ms
                if leg.to not in dist and nd < best.get(leg.to, np.inf):
                    best[leg.to] = nd
                    prev[leg.to] = (n, leg)
                    heapq.heappush(heap, (nd, leg.to))
        self._trees[origin] = (dist, prev)
        return dist, prev

    def route(self, origin: str, site_id: str) -> Route:
        """The route from ``origin`` (a data source or a site id) to site ``site_id``."""
        key = (origin, site_id)
        r = self._routes.get(key)
        if r is None:
            r = self._routes[key] = self._route(origin, site_id)
        return r

    def _route(self, origin: str, site_id: str) -> Route:
        if origin == site_id or self.site_of.get(origin) == site_id:
            return Route("local", nodes=(origin,) if origin == site_id else (origin, site_id))
        # the fastest of all paths over the links (Dijkstra), a direct link being one of them
        dist, prev = self._tree(origin)
        if site_id in dist:
            legs: list[_Leg] = []
            nodes = [site_id]
            n = site_id
            while prev.get(n) is not None:
                p, leg = prev[n]
                legs.append(leg)
                nodes.append(p)
                n = p
            if n != origin:
                nodes.append(origin)  # started from the source's site
            legs.reverse()
            nodes.reverse()
            return Route("direct" if len(legs) == 1 and len(nodes) == 2 else "path", sum(g.km for g in legs), sum(g.hops for g in legs),
                         sum(g.hop_us for g in legs), sum(g.access_ms for g in legs),
                         tuple(nodes), tuple(g.link_id for g in legs))
        st = self.settings
        (la, oa), (lb, ob) = self.location[origin], self.location[site_id]
        km = _nonneg(great_circle_km(la, oa, lb, ob) * st.default_route_factor)
        hops = max(int(st.default_hops), 0)
        return Route("fallback", km, hops, hops * _nonneg(st.default_hop_us), 0.0,
                     (origin, site_id))


@dataclass(frozen=True)
class LatencyBreakdown:
    """Round trip of one workload served from one module, by component (ms)."""

    fibre_ms: float
    hops_ms: float
    access_ms: float
    processing_ms: float
    route_km: float
    route_kind: str

    @property
    def total_ms(self) -> float:
        return self.fibre_ms + self.hops_ms + self.access_ms + self.processing_ms

    def to_json(self) -> dict:
        return {"total_ms": self.total_ms, "fibre_ms": self.fibre_ms, "hops_ms": self.hops_ms,
                "access_ms": self.access_ms, "processing_ms": self.processing_ms,
                "route_km": self.route_km, "route_kind": self.route_kind}


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class LatencyTable:
    """Latency of every workload (rows) from every candidate column (a module or a site).

    All matrices are (W, C) and read-only; ``processing_ms`` is (W,). ``route_kind`` holds
    indices into :data:`ROUTE_KINDS`. ``routes`` maps (origin, site) to the :class:`Route`
    behind the numbers, for drawing the path.
    """

    workload_ids: tuple[str, ...]
    column_ids: tuple[str, ...]
    column_site_ids: tuple[str, ...]
    origin_ids: tuple[str | None, ...]
    fibre_ms: np.ndarray
    hops_ms: np.ndarray
    access_ms: np.ndarray
    processing_ms: np.ndarray
    route_km: np.ndarray
    route_kind: np.ndarray
    routes: dict[tuple[str, str], Route] = field(default_factory=dict)

    @property
    def total_ms(self) -> np.ndarray:
        return self.fibre_ms + self.hops_ms + self.access_ms + self.processing_ms[:, None]

    def breakdown(self, w: int, c: int) -> LatencyBreakdown:
        """The breakdown for row ``w`` and column ``c`` (indices)."""
        return LatencyBreakdown(float(self.fibre_ms[w, c]), float(self.hops_ms[w, c]),
                                float(self.access_ms[w, c]), float(self.processing_ms[w]),
                                float(self.route_km[w, c]), ROUTE_KINDS[int(self.route_kind[w, c])])

    def route(self, w: int, c: int) -> Route | None:
        o = self.origin_ids[w]
        return None if o is None else self.routes.get((o, self.column_site_ids[c]))


def latency_table(network: Network, workloads: Sequence[Workload],
                  data_sources: Iterable[DataSource], columns: Sequence[tuple[str, str]]) -> LatencyTable:
    """Latency of each workload from each column (``(column id, site id)`` pairs).

    Parameters
    ----------
    network
        The links graph (see :class:`Network`).
    workloads
        Rows of the table.
    data_sources
        Data sources by which workloads name their origin.
    columns
        Candidate places: a module id with the id of its site (or a site id twice).

    Returns
    -------
    LatencyTable
    """
    src = {d.id: d for d in data_sources}
    fib = _nonneg(network.settings.fibre_us_per_km)
    origins = sorted({w.data_source_id for w in workloads
                      if w.data_source_id in src and w.data_source_id in network.location})
    sites = sorted({s for _, s in columns})
    o_ix = {o: i + 1 for i, o in enumerate(origins)}  # row 0: no source
    s_ix = {s: i for i, s in enumerate(sites)}
    shape = (len(origins) + 1, len(sites))
    p_fib, p_hop, p_acc, p_km = (np.zeros(shape) for _ in range(4))
    p_kind = np.zeros(shape, dtype=np.int8)
    routes: dict[tuple[str, str], Route] = {}
    for o in origins:
        i = o_ix[o]
        for s in sites:
            j = s_ix[s]
            if s not in network.location:
                continue
            r = network.route(o, s)
            routes[(o, s)] = r
            p_fib[i, j] = 2.0 * r.km * fib / 1000.0
            p_hop[i, j] = 2.0 * r.hop_us / 1000.0
            p_acc[i, j] = r.access_ms + _nonneg(src[o].access_delay_ms)
            p_km[i, j] = r.km
            p_kind[i, j] = ROUTE_KINDS.index(r.kind)
    oi = np.array([o_ix.get(w.data_source_id, 0) if w.data_source_id is not None else 0
                   for w in workloads], dtype=np.intp)
    sj = np.array([s_ix[s] for _, s in columns], dtype=np.intp)
    ii, jj = np.ix_(oi, sj)
    return LatencyTable(
        workload_ids=tuple(w.id for w in workloads),
        column_ids=tuple(c for c, _ in columns),
        column_site_ids=tuple(s for _, s in columns),
        origin_ids=tuple(w.data_source_id if oi[k] > 0 else None for k, w in enumerate(workloads)),
        fibre_ms=_readonly(p_fib[ii, jj]), hops_ms=_readonly(p_hop[ii, jj]),
        access_ms=_readonly(p_acc[ii, jj]),
        processing_ms=_readonly(np.array([_nonneg(w.processing_ms) for w in workloads], dtype=float)),
        route_km=_readonly(p_km[ii, jj]), route_kind=_readonly(p_kind[ii, jj]),
        routes=routes,
    )
