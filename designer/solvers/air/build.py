"""Build step: a hall (model objects) -> the 3D arrays of the air model.

Everything follows the shared conventions of ``tests/air_cfd/README.md`` (the same input goes
to this model and to the OpenFOAM reference cases):

* the room is the hall outline extruded to ``hall.height_m``; a raised floor adds a plenum
  below z = 0, a ceiling plenum one above the ceiling; walls, floor and ceiling are adiabatic;
* racks, air units, CDUs and power cabinets are solid boxes from the floor; obstructions
  are solid over the full height (plenums included);
* a rack takes air out of the room uniformly over its front face and blows it back uniformly
  over its rear face at ``Q = heat_to_air / (rho cp design dT)`` (with blanking and bypass:
  see :func:`rack_airflow`);
* an air unit supplies through the lower 2/3 of its front face (CRAH) or the whole front face
  (in-row), its footprint into the raised floor (``underfloor``) or its top; it takes air
  through its top, its rear, the upper 1/3 of its front, or from the ceiling plenum through
  a duct over its footprint (``ceiling_plenum``); a unit that is not running is a solid box;
* floor tiles, ceiling grilles, containment panels and the leakage of the floor and ceiling
  are faces with a pressure loss ``dp = K rho v^2 / 2`` on the face velocity (Idelchik's thin
  perforated plate for tiles and grilles, an orifice with Cd = 0.61 for leaks), so leakage is
  set by the product's leak area per m2, not by the grid.

Each opening that air crosses between a box and the room is a *port*: a face with a
prescribed normal velocity, the cell on the room side, and the item it belongs to. Nothing
is implied that the user did not draw: a tile with no raised floor, or a contained aisle
with no supply, simply has no such path (the findings say so).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from designer.model.hall import Hall
from designer.solvers.air.grid import Grid, polygon_mask, snap_quadrant, snapped_boxes
from designer.solvers.air.mesh import Mesh, layer_bounds

RHO_AIR = 1.2
"""Air density, kg/m3 (tests/air_cfd/README.md)."""
CP_AIR = 1005.0
"""Specific heat of air, J/(kg K)."""
RHO_CP = RHO_AIR * CP_AIR
BETA = 3.4e-3
"""Thermal expansion coefficient for Boussinesq buoyancy, 1/K."""
NU_AIR = 1.5e-5
"""Kinematic viscosity of air, m2/s."""
GRAVITY = 9.81
LEAK_CD = 0.61
"""Discharge coefficient of leakage gaps (an orifice)."""
EQUIPMENT_HEIGHT_M = 2.0
"""Height of CDUs and power cabinets (the model has no height field for them)."""

# Compass side of the front / back of a box at each quarter turn (0: front faces +y).
_FRONT = ("N", "W", "S", "E")
_BACK = ("S", "E", "N", "W")


def tile_k(open_fraction: float) -> float:
    """Idelchik's thin perforated plate: K on the gross-area velocity."""
    f = min(max(float(open_fraction), 1e-3), 1.0)
    return (0.707 * np.sqrt(1.0 - f) + 1.0 - f) ** 2 / f ** 2


def leak_k(area_m2_per_m2: float) -> float:
    """K of a leaky panel on its face velocity: an orifice of ``area`` per m2, Cd 0.61.
    Infinite (sealed) for zero area."""
    a = float(area_m2_per_m2)
    return np.inf if a <= 0 else 1.0 / (LEAK_CD * a) ** 2


def rack_airflow(heat_w: float, dt_k: float, recirculation: float, bypass: float) -> float:
    """Air a rack takes through its front face, m3/s.

    The servers move ``heat / (rho cp dT)``; with ``recirculation`` r of that drawn from
    their own exhaust inside the rack (missing blanking) and ``bypass`` b of the front air
    passing without heat, the front face carries ``(1 - r) / (1 - b)`` of it.
    """
    r = min(max(recirculation, 0.0), 0.95)
    b = min(max(bypass, 0.0), 0.95)
    return heat_w / (RHO_CP * dt_k) * (1.0 - r) / (1.0 - b)


def _equipment(hall: Hall) -> list:
    pw = hall.power
    return [*hall.cdus, *pw.transformers, *pw.switchboards, *pw.ups, *pw.pdus]


