"""EPANET (through WNTR's ``EpanetSimulator``) on the same network, for cross-checks.

Test and benchmark use only: WNTR is a test dependency and is imported lazily. The
mapping is element for element:

- fixed-head node -> reservoir (in a closed CDU loop: the expansion tank at the pump
  suction becomes a reservoir the return pipes run into and the pump draws from);
- free node -> junction with its demand, elevation 0 (heads are then pressures);
- pipe -> Darcy-Weisbach pipe (roughness in m, WNTR converts);
- quadratic resistance ``r q|q|`` -> throttle control valve whose setting is the loss
  coefficient ``K = 2 g A^2 r`` on its diameter, which EPANET applies as exactly
  ``K q^2 / (2 g A^2)`` without friction (with EPANET's rounded ``g`` of minor losses);
- pump set -> ``count`` identical pump links in parallel, each with a three-point curve
  from which EPANET recovers the same power function, at the set's speed.

Compare with :class:`~designer.solvers.liquid.elements.SolverOptions.epanet` and a
uniform viscosity: EPANET has one viscosity for the whole network, given relative to
:data:`~designer.solvers.liquid.elements.NU_EPANET`.
"""

from __future__ import annotations

import math
import os
import tempfile
import time
import warnings
from dataclasses import dataclass

import numpy as np

from designer.solvers.liquid.elements import G_EPANET_MINOR, NU_EPANET
from designer.solvers.liquid.network import PIPE, PUMP, RESISTANCE, Network

_DEFAULT_VALVE_D = 0.05


@dataclass
class PeerResult:
    """EPANET's answer mapped back to the network's node and link order."""

    head: np.ndarray
    flow: np.ndarray
    build_s: float
    """Time to make the WNTR model."""
    run_s: float
    """Time of ``EpanetSimulator.run_sim`` (write the input file, run EPANET, read results)."""


def to_wntr(net: Network, accuracy: float = 1e-8, trials: int = 500):
    """A WNTR ``WaterNetworkModel`` equivalent to ``net`` (see module doc)."""
    import wntr

    visc = net.viscosity[net.kind == PIPE]
    nu = float(visc.mean()) if visc.size else NU_EPANET
    if visc.size and np.ptp(visc) > 1e-12 * nu:
        raise ValueError("EPANET has one viscosity per network; give every pipe the same")
    wn = wntr.network.WaterNetworkModel()
    with warnings.catch_warnings():  # WNTR warns that D-W roughness units do not change
        warnings.simplefilter("ignore")
        wn.options.hydraulic.headloss = "D-W"
    wn.options.hydraulic.viscosity = nu / NU_EPANET
    wn.options.hydraulic.specific_gravity = 1.0
    wn.options.hydraulic.accuracy = accuracy
    wn.options.hydraulic.trials = trials
    # GPM: EPANET converts with 448.831 GPM per cfs (exact to 4e-7); its LPS factor 28.317
    # is off by 5e-6, which shows as 1e-5 of every head loss
    wn.options.hydraulic.inpfile_units = "GPM"
    names = [f"n{i}" for i in range(net.n_nodes)]
    for i, nm in enumerate(names):
        if net.fixed[i]:
            wn.add_reservoir(nm, base_head=float(net.fixed_head[i]))
        else:
            wn.add_junction(nm, base_demand=float(net.demand[i]), elevation=0.0)
    curves: dict[tuple, str] = {}
    for k in range(net.n_links):
        a, b = names[net.start[k]], names[net.end[k]]
        kind = net.kind[k]
        if kind == PIPE:
            wn.add_pipe(f"l{k}", a, b, length=float(net.length[k]), diameter=float(net.diameter[k]),
                        roughness=float(net.roughness[k]), minor_loss=float(net.minor_k[k]))
        elif kind == RESISTANCE:
            d = float(net.diameter[k]) or _DEFAULT_VALVE_D
            area = math.pi * d * d / 4.0
            setting = float(net.resistance[k]) * 2.0 * G_EPANET_MINOR * area * area
            wn.add_valve(f"l{k}", a, b, diameter=d, valve_type="TCV", initial_setting=setting)
        elif kind == PUMP:
            h0, r, n = float(net.pump_h0[k]), float(net.pump_r[k]), float(net.pump_n[k])
            key = (h0, r, n)
            if key not in curves:
                q2 = 0.8 * (h0 / r) ** (1.0 / n)
                pts = [(0.0, h0), (q2 / 2, h0 - r * (q2 / 2) ** n), (q2, h0 - r * q2 ** n)]
                curves[key] = f"c{len(curves)}"
                wn.add_curve(curves[key], "HEAD", pts)
            count = int(net.pump_count[k])
            for j in range(max(count, 1)):
                wn.add_pump(f"l{k}_{j}", a, b, "HEAD", curves[key], speed=float(net.pump_speed[k]))
                if count == 0 or net.closed[k]:
                    wn.get_link(f"l{k}_{j}").initial_status = "Closed"
        else:  # pragma: no cover - no other kinds exist
            raise ValueError(f"unknown link kind {kind}")
    return wn


def run_epanet(net: Network, workdir: str | None = None, **kw) -> PeerResult:
    """Solve ``net`` with EPANET through WNTR; files go to ``workdir`` (a temporary one if None)."""
    import wntr

    t0 = time.perf_counter()
    wn = to_wntr(net, **kw)
    t1 = time.perf_counter()
    own = workdir is None
    tmp = tempfile.TemporaryDirectory() if own else None
    folder = tmp.name if own else workdir
    try:
        sim = wntr.sim.EpanetSimulator(wn)
        res = sim.run_sim(file_prefix=os.path.join(folder, "peer"))
    finally:
        if tmp is not None:
            t2 = time.perf_counter()
            tmp.cleanup()
    t2 = time.perf_counter() if tmp is None else t2
    heads = res.node["head"].iloc[0]
    flows = res.link["flowrate"].iloc[0]
    head = np.array([float(heads[f"n{i}"]) for i in range(net.n_nodes)])
    flow = np.zeros(net.n_links)
    for k in range(net.n_links):
        if net.kind[k] == PUMP:
            flow[k] = sum(float(flows[f"l{k}_{j}"]) for j in range(max(int(net.pump_count[k]), 1)))
        else:
            flow[k] = float(flows[f"l{k}"])
    return PeerResult(head, flow, t1 - t0, t2 - t1)
