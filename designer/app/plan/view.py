"""The plan view: zoom, pan, grid, scale bar, drop target; mouse work goes to the active tool."""

from __future__ import annotations

import math

from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QGraphicsView, QScrollBar, QToolTip, QWidget

from designer.app import style
from designer.app.plan.coords import to_model
from designer.document.grouping import top_level

MIME_CATALOG = "application/x-datahall-catalog-model"


class PlanView(QGraphicsView):
    cursor_moved = Signal(float, float)
    zoom_changed = Signal(float)
    tool_changed = Signal(object)

    def __init__(self, scene, session, parent=None) -> None:
        super().__init__(scene, parent)
        self.session = session
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        # the floor grid only changes with zoom: draw it once into a cached pixmap instead
        # of stroking every line again behind each moved item during a drag
        self.setCacheMode(QGraphicsView.CacheBackground)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setRubberBandSelectionMode(Qt.IntersectsItemShape)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setBackgroundBrush(style.OUTSIDE)
        self._panning: QPointF | None = None
        self._band: object = None
        self._band_mods = Qt.NoModifier
        self.rubberBandChanged.connect(self._rubber_band)
        self._space = False
        self.show_grid = True
        self._touched = True  # until the first fit
        self.horizontalScrollBar().sliderMoved.connect(self._touch)
        self.verticalScrollBar().sliderMoved.connect(self._touch)
        self.scale(30, 30)
        from designer.app.plan.tools import SelectTool

        self.select_tool = SelectTool(self)
        self.tool = self.select_tool

    def set_tool(self, tool) -> None:
        """Make ``tool`` (a Tool, or "select") the one that gets the mouse."""
        if isinstance(tool, str):
            tool = self.select_tool
        if self.tool is not None and self.tool is not tool:
            self.tool.deactivate()
        self.tool = tool
        self.setDragMode(QGraphicsView.RubberBandDrag if tool is self.select_tool else QGraphicsView.NoDrag)
        self.setCursor(Qt.ArrowCursor if tool is self.select_tool else Qt.CrossCursor)
        tool.activate()
        self.viewport().update()
        self.tool_changed.emit(tool)

    # -- zoom and pan ---------------------------------------------------------------------------
    @property
    def px_per_m(self) -> float:
        return self.transform().m11()

    def wheelEvent(self, e) -> None:  # noqa: N802
        f = 1.0015 ** e.angleDelta().y()
        self.zoom_by(f)

    def zoom_by(self, f: float) -> None:
        s = self.px_per_m
        f = max(2.0 / s, min(f, 800.0 / s))
        self._touched = True
        self.scale(f, f)
        self.zoom_changed.emit(self.px_per_m)

    def fit(self, rect: QRectF | None = None) -> None:
        rect = rect or self.scene().content_rect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-1.0, -1.0, 1.0, 1.0)
        self.fitInView(rect, Qt.KeepAspectRatio)
        left = self._legend_width_on_the_left()
        if left > 0:
            # leave the strip under a floating legend (the air colour bar) free of the hall
            self.fitInView(rect.adjusted(-left / max(self.px_per_m, 1e-9), 0, 0, 0), Qt.KeepAspectRatio)
        self._fit = (rect, left)
        self._touched = False
        self.zoom_changed.emit(self.px_per_m)

    def _touch(self, *_a) -> None:
        self._touched = True

    def refit_if_untouched(self) -> None:
        """Legends may have appeared or gone: fit again, unless the user zoomed or panned
        since the last fit."""
        fit = getattr(self, "_fit", None)
        if fit is not None and not self._touched and self._legend_width_on_the_left() != fit[1]:
            self.fit(fit[0].adjusted(1.0, 1.0, -1.0, -1.0))

    def _legend_width_on_the_left(self) -> int:
        """Width in pixels of floating legends pinned to the left edge of the plan."""
        vp = self.viewport().geometry()
        w = 0
        for child in self.findChildren(QWidget, options=Qt.FindDirectChildrenOnly):
            g = child.geometry()
            if child.isVisible() and child is not self.viewport() and not isinstance(child, QScrollBar) \
                    and g.left() < vp.left() + 40 and g.height() > vp.height() / 4:
                w = max(w, g.right() - vp.left() + 10)
        return w

    def center_on_ids(self, ids) -> None:
        rect = QRectF()
        for i in ids:
            it = self.scene().items_by_id.get(i)
            if it is not None:
                rect = rect.united(it.sceneBoundingRect())
        if not rect.isNull():
            self._touched = True
            self.centerOn(rect.center())

    def _rubber_band(self, rect, from_scene, to_scene) -> None:
        """Select what the rubber band covered once it is released (Shift adds)."""
        if not rect.isNull():
            self._band = (QRectF(from_scene, to_scene).normalized(), self._band_mods)
            return
        if self._band is None:
            return
        area, mods = self._band
        self._band = None
        from PySide6.QtGui import QPainterPath

        path = QPainterPath()
        path.addRect(area)
        # a module is taken only when the band holds all of it (a band drawn inside a module
        # picks items in it, not the room around them); members come with their module
        sc = self.scene()
        ids = [i for i in sc.ids_in(path)
               if sc.items_by_id[i].kind != "module" or area.contains(sc.items_by_id[i].sceneBoundingRect())]
        ids = top_level(self.session.doc, ids)
        sel = self.session.selection
        if mods & (Qt.ShiftModifier | Qt.ControlModifier):
            sel.set(sel.ids + [i for i in ids if i not in sel.ids])
        else:
            sel.set(ids)

    # -- tooltips --------------------------------------------------------------------------------
    def viewportEvent(self, e) -> bool:  # noqa: N802
        if e.type() == QEvent.ToolTip:
            text = self.tooltip_at(e.pos())
            if text:
                QToolTip.showText(e.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(e)

    def tooltip_at(self, pos) -> str:
        """What the item under ``pos`` is, and how to select the module it belongs to
        (written from the document when asked, so it is never stale)."""
        from designer.app.plan.items import PlanItem
        from designer.model.registry import BY_TYPE

        it = next((i for i in self.items(pos) if isinstance(i, PlanItem) and i.isVisible()), None)
        doc = self.session.doc
        m = doc.item(it.item_id) if it is not None else None
        if m is None:
            return ""
        name = getattr(m, "name", "") or m.id
        what = BY_TYPE[type(m)].label
        if it.kind == "module":
            model = f" ({m.catalog_model})" if m.catalog_model else ""
            return (f"<b>Module {name}</b>{model}<br>Click its floor, or double-click any item in it, to select "
                    "the whole module: a drag, R, copy, duplicate and delete then act on all of it.<br>"
                    "Right-click: connect it to the site, save it as a template.")
        mod = doc.item(getattr(m, "module_id", None) or "")
        if mod is not None:
            return (f"<b>{what} {name}</b> in module {mod.name or mod.id}<br>"
                    "Double-click to select the whole module.")
        return f"<b>{what} {name}</b>"

    # -- context menu ----------------------------------------------------------------------------
    context_menu = None
    """Callable (item id or None) -> QMenu or None that the window sets: the plan's right-click menu."""

    def contextMenuEvent(self, e) -> None:  # noqa: N802
        if self.tool is not self.select_tool or self.context_menu is None:
            return super().contextMenuEvent(e)
        from designer.app.plan.items import PlanItem
        from designer.document.grouping import module_of

        it = next((i for i in self.items(e.pos()) if isinstance(i, PlanItem) and i.isVisible()), None)
        sel = self.session.selection
        if it is not None and it.item_id not in sel.ids and module_of(self.session.doc, it.item_id) not in sel.ids:
            sel.set([it.item_id])  # right-click acts on what is under the cursor
        menu = self.context_menu(it.item_id if it is not None else None)
        if menu is not None and menu.actions():
            self.popup_menu(menu, e.globalPos())
        e.accept()

    def popup_menu(self, menu, global_pos) -> None:
        """Show a context menu (one place, so tests can catch it without a window system)."""
        self.last_menu = menu
        menu.popup(global_pos)

    # -- mouse -----------------------------------------------------------------------------------
    def mousePressEvent(self, e) -> None:  # noqa: N802
        if e.button() == Qt.MiddleButton or (self._space and e.button() == Qt.LeftButton):
            self._panning = e.position()
            self.setCursor(Qt.ClosedHandCursor)
            return
        self._band_mods = e.modifiers()
        if self.tool is not None and self.tool.press(e):
            return
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e) -> None:  # noqa: N802
        if self._panning is not None:
            d = e.position() - self._panning
            self._panning = e.position()
            self._touched = True
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - int(d.x()))
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - int(d.y()))
            return
        x, y = to_model(self.mapToScene(e.position().toPoint()))
        self.cursor_moved.emit(x, y)
        if self.tool is not None and self.tool.move(e):
            return
        super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        if self._panning is not None and e.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._panning = None
            self.setCursor(Qt.ArrowCursor)
            return
        if self.tool is not None and self.tool.release(e):
            return
        super().mouseReleaseEvent(e)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802
        if self.tool is not None and self.tool.double_click(e):
            return
        super().mouseDoubleClickEvent(e)

    def keyPressEvent(self, e) -> None:  # noqa: N802
        if e.key() == Qt.Key_Space and not e.isAutoRepeat():
            self._space = True
            self.setCursor(Qt.OpenHandCursor)
            return
        if self.tool is not None and self.tool.key(e):
            return
        super().keyPressEvent(e)

    def keyReleaseEvent(self, e) -> None:  # noqa: N802
        if e.key() == Qt.Key_Space and not e.isAutoRepeat():
            self._space = False
            self.setCursor(Qt.ArrowCursor)
            return
        super().keyReleaseEvent(e)

    # -- drop from the palette -------------------------------------------------------------------
    _catalog_drag = False

    def dragEnterEvent(self, e) -> None:  # noqa: N802
        if e.mimeData().hasFormat(MIME_CATALOG):
            self._catalog_drag = True
            e.acceptProposedAction()
        else:
            super().dragEnterEvent(e)

    def dragMoveEvent(self, e) -> None:  # noqa: N802
        if e.mimeData().hasFormat(MIME_CATALOG):
            e.acceptProposedAction()
            self._show_ghost(e)
        else:
            super().dragMoveEvent(e)

    def dragLeaveEvent(self, e) -> None:  # noqa: N802
        self.drop_ghost = None
        self.viewport().update()
        if self._catalog_drag:
            self._catalog_drag = False  # ours: the scene never saw it enter
            e.accept()
            return
        super().dragLeaveEvent(e)

    drop_ghost: tuple | None = None
    """(catalog entry, x, y) being dragged over the plan: drawn where it would land."""

    def _show_ghost(self, e) -> None:
        from designer.document.geometry import snap

        entry = self.session.catalog.get(bytes(e.mimeData().data(MIME_CATALOG)).decode())
        site = self.session.site
        if entry is None or site is None:
            return
        x, y = to_model(self.mapToScene(e.position().toPoint()))
        step = site.hall.grid.snap_m
        self.drop_ghost = (entry, snap(x, step), snap(y, step))
        self.viewport().update()

    def _paint_ghost(self, painter: QPainter) -> None:
        """The footprint of what is being dragged in, and for a module everything it holds,
        dashed where it will land."""
        from designer.app.plan.coords import to_scene
        from designer.model.base import footprint_corners
        from designer.model.catalog import ModuleType

        entry, x, y = self.drop_ghost
        painter.save()
        pen = QPen(style.GROUP, 2.0)
        pen.setCosmetic(True)
        pen.setStyle(Qt.DashLine)
        painter.setPen(pen)
        painter.setBrush(QColor(style.GROUP.red(), style.GROUP.green(), style.GROUP.blue(), 25))

        def rect(cx, cy, w, d, rot=0.0) -> None:
            from PySide6.QtGui import QPolygonF

            painter.drawPolygon(QPolygonF([to_scene(px, py) for px, py in footprint_corners(cx, cy, w, d, rot)]))

        rect(x, y, entry.width_m, entry.depth_m)
        if isinstance(entry, ModuleType):
            pen.setStyle(Qt.SolidLine)
            pen.setWidthF(1.0)
            painter.setPen(pen)
            c = entry.contents
            for it in (*c.racks, *c.cdus, *c.air_units, *c.transformers, *c.switchboards, *c.ups, *c.pdus):
                rect(x + it.x, y + it.y, it.width_m, it.depth_m, it.rotation_deg)
            for bw in c.busways:
                for (ax, ay), (bx, by) in zip(bw.path, bw.path[1:], strict=False):
                    painter.drawLine(to_scene(x + ax, y + ay), to_scene(x + bx, y + by))
        painter.restore()

    def dropEvent(self, e) -> None:  # noqa: N802
        self.drop_ghost = None
        self._catalog_drag = False
        self.viewport().update()
        if not e.mimeData().hasFormat(MIME_CATALOG):
            return super().dropEvent(e)
        model = bytes(e.mimeData().data(MIME_CATALOG)).decode()
        x, y = to_model(self.mapToScene(e.position().toPoint()))
        self.place_model(model, x, y)
        e.acceptProposedAction()

    def place_model(self, model: str, x: float, y: float) -> bool:
        from designer.document.geometry import snap
        from designer.document.ops import place_entry

        s = self.session
        entry = s.catalog.get(model)
        site = s.site
        if entry is None or site is None:
            return False
        step = site.hall.grid.snap_m
        edit = place_entry(s.doc, site.id, entry, snap(x, step), snap(y, step))
        if s.push(edit):
            s.selection.set([edit.edits[0].item.id])
            return True
        return False

    # -- drawing ---------------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawBackground(painter, rect)
        if not self.show_grid:
            return
        hall = self.scene().hall_rect()
        area = rect.intersected(hall)
        if area.isEmpty():
            return
        ppm = self.px_per_m
        # the minor step is the largest of 0.6 m floor tiles, 1 m, 5 m that is at least 8 px apart
        minor = next((s for s in (0.6, 1.2, 3.0, 6.0, 12.0, 30.0) if s * ppm >= 8), 60.0)
        major = minor * 5
        painter.save()
        for step, color in ((minor, style.GRID_MINOR), (major, style.GRID_MAJOR)):
            pen = QPen(color, 1.0)
            pen.setCosmetic(True)
            painter.setPen(pen)
            x = math.floor((area.left() - hall.left()) / step) * step + hall.left()
            while x <= area.right():
                if x >= area.left():
                    painter.drawLine(QPointF(x, area.top()), QPointF(x, area.bottom()))
                x += step
            y = math.floor((area.top() - hall.top()) / step) * step + hall.top()
            while y <= area.bottom():
                if y >= area.top():
                    painter.drawLine(QPointF(area.left(), y), QPointF(area.right(), y))
                y += step
        painter.restore()

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawForeground(painter, rect)
        if self.tool is not None:
            self.tool.paint(painter)
        if self.drop_ghost is not None:
            self._paint_ghost(painter)
        self._draw_scale_bar(painter)

    def _draw_scale_bar(self, painter: QPainter) -> None:
        ppm = self.px_per_m
        target_px = 120
        nice = [0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500]
        length = min(nice, key=lambda v: abs(v * ppm - target_px))
        px = length * ppm
        painter.save()
        painter.resetTransform()
        vp = self.viewport().rect()
        x0, y0 = vp.left() + 16, vp.bottom() - 22
        painter.setRenderHint(QPainter.Antialiasing, False)
        painter.fillRect(QRectF(x0 - 6, y0 - 18, px + 60, 30), QColor(255, 255, 255, 210))
        pen = QPen(QColor("#222"), 2)
        painter.setPen(pen)
        painter.drawLine(QPointF(x0, y0), QPointF(x0 + px, y0))
        for xx in (x0, x0 + px / 2, x0 + px):
            painter.drawLine(QPointF(xx, y0 - 5), QPointF(xx, y0 + 3))
        painter.setFont(QFont("DejaVu Sans", 9))
        label = f"{length:g} m"
        painter.drawText(QPointF(x0 + px + 6, y0 + 4), label)
        # north arrow: y up on the plan
        painter.drawText(QPointF(vp.right() - 24, vp.top() + 20), "N")
        painter.drawLine(QPointF(vp.right() - 20, vp.top() + 44), QPointF(vp.right() - 20, vp.top() + 24))
        painter.restore()
