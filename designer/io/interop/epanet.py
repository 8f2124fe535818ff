"""Each liquid loop as an EPANET 2.2 input file (INP), written by our own code.

The network is the one the liquid analysis solves in normal operation, element for
element (the mapping of :mod:`designer.solvers.liquid.peer`, which the tests check against
EPANET):

- the loop's expansion tank (its fixed-head node at the pump suction) -> a reservoir that
  the return pipes run into and the pump draws from (the net flow into it is zero);
- every other node -> a junction at elevation 0 with no demand (heads are then pressures
  in m of the loop's fluid; specific gravity 1);
- pipe -> Darcy-Weisbach pipe (length m, diameter mm, roughness mm) with its minor loss;
- a rack's cold plate (and its balancing valve) and a CDU's heat exchanger, which we model
  as ``h = r q|q|`` -> a throttle control valve (TCV) whose setting is the loss coefficient
  ``K = 2 g A^2 r`` on its diameter, which EPANET applies as exactly ``r q^2``;
- a CDU's pump set -> one pump link per running pump, each with a three-point head curve
  from which EPANET recovers our power curve exactly, at the set's speed.

What cannot be carried over, and so limits the agreement (the test measures it):

- EPANET has one viscosity per network; we give each pipe the viscosity of the water in
  it (supply and return differ by 10 K). The file carries the loop's mean, weighted by
  pipe length.
- EPANET's friction factor is Swamee-Jain (with Dunlop's transition), ours Colebrook-White
  by default; the two differ by up to 1-2 % in a pipe's friction, much less in the flows,
  which the cold plates and pumps dominate.

Flows are in L/s (``Units LPS``); IDs are our item ids (cut to EPANET's 31 characters
where needed, made unique), with our full names in comments.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from designer.model.project import Project
from designer.solvers.liquid.build import ROLE_HX, ROLE_PUMP, ROLE_RACK
from designer.solvers.liquid.elements import G_EPANET_MINOR, NU_EPANET
from designer.solvers.liquid.network import PIPE, PUMP, RESISTANCE, Network

MAX_ID = 31
DEFAULT_VALVE_D_M = 0.05
"""Diameter of a valve standing for a cold plate or heat exchanger that has none (any
diameter gives the same head loss: the setting is scaled by it)."""


@dataclass(frozen=True)
class LoopFile:
    """One loop's INP file and what each of our items is called in it."""

    site_id: str
    loop_index: int
    cdu_ids: tuple[str, ...]
    text: str
    link_ids: dict[str, tuple[str, ...]]
    """Our item id -> its link id(s) in the file (a pump set has one link per running pump;
    a CDU's heat exchanger is ``<cdu>:hx``)."""

    @property
    def file_name(self) -> str:
        return f"{_safe(self.site_id, 60)}-loop{self.loop_index + 1}.inp"


def _safe(name: str, limit: int = MAX_ID) -> str:
    s = re.sub(r"[^A-Za-z0-9_.:\-]", "_", name) or "_"
    return s[:limit]


