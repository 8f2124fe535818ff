"""Results step: raw arrays of one hall -> frozen results keyed by item id, and findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from designer.model import findings as fd
from designer.model.hall import Hall
from designer.solvers.air.build import RHO_CP, front_cells
from designer.solvers.air.engine import HallSolution
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

SOURCE = "air"

HEADLINE = ("Screening model, not CFD: 2D plan, potential-flow airflow and first-order upwind "
            "advection-diffusion of temperature, air fully mixed over the room height. Use it to "
            "compare layouts and find likely hot spots; confirm a final design with CFD or measurements.")

ASSUMPTIONS = (
    "2D plan model: the air is fully mixed over the room height (no stratification, no hot "
    "layer under the ceiling, no raised floor or ceiling plenum except as stated below).",
    "Airflow is potential flow (no jets, momentum or buoyancy): air units and racks are sources "
    "and sinks; walls, obstructions, racks, air units, CDUs and power cabinets are solid.",
    "Containment panels leak a little (2 % of open air). A contained hot aisle with no air-unit "
    "return in it vents through a ceiling plenum to the CRAHs, a contained cold aisle with no "
    "air-unit supply in it is fed by the CRAHs through a raised floor (shared by airflow).",
    "Racks move air front to back at their air-side load / (rho cp design dT), spread evenly "
    "over their faces; rack and unit rotations are snapped to quarter turns.",
    "Air units always deliver their supply temperature: a unit over capacity is reported, "
    "not throttled. Perimeter CRAHs return air over their back and ends, in-row units over "
    "their back. Rear doors remove up to their capacity of their rack's air-side heat.",
    "Temperature: steady state, first-order upwind (never overshoots), turbulent diffusivity "
    "0.03 m2/s; equipment losses (UPS, PDU, CDU) and module walls are not modelled.",
)


def _ro(a: np.ndarray) -> np.ndarray:
    a = np.array(a, copy=True)
    a.setflags(write=False)
    return a


@dataclass(frozen=True)
class HeatMap:
    """The plan temperature field. Arrays are ``(ny, nx)``, row j along y, read-only."""

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
class RackAir:
    """One rack on the air side."""

    rack_id: str
    name: str
    heat_to_air_kw: float
    """Air-side load released to the room (after a rear door)."""
    airflow_m3s: float
    inlet_mean_c: float | None
    inlet_max_c: float | None
    exhaust_c: float | None
    """Mean temperature of the air it blows into the room."""
    band: str
    """ASHRAE band of the maximum inlet temperature (see :data:`indices.BANDS`), or "n/a"."""
    blocked: bool
    rear_door_ids: tuple[str, ...] = ()


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
    return_temp_c: float | None
    rack_id: str | None = None


@dataclass(frozen=True)
class ContainmentAir:
    """Air balance of a contained aisle, m3/s."""

    containment_id: str
    kind: str
    rack_net_m3s: float
    """Rack exhaust minus rack intake inside the aisle."""
    plenum_m3s: float
    """Vented to the ceiling plenum (+) or fed from the raised floor (-)."""
    spill_m3s: float
    """Net flow out over the panels (+) or sucked in through them (-)."""


@dataclass(frozen=True)
class AirIndices:
    ashrae_class: str
    recommended_c: tuple[float, float]
    allowable_c: tuple[float, float]
    rci_hi: float | None
    rci_lo: float | None
    rti: float | None
    shi: float | None


@dataclass(frozen=True)
class EnergyBalance:
    """Heat balance of the room air, kW: heat_in = removed_by_units + open_boundary + residual.

    ``heat_in`` is what reaches air that air units serve; heat of racks with no air around them
    or in walled-off areas no unit reaches is ``lost_kw`` instead (and reported as findings)."""

    heat_in_kw: float
    removed_by_units_kw: float
    open_boundary_kw: float
    residual_kw: float
    lost_kw: float
    """Air-side heat with nowhere to go: racks with no air around them or walled off."""


@dataclass(frozen=True)
class SiteAir:
    """The air-side answer for one site's hall."""

    site_id: str
    site_name: str
    solved: bool
    map: HeatMap | None
    racks: Mapping[str, RackAir]
    units: Mapping[str, UnitAir]
    containments: Mapping[str, ContainmentAir]
    indices: AirIndices
    balance: EnergyBalance | None
    stats: Mapping[str, object]


