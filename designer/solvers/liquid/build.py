"""From a hall to arrays: each CDU's secondary loop as a hydraulic network.

Nodes are junctions, rack and CDU ports (``"<item>:supply"``, ``"<item>:return"``) and one
node inside each CDU between its pump and its heat exchanger (``"<cdu>:pump"``). Links:

- every pipe, with its length from the drawn geometry (port, vertices, port) plus
  ``extra_length_m``, and its ``minor_k`` for fittings;
- every rack whose two ports are both piped: a branch from its supply port to its return
  port through its cold plates (``dp = K Q^2`` with ``K`` from ``cold_plate_dp_kpa`` at
  ``cold_plate_rated_flow_lpm``) and its balancing valve (``valve_k``, see below);
- every piped CDU: its pump set from the return port to the inner node (``count -
  redundant`` pumps running at ``speed_fraction``) and its heat exchanger from there to
  the supply port (``hx_dp_kpa`` at ``rated_flow_lpm``).

``Rack.valve_k`` is the loss coefficient K of the rack's balancing valve, in velocity heads
of the bore of the pipe on the rack's supply port (``dp = K rho v^2 / 2``): a valve is
sized to its pipe, so its K refers to that pipe. ``None`` or 0 is a fully open valve.

Every connected part with at least one CDU is a loop; the return port (pump suction) of
its first CDU is the loop's fixed-pressure node (the expansion tank). Parts without a CDU
cannot flow and are left out; the racks in them are reported.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from designer.model.findings import Finding, error, warning
from designer.model.hall import Cdu, Hall, Rack
from designer.model.project import Site
from designer.solvers.liquid.inputs import pump_off_reason
from designer.solvers.liquid.network import PIPE, PUMP, RESISTANCE, Network
from designer.solvers.liquid.pumps import PumpCurve, fit_curve

SOURCE = "liquid"
ROLE_PIPE, ROLE_RACK, ROLE_PUMP, ROLE_HX = 0, 1, 2, 3
ASSUMED_COLD_PLATE_DP_KPA = 50.0
"""Pressure drop assumed at a rack's required flow when its cold plates are not rated."""
REFERENCE_HEAD_M = 0.0
"""Head of the expansion tank: node heads are then relative to the pump suction."""


@lru_cache(maxsize=256)
def _curve(points: tuple) -> PumpCurve:
    return fit_curve(points)


@dataclass
class LoopInfo:
    """One independent closed loop: its CDUs, racks and pipes."""

    index: int
    cdu_ids: tuple[str, ...]
    rack_ids: tuple[str, ...]
    pipe_ids: tuple[str, ...]
    ref_node: int
    fluid: str


@dataclass
class CduData:
    cdu: Cdu
    pump_link: int
    hx_link: int
    loop: int
    curve: PumpCurve
    running: int
    facility_supply_c: float
    hx_k_pa: float
    """HX pressure-drop coefficient, Pa per (m3/s)^2."""
    off_reason: str = ""
    """Why its pumps cannot run ("" when they can; see :func:`.inputs.pump_off_reason`)."""


@dataclass
class RackData:
    rack: Rack
    link: int
    """Index of its branch link, or -1 when the rack is not a branch of a loop."""
    loop: int
    heat_w: float
    cold_plate_k_pa: float | None
    """Cold-plate coefficient, Pa per (m3/s)^2 (None: not rated, assumed at required flow)."""
    valve_area_m2: float
    why_not: str = ""
    """Why the rack is not a branch of a loop ("" when it is)."""


