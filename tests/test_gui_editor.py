"""The editor driven through its real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDropEvent  # noqa: E402
from screens import largest_area, largest_difference, on_screen, paints  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.plan.view import MIME_CATALOG  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.model.registry import HALL_COLLECTIONS, hall_container  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.show()
    qtbot.waitExposed(w)
    w.view.fit()
    yield w
    session.undo_stack.setClean()  # no "save changes?" prompt when the test closes the window
    w.close()
    session.scheduler.shutdown()


def scene_matches_document(w) -> None:
    """The scene holds exactly one item per hall item of the current site."""
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


def view_point(w, x: float, y: float) -> QPoint:
    return w.view.mapFromScene(to_scene(x, y))


def rack(w, name: str):
    return next(r for r in w.session.site.hall.racks if r.name == name)


def test_window_shows_sample_sites_and_plan(win):
    assert win.sites.list.count() == 5
    assert win.session.site_id == "core-fra"
    scene_matches_document(win)
    assert len([i for i in win.scene.items_by_id.values() if i.kind == "rack"]) == 16
    win.sites.list.setCurrentRow(2)
    assert win.session.site_id == "ent-muc"
    scene_matches_document(win)


def test_drop_from_palette_places_item_snapped(win, qtbot):
    n = len(win.session.site.hall.racks)
    md = QMimeData()
    md.setData(MIME_CATALOG, b"RK-AIR-15")
    pos = QPointF(view_point(win, 30.03, 7.04))
    ev = QDropEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier)
    win.view.dropEvent(ev)
    racks = win.session.site.hall.racks
    assert len(racks) == n + 1
    new = racks[-1]
    assert new.catalog_model == "RK-AIR-15"
    from designer.app.plan.coords import to_model

    dx, dy = to_model(win.view.mapToScene(pos.toPoint()))  # where the cursor really was
    assert new.x == pytest.approx(round(dx, 1), abs=1e-9) and new.y == pytest.approx(round(dy, 1), abs=1e-9)
    assert abs(new.x - 30.03) < 0.2 and abs(new.y - 7.04) < 0.2
    assert win.session.selection.ids == [new.id]
    scene_matches_document(win)
    win.session.undo_stack.undo()
    assert len(win.session.site.hall.racks) == n
    scene_matches_document(win)


def test_drag_moves_one_step_and_pipes_follow(win, qtbot):
    win.registry["snap_objects"].setChecked(False)  # the grid alone (object snaps: test_gui_cad)
    r = rack(win, "R09")  # an air-cooled services rack
    x0, y0 = r.x, r.y
    vp = win.view.viewport()
    start = view_point(win, x0, y0)
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    for k in range(1, 6):
        qtbot.mouseMove(vp, start + QPoint(8 * k, -6 * k))
    end = start + QPoint(40, -30)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=end)
    moved = win.session.doc.item(r.id)
    ppm = win.view.px_per_m
    assert moved.x == pytest.approx(x0 + 40 / ppm, abs=0.06)
    assert moved.y == pytest.approx(y0 + 30 / ppm, abs=0.06)
    assert win.session.undo_stack.count() == 1
    scene_matches_document(win)
    win.session.undo_stack.undo()
    assert (win.session.doc.item(r.id).x, win.session.doc.item(r.id).y) == (x0, y0)
    scene_matches_document(win)


def test_a_drag_repaints_what_moved_and_leaves_no_trace(win, qtbot):
    """A drag repaints the moved items and the snap marker's old and new places, not the whole
    viewport (on a 200-rack hall a mouse move took 25 ms when it repainted every item, 10 ms
    now): the repainted part stays small, and what is on screen after the moves is what a
    full repaint draws (no marker, guide or label left behind)."""
    from PySide6.QtGui import QRegion

    # nothing else may paint meanwhile: the analyses of the opened project finished, and no
    # drag preview (its answers repaint the overlay between the two screens compared below)
    assert win.session.scheduler.wait_idle(120)
    win.extensions["air"].preview.enabled = False
    qtbot.wait(20)
    vp = win.view.viewport()
    r = rack(win, "R04")
    start = view_point(win, r.x, r.y)
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    qtbot.mouseMove(vp, start + QPoint(6, 0))
    qtbot.wait(20)
    snapped = set()
    last = []
    with paints(vp) as regions:
        for k in range(1, 40):
            n = len(regions)
            qtbot.mouseMove(vp, start + QPoint(6 + 3 * k, (7 * k) % 40 - 20))
            qtbot.wait(5)
            snapped.add(win.view.snapper.describe())
            last = regions[n:]
    assert len(snapped - {""}) >= 2, snapped  # the marker moved between targets
    area = vp.width() * vp.height()
    assert regions and largest_area(regions) < 0.5 * area
    # the last move repainted the marker's new place (label included) ...
    painted = QRegion()
    for q in last:
        painted = painted.united(q)
    assert QRegion(win.view.snapper.viewport_rect()).subtracted(painted).isEmpty()
    # ... and what is on screen is what a full repaint draws
    shown = on_screen(win, vp)
    vp.update()
    qtbot.wait(50)
    assert largest_difference(shown, on_screen(win, vp)) <= 8
    qtbot.keyClick(vp, Qt.Key_Escape)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=start)
    assert win.session.undo_stack.count() == 0


@pytest.mark.parametrize("tool", ["measure", "row", "band"])
def test_a_tools_hover_repaints_its_drawing_and_leaves_no_trace(win, qtbot, tool):
    """A drawing tool's hover moves repaint what its drawing (and the snap marker) covered
    before and covers after (PlanView.overlay_rect), not the whole viewport: the measure tool
    with three points (its fill, dashed path and the live length beside the cursor) and the
    row tool's footprints following the cursor. What is on screen after the moves is what a full
    repaint draws. The same for the selection band."""
    from designer.app.plan.measure import MeasureTool
    from designer.app.plan.tools import RowStartTool

    assert win.session.scheduler.wait_idle(120)
    win.extensions["air"].preview.enabled = False
    vp = win.view.viewport()
    r = rack(win, "R04")
    c = view_point(win, r.x, r.y + 3.0)
    if tool == "measure":
        win.view.set_tool(MeasureTool(win.view))
        for d in (QPoint(0, 0), QPoint(60, 0), QPoint(60, 40)):
            qtbot.mouseClick(vp, Qt.LeftButton, pos=c + d)
    elif tool == "band":  # Ctrl + drag: a selection band from anywhere
        qtbot.mousePress(vp, Qt.LeftButton, Qt.ControlModifier, pos=c)
    else:
        entry = win.session.catalog.get("RK-AIR-15")
        values = {"rows": 2, "count": 4, "pitch_m": entry.width_m, "aisle_m": 1.2}
        win.view.set_tool(RowStartTool(win.view, values, entry, lambda x, y: None))
    qtbot.mouseMove(vp, c + QPoint(10, 60))
    qtbot.wait(20)
    before = win.view.overlay_rect()
    assert not before.isEmpty()
    with paints(vp) as regions:
        for k in range(1, 25):
            qtbot.mouseMove(vp, c + QPoint(10 + 4 * k, 60 + (5 * k) % 30))
            qtbot.wait(5)
    area = vp.width() * vp.height()
    assert regions and largest_area(regions) < 0.5 * area
    shown = on_screen(win, vp)
    vp.update()
    qtbot.wait(50)
    assert largest_difference(shown, on_screen(win, vp)) <= 8
    if tool == "band":
        qtbot.mouseRelease(vp, Qt.LeftButton, Qt.ControlModifier, pos=c + QPoint(106, 80))
        assert win.session.selection  # the band selected what it touched
    qtbot.keyClick(vp, Qt.Key_Escape)
    qtbot.keyClick(vp, Qt.Key_Escape)


def test_escape_cancels_a_drag(win, qtbot):
    r = rack(win, "R10")
    x0, y0 = r.x, r.y
    vp = win.view.viewport()
    start = view_point(win, x0, y0)
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    for k in range(1, 5):
        qtbot.mouseMove(vp, start + QPoint(10 * k, 0))
    assert win.scene.items_by_id[r.id].pos() != to_scene(x0, y0)  # previewing
    qtbot.keyClick(vp, Qt.Key_Escape)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=start + QPoint(40, 0))
    assert (r.x, r.y) == (x0, y0)
    assert win.session.undo_stack.count() == 0
    scene_matches_document(win)


def test_multi_selection_drag_is_one_undo_step(win, qtbot):
    ids = [rack(win, n).id for n in ("R09", "R10", "R11")]
    win.session.selection.set(ids)
    before = {i: (win.session.doc.item(i).x, win.session.doc.item(i).y) for i in ids}
    vp = win.view.viewport()
    start = view_point(win, *before[ids[1]])
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    for k in range(1, 4):
        qtbot.mouseMove(vp, start + QPoint(0, 12 * k))
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=start + QPoint(0, 36))
    assert win.session.undo_stack.count() == 1
    dys = {round(win.session.doc.item(i).y - before[i][1], 9) for i in ids}
    assert len(dys) == 1 and next(iter(dys)) < 0  # all moved down by the same snapped amount
    win.session.undo_stack.undo()
    assert all((win.session.doc.item(i).x, win.session.doc.item(i).y) == before[i] for i in ids)


def test_shift_click_adds_to_selection(win, qtbot):
    a, b = rack(win, "R09"), rack(win, "R12")
    vp = win.view.viewport()
    qtbot.mouseClick(vp, Qt.LeftButton, pos=view_point(win, a.x, a.y))
    qtbot.mouseClick(vp, Qt.LeftButton, Qt.ShiftModifier, pos=view_point(win, b.x, b.y))
    assert win.session.selection.ids == [a.id, b.id]
    qtbot.mouseClick(vp, Qt.LeftButton, Qt.ShiftModifier, pos=view_point(win, a.x, a.y))
    assert win.session.selection.ids == [b.id]


def test_rotate_and_undo(win):
    r = rack(win, "R09")
    win.session.selection.set([r.id])
    win.registry["rotate_cw"].trigger()
    assert r.rotation_deg == pytest.approx(270.0)
    assert win.scene.items_by_id[r.id].rotation() == pytest.approx(-270.0)
    win.registry["rotate_ccw"].trigger()
    assert r.rotation_deg == pytest.approx(0.0)
    win.session.undo_stack.undo()
    win.session.undo_stack.undo()
    assert r.rotation_deg == 0.0
    scene_matches_document(win)


def test_delete_cdu_takes_its_pipes_in_one_step(win):
    hall = win.session.site.hall
    cdu = hall.cdus[0]
    pipes = [p.id for p in hall.pipes if cdu.id in (p.start.item_id, p.end.item_id)]
    assert pipes
    n_pipes = len(hall.pipes)
    before = win.session.project.model_dump()
    win.session.selection.set([cdu.id])
    win.registry["delete"].trigger()
    assert win.session.doc.item(cdu.id) is None
    assert all(win.session.doc.item(p) is None for p in pipes)
    assert len(hall.pipes) == n_pipes - len(pipes)
    assert win.session.undo_stack.count() == 1
    scene_matches_document(win)
    win.session.undo_stack.undo()
    assert win.session.project.model_dump() == before
    scene_matches_document(win)
    win.session.undo_stack.redo()
    assert win.session.doc.item(cdu.id) is None
    scene_matches_document(win)


def test_property_edits_merge_and_undo(win, qtbot):
    r = rack(win, "R09")
    win.session.selection.set([r.id])
    w, kind, _ = win.properties.editors["it_load_kw"]
    w.setValue(14.0)
    w.setValue(14.5)
    assert r.it_load_kw == 14.5
    assert win.session.undo_stack.count() == 1  # merged
    w2, _, _ = win.properties.editors["x"]
    w2.setValue(25.0)
    assert r.x == 25.0
    assert win.scene.items_by_id[r.id].pos().x() == pytest.approx(25.0)
    win.session.undo_stack.undo()
    win.session.undo_stack.undo()
    assert r.it_load_kw == 12.0
    assert w.value() == pytest.approx(12.0)  # the panel follows the document


def test_bad_property_value_is_refused_with_a_message(win, qtbot):
    r = rack(win, "R09")
    win.session.selection.set([r.id])
    messages = []
    win.session.message.connect(messages.append)
    le, _, _ = win.properties.editors["valve_k"]
    le.setText("lots")
    le.editingFinished.emit()
    assert r.valve_k is None
    assert messages and "not a number" in messages[-1]


def test_copy_paste_duplicate(win):
    r = rack(win, "R09")
    n = len(win.session.site.hall.racks)
    win.session.selection.set([r.id])
    win.registry["copy"].trigger()
    win.registry["paste"].trigger()
    win.registry["duplicate"].trigger()
    racks = win.session.site.hall.racks
    assert len(racks) == n + 2
    assert len({x.id for x in racks}) == len(racks)
    scene_matches_document(win)


def test_analysis_runs_after_edit_and_findings_select_the_item(win, qtbot):
    s = win.session
    assert s.scheduler.wait_idle(20, lanes=("main",))
    r = rack(win, "R09")
    other = rack(win, "R10")
    win.session.selection.set([r.id])
    win.properties.editors["x"][0].setValue(other.x)  # now R09 overlaps R10
    assert s.scheduler.wait_idle(20, lanes=("main",))
    assert s.scheduler.last_revision == s.doc.revision
    geo = s.scheduler.last_results["geometry"]
    overlaps = [f for f in geo.findings if f.code == "geometry.overlap" and r.id in f.item_ids]
    assert overlaps
    assert win.scene.items_by_id[r.id].status == "error"
    tree = win.findings.tree
    row = next(i for i in range(tree.topLevelItemCount())
               if r.id in (tree.topLevelItem(i).data(0, Qt.UserRole) or []))
    s.selection.clear()
    win.findings._activated(tree.topLevelItem(row), 0)
    assert r.id in s.selection.ids


def test_row_tool_edit_places_two_contained_rows(win):
    from designer.document.ops import rack_rows

    s = win.session
    entry = s.catalog.get("RK-AIR-15")
    n = len(s.site.hall.racks)
    s.push(rack_rows(s.doc, s.site.id, entry, 14.0, 15.0, 6, 0.6, 2, 1.2, "cold", True))
    assert len(s.site.hall.racks) == n + 12
    assert s.undo_stack.count() == 1
    scene_matches_document(win)


def test_save_and_modified_marker(win, tmp_path):
    from designer.io.files import load

    r = rack(win, "R09")
    win.session.selection.set([r.id])
    win.registry["rotate_cw"].trigger()
    assert win.isWindowModified()
    path = tmp_path / "p.dhd.json"
    assert win.files._write(path)
    assert not win.isWindowModified()
    assert load(path) == win.session.project
    assert str(path) in win.files.recent()


def test_layer_toggle_hides_items(win):
    win.registry["layer_racks"].setChecked(False)
    assert all(not it.isVisible() for it in win.scene.items_by_id.values() if it.kind == "rack")
    win.registry["layer_racks"].setChecked(True)
    assert all(it.isVisible() for it in win.scene.items_by_id.values() if it.kind == "rack")


def test_draw_supply_pipe_between_ports(win, qtbot):
    s = win.session
    hall = s.site.hall
    a = hall.cdus[0]
    b = rack(win, "R09")
    win.editing.draw_pipe("supply")
    vp = win.view.viewport()
    n = len(hall.pipes)
    qtbot.mouseClick(vp, Qt.LeftButton, pos=view_point(win, *a.port_position("supply")))
    qtbot.mouseClick(vp, Qt.LeftButton, pos=view_point(win, a.port_position("supply")[0], b.port_position("supply")[1]))
    qtbot.mouseClick(vp, Qt.LeftButton, pos=view_point(win, *b.port_position("supply")))
    assert len(hall.pipes) == n + 1
    p = hall.pipes[-1]
    assert (p.start.item_id, p.start.port) == (a.id, "supply")
    assert (p.end.item_id, p.end.port) == (b.id, "supply")
    assert len(p.points) == 1
    scene_matches_document(win)


def test_rubber_band_selects_what_it_covers(win, qtbot):
    names = ("R09", "R10", "R11")
    rs = [rack(win, n) for n in names]
    vp = win.view.viewport()
    a = view_point(win, rs[0].x - 0.45, rs[0].y - 0.9)  # below-left of R09, on empty floor
    b = view_point(win, rs[2].x + 0.55, rs[2].y + 0.9)  # a window (left to right) holding all three
    qtbot.mousePress(vp, Qt.LeftButton, pos=a)
    for k in range(1, 6):
        qtbot.mouseMove(vp, a + (b - a) * k / 5)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=b)
    sel = win.session.selection.ids
    racks_selected = {i for i in sel if i in {r.id for r in win.session.site.hall.racks}}
    assert racks_selected == {r.id for r in rs}
    assert not win.scene.sel_overlay.path().isEmpty()


def test_us_units_change_the_display_not_the_file(win):
    r = rack(win, "R09")
    win.session.selection.set([r.id])
    win.registry["units_us"].setChecked(True)
    assert win.session.units == "US"
    assert win.session.undo_stack.count() == 0 and not win.session.modified  # a view setting, not an edit
    assert win.session.project.settings.units == "SI"
    w, kind, _ = win.properties.editors["it_load_kw"]
    assert w.suffix().strip() == "kW"  # IT load stays in kW, as US practice has it
    assert w.value() == pytest.approx(12.0)
    w.setValue(15.0)
    assert r.it_load_kw == pytest.approx(15.0, rel=1e-6)
    w, kind, _ = win.properties.editors["width_m"]
    assert w.suffix().strip() == "ft"
    assert "ft" in win.sel_label.text()
    win.session.undo_stack.undo()
    assert r.it_load_kw == pytest.approx(12.0)
    assert win.session.units == "US"  # undo does not touch the view
    win.registry["units_us"].setChecked(False)
    assert win.session.units == "SI" and not win.session.modified


def test_edit_outline_corners_by_dragging_adding_and_removing(win, qtbot):
    s = win.session
    before = list(s.site.hall.outline)
    win.session.selection.clear()
    win.registry["snap_objects"].setChecked(False)  # the grid alone
    win.registry["corners"].trigger()
    vp = win.view.viewport()
    x0, y0 = before[1]  # (36, 0): drag it 2 m east
    a = view_point(win, x0, y0)
    b = view_point(win, x0 + 2.0, y0)
    qtbot.mousePress(vp, Qt.LeftButton, pos=a)
    qtbot.mouseMove(vp, (a + b) / 2)
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.LeftButton, pos=b)
    after = s.site.hall.outline
    assert after[1][0] == pytest.approx(x0 + 2.0, abs=0.1) and after[1][1] == pytest.approx(y0, abs=0.1)
    assert s.undo_stack.count() == 1
    # add a corner in the middle of the north wall, then remove it again
    mid = view_point(win, 18.0, before[2][1])
    qtbot.mouseDClick(vp, Qt.LeftButton, pos=mid)
    assert len(s.site.hall.outline) == len(before) + 1
    qtbot.mouseClick(vp, Qt.RightButton, pos=mid)
    assert len(s.site.hall.outline) == len(before)
    qtbot.keyClick(vp, Qt.Key_Escape)
    while s.undo_stack.canUndo():
        s.undo_stack.undo()
    assert s.site.hall.outline == before


def test_results_on_plan_one_view_at_a_time(win):
    modes = win.results_mode
    by_name = {ov.name: ov for ov in win.scene.overlays if ov.name in ("liquid", "air", "power")}
    assert set(by_name) == {"liquid", "air", "power"}
    for mode in ("liquid", "air", "power"):
        modes.set_mode(mode)
        assert {n for n, ov in by_name.items() if ov.enabled} == {mode}
    modes.set_mode("all")
    assert all(ov.enabled for ov in by_name.values())
    modes.set_mode("none")
    assert not any(ov.enabled for ov in by_name.values())
    modes.cycle()
    assert modes.mode == "liquid"


def test_arrow_nudges_of_one_selection_merge_into_one_undo_step(win, qtbot):
    a, b = rack(win, "R09"), rack(win, "R10")
    start = {(a.id): (a.x, a.y), (b.id): (b.x, b.y)}
    win.session.selection.set([a.id, b.id])
    win.view.setFocus()
    for key in (Qt.Key_Right, Qt.Key_Right, Qt.Key_Up):
        qtbot.keyClick(win.view, key)
    assert a.x == pytest.approx(start[a.id][0] + 0.2) and a.y == pytest.approx(start[a.id][1] + 0.1)
    assert win.session.undo_stack.count() == 1
    win.session.undo_stack.undo()
    assert (a.x, a.y) == start[a.id] and (b.x, b.y) == start[b.id]


def test_zoom_to_fit_keeps_the_hall_clear_of_the_air_legend(win):
    s = win.session
    s.set_site("urb-ber")
    win.results_mode.set_mode("air")
    win.view.fit()  # before any result: the legend's room is kept anyway
    t = win.view.transform()
    centre = win.view.map_to_scene(win.view.viewport().rect().center())
    assert s.scheduler.wait_idle(300)
    legend = win.extensions["air"].legend
    assert legend.isVisible()
    hall = win.view.mapFromScene(win.scene.hall_rect()).boundingRect()
    hall.translate(win.view.viewport().pos())  # into the view's coordinates, like the legend
    assert not hall.intersects(legend.geometry())
    # the legend appearing moved nothing
    assert win.view.transform() == t
    assert win.view.map_to_scene(win.view.viewport().rect().center()) == centre


def test_optional_numeric_fields_show_and_take_their_unit(win):
    s = win.session
    r = rack(win, "R01")
    assert r.height_m is not None  # set in the sample: the field shows a value, not "auto"
    s.selection.set([r.id])
    le, _, _ = win.properties.editors["height_m"]
    assert le.text() == f"{r.height_m:g} m"  # like every other numeric field, with its unit
    le.setText("2.5 m")
    le.editingFinished.emit()
    assert s.doc.item(r.id).height_m == pytest.approx(2.5)
    le.setText("2.6")  # a bare number is in the unit shown
    le.editingFinished.emit()
    assert s.doc.item(r.id).height_m == pytest.approx(2.6)
    assert win.properties.editors["height_m"][0].text() == "2.6 m"
    win.registry["units_us"].setChecked(True)
    le, _, _ = win.properties.editors["height_m"]
    assert le.text().endswith(" ft")
    le.setText("10 ft")
    le.editingFinished.emit()
    assert s.doc.item(r.id).height_m == pytest.approx(3.048)
    win.registry["units_us"].setChecked(False)


def test_reference_fields_fit_their_name_at_1280x800_and_tell_the_rest(win):
    from PySide6.QtWidgets import QApplication

    win.resize(1280, 800)
    s = win.session
    r = rack(win, "R01")
    s.selection.set([r.id])
    QApplication.processEvents()
    cb, _, _ = win.properties.editors["module_id"]
    module = s.doc.item(r.module_id)
    assert cb.currentText() == module.name  # the name, which fits
    assert cb.fontMetrics().horizontalAdvance(cb.currentText()) + 30 <= cb.width()
    assert module.id in cb.toolTip() and module.name in cb.toolTip()  # the id is told on hover
    assert cb.currentData() == module.id
