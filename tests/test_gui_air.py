"""The air-side views in the window (pytest-qt, offscreen): heat-map overlay, inlet tabs,
cursor read-out, the "Air" dock, and the coarse preview while dragging."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QPoint, Qt  # noqa: E402
from PySide6.QtGui import QColor  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.views.air import style as st  # noqa: E402
from designer.app.views.air.preview import MAX_RATE_HZ  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.edits import SetFields  # noqa: E402
from designer.model.hall import AirUnit, Hall, Rack  # noqa: E402
from designer.model.project import Project, Settings, Site  # noqa: E402
from designer.solvers.air.results import ASSUMPTIONS  # noqa: E402

pytestmark = pytest.mark.gui


def _open(qtbot, project, site_id=None):
    session = Session(project)
    w = MainWindow(session)
    w.results_mode.set_mode("air")  # the plan shows one results view at a time
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    if site_id:
        session.set_site(site_id)
    w.view.fit()
    # the first answer of a project is the 3D air model of every site (about 20 s of CPU for
    # the five-site sample; minutes of wall time on a busy shared machine)
    assert session.scheduler.wait_idle(600)
    w.docks["air"].raise_()
    qtbot.wait(20)
    return w


def _close(w):
    w.session.undo_stack.setClean()  # no "save changes?" prompt
    w.close()
    w.session.scheduler.shutdown()


@pytest.fixture
def win(qtbot, sample):
    w = _open(qtbot, sample)
    yield w
    _close(w)


def hot_hall_project() -> Project:
    """A 5 kW rack facing a CRAH's supply (cool) and a 10 kW rack breathing the exhaust of a
    30 kW rack 1.2 m in front of it (hot): both ends of the ASHRAE bands in one small room."""
    unit = AirUnit(id="crah", name="CRAH-1", kind="crah", x=5.0, y=1.5, width_m=2.5, depth_m=0.9,
                   capacity_kw=80.0, airflow_m3s=5.0, supply_temp_c=20.0)
    racks = [Rack(id="cool", name="COOL", x=3.0, y=4.0, rotation_deg=180.0, it_load_kw=5.0),
             Rack(id="blow", name="BLOWER", x=7.5, y=3.0, rotation_deg=180.0, it_load_kw=30.0),
             Rack(id="hot", name="HOT", x=7.5, y=5.6, rotation_deg=180.0, it_load_kw=10.0)]
    hall = Hall(outline=[(0, 0), (10, 0), (10, 8), (0, 8)], racks=racks, air_units=[unit])
    return Project(settings=Settings(), sites=[Site(id="s1", name="Hot test hall", hall=hall)])


def air(w):
    return w.extensions["air"]


def site_air(w):
    return w.session.scheduler.last_results["air"].data.sites[w.session.site_id]


def pixel_at(ov, x: float, y: float) -> QColor:
    """The heat map's pixel drawn at a plan point: found through the item's scene geometry
    (not its own lookup), so a flipped or shifted image would show here."""
    r = ov.heat.sceneBoundingRect()
    img = ov.heat.image
    p = to_scene(x, y)
    i = int(math.floor((p.x() - r.left()) / r.width() * img.width()))
    j = int(math.floor((p.y() - r.top()) / r.height() * img.height()))
    assert ov.heat.pixel_of(x, y) == (i, j)
    return img.pixelColor(i, j)


# -- the heat map -------------------------------------------------------------------------------
def test_results_reach_the_overlay_as_one_image(win):
    ov = air(win).overlay
    m = site_air(win).map
    assert ov.heat is not None and ov.heat.isVisible()
    img = ov.heat.image
    assert (img.width(), img.height()) == (m.nx, m.ny)  # one pixel per cell
    # the pixmap covers the grid's extent exactly (scene y = -model y)
    r = ov.heat.sceneBoundingRect()
    x0, y0, x1, y1 = m.extent
    for got, want in ((r.left(), x0), (r.right(), x1), (r.top(), -y1), (r.bottom(), -y0)):
        assert got == pytest.approx(want, abs=1e-9)
    # every cell's pixel is its own temperature's colour (rows flipped the right way),
    # and NaN cells (racks, units, outside) are fully transparent
    scale = ov.current_scale()
    t = m.temperature_c
    assert np.isnan(t).any() and np.isfinite(t).any()
    rng = np.random.default_rng(7)
    for j, i in zip(rng.integers(0, m.ny, 300), rng.integers(0, m.nx, 300), strict=True):
        c = img.pixelColor(int(i), int(m.ny - 1 - j))
        if np.isnan(t[j, i]):
            assert c.alpha() == 0
        else:
            want = scale.color(float(t[j, i]))
            assert c.alpha() == 255
            assert max(abs(c.red() - want.red()), abs(c.green() - want.green()), abs(c.blue() - want.blue())) <= 1


def test_hot_air_is_red_and_supply_air_blue_where_the_plan_says(win):
    """Row order checked in plan coordinates: the hottest cell of the field reads red under
    its own point, the coldest blue (the map is centred on 27 degC)."""
    ov = air(win).overlay
    m = site_air(win).map
    t = np.where(np.isnan(m.temperature_c), -np.inf, m.temperature_c)
    j, i = np.unravel_index(np.argmax(t), t.shape)
    hot = pixel_at(ov, m.x0 + (i + 0.5) * m.cell_m, m.y0 + (j + 0.5) * m.cell_m)
    assert m.temperature_c[j, i] > 35 and hot.red() > 150 and hot.blue() < 100
    t = np.where(np.isnan(m.temperature_c), np.inf, m.temperature_c)
    j, i = np.unravel_index(np.argmin(t), t.shape)
    cold = pixel_at(ov, m.x0 + (i + 0.5) * m.cell_m, m.y0 + (j + 0.5) * m.cell_m)
    assert m.temperature_c[j, i] < 23 and cold.blue() > cold.red() + 60


def test_colour_bar_is_shown_with_the_ashrae_limits(win):
    legend = air(win).legend
    assert legend.isVisible()
    labels = [label for _f, label, _b in legend.ticks()]
    assert {"18", "27", "32"} <= set(labels)
    fr = {label: f for f, label, _b in legend.ticks()}
    assert fr["27"] == pytest.approx(0.5)  # the map's centre is the recommended maximum
    assert "3D model" in legend.subtitle() and "not CFD" in legend.subtitle()
    win.session.push(SetFields(None, {"settings.units": "US"}))
    assert win.session.scheduler.wait_idle(120)
    assert legend.title().endswith("(°F)")
    assert {"64", "81", "90"} <= {label for _f, label, _b in legend.ticks()}  # 18, 27, 32 degC


def test_the_legend_goes_with_what_it_explains(win):
    """The colour bar goes with the heat map (it stayed when the map was turned off), the tab
    key with the inlet tabs, the whole key with the results layer."""
    a = air(win)
    lg = a.legend
    assert lg.isVisible()
    full = lg.height()
    a.panel.show_map.setChecked(False)  # the tabs stay: only their key is left
    assert lg.isVisible() and lg.height() < full / 2 and not lg.current.bar and lg.current.tabs
    a.panel.show_badges.setChecked(False)  # nothing on the plan to explain
    assert not lg.isVisible()
    a.map_action.setChecked(True)  # the map alone: the bar, no tab key
    assert lg.isVisible() and lg.current.bar and not lg.current.tabs and lg.height() < full
    a.panel.show_badges.setChecked(True)
    assert lg.height() == full
    win.scene.set_layer_visible("results", False)
    assert not lg.isVisible()
    win.scene.set_layer_visible("results", True)
    assert lg.isVisible()


@pytest.mark.parametrize("height", [800, 700, 450])
def test_the_legend_stays_inside_the_plan_and_off_the_scale_bar(win, qtbot, height):
    """At 1280 wide with the Air panel in front the plan is short: the key (366 px, taller
    than the plan at 1280x800) covered the scale bar and ran off the plan's bottom. It now
    fits between the top margin and the scale bar, shortening its bar, or stays hidden."""
    from PySide6.QtCore import QRectF
    from PySide6.QtWidgets import QApplication

    from designer.app.plan.background import scale_bar_rect
    from designer.app.views.air.legend import BAR_H, MIN_BAR_H, MIN_TICK_PX

    win.resize(1280, height)
    win.docks["air"].show()
    win.docks["air"].raise_()
    for _ in range(5):
        QApplication.processEvents()
    v = win.view
    vp = QRectF(v.viewport().geometry())  # in the view's coordinates, as the key is
    lg = air(win).legend
    assert lg.layout(1000, 1200).bar_h == BAR_H and lg.layout(130, 1200) is None  # room; none at all
    if height == 800:
        assert lg.isVisible()  # there is room for it at 1280x800
    if not lg.isVisible():
        return
    key = QRectF(lg.geometry())
    bar = scale_bar_rect(QRectF(v.viewport().rect()), v.px_per_m, win.session.units).translated(vp.topLeft())
    assert vp.contains(key), (key, vp)
    assert not key.intersects(bar), (key, bar)
    lay = lg.current
    assert lay.bar_h >= MIN_BAR_H
    fr = sorted(f for f, _label, _b in lg.ticks(lay.bar_h))
    assert all((b - a) * lay.bar_h >= MIN_TICK_PX for a, b in zip(fr, fr[1:], strict=False))
    img = lg.grab().toImage()  # and it paints at that size
    assert img.width() == lay.width and img.height() == lay.height


def test_opacity_and_toggles(win, qtbot):
    a = air(win)
    a.panel.opacity.setValue(40)
    assert a.overlay.heat.opacity() == pytest.approx(0.4)
    a.panel.show_map.setChecked(False)
    assert not a.overlay.heat.isVisible()
    assert not a.map_action.isChecked()
    a.map_action.setChecked(True)
    assert a.overlay.heat.isVisible() and a.panel.show_map.isChecked()
    assert a.overlay.arrows is None or not a.overlay.arrows.isVisible()
    a.panel.show_arrows.setChecked(True)
    assert a.overlay.arrows.isVisible() and a.overlay.arrows.path().elementCount() > 100
    win.scene.set_layer_visible("results", False)
    assert not a.overlay.heat.isVisible() and not a.legend.isVisible()
    assert not any(b.isVisible() for b in a.overlay.badges.values())


def test_a_local_change_repaints_only_its_tile(qtbot):
    """A new field that differs in one cell repaints that cell's tile (8 x 8 cells and one of
    margin), not the hall; an identical field, or a change too small to see, repaints nothing,
    but small changes that add up are repainted."""
    from designer.app.views.air.heat import TILE, HeatMapItem

    item = HeatMapItem()
    scale = st.TemperatureScale(14.0, 27.0, 42.0)
    base = 14.0 + 80 / 255 * 2 * 13.0  # on colour index 80 exactly (about 22.2 degC)
    step = 2 * 13.0 / 255  # one colour step, K
    t = np.full((40, 64), base)
    t[:, :3] = np.nan
    full = item.set_field(t, 2.0, 1.0, 0.25, scale)
    assert (full.width(), full.height()) == (16.0, 10.0)
    assert item.set_field(t.copy(), 2.0, 1.0, 0.25, scale).isEmpty()
    t2 = t.copy()
    t2[10, 20] = 35.0  # row 10 from the bottom, column 20
    d = item.set_field(t2, 2.0, 1.0, 0.25, scale)
    assert d.width() <= (TILE + 2) * 0.25 + 1e-9 and d.height() <= (TILE + 2) * 0.25 + 1e-9
    cell = to_scene(2.0 + 20.5 * 0.25, 1.0 + 10.5 * 0.25)  # the changed cell's centre, scene
    assert d.contains(cell)
    assert item.image.pixelColor(20, 40 - 1 - 10) == scale.color(35.0)
    assert item.image.pixelColor(1, 5).alpha() == 0
    # one colour step: not repainted now (the image has it for the next repaint) ...
    t3 = t2.copy()
    t3[30, 40] += step
    assert item.set_field(t3, 2.0, 1.0, 0.25, scale).isEmpty()
    # ... but a second step on top of it is
    t4 = t3.copy()
    t4[30, 40] += step
    d = item.set_field(t4, 2.0, 1.0, 0.25, scale)
    assert d.contains(to_scene(2.0 + 40.5 * 0.25, 1.0 + 30.5 * 0.25))
    # a cell turning solid is always repainted
    t5 = t4.copy()
    t5[5, 50] = np.nan
    assert not item.set_field(t5, 2.0, 1.0, 0.25, scale).isEmpty()


# -- rack tabs and unit bars ----------------------------------------------------------------------
def _hand_made(sa, racks: dict, loads: dict):
    """``sa`` with the given racks' inlet maxima (and bands) and units' loads: the overlay's
    drawing tested apart from the physics (which has its own tests)."""
    from dataclasses import replace
    from types import MappingProxyType

    from designer.solvers.air.indices import ASHRAE_CLASSES, band

    cls = ASHRAE_CLASSES["A1"]
    rk = {rid: replace(r, inlet_max_c=racks[rid], inlet_mean_c=racks[rid] - 0.5, exhaust_c=racks[rid] + 12.0,
                       band=band(racks[rid], cls)) if rid in racks else r for rid, r in sa.racks.items()}
    un = {uid: replace(u, load_kw=loads[uid], utilisation=loads[uid] / u.capacity_kw, return_temp_c=30.0)
          if uid in loads else u for uid, u in sa.units.items()}
    return replace(sa, solved=True, racks=MappingProxyType(rk), units=MappingProxyType(un))


def _show(w, sa) -> None:
    """Hand ``sa`` to the views as the current air result (the scheduler switched off)."""
    from dataclasses import replace

    sch = w.session.scheduler
    sch.enabled = False
    results = dict(sch.last_results)
    r = results["air"]
    data = replace(r.data, sites={**r.data.sites, sa.site_id: sa})
    results["air"] = replace(r, data=data)
    sch.last_results = results
    w.session.results_ready.emit(w.session.doc.revision, results)


def test_a_hall_with_no_steady_state_shows_no_temperatures(qtbot, monkeypatch):
    """No steady state (here: a march cut to 5 steps): an error finding, "–" on every tab,
    no heat map, and the dock says why; the units' loads are absent, not 0."""
    import functools

    import designer.analysis.air as air_analysis
    from designer.solvers.air import AirParams

    monkeypatch.setattr(air_analysis, "AirParams", functools.partial(AirParams, max_iter=5))
    w = _open(qtbot, hot_hall_project())
    try:
        ov = air(w).overlay
        sa = site_air(w)
        assert not sa.solved and sa.map is None
        codes = [f.code for f in w.session.scheduler.last_results["air"].findings]
        assert "air.not_converged" in codes
        assert {b.text for b in ov.badges.values()} == {"–"}
        assert "no steady state" in ov.badges["hot"].toolTip()
        assert not ov.heat.isVisible() if ov.heat is not None else True
        panel = air(w).panel
        assert "did not reach a steady state" in panel.summary.text()
        assert all(row[2] is None for row in panel.rack_model.rows)
        assert ov.bars["crah"].detail.startswith("–")
        # the Convergence tab shows the 5 steps, and that they did not settle
        assert panel.convergence.info.text().startswith("<b>Not steady</b> after 5 steps from rest")
        assert len(panel.convergence.u_curve.getData()[0]) == 5
    finally:
        _close(w)