@dataclass
class LiquidSystem:
    """A site's liquid network as arrays plus the maps back to item ids."""

    site_id: str
    node_names: list[str]
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    role: np.ndarray
    link_item: list[str]
    length: np.ndarray
    diameter: np.ndarray
    roughness: np.ndarray
    minor_k: np.ndarray
    node_loop: np.ndarray
    link_loop: np.ndarray
    loops: list[LoopInfo]
    cdus: dict[str, CduData]
    racks: dict[str, RackData]
    pipes: dict[str, int]
    """pipe id -> link index (only pipes inside a loop)."""
    pipe_points: dict[str, tuple[tuple[float, float], ...]]
    """pipe id -> polyline on the plan (ports and vertices), for drawing."""
    pipe_roles: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    supplies: dict = field(default_factory=dict)
    """Facility water supply id -> (name, capacity kW, ids of the CDUs it serves)."""
    pipe_sign: dict[str, float] = field(default_factory=dict)
    """pipe id -> -1 for pipes drawn against their loop's direction (else +1 or absent)."""

    @property
    def n_nodes(self) -> int:
        return len(self.node_names)

    @property
    def n_links(self) -> int:
        return int(self.start.size)

    def structure_key(self) -> tuple:
        return (len(self.node_names), self.start.tobytes(), self.end.tobytes())

    def network(self, rho_link: np.ndarray, nu_link: np.ndarray, g: float, cold_plate_k_pa: np.ndarray,
                running: np.ndarray | None = None, valve_k: dict[str, float] | None = None) -> Network:
        """The hydraulic network in head units of each loop's fluid.

        ``rho_link`` (kg/m3) converts pressure ratings to heads, ``nu_link`` (m2/s) is the
        kinematic viscosity in each pipe, ``cold_plate_k_pa`` the cold-plate coefficient per
        link (Pa per (m3/s)^2, racks only) and ``running`` overrides the running pump count
        per link (pump links only).
        """
        m = self.n_links
        res = np.zeros(m)
        h0 = np.zeros(m)
        pr = np.zeros(m)
        pn = np.full(m, 2.0)
        cnt = np.zeros(m)
        spd = np.ones(m)
        closed = (self.kind == PIPE) & ~(self.diameter > 0)  # a pipe without a bore passes nothing
        for rd in self.racks.values():
            k = rd.link
            if k < 0:
                continue
            kcp = cold_plate_k_pa[k]
            if not kcp > 0:
                closed[k] = True  # piped but no cold plate: nothing to flow through
                continue
            r = kcp / (rho_link[k] * g)
            kv = (valve_k[rd.rack.id] if valve_k is not None and rd.rack.id in valve_k else rd.rack.valve_k) or 0.0
            if kv > 0 and rd.valve_area_m2 > 0:
                r += kv / (2.0 * g * rd.valve_area_m2 ** 2)
            res[k] = r
        for cd in self.cdus.values():
            k, j = cd.pump_link, cd.hx_link
            res[j] = cd.hx_k_pa / (rho_link[j] * g)
            h0[k], pr[k], pn[k] = cd.curve.in_head_units(rho_link[k], g)
            cnt[k] = cd.running if running is None else running[k]
            # a pump that cannot run gives no head (its speed is not used, and may be 0 or below)
            spd[k] = cd.cdu.pump.speed_fraction if not cd.off_reason else 1.0
            if cd.off_reason:
                cnt[k] = 0
        fixed = np.full(self.n_nodes, np.nan)
        for lp in self.loops:
            fixed[lp.ref_node] = REFERENCE_HEAD_M
        return Network(
            n_nodes=self.n_nodes, start=self.start, end=self.end, kind=self.kind, fixed_head=fixed,
            demand=np.zeros(self.n_nodes), length=self.length, diameter=self.diameter,
            roughness=self.roughness, minor_k=self.minor_k, viscosity=nu_link, resistance=res,
            pump_h0=h0, pump_r=pr, pump_n=pn, pump_count=cnt, pump_speed=spd, closed=closed,
            node_names=self.node_names, link_names=self.link_item)


def _port_positions(items, kind: str) -> dict[str, tuple[float, float]]:
    """Both liquid ports of every item, computed together (same formula as ``port_position``)."""
    if not items:
        return {}
    x = np.array([it.x for it in items])
    y = np.array([it.y for it in items])
    a = np.radians([it.rotation_deg for it in items])
    w = np.array([it.width_m for it in items])
    d = np.array([it.depth_m for it in items])
    c, s = np.cos(a), np.sin(a)
    ly = -d / 2.0
    out = {}
    for port, sign in (("supply", -1.0), ("return", 1.0)):
        lx = sign * w / 4.0
        px = x + c * lx - s * ly
        py = y + s * lx + c * ly
        for it, u, v in zip(items, px.tolist(), py.tolist(), strict=True):
            out[f"{it.id}:{port}"] = (u, v)
    return out


