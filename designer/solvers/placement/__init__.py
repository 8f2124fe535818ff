"""Workload placement: latency model, assignment, diagnosis and module recommendation.

Pure numpy / scipy / shapely over :mod:`designer.model`, in the three solver steps:

- build (:mod:`.latency`, :mod:`.build`): project -> latency table and the arrays of an
  :class:`~.problem.AssignmentProblem`;
- solve (:mod:`.assign` with :mod:`.relax`; :mod:`.recommend` with :mod:`.space`): arrays ->
  arrays, with ``scipy.optimize.milp`` / ``linprog``;
- results (:mod:`.diagnose`, :mod:`.results`): arrays -> frozen results keyed by item id,
  with a plain reason for every workload that cannot be placed.

:mod:`.synthetic` makes deterministic array instances for the benchmark and the tests.

:func:`solve_placement` runs the three for a project.
"""

from __future__ import annotations

from collections.abc import Mapping

from designer.model.findings import Finding
from designer.model.project import Project
from designer.solvers.placement.assign import AssignmentProblem, AssignmentSolution, solve_assignment
from designer.solvers.placement.build import CapacityOverride, PlacementInput, build_placement
from designer.solvers.placement.diagnose import Reason, diagnose
from designer.solvers.placement.latency import LatencyBreakdown, LatencyTable, Network, Route
from designer.solvers.placement.results import (
    ModuleLoad,
    PlacementResults,
    SiteTether,
    WorkloadPlacement,
    build_results,
    module_label,
)

__all__ = [
    "AssignmentProblem", "AssignmentSolution", "CapacityOverride", "LatencyBreakdown", "LatencyTable",
    "ModuleLoad", "Network", "PlacementInput", "PlacementResults", "Reason", "Route", "SiteTether",
    "WorkloadPlacement", "build_placement", "build_results", "diagnose", "solve_assignment",
    "solve_placement",
]


def solve_placement(project: Project, overrides: Mapping[str, object] | None = None, revision: int = 0,
                    network: Network | None = None, time_limit_s: float = 10.0,
                    ) -> tuple[PlacementResults, list[Finding]]:
    """Build, solve and report the placement of ``project``'s workloads.

    Parameters
    ----------
    project
        The design.
    overrides
        Module id -> :class:`CapacityOverride` (margins from the power or liquid analyses).
    revision
        Document revision stamped on the results.
    network
        A :class:`Network` to reuse (routes cached); built when None.
    time_limit_s
        Budget of the assignment solve.

    Returns
    -------
    (PlacementResults, list of Finding)
    """
    inp = build_placement(project, overrides, network)
    sol = solve_assignment(inp.problem, time_limit_s=time_limit_s)
    labels = [module_label(inp, j) for j in range(len(inp.modules))]
    reasons = diagnose(inp.problem, sol, labels, inp.latency)
    res, findings = build_results(project, inp, sol, reasons, revision)
    return res, (list(inp.checks.findings) if inp.checks is not None else []) + findings
