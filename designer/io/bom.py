"""Bill of materials: what to order, per site and in total, counted from the design.

Pieces are counted by catalog model (and by their rating where the model does not fix
it: tap-off boxes by breaker, pipes by bore). Lengths are metres measured on the plan:
busways along their drawn path, pipes from port to port through their vertices plus
their ``extra_length_m`` (the length the liquid analysis uses). Utility services are not
materials and are left out; generators are listed.

>>> bom = bill_of_materials(project)
>>> bom.rows[0].total
>>> write_bom_csv(bom, "bom.csv")
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from designer.model import hall as h
from designer.model.catalog import Catalog
from designer.model.project import Project, Site

CATEGORY_ORDER = ("Modules", "Racks", "Liquid cooling", "Air cooling", "Power", "Power distribution")
ITEM_ORDER = ("Module", "Rack", "CDU", "Pipe", "Pipe tee / manifold take-off", "CRAH", "In-row cooler",
              "Rear-door heat exchanger", "Generator", "Transformer", "Switchboard", "UPS", "UPS power module",
              "PDU", "RPP", "Busway", "Busway tap-off box")
"""Upstream to downstream within a category, the way an engineer reads a bill."""


@dataclass(frozen=True)
class BomRow:
    """One line of the bill: an item kind with its quantity per site."""

    category: str
    item: str
    catalog_model: str
    name: str
    unit: str
    """"pcs" or "m"."""
    per_site: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.per_site.values())

    def to_json(self) -> dict:
        return {"category": self.category, "item": self.item, "catalog_model": self.catalog_model,
                "name": self.name, "unit": self.unit, "per_site": dict(self.per_site), "total": self.total}


@dataclass(frozen=True)
class Bom:
    """The bill of materials of a project (or of some of its sites)."""

    site_ids: tuple[str, ...]
    site_names: tuple[str, ...]
    rows: tuple[BomRow, ...]

    def quantity(self, item: str, catalog_model: str = "", site_id: str | None = None) -> float:
        """Quantity of the rows with this item (and model), at one site or in total."""
        out = 0.0
        for r in self.rows:
            if r.item == item and (not catalog_model or r.catalog_model == catalog_model):
                out += r.total if site_id is None else r.per_site.get(site_id, 0.0)
        return out

    def to_json(self) -> dict:
        return {"sites": [{"id": i, "name": n} for i, n in zip(self.site_ids, self.site_names, strict=True)],
                "rows": [r.to_json() for r in self.rows]}

    def to_csv(self) -> str:
        """CSV text: item, catalog model, name, unit, one column per site, total. Text cells
        a spreadsheet would read as a formula are neutralised (see :func:`csv_text`)."""
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow([csv_text(c) for c in ("category", "item", "catalog_model", "name", "unit", *self.site_ids,
                                          "total")])
        for r in self.rows:
            w.writerow([*(csv_text(c) for c in (r.category, r.item, r.catalog_model, r.name, r.unit)),
                        *(_qty(r.per_site.get(s, 0.0), r.unit) for s in self.site_ids), _qty(r.total, r.unit)])
        return buf.getvalue()


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
"""First characters that make a spreadsheet read a cell as a formula (OWASP's list: = + - @
tab and carriage return; also line feed and the full-width forms some spreadsheets fold)."""


def csv_text(text: str) -> str:
    """A text cell that no spreadsheet runs as a formula: one starting with a formula
    character gets a leading apostrophe, as OWASP recommends ("=HYPERLINK(...)" is shown
    as the text "'=HYPERLINK(...)"). The CSV writer adds the quotes it needs."""
    text = str(text)
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    # line breaks as "\n", which the CSV writer quotes (it leaves a lone "\r" bare)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _qty(v: float, unit: str) -> str:
    if not math.isfinite(v):
        return ""
    if unit == "pcs":
        return str(int(round(v)))
    return f"{v:.1f}"


def polyline_length(points: Iterable[tuple[float, float]]) -> float:
    pts = list(points)
    return sum(math.dist(a, b) for a, b in zip(pts, pts[1:], strict=False))


def pipe_polylines(hall: h.Hall) -> list[list[tuple[float, float]]]:
    """Each pipe's polyline on the plan (in ``hall.pipes`` order): start port, drawn
    vertices, end port.

    An end naming no rack, CDU or junction is left out (the pipe keeps its vertices).
    """
    ports: dict[str, object] = {}
    for it in (*hall.racks, *hall.cdus, *hall.junctions):
        ports.setdefault(it.id, it)

    def end(ref: h.PortRef):
        it = ports.get(ref.item_id)
        if isinstance(it, h.Junction):
            return (it.x, it.y)
        if isinstance(it, (h.Rack, h.Cdu)):
            return it.port_position(ref.port if ref.port != "node" else "supply")
        return None

    return [[q for q in (end(pipe.start), *pipe.points, end(pipe.end)) if q is not None] for pipe in hall.pipes]


def pipe_lengths(hall: h.Hall) -> list[float]:
    """Each pipe's length in metres (ports and vertices on the plan, plus ``extra_length_m``)."""
    return [polyline_length(line) + max(pipe.extra_length_m, 0.0)
            for pipe, line in zip(hall.pipes, pipe_polylines(hall), strict=True)]