class _Ids:
    """Unique EPANET ids (EPANET ids are case-insensitive and at most 31 characters)."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, name: str) -> str:
        base = _safe(name)
        cand, n = base, 1
        while cand.upper() in self.used:
            n += 1
            suffix = f"~{n}"
            cand = base[: MAX_ID - len(suffix)] + suffix
        self.used.add(cand.upper())
        return cand


def _num(x: float) -> str:
    return f"{x:.10g}"


def loop_inp(net: Network, links: np.ndarray, title: str, role: np.ndarray | None = None,
             items: list[str] | None = None) -> tuple[str, dict[str, tuple[str, ...]]]:
    """The INP text of the links ``links`` of ``net`` (one closed loop) and their ids.

    Parameters
    ----------
    net
        The solved network (head units of the loop's fluid, SI).
    links
        Indices of the loop's links.
    title
        First line of ``[TITLE]``.
    role, items
        Per link of ``net``: its role (:data:`~designer.solvers.liquid.build.ROLE_PIPE` ...)
        and our item id, for readable ids; link names of ``net`` when not given.
    """
    items = items if items is not None else net.link_names
    nodes = sorted(set(net.start[links].tolist()) | set(net.end[links].tolist()))
    ids = _Ids()
    node_id = {i: ids.make(net.node_names[i] if i < len(net.node_names) else f"n{i}") for i in nodes}
    lids = _Ids()
    pipes = links[net.kind[links] == PIPE]
    visc = net.viscosity[pipes]
    nu = float(np.average(visc, weights=np.maximum(net.length[pipes], 1e-9))) if pipes.size else NU_EPANET
    out = ["[TITLE]", title, "", "[JUNCTIONS]", ";ID  Elev(m)  Demand(L/s)  Pattern  ;our node"]
    res_lines = ["[RESERVOIRS]", ";ID  Head(m)  Pattern  ;our node"]
    for i in nodes:
        name = net.node_names[i] if i < len(net.node_names) else f"n{i}"
        if net.fixed[i]:
            res_lines.append(f" {node_id[i]}  {_num(float(net.fixed_head[i]))}  ;{name} (expansion tank)")
        else:
            out.append(f" {node_id[i]}  0  {_num(float(net.demand[i]) * 1000.0)}  ;{name}")
    out += ["", *res_lines, "", "[PIPES]", ";ID  Node1  Node2  Length(m)  Diameter(mm)  Roughness(mm)  MinorLoss  Status"]
    valves = ["[VALVES]", ";ID  Node1  Node2  Diameter(mm)  Type  Setting(K)  MinorLoss"]
    pumps = ["[PUMPS]", ";ID  Node1  Node2  Parameters"]
    curves = ["[CURVES]", ";ID  Flow(L/s)  Head(m)"]
    status = ["[STATUS]", ";ID  Status"]
    curve_of: dict[tuple, str] = {}
    link_ids: dict[str, list[str]] = {}
    for k in links.tolist():
        a, b = node_id[int(net.start[k])], node_id[int(net.end[k])]
        item = items[k] if k < len(items) else f"l{k}"
        r = int(role[k]) if role is not None else -1
        label = item + (":hx" if r == ROLE_HX else ":pump" if r == ROLE_PUMP else "")
        kind = int(net.kind[k])
        if kind == PIPE:
            lid = lids.make(label)
            st = "Closed" if net.closed[k] else "Open"
            out.append(f" {lid}  {a}  {b}  {_num(float(net.length[k]))}  {_num(float(net.diameter[k]) * 1000.0)}  "
                       f"{_num(float(net.roughness[k]) * 1000.0)}  {_num(float(net.minor_k[k]))}  {st}  ;{label}")
            link_ids.setdefault(item, []).append(lid)
        elif kind == RESISTANCE:
            lid = lids.make(label)
            d = float(net.diameter[k]) or DEFAULT_VALVE_D_M
            area = math.pi * d * d / 4.0
            setting = float(net.resistance[k]) * 2.0 * G_EPANET_MINOR * area * area
            what = "cold plate" if r == ROLE_RACK else "heat exchanger" if r == ROLE_HX else "loss"
            valves.append(f" {lid}  {a}  {b}  {_num(d * 1000.0)}  TCV  {_num(setting)}  0  ;{label} ({what})")
            if net.closed[k]:
                status.append(f" {lid}  Closed")
            link_ids.setdefault(item if r != ROLE_HX else label, []).append(lid)
        elif kind == PUMP:
            h0, rr, n = float(net.pump_h0[k]), float(net.pump_r[k]), float(net.pump_n[k])
            key = (h0, rr, n)
            if key not in curve_of:
                cid = f"C{len(curve_of) + 1}"
                curve_of[key] = cid
                q2 = 0.8 * (h0 / rr) ** (1.0 / n)
                for q in (0.0, q2 / 2.0, q2):
                    curves.append(f" {cid}  {_num(q * 1000.0)}  {_num(h0 - rr * q ** n)}")
            count = int(net.pump_count[k])
            for j in range(max(count, 1)):
                lid = lids.make(f"{label}{j + 1}")
                pumps.append(f" {lid}  {a}  {b}  HEAD {curve_of[key]}  SPEED {_num(float(net.pump_speed[k]))}"
                             f"  ;{label} {j + 1} of {count} running")
                if count == 0 or net.closed[k]:
                    status.append(f" {lid}  Closed")
                link_ids.setdefault(label, []).append(lid)
    out += ["", *valves, "", *pumps, "", *curves, "", *status, "",
            "[OPTIONS]", " Units  LPS", " Headloss  D-W", " Specific Gravity  1.0",
            f" Viscosity  {_num(nu / NU_EPANET)}", " Trials  200", " Accuracy  0.00001", " Unbalanced  STOP",
            "", "[TIMES]", " Duration  0", "", "[REPORT]", " Status  No", " Summary  No", "", "[END]", ""]
    return "\n".join(out), {k: tuple(v) for k, v in link_ids.items()}


def epanet_files(project: Project, site_ids: list[str] | None = None) -> list[LoopFile]:
    """One :class:`LoopFile` per liquid loop of every site (or of ``site_ids``), in normal
    operation as the liquid analysis solves it."""
    from designer.solvers.liquid.elements import SolverOptions
    from designer.solvers.liquid.operate import pipe_viscosity
    from designer.solvers.liquid.solve import solve_site

    opts = SolverOptions()
    files: list[LoopFile] = []
    for site in project.sites:
        if site_ids is not None and site.id not in site_ids:
            continue
        oc = solve_site(site, project.settings, opts, failure=False)
        system, st = oc.system, oc.normal
        if not system.n_links:
            continue
        nu = pipe_viscosity(system, st.heat.link_in_c, st.rho_link)
        net = system.network(st.rho_link, nu, opts.g, st.cold_plate_k_pa, st.running)
        for lp in system.loops:
            links = np.flatnonzero(system.link_loop == lp.index)
            if not links.size:
                continue
            title = (f"{project.name or 'Data Hall Designer project'} - site {site.name or site.id} - "
                     f"loop {lp.index + 1} (CDU {', '.join(lp.cdu_ids)}; {lp.fluid}; "
                     f"density {st.rho_loop[lp.index]:.1f} kg/m3; heads in m of this fluid)")
            text, ids = loop_inp(net, links, title, system.role, system.link_item)
            files.append(LoopFile(site.id, lp.index, tuple(lp.cdu_ids), text, ids))
    return files
