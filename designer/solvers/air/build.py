"""Build step: a hall (model objects) -> plan arrays for the flow and temperature solves.

Split in two because the parts change at different rates:

* :func:`build_static` covers what fixes the operator: the outline, obstructions,
  containment panels and the room air units (CRAH, in-row). It is cached between runs.
* :func:`build_racks` covers racks and rear doors, which the engineer drags and edits. It is
  vectorised over racks, so rebuilding it for a 1,000-rack hall costs a few milliseconds.

Racks are solid blocks. Each rack column (one cell wide, front to back) with open cells at
both ends is a *channel*: the rack's airflow is split equally over its open channels, enters
from the fluid cell in front of the rack, passes through the rack cells and leaves into the
fluid cell behind it, heated by the rack's air-side load. That keeps every coupling between
neighbouring cells, so one 5-point solver serves both the airflow and the temperature.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designer.model.hall import Hall
from designer.solvers.air.grid import Grid, polygon_mask, snap_boxes, snap_quadrant

RHO_AIR = 1.2
"""Air density, kg/m3 (REFERENCE.md)."""
CP_AIR = 1005.0
"""Specific heat of air, J/(kg K)."""
RHO_CP = RHO_AIR * CP_AIR

# Compass sides of a cell block, and which of them is the front / back at each quarter turn.
_FRONT_SIDE = ("N", "W", "S", "E")
_BACK_SIDE = ("S", "E", "N", "W")
_SIDES = {0: ("W", "E"), 1: ("N", "S"), 2: ("W", "E"), 3: ("N", "S")}


def side_cells(box, side: str) -> tuple[np.ndarray, np.ndarray]:
    """Rows and columns of the cells just outside one side of a block (may be off the grid)."""
    i0, i1, j0, j1 = (int(v) for v in box)
    if side == "N":
        return np.full(i1 - i0, j1), np.arange(i0, i1)
    if side == "S":
        return np.full(i1 - i0, j0 - 1), np.arange(i0, i1)
    if side == "W":
        return np.arange(j0, j1), np.full(j1 - j0, i0 - 1)
    return np.arange(j0, j1), np.full(j1 - j0, i1)


def _flat_open(grid: Grid, jj: np.ndarray, ii: np.ndarray, open_: np.ndarray) -> np.ndarray:
    """Flat indices of the cells (jj, ii) that are on the grid and open in ``open_``."""
    ok = (ii >= 0) & (ii < grid.nx) & (jj >= 0) & (jj < grid.ny)
    flat = jj[ok] * grid.nx + ii[ok]
    return flat[open_.ravel()[flat]]


@dataclass
class StaticLayout:
    """Everything that depends only on walls, obstructions, containment and room air units."""

    grid: Grid
    height_m: float
    inside: np.ndarray  # (ny, nx) inside the outline, clear of obstructions and cabinets
    fluid0: np.ndarray  # inside and not under an air unit
    cont_label: np.ndarray  # (ny, nx) index into containment_ids, or -1
    containment_ids: list[str]
    containment_kind: list[str]
    cx0: np.ndarray  # (ny, nx+1) face openness between (j, i-1) and (j, i): 0, leak or 1
    cy0: np.ndarray  # (ny+1, nx)
    unit_ids: list[str]
    unit_names: list[str]
    unit_kind: list[str]
    unit_airflow: np.ndarray
    unit_supply_t: np.ndarray
    unit_capacity_w: np.ndarray
    unit_box: np.ndarray
    unit_supply_cells: list[np.ndarray]  # flat indices, before racks
    unit_return_cells: list[np.ndarray]
    unit_offaxis: list[str] = field(default_factory=list)
    """Units not at a quarter turn (modelled as turned to the nearest one)."""
    soft: np.ndarray | None = None
    """(ny, nx) cells held only by a unit or cabinet thinner than a cell: solid, but a rack
    whose footprint covers the cell's centre takes it (the thin item covers no centre)."""


def _equipment(hall: Hall) -> list:
    """Cabinets that are solid to air but carry no airflow of their own: CDUs, power gear."""
    pw = hall.power
    return [*hall.cdus, *pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus]


