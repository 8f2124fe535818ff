"""Project file -> OpenFOAM case directory for buoyantBoussinesqSimpleFoam (OpenFOAM.com v1912).

Usage (from the repository root)::

    python tests/air_cfd/build_case.py tests/air_cfd/cases/open_aisle_crah.json /work/cfd-runs/oa/h0.10 --cell 0.10

The mesh is a structured, axis-aligned hexahedral grid written directly as ``constant/polyMesh``
(points, faces, owner, neighbour, boundary, cellZones). Every face of every rack, unit, tile,
grille and containment panel is a grid plane: the grid lines are the union of all item edges,
and each interval between two neighbouring lines is split into equal cells no longer than
``--cell``. Cells inside racks and units are left out (solid), so their faces become boundary
faces, and each boundary face is put into a patch by the face of the item it lies on:
``rNN_in`` (rack front), ``rNN_out`` (rack rear), ``uNN_sup`` and ``uNN_ret`` (unit supply and
return), everything else ``walls``. Writing the mesh here instead of running blockMesh +
topoSet + subsetMesh + createPatch gives the same grid with exact, tolerance-free patch
membership; ``checkMesh`` checks it (``run_case.py`` runs it every time).

Thin resistances (perforated tiles, ceiling grilles, containment panels, the leakage of the
raised floor and the suspended ceiling) are layers of cells ``LAYER_T`` thick with an implicit
Darcy-Forchheimer resistance f = K / LAYER_T, so that the pressure drop across the layer is
K rho v^2 / 2 on the gross-area velocity as the conventions say. (porousBafflePressure, the
cyclic-baffle alternative, applies its jump explicitly from the previous iteration's flux and
has no relaxation in v1912: with panel coefficients K ~ 3e4 and floor leakage K ~ 7e5 the
lagged jump overshoots by orders of magnitude every iteration. The implicit porous source
enters the momentum matrix and the pressure equation sees it.) See README.md for the layers'
placement.

The temperature coupling (rack exhaust = mean intake + dT, unit supply capped by capacity) is
not done here: ``run_case.py`` iterates it. Everything the other scripts need (patch names,
flows, areas, set points) is written to ``case.json`` in the case directory.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from designer.io.files import load  # noqa: E402
from designer.model import hall as h  # noqa: E402

# Air constants of the conventions (README.md)
RHO = 1.2
CP = 1005.0
RHO_CP = RHO * CP
BETA = 3.4e-3
NU = 1.5e-5
PR = 0.7
PRT = 0.85
G = 9.81
K0 = 273.15  # OpenFOAM runs in kelvin; results are reported in degC

LAYER_T = 0.04
"""Thickness of the porous layers standing for tiles, grilles, panels and leaky floor/ceiling (m)."""
LAYER_CELLS = 2
"""Cells across each porous layer (at least 2: a resistance needs a face inside the layer)."""
LAYER_SEEN = 0.76
"""First guess of the share of the layer thickness over which the discretised resistance acts."""
CD_LEAK = 0.61
TURB_INTENSITY = 0.05
EPS = 1e-6


def k_plate(f: float) -> float:
    """Idelchik thin perforated plate loss on the gross-area velocity."""
    return (0.707 * math.sqrt(1 - f) + 1 - f) ** 2 / f ** 2


def k_leak(a: float) -> float:
    """Orifice leakage: open area ``a`` per m2 with discharge coefficient 0.61."""
    return 1.0 / (CD_LEAK * a) ** 2


@dataclass
class Box:
    x0: float
    x1: float
    y0: float
    y1: float
    z0: float
    z1: float


@dataclass
class Opening:
    """A patch: the faces of solid item ``solid`` whose outward normal (fluid -> solid) is
    ``normal`` and whose centres lie within z0..z1."""

    name: str
    solid: int
    normal: tuple[int, int, int]
    z0: float
    z1: float
    area: float
    flow_m3s: float
    inflow: bool  # True: air enters the room (rack exhaust, unit supply)


@dataclass
class Element:
    """A thin resistance: a layer of cells ``LAYER_T`` thick across ``axis`` (0 x, 1 y, 2 z)
    with loss coefficient ``k``; ``split`` (m, per axis) cuts it into zones of at most that
    size so that each zone's linearised resistance follows its own flow."""

    name: str
    box: Box
    k: float
    axis: int
    split: tuple[float, float, float] = (1e9, 1e9, 1e9)
    v_guess: float = 1.0


@dataclass
class Geometry:
    xs: list[float]
    ys: list[float]
    zs: list[float]
    solids: list[Box] = field(default_factory=list)
    solid_names: list[str] = field(default_factory=list)
    porous: list[Element] = field(default_factory=list)  # later elements win where they overlap
    holes: list[Box] = field(default_factory=list)  # plain fluid inside a porous layer
    openings: list[Opening] = field(default_factory=list)
    racks: list[dict] = field(default_factory=list)
    units: list[dict] = field(default_factory=list)


def _bbox(item: h.Placed) -> tuple[float, float, float, float]:
    c = np.array(item.corners())
    return (float(c[:, 0].min()), float(c[:, 0].max()), float(c[:, 1].min()), float(c[:, 1].max()))


def _normal(item: h.Placed) -> tuple[int, int, int]:
    rot = item.rotation_deg % 360.0
    if min(abs(rot - a) for a in (0, 90, 180, 270, 360)) > 1e-6:
        raise ValueError(f"{item.id}: rotation {item.rotation_deg} is not a multiple of 90 degrees")
    nx, ny = item.front_normal()
    return (int(round(nx)), int(round(ny)), 0)


def _neg(n: tuple[int, int, int]) -> tuple[int, int, int]:
    return (-n[0], -n[1], -n[2])


def rack_airflow(r: h.Rack) -> tuple[float, float]:
    """(heat to air W, airflow m3/s) of a rack by the conventions."""
    heat = r.it_load_kw * (1.0 - r.liquid_fraction) * 1000.0
    return heat, heat / (RHO_CP * r.design_delta_t_air_k)