@dataclass(frozen=True)
class AirResult:
    """The payload of the air analysis: per-site results plus the model's caveats."""

    headline: str
    assumptions: tuple[str, ...]
    cell_m: float
    sites: Mapping[str, SiteAir]


def _tag(hall: Hall) -> dict[str, int]:
    return {r.id: k for k, r in enumerate(hall.racks)}


def site_results(site_id: str, site_name: str, site_index: int, hall: Hall, sol: HallSolution,
                 ashrae_class: str) -> tuple[SiteAir, list[fd.Finding]]:
    """Turn a :class:`HallSolution` into :class:`SiteAir` and findings.

    Parameters
    ----------
    site_index : int
        Position of the site in the project, for the JSON paths of findings.
    ashrae_class : str
        The project's ASHRAE inlet class (``settings.ashrae_class``).
    """
    cls = ASHRAE_CLASSES.get(ashrae_class, ASHRAE_CLASSES["A1"])
    st, rl, g = sol.static, sol.racks, sol.static.grid
    out: list[fd.Finding] = []
    where = f"in {site_name}"
    hp = f"sites[{site_index}].hall"
    T = sol.T_all.ravel()

    # -- racks ------------------------------------------------------------------------------
    racks: dict[str, RackAir] = {}
    inlet_mean, inlet_max, exhaust, flows = [], [], [], []
    for k, rid in enumerate(rl.ids):
        name = rl.names[k]
        net_w = rl.heat_air_w[k] - rl.door_w[k]
        cells = front_cells(rl, g, k)
        tin = T[cells] if sol.solved and len(cells) else np.array([])
        tin = tin[~np.isnan(tin)]
        tmean = float(tin.mean()) if tin.size else None
        tmax = float(tin.max()) if tin.size else None
        q = float(rl.airflow[k])
        tex = tmean + net_w / (RHO_CP * q) if (tmean is not None and q > 0) else None
        blocked = bool(rl.invalid[k] or (rl.heat_air_w[k] > 0 and q == 0))
        b = band(tmax, cls) if (tmax is not None and q > 0) else "n/a"
        racks[rid] = RackAir(rid, name, net_w / 1000.0, q, tmean, tmax, tex, b, blocked, rl.door_ids[k])
        if q > 0 and tmean is not None:
            inlet_mean.append(tmean)
            inlet_max.append(tmax)
            exhaust.append(tex)
            flows.append(q)
        out += _rack_findings(racks[rid], cls, where, f"{hp}.racks[{k}]", rl.lost_w[k],
                              g.cell_m if rl.unresolved[k] else None)
    for rid in rl.offaxis:
        out.append(fd.info("air.rack.rotation", f"Rack {racks[rid].name} {where} is not at a quarter turn; "
                           "the air model treats it as turned to the nearest 90 degrees",
                           "Rotate it to 0, 90, 180 or 270 degrees for an exact air-side answer",
                           ids=(rid,), source=SOURCE))

    # -- units ------------------------------------------------------------------------------
    units: dict[str, UnitAir] = {}
    src = sol.src
    plenum_t = None
    if sol.solved and src.plenum_out.sum() > 0:
        plenum_t = float((src.plenum_out * np.nan_to_num(T)).sum() / src.plenum_out.sum())
    t_ret_all, t_sup_all, v_all = [], [], []
    for u, uid in enumerate(st.unit_ids):
        q = float(src.unit_flow[u])
        cap = float(st.unit_capacity_w[u])
        tret = None
        load = 0.0
        if sol.solved and q > 0:
            ret = sol.racks.unit_return_cells[u]
            heat_ret = src.unit_room_return[u] * float(np.nanmean(T[ret]))
            if src.unit_plenum[u] > 0:
                heat_ret += src.unit_plenum[u] * plenum_t
            tret = heat_ret / q
            load = RHO_CP * q * (tret - st.unit_supply_t[u])
            t_ret_all.append(tret)
            t_sup_all.append(st.unit_supply_t[u])
            v_all.append(q)
        units[uid] = UnitAir(uid, st.unit_names[u], st.unit_kind[u], cap / 1000.0, load / 1000.0,
                             load / cap if cap > 0 else None, q, float(st.unit_supply_t[u]), tret)
        upath = f"{hp}.air_units[{_unit_index(hall, uid)}]"
        out += _unit_findings(units[uid], st.unit_airflow[u], where, upath)
    for k, rid in enumerate(rl.ids):
        for did in rl.door_ids[k]:
            door = next(a for a in hall.air_units if a.id == did)
            share = rl.door_w[k] / max(len(rl.door_ids[k]), 1)
            r = racks[rid]
            t_before = (r.inlet_mean_c + rl.heat_air_w[k] / (RHO_CP * r.airflow_m3s)
                        if r.inlet_mean_c is not None and r.airflow_m3s > 0 else None)
            units[did] = UnitAir(did, door.name or did, "rear_door", door.capacity_kw, share / 1000.0,
                                 share / 1000.0 / door.capacity_kw if door.capacity_kw > 0 else None,
                                 r.airflow_m3s, r.exhaust_c if r.exhaust_c is not None else door.supply_temp_c,
                                 t_before, rack_id=rid)
    for uid in st.unit_offaxis:
        out.append(fd.info("air.unit.rotation", f"Air unit {units[uid].name} {where} is not at a quarter turn; "
                           "the air model treats it as turned to the nearest 90 degrees",
                           "Rotate it to 0, 90, 180 or 270 degrees for an exact air-side answer",
                           ids=(uid,), source=SOURCE))
    for did in rl.door_orphans:
        out.append(fd.warning("air.door.no_rack", f"Rear door {did} {where} is not mounted on a rack "
                              "of this hall, so it removes no heat (0 kW)",
                              "Set its rack_id to the rack it hangs on", ids=(did,), source=SOURCE))

    # -- containments -----------------------------------------------------------------------
    conts: dict[str, ContainmentAir] = {}
    lab = st.cont_label.ravel()
    for c, cid in enumerate(st.containment_ids):
        spill = float(sol.source.ravel()[(lab == c) & rl.fluid.ravel()].sum())  # net out over panels
        ca = ContainmentAir(cid, st.containment_kind[c], float(src.cont_rack_net[c]),
                            float(src.cont_plenum[c]), spill)
        conts[cid] = ca
        # a little overpressure is the design intent (cold air out of a cold aisle, room air
        # into a hot aisle); the other way round carries heat to the intakes
        bad = spill > 0 if ca.kind == "hot" else spill < 0
        if bad and abs(spill) > max(0.05, 0.05 * abs(ca.rack_net_m3s)):
            if ca.kind == "hot":
                msg = (f"racks blow {ca.rack_net_m3s:.2f} m3/s into it, air units and plenum take "
                       f"{ca.rack_net_m3s - spill:.2f} m3/s; {spill:.2f} m3/s of hot air spills out over its panels")
            else:
                msg = (f"racks draw {-ca.rack_net_m3s:.2f} m3/s from it, air units and floor feed "
                       f"{spill - ca.rack_net_m3s:.2f} m3/s; {-spill:.2f} m3/s of room air is sucked in "
                       "through its panels")
            out.append(fd.warning(
                "air.containment.spill", f"Contained {ca.kind} aisle {cid} {where}: {msg}",
                "Give the aisle enough airflow: in-row coolers whose return (hot aisle) or supply (cold "
                "aisle) faces it, or more CRAH airflow for a plenum / raised-floor connection",
                ids=(cid,), source=SOURCE))

    # -- indices and hall-level checks ------------------------------------------------------
    vt = np.array(v_all)
    t_sup = float((vt * np.array(t_sup_all)).sum() / vt.sum()) if vt.size else None
    t_ret = float((vt * np.array(t_ret_all)).sum() / vt.sum()) if vt.size else None
    fl = np.array(flows)
    dt_eq = float((fl * (np.array(exhaust) - np.array(inlet_mean))).sum() / fl.sum()) if fl.size else 0.0
    idx = AirIndices(cls.name, (cls.rec_min, cls.rec_max), (cls.allow_min, cls.allow_max),
                     rci_hi(inlet_mean, cls), rci_lo(inlet_mean, cls),
                     rti(t_ret, t_sup, dt_eq) if t_ret is not None else None,
                     shi(inlet_mean, exhaust, flows, t_sup) if t_sup is not None and fl.size else None)
    out += _hall_findings(idx, sol, st, rl, where, site_name)

    balance = None
    hm = None
    if sol.solved:
        ts = sol.ts
        reached = ~sol.unreached if sol.unreached is not None else np.ones(rl.fluid.shape, dtype=bool)
        Tz = np.nan_to_num(sol.T_all)
        heat_in = float(rl.heat_src[reached].sum())
        removed = sum(u.load_kw for u in units.values() if u.kind != "rear_door") * 1000.0
        open_w = RHO_CP * float(((ts.open_out * Tz - ts.open_in * ts.t_ref + ts.g_ex * (Tz - ts.t_ref))
                                 * reached).sum())
        walled_w = float(rl.heat_src[~reached].sum())
        balance = EnergyBalance(heat_in / 1000.0, removed / 1000.0, open_w / 1000.0,
                                (heat_in - removed - open_w) / 1000.0,
                                (float(rl.lost_w.sum()) + walled_w) / 1000.0)
        if walled_w > 0:
            cut = [rid for k, rid in enumerate(rl.ids) if racks[rid].inlet_max_c is None
                   and rl.heat_air_w[k] > rl.door_w[k] and not racks[rid].blocked]
            names = ", ".join(racks[r].name for r in cut[:5]) + (" ..." if len(cut) > 5 else "")
            out.append(fd.error("air.region.unreached",
                                f"{walled_w / 1000:.1f} kW {where} is released where no air unit's air reaches "
                                f"(a walled-off area{': racks ' + names if cut else ''}); it cannot be removed "
                                "and is left out of the answer",
                                "Open the area to the room or put an air unit in it", ids=tuple(cut),
                                source=SOURCE))
        sp = np.hypot(sol.vx, sol.vy)
        Tr = sol.T
        hm = HeatMap(g.x0, g.y0, g.cell_m, g.nx, g.ny, _ro(Tr), _ro(np.where(np.isnan(Tr), np.nan, sol.vx)),
                     _ro(np.where(np.isnan(Tr), np.nan, sol.vy)), _ro(np.where(np.isnan(Tr), np.nan, sp)),
                     float(np.nanmin(Tr)) if np.isfinite(Tr).any() else float("nan"),
                     float(np.nanmax(Tr)) if np.isfinite(Tr).any() else float("nan"))
        open_q = float(ts.open_out.sum() + ts.open_in.sum())
        if open_q > max(1e-3, 1e-4 * float(src.unit_flow.sum())):
            out.append(fd.warning("air.open_boundary",
                                  f"{open_q:.2f} m3/s of air {where} has no way back to an air unit (a sealed "
                                  "region, or a rack or unit whose two faces are in different rooms)",
                                  "Check for racks or units walled in, or faces against a wall",
                                  source=SOURCE))
    site = SiteAir(site_id, site_name, sol.solved, hm, MappingProxyType(racks), MappingProxyType(units),
                   MappingProxyType(conts), idx, balance, MappingProxyType(dict(sol.stats)))
    return site, out


