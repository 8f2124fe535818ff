"""The power views through their real widgets (pytest-qt, offscreen): one-line diagram,
plan overlay, what-if scenarios, results tables and the phase-balancing action."""

from __future__ import annotations

from itertools import pairwise

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtGui import QContextMenuEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.views.power.layout import RANK, build_layout  # noqa: E402
from designer.app.views.power.scenario import BATTERY, DEAD, LIVE, racks_cut, scenario_state  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.edits import Composite, SetFields  # noqa: E402
from designer.solvers.power.solve import solve_site  # noqa: E402

pytestmark = pytest.mark.gui

EQUIPMENT = ("sources", "transformers", "switchboards", "ups", "pdus", "busways")


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.results_mode.set_mode("power")  # the plan shows one results view at a time
    w.show()
    qtbot.waitExposed(w)
    w.docks["power"].raise_()
    assert session.scheduler.wait_idle(60, lanes=("main",))
    yield w
    session.undo_stack.setClean()
    w.close()
    session.scheduler.shutdown()


def power(w):
    return w.extensions["power"]


def on_site(w, site_id: str):
    w.session.set_site(site_id)
    w.session.scheduler.wait_idle(30, lanes=("main",))
    pv = power(w)
    assert pv.sp is not None and pv.sp.site_id == site_id
    return pv


def equipment_ids(site) -> set[str]:
    p = site.hall.power
    return {m.id for c in EQUIPMENT for m in getattr(p, c)}


# -- the one-line diagram -----------------------------------------------------------------------

def test_diagram_has_a_box_per_power_element_and_rack_blocks(win):
    for site in win.session.project.sites:
        pv = on_site(win, site.id)
        boxes = pv.diagram.boxes
        elements = equipment_ids(site)
        blocks = {k for k in boxes if k.startswith("racks:")}
        assert set(boxes) - blocks == elements, site.id
        # one block per PDU / busway that carries cords, never a box per rack
        assert not any(r.id in boxes for r in site.hall.racks)
        fed = {f.source_id for r in site.hall.racks for f in (r.feed_a, r.feed_b) if f is not None}
        bw_of = {t.id: t.busway_id for t in site.hall.power.taps}
        assert blocks == {f"racks:{bw_of.get(s, s)}" for s in fed}, site.id
        # every rack is in exactly one block per cord, and a block counts its racks
        seen: dict[str, int] = {}
        for k in blocks:
            ln = pv.layout.nodes[k]
            for r in ln.rack_ids:
                seen[r] = seen.get(r, 0) + 1
            assert boxes[k].v.title == f"{len(ln.rack_ids)} rack{'s' if len(ln.rack_ids) != 1 else ''}"
        assert seen == {r.id: 2 for r in site.hall.racks}, site.id


@pytest.mark.parametrize("n", [200, 1000])
def test_diagram_of_the_generated_hall_aggregates_racks_and_taps(n):
    from designer.io.generate import generate_project

    project = generate_project(n)
    site = project.sites[0]
    sp, _ = solve_site(site, sweep_failures=False)
    lay = build_layout(sp, site)
    n_bw = len(site.hall.power.busways)
    assert len(site.hall.power.taps) == 2 * n
    assert sum(1 for ln in lay.nodes.values() if ln.kind == "racks") == n_bw
    assert len(lay.nodes) == len(equipment_ids(site)) + n_bw  # taps and racks fold into one block per busway
    assert sorted(len(ln.tap_ids) for ln in lay.nodes.values() if ln.kind == "racks") == \
        sorted(sum(t.busway_id == b.id for t in site.hall.power.taps) for b in site.hall.power.busways)
    # chains A1, B1, A2, B2, ... side by side; a big hall wraps whole chains into bands
    roots = sorted((k for k, ln in lay.nodes.items() if ln.parent is None),
                   key=lambda k: (lay.nodes[k].band, lay.nodes[k].col))
    assert [lay.nodes[k].side for k in roots[:4]] == ["A", "B", "A", "B"]
    assert lay.bands == (1 if n == 200 else 3)
    for k, ln in lay.nodes.items():
        root = k
        while lay.nodes[root].parent is not None:
            root = lay.nodes[root].parent
        assert ln.band == lay.nodes[root].band
    for b in range(lay.bands):  # no two boxes on one spot
        spots = [(ln.row, ln.col) for ln in lay.nodes.values() if ln.band == b]
        assert len(spots) == len(set(spots))


