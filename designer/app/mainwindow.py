"""The main window: assembles docks, the plan, menus and toolbars. Behaviour lives elsewhere."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow, QMessageBox, QStyle, QToolBar, QUndoView

from designer.app.actions import ActionRegistry, ActionSpec
from designer.app.docks.findings import FindingsPanel
from designer.app.docks.palette import CatalogPalette
from designer.app.docks.properties import PropertiesPanel
from designer.app.docks.sites import SitesPanel
from designer.app.editing import EditingController
from designer.app.files import FileController
from designer.app.plan.scene import LAYERS, HallScene
from designer.app.plan.view import PlanView
from designer.app.session import Session
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
        self.setCentralWidget(self.view)
        self.files = FileController(self, session)
        self.editing = EditingController(self, session)
        self.docks: dict[str, QDockWidget] = {}
        self._sized = False
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
        self.registry = ActionRegistry(self)
        self._actions()
        self._status()
        self._connect()
        from designer.app.recovery import RecoveryController

        self.recovery = RecoveryController(session, self)
        from designer.app.extensions import install_all

        self.extensions = install_all(self)
        from designer.app.results_mode import ResultsMode

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
            # tabbed docks share one height: a tall panel must not force it on the others
            widget.setMinimumHeight(120)
        d = self._dock(key, title, widget, area)
        if area == Qt.BottomDockWidgetArea:
            # a results panel brought to the front gets room to show its plots and tables
            d.visibilityChanged.connect(lambda vis, d=d: self._grow_bottom(d) if vis else None)
        if tabify_with and tabify_with in self.docks and self.dockWidgetArea(self.docks[tabify_with]) == area:
            self.tabifyDockWidget(self.docks[tabify_with], d)
        panels = self.registry.menus.get("View/Panels") if hasattr(self, "registry") else None
        if panels is not None:
            panels.addAction(d.toggleViewAction())
        return d

    def _grow_bottom(self, d: QDockWidget) -> None:
        want = int(self.height() * 0.38)
        if self._sized and d.height() < want:
            self.resizeDocks([d], [want], Qt.Vertical)

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
            A("grid", "Show &grid", self._toggle_grid, None, "View", checkable=True, checked=True,
              separator_before=True),
            A("snap", "Snap step…", e.set_snap, None, "View"),
            A("units_us", "US customary units (°F, ft, gpm, BTU/h, psi)", self._toggle_units, "Ctrl+U", "View",
              checkable=True, checked=self.session.project.settings.units == "US"),
        ]
        for i, layer in enumerate(LAYERS):
            specs.append(A(f"layer_{layer}", layer.capitalize(),
                           lambda on, name=layer: self.scene.set_layer_visible(name, on), f"Alt+{i + 1}",
                           "View/Layers", checkable=True, checked=True))
        specs += [
            A("row", "&Row of racks…", e.row_of_racks, "Ctrl+Shift+N", "Insert", True, separator_before=True),
            A("outline", "Draw hall &outline", lambda: e.draw_polygon("outline"), None, "Insert"),
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
        tb.insertAction(r["rotate_cw"], undo)
        tb.insertAction(r["rotate_cw"], redo)
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
        self.view.zoom_changed.connect(lambda ppm: self.zoom_label.setText(f"{ppm:.0f} px/m"))
        self.view.tool_changed.connect(lambda t: self.statusBar().showMessage(t.hint, 8000) if t.hint else None)
        s.scheduler.state_changed.connect(self.analysis_label.setText)
        s.message.connect(lambda m: self.statusBar().showMessage(m, 6000))
        s.selection.changed.connect(self._selection_info)
        s.changed.connect(lambda _c: self._selection_info(s.selection.ids))
        s.undo_stack.cleanChanged.connect(lambda _c: self.update_title())
        s.path_changed.connect(lambda _p: self.update_title())
        s.document_replaced.connect(self.update_title)
        s.document_replaced.connect(self._units_followed)
        s.changed.connect(lambda c: self._units_followed() if "@project" in c.modified else None)
        s.site_changed.connect(lambda _s: self.view.fit())
        s.results_ready.connect(self._results)
        self.palette.place_requested.connect(self.editing.place_at_centre)
        self.findings.go_to.connect(self.go_to)
        self.view.context_menu = self.plan_menu

    PLAN_MENU = ("select_module", "connect_module", "connect_selection", "save_module", None,
                 "add_to_module", "detach_module", None, "cut", "copy", "paste", "duplicate", "rotate_cw",
                 "delete")
    """The plan's right-click menu, by action id (None: a separator; missing ids are skipped)."""

    def plan_menu(self, item_id: str | None):
        from PySide6.QtWidgets import QMenu

        menu = QMenu(self)
        last_sep = True
        for key in self.PLAN_MENU:
            if key is None:
                if not last_sep:
                    menu.addSeparator()
                    last_sep = True
                continue
            act = self.registry.actions.get(key)
            if act is None or (item_id is None and key not in ("paste",)):
                continue
            if not act.isEnabled():
                continue
            menu.addAction(act)
            last_sep = False
        return menu

    # -- behaviour that is only wiring ---------------------------------------------------------
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
        from designer.document.edits import SetFields

        want = "US" if on else "SI"
        if self.session.project.settings.units != want:
            self.session.push(SetFields(None, {"settings.units": want}), f"Show {want} units")

    def _units_followed(self) -> None:
        act = self.registry["units_us"]
        act.blockSignals(True)
        act.setChecked(self.session.project.settings.units == "US")
        act.blockSignals(False)

    def _len(self, v: float) -> str:
        from designer.model.units import fmt

        return fmt(v, "length", self.session.project.settings.units, 2)

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
        self.scene.set_status(status)
        for ov in self.scene.overlays:
            ov.results(revision, results)
        self.view.refit_if_untouched()  # a legend that just appeared must not hide the hall

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
            self._sized = True
            self.resizeDocks([self.docks["findings"]], [max(160, self.height() // 5)], Qt.Vertical)

    def closeEvent(self, e) -> None:  # noqa: N802
        if not self.files.maybe_save():
            e.ignore()
            return
        self.recovery.discard()
        self.session.close()
        e.accept()
