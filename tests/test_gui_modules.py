"""Modules as groups on the plan, driven through the real widgets (pytest-qt, offscreen).

What the user sees: a click selects an item, the module's floor or a double-click selects the
assembly; a drag shows every member moving and is one undo step; R, duplicate, copy / paste
and delete act on the whole module; the module's outline marks what a selected item belongs to.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QMouseEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.plan.items import PlanItem  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.assembly import members  # noqa: E402
from designer.model.registry import HALL_COLLECTIONS, hall_container  # noqa: E402

pytestmark = pytest.mark.gui

MOD = "core-fra.mod1"


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.show()
    qtbot.waitExposed(w)
    w.view.fit()
    # exact drags on the grid here; object snapping is tested in test_gui_cad
    w.registry["snap_objects"].setChecked(False)
    yield w
    session.undo_stack.setClean()
    w.close()
    session.scheduler.shutdown()


def scene_matches_document(w) -> None:
    site = w.session.site
    want = set()
    for c in HALL_COLLECTIONS:
        want |= {m.id for m in hall_container(site.hall, c)}
    assert set(w.scene.items_by_id) == want
    for i, it in w.scene.items_by_id.items():
        m = w.session.doc.item(i)
        if hasattr(m, "rotation_deg"):
            assert it.pos() == to_scene(m.x, m.y)
            assert it.rotation() == pytest.approx(-m.rotation_deg)


def vp_point(w, x: float, y: float) -> QPoint:
    return w.view.mapFromScene(to_scene(x, y))


def top_item_at(w, pos: QPoint) -> PlanItem | None:
    return next((i for i in w.view.items(pos) if isinstance(i, PlanItem) and i.isVisible()), None)


def module_floor(w, mid: str = MOD) -> QPoint:
    """A point of the module where nothing of it is drawn on top (its own floor)."""
    m = w.session.doc.item(mid)
    for fx in (0.45, 0.4, 0.3, -0.3, -0.4, -0.45):
        for fy in (0.45, 0.4, -0.4, -0.45, 0.0):
            pos = vp_point(w, m.x + fx * m.width_m, m.y + fy * m.depth_m)
            it = top_item_at(w, pos)
            if it is not None and it.item_id == mid:
                return pos
    raise AssertionError("no free floor in the module")


def positions(w, ids) -> dict:
    doc = w.session.doc
    return {i: doc.item(i).model_dump() for i in ids}


def rack_named(w, name: str):
    return next(r for r in w.session.site.hall.racks if r.name == name)


def band(w, qtbot, a: QPoint, b: QPoint) -> None:
    """A rubber band from a to b (moves carry the held button, as a real drag does)."""
    vp = w.view.viewport()
    qtbot.mousePress(vp, Qt.LeftButton, pos=a)
    for k in (1, 2, 3, 4, 5, 5):  # (the view reports the band one move late)
        q = a + (b - a) * (k / 5)
        QApplication.sendEvent(vp, QMouseEvent(QEvent.MouseMove, QPointF(q), QPointF(vp.mapToGlobal(q)),
                                               Qt.NoButton, Qt.LeftButton, Qt.NoModifier))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=b)


def group_rect(w) -> QRectF:
    return w.scene.group_overlay.mapToScene(w.scene.group_overlay.path().boundingRect()).boundingRect()


# -- selecting ---------------------------------------------------------------------------------
def test_click_selects_a_member_and_outlines_its_module(win, qtbot):
    r = rack_named(win, "R01")
    qtbot.mouseClick(win.view.viewport(), Qt.LeftButton, pos=vp_point(win, r.x, r.y))
    assert win.session.selection.ids == [r.id]
    assert win.scene.group_modules == [MOD]  # the module the rack belongs to is outlined
    assert group_rect(win).contains(win.scene.items_by_id[MOD].sceneBoundingRect().adjusted(0.1, 0.1, -0.1, -0.1))
    assert win.properties.title.text().startswith("Rack: R01")  # the member itself is edited
    # the tooltip says how to get the whole module
    tip = win.view.tooltip_at(vp_point(win, r.x, r.y))
    assert "in module AI-POD-1" in tip and "Double-click" in tip


def test_double_click_or_module_floor_selects_the_whole_module(win, qtbot):
    r = rack_named(win, "R02")
    vp = win.view.viewport()
    qtbot.mouseDClick(vp, Qt.LeftButton, pos=vp_point(win, r.x, r.y))
    assert win.session.selection.ids == [MOD]
    # the members are outlined with the module: the group outline covers every rack of it
    rect = group_rect(win)
    for rid in members(win.session.doc, MOD):
        if win.scene.items_by_id[rid].kind == "rack":
            assert rect.contains(win.scene.items_by_id[rid].sceneBoundingRect().center())
    assert win.scene.group_overlay.path().elementCount() > 8 * 4
    win.session.selection.clear()
    qtbot.mouseClick(vp, Qt.LeftButton, pos=module_floor(win))
    assert win.session.selection.ids == [MOD]
    assert win.properties.title.text().startswith("Module: AI-POD-1")
    # a click (no drag) on an item of the selected module selects just that item
    qtbot.mouseClick(vp, Qt.LeftButton, pos=vp_point(win, r.x, r.y))
    assert win.session.selection.ids == [r.id]
    # Edit > Module > Select whole module goes back up
    win.registry["select_module"].trigger()
    assert win.session.selection.ids == [MOD]


def test_rubber_band_inside_a_module_picks_items_not_the_room(win, qtbot):
    a, b = rack_named(win, "R01"), rack_named(win, "R02")
    end = vp_point(win, a.x - 0.1, a.y - 0.1)
    win.session.selection.clear()
    # a crossing (right to left) from the free floor beside the module to its middle: it partly
    # covers the module
    outside = next(q for q in (vp_point(win, x, y) for y in (15.5, 16.0, 17.0, 18.0) for x in (14.0, 15.0, 16.0))
                   if top_item_at(win, q) is None)
    band(win, qtbot, outside, end)
    sel = set(win.session.selection.ids)
    assert MOD not in sel  # only partly covered: the module is not taken
    assert a.id in sel and b.id in sel
    # a window (left to right) over the whole module takes the module, standing for all its members
    m = win.session.doc.item(MOD)
    end2 = vp_point(win, m.x + m.width_m / 2 + 0.3, m.y - m.depth_m / 2 - 0.3)
    start2 = vp_point(win, m.x - m.width_m / 2 - 0.3, m.y + m.depth_m / 2 + 0.4)
    assert top_item_at(win, start2) is None
    band(win, qtbot, start2, end2)
    sel = win.session.selection.ids
    assert MOD in sel and not set(sel) & set(members(win.session.doc, MOD))


# -- moving and turning ---------------------------------------------------------------------------
def test_drag_of_a_module_previews_every_member_and_is_one_undo_step(win, qtbot):
    s = win.session
    ids = [MOD, *members(s.doc, MOD)]
    before = positions(win, ids)
    r = rack_named(win, "R05")
    vp = win.view.viewport()
    qtbot.mouseClick(vp, Qt.LeftButton, pos=module_floor(win))
    assert s.selection.ids == [MOD]
    start = vp_point(win, r.x, r.y)  # press on a member of the selected module: drags the module
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    ppm = win.view.px_per_m
    step = QPoint(int(round(0.5 * ppm)), 0)
    for k in range(1, 5):
        qtbot.mouseMove(vp, start + step * k)
    # live preview: the module, its racks, CDUs and pipes are all shown 2 m to the right
    for i in ids:
        it = win.scene.items_by_id[i]
        if it.kind in ("module", "rack", "cdu"):
            m = s.doc.item(i)
            assert it.pos().x() == pytest.approx(m.x + 2.0, abs=0.11), i
    pipe = next(i for i in ids if win.scene.items_by_id[i].kind == "pipe")
    pm = s.doc.item(pipe)
    a = win.scene.port_point(pm.start)
    assert win.scene.items_by_id[pipe].path.elementAt(0).x == pytest.approx(a.x() + 2.0, abs=0.11)
    assert s.doc.item(MOD).x == before[MOD]["x"]  # the document is not touched while dragging
    n = s.undo_stack.count()
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=start + step * 4)
    assert s.undo_stack.count() == n + 1
    dx = s.doc.item(MOD).x - before[MOD]["x"]
    assert dx == pytest.approx(2.0, abs=0.11)
    for i in ids:
        m = s.doc.item(i)
        if hasattr(m, "x") and not hasattr(m, "start"):
            assert m.x - before[i]["x"] == pytest.approx(dx), i
    assert s.selection.ids == [MOD]
    scene_matches_document(win)
    s.undo_stack.undo()
    assert positions(win, ids) == before  # exactly back
    scene_matches_document(win)


def test_rotate_turns_the_module_about_its_origin_with_its_contents(win):
    s = win.session
    ids = [MOD, *members(s.doc, MOD)]
    before = positions(win, ids)
    m0 = s.doc.item(MOD)
    r = rack_named(win, "R01")
    rel = (r.x - m0.x, r.y - m0.y)
    s.selection.set([MOD])
    win.registry["rotate_ccw"].trigger()  # Shift+R: 90 degrees counter-clockwise
    assert s.undo_stack.count() == 1
    m = s.doc.item(MOD)
    assert (m.x, m.y, m.rotation_deg) == pytest.approx((m0.x, m0.y, 90.0))  # about its own centre
    r1 = s.doc.item(r.id)
    assert (r1.x - m.x, r1.y - m.y) == pytest.approx((-rel[1], rel[0]))
    assert r1.rotation_deg == pytest.approx((before[r.id]["rotation_deg"] + 90) % 360)
    scene_matches_document(win)
    s.undo_stack.undo()
    assert positions(win, ids) == before
    scene_matches_document(win)


def test_typed_position_and_exact_rotation_carry_the_members(win):
    s = win.session
    r = rack_named(win, "R01")
    mx, rx = s.doc.item(MOD).x, r.x
    s.selection.set([MOD])
    w, _kind, _ = win.properties.editors["x"]
    w.setValue(mx + 3.0)  # typed in the Properties panel
    assert s.doc.item(r.id).x == pytest.approx(rx + 3.0)
    assert s.undo_stack.count() == 1
    scene_matches_document(win)
    s.undo_stack.undo()
    assert s.doc.item(r.id).x == pytest.approx(rx)
    w, _kind, _ = win.properties.editors["rotation_deg"]
    w.setValue(180.0)
    assert s.doc.item(r.id).x == pytest.approx(2 * mx - rx)  # turned about the module's centre
    scene_matches_document(win)


def test_move_and_rotate_of_the_sample_module_add_no_finding(win, qtbot):
    """Geometry, liquid, power and placement (the main lane): the air lane re-solves the 3D air
    model of the moved hall for a minute or more, and its findings may change with the air."""
    s = win.session
    assert s.scheduler.wait_idle(120, lanes=("main",))
    ids = [MOD, *members(s.doc, MOD)]
    before_items = positions(win, ids)

    def findings():
        return {(f.code, tuple(f.item_ids)) for n, r in s.scheduler.last_results.items() if n != "air"
                for f in r.findings}

    before = findings()
    vp = win.view.viewport()
    qtbot.mouseClick(vp, Qt.LeftButton, pos=module_floor(win))
    start = module_floor(win)
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    step = QPoint(0, int(round(0.125 * win.view.px_per_m)))
    for k in range(1, 5):
        qtbot.mouseMove(vp, start + step * k)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=start + step * 4)  # half a metre south
    win.registry["rotate_cw"].trigger()
    win.registry["rotate_cw"].trigger()  # R, R: turned half round about its own centre
    for _ in range(5):  # arrow keys nudge the whole module (merged into one step)
        QTest.keyClick(vp, Qt.Key_Right)
    m = s.doc.item(MOD)
    assert m.rotation_deg == pytest.approx(180.0) and m.x == pytest.approx(9.0 + 0.5)
    assert m.y == pytest.approx(11.2 - 0.5, abs=0.11)
    assert s.undo_stack.count() == 4
    s.scheduler.run_now()
    assert s.scheduler.wait_idle(120, lanes=("main",))
    assert findings() - before == set()
    while s.undo_stack.canUndo():
        s.undo_stack.undo()
    assert positions(win, ids) == before_items
    scene_matches_document(win)


# -- copy, duplicate, delete ----------------------------------------------------------------------
def test_duplicate_paste_and_delete_act_on_the_whole_assembly(win):
    s = win.session
    hall = s.site.hall
    n_members = len(members(s.doc, MOD))
    n_racks, n_pipes = len(hall.racks), len(hall.pipes)
    s.selection.set([rack_named(win, "R03").id])
    win.registry["select_module"].trigger()
    win.registry["duplicate"].trigger()
    assert s.undo_stack.count() == 1
    new = s.selection.ids
    assert len(new) == 1 and s.doc.find(new[0]).kind == "module"  # the copy is selected as a module
    assert len(members(s.doc, new[0])) == n_members
    assert len(hall.racks) == n_racks + 8 and len(hall.pipes) == n_pipes + 32
    scene_matches_document(win)
    win.registry["copy"].trigger()
    win.registry["paste"].trigger()
    pasted = s.selection.ids
    assert len(pasted) == 1 and len(members(s.doc, pasted[0])) == n_members
    assert len(hall.racks) == n_racks + 16
    win.registry["delete"].trigger()  # the pasted module goes with everything in it
    assert s.doc.item(pasted[0]) is None and len(hall.racks) == n_racks + 8
    scene_matches_document(win)
    for _ in range(3):
        s.undo_stack.undo()
    assert len(hall.racks) == n_racks and len(hall.pipes) == n_pipes
    scene_matches_document(win)


# -- grouping -----------------------------------------------------------------------------------
def test_detach_and_add_back_to_the_module(win):
    s = win.session
    r = rack_named(win, "R04")
    s.selection.set([r.id])
    win.registry["detach_module"].trigger()
    assert s.doc.item(r.id).module_id is None
    assert win.scene.group_modules == []  # a free rack: no module outlined
    s.selection.set([MOD, r.id])
    win.registry["add_to_module"].trigger()
    assert s.doc.item(r.id).module_id == MOD
    assert s.undo_stack.count() == 2
    # a module alone takes in what stands wholly inside it
    s.undo_stack.undo()
    s.selection.set([MOD])
    win.registry["add_to_module"].trigger()
    assert s.doc.item(r.id).module_id == MOD


def test_plan_context_menu_on_a_module(win, qtbot):
    from PySide6.QtGui import QContextMenuEvent
    from PySide6.QtWidgets import QApplication

    shown = []
    win.view.popup_menu = lambda menu, _pos: shown.append(menu)
    pos = module_floor(win)
    QApplication.sendEvent(win.view.viewport(),
                           QContextMenuEvent(QContextMenuEvent.Mouse, pos, win.view.viewport().mapToGlobal(pos)))
    assert win.session.selection.ids == [MOD]  # right-click selects what is under the cursor
    texts = [a.text().replace("&", "") for a in shown[-1].actions()]
    for want in ("Connect module to site", "Save selection as module…", "Detach from module", "Duplicate", "Delete"):
        assert want in texts