def test_layout_is_layered_by_depth(win):
    for site in win.session.project.sites:
        pv = on_site(win, site.id)
        lay, boxes = pv.layout, pv.diagram.boxes
        assert lay.edges(), site.id
        for a, b in lay.edges():
            pa, pb = lay.nodes[a], lay.nodes[b]
            assert pb.depth == pa.depth + 1
            assert pb.row > pa.row and boxes[b].y() > boxes[a].y(), (site.id, a, b)
        # rows follow the kind: sources on top, racks at the bottom, kinds never out of order
        rows = {}
        for ln in lay.nodes.values():
            rows.setdefault(ln.kind, set()).add(ln.row)
        assert rows["source"] == {0} and rows["racks"] == {lay.rows - 1}
        kinds = sorted(rows, key=RANK.get)
        for k1, k2 in pairwise(kinds):
            if RANK[k1] < RANK[k2]:
                assert max(rows[k1]) <= min(rows[k2]), (site.id, k1, k2)
        # a parent sits over the middle of its children
        for k, ln in lay.nodes.items():
            if ln.children:
                xs = [lay.nodes[c].col for c in ln.children]
                assert ln.col == pytest.approx((min(xs) + max(xs)) / 2), (site.id, k)


def test_a_and_b_paths_side_by_side_and_transfer_switches_dashed(win):
    pv = on_site(win, "core-fra")
    boxes = pv.diagram.boxes
    a = [b.x() for k, b in boxes.items() if pv.layout.nodes[k].side == "A"]
    b = [b.x() for k, b in boxes.items() if pv.layout.nodes[k].side == "B"]
    assert len(a) == len(b) == 8 and max(a) < min(b)
    assert not pv.diagram.alts
    pv = on_site(win, "ent-muc")
    assert set(pv.diagram.alts) == {("ent-muc.gen1", "ent-muc.swb1"), ("ent-muc.gen1", "ent-muc.swb2")}
    for item in pv.diagram.alts.values():
        assert item.pen().style() == Qt.DashLine


def test_load_bars_carry_the_utilisation_of_the_governing_rating(win):
    pv = on_site(win, "core-fra")
    sp, site = pv.sp, win.session.site
    ups = next(u for u in site.hall.power.ups if u.name == "UPS-A")
    tx = next(t for t in site.hall.power.transformers if t.name == "TX-A")
    swb = next(s for s in site.hall.power.switchboards if s.name == "SWB-A")
    # by hand from the node's own load and the data-sheet rating
    n = sp.nodes[ups.id]
    full = ups.module_count * ups.module_kw  # kW and kVA capacity (pf 1.0): the kVA governs
    assert ups.power_factor == 1.0 and n.s_kva > n.p_kw
    assert pv.diagram.boxes[ups.id].v.util == pytest.approx(n.s_kva / full, rel=1e-9)
    n = sp.nodes[tx.id]
    assert pv.diagram.boxes[tx.id].v.util == pytest.approx(n.s_kva / tx.rating_kva, rel=1e-9)
    n = sp.nodes[swb.id]
    assert pv.diagram.boxes[swb.id].v.util == pytest.approx(n.current_a / swb.rating_a, rel=1e-9)
    for k, box in pv.diagram.boxes.items():
        v = box.v
        if k.startswith("racks:"):
            racks = [sp.racks[r] for r in pv.layout.nodes[k].rack_ids]
            assert v.util == pytest.approx(max(r.utilisation for r in racks))
        else:
            assert v.util == pytest.approx(sp.nodes[k].utilisation, rel=1e-12), k
        assert v.bar_text.startswith(f"{v.util * 100:.0f} %"), k
    # the bars' colours: green below 80 %, amber to 100 %, red over
    from designer.app.views.power import style as ps

    assert ps.util_color(0.79) == ps.GOOD and ps.util_color(0.8) == ps.NEAR
    assert ps.util_color(1.0) == ps.NEAR and ps.util_color(1.01) == ps.OVER