@dataclass
class Ports:
    """Faces where air crosses between the room and a box (flat arrays, one entry a face)."""

    axis: np.ndarray  # 0 z, 1 y, 2 x
    face: np.ndarray  # flat index into the face array of that axis
    cell: np.ndarray  # flat index of the room cell on the other side
    q: np.ndarray  # m3/s into the room (+) or out of it (-)
    owner: np.ndarray  # item index: racks 0..nr-1, then units nr..nr+nu-1
    vel: np.ndarray  # velocity along the axis, m/s

    @staticmethod
    def empty() -> Ports:
        z = np.zeros(0, dtype=np.int64)
        return Ports(z, z, z, np.zeros(0), z, np.zeros(0))


@dataclass
class Layout:
    """The hall on the mesh: solids, loss faces, ports, heat, and the item lookups."""

    mesh: Mesh
    solid: np.ndarray  # (nz, ny, nx) bool
    K: list  # per axis: face loss coefficient (0 open; only meaningful between air cells)
    cont: np.ndarray  # (nz, ny, nx) containment index or -1
    ports: Ports
    heat_cells: np.ndarray  # flat cells receiving equipment losses
    heat_w: np.ndarray  # W into each of those cells
    # racks
    rack_ids: list[str]
    rack_names: list[str]
    rack_heat_w: np.ndarray  # air-side heat released into the room (after rear doors)
    rack_heat_total_w: np.ndarray  # before rear doors
    rack_door_w: np.ndarray
    rack_door_ids: list[tuple[str, ...]]
    rack_q: np.ndarray  # front-face airflow actually modelled, m3/s (0 when blocked)
    rack_q_nominal: np.ndarray
    rack_blocked: np.ndarray  # heat but no open front or back
    rack_lost_w: np.ndarray  # heat of blocked racks with no air around them at all
    rack_front_cells: list  # per rack: room cells in front of its front face (even with no airflow)
    rack_front_area: list  # their face areas, m2
    rack_offaxis: list[str]
    rack_recirc: np.ndarray
    rack_dt: np.ndarray
    # units
    unit_ids: list[str]
    unit_names: list[str]
    unit_kind: list[str]
    unit_q: np.ndarray  # airflow modelled (0 when off or blocked)
    unit_q_nominal: np.ndarray
    unit_t_set: np.ndarray
    unit_capacity_w: np.ndarray
    unit_running: np.ndarray
    unit_blocked: np.ndarray  # running but a supply or intake face with no air
    unit_offaxis: list[str]
    door_orphans: list[str]
    equipment_ids: list[str]
    equipment_heat_w: np.ndarray
    containment_ids: list[str]
    containment_kind: list[str]
    notes: dict = field(default_factory=dict)

    @property
    def n_racks(self) -> int:
        return len(self.rack_ids)


def _marks(hall: Hall) -> list[float]:
    m = [r.outer_height_m() for r in hall.racks]
    for u in hall.air_units:
        if u.kind == "rear_door":
            continue
        m.append(u.height_m)
        if (u.kind == "crah" and u.discharge == "front") or u.intake == "front":
            m.append(u.height_m * 2.0 / 3.0)
    for c in hall.containments:
        if c.top == "roof" and c.height_m is not None:
            m.append(c.height_m)
    if _equipment(hall):
        m.append(EQUIPMENT_HEIGHT_M)
    return m


def build_mesh(hall: Hall, cell_m: float) -> Mesh:
    rf, cp = hall.raised_floor, hall.ceiling_plenum
    zf, kf, kc = layer_bounds(hall.height_m, _marks(hall), cell_m,
                              rf.height_m if rf is not None else 0.0, cp.height_m if cp is not None else 0.0)
    return Mesh(Grid.over(hall.outline, cell_m), zf, kf, kc)


def _side_faces(box, side: str, g: Grid):
    """Plan faces of one side of a box: (axis, face rows j, face cols i, outside cell j, i,
    sign of the axis pointing into the box)."""
    i0, i1, j0, j1 = (int(v) for v in box)
    if side == "N":
        ii = np.arange(i0, i1)
        return 1, np.full(ii.size, j1), ii, np.full(ii.size, j1), ii, -1.0
    if side == "S":
        ii = np.arange(i0, i1)
        return 1, np.full(ii.size, j0), ii, np.full(ii.size, j0 - 1), ii, 1.0
    if side == "W":
        jj = np.arange(j0, j1)
        return 2, jj, np.full(jj.size, i0), jj, np.full(jj.size, i0 - 1), 1.0
    jj = np.arange(j0, j1)
    return 2, jj, np.full(jj.size, i1), jj, np.full(jj.size, i1), -1.0


