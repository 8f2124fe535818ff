"""Where each kind of item lives in a project, and how to find an item by id.

Everything that has an id is an *item* held in one list of the project (``workloads``)
or of a site's hall (``hall.racks``, ``hall.power.ups``). This table is the single
place that knows those lists; edits, validation, the scene and exports all use it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from designer.model import hall as h
from designer.model import power as p
from designer.model.base import DModel
from designer.model.project import DataSource, Link, Project, Site, Workload


@dataclass(frozen=True)
class Collection:
    kind: str
    """Singular name of the item kind ("rack")."""
    scope: str
    """"project" or "hall"."""
    attrs: tuple[str, ...]
    """Attribute path from the project (scope project) or the hall (scope hall)."""
    type: type[DModel]
    prefix: str
    """Prefix for new ids."""
    label: str

    @property
    def json_attr(self) -> str:
        return ".".join(self.attrs)


COLLECTIONS: tuple[Collection, ...] = (
    Collection("site", "project", ("sites",), Site, "site", "Site"),
    Collection("data_source", "project", ("data_sources",), DataSource, "src", "Data source"),
    Collection("workload", "project", ("workloads",), Workload, "wl", "Workload"),
    Collection("link", "project", ("links",), Link, "link", "Link"),
    Collection("obstruction", "hall", ("obstructions",), h.Obstruction, "obs", "Obstruction"),
    Collection("containment", "hall", ("containments",), h.Containment, "cont", "Containment"),
    Collection("floor_tile", "hall", ("floor_tiles",), h.FloorTile, "tile", "Floor tile"),
    Collection("ceiling_grille", "hall", ("ceiling_grilles",), h.CeilingGrille, "grille", "Ceiling grille"),
    Collection("module", "hall", ("modules",), h.Module, "mod", "Module"),
    Collection("rack", "hall", ("racks",), h.Rack, "rack", "Rack"),
    Collection("air_unit", "hall", ("air_units",), h.AirUnit, "ahu", "Air unit"),
    Collection("cdu", "hall", ("cdus",), h.Cdu, "cdu", "CDU"),
    Collection("water_supply", "hall", ("water_supplies",), h.WaterSupply, "fw", "Facility water"),
    Collection("junction", "hall", ("junctions",), h.Junction, "j", "Junction"),
    Collection("pipe", "hall", ("pipes",), h.Pipe, "pipe", "Pipe"),
    Collection("source", "hall", ("power", "sources"), p.PowerSource, "src", "Power source"),
    Collection("transformer", "hall", ("power", "transformers"), p.Transformer, "tx", "Transformer"),
    Collection("switchboard", "hall", ("power", "switchboards"), p.Switchboard, "swb", "Switchboard"),
    Collection("ups", "hall", ("power", "ups"), p.Ups, "ups", "UPS"),
    Collection("pdu", "hall", ("power", "pdus"), p.Pdu, "pdu", "PDU"),
    Collection("busway", "hall", ("power", "busways"), p.Busway, "bw", "Busway"),
    Collection("tap", "hall", ("power", "taps"), p.BuswayTap, "tap", "Busway tap"),
    Collection("dimension", "hall", ("dimensions",), h.Dimension, "dim", "Dimension"),
)

BY_KIND: dict[str, Collection] = {c.kind: c for c in COLLECTIONS}
BY_TYPE: dict[type, Collection] = {c.type: c for c in COLLECTIONS}
HALL_COLLECTIONS = tuple(c for c in COLLECTIONS if c.scope == "hall")


def kind_of(item: DModel) -> str:
    return BY_TYPE[type(item)].kind


@dataclass(frozen=True)
class ItemLoc:
    """Where an item sits: its collection, its site (hall items) and index."""

    collection: Collection
    site_index: int | None
    index: int
    item: DModel

    @property
    def kind(self) -> str:
        return self.collection.kind

    @property
    def json_path(self) -> str:
        c = self.collection
        if c.scope == "project":
            return f"{c.json_attr}[{self.index}]"
        return f"sites[{self.site_index}].hall.{c.json_attr}[{self.index}]"


def container(project: Project, collection: Collection, site_index: int | None) -> list:
    """The list object that holds items of ``collection`` (in site ``site_index``)."""
    obj: object = project if collection.scope == "project" else project.sites[site_index].hall
    for a in collection.attrs:
        obj = getattr(obj, a)
    return obj  # type: ignore[return-value]


def hall_container(hall: h.Hall, collection: Collection) -> list:
    obj: object = hall
    for a in collection.attrs:
        obj = getattr(obj, a)
    return obj  # type: ignore[return-value]


def iter_items(project: Project) -> Iterator[ItemLoc]:
    """Every item of the project, with its location, in file order."""
    for c in COLLECTIONS:
        if c.scope == "project":
            for i, it in enumerate(container(project, c, None)):
                yield ItemLoc(c, None, i, it)
    for si, site in enumerate(project.sites):
        for c in HALL_COLLECTIONS:
            for i, it in enumerate(hall_container(site.hall, c)):
                yield ItemLoc(c, si, i, it)


def build_index(project: Project) -> dict[str, ItemLoc]:
    """Id -> location. With duplicate ids the first occurrence wins (validation reports)."""
    out: dict[str, ItemLoc] = {}
    for loc in iter_items(project):
        out.setdefault(loc.item.id, loc)  # type: ignore[attr-defined]
    return out


def new_id(prefix: str, taken: set[str] | dict) -> str:
    """The first free id ``prefix-N`` (N from 1)."""
    n = 1
    while f"{prefix}-{n}" in taken:
        n += 1
    return f"{prefix}-{n}"
