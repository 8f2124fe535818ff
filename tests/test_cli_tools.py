"""``designer recommend``, ``designer balance`` and ``designer what-if``: the app's tools from the
command line, giving the answers of the Qt-free functions the app calls."""

from __future__ import annotations

import json

import pytest

from designer.cli import main
from designer.io.catalog_store import sample_project_path
from designer.io.files import load, save

SAMPLE = str(sample_project_path())


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_what_if_power_items_and_sides(capsys, sample_project):
    from designer.solvers.power.solve import solve_site

    site = sample_project.sites[0]
    sp, _ = solve_site(site)
    for fid, extra in (("core-fra.ups1", ()), ("core-fra.pdu1", ()), ("A", ("--site", "core-fra"))):
        code, out, err = run(capsys, "what-if", SAMPLE, "--fail", fid, *extra, "--json")
        assert err == ""
        got = json.loads(out)
        want = sp.what_if(fid)
        assert got["id"] == want.id and got["ok"] == want.ok and got["racks_lost"] == list(want.racks_lost)
        assert code == (0 if want.ok else 1)
    code, out, _ = run(capsys, "what-if", SAMPLE, "--fail", "core-fra.ups1")
    assert code == 0 and "UPS-A fails: survives" in out


def test_what_if_that_loses_racks(tmp_path, capsys, sample_project):
    """A PDU feeding both cords of its racks: losing it loses them, exit 1, racks listed."""
    p = sample_project.model_copy(deep=True)
    site = p.sites[0]
    pdu = site.hall.power.pdus[0].id
    fed = []
    for r in site.hall.racks:
        if r.feed_a is not None and r.feed_a.source_id == pdu:
            r.feed_b = None
            fed.append(r.id)
    assert fed
    f = tmp_path / "p.json"
    save(p, f)
    code, out, _ = run(capsys, "what-if", str(f), "--fail", pdu)
    assert code == 1 and "lose power" in out
    assert all(any(name in out for name in (r.name, r.id)) for r in site.hall.racks if r.id in fed)


def test_what_if_cdu_and_bad_ids(capsys):
    code, out, _ = run(capsys, "what-if", SAMPLE, "--fail", "core-fra.cdu1")
    assert "one pump of core-fra.cdu1 down" in out and "standby" in out and code == 1
    code, _out, err = run(capsys, "what-if", SAMPLE, "--fail", "no-such-thing")
    assert code == 2 and "no power item, side or CDU" in err
    code, _out, err = run(capsys, "what-if", SAMPLE, "--fail", "A")
    assert code == 2 and "--site" in err


def test_balance_liquid_writes_the_auto_balanced_design(tmp_path, capsys, sample_project):
    from designer.analysis.liquid import auto_balance
    from designer.solvers.liquid.solve import solve_project

    out_path = tmp_path / "b.json"
    code, out, err = run(capsys, "balance", SAMPLE, "liquid", "-o", str(out_path))
    assert code == 0 and err == "" and "balancing valve(s) set" in out
    balanced = load(out_path)
    want = {e.target: e.values["valve_k"] for e in auto_balance(sample_project).edits}
    got = {r.id: r.valve_k for s in balanced.sites for r in s.hall.racks if r.id in want}
    assert got == want and any(v > 0 for v in got.values())
    # the physics the app promises: every rack of a loop at the same share of its need
    res, _f, _o = solve_project(balanced, failure=False)
    by_loop: dict[int, list[float]] = {}
    for r in res.racks.values():
        if r.flow_ratio is not None:
            by_loop.setdefault(r.loop, []).append(r.flow_ratio)
    for ratios in by_loop.values():
        assert max(ratios) - min(ratios) < 0.01, ratios
    assert load(SAMPLE) == sample_project  # the input is untouched


def test_balance_phases(tmp_path, capsys, sample_project):
    p = sample_project.model_copy(deep=True)
    moved = 0
    for r in p.sites[0].hall.racks:
        for feed in (r.feed_a, r.feed_b):
            if feed is not None and feed.phase != "3P":
                feed.phase = "L1"
                moved += 1
    assert moved >= 3
    src, dst = tmp_path / "p.json", tmp_path / "q.json"
    save(p, src)
    code, out, _ = run(capsys, "balance", str(src), "phases", "--site", p.sites[0].id, "-o", str(dst))
    assert code == 0 and "cord(s) moved" in out
    before, after = (float(x) for x in out.split("imbalance ")[1].replace(" %", "").split(" before, ")[0:1] +
                     [out.split(" before, ")[1].split(" %")[0]])
    assert after < before
    phases = [f.phase for r in load(dst).sites[0].hall.racks for f in (r.feed_a, r.feed_b)
              if f is not None and f.phase != "3P"]
    assert len(set(phases)) > 1


def test_recommend_adds_modules_to_a_new_file(tmp_path, capsys, sample_project):
    out_path = tmp_path / "r.json"
    code, out, _ = run(capsys, "recommend", SAMPLE, "--no-existing", "-o", str(out_path), "--json")
    data = json.loads(out[: out.rindex("}") + 1])
    # partial: without the existing modules the core hall has room for a new AIH-1000L or an ENT-400H,
    # not both (see test_recommend_reasons)
    assert data["status"] == "partial" and len(data["new_modules"]) >= 1
    placed = [m for m in data["new_modules"] if m["position"] is not None]
    rec = load(out_path)
    assert sum(len(s.hall.modules) for s in rec.sites) == \
        sum(len(s.hall.modules) for s in sample_project.sites) + len(placed)
    assert code == (1 if data["unserved"] else 0)
    assert main(["validate", str(out_path)]) == 0


@pytest.mark.parametrize("cmd", [["recommend"], ["balance", "liquid"]])
def test_output_must_be_a_new_file(capsys, cmd):
    code, _out, err = run(capsys, *cmd[:1], SAMPLE, *cmd[1:], "-o", SAMPLE)
    assert code == 2 and "new file" in err
