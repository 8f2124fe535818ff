"""Findings of the power analysis: overloads, margins, voltage drop, phases, single failures."""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from designer.model.findings import Finding, error, warning
from designer.solvers.power.checks import UNITS, current_points
from designer.solvers.power.network import CORD, KIND_LABEL, PowerNetwork

SRC = "power"
FEEDER_DROP_PCT = 3.0
"""Informational limit for one feeder or branch circuit."""
TOTAL_DROP_PCT = 5.0
"""Informational limit from the voltage origin (transformer secondary, UPS output) to the rack."""
IMBALANCE_LIMIT = 0.10
GROUP_OVER = 6
"""More failing scenarios of one kind than this are reported as one finding."""

_FIX = {
    "source": "reduce the load on it or raise the supply capacity",
    "transformer": "move load to another transformer or choose a larger rating",
    "switchboard": "move load to another board or choose a larger board",
    "ups": "move load to another UPS or add modules",
    "pdu": "move racks to another PDU or choose a larger PDU / breaker",
    "busway": "move taps to another busway or choose a higher busway rating",
    "tap": "use a larger tap-off breaker or feed fewer racks from it",
}


def _name(net: PowerNetwork, i: int) -> str:
    kind = net.item_kind[i]
    label = "RPP" if kind == "pdu" and net.items[i].kind == "rpp" else KIND_LABEL[kind]
    return f"{label} {net.item_label(i)}"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _cord_name(net: PowerNetwork, c: int) -> str:
    r = net.racks[net.cord_rack[c]]
    return f"rack {r.name or r.id} cord {'AB'[net.cord_side[c]]}"


def site_findings(net, st, ph, ph2, checks, val, util, outcomes, res) -> list[Finding]:
    out: list[Finding] = []
    out += _near_collapse(net, st)
    out += _overloads(net, checks, val, util, st.topo.base_v)
    out += _dead(net, st)
    out += _unpowered(net, st)
    out += _drops(net, st)
    out += _mismatch(net, st)
    out += _imbalance(net, ph, ph2, checks, res)
    if ph.unbalanced_failed:
        out.append(error("power.unbalanced_no_solution", "The unbalanced three-phase flow has no solution: the "
                         "single-phase loads on the most loaded line are beyond what its conductors can deliver "
                         "(the phase currents shown are the balanced estimate)",
                         "spread the single-phase racks over L1, L2 and L3, or use larger or shorter feeders",
                         ids=tuple(net.racks[net.cord_rack[c]].id for c in np.flatnonzero(net.cord_phase > 0)[:20]),
                         source=SRC))
    out += _failures(res, [k for k, oc in enumerate(outcomes) if not oc.ok])
    return out


NEAR_COLLAPSE = 0.8
"""Share of the most a path can deliver (the nose of the P-V curve) above which the normal
state is reported as on the edge of voltage collapse."""


def _near_collapse(net, st) -> list[Finding]:
    """A solution that exists only just: the voltage has sagged towards the nose of the curve."""
    from designer.solvers.power.collapse import diagnose, fix_text

    if not st.topo.alive.any() or np.min(np.abs(st.V[st.topo.alive])) > 0.9:
        return []
    col = diagnose(net, st.topo, st.load, st.z)
    if col is None or col.ratio < NEAR_COLLAPSE:
        return []
    v = np.abs(st.V)
    b = int(np.argmin(np.where(st.topo.alive, v, np.inf)))
    return [error("power.near_collapse", f"{_cap(col.text())}. A solution exists only on the edge of voltage "
                  f"collapse: the lowest voltage is {v[b]:.3f} pu ({v[b] * st.topo.base_v[b]:.0f} V), where no "
                  "equipment runs", fix_text(col), ids=col.ids, source=SRC)]


def _pct(u: float) -> str:
    return f"{u * 100:.0f} %" if np.isfinite(u) else "beyond all"


