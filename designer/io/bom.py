"""Bill of materials: what to order, per site and in total, counted from the design.

Pieces are counted by catalog model (and by their rating where the model does not fix
it: tap-off boxes by breaker, pipes by bore). Lengths are metres measured on the plan:
busways along their drawn path, pipes from port to port through their vertices plus
their ``extra_length_m`` (the length the liquid analysis uses); feeder cables and rack
cords with the lengths the power analysis uses (routed on the plan or as entered), by
conductor size and by cord kind and breaker. Containment is counted as panel area (the
part of the aisle's boundary not lined by racks, to the roof or the ceiling, plus the roof).
Utility services are not materials and are left out; generators are listed.

Lengths are rounded up to 0.1 m per site (what is ordered), and the total is the sum of
those site quantities, so the columns of the bill add up exactly.

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

CATEGORY_ORDER = ("Modules", "Racks", "Liquid cooling", "Air cooling", "Power", "Power distribution", "Cables")
ITEM_ORDER = ("Module", "Rack", "CDU", "Pipe", "Pipe tee / manifold take-off", "Balancing valve", "CRAH",
              "In-row cooler", "Rear-door heat exchanger", "Containment panels", "Containment roof",
              "Perforated floor tile", "Ceiling return grille", "Generator", "Transformer", "Switchboard", "UPS",
              "UPS power module", "PDU", "RPP", "Busway", "Busway tap-off box", "Feeder cable", "Rack power cord")
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
        """The sum of the site quantities (already rounded to what is ordered, so the
        printed columns add up)."""
        return round(sum(self.per_site.values()), 6)

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
    for r in hall.racks:
        if r.valve_k is not None:
            c.add(site, "Liquid cooling", "Balancing valve", "", "Rack balancing valve (set per the liquid analysis)")
    _containment(c, site)
    for t in hall.floor_tiles:
        c.add(site, "Air cooling", "Perforated floor tile", "", f"Floor tile {t.width_m * 1000:.0f} x "
              f"{t.depth_m * 1000:.0f} mm, {t.open_fraction:.0%} open", variant=f"{t.open_fraction:.3f}")
    for g in hall.ceiling_grilles:
        c.add(site, "Air cooling", "Ceiling return grille", "", f"Ceiling grille {g.width_m * 1000:.0f} x "
              f"{g.depth_m * 1000:.0f} mm", variant=f"{g.width_m:.3f}x{g.depth_m:.3f}")
    _cables(c, site)


def _lined_length(ring: list[tuple[float, float]], boxes: list) -> float:
    """Length of the closed ``ring`` lined by ``boxes`` (within 5 cm of a side): per side,
    the union of the boxes' extents projected along it."""
    from shapely.geometry import LineString

    total = 0.0
    n = len(ring)
    for i in range(n):
        a, b = ring[i], ring[(i + 1) % n]
        length = math.dist(a, b)
        if length <= 0:
            continue
        ux, uy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
        side = LineString([a, b])
        spans = []
        for g in boxes:
            if g.distance(side) > 0.05:
                continue
            t = [(x - a[0]) * ux + (y - a[1]) * uy for x, y in g.exterior.coords]
            lo, hi = max(min(t), 0.0), min(max(t), length)
            if hi > lo:
                spans.append((lo, hi))
        spans.sort()
        end = 0.0
        for lo, hi in spans:
            lo = max(lo, end)
            if hi > lo:
                total += hi - lo
                end = hi
    return total


def _containment(c: _Counter, site: Site) -> None:
    """Panel area of each contained aisle: its boundary less the rack faces lining it, up to
    the roof (or to the ceiling, where the racks' tops are panelled too), and the roof."""
    from shapely.geometry import Polygon, box

    hall = site.hall
    racks = [(box(r.x - r.width_m / 2, r.y - r.depth_m / 2, r.x + r.width_m / 2, r.y + r.depth_m / 2)
              if abs(math.sin(math.radians(r.rotation_deg))) < 0.7 else
              box(r.x - r.depth_m / 2, r.y - r.width_m / 2, r.x + r.depth_m / 2, r.y + r.width_m / 2), r)
             for r in hall.racks]
    for ct in hall.containments:
        if len(ct.polygon) < 3:
            continue
        poly = Polygon(ct.polygon)
        if not poly.is_valid or poly.area <= 0:
            continue
        edge = poly.exterior
        lining = [(g, r) for g, r in racks if g.distance(edge) <= 0.05]
        lined_len = _lined_length([tuple(p) for p in ct.polygon], [g for g, _ in lining])
        rack_h = max((r.outer_height_m() for _g, r in lining), default=2.0)
        top = ct.height_m if ct.height_m is not None else rack_h
        if ct.top == "ceiling":
            top = hall.height_m
        area = (edge.length - lined_len) * top + lined_len * max(top - rack_h, 0.0)
        what = f"{ct.kind}-aisle"
        c.add(site, "Air cooling", "Containment panels", "", f"Containment panels and doors, {what}", area, "m2",
              variant=what)
        if ct.top == "roof":
            c.add(site, "Air cooling", "Containment roof", "", f"Containment roof panels, {what}", poly.area, "m2",
                  variant=what)


def _cables(c: _Counter, site: Site) -> None:
    """Feeder cables and rack cords, with the lengths the power analysis uses."""
    from designer.solvers.power.network import PHASES, build_network

    net = build_network(site.hall, site.id)
    if not net.n_bus:
        return
    for i, it in enumerate(net.items):
        cab = getattr(it, "feeder", None)
        b = int(net.item_entry[i]) if i < len(net.item_entry) else -1
        if cab is None or b < 0:
            continue
        sets = max(cab.parallel_sets, 1)
        for upstream, length in ((net.parent[b], net.feeder_len_m[b]), (net.alt[b], net.alt_len_m[b])):
            if upstream < 0 or not length > 0:
                continue
            if cab.conductor_mm2:
                name, variant = f"Feeder cable, {cab.conductor_mm2:g} mm2 Cu per conductor", f"{cab.conductor_mm2:g}"
            else:
                name, variant = (f"Feeder cable, {cab.r_ohm_per_km:g} ohm/km per conductor (not sized)",
                                 f"r{cab.r_ohm_per_km:g}")
            c.add(site, "Cables", "Feeder cable", "", name + (" (all parallel sets)" if sets > 1 else ""),
                  float(length) * sets, "m", variant=variant)
    for k in range(len(net.cord_bus)):
        length = float(net.cord_len_m[k])
        if not length > 0:
            continue
        three = PHASES[int(net.cord_phase[k])] == "3P"
        brk = float(net.cord_breaker_a[k])
        c.add(site, "Cables", "Rack power cord", "", f"Rack power cord, {'three' if three else 'single'}-phase, "
              f"{brk:g} A", length, "m", variant=f"{'3' if three else '1'}P{brk:g}")


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
        per_site = {k: (q if unit == "pcs" else order_up(q)) for k, q in v["per_site"].items()}
        row = BomRow(cat, item, model, v["name"], unit, per_site)
        keyed.append(((order.get(cat, 99), item_order.get(item, 99), item, model, _numeric(variant), variant), row))
    keyed.sort(key=lambda kr: kr[0])
    rows = [r for _k, r in keyed]
    return Bom(tuple(s.id for s in sites), tuple(s.name or s.id for s in sites), tuple(rows))


def order_up(v: float) -> float:
    """A length or area to order: rounded up to 0.1 (a float that prints as it reads)."""
    return math.ceil(round(v * 10.0, 6)) / 10.0


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