def static_key(hall: Hall, cell_m: float) -> tuple:
    """A hashable summary of what :func:`build_static` reads (its cache key)."""
    units = tuple((u.id, u.name, u.kind, u.x, u.y, u.width_m, u.depth_m, u.rotation_deg,
                   u.airflow_m3s, u.supply_temp_c, u.capacity_kw)
                  for u in hall.air_units if u.kind != "rear_door")
    equip = tuple((e.id, e.x, e.y, e.width_m, e.depth_m, e.rotation_deg) for e in _equipment(hall))
    return (cell_m, hall.height_m, tuple(map(tuple, hall.outline)),
            tuple((o.id, tuple(map(tuple, o.polygon))) for o in hall.obstructions),
            tuple((c.id, c.kind, tuple(map(tuple, c.polygon))) for c in hall.containments), units, equip)


def build_static(hall: Hall, cell_m: float, containment_leak: float) -> StaticLayout:
    """Rasterise the outline, obstructions, containments and room air units.

    Parameters
    ----------
    hall : Hall
        The hall to model.
    cell_m : float
        Cell size in metres.
    containment_leak : float
        Conductance of a containment panel relative to open air (0 seals it).
    """
    grid = Grid.over(hall.outline, cell_m)
    inside = polygon_mask(grid, hall.outline)
    for o in hall.obstructions:
        inside &= ~polygon_mask(grid, o.polygon, thin=True)
    room = inside.copy()
    hard = np.zeros((grid.ny, grid.nx), dtype=bool)  # cells of cabinets and units that hold a centre
    thin_cells = np.zeros((grid.ny, grid.nx), dtype=bool)
    eq = _equipment(hall)
    if eq:
        eb, ethin = snap_boxes(grid, [e.x for e in eq], [e.y for e in eq], [e.width_m for e in eq],
                               [e.depth_m for e in eq], [snap_quadrant(e.rotation_deg)[0] for e in eq])
        for (i0, i1, j0, j1), t in zip(eb, ethin, strict=True):
            sl = np.s_[max(j0, 0):max(j1, 0), max(i0, 0):max(i1, 0)]
            inside[sl] = False
            (thin_cells if t else hard)[sl] = True
    cont_label = np.full((grid.ny, grid.nx), -1, dtype=np.int64)
    cont_ids = []
    for k, c in enumerate(hall.containments):
        m = polygon_mask(grid, c.polygon) & (cont_label < 0)
        cont_label[m] = k
        cont_ids.append(c.id)

    offaxis_units: list[str] = []
    units = [u for u in hall.air_units if u.kind != "rear_door"]
    quarter, offaxis = zip(*(snap_quadrant(u.rotation_deg) for u in units), strict=True) if units else ((), ())
    box, uthin = snap_boxes(grid, [u.x for u in units], [u.y for u in units], [u.width_m for u in units],
                            [u.depth_m for u in units], list(quarter)) if units else \
        (np.zeros((0, 4), np.int64), np.zeros(0, dtype=bool))
    unit_cells = np.zeros((grid.ny, grid.nx), dtype=bool)
    for b, t in zip(box, uthin, strict=True):
        i0, i1, j0, j1 = (int(v) for v in b)
        sl = np.s_[max(j0, 0):max(j1, 0), max(i0, 0):max(i1, 0)]
        unit_cells[sl] = True
        (thin_cells if t else hard)[sl] = True
    fluid0 = inside & ~unit_cells
    soft = thin_cells & room & ~hard

    sup, ret = [], []
    for u, b, q, off in zip(units, box, quarter, offaxis, strict=True):
        if off:
            offaxis_units.append(u.id)
        sup.append(_flat_open(grid, *side_cells(b, _FRONT_SIDE[q]), fluid0))
        back = _flat_open(grid, *side_cells(b, _BACK_SIDE[q]), fluid0)
        sides = [_flat_open(grid, *side_cells(b, s), fluid0) for s in _SIDES[q]]
        if u.kind == "crah":  # perimeter unit: return over its back and ends
            r = np.unique(np.concatenate([back, *sides]))
        else:  # in-row: hot aisle in at the back, ends only if the back is blocked
            r = back if len(back) else np.unique(np.concatenate(sides))
        ret.append(r)

    # faces: open between two inside cells; a containment boundary leaks
    cx0 = np.zeros((grid.ny, grid.nx + 1))
    cy0 = np.zeros((grid.ny + 1, grid.nx))
    both = fluid0[:, :-1] & fluid0[:, 1:]
    same = cont_label[:, :-1] == cont_label[:, 1:]
    cx0[:, 1:-1] = np.where(both, np.where(same, 1.0, containment_leak), 0.0)
    both = fluid0[:-1, :] & fluid0[1:, :]
    same = cont_label[:-1, :] == cont_label[1:, :]
    cy0[1:-1, :] = np.where(both, np.where(same, 1.0, containment_leak), 0.0)

    return StaticLayout(
        grid=grid, height_m=hall.height_m, inside=inside, fluid0=fluid0, cont_label=cont_label,
        containment_ids=cont_ids, containment_kind=[c.kind for c in hall.containments], cx0=cx0, cy0=cy0,
        unit_ids=[u.id for u in units], unit_names=[u.name or u.id for u in units],
        unit_kind=[u.kind for u in units],
        unit_airflow=np.array([max(u.airflow_m3s, 0.0) for u in units], dtype=float),
        unit_supply_t=np.array([u.supply_temp_c for u in units], dtype=float),
        unit_capacity_w=np.array([u.capacity_kw * 1000.0 for u in units], dtype=float),
        unit_box=box, unit_supply_cells=sup, unit_return_cells=ret, unit_offaxis=offaxis_units, soft=soft)