def _overloads(net, checks, val, util, base_v) -> list[Finding]:
    out = []
    for r in np.flatnonzero(util > 1.0 + 1e-9):
        o = int(checks.owner[r])
        unit = UNITS[checks.kind[r]]
        lim = f"{checks.limit[r]:.0f} {unit}"
        if checks.factor[r] < 1.0:
            lim += f", {checks.factor[r] * 100:.0f} % of its {checks.rating[r]:g} {unit} {checks.what[r]}"
        if o < 0:
            c = -o - 1
            out.append(error("power.cord_overload", f"{_cap(_cord_name(net, c))} carries {val[r]:.1f} A, "
                             f"{_pct(util[r])} of its continuous limit ({lim})",
                             "use a larger cord breaker or move load off the rack",
                             ids=(net.racks[net.cord_rack[c]].id,), source=SRC))
            continue
        it = net.items[o]
        if checks.what[r] == "feeder cable":
            from designer.solvers.power.solve import cable_fix
            from designer.solvers.sizing import size_name

            b = int(checks.bus[r])
            mm2, sets, inferred, method, grp, amb = net.feeder_cable[b]
            size = f"{sets} x {size_name(mm2, net.standard)}" if sets > 1 else size_name(mm2, net.standard)
            how = " (size taken from its resistance)" if inferred else ""
            out.append(error("power.cable_ampacity", f"The feeder of {_name(net, o)} ({size}{how}, "
                             f"{net.standard}{' method ' + method if net.standard.startswith('IEC') else ''}, "
                             f"{checks.rating[r]:.0f} A derated) carries {val[r]:.0f} A, {_pct(util[r])} of its "
                             f"continuous limit ({lim})", cable_fix(net, b, float(val[r]), float(base_v[b])), ids=(it.id,), source=SRC))
            continue
        if not checks.overload[r]:
            out.append(warning("power.ups_redundancy", f"UPS {net.item_label(o)} carries {val[r]:.0f} kW, "
                               f"{_pct(util[r])} of its N rating ({it.module_count - it.redundant_modules} x "
                               f"{it.module_kw:g} kW): its redundant module{'s are' if it.redundant_modules > 1 else ' is'}"
                               " no longer spare", "move load to another UPS or add a module", ids=(it.id,), source=SRC))
            continue
        out.append(error("power.overload", f"{_cap(_name(net, o))} carries {val[r]:.0f} {unit}, "
                         f"{_pct(util[r])} of its {checks.what[r]} limit ({lim})",
                         _FIX.get(net.item_kind[o], "reduce its load"), ids=(it.id,), source=SRC))
    return out


def _dead(net, st) -> list[Finding]:
    """Equipment without a live supply in the normal state: the first dead item of each dead
    chain is named, with the reason (no upstream, a loop, a dead upstream)."""
    alive = st.topo.alive
    out = []
    for i, kind in enumerate(net.item_kind):
        e = int(net.item_entry[i])
        if kind in ("source", "tap") or alive[e]:
            continue
        p = int(net.parent[e])
        up = int(net.bus_item[p]) if p >= 0 else -1
        if up >= 0 and net.item_kind[up] != "source" and not alive[net.item_entry[up]] and not _in_loop(net, e):
            continue  # reported through the dead item above it
        if p < 0:
            why = "it has no upstream"
        elif _in_loop(net, e):
            why = "its supply chain loops back on itself"
        else:
            why = f"its upstream {_name(net, up)} has no live supply"
        cords = int(np.count_nonzero(~alive[net.cord_bus])) if len(net.cord_bus) else 0
        out.append(error("power.dead_equipment", f"{_cap(_name(net, i))} has no supply in the normal state: {why}",
                         "connect it to a live upstream (a source, transformer, board, UPS or PDU)"
                         + (f"; {cords} rack cord{'s' if cords != 1 else ''} in this hall are dead" if cords else ""),
                         ids=(net.items[i].id,), source=SRC))
    return out


def _in_loop(net, b: int) -> bool:
    seen = set()
    while b >= 0 and b not in seen:
        seen.add(b)
        b = int(net.parent[b])
    return b >= 0