def geometry(hall: h.Hall) -> Geometry:
    """Solid boxes, porous layers and openings of a hall, in metres (z = 0 at the floor top)."""
    ox = [p[0] for p in hall.outline]
    oy = [p[1] for p in hall.outline]
    x0, x1, y0, y1 = min(ox), max(ox), min(oy), max(oy)
    if len(hall.outline) != 4 or any(
            not (min(abs(px - x0), abs(px - x1)) < EPS and min(abs(py - y0), abs(py - y1)) < EPS)
            for px, py in hall.outline):
        raise ValueError("only rectangular, axis-aligned hall outlines are supported")
    if hall.obstructions or hall.modules:
        raise ValueError("obstructions and modules are not part of the reference cases")
    H = hall.height_m
    t = LAYER_T
    rf, cpl = hall.raised_floor, hall.ceiling_plenum
    zb = -(t + rf.height_m) if rf else 0.0
    zt = H + t + cpl.height_m if cpl else H
    g = Geometry(xs=[x0, x1], ys=[y0, y1], zs=[zb, 0.0, H, zt])
    if rf:
        g.zs.append(-t)
    if cpl:
        g.zs.append(H + t)

    def solid(box: Box, name: str) -> int:
        g.solids.append(box)
        g.solid_names.append(name)
        g.xs += [box.x0, box.x1]
        g.ys += [box.y0, box.y1]
        g.zs += [box.z0, box.z1]
        return len(g.solids)  # solid labels start at 1; 0 is fluid

    def porous(box: Box, zone: str, k: float, split=(1e9, 1e9, 1e9), v_guess: float = 1.0) -> None:
        dims = (box.x1 - box.x0, box.y1 - box.y0, box.z1 - box.z0)
        axis = int(np.argmin([abs(d - t) for d in dims]))
        if abs(dims[axis] - t) > EPS:
            raise ValueError(f"porous element {zone} is not a layer {t} m thick")
        g.porous.append(Element(zone, box, k, axis, split, v_guess))
        for ax, (lines, a, b) in enumerate(((g.xs, box.x0, box.x1), (g.ys, box.y0, box.y1), (g.zs, box.z0, box.z1))):
            lines += [a, b]
            if ax == axis:  # across the layer: LAYER_CELLS cells
                lines += [a + t * q / LAYER_CELLS for q in range(1, LAYER_CELLS)]

    def v_at(k: float, dp_pa: float) -> float:  # a first guess of the velocity through an element
        return math.sqrt(2 * dp_pa / (RHO * k))

    if rf:
        kf = k_leak(rf.leak_area_m2_per_m2)
        porous(Box(x0, x1, y0, y1, -t, 0.0), "floor", kf, (2.0, 2.0, 1e9), v_at(kf, 20.0))
    if cpl:
        kc = k_leak(cpl.leak_area_m2_per_m2)
        porous(Box(x0, x1, y0, y1, H, H + t), "ceiling", kc, (2.0, 2.0, 1e9), v_at(kc, 20.0))
    for n_t, tile in enumerate(hall.floor_tiles):
        bx = _bbox(tile)
        porous(Box(*bx, -t, 0.0), f"tile{n_t:02d}", k_plate(tile.open_fraction), v_guess=1.0)
    for n_g, gr in enumerate(hall.ceiling_grilles):
        bx = _bbox(gr)
        porous(Box(*bx, H, H + t), f"grille{n_g:02d}", k_plate(gr.open_fraction), v_guess=1.0)

    for i, r in enumerate(hall.racks):
        if r.recirculation_fraction or r.bypass_fraction:
            raise ValueError(f"{r.id}: recirculation and bypass must be zero in the reference cases")
        bx = _bbox(r)
        hr = r.outer_height_m()
        lab = solid(Box(*bx, 0.0, hr), f"rack {r.id}")
        if rf:
            solid(Box(*bx, -t, 0.0), f"floor under rack {r.id}")
        n = _normal(r)
        heat, q = rack_airflow(r)
        area = r.width_m * hr
        g.openings.append(Opening(f"r{i:02d}_in", lab, _neg(n), 0.0, hr, area, q, False))
        g.openings.append(Opening(f"r{i:02d}_out", lab, n, 0.0, hr, area, q, True))
        g.racks.append(dict(id=r.id, name=r.name, patch_in=f"r{i:02d}_in", patch_out=f"r{i:02d}_out",
                            heat_w=heat, airflow_m3s=q, delta_t_k=heat / (RHO_CP * q) if q else 0.0,
                            area_m2=area, it_load_kw=r.it_load_kw))

    for j, u in enumerate(hall.air_units):
        if u.kind == "rear_door":
            raise ValueError("rear doors are not part of the reference cases")
        bx = _bbox(u)
        hu = u.height_m
        lab = solid(Box(*bx, 0.0, hu), f"unit {u.id}")
        n = _normal(u)
        duct = 0
        if u.intake == "ceiling_plenum":
            if not cpl:
                raise ValueError(f"{u.id}: ceiling_plenum intake without a ceiling plenum")
            duct = solid(Box(*bx, hu, H), f"return duct of {u.id}")
            if u.running:
                g.holes.append(Box(*bx, H, H + t))  # duct mouth in the ceiling
        if rf:
            if u.discharge == "underfloor" and u.running:
                g.holes.append(Box(*bx, -t, 0.0))  # the unit blows down through its footprint
            else:
                solid(Box(*bx, -t, 0.0), f"floor under unit {u.id}")
        info = dict(id=u.id, name=u.name, kind=u.kind, running=u.running, airflow_m3s=u.airflow_m3s,
                    supply_set_c=u.supply_temp_c, capacity_kw=u.capacity_kw, discharge=u.discharge,
                    intake=u.intake, patch_sup=None, patch_ret=None)
        g.units.append(info)
        if not u.running:
            continue
        q = u.airflow_m3s
        wfront = u.width_m
        split = (2.0 / 3.0) * hu
        g.zs.append(split)
        if u.discharge == "front":
            ztop = hu if u.kind == "inrow" else split
            sup = Opening(f"u{j:02d}_sup", lab, _neg(n), 0.0, ztop, wfront * ztop, q, True)
        elif u.discharge == "underfloor":
            sup = Opening(f"u{j:02d}_sup", lab, (0, 0, 1), -1.0, 0.0, u.width_m * u.depth_m, q, True)
        else:  # top
            sup = Opening(f"u{j:02d}_sup", lab, (0, 0, -1), hu, hu, u.width_m * u.depth_m, q, True)
        if u.intake == "top":
            ret = Opening(f"u{j:02d}_ret", lab, (0, 0, -1), hu, hu, u.width_m * u.depth_m, q, False)
        elif u.intake == "rear":
            ret = Opening(f"u{j:02d}_ret", lab, n, 0.0, hu, wfront * hu, q, False)
        elif u.intake == "front":
            ret = Opening(f"u{j:02d}_ret", lab, _neg(n), split, hu, wfront * (hu - split), q, False)
        else:  # ceiling_plenum: out of the plenum through the duct mouth at z = H
            ret = Opening(f"u{j:02d}_ret", duct, (0, 0, -1), H, H, u.width_m * u.depth_m, q, False)
        if sup.solid == ret.solid and sup.normal == ret.normal and sup.z0 < ret.z1 and ret.z0 < sup.z1:
            raise ValueError(f"{u.id}: discharge and intake on the same face")
        g.openings += [sup, ret]
        info["patch_sup"], info["patch_ret"] = sup.name, ret.name

    for n_c, c in enumerate(hall.containments):
        px = [p[0] for p in c.polygon]
        py = [p[1] for p in c.polygon]
        cx0, cx1, cy0, cy1 = min(px), max(px), min(py), max(py)
        if len(c.polygon) != 4 or any(
                not (min(abs(qx - cx0), abs(qx - cx1)) < EPS and min(abs(qy - cy0), abs(qy - cy1)) < EPS)
                for qx, qy in c.polygon):
            raise ValueError(f"{c.id}: only rectangular, axis-aligned containments are supported")
        k = k_leak(c.leak_area_m2_per_m2)
        zone = f"cont{n_c}"
        if c.top == "ceiling":
            top = H
        elif c.height_m is not None:
            top = c.height_m
        else:  # the height of the racks that line it
            lining = [r.outer_height_m() for r in hall.racks if _touches(_bbox(r), (cx0, cx1, cy0, cy1))]
            if not lining:
                raise ValueError(f"{c.id}: roof height None but no rack lines the containment")
            top = max(lining)
        ztop = top if c.top == "ceiling" else top + t
        # a shell of thickness t outside the polygon: four walls (in bands of about 1 m of
        # height, since the stack effect changes the pressure difference with height) and,
        # for a roof, the lid
        band = (1e9, 1e9, 1.0)
        vg = v_at(k, 5.0)
        porous(Box(cx0 - t, cx0, cy0 - t, cy1 + t, 0.0, ztop), f"{zone}_xlo", k, band, vg)
        porous(Box(cx1, cx1 + t, cy0 - t, cy1 + t, 0.0, ztop), f"{zone}_xhi", k, band, vg)
        porous(Box(cx0, cx1, cy0 - t, cy0, 0.0, ztop), f"{zone}_ylo", k, band, vg)
        porous(Box(cx0, cx1, cy1, cy1 + t, 0.0, ztop), f"{zone}_yhi", k, band, vg)
        if c.top == "roof":
            porous(Box(cx0, cx1, cy0, cy1, top, top + t), f"{zone}_roof", k, (2.0, 2.0, 1e9), vg)
    return g


