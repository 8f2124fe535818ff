"""Build step: project -> the arrays of an assignment problem, with id <-> index lookups.

Candidate modules are the hall modules with ``it_capacity_kw > 0`` and
``rack_positions > 0``. Their capacities:

- power: ``it_capacity_kw``;
- cooling: ``cooling_capacity_kw`` (all IT power ends up as heat); a rating of 0 means "not
  given" and does not limit;
- liquid: what ``needs_liquid`` workloads may take; modules with ``cooling`` "liquid" or
  "hybrid" can serve them (their liquid capacity defaults to the cooling capacity), other
  cooling types cannot (liquid capacity 0);
- rack positions: ``rack_positions``, or the racks drawn in the module (``Rack.module_id``)
  when there are more of them; a workload takes its ``Workload.rack_positions``;
- accelerators: the sum of ``Rack.accelerators`` over the racks drawn in the module; a
  module none of whose racks declares any (files from before accelerators were counted, or
  a module drawn without racks) is not limited by them, and placement says so when a
  workload needs accelerators. A workload takes its ``Workload.accelerators``.

The kW capacities are the module's ratings: the racks' own ``it_load_kw`` is not subtracted
(workloads are what runs in the racks). Other analyses can pass their margins in as
:class:`CapacityOverride` values, which *replace* the ratings they name.

Cost per month of serving workload ``w`` from module ``m`` at site ``s``::

    cost = Site.cost_per_kw_month x it_power_kw                       (hosting)
         + Settings.backhaul_cost_per_gbps_km x data_rate_gbps x route_km   (data gravity)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from designer.model.hall import Module, Rack
from designer.model.project import Project, Site, Workload
from designer.solvers.placement.inputs import PlacementChecks, check
from designer.solvers.placement.latency import LatencyTable, Network, latency_table
from designer.solvers.placement.problem import FREE, PINNED_INVALID, AssignmentProblem

LIQUID_COOLING = ("liquid", "hybrid")
"""Module cooling types that can serve a ``needs_liquid`` workload."""


@dataclass(frozen=True)
class CapacityOverride:
    """Capacity of one module from another analysis; None keeps the rating.

    ``note`` says where the figure comes from ("power: UPS-A at 80 % continuous").
    """

    power_kw: float | None = None
    cooling_kw: float | None = None
    liquid_kw: float | None = None
    rack_positions: float | None = None
    accelerators: float | None = None
    note: str = ""


def as_override(v) -> CapacityOverride:
    """Accept a :class:`CapacityOverride` or a plain dict with the same keys."""
    return v if isinstance(v, CapacityOverride) else CapacityOverride(**dict(v))


def candidate_modules(project: Project) -> list[tuple[Site, Module]]:
    """Modules that can host workloads (IT capacity and rack positions), in file order."""
    return [(s, m) for s in project.sites for m in s.hall.modules
            if m.it_capacity_kw > 0 and m.rack_positions > 0]


def module_capacity(m: Module, racks: Sequence[Rack] = ()) -> tuple[float, float, float, float, float]:
    """Capacity of a module for placement (inf = not limiting): power, cooling and liquid in
    kW from its ratings, rack positions and accelerators from its ``racks`` (those drawn in
    it) and its positions (see the module docstring)."""
    cool = m.cooling_capacity_kw if m.cooling_capacity_kw > 0 else np.inf
    liquid = cool if m.cooling in LIQUID_COOLING else 0.0
    positions = max(count_value(m.rack_positions), float(len(racks)))
    acc = [count_value(r.accelerators) for r in racks]
    accelerators = float(sum(acc)) if any(a > 0 for a in acc) else np.inf
    return float(m.it_capacity_kw), float(cool), float(liquid), positions, accelerators


def count_value(v) -> float:
    """A count as placement uses it: whole numbers of 0 or more as they are, anything else
    (negative, fractional, not a number: an input error, reported) as 0."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) and f >= 0 and f == int(f) else 0.0


def racks_by_module(project: Project) -> dict[str, list[Rack]]:
    """Module id -> the racks drawn in it (``Rack.module_id``)."""
    out: dict[str, list[Rack]] = {}
    for s in project.sites:
        for r in s.hall.racks:
            if r.module_id is not None:
                out.setdefault(r.module_id, []).append(r)
    return out


def cost_matrices(workloads: Sequence[Workload], price_per_kw: np.ndarray, route_km: np.ndarray,
                  backhaul_cost_per_gbps_km: float) -> tuple[np.ndarray, np.ndarray]:
    """(hosting, backhaul) cost per month, each (W, C)."""
    p = _nonneg_array([w.it_power_kw for w in workloads])
    r = _nonneg_array([w.data_rate_gbps for w in workloads])
    backhaul_cost_per_gbps_km = max(float(backhaul_cost_per_gbps_km), 0.0)
    hosting = p[:, None] * price_per_kw[None, :]
    backhaul = backhaul_cost_per_gbps_km * r[:, None] * route_km
    return hosting, backhaul


