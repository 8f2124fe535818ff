"""The heat map as one graphics item: the temperature field as an image, one pixel per cell,
drawn scaled to the hall in metres.

Why not a plain ``QGraphicsPixmapItem``: setting a new pixmap repaints the item's whole
area, and on a 1,000-rack plan a full repaint costs about 90 ms (every rack, pipe, busway and
badge above the map is drawn again). While the user drags, a new coarse field arrives up to
five times a second, but moving one rack changes the colours of only a part of the hall. This
item compares the new colour indices with the old ones and repaints only the tiles whose
colours visibly changed (plus a cell of margin for the smoothing).
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem

from designer.app.views.air import style as st

NAN_INDEX = st.LUT_SIZE
"""Colour index of cells with no air temperature (transparent)."""
_LUT_NAN = np.vstack([st.LUT, np.zeros((1, 4), dtype=np.uint8)])
MIN_STEPS = 2
"""Colour steps (of 256 over the scale, 0.1 K each on the A1 scale) a cell must change by to be
repainted at once. Moving a rack shifts the whole potential flow a little: one-step changes
are scattered over the hall and invisible; two-step ones sit around the rack that moved."""
TILE = 8
"""Cells per side of a repaint tile."""
MAX_TILES = 40


class HeatMapItem(QGraphicsItem):
    """Item coordinates are scene coordinates (metres, y down); the item stays at (0, 0)."""

    def __init__(self) -> None:
        super().__init__()
        self.image = QImage()
        self.index: np.ndarray | None = None
        """Colour index per image pixel (rows top-down as drawn), NAN_INDEX where transparent."""
        self.geometry: tuple | None = None
        """(x0, y0, cell_m, nx, ny) of the field shown."""
        self.rect = QRectF()
        self.smooth = True
        self.last_dirty = QRectF()
        """Scene rectangle the last update repainted (empty: nothing changed)."""
        self.setAcceptedMouseButtons(Qt.NoButton)
        self.setFlag(QGraphicsItem.ItemIsSelectable, False)

    # -- data -----------------------------------------------------------------------------------
    def set_field(self, temperature_c: np.ndarray, x0: float, y0: float, cell_m: float,
                  scale: st.TemperatureScale) -> QRectF:
        """Show a new field; repaint only what changed. Returns the scene rectangle repainted."""
        t = np.asarray(temperature_c, dtype=float)[::-1]  # image rows run top-down: highest y first
        ny, nx = t.shape
        nan = np.isnan(t)
        idx = np.rint(scale.fraction(np.where(nan, scale.centre, t)) * (st.LUT_SIZE - 1)).astype(np.int16)
        idx[nan] = NAN_INDEX
        geom = (x0, y0, cell_m, nx, ny)
        tiles: list[QRectF] | None = None
        self._set_image(idx, nx, ny)
        if self.index is not None and geom == self.geometry:
            # compare with what was last repainted, so small changes that add up are not lost
            tiles, painted = self._changed_tiles(idx, x0, y0, cell_m, nx, ny)
            self.index = np.where(painted, idx, self.index)
            if not tiles:
                self.last_dirty = QRectF()
                return self.last_dirty
        else:
            self.index = idx
        if geom != self.geometry or tiles is None:
            self.prepareGeometryChange()
            self.geometry = geom
            self.rect = QRectF(x0, -(y0 + ny * cell_m), nx * cell_m, ny * cell_m)
            tiles = [QRectF(self.rect)]
        dirty = QRectF()
        for r in tiles:
            self.update(r)
            dirty = dirty.united(r)
        self.last_dirty = dirty
        return dirty

    def _set_image(self, idx: np.ndarray, nx: int, ny: int) -> None:
        rgba = np.ascontiguousarray(_LUT_NAN[idx])
        self.image = QImage(rgba.data, nx, ny, nx * 4, QImage.Format_RGBA8888).copy()

    def _changed_tiles(self, idx, x0, y0, cell_m, nx, ny) -> tuple[list[QRectF], np.ndarray]:
        """Scene rectangles of the tiles with a visible change (a colour step of 2 or more, or a
        cell turning solid or open), one cell of margin each for the smoothing, or one box
        around them all when there are many; and the mask of cells they repaint."""
        old = self.index
        nan_new, nan_old = idx == NAN_INDEX, old == NAN_INDEX
        sig = (nan_new != nan_old) | (~nan_new & ~nan_old & (np.abs(idx - old) >= MIN_STEPS))
        painted = np.zeros(idx.shape, dtype=bool)
        if not sig.any():
            return [], painted
        T = TILE
        pad = np.zeros((-(-ny // T) * T, -(-nx // T) * T), dtype=bool)
        pad[:ny, :nx] = sig
        tj, ti = np.nonzero(pad.reshape(pad.shape[0] // T, T, pad.shape[1] // T, T).any(axis=(1, 3)))
        top = -(y0 + ny * cell_m)
        if len(tj) > MAX_TILES:  # the view would merge them into one box anyway
            spans = [(tj.min() * T, (tj.max() + 1) * T, ti.min() * T, (ti.max() + 1) * T)]
        else:
            spans = [(j * T, (j + 1) * T, i * T, (i + 1) * T) for j, i in zip(tj.tolist(), ti.tolist(), strict=True)]
        rects = []
        for r0, r1, c0, c1 in spans:
            r0, r1, c0, c1 = max(0, r0 - 1), min(ny, r1 + 1), max(0, c0 - 1), min(nx, c1 + 1)
            painted[r0:r1, c0:c1] = True
            rects.append(QRectF(x0 + c0 * cell_m, top + r0 * cell_m, (c1 - c0) * cell_m, (r1 - r0) * cell_m))
        return rects, painted

    def clear_field(self) -> None:
        self.prepareGeometryChange()
        self.image = QImage()
        self.index = None
        self.geometry = None
        self.rect = QRectF()

    def pixel_of(self, x: float, y: float) -> tuple[int, int] | None:
        """Image column and row of a plan point (model metres), or None off the image."""
        if self.geometry is None:
            return None
        x0, y0, c, nx, ny = self.geometry
        i = int(np.floor((x - x0) / c))
        j = ny - 1 - int(np.floor((y - y0) / c))
        return (i, j) if 0 <= i < nx and 0 <= j < ny else None

    # -- QGraphicsItem ----------------------------------------------------------------------------
    def boundingRect(self) -> QRectF:  # noqa: N802
        return self.rect

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.image.isNull():
            return
        painter.setRenderHint(QPainter.SmoothPixmapTransform, self.smooth)
        painter.drawImage(self.rect, self.image)