def _touches(a, b) -> bool:
    """Two plan rectangles (x0, x1, y0, y1) share part of an edge (touch without overlapping)."""
    ox = min(a[1], b[1]) - max(a[0], b[0])
    oy = min(a[3], b[3]) - max(a[2], b[2])
    return (abs(ox) < EPS and oy > EPS) or (abs(oy) < EPS and ox > EPS)


def grid_lines(lines: list[float], cell: float, lo: float, hi: float) -> np.ndarray:
    """Every feature line within [lo, hi], each gap split into equal cells no longer than ``cell``."""
    pts = sorted({round(v, 9) for v in lines if lo - EPS <= v <= hi + EPS})
    out = [pts[0]]
    for a, b in zip(pts, pts[1:], strict=False):
        if b - a < 1e-6:
            continue
        n = max(1, math.ceil((b - a) / cell - 1e-6))
        out += list(np.linspace(a, b, n + 1)[1:])
    return np.array(out)


@dataclass
class Mesh:
    points: np.ndarray
    faces: np.ndarray  # (nFaces, 4) point labels
    owner: np.ndarray
    neighbour: np.ndarray  # internal faces only
    patches: list[tuple[str, str, int, int]]  # (name, type, nFaces, startFace)
    zones: dict[str, np.ndarray]
    n_cells: int
    patch_area: dict[str, float]
    zone_k: dict[str, float]
    zone_info: dict[str, dict]  # per zone: axis, v_guess, and arrays for measuring flow and dp
    xs: np.ndarray
    ys: np.ndarray
    zs: np.ndarray
    ijk: np.ndarray  # (n_cells, 3) grid indices of each cell


def _box_mask(box: Box, xc, yc, zc) -> np.ndarray:
    mx = (xc > box.x0) & (xc < box.x1)
    my = (yc > box.y0) & (yc < box.y1)
    mz = (zc > box.z0) & (zc < box.z1)
    return mx[:, None, None] & my[None, :, None] & mz[None, None, :]