class _PortList:
    def __init__(self, mesh: Mesh, solid: np.ndarray) -> None:
        self.mesh, self.solid = mesh, solid
        self.parts: list[tuple] = []
        # a face belongs to one port at most (overlapping items: the first one drawn keeps it)
        self.claimed = [np.zeros(int(np.prod(mesh.face_shape(a))), dtype=bool) for a in range(3)]

    def side(self, box, side: str, k0: int, k1: int):
        """Candidate faces on a box side over layers k0..k1-1 whose outside cell is air."""
        m = self.mesh
        nz, ny, nx = m.shape
        axis, fj, fi, cj, ci, sgn = _side_faces(box, side, m.plan)
        # layer-major, then along the side (the order the ports keep)
        ok = (cj >= 0) & (cj < ny) & (ci >= 0) & (ci < nx)
        fj, fi, cj, ci = fj[ok], fi[ok], cj[ok], ci[ok]
        kk = np.arange(max(k0, 0), min(k1, nz))[:, None]
        fs = m.face_shape(axis)
        cell = ((kk * ny + cj) * nx + ci).ravel()
        face = ((kk * fs[1] + fj) * fs[2] + fi).ravel()
        air = ~self.solid.ravel()[cell] & ~self.claimed[axis][face]
        area = np.broadcast_to(m.plan.cell_m * m.dz[kk], (kk.size, fj.size)).ravel()
        return axis, face[air], cell[air], sgn, area[air]

    def horizontal(self, box, kface: int, above: bool):
        """Faces of a box's top (``above``: room cell above ``kface``) or its footprint at
        ``kface`` with the room cell below."""
        m = self.mesh
        nz, ny, nx = m.shape
        i0, i1, j0, j1 = (int(v) for v in box)
        jj, ii = np.meshgrid(np.arange(max(j0, 0), min(j1, ny)), np.arange(max(i0, 0), min(i1, nx)), indexing="ij")
        jj, ii = jj.ravel(), ii.ravel()
        kc = kface if above else kface - 1
        if not 0 <= kc < nz:
            return 0, np.zeros(0, np.int64), np.zeros(0, np.int64), 1.0, np.zeros(0)
        cell = (kc * ny + jj) * nx + ii
        face = (kface * ny + jj) * nx + ii
        air = ~self.solid.ravel()[cell] & ~self.claimed[0][face]
        sgn = -1.0 if above else 1.0  # into the box: down from above, up from below
        return 0, face[air], cell[air], sgn, np.full(int(air.sum()), m.plan.cell_m ** 2)

    def add(self, owner: int, q_into_room: float, groups) -> float:
        """Spread ``q`` (m3/s, + into the room) uniformly over the faces of ``groups``.
        Returns the open area, m2 (0: nothing added)."""
        groups = [g for g in groups if g[1].size]
        area = sum(float(g[4].sum()) for g in groups)
        if area <= 0:
            return 0.0
        for axis, face, cell, sgn, a in groups:
            self.claimed[axis][face] = True
            q = q_into_room * a / area
            self.parts.append((np.full(face.size, axis), face, cell, q, np.full(face.size, owner),
                               -sgn * q / a))  # into the room is against the into-box direction
        return area

    def ports(self) -> Ports:
        if not self.parts:
            return Ports.empty()
        cols = list(zip(*self.parts, strict=True))
        return Ports(*(np.concatenate(c) for c in cols))