def _unit_index(hall: Hall, uid: str) -> int:
    for k, u in enumerate(hall.air_units):
        if u.id == uid:
            return k
    return -1


def _rack_findings(r: RackAir, cls: AshraeClass, where: str, path: str, lost_w: float,
                   unresolved_cell_m: float | None = None) -> list[fd.Finding]:
    out = []
    ids = (r.rack_id,)
    if unresolved_cell_m is not None:  # a limit of the grid, not of the design
        out.append(fd.warning("air.rack.unresolved",
                              f"Rack {r.name} {where} is narrower than the {unresolved_cell_m:g} m air cells "
                              "and its neighbours hold the cells around it, so the air model cannot place "
                              f"it; its {r.heat_to_air_kw:.1f} kW of air-side heat is released around it "
                              "without airflow",
                              "Lower settings.air_cell_m below the rack width", path, ids, SOURCE))
    elif r.blocked:
        out.append(fd.error("air.rack.blocked",
                            f"Rack {r.name} {where} has no open front and back in the air model "
                            f"(it overlaps something or its faces are covered); its {r.heat_to_air_kw:.1f} kW "
                            "of air-side heat is released around it without airflow",
                            "Move it clear of other items and walls, with air in front of and behind it",
                            path, ids, SOURCE))
    if lost_w > 0:
        out.append(fd.error("air.rack.heat_lost", f"Rack {r.name} {where} has no air around it at all; "
                            f"{lost_w / 1000:.1f} kW of air-side heat is not in the answer",
                            "Move it into the open hall", path, ids, SOURCE))
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
                              f"Rack {r.name} {where}: inlet air down to {min(t, m):.1f} degC, below the "
                              f"ASHRAE {cls.name} allowable minimum of {cls.allow_min:g} degC",
                              fix_cold, path, ids, SOURCE))
    elif r.band == "below_recommended":
        out.append(fd.info("air.inlet.below_recommended",
                           f"Rack {r.name} {where}: inlet air at {t:.1f} degC, below the ASHRAE "
                           f"{cls.name} recommended minimum of {cls.rec_min:g} degC",
                           fix_cold, path, ids, SOURCE))
    return out


