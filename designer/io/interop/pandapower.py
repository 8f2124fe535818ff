"""Each site's power chain as a pandapower network (JSON), in the state our load flow solved.

pandapower is an optional extra here (``pip install data-hall-designer[pandapower]``),
imported only when this export runs. Its JSON file is pandapower's own serialisation of
pandas DataFrames: about ninety tables whose columns, dtypes and ``format_version``
change between releases (3.x added DC and geo columns) and which its reader migrates on
load. Writing that by hand would copy pandapower's internals and break quietly with its
next release; building the network through its public ``create_*`` functions and
``to_json`` keeps the file right for whichever pandapower the engineer has installed.

The mapping is element for element (the tests solve the file with pandapower and compare
every bus voltage with ours):

- a source -> an external grid at 1.0 pu;
- a cable, busway segment or cord -> a line with the resistance and reactance we use
  (its length in km where the plan gives one; a zero-impedance link is a bus switch);
- a transformer -> a two-winding transformer from its rating and impedance, with its iron
  loss as a shunt on the primary;
- a UPS (double conversion: it regulates its output) -> an external grid at 1.0 pu on its
  output and, on its input, a load equal to the real power it draws (output over
  efficiency, as our load flow found it);
- a PDU -> input and output joined by a bus switch, with its loss as a load;
- a rack cord -> a load of the rack's share (single-phase cords as three-phase loads of
  the same power, as in our balanced flow).

The UPS-input and PDU-loss loads are the values of our solution: they depend on the flows
below them, so a network solved from scratch would need them iterated; with them fixed,
one pandapower load flow reproduces our voltages.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from designer.model.project import Project

INSTALL_HINT = "pip install 'data-hall-designer[pandapower]'"


class PandapowerMissing(RuntimeError):
    """pandapower is not installed (it is an optional extra)."""


@dataclass(frozen=True)
class SiteNetwork:
    """One site's pandapower network as JSON text."""

    site_id: str
    text: str
    n_bus: int

    @property
    def file_name(self) -> str:
        import re

        return re.sub(r"[^A-Za-z0-9_.\-]", "_", self.site_id) + ".json"


def _pandapower():
    try:
        import pandapower as pp
    except ImportError as e:  # pragma: no cover - the test environment has it
        raise PandapowerMissing(f"the pandapower export needs pandapower: {INSTALL_HINT}") from e
    return pp


def site_network(net, st, name: str = ""):
    """(pandapower net, our bus index -> pandapower bus) of ``net`` in state ``st``."""
    import warnings

    from designer.solvers.power.network import BR_CABLE, BR_EFF, BR_LINK, BR_TX, BR_UPS, S_BASE_VA, SOURCE

    pp = _pandapower()
    topo = st.topo
    alive = np.flatnonzero(topo.alive)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandapower's own deprecation chatter
        pn = pp.create_empty_network(name=name, sn_mva=S_BASE_VA / 1e6)
        bus = {int(b): pp.create_bus(pn, vn_kv=topo.base_v[b] / 1e3, name=net.bus_label[b]) for b in alive}
        zb = topo.base_v ** 2 / S_BASE_VA
        to_mw = S_BASE_VA / 1e6
        for b in alive.tolist():
            br, p = net.branch[b], int(topo.ap[b])
            label = net.bus_label[b]
            if net.bus_kind[b] == SOURCE:
                pp.create_ext_grid(pn, bus[b], vm_pu=1.0, va_degree=0.0, name=label)
            elif br == BR_CABLE:
                zo = st.z[b] * zb[b]
                if abs(zo) == 0:
                    pp.create_switch(pn, bus[p], bus[b], et="b", closed=True, name=label)
                    continue
                length_m = net.alt_len_m[b] if topo.via_alt[b] else net.feeder_len_m[b]
                km = length_m / 1e3 if length_m > 0 else 1.0
                pp.create_line_from_parameters(pn, bus[p], bus[b], length_km=km, r_ohm_per_km=zo.real / km,
                                               x_ohm_per_km=zo.imag / km, c_nf_per_km=0.0, max_i_ka=100.0,
                                               name=label)
            elif br == BR_TX:
                zr = net.tx_z_rated[b]
                pp.create_transformer_from_parameters(
                    pn, bus[p], bus[b], sn_mva=net.tx_rating_va[b] / 1e6, vn_hv_kv=topo.base_v[p] / 1e3,
                    vn_lv_kv=topo.base_v[b] / 1e3, vkr_percent=zr.real * 100, vk_percent=abs(zr) * 100,
                    pfe_kw=0.0, i0_percent=0.0, shift_degree=0.0, name=label)
                if net.p_fe_w[b] > 0:
                    pp.create_shunt(pn, bus[p], p_mw=net.p_fe_w[b] / 1e6, q_mvar=0.0, name=f"{label} iron loss")
            elif br == BR_UPS:
                pp.create_ext_grid(pn, bus[b], vm_pu=1.0, va_degree=0.0, name=f"{label} output")
                pp.create_load(pn, bus[p], p_mw=float(st.s_in[b].real) * to_mw, q_mvar=0.0, name=f"{label} input")
            elif br == BR_EFF:
                pp.create_switch(pn, bus[p], bus[b], et="b", closed=True, name=label)
                pp.create_load(pn, bus[b], p_mw=float(st.d[b].real) * to_mw, q_mvar=0.0, name=f"{label} loss")
            elif br == BR_LINK:
                pp.create_switch(pn, bus[p], bus[b], et="b", closed=True, name=label)
        for b in alive.tolist():
            if st.load[b] != 0:
                pp.create_load(pn, bus[b], p_mw=float(st.load[b].real) * to_mw, q_mvar=float(st.load[b].imag) * to_mw,
                               name=net.bus_label[b])
    return pn, bus


def pandapower_networks(project: Project, site_ids: list[str] | None = None) -> list[SiteNetwork]:
    """One pandapower network per site with a power chain (normal operation).

    Raises
    ------
    PandapowerMissing
        When pandapower is not installed.
    """
    from designer.solvers.power.loadflow import solve_flow
    from designer.solvers.power.network import build_network

    pp = _pandapower()
    out: list[SiteNetwork] = []
    for site in project.sites:
        if site_ids is not None and site.id not in site_ids:
            continue
        net = build_network(site.hall, site.id)
        if not net.n_bus:
            continue
        st = solve_flow(net)
        if not st.topo.alive.any():
            continue
        pn, bus = site_network(net, st, f"{project.name} - {site.name or site.id}")
        out.append(SiteNetwork(site.id, pp.to_json(pn), len(bus)))
    return out