def test_convergence_caption_says_not_steady_when_a_settled_flow_has_no_answer():
    """Heat past every running unit's capacity: the flow settles, the room only warms up, so
    there is no answer; the caption must not say 'steady'."""
    from designer.app.views.air.convergence import caption
    from designer.solvers.air.flow import Convergence

    conv = Convergence(np.array([1.0, 5e-5]), np.array([0.1, 5e-4]), 1e-4, 1e-3, (40,), "previous field", True)
    assert caption(conv, False) == "steady after 2 steps from the previous answer, step halved after 40"
    text = caption(conv, False, failure="120.0 kW goes to the air, the running units can remove 80.0 kW")
    assert text.startswith("<b>Not steady</b> after 2 steps") and "can remove 80.0 kW" in text
    assert caption(conv, True, "Hall 1").startswith("<b>Solving</b> Hall 1: step 2")
    assert caption(None, False).startswith("No march")


def test_inlet_tabs_coloured_by_band_on_a_hand_made_hot_rack(qtbot, monkeypatch):
    import functools

    import designer.analysis.air as air_analysis
    from designer.solvers.air import AirParams

    monkeypatch.setattr(air_analysis, "AirParams", functools.partial(AirParams, max_iter=5))  # quick
    w = _open(qtbot, hot_hall_project())
    try:
        ov = air(w).overlay
        sa = _hand_made(site_air(w), {"hot": 34.2, "cool": 21.5, "blow": 26.0}, {"crah": 45.0})
        _show(w, sa)
        assert sa.racks["hot"].band == "above_allowable" and sa.racks["cool"].band == "recommended"
        assert set(ov.badges) == {"cool", "blow", "hot"}
        for rid, b in ov.badges.items():
            r = sa.racks[rid]
            assert b.fill == st.BAND_COLORS[r.band]
            assert b.text == f"{r.inlet_max_c:.1f}"
        assert ov.badges["hot"].fill == QColor("#d62d20") and ov.badges["cool"].fill == QColor("#2a9d3c")
        # the tab sits outside the hot rack's front face (front faces -y: just below it)
        rack = w.session.doc.item("hot")
        br = ov.badges["hot"].sceneBoundingRect()
        assert -br.top() < rack.y - rack.depth_m / 2 + 0.05 and -br.bottom() > rack.y - rack.depth_m / 2 - 0.35
        assert "above the allowable range" in ov.badges["hot"].toolTip()
        # US units: the same tab in degF
        w.session.push(SetFields(None, {"settings.units": "US"}))
        _show(w, sa)
        assert ov.badges["hot"].text == f"{sa.racks['hot'].inlet_max_c * 1.8 + 32:.1f}"
        # the unit's load bar: load against capacity
        bar = ov.bars["crah"]
        u = sa.units["crah"]
        assert bar.fraction == pytest.approx(u.load_kw / 80.0)
        assert bar.detail == f"{u.load_kw * 0.284345:,.1f} / {80 * 0.284345:,.1f} tons"
    finally:
        _close(w)