def build(hall: Hall, cell_m: float, mesh: Mesh | None = None) -> Layout:
    """Rasterise the hall onto the 3D mesh (``mesh`` may be passed in when cached)."""
    mesh = mesh or build_mesh(hall, cell_m)
    g, nz = mesh.plan, mesh.nz
    kf, kc = mesh.k_floor, mesh.k_ceil
    H = hall.height_m
    inside = polygon_mask(g, hall.outline)
    solid = np.repeat(~inside[None], nz, axis=0)
    for o in hall.obstructions:
        solid[:, polygon_mask(g, o.polygon, thin=True)] = True

    def room_box(b, top_m: float):
        i0, i1, j0, j1 = (int(v) for v in b)
        kt = max(mesh.k_of(min(top_m, H)), kf + 1)
        solid[kf:kt, max(j0, 0):max(j1, 0), max(i0, 0):max(i1, 0)] = True
        return kt

    # equipment cabinets
    eq = _equipment(hall)
    eq_box = snapped_boxes(g, [e.x for e in eq], [e.y for e in eq], [e.width_m for e in eq],
                           [e.depth_m for e in eq], [snap_quadrant(e.rotation_deg)[0] for e in eq]) if eq else []
    eq_top = [room_box(b, EQUIPMENT_HEIGHT_M) for b in eq_box]

    # air units (rear doors are part of their rack)
    units = [u for u in hall.air_units if u.kind != "rear_door"]
    uq = [snap_quadrant(u.rotation_deg) for u in units]
    ubox = snapped_boxes(g, [u.x for u in units], [u.y for u in units], [u.width_m for u in units],
                         [u.depth_m for u in units], [q for q, _ in uq]) if units else np.zeros((0, 4), np.int64)
    utop = []
    for u, b in zip(units, ubox, strict=True):
        top = H if (u.intake == "ceiling_plenum" and u.running) else u.height_m
        utop.append((room_box(b, u.height_m), room_box(b, top)))

    # racks
    racks = hall.racks
    rq = [snap_quadrant(r.rotation_deg) for r in racks]
    rbox = snapped_boxes(g, [r.x for r in racks], [r.y for r in racks], [r.width_m for r in racks],
                         [r.depth_m for r in racks], [q for q, _ in rq]) if racks else np.zeros((0, 4), np.int64)
    rtop = [room_box(b, r.outer_height_m()) for r, b in zip(racks, rbox, strict=True)]

    # containments: label the air they enclose (sides up to the roof or the ceiling)
    cont = np.full(mesh.shape, -1, dtype=np.int64)
    for c_i, c in enumerate(hall.containments):
        m2 = polygon_mask(g, c.polygon)
        if c.top == "ceiling":
            top = H
        elif c.height_m is not None:
            top = c.height_m
        else:  # the height of the racks that line it
            lin = [r.outer_height_m() for r, t in zip(racks, _touching(rbox, m2), strict=True) if t]
            top = max(lin) if lin else H
        kt = max(mesh.k_of(min(top, H)), kf + 1)
        sub = cont[kf:kt]
        sub[(sub < 0) & m2[None]] = c_i

    # loss faces: floor and ceiling planes, containment panels
    K = [np.zeros(mesh.face_shape(a)) for a in range(3)]
    if hall.raised_floor is not None and kf > 0:
        K[0][kf] = leak_k(hall.raised_floor.leak_area_m2_per_m2)
        _openings(K[0][kf], g, hall.floor_tiles)
    if hall.ceiling_plenum is not None and kc < nz:
        K[0][kc] = leak_k(hall.ceiling_plenum.leak_area_m2_per_m2)
        _openings(K[0][kc], g, hall.ceiling_grilles)
    cleak = np.array([leak_k(c.leak_area_m2_per_m2) for c in hall.containments] + [0.0])
    for a in range(3):
        lo = [slice(None)] * 3
        hi = [slice(None)] * 3
        lo[a], hi[a] = slice(0, -1), slice(1, None)
        ca, cb = cont[tuple(lo)], cont[tuple(hi)]
        diff = ca != cb
        if a == 0:
            # the floor and ceiling planes of a contained aisle are the room's own (tiles,
            # grilles, leaks), not panels: only faces between two room layers can be panels
            zi = np.arange(1, nz)[:, None, None]
            diff = diff & (zi > kf) & (zi < kc)
        kk = np.maximum(cleak[ca], cleak[cb])
        inner = [slice(None)] * 3
        inner[a] = slice(1, -1)
        K[a][tuple(inner)] = np.where(diff, np.maximum(K[a][tuple(inner)], kk), K[a][tuple(inner)])

    pl = _PortList(mesh, solid)
    nr = len(racks)
    # -- racks: heat, rear doors, airflow
    heat = np.array([max(r.it_load_kw, 0.0) * 1000.0 * min(max(1.0 - r.liquid_fraction, 0.0), 1.0)
                     for r in racks], dtype=float)
    index = {r.id: k for k, r in enumerate(racks)}
    door_w = np.zeros(nr)
    door_ids: list[list[str]] = [[] for _ in range(nr)]
    orphans = []
    for u in hall.air_units:
        if u.kind != "rear_door":
            continue
        k = index.get(u.rack_id or "")
        if k is None:
            orphans.append(u.id)
            continue
        if u.running:
            door_w[k] += max(u.capacity_kw, 0.0) * 1000.0
        door_ids[k].append(u.id)
    door_w = np.minimum(door_w, heat)
    dt = np.array([r.design_delta_t_air_k if r.design_delta_t_air_k > 0 else 12.0 for r in racks])
    q_nom = np.array([rack_airflow(heat[k], dt[k], r.recirculation_fraction, r.bypass_fraction)
                      for k, r in enumerate(racks)])
    rack_q = np.zeros(nr)
    blocked = np.zeros(nr, dtype=bool)
    front_cells, front_area = [], []
    for k, b in enumerate(rbox):
        q = rq[k][0]
        front = pl.side(b, _FRONT[q], kf, rtop[k])
        front_cells.append(front[2])
        front_area.append(front[4])
        if q_nom[k] <= 0:
            continue
        back = pl.side(b, _BACK[q], kf, rtop[k])
        if front[1].size == 0 or back[1].size == 0:
            blocked[k] = True
            continue
        pl.add(k, -q_nom[k], [front])
        pl.add(k, q_nom[k], [back])
        rack_q[k] = q_nom[k]

    # -- units
    nu = len(units)
    unit_q = np.zeros(nu)
    ublocked = np.zeros(nu, dtype=bool)
    for n, (u, b) in enumerate(zip(units, ubox, strict=True)):
        if not u.running or u.airflow_m3s <= 0:
            continue
        q = uq[n][0]
        k_top, k_duct = utop[n]
        k23 = max(min(mesh.k_of(u.height_m * 2.0 / 3.0), k_top - 1), kf + 1) if k_top - kf >= 2 else k_top
        crah = u.kind == "crah"
        if u.discharge == "front":
            sup = [pl.side(b, _FRONT[q], kf, k23 if crah else k_top)]
        elif u.discharge == "underfloor":
            sup = [pl.horizontal(b, kf, above=False)] if kf > 0 else []
        else:
            sup = [pl.horizontal(b, k_top, above=True)]
        if u.intake == "top":
            ret = [pl.horizontal(b, k_top, above=True)]
        elif u.intake == "rear":
            ret = [pl.side(b, _BACK[q], kf, k_top)]
        elif u.intake == "front":  # the upper third of the front face (README conventions)
            ret = [pl.side(b, _FRONT[q], k23, k_top)]
        else:
            ret = [pl.horizontal(b, kc, above=True)] if kc < nz else []
        sup = [s for s in sup if s[1].size]
        ret = [s for s in ret if s[1].size]
        if not sup or not ret:
            ublocked[n] = True
            continue
        pl.add(nr + n, u.airflow_m3s, sup)
        pl.add(nr + n, -u.airflow_m3s, ret)
        unit_q[n] = u.airflow_m3s

    # -- equipment losses, and the heat of racks with no open front or back: into the air
    # around the cabinet (sides and top)
    hc, hw, eq_ids, eq_w = [], [], [], []
    lost = np.zeros(nr)
    for k in np.nonzero(blocked & (heat - door_w > 0))[0]:
        lost[k] = heat[k] - door_w[k]
        groups = [pl.side(rbox[k], s, kf, rtop[k]) for s in "NSWE"] + [pl.horizontal(rbox[k], rtop[k], above=True)]
        cells = np.concatenate([gr[2] for gr in groups])
        areas = np.concatenate([gr[4] for gr in groups])
        if cells.size:
            hc.append(cells)
            hw.append((heat[k] - door_w[k]) * areas / areas.sum())
            lost[k] = 0.0
    for e, b, kt in zip(eq, eq_box, eq_top, strict=True):
        w = max(getattr(e, "heat_to_air_kw", 0.0), 0.0) * 1000.0
        eq_ids.append(e.id)
        eq_w.append(w)
        if w <= 0:
            continue
        groups = [pl.side(b, s, kf, kt) for s in "NSWE"] + [pl.horizontal(b, kt, above=True)]
        cells = np.concatenate([gr[2] for gr in groups])
        areas = np.concatenate([gr[4] for gr in groups])
        if cells.size:
            hc.append(cells)
            hw.append(w * areas / areas.sum())

    return Layout(
        mesh=mesh, solid=solid, K=K, cont=cont, ports=pl.ports(),
        heat_cells=np.concatenate(hc) if hc else np.zeros(0, np.int64),
        heat_w=np.concatenate(hw) if hw else np.zeros(0),
        rack_ids=[r.id for r in racks], rack_names=[r.name or r.id for r in racks],
        rack_heat_w=heat - door_w, rack_heat_total_w=heat, rack_door_w=door_w,
        rack_door_ids=[tuple(d) for d in door_ids], rack_q=rack_q, rack_q_nominal=q_nom,
        rack_blocked=blocked, rack_lost_w=lost, rack_front_cells=front_cells, rack_front_area=front_area, rack_offaxis=[r.id for r, (_, off) in zip(racks, rq, strict=True) if off],
        rack_recirc=np.array([min(max(r.recirculation_fraction, 0.0), 0.95) for r in racks]), rack_dt=dt,
        unit_ids=[u.id for u in units], unit_names=[u.name or u.id for u in units],
        unit_kind=[u.kind for u in units], unit_q=unit_q,
        unit_q_nominal=np.array([max(u.airflow_m3s, 0.0) for u in units]),
        unit_t_set=np.array([u.supply_temp_c for u in units], dtype=float),
        unit_capacity_w=np.array([max(u.capacity_kw, 0.0) * 1000.0 for u in units]),
        unit_running=np.array([u.running for u in units], dtype=bool), unit_blocked=ublocked,
        unit_offaxis=[u.id for u, (_, off) in zip(units, uq, strict=True) if off], door_orphans=orphans,
        equipment_ids=eq_ids, equipment_heat_w=np.array(eq_w),
        containment_ids=[c.id for c in hall.containments], containment_kind=[c.kind for c in hall.containments])