@dataclass(frozen=True)
class PlacementInput:
    """Everything the solve and results steps need, with the id <-> index lookups."""

    problem: AssignmentProblem
    latency: LatencyTable
    hosting_cost: np.ndarray
    backhaul_cost: np.ndarray
    workloads: tuple[Workload, ...]
    modules: tuple[Module, ...]
    module_sites: tuple[Site, ...]
    network: Network
    pin_errors: dict[int, str] = field(default_factory=dict)
    """Workload index -> why its pin cannot be honoured."""
    override_notes: dict[int, str] = field(default_factory=dict)
    input_errors: dict[int, str] = field(default_factory=dict)
    """Workload index -> the input error that keeps it out of placement (see :mod:`.inputs`)."""
    checks: PlacementChecks | None = None
    """The input checks (their findings lead the placement's findings)."""

    @property
    def workload_index(self) -> dict[str, int]:
        return {w.id: i for i, w in enumerate(self.workloads)}

    @property
    def module_index(self) -> dict[str, int]:
        return {m.id: i for i, m in enumerate(self.modules)}


def build_placement(project: Project, overrides: Mapping[str, object] | None = None,
                    network: Network | None = None) -> PlacementInput:
    """Model -> arrays for :func:`~designer.solvers.placement.assign.solve_assignment`.

    Parameters
    ----------
    project
        The design.
    overrides
        Module id -> :class:`CapacityOverride` (or a dict of its fields).
    network
        A prebuilt :class:`Network` to reuse (it caches routes); built when None.

    Returns
    -------
    PlacementInput
    """
    network = network or Network.from_project(project)
    checks = check(project)
    pairs = candidate_modules(project)
    modules = tuple(m for _, m in pairs)
    sites = tuple(s for s, _ in pairs)
    kept = [i for i in range(len(project.workloads)) if i not in checks.duplicates]
    workloads = tuple(project.workloads[i] for i in kept)
    input_errors = {k: checks.excluded[i] for k, i in enumerate(kept) if i in checks.excluded}
    lat = latency_table(network, workloads, project.data_sources, [(m.id, s.id) for s, m in pairs])
    in_module = racks_by_module(project)
    caps = np.array([module_capacity(m, in_module.get(m.id, ())) for m in modules], dtype=float).reshape(-1, 5)
    notes = {}
    mix = {m.id: j for j, m in enumerate(modules)}
    for mid, ov in (overrides or {}).items():
        if mid not in mix:
            continue
        ov = as_override(ov)
        j = mix[mid]
        for k, v in enumerate((ov.power_kw, ov.cooling_kw, ov.liquid_kw, ov.rack_positions, ov.accelerators)):
            if v is not None:
                caps[j, k] = max(float(v), 0.0)
        if ov.note:
            notes[j] = ov.note
    price = _nonneg_array([s.cost_per_kw_month for s in sites])
    hosting, backhaul = cost_matrices(workloads, price, lat.route_km,
                                      project.settings.backhaul_cost_per_gbps_km)
    pins = np.full(len(workloads), FREE, dtype=np.intp)
    pin_errors: dict[int, str] = {}
    all_modules = {m.id: m for s in project.sites for m in s.hall.modules}
    for i, w in enumerate(workloads):
        if i in input_errors:
            pins[i] = PINNED_INVALID  # not placed: its input is wrong
            continue
        if w.pinned_module_id is None:
            continue
        if w.pinned_module_id in mix:
            pins[i] = mix[w.pinned_module_id]
            continue
        pins[i] = PINNED_INVALID
        m = all_modules.get(w.pinned_module_id)
        if m is None:
            pin_errors[i] = f"it is pinned to '{w.pinned_module_id}', which is not a module of the design"
        else:
            pin_errors[i] = (f"it is pinned to module '{m.name or m.id}', which has {m.it_capacity_kw:g} kW "
                             f"IT capacity and {m.rack_positions} rack positions, so cannot host workloads")
    problem = AssignmentProblem(
        latency_ms=lat.total_ms,
        budget_ms=np.array([w.latency_budget_ms for w in workloads], dtype=float),
        power_kw=_nonneg_array([w.it_power_kw for w in workloads]),
        needs_liquid=np.array([w.needs_liquid for w in workloads], dtype=bool),
        cost=hosting + backhaul,
        cap_power_kw=caps[:, 0].copy(), cap_cooling_kw=caps[:, 1].copy(), cap_liquid_kw=caps[:, 2].copy(),
        liquid_ok=np.array([m.cooling in LIQUID_COOLING for m in modules], dtype=bool),
        pinned=pins,
        rack_positions=np.array([count_value(w.rack_positions) for w in workloads], dtype=float),
        accelerators=np.array([count_value(w.accelerators) for w in workloads], dtype=float),
        cap_rack_positions=caps[:, 3].copy(), cap_accelerators=caps[:, 4].copy(),
    )
    return PlacementInput(problem, lat, hosting, backhaul, workloads, modules, sites, network,
                          pin_errors, notes, input_errors, checks)


def _nonneg_array(values) -> np.ndarray:
    """Values as floats, negative and non-finite ones (input errors, reported) as 0."""
    a = np.array(values, dtype=float)
    return np.where(np.isfinite(a) & (a > 0), a, 0.0)