def _pipe_end_findings(p, junctions, port_items) -> list[Finding]:
    out = []
    for endname, ref in (("start", p.start), ("end", p.end)):
        if ref.item_id in junctions:
            continue
        if ref.item_id in port_items:
            if ref.port not in ("supply", "return"):
                out.append(warning(
                    "liquid.pipe_port", f"pipe {p.name or p.id} {endname} names port '{ref.port}' of "
                    f"{ref.item_id}; racks and CDUs have 'supply' and 'return' ports, so the pipe is left out",
                    "connect the pipe to the supply or return port", ids=(p.id, ref.item_id), source=SOURCE))
        else:
            out.append(warning(
                "liquid.pipe_dangling", f"pipe {p.name or p.id} {endname} is connected to '{ref.item_id}', "
                "which is not a rack, CDU or junction of this hall; the pipe is left out",
                "reconnect the pipe end or delete the pipe", ids=(p.id,), source=SOURCE))
    if not out:
        out.append(warning("liquid.pipe_loop", f"pipe {p.name or p.id} starts and ends at the same port; "
                           "it is left out", "connect its end to another port", ids=(p.id,), source=SOURCE))
    return out


def _dry_cdus(hall: Hall) -> frozenset[str]:
    """CDUs with no facility water (none named, or a missing one, and no temperature of their
    own): their heat has nowhere to go, so they do not make a loop (see facility_water_of)."""
    supplies = {w.id for w in hall.water_supplies}
    return frozenset(c.id for c in hall.cdus
                     if c.facility_supply_temp_c is None and c.facility_id not in supplies)


def _signature(hall: Hall) -> tuple:
    """Everything the graph depends on (pipe ends, which items exist): cheap to compare."""
    return (tuple((p.id, p.role, p.start.item_id, p.start.port, p.end.item_id, p.end.port) for p in hall.pipes),
            tuple(r.id for r in hall.racks), tuple(c.id for c in hall.cdus), tuple(j.id for j in hall.junctions),
            _dry_cdus(hall))


@dataclass
class _Skeleton:
    """The graph of a hall's loops: reused while :func:`_signature` is unchanged."""

    signature: tuple
    pipe_rows: list[tuple[int, str, str]]
    """(index in hall.pipes, start node key, end node key) of every usable pipe, in link order."""
    findings: list[Finding]
    n_pre: int
    """Links before dropping the parts without a CDU."""
    sel: np.ndarray
    start: np.ndarray
    end: np.ndarray
    kind: np.ndarray
    role: np.ndarray
    item: list[str]
    node_names: list[str]
    node_loop: np.ndarray
    link_loop: np.ndarray
    loop_cdus: list[list[str]]
    loop_racks: list[list[str]]
    loop_pipes: list[list[str]]
    loop_ref: list[int]
    cdu_links: dict[str, tuple[int, int, int]]
    """cdu id -> (pump link, HX link, loop) after renumbering."""
    rack_links: dict[str, tuple[int, int]]
    """rack id -> (link, loop) after renumbering; racks outside loops are absent."""
    rack_why: dict[str, str]
    supply_ports: set[str]
    pipe_links: dict[str, int]
    """pipe id -> link index (pipes inside a loop)."""
    pipe_sign: dict[str, float] = field(default_factory=dict)
    """pipe id -> +1 when the loop flows from the pipe's start to its end, -1 when the pipe
    was drawn against the loop's direction (see :func:`_loop_direction`)."""