def test_clicking_a_node_selects_the_item_and_plan_selection_highlights_it(win, qtbot):
    pv = on_site(win, "core-fra")
    d = pv.diagram
    site = win.session.site
    ups = next(u for u in site.hall.power.ups if u.name == "UPS-B")

    def click(key):
        box = d.boxes[key]
        d.ensureVisible(box.sceneBoundingRect())
        pos = d.mapFromScene(box.sceneBoundingRect().center())
        QTest.mouseClick(d.viewport(), Qt.LeftButton, Qt.NoModifier, pos)

    click(ups.id)
    assert win.session.selection.ids == [ups.id]
    assert d.boxes[ups.id].highlighted
    block = next(k for k, ln in pv.layout.nodes.items() if ln.kind == "racks" and ln.parent == site.hall.power.pdus[0].id)
    click(block)
    assert set(win.session.selection.ids) == set(pv.layout.nodes[block].rack_ids)
    # a rack picked on the plan lights up its two blocks (A and B cords)
    rack = site.hall.racks[0]
    win.session.selection.set([rack.id])
    lit = {k for k, b in d.boxes.items() if b.highlighted}
    assert len(lit) == 2 and all(rack.id in pv.layout.nodes[k].rack_ids for k in lit)
    # a tap lights its busway and the busway's block
    tap = site.hall.power.taps[0]
    win.session.selection.set([tap.id])
    lit = {k for k, b in d.boxes.items() if b.highlighted}
    assert lit == {tap.busway_id, f"racks:{tap.busway_id}"}


def test_diagram_fits_and_turns_upright_beside_the_plan(win, qtbot):
    pv = on_site(win, "core-fra")
    d, dock = pv.diagram, win.docks["power"]
    assert pv.panel.split.orientation() == Qt.Horizontal
    win.addDockWidget(Qt.RightDockWidgetArea, dock)
    dock.show()
    for w in (420, 700, 430):  # narrow and wide again: fitted each time, without scroll bars
        win.resizeDocks([dock], [w], Qt.Horizontal)
        qtbot.wait(20)
        assert pv.panel.split.orientation() == Qt.Vertical
        seen = d.mapToScene(d.viewport().rect()).boundingRect()
        assert seen.adjusted(-1, -1, 1, 1).contains(d.sceneRect()), w
        assert not d.horizontalScrollBar().isVisible() and not d.verticalScrollBar().isVisible()
    d.zoom_by(2.0)  # the user zooms: fitting stops, scroll bars come back as needed
    assert not d.auto_fit and d.horizontalScrollBarPolicy() == Qt.ScrollBarAsNeeded


# -- the plan overlay ---------------------------------------------------------------------------

def test_racks_coloured_by_feed_margin(win):
    from designer.app.views.power import style as ps

    pv = on_site(win, "core-fra")
    ov = pv.overlay
    assert set(ov.classes) == {r.id for r in win.session.site.hall.racks}
    for rid, cls in ov.classes.items():
        r = pv.sp.racks[rid]
        want = "over" if r.margin_a < 0 else ("near" if r.utilisation >= 0.8 else "good")
        assert cls == want, rid
    # one filled path per class holds exactly its racks
    for cls, path in ov.racks.paths.items():
        n = sum(1 for c in ov.classes.values() if c == cls)
        assert path.elementCount() == 4 * n  # a 4-corner polygon per rack
    assert ps.margin_class(True, 1.2, -3.0) == "over" and ps.margin_class(False, 0, 0) == "none"
    assert win.extensions["power"].legend.rows()[0][1] == ps.MARGIN_TEXT["over"]


# -- what if it fails ---------------------------------------------------------------------------