class _Counter:
    def __init__(self, catalog: Catalog | None) -> None:
        self.catalog = catalog
        self.rows: dict[tuple, dict] = {}

    def add(self, site: Site, category: str, item: str, model: str, name: str, qty: float = 1.0,
            unit: str = "pcs", variant: str = "") -> None:
        key = (category, item, model, variant, unit)
        row = self.rows.get(key)
        if row is None:
            entry = self.catalog.get(model) if (self.catalog is not None and model) else None
            row = self.rows[key] = {"name": (entry.name if entry is not None else name), "per_site": {}}
        row["per_site"][site.id] = row["per_site"].get(site.id, 0.0) + qty

    def placed(self, site: Site, category: str, item: str, it, spec: str) -> None:
        """One placed item: by catalog model, or by its own spec when it has none."""
        model = it.catalog_model or ""
        self.add(site, category, item, model, spec, variant="" if model else spec)


def _rack_spec(r: h.Rack) -> str:
    return f"Rack {r.height_u}U {r.width_m * 1000:.0f} x {r.depth_m * 1000:.0f} mm"


def _count_site(c: _Counter, site: Site) -> None:
    hall = site.hall
    for m in hall.modules:
        c.placed(site, "Modules", "Module", m, f"Module {m.form_factor} {m.width_m:g} x {m.depth_m:g} m, "
                                                f"{m.it_capacity_kw:g} kW IT")
    for r in hall.racks:
        c.placed(site, "Racks", "Rack", r, _rack_spec(r))
    for cd in hall.cdus:
        c.placed(site, "Liquid cooling", "CDU", cd, f"CDU {cd.capacity_kw:g} kW, {cd.pump.count} pumps")
    for d, length in _pipe_metres(hall).items():
        c.add(site, "Liquid cooling", "Pipe", "", f"Pipe, bore {d * 1000:.0f} mm", length, "m",
              variant=f"{d:.4f}")
    if hall.junctions:
        c.add(site, "Liquid cooling", "Pipe tee / manifold take-off", "", "Pipe tee / manifold take-off",
              len(hall.junctions))
    for u in hall.air_units:
        kind = {"crah": "CRAH", "inrow": "In-row cooler", "rear_door": "Rear-door heat exchanger"}[u.kind]
        c.placed(site, "Air cooling", kind, u, f"{kind} {u.capacity_kw:g} kW")
    pw = hall.power
    for s in pw.sources:
        if s.kind == "generator":
            c.add(site, "Power", "Generator", "", f"Generator {s.capacity_kva:g} kVA", variant=f"{s.capacity_kva:g}")
    for t in pw.transformers:
        c.placed(site, "Power", "Transformer", t, f"Transformer {t.rating_kva:g} kVA "
                                                  f"{t.primary_v / 1000:g}/{t.secondary_v / 1000:g} kV")
    for sb in pw.switchboards:
        c.placed(site, "Power", "Switchboard", sb, f"Switchboard {sb.rating_a:g} A")
    for u in pw.ups:
        c.placed(site, "Power", "UPS", u, f"UPS {u.module_count} x {u.module_kw:g} kW")
        c.add(site, "Power", "UPS power module", "", f"UPS power module {u.module_kw:g} kW",
              u.module_count, variant=f"{u.module_kw:g}")
    for d in pw.pdus:
        c.placed(site, "Power distribution", "PDU" if d.kind == "pdu" else "RPP", d,
                 f"{d.kind.upper()} {d.rating_kva:g} kVA")
    for b in pw.busways:
        spec = f"Busway {b.rating_a:g} A"
        c.add(site, "Power distribution", "Busway", b.catalog_model, spec, polyline_length(b.path), "m",
              variant="" if b.catalog_model else spec)
    for t in pw.taps:
        c.add(site, "Power distribution", "Busway tap-off box", "", f"Tap-off box {t.breaker_a:g} A",
              variant=f"{t.breaker_a:g}")


def _pipe_metres(hall: h.Hall) -> dict[float, float]:
    out: dict[float, float] = {}
    for pipe, length in zip(hall.pipes, pipe_lengths(hall), strict=True):
        d = round(pipe.diameter_m, 4)
        out[d] = out.get(d, 0.0) + length
    return dict(sorted(out.items()))


def bill_of_materials(project: Project, catalog: Catalog | None = None,
                      site_ids: Iterable[str] | None = None) -> Bom:
    """Count the design's materials.

    Parameters
    ----------
    project
        The design.
    catalog
        Used for the catalog names of the models; None leaves the names built from the
        items' own ratings.
    site_ids
        Only these sites (all when None).

    Returns
    -------
    Bom
        Rows in category order (modules, racks, liquid, air, power, distribution),
        quantities per site id.
    """
    wanted = None if site_ids is None else set(site_ids)
    sites = [s for s in project.sites if wanted is None or s.id in wanted]
    c = _Counter(catalog)
    for s in sites:
        _count_site(c, s)
    order = {k: i for i, k in enumerate(CATEGORY_ORDER)}
    item_order = {k: i for i, k in enumerate(ITEM_ORDER)}
    keyed = []
    for (cat, item, model, variant, unit), v in c.rows.items():
        row = BomRow(cat, item, model, v["name"], unit, dict(v["per_site"]))
        keyed.append(((order.get(cat, 99), item_order.get(item, 99), item, model, _numeric(variant), variant), row))
    keyed.sort(key=lambda kr: kr[0])
    rows = [r for _k, r in keyed]
    return Bom(tuple(s.id for s in sites), tuple(s.name or s.id for s in sites), tuple(rows))


def _numeric(variant: str) -> float:
    """Pipes by bore and taps by breaker sort by number, not as text."""
    try:
        return float(variant)
    except ValueError:
        return 0.0


def write_bom_csv(bom: Bom, path: str | os.PathLike) -> None:
    """Write the bill as CSV, atomically."""
    from designer.io.outputs import write_text_atomic

    write_text_atomic(path, bom.to_csv())