def _loop_direction(names: list[str], rows_role: list[tuple[str, int, int]], cdus: list[str]) -> dict[str, float]:
    """Which way each pipe runs in its loop's direction, from the graph alone.

    Supply pipes run away from a CDU's supply port, return pipes towards its return port.
    Each pipe's ends are ranked by their distance in pipes from the CDU port over pipes of its
    own role; a supply pipe whose start is farther from the CDU than its end was drawn
    backwards (-1), and so was a return pipe whose start is nearer. Equal or unreachable ends
    keep the drawing's direction.
    """
    from scipy.sparse.csgraph import dijkstra

    n = len(names)
    index = {nm: i for i, nm in enumerate(names)}
    out: dict[str, float] = {}
    for role, port in (("supply", "supply"), ("return", "return")):
        rows = [(pid, a, b) for pid, r, a, b in rows_role if r == role]
        if not rows:
            continue
        a = np.array([x[1] for x in rows], dtype=np.int64)
        b = np.array([x[2] for x in rows], dtype=np.int64)
        g = coo_matrix((np.ones(a.size), (a, b)), shape=(n, n)).tocsr()
        src = [index[f"{c}:{port}"] for c in cdus if f"{c}:{port}" in index]
        if not src:
            continue
        dist = dijkstra(g, directed=False, unweighted=True, indices=src, min_only=True)
        for (pid, _, _), da, db in zip(rows, dist[a].tolist(), dist[b].tolist(), strict=True):
            if not (math.isfinite(da) and math.isfinite(db)) or da == db:
                continue
            drawn_out = da < db  # start nearer the CDU port than the end
            out[pid] = 1.0 if drawn_out == (role == "supply") else -1.0
    return out


