"""A vertical section of the air along the front of a row of racks (issue 13, item 4).

The plan's heat map is one height; what decides a rack's inlet is often above or below it
(hot air over the rack tops, cold air from the tiles that does not reach the top). The
section is the model's field in the vertical plane half a cell in front of the row's intakes
(the cells the inlet sensors read), from just before the first rack to just past the last,
coloured on the plan's scale, with each rack's front drawn where it stands behind the plane.

:func:`row_line` finds the row and the line (plain geometry, tested without Qt);
:class:`SectionWindow` draws it (pyqtgraph) and follows new results while it is open.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPen
from PySide6.QtWidgets import QDialog, QGraphicsRectItem, QHBoxLayout, QLabel, QVBoxLayout

from designer.app.views.air import style as st
from designer.model.hall import Hall
from designer.solvers.air.grid import snap_quadrant
from designer.solvers.air.results import Section, SiteAir

ROW_GAP_M = 1.2
"""Racks facing the same way on the same line are one row while the gaps between them are
under this (a cross aisle or a door breaks the row)."""
END_M = 0.6
"""The section runs this far past the row's first and last rack (the row ends, where air
comes round)."""


@dataclass(frozen=True)
class RowRack:
    rack_id: str
    name: str
    s0: float
    """Start of the rack's front along the section, m."""
    s1: float
    height_m: float


@dataclass(frozen=True)
class RowLine:
    start: tuple[float, float]
    end: tuple[float, float]
    racks: tuple[RowRack, ...]
    offset_m: float
    """Distance of the plane in front of the racks' faces, m."""


def row_line(hall: Hall, rack_id: str, cell_m: float) -> RowLine | None:
    """The plan line in front of the row of ``rack_id`` (None: no such rack)."""
    by_id = {r.id: r for r in hall.racks}
    rack = by_id.get(rack_id)
    if rack is None:
        return None
    q, _ = snap_quadrant(rack.rotation_deg)
    th = math.radians(90.0 * q)
    d = np.array([-math.sin(th), math.cos(th)])  # the way the fronts face
    t = np.array([d[1], -d[0]])  # along the row
    c0 = np.array([rack.x, rack.y])
    face0 = 0.5 * rack.depth_m
    mates = []
    for r in hall.racks:
        if snap_quadrant(r.rotation_deg)[0] != q:
            continue
        rel = np.array([r.x, r.y]) - c0
        # same row: fronts on the same line (within a quarter of the rack's depth)
        if abs(float(rel @ d) + 0.5 * r.depth_m - face0) > 0.25 * max(rack.depth_m, 0.4):
            continue
        a = float(rel @ t)
        mates.append((a - 0.5 * r.width_m, a + 0.5 * r.width_m, r))
    mates.sort(key=lambda m: m[0])
    # the contiguous run holding the rack
    runs: list[list] = []
    for m in mates:
        if runs and m[0] - max(x[1] for x in runs[-1]) < ROW_GAP_M:
            runs[-1].append(m)
        else:
            runs.append([m])
    run = next(r for r in runs if any(m[2].id == rack_id for m in r))
    s_lo = min(m[0] for m in run) - END_M
    s_hi = max(m[1] for m in run) + END_M
    offset = 0.5 * cell_m
    base = c0 + (face0 + offset) * d
    start, end = base + s_lo * t, base + s_hi * t
    racks = tuple(RowRack(r.id, r.name or r.id, a0 - s_lo, a1 - s_lo, r.outer_height_m()) for a0, a1, r in run)
    return RowLine((float(start[0]), float(start[1])), (float(end[0]), float(end[1])), racks, offset)


def section_rgba(temperature_c: np.ndarray, scale: st.TemperatureScale) -> np.ndarray:
    """Colours of a section's cells on the plan's scale; solids and outside the hall grey."""
    t = np.asarray(temperature_c, dtype=float)
    nan = np.isnan(t)
    idx = np.rint(scale.fraction(np.where(nan, scale.centre, t)) * (st.LUT_SIZE - 1)).astype(int)
    rgba = st.LUT[idx].copy()
    rgba[nan] = (200, 200, 200, 255)
    return rgba