def build_mesh(g: Geometry, cell: float) -> Mesh:
    xs = grid_lines(g.xs, cell, min(g.xs), max(g.xs))
    ys = grid_lines(g.ys, cell, min(g.ys), max(g.ys))
    zs = grid_lines(g.zs, cell, min(g.zs), max(g.zs))
    nx, ny, nz = len(xs) - 1, len(ys) - 1, len(zs) - 1
    xc, yc, zc = (xs[1:] + xs[:-1]) / 2, (ys[1:] + ys[:-1]) / 2, (zs[1:] + zs[:-1]) / 2
    solid = np.zeros((nx, ny, nz), dtype=np.int32)
    zone = np.zeros((nx, ny, nz), dtype=np.int32)
    zone_names = [""]
    zone_k: dict[str, float] = {}
    zone_el: list[Element | None] = [None]
    for el in g.porous:
        m = _box_mask(el.box, xc, yc, zc)
        # split into blocks of at most el.split by cell centre
        b = el.box
        keys = np.zeros(m.shape, dtype=np.int64)
        for ax, (cc, lo, sp) in enumerate(((xc, b.x0, el.split[0]), (yc, b.y0, el.split[1]), (zc, b.z0, el.split[2]))):
            ext = (b.x1 - b.x0, b.y1 - b.y0, b.z1 - b.z0)[ax]
            nb = max(1, math.ceil(ext / sp - 1e-6))
            idx = np.clip(((cc - lo) / (ext / nb)).astype(np.int64), 0, nb - 1)
            shp = [1, 1, 1]
            shp[ax] = -1
            keys = keys * 100 + idx.reshape(shp)
        for key in np.unique(keys[m]):
            sub = m & (keys == key)
            many = len(np.unique(keys[m])) > 1
            zname = f"{el.name}_b{key:06d}" if many else el.name
            zone_names.append(zname)
            zone_k[zname] = el.k
            zone_el.append(el)
            zone[sub] = len(zone_names) - 1
    for box in g.holes:
        zone[_box_mask(box, xc, yc, zc)] = 0
    for lab, box in enumerate(g.solids, start=1):
        m = _box_mask(box, xc, yc, zc)
        if np.any(solid[m]):
            raise ValueError(f"solid {g.solid_names[lab - 1]} overlaps another solid")
        solid[m] = lab
    zone[solid > 0] = 0

    fluid = solid == 0
    cid = np.full(nx * ny * nz, -1, dtype=np.int64)
    ff = fluid.ravel(order="F")
    n_cells = int(ff.sum())
    cid[ff] = np.arange(n_cells)
    cid = cid.reshape((nx, ny, nz), order="F")

    def node(i, j, k):
        return i + (nx + 1) * (j + (ny + 1) * k)

    int_o, int_n, int_f, int_ax = [], [], [], []
    bnd_o, bnd_f, bnd_solid, bnd_normal, bnd_zc, bnd_area = [], [], [], [], [], []
    for axis in range(3):
        shape = [nx, ny, nz]
        pad_c = np.full([s + 2 if a == axis else s for a, s in enumerate(shape)], -1, dtype=np.int64)
        pad_s = np.full(pad_c.shape, -1, dtype=np.int32)
        sl = tuple(slice(1, -1) if a == axis else slice(None) for a in range(3))
        pad_c[sl] = cid
        pad_s[sl] = solid
        lo_sl = tuple(slice(0, -1) if a == axis else slice(None) for a in range(3))
        hi_sl = tuple(slice(1, None) if a == axis else slice(None) for a in range(3))
        lo_c, hi_c = pad_c[lo_sl], pad_c[hi_sl]
        lo_s, hi_s = pad_s[lo_sl], pad_s[hi_sl]
        # plane index p along axis, the two other indices as in the grid
        P = np.indices(lo_c.shape)
        i, j, k = P[0], P[1], P[2]
        if axis == 0:  # normal +x: (j,k) (j+1,k) (j+1,k+1) (j,k+1)
            quad = np.stack([node(i, j, k), node(i, j + 1, k), node(i, j + 1, k + 1), node(i, j, k + 1)], -1)
            area = (ys[j + 1] - ys[j]) * (zs[k + 1] - zs[k])
            fzc = (zs[k] + zs[k + 1]) / 2
        elif axis == 1:  # normal +y: (i,k) (i,k+1) (i+1,k+1) (i+1,k)
            quad = np.stack([node(i, j, k), node(i, j, k + 1), node(i + 1, j, k + 1), node(i + 1, j, k)], -1)
            area = (xs[i + 1] - xs[i]) * (zs[k + 1] - zs[k])
            fzc = (zs[k] + zs[k + 1]) / 2
        else:  # normal +z: (i,j) (i+1,j) (i+1,j+1) (i,j+1)
            quad = np.stack([node(i, j, k), node(i + 1, j, k), node(i + 1, j + 1, k), node(i, j + 1, k)], -1)
            area = (xs[i + 1] - xs[i]) * (ys[j + 1] - ys[j])
            fzc = zs[k]
        internal = (lo_c >= 0) & (hi_c >= 0)
        int_o.append(lo_c[internal])
        int_n.append(hi_c[internal])
        int_f.append(quad[internal])
        int_ax.append(np.full(int(internal.sum()), axis, dtype=np.int8))
        for fl_low in (True, False):
            m = (lo_c >= 0) & (hi_c < 0) if fl_low else (lo_c < 0) & (hi_c >= 0)
            q = quad[m]
            if not fl_low:
                q = q[:, ::-1]
            bnd_f.append(q)
            bnd_o.append(lo_c[m] if fl_low else hi_c[m])
            bnd_solid.append(hi_s[m] if fl_low else lo_s[m])
            nrm = np.zeros(3, dtype=np.int8)
            nrm[axis] = 1 if fl_low else -1
            bnd_normal.append(np.tile(nrm, (int(m.sum()), 1)))
            bnd_zc.append(np.broadcast_to(fzc, m.shape)[m])
            bnd_area.append(np.broadcast_to(area, m.shape)[m])
    own_i = np.concatenate(int_o)
    nei_i = np.concatenate(int_n)
    fac_i = np.concatenate(int_f)
    int_axis = np.concatenate(int_ax)
    order = np.lexsort((nei_i, own_i))
    own_i, nei_i, fac_i, int_axis = own_i[order], nei_i[order], fac_i[order], int_axis[order]
    own_b = np.concatenate(bnd_o)
    fac_b = np.concatenate(bnd_f)
    sol_b = np.concatenate(bnd_solid)
    nrm_b = np.concatenate(bnd_normal)
    zc_b = np.concatenate(bnd_zc)
    area_b = np.concatenate(bnd_area)

    names = ["walls"] + [o.name for o in g.openings]
    pid = np.zeros(len(own_b), dtype=np.int32)
    for n_o, o in enumerate(g.openings, start=1):
        m = (sol_b == o.solid) & np.all(nrm_b == np.array(o.normal), axis=1)
        m &= (zc_b > o.z0 - EPS) & (zc_b < o.z1 + EPS)
        if np.any(pid[m] != 0):
            raise ValueError(f"patch {o.name} overlaps another opening")
        pid[m] = n_o
    patch_area = {nm: float(area_b[pid == n].sum()) for n, nm in enumerate(names)}
    for o in g.openings:
        if abs(patch_area[o.name] - o.area) > 1e-6 * max(1.0, o.area):
            raise ValueError(f"patch {o.name}: mesh area {patch_area[o.name]:.6f} m2, item face {o.area:.6f} m2; "
                             "the grid does not follow the item")
    order_b = np.argsort(pid, kind="stable")
    own_b, fac_b, pid = own_b[order_b], fac_b[order_b], pid[order_b]

    faces = np.concatenate([fac_i, fac_b])
    owner = np.concatenate([own_i, own_b])
    used, inv = np.unique(faces, return_inverse=True)
    faces = inv.reshape(faces.shape)
    ii = used % (nx + 1)
    jj = (used // (nx + 1)) % (ny + 1)
    kk = used // ((nx + 1) * (ny + 1))
    points = np.stack([xs[ii], ys[jj], zs[kk]], -1)
    patches = []
    start = len(own_i)
    for n, nm in enumerate(names):
        cnt = int((pid == n).sum())
        patches.append((nm, "wall" if nm == "walls" else "patch", cnt, start))
        start += cnt
    zones = {}
    zone_info = {}
    zf = zone.ravel(order="F")[ff]
    ijk = np.stack(np.nonzero(fluid.transpose(2, 1, 0))[::-1], -1)  # fluid cells in label order
    widths = (np.diff(xs), np.diff(ys), np.diff(zs))
    for zi, zn in enumerate(zone_names):
        if not zi:
            continue
        cells = np.nonzero(zf == zi)[0]
        if not len(cells):
            zone_k.pop(zn)
            continue
        zones[zn] = cells
        ax = zone_el[zi].axis
        # faces inside the layer, across it: the flow through the element (owner is the low side)
        fm = (int_axis == ax) & (zf[own_i] == zi) & (zf[nei_i] == zi)
        fidx = np.nonzero(fm)[0]
        # open cells on either side of the layer, weighted by their face area, for its pressure drop
        others = [a for a in range(3) if a != ax]
        sides = []
        for step in (-1, 1):
            nb = ijk[cells].copy()
            nb[:, ax] += step
            ok = (nb[:, ax] >= 0) & (nb[:, ax] < (nx, ny, nz)[ax])
            nbc = np.full(len(cells), -1)
            nbc[ok] = cid[nb[ok, 0], nb[ok, 1], nb[ok, 2]]
            ok &= nbc >= 0
            ok[ok] &= zf[nbc[ok]] == 0
            w = widths[others[0]][ijk[cells, others[0]]] * widths[others[1]][ijk[cells, others[1]]]
            sides.append((nbc[ok], w[ok]))
        fa = widths[others[0]][ijk[own_i[fidx], others[0]]] * widths[others[1]][ijk[own_i[fidx], others[1]]]
        zone_info[zn] = dict(axis=ax, v_guess=zone_el[zi].v_guess, element=zone_el[zi].name,
                             faces=fidx, face_area=fa, n_planes=LAYER_CELLS - 1,
                             lo_cells=sides[0][0], lo_w=sides[0][1], hi_cells=sides[1][0], hi_w=sides[1][1],
                             area=float(fa.sum()) / max(1, LAYER_CELLS - 1))
    return Mesh(points, faces, owner, nei_i, patches, zones, n_cells, patch_area, zone_k, zone_info,
                xs, ys, zs, ijk)


# -- writing ----------------------------------------------------------------------------------

def _header(cls: str, obj: str, location: str = "", note: str = "") -> str:
    loc = f'    location    "{location}";\n' if location else ""
    nt = f'    note        "{note}";\n' if note else ""
    return ("FoamFile\n{\n    version     2.0;\n    format      ascii;\n"
            f"    class       {cls};\n{nt}{loc}    object      {obj};\n}}\n\n")


def _write_list(path: Path, header: str, rows: list[str] | np.ndarray) -> None:
    with open(path, "w") as fh:
        fh.write(header)
        fh.write(f"{len(rows)}\n(\n")
        fh.write("\n".join(rows))
        fh.write("\n)\n")


def write_polymesh(case: Path, m: Mesh) -> None:
    d = case / "constant" / "polyMesh"
    d.mkdir(parents=True, exist_ok=True)
    note = (f"nPoints:{len(m.points)} nCells:{m.n_cells} nFaces:{len(m.faces)} "
            f"nInternalFaces:{len(m.neighbour)}")
    _write_list(d / "points", _header("vectorField", "points", "constant/polyMesh"),
                [f"({x:.17g} {y:.17g} {z:.17g})" for x, y, z in m.points])
    _write_list(d / "faces", _header("faceList", "faces", "constant/polyMesh"),
                [f"4({a} {b} {c} {e})" for a, b, c, e in m.faces])
    _write_list(d / "owner", _header("labelList", "owner", "constant/polyMesh", note), [str(v) for v in m.owner])
    _write_list(d / "neighbour", _header("labelList", "neighbour", "constant/polyMesh", note),
                [str(v) for v in m.neighbour])
    with open(d / "boundary", "w") as fh:
        fh.write(_header("polyBoundaryMesh", "boundary", "constant/polyMesh"))
        fh.write(f"{len(m.patches)}\n(\n")
        for name, typ, n, start in m.patches:
            grp = "\n        inGroups        List<word> 1(wall);" if typ == "wall" else ""
            fh.write(f"    {name}\n    {{\n        type            {typ};{grp}\n"
                     f"        nFaces          {n};\n        startFace       {start};\n    }}\n")
        fh.write(")\n")
    with open(d / "cellZones", "w") as fh:
        fh.write(_header("regIOobject", "cellZones", "constant/polyMesh"))
        fh.write(f"{len(m.zones)}\n(\n")
        for name, cells in m.zones.items():
            fh.write(f"{name}\n{{\n    type cellZone;\ncellLabels      List<label> {len(cells)}\n(\n")
            fh.write("\n".join(str(c) for c in cells))
            fh.write("\n)\n;\n}\n")
        fh.write(")\n")


def _turb_inlet(v: float, area: float) -> tuple[float, float]:
    """k and epsilon of an opening: 5 % intensity, mixing length 0.07 x hydraulic size."""
    k = 1.5 * (TURB_INTENSITY * v) ** 2
    lm = 0.07 * math.sqrt(area)
    eps = 0.09 ** 0.75 * k ** 1.5 / lm
    return k, eps


def _field(name: str, cls: str, dims: str, internal: str, patches: dict[str, str]) -> str:
    body = "".join(f"    {p}\n    {{\n{txt}    }}\n" for p, txt in patches.items())
    return (_header(cls, name, "0") + f"dimensions      {dims};\n\ninternalField   {internal};\n\n"
            f"boundaryField\n{{\n{body}}}\n")


def write_fields(case: Path, g: Geometry, t_ref_c: float, t_rack_out: dict[str, float],
                 t_unit_sup: dict[str, float]) -> None:
    d = case / "0"
    d.mkdir(parents=True, exist_ok=True)
    U, T, k, eps, nut, alphat, p, prgh = ({} for _ in range(8))
    w = "walls"
    U[w] = "        type            noSlip;\n"
    T[w] = "        type            zeroGradient;\n"
    k[w] = "        type            kqRWallFunction;\n        value           uniform 1e-4;\n"
    eps[w] = "        type            epsilonWallFunction;\n        value           uniform 1e-4;\n"
    nut[w] = "        type            nutkWallFunction;\n        value           uniform 0;\n"
    alphat[w] = (f"        type            alphatJayatillekeWallFunction;\n        Prt             {PRT};\n"
                 "        value           uniform 0;\n")
    p[w] = "        type            calculated;\n        value           uniform 0;\n"
    prgh[w] = "        type            fixedFluxPressure;\n        rho             rhok;\n        value           uniform 0;\n"
    for o in g.openings:
        v = o.flow_m3s / o.area
        vec = np.array(o.normal, dtype=float) * v * (-1.0 if o.inflow else 1.0)
        uv = f"uniform ({vec[0]:.17g} {vec[1]:.17g} {vec[2]:.17g})"
        if o.inflow:
            U[o.name] = f"        type            fixedValue;\n        value           {uv};\n"
        else:
            # an intake: the normal velocity is fixed (the fans' flow) and the air keeps its tangential
            # velocity as it leaves (slip), so the momentum it carries along the face leaves with it.
            # With fixedValue (normal only) the leaving air would carry no tangential momentum and the
            # cells in front of the face accelerate along it (5-11 m/s corner jets next to 2 m/s
            # openings in the 2026-12-04 runs; EXPERIMENTS.md section 11)
            if os.environ.get("DHD_OUTLET_BC") == "flowRate":  # experiment log section 11 (not used)
                U[o.name] = (f"        type            flowRateOutletVelocity;\n        volumetricFlowRate constant "
                             f"{o.flow_m3s:.17g};\n        value           {uv};\n")
            else:
                U[o.name] = (f"        type            fixedNormalSlip;\n        fixedValue      {uv};\n"
                             f"        value           {uv};\n")
        p[o.name] = p[w]
        prgh[o.name] = prgh[w]
        nut[o.name] = "        type            calculated;\n        value           uniform 0;\n"
        alphat[o.name] = nut[o.name]
        if o.inflow:
            tk = t_rack_out.get(o.name, t_unit_sup.get(o.name))
            T[o.name] = f"        type            fixedValue;\n        value           uniform {tk + K0:.6f};\n"
            kk, ee = _turb_inlet(v, o.area)
            k[o.name] = f"        type            fixedValue;\n        value           uniform {kk:.6g};\n"
            eps[o.name] = f"        type            fixedValue;\n        value           uniform {ee:.6g};\n"
        else:
            T[o.name] = "        type            zeroGradient;\n"
            k[o.name] = "        type            zeroGradient;\n"
            eps[o.name] = "        type            zeroGradient;\n"
    t0 = f"uniform {t_ref_c + K0:.6f}"
    (d / "U").write_text(_field("U", "volVectorField", "[0 1 -1 0 0 0 0]", "uniform (0 0 0)", U))
    (d / "T").write_text(_field("T", "volScalarField", "[0 0 0 1 0 0 0]", t0, T))
    (d / "k").write_text(_field("k", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 1e-4", k))
    (d / "epsilon").write_text(_field("epsilon", "volScalarField", "[0 2 -3 0 0 0 0]", "uniform 1e-4", eps))
    (d / "nut").write_text(_field("nut", "volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0", nut))
    (d / "alphat").write_text(_field("alphat", "volScalarField", "[0 2 -1 0 0 0 0]", "uniform 0", alphat))
    (d / "p").write_text(_field("p", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0", p))
    (d / "p_rgh").write_text(_field("p_rgh", "volScalarField", "[0 2 -2 0 0 0 0]", "uniform 0", prgh))


def write_constant(case: Path, t_ref_c: float, m: Mesh) -> None:
    d = case / "constant"
    (d / "g").write_text(_header("uniformDimensionedVectorField", "g", "constant")
                         + f"dimensions      [0 1 -2 0 0 0 0];\nvalue           (0 0 {-G});\n")
    (d / "transportProperties").write_text(
        _header("dictionary", "transportProperties", "constant")
        + f"transportModel  Newtonian;\n\nnu              {NU};\n\nbeta            {BETA};\n\n"
        f"TRef            {t_ref_c + K0:.6f};\n\nPr              {PR};\n\nPrt             {PRT};\n")
    (d / "turbulenceProperties").write_text(
        _header("dictionary", "turbulenceProperties", "constant")
        + "simulationType  RAS;\n\nRAS\n{\n    RASModel        kEpsilon;\n    turbulence      on;\n"
        "    printCoeffs     on;\n}\n")


def initial_darcy(k: float, v: float) -> float:
    """Darcy coefficient (1/m2) whose linear loss over a layer matches K rho v^2 / 2 at velocity v.

    ``LAYER_SEEN`` is the share of the layer's thickness the discretised resistance acts over
    (measured: about 0.76 with 2 cells); run_case.py corrects every zone from its own measured
    flow and pressure drop, so this is only a starting value.
    """
    return k * max(v, 1e-4) / (2.0 * NU * LAYER_T * LAYER_SEEN)


def write_fvoptions(case: Path, darcy: dict[str, float]) -> None:
    """Linear (Darcy) resistance per zone: dp / thickness = nu D v, isotropic, implicit."""
    opts = []
    for zn, dval in darcy.items():
        opts.append(f"{zn}\n{{\n    type            explicitPorositySource;\n    active          yes;\n"
                    f"    explicitPorositySourceCoeffs\n    {{\n        selectionMode   cellZone;\n"
                    f"        cellZone        {zn};\n        type            DarcyForchheimer;\n"
                    f"        d   ({dval:.9g} {dval:.9g} {dval:.9g});\n        f   (0 0 0);\n"
                    "        coordinateSystem\n        {\n            origin  (0 0 0);\n"
                    "            rotation\n            {\n                type    none;\n            }\n"
                    "        }\n    }\n}\n\n")
    (case / "constant" / "fvOptions").write_text(_header("dictionary", "fvOptions", "constant") + "".join(opts))


RELAX = dict(U=0.3, p_rgh=0.7, T=0.5, turb=0.5)
"""SIMPLE under-relaxation (the hotRoom tutorial's values)."""
PIMPLE_OUTER = 1
"""Outer correctors per time step of the transient runs (run_case.py --outer)."""


def write_system(case: Path, g: Geometry, chunk: float, ref_cell: int, dt: float | None = None) -> None:
    """controlDict, fvSchemes, fvSolution. ``dt`` None: steady SIMPLE, ``chunk`` iterations per
    run; else transient PIMPLE with time step ``dt`` s and ``chunk`` seconds per run."""
    d = case / "system"
    d.mkdir(parents=True, exist_ok=True)
    transient = dt is not None
    fos = []
    for o in g.openings:
        if o.inflow:
            continue
        for op in ("areaAverage", "max") if o.name.startswith("r") else ("areaAverage",):
            fos.append(f"    {o.name}_{op}\n    {{\n        type            surfaceFieldValue;\n"
                       "        libs            (\"libfieldFunctionObjects.so\");\n"
                       f"        writeControl    timeStep;\n        writeInterval   {5 if transient else 10};\n"
                       "        log             false;\n"
                       "        writeFields     false;\n        regionType      patch;\n"
                       f"        name            {o.name};\n        operation       {op};\n"
                       "        fields          (T);\n    }\n")
    if transient:
        # the time-mean field over the averaging window (run_case.py resets it when averaging starts)
        fos.append("    timeMean\n    {\n        type            fieldAverage;\n"
                   "        libs            (\"libfieldFunctionObjects.so\");\n"
                   "        writeControl    writeTime;\n        restartOnRestart false;\n"
                   "        fields\n        (\n            T { mean on; prime2Mean off; base time; }\n"
                   "            U { mean on; prime2Mean off; base time; }\n        );\n    }\n")
    app = "buoyantBoussinesqPimpleFoam" if transient else "buoyantBoussinesqSimpleFoam"
    step = f"{dt:g}" if transient else "1"
    (d / "controlDict").write_text(
        _header("dictionary", "controlDict", "system")
        + f"application     {app};\n\nstartFrom       latestTime;\n\nstartTime       0;\n\n"
        f"stopAt          endTime;\n\nendTime         {chunk:g};\n\ndeltaT          {step};\n\n"
        f"writeControl    {'runTime' if transient else 'timeStep'};\n\nwriteInterval   {chunk:g};\n\n"
        "purgeWrite      0;\n\n"
        "writeFormat     binary;\n\nwritePrecision  10;\n\nwriteCompression off;\n\n"
        "timeFormat      general;\n\ntimePrecision   8;\n\nrunTimeModifiable true;\n\n"
        "adjustTimeStep  no;\n\n"
        "functions\n{\n" + "".join(fos) + "}\n")
    (d / "fvSchemes").write_text(
        _header("dictionary", "fvSchemes", "system")
        + f"ddtSchemes\n{{\n    default         {'Euler' if transient else 'steadyState'};\n}}\n\n"
        "gradSchemes\n{\n    default         Gauss linear;\n    grad(U)         cellLimited Gauss linear 1;\n}\n\n"
        "divSchemes\n{\n    default         none;\n"
        f"    div(phi,U)      {'' if transient else 'bounded '}Gauss linearUpwind grad(U);\n"
        f"    div(phi,T)      {'' if transient else 'bounded '}Gauss limitedLinear 1;\n"
        f"    div(phi,k)      {'' if transient else 'bounded '}Gauss upwind;\n"
        f"    div(phi,epsilon) {'' if transient else 'bounded '}Gauss upwind;\n"
        "    div((nuEff*dev2(T(grad(U))))) Gauss linear;\n}\n\n"
        "laplacianSchemes\n{\n    default         Gauss linear corrected;\n}\n\n"
        "interpolationSchemes\n{\n    default         linear;\n}\n\n"
        "snGradSchemes\n{\n    default         corrected;\n}\n")
    solvers = ("solvers\n{\n    p_rgh\n    {\n        solver          GAMG;\n        smoother        GaussSeidel;\n"
               "        tolerance       1e-8;\n        relTol          0.05;\n    }\n"
               "    \"(U|T|k|epsilon)\"\n    {\n        solver          smoothSolver;\n        smoother        symGaussSeidel;\n"
               "        tolerance       1e-8;\n        relTol          0.1;\n        maxIter         50;\n    }\n")
    if transient:
        solvers += ("    p_rghFinal\n    {\n        $p_rgh;\n        relTol          0.005;\n    }\n"
                    "    \"(U|T|k|epsilon)Final\"\n    {\n        $U;\n        tolerance       1e-7;\n"
                    "        relTol          0;\n    }\n")
        algo = ("PIMPLE\n{\n    momentumPredictor yes;\n"
                f"    nOuterCorrectors {PIMPLE_OUTER};\n    nCorrectors     2;\n    nNonOrthogonalCorrectors 0;\n"
                f"    pRefCell        {ref_cell};\n    pRefValue       0;\n}}\n\n"
                "relaxationFactors\n{\n    fields\n    {\n        p_rgh           0.7;\n        p_rghFinal      1;\n    }\n"
                "    equations\n    {\n        \"(U|T|k|epsilon)\"   0.7;\n        \".*Final\"   1;\n    }\n}\n")
    else:
        algo = ("SIMPLE\n{\n    momentumPredictor yes;\n    nNonOrthogonalCorrectors 0;\n"
                f"    pRefCell        {ref_cell};\n    pRefValue       0;\n}}\n\n"
                f"relaxationFactors\n{{\n    fields\n    {{\n        p_rgh           {RELAX['p_rgh']};\n    }}\n"
                f"    equations\n    {{\n        U               {RELAX['U']};\n        T               {RELAX['T']};\n"
                f"        \"(k|epsilon)\"   {RELAX['turb']};\n    }}\n}}\n")
    (d / "fvSolution").write_text(_header("dictionary", "fvSolution", "system") + solvers + "}\n\n" + algo)


def build(project_file: Path, case: Path, cell: float, chunk: float = 100,
          t_rack_out: dict[str, float] | None = None, t_unit_sup: dict[str, float] | None = None,
          darcy: dict[str, float] | None = None, dt: float | None = None) -> dict:
    """Write the OpenFOAM case for ``project_file`` into ``case`` (replaced if it exists)."""
    project = load(project_file)
    if len(project.sites) != 1:
        raise ValueError("a reference case has exactly one site")
    hall = project.sites[0].hall
    g = geometry(hall)
    m = build_mesh(g, cell)
    if case.exists():
        shutil.rmtree(case)
    case.mkdir(parents=True)
    running = [u for u in g.units if u["running"]]
    t_ref = sum(u["supply_set_c"] for u in running) / len(running)
    t_rack_out = dict(t_rack_out or {})
    for r in g.racks:
        t_rack_out.setdefault(r["patch_out"], t_ref + r["delta_t_k"])
    t_unit_sup = dict(t_unit_sup or {})
    for u in running:
        t_unit_sup.setdefault(u["patch_sup"], u["supply_set_c"])
    write_polymesh(case, m)
    write_constant(case, t_ref, m)
    d0 = {zn: (darcy or {}).get(zn, initial_darcy(m.zone_k[zn], m.zone_info[zn]["v_guess"])) for zn in m.zone_k}
    write_fvoptions(case, d0)
    write_system(case, g, chunk, 0, dt)  # the pressure level is arbitrary in a closed room
    write_fields(case, g, t_ref, t_rack_out, t_unit_sup)
    meta = dict(
        project_file=str(project_file), cell_m=cell, layer_t_m=LAYER_T, n_cells=m.n_cells,
        transient=dt is not None, dt_s=dt,
        grid=dict(nx=len(m.xs) - 1, ny=len(m.ys) - 1, nz=len(m.zs) - 1,
                  dx_max=float(np.diff(m.xs).max()), dy_max=float(np.diff(m.ys).max()),
                  dz_max=float(np.diff(m.zs).max()), d_min=float(min(np.diff(m.xs).min(), np.diff(m.ys).min(),
                                                                     np.diff(m.zs).min()))),
        t_ref_c=t_ref, rho=RHO, cp=CP, beta=BETA, nu=NU,
        racks=g.racks, units=g.units,
        openings=[asdict(o) for o in g.openings],
        patch_area=m.patch_area, n_internal_faces=int(len(m.neighbour)),
        zones={z: dict(k=m.zone_k[z], cells=int(len(c)), axis=m.zone_info[z]["axis"],
                       element=m.zone_info[z]["element"], area_m2=m.zone_info[z]["area"],
                       v_guess=m.zone_info[z]["v_guess"],
                       darcy=d0[z])
               for z, c in m.zones.items()},
        t_rack_out=t_rack_out, t_unit_sup=t_unit_sup,
    )
    (case / "case.json").write_text(json.dumps(meta, indent=1))
    np.savez_compressed(case / "grid.npz", xs=m.xs, ys=m.ys, zs=m.zs, ijk=m.ijk.astype(np.int32))
    arrays = {}
    nb_int = len(m.neighbour)
    for name, _typ, n, start in m.patches:
        if name != "walls":  # the cell next to each face (zeroGradient outlets take its value)
            arrays[f"patch:{name}:cells"] = m.owner[start:start + n]
            f = m.points[m.faces[start:start + n]]
            arrays[f"patch:{name}:area"] = np.linalg.norm(np.cross(f[:, 1] - f[:, 0], f[:, 2] - f[:, 0]), axis=1)
    del nb_int
    for zn, zi in m.zone_info.items():
        for key in ("faces", "face_area", "lo_cells", "lo_w", "hi_cells", "hi_w"):
            arrays[f"{zn}:{key}"] = zi[key]
    np.savez_compressed(case / "zones.npz", **arrays)
    return meta


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("project", type=Path)
    ap.add_argument("case", type=Path)
    ap.add_argument("--cell", type=float, default=0.1, help="largest cell edge (m)")
    ap.add_argument("--chunk", type=int, default=100, help="iterations between coupling updates")
    a = ap.parse_args(argv)
    meta = build(a.project, a.case, a.cell, a.chunk)
    print(f"{a.case}: {meta['n_cells']} cells, grid {meta['grid']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