def _skeleton(hall: Hall, signature: tuple) -> _Skeleton:
    findings: list[Finding] = []
    racks = {r.id for r in hall.racks}
    cdus = {c.id for c in hall.cdus}
    junctions = {j.id for j in hall.junctions}
    port_items = racks | cdus
    node_index: dict[str, int] = {}
    names: list[str] = []

    def node(key: str) -> int:
        i = node_index.get(key)
        if i is None:
            i = node_index[key] = len(names)
            names.append(key)
        return i

    def key_of(ref) -> str | None:
        iid = ref.item_id
        if iid in junctions:
            return iid
        if iid in port_items and (ref.port == "supply" or ref.port == "return"):
            return iid + ":" + ref.port
        return None

    start, end, item, rows = [], [], [], []
    role_rows: list[tuple[str, str, int, int]] = []
    for n, p in enumerate(hall.pipes):
        if p.role == "facility_supply" or p.role == "facility_return":
            continue  # the primary side: not part of a CDU's secondary loop
        a, b = key_of(p.start), key_of(p.end)
        if a is None or b is None or a == b:
            findings.extend(_pipe_end_findings(p, junctions, port_items))
            continue
        rows.append((n, a, b))
        start.append(node(a))
        end.append(node(b))
        item.append(p.id)
        role_rows.append((p.id, p.role, start[-1], end[-1]))
    kind = [PIPE] * len(start)
    role = [ROLE_PIPE] * len(start)

    def add(a: int, b: int, k: int, r: int, it: str) -> int:
        start.append(a)
        end.append(b)
        kind.append(k)
        role.append(r)
        item.append(it)
        return len(start) - 1

    cdu_pre: dict[str, tuple[int, int]] = {}
    dry = signature[-1]
    for c in hall.cdus:
        s_key, r_key = f"{c.id}:supply", f"{c.id}:return"
        if (s_key not in node_index and r_key not in node_index) or c.id in dry:
            continue
        mid = node(f"{c.id}:pump")
        kp = add(node(r_key), mid, PUMP, ROLE_PUMP, c.id)
        kh = add(mid, node(s_key), RESISTANCE, ROLE_HX, c.id)
        cdu_pre[c.id] = (kp, kh)
    rack_pre: dict[str, int] = {}
    for r in hall.racks:
        s_key, r_key = f"{r.id}:supply", f"{r.id}:return"
        if s_key in node_index and r_key in node_index:
            rack_pre[r.id] = add(node_index[s_key], node_index[r_key], RESISTANCE, ROLE_RACK, r.id)

    n = len(names)
    start_a = np.array(start, dtype=np.int64)
    end_a = np.array(end, dtype=np.int64)
    if n:
        graph = coo_matrix((np.ones(start_a.size), (start_a, end_a)), shape=(n, n))
        _, comp = connected_components(graph, directed=False)
    else:
        comp = np.zeros(0, dtype=np.int64)
    # loops: connected parts holding a CDU, in hall order of their first CDU
    comp_loop: dict[int, int] = {}
    loop_cdus: list[list[str]] = []
    for c in hall.cdus:
        if c.id not in cdu_pre:
            continue
        cc = int(comp[start_a[cdu_pre[c.id][0]]])
        if cc not in comp_loop:
            comp_loop[cc] = len(loop_cdus)
            loop_cdus.append([])
        loop_cdus[comp_loop[cc]].append(c.id)
    lut = np.full(int(comp.max(initial=-1)) + 1, -1, dtype=np.int64)
    for cc, li in comp_loop.items():
        lut[cc] = li
    node_loop = lut[comp] if n else np.zeros(0, dtype=np.int64)
    keep_node = node_loop >= 0
    keep_link = keep_node[start_a] if start_a.size else np.zeros(0, dtype=bool)
    new_idx = np.full(n, -1, dtype=np.int64)
    new_idx[keep_node] = np.arange(int(keep_node.sum()))
    link_new = np.full(start_a.size, -1, dtype=np.int64)
    link_new[keep_link] = np.arange(int(keep_link.sum()))
    sel = np.flatnonzero(keep_link)
    link_loop = node_loop[start_a[sel]]
    item_k = [item[i] for i in sel.tolist()]
    role_k = np.array(role, dtype=np.int8)[sel]
    loop_racks: list[list[str]] = [[] for _ in loop_cdus]
    loop_pipes: list[list[str]] = [[] for _ in loop_cdus]
    for li, rl, it in zip(link_loop.tolist(), role_k.tolist(), item_k, strict=True):
        if rl == ROLE_RACK:
            loop_racks[li].append(it)
        elif rl == ROLE_PIPE:
            loop_pipes[li].append(it)
    findings += _undriven(rows, item, start_a, comp, names, keep_link)
    rack_links = {}
    for rid, k in rack_pre.items():
        kn = int(link_new[k])
        if kn >= 0:
            rack_links[rid] = (kn, int(link_loop[kn]))
    rack_why = {}
    dry_comps = {int(comp[node_index[f"{c}:{port}"]]) for c in dry for port in ("supply", "return")
                 if f"{c}:{port}" in node_index}
    for r in hall.racks:
        if r.id in rack_links:
            continue
        s_in, r_in = f"{r.id}:supply" in node_index, f"{r.id}:return" in node_index
        reaches_dry = s_in and int(comp[node_index[f"{r.id}:supply"]]) in dry_comps
        rack_why[r.id] = ("its CDU has no facility water" if reaches_dry else
                          "its pipes do not reach a CDU" if s_in and r_in else
                          "its return port has no pipe" if s_in else
                          "its supply port has no pipe" if r_in else "neither of its ports is piped")
    return _Skeleton(
        signature=signature, pipe_rows=rows, findings=findings, n_pre=len(start), sel=sel,
        start=new_idx[start_a[sel]], end=new_idx[end_a[sel]], kind=np.array(kind, dtype=np.int8)[sel],
        role=role_k, item=item_k, node_names=[nm for nm, k in zip(names, keep_node.tolist(), strict=True) if k],
        node_loop=node_loop[keep_node], link_loop=link_loop, loop_cdus=loop_cdus, loop_racks=loop_racks,
        loop_pipes=loop_pipes, loop_ref=[int(new_idx[node_index[f"{ids[0]}:return"]]) for ids in loop_cdus],
        cdu_links={cid: (int(link_new[kp]), int(link_new[kh]), int(node_loop[start_a[kp]]))
                   for cid, (kp, kh) in cdu_pre.items()},
        rack_links=rack_links, rack_why=rack_why, supply_ports={f"{r}:supply" for r in racks},
        pipe_links={it: i for i, (it, rl) in enumerate(zip(item_k, role_k.tolist(), strict=True)) if rl == ROLE_PIPE},
        pipe_sign=_loop_direction(names, role_rows, [c.id for c in hall.cdus]))


