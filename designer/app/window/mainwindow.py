"""The main window: assembles docks, the plan, menus and toolbars. Behaviour lives elsewhere."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStyle,
    QToolBar,
    QUndoView,
    QVBoxLayout,
    QWidget,
)

from designer.app.docks.findings import FindingsPanel
from designer.app.docks.palette import CatalogPalette
from designer.app.docks.properties import PropertiesPanel
from designer.app.docks.sites import SitesPanel
from designer.app.lifecycle.files import FileController
from designer.app.lifecycle.guard import safely
from designer.app.plan.hintbar import HintBar
from designer.app.plan.menus import PlanMenus
from designer.app.plan.scene import LAYERS, HallScene
from designer.app.plan.view import PlanView
from designer.app.state.session import Session
from designer.app.window.actions import ActionRegistry, ActionSpec
from designer.app.window.editing import EditingController
from designer.model.base import Placed

APP_TITLE = "Data Hall Designer"


class MainWindow(QMainWindow):
    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session
        self.setObjectName("MainWindow")
        self.resize(1500, 950)
        self.scene = HallScene(session, self)
        self.view = PlanView(self.scene, session, self)
        self.hint_bar = HintBar(self.view)
        centre = QWidget(self)
        lay = QVBoxLayout(centre)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.view, 1)
        lay.addWidget(self.hint_bar)
        self.setCentralWidget(centre)
        self.files = FileController(self, session)
        self.editing = EditingController(self, session)
        self.docks: dict[str, QDockWidget] = {}
        self._sized = False
        from designer.app.window.layout import WindowLayout

        self.dock_layout = WindowLayout(self)
        self.palette = CatalogPalette(session)
        self.sites = SitesPanel(session)
        self.properties = PropertiesPanel(session)
        self.findings = FindingsPanel(session)
        self.history = QUndoView(session.undo_stack)
        self.history.setEmptyLabel("<opened>")
        self._dock("sites", "Sites", self.sites, Qt.LeftDockWidgetArea)
        self._dock("palette", "Catalog", self.palette, Qt.LeftDockWidgetArea)
        self._dock("properties", "Properties", self.properties, Qt.RightDockWidgetArea)
        self._dock("history", "History", self.history, Qt.RightDockWidgetArea)
        self._dock("findings", "Findings", self.findings, Qt.BottomDockWidgetArea)
        self.tabifyDockWidget(self.docks["properties"], self.docks["history"])
        self.docks["properties"].raise_()
        self.resizeDocks([self.docks["sites"], self.docks["palette"]], [220, 520], Qt.Vertical)
        self.resizeDocks([self.docks["sites"], self.docks["properties"]], [300, 340], Qt.Horizontal)
        self.resizeDocks([self.docks["findings"]], [190], Qt.Vertical)
        self.dock_layout.watch_bottom(self.docks["findings"])
        self.registry = ActionRegistry(self)
        self._actions()
        self._status()
        self._connect()
        from designer.app.lifecycle.recovery import RecoveryController

        self.recovery = RecoveryController(session, self)
        from designer.app.window.extensions import install_all

        self.extensions = install_all(self)
        from designer.app.window.results_mode import ResultsMode

        self.results_mode = ResultsMode(self)
        # start on the findings, with the plan getting most of the height (sized once shown)
        self.docks["findings"].raise_()
        self.update_title()

    # -- assembly --------------------------------------------------------------------------------
    def _dock(self, key: str, title: str, widget, area) -> QDockWidget:
        d = QDockWidget(title, self)
        d.setObjectName(f"dock-{key}")
        d.setWidget(widget)
        self.addDockWidget(area, d)
        self.docks[key] = d
        return d

    def add_dock(self, key: str, title: str, widget, area=Qt.BottomDockWidgetArea,
                 tabify_with: str | None = "findings") -> QDockWidget:
        """For extensions: add a dock (tabbed with ``tabify_with``) and list it under View > Panels."""
        if area in (Qt.BottomDockWidgetArea, Qt.TopDockWidgetArea):
            # tabbed docks share one height, which no panel may force on the others (the plan
            # keeps its height): a panel lower than it needs scrolls rather than squeezing its
            # plots, tables and fields over each other
            from designer.app.window.layout import PanelScroll

            widget = PanelScroll(widget, key)
        d = self._dock(key, title, widget, area)
        if area == Qt.BottomDockWidgetArea:
            # one height for the bottom area whichever tab is in front: the plan keeps its height
            self.dock_layout.watch_bottom(d)
        if tabify_with and tabify_with in self.docks and self.dockWidgetArea(self.docks[tabify_with]) == area:
            self.tabifyDockWidget(self.docks[tabify_with], d)
        panels = self.registry.menus.get("View/Panels") if hasattr(self, "registry") else None
        if panels is not None:
            panels.addAction(d.toggleViewAction())
        return d

    def reset_layout(self) -> None:
        self.dock_layout.reset()

    def add_action(self, spec: ActionSpec):
        """For extensions: an action placed in its menu (and the toolbar if asked)."""
        act = self.registry.add_later(spec)
        if spec.toolbar:
            self.toolbar.addAction(act)
        return act

    def _actions(self) -> None:
        r = self.registry
        f, e, s = self.files, self.editing, self.style()
        K = QKeySequence
        A = ActionSpec
        specs = [
            A("new", "&New", f.new, K.New, "File", True, icon=s.standardIcon(QStyle.SP_FileIcon)),
            A("open", "&Open…", f.open_dialog, K.Open, "File", True, icon=s.standardIcon(QStyle.SP_DialogOpenButton)),
            A("save", "&Save", f.save, K.Save, "File", True, icon=s.standardIcon(QStyle.SP_DialogSaveButton)),
            A("save_as", "Save &as…", f.save_as, K.SaveAs, "File"),
            A("quit", "&Quit", self.close, K.Quit, "File", separator_before=True),
            A("cut", "Cu&t", e.cut, K.Cut, "Edit", separator_before=True),
            A("copy", "&Copy", e.copy, K.Copy, "Edit"),
            A("paste", "&Paste", e.paste, K.Paste, "Edit"),
            A("duplicate", "D&uplicate", e.duplicate, "Ctrl+D", "Edit"),
            A("delete", "&Delete", e.delete, K.Delete, "Edit", extra_shortcuts=["Backspace"]),
            A("select_all", "Select &all", e.select_all, K.SelectAll, "Edit"),
            A("rotate_cw", "Rotate 90° clockwise", lambda: e.rotate(-90.0), "R", "Edit", True,
              separator_before=True),
            A("rotate_ccw", "Rotate 90° counter-clockwise", lambda: e.rotate(90.0), "Shift+R", "Edit"),
            A("rotate_each", "Rotate each 90° in place", lambda: e.rotate_each(-90.0), "Ctrl+R", "Edit",
              tip="Turn every selected item (or module) about its own centre, each staying where it is"),
            A("paste_here", "Paste &here", e.paste_here, None, "",
              tip="Paste the copied items where the menu was opened"),
            A("dimension_flip", "Flip dimension side", e.flip_dimensions, None, ""),
            A("properties", "P&roperties", self._show_properties, None, "",
              tip="Show the Properties panel for the selection"),
            A("set_rotation", "Set rotation…", e.set_rotation, "Ctrl+Shift+R", "Edit"),
        ]
        for how, text in (("left", "Left edges"), ("right", "Right edges"), ("top", "Top edges"),
                          ("bottom", "Bottom edges"), ("hcenter", "Centres (horizontal)"),
                          ("vcenter", "Centres (vertical)")):
            specs.append(A(f"align_{how}", text, lambda h=how: e.align(h), None, "Edit/Align"))
        specs += [
            A("distribute_x", "Horizontally", lambda: e.distribute("x"), None, "Edit/Distribute"),
            A("distribute_y", "Vertically", lambda: e.distribute("y"), None, "Edit/Distribute"),
            A("fit", "Zoom to &fit", lambda: self.view.fit(), "F", "View", True),
            A("zoom_in", "Zoom &in", lambda: self.view.zoom_by(1.25), K.ZoomIn, "View"),
            A("zoom_out", "Zoom &out", lambda: self.view.zoom_by(0.8), K.ZoomOut, "View"),
            A("grid", "Show &grid", self._toggle_grid, "F7", "View", checkable=True, checked=True,
              separator_before=True),
            A("snap_objects", "&Object snaps (ports, corners, edges, centres, alignment)",
              self.view.snapper.set_objects, "F3", "View", checkable=True, checked=self.view.snapper.objects,
              tip="Snap to other items' ports, corners, midpoints, centres, edges and alignments (hold Alt "
                  "to place freely)"),
            A("snap", "Grid snap step…", e.set_snap, None, "View"),
            A("legends", "&Legends on plan", self._toggle_legends, "Ctrl+L", "View", checkable=True,
              checked=True, tip="Show or hide the results legends floating over the plan"),
            A("units_us", "US customary units (°F, ft, gpm, psi; loads in kW, cooling in tons)",
              self._toggle_units, "Ctrl+U", "View", checkable=True, checked=self.session.units == "US"),
            A("reset_layout", "&Reset layout", self.reset_layout, None, "View",
              tip="Put the panels back where they were when the app was installed"),
        ]
        for i, layer in enumerate(LAYERS):
            specs.append(A(f"layer_{layer}", layer.capitalize(),
                           lambda on, name=layer: self.scene.set_layer_visible(name, on), f"Alt+{i + 1}",
                           "View/Layers", checkable=True, checked=True))
        specs += [
            A("row", "&Row of racks…", e.row_of_racks, "Ctrl+Shift+N", "Insert", True, separator_before=True),
            A("outline", "Draw hall &outline", lambda: e.draw_polygon("outline"), "O", "Insert"),
            A("corners", "Edit &corners (outline or selected polygon)", e.edit_corners, "Ctrl+E", "Insert"),
            A("obstruction", "Draw &obstruction", lambda: e.draw_polygon("obstruction", "column"), None, "Insert"),
            A("hot_aisle", "Draw &hot-aisle containment", lambda: e.draw_polygon("containment", "hot"), None,
              "Insert"),
            A("cold_aisle", "Draw &cold-aisle containment", lambda: e.draw_polygon("containment", "cold"), None,
              "Insert"),
            A("pipe_supply", "Draw &supply pipe", lambda: e.draw_pipe("supply"), "P", "Insert", True,
              separator_before=True),
            A("pipe_return", "Draw r&eturn pipe", lambda: e.draw_pipe("return"), "Shift+P", "Insert"),
            A("busway", "Draw &busway", e.draw_busway, "B", "Insert"),
            A("measure", "&Measure distance / area", e.measure, "M", "Insert", separator_before=True,
              tip="Measure along clicked or typed points; from three points on, the area they enclose"),
            A("dimension", "Add &dimension", e.dimension, "D", "Insert",
              tip="Dimension two points on the plan (saved in the file, drawn in the report and the DXF)"),
            A("feed_a", "Connect feed &A…", lambda: e.connect_feed("a"), "Ctrl+Alt+A", "Power", True),
            A("feed_b", "Connect feed &B…", lambda: e.connect_feed("b"), "Ctrl+Alt+B", "Power"),
            A("analyse", "Run analyses &now", self.session.scheduler.run_now, "F5", "Analysis"),
            A("shortcuts", "&Keyboard shortcuts", self._shortcuts, K.HelpContents, "Help"),
            A("about", "&About", self._about, None, "Help"),
        ]
        for spec in specs:
            r.add(spec)
        undo = self.session.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(K.Undo)
        redo = self.session.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcuts([K(K.Redo), K("Ctrl+Y")])
        undo.setIcon(s.standardIcon(QStyle.SP_ArrowBack))
        redo.setIcon(s.standardIcon(QStyle.SP_ArrowForward))
        r.actions["undo"], r.actions["redo"] = undo, redo
        menus = r.build_menus(self.menuBar(), ["File", "Edit", "View", "Insert", "Power", "Analysis", "Help"])
        edit = menus["Edit"]
        first = edit.actions()[0] if edit.actions() else None
        edit.insertAction(first, undo)
        edit.insertAction(first, redo)
        self.recent_menu = menus["File"].addMenu("Open &recent")
        menus["File"].insertMenu(r["save"], self.recent_menu)
        view_menu = menus["View"]
        view_menu.addSeparator()
        panels = r.menu_for("View/Panels")
        for d in self.docks.values():
            panels.addAction(d.toggleViewAction())
        tb = QToolBar("Main", self)
        self.toolbar = tb
        tb.setObjectName("toolbar-main")
        tb.setToolButtonStyle(Qt.ToolButtonTextBesideIcon)
        r.build_toolbar(tb)
        # the toolbar's Undo / Redo keep a fixed label (the menu's say what they undo): buttons
        # that grew with "Undo Rotate 1 item" pushed every button after them sideways
        for act in (undo, redo):
            tb.insertAction(r["rotate_cw"], _fixed_label(act, self))
        self.addToolBar(tb)
        self.refresh_recent_menu()

    def _status(self) -> None:
        sb = self.statusBar()
        self.cursor_label = QLabel("x –  y –")
        self.sel_label = QLabel("")
        self.analysis_label = QLabel("")
        self.zoom_label = QLabel("")
        for w in (self.sel_label, self.cursor_label, self.zoom_label, self.analysis_label):
            w.setMinimumWidth(80)
            sb.addPermanentWidget(w)

    def _connect(self) -> None:
        s = self.session
        self.view.cursor_moved.connect(lambda x, y: self.cursor_label.setText(f"x {self._len(x)}  y {self._len(y)}"))
        self.view.zoom_changed.connect(lambda _ppm: self._zoom_text())
        s.units_changed.connect(lambda _u: self._zoom_text())
        self.view.tool_changed.connect(lambda t: self.statusBar().showMessage(t.hint, 8000) if t.hint else None)
        s.scheduler.state_changed.connect(self.analysis_label.setText)
        s.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        s.selection.changed.connect(self._selection_info)
        s.changed.connect(lambda _c: self._selection_info(s.selection.ids))
        s.undo_stack.cleanChanged.connect(self._clean_changed)
        s.path_changed.connect(lambda _p: self.update_title())
        s.document_replaced.connect(self.update_title)
        s.units_changed.connect(self._units_followed)
        s.units_changed.connect(lambda _u: self._selection_info(s.selection.ids))
        s.site_changed.connect(lambda _s: self.view.fit())
        s.results_ready.connect(self._results)
        self.palette.place_requested.connect(self.editing.place_at_centre)
        self.findings.go_to.connect(self.go_to)
        self.view.context_menu = self.plan_menu = PlanMenus(self)

    # -- behaviour that is only wiring ---------------------------------------------------------
    def _clean_changed(self, _clean: bool) -> None:
        self.update_title()

    def update_title(self) -> None:
        s = self.session
        name = s.doc.path.name if s.doc.path else "untitled"
        self.setWindowTitle(f"{s.project.name} — {name}[*] — {APP_TITLE}")
        self.setWindowModified(s.modified)

    def refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        for p in self.files.recent():
            self.recent_menu.addAction(p, lambda p=p: self.files.open_path(Path(p)))
        self.recent_menu.setEnabled(bool(self.recent_menu.actions()))

    def _toggle_units(self, on: bool) -> None:
        """Display units are a view setting: no undo step, the file is not modified."""
        self.session.set_units("US" if on else "SI")

    def _units_followed(self, *_a) -> None:
        act = self.registry["units_us"]
        act.blockSignals(True)
        act.setChecked(self.session.units == "US")
        act.blockSignals(False)

    def _zoom_text(self) -> None:
        """The zoom in the display units: pixels per metre, or per foot in US units."""
        ppm = self.view.px_per_m
        text = f"{ppm * 0.3048:.1f} px/ft" if self.session.units == "US" else f"{ppm:.0f} px/m"
        self.zoom_label.setText(text)

    def _len(self, v: float) -> str:
        from designer.model.units import fmt

        return fmt(v, "length", self.session.units, 2)

    def _show_properties(self) -> None:
        d = self.docks["properties"]
        d.show()
        d.raise_()

    def _toggle_legends(self, on: bool) -> None:
        from designer.app.plan.fitting import set_legends_shown

        set_legends_shown(self.view, on)
        self.view.keys_changed()

    def _toggle_grid(self, on: bool) -> None:
        self.view.show_grid = on
        self.view.viewport().update()

    def _selection_info(self, ids) -> None:
        if not ids:
            self.sel_label.setText("")
            return
        m = self.session.doc.item(ids[0])
        if len(ids) == 1 and isinstance(m, Placed):
            self.sel_label.setText(f"{m.name or m.id}: x {self._len(m.x)} y {self._len(m.y)} · "
                                   f"{self._len(m.width_m)} × {self._len(m.depth_m)} · {m.rotation_deg:g}°")
        else:
            self.sel_label.setText(f"{len(ids)} selected")

    def _results(self, revision: int, results: dict) -> None:
        status: dict[str, str] = {}
        for r in results.values():
            for f in r.findings:
                for i in f.item_ids:
                    if status.get(i) != "error" and f.severity.value in ("error", "warning"):
                        status[i] = f.severity.value
        safely("the finding marks on the plan", self.scene.set_status, status)
        for ov in self.scene.overlays:  # one overlay's bug must not stop the others
            safely(f"the {ov.name} overlay", ov.results, revision, results)
        # no re-fit: the view never moves by itself (a fit already left the legends their room)

    def go_to(self, ids: list[str]) -> None:
        s = self.session
        site = s.doc.site_of(ids[0])
        if site is not None and site.id != s.site_id:
            s.set_site(site.id)
        s.selection.set([i for i in ids if i in self.scene.items_by_id])
        self.view.center_on_ids(ids)

    def _shortcuts(self) -> None:
        rows = []
        for spec in self.registry.specs:
            act = self.registry[spec.id]
            sc = act.shortcut().toString(QKeySequence.NativeText)
            if sc:
                rows.append(f"<tr><td>{spec.text.replace('&', '')}</td><td><b>{sc}</b></td></tr>")
        extra = ("<tr><td>Nudge selection (Shift ×10, Alt 1 cm)</td><td><b>Arrow keys</b></td></tr>"
                 "<tr><td>Pan</td><td><b>Middle drag or Space + drag</b></td></tr>"
                 "<tr><td>Cancel drag or drawing</td><td><b>Esc</b></td></tr>"
                 "<tr><td>Move without snapping</td><td><b>Alt + drag</b></td></tr>"
                 "<tr><td>Select the whole module of an item</td><td><b>Double-click</b> (or click the module's "
                 "floor)</td></tr>")
        QMessageBox.information(self, "Keyboard shortcuts", f"<table>{''.join(rows)}{extra}</table>")

    def _about(self) -> None:
        from designer import __version__

        QMessageBox.about(self, APP_TITLE, f"<b>{APP_TITLE}</b> {__version__}<br>Design modular AI data halls "
                                           "from the workload outward.<br>Works offline; files are plain JSON.")

    def showEvent(self, e) -> None:  # noqa: N802
        super().showEvent(e)
        if not self._sized:
            from designer.app.window.layout import first_bottom_height

            self.resizeDocks([self.docks["findings"]], [first_bottom_height(self.height())], Qt.Vertical)
            self.dock_layout.first_shown()
            self._sized = True

    def closeEvent(self, e) -> None:  # noqa: N802
        if not self.files.maybe_save():
            e.ignore()
            return
        self.recovery.discard()
        self.dock_layout.save()
        self.session.close()
        # A closed window is deleted, and its session with it: the lambdas its widgets connect
        # to the session's signals hold the window, and the session's connections hold those
        # lambdas, a cycle through C++ that Python's collector cannot see. Without this every
        # closed window (a study's variant windows, for one) kept its widgets, results and
        # heat maps, about 100 MB each on the sample, until the app quit.
        self.setAttribute(Qt.WA_DeleteOnClose, True)
        self.session.deleteLater()
        e.accept()


def _fixed_label(act, parent):
    """A toolbar twin of ``act`` (the undo stack's Undo or Redo) with a label that does not
    change: it triggers ``act``, follows its enabled state, and names what it would undo in
    its tooltip."""
    from PySide6.QtGui import QAction

    label = act.text().split(" ")[0]  # "&Undo", "&Redo": the stack's prefix
    twin = QAction(act.icon(), label, parent)
    twin.setObjectName(f"toolbar-{label.strip('&').lower()}")

    def follow() -> None:
        twin.setEnabled(act.isEnabled())
        twin.setToolTip(act.text().replace("&", "") + (f" ({act.shortcut().toString()})" if not act.shortcut().isEmpty() else ""))

    act.changed.connect(follow)
    twin.triggered.connect(act.trigger)
    follow()
    return twin

