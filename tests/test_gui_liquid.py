"""The liquid loops on the plan and in their dock, driven through the real window (offscreen)."""

from __future__ import annotations

import math

import pytest

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("pyqtgraph")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from designer.app.plan.items import PipeItem  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.views.liquid import style as ls  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.edits import AddItem, SetFields  # noqa: E402
from designer.model.hall import Rack  # noqa: E402

pytestmark = pytest.mark.gui

GPM_PER_LPM = 0.264172
PSI_PER_KPA = 0.145038


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.results_mode.set_mode("liquid")  # the plan shows one results view at a time
    w.show()
    qtbot.waitExposed(w)
    w.view.fit()
    w.docks["liquid"].raise_()
    assert session.scheduler.wait_idle(60, lanes=("main",))
    yield w
    session.undo_stack.setClean()
    w.close()
    session.scheduler.shutdown()


def lv(w):
    return w.extensions["liquid"]


def data(w):
    return w.session.scheduler.last_results["liquid"].data


def settle(w) -> None:
    assert w.session.scheduler.wait_idle(60, lanes=("main",))


def liquid_racks(w) -> dict:
    d = data(w)
    return {r.id: d.racks[r.id] for r in w.session.site.hall.racks
            if r.id in d.racks and d.racks[r.id].required_lpm}


def test_badges_show_each_liquid_racks_flow_ratio_and_rise(win):
    ov = lv(win).overlay
    racks = liquid_racks(win)
    assert len(racks) == 8  # the core site's AI pod
    assert set(ov.badges) == set(racks)
    for rid, r in racks.items():
        b = ov.badges[rid]
        # independent of ratio_text: these ratios are 1.19-1.22, nowhere near a rounding edge
        assert b.line1 == f"{round(r.flow_ratio * 100)} %"
        assert b.line2 == f"ΔT {r.delta_t_k:.1f} K"
        assert b.fill == ls.GOOD
        name = win.session.doc.item(rid).name
        assert b.tip().startswith(f"{name}: {r.flow_lpm:,.1f} of {r.required_lpm:,.1f} L/min required")
        # on the rack's front half: inside its footprint, nearer the front than the back
        rack = win.session.doc.item(rid)
        fx, fy = rack.front_normal()
        bx, by = b.pos().x(), -b.pos().y()
        along = (bx - rack.x) * fx + (by - rack.y) * fy
        assert 0.2 < along < rack.depth_m / 2


def test_badges_give_way_to_one_chip_layer_when_zoomed_out(win):
    ov = lv(win).overlay
    assert win.view.px_per_m < 30  # the whole core hall fitted
    assert not any(b.isVisible() for b in ov.badges.values())
    assert ov.chips.isVisible()
    (color, path), = ov.chips.paths  # all eight racks are green: one path
    assert color == ls.GOOD and path.elementCount() == 8 * 5
    # zoom in to 90 px/m (the fit's own scale depends on the room the Liquid loops panel leaves)
    win.view.zoom_by(90 / win.view.px_per_m)
    assert win.view.px_per_m > 80
    assert all(b.isVisible() for b in ov.badges.values())
    assert not ov.chips.isVisible()


def test_pipe_colours_follow_velocity_and_the_limit(win):
    ov = lv(win).overlay
    d = data(win)
    items = win.scene.items_by_id
    pipes = [p for p in win.session.site.hall.pipes if p.id in d.pipes]
    assert len(pipes) == 32
    limit = win.session.project.settings.velocity_limit_mps
    for p in pipes:
        v = d.pipes[p.id].velocity_mps
        assert items[p.id].color is ls.VELOCITY_LUT[round(v / limit * 255)]
    # a lower limit turns the fastest pipes (1.6-1.8 m/s) into the over-limit colour, no others
    win.session.push(SetFields(None, {"settings.velocity_limit_mps": 1.6}))
    settle(win)
    d = data(win)
    over = {p.id for p in pipes if d.pipes[p.id].velocity_mps > 1.6}
    assert 0 < len(over) < len(pipes)
    assert {p.id for p in pipes if items[p.id].color is ls.OVER_LIMIT} == over
    assert ov.scale_max == pytest.approx(1.6 * ls.VELOCITY_SPAN)


