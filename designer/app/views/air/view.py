"""The air-side thermal model in the window: heat-map overlay with its colour bar, the "Air"
dock, the temperature under the cursor, and a coarse answer while the user drags.

``install(window)`` wires :class:`AirView`. The overlay gets the fine results from the window
(as every overlay does); the dock follows ``session.results_ready``; :class:`AirPreview`
listens to the plan scene's drag previews and feeds the overlay and the dock coarse answers
until the fine one for the released drag arrives.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QLabel

from designer.app.lifecycle.guard import guarded
from designer.app.views.air import style as st
from designer.app.views.air.legend import AirLegend
from designer.app.views.air.overlay import AirOverlay
from designer.app.views.air.panel import AirPanel
from designer.app.views.air.preview import AirPreview
from designer.app.views.air.section import SectionWindow, row_line
from designer.app.window.actions import ActionSpec


class AirView(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        s = self.session = window.session
        self.overlay = AirOverlay(window.scene, s)
        self.legend = AirLegend(self.overlay, window.view)
        self.panel = AirPanel(lambda: s.project.settings.units)
        self.dock = window.add_dock("air", "Air", self.panel)
        self.dock.setToolTip("Air-side model: coarse-grid 3D, not CFD")
        self.preview = AirPreview(window.scene, s, self)
        self.preview.wanted = lambda: self.overlay.visible() or self.panel.isVisible()
        self.cursor_label = QLabel("")
        self.cursor_label.setObjectName("air-cursor")
        self.cursor_label.setMinimumWidth(110)
        self.cursor_label.setToolTip("Air temperature under the cursor at the heat map height (coarse-grid 3D model)")
        window.statusBar().addPermanentWidget(self.cursor_label)
        self.cursor: tuple[float, float] | None = None
        self.dirty = True
        self.last_panel_ms = 0.0
        self.map_action = window.add_action(ActionSpec(
            "air_heat_map", "Air &heat map", self._toggle_map, "Ctrl+Shift+H", menu="Analysis", checkable=True,
            checked=True, separator_before=True,
            tip="Show the air temperature field of the coarse-grid 3D model on the plan"))
        self.arrow_action = window.add_action(ActionSpec(
            "air_arrows", "Air&flow arrows", self._toggle_arrows, None, menu="Analysis", checkable=True,
            tip="Show the direction and speed of the air at the heat map's height as arrows"))
        self.section_action = window.add_action(ActionSpec(
            "air_row_section", "Air &row section…", self.open_section, "Ctrl+Shift+L", menu="Analysis",
            tip="A vertical section of the air along the front of the selected rack's row"))
        self.section: SectionWindow | None = None
        self.section_rack: str | None = None
        p = self.panel
        p.show_map.toggled.connect(self.map_action.setChecked)
        p.show_arrows.toggled.connect(self.arrow_action.setChecked)
        p.show_badges.toggled.connect(lambda on: self.overlay.set_option("show_badges", on))
        p.show_bars.toggled.connect(lambda on: self.overlay.set_option("show_bars", on))
        p.opacity.valueChanged.connect(lambda v: self.overlay.set_option("opacity", v / 100.0))
        p.scale.currentIndexChanged.connect(lambda _i: self.overlay.set_option("scale_mode", p.scale.currentData()))
        p.preview.toggled.connect(self._set_preview)
        p.map_height.valueChanged.connect(self._set_height)
        p.section_btn.clicked.connect(self.open_section)
        p.go_to.connect(window.go_to)
        self.preview.updated.connect(self._preview_result)
        self.preview.unavailable.connect(self.overlay.preview_unavailable)
        self.preview.ended.connect(self._preview_ended)
        window.scene.preview_changed.connect(self.overlay.move_with_drag)
        window.view.cursor_moved.connect(self._cursor)
        s.results_ready.connect(self.on_results)
        s.scheduler.progress_changed.connect(self._progress)
        s.site_changed.connect(lambda _s: self._refresh_all())
        s.document_replaced.connect(self._refresh_all)
        s.document_replaced.connect(self.preview.warmed.clear)
        s.changed.connect(self._changed)
        self.dock.visibilityChanged.connect(lambda vis: self.refresh_panel() if vis and self.dirty else None)
        window.installEventFilter(self)
        self.refresh_panel()

    # -- results ------------------------------------------------------------------------------
    @guarded("the air results view")
    def on_results(self, revision: int, results: dict) -> None:
        self._panel_changed()
        self._show_cursor()
        self._section_changed()
        if self.preview.wanted():
            self.preview.warm()  # the fine answer is in: build the coarse one's operators now

    @guarded("the air solve's progress")
    def _progress(self, name: str, info) -> None:
        """The march of the site on screen, live in the Convergence tab."""
        if name != "air" or not isinstance(info, dict) or info.get("site_id") != self.session.site_id:
            return
        if self.panel.isVisible() and self.overlay.preview is None:
            self.panel.convergence.show_convergence(info.get("convergence"), live=True,
                                                    site_name=str(info.get("site_name") or ""))

    def _panel_changed(self) -> None:
        self.dirty = True
        if self.panel.isVisible():
            self.refresh_panel()

    def refresh_panel(self) -> None:
        """Indices, summary and tables for the site shown (skipped while the dock is hidden)."""
        t0 = time.perf_counter()
        self.dirty = False
        data = self.overlay.data
        self.panel.show_results(self.overlay.site_air(), preview=self.overlay.preview is not None,
                                asked_cell_m=data.cell_m if data is not None else None,
                                pending=self._pending())
        if data is not None:
            self.panel.set_assumptions(data.headline, data.assumptions)
        self.last_panel_ms = (time.perf_counter() - t0) * 1000

    def _pending(self) -> bool:
        """True while the site on screen has no answer yet but the air lane is working on it."""
        data = self.overlay.data
        if data is not None:
            return self.session.site_id in data.pending
        lane = self.session.scheduler.lanes.get("air")
        return lane is not None and lane.busy

    def _refresh_all(self) -> None:
        self._panel_changed()
        self._show_cursor()
        self._section_changed()

    def _changed(self, change) -> None:
        from designer.document.document import Change

        if Change.PROJECT in change.modified:  # display units may have changed
            self.panel.rack_model.layoutChanged.emit()
            self.panel.unit_model.layoutChanged.emit()
            self._panel_changed()
            self._show_cursor()

    # -- drag preview -------------------------------------------------------------------------
    def _set_preview(self, on: bool) -> None:
        self.preview.enabled = on

    def _preview_result(self, site_air) -> None:
        self.overlay.show_preview(site_air)
        self._panel_changed()
        self._show_cursor()

    def _preview_ended(self, committed: bool) -> None:
        had = self.overlay.preview is not None
        self.overlay.end_preview(committed)
        if had and not committed:
            self._panel_changed()
            self._show_cursor()

    # -- options ------------------------------------------------------------------------------
    def _toggle_map(self, on: bool) -> None:
        self.panel.show_map.setChecked(on)
        self.overlay.set_option("show_map", on)

    def _toggle_arrows(self, on: bool) -> None:
        self.panel.show_arrows.setChecked(on)
        self.overlay.set_option("show_arrows", on)

    def _set_height(self, z: float) -> None:
        self.overlay.set_option("map_height_m", float(z))  # the legend follows (overlay listeners)
        self._show_cursor()

    # -- row section ----------------------------------------------------------------------------
    def open_section(self) -> None:
        """Show the section along the selected rack's row (the hottest rack's when no rack is
        selected) in its own window, which follows new results while it is open."""
        site = self.session.site
        if site is None:
            return
        racks = {r.id for r in site.hall.racks}
        picked = [i for i in self.session.selection.ids if i in racks]
        rid = picked[0] if picked else self._hottest_rack()
        if self.section is None:
            self.section = SectionWindow(self.window)
        self.section_rack = rid
        self._draw_section()
        self.section.show()
        self.section.raise_()
        self.section.activateWindow()

    def _hottest_rack(self) -> str | None:
        sa = self.overlay.site_air()
        site = self.session.site
        if sa is not None:
            hot = max((r for r in sa.racks.values() if r.inlet_max_c is not None), key=lambda r: r.inlet_max_c,
                      default=None)
            if hot is not None:
                return hot.rack_id
        return site.hall.racks[0].id if site is not None and site.hall.racks else None

    def _draw_section(self) -> None:
        site = self.session.site
        sa = self.overlay.site_air()
        units = self.session.project.settings.units
        if site is None or self.section_rack is None:
            self.section.show_row(site.name if site else "", sa, None, self.overlay.current_scale(sa), units)
            return
        cell = sa.field.cell_m if sa is not None and sa.field is not None else self.session.project.settings.air_cell_m
        line = row_line(site.hall, self.section_rack, cell)
        self.section.show_row(site.name or site.id, sa, line, self.overlay.current_scale(sa), units)

    def _section_changed(self) -> None:
        if self.section is not None and self.section.isVisible():
            site = self.session.site
            if site is not None and self.section_rack not in {r.id for r in site.hall.racks}:
                self.section_rack = self._hottest_rack()  # another site, or the rack was removed
            self._draw_section()

    # -- cursor ---------------------------------------------------------------------------------
    def _cursor(self, x: float, y: float) -> None:
        self.cursor = (x, y)
        self._show_cursor()

    def cursor_text(self) -> str:
        if self.cursor is None or self.overlay.heat_map() is None:
            return ""
        t = self.overlay.temperature_at(*self.cursor)
        units = self.session.project.settings.units
        if t is None:
            return "air –"
        return f"air {st.temp(t, units)} {st.temp_symbol(units)}" + (" (coarse)" if self.overlay.preview else "")

    def _show_cursor(self) -> None:
        self.cursor_label.setText(self.cursor_text())

    # -- lifetime -------------------------------------------------------------------------------
    def eventFilter(self, obj, e) -> bool:  # noqa: N802
        if obj is self.window and e.type() == QEvent.Close:
            self.preview.shutdown()  # restarted on the next drag if the close is refused
        return False


def install(window) -> AirView:
    # the pixmap cache the plan items rely on is sized in designer.app.main.make_app
    view = AirView(window)
    window.docks["air"].setAllowedAreas(Qt.AllDockWidgetAreas)
    return view