def test_core_ups_failure_loses_no_rack_and_b_side_carries_everything(win, qtbot):
    pv = on_site(win, "core-fra")
    site = win.session.site
    ups_a, ups_b = (next(u for u in site.hall.power.ups if u.name == n) for n in ("UPS-A", "UPS-B"))
    bw_a = next(b for b in site.hall.power.busways if b.name == "BW-A1")
    normal_b = pv.sp.nodes[ups_b.id].p_kw
    assert pv.show_scenario(f"ups:{ups_a.id}")
    sc = pv.scenario
    assert not sc.racks_lost and not sc.racks_on_battery and not sc.overloaded
    assert sc.failed == {ups_a.id}
    assert sc.state[bw_a.id] == DEAD and sc.state[ups_b.id] == LIVE
    assert pv.overlay.racks.lost.isEmpty()
    d = pv.diagram.boxes
    assert d[ups_a.id].v.failed and d[bw_a.id].v.state == "dead" and d[ups_b.id].v.state == "live"
    assert d[f"racks:{bw_a.id}"].v.state == "dead"  # its cords are dead, the racks run on B
    qtbot.waitUntil(lambda: pv.overlay.loads is not None, timeout=5000)
    loads = pv.overlay.loads
    assert ups_a.id not in loads.alive
    # B now carries the whole hall: about twice its normal load (losses make it a bit more)
    assert loads.p_kw[ups_b.id] == pytest.approx(2 * normal_b, rel=0.03)
    assert loads.p_kw[ups_b.id] > 2 * normal_b * 0.999
    assert d[ups_b.id].v.util == pytest.approx(loads.s_kva[ups_b.id] / (ups_b.module_count * ups_b.module_kw))
    assert d[ups_b.id].v.util > 1.9 * pv.sp.nodes[ups_b.id].utilisation
    assert pv.plan_banner.isVisible() and "survives" in pv.plan_banner.label.text()
    assert pv.normal_action.isEnabled()


def test_urban_utility_and_transformer_failures_put_racks_on_battery(win, qtbot):
    pv = on_site(win, "urb-ber")
    site = win.session.site
    racks = {r.id for r in site.hall.racks}
    ups = site.hall.power.ups[0]
    for sid in (f"source:{site.hall.power.sources[0].id}", f"transformer:{site.hall.power.transformers[0].id}"):
        assert pv.show_scenario(sid)
        sc = pv.scenario
        assert sc.racks_lost == racks and sc.racks_on_battery == racks and sc.battery_min == ups.runtime_min
        assert sc.state[ups.id] == BATTERY
        db_b = next(p for p in site.hall.power.pdus if p.name == "DB-B")
        assert sc.state[db_b.id] == DEAD
        # the plan: every rack hatched as on battery, none left in its margin colour
        assert pv.overlay.racks.battery.elementCount() == 4 * len(racks)
        assert not pv.overlay.racks.paths
        eq = pv.overlay.equip.items
        assert eq[ups.id].state == BATTERY and eq[db_b.id].state == DEAD
        assert not pv.plan_banner.ok and "10 racks lose power" in pv.plan_banner.label.text()
        blocks = [b for k, b in pv.diagram.boxes.items() if k.startswith("racks:")]
        assert all("off after" in b.v.note for b in blocks)


def test_enterprise_utility_failure_transfers_to_the_generator(win, qtbot):
    pv = on_site(win, "ent-muc")
    site = win.session.site
    util = next(s for s in site.hall.power.sources if s.kind == "utility")
    assert pv.show_scenario(f"source:{util.id}")
    sc = pv.scenario
    swbs = {s.id for s in site.hall.power.switchboards}
    assert sc.transferred == swbs and not sc.racks_lost
    assert sc.state[site.hall.power.transformers[0].id] == DEAD
    for (_gen, swb), item in pv.diagram.alts.items():
        assert swb in swbs and item.pen().style() == Qt.SolidLine
    assert all(pv.diagram.boxes[s].v.transferred for s in swbs)
    qtbot.waitUntil(lambda: pv.overlay.loads is not None, timeout=5000)
    assert pv.overlay.loads.transferred == swbs


def test_scenario_state_agrees_with_the_solver_on_every_sample_failure(sample):
    for site in sample.sites:
        sp, _ = solve_site(site)
        lay = build_layout(sp, site)
        items = {k: ln.kind for k, ln in lay.nodes.items() if ln.item_id}
        feeds = {r.id: tuple(f.source_id for f in (r.feed_a, r.feed_b) if f) for r in site.hall.racks}
        for sc in sp.scenarios:
            st = scenario_state(sp, sc.id, items, lay.tap_busway)
            lost, batt = racks_cut(st.state, feeds)
            assert lost == set(sc.racks_lost) and batt == set(sc.racks_on_battery), (site.id, sc.id)