def _touching(boxes, mask: np.ndarray) -> np.ndarray:
    """For each plan box (i0, i1, j0, j1), whether ``mask`` has a cell in it or next to it
    (the box grown by one cell each way, clipped to the grid): the mask's cells counted in
    each grown box from its summed-area table, all boxes at once."""
    boxes = np.asarray(boxes, dtype=np.int64).reshape(-1, 4)
    ny, nx = mask.shape
    sat = np.zeros((ny + 1, nx + 1), dtype=np.int64)
    sat[1:, 1:] = mask.astype(np.int64).cumsum(0).cumsum(1)
    jj0, jj1 = np.maximum(boxes[:, 2] - 1, 0), np.minimum(boxes[:, 3] + 1, ny)
    ii0, ii1 = np.maximum(boxes[:, 0] - 1, 0), np.minimum(boxes[:, 1] + 1, nx)
    ok = (jj1 > jj0) & (ii1 > ii0)
    a, b = np.clip(jj0, 0, ny), np.clip(jj1, 0, ny)
    c, d = np.clip(ii0, 0, nx), np.clip(ii1, 0, nx)
    return ok & (sat[b, d] - sat[a, d] - sat[b, c] + sat[a, c] > 0)


def _openings(plane: np.ndarray, g: Grid, items) -> None:
    """Put the K of tiles / grilles on the faces they cover, corrected for the snapped area:
    the face velocity is Q / A_faces, the product's loss is on Q / A_item."""
    if not items:
        return
    boxes = snapped_boxes(g, [t.x for t in items], [t.y for t in items], [t.width_m for t in items],
                          [t.depth_m for t in items], [snap_quadrant(t.rotation_deg)[0] for t in items])
    for t, b in zip(items, boxes, strict=True):
        i0, i1, j0, j1 = (int(v) for v in b)
        i0, j0 = max(i0, 0), max(j0, 0)
        i1, j1 = min(i1, g.nx), min(j1, g.ny)
        if i1 <= i0 or j1 <= j0:
            continue
        a_faces = (i1 - i0) * (j1 - j0) * g.cell_m ** 2
        a_item = t.width_m * t.depth_m
        plane[j0:j1, i0:i1] = tile_k(t.open_fraction) * (a_faces / a_item) ** 2