@dataclass
class RackLayout:
    """Racks and rear doors on the grid: solid cells, channels, heat, and unit cells."""

    ids: list[str]
    names: list[str]
    quarter: np.ndarray
    box: np.ndarray
    heat_air_w: np.ndarray  # air-side load of each rack (before its rear door)
    door_w: np.ndarray  # heat its rear door(s) remove
    door_ids: list[tuple[str, ...]]
    airflow: np.ndarray  # m3/s through the rack (0 when blocked or unloaded)
    invalid: np.ndarray  # overlaps something or is off the grid
    unresolved: np.ndarray  # narrower than a cell with no free cell for it (a limit of the grid)
    solid: np.ndarray  # (ny, nx) cells of any rack
    fluid: np.ndarray  # (ny, nx) air cells: fluid0 minus rack cells
    channel: np.ndarray  # (ny, nx) rack cells air flows through
    col_rack: np.ndarray  # per channel column: rack index
    col_front: np.ndarray  # flat index of the fluid cell in front (-1 off the grid)
    col_back: np.ndarray
    col_open: np.ndarray
    col_q: np.ndarray  # m3/s through the column
    fx_ch: np.ndarray  # (ny, nx+1) prescribed channel fluxes, m3/s, + is +x
    fy_ch: np.ndarray  # (ny+1, nx)
    heat_src: np.ndarray  # (ny, nx) heat put into the air, W (channels, or around blocked racks)
    lost_w: np.ndarray  # per rack: heat with nowhere to go (no air cell around it)
    unit_supply_cells: list[np.ndarray]  # flat, racks removed
    unit_return_cells: list[np.ndarray]
    offaxis: list[str]
    door_orphans: list[str]


