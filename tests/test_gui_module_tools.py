"""Site services, module templates, connect, ports and the row tool in the window
(pytest-qt, offscreen): what the user sees after each action, and one undo step each."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt, QTimer  # noqa: E402
from PySide6.QtGui import QColor, QDropEvent, QMouseEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QPushButton  # noqa: E402
from screens import largest_area, largest_difference, on_screen, paints  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.state.session import Session, new_project  # noqa: E402
from designer.app.window import style  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.assembly import members  # noqa: E402
from designer.io.catalog_store import template_text, user_catalog_dir  # noqa: E402

pytestmark = pytest.mark.gui


def make_window(qtbot, project):
    w = MainWindow(Session(project))
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.view.fit()
    return w


@pytest.fixture
def win(qtbot, sample):
    w = make_window(qtbot, sample)
    yield w
    w.session.undo_stack.setClean()
    w.close()
    w.session.scheduler.shutdown()


@pytest.fixture
def empty(qtbot):
    w = make_window(qtbot, new_project())
    w.view.zoom_by(0.5)
    yield w
    w.session.undo_stack.setClean()
    w.close()
    w.session.scheduler.shutdown()


def drop(w, model: str, x: float, y: float) -> str:
    from designer.app.plan.coords import to_scene as ts

    md = w.palette.tree.mimeData([w.palette.item_for(model)])
    pos = QPointF(w.view.mapFromScene(ts(x, y)))
    w.view.dropEvent(QDropEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
    return w.session.selection.ids[0]


def vp_point(w, x: float, y: float) -> QPoint:
    return w.view.mapFromScene(to_scene(x, y))


def hover(vp, q: QPoint) -> None:
    """The mouse moved over the plan with no button held."""
    QApplication.sendEvent(vp, QMouseEvent(QEvent.MouseMove, QPointF(q), QPointF(vp.mapToGlobal(q)),
                                           Qt.NoButton, Qt.NoButton, Qt.NoModifier))


def run_modal(action, handler) -> None:
    """Trigger ``action`` that opens a modal dialog; ``handler(dialog)`` works it (typing,
    clicking) and must close it."""
    seen = []

    def poll():
        dlg = QApplication.activeModalWidget()
        if dlg is None:
            QTimer.singleShot(20, poll)
            return
        seen.append(dlg)
        handler(dlg)

    QTimer.singleShot(0, poll)
    action()
    assert seen, "no dialog came up"


# -- sources and site services ------------------------------------------------------------------
def test_palette_offers_sources_and_water_with_spec_sheets(win):
    pal = win.palette
    groups = {pal.tree.topLevelItem(i).text(0): pal.tree.topLevelItem(i) for i in range(pal.tree.topLevelItemCount())}
    assert "Utility and generators" in groups and "Facility water" in groups
    assert groups["Utility and generators"].isExpanded()
    tip = pal.item_for("AIH-1000L").toolTip(0)
    assert "8 racks" in tip and "2 CDUs" in tip and "2N" in tip and "Connects" in tip
    assert "kVA at 11 kV" in pal.item_for("GEN-MV-2500").text(0)


def test_generator_beside_the_hall_is_placed_shown_edited_and_feeds_through_a_transfer(empty, qtbot):
    w = empty
    s = w.session
    gen = drop(w, "GEN-MV-2500", 10.0, -4.0)  # outside the 20 x 12 m hall
    util = drop(w, "UTIL-MV-2500", 23.0, 2.0)
    assert s.doc.item(gen).kind == "generator" and s.doc.item(gen).y == pytest.approx(-4.0)
    it = w.scene.items_by_id[gen]
    assert it.layer == "power" and it.pos() == to_scene(10.0, -4.0)
    assert w.scene.sceneRect().contains(it.sceneBoundingRect())  # the plan scrolls to it
    assert w.scene.content_rect().contains(it.sceneBoundingRect())  # zoom to fit shows it
    # Properties: its voltage set point is editable, one undo step
    s.selection.set([gen])
    assert w.properties.title.text().startswith("Power source:")
    sp, _k, _o = w.properties.editors["voltage_setpoint_pu"]
    n = s.undo_stack.count()
    sp.setValue(1.02)
    assert s.doc.item(gen).voltage_setpoint_pu == pytest.approx(1.02) and s.undo_stack.count() == n + 1
    # a transformer offers both as its supply, and the generator as its transfer
    tx = drop(w, "TX-2500", 6.0, 6.0)
    s.selection.set([tx])
    fed, _k, _o = w.properties.editors["upstream_id"]
    alt, _k, _o = w.properties.editors["alternate_upstream_id"]
    assert fed.findData(util) >= 0 and fed.findData(gen) >= 0
    fed.setCurrentIndex(fed.findData(util))
    alt.setCurrentIndex(alt.findData(gen))
    assert s.doc.item(tx).upstream_id == util and s.doc.item(tx).alternate_upstream_id == gen
    s.scheduler.run_now()
    assert s.scheduler.wait_idle(60)
    QApplication.processEvents()
    pv = w.extensions["power"]
    lay = pv.layout
    assert lay is not None
    assert lay.nodes[util].row == 0 and lay.nodes[gen].row == 0  # sources on the top row
    assert (gen, tx) in lay.alternates() and (util, tx) in lay.edges()
    assert (gen, tx) in pv.diagram.alts  # drawn dashed, as a transfer switch


# -- templates ----------------------------------------------------------------------------------
def _type(widget, text: str) -> None:
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    QTest.keyClicks(widget, text)


def _click_button(dlg, text: str) -> None:
    btn = next(b for b in dlg.findChildren(QPushButton) if b.text().replace("&", "") == text)
    QTest.mouseClick(btn, Qt.LeftButton)


def test_save_selection_as_module_checks_fields_then_adds_it_to_the_palette(win):
    s = win.session
    folder = user_catalog_dir()
    s.selection.set(["core-fra.mod1"])
    steps = []

    def work(dlg: QDialog) -> None:
        model, name, error = dlg.model, dlg.name, dlg.error
        model.clear()
        _click_button(dlg, "Save")  # no model id
        steps.append(error.text())
        assert dlg.isVisible() and not (folder.exists() and list(folder.glob("*.json")))  # nothing written
        _type(model, "AIH-1000L")  # taken by the shipped catalog
        _click_button(dlg, "Save")
        steps.append(error.text())
        _type(model, "bad id!")
        _click_button(dlg, "Save")
        steps.append(error.text())
        _type(model, "MY-POD-1")
        name.clear()
        _click_button(dlg, "Save")
        steps.append(error.text())
        _type(name, "My pod 1 MW")
        _type(dlg.description, "Our AI pod with its loop")
        _click_button(dlg, "Save")
        steps.append(dlg.isVisible())

    run_modal(win.registry["save_module"].trigger, work)
    assert steps[0].startswith("Model id:") and "enter an id" in steps[0]
    assert steps[1].startswith("Model id:") and "already in the catalog" in steps[1]
    assert steps[2].startswith("Model id:") and "characters" in steps[2]
    assert steps[3].startswith("Name:")
    assert steps[4] is False
    files = list(folder.glob("*.json"))
    assert [f.name for f in files] == ["MY-POD-1.json"]
    data = json.loads(files[0].read_text())
    assert data["template_format"] >= 1 and len(data["module"]["contents"]["racks"]) == 8
    # in the palette at once, current, with its spec sheet
    it = win.palette.item_for("MY-POD-1")
    assert it is not None and win.palette.tree.currentItem() is it
    assert "8 racks" in it.toolTip(0) and "Our AI pod" in it.toolTip(0)
    assert "MY-POD-1" in win.statusBar().currentMessage()
    # and it places like any catalog module, with everything in it
    new = drop(win, "MY-POD-1", 28.0, 15.0)
    assert len(members(s.doc, new)) == len(members(s.doc, "core-fra.mod1"))


def test_add_template_file_refuses_bad_files_and_adds_good_ones(win, tmp_path, monkeypatch):
    import designer.app.assembly.controller as ctl

    errors = []
    monkeypatch.setattr(ctl, "show_error", lambda _p, title, text, details="": errors.append((title, text)))
    folder = user_catalog_dir()
    mods = win.extensions["assembly"]
    entry = win.session.catalog.get("MIC-60T").model_copy(update={"model": "SHARED-MIC", "name": "Shared micro"})
    good = json.loads(template_text(entry))
    newer = dict(good, template_format=99)
    (tmp_path / "newer.json").write_text(json.dumps(newer))
    missing = {"template_format": 1, "module": {k: v for k, v in good["module"].items() if k != "width_m"}}
    (tmp_path / "missing.json").write_text(json.dumps(missing))
    outside = json.loads(json.dumps(good))
    outside["module"]["contents"]["racks"][0]["x"] = 50.0
    (tmp_path / "outside.json").write_text(json.dumps(outside))
    for name, field in (("newer.json", "template_format"), ("missing.json", "module.width_m"),
                        ("outside.json", "contents.racks[0]")):
        assert not mods.add_template_file(tmp_path / name)
        title, text = errors[-1]
        assert title == "Not a usable module template" and field in text, (name, text)
    assert not folder.exists() or not list(folder.glob("*.json"))  # nothing added
    assert win.palette.item_for("SHARED-MIC") is None
    (tmp_path / "good.json").write_text(json.dumps(good))
    assert mods.add_template_file(tmp_path / "good.json")
    assert (folder / "SHARED-MIC.json").exists()
    assert win.palette.item_for("SHARED-MIC") is not None


# -- connect ------------------------------------------------------------------------------------
def test_connect_module_from_its_context_menu_is_one_undo_step_with_an_account(empty):
    pytest.importorskip("designer.document.connect")
    w, s = empty, empty.session
    drop(w, "UTIL-LV-630", 23.0, 2.0)
    drop(w, "FW-DC-150", 23.0, 8.0)
    mod = drop(w, "IND-120R", 8.0, 6.0)
    hall = s.site.hall
    n_pipes = len(hall.pipes)
    shown = []
    w.view.popup_menu = lambda menu, _pos: shown.append(menu)
    from PySide6.QtGui import QContextMenuEvent

    s.selection.clear()
    m = s.doc.item(mod)
    pos = next(q for q in (vp_point(w, m.x + fx * m.width_m, m.y + fy * m.depth_m)
                           for fx in (0.45, -0.45, 0.3) for fy in (0.4, -0.4, 0.0))
               if next((i for i in w.view.items(q) if hasattr(i, "item_id")), None).item_id == mod)
    QApplication.sendEvent(w.view.viewport(), QContextMenuEvent(QContextMenuEvent.Mouse, pos,
                                                                w.view.viewport().mapToGlobal(pos)))
    assert s.selection.ids == [mod]
    act = next(a for a in shown[-1].actions() if a.text().replace("&", "") == "Connect module to site")
    n = s.undo_stack.count()
    act.trigger()
    assert s.undo_stack.count() == n + 1
    assert s.undo_stack.undoText().startswith("Connect M01 to the site")
    panel = w.extensions["assembly"].panel
    assert panel.title.startswith("Connect M01") and panel.lines
    assert any("fed from utility supply" in a for a in panel.lines)
    assert len(hall.pipes) > n_pipes and all(c.facility_id for c in hall.cdus)
    assert "Connect M01 to the site" in w.statusBar().currentMessage()
    s.undo_stack.undo()
    assert len(hall.pipes) == n_pipes and not any(c.facility_id for c in hall.cdus)


def test_design_from_workloads_runs_in_the_background_and_is_one_undo_step(empty, qtbot, monkeypatch):
    """The command's wiring, with a stand-in for the core's design_site."""
    import sys
    import types

    from designer.document.ops import place_entry

    w, s = empty, empty.session
    calls = []

    def design_site(project, site_id, catalog, progress=None):
        calls.append((project is not s.project, site_id))
        progress(0.5, "Placing modules")
        doc = type(s.doc)(project)
        return types.SimpleNamespace(edit=place_entry(doc, site_id, catalog.get("MIC-60T"), 5.0, 5.0),
                                     account=["Chose MIC-60T for 40 kW of workloads"], problems=[])

    fake = types.ModuleType("designer.analysis.design")
    fake.design_site = design_site
    monkeypatch.setitem(sys.modules, "designer.analysis.design", fake)
    mods = w.extensions["assembly"]
    w.registry["design_site"].trigger()
    assert mods.design.running and mods.design.dialog is not None and mods.design.dialog.isVisible()
    qtbot.waitUntil(lambda: not mods.design.running, timeout=10000)
    assert calls == [(True, s.site_id)]  # a snapshot, read off the GUI thread
    assert s.undo_stack.count() == 1 and len(s.site.hall.modules) == 1
    assert mods.panel.lines == ["Chose MIC-60T for 40 kW of workloads"]
    assert s.undo_stack.undoText().startswith("Design New site from workloads")


# -- ports and pipes ----------------------------------------------------------------------------
def _near(img, q: QPoint, color: QColor, r: int = 3) -> bool:
    for dx in range(-r, r + 1):
        for dy in range(-r, r + 1):
            c = img.pixelColor(q.x() + dx, q.y() + dy)
            if abs(c.red() - color.red()) + abs(c.green() - color.green()) + abs(c.blue() - color.blue()) < 40:
                return True
    return False


def test_rack_and_cdu_ports_are_drawn_when_zoomed_in(win):
    w = win
    w.results_mode.set_mode("none")  # the plan itself, no results drawn over it
    rack = next(r for r in w.session.site.hall.racks if r.liquid_fraction > 0)
    cdu = w.session.site.hall.cdus[0]
    w.view.zoom_by(120.0 / w.view.px_per_m)
    for it, ports in ((rack, (("supply", style.SUPPLY), ("return", style.RETURN))),
                      (cdu, (("facility_supply", style.FACILITY_SUPPLY), ("facility_return", style.FACILITY_RETURN)))):
        w.view.centerOn(to_scene(it.x, it.y))
        QApplication.processEvents()
        img = w.view.viewport().grab().toImage()
        for port, color in ports:
            px, py = it.port_position(port)
            # the port marker sits on the face, a few centimetres in
            assert _near(img, vp_point(w, px, py), color, 6), (it.name, port)


def test_pipe_tool_snaps_to_facility_ports_and_makes_a_facility_pipe(empty):
    w, s = empty, empty.session
    fw = drop(w, "FW-DC-150", 15.0, 4.0)
    cdu = drop(w, "CDU-IR-100", 5.0, 4.0)
    w.view.zoom_by(60.0 / w.view.px_per_m)
    w.view.centerOn(to_scene(10.0, 4.0))
    w.registry["pipe_supply"].trigger()
    tool = w.view.tool
    a = s.doc.item(fw).port_position("supply")
    b = s.doc.item(cdu).port_position("facility_supply")
    vp = w.view.viewport()
    near_a = vp_point(w, a[0] + 0.08, a[1] - 0.05)  # a few pixels off: it snaps
    hover(vp, near_a)
    hit = tool.port_near(*tool.cursor)
    assert hit is not None and hit[0].item_id == fw and hit[0].port == "supply"
    assert tool.port_label(hit[0]).endswith("facility supply")
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, near_a)
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, vp_point(w, 10.0, a[1]))
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, vp_point(w, b[0] + 0.05, b[1]))
    pipe = s.site.hall.pipes[-1]
    assert (pipe.start.item_id, pipe.start.port) == (fw, "supply")
    assert (pipe.end.item_id, pipe.end.port) == (cdu, "facility_supply")
    assert pipe.role == "facility_supply"
    assert s.undo_stack.undoText() == "Draw facility supply pipe"


# -- row of racks -------------------------------------------------------------------------------
def test_row_of_racks_takes_the_palette_rack_its_clearance_and_a_clicked_start(empty):
    w, s = empty, empty.session
    pal = w.palette
    item = pal.item_for("RK-DLC-132")
    pal.tree.scrollToItem(item)
    QTest.mouseClick(pal.tree.viewport(), Qt.LeftButton, Qt.NoModifier, pal.tree.visualItemRect(item).center())
    seen = {}

    def work(dlg) -> None:
        seen["model"] = dlg.model.currentData()
        seen["cold"] = dlg.aisle.value()
        dlg.aisle_kind.setCurrentIndex(dlg.aisle_kind.findData("hot"))
        seen["hot"] = dlg.aisle.value()
        dlg.count.setValue(4)
        _click_button(dlg, "Place on plan…")

    run_modal(w.registry["row"].trigger, work)
    assert seen == {"model": "RK-DLC-132", "cold": 1.5, "hot": 1.2}  # front / rear clearance
    assert w.view.tool.name == "row"
    vp = w.view.viewport()
    hover(vp, vp_point(w, 2.0, 2.0))
    assert len(w.view.tool.footprints(*w.view.tool.cursor)) == 8  # the rows follow the cursor
    QTest.mouseClick(vp, Qt.LeftButton, Qt.NoModifier, vp_point(w, 2.0, 2.0))
    racks = s.site.hall.racks
    assert len(racks) == 8 and {r.catalog_model for r in racks} == {"RK-DLC-132"}
    xs = sorted({round(r.x - r.width_m / 2, 6) for r in racks})
    ys = sorted({round(r.y, 6) for r in racks})
    assert xs[0] == pytest.approx(2.0) and min(r.y - r.depth_m / 2 for r in racks) == pytest.approx(2.0)
    d = racks[0].depth_m
    assert ys[1] - ys[0] == pytest.approx(d + 1.2)  # the hot aisle is the rear clearance wide
    assert s.undo_stack.count() == 1 and w.view.tool is w.view.select_tool


def test_row_dialog_ok_still_takes_typed_values(empty):
    w, s = empty, empty.session

    def work(dlg) -> None:
        dlg.x0.setValue(3.0)
        dlg.y0.setValue(1.0)
        dlg.count.setValue(2)
        dlg.rows.setCurrentIndex(1)
        dlg.findChild(QDialogButtonBox).button(QDialogButtonBox.Ok).click()

    run_modal(w.registry["row"].trigger, work)
    racks = s.site.hall.racks
    assert len(racks) == 2 and min(r.x - r.width_m / 2 for r in racks) == pytest.approx(3.0)



def test_a_module_dragged_over_the_plan_shows_where_it_and_its_contents_land(empty):
    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent

    w, s = empty, empty.session
    md = w.palette.tree.mimeData([w.palette.item_for("AIH-1000L")])
    vp = w.view.viewport()
    pos = vp_point(w, 10.03, 6.04)
    before = vp.grab().toImage()
    QApplication.sendEvent(vp, QDragEnterEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
    QApplication.sendEvent(vp, QDragMoveEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
    entry, x, y = w.view.drop_ghost
    assert entry.model == "AIH-1000L" and (x, y) == pytest.approx((10.0, 6.0), abs=0.11)
    assert (round(x * 10) / 10, round(y * 10) / 10) == (x, y)  # on the 0.1 m snap grid
    ghost = vp.grab().toImage()
    rack = entry.contents.racks[0]
    q = vp_point(w, x + rack.x, y + rack.y + rack.depth_m / 2)  # the edge of a rack inside it
    changed = [(before.pixelColor(q.x() + dx, q.y() + dy), ghost.pixelColor(q.x() + dx, q.y() + dy))
               for dx in range(-2, 3) for dy in range(-2, 3)]
    # drawn in the group blue where the plan was plain floor before
    assert any(a != b and b.blue() > b.red() + 40 for a, b in changed)
    assert s.undo_stack.count() == 0  # nothing placed yet
    QApplication.sendEvent(vp, QDragLeaveEvent())
    assert w.view.drop_ghost is None


def test_a_module_dragged_across_the_plan_repaints_only_its_way_and_leaves_no_trace(empty, qtbot):
    """Each drag move repaints where the ghost and the snap marker were and are, not the whole
    viewport, and what is on screen after the moves is what a full repaint draws."""
    from PySide6.QtGui import QDragEnterEvent, QDragLeaveEvent, QDragMoveEvent

    w = empty
    assert w.session.scheduler.wait_idle(120)  # nothing else paints meanwhile
    w.extensions["air"].preview.enabled = False
    md = w.palette.tree.mimeData([w.palette.item_for("IND-120R")])
    vp = w.view.viewport()
    pos = vp_point(w, 6.0, 5.0)
    with paints(vp) as regions:
        QApplication.sendEvent(vp, QDragEnterEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
        for k in range(12):
            p = pos + QPoint(9 * k, (5 * k) % 23)
            QApplication.sendEvent(vp, QDragMoveEvent(p, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
            qtbot.wait(5)
    assert w.view.drop_ghost is not None
    assert regions and largest_area(regions) < 0.5 * vp.width() * vp.height()
    shown = on_screen(w, vp)
    vp.update()
    qtbot.wait(50)
    assert largest_difference(shown, on_screen(w, vp)) <= 8
    QApplication.sendEvent(vp, QDragLeaveEvent())
    assert w.view.drop_ghost is None


def test_design_an_emptied_site_from_its_workloads(win, qtbot):
    """The real core: the tower site emptied by the user, then Site > Design from workloads."""
    pytest.importorskip("designer.analysis.design")
    w, s = win, win.session
    w.sites.list.setCurrentRow([x.id for x in s.project.sites].index("twr-ks"))
    assert s.site_id == "twr-ks"
    w.registry["select_all"].trigger()
    w.registry["delete"].trigger()
    assert not s.site.hall.racks and not s.site.hall.modules and not s.site.hall.power.sources
    n = s.undo_stack.count()
    mods = w.extensions["assembly"]
    w.registry["design_site"].trigger()
    assert mods.design.running and mods.design.dialog.isVisible()  # off the GUI thread, with progress
    qtbot.waitUntil(lambda: not mods.design.running, timeout=120000)
    assert mods.design.dialog is None
    assert s.undo_stack.count() == n + 1  # one undo step
    hall = s.site.hall
    assert hall.modules and hall.racks and hall.power.sources and hall.water_supplies
    assert set(w.scene.items_by_id) >= {m.id for m in hall.modules} | {r.id for r in hall.racks}
    assert any(a.startswith("chose MIC-60T") for a in mods.panel.lines)
    assert mods.panel.problems == []  # no error finding in the design
    assert w.docks["account"].isVisible()
    s.undo_stack.undo()
    assert not s.site.hall.racks
