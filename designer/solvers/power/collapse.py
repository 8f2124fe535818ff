"""When the load flow has no solution: which element cannot carry its load, and by how much.

A constant-power load ``S`` (angle ``phi``) fed at voltage ``V0`` through an impedance
``Z = R + jX`` has a solution only while

    |S| <= V0^2 / (2 (|Z| + R cos(phi) + X sin(phi)))

(the discriminant of ``|V|^4 + (2 (R P + X Q) - V0^2) |V|^2 + |Z|^2 |S|^2 = 0``; at the
limit the voltage has fallen to about ``V0 / sqrt(2)``: the nose of the P-V curve).

For every live bus we take the load of its subtree and the impedance of its path from the
voltage it hangs from (source set point or UPS output), which gives the largest load that
path can deliver to that point. The point whose load exceeds its path's limit the most is
where the voltage collapses; the element blamed is the branch on that path with the largest
share of the drop (impedance times the load through it), and for it the limit is also given
on its own impedance (with everything upstream stiff), which says how far it alone is from
carrying its load.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from designer.solvers.power.network import (
    BR_CABLE,
    BR_TX,
    CORD,
    JUNCTION,
    KIND_LABEL,
    S_BASE_VA,
    PowerNetwork,
)


@dataclass(frozen=True)
class Collapse:
    """The diagnosis of a load flow with no solution."""

    item: int
    """Index of the equipment whose branch is blamed (-1: a rack cord, see ``cord``)."""
    cord: int
    what: str
    """"transformer TX-A", "feeder of PDU P1", "rack R1 cord A"."""
    load_kva: float
    """Load that must pass through the blamed branch."""
    own_max_kva: float
    """Largest load the blamed branch alone can pass (everything upstream stiff)."""
    path_max_kva: float
    """Largest load the whole path can deliver to the collapsing point."""
    point: str
    rating_kva: float
    """The blamed transformer's rating (0 for cables)."""
    current_a: float
    """Current of the load through the blamed branch at nominal voltage."""
    voltage_v: float
    length_m: float
    ids: tuple[str, ...] = ()
    """Ids of the blamed item (or the rack of the blamed cord)."""

    @property
    def ratio(self) -> float:
        return self.load_kva / self.path_max_kva if self.path_max_kva > 0 else math.inf

    def text(self) -> str:
        t = (f"{self.what} cannot carry its load: {self.load_kva:,.0f} kVA must pass through it, but at most "
             f"{self.path_max_kva:,.0f} kVA can reach {self.point} through the chain above it")
        if self.ratio < 1e6:
            t += f" ({self.ratio * 100:.0f} % of that)"
        if self.own_max_kva < self.load_kva:
            t += f"; on its own impedance alone it can pass at most {self.own_max_kva:,.0f} kVA"
        if self.rating_kva > 0:
            t += f"; the load is {self.load_kva / self.rating_kva * 100:.0f} % of its {self.rating_kva:g} kVA rating"
        return t


def _limit(z: np.ndarray, s: np.ndarray, v0: np.ndarray) -> np.ndarray:
    """Largest |S| at the angle of ``s`` that impedance ``z`` can pass from ``v0`` (per unit)."""
    mag = np.abs(s)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        c = np.where(mag > 0, s.real / np.where(mag > 0, mag, 1.0), 1.0)
        sn = np.where(mag > 0, s.imag / np.where(mag > 0, mag, 1.0), 0.0)
        den = 2.0 * (np.abs(z) + z.real * c + z.imag * sn)
        return np.where(den > 0, v0 * v0 / np.where(den > 0, den, 1.0), np.inf)