def test_colour_by_flow_then_layer_off_gives_role_colours_back(win):
    view = lv(win)
    ov = view.overlay
    d = data(win)
    view.panel.color_by.setCurrentIndex(view.panel.color_by.findData("flow"))
    assert ov.color_by == "flow"
    assert view.legend.title() == "Pipe flow (L/min)"
    qmax = max(abs(d.pipes[p.id].flow_lpm) for p in win.session.site.hall.pipes)
    assert ov.scale_max == 1000.0 and qmax == pytest.approx(735.0, abs=1.0)
    for p in win.session.site.hall.pipes:
        assert win.scene.items_by_id[p.id].color is ls.flow_color(d.pipes[p.id].flow_lpm, 1000.0)
    win.registry["layer_results"].setChecked(False)
    assert all(it.color is None for it in win.scene.items_by_id.values() if isinstance(it, PipeItem))
    assert not any(b.isVisible() for b in ov.badges.values())
    assert not view.legend.isVisible()
    win.registry["layer_results"].setChecked(True)
    assert all(win.scene.items_by_id[p.id].color is not None for p in win.session.site.hall.pipes)
    assert view.legend.isVisible()
    win.registry["liquid_overlay"].setChecked(False)  # this overlay alone
    assert all(win.scene.items_by_id[p.id].color is None for p in win.session.site.hall.pipes)
    assert not view.legend.isVisible() and not ov.chips.isVisible()
    win.registry["liquid_overlay"].setChecked(True)
    assert ov.chips.isVisible() and view.legend.isVisible()


def test_cdu_bars_show_load_against_capacity(win):
    ov = lv(win).overlay
    d = data(win)
    assert set(ov.bars) == {"core-fra.cdu1", "core-fra.cdu2"}
    for cid, bar in ov.bars.items():
        c = d.cdus[cid]
        assert bar.fraction == pytest.approx(c.load_kw / c.capacity_kw, rel=1e-9)
        assert bar.detail == f"{c.load_kw:,.0f} / {c.capacity_kw:,.0f} kW" == "408 / 800 kW"
        cdu = win.session.doc.item(cid)
        # in front of the CDU, outside its footprint
        fx, fy = cdu.front_normal()
        along = (bar.pos().x() - cdu.x) * fx + (-bar.pos().y() - cdu.y) * fy
        assert along > cdu.depth_m / 2


def test_table_has_every_rack_cdu_and_pipe_and_sorts(win):
    t = lv(win).panel.tables
    assert t.models["racks"].rowCount() == 8
    assert t.models["cdus"].rowCount() == 2
    assert t.models["pipes"].rowCount() == 32
    m = t.models["racks"]
    d = data(win)
    row = m.row_of["core-fra.rack3"]
    assert m.data(m.index(row, 0)) == "R03"
    assert m.data(m.index(row, 2)) == f"{d.racks['core-fra.rack3'].flow_lpm:,.1f}"
    assert m.headerData(2, Qt.Horizontal) == "Flow (L/min)"
    win.session.selection.set(["core-fra.rack3"])
    t.views["racks"].sortByColumn(2, Qt.DescendingOrder)
    flows = [m.rows[i][1][2] for i in range(m.rowCount())]
    assert flows == sorted(flows, reverse=True)
    assert m.row_of[m.rows[0][0]] == 0
    assert t.selected_ids("racks") == ["core-fra.rack3"]  # the selection follows its row
    assert m.row_of["core-fra.rack3"] != row
    pm = t.models["pipes"]
    t.views["pipes"].sortByColumn(3, Qt.DescendingOrder)
    assert pm.rows[0][1][3] == pytest.approx(max(p.velocity_mps for p in d.pipes.values()
                                                 if p.pipe_id.startswith("core-fra.")))


