"""Air-side thermal screening model of a hall (pure numpy / scipy / shapely).

Three steps, as every solver here:

* **build** (:mod:`.build`, :mod:`.grid`): hall -> plan grid, solid cells, containment
  faces, air-unit supply / return cells, rack channels and heat sources, with id <-> index
  lookups;
* **solve** (:mod:`.flow`, :mod:`.temperature`, on the direct solver :mod:`.nd`): airflow as
  potential flow, then steady upwind advection-diffusion of temperature; arrays only;
* **results** (:mod:`.results`): frozen per-rack / per-unit results, indices (:mod:`.indices`)
  and findings.

:mod:`.engine` chains them and keeps reusable structure (factorisations) between runs.
The model is a screening tool: 2D, fully mixed over the height, no momentum; see
:data:`.results.ASSUMPTIONS`.
"""

from designer.solvers.air.engine import AirParams, HallCache, HallSolution, solve_hall
from designer.solvers.air.results import (
    ASSUMPTIONS,
    HEADLINE,
    AirIndices,
    AirResult,
    ContainmentAir,
    EnergyBalance,
    HeatMap,
    RackAir,
    SiteAir,
    UnitAir,
    site_results,
)

__all__ = [
    "ASSUMPTIONS", "HEADLINE", "AirIndices", "AirParams", "AirResult", "ContainmentAir", "EnergyBalance",
    "HallCache", "HallSolution", "HeatMap", "RackAir", "SiteAir", "UnitAir", "site_results", "solve_hall",
]
