"""Deterministic synthetic assignment problems for benchmarks and property tests.

Sites are scattered over a 1,000 x 800 km region, each with a hosting price of 100-320 per
kW and month; modules sit at sites (several per site for the larger sizes) with capacities
drawn from the shipped catalog's sizes (60 kW micro modules to 1 MW halls), 70 % of them
liquid-capable. Workloads draw their data near a random site (within tens of km), need
2-300 kW (log-normal, median 12 kW), 40 % need liquid cooling, and get a budget of their
processing time plus a network allowance of 1, 3, 10, 50 or 250 ms (so from "must be at the
source's site" to "anywhere"). Capacities are scaled so the total is ``capacity_ratio`` (default 2) x the total demand;
at 1.35 many sites run short and placement turns partial.
Latency follows :mod:`.latency`'s formula over great-circle x 1.5 with 4 hops of 50 us.

With ``counts`` the instance has rack positions and accelerators as capacity too (drawn
after everything else, so the other arrays are those of the same instance without them):
each workload takes ``ceil(kW / 40)`` positions and needs about one accelerator per 1.6 kW,
a third of them none (CPU and network work); each module's racks are one class (30, 50 or
132 kW a rack with 16, 32 or 72 accelerators), its positions in proportion to its kW over the
rack's kW and its accelerators to its positions, both scaled so their totals are
``capacity_ratio`` x the workloads' (as the kW capacities); then a quarter of the modules
lose ``rack_slack`` of their positions (taken by network and storage racks), so positions
bind there before kW.
"""

from __future__ import annotations

import numpy as np

from designer.solvers.placement.problem import FREE, AssignmentProblem


def synthetic_problem(n_workloads: int, n_modules: int, seed: int = 0, capacity_ratio: float = 2.0,
                      counts: bool = False, rack_slack: float = 0.5) -> AssignmentProblem:
    """A synthetic :class:`AssignmentProblem` (same arguments, same arrays)."""
    rng = np.random.default_rng([n_workloads, n_modules, seed])
    n_sites = max(2, int(np.ceil(n_modules / 2.5)))
    site_xy = rng.uniform([0, 0], [1000, 800], size=(n_sites, 2))
    price = rng.uniform(100, 320, n_sites)
    mod_site = np.concatenate([np.arange(n_sites), rng.integers(0, n_sites, max(n_modules - n_sites, 0))])
    mod_site = mod_site[:n_modules]
    cap = rng.choice([60.0, 120.0, 250.0, 400.0, 1000.0], n_modules, p=[0.3, 0.25, 0.2, 0.15, 0.1])
    liquid_ok = rng.random(n_modules) < 0.7
    src_site = rng.integers(0, n_sites, n_workloads)
    src_xy = site_xy[src_site] + rng.normal(0, 15, size=(n_workloads, 2))
    at_site = rng.random(n_workloads) < 0.5  # on-premises data: local route to its own site
    power = np.clip(rng.lognormal(np.log(12.0), 1.0, n_workloads), 2.0, 300.0)
    cap = cap * (capacity_ratio * power.sum() / cap.sum())
    power = np.minimum(power, cap.max())
    needs_liquid = rng.random(n_workloads) < 0.4
    processing = rng.uniform(1.0, 60.0, n_workloads)
    allowance = rng.choice([1.0, 3.0, 10.0, 50.0, 250.0], n_workloads, p=[0.15, 0.2, 0.25, 0.25, 0.15])
    access = rng.choice([0.0, 0.3, 0.8, 8.0], n_workloads, p=[0.4, 0.3, 0.2, 0.1])
    rate = rng.lognormal(0.0, 1.0, n_workloads)
    d = np.hypot(*(src_xy[:, None, :] - site_xy[mod_site][None, :, :]).transpose(2, 0, 1))
    km = d * 1.5
    local = at_site[:, None] & (src_site[:, None] == mod_site[None, :])
    km[local] = 0.0
    hops_ms = np.where(local, 0.0, 2 * 4 * 50.0 / 1000.0)
    latency = 2 * km * 4.9 / 1000.0 + hops_ms + access[:, None] + processing[:, None]
    cost = price[mod_site][None, :] * power[:, None] + 0.05 * rate[:, None] * km
    extra = {}
    if counts:
        rack_class = rng.integers(0, 3, n_modules)
        rack_kw = np.array([30.0, 50.0, 132.0])[rack_class]
        gpus = np.array([16.0, 32.0, 72.0])[rack_class]
        racks_w = np.ceil(power / 40.0)
        acc_w = np.where(rng.random(n_workloads) < 1 / 3, 0.0, np.ceil(power / 1.6))
        # positions in proportion to the racks the module's kW fill, in total capacity_ratio x
        # the positions the workloads take (as the kW capacities); then the short modules
        raw = cap / rack_kw
        positions = np.ceil(raw * (capacity_ratio * racks_w.sum() / raw.sum()))
        short = rng.random(n_modules) < 0.25
        positions = np.where(short, np.maximum(np.floor(positions * (1 - rack_slack)), 1.0), positions)
        acc = positions * gpus
        acc = np.ceil(acc * (capacity_ratio * acc_w.sum() / acc.sum()))
        extra = dict(rack_positions=racks_w, accelerators=acc_w, cap_rack_positions=positions,
                     cap_accelerators=acc)
    return AssignmentProblem(
        latency_ms=latency, budget_ms=processing + access + allowance, power_kw=power,
        needs_liquid=needs_liquid, cost=cost, cap_power_kw=cap, cap_cooling_kw=cap * 1.1,
        cap_liquid_kw=np.where(liquid_ok, cap * 1.1, 0.0), liquid_ok=liquid_ok,
        pinned=np.full(n_workloads, FREE, dtype=np.intp), **extra)