def test_unit_bars_keep_clear_of_equipment(win):
    """The bars of the core hall's units cover no rack, unit, CDU or power cabinet."""
    from designer.app.views.air.layout import obstacles

    ov = air(win).overlay
    hall = win.session.site.hall
    obs = obstacles(hall)
    assert set(ov.bars) == {u.id for u in hall.air_units}
    for bar in ov.bars.values():
        r = bar.sceneBoundingRect().adjusted(0.02, 0.02, -0.02, -0.02)
        x0, x1, y0, y1 = r.left(), r.right(), -r.bottom(), -r.top()
        hit = (x0 < obs[:, 2]) & (x1 > obs[:, 0]) & (y0 < obs[:, 3]) & (y1 > obs[:, 1])
        assert not hit.any(), bar.unit_id


# -- cursor ----------------------------------------------------------------------------------------
def test_temperature_under_the_cursor(win):
    a = air(win)
    m = site_air(win).map
    t = np.where(np.isnan(m.temperature_c), -np.inf, m.temperature_c)
    j, i = np.unravel_index(np.argmax(t), t.shape)
    x, y = m.x0 + (i + 0.5) * m.cell_m, m.y0 + (j + 0.5) * m.cell_m
    win.view.cursor_moved.emit(x, y)
    assert a.cursor_label.text() == f"air {m.temperature_c[j, i]:.1f} °C"
    rack = win.session.site.hall.racks[0]  # inside a rack: a solid, no air temperature
    win.view.cursor_moved.emit(rack.x, rack.y)
    assert a.cursor_label.text() == "air –"
    win.view.cursor_moved.emit(-50.0, -50.0)  # off the grid
    assert a.cursor_label.text() == "air –"
    win.session.push(SetFields(None, {"settings.units": "US"}))
    assert win.session.scheduler.wait_idle(120)
    win.view.cursor_moved.emit(x, y)
    assert a.cursor_label.text() == f"air {m.temperature_c[j, i] * 1.8 + 32:.1f} °F"


