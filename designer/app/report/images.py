"""SVG and PNG of a site's plan view: the plan sheet (scale bar, legend, title block) on its
own canvas, drawn to a standard scale at :data:`~designer.app.report.paint.DPI` dots per
inch, so a printout at that resolution is to scale."""

from __future__ import annotations

import datetime as _dt
import os

from PySide6.QtCore import QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from designer.app.report.paint import DPI, mm
from designer.app.report.plan import SheetInfo, draw_plan_sheet, hall_bounds, plan_scene, px_per_m
from designer.model.project import Project

MAX_PX = 4000
"""Images are kept below this many pixels wide by choosing a smaller scale."""
SCALES = (50, 100, 200, 250, 500, 1000, 2000)


def _site(project: Project, site_id: str | None):
    if site_id is None:
        if not project.sites:
            raise ValueError("the project has no site to draw")
        return project.sites[0]
    for s in project.sites:
        if s.id == site_id:
            return s
    raise ValueError(f"no site {site_id!r} in the project (sites: {', '.join(s.id for s in project.sites)})")


def _layout(project: Project, site_id: str, scale: int | None) -> tuple[int, QSize, QRectF]:
    b = hall_bounds(project, site_id)
    if scale is None:
        scale = next((s for s in SCALES if b.width() * px_per_m(s) <= MAX_PX and b.height() * px_per_m(s) <= MAX_PX),
                     SCALES[-1])
    k = px_per_m(scale)
    margin = mm(8)
    # what draw_plan_sheet reserves around the drawing: dimension band, panel, scale bar
    w = b.width() * k + mm(14) + mm(8) + mm(70) + 2 * margin + mm(2)
    h = max(b.height() * k + mm(14) + mm(16) + mm(4), mm(185)) + 2 * margin
    size = QSize(int(w + 0.5), int(h + 0.5))
    return scale, size, QRectF(margin, margin, size.width() - 2 * margin, size.height() - 2 * margin)


def _paint(p: QPainter, project: Project, site, results, scale: int, rect: QRectF, date: str | None) -> None:
    scene = plan_scene(project, site.id, results)
    info = SheetInfo.of_project(project, project=project.name, site=site.name or site.id,
                                revision=project.revision, date=date or _dt.date.today().isoformat(),
                                paper=f"{DPI} dpi", dimensions=[("Hall", f"{hall_bounds(project, site.id).width():.2f} m x "
                                          f"{hall_bounds(project, site.id).height():.2f} m")],
                                drawing=f"Floor plan of site {site.id}, all systems")
    draw_plan_sheet(p, rect, scene, hall_bounds(project, site.id), info, scale)
    scene.clear()


def write_plan_svg(project: Project, path: str | os.PathLike, site_id: str | None = None,
                   results: dict | None = None, scale: int | None = None, date: str | None = None) -> int:
    """Write the plan of one site (the first when None) as SVG, atomically. Returns the scale."""
    from designer.io.outputs import atomic_output, complete_svg

    site = _site(project, site_id)
    scale, size, rect = _layout(project, site.id, scale)
    with atomic_output(path, verify=complete_svg) as tmp:
        gen = QSvgGenerator()
        gen.setFileName(str(tmp))
        gen.setSize(size)
        gen.setViewBox(QRect(0, 0, size.width(), size.height()))
        gen.setResolution(DPI)
        gen.setTitle(f"{project.name}: {site.name or site.id} floor plan")
        gen.setDescription(f"Floor plan at 1:{scale} ({DPI} dpi), Data Hall Designer")
        p = QPainter(gen)
        if not p.isActive():
            raise OSError(f"cannot write {path}")
        try:
            p.fillRect(QRectF(0, 0, size.width(), size.height()), Qt.white)
            _paint(p, project, site, results, scale, rect, date)
        finally:
            p.end()
    return scale


def plan_image(project: Project, site_id: str | None = None, results: dict | None = None,
               scale: int | None = None, date: str | None = None) -> tuple[QImage, int]:
    """The plan sheet of one site as an image, and its scale."""
    site = _site(project, site_id)
    scale, size, rect = _layout(project, site.id, scale)
    img = QImage(size, QImage.Format_ARGB32)
    img.fill(QColor("white"))
    dpm = int(round(DPI / 0.0254))
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    p = QPainter(img)
    try:
        _paint(p, project, site, results, scale, rect, date)
    finally:
        p.end()
    return img, scale


def write_plan_png(project: Project, path: str | os.PathLike, site_id: str | None = None,
                   results: dict | None = None, scale: int | None = None, date: str | None = None) -> int:
    """Write the plan of one site as PNG, atomically. Returns the scale."""
    img, scale = plan_image(project, site_id, results, scale, date)
    save_png(img, path)
    return scale


def save_png(img, path: str | os.PathLike) -> None:
    """Save a QImage or QPixmap as PNG through the atomic writer (checked complete)."""
    from designer.io.outputs import OutputError, atomic_output, complete_png

    with atomic_output(path, verify=complete_png) as tmp:
        if not img.save(str(tmp), "PNG"):
            raise OutputError(f"{path}: the PNG could not be written (is the disk full?); "
                              "the previous file, if any, was kept")
