"""What the liquid solve uses, checked before it runs (whichever analyses are asked for).

``designer solve F --liquid`` runs the liquid analysis alone, without the layout checks
that validate the whole project; so the liquid analysis checks its own inputs: the liquid
fields of racks, every field of CDUs and their pumps, pipes, facility water supplies, and
the velocity limit. Each finding names the item, the field, the value and a fix.

The solve never makes a value up for a bad one: a CDU whose pumps cannot run (speed 0 or
below, a curve whose head does not fall with flow, no usable curve point) runs no pump
(:func:`pump_off_reason` says why, and the findings of the racks on its loop repeat it);
a pipe without a bore is closed; negative loads, losses and lengths count as zero.
"""

from __future__ import annotations

import math

import numpy as np

from designer.model.findings import Finding, error
from designer.model.hall import Cdu
from designer.model.project import Settings, Site

SOURCE = "liquid"

_RACK = {  # field -> (lowest, highest, lowest allowed inclusive?, what it is, unit)
    "it_load_kw": (0.0, math.inf, True, "IT load", "kW"),
    "liquid_fraction": (0.0, 1.0, True, "share of the heat to liquid", ""),
    "design_delta_t_liquid_k": (1.0, 50.0, True, "design temperature rise of the coolant", "K"),
    "max_supply_temp_c": (0.0, 90.0, True, "highest allowed supply temperature", "degC"),
    "cold_plate_dp_kpa": (0.0, math.inf, True, "cold-plate pressure drop", "kPa"),
    "cold_plate_rated_flow_lpm": (0.0, math.inf, True, "cold-plate rated flow", "L/min"),
    "valve_k": (0.0, math.inf, True, "balancing-valve loss coefficient", ""),
}
_CDU = {
    "capacity_kw": (0.0, math.inf, False, "capacity", "kW"),
    "approach_k": (0.0, 30.0, True, "heat-exchanger approach", "K"),
    "facility_supply_temp_c": (2.0, 70.0, True, "facility water supply temperature", "degC"),
    "hx_dp_kpa": (0.0, math.inf, True, "heat-exchanger pressure drop", "kPa"),
    "rated_flow_lpm": (0.0, math.inf, False, "rated flow", "L/min"),
}
_PIPE = {
    "diameter_m": (0.0, math.inf, False, "bore", "m"),
    "roughness_m": (0.0, math.inf, True, "roughness", "m"),
    "minor_k": (0.0, math.inf, True, "fittings loss coefficient", ""),
    "extra_length_m": (0.0, math.inf, True, "extra length", "m"),
}
_SUPPLY = {
    "supply_temp_c": (2.0, 70.0, True, "supply temperature", "degC"),
    "capacity_kw": (0.0, math.inf, False, "capacity", "kW"),
    "design_delta_t_k": (1.0, 30.0, True, "design temperature rise", "K"),
}
MAX_PIPE_RUN_M = 10_000.0
"""A secondary-loop pipe longer than this (10 km) is no pipe of a data hall."""
MAX_SPEED = 1.2


def _name(item) -> str:
    return getattr(item, "name", "") or item.id


def _range_fix(lo: float, hi: float, lo_in: bool, unit: str) -> str:
    u = f" {unit}" if unit else ""
    if hi == math.inf:
        return f"enter a value {'of at least' if lo_in else 'greater than'} {lo:g}{u}"
    return f"enter a value between {lo:g} and {hi:g}{u}"


def _fields(items: list, what: str, rules: dict, path: str, index: list[int] | None = None) -> list[Finding]:
    """Range findings for ``items`` (all of one type; ``path`` has a ``{i}`` for the index in
    its list, ``index`` maps positions in ``items`` to it). One numpy test per field."""
    out: list[Finding] = []
    if not items:
        return out
    for name, (lo, hi, lo_in, label, unit) in rules.items():
        vals = [it.__dict__.get(name) for it in items]
        a = np.array([np.nan if v is None else v for v in vals], dtype=float)
        with np.errstate(invalid="ignore"):
            ok = np.isnan(a) | (((a >= lo) if lo_in else (a > lo)) & (a <= hi))
        ok &= ~np.isinf(a)
        ok |= np.array([v is None for v in vals])
        for k in np.flatnonzero(~ok).tolist():
            item, v = items[k], vals[k]
            u = f" {unit}" if unit else ""
            i = index[k] if index is not None else k
            out.append(error("liquid.input", f"{what} {_name(item)}: {name} ({label}) is {v:g}{u}, "
                             f"{'not a number' if not math.isfinite(v) else 'out of range'}",
                             f"{_range_fix(lo, hi, lo_in, unit)} for {name}", f"{path.format(i=i)}.{name}", (item.id,),
                             source=SOURCE))
    return out


