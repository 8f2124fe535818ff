"""Air-side model of a hall: a coarse-grid 3D steady RANS model (pure numpy / scipy / pyamg).

Three steps, as every solver here:

* **build** (:mod:`.build`, :mod:`.mesh`, :mod:`.grid`): hall -> 3D mesh, solid cells, loss
  faces (tiles, grilles, panels, leaky floors and ceilings), ports (where racks and units
  exchange air with the room) and heat sources, with id <-> index lookups;
* **solve** (:mod:`.flow`, :mod:`.energy`): steady airflow with momentum, buoyancy and the
  indoor zero-equation turbulence model marched to steady state by pressure correction, then
  the exact steady temperature field with rack and unit coupling and capacity control;
* **results** (:mod:`.results`): frozen per-rack / per-unit results, slices and sections of
  the 3D field, indices (:mod:`.indices`) and findings.

:mod:`.engine` chains them and keeps reusable structure between runs. Why this method, and
how it compares with the OpenFOAM reference cases: see :mod:`.flow`.
"""

from designer.solvers.air.engine import AirParams, HallCache, HallSolution, solve_hall
from designer.solvers.air.results import (
    ASSUMPTIONS,
    HEADLINE,
    INLET_QUANTITY,
    AirField,
    AirIndices,
    AirResult,
    ContainmentAir,
    EnergyBalance,
    HeatMap,
    RackAir,
    Section,
    SiteAir,
    UnitAir,
    site_results,
)

__all__ = [
    "ASSUMPTIONS", "HEADLINE", "INLET_QUANTITY", "AirField", "AirIndices", "AirParams", "AirResult",
    "ContainmentAir", "EnergyBalance", "HallCache", "HallSolution", "HeatMap", "RackAir", "Section", "SiteAir",
    "UnitAir", "site_results", "solve_hall",
]