def _unpowered(net, st) -> list[Finding]:
    had_feed = (net.rack_cords >= 0).any(axis=1) if len(net.racks) else np.zeros(0, bool)
    lost = np.flatnonzero(~st.rack_powered & had_feed)
    if not lost.size:
        return []
    names = ", ".join(net.racks[r].name or net.racks[r].id for r in lost[:8])
    more = f" and {lost.size - 8} more" if lost.size > 8 else ""
    kw = float(net.rack_s_pu[lost].real.sum() * 1e3)
    return [error("power.unpowered", f"{lost.size} rack{'s' if lost.size > 1 else ''} ({kw:.0f} kW) have no live "
                  f"supply in the normal state: {names}{more}",
                  "connect their PDU / busway chain to a source", ids=tuple(net.racks[r].id for r in lost),
                  source=SRC)]


def _drops(net, st) -> list[Finding]:
    topo = st.topo
    Vabs = np.abs(st.V)
    ap = topo.ap
    alive = topo.alive
    vpar = np.where(ap >= 0, Vabs[np.maximum(ap, 0)], Vabs)
    feeder = np.where(alive & (net.branch == 1), (vpar - Vabs) * 100, 0.0)
    origin = np.where(topo.origin >= 0, Vabs[np.maximum(topo.origin, 0)], Vabs)
    total = np.where(alive, (origin - Vabs) * 100, 0.0)
    out = []
    groups: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for b in np.flatnonzero(feeder > FEEDER_DROP_PCT):
        if net.bus_kind[b] == CORD:
            c = net.bus_cord[b]
            groups["cord"].append((net.racks[net.cord_rack[c]].id,
                                   f"{_cord_name(net, c)} {feeder[b]:.1f} % over {net.cord_len_m[c]:.0f} m"))
        else:
            i = net.bus_item[b]
            groups["feeder"].append((net.items[i].id, f"{_name(net, i)} {feeder[b]:.1f} % over "
                                     f"{net.feeder_len_m[b]:.0f} m" if net.bus_kind[b] != 9 else
                                     f"{_name(net, i)} segment {feeder[b]:.1f} %"))
    for b in np.flatnonzero((net.bus_kind == CORD) & (total > TOTAL_DROP_PCT)):
        c = net.bus_cord[b]
        groups["total"].append((net.racks[net.cord_rack[c]].id, f"{_cord_name(net, c)} {total[b]:.1f} %"))
    for kind, rows in groups.items():
        if kind == "total":
            msg = f"Voltage drop from the zone's origin to the rack exceeds {TOTAL_DROP_PCT:g} %"
            fix = "shorten the runs, use larger cables or feed the racks from a nearer PDU / tap"
        else:
            msg = f"Voltage drop along one {'cord' if kind == 'cord' else 'feeder'} exceeds {FEEDER_DROP_PCT:g} %"
            fix = "use a larger or parallel cable, or a shorter route"
        listed = "; ".join(t for _, t in rows[:6]) + (f"; and {len(rows) - 6} more" if len(rows) > 6 else "")
        out.append(warning("power.voltage_drop", f"{msg}: {listed}", fix, ids=tuple(dict.fromkeys(i for i, _ in rows)),
                           source=SRC))
    return out


def _mismatch(net, st) -> list[Finding]:
    out = []
    base = st.topo.base_v
    ok = st.topo.alive & ~np.isnan(net.equip_v) & (base > 0)
    bad = ok & (np.abs(net.equip_v - base) > 0.05 * base)
    for b in np.flatnonzero(bad):
        i = net.bus_item[b]
        out.append(warning("power.voltage_mismatch", f"{_cap(_name(net, i))} is rated {net.equip_v[b]:g} V but "
                           f"its supply is {base[b]:g} V", "match the equipment voltage to the system, or add a "
                           "transformer", ids=(net.items[i].id,), source=SRC))
    return out