def pump_off_reason(cdu: Cdu) -> str:
    """Why the pumps of ``cdu`` cannot run ("" when they can): the solve runs none then."""
    p = cdu.pump
    s = p.speed_fraction
    if not math.isfinite(s) or s <= 0:
        return f"its pumps are stopped (speed_fraction {s:g})"
    pts = [(float(q), float(h)) for q, h in p.curve]
    if not pts:
        return "its pump curve has no points"
    if any(not (math.isfinite(q) and math.isfinite(h)) for q, h in pts):
        return "its pump curve has a value that is not a number"
    if any(q < 0 or h <= 0 for q, h in pts):
        return "its pump curve has negative or zero values"
    qs = [q for q, _ in pts]
    hs = [h for _, h in pts]
    if len(pts) > 1 and (any(b <= a for a, b in zip(qs, qs[1:], strict=False))
                         or any(b >= a for a, b in zip(hs, hs[1:], strict=False))):
        rising = any(b > a for a, b in zip(hs, hs[1:], strict=False))
        return ("its pump curve rises (head grows with flow), which no pump delivers" if rising else
                "its pump curve's flows do not rise, or its heads do not fall, from point to point")
    return ""


def _pump(cdu: Cdu, path: str) -> list[Finding]:
    out = []
    why = pump_off_reason(cdu)
    p = cdu.pump
    if why.startswith("its pumps are stopped"):
        out.append(error("liquid.pumps_off", f"CDU {_name(cdu)}: {why}; its loop gets no flow",
                         "set speed_fraction to the pumps' running speed as a fraction of full speed "
                         f"(above 0, at most {MAX_SPEED:g}; 1 is full speed)", f"{path}.speed_fraction", (cdu.id,),
                         source=SOURCE))
    elif why.startswith("its pump curve"):
        out.append(error("liquid.pump_curve_invalid", f"CDU {_name(cdu)}: {why}; its pumps are not run and its "
                         "loop gets no flow",
                         "enter the catalog curve as (flow L/min, head kPa) points with rising flows and falling "
                         "heads", f"{path}.curve", (cdu.id,), source=SOURCE))
    elif p.speed_fraction > MAX_SPEED:
        out.append(error("liquid.input", f"CDU {_name(cdu)}: speed_fraction is {p.speed_fraction:g}, above the "
                         f"{MAX_SPEED:g} a pump's drive allows", f"enter a speed fraction of at most {MAX_SPEED:g}",
                         f"{path}.speed_fraction", (cdu.id,), source=SOURCE))
    if p.redundant < 0:
        out.append(error("liquid.input", f"CDU {_name(cdu)}: redundant (standby pumps) is {p.redundant}",
                         "enter 0 or more standby pumps", f"{path}.redundant", (cdu.id,), source=SOURCE))
    return out


def check_site(site: Site, si: int = 0) -> list[Finding]:
    """Error findings for the values of ``site`` the liquid solve uses that are out of range."""
    hall = site.hall
    hp = f"sites[{si}].hall"
    out: list[Finding] = []
    piped = {ref.item_id for p in hall.pipes for ref in (p.start, p.end)}
    used = [(i, r) for i, r in enumerate(hall.racks) if r.liquid_fraction != 0 or r.id in piped]  # not air-cooled
    out += _fields([r for _, r in used], "rack", _RACK, hp + ".racks[{i}]", [i for i, _ in used])
    out += _fields(list(hall.cdus), "CDU", _CDU, hp + ".cdus[{i}]")
    for i, c in enumerate(hall.cdus):
        out += _pump(c, f"{hp}.cdus[{i}].pump")
    out += _fields(list(hall.pipes), "pipe", _PIPE, hp + ".pipes[{i}]")
    for i, p in enumerate(hall.pipes):
        if math.isfinite(p.extra_length_m) and p.extra_length_m > MAX_PIPE_RUN_M:
            out.append(error("liquid.input", f"pipe {_name(p)}: extra_length_m is {p.extra_length_m:g} m, longer "
                             f"than any pipe of a data hall (at most {MAX_PIPE_RUN_M:g} m)",
                             "enter the length the pipe runs beyond its drawn route, in metres",
                             f"{hp}.pipes[{i}].extra_length_m", (p.id,), source=SOURCE))
    out += _fields(list(hall.water_supplies), "facility water supply", _SUPPLY, hp + ".water_supplies[{i}]")
    return out


def check_settings(settings: Settings) -> list[Finding]:
    v = settings.velocity_limit_mps
    if math.isfinite(v) and v > 0:
        return []
    return [error("liquid.input", f"the velocity limit (velocity_limit_mps) is {v:g} m/s",
                  "enter the highest velocity allowed in loop pipes, typically 1.5-2.5 m/s",
                  "settings.velocity_limit_mps", source=SOURCE)]
