"""Results step: raw arrays of one hall -> frozen results keyed by item id, and findings."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from designer.model import findings as fd
from designer.model.hall import Hall
from designer.solvers.air import validation
from designer.solvers.air.build import RHO_CP
from designer.solvers.air.engine import HallSolution
from designer.solvers.air.flow import Convergence
from designer.solvers.air.indices import (
    ASHRAE_CLASSES,
    AshraeClass,
    band,
    rci_grade,
    rci_hi,
    rci_lo,
    rti,
    shi,
)
from designer.solvers.air.sensors import sensor_readings

SOURCE = "air"

INLET_QUANTITY = "inlet_max_c"
"""The one inlet quantity the ASHRAE band and RCI are computed on: each rack's inlet maximum,
the hottest of three inlet sensors (bottom, middle, top of the front, each the width-average
of the air entering the face at its height; :mod:`.sensors`)."""

HEADLINE = ("Coarse-grid 3D model, not CFD: steady RANS with the indoor zero-equation turbulence model "
            "and buoyancy on a coarse staggered grid. " + validation.headline() + " Treat temperatures as "
            "indicative; bands and RCI use each rack's inlet max, the hottest of three inlet sensors (bottom, "
            "middle, top of the front). Use it to compare layouts and find hot spots; confirm a final design "
            "with CFD or measurements.")

ASSUMPTIONS = (
    "3D room: the hall outline extruded to its clear height; a raised floor and a ceiling plenum "
    "exist only where drawn. Walls, floor and ceiling are adiabatic. Grid: plan cells of the "
    "air cell size, layers no thicker than that, with a layer boundary at every rack, unit and "
    "containment height.",
    "Air: steady, incompressible, Boussinesq buoyancy (beta 3.4e-3 1/K about the mean supply "
    "temperature), turbulence by the indoor zero-equation model nu_t = 0.03874 |V| L (Chen and Xu "
    "1998), first-order upwind convection, turbulent Prandtl number 0.9.",
    "Racks are solid boxes to their height; air leaves the room uniformly over the front face at "
    "air-side load / (rho cp design dT) (less internal recirculation, more bypass) and returns over "
    "the rear face at the front-face mean plus the rise. Rear doors remove up to their capacity.",
    "Air units are solid boxes: front supply over the lower 2/3 of the face (CRAH) or all of it "
    "(in-row), underfloor or top; return at the top, rear, upper front or from the ceiling plenum. "
    "A unit holds its supply temperature up to its capacity, above it the supply rises; units not "
    "running move no air.",
    "Tiles and grilles: dp = K rho v^2 / 2 with Idelchik's perforated-plate K(open fraction). "
    "Containment panels, raised floor and ceiling leak through their leak area per m2 (orifice, "
    "Cd 0.61), independent of the grid.",
    "Equipment losses (UPS, PDU, CDU, transformers, switchboards) enter the room air as each item's "
    "heat_to_air_kw. Module and container walls are not modelled.",
    "Rack inlet: the mean is the area mean over the front face; the inlet max, which the ASHRAE bands and RCI "
    "use, is the hottest of three inlet sensors as ASHRAE TC 9.9 places them (bottom, middle and top of the "
    "front: 0.15 m above the floor, mid-height, 0.15 m below the rack's top), each the mean across the rack's "
    "width of the air entering the face at its height, interpolated between layers of cells. It is not the "
    "hottest cell (that rises as cells shrink), and a warm band between sensors can leave it below the mean.",
    "Cell size: a hall larger than the app's cell budget (15,000 cells) is solved on coarser cells, with a "
    "warning naming both sizes; a cell wider than half a rack's depth or than half the gap in front of or "
    "behind a rack gives no temperatures (an error finding).",
    *validation.paragraphs(),
)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class HeatMap:
    """A horizontal slice of the temperature field. Arrays are ``(ny, nx)``, row j along y."""

    x0: float
    y0: float
    cell_m: float
    nx: int
    ny: int
    temperature_c: np.ndarray
    """Air temperature per cell; NaN outside the hall and in solid cells (racks, units, ...)."""
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    speed_mps: np.ndarray
    t_min_c: float
    t_max_c: float
    z_m: float = 1.2
    """Height of the slice above the floor, m."""

    @property
    def extent(self) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` of the grid on the plan, m."""
        return (self.x0, self.y0, self.x0 + self.nx * self.cell_m, self.y0 + self.ny * self.cell_m)

    def at(self, x: float, y: float) -> float | None:
        """Temperature of the cell under a plan point, or None off the grid / in a solid."""
        i = int(np.floor((x - self.x0) / self.cell_m))
        j = int(np.floor((y - self.y0) / self.cell_m))
        if not (0 <= i < self.nx and 0 <= j < self.ny):
            return None
        t = float(self.temperature_c[j, i])
        return None if np.isnan(t) else t


