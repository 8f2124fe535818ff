"""Handlers of the Edit, Insert and Power actions: each builds one edit and pushes it."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog

from designer.app.plan.coords import to_model
from designer.app.plan.drawing import BuswayTool, PipeTool, PolygonTool
from designer.app.plan.tools import FeedTool, RowStartTool
from designer.app.window.dialogs import RowDialog
from designer.document import ops
from designer.document.geometry import snap
from designer.document.grouping import top_level


class EditingController:
    def __init__(self, window, session) -> None:
        self.window = window
        self.session = session

    @property
    def view(self):
        return self.window.view

    @property
    def doc(self):
        return self.session.doc

    @property
    def ids(self) -> list[str]:
        """The selection at its top level: a selected module stands for all its members."""
        return top_level(self.doc, self.session.selection.ids)

    def _select_new(self, edit) -> None:
        """Select what an edit added, modules standing for their contents."""
        self.session.selection.set(top_level(self.doc, [e.item.id for e in edit.edits]))

    def _need_selection(self) -> bool:
        if not self.ids:
            self.window.statusBar().showMessage("Select something first", 3000)
            return False
        return True

    # -- clipboard ---------------------------------------------------------------------------
    def copy(self) -> None:
        if self._need_selection():
            self.session.clipboard = ops.copy_payload(self.doc, self.ids)
            self.window.statusBar().showMessage(f"Copied {len(self.session.clipboard)} items", 2000)

    def cut(self) -> None:
        if self._need_selection():
            self.copy()
            self.session.push(ops.delete_items(self.doc, self.ids), "Cut")

    def paste(self) -> None:
        """Paste at the cursor when it is over the plan (the copies' middle there, snapped
        to the grid), else one step down and right of the originals."""
        pos = self.view.last_cursor
        if pos is not None and self.view.viewport().rect().contains(pos.toPoint()):
            self.paste_at(*to_model(self.view.map_to_scene(pos)))
        else:
            self.paste_at(None, None)

    def paste_here(self) -> None:
        """The right-click menu's paste: where the menu was opened."""
        pos = self.view.menu_pos
        self.paste_at(*(pos if pos is not None else (None, None)))

    def paste_at(self, x: float | None, y: float | None) -> None:
        site = self.session.site
        if not self.session.clipboard or site is None:
            return
        dx, dy = 1.0, -1.0
        c = ops.payload_centre(self.session.clipboard) if x is not None else None
        if c is not None:
            step = site.hall.grid.snap_m
            dx, dy = snap(x - c[0], step), snap(y - c[1], step)
        edit = ops.paste_payload(self.doc, site.id, self.session.clipboard, dx, dy)
        if self.session.push(edit):
            self._select_new(edit)

    def duplicate(self) -> None:
        if self._need_selection():
            edit = ops.duplicate_items(self.doc, self.ids)
            if self.session.push(edit):
                self._select_new(edit)

    def delete(self) -> None:
        if self._need_selection():
            self.session.push(ops.delete_items(self.doc, self.ids))

    def select_all(self) -> None:
        sc = self.view.scene()
        self.session.selection.set(top_level(self.doc, [i for i in self.session.site_item_ids()
                                                        if i in sc.items_by_id and sc.items_by_id[i].isVisible()]))

    # -- arrange -----------------------------------------------------------------------------
    def rotate(self, deg: float) -> None:
        if self._need_selection():
            self.session.push(ops.rotate_items(self.doc, self.ids, deg))

    def rotate_each(self, deg: float) -> None:
        """Turn each selected item (or module) about its own centre: rows of units stay put."""
        if self._need_selection():
            self.session.push(ops.rotate_each(self.doc, self.ids, deg))

    def set_rotation(self) -> None:
        if not self._need_selection():
            return
        first = self.doc.item(self.ids[0])
        cur = getattr(first, "rotation_deg", 0.0)
        deg, ok = QInputDialog.getDouble(self.window, "Rotation", "Angle (degrees, counter-clockwise):",
                                         cur, -360.0, 360.0, 1)
        if ok:
            self.session.push(ops.set_rotation(self.doc, self.ids, deg))

    def align(self, how: str) -> None:
        if len(self.ids) >= 2:
            self.session.push(ops.align_items(self.doc, self.ids, how))

    def distribute(self, axis: str) -> None:
        if len(self.ids) >= 3:
            self.session.push(ops.distribute_items(self.doc, self.ids, axis))
        else:
            self.window.statusBar().showMessage("Select three or more items to distribute", 3000)

    # -- insert ------------------------------------------------------------------------------
    def view_centre(self) -> tuple[float, float]:
        return to_model(self.view.mapToScene(self.view.viewport().rect().center()))

    def place_at_centre(self, model: str) -> None:
        x, y = self.view_centre()
        self.view.place_model(model, x, y)
        self.view.take_focus()

    def row_of_racks(self) -> None:
        """The row dialog for the rack picked in the catalog; its start typed, or clicked on
        the plan ("Place on plan…")."""
        site = self.session.site
        if site is None:
            return
        x, y = self.view_centre()
        step = site.hall.grid.snap_m
        model = self.window.palette.selected.get("racks")
        dlg = RowDialog(self.session, snap(x, step), snap(y, step), self.window, model=model)
        result = dlg.exec()
        if result == RowDialog.PICK:
            v = dlg.values()
            self.view.set_tool(RowStartTool(self.view, v, dlg.entry(),
                                            lambda px, py: self.place_rows({**v, "x0": px, "y0": py})))
            return
        if result:
            self.place_rows(dlg.values())

    def place_rows(self, v: dict) -> None:
        site = self.session.site
        entry = self.session.catalog.get(v["model"])
        if site is None or entry is None:
            return
        edit = ops.rack_rows(self.doc, site.id, entry, v["x0"], v["y0"], v["count"], v["pitch_m"], v["rows"],
                             v["aisle_m"], v["aisle"], v["contain"])
        if self.session.push(edit):
            self.session.selection.set([e.item.id for e in edit.edits if e.kind == "rack"])

    def draw_polygon(self, target: str, kind: str = "") -> None:
        self.view.set_tool(PolygonTool(self.view, target, kind))

    def edit_corners(self) -> None:
        """Corner editing for the selected obstruction / containment, else the hall outline."""
        from designer.app.plan.vertex_tool import VertexTool
        from designer.model.hall import Containment, Obstruction

        target = "outline"
        if len(self.ids) == 1 and isinstance(self.doc.item(self.ids[0]), (Obstruction, Containment)):
            target = self.ids[0]
        self.view.set_tool(VertexTool(self.view, target))

    def measure(self) -> None:
        from designer.app.plan.measure import MeasureTool

        self.view.set_tool(MeasureTool(self.view))

    def dimension(self) -> None:
        from designer.app.plan.measure import DimensionTool

        self.view.set_tool(DimensionTool(self.view))

    def flip_dimensions(self) -> None:
        """Put the selected dimensions' lines on the other side of what they measure."""
        from designer.document.edits import SetFields
        from designer.model.hall import Dimension

        edits = [SetFields(i, {"offset_m": -m.offset_m}) for i in self.session.selection.ids
                 if isinstance(m := self.doc.item(i), Dimension)]
        if edits:
            self.session.push(ops.Composite(edits, "Flip dimension"))

    def draw_pipe(self, role: str) -> None:
        self.view.set_tool(PipeTool(self.view, role))

    def draw_busway(self) -> None:
        self.view.set_tool(BuswayTool(self.view))

    def connect_feed(self, side: str) -> None:
        from designer.model.hall import Rack

        if not any(isinstance(self.doc.item(i), Rack) for i in self.ids):
            self.window.statusBar().showMessage("Select the racks to connect first", 3000)
            return
        self.view.set_tool(FeedTool(self.view, side))

    def set_snap(self) -> None:
        site = self.session.site
        if site is None:
            return
        v, ok = QInputDialog.getDouble(self.window, "Grid snap", "Snap step (m, 0 = off):",
                                       site.hall.grid.snap_m, 0.0, 10.0, 3)
        if ok:
            from designer.document.edits import SetFields

            self.session.push(SetFields(site.id, {"hall.grid.snap_m": v}), "Set snap step")