# -- the dock --------------------------------------------------------------------------------------
def test_dock_lists_racks_hottest_first_and_a_click_selects_the_rack(win, qtbot):
    p = air(win).panel
    sa = site_air(win)
    model = p.rack_model
    assert model.rowCount() == len(sa.racks)
    maxima = [row[2] for row in model.rows if row[2] is not None]
    assert maxima == sorted(maxima, reverse=True)
    # racks with no air through them have no inlet: "–" last, with the reason in the band column
    blank = model.rows[len(maxima):]
    assert all(row[2] is None for row in blank)
    band_col = [c.kind for c in model.columns].index("band")
    for i in range(len(maxima), model.rowCount()):
        assert model.data(model.index(i, 1)) == "–"
        assert model.data(model.index(i, band_col)) in ("no airflow", "blocked", "no steady state")
        assert model.data(model.index(i, 1), Qt.ToolTipRole)
    assert all(sa.racks[row[0]].airflow_m3s <= 0 for row in blank)
    hottest = max((r for r in sa.racks.values() if r.airflow_m3s > 0), key=lambda r: r.inlet_max_c)
    assert model.rows[0][0] == hottest.rack_id
    assert p.cards["RCI_HI"].value.text() == f"{sa.indices.rci_hi:.0f} %"
    assert p.cards["RCI_HI"].grade.text() in ("good", "acceptable", "poor")
    assert p.unit_model.rowCount() == len(sa.units)
    view = p.racks
    idx = model.index(2, 0)
    rid = model.rows[2][0]
    qtbot.mouseClick(view.viewport(), Qt.LeftButton, pos=view.visualRect(idx).center())
    assert win.session.selection.ids == [rid]
    # a rack of another site: the window switches site
    ent = air(win).overlay.data.sites["ent-muc"]
    other = next(iter(ent.racks))
    p.go_to.emit([other])
    assert win.session.site_id == "ent-muc" and win.session.selection.ids == [other]
    assert model.rowCount() == len(ent.racks)  # the dock follows the site