@dataclass(frozen=True)
class Section:
    """A vertical section of the temperature field along a plan line.

    ``temperature_c[k, s]`` is the temperature at height ``z_m[k]`` and distance ``s_m[s]``
    along the line from its start; NaN in solids and outside the hall."""

    start: tuple[float, float]
    end: tuple[float, float]
    s_m: np.ndarray
    z_m: np.ndarray
    temperature_c: np.ndarray
    speed_mps: np.ndarray


@dataclass(frozen=True)
class AirField:
    """The 3D answer: temperatures and cell-centre velocities on the mesh, for slices and
    sections. Arrays are ``(nz, ny, nx)`` (layer, row along y, column along x), read-only."""

    x0: float
    y0: float
    cell_m: float
    z_faces_m: np.ndarray
    """Layer boundaries, m (z = 0 the floor; negative in a raised floor plenum)."""
    temperature_c: np.ndarray
    vx_mps: np.ndarray
    vy_mps: np.ndarray
    vz_mps: np.ndarray

    @property
    def z_centres_m(self) -> np.ndarray:
        return 0.5 * (self.z_faces_m[:-1] + self.z_faces_m[1:])

    def layer(self, z_m: float) -> int:
        """The layer holding height ``z_m`` (clamped to the mesh)."""
        k = int(np.searchsorted(self.z_faces_m, z_m, side="right") - 1)
        return min(max(k, 0), len(self.z_faces_m) - 2)

    def heat_map(self, z_m: float) -> HeatMap:
        """The horizontal slice through the layer holding ``z_m``."""
        k = self.layer(z_m)
        T = self.temperature_c[k]
        vx, vy = self.vx_mps[k], self.vy_mps[k]
        nan = np.isnan(T)
        fin = np.isfinite(T)
        ny, nx = T.shape
        return HeatMap(self.x0, self.y0, self.cell_m, nx, ny, _ro(T), _ro(np.where(nan, np.nan, vx)),
                       _ro(np.where(nan, np.nan, vy)), _ro(np.where(nan, np.nan, np.hypot(vx, vy))),
                       float(np.nanmin(T)) if fin.any() else float("nan"),
                       float(np.nanmax(T)) if fin.any() else float("nan"), float(z_m))

    def section(self, start: tuple[float, float], end: tuple[float, float], step_m: float | None = None) -> Section:
        """The vertical section under the plan line ``start`` -> ``end`` (nearest cell per
        sample, one sample every ``step_m``, default half a cell)."""
        step = step_m or 0.5 * self.cell_m
        (xa, ya), (xb, yb) = start, end
        length = float(np.hypot(xb - xa, yb - ya))
        n = max(int(np.ceil(length / step)), 1) + 1
        s = np.linspace(0.0, length, n)
        t = s / length if length > 0 else np.zeros(n)
        x = xa + (xb - xa) * t
        y = ya + (yb - ya) * t
        nz, ny, nx = self.temperature_c.shape
        i = np.floor((x - self.x0) / self.cell_m).astype(int)
        j = np.floor((y - self.y0) / self.cell_m).astype(int)
        ok = (i >= 0) & (i < nx) & (j >= 0) & (j < ny)
        T = np.full((nz, n), np.nan)
        V = np.full((nz, n), np.nan)
        T[:, ok] = self.temperature_c[:, j[ok], i[ok]]
        sp = np.sqrt(self.vx_mps ** 2 + self.vy_mps ** 2 + self.vz_mps ** 2)
        V[:, ok] = sp[:, j[ok], i[ok]]
        V[np.isnan(T)] = np.nan
        return Section((xa, ya), (xb, yb), _ro(s), _ro(self.z_centres_m), _ro(T), _ro(V))


