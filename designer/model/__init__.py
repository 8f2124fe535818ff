"""Pydantic document types: Project, Site, Hall, Module, Rack, ... (no Qt, no solvers)."""

from designer.model.base import DModel, Id, Located, Placed, Point
from designer.model.catalog import Catalog, CatalogData
from designer.model.findings import Finding, Severity
from designer.model.hall import (
    AirUnit,
    Cdu,
    Containment,
    Feed,
    GridSettings,
    Hall,
    Junction,
    Module,
    Obstruction,
    Pipe,
    PortRef,
    Pump,
    Rack,
)
from designer.model.power import (
    Busway,
    BuswayTap,
    Cable,
    Pdu,
    PowerChain,
    PowerSource,
    Switchboard,
    Transformer,
    Ups,
)
from designer.model.project import (
    SCHEMA_VERSION,
    DataSource,
    Link,
    Project,
    Settings,
    Site,
    Workload,
)

__all__ = [
    "AirUnit", "Busway", "BuswayTap", "Cable", "Catalog", "CatalogData", "Cdu", "Containment",
    "DModel", "DataSource", "Feed", "Finding", "GridSettings", "Hall", "Id",
    "Junction", "Link", "Located", "Module", "Obstruction", "Pdu", "Pipe", "Placed", "Point",
    "PortRef", "PowerChain", "PowerSource", "Project", "Pump", "Rack", "SCHEMA_VERSION",
    "Settings", "Severity", "Site", "Switchboard", "Transformer", "Ups", "Workload",
]
