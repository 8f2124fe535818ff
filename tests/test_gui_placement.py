"""The placement pane driven through its table models, map, chart and dialog (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from designer.app.state.session import Session  # noqa: E402
from designer.app.views.placement import style as ps  # noqa: E402
from designer.app.views.placement.models import ID_ROLE  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.model.base import Located  # noqa: E402
from designer.model.project import DataSource, Project, Site, Workload  # noqa: E402

pytestmark = pytest.mark.gui


def _open(qtbot, project):
    session = Session(project)
    w = MainWindow(session)
    w.show()
    qtbot.waitExposed(w)
    view = w.extensions["placement"]
    view.dock.raise_()
    assert session.scheduler.wait_idle(60, lanes=("main",))
    qtbot.wait(10)
    return w, view


def _close(w):
    w.session.undo_stack.setClean()  # no "save changes?" prompt
    w.close()
    w.session.scheduler.shutdown()


@pytest.fixture
def win(qtbot, sample):
    w, view = _open(qtbot, sample)
    yield w, view.pane
    _close(w)


@pytest.fixture
def messages(win):
    got: list[str] = []
    win[0].session.message.connect(got.append)
    return got


def col(model, key: str) -> int:
    return next(i for i, c in enumerate(model.columns) if c.key == key)


def cell(model, item_id: str, key: str):
    return model.index(model.row_of(item_id), col(model, key))


def settle(w) -> None:
    assert w.session.scheduler.wait_idle(60, lanes=("main",))


# -- editing ------------------------------------------------------------------------------------
def test_budget_edit_through_model_is_one_undoable_edit(win):
    w, pane = win
    s = w.session
    m = pane.tables.workloads
    idx = cell(m, "wl-vision", "latency_budget_ms")
    assert idx.data() == "4"
    n = s.undo_stack.count()
    assert m.setData(idx, "6.5", Qt.EditRole)
    assert s.doc.item("wl-vision").latency_budget_ms == 6.5
    assert s.undo_stack.count() == n + 1
    assert idx.data() == "6.5"
    s.undo_stack.undo()
    assert s.doc.item("wl-vision").latency_budget_ms == 4.0
    assert m.index(m.row_of("wl-vision"), col(m, "latency_budget_ms")).data() == "4"
    s.undo_stack.redo()
    assert s.doc.item("wl-vision").latency_budget_ms == 6.5


def test_reference_bool_and_optional_cells(win):
    w, pane = win
    s, m = w.session, pane.tables.workloads
    # a reference takes an id or a name; blank clears an optional reference
    assert m.setData(cell(m, "wl-agv", "pinned_module_id"), "ENT-1")
    assert s.doc.item("wl-agv").pinned_module_id == "ent-muc.mod1"
    assert cell(m, "wl-agv", "pinned_module_id").data() == "ENT-1 @ Munich campus node"
    assert m.setData(cell(m, "wl-agv", "pinned_module_id"), "")
    assert s.doc.item("wl-agv").pinned_module_id is None
    # the liquid check box
    assert m.setData(cell(m, "wl-agv", "needs_liquid"), Qt.Checked.value, Qt.CheckStateRole)
    assert s.doc.item("wl-agv").needs_liquid is True
    # a link's route length may be cleared (then the route factor applies)
    lm = pane.tables.links
    assert lm.setData(cell(lm, "link-str-fra", "route_km"), "")
    assert s.doc.item("link-str-fra").route_km is None
    s.undo_stack.undo()
    assert s.doc.item("link-str-fra").route_km == 212.0


@pytest.mark.parametrize(("table", "item", "key", "text", "words"), [
    ("workloads", "wl-vision", "latency_budget_ms", "fast", ("Weld-seam vision QA", "Budget", "must be a number")),
    ("workloads", "wl-vision", "latency_budget_ms", "-2", ("Budget", "greater than zero")),
    ("workloads", "wl-vision", "latency_budget_ms", "0", ("Budget", "greater than zero")),
    ("workloads", "wl-vision", "it_power_kw", "-56", ("IT power", "zero or more")),
    ("workloads", "wl-vision", "accelerators", "2.5", ("Accel.", "whole number")),
    ("workloads", "wl-vision", "data_source_id", "nowhere", ("Data source", "'nowhere' is not")),
    ("sources", "src-a7", "location.lat", "123", ("Latitude", "between -90 and 90")),
    ("links", "link-a7-ks", "route_factor", "0.5", ("Route factor", "between 1 and 10")),
    ("links", "link-a7-ks", "b", "src-a7", ("To", "must differ")),
    ("links", "link-a7-ks", "hops", "nan", ("Hops", "finite")),
])
def test_bad_input_is_refused_with_a_message_naming_the_field(win, messages, table, item, key, text, words):
    w, pane = win
    s = w.session
    m = getattr(pane.tables, table)
    before = s.doc.item(item).model_dump()
    n = s.undo_stack.count()
    assert not m.setData(cell(m, item, key), text, Qt.EditRole)
    assert s.doc.item(item).model_dump() == before
    assert s.undo_stack.count() == n
    assert messages, "no status-bar message"
    for word in words:
        assert word in messages[-1], messages[-1]
    assert messages[-1].endswith("not changed")


def test_add_and_delete_rows_are_undoable(win):
    w, pane = win
    s, t = w.session, pane.tables
    n_wl = len(s.project.workloads)
    t.tabs.setCurrentWidget(t.tables["workload"])
    t.add_row()
    assert len(s.project.workloads) == n_wl + 1
    new = s.project.workloads[-1]
    assert new.id == "wl-1" and t.workloads.rowCount() == n_wl + 1
    assert t.tables["workload"].selected_ids() == [new.id]
    t.delete_rows()
    assert s.doc.item(new.id) is None and t.workloads.rowCount() == n_wl
    s.undo_stack.undo()
    assert s.doc.item(new.id) is not None
    s.undo_stack.undo()
    assert s.doc.item(new.id) is None
    # deleting a data source clears the workloads' references to it, in the same undo step
    t.tabs.setCurrentWidget(t.tables["data_source"])
    t.tables["data_source"].select_ids(["src-bodyshop"])
    n = s.undo_stack.index()
    t.delete_rows()
    assert s.doc.item("src-bodyshop") is None
    assert s.doc.item("wl-vision").data_source_id is None
    assert s.undo_stack.index() == n + 1
    s.undo_stack.undo()
    assert s.doc.item("wl-vision").data_source_id == "src-bodyshop"
    # a new link joins the current site to its core
    s.set_site("ind-str")
    t.tabs.setCurrentWidget(t.tables["link"])
    t.add_row()
    lk = s.project.links[-1]
    assert (lk.a, lk.b) == ("ind-str", "core-fra")
    # sites are added and removed in the Sites panel, not here
    t.tabs.setCurrentWidget(t.tables["site"])
    assert not t.add_btn.isEnabled() and not t.del_btn.isEnabled()


# -- results in the table, map and chart ------------------------------------------------------------
def _pen(pane, wid) -> QColor:
    """The colour a workload is drawn in: its line, or its ring when served next to its data."""
    mp = pane.map
    if wid in mp.lines:
        return mp.lines[wid].pen().color()
    rings, k = mp.rings[wid]
    c = QColor(rings.colors[k])
    c.setAlpha(rings.alpha[k])
    return c


def test_results_reach_table_map_and_chart(win):
    w, pane = win
    res = pane.results
    assert res is not None and res.revision == w.session.doc.revision
    m = pane.tables.workloads
    assert cell(m, "wl-traffic", "res.total").data() == "7.27"
    assert cell(m, "wl-traffic", "res.margin").data() == "2.73"
    assert cell(m, "wl-traffic", "res.module").data() == "CNT-1 @ Berlin Mitte city node"
    # every placed workload is drawn: a line from a distant source, a ring when served where its data is
    for wp in res.placed:
        assert wp.workload_id in pane.map.lines or wp.workload_id in pane.map.rings, wp.workload_id
    # data produced on the site, or a few km from it (Berlin's sensors, the A7 segment): rings
    # (the campus LLM runs on the campus: the core pod's 8 rack positions are taken)
    assert set(pane.map.rings) == {"wl-vision", "wl-rag", "wl-core-llm", "wl-traffic", "wl-v2x", "wl-llm-ent"}
    assert set(pane.map.lines) == {"wl-agv", "wl-pdm", "wl-citizen", "wl-ar", "wl-retrain"}
    for wid in res.workloads:  # the sample places everything with >= 25 % of its budget left
        assert _pen(pane, wid).rgb() == ps.MARGIN["ample"].rgb()
    assert set(pane.map.site_markers) == {s.id for s in w.session.project.sites}
    # the chart stacks fibre, hops, access and processing as a share of the budget
    i = pane.chart.order.index("wl-traffic")
    b = res.workloads["wl-traffic"]
    widths = [float(bar.opts["width"][i]) for bar in pane.chart.bars]
    want = [getattr(b.latency, k) / b.budget_ms * 100 for k, _, _ in ps.COMPONENTS]
    assert widths == pytest.approx(want, rel=1e-9)
    assert sum(widths) == pytest.approx(72.731, abs=1e-3)


def test_map_colours_follow_the_margin(win):
    w, pane = win
    s, m = w.session, pane.tables.workloads
    # 7.27 ms against 8 ms: 9 % of the budget left -> tight
    assert m.setData(cell(m, "wl-traffic", "latency_budget_ms"), "8")
    # AGV pinned to Berlin: Stuttgart -> Frankfurt -> Berlin, about 14 ms against 10 ms -> over budget
    assert m.setData(cell(m, "wl-agv", "pinned_module_id"), "urb-ber.mod1")
    # V2X with a 2 ms budget cannot be placed anywhere: it alone needs 2.5 ms of processing
    assert m.setData(cell(m, "wl-v2x", "latency_budget_ms"), "2")
    settle(w)
    res = pane.results
    assert res.revision == s.doc.revision
    assert ps.margin_class(res.workloads["wl-traffic"].margin_ms, 8.0) == "tight"
    assert res.workloads["wl-agv"].margin_ms < 0
    assert _pen(pane, "wl-traffic").rgb() == ps.MARGIN["tight"].rgb()
    assert _pen(pane, "wl-agv").rgb() == ps.MARGIN["over"].rgb()
    assert _pen(pane, "wl-ar").rgb() == ps.MARGIN["ample"].rgb()
    # the unplaced workload is flagged at its data source, with its reason in the table
    assert "wl-v2x" not in pane.map.lines
    mk = pane.map.unplaced_markers["wl-v2x"]
    assert mk.pos() == pane.map.source_markers["src-a7"].pos()
    assert "2 ms budget" in mk.toolTip()
    assert cell(m, "wl-v2x", "res.module").data() == "unplaced"
    reason = cell(m, "wl-v2x", "res.note").data()
    assert reason == res.workloads["wl-v2x"].reason and "2 ms" in reason
    assert "1 unplaced" in pane.info.text()
    # margin cells are tinted by class
    bg = cell(m, "wl-agv", "res.margin").data(Qt.BackgroundRole).color()
    assert bg.rgb() == ps.MARGIN["over"].rgb()


# -- linking with the plan -----------------------------------------------------------------------------
def test_picking_a_workload_row_selects_its_module_on_the_plan(win):
    w, pane = win
    s = w.session
    assert s.site_id == "core-fra"
    t = pane.tables.tables["workload"]
    r = pane.tables.workloads.row_of("wl-v2x")
    t.setCurrentIndex(t.proxy.mapFromSource(pane.tables.workloads.index(r, 0)))
    assert s.site_id == "twr-ks"
    assert s.selection.ids == ["twr-ks.mod1"]
    assert pane.map.focus == "wl-v2x" and pane.chart.focus == "wl-v2x"
    # the module's workloads are highlighted and their margins shown
    assert pane.tables.workloads.highlight == {"wl-v2x"}
    assert "MM-1" in pane.info.text() and "1.61 ms" in pane.info.text()


def test_selecting_a_module_or_its_rack_highlights_its_workloads(win):
    w, pane = win
    s = w.session
    want = set(pane.results.modules["core-fra.mod1"].workload_ids)
    assert want == {"wl-agv", "wl-core-llm", "wl-retrain"}  # its 8 rack positions: 1 + 6 + 1
    s.selection.set(["core-fra.mod1"])
    m = pane.tables.workloads
    assert m.highlight == want
    assert pane.map.highlight == want and pane.map.highlight_sites == {"core-fra"}
    assert pane.chart.highlight == want
    assert cell(m, "wl-agv", "name").data(Qt.BackgroundRole) is not None
    assert cell(m, "wl-vision", "name").data(Qt.BackgroundRole) is None
    for wid in ("wl-agv", "wl-retrain"):
        assert _pen(pane, wid).alpha() == 255
    assert _pen(pane, "wl-citizen").alpha() < 100 and _pen(pane, "wl-traffic").alpha() < 100  # others fade
    assert "AI-POD-1" in pane.info.text() and "4.64 ms" in pane.info.text()
    assert "rack positions 8 of 8" in pane.info.text() and "accelerators 508 of 576" in pane.info.text()
    rack = next(r for r in s.site.hall.racks if r.module_id == "core-fra.mod1")
    s.selection.set([rack.id])
    assert m.highlight == want
    s.selection.clear()
    assert m.highlight == set() and pane.map.highlight == set()


def test_clicking_an_assignment_line_on_the_map_picks_its_workload(win, qtbot):
    w, pane = win
    mp = pane.map
    mp.fit()
    path = mp.line_paths["wl-ar"]  # A7 motorway -> Munich, a long line clear of the markers
    p = mp.mapFromScene(path.pointAtPercent(0.5))
    assert mp.workload_at(QPointF(p)) == "wl-ar"
    qtbot.mouseClick(mp.viewport(), Qt.LeftButton, pos=QPoint(p.x(), p.y()))
    assert w.session.selection.ids == ["ent-muc.mod1"]
    t = pane.tables.tables["workload"]
    assert t.current_id() == "wl-ar"
    assert mp.focus == "wl-ar" and mp.lines["wl-ar"].pen().widthF() > mp.lines["wl-rag" if "wl-rag" in mp.lines
                                                                                  else "wl-retrain"].pen().widthF()
    # a click on a site marker shows that site's hall
    sp = mp.mapFromScene(mp.site_markers["urb-ber"].pos())
    qtbot.mouseClick(mp.viewport(), Qt.LeftButton, pos=sp)
    assert w.session.site_id == "urb-ber"


def test_chart_click_picks_its_row(win):
    w, pane = win
    ch = pane.chart
    ch.set_focus("wl-rag")
    vb = ch.plot.getPlotItem().getViewBox()
    i = ch.order.index("wl-rag")
    sp = vb.mapViewToScene(QPointF(10, ch._y(i) + 0.2))
    assert ch.row_at(sp) == "wl-rag"
    got = []
    ch.workload_clicked.connect(got.append)
    view_pos = ch.plot.mapFromScene(sp)
    from PySide6.QtTest import QTest

    QTest.mouseClick(ch.plot.viewport(), Qt.LeftButton, Qt.NoModifier, view_pos)
    assert got == ["wl-rag"]
    assert w.session.selection.ids == ["ent-muc.mod1"]


# -- recommendation --------------------------------------------------------------------------------
def _two_workloads_one_empty_site() -> Project:
    """Two 50 kW workloads whose data is made at an empty site: the cheapest deployment is one
    IND-120R (120 kW; fixed (8000 x 120 + 100,000) / 120 = 8,833.33 a month) rather than two
    MIC-60T (2 x 4,833.33), with 100 kW x 150 per kW-month hosting on top."""
    here = Located(lat=48.0, lon=9.0)
    return Project(name="recommend", sites=[Site(id="s1", name="Plant", location=here)],
                   data_sources=[DataSource(id="cam", name="Cameras", location=here, site_id="s1")],
                   workloads=[Workload(id=f"w{i}", name=f"Vision {i}", latency_budget_ms=10.0, data_source_id="cam",
                                       it_power_kw=50.0) for i in (1, 2)])


def test_recommend_adds_the_known_answer_as_one_undoable_edit(qtbot):
    w, view = _open(qtbot, _two_workloads_one_empty_site())
    try:
        s = w.session
        assert len(view.pane.results.unplaced) == 2  # no module yet
        ctl = view.recommend
        dlg = ctl.open()
        qtbot.waitUntil(lambda: ctl.result is not None, timeout=30000)
        rec = ctl.result.recommendation
        assert [(m.site_id, m.model) for m in rec.new_modules] == [("s1", "IND-120R")]
        assert rec.total_cost == pytest.approx((8000 * 120 + 100_000) / 120 + 100 * 150.0, rel=1e-9)
        assert not rec.unserved
        assert dlg.apply_btn.isEnabled()
        assert "IND-120R" in dlg.body.toPlainText() and "Vision 1" in dlg.body.toPlainText()
        n = s.undo_stack.count()
        assert ctl.apply()
        assert s.undo_stack.count() == n + 1
        mods = s.project.sites[0].hall.modules
        assert [m.catalog_model for m in mods] == ["IND-120R"]
        settle(w)
        assert not view.pane.results.unplaced
        assert set(view.pane.results.modules[mods[0].id].workload_ids) == {"w1", "w2"}
        s.undo_stack.undo()
        assert s.project.sites[0].hall.modules == []
    finally:
        _close(w)


def test_recommend_on_the_sample_shows_unserved_reasons(win, qtbot):
    w, pane = win
    ctl = w.extensions["placement"].recommend
    dlg = ctl.open()
    qtbot.waitUntil(lambda: ctl.result is not None, timeout=30000)
    assert not ctl.result.recommendation.new_modules  # the sample's modules serve everything
    assert not dlg.apply_btn.isEnabled() and "Nothing to add" in dlg.status.text()
    dlg.use_existing.setChecked(False)  # "what if the existing modules took nothing"
    qtbot.waitUntil(lambda: ctl.result is not None and not ctl.running, timeout=30000)
    rec = ctl.result.recommendation
    # Berlin's and the tower's halls are full; the core hall has room for a new AIH-1000L or an
    # ENT-400H, not both (see test_recommend_reasons)
    assert {"wl-traffic", "wl-v2x"} < set(rec.unserved) and len(rec.unserved) == 3
    text = dlg.body.toPlainText()
    assert "Still unserved" in text and "V2X hazard warning" in text
    assert "(floor space): no liquid-cooled module that could take it" in text  # the binding limit, named
    dlg.reject()
    assert w.session.undo_stack.count() == 0


def test_rows_carry_their_ids_through_sorting(win):
    w, pane = win
    t = pane.tables.tables["workload"]
    t.sortByColumn(col(pane.tables.workloads, "res.margin"), Qt.AscendingOrder)
    first = t.proxy.index(0, 0).data(ID_ROLE)
    assert first == "wl-v2x"  # smallest margin, 1.61 ms


def test_reference_cells_edit_with_a_drop_down(win):
    w, pane = win
    s = w.session
    t = pane.tables.tables["workload"]
    m = pane.tables.workloads
    idx = t.proxy.mapFromSource(cell(m, "wl-ar", "pinned_module_id"))
    delegate = t.itemDelegate()
    editor = delegate.createEditor(t.viewport(), None, idx)
    delegate.setEditorData(editor, idx)
    assert editor.currentText() == "(automatic)"
    labels = [editor.itemText(i) for i in range(editor.count())]
    assert labels == ["(automatic)", "AI-POD-1 @ Rhein-Main core AI factory", "SKID-1 @ Stuttgart body-shop node",
                      "ENT-1 @ Munich campus node", "CNT-1 @ Berlin Mitte city node", "MM-1 @ A7 tower site Kassel-Ost"]
    editor.setCurrentIndex(labels.index("MM-1 @ A7 tower site Kassel-Ost"))
    delegate.setModelData(editor, t.proxy, idx)
    assert s.doc.item("wl-ar").pinned_module_id == "twr-ks.mod1"
    editor.deleteLater()
    # a site's kind is a choice
    st = pane.tables.tables["site"]
    sidx = st.proxy.mapFromSource(cell(pane.tables.sites, "twr-ks", "kind"))
    ed = st.itemDelegate().createEditor(st.viewport(), None, sidx)
    assert [ed.itemText(i) for i in range(ed.count())] == ["core", "industrial", "enterprise", "urban",
                                                           "distributed"]
    ed.setCurrentIndex(3)
    st.itemDelegate().setModelData(ed, st.proxy, sidx)
    assert s.doc.item("twr-ks").kind == "urban"
    ed.deleteLater()


def test_numbers_show_and_parse_in_the_display_units(win):
    w, pane = win
    s = w.session
    s.set_units("US")
    m = pane.tables.workloads
    c = col(m, "it_power_kw")
    assert m.headerData(c, Qt.Horizontal) == "IT power (kW)"  # US practice: loads stay in kW
    assert float(cell(m, "wl-vision", "it_power_kw").data()) == pytest.approx(56, rel=1e-5)
    assert m.setData(cell(m, "wl-vision", "it_power_kw"), "10 kW")
    assert s.doc.item("wl-vision").it_power_kw == pytest.approx(10.0, rel=1e-9)
    lm = pane.tables.links
    assert lm.headerData(col(lm, "route_km"), Qt.Horizontal) == "Route (mi)"
    assert m.headerData(col(m, "latency_budget_ms"), Qt.Horizontal) == "Budget (ms RT)"  # time stays in ms


def test_link_length_and_round_trip_columns(win):
    w, pane = win
    lm = pane.tables.links
    # 212 km, 6 hops of 40 us: 2 x 212 x 4.9 / 1000 + 2 x 6 x 40 / 1000 = 2.5576 ms
    assert float(cell(lm, "link-str-fra", "rt").data()) == pytest.approx(2.5576, abs=5e-3)  # shown to 3 figures
    assert w.session.project.settings.fibre_us_per_km == 4.9
    # a route factor applies to the great-circle distance: Berlin's citizens, factor 2
    from designer.solvers.placement.latency import great_circle_km

    d = w.session.doc
    a, b = d.item("src-citizens").location, d.item("urb-ber").location
    want = 2.0 * great_circle_km(a.lat, a.lon, b.lat, b.lon)
    assert float(cell(lm, "link-citizens-ber", "len").data()) == pytest.approx(want, rel=1e-2)


# -- layout (issue 14) -----------------------------------------------------------------------------
@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_panel_shows_chart_axis_rows_and_table_at_common_screen_sizes(qtbot, sample, size):
    """With the panel in front, the chart shows at least 3 rows over its whole time axis, that axis
    lies in the panel where its scroll area can reach it, and the workload table shows 3 rows."""
    from PySide6.QtCore import QRect, QRectF

    from designer.app.views.placement.chart import ROW_PX

    session = Session(sample)
    w = MainWindow(session)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    view = w.extensions["placement"]
    view.dock.raise_()
    assert session.scheduler.wait_idle(60)
    qtbot.wait(50)
    try:
        pane, ch = view.pane, view.pane.chart
        scroll = view.dock.widget()
        vb = ch.plot.getPlotItem().getViewBox()
        assert vb.height() >= 3 * ROW_PX - 1  # 3 rows at the chart's row height
        ax = ch.plot.getPlotItem().getAxis("bottom")
        in_plot = ch.plot.mapFromScene(ax.mapRectToScene(QRectF(QPointF(0, 0), ax.size()))).boundingRect()
        assert ch.plot.viewport().rect().contains(in_plot)  # not cut off by the plot
        in_pane = QRect(ch.plot.mapTo(pane, in_plot.topLeft()), in_plot.size())
        assert pane.rect().contains(in_pane)  # and the panel's scroll area reaches all of the pane
        scroll.ensureWidgetVisible(ch.plot, 0, 0)
        qtbot.wait(10)
        vp = scroll.viewport()
        in_vp = QRect(ch.plot.mapTo(vp, in_plot.topLeft()), in_plot.size())
        assert vp.rect().contains(in_vp)
        t = pane.tables.tables["workload"]
        assert t.viewport().height() >= 3 * t.rowHeight(0)
        assert t.rowAt(0) == 0 and t.rowAt(3 * t.rowHeight(0) - 1) == 2
        assert pane.map.height() >= pane.map.minimumHeight() >= 100
        # the value label at the end of every bar in view ends inside the plot (a fixed share of
        # head-room cut them to "1.9" and "5.3" in the narrow column at 1280x800)
        import pyqtgraph as pg

        right = vb.mapRectToScene(vb.boundingRect()).right()
        (y0, y1) = vb.viewRange()[1]
        labels = [it for it in ch.plot.getPlotItem().items if isinstance(it, pg.TextItem) and y0 <= it.pos().y() <= y1]
        assert labels
        if size[0] >= 1920:
            assert all(it.isVisible() for it in labels)  # room for them on a wide screen
        for it in (it for it in labels if it.isVisible()):  # shown whole or not at all
            assert it.mapRectToScene(it.boundingRect()).right() <= right + 1, it.toPlainText()
    finally:
        _close(w)
