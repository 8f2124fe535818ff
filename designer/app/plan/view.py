"""The plan view: zoom, pan, grid, scale bar, drop target; mouse work goes to the active tool.

The view moves only when the user asks: the wheel zooms about the point under the cursor
whatever tool is active, a middle drag (or Space + drag) pans, F fits. Nothing else scrolls
or re-fits it: not results arriving, not a legend appearing. The plan is an unbounded
drawing (no scroll bars), so the point under the cursor can always stay under it.

One exception keeps the hall in view when the panels around the plan change: while the view
is still as a fit left it (no zoom or pan since), a new size of the plan (a results panel
growing below it, a dock closed, the window resized) or the user's choice of other keys over
it (View > Results on plan, View > Legends) fits again, beside the keys. Once the user has
zoomed or panned, these keep the view as it is.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QPointF, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QPainter, QPicture, QRegion, QTransform
from PySide6.QtWidgets import QGraphicsView, QToolTip

from designer.app.plan import background as bg
from designer.app.plan.coords import to_model
from designer.app.plan.drop import MIME_CATALOG, DropTarget
from designer.app.plan.fitting import floating_keys, free_rect, may_show
from designer.app.plan.snapping import Snapper
from designer.app.window import style

__all__ = ["MIME_CATALOG", "PlanView"]

MIN_PX_PER_M, MAX_PX_PER_M = 0.5, 800.0
WORLD_M = 50_000.0
"""Half the side of the drawing the view can scroll over (metres about the origin)."""


OVERLAY_MARGIN_PX = 4
"""Added round the recorded bounds of the tools' drawings (antialiased edges, the dots' pens)."""


class PlanView(DropTarget, QGraphicsView):
    cursor_moved = Signal(float, float)
    zoom_changed = Signal(float)
    tool_changed = Signal(object)
    hint_changed = Signal()
    """The active tool's prompt changed (typed input, next step): the hint bar follows."""

    def __init__(self, scene, session, parent=None) -> None:
        super().__init__(scene, parent)
        self.session = session
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setViewportUpdateMode(QGraphicsView.SmartViewportUpdate)
        self.setCacheMode(QGraphicsView.CacheBackground)
        # zoom anchoring is done here (the cursor of the wheel event, in every tool): Qt's own
        # anchor uses the last mouse move the view saw, which a tool may have consumed
        self.setTransformationAnchor(QGraphicsView.NoAnchor)
        self.setResizeAnchor(QGraphicsView.AnchorViewCenter)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setSceneRect(QRectF(-WORLD_M, -WORLD_M, 2 * WORLD_M, 2 * WORLD_M))
        self.setDragMode(QGraphicsView.NoDrag)
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setBackgroundBrush(style.OUTSIDE)
        self._panning: QPointF | None = None
        self._space = False
        self.fitted = False
        """The view is as :meth:`fit` left it (no zoom or pan since): a new size fits again."""
        self._refit_due = False
        self._show_grid = True
        self._zoom_anchor: tuple | None = None
        """(viewport point, view transform after, plan point) of the last zoom step."""
        self.last_cursor: QPointF | None = None
        """Where the mouse last was over the viewport (viewport pixels)."""
        self.menu_providers: list = []
        """Callables (menu, item id or None) that add their actions to the plan's right-click menu."""
        self.setTransform(QTransform.fromScale(30, 30))
        self.snapper = Snapper(self)
        from designer.app.plan.tools import SelectTool

        self.select_tool = SelectTool(self)
        self.tool = self.select_tool
        scene.set_grid(session.units)
        session.units_changed.connect(self._units_changed)

    # -- settings -----------------------------------------------------------------------------
    @property
    def show_grid(self) -> bool:
        return self._show_grid

    @show_grid.setter
    def show_grid(self, on: bool) -> None:
        self._show_grid = on
        self.scene().set_grid(self.session.units if on else None)
        self.resetCachedContent()
        self.viewport().update()

    def _units_changed(self, units: str) -> None:
        if self._show_grid:
            self.scene().set_grid(units)
        self.resetCachedContent()
        self.viewport().update()
        self.hint_changed.emit()

    def set_tool(self, tool) -> None:
        """Make ``tool`` (a Tool, or "select") the one that gets the mouse."""
        if isinstance(tool, str):
            tool = self.select_tool
        if self.tool is not None and self.tool is not tool:
            self.tool.deactivate()
        self.tool = tool
        self.snapper.clear()
        self.setCursor(Qt.ArrowCursor if tool is self.select_tool else Qt.CrossCursor)
        tool.activate()
        self.viewport().update()
        self.tool_changed.emit(tool)
        self.hint_changed.emit()

    # -- zoom and pan ---------------------------------------------------------------------------
    @property
    def px_per_m(self) -> float:
        return self.transform().m11()

    def map_to_scene(self, pos: QPointF) -> QPointF:
        """A viewport point (fractional pixels) in scene coordinates."""
        inv, _ok = self.viewportTransform().inverted()
        return inv.map(QPointF(pos))

    def wheelEvent(self, e) -> None:  # noqa: N802
        d = e.angleDelta().y() or e.angleDelta().x()
        if not d:
            d = e.pixelDelta().y()
        if d:
            self.zoom_at(1.0015 ** d, e.position())
        e.accept()

    def zoom_at(self, f: float, pos: QPointF) -> None:
        """Zoom by ``f`` keeping the plan point under ``pos`` (viewport pixels) where it is.

        The view scrolls in whole pixels, so each step leaves the point up to half a pixel
        off. Steps that follow each other at the same spot (a wheel turned several notches)
        all zoom about the plan point the first one had there, so those half pixels do not
        add up into a drift."""
        s = self.px_per_m
        f = max(MIN_PX_PER_M / s, min(f, MAX_PX_PER_M / s))
        pos = QPointF(pos)
        before = self.map_to_scene(pos)
        last = self._zoom_anchor
        if last is not None and last[0] == pos and last[1] == self.viewportTransform():
            before = last[2]  # nothing moved the view since the last step here
        self.setTransform(QTransform.fromScale(s * f, s * f))
        after = self.map_to_scene(pos)
        # the view's centre moves by what the anchor drifted (scene units)
        centre = self.map_to_scene(QPointF(self.viewport().rect().center()))
        self.centerOn(centre + (before - after))
        self._fix_anchor(pos, before)
        self._zoom_anchor = (pos, self.viewportTransform(), before)
        self.fitted = False
        self.zoom_changed.emit(self.px_per_m)
        if self.last_cursor is not None:
            self.emit_cursor(*to_model(self.map_to_scene(self.last_cursor)))
        self.resetCachedContent()

    def _fix_anchor(self, pos: QPointF, want: QPointF) -> None:
        """centerOn works in whole pixels: take up what is left with the scroll bars, so the
        anchor ends within half a pixel of where it was."""
        err = (self.viewportTransform().map(want) - pos)
        hb, vb = self.horizontalScrollBar(), self.verticalScrollBar()
        if round(err.x()):
            hb.setValue(hb.value() + round(err.x()))
        if round(err.y()):
            vb.setValue(vb.value() + round(err.y()))

    def zoom_by(self, f: float) -> None:
        """Zoom about the middle of the plan (View > Zoom in / out, Ctrl++ / Ctrl+-). Only the
        wheel zooms about the cursor: a key press or a menu click says nothing about where the
        mouse happens to rest, so anchoring there would move the view unpredictably."""
        self.zoom_at(f, QPointF(self.viewport().rect().center()))

    def pan_by(self, dx_px: float, dy_px: float) -> None:
        self.fitted = False
        hb, vb = self.horizontalScrollBar(), self.verticalScrollBar()
        hb.setValue(hb.value() - round(dx_px))
        vb.setValue(vb.value() - round(dy_px))

    def fit(self, rect: QRectF | None = None) -> None:
        """Zoom to fit ``rect`` (scene coordinates; default the hall and its site services)
        into what the floating keys leave free, so no legend covers the hall."""
        rect = rect or self.scene().content_rect()
        if rect.isEmpty():
            return
        rect = rect.adjusted(-1.0, -1.0, 1.0, 1.0)
        vp = QRectF(self.viewport().rect())
        free = free_rect(vp, self.key_rects(), rect.width(), rect.height())
        s = min(free.width() / rect.width(), free.height() / rect.height())
        s = max(MIN_PX_PER_M, min(s, MAX_PX_PER_M))
        self.setTransform(QTransform.fromScale(s, s))
        # the hall's centre goes to the free area's centre
        offset = (free.center() - vp.center()) / s
        self.centerOn(rect.center() - offset)
        self._fix_anchor(free.center(), rect.center())
        self.fitted = True
        self.resetCachedContent()
        self.zoom_changed.emit(self.px_per_m)

    def resizeEvent(self, e) -> None:  # noqa: N802
        super().resizeEvent(e)
        if self.fitted and e.oldSize().isValid() and e.oldSize() != e.size() and not self._refit_due:
            # after the legends have taken their places in the new size
            self._refit_due = True
            QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        self._refit_due = False
        if self.fitted:
            self.fit()

    def keys_changed(self) -> None:
        """The user changed which keys float over the plan (results on plan, View > Legends):
        a view still as a fit left it fits again beside them. Results arriving do not call
        this: a key appearing with its results never moves the view."""
        if self.fitted and not self._refit_due:
            self._refit_due = True
            QTimer.singleShot(0, self._refit)

    def key_rects(self) -> list[QRectF]:
        """Viewport rectangles a fit keeps the hall clear of: the scale bar, the north arrow
        and every legend that shows, or will once its results arrive."""
        vp = QRectF(self.viewport().rect())
        # the scale bar at its longest (its length changes with the zoom the fit chooses)
        out = [QRectF(vp.left() + 10, vp.bottom() - 40, 250, 32), bg.north_arrow_rect(vp)]
        off = self.viewport().pos()
        for key in floating_keys(self):
            if may_show(key) and key.width() > 0 and key.height() > 0:
                out.append(QRectF(key.geometry().translated(-off)))
        return out

    def center_on_ids(self, ids) -> None:
        rect = QRectF()
        for i in ids:
            it = self.scene().items_by_id.get(i)
            if it is not None:
                rect = rect.united(it.sceneBoundingRect())
        if not rect.isNull():
            self.fitted = False
            self.centerOn(rect.center())
            self.resetCachedContent()

    def emit_cursor(self, x: float, y: float) -> None:
        self.cursor_moved.emit(x, y)

    # -- tooltips --------------------------------------------------------------------------------
    def viewportEvent(self, e) -> bool:  # noqa: N802
        if e.type() == QEvent.ToolTip:
            text = self.tooltip_at(e.pos()) if self.tool is self.select_tool else ""
            if text:
                QToolTip.showText(e.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        if e.type() == QEvent.Leave:
            self.last_cursor = None
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

    def item_at(self, pos):
        from designer.app.plan.items import PlanItem

        return next((i for i in self.items(pos) if isinstance(i, PlanItem) and i.isVisible()), None)

    def contextMenuEvent(self, e) -> None:  # noqa: N802
        if self.tool is not self.select_tool or self.context_menu is None:
            return super().contextMenuEvent(e)
        from designer.document.grouping import module_of

        it = self.item_at(e.pos())
        sel = self.session.selection
        if it is not None and it.item_id not in sel.ids and module_of(self.session.doc, it.item_id) not in sel.ids:
            sel.set([it.item_id])  # right-click acts on what is under the cursor
        self.menu_pos = to_model(self.map_to_scene(QPointF(e.pos())))
        menu = self.context_menu(it.item_id if it is not None else None)
        if menu is not None and menu.actions():
            self.popup_menu(menu, e.globalPos())
        e.accept()

    menu_pos: tuple[float, float] | None = None
    """Where on the plan the last right-click was (model metres): "Paste here" goes there."""

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
        if self.tool is not None and self.tool.press(e):
            return
        super().mousePressEvent(e)

    def mouseMoveEvent(self, e) -> None:  # noqa: N802
        self.last_cursor = e.position()
        if self._panning is not None:
            d = e.position() - self._panning
            self._panning = e.position()
            self.pan_by(d.x(), d.y())
            return
        x, y = to_model(self.map_to_scene(e.position()))
        self.emit_cursor(x, y)
        if self.tool is not None and self.tool.move(e):
            return
        super().mouseMoveEvent(e)

    def mouseReleaseEvent(self, e) -> None:  # noqa: N802
        if self._panning is not None and e.button() in (Qt.MiddleButton, Qt.LeftButton):
            self._panning = None
            self.resetCachedContent()
            self.setCursor(Qt.OpenHandCursor if self._space else
                           Qt.ArrowCursor if self.tool is self.select_tool else Qt.CrossCursor)
            return
        if self.tool is not None and self.tool.release(e):
            return
        super().mouseReleaseEvent(e)

    def mouseDoubleClickEvent(self, e) -> None:  # noqa: N802
        if self.tool is not None and self.tool.double_click(e):
            return
        super().mouseDoubleClickEvent(e)

    def keyPressEvent(self, e) -> None:  # noqa: N802
        if e.key() == Qt.Key_Space and not e.isAutoRepeat() and not getattr(self.tool, "typing", ""):
            self._space = True
            self.setCursor(Qt.OpenHandCursor)
            return
        if self.tool is not None and self.tool.key(e):
            return
        super().keyPressEvent(e)

    def keyReleaseEvent(self, e) -> None:  # noqa: N802
        if e.key() == Qt.Key_Space and not e.isAutoRepeat() and self._space:
            self._space = False
            self.setCursor(Qt.ArrowCursor if self.tool is self.select_tool else Qt.CrossCursor)
            return
        super().keyReleaseEvent(e)

    def focusNextPrevChild(self, forward: bool) -> bool:  # noqa: N802
        # Tab belongs to the active tool while it takes typed input (length <-> angle)
        if getattr(self.tool, "takes_tab", False):
            return False
        return super().focusNextPrevChild(forward)

    # -- drawing ---------------------------------------------------------------------------------
    def drawBackground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawBackground(painter, rect)
        if self._show_grid:
            # beyond the walls the grid goes on, fainter (site services stand outside)
            painter.save()
            painter.setOpacity(0.5)
            bg.draw_grid(painter, rect, self.px_per_m, self.session.units)
            painter.restore()

    def overlay_rect(self) -> QRect:
        """The part of the viewport that the tool's and the snapper's drawings over the plan
        cover now (empty when they draw nothing), from a recording of that painting with a
        margin of :data:`OVERLAY_MARGIN_PX`. A tool's hover move repaints this before and after
        its change (:meth:`update_overlay`) instead of the whole viewport, which on a 200-rack
        hall repaints every item: about 13 ms a mouse move."""
        pic = QPicture()
        p = QPainter(pic)
        p.setTransform(self.viewportTransform())
        if self.tool is not None:
            self.tool.paint(p)
        self.snapper.paint(p)
        p.end()
        r = pic.boundingRect()
        if r.isEmpty():
            return QRect()
        m = OVERLAY_MARGIN_PX
        return r.adjusted(-m, -m, m, m)

    def update_overlay(self, before: QRect) -> None:
        """Repaint where the overlays were (``before``, from :meth:`overlay_rect` ahead of the
        change) and where they are now."""
        region = QRegion(before).united(QRegion(self.overlay_rect()))
        if not region.isEmpty():
            self.viewport().update(region)

    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:  # noqa: N802
        super().drawForeground(painter, rect)
        if self.tool is not None:
            self.tool.paint(painter)
        if self.drop_ghost is not None:
            self.paint_ghost(painter)
        self.snapper.paint(painter)
        painter.save()
        painter.resetTransform()
        bg.draw_scale_bar(painter, QRectF(self.viewport().rect()), self.px_per_m, self.session.units)
        painter.restore()
