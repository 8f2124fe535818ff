"""DXF in: an architect's drawing as a locked background under a hall, and the hall's
outline, columns and walls taken from closed polylines picked in it.

Reading (:func:`read_dxf`) keeps the drawing's own units and coordinates: every line,
polyline (bulges as arcs), arc, circle, ellipse and spline of the chosen layers, also those
inside blocks (inserts are exploded, nested blocks too), flattened to polylines within
:data:`FLATTEN_TOL_M`. Text, hatches, dimensions, points, images and the like are not
geometry to build on: they are counted and left out.

Placing (:func:`to_background`) converts to plan metres: ``(p - origin) x unit x scale``.
The unit comes from the file's ``$INSUNITS`` unless given; a drawing that does not say
its unit needs one (architects draw in mm, surveyors in m: guessing would be a 1,000 x
mistake).

Picking (:func:`closed_paths`, :func:`import_edit`): the outline is the largest closed
path of the outline layer (or a path chosen by index), columns and walls are closed paths
of their layers; they become the hall's outline and its obstructions, and the background
is stored with the hall. All of it is ONE undoable edit, built only after everything was
read and checked, so a bad or huge drawing raises :class:`DxfImportError` and leaves the
project as it was.
"""

from __future__ import annotations

import logging
import math
import os
from collections import Counter
from dataclasses import dataclass, field

from designer.model.hall import Background, BackgroundPath, Obstruction

MAX_BYTES = 64 * 1024 * 1024
"""Larger files are refused before reading."""
MAX_POINTS = 400_000
"""Most points kept from the chosen layers (a hall's plan has thousands; a whole building
with furniture and hatching can have millions: choose layers then)."""
MAX_BLOCK_DEPTH = 8
FLATTEN_TOL_M = 0.005
UNITS_M = {"mm": 0.001, "cm": 0.01, "m": 1.0, "in": 0.0254, "ft": 0.3048}
INSUNITS = {1: "in", 2: "ft", 4: "mm", 5: "cm", 6: "m"}
GEOMETRY = ("LINE", "LWPOLYLINE", "POLYLINE", "ARC", "CIRCLE", "ELLIPSE", "SPLINE")


class DxfImportError(Exception):
    """A drawing that cannot be imported; the message says why and what to do."""


@dataclass
class RawPath:
    layer: str
    points: list[tuple[float, float]]
    closed: bool


@dataclass
class DxfDrawing:
    """What :func:`read_dxf` found, in drawing units."""

    source: str
    units: str | None
    """From ``$INSUNITS``; None when the file does not say."""
    layers: dict[str, int]
    """Layer -> number of geometry entities on it (all layers, chosen or not)."""
    paths: list[RawPath] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)
    """Entity type -> how many were left out (text, hatches, ...)."""

    def extents(self) -> tuple[float, float, float, float]:
        xs = [p[0] for r in self.paths for p in r.points]
        ys = [p[1] for r in self.paths for p in r.points]
        return (min(xs), min(ys), max(xs), max(ys)) if xs else (0.0, 0.0, 0.0, 0.0)


def _open(path: str | os.PathLike):
    import ezdxf
    from ezdxf import recover

    name = os.fspath(path)
    try:
        size = os.path.getsize(name)
    except OSError as e:
        raise DxfImportError(f"{name}: cannot be read ({e.strerror or e})") from None
    if size > MAX_BYTES:
        raise DxfImportError(f"{name}: {size / 1e6:.0f} MB is more than the {MAX_BYTES / 1e6:.0f} MB a drawing may "
                             "have here; save only the floor plan's layers from the CAD program (e.g. WBLOCK)")
    quiet = logging.getLogger("ezdxf")
    level = quiet.level
    quiet.setLevel(logging.ERROR)  # recover mode logs each repair; the verdict below is what counts
    try:
        doc, auditor = recover.readfile(name)
    except (OSError, ezdxf.DXFError, ValueError, UnicodeDecodeError) as e:
        raise DxfImportError(f"{name}: not a readable DXF file ({type(e).__name__}: {e}); export the drawing "
                             "as DXF (R12 or later) from the CAD program") from None
    finally:
        quiet.setLevel(level)
    if auditor.has_errors:
        raise DxfImportError(f"{name}: the DXF is damaged ({len(auditor.errors)} unrecoverable errors); "
                             "open and save it again in the CAD program")
    return doc