@dataclass(frozen=True)
class RackAir:
    """One rack on the air side."""

    rack_id: str
    name: str
    heat_to_air_kw: float
    """Air-side load released to the room (after a rear door)."""
    airflow_m3s: float
    inlet_mean_c: float | None
    """Area-mean air temperature over the front face."""
    inlet_max_c: float | None
    """Inlet maximum: the hottest of the three inlet sensors (``inlet_sensors_c``), the quantity
    of the band and RCI. Not a bound on ``inlet_mean_c`` (see :mod:`.sensors`)."""
    exhaust_c: float | None
    """Temperature of the air it blows into the room (uniform over the rear face)."""
    band: str
    """ASHRAE band of ``inlet_max_c`` (see :data:`indices.BANDS`), or "n/a"."""
    blocked: bool
    rear_door_ids: tuple[str, ...] = ()
    inlet_sensors_c: tuple[float, ...] = ()
    """Bottom, middle and top inlet sensor readings (0.15 m above the floor, mid-height, 0.15 m
    below the rack's top; width-averages over the front face), degC; empty with no answer."""


@dataclass(frozen=True)
class UnitAir:
    """One air unit: room unit (CRAH, in-row) or rear door."""

    unit_id: str
    name: str
    kind: str
    capacity_kw: float
    load_kw: float
    utilisation: float | None
    """load / capacity (None when the capacity is zero)."""
    airflow_m3s: float
    supply_temp_c: float
    """Supply temperature it delivers: the set point, or higher when past its capacity."""
    return_temp_c: float | None
    rack_id: str | None = None
    running: bool = True
    set_point_c: float | None = None
    limited: bool = False
    """Its load reached the capacity and the supply rose above the set point."""


@dataclass(frozen=True)
class ContainmentAir:
    """Air balance of a contained aisle, m3/s."""

    containment_id: str
    kind: str
    rack_net_m3s: float
    """Rack exhaust minus rack intake inside the aisle."""
    plenum_m3s: float
    """Net flow out through tiles / grilles / ceiling into plenums (+) or in from them (-)."""
    spill_m3s: float
    """Net flow out through the panels (+) or sucked in through them (-)."""
    units_m3s: float = 0.0
    """Air units' supply minus intake inside the aisle."""


@dataclass(frozen=True)
class AirIndices:
    ashrae_class: str
    recommended_c: tuple[float, float]
    allowable_c: tuple[float, float]
    rci_hi: float | None
    rci_lo: float | None
    rti: float | None
    shi: float | None
    inlet_quantity: str = INLET_QUANTITY
    """Which rack inlet temperature RCI and the bands use."""


@dataclass(frozen=True)
class EnergyBalance:
    """Heat balance of the room air, kW: heat_in = removed_by_units + open_boundary + residual."""

    heat_in_kw: float
    removed_by_units_kw: float
    open_boundary_kw: float
    """Always 0 in the 3D model (closed, adiabatic room); kept for the report layout."""
    residual_kw: float
    lost_kw: float
    """Air-side heat with nowhere to go (racks with no air around them)."""


@dataclass(frozen=True)
class SiteAir:
    """The air-side answer for one site's hall."""

    site_id: str
    site_name: str
    solved: bool
    map: HeatMap | None
    """Slice at :data:`MAP_HEIGHT_M` (or lower in a low room)."""
    racks: Mapping[str, RackAir]
    units: Mapping[str, UnitAir]
    containments: Mapping[str, ContainmentAir]
    indices: AirIndices
    balance: EnergyBalance | None
    stats: Mapping[str, object]
    field: AirField | None = None
    """The 3D field: :meth:`AirField.heat_map` at any height, :meth:`AirField.section`."""
    convergence: Convergence | None = None
    """The march's changes step by step (None: no march, e.g. a grid too coarse)."""


@dataclass(frozen=True)
class AirResult:
    """The payload of the air analysis: per-site results plus the model's caveats."""

    headline: str
    assumptions: tuple[str, ...]
    cell_m: float
    sites: Mapping[str, SiteAir]
    pending: tuple[str, ...] = ()
    """Sites still being solved (a partial result the app shows while the air lane works:
    :meth:`designer.analysis.air.AirAnalysis.run`); empty in a finished result."""


