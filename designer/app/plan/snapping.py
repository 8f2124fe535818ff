"""Snapping on the plan: object snaps (see :mod:`designer.document.snaps`), then the grid.

One :class:`Snapper` per view. Tools ask it to snap a cursor (:meth:`Snapper.point`) or a
move (:meth:`Snapper.move`); it remembers the last snap so the view draws its marker (a
square on a corner, a triangle on a midpoint, a circle on a centre, a circled cross on a port,
an hourglass on an edge) with what it is, and dashed alignment guides.

F3 turns object snaps off and on (kept between runs); holding Alt turns every snap off for
as long as it is held, the grid included.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen, QPolygonF

from designer.app.plan.coords import to_scene
from designer.document import snaps
from designer.document.snaps import Snap

TOLERANCE_PX = 10.0
MARKER = QColor("#d4007a")
GUIDE = QColor(212, 0, 122, 150)


class Snapper:
    def __init__(self, view) -> None:
        self.view = view
        self.session = view.session
        from designer.app.state.settings import flag

        self.objects = flag("view/object_snaps", True)
        self.last: Snap | None = None
        self._cache: tuple | None = None
        self._targets: snaps.Targets | None = None

    # -- settings -------------------------------------------------------------------------------
    def set_objects(self, on: bool) -> None:
        from designer.app.state.settings import app_settings

        self.objects = on
        app_settings().setValue("view/object_snaps", on)
        self.clear()

    @property
    def tolerance(self) -> float:
        """The snap distance in metres at the current zoom."""
        return TOLERANCE_PX / max(self.view.px_per_m, 1e-9)

    def grid_step(self) -> float:
        site = self.session.site
        return site.hall.grid.snap_m if site is not None else 0.0

    def targets(self, exclude=()) -> snaps.Targets | None:
        site = self.session.site
        if site is None:
            return None
        key = (self.session.doc.revision, site.id, frozenset(exclude))
        if key != self._cache:
            self._targets = snaps.targets(site.hall, exclude)
            self._cache = key
        return self._targets

    # -- snapping --------------------------------------------------------------------------------
    def point(self, x: float, y: float, modifiers=Qt.NoModifier, exclude=(), grid: bool = True) -> Snap:
        """Snap a cursor at (x, y) (model metres)."""
        if modifiers & Qt.AltModifier:
            self.last = Snap(x, y, "")
            return self.last
        t = self.targets(exclude)
        step = self.grid_step() if grid else 0.0
        if t is None:
            self.last = Snap(x, y, "")
            return self.last
        self.last = snaps.snap_point(t, x, y, self.tolerance, step, self.objects)
        return self.last

    def move(self, moving_items, dx: float, dy: float, modifiers=Qt.NoModifier, exclude=(),
             anchor: tuple[float, float] | None = None) -> Snap:
        """Snap a move by (dx, dy) of ``moving_items`` (model objects, where they are now);
        the result's (x, y) is the move to make."""
        if modifiers & Qt.AltModifier:
            self.last = Snap(dx, dy, "")
            return self.last
        t = self.targets(exclude)
        if t is None:
            self.last = Snap(dx, dy, "")
            return self.last
        pts = snaps.moving_points(moving_items[:8])  # the grabbed items: enough to line up by
        self.last = snaps.snap_move(t, pts, dx, dy, self.tolerance, self.grid_step(), anchor, self.objects)
        return self.last

    def clear(self) -> None:
        if self.last is not None:
            self.last = None
            self.view.viewport().update()

    # -- drawing ---------------------------------------------------------------------------------
    def owner_name(self, owner: str) -> str:
        if owner == "outline":
            return "the hall outline"
        m = self.session.doc.item(owner)
        return (getattr(m, "name", "") or owner) if m is not None else owner

    def describe(self, s: Snap | None = None) -> str:
        """What the marker says: "corner of R13", "supply port of CDU-1", "aligned"."""
        s = s or self.last
        if s is None or s.kind in ("", "grid"):
            return ""
        if s.kind == "axis":
            return "aligned"
        what = s.label or snaps.KIND_NAMES.get(s.kind, s.kind)
        return f"{what} of {self.owner_name(s.owner)}" if s.owner else what

    def viewport_rect(self, s: Snap | None = None) -> QRect:
        """The part of the view's viewport that :meth:`paint` draws on for snap ``s`` (the last
        one by default): the marker, its label and the guides, with a margin. Empty when there
        is nothing to draw. A drag repaints this before and after each move instead of the whole
        viewport (which cost a 200-rack hall's drag frame all its items, 25 ms a mouse move)."""
        s = self.last if s is None else s
        if s is None or s.kind in ("", "grid") or s.target is None and not s.guides:
            return QRect()
        v = self.view
        pts = [v.mapFromScene(to_scene(x, y)) for g in s.guides for x, y in (g[:2], g[2:])]
        c = v.mapFromScene(to_scene(*s.target) if s.target is not None else to_scene(*s.guides[-1][2:]))
        pts.append(c)
        r = QRect(pts[0], pts[0])
        for q in pts[1:]:
            r = r.united(QRect(q, q))
        text = self.describe(s)
        w = int(QFontMetricsF(QFont("DejaVu Sans", 8)).horizontalAdvance(text)) + 12 if text else 0
        r = r.united(QRect(c.x() - 12, c.y() - 12, 24, 24))  # the marker: 6 px and a 2 px pen
        if w:
            r = r.united(QRect(c.x() + 8, c.y() + 6, w + 4, 20))  # the label's box at (10, 8)
        return r.adjusted(-4, -4, 4, 4)

    def paint(self, painter: QPainter) -> None:
        """The marker and guides of the last snap (the painter in scene coordinates)."""
        s = self.last
        if s is None or s.kind in ("", "grid") or s.target is None and not s.guides:
            return
        k = 1.0 / max(self.view.px_per_m, 1e-9)  # metres per pixel
        painter.save()
        if s.guides:
            pen = QPen(GUIDE, 1.0, Qt.DashLine)
            pen.setCosmetic(True)
            painter.setPen(pen)
            for x0, y0, x1, y1 in s.guides:
                painter.drawLine(to_scene(x0, y0), to_scene(x1, y1))
                painter.drawEllipse(to_scene(x0, y0), 2.5 * k, 2.5 * k)
        pen = QPen(MARKER, 2.0)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.NoBrush)
        c = to_scene(*s.target) if s.target is not None else to_scene(*s.guides[-1][2:])
        r = 6 * k
        if s.kind in ("corner", "end"):
            painter.drawRect(QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r))
        elif s.kind == "mid":
            painter.drawPolygon(QPolygonF([c + QPointF(0, -r * 1.2), c + QPointF(r * 1.1, r * 0.8),
                                           c + QPointF(-r * 1.1, r * 0.8)]))
        elif s.kind == "centre":
            painter.drawEllipse(c, r, r)
        elif s.kind == "port":
            painter.drawEllipse(c, r, r)
            painter.drawLine(c + QPointF(-r, 0), c + QPointF(r, 0))
            painter.drawLine(c + QPointF(0, -r), c + QPointF(0, r))
        elif s.kind == "edge":
            painter.drawPolygon(QPolygonF([c + QPointF(-r, -r), c + QPointF(r, -r), c + QPointF(-r, r),
                                           c + QPointF(r, r)]))
        elif s.kind == "axis":
            painter.drawLine(c + QPointF(-r, -r), c + QPointF(r, r))
            painter.drawLine(c + QPointF(-r, r), c + QPointF(r, -r))
        text = self.describe(s)
        if text:
            painter.translate(c)
            painter.scale(k, k)
            f = QFont("DejaVu Sans", 8)
            painter.setFont(f)
            w = QFontMetricsF(f).horizontalAdvance(text) + 8
            box = QRectF(10, 8, w, 16)
            painter.fillRect(box, QColor(255, 255, 255, 225))
            painter.setPen(MARKER)
            painter.drawText(box, Qt.AlignCenter, text)
        painter.restore()