def test_row_click_selects_on_plan_and_plan_selects_row_and_curves(win, qtbot):
    view = lv(win)
    t = view.panel.tables
    v, m = t.views["racks"], t.models["racks"]
    row = m.row_of["core-fra.rack6"]
    rect = v.visualRect(m.index(row, 0))
    QTest.mouseClick(v.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
    assert win.session.selection.ids == ["core-fra.rack6"]
    assert view.cdu_id == "core-fra.cdu2"  # R06 hangs on CDU-1B
    assert view.panel.plot.cdu.cdu_id == "core-fra.cdu2"
    # and the other way: a CDU picked on the plan shows its row and its curves
    win.session.selection.set(["core-fra.cdu1"])
    assert t.tabs.currentIndex() == t.KINDS.index("cdus")
    assert t.selected_ids("cdus") == ["core-fra.cdu1"]
    assert t.selected_ids("racks") == []
    assert view.panel.plot.cdu.cdu_id == "core-fra.cdu1"
    assert view.panel.plot.current_id() == "core-fra.cdu1"
    win.session.selection.set(["core-fra.pipe20"])  # a branch of CDU-1B's loop
    assert t.selected_ids("pipes") == ["core-fra.pipe20"]
    assert view.cdu_id == "core-fra.cdu2"


def test_plot_shows_the_selected_cdus_pump_and_system_curves(win):
    view = lv(win)
    win.session.selection.set(["core-fra.rack2"])
    c = data(win).cdus["core-fra.cdu1"]
    plot = view.panel.plot
    xs, ys = plot.pump.getData()
    assert list(xs) == pytest.approx([q for q, _ in c.pump_curve])
    assert list(ys) == pytest.approx([h for _, h in c.pump_curve])
    sx, sy = plot.system.getData()
    assert len(sx) >= 5
    # the system curve passes through the operating point, which lies on the pump curve
    k = c.pump_head_kpa / c.flow_lpm ** 2
    assert list(sy) == pytest.approx([k * q * q for q in sx], rel=1e-9, abs=1e-9)
    px, py = plot.point.getData()
    assert (px[0], py[0]) == pytest.approx((c.flow_lpm, c.pump_head_kpa))
    import numpy as np

    assert float(np.interp(c.flow_lpm, xs, ys)) == pytest.approx(c.pump_head_kpa, rel=0.01)
    assert plot.axis_labels() == ("Flow (L/min)", "Head (kPa)")


def test_us_units_change_axis_labels_values_and_badges(win):
    view = lv(win)
    win.session.selection.set(["core-fra.cdu1"])
    win.session.set_units("US")  # a view setting: no edit, no new results needed
    settle(win)
    plot = view.panel.plot
    assert plot.axis_labels() == ("Flow (gpm)", "Head (psi)")
    c = data(win).cdus["core-fra.cdu1"]
    xs, ys = plot.pump.getData()
    assert xs[-1] == pytest.approx(c.pump_curve[-1][0] * GPM_PER_LPM)
    assert ys[0] == pytest.approx(c.pump_curve[0][1] * PSI_PER_KPA)
    m = view.panel.tables.models["racks"]
    assert m.headerData(2, Qt.Horizontal) == "Flow (gpm)"
    assert m.headerData(7, Qt.Horizontal) == "Rise (°F)"
    r = data(win).racks["core-fra.rack1"]
    assert view.overlay.badges["core-fra.rack1"].line2 == f"ΔT {r.delta_t_k * 1.8:.1f} °F"
    assert view.legend.title() == "Pipe velocity (ft/s)"
    # round ticks in ft/s, and the 2.0 m/s limit in ft/s at 80 % of the bar
    assert [(round(f, 4), label) for f, label, _b in view.legend.ticks()] == [
        (0.0, "0"), (round(2 / 3.28084 / 2.5, 4), "2"), (round(4 / 3.28084 / 2.5, 4), "4"), (0.8, "6.6 limit")]
    assert "tons" in view.overlay.bars["core-fra.cdu1"].detail


def test_balance_is_one_undoable_edit_and_evens_out_the_flows(win):
    view = lv(win)
    s = win.session
    before = {r.id: r.valve_k for r in s.site.hall.racks}
    assert all(before[i] is None for i in liquid_racks(win))
    ratios0 = [r.flow_ratio for r in liquid_racks(win).values()]
    assert max(ratios0) - min(ratios0) > 0.01  # unbalanced: near racks get more
    n = s.undo_stack.count()
    win.registry["liquid_balance"].trigger()
    assert s.undo_stack.count() == n + 1
    assert s.undo_stack.undoText() == "Balance liquid loops"
    after = {r.id: r.valve_k for r in s.site.hall.racks}
    throttled = [i for i in liquid_racks(win) if after[i] not in (None, 0.0)]
    assert len(throttled) == 6  # all but the index rack of each of the two loops
    assert "Balanced Rhein-Main core AI factory: 6 valves set" in win.statusBar().currentMessage()
    settle(win)
    by_loop: dict[int, list[float]] = {}
    for r in liquid_racks(win).values():
        by_loop.setdefault(r.loop, []).append(r.flow_ratio)
        assert r.valve_k == pytest.approx(after[r.rack_id] or 0.0)
    for ratios in by_loop.values():
        # proportional balancing: every rack of a loop the same share (valve K rounded to 4 digits)
        assert max(ratios) - min(ratios) < 2e-3
        assert min(ratios) >= 1.0
    assert "of its required flow" in win.statusBar().currentMessage()
    rows = view.panel.tables.models["racks"]
    k_col = 9
    assert rows.rows[rows.row_of[throttled[0]]][1][k_col] == pytest.approx(after[throttled[0]])
    s.undo_stack.undo()
    assert {r.id: r.valve_k for r in s.site.hall.racks} == before
    settle(win)
    assert [r.flow_ratio for r in liquid_racks(win).values()] == pytest.approx(ratios0, rel=1e-6)  # solver tolerance
    # balancing what is balanced changes nothing and pushes nothing
    win.registry["liquid_balance"].trigger()
    n = s.undo_stack.count()
    win.registry["liquid_balance"].trigger()
    assert s.undo_stack.count() == n
    assert "already balanced" in win.statusBar().currentMessage()


def test_pump_failure_toggle_shows_one_pump_down_values(win):
    view = lv(win)
    d = data(win)
    act = win.registry["liquid_failure"]
    act.setChecked(True)
    assert view.overlay.failure
    for rid, r in liquid_racks(win).items():
        b = view.overlay.badges[rid]
        # the sample's CDUs run one duty pump: with it down nothing flows until the standby starts
        assert d.cdus["core-fra.cdu1"].failure_running == 0
        assert r.failure_ratio == 0.0
        assert (b.line1, b.line2, b.fill) == ("0 %", "standby", ls.SHORT)
    win.session.selection.set(["core-fra.cdu1"])
    fx, fy = view.panel.plot.fail_point.getData()
    assert (fx[0], fy[0]) == (0.0, 0.0)
    assert view.panel.plot.fail_point.isVisible()
    assert not view.panel.plot.pump_fail.isVisible()  # no pump left: no curve to draw
    act.setChecked(False)
    r = data(win).racks["core-fra.rack1"]
    assert view.overlay.badges["core-fra.rack1"].line1 == ls.ratio_text(r.flow_ratio)
    assert not view.panel.plot.fail_point.isVisible()


def test_failure_with_parallel_duty_pumps_shows_reduced_flow(win):
    view = lv(win)
    s = win.session
    cdu = s.doc.item("core-fra.cdu1")
    s.push(SetFields("core-fra.cdu1", {"pump.count": 3, "pump.redundant": 1}))
    settle(win)
    win.registry["liquid_failure"].setChecked(True)
    d = data(win)
    c = d.cdus["core-fra.cdu1"]
    assert (c.pumps_running, c.failure_running) == (2, 1)
    lp = next(lp for lp in d.loops if "core-fra.cdu1" in lp.cdu_ids)
    for rid in lp.rack_ids:
        r = d.racks[rid]
        b = view.overlay.badges[rid]
        assert 0 < r.failure_ratio < r.flow_ratio
        assert b.line1 == ls.ratio_text(r.failure_ratio)
        dt = r.heat_kw * 1000 / (lp.density_kg_m3 * lp.cp_j_kgk * r.failure_flow_lpm / 60000)
        assert b.line2 == f"ΔT {dt:.1f} K"
        assert dt > r.delta_t_k  # the same heat in less water
    s.selection.set(["core-fra.cdu1"])
    plot = view.panel.plot
    assert plot.pump_fail.isVisible()
    fx, fy = plot.pump_fail.getData()
    px, py = plot.pump.getData()
    assert list(fx) == pytest.approx([q / 2 for q in px])  # one of two parallel pumps: half the flow
    assert list(fy) == pytest.approx(list(py))
    assert cdu.name == "CDU-1A"
    # the key is a line under the title, never a box over the curves
    import pyqtgraph as pg

    pi = plot.plot.getPlotItem()
    assert not [it for it in pi.vb.childItems() if isinstance(it, pg.LegendItem)] and pi.legend is None
    assert "one pump down" in plot.key_html() and "one pump down" in pi.titleLabel.text
    win.registry["liquid_failure"].setChecked(False)
    assert "one pump down" not in plot.key_html() and "pump curve" in pi.titleLabel.text


def test_rack_in_no_loop_is_flagged_on_plan_and_in_table(win):
    s = win.session
    rack = Rack(id="core-fra.rack99", name="R99", x=16.0, y=9.0, it_load_kw=100.0, liquid_fraction=0.85)
    s.push(AddItem("rack", rack, s.site_id))
    settle(win)
    assert "core-fra.rack99" in data(win).unconnected
    b = lv(win).overlay.badges["core-fra.rack99"]
    assert b.no_loop and b.line1 == "no loop"
    m = lv(win).panel.tables.models["racks"]
    assert m.data(m.index(m.row_of["core-fra.rack99"], 1)) == "no loop"
    assert "1 in no loop" in lv(win).panel.summary.text()


def test_moved_rack_badge_follows_and_is_dimmed_until_new_results(win):
    s = win.session
    b = lv(win).overlay.badges["core-fra.rack1"]
    x0 = b.pos().x()
    s.push(SetFields("core-fra.rack1", {"x": 8.0}))
    assert b.pos().x() == pytest.approx(x0 - 0.4)
    assert b.opacity() < 1.0
    settle(win)
    assert b.opacity() == 1.0


def test_site_switch_rebuilds_badges_for_the_new_site(win):
    s = win.session
    s.set_site("ent-muc")
    settle(win)
    ov = lv(win).overlay
    assert set(ov.badges) == set(liquid_racks(win)) and len(ov.badges) == 8
    assert all(i.startswith("ent-muc.") for i in list(ov.badges) + list(ov.bars))
    assert lv(win).panel.tables.models["cdus"].rowCount() == 1
    assert not math.isnan(lv(win).overlay.last_update_ms)


def test_badge_and_bar_follow_a_drag_preview_and_come_back_on_cancel(win):
    ov = lv(win).overlay
    b, bar = ov.badges["core-fra.rack1"], ov.bars["core-fra.cdu1"]
    (bx, by), cx = (b.pos().x(), b.pos().y()), bar.pos().x()
    win.scene.preview_move(["core-fra.rack1", "core-fra.cdu1"], 0.5, 0.25)
    assert (b.pos().x(), b.pos().y()) == pytest.approx((bx + 0.5, by - 0.25))  # scene y points down
    assert bar.pos().x() == pytest.approx(cx + 0.5)
    win.scene.cancel_preview(["core-fra.rack1", "core-fra.cdu1"])
    assert (b.pos().x(), b.pos().y(), bar.pos().x()) == pytest.approx((bx, by, cx))


def test_names_sort_naturally():
    from designer.app.views.liquid.table import _key

    names = ["R10", "R2", "R1000", "R1", "r3", None, "CDU-1B", "CDU-1A"]
    assert sorted(names, key=_key) == ["CDU-1A", "CDU-1B", "R1", "R2", "r3", "R10", "R1000", None]


def test_opening_another_project_drops_the_old_results_until_new_ones(win, sample_project):
    s = win.session
    other = sample_project.model_copy(deep=True)
    other.sites[0].hall.racks[0].valve_k = 50.0  # same ids, other values
    s.replace_project(other, None)
    ov = lv(win).overlay
    assert not ov.badges and not ov.colored
    assert lv(win).panel.tables.models["racks"].rowCount() == 0
    settle(win)
    assert len(ov.badges) == 8
    r1 = data(win).racks["core-fra.rack1"]
    assert r1.valve_k == 50.0 and ov.badges["core-fra.rack1"].line1 == ls.ratio_text(r1.flow_ratio)