def build_racks(hall: Hall, st: StaticLayout) -> RackLayout:
    """Rasterise the racks (and rear doors) on top of a static layout. Vectorised over racks."""
    g = st.grid
    ny, nx, N = g.ny, g.nx, g.ny * g.nx
    racks = hall.racks
    n = len(racks)
    ids = [r.id for r in racks]
    index = {rid: k for k, rid in enumerate(ids)}
    qo = [snap_quadrant(r.rotation_deg) for r in racks]
    quarter = np.array([q for q, _ in qo], dtype=np.int64)
    offaxis = [r.id for r, (_, off) in zip(racks, qo, strict=True) if off]
    heat = np.array([max(r.it_load_kw, 0.0) * 1000.0 * min(max(1.0 - r.liquid_fraction, 0.0), 1.0)
                     for r in racks], dtype=float)
    dt = np.array([r.design_delta_t_air_k if r.design_delta_t_air_k > 0 else 12.0 for r in racks])
    door_w = np.zeros(n)
    door_ids: list[list[str]] = [[] for _ in range(n)]
    orphans = []
    for u in hall.air_units:
        if u.kind != "rear_door":
            continue
        k = index.get(u.rack_id or "")
        if k is None:
            orphans.append(u.id)
            continue
        door_w[k] += max(u.capacity_kw, 0.0) * 1000.0
        door_ids[k].append(u.id)
    door_w = np.minimum(door_w, heat)

    free = st.fluid0 if st.soft is None else st.fluid0 | st.soft  # a thin unit's cell yields to a rack
    if n:
        box, thin = snap_boxes(g, [r.x for r in racks], [r.y for r in racks], [r.width_m for r in racks],
                               [r.depth_m for r in racks], quarter)
    else:
        box, thin = np.zeros((0, 4), np.int64), np.zeros(0, dtype=bool)
    unresolved = np.zeros(n, dtype=bool)
    if thin.any():
        box, unresolved = _settle_thin(g, racks, quarter, box, thin, free)
    bw = box[:, 1] - box[:, 0]
    bh = box[:, 3] - box[:, 2]
    # paint every rack cell: (rack, cell) pairs; a thin rack with no cell of its own paints none
    ncell = np.where(unresolved, 0, bw * bh)
    rid = np.repeat(np.arange(n), ncell)
    k = np.arange(rid.size) - np.repeat(np.cumsum(ncell) - ncell, ncell)
    ci = box[rid, 0] + k % bw[rid]
    cj = box[rid, 2] + k // bw[rid]
    on = (ci >= 0) & (ci < nx) & (cj >= 0) & (cj < ny)
    flat = cj * nx + ci
    invalid = unresolved.copy()
    invalid[rid[~on]] = True
    fon = flat[on]
    invalid[rid[on][~free.ravel()[fon]]] = True
    count = np.bincount(fon, minlength=N)
    invalid[rid[on][count[fon] > 1]] = True
    solid = np.zeros(N, dtype=bool)
    solid[fon] = True
    fluid = st.fluid0.ravel() & ~solid

    # channel columns: one per cell across the rack's front face
    even = quarter % 2 == 0
    ncol = np.where(even, bw, bh)
    depth = np.where(even, bh, bw)
    col_rack = np.repeat(np.arange(n), ncol)
    c = np.arange(col_rack.size) - np.repeat(np.cumsum(ncol) - ncol, ncol)
    q = quarter[col_rack]
    b = box[col_rack]
    cross = np.where(q % 2 == 0, b[:, 0], b[:, 2]) + c
    # front / back cells and the source cell (last rack cell before the back) per quarter
    fj = np.select([q == 0, q == 2], [b[:, 3], b[:, 2] - 1], cross)
    fi = np.select([q == 1, q == 3], [b[:, 0] - 1, b[:, 1]], cross)
    bj = np.select([q == 0, q == 2], [b[:, 2] - 1, b[:, 3]], cross)
    bi = np.select([q == 1, q == 3], [b[:, 1], b[:, 0] - 1], cross)
    sj = np.select([q == 0, q == 2], [b[:, 2], b[:, 3] - 1], cross)
    si = np.select([q == 1, q == 3], [b[:, 1] - 1, b[:, 0]], cross)

    def flat_or_neg(jj, ii):
        ok = (ii >= 0) & (ii < nx) & (jj >= 0) & (jj < ny)
        return np.where(ok, jj * nx + ii, -1)

    col_front = flat_or_neg(fj, fi)
    col_back = flat_or_neg(bj, bi)
    col_open = (col_front >= 0) & (col_back >= 0)
    col_open &= fluid[np.maximum(col_front, 0)] & fluid[np.maximum(col_back, 0)]
    col_open &= ~invalid[col_rack] & (heat[col_rack] > 0)
    n_open = np.bincount(col_rack[col_open], minlength=n)
    airflow = np.where(n_open > 0, heat / (RHO_CP * dt), 0.0)
    col_q = np.where(col_open, airflow[col_rack] / np.maximum(n_open[col_rack], 1), 0.0)

    # channel faces: depth + 1 faces per open column, from the front face to the back face
    oc = np.nonzero(col_open)[0]
    nf = depth[col_rack[oc]] + 1
    fc = np.repeat(oc, nf)
    t = np.arange(fc.size) - np.repeat(np.cumsum(nf) - nf, nf)
    qf, bf = q[fc], box[col_rack[fc]]
    sign = np.where((qf == 0) | (qf == 3), -1.0, 1.0)
    fx_ch = np.zeros((ny, nx + 1))
    fy_ch = np.zeros((ny + 1, nx))
    ev = qf % 2 == 0
    fy_ch[bf[ev, 2] + t[ev], cross[fc[ev]]] = sign[ev] * col_q[fc[ev]]
    fx_ch[cross[fc[~ev]], bf[~ev, 0] + t[~ev]] = sign[~ev] * col_q[fc[~ev]]
    # the rack cells of open columns carry air
    channel = np.zeros((ny, nx), dtype=bool)
    inner = t < depth[col_rack[fc]]  # face t is the low side of rack cell t
    ej = np.where(ev, bf[:, 2] + t, cross[fc])
    ei = np.where(ev, cross[fc], bf[:, 0] + t)
    channel[ej[inner], ei[inner]] = True

    heat_src = np.zeros(N)
    net = heat - door_w
    np.add.at(heat_src, (sj * nx + si)[col_open],
              (net[col_rack] / np.maximum(n_open[col_rack], 1))[col_open])
    # racks with heat but no open channel: release their heat into the air around them
    lost = np.zeros(n)
    for r in np.nonzero((n_open == 0) & (net > 0))[0]:
        cells = np.unique(np.concatenate([_flat_open(g, *side_cells(box[r], s), fluid.reshape(ny, nx))
                                          for s in "NSWE"]))
        if len(cells):
            heat_src[cells] += net[r] / len(cells)
        else:
            lost[r] = net[r]

    fl2 = fluid.reshape(ny, nx)
    sup = [c_[fluid[c_]] for c_ in st.unit_supply_cells]
    ret = [c_[fluid[c_]] for c_ in st.unit_return_cells]
    return RackLayout(
        ids=ids, names=[r.name or r.id for r in racks], quarter=quarter, box=box,
        heat_air_w=heat, door_w=door_w, door_ids=[tuple(d) for d in door_ids], airflow=airflow,
        invalid=invalid, unresolved=unresolved, solid=solid.reshape(ny, nx), fluid=fl2, channel=channel,
        col_rack=col_rack, col_front=col_front, col_back=col_back, col_open=col_open, col_q=col_q,
        fx_ch=fx_ch, fy_ch=fy_ch, heat_src=heat_src.reshape(ny, nx), lost_w=lost,
        unit_supply_cells=sup, unit_return_cells=ret, offaxis=offaxis, door_orphans=orphans)