def _unit_findings(u: UnitAir, nominal_flow: float, where: str, path: str) -> list[fd.Finding]:
    ids = (u.unit_id,)
    if u.airflow_m3s <= 0 and nominal_flow > 0:
        return [fd.warning("air.unit.blocked",
                           f"Air unit {u.name} {where} moves no air in the model: its supply or return face "
                           "is covered (by a wall, rack or other item)",
                           "Leave air in front of its supply face and at its return (back or ends)",
                           path, ids, SOURCE)]
    if u.utilisation is None:
        return []
    pct = u.utilisation * 100.0
    if u.utilisation > 1.0:
        return [fd.error("air.unit.overloaded",
                         f"Air unit {u.name} {where} would remove {u.load_kw:.1f} kW against a capacity of "
                         f"{u.capacity_kw:.1f} kW ({pct:.0f} %); its supply air would be warmer than "
                         f"{u.supply_temp_c:.1f} degC",
                         "Add cooling near the load it serves, or move load away from it",
                         path, ids, SOURCE)]
    if u.utilisation > 0.9:
        return [fd.warning("air.unit.near_capacity",
                           f"Air unit {u.name} {where} runs at {pct:.0f} % of its {u.capacity_kw:.1f} kW "
                           f"({u.load_kw:.1f} kW): no margin for a failed neighbour",
                           "Add a redundant unit or spread the load", path, ids, SOURCE)]
    return []


