"""Build step: one hall's power chain as arrays of buses, branches, cords and racks.

Every piece of equipment becomes one or two *buses* (nodes of the electrical network);
every bus but a source has one normal parent (its upstream) and maybe an alternate
(an automatic / static transfer switch), joined by a *branch* of one kind:

=============  ==============================  ======================================
equipment      buses                           branch into each bus
=============  ==============================  ======================================
source         ``id``                          none (slack, 1.0 pu)
transformer    ``id#hv``, ``id``               feeder cable; transformer impedance
switchboard    ``id``                          feeder cable
UPS            ``id#in``, ``id``               feeder cable; UPS (regulated output)
PDU / RPP      ``id#in``, ``id``               feeder cable; efficiency
busway         ``id`` (feed end), ``tap#j``    feeder cable; busway segment per tap
tap            ``tap`` (the tap-off box)       none (a link to its busway junction)
rack cord      ``rack#A`` / ``rack#B``         the cord (a cable sized for its breaker)
=============  ==============================  ======================================

Impedances are kept in ohms; the solve turns them into per-unit on the base voltage of
the zone a bus ends up in (which can change when a transfer switch moves a board to a
generator of another voltage). A single-phase cord is represented in the balanced
per-phase model by six times its conductor impedance: a line-neutral loop (2 Z) seen
from the line-neutral voltage (a factor 3 against the line-line base), which gives the
cord's true voltage drop and I^2 R loss.

A transfer switch's alternate supply uses the same ``feeder`` cable data as the normal one;
its length, when routed, is measured to the alternate's position (a source, not being on the
plan, gets the allowance only).

Transformers: ``|Z|`` is ``impedance_pct``; its resistance is taken from ``load_loss_kw``
(R = copper loss at rated load / rating, so the solved losses are the data sheet's), and the
reactance makes up ``|Z|``. ``x_r_ratio`` splits ``|Z|`` only when no load loss is given
(or an impossible one). Iron loss ``no_load_loss_kw`` is a constant impedance on the primary.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from designer.model.findings import Finding, error, info
from designer.model.hall import Hall, Rack
from designer.solvers.power import routing

SOURCE, TX_HV, TX_LV, SWB, UPS_IN, UPS_OUT, PDU_IN, PDU_OUT, BUSWAY, JUNCTION, TAP, CORD = range(12)
BR_NONE, BR_CABLE, BR_TX, BR_UPS, BR_EFF, BR_LINK = range(6)
PHASES = ("3P", "L1", "L2", "L3")
S_BASE_VA = 1.0e6
"""Per-unit power base: 1 MVA."""
SOURCE_NAME = "power"
KIND_LABEL = {"source": "source", "transformer": "transformer", "switchboard": "switchboard", "ups": "UPS",
              "pdu": "PDU", "busway": "busway", "tap": "busway tap"}
"""How each kind of equipment is named in messages."""


@dataclass
class PowerNetwork:
    """Arrays of one hall's power chain (see module doc). Bus arrays have length n_bus."""

    site_id: str
    bus_label: list[str]
    bus_kind: np.ndarray
    bus_item: np.ndarray
    """Equipment index owning the bus (busway junctions belong to the busway); -1 for cords."""
    bus_cord: np.ndarray
    parent: np.ndarray
    alt: np.ndarray
    branch: np.ndarray
    r_ohm: np.ndarray
    x_ohm: np.ndarray
    alt_r_ohm: np.ndarray
    alt_x_ohm: np.ndarray
    tx_z_rated: np.ndarray
    """Transformer series impedance in per unit of its own rating (complex)."""
    tx_rating_va: np.ndarray
    p_fe_w: np.ndarray
    eff: np.ndarray
    origin_v: np.ndarray
    """Line-line voltage a bus sets for the buses below it (NaN where it passes its parent's on)."""
    sets_voltage: np.ndarray
    """Buses that hold their voltage: sources (at their set point) and UPS outputs (1.0 pu)."""
    v_set: np.ndarray
    """Voltage held at each ``sets_voltage`` bus, pu (1.0 elsewhere)."""
    tap_ratio: np.ndarray
    """No-load ratio of a transformer's off-load tap, per unit (1.0 elsewhere): the secondary
    sits at ``tap_ratio`` times its nominal share of the primary voltage, and its percent
    impedance applies on that tapped voltage (ohms on the secondary x ``tap_ratio``^2; as
    pandapower takes a low-voltage-side tap)."""
    equip_v: np.ndarray
    """Nominal line-line voltage of the equipment at a bus (NaN if none), to check against its zone."""
    one_phase: np.ndarray
    feeder_len_m: np.ndarray
    alt_len_m: np.ndarray
    feeder_routed: np.ndarray
    items: list
    item_kind: list[str]
    item_entry: np.ndarray
    item_out: np.ndarray
    item_in: np.ndarray
    """Bus whose throughput is the item's input current (UPS and PDU input; else ``item_out``)."""
    item_index: dict[str, int]
    cord_bus: np.ndarray
    cord_rack: np.ndarray
    cord_side: np.ndarray
    cord_phase: np.ndarray
    cord_breaker_a: np.ndarray
    cord_len_m: np.ndarray
    cord_routed: np.ndarray
    cord_supply: np.ndarray
    racks: list[Rack]
    rack_s_pu: np.ndarray
    rack_share: np.ndarray
    """(n_rack, 2): share of the rack's load on cord A and B with both alive."""
    rack_cords: np.ndarray
    """(n_rack, 2): cord index of feed A and B (-1 if none)."""
    feeder_amp_a: np.ndarray = field(default_factory=lambda: np.zeros(0))
    """Derated ampacity of each bus's feeder cable, all sets (A; NaN: no cable to check)."""
    feeder_cable: dict = field(default_factory=dict)
    """bus -> (mm2, sets, inferred, method, grouping, ambient_c) of the feeder checked."""
    standard: str = "IEC 60364-5-52"
    findings: list[Finding] = field(default_factory=list)

    @property
    def n_bus(self) -> int:
        return len(self.bus_kind)

    def item_id(self, i: int) -> str:
        return self.items[i].id

    def item_label(self, i: int) -> str:
        it = self.items[i]
        return it.name or it.id