def test_dock_says_when_the_grid_was_coarsened_and_which_units_are_off():
    from types import SimpleNamespace

    from designer.app.views.air.panel import summary_html
    from designer.app.views.air.tables import unit_rows
    from designer.solvers.air.results import UnitAir

    off = UnitAir("u1", "CRAH-1", "crah", 100.0, 0.0, 0.0, 0.0, 20.0, None, running=False, set_point_c=20.0)
    on = UnitAir("u2", "CRAH-2", "crah", 100.0, 40.0, 0.4, 3.0, 20.0, 31.0, running=True, set_point_c=20.0)
    rows = {r[0]: r for r in unit_rows(SimpleNamespace(units={"u1": off, "u2": on}))}
    assert rows["u1"][2] == "CRAH (off)" and rows["u1"][3] is None and rows["u1"][5] is None
    assert rows["u2"][2] == "CRAH" and rows["u2"][3] == 40.0
    # the sample's core hall is solved on coarser cells than asked: the summary says so
    from designer.analysis.air import AirAnalysis
    from designer.model.hall import AirUnit, Hall, Rack
    from designer.model.project import Project, Settings, Site

    hall = Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)], height_m=3.0,
                racks=[Rack(id="r", name="R", x=4.0, y=2.0, it_load_kw=5.0)],
                air_units=[AirUnit(id="c", name="C", x=0.4, y=3.2, rotation_deg=270, width_m=2.0, depth_m=0.8,
                                   height_m=2.0, capacity_kw=50.0, airflow_m3s=2.0, supply_temp_c=20.0)])
    p = Project(settings=Settings(air_cell_m=0.25), sites=[Site(id="s", name="S", hall=hall)])
    res = AirAnalysis(max_cells=1500).run(p, 0, {})
    sa = res.data.sites["s"]
    assert sa.solved and sa.map.cell_m > 0.25
    assert "coarsened from the 0.25 m asked" in summary_html(sa, "SI", False, res.data.cell_m)
    assert "coarsened" not in summary_html(sa, "SI", True, res.data.cell_m)  # a preview says it is coarse


def test_the_ui_says_it_is_a_coarse_3d_model_not_cfd(win, qtbot):
    p = air(win).panel
    assert p.banner.isVisible()
    assert p.banner.text().startswith("⚠ Coarse-grid 3D model, not CFD")
    tip = p.banner.toolTip()
    for a in ASSUMPTIONS:
        assert a.replace("'", "&#x27;").replace('"', "&quot;")[:40] in tip
    assert not p.assumptions.isVisible()
    p.more.click()
    assert p.assumptions.isVisible()
    assert p.assumptions.text().count("<li>") == len(ASSUMPTIONS)
    assert "3d, not cfd" in air(win).dock.toolTip().lower()


def test_a_new_empty_project_clears_the_views(win):
    from designer.app.state.session import new_project

    a = air(win)
    win.session.replace_project(new_project(), None)
    assert win.session.scheduler.wait_idle(60)
    assert a.overlay.site_air() is None
    assert not a.overlay.items and not a.overlay.badges
    assert not a.legend.isVisible()
    assert a.panel.rack_model.rowCount() == 0 and a.panel.cards["RCI_HI"].value.text() == "–"
    win.view.cursor_moved.emit(1.0, 1.0)
    assert a.cursor_label.text() == ""


# -- the coarse preview while dragging -------------------------------------------------------------
def _drag(win, qtbot, rack_id: str, steps: int, dt_ms: int, release=True, dx_px=6, dy_px=0):
    vp = win.view.viewport()
    r = win.session.doc.item(rack_id)
    start = win.view.mapFromScene(to_scene(r.x, r.y))
    qtbot.mousePress(vp, Qt.LeftButton, pos=start)
    end = start
    for k in range(1, steps + 1):
        end = start + QPoint(dx_px * k, dy_px * k)
        qtbot.mouseMove(vp, end)
        qtbot.wait(dt_ms)
    if release:
        qtbot.mouseRelease(vp, Qt.LeftButton, pos=end)
    return end


def test_coarse_preview_runs_while_dragging_and_stops_on_release(win, qtbot):
    a = air(win)
    pv, ov = a.preview, a.overlay
    rid = next(r.id for r in win.session.site.hall.racks if r.name == "R12")  # an air-cooled services rack
    fine_cell = site_air(win).map.cell_m
    # the 3D model coarsens large halls (and says so); the preview is never finer
    assert fine_cell >= 0.25
    rev0 = win.session.doc.revision
    t0 = time.perf_counter()
    end = _drag(win, qtbot, rid, steps=40, dt_ms=25, release=False)  # ~1 s of moves at 40 Hz
    elapsed = time.perf_counter() - t0
    qtbot.waitUntil(lambda: ov.preview is not None, timeout=60000)  # after the warm-up's last run
    assert win.session.doc.revision == rev0  # the document is untouched while dragging
    assert pv.active and pv.runs >= 1
    assert pv.runs <= elapsed * MAX_RATE_HZ + 1  # throttled
    m = ov.heat_map()
    assert m.cell_m == pytest.approx(max(0.5, fine_cell))
    assert (ov.heat.image.width(), ov.heat.image.height()) == (m.nx, m.ny)
    assert "coarse" in a.legend.subtitle()
    # the read-out under the cursor says the value is coarse (read at a point of open floor:
    # the cursor itself sits on the dragged rack, solid in the map wherever the preview has it)
    r = win.session.doc.item(rid)
    nx, ny = r.front_normal()
    a.cursor = (r.x + nx * 1.5, r.y + ny * 1.5)
    assert "(coarse)" in a.cursor_text()
    # the coarse answer is for the previewed position: the dragged rack's tab went with it
    assert ov.offsets.get(rid, (0, 0))[0] > 0
    qtbot.mouseRelease(win.view.viewport(), Qt.LeftButton, pos=end)
    assert not pv.active
    runs = pv.runs
    assert win.session.scheduler.wait_idle(120)
    qtbot.wait(400)
    assert pv.runs == runs  # nothing more after the release
    assert ov.preview is None  # the fine answer replaced it
    assert ov.heat_map().cell_m == pytest.approx(fine_cell)
    assert win.session.doc.revision == rev0 + 1