def test_back_to_normal_restores_colours(win, qtbot):
    pv = on_site(win, "urb-ber")
    ov = pv.overlay
    others = [o for o in win.scene.overlays if o is not ov]
    was = {id(o): o.enabled for o in others}
    classes = dict(ov.classes)
    paths = {k: p.elementCount() for k, p in ov.racks.paths.items()}
    equip = {i: (e.util, e.state, e.failed, e.over) for i, e in ov.equip.items.items()}
    views = {k: b.v for k, b in pv.diagram.boxes.items()}
    pens = {k: e.pen().color().name() for k, e in pv.diagram.edges.items()}
    assert pv.show_scenario(f"transformer:{win.session.site.hall.power.transformers[0].id}")
    qtbot.waitUntil(lambda: ov.loads is not None, timeout=5000)
    assert not any(o.enabled for o in others)  # the other overlays step aside
    assert views != {k: b.v for k, b in pv.diagram.boxes.items()}
    QTest.mouseClick(pv.plan_banner.button, Qt.LeftButton)
    assert pv.scenario is None and ov.scenario is None and not pv.plan_banner.isVisible()
    assert ov.classes == classes and {k: p.elementCount() for k, p in ov.racks.paths.items()} == paths
    assert ov.racks.lost.isEmpty() and ov.racks.battery.isEmpty()
    assert {i: (e.util, e.state, e.failed, e.over) for i, e in ov.equip.items.items()} == equip
    assert {k: b.v for k, b in pv.diagram.boxes.items()} == views
    assert {k: e.pen().color().name() for k, e in pv.diagram.edges.items()} == pens
    assert {id(o): o.enabled for o in others} == was
    assert pv.panel.fail.currentIndex() == 0 and not pv.normal_action.isEnabled()


def test_fail_combo_table_and_context_menu_pick_scenarios(win):
    pv = on_site(win, "core-fra")
    site = win.session.site
    cb = pv.panel.fail
    data = [cb.itemData(i) for i in range(cb.count())]
    assert data[0] is None and data[1:3] == ["side:A", "side:B"]
    assert set(data[1:]) == set(pv.sp.scenario_index)  # 16 taps: all listed
    i = data.index("side:B")
    cb.setCurrentIndex(i)
    cb.activated.emit(i)
    assert pv.scenario.scenario.id == "side:B"
    assert pv.scenario.failed >= {u.id for u in site.hall.power.ups if u.side == "B"}
    # the failures table: every scenario, sortable; a click shows it
    pv.panel.tabs.setCurrentIndex(1)
    t = pv.panel.scenarios
    assert t.model_.rowCount() == len(pv.sp.scenarios)
    t.sortByColumn(0, Qt.AscendingOrder)
    labels = [t.model_.data(t.model_.index(r, 0)) for r in range(t.model_.rowCount())]
    assert labels == sorted(labels, key=str.lower)
    r = next(r for r in range(len(labels)) if labels[r].startswith("PDU PDU-A1"))
    t.clicked.emit(t.model_.index(r, 0))
    pdu = next(p for p in site.hall.power.pdus if p.name == "PDU-A1")
    assert pv.scenario.scenario.id == f"pdu:{pdu.id}" and t.currentIndex().row() == r
    # right-click on a UPS (diagram node or plan item): its failure and one of its modules
    ups = site.hall.power.ups[0]
    texts = [a.text() for a in pv.menu_for(ups.id).actions()]
    assert f"What if {ups.name} fails" in texts and f"What if one module of {ups.name} fails" in texts
    assert "Back to normal operation" in texts
    # the real right-click on the plan (the menu is caught instead of shown): the plan's menu,
    # with what-if first for a power item
    plan_menu = []
    win.view.popup_menu = lambda menu, _pos: plan_menu.append([a.text() for a in menu.actions()])
    pos = win.view.mapFromScene(to_scene(ups.x, ups.y))
    QApplication.sendEvent(win.view.viewport(), QContextMenuEvent(QContextMenuEvent.Mouse, pos, win.view.viewport().mapToGlobal(pos)))
    assert plan_menu and plan_menu[-1][0] == f"What if {ups.name} fails"
    assert "&Delete" in plan_menu[-1] and "P&roperties" in plan_menu[-1]
    rack = site.hall.racks[0]  # not a power item: no what-if
    pos = win.view.mapFromScene(to_scene(rack.x, rack.y))
    QApplication.sendEvent(win.view.viewport(), QContextMenuEvent(QContextMenuEvent.Mouse, pos, win.view.viewport().mapToGlobal(pos)))
    assert not any("What if" in t for t in plan_menu[-1])
    assert "Select whole &module" in plan_menu[-1] and "Connect feed &A…" in plan_menu[-1]
    module = next(a for a in pv.menu_for(ups.id).actions() if "module" in a.text())
    module.trigger()
    assert pv.scenario.scenario.kind == "ups_module" and pv.scenario.failed == frozenset()
    assert pv.scenario.module_ups == ups.id
    # the nodes table lists the equipment in diagram order, taps after their busway
    pv.panel.tabs.setCurrentIndex(0)
    keys = [row[0] for row in pv.panel.nodes.model_.rows]
    assert keys[:2] == [s.id for s in sorted(site.hall.power.sources, key=lambda s: s.side)]
    bw = site.hall.power.busways[0]
    k = keys.index(bw.id)
    assert set(keys[k + 1:k + 9]) == {t.id for t in site.hall.power.taps if t.busway_id == bw.id}


