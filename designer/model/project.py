"""The project: sites with their halls, workloads, data sources and network links."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from designer.model.base import DModel, Id, Located
from designer.model.catalog import CatalogData
from designer.model.hall import Hall

SCHEMA_VERSION = 2

SiteKind = Literal["core", "industrial", "enterprise", "urban", "distributed"]


class Site(DModel):
    id: Id
    name: str = ""
    kind: SiteKind = "core"
    location: Located = Field(default_factory=lambda: Located(lat=0.0, lon=0.0))
    core_site_id: Id | None = None
    """The core site an edge site is tethered to (None for a core site)."""
    utility_capacity_kw: float = 2000.0
    cost_per_kw_month: float = 150.0
    """Fully loaded cost of hosting one kW of IT here, for placement."""
    hall: Hall = Field(default_factory=Hall)


class DataSource(DModel):
    """Where a workload's data is produced (a camera line, a city sensor grid, ...)."""

    id: Id
    name: str = ""
    location: Located
    site_id: Id | None = None
    """Set when the source sits at a site (on-premises data)."""
    access_delay_ms: float = 0.0
    """Delay of the access network at the source, e.g. a 5G radio link (0.5-1 ms)."""


class Link(DModel):
    """A network path between two places (sites or data sources), either way round.

    Route length is ``route_km`` when given, else the great-circle distance times
    ``route_factor`` (or the project default when that is None too).
    """

    id: Id
    a: Id
    b: Id
    route_km: float | None = None
    route_factor: float | None = None
    hops: int = 4
    per_hop_us: float = 50.0
    access_delay_ms: float = 0.0


class Workload(DModel):
    id: Id
    name: str = ""
    kind: str = "inference"
    latency_budget_ms: float = 10.0
    """Round trip, from the data source and back."""
    data_source_id: Id | None = None
    data_rate_gbps: float = 1.0
    it_power_kw: float = 10.0
    accelerators: int = 0
    """Accelerators (GPUs) it needs; placement counts them against the accelerators of the
    module's racks (0: needs none)."""
    rack_positions: int = 0
    """Rack positions it takes in the module that serves it; placement counts them against
    the module's rack positions (0: shares racks / not counted)."""
    needs_liquid: bool = False
    processing_ms: float = 1.0
    pinned_module_id: Id | None = None
    """Assigned by hand; None lets placement choose."""


class Settings(DModel):
    units: Literal["SI", "US"] = "SI"
    ashrae_class: Literal["A1", "A2", "A3", "A4", "H1"] = "A1"
    air_cell_m: float = 0.25
    velocity_limit_mps: float = 2.0
    min_cold_aisle_m: float = 1.2
    min_hot_aisle_m: float = 0.9
    fibre_us_per_km: float = 4.9
    default_route_factor: float = 1.5
    default_hops: int = 4
    default_hop_us: float = 50.0
    cable_standard: Literal["IEC 60364-5-52", "NEC 310.16"] = "IEC 60364-5-52"
    """Table the power analysis checks feeder ampacity against."""
    backhaul_cost_per_gbps_km: float = 0.05
    """Placement weight of data gravity: cost per (Gb/s x km) of backhaul per month."""


class RevisionEntry(DModel):
    """One line of a drawing's revision history (newest last)."""

    revision: str
    date: str = ""
    description: str = ""
    by: str = ""


class Project(DModel):
    schema_version: int = SCHEMA_VERSION
    name: str = "Untitled project"
    revision: str = "A"
    author: str = ""
    """Also the title block's "drawn by"."""
    checked_by: str = ""
    approved_by: str = ""
    revisions: list[RevisionEntry] = Field(default_factory=list)
    """Revision history shown in the title block of every drawing sheet."""
    description: str = ""
    settings: Settings = Field(default_factory=Settings)
    sites: list[Site] = Field(default_factory=list)
    data_sources: list[DataSource] = Field(default_factory=list)
    workloads: list[Workload] = Field(default_factory=list)
    links: list[Link] = Field(default_factory=list)
    catalog: CatalogData = Field(default_factory=lambda: CatalogData())
    """Project-specific catalog entries; they extend or override the shipped catalog."""