def test_the_preview_settles_while_the_pointer_rests(win, qtbot):
    """Held still mid-drag, the preview marches on at that position, preview after preview
    (each shown), until its march is steady; the legend says which it is. Each preview is a
    short march (about :data:`CHUNK_S` of worker time), so the heat map follows the drag."""
    from designer.app.views.air.preview import CHUNK_S, MIN_CHUNK, PREVIEW_ITER, WARM_CHUNK

    a = air(win)
    pv, ov = a.preview, a.overlay
    qtbot.waitUntil(lambda: pv.warming is None and not pv.busy, timeout=120000)  # the warm-up is over
    assert pv.step_s > 0 and pv.warm_steps > WARM_CHUNK  # it marched on past its first run
    rid = next(r.id for r in win.session.site.hall.racks if r.name == "R13")
    shown = []
    pv.updated.connect(lambda sa: shown.append(sa))
    _drag(win, qtbot, rid, steps=6, dt_ms=30, release=False, dx_px=2)
    qtbot.waitUntil(lambda: pv.settled, timeout=120000)
    assert ov.preview is shown[-1] and ov.preview.stats["settled"]
    assert "(settled)" in a.legend.subtitle()
    from designer.app.views.air.panel import summary_html

    assert "coarse preview while dragging, settled" in summary_html(ov.preview, "SI", True)  # the dock
    at_rest = [sa for sa in shown if sa.stats.get("iterations")]
    assert len(at_rest) >= 3  # several previews, each shown
    assert all(not sa.stats["settled"] for sa in at_rest[:-1])
    assert "coarse preview while dragging, settling" in summary_html(at_rest[0], "SI", True)
    # each marched its chunk (the settled one may have stopped sooner, at its tolerances)
    assert all(MIN_CHUNK <= sa.stats["iterations"] <= PREVIEW_ITER for sa in at_rest[:-1])
    assert 1 <= at_rest[-1].stats["iterations"] <= PREVIEW_ITER
    assert pv.steps_here >= sum(sa.stats["iterations"] for sa in at_rest[-2:])
    assert pv.chunk() == max(MIN_CHUNK, min(PREVIEW_ITER, round(CHUNK_S / pv.step_s)))
    runs = pv.runs
    qtbot.wait(500)
    assert pv.runs == runs  # settled: nothing more while the pointer still rests
    qtbot.mouseRelease(win.view.viewport(), Qt.LeftButton)
    assert win.session.scheduler.wait_idle(120)


def test_escape_drops_the_preview_at_once(win, qtbot):
    a = air(win)
    ov = a.overlay
    rid = next(r.id for r in win.session.site.hall.racks if r.name == "R13")
    fine = ov.heat_map()
    # 2 px a move: the rack stays clear of its neighbours (a position the coarse grid cannot
    # resolve gets no preview, and the last position may be the only one previewed)
    _drag(win, qtbot, rid, steps=12, dt_ms=30, release=False, dx_px=2)
    qtbot.waitUntil(lambda: ov.preview is not None, timeout=60000)  # after the warm-up's last run
    qtbot.keyClick(win.view.viewport(), Qt.Key_Escape)
    assert not a.preview.active
    assert ov.preview is None and ov.heat_map() is fine  # back to the fine answer, unchanged
    assert not ov.offsets
    qtbot.mouseRelease(win.view.viewport(), Qt.LeftButton)
    assert win.session.undo_stack.count() == 0


def test_preview_project_moves_only_the_dragged_items(win):
    from designer.app.views.air.preview import preview_project

    s = win.session
    hall = s.site.hall
    rid, uid = hall.racks[0].id, hall.air_units[0].id
    p = preview_project(s, [rid, uid], 1.5, -0.5)
    h2 = p.sites[0].hall
    assert len(p.sites) == 1 and p.sites[0].id == s.site_id
    assert (h2.racks[0].x, h2.racks[0].y) == (hall.racks[0].x + 1.5, hall.racks[0].y - 0.5)
    assert (h2.air_units[0].x, h2.air_units[0].y) == (hall.air_units[0].x + 1.5, hall.air_units[0].y - 0.5)
    assert h2.racks[1] is hall.racks[1]  # the rest is shared, not copied
    assert hall.racks[0].x != h2.racks[0].x  # the document is untouched
    assert h2.racks is not hall.racks and h2.power.transformers is not hall.power.transformers


# -- heat map height and row section (issue 13, item 4) ----------------------------------------
def test_row_line_is_the_row_in_front_of_the_rack():
    """The section runs half a cell in front of the row's faces, from just before its first rack
    to just past its last; a rack past a cross aisle or facing the other way is not in the row."""
    from designer.app.views.air.section import END_M, row_line

    row = [Rack(id=f"a{i}", name=f"A{i}", x=1.0 + 0.6 * i, y=3.0, rotation_deg=0.0) for i in range(4)]
    far = Rack(id="far", name="FAR", x=1.0 + 0.6 * 3 + 2.5, y=3.0, rotation_deg=0.0)  # 1.9 m gap
    back = Rack(id="back", name="BACK", x=1.6, y=5.0, rotation_deg=180.0)
    hall = Hall(outline=[(0, 0), (10, 0), (10, 8), (0, 8)], racks=[*row, far, back])
    line = row_line(hall, "a2", 0.25)
    d = row[0].depth_m
    assert [r.rack_id for r in line.racks] == ["a0", "a1", "a2", "a3"]
    assert line.start[1] == pytest.approx(3.0 + d / 2 + 0.125) and line.end[1] == pytest.approx(line.start[1])
    w = row[0].width_m
    assert line.start[0] == pytest.approx(1.0 - w / 2 - END_M) and line.end[0] == pytest.approx(2.8 + w / 2 + END_M)
    assert line.racks[0].s0 == pytest.approx(END_M) and line.racks[-1].s1 == pytest.approx(2.8 - 1.0 + w + END_M)
    assert [r.rack_id for r in row_line(hall, "far", 0.25).racks] == ["far"]
    assert [r.rack_id for r in row_line(hall, "back", 0.25).racks] == ["back"]
    assert row_line(hall, "nope", 0.25) is None