def _flat(entity, tol: float) -> tuple[list[tuple[float, float]], bool] | None:
    from ezdxf import path as ezpath

    t = entity.dxftype()
    try:
        p = ezpath.make_path(entity)
    except (TypeError, ValueError):
        return None
    pts = [(float(v.x), float(v.y)) for v in p.flattening(distance=tol)]
    if len(pts) < 2:
        return None
    closed = (t == "CIRCLE") or bool(getattr(entity, "closed", False)) or \
        (t == "POLYLINE" and entity.is_closed) or (len(pts) > 3 and math.dist(pts[0], pts[-1]) <= tol)
    if closed and math.dist(pts[0], pts[-1]) <= tol and len(pts) > 1:
        pts = pts[:-1]
    return pts, closed


def read_dxf(path: str | os.PathLike, layers: list[str] | None = None, tol: float | None = None) -> DxfDrawing:
    """Read the model space of a DXF file (see the module doc).

    Parameters
    ----------
    path
        The DXF file.
    layers
        Only these layers (all when None); names are matched without regard to case.
    tol
        Flattening tolerance in drawing units; :data:`FLATTEN_TOL_M` in the file's unit
        (or 5 drawing units' thousandth when it has none) when None.

    Raises
    ------
    DxfImportError
        A missing, unreadable, damaged or too large file, unknown layers, or more than
        :data:`MAX_POINTS` points on the chosen layers.
    """
    doc = _open(path)
    code = int(doc.header.get("$INSUNITS", 0) or 0)
    units = INSUNITS.get(code)
    if tol is None:
        tol = FLATTEN_TOL_M / UNITS_M[units] if units else 0.005
    want = None if layers is None else {n.lower() for n in layers}
    names = {ly.dxf.name.lower(): ly.dxf.name for ly in doc.layers}
    if want is not None:
        unknown = sorted(n for n in layers if n.lower() not in names)
        if unknown:
            raise DxfImportError(f"no layer {', '.join(unknown)} in {os.fspath(path)}; its layers are: "
                                 f"{', '.join(sorted(names.values()))}")
    out = DxfDrawing(os.path.basename(os.fspath(path)), units, {})
    counts: Counter = Counter()
    skipped: Counter = Counter()
    n_points = 0

    def visit(entities, depth: int, layer_override: str | None = None) -> None:
        nonlocal n_points
        for e in entities:
            t = e.dxftype()
            layer = e.dxf.get("layer", "0")
            if layer == "0" and layer_override:
                layer = layer_override  # block content on layer 0 takes the insert's layer
            if t == "INSERT":
                if depth >= MAX_BLOCK_DEPTH:
                    skipped["INSERT (nested too deep)"] += 1
                    continue
                try:
                    visit(e.virtual_entities(), depth + 1, layer)
                except Exception as ex:  # a broken block: name it, keep the rest
                    skipped[f"INSERT ({type(ex).__name__})"] += 1
                continue
            if t not in GEOMETRY:
                skipped[t] += 1
                continue
            counts[layer] += 1
            if want is not None and layer.lower() not in want:
                continue
            flat = _flat(e, tol)
            if flat is None:
                skipped[f"{t} (degenerate)"] += 1
                continue
            n_points += len(flat[0])
            if n_points > MAX_POINTS:
                raise DxfImportError(
                    f"{os.fspath(path)}: more than {MAX_POINTS:,} points on the chosen layers; choose the layers "
                    f"of the floor plan only (layers: {', '.join(sorted(names.values()))})")
            out.paths.append(RawPath(layer, flat[0], flat[1]))

    visit(doc.modelspace(), 0)
    out.layers = dict(sorted(counts.items()))
    out.skipped = dict(sorted(skipped.items()))
    if not out.paths:
        raise DxfImportError(f"{os.fspath(path)}: no lines, polylines or curves on "
                             + ("the chosen layers" if want is not None else "any layer")
                             + (f" (found only: {', '.join(f'{n} {t}' for t, n in out.skipped.items())})"
                                if out.skipped else ""))
    return out