def _imbalance(net, ph, ph2, checks, res) -> list[Finding]:
    out = []
    n_changes = sum(len(v) for v in res.phase_suggestion.values())
    cb = current_points(net, checks)
    imb, imb2 = ph.imbalance[cb], ph2.imbalance[cb]
    for i in np.flatnonzero(imb > IMBALANCE_LIMIT):
        c = cb[i]
        pa = "/".join(f"{x:.0f}" for x in ph.phase_a[c])
        helps = imb2[i] < imb[i] - 0.05
        msg = (f"{_cap(_name(net, i))} phase currents {pa} A: imbalance {imb[i] * 100:.0f} % (limit "
               f"{IMBALANCE_LIMIT * 100:.0f} %), neutral {ph.neutral_a[c]:.0f} A")
        if helps:
            msg += f"; the suggested re-assignment brings it to {imb2[i] * 100:.0f} %"
            fix = f"apply the suggested phase re-assignment ({n_changes} cord change{'s' if n_changes != 1 else ''})"
        else:
            fix = "spread the single-phase cords below it over L1, L2 and L3 (or use three-phase cords)"
        out.append(warning("power.phase_imbalance", msg, fix, ids=(net.items[i].id,), source=SRC))
    return out


FAULT_TOLERANT_SCHEMES = ("2N", "DR", "block")
"""Design intents that promise to keep every rack powered through any single failure."""


def _failures(res, bad_idx: list[int]) -> list[Finding]:
    """Failure scenarios that lose racks or overload equipment: errors where the site's
    power scheme claims fault tolerance (2N, distributed redundant, block), warnings where
    it does not (N, N+1)."""
    from designer.solvers.power.solve import describe

    fault_tolerant = res.scheme in FAULT_TOLERANT_SCHEMES
    out = []
    bad = [res.scenarios[k] for k in bad_idx]
    by_kind: dict[str, list] = defaultdict(list)
    for s in bad:
        by_kind[s.kind].append(s)
    for kind, lst in by_kind.items():
        lst = sorted(lst, key=lambda s: (-len(s.racks_lost), -max((u for *_, u in s.overloaded), default=0.0)))
        chunks = [lst] if len(lst) > GROUP_OVER else [[s] for s in lst]
        for chunk in chunks:
            ids: list[str] = []
            for s in chunk:
                ids += list(s.failed_ids) + list(s.racks_lost) + [o.split("#")[0] for o, *_ in s.overloaded]
            if len(chunk) == 1:
                msg = "Single failure: " + describe(chunk[0], res)
            else:
                msg = (f"{len(chunk)} single failures of a {kind.replace('_', ' ')} each lose racks or overload "
                       f"equipment; worst: " + describe(chunk[0], res))
            fixes = list(dict.fromkeys(s.no_solution_fix for s in chunk if s.no_solution_fix))
            fixes += list(dict.fromkeys(f for s in chunk for f in s.cable_fixes))
            if any(s.low_voltage for s in chunk):
                fixes.append("use larger or parallel feeders on the path that carries the load after the failure "
                             "(or a transformer tap) so the racks keep 90 % of their voltage")
            if any(s.racks_lost for s in chunk):
                fixes.append("feed every rack from two independent paths (A and B); add a generator or a second "
                             "supply where a source, transformer or board is shared")
            if any("#" not in o for s in chunk for o, *_ in s.overloaded):
                fixes.append("size each path's equipment for the whole load")
            if any("#" in o for s in chunk for o, *_ in s.overloaded):
                fixes.append("give the racks cord breakers (and cords) rated for the whole rack load")
            fix = "; ".join(fixes)
            if fault_tolerant:
                out.append(error("power.single_failure", msg, fix, ids=tuple(dict.fromkeys(ids)), source=SRC))
            else:
                # the design intent (N, N+1) does not claim to ride through it: say so, as a warning
                out.append(warning("power.single_failure",
                                   msg + f" (this site's {res.scheme} power design does not claim to survive it)",
                                   fix + "; or accept it and document the risk", ids=tuple(dict.fromkeys(ids)),
                                   source=SRC))
    return out