def _undriven(rows, item, start_a, comp, names, keep_link) -> list[Finding]:
    """Pipes joined only to junctions and each other (no rack, no CDU): no pump drives a
    flow through them, and no other finding would name them."""
    if not rows:
        return []
    with_ports = {int(comp[i]) for i, key in enumerate(names) if ":" in key}  # rack or CDU ports
    groups: dict[int, list[str]] = {}
    for k in range(len(rows)):  # the pipe links come first
        cc = int(comp[start_a[k]])
        if not keep_link[k] and cc not in with_ports:
            groups.setdefault(cc, []).append(item[k])
    if not groups:
        return []
    juncs: dict[int, list[str]] = {}
    for i, key in enumerate(names):
        if int(comp[i]) in groups:
            juncs.setdefault(int(comp[i]), []).append(key)
    out = []
    for cc, pipes in groups.items():
        js = juncs.get(cc, [])
        out.append(warning(
            "liquid.no_pump", f"pipe{'s' * (len(pipes) > 1)} {', '.join(pipes)} between junction"
            f"{'s' * (len(js) > 1)} {', '.join(js)} reach{'es' * (len(pipes) == 1)} no CDU and no rack: "
            "no pump drives coolant through them", "connect them to a CDU loop, or delete them",
            ids=(*pipes, *js), source=SOURCE))
    return out


