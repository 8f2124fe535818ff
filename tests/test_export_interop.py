"""EPANET and pandapower files of the sample, solved by EPANET and pandapower themselves.

The INP files are run by the EPANET 2.2 toolkit as written (through WNTR's ctypes binding,
not WNTR's own reader and writer), so what is checked is the file an engineer opens. The
pandapower files are read with ``pandapower.from_json`` and solved with ``runpp``. The
tolerances are the peer tests' (``test_liquid_epanet``: flows within 0.1 %;
``test_power_peer``: voltages within 1e-4 pu); here they also cover what the file cannot
carry (one viscosity per loop, EPANET's friction formula).
"""

from __future__ import annotations

import json
import warnings

import numpy as np
import pytest

from designer.cli import main
from designer.io.catalog_store import sample_project_path

FLOW_TOL = 1e-3
DV_TOL_PU = 1e-4
EN_FLOW = 8  # EPANET's link flow code


def _epanet_flows(path, link_ids):
    from wntr.epanet import toolkit

    en = toolkit.ENepanet()
    en.ENopen(str(path), str(path) + ".rpt", "")
    try:
        en.ENsolveH()
        return {lid: en.ENgetlinkvalue(en.ENgetlinkindex(lid), EN_FLOW) * 60.0 for lid in link_ids}  # L/min
    finally:
        en.ENclose()


def test_epanet_files_run_to_our_flows(tmp_path, capsys, sample_project):
    pytest.importorskip("wntr")
    from designer.io.interop.epanet import epanet_files
    from designer.solvers.liquid.solve import solve_project

    assert main(["export", str(sample_project_path()), "--epanet", str(tmp_path / "inp")]) == 0
    res, _, _ = solve_project(sample_project)
    files = epanet_files(sample_project)
    assert sorted(p.name for p in (tmp_path / "inp").glob("*.inp")) == sorted(f.file_name for f in files)
    n_loops = sum(1 for s in sample_project.sites for _ in {r.loop for r in res.racks.values()
                                                             if r.rack_id.startswith(s.id)})
    assert len(files) == n_loops == 6
    checked = 0
    for f in files:
        path = tmp_path / "inp" / f.file_name
        assert path.read_text(encoding="utf-8") == f.text
        ids = [i for ids in f.link_ids.values() for i in ids]
        q = _epanet_flows(path, ids)
        for rid in (r for r in f.link_ids if r in res.racks):
            (lid,) = f.link_ids[rid]
            ours = res.racks[rid].flow_lpm
            assert ours > 0
            assert q[lid] == pytest.approx(ours, rel=FLOW_TOL), (f.file_name, rid)
            checked += 1
        for cid in f.cdu_ids:
            pumps = f.link_ids[f"{cid}:pump"]
            assert sum(q[p] for p in pumps) == pytest.approx(res.cdus[cid].flow_lpm, rel=FLOW_TOL)
    assert checked == len(res.racks) == 26  # the liquid-cooled racks of the sample


def test_epanet_file_keeps_ids_unique_and_short():
    from designer.io.interop.epanet import loop_inp
    from designer.solvers.liquid.network import NetworkBuilder

    b = NetworkBuilder()
    b.node("tank", fixed_head=0.0)
    long = "a-very-long-rack-identifier-that-epanet-cannot-hold"
    b.pipe(long + "1", "tank", "x", 1.0, 0.05)
    b.pipe(long + "2", "x", "tank", 1.0, 0.05)
    b.pump("p", "x", "tank", 30.0, 1e5, 2.0, count=2)
    net = b.build()
    text, ids = loop_inp(net, np.arange(net.n_links), "t")
    links = [i for v in ids.values() for i in v]
    assert len(links) == 4 and len({i.upper() for i in links}) == 4
    assert all(len(i) <= 31 and " " not in i for i in links)
    assert "[END]" in text and "Headloss  D-W" in text


def test_pandapower_networks_solve_to_our_voltages(tmp_path, sample_project):
    pp = pytest.importorskip("pandapower")
    from designer.solvers.power.loadflow import solve_flow
    from designer.solvers.power.network import build_network

    assert main(["export", str(sample_project_path()), "--pandapower", str(tmp_path / "pp")]) == 0
    files = sorted((tmp_path / "pp").glob("*.json"))
    assert [f.stem for f in files] == sorted(s.id for s in sample_project.sites)
    for f in files:
        site = next(s for s in sample_project.sites if s.id == f.stem)
        net = build_network(site.hall, site.id)
        st = solve_flow(net)
        json.loads(f.read_text(encoding="utf-8"))
        pn = pp.from_json(str(f))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pp.runpp(pn, tolerance_mva=1e-11, numba=False, init="flat")
        alive = np.flatnonzero(st.topo.alive)
        names = pn.bus.name.tolist()
        assert sorted(names) == sorted(net.bus_label[b] for b in alive) and len(set(names)) == len(names)
        ours = {net.bus_label[b]: abs(st.V[b]) for b in alive}
        theirs = dict(zip(names, pn.res_bus.vm_pu.to_numpy(), strict=True))
        dv = max(abs(theirs[n] - ours[n]) for n in names)
        assert dv < DV_TOL_PU, (site.id, dv)
        assert min(ours.values()) < 0.999  # a real drop to compare
        # the loads are what our flow delivered to the racks
        cords = pn.load[~pn.load.name.str.endswith((" input", " loss"))].p_mw.sum() * 1e3
        assert cords == pytest.approx(st.load_kw, rel=1e-9)


def test_folder_checks(tmp_path, capsys):
    f = tmp_path / "afile"
    f.write_text("x")
    assert main(["export", str(sample_project_path()), "--epanet", str(f)]) == 2
    assert "is a file" in capsys.readouterr().err
    assert main(["export", str(sample_project_path()), "--pandapower", str(tmp_path / "no" / "dir")]) == 2
    assert "does not exist" in capsys.readouterr().err
