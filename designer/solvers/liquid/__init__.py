"""Liquid-cooling loops: hydraulics (Global Gradient Algorithm) and heat balance.

Pure numpy / scipy; imports :mod:`designer.model` only. The pieces, in the order they run:

- :mod:`.fluids` coolant properties (water, PG25, PG40) against temperature;
- :mod:`.build` a site's hall -> :class:`~.build.LiquidSystem` (arrays + id maps);
- :mod:`.network`, :mod:`.elements`, :mod:`.pumps`, :mod:`.ggasolver` the hydraulic core;
- :mod:`.heat` and :mod:`.operate` the heat balance coupled with the hydraulics;
- :mod:`.solve` both operating states (normal, one pump down), :mod:`.results` and
  :mod:`.checks` the read-only results and the findings;
- :mod:`.balance` balancing-valve settings; :mod:`.peer` EPANET through WNTR (tests only).
"""

from designer.solvers.liquid.elements import SolverOptions
from designer.solvers.liquid.ggasolver import HydraulicSolution, solve
from designer.solvers.liquid.network import Network, NetworkBuilder
from designer.solvers.liquid.results import LiquidResults, ashrae_liquid_class
from designer.solvers.liquid.solve import solve_project, solve_site

__all__ = [
    "HydraulicSolution", "LiquidResults", "Network", "NetworkBuilder", "SolverOptions",
    "ashrae_liquid_class", "solve", "solve_project", "solve_site",
]