class _Buses:
    """Preallocated bus columns, filled item by item (equipment) or by slices (taps, cords)."""

    def __init__(self, n: int) -> None:
        self.label: list[str] = [""] * n
        self.kind = np.zeros(n, np.int8)
        self.item = np.full(n, -1, np.int64)
        self.cord = np.full(n, -1, np.int64)
        self.parent = np.full(n, -1, np.int64)
        self.alt = np.full(n, -1, np.int64)
        self.branch = np.zeros(n, np.int8)
        self.r, self.x, self.ar, self.ax = (np.zeros(n) for _ in range(4))
        self.txz = np.zeros(n, complex)
        self.txs = np.ones(n)
        self.pfe = np.zeros(n)
        self.eff = np.ones(n)
        self.origin = np.full(n, np.nan)
        self.sets = np.zeros(n, bool)
        self.vset = np.ones(n)
        self.tap = np.ones(n)
        self.equip = np.full(n, np.nan)
        self.one = np.zeros(n, bool)
        self.len, self.alen = np.zeros(n), np.zeros(n)
        self.routed = np.zeros(n, bool)
        self.n = 0

    def add(self, label: str, kind: int, item: int, branch: int, **kw) -> int:
        i = self.n
        self.n += 1
        self.label[i] = label
        self.kind[i], self.item[i], self.branch[i] = kind, item, branch
        for k, v in kw.items():
            getattr(self, k)[i] = v
        return i


_PLACED = ("transformer", "switchboard", "ups", "pdu")
_N_BUSES = {"source": 1, "transformer": 2, "switchboard": 1, "ups": 2, "pdu": 2, "busway": 1, "tap": 2}