def to_background(drawing: DxfDrawing, units: str | None = None, scale: float = 1.0,
                  origin: tuple[float, float] = (0.0, 0.0)) -> Background:
    """The drawing in plan metres: ``(p - origin) x unit x scale`` (see the module doc)."""
    u = units or drawing.units
    if u is None:
        raise DxfImportError(f"{drawing.source} does not say its length unit ($INSUNITS is unset); "
                             f"give it: one of {', '.join(UNITS_M)}")
    if u not in UNITS_M:
        raise DxfImportError(f"unknown unit {u!r}; one of {', '.join(UNITS_M)}")
    if not (math.isfinite(scale) and scale > 0):
        raise DxfImportError(f"the scale must be a positive number, not {scale!r}")
    k = UNITS_M[u] * scale
    ox, oy = origin
    paths = [BackgroundPath(layer=r.layer, points=[((x - ox) * k, (y - oy) * k) for x, y in r.points],
                            closed=r.closed) for r in drawing.paths]
    xs = [p[0] for bp in paths for p in bp.points]
    ys = [p[1] for bp in paths for p in bp.points]
    if max(max(xs) - min(xs), max(ys) - min(ys)) > 5000.0:
        raise DxfImportError(f"{drawing.source}: the drawing spans {max(max(xs) - min(xs), max(ys) - min(ys)):,.0f} m "
                             f"in {u} at scale {scale:g}; is the unit right? (a hall is tens of metres)")
    return Background(source=drawing.source, units=u, scale=scale, origin=(ox, oy),
                      layers=sorted({bp.layer for bp in paths}), paths=paths)


def _area(pts) -> float:
    return abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True))) / 2.0


def closed_paths(bg: Background, layer: str | None = None) -> list[tuple[int, float]]:
    """(index, area in m2) of the background's closed paths (on ``layer``), largest first:
    the candidates to pick an outline, a column or a wall from."""
    out = [(i, _area(p.points)) for i, p in enumerate(bg.paths)
           if p.closed and len(p.points) >= 3 and (layer is None or p.layer.lower() == layer.lower())]
    return sorted(out, key=lambda t: -t[1])


@dataclass
class ImportPlan:
    """What an import will do (the edit, and an account of it)."""

    edit: object
    account: list[str]


def import_edit(project, site_id: str, bg: Background, outline: int | str | None = None,
                columns: list[int] | str | None = None, walls: list[int] | str | None = None) -> ImportPlan:
    """ONE edit that sets the site's background and, where asked, its outline and obstructions.

    ``outline``, ``columns`` and ``walls`` each name path indices (:func:`closed_paths`) or a
    layer (the largest closed path of it for the outline; all of them for columns / walls).
    """
    from designer.document.edits import AddItem, Composite, SetFields

    site = next((s for s in project.sites if s.id == site_id), None)
    if site is None:
        raise DxfImportError(f"no site {site_id!r} in the project; its sites are: "
                             f"{', '.join(s.id for s in project.sites) or 'none'}")

    def pick(sel, what: str, one: bool) -> list[int]:
        if sel is None:
            return []
        if isinstance(sel, str):
            found = [i for i, _a in closed_paths(bg, sel)]
            if not found:
                have = ", ".join(sorted({bg.paths[i].layer for i, _ in closed_paths(bg)})) or "none"
                raise DxfImportError(f"no closed polyline on layer {sel!r} for the {what}; layers with closed "
                                     f"polylines: {have}")
            return found[:1] if one else found
        idx = [sel] if isinstance(sel, int) else list(sel)
        for i in idx:
            if not (0 <= i < len(bg.paths)) or not bg.paths[i].closed or len(bg.paths[i].points) < 3:
                raise DxfImportError(f"path {i} is not a closed polyline of the drawing ({what})")
        return idx

    edits = [SetFields(site.id, {"hall.background": bg}, label="Set background drawing")]
    account = [f"background: {bg.source}, {len(bg.paths)} paths on {len(bg.layers)} layers "
               f"({bg.units}, scale {bg.scale:g}), locked"]
    out_idx = pick(outline, "outline", True)
    if out_idx:
        pts = [tuple(p) for p in bg.paths[out_idx[0]].points]
        if _signed_area(pts) < 0:
            pts.reverse()
        edits.append(SetFields(site.id, {"hall.outline": pts}, label="Hall outline from the drawing"))
        account.append(f"outline: path {out_idx[0]} ({bg.paths[out_idx[0]].layer}), {_area(pts):.1f} m2, "
                       f"{len(pts)} corners")
    taken = {o.id for s in project.sites for o in s.hall.obstructions}
    n = 0
    for kind, sel in (("column", columns), ("wall", walls)):
        idx = pick(sel, f"{kind}s", False)
        for i in idx:
            n += 1
            while f"{site.id}.obs{n}" in taken:
                n += 1
            oid = f"{site.id}.obs{n}"
            taken.add(oid)
            edits.append(AddItem("obstruction", Obstruction(id=oid, kind=kind, polygon=[tuple(p) for p in
                                                                                    bg.paths[i].points]),
                                 site.id))
        if idx:
            account.append(f"{kind}s: {len(idx)} from the drawing")
    return ImportPlan(Composite(edits, f"Import {bg.source}"), account)


def _signed_area(pts) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(pts, pts[1:] + pts[:1], strict=True)) / 2.0