def _settle_thin(g: Grid, racks, quarter: np.ndarray, box: np.ndarray, thin: np.ndarray,
                 free: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Give each rack narrower than a cell a cell of its own.

    A thin rack covers no cell centre, and both of its edges snap to one grid line ``L``; its
    neighbours on either side end or start at ``L`` too. It takes the cell on the side of ``L``
    that holds its centre if that cell is free (open air, not a rack that covers the cell's
    centre, not a thin rack placed before it), else the cell on the other side. With neither
    free, it is *unresolved*: the grid is too coarse for it (its heat is released around it).

    Returns the boxes and which racks are unresolved.
    """
    box = box.copy()
    ny, nx = g.ny, g.nx
    taken = ~free.copy()
    for k in np.nonzero(~thin)[0]:  # racks that hold cell centres keep their cells
        i0, i1, j0, j1 = (int(v) for v in box[k])
        taken[max(j0, 0):max(j1, 0), max(i0, 0):max(i1, 0)] = True
    unresolved = np.zeros(len(box), dtype=bool)
    for k in np.nonzero(thin)[0]:
        r = racks[k]
        odd = quarter[k] % 2 == 1
        ex = (r.depth_m if odd else r.width_m) / 2.0
        ey = (r.width_m if odd else r.depth_m) / 2.0
        i0, i1, j0, j1 = (int(v) for v in box[k])
        opts = []
        for lo, hi, line, line2 in ((i0, i1, int(g.line_x(r.x - ex)), int(g.line_x(r.x + ex))),
                                    (j0, j1, int(g.line_y(r.y - ey)), int(g.line_y(r.y + ey)))):
            if line == line2:  # thin along this axis: the cell on this or the other side of the line
                other = line if lo == line - 1 else line - 1
                opts.append(((lo, hi), (other, other + 1)))
            else:
                opts.append(((lo, hi),))
        for (a0, a1) in opts[0]:
            for (b0, b1) in opts[1]:
                if a0 < 0 or b0 < 0 or a1 > nx or b1 > ny or taken[b0:b1, a0:a1].any():
                    continue
                box[k] = (a0, a1, b0, b1)
                taken[b0:b1, a0:a1] = True
                break
            else:
                continue
            break
        else:
            unresolved[k] = True
    return box, unresolved


def front_cells(rl: RackLayout, grid: Grid, k: int) -> np.ndarray:
    """Flat indices of the air cells in front of rack ``k`` (its inlet face)."""
    sel = (rl.col_rack == k) & rl.col_open
    if sel.any():
        return rl.col_front[sel]
    q = int(rl.quarter[k])
    return _flat_open(grid, *side_cells(rl.box[k], _FRONT_SIDE[q]), rl.fluid)


__all__ = ["RHO_CP", "RackLayout", "StaticLayout", "build_racks", "build_static",
           "front_cells", "static_key"]