def no_answer(sa: SiteAir) -> str | None:
    """Why a site has no temperatures, as one or two plain sentences (None when it has
    them): the app's Air dock and the report say the same."""
    if sa.solved:
        return None
    st = sa.stats
    if st.get("refused"):
        return f"No answer: {st['refused']}. No temperatures are given; see the findings."
    if st.get("solved"):  # it marched, but found no steady state
        why = st.get("failure") or f"still changing after {st.get('iterations')} steps"
        return (f"No answer: the air model did not reach a steady state ({why}). No temperatures are "
                "given; see the findings.")
    return "Not solved: no air unit moves air in this hall."


MAP_HEIGHT_M = 1.2
"""Default height of the plan heat map (mid-height of a usual rack's intake)."""


def _cell_velocity(U):
    vz = 0.5 * (U[0][:-1] + U[0][1:])
    vy = 0.5 * (U[1][:, :-1] + U[1][:, 1:])
    vx = 0.5 * (U[2][:, :, :-1] + U[2][:, :, 1:])
    return vx, vy, vz


def site_results(site_id: str, site_name: str, site_index: int, hall: Hall, sol: HallSolution,
                 ashrae_class: str) -> tuple[SiteAir, list[fd.Finding]]:
    """Turn a :class:`HallSolution` into :class:`SiteAir` and findings."""
    cls = ASHRAE_CLASSES.get(ashrae_class, ASHRAE_CLASSES["A1"])
    lay = sol.layout
    out: list[fd.Finding] = []
    where = f"in {site_name}"
    hp = f"sites[{site_index}].hall"
    ok = sol.solved and sol.converged
    refused = bool(sol.stats.get("refused"))
    if sol.solved and not sol.converged:
        out.append(fd.error("air.not_converged",
                            f"{site_name}: the air model did not reach a steady state in {sol.iterations} "
                            f"iterations ({sol.stats.get('failure') or 'still changing'}); no temperatures "
                            "are given for this site", "Check for odd geometry (racks or units facing walls, "
                            "sealed pockets), or try another air cell size", ids=(site_id,), source=SOURCE))
    pt = lay.ports
    nr = lay.n_racks
    Tf = sol.T.ravel() if ok else None
    outq = np.where(pt.q < 0, -pt.q, 0.0)
    t_item = sol.energy.t_item if ok else None

    # -- racks ------------------------------------------------------------------------------
    racks: dict[str, RackAir] = {}
    inlets, means, exhausts, flows = [], [], [], []
    layer_size = lay.mesh.plan.nx * lay.mesh.plan.ny
    z_cell = lay.mesh.zc
    heights = {r.id: r.outer_height_m() for r in hall.racks}
    for k, rid in enumerate(lay.rack_ids):
        q = float(lay.rack_q[k])
        tmean = tmax = tex = None
        sensors: tuple[float, ...] = ()
        cells = w = None
        if ok and q > 0:
            s = (pt.owner == k) & (outq > 0)
            cells, w = pt.cell[s], outq[s]  # uniform face velocity: flow is proportional to area
            tex = float(t_item[k])
        elif ok and lay.rack_front_cells[k].size:
            # no air through it (all liquid, or blocked): the air in front of it, for reference;
            # no band and not in RCI (it takes no air in)
            cells, w = lay.rack_front_cells[k], lay.rack_front_area[k]
        if cells is not None:
            tc = Tf[cells]
            tmean = float((tc * w).sum() / w.sum())
            sensors = sensor_readings(z_cell[cells // layer_size], tc, w, heights[rid])  # z = 0: the floor
            tmax = max(sensors)
        b = band(tmax, cls) if (tmax is not None and q > 0) else "n/a"
        r = RackAir(rid, lay.rack_names[k], lay.rack_heat_w[k] / 1000.0, q, tmean, tmax, tex, b,
                    bool(lay.rack_blocked[k]), lay.rack_door_ids[k], sensors)
        racks[rid] = r
        if tmax is not None and q > 0:
            inlets.append(tmax)
            means.append(tmean)
            exhausts.append(tex)
            flows.append(q)
        if not refused:  # on a grid too coarse for the racks, "blocked" is the grid's, not the design's
            out += _rack_findings(r, cls, where, f"{hp}.racks[{k}]", float(lay.rack_recirc[k]),
                                  float(lay.rack_dt[k]))
    for rid in lay.rack_offaxis:
        out.append(fd.info("air.rack.rotation", f"Rack {racks[rid].name} {where} is not at a quarter turn; "
                           "the air model treats it as turned to the nearest 90 degrees",
                           "Rotate it to 0, 90, 180 or 270 degrees for an exact air-side answer",
                           ids=(rid,), source=SOURCE))

    # -- units ------------------------------------------------------------------------------
    units: dict[str, UnitAir] = {}
    t_ret_all, t_sup_all, v_all = [], [], []
    unit_index = {u.id: i for i, u in enumerate(hall.air_units)}
    for n, uid in enumerate(lay.unit_ids):
        q = float(lay.unit_q[n])
        cap = float(lay.unit_capacity_w[n])
        tset = float(lay.unit_t_set[n])
        tret, load, tsup, lim = None, 0.0, tset, False
        if ok and q > 0:
            s = (pt.owner == nr + n) & (outq > 0)
            tret = float((Tf[pt.cell[s]] * outq[s]).sum() / outq[s].sum())
            tsup = float(t_item[nr + n])
            lim = bool(sol.energy.limited[n])
            load = RHO_CP * q * (tret - tsup)
            t_ret_all.append(tret)
            t_sup_all.append(tsup)
            v_all.append(q)
        if not ok and q > 0:
            # no steady state: the load (and its share of capacity) is not known; absent, not 0
            load = float("nan")
        u = UnitAir(uid, lay.unit_names[n], lay.unit_kind[n], cap / 1000.0, load / 1000.0,
                    load / cap if cap > 0 and math.isfinite(load) else None, q, tsup, tret, None,
                    bool(lay.unit_running[n]), tset, lim)
        units[uid] = u
        if not refused:
            out += _unit_findings(u, bool(lay.unit_blocked[n]), where,
                                  f"{hp}.air_units[{unit_index.get(uid, -1)}]")
    for k, rid in enumerate(lay.rack_ids):
        for did in lay.rack_door_ids[k]:
            door = next(a for a in hall.air_units if a.id == did)
            share = lay.rack_door_w[k] / max(len(lay.rack_door_ids[k]), 1)
            r = racks[rid]
            t_before = (r.inlet_mean_c + lay.rack_heat_total_w[k] / (RHO_CP * r.airflow_m3s)
                        if r.inlet_mean_c is not None and r.airflow_m3s > 0 else None)
            units[did] = UnitAir(did, door.name or did, "rear_door", door.capacity_kw, share / 1000.0,
                                 share / 1000.0 / door.capacity_kw if door.capacity_kw > 0 else None,
                                 r.airflow_m3s, r.exhaust_c if r.exhaust_c is not None else door.supply_temp_c,
                                 t_before, rack_id=rid, running=door.running, set_point_c=door.supply_temp_c)
    for uid in lay.unit_offaxis:
        out.append(fd.info("air.unit.rotation", f"Air unit {units[uid].name} {where} is not at a quarter turn; "
                           "the air model treats it as turned to the nearest 90 degrees",
                           "Rotate it to 0, 90, 180 or 270 degrees for an exact air-side answer",
                           ids=(uid,), source=SOURCE))
    for did in lay.door_orphans:
        out.append(fd.warning("air.door.no_rack", f"Rear door {did} {where} is not mounted on a rack "
                              "of this hall, so it removes no heat (0 kW)",
                              "Set its rack_id to the rack it hangs on", ids=(did,), source=SOURCE))

    # -- containments -----------------------------------------------------------------------
    conts = _containments(sol, hall, where, out) if ok else {}

    # -- indices, balance, map ----------------------------------------------------------------
    vt = np.array(v_all)
    t_sup = float((vt * np.array(t_sup_all)).sum() / vt.sum()) if vt.size else None
    t_ret = float((vt * np.array(t_ret_all)).sum() / vt.sum()) if vt.size else None
    fl = np.array(flows)
    dt_eq = float((fl * (np.array(exhausts) - np.array(means))).sum() / fl.sum()) if fl.size else 0.0
    idx = AirIndices(cls.name, (cls.rec_min, cls.rec_max), (cls.allow_min, cls.allow_max),
                     rci_hi(inlets, cls), rci_lo(inlets, cls),
                     rti(t_ret, t_sup, dt_eq) if t_ret is not None else None,
                     shi(means, exhausts, flows, t_sup) if t_sup is not None and fl.size else None)
    out += _hall_findings(idx, sol, units, site_name)

    balance = hm = fld = None
    if ok:
        heat_in = float(lay.heat_w.sum() + lay.rack_heat_w[lay.rack_q > 0].sum())
        removed = sum(u.load_kw for u in units.values() if u.kind != "rear_door") * 1000.0
        lost = float(lay.rack_lost_w.sum())
        balance = EnergyBalance(heat_in / 1000.0, removed / 1000.0, 0.0, (heat_in - removed) / 1000.0,
                                max(lost, 0.0) / 1000.0)
        vx, vy, vz = _cell_velocity(sol.U)
        solid = np.isnan(sol.T)
        m = lay.mesh
        fld = AirField(m.plan.x0, m.plan.y0, m.plan.cell_m, _ro(m.zf), _ro(sol.T),
                       _ro(np.where(solid, np.nan, vx)), _ro(np.where(solid, np.nan, vy)),
                       _ro(np.where(solid, np.nan, vz)))
        hm = fld.heat_map(min(MAP_HEIGHT_M, 0.5 * hall.height_m))
    st = dict(sol.stats)
    site = SiteAir(site_id, site_name, ok, hm, MappingProxyType(racks), MappingProxyType(units),
                   MappingProxyType(conts), idx, balance, MappingProxyType(st), fld, sol.convergence)
    return site, out


def _containments(sol: HallSolution, hall: Hall, where: str, out: list) -> dict:
    lay = sol.layout
    conts: dict[str, ContainmentAir] = {}
    if not lay.containment_ids:
        return conts
    lab = lay.cont.ravel()
    pt = lay.ports
    nr = lay.n_racks
    inside = lab[pt.cell] if pt.cell.size else np.zeros(0, np.int64)
    has_sup = set(np.unique(inside[(pt.q > 0) & (pt.owner >= nr)]).tolist())
    has_ret = set(np.unique(inside[(pt.q < 0) & (pt.owner >= nr)]).tolist())
    # openings to plenums inside each aisle (tiles below, grilles above)
    m = lay.mesh
    plane_open = []
    for kk, items in ((m.k_floor, hall.floor_tiles if m.k_floor > 0 else []),
                      (m.k_ceil, hall.ceiling_grilles if m.k_ceil < m.nz else [])):
        plane_open.append((kk, items))
    for c, cid in enumerate(lay.containment_ids):
        kind = lay.containment_kind[c]
        sel = inside == c
        rack_net = float(pt.q[sel & (pt.owner < nr)].sum())
        units_net = float(pt.q[sel & (pt.owner >= nr)].sum())
        plenum = spill = 0.0
        if sol.U is not None:
            mask = lay.cont == c
            for a in range(3):
                w = m.widths()
                b_, c_ = [x for x in range(3) if x != a]
                flow = sol.U[a] * (w[b_] * w[c_])
                lo = [slice(None)] * 3
                hi = [slice(None)] * 3
                lo[a], hi[a] = slice(0, -1), slice(1, None)
                inner = [slice(None)] * 3
                inner[a] = slice(1, -1)
                f = flow[tuple(inner)]
                both = ~lay.solid[tuple(lo)] & ~lay.solid[tuple(hi)]  # air faces, not racks' or units' own
                ma, mb = mask[tuple(lo)] & both, mask[tuple(hi)] & both
                # out of the aisle: + through a face with the aisle on the low side
                o = np.where(ma & ~mb, f, 0.0) - np.where(mb & ~ma, f, 0.0)
                if a == 0:
                    kk = np.arange(1, m.nz)[:, None, None]
                    plen = np.where((kk == m.k_floor) | (kk == m.k_ceil), o, 0.0)
                    plenum += float(plen.sum())
                    spill += float((o - plen).sum())
                else:
                    spill += float(o.sum())
        ca_ = ContainmentAir(cid, kind, rack_net, plenum, spill, units_net)
        conts[cid] = ca_
        fed = c in has_sup or ca_.plenum_m3s < -1e-6
        drained = c in has_ret or ca_.plenum_m3s > 1e-6
        if kind == "cold" and rack_net < 0 and not fed:
            out.append(fd.warning("air.containment.no_supply",
                                  f"Contained cold aisle {cid} {where} has no supply: no air unit blows into it and "
                                  "no floor tile opens into it, so its racks draw room air through the panels",
                                  "Add perforated tiles over a raised floor, or an in-row cooler facing the aisle",
                                  ids=(cid,), source=SOURCE))
        if kind == "hot" and rack_net > 0 and not drained:
            out.append(fd.warning("air.containment.no_return",
                                  f"Contained hot aisle {cid} {where} has no return: no air unit takes air from it "
                                  "and no ceiling grille opens out of it, so its racks' exhaust leaks out through "
                                  "the panels", "Add ceiling grilles over a ceiling plenum, or in-row coolers "
                                  "returning from the aisle", ids=(cid,), source=SOURCE))
    return conts


def _rack_findings(r: RackAir, cls: AshraeClass, where: str, path: str, recirc: float, dt: float) -> list[fd.Finding]:
    out = []
    ids = (r.rack_id,)
    if r.blocked:
        out.append(fd.error("air.rack.blocked",
                            f"Rack {r.name} {where} has no open front or back in the air model "
                            f"(it overlaps something or its faces are covered); its {r.heat_to_air_kw:.1f} kW "
                            "of air-side heat is released around it without airflow",
                            "Move it clear of other items and walls, with air in front of and behind it",
                            path, ids, SOURCE))
    if r.inlet_max_c is None or r.airflow_m3s <= 0:
        return out
    t, m = r.inlet_max_c, r.inlet_mean_c
    fix_hot = ("Bring more cold air to its front: add or move an in-row cooler or CRAH near it, "
               "contain the aisle or close the row end, or lower its load")
    fix_cold = "Raise the supply temperature of the air units serving it (saves energy too)"
    msg = f"Rack {r.name} {where}: inlet air up to {t:.1f} degC (mean {m:.1f} degC)"
    if r.band == "above_allowable":
        out.append(fd.error("air.inlet.above_allowable",
                            f"{msg}, above the ASHRAE {cls.name} allowable maximum of {cls.allow_max:g} degC",
                            fix_hot, path, ids, SOURCE))
    elif r.band == "above_recommended":
        out.append(fd.warning("air.inlet.above_recommended",
                              f"{msg}, above the ASHRAE {cls.name} recommended maximum of {cls.rec_max:g} degC",
                              fix_hot, path, ids, SOURCE))
    elif r.band == "below_allowable":
        out.append(fd.warning("air.inlet.below_allowable",
                              f"Rack {r.name} {where}: inlet air at {t:.1f} degC, below the "
                              f"ASHRAE {cls.name} allowable minimum of {cls.allow_min:g} degC",
                              fix_cold, path, ids, SOURCE))
    elif r.band == "below_recommended":
        out.append(fd.info("air.inlet.below_recommended",
                           f"Rack {r.name} {where}: inlet air at {t:.1f} degC, below the ASHRAE "
                           f"{cls.name} recommended minimum of {cls.rec_min:g} degC",
                           fix_cold, path, ids, SOURCE))
    if recirc > 0 and m is not None:
        srv = m + recirc * dt / (1.0 - recirc)
        if srv > cls.rec_max:
            out.append(fd.warning("air.rack.recirculation",
                                  f"Rack {r.name} {where}: {recirc * 100:.0f} % of its servers' air comes back from "
                                  f"its own exhaust (missing blanking); the servers take in about {srv:.1f} degC",
                                  "Fit blanking panels in the open U spaces", path, ids, SOURCE))
    return out


def _unit_findings(u: UnitAir, blocked: bool, where: str, path: str) -> list[fd.Finding]:
    ids = (u.unit_id,)
    if blocked:
        return [fd.warning("air.unit.blocked",
                           f"Air unit {u.name} {where} moves no air in the model: its supply or intake opening "
                           "is covered (by a wall, rack or other item) or has nowhere to go (no plenum)",
                           "Leave air at its supply and intake faces, or draw the plenum it needs",
                           path, ids, SOURCE)]
    if not u.running:
        return [fd.info("air.unit.off", f"Air unit {u.name} {where} is not running: it moves no air and "
                        "removes no heat", "", path, ids, SOURCE)]
    if u.utilisation is None:
        return []
    pct = u.utilisation * 100.0
    if u.limited:
        return [fd.error("air.unit.overloaded",
                         f"Air unit {u.name} {where} is past its capacity of {u.capacity_kw:.1f} kW: its supply "
                         f"rises from {u.set_point_c:.1f} to {u.supply_temp_c:.1f} degC",
                         "Add cooling near the load it serves, or move load away from it",
                         path, ids, SOURCE)]
    if u.utilisation > 0.9:
        return [fd.warning("air.unit.near_capacity",
                           f"Air unit {u.name} {where} runs at {pct:.0f} % of its {u.capacity_kw:.1f} kW "
                           f"({u.load_kw:.1f} kW): no margin for a failed neighbour",
                           "Add a redundant unit or spread the load", path, ids, SOURCE)]
    return []


def _hall_findings(idx: AirIndices, sol: HallSolution, units: dict, site_name: str) -> list[fd.Finding]:
    out = []
    lay = sol.layout
    heat = float(lay.rack_heat_w.sum() + lay.equipment_heat_w.sum()) / 1000.0
    cap = float(lay.unit_capacity_w[lay.unit_q > 0].sum()) / 1000.0
    if sol.stats.get("refused"):
        return out  # the caller said why (a grid too coarse to resolve the racks)
    if heat > 0 and not sol.solved:
        out.append(fd.error("air.no_units",
                            f"{site_name}: {heat:.1f} kW goes to the air but no running air unit moves any "
                            "air, so there is no steady state", "Add CRAHs or in-row coolers, or start one",
                            source=SOURCE))
        return out
    if heat > cap:
        out.append(fd.error("air.capacity.short",
                            f"{site_name}: {heat:.1f} kW goes to the air, the running air units can remove "
                            f"{cap:.1f} kW", "Add air-side cooling capacity or move load to liquid",
                            source=SOURCE))
    q_racks = float(lay.rack_q.sum())
    q_units = float(lay.unit_q.sum())
    if q_racks > q_units > 0:
        out.append(fd.warning("air.airflow.short",
                              f"{site_name}: racks draw {q_racks:.1f} m3/s, running air units supply {q_units:.1f} "
                              "m3/s; the rest must be hot exhaust drawn back into intakes",
                              "Add air-unit airflow (more units or faster fans)", source=SOURCE))
    g = rci_grade(idx.rci_hi)
    if g in ("poor", "acceptable"):
        out.append((fd.warning if g == "poor" else fd.info)(
            "air.rci_hi", f"{site_name}: Rack Cooling Index RCI_HI {idx.rci_hi:.0f} % ({g}; on each rack's "
            f"hottest inlet sensor; 100 % means none above {idx.recommended_c[1]:g} degC)",
            "Fix the hottest racks listed above first", source=SOURCE))
    g = rci_grade(idx.rci_lo)
    if g in ("poor", "acceptable"):
        out.append(fd.info("air.rci_lo", f"{site_name}: Rack Cooling Index RCI_LO {idx.rci_lo:.0f} % ({g}; racks "
                           f"run colder than {idx.recommended_c[0]:g} degC)",
                           "Raise supply temperatures", source=SOURCE))
    if idx.rti is not None and idx.rti > 110:
        out.append(fd.warning("air.rti.recirculation",
                              f"{site_name}: Return Temperature Index {idx.rti:.0f} %: hot exhaust recirculates "
                              "into rack intakes", "Separate hot and cold air: containment, blanking, row ends",
                              source=SOURCE))
    elif idx.rti is not None and idx.rti < 80:
        out.append(fd.info("air.rti.bypass",
                           f"{site_name}: Return Temperature Index {idx.rti:.0f} %: cold air bypasses the racks "
                           "and returns unused", "Reduce air-unit airflow or move supplies to the rack fronts",
                           source=SOURCE))
    return out