def build_network(hall: Hall, site_id: str = "", standard: str = "IEC 60364-5-52") -> PowerNetwork:
    """Arrays of ``hall``'s power chain; problems found on the way go to ``.findings``.
    ``standard`` names the ampacity table feeders are checked against (see
    :func:`designer.solvers.sizing.cable_ampacity_a`)."""
    from designer.solvers.sizing import cable_ampacity_a, infer_mm2

    pw = hall.power
    findings: list[Finding] = []
    items: list = []
    kinds: list[str] = []
    for kind, coll in (("source", pw.sources), ("transformer", pw.transformers),
                       ("switchboard", pw.switchboards), ("ups", pw.ups), ("pdu", pw.pdus),
                       ("busway", pw.busways), ("tap", pw.taps)):
        items += coll
        kinds += [kind] * len(coll)
    index = {it.id: i for i, it in enumerate(items)}
    n_items = len(items)
    racks = list(hall.racks)
    feeds = [(ri, si, f) for ri, r in enumerate(racks) for si, f in enumerate((r.feed_a, r.feed_b)) if f is not None]
    B = _Buses(sum(_N_BUSES[k] for k in kinds) + len(feeds))
    entry = np.full(n_items, -1, np.int64)
    out = np.full(n_items, -1, np.int64)
    inp = np.full(n_items, -1, np.int64)
    busway_by_id = {b.id: b for b in pw.busways}
    pos: list[tuple[float, float] | None] = [None] * n_items
    for i, (kind, it) in enumerate(zip(kinds, items, strict=True)):
        if kind in _PLACED:
            pos[i] = (it.x, it.y)
        elif kind == "busway":
            pos[i] = tuple(it.path[0]) if it.path else None
        elif kind == "tap":
            bw = busway_by_id.get(it.busway_id)
            pos[i] = routing.point_along(bw.path, it.offset_m) if bw is not None else None
    ups_up: list[tuple[int, object]] = []  # (entry bus, item) of everything with a feeder
    amp_of: dict[int, tuple[float, tuple]] = {}
    def volts(it, name: str) -> float:
        """A voltage field of ``it``, or 400 V with an error finding when it is not a usable
        voltage (validation says so too; the analysis still runs on the rest)."""
        v = getattr(it, name)
        if math.isfinite(v) and 1.0 <= v <= 1e6:
            return float(v)
        findings.append(error("power.value", f"{KIND_LABEL.get(kinds[index[it.id]], 'item')} {it.name or it.id}: "
                              f"{name} {v:g} V is not a usable voltage; the power analysis takes 400 V",
                              "enter the equipment's nominal voltage", ids=(it.id,), source=SOURCE_NAME))
        return 400.0

    for i, (kind, it) in enumerate(zip(kinds, items, strict=True)):
        if kind == "source":
            sv = volts(it, "voltage_v")
            b = B.add(it.id, SOURCE, i, BR_NONE, origin=sv, sets=True, equip=sv,
                      vset=_finite(it.voltage_setpoint_pu, 1.0))
            entry[i] = out[i] = inp[i] = b
        elif kind == "transformer":
            hv = B.add(f"{it.id}#hv", TX_HV, i, BR_CABLE, equip=volts(it, "primary_v"))
            lv = B.add(it.id, TX_LV, i, BR_TX, parent=hv, origin=volts(it, "secondary_v"))
            rated = max(it.rating_kva, 1e-9) * 1e3
            zk = max(it.impedance_pct, 0.0) / 100.0
            rk = max(it.load_loss_kw, 0.0) * 1e3 / rated
            if rk <= 0.0 or rk >= zk:  # no loss figure: split |Z| by the X/R ratio
                rk = zk / math.sqrt(1.0 + max(it.x_r_ratio, 1e-9) ** 2)
            B.txz[lv] = complex(rk, math.sqrt(max(zk * zk - rk * rk, 0.0)))
            B.txs[lv] = rated
            B.tap[lv] = 1.0 + min(max(_finite(it.tap_pct, 0.0), -50.0), 50.0) / 100.0  # validation: -10..10
            B.pfe[lv] = max(it.no_load_loss_kw, 0.0) * 1e3
            entry[i], out[i], inp[i] = hv, lv, lv
        elif kind == "switchboard":
            b = B.add(it.id, SWB, i, BR_CABLE, equip=volts(it, "voltage_v"))
            entry[i] = out[i] = inp[i] = b
        elif kind == "ups":
            b_in = B.add(f"{it.id}#in", UPS_IN, i, BR_CABLE)
            b_out = B.add(it.id, UPS_OUT, i, BR_UPS, parent=b_in, eff=_eff(it.efficiency),
                          origin=volts(it, "voltage_v"), sets=True)
            entry[i], out[i], inp[i] = b_in, b_out, b_in
        elif kind == "pdu":
            pv = volts(it, "voltage_v")
            b_in = B.add(f"{it.id}#in", PDU_IN, i, BR_CABLE, equip=math.nan if it.has_transformer else pv)
            b_out = B.add(it.id, PDU_OUT, i, BR_EFF, parent=b_in, eff=_eff(it.efficiency),
                          origin=pv if it.has_transformer else math.nan)
            entry[i], out[i], inp[i] = b_in, b_out, b_in
        elif kind == "busway":
            b = B.add(it.id, BUSWAY, i, BR_CABLE, equip=volts(it, "voltage_v"))
            entry[i] = out[i] = inp[i] = b
        else:
            continue
        if kind != "source":
            ups_up.append((entry[i], it))
    # taps: a junction on the busway, then the tap-off box; junctions chain in offset order
    tap_idx = [i for i, k in enumerate(kinds) if k == "tap"]
    if tap_idx:
        t0 = B.n
        nt = len(tap_idx)
        j = t0 + 2 * np.arange(nt)
        box = j + 1
        B.n += 2 * nt
        taps = [items[i] for i in tap_idx]
        bwi = np.array([index.get(t.busway_id, -1) for t in taps], np.int64)
        ok = bwi >= 0
        ok[ok] = np.array([kinds[b] == "busway" for b in bwi[ok]], bool)
        for k, t in enumerate(taps):
            B.label[j[k]], B.label[box[k]] = f"{t.id}#j", t.id
            if not ok[k]:
                findings.append(error("power.tap_busway", f"Tap {t.name or t.id} names busway '{t.busway_id}', "
                                      "which is not a busway of this hall", "pick the busway the tap sits on",
                                      ids=(t.id,), source=SOURCE_NAME))
        ti = np.array(tap_idx, np.int64)
        B.kind[j], B.kind[box] = JUNCTION, TAP
        B.item[j] = np.where(ok, bwi, ti)
        B.item[box] = ti
        B.branch[j], B.branch[box] = BR_CABLE, BR_LINK
        B.parent[box] = j
        entry[ti] = out[ti] = inp[ti] = box
        off = np.array([t.offset_m for t in taps])
        order = np.lexsort((np.array([t.id for t in taps]), off, bwi))
        prev_bw, prev_bus, prev_off = -2, -1, 0.0
        for k in order[ok[order]]:
            b = int(bwi[k])
            if b != prev_bw:
                prev_bw, prev_bus, prev_off = b, int(entry[b]), 0.0
                bw = items[b]
            seg = max(off[k] - prev_off, 0.0)
            jk = int(j[k])
            B.parent[jk] = prev_bus
            B.r[jk] = bw.r_ohm_per_km * seg / 1000.0
            B.x[jk] = bw.x_ohm_per_km * seg / 1000.0
            B.len[jk] = seg
            prev_bus, prev_off = jk, max(off[k], prev_off)
    # feeders: resolve upstream ids, lengths from the plan where not given
    for b, it in ups_up:
        i = int(B.item[b])
        for which, ref in (("normal", it.upstream_id), ("alternate", it.alternate_upstream_id)):
            if ref is None:
                continue
            ui = index.get(ref)
            if ui is None:
                findings.append(error("power.upstream", f"{it.name or it.id}: {which} upstream '{ref}' is not "
                                      "power equipment of this hall", "pick a source, transformer, "
                                      "switchboard, UPS or PDU as its upstream", ids=(it.id,), source=SOURCE_NAME))
                continue
            up_it = items[ui]
            cab = it.feeder
            if cab.length_m is not None:
                length, routed = max(cab.length_m, 0.0), False
            else:
                length, known = routing.routed_length(pos[ui], pos[i])
                routed = True
                if not known:
                    findings.append(info("power.feeder_length", f"Feeder of {it.name or it.id} from "
                                         f"{up_it.name or up_it.id}: the source is not on the plan, so its "
                                         f"length is taken as {length:.1f} m",
                                         "enter the feeder's length in metres", ids=(it.id,), source=SOURCE_NAME))
            sets = max(cab.parallel_sets, 1)
            r, x = cab.r_ohm_per_km * length / 1000.0 / sets, cab.x_ohm_per_km * length / 1000.0 / sets
            if length > 0 and b not in amp_of:
                mm2 = cab.conductor_mm2 if cab.conductor_mm2 and cab.conductor_mm2 > 0 else None
                inferred = mm2 is None
                mm2 = infer_mm2(cab.r_ohm_per_km) if inferred else float(mm2)
                grp = cab.grouping_factor if cab.grouping_factor is not None and cab.grouping_factor > 0 else None
                amb = cab.ambient_c if math.isfinite(cab.ambient_c) else 30.0
                amp_of[b] = (cable_ampacity_a(mm2, sets, standard, cab.installation_method, grp, amb),
                             (mm2, sets, inferred, cab.installation_method, grp, amb))
            if which == "normal":
                B.parent[b] = out[ui]
                B.r[b], B.x[b], B.len[b], B.routed[b] = r, x, length, routed
            else:
                B.alt[b] = out[ui]
                B.ar[b], B.ax[b], B.alen[b] = r, x, length
        if B.parent[b] < 0 and B.alt[b] >= 0:  # no normal upstream: the alternate is normal
            B.parent[b], B.alt[b] = B.alt[b], -1
            B.r[b], B.x[b], B.len[b] = B.ar[b], B.ax[b], B.alen[b]
    # racks and their cords
    nr = len(racks)
    rack_s = np.zeros(nr, dtype=complex)
    rack_share = np.zeros((nr, 2))
    rack_cords = np.full((nr, 2), -1, dtype=np.int64)
    for ri, r in enumerate(racks):
        pf = min(max(r.power_factor, 0.05), 1.0)
        p = max(r.it_load_kw, 0.0) * 1e3 / S_BASE_VA
        rack_s[ri] = complex(p, p * math.tan(math.acos(pf)))
    cc: dict[str, list] = {k: [] for k in ("rack", "side", "phase", "brk", "len", "routed", "sup", "r", "x")}
    for ri, si, feed in feeds:
        r = racks[ri]
        sup = index.get(feed.source_id)
        if sup is None or kinds[sup] not in ("pdu", "tap"):
            what = "nothing in this hall" if sup is None else f"a {kinds[sup]}"
            findings.append(error("power.feed_source", f"Rack {r.name or r.id}: feed {'AB'[si]} names "
                                  f"'{feed.source_id}', which is {what}",
                                  "connect the cord to a PDU / RPP or a busway tap", ids=(r.id,), source=SOURCE_NAME))
            continue
        if feed.cable_length_m is not None:
            length, routed = max(feed.cable_length_m, 0.0), False
        else:
            length, _ = routing.routed_length(pos[sup], (r.x, r.y))
            routed = True
        _, rk, xk = routing.cord_conductor(feed.breaker_a)
        mult = 1.0 if feed.phase == "3P" else 6.0
        rack_cords[ri, si] = len(cc["rack"])
        for k, v in (("rack", ri), ("side", si), ("phase", PHASES.index(feed.phase)), ("brk", feed.breaker_a),
                     ("len", length), ("routed", routed), ("sup", sup), ("r", rk * length / 1000.0 * mult),
                     ("x", xk * length / 1000.0 * mult)):
            cc[k].append(v)
    nc = len(cc["rack"])
    cb = B.n + np.arange(nc)
    B.n += nc
    cord_rack = np.array(cc["rack"], np.int64)
    cord_side = np.array(cc["side"], np.int64)
    cord_phase = np.array(cc["phase"], np.int64)
    cord_sup = np.array(cc["sup"], np.int64)
    for k in range(nc):
        B.label[cb[k]] = f"{racks[cord_rack[k]].id}#{'AB'[cord_side[k]]}"
    B.kind[cb], B.cord[cb], B.branch[cb] = CORD, np.arange(nc), BR_CABLE
    B.parent[cb] = out[cord_sup] if nc else cb
    B.r[cb], B.x[cb] = np.array(cc["r"], float), np.array(cc["x"], float)
    B.len[cb], B.routed[cb] = np.array(cc["len"], float), np.array(cc["routed"], bool)
    B.one[cb] = cord_phase > 0
    live = rack_cords >= 0
    both = live.all(axis=1)
    split = np.array([min(max(r.feed_split_a, 0.0), 1.0) for r in racks]) if nr else np.zeros(0)
    rack_share[both, 0] = split[both]
    rack_share[both, 1] = 1.0 - split[both]
    one = live.any(axis=1) & ~both
    rack_share[one] = live[one].astype(float)
    for ri in np.flatnonzero(~live.any(axis=1)):
        r = racks[ri]
        if r.it_load_kw > 0 and r.feed_a is None and r.feed_b is None:  # else: power.feed_source said why
            findings.append(error("power.no_feed", f"Rack {r.name or r.id} ({r.it_load_kw:g} kW) has no power "
                                  "feed", "connect feed A (and B) to a PDU or busway tap", ids=(r.id,),
                                  source=SOURCE_NAME))
    n = B.n
    amp = np.full(n, np.nan)
    for b, (a, _) in amp_of.items():
        amp[b] = a
    return PowerNetwork(
        site_id=site_id, bus_label=B.label[:n], bus_kind=B.kind[:n], bus_item=B.item[:n], bus_cord=B.cord[:n],
        parent=B.parent[:n], alt=B.alt[:n], branch=B.branch[:n], r_ohm=B.r[:n], x_ohm=B.x[:n],
        alt_r_ohm=B.ar[:n], alt_x_ohm=B.ax[:n], tx_z_rated=B.txz[:n], tx_rating_va=B.txs[:n],
        p_fe_w=B.pfe[:n], eff=B.eff[:n], origin_v=B.origin[:n], sets_voltage=B.sets[:n], v_set=B.vset[:n], tap_ratio=B.tap[:n],
        equip_v=B.equip[:n], one_phase=B.one[:n], feeder_len_m=B.len[:n], alt_len_m=B.alen[:n],
        feeder_routed=B.routed[:n], items=items, item_kind=kinds, item_entry=entry, item_out=out,
        item_in=inp, item_index=index, cord_bus=cb, cord_rack=cord_rack, cord_side=cord_side,
        cord_phase=cord_phase, cord_breaker_a=np.array(cc["brk"], float), cord_len_m=np.array(cc["len"], float),
        cord_routed=np.array(cc["routed"], bool), cord_supply=cord_sup, racks=racks, rack_s_pu=rack_s,
        rack_share=rack_share, rack_cords=rack_cords, feeder_amp_a=amp,
        feeder_cable={b: v for b, (_, v) in amp_of.items()}, standard=standard, findings=findings)


def _finite(v: float, default: float) -> float:
    """``v``, or ``default`` where it is not a finite number (validation reports those)."""
    return float(v) if math.isfinite(v) else default


def _eff(e: float) -> float:
    """Efficiency guarded against nonsense (validation reports values outside 0.5-1)."""
    return min(max(e, 0.05), 1.0)
