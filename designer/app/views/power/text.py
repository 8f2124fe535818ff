"""What the diagram's boxes and tooltips say, from the power results (no painting here).

:func:`node_view` and :func:`block_view` turn a node's results (and, in a failure scenario,
its state and its failover load) into the few lines a box shows; :func:`node_tooltip` and
:func:`block_tooltip` give the full detail on hover, built only when asked.
"""

from __future__ import annotations

import html
import math

from designer.app.views.power import style as ps
from designer.app.views.power.flows import ScenarioLoads
from designer.app.views.power.layout import LNode
from designer.app.views.power.nodes import NodeView
from designer.app.views.power.scenario import BATTERY, DEAD, ScenarioState
from designer.solvers.power.results import CheckValue, NodePower, SitePower

KIND = {"transformer": "transformer", "switchboard": "switchboard", "ups": "UPS", "busway": "busway"}
MAX_TIP_ROWS = 24


def kind_tag(n: NodePower, model) -> str:
    if n.kind == "source":
        return getattr(model, "kind", "source")
    if n.kind == "pdu":
        return "RPP" if getattr(model, "kind", "pdu") == "rpp" else "PDU"
    return KIND.get(n.kind, n.kind)


def governing(n: NodePower) -> CheckValue | None:
    """The overload check with the highest utilisation (a UPS's N rating is a warning only; its
    feeder cable is checked on its own, with a finding)."""
    rows = [c for c in n.checks if c.what not in ("N rating", "feeder cable")]
    return max(rows, key=lambda c: c.utilisation, default=None)


def _limit_text(c: CheckValue | None) -> str:
    """" of 2,500 kVA", or " of 0.8×2,000 A" where the continuous-load rule applies."""
    if c is None:
        return ""
    num = f"{c.rating:,.0f}" if c.rating >= 100 else f"{c.rating:g}"
    if c.rating > 0 and not math.isclose(c.limit, c.rating):
        return f" of {c.limit / c.rating:g}×{num} {c.unit}"
    return f" of {num} {c.unit}"


def node_view(n: NodePower, model, sc: ScenarioState | None = None, loads: ScenarioLoads | None = None) -> NodeView:
    """The box of one piece of equipment (``model``: its model object, for kind and ratings)."""
    c = governing(n)
    v = NodeView(title=n.name, tag=kind_tag(n, model), side=n.side)
    p, s, util = n.p_kw, n.s_kva, (c.utilisation if c is not None else None)
    failover = sc is not None and loads is not None and n.id in loads.p_kw
    if failover:
        p, s, util = loads.p_kw[n.id], loads.s_kva[n.id], loads.util.get(n.id, util)
    v.util = util
    v.bar_text = f"{ps.pct(util)}{_limit_text(c)}" if util is not None else ""
    v.line2 = f"{ps.kw(p)} kW · {ps.kw(s)} kVA" + (f" · {n.current_a:,.0f} A" if n.kind != "source" and
                                                   not failover else "")
    v.line4 = _line4(n, model)
    if not n.energised:
        v.state = DEAD
        v.line2 = "not energised"
    if sc is None:
        return v
    state = sc.state.get(n.id, DEAD)
    v.state = "dead" if state == DEAD else ("battery" if state == BATTERY else "live")
    v.failed = n.id in sc.failed
    v.transferred = n.id in sc.transferred
    if n.id in sc.overloaded:
        v.overloaded = sc.overloaded[n.id]
        v.util = max(v.util or 0.0, v.overloaded)
        v.bar_text = f"{ps.pct(v.util)}{_limit_text(c)}"
    if sc.module_ups == n.id and model is not None:
        left = model.module_count - 1
        v.bar_text = f"{ps.pct(v.util)} of {left} × {model.module_kw:g} kW"
        v.line4 = f"one module down: {left} of {model.module_count} left"
    if v.failed:
        v.line2 = "failed"
        v.note = ""
    elif v.state == "dead":
        v.line2 = "de-energised"
    elif v.state == "battery":
        runtime = getattr(model, "runtime_min", None) if n.kind == "ups" else None
        v.note = f"on battery{f' · {runtime:g} min' if runtime else ''}, then off"
        v.line2 = "supply lost"
    elif v.transferred:
        v.line4 = "transferred to its alternate supply"
    return v


def _line4(n: NodePower, model) -> str:
    if n.kind == "source":
        return ps.volts(n.voltage_v) + (f" · {model.capacity_kva:,.0f} kVA" if model is not None else "")
    if n.kind == "transformer":  # a voltage origin: its regulation, not a drop below itself
        return f"{ps.volts(n.voltage_v)} ({n.voltage_pu:.3f} pu) · feeder ΔV {n.feeder_drop_pct:.2f} %"
    if n.kind == "ups" and model is not None:
        n_mod = model.module_count - model.redundant_modules
        return (f"{ps.volts(n.voltage_v)} · {n_mod}+{model.redundant_modules} × {model.module_kw:g} kW"
                f" · {model.runtime_min:g} min")
    out = f"{ps.volts(n.voltage_v)} · ΔV {n.drop_pct:.2f} %"
    if n.kind == "busway":
        end = n.drop_pct + (n.voltage_pu - n.end_voltage_pu) * 100.0
        out += f" → end {end:.2f} %"
    return out