class SectionWindow(QDialog):
    """The section of one row, kept in step with the results while open (non-modal)."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Air: row section")
        self.setModal(False)
        self.resize(900, 420)
        self.title = QLabel("")
        self.title.setTextFormat(Qt.RichText)
        self.title.setWordWrap(True)
        self.readout = QLabel(" ")
        self.readout.setObjectName("air-section-readout")
        self.plot = pg.PlotWidget(background="w")
        self.plot.setAspectLocked(True)
        self.plot.setMenuEnabled(False)
        self.plot.getAxis("bottom").setLabel("along the row (m)")
        self.plot.getAxis("left").setLabel("height above the floor (m)")
        self.bar = pg.PlotWidget(background="w")
        self.bar.setFixedWidth(86)
        self.bar.setMenuEnabled(False)
        self.bar.setMouseEnabled(False, False)
        self.bar.hideAxis("bottom")
        self.bar.getAxis("left").setWidth(48)
        row = QHBoxLayout()
        row.addWidget(self.plot, 1)
        row.addWidget(self.bar)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addLayout(row, 1)
        lay.addWidget(self.readout)
        self.line: RowLine | None = None
        self.sec: Section | None = None
        self.z_faces: np.ndarray | None = None
        self.units = "metric"
        self._move = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._hover)

    # -- content -------------------------------------------------------------------------------
    def show_row(self, site_name: str, sa: SiteAir | None, line: RowLine | None, scale: st.TemperatureScale,
                 units: str) -> bool:
        """Draw the section of ``line`` from ``sa``'s field; False (and says why) when there is none."""
        self.units = units
        self.plot.clear()
        self.bar.clear()
        self.sec = None
        if line is None:
            self.title.setText("No row: select a rack to see the air along its row.")
            return False
        names = f"{html.escape(line.racks[0].name)}–{html.escape(line.racks[-1].name)}" if len(line.racks) > 1 \
            else html.escape(line.racks[0].name)
        if sa is None or not sa.solved or sa.field is None:
            self.title.setText(f"<b>Row {names}</b>, {html.escape(site_name)}: no air answer for this site "
                               "(see the findings), so no section.")
            return False
        f = sa.field
        sec = f.section(line.start, line.end)
        self.line, self.sec, self.z_faces = line, sec, np.asarray(f.z_faces_m)
        rgba = section_rgba(sec.temperature_c, scale)
        ds = float(sec.s_m[1] - sec.s_m[0]) if sec.s_m.size > 1 else f.cell_m
        s0, s1 = float(sec.s_m[0]) - 0.5 * ds, float(sec.s_m[-1]) + 0.5 * ds
        zf = self.z_faces
        for k in range(len(zf) - 1):  # layers are not evenly thick: one strip each
            img = pg.ImageItem()
            img.setImage(rgba[k][:, None, :], autoLevels=False, levels=(0, 255))  # (s, 1, rgba): x along s
            img.setRect(QRectF(s0, float(zf[k]), s1 - s0, float(zf[k + 1] - zf[k])))
            self.plot.addItem(img)
        pen = QPen(QColor(40, 40, 40))
        pen.setCosmetic(True)
        pen.setStyle(Qt.DashLine)
        for r in line.racks:
            box = QGraphicsRectItem(QRectF(r.s0, 0.0, r.s1 - r.s0, r.height_m))
            box.setPen(pen)
            self.plot.addItem(box)
            label = pg.TextItem(r.name, color=(30, 30, 30), anchor=(0.5, 1.0))
            label.setPos(0.5 * (r.s0 + r.s1), r.height_m)
            self.plot.addItem(label)
        self.plot.setRange(xRange=(s0, s1), yRange=(float(zf[0]), float(zf[-1])), padding=0.02)
        self._colour_bar(scale, units)
        t = sec.temperature_c
        hot = float(np.nanmax(t)) if np.isfinite(t).any() else float("nan")
        sym = st.temp_symbol(units)
        self.title.setText(
            f"<b>Row {names}</b>, {html.escape(site_name)}: the air {line.offset_m:.2f} m in front of the "
            f"intakes (half a {f.cell_m:g} m cell: what the inlet sensors read), racks dashed behind the plane. "
            f"Hottest here {st.temp(hot, units)} {sym}. Coarse-grid 3D model, not CFD.")
        return True

    def _colour_bar(self, scale: st.TemperatureScale, units: str) -> None:
        lut = st.LUT[np.linspace(0, st.LUT_SIZE - 1, 128).astype(int)]
        img = pg.ImageItem()
        img.setImage(lut[None, :, :], autoLevels=False, levels=(0, 255))  # (1, 128, rgba): y along the scale
        img.setRect(QRectF(0.0, 0.0, 1.0, 1.0))
        self.bar.addItem(img)
        ticks = [(float(scale.fraction(v)), st.temp(v, units, 0)) for v in
                 sorted({scale.lo, scale.centre, scale.hi, 0.5 * (scale.lo + scale.centre),
                         0.5 * (scale.centre + scale.hi)})]
        ax = self.bar.getAxis("left")
        ax.setTicks([ticks, []])
        ax.setLabel(st.temp_symbol(units))
        self.bar.setRange(xRange=(0, 1), yRange=(0, 1), padding=0)

    def value_at(self, s: float, z: float) -> float | None:
        """The section's temperature (degC) at ``s`` along it and height ``z`` (None off it)."""
        if self.sec is None or self.z_faces is None:
            return None
        zf = self.z_faces
        if not (zf[0] <= z <= zf[-1]):
            return None
        k = min(int(np.searchsorted(zf, z, side="right") - 1), len(zf) - 2)
        ss = self.sec.s_m
        ds = float(ss[1] - ss[0]) if ss.size > 1 else 1.0
        i = int(round((s - float(ss[0])) / ds))
        if not 0 <= i < ss.size:
            return None
        v = float(self.sec.temperature_c[k, i])
        return v if math.isfinite(v) else None

    def _hover(self, ev) -> None:
        pos = ev[0]
        if self.sec is None or not self.plot.sceneBoundingRect().contains(pos):
            return
        p = self.plot.getViewBox().mapSceneToView(pos)
        v = self.value_at(p.x(), p.y())
        sym = st.temp_symbol(self.units)
        where = f"{p.x():.2f} m along, {p.y():.2f} m up"
        self.readout.setText(f"{where}: {st.temp(v, self.units)} {sym}" if v is not None else f"{where}: –")