def diagnose(net: PowerNetwork, topo, load: np.ndarray, z: np.ndarray) -> Collapse | None:
    """The element to blame for a load flow of ``net`` in ``topo`` without a solution."""
    from designer.solvers.power.loadflow import zone_voltages
    from designer.solvers.power.network import BR_EFF, BR_UPS

    alive = topo.alive
    # the loads each branch must pass (series losses left out): a UPS input draws its output's
    # real power over its efficiency at unity power factor, a PDU adds its loss
    s0 = topo.T @ load
    d = np.zeros(net.n_bus, dtype=complex)
    ups = alive & (net.branch == BR_UPS)
    conv = alive & (net.branch == BR_EFF)
    d[ups] = s0[ups].real / net.eff[ups] - s0[ups]
    d[conv] = s0[conv].real * (1.0 / net.eff[conv] - 1.0)
    s_sub = np.where(alive, topo.T @ (load + d), 0.0)
    series = alive & ((net.branch == BR_CABLE) | (net.branch == BR_TX)) & (np.abs(z) > 0)
    if not series.any():
        return None
    z_path = topo.M @ np.where(series, z, 0.0)
    v_root, k = zone_voltages(net, topo)
    v0 = v_root * k
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        ratio = np.where(alive, np.abs(s_sub) / _limit(z_path, s_sub, v0), 0.0)
    ratio = np.where(np.isfinite(ratio), ratio, 0.0)
    n = int(np.argmax(ratio))
    path = topo.M[n].indices
    path = path[series[path]]
    if not path.size:
        return None
    share = np.abs(z[path]) * np.abs(s_sub[path])
    a = int(path[np.argmax(share)])
    own = float(_limit(z[a:a + 1], s_sub[a:a + 1], v0[a:a + 1])[0])
    path_max = float(_limit(z_path[n:n + 1], s_sub[n:n + 1], v0[n:n + 1])[0])
    to_kva = S_BASE_VA / 1e3
    load_kva = float(abs(s_sub[a])) * to_kva
    base_v = float(topo.base_v[a])
    cur = load_kva * 1e3 / (math.sqrt(3.0) * base_v) if base_v > 0 else 0.0
    if net.bus_kind[a] == CORD:
        c = int(net.bus_cord[a])
        r = net.racks[net.cord_rack[c]]
        what = f"rack {r.name or r.id} cord {'AB'[net.cord_side[c]]}"
        if net.one_phase[a]:
            cur *= 3.0
            base_v /= math.sqrt(3.0)
        return Collapse(-1, c, what, load_kva, own * to_kva, path_max * to_kva, _point(net, n), 0.0, cur, base_v,
                        float(net.cord_len_m[c]), (r.id,))
    i = int(net.bus_item[a])
    kind = net.item_kind[i]
    label = f"{KIND_LABEL[kind]} {net.item_label(i)}"
    rating = 0.0
    if net.branch[a] == BR_TX:
        what, rating = label, float(net.items[i].rating_kva)
    elif net.bus_kind[a] == JUNCTION:  # a busway segment
        what = f"busway {net.item_label(i)}"
    else:
        what = f"the feeder of {label}"
    length = float(net.alt_len_m[a] if topo.via_alt[a] else net.feeder_len_m[a])
    return Collapse(i, -1, what, load_kva, own * to_kva, path_max * to_kva, _point(net, n), rating, cur, base_v,
                    length, (net.items[i].id,))


def _point(net: PowerNetwork, b: int) -> str:
    if net.bus_kind[b] == CORD:
        c = int(net.bus_cord[b])
        r = net.racks[net.cord_rack[c]]
        return f"rack {r.name or r.id}"
    i = int(net.bus_item[b])
    return f"{KIND_LABEL[net.item_kind[i]]} {net.item_label(i)}"


def fix_text(col: Collapse | None) -> str:
    """What to change so the element carries its load."""
    if col is None:
        return "reduce the rack loads or raise the ratings of the power chain until the overloads are gone"
    if col.rating_kva > 0:
        need = col.load_kva / 0.8
        std = next((s for s in _TX_SIZES if s >= need), need)
        return (f"choose a transformer of at least {std:,.0f} kVA (the load at 80 %), or move load to "
                "another transformer")
    if col.cord >= 0:
        return "feed the rack from a nearer PDU / tap or use a shorter cord, or split its load over more cords"
    if "busway" in col.what and "feeder" not in col.what:
        return "choose a busway of a higher rating (lower impedance) or feed it from both ends"
    from designer.solvers.sizing import size_cable

    if not (col.voltage_v > 0 and math.isfinite(col.current_a) and math.isfinite(col.length_m)):
        return "give the chain a real supply voltage and cable data, then size the cable for its load"
    ch = size_cable(col.current_a, col.length_m, col.voltage_v)
    return (f"use {ch.describe()} for it" + ("" if ch.ok else " (even that does not meet the limits: shorten the run)")
            + ", or move load off it")


_TX_SIZES = (50, 75, 100, 160, 250, 315, 400, 500, 630, 800, 1000, 1250, 1600, 2000, 2500, 3150, 4000, 5000)
"""Standard distribution transformer ratings, kVA."""