def _aisle_project() -> Project:
    """Two rows of four 6 kW racks around a cold aisle, a CRAH at each end (converges in a
    second or two)."""
    racks = [Rack(id=f"a{k}", name=f"A{k}", x=2.8 + 0.8 * k, y=2.0, rotation_deg=0, it_load_kw=6.0) for k in range(4)]
    racks += [Rack(id=f"b{k}", name=f"B{k}", x=2.8 + 0.8 * k, y=4.4, rotation_deg=180, it_load_kw=6.0)
              for k in range(4)]
    units = [AirUnit(id=f"c{i}", name=f"CRAH{i}", x=x, y=3.2, rotation_deg=rot, width_m=2.0, depth_m=0.8,
                     height_m=2.0, capacity_kw=100.0, airflow_m3s=3.0, supply_temp_c=20.0)
             for i, x, rot in ((1, 0.4, 270), (2, 7.6, 90))]
    hall = Hall(outline=[(0, 0), (8, 0), (8, 6.4), (0, 6.4)], height_m=3.0, racks=racks, air_units=units)
    return Project(settings=Settings(air_cell_m=0.25), sites=[Site(id="s1", name="Aisle hall", hall=hall)])


def test_heat_map_height_and_row_section_show_the_3d_field(qtbot):
    """The heat map can be any height (the legend says which, the cursor reads that slice), and
    the row section is the model's field in front of the row, racks and colours as on the plan,
    following new results while it is open."""
    from designer.app.views.air.section import section_rgba

    w = _open(qtbot, _aisle_project(), "s1")
    try:
        a = air(w)
        sa = site_air(w)
        assert sa.solved
        assert a.overlay.heat_map() is sa.map and "at 1.2 m" in a.legend.subtitle()
        a.panel.map_height.setValue(2.4)
        m = a.overlay.heat_map()
        assert m.z_m == pytest.approx(2.4) and "at 2.4 m" in a.legend.subtitle()
        k = sa.field.layer(2.4)
        assert np.array_equal(m.temperature_c, sa.field.temperature_c[k], equal_nan=True)
        assert a.overlay.temperature_at(4.0, 3.2) == pytest.approx(sa.field.heat_map(2.4).at(4.0, 3.2))
        assert "air" in a.cursor_text() or a.cursor is None
        a.panel.map_height.setValue(1.2)
        assert a.overlay.heat_map() is sa.map
        # the section of A1's row: A0-A3, their field, the plan's colours
        w.session.selection.set(["a1"])
        a.panel.section_btn.click()
        sec = a.section
        assert sec.isVisible() and "Row A0–A3" in sec.title.text() and "not CFD" in sec.title.text()
        line = sec.line
        assert [r.rack_id for r in line.racks] == ["a0", "a1", "a2", "a3"]
        ref = sa.field.section(line.start, line.end)
        assert np.array_equal(sec.sec.temperature_c, ref.temperature_c, equal_nan=True)
        mid = 0.5 * (line.racks[1].s0 + line.racks[1].s1)
        kk, i = sa.field.layer(1.0), int(round(mid / (ref.s_m[1] - ref.s_m[0])))
        v = sec.value_at(mid, 1.0)
        assert v is not None and v == pytest.approx(ref.temperature_c[kk, i])
        assert 20.0 - 1e-6 <= v <= sa.racks["a1"].exhaust_c
        from PySide6.QtCore import QPointF

        sec._hover((sec.plot.getViewBox().mapViewToScene(QPointF(mid, 1.0)),))  # the pointer's readout
        assert sec.readout.text().endswith(f": {st.temp(v, 'metric')} °C"), sec.readout.text()
        c = a.overlay.current_scale().color(v)
        assert tuple(int(x) for x in section_rgba(ref.temperature_c, a.overlay.current_scale())[kk, i][:3]) == \
            (c.red(), c.green(), c.blue())
        # no rack selected: the hottest rack's row
        w.session.selection.clear()
        a.open_section()
        hot = max(sa.racks.values(), key=lambda r: r.inlet_max_c)
        assert hot.rack_id in [r.rack_id for r in sec.line.racks]
        # new results follow: colder supply air redraws the open section
        before = sec.value_at(mid, 1.0)
        w.session.push(SetFields("c1", {"supply_temp_c": 14.0}))
        w.session.push(SetFields("c2", {"supply_temp_c": 14.0}))
        assert w.session.scheduler.wait_idle(600)
        qtbot.wait(20)
        assert sec.value_at(mid, 1.0) < before - 2.0
        sec.close()
    finally:
        _close(w)