def block_stats(ln: LNode, sp: SitePower) -> tuple[float, object, object]:
    """(IT kW, the rack with the highest one-cord utilisation, the rack with the smallest
    cord margin) of a block: computed once per results, reused by every scenario."""
    racks = [sp.racks[r] for r in ln.rack_ids if r in sp.racks]
    it = sum(r.p_kw for r in racks)
    worst = max(racks, key=lambda r: r.utilisation, default=None)
    tight = min(racks, key=lambda r: r.margin_a, default=None)
    return it, worst, tight


def block_view(ln: LNode, stats: tuple, sc: ScenarioState | None = None, supply_state: str | None = None
               ) -> NodeView:
    """The box of a block of racks (all the racks whose cords hang on one PDU or busway)."""
    n = len(ln.rack_ids)
    it, worst, tight = stats
    v = NodeView(title=f"{n} rack{'s' if n != 1 else ''}", tag="cords " + "+".join(ln.cords), side=ln.side)
    v.line2 = f"{ps.kw(it)} kW IT" + (f" · {len(ln.tap_ids)} tap-offs" if ln.tap_ids else "")
    if worst is not None and worst.feeds:
        v.util = worst.utilisation
        v.bar_text = f"{ps.pct(worst.utilisation)} worst cord"
        v.line4 = f"min. cord margin {tight.margin_a:,.1f} A ({tight.name})"
    else:
        v.line4 = "no feeds"
    if sc is None:
        return v
    ids = ln.rack_ids
    lost = [r for r in ids if r in sc.racks_lost] if sc.racks_lost else []
    batt = [r for r in lost if r in sc.racks_on_battery]
    over = [sc.racks_over[r] for r in ids if r in sc.racks_over] if sc.racks_over else []
    if over:
        v.overloaded = max(over)
        v.util = max(v.util or 0.0, v.overloaded)
    if lost and len(lost) == n:
        v.state = "battery" if batt else "lost"
        v.note = f"all off after {sc.battery_min:g} min on battery" if batt else "all lose power"
    elif lost:
        v.note = f"{len(lost)} of {n} lose power"
    elif supply_state == DEAD:
        v.state = "dead"
        v.note = ""
        v.line2 = f"{ps.kw(it)} kW IT · cords {'+'.join(ln.cords)} dead"
        v.line4 = "racks run on their other cord"
    elif supply_state == BATTERY:
        v.state = "battery"
        v.note = f"on battery · {sc.battery_min:g} min" if sc.battery_min else "on battery"
    return v


def node_tooltip(n: NodePower) -> str:
    e = html.escape
    rows = [f"<b>{e(n.name)}</b> ({e(n.kind)}{', side ' + e(n.side) if n.side else ''})",
            f"P {n.p_kw:,.1f} kW · Q {n.q_kvar:,.1f} kVAR · S {n.s_kva:,.1f} kVA · pf {n.power_factor:.3f}"]
    if n.kind != "source":
        l1, l2, l3 = n.phase_current_a
        rows.append(f"phase currents {l1:,.1f} / {l2:,.1f} / {l3:,.1f} A · neutral {n.neutral_a:,.1f} A")
        if n.imbalance > 1e-4:
            rows.append(f"imbalance {n.imbalance * 100:.1f} % (balanced: {n.imbalance_balanced * 100:.1f} %)")
        rows.append(f"voltage {n.voltage_v:,.1f} V ({n.voltage_pu:.4f} pu) · drop {n.drop_pct:.2f} % "
                    f"(feeder {n.feeder_drop_pct:.2f} %)")
        routed = "routed on the plan" if n.feeder_routed else "length given"
        rows.append(f"feeder {n.feeder_length_m:,.1f} m, {routed} · losses {n.loss_kw:,.2f} kW")
    if n.on_alternate:
        rows.append("<b>fed from its alternate supply</b>")
    for c in n.checks:
        lim = "" if math.isclose(c.limit, c.rating) else f" (limit {c.limit:,.0f})"
        rows.append(f"{e(c.what)}: {c.value:,.1f} of {c.rating:,.0f} {e(c.unit)}{lim} → "
                    f"<b>{ps.pct(c.utilisation)}</b>")
    rows.append("<i>click: select on the plan · right-click: what if it fails</i>")
    return "<br>".join(rows)


def block_tooltip(ln: LNode, sp: SitePower) -> str:
    e = html.escape
    racks = sorted((sp.racks[r] for r in ln.rack_ids if r in sp.racks), key=lambda r: -r.utilisation)
    rows = [f"<b>{len(racks)} racks</b> on {e(sp.name_of(ln.parent or ''))} (cords {'+'.join(ln.cords)}), "
            "worst first — one cord carrying the whole rack:"]
    for r in racks[:MAX_TIP_ROWS]:
        rows.append(f"{e(r.name)}: {r.p_kw:,.1f} kW · cord {ps.pct(r.utilisation)} · margin {r.margin_a:,.1f} A"
                    + ("" if r.powered else " · <b>no power</b>"))
    if len(racks) > MAX_TIP_ROWS:
        rows.append(f"… and {len(racks) - MAX_TIP_ROWS} more")
    if ln.tap_ids:
        taps = sorted((sp.nodes[t] for t in ln.tap_ids[:200] if t in sp.nodes), key=lambda t: -t.utilisation)
        rows.append(f"<b>{len(ln.tap_ids)} tap-offs</b>, busiest first:")
        for t in taps[:8]:
            rows.append(f"{e(t.name)}: {t.p_kw:,.1f} kW · {t.current_a:,.0f} A · {ps.pct(t.utilisation)} of breaker")
    rows.append("<i>click: select these racks on the plan</i>")
    return "<br>".join(rows)