def build_system(site: Site, cache: dict | None = None) -> LiquidSystem:
    """Turn a site's hall into a :class:`LiquidSystem` (see module doc). Never raises.

    ``cache`` (a dict kept by the caller) keeps the graph between calls: when no pipe end
    and no item id changed, only lengths and values are recomputed.
    """
    hall: Hall = site.hall
    sig = _signature(hall)
    sk = None if cache is None else cache.get("skeleton")
    if sk is None or sk.signature != sig:
        sk = _skeleton(hall, sig)
        if cache is not None:
            cache["skeleton"] = sk
    findings = list(sk.findings)
    cdus = {c.id: c for c in hall.cdus}
    pos = _port_positions(hall.racks, "rack")
    pos.update(_port_positions(hall.cdus, "cdu"))
    for j in hall.junctions:
        pos[j.id] = (j.x, j.y)
    pipes = hall.pipes
    m_pre = sk.n_pre
    length = np.zeros(m_pre)
    diam = np.zeros(m_pre)
    rough = np.zeros(m_pre)
    mk = np.zeros(m_pre)
    pipe_points: dict[str, tuple] = {}
    pipe_roles: dict[str, str] = {}
    pipe_at_port: dict[str, float] = {}
    supply_ports = sk.supply_ports
    dist = math.dist
    lens, ds, es, ks = [], [], [], []
    for n, a, b in sk.pipe_rows:
        p = pipes[n]
        pa, pb = pos[a], pos[b]
        if p.points:
            pts = (pa, *p.points, pb)
            run = sum(dist(pts[i], pts[i + 1]) for i in range(len(pts) - 1))
        else:
            pts = (pa, pb)
            run = dist(pa, pb)
        # implausible values (validation reports them) must not poison the solve
        lens.append(run + max(p.extra_length_m, 0.0))
        ds.append(p.diameter_m)
        es.append(max(p.roughness_m, 0.0))
        ks.append(max(p.minor_k, 0.0))
        pipe_points[p.id] = pts
        pipe_roles[p.id] = p.role
        for key in (a, b):
            if key in supply_ports and key not in pipe_at_port:
                pipe_at_port[key] = math.pi * p.diameter_m ** 2 / 4.0
    npipe = len(lens)
    length[:npipe], diam[:npipe], rough[:npipe], mk[:npipe] = lens, ds, es, ks
    sel = sk.sel

    loops: list[LoopInfo] = []
    for li, ids in enumerate(sk.loop_cdus):
        first = cdus[ids[0]]
        fluids = {cdus[c].fluid for c in ids}
        if len(fluids) > 1:
            findings.append(warning(
                "liquid.fluid_mix", f"CDUs {', '.join(ids)} share one loop but name different fluids "
                f"({', '.join(sorted(fluids))}); the loop is solved with {first.fluid} of {first.name or first.id}",
                "set the same fluid on every CDU of the loop", ids=tuple(ids), source=SOURCE))
        loops.append(LoopInfo(li, tuple(ids), tuple(sk.loop_racks[li]), tuple(sk.loop_pipes[li]),
                              sk.loop_ref[li], first.fluid))

    supplies = {w.id: w for w in hall.water_supplies}
    served: dict[str, list[str]] = {}
    cdu_data: dict[str, CduData] = {}
    for cid, (kp, kh, loop) in sk.cdu_links.items():
        c = cdus[cid]
        q_rated = c.rated_flow_lpm / 60000.0
        hx_k = max(c.hx_dp_kpa, 0.0) * 1000.0 / q_rated ** 2 if q_rated > 0 else 0.0
        off = pump_off_reason(c)
        running = max(c.pump.count - c.pump.redundant, 0) if not off else 0
        ws = supplies.get(c.facility_id) if c.facility_id is not None else None
        if ws is not None:
            served.setdefault(ws.id, []).append(cid)
        # facility_water_of() has made sure one of the two exists before the solve
        fac = c.facility_supply_temp_c if c.facility_supply_temp_c is not None else ws.supply_temp_c
        cdu_data[cid] = CduData(c, kp, kh, loop, _curve(tuple(tuple(pt) for pt in c.pump.curve)), running,
                                fac, hx_k, off)
    rack_data: dict[str, RackData] = {}
    links = sk.rack_links
    for r in hall.racks:
        k, loop = links.get(r.id, (-1, -1))
        kcp = None
        if r.cold_plate_dp_kpa > 0 and r.cold_plate_rated_flow_lpm > 0:
            kcp = r.cold_plate_dp_kpa * 1000.0 / (r.cold_plate_rated_flow_lpm / 60000.0) ** 2
        heat = max(r.it_load_kw, 0.0) * min(max(r.liquid_fraction, 0.0), 1.0) * 1000.0
        rack_data[r.id] = RackData(r, k, loop, heat, kcp, pipe_at_port.get(f"{r.id}:supply", 0.0),
                                   sk.rack_why.get(r.id, ""))

    return LiquidSystem(
        site_id=site.id, node_names=sk.node_names, start=sk.start, end=sk.end, kind=sk.kind, role=sk.role,
        link_item=sk.item, length=length[sel], diameter=diam[sel], roughness=rough[sel], minor_k=mk[sel],
        node_loop=sk.node_loop, link_loop=sk.link_loop, loops=loops, cdus=cdu_data, racks=rack_data,
        pipes=sk.pipe_links, pipe_sign=sk.pipe_sign,
        pipe_points=pipe_points, pipe_roles=pipe_roles, findings=findings,
        supplies={wid: (supplies[wid].name or wid, supplies[wid].capacity_kw, tuple(ids))
                  for wid, ids in served.items()})


def facility_water_of(site: Site) -> list[Finding]:
    """Error findings for CDUs whose heat has nowhere to go: no facility water supply named
    (or a missing one) and no facility supply temperature of their own. Such a CDU makes no
    loop: its racks are reported as without a loop, not given made-up temperatures."""
    out: list[Finding] = []
    dry = _dry_cdus(site.hall)
    for c in site.hall.cdus:
        if c.id not in dry:
            continue
        what = ("names a facility water supply that does not exist" if c.facility_id is not None
                else "is not connected to facility water")
        out.append(error("liquid.cdu.no_facility", f"CDU {c.name or c.id} {what}, so its heat has nowhere to go; "
                         "its loop is not solved",
                         "connect the CDU to a facility water supply (Connect to site, or set its Facility water)",
                         ids=(c.id,), source=SOURCE))
    return out
