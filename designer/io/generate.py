"""Deterministic reference halls for benchmarks: 40, 200, 1,000 racks (and any other n).

Pods of up to 25 hybrid racks in two rows back to back around a contained hot aisle, one
in-row CDU per pod with a reverse-return loop, in-row coolers at both ends of both rows
(returning from inside the contained aisle) and CRAHs on the walls; a 2N power chain with one
transformer / switchboard / UPS per three pods and side, an A and a B busway per pod with a tap
for each rack.
"""

from __future__ import annotations

import math

from designer.io.builder import HallBuilder
from designer.io.catalog_store import shipped_catalog
from designer.model.base import Located
from designer.model.catalog import Catalog
from designer.model.power import Cable
from designer.model.project import Project, Site

RACKS_PER_POD = 25
PODS_PER_GROUP = 3


def generate_project(n_racks: int, rack_kw: float = 15.0, liquid_fraction: float = 0.7,
                     rack_model: str = "RK-HYB-50") -> Project:
    """A one-site project with ``n_racks`` racks (see module doc). Same n, same project."""
    cat = Catalog(shipped_catalog())
    site = Site(id="gen", name=f"Generated hall, {n_racks} racks", kind="core",
                location=Located(lat=50.0, lon=8.6), utility_capacity_kw=n_racks * rack_kw * 1.5)
    b = HallBuilder(site, cat)
    n_pods = max(1, math.ceil(n_racks / RACKS_PER_POD))
    per_pod = [n_racks // n_pods + (1 if i < n_racks % n_pods else 0) for i in range(n_pods)]
    cols = max(1, math.ceil(math.sqrt(n_pods * 0.8)))
    rows = math.ceil(n_pods / cols)
    row_len = math.ceil(max(per_pod) / 2)
    pod_w = 0.3 + 0.6 + row_len * 0.6 + 0.3 + 1.8  # cooler, CDU, racks, cooler, side gap
    pod_d = 1.2 + 1.2 + 1.2 + 1.4  # rack, hot aisle, rack, cold aisle
    x_margin, y_margin = 3.0, 3.0
    elec_w = 13.0
    hall_w = x_margin * 2 + cols * pod_w + elec_w
    n_groups = math.ceil(n_pods / PODS_PER_GROUP)
    hall_d = max(y_margin * 2 + rows * pod_d + 1.0, y_margin * 2 + n_groups * 3.2)
    b.outline(round(hall_w, 1), round(hall_d, 1))
    site.hall.floor_rating_kg_m2 = 1500.0
    pods = []
    for i, k in enumerate(per_pod):
        cx, cy = i % cols, i // cols
        x0 = x_margin + cx * pod_w
        y0 = y_margin + 1.4 + cy * pod_d  # cold aisle first
        n1 = math.ceil(k / 2)
        n2 = k - n1
        ya, yb = y0 + 0.6, y0 + 0.6 + 1.2 + 1.2
        b.place("IRC-40", x0 + 0.15, ya, 180.0)
        cdu = b.place("CDU-IR-800", x0 + 0.6, ya, 180.0)
        cdu.pump.speed_fraction = 0.36  # about 110 % of the racks' design flow, under 1.8 m/s
        r1 = b.rack_row(rack_model, x0 + 1.2, ya, n1, 180.0, load_kw=rack_kw)
        b.place("IRC-40", x0 + 1.2 + n1 * 0.6 - 0.15, ya, 180.0)
        r2 = b.rack_row(rack_model, x0 + 1.2, yb, n2, 0.0, load_kw=rack_kw) if n2 else []
        if n2:
            # four coolers per pod: 160 kW / 11.6 m3/s against the racks' 113 kW / 6.7 m3/s of
            # air-side load (N+1); with two, the aisle spilled 0.9 m3/s and inlets reached 31 degC
            b.place("IRC-40", x0 + 0.75, yb, 0.0)
            b.place("IRC-40", x0 + 0.9 + n2 * 0.6 + 0.15, yb, 0.0)
        for r in r1 + r2:
            r.liquid_fraction = liquid_fraction
        # the hot aisle spans the whole row, coolers included, so the coolers return from inside it
        b.containment("hot", x0, y0 + 1.2, x0 + 1.2 + n1 * 0.6, y0 + 2.4)
        b.liquid_loop(cdu, r1 + r2, reverse_return=True, v_design=1.5)
        pods.append((r1 + r2, x0, y0 + 1.8))
    # CRAHs on the two long walls, facing in
    n_crah = max(2, math.ceil(n_racks * rack_kw * (1 - liquid_fraction) / 150.0 * 0.6))
    per_wall = math.ceil(n_crah / 2)
    span = hall_w - elec_w - 2 * x_margin
    for w in range(2):
        for k in range(per_wall):
            x = x_margin + (k + 0.5) * span / per_wall
            y = 0.5 if w == 0 else hall_d - 0.5
            b.place("CRAH-150", x, y, 0.0 if w == 0 else 180.0)
    # 2N power: per group of pods and side, TX -> SWB -> UPS -> busways
    ex = hall_w - elec_w + 0.3
    groups = [pods[i:i + PODS_PER_GROUP] for i in range(0, len(pods), PODS_PER_GROUP)]
    for g, group in enumerate(groups):
        for side, dx in (("A", 0.0), ("B", 6.3)):
            util = b.source(f"Utility {side}{g + 1}", 3000, 11000, side)
            y = y_margin + g * 3.2
            tx = b.place("TX-2500", ex + dx + 1.2, y + 0.8, 0.0, name=f"TX-{side}{g + 1}")
            tx.upstream_id, tx.side = util.id, side
            tx.feeder = Cable(length_m=150.0, r_ohm_per_km=0.125, x_ohm_per_km=0.11)
            swb = b.place("SWB-4000", ex + dx + 2.1, y + 2.2, 0.0, name=f"SWB-{side}{g + 1}")
            swb.upstream_id, swb.side = tx.id, side
            swb.feeder = _feeder(sum(r.it_load_kw for racks, _, _ in group for r in racks) * 1.1, 10.0)
            ups = b.place("UPS-1500-M", ex + dx + 4.3, y + 0.8, 0.0, name=f"UPS-{side}{g + 1}")
            ups.upstream_id, ups.side = swb.id, side
            # feeders sized for the whole load of the group (a side carries it when the other fails)
            ups.feeder = _feeder(sum(r.it_load_kw for racks, _, _ in group for r in racks) * 1.05)
            for racks, x0, yc in group:
                yy = yc + (0.1 if side == "B" else -0.1)
                bw = b.busway("BW-800", [(ex, yy), (x0 + 1.0, yy)], ups.id, side)
                bw.feeder = _feeder(sum(r.it_load_kw for r in racks) * 1.02)
                for r in racks:
                    tap = b.tap_for(bw, r.x, r.y, 63.0)
                    b.feed(r, side, tap.id)
    site.hall.power.scheme = "2N"
    b.water_supply("Facility water", 24.0, n_racks * rack_kw)
    return Project(name=f"Generated {n_racks}-rack hall", sites=[site])


def _feeder(kw: float, length_m: float | None = None) -> Cable:
    """A 415 V feeder sized by IEC 60364-5-52 (method E) for ``kw`` (routed on the plan when no
    length is given; sized for about 30 m)."""
    from designer.solvers.sizing import design_current_a, size_cable

    c = size_cable(design_current_a(kw, 415.0), length_m or 30.0, 415.0)
    return Cable(length_m=length_m, r_ohm_per_km=c.r_ohm_per_km, x_ohm_per_km=c.x_ohm_per_km, parallel_sets=c.sets, conductor_mm2=c.mm2)


if __name__ == "__main__":  # pragma: no cover
    import sys
    import time

    from designer.io.files import save
    from designer.model.validate import validate

    for n in (40, 200, 1000):
        t = time.perf_counter()
        p = generate_project(n)
        dt = time.perf_counter() - t
        errs = [f for f in validate(p) if f.severity.value == "error"]
        print(f"{n} racks: generated in {dt * 1000:.0f} ms, {len(errs)} validation errors", file=sys.stderr)
        if len(sys.argv) > 1:
            save(p, f"{sys.argv[1]}/gen_{n}.json")