def test_the_site_shown_gets_its_air_first_and_the_panel_says_which_is_still_solving(qtbot, monkeypatch):
    """The air lane solves the site on screen first and hands its answer over at once; a site
    still solving says so in the dock (not "no racks"), and its answer follows."""
    from designer.solvers.air import engine
    from designer.solvers.air.engine import clear_memo

    clear_memo()  # real solves, not answers kept from another test
    # progress after every step: these halls solve in under the app's 0.25 s between reports
    # once the process is warm, and the test must see the march drawn while it runs
    monkeypatch.setattr(engine, "PROGRESS_EVERY_S", 0.0)
    hall = _aisle_project().sites[0].hall
    sites = []
    for i, kw in ((1, 5.0), (2, 7.0)):
        h = hall.model_copy(deep=True)
        for r in h.racks:
            r.it_load_kw = kw
        for item in (*h.racks, *h.air_units):
            item.id = f"s{i}-{item.id}"  # ids are unique over the project
        sites.append(Site(id=f"s{i}", name=f"Hall {i}", hall=h))
    session = Session(Project(settings=Settings(air_cell_m=0.4), sites=sites))
    session.set_site("s2")  # before the first run (the scheduler waits 120 ms after an edit)
    w = MainWindow(session)
    w.results_mode.set_mode("air")
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    w.docks["air"].raise_()
    seen = []

    def on_results(_rev, results):
        a = results.get("air")
        if a is None or a.data is None:
            return
        seen.append((tuple(a.data.sites), a.data.pending, session.scheduler.busy))
        if a.data.pending == ("s1",) and session.site_id == "s2":
            seen.append(air(w).panel.summary.text())  # s2's answer, on screen
            session.set_site("s1")  # look at the site still solving
            seen.append(air(w).panel.summary.text())

    live = []

    def on_progress(name, info):
        plot = air(w).panel.convergence
        live.append((name, info["site_id"], plot.live, plot.info.text(), len(plot.u_curve.getData()[0])))

    session.scheduler.progress_changed.connect(on_progress)
    session.results_ready.connect(on_results)
    try:
        assert session.scheduler.wait_idle(300)
        # the march of the site on screen is drawn while it runs (the Convergence tab)
        s2_live = [x for x in live if x[1] == "s2"]
        assert s2_live and all(x[0] == "air" and x[2] and "Solving" in x[3] and "Hall 2" in x[3]
                               for x in s2_live)
        assert s2_live[-1][4] >= s2_live[0][4] >= 1
        assert seen[0] == (("s2",), ("s1",), True)  # the site shown first, while the lane works
        assert seen[1].startswith("ASHRAE A1") and "Hottest inlet" in seen[1]
        assert "Solving" in seen[2] and "this site" in seen[2]
        assert seen[-1] == (("s1", "s2"), (), False)  # then every site, nothing pending
        assert "Solving" not in air(w).panel.summary.text()
        assert air(w).overlay.heat_map() is not None  # s1's heat map, now it is in
        plot, s1 = air(w).panel.convergence, site_air(w)
        n = s1.stats["iterations"]
        assert not plot.live and plot.info.text() == f"steady after {n} steps from rest"
        assert len(plot.u_curve.getData()[0]) == n == s1.convergence.steps
        assert "air analysing" not in w.analysis_label.text()
    finally:
        _close(w)


def test_a_hall_the_preview_cannot_resolve_keeps_its_full_answer_while_dragging(qtbot):
    """Racks 0.8 m from the wall need cells of at most 0.4 m: the full answer (0.25 m) has them,
    the 0.5 m preview cannot. Dragging shows no 'no answer' in place of the full heat map, and
    says once why there is no preview."""
    p = _aisle_project()
    for r in p.sites[0].hall.racks:
        if r.id.startswith("a"):
            r.y = 1.4  # its back 0.8 m from the wall
    w = _open(qtbot, p, "s1")
    try:
        a = air(w)
        pv, ov = a.preview, a.overlay
        fine = ov.heat_map()
        assert fine is not None and fine.cell_m == pytest.approx(0.25)
        _drag(w, qtbot, "b1", steps=10, dt_ms=30, release=False)
        qtbot.waitUntil(lambda: pv.runs >= 1 and not pv.busy and pv.said_unavailable, timeout=60000)
        assert ov.preview is None and ov.heat_map() is fine  # the full answer stays
        assert "0.5 m air cells cannot resolve" in ov.no_preview
        assert a.legend.subtitle().startswith("before this drag (no\ncoarse preview here)")
        qtbot.mouseRelease(w.view.viewport(), Qt.LeftButton)
        assert ov.no_preview == "" and "before this drag" not in a.legend.subtitle()
        assert w.session.scheduler.wait_idle(300)
        assert ov.heat_map() is not None and ov.heat_map().cell_m == pytest.approx(0.25)
    finally:
        _close(w)


def test_the_drag_preview_of_a_200_rack_hall_solves_at_the_cells_its_racks_need():
    """The preview's analysis as the app builds it: the generated 200-rack hall, whose 1.2 m
    aisles need 0.6 m cells where the preview's budget would give 0.7 m, is previewed at 0.6 m
    (it had no preview); the 1,000-rack hall, which would need 107,000 cells, still has none."""
    from designer.analysis.air import AirAnalysis
    from designer.app.views.air.preview import PREVIEW_CELL_M, PREVIEW_ITER, PREVIEW_MAX_CELLS_RESOLVED
    from designer.io.generate import generate_project
    from designer.solvers.air.engine import AirParams

    def preview(n):
        a = AirAnalysis(cell_m=PREVIEW_CELL_M, params=AirParams(cell_m=PREVIEW_CELL_M, preview=True,
                                                                max_iter=PREVIEW_ITER),
                        max_cells_resolved=PREVIEW_MAX_CELLS_RESOLVED)
        res = a.run(generate_project(n), 1, {})
        assert res.error is None
        return next(iter(res.data.sites.values()))

    s = preview(200)
    assert s.solved and s.map is not None and s.map.cell_m == pytest.approx(0.6)
    assert s.stats["iterations"] == PREVIEW_ITER and s.stats.get("preview")
    assert all(r.inlet_mean_c is not None for r in s.racks.values())
    big = preview(1000)
    assert not big.solved and "cannot resolve" in big.stats["refused"]