def _hall_findings(idx: AirIndices, sol: HallSolution, st, rl, where: str, site_name: str) -> list[fd.Finding]:
    out = []
    heat = float((rl.heat_air_w - rl.door_w).sum()) / 1000.0
    cap = float(st.unit_capacity_w.sum()) / 1000.0
    if heat > 0 and not sol.solved:
        out.append(fd.error("air.no_units",
                            f"{site_name}: racks release {heat:.1f} kW to the air but no air unit moves any "
                            "air, so there is no steady state", "Add CRAHs or in-row coolers",
                            source=SOURCE))
        return out
    if heat > cap:
        out.append(fd.error("air.capacity.short",
                            f"{site_name}: racks release {heat:.1f} kW to the air, the air units can remove "
                            f"{cap:.1f} kW", "Add air-side cooling capacity or move load to liquid",
                            source=SOURCE))
    q_racks = float(rl.airflow.sum())
    q_units = float(sol.src.unit_flow.sum())
    if q_racks > q_units > 0:
        out.append(fd.warning("air.airflow.short",
                              f"{site_name}: racks draw {q_racks:.1f} m3/s, air units supply {q_units:.1f} m3/s; "
                              "the rest must be hot exhaust drawn back into intakes",
                              "Add air-unit airflow (more units or faster fans)", source=SOURCE))
    g = rci_grade(idx.rci_hi)
    if g in ("poor", "acceptable"):
        out.append((fd.warning if g == "poor" else fd.info)(
            "air.rci_hi", f"{site_name}: Rack Cooling Index RCI_HI {idx.rci_hi:.0f} % ({g}; 100 % means no "
            f"rack inlet above {idx.recommended_c[1]:g} degC)",
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