def test_scenario_follows_edits_and_ends_when_its_item_goes(win, qtbot):
    pv = on_site(win, "core-fra")
    s = win.session
    site = s.site
    ups = next(u for u in site.hall.power.ups if u.name == "UPS-A")
    pdu = next(p for p in site.hall.power.pdus if p.name == "PDU-A1")
    rack = site.hall.racks[0]
    assert pv.show_scenario(f"ups:{ups.id}")
    # a moved rack's colour moves with it at once; new results keep the scenario
    before = pv.overlay.racks.polys[rack.id].boundingRect()
    assert s.push(SetFields(rack.id, {"x": rack.x + 2.0}))
    after = pv.overlay.racks.polys[rack.id].boundingRect()
    assert after.center().x() == pytest.approx(before.center().x() + 2.0)
    assert s.scheduler.wait_idle(30, lanes=("main",))
    assert pv.scenario is not None and pv.scenario.scenario.id == f"ups:{ups.id}"
    assert pv.diagram.boxes[ups.id].v.failed
    # the failed item deleted: back to normal, other overlays back
    from designer.document.ops import delete_items

    assert s.push(delete_items(s.doc, [pdu.id]))
    assert pv.show_scenario(f"pdu:{pdu.id}") is True  # still in the old results until new ones come
    assert s.scheduler.wait_idle(30, lanes=("main",))
    assert pv.scenario is None and not pv.plan_banner.isVisible()
    # the other overlays are back as the results view left them (this test shows power only)
    assert {o.name for o in win.scene.overlays if o.enabled} == {"power"}
    assert pdu.id not in pv.diagram.boxes and pdu.id not in pv.overlay.equip.items


# -- balance phases -----------------------------------------------------------------------------

def test_balance_phases_is_one_undoable_edit(win):
    pv = on_site(win, "core-fra")
    s = win.session
    act = pv.balance_action
    assert not act.isEnabled()  # the sample is balanced already
    messages = []
    s.message.connect(messages.append)
    assert not pv.balance()
    assert "nothing to gain" in messages[-1]
    # put both single-phase racks of the services row on L1, then let the action spread them
    singles = [r for r in s.site.hall.racks if r.feed_a is not None and r.feed_a.phase != "3P"]
    assert len(singles) == 2
    edits = [SetFields(r.id, {"feed_a.phase": "L1", "feed_b.phase": "L1"}) for r in singles]
    assert s.push(Composite(edits, "all on L1"))
    assert s.scheduler.wait_idle(30, lanes=("main",))
    assert act.isEnabled()
    depth = s.undo_stack.count()
    before = {r.id: (r.feed_a.phase, r.feed_b.phase) for r in singles}
    assert pv.balance()
    assert s.undo_stack.count() == depth + 1
    after = {r.id: (s.doc.item(r.id).feed_a.phase, s.doc.item(r.id).feed_b.phase) for r in singles}
    assert after != before and len({a for a, _ in after.values()}) == 2
    assert messages[-1].startswith("Balanced phases on") and "→" in messages[-1]
    s.undo_stack.undo()
    assert {r.id: (s.doc.item(r.id).feed_a.phase, s.doc.item(r.id).feed_b.phase) for r in singles} == before
