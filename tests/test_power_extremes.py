"""Property: random extreme values for the numeric fields of the power items never make the
power analysis raise, and never print a non-finite or impossible number (a voltage above its
source's with no tap, a negative current) without an error finding (issue 15)."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st
from test_power_cases import two_n_site

from designer.analysis.runner import Runner
from designer.model.findings import Severity
from designer.model.project import Project

EXTREMES = (0.0, -1.0, 1e-9, 1e12, -1e12, 1e-300)
FIELDS = [
    ("sources", 0, "capacity_kva"), ("sources", 0, "voltage_v"), ("sources", 0, "voltage_setpoint_pu"),
    ("transformers", 0, "rating_kva"), ("transformers", 0, "impedance_pct"), ("transformers", 0, "x_r_ratio"),
    ("transformers", 0, "no_load_loss_kw"), ("transformers", 0, "load_loss_kw"), ("transformers", 0, "secondary_v"),
    ("switchboards", 0, "rating_a"), ("ups", 0, "module_kw"), ("ups", 0, "efficiency"), ("ups", 0, "power_factor"),
    ("ups", 0, "runtime_min"), ("pdus", 0, "rating_kva"), ("pdus", 0, "breaker_a"), ("pdus", 0, "efficiency"),
    ("feeder", 0, "length_m"), ("feeder", 0, "r_ohm_per_km"), ("feeder", 0, "x_ohm_per_km"),
    ("feeder", 0, "ambient_c"), ("feeder", 0, "grouping_factor"), ("feeder", 0, "conductor_mm2"),
    ("rack", 0, "it_load_kw"), ("rack", 0, "power_factor"), ("rack", 0, "feed_split_a"),
    ("cord", 0, "breaker_a"), ("cord", 0, "cable_length_m"),
]


def _set(site, where, k, name, value):
    pw = site.hall.power
    if where == "feeder":
        setattr(pw.switchboards[k].feeder, name, value)
    elif where == "rack":
        setattr(site.hall.racks[k], name, value)
    elif where == "cord":
        setattr(site.hall.racks[k].feed_a, name, value)
    else:
        setattr(getattr(pw, where)[k], name, value)


def _numbers(obj):
    from dataclasses import asdict

    for v in asdict(obj).values():
        if isinstance(v, float):
            yield v


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FIELDS), st.sampled_from(EXTREMES)), min_size=1, max_size=3))
def test_extreme_values_never_raise_nor_print_an_impossible_number_silently(changes):
    site = two_n_site(0.3).model_copy(deep=True)  # the builders share their Cable objects
    for (where, k, name), value in changes:
        _set(site, where, k, name, value)
    res = Runner(["power"]).run(Project(sites=[site]), 0)["power"]
    assert res.error is None, res.error
    if res.data is None:  # stopped by validation errors it cannot work around: nothing printed but why
        assert [f for f in res.findings if f.code == "analysis.not_run"]
        return
    errors = [f for f in res.findings if f.severity is Severity.ERROR]
    for f in res.findings:
        assert "nan" not in f.message.lower().split() and "inf" not in f.message.lower().split(), f.message
    import re

    from designer.analysis.power import PowerAnalysis

    text = PowerAnalysis().report_text(res)
    printed_bad = re.findall(r"(?<![A-Za-z])(nan|inf)(?![A-Za-z])", text, flags=re.IGNORECASE)
    if printed_bad:
        assert errors, f"the report prints {printed_bad[:3]} without an error finding"
    sp = res.data.sites.get(site.id)
    if sp is None:
        assert any(f.code in ("power.no_solution", "power.failed") for f in errors)
        return
    bad = []
    for n in sp.nodes.values():
        nums = list(_numbers(n))
        if not all(math.isfinite(x) for x in nums if x is not None):
            bad.append((n.id, "non-finite"))
        if n.current_a < 0:
            bad.append((n.id, "negative current"))
    src = {s.id: s.voltage_setpoint_pu for s in site.hall.power.sources}
    tapped = any(t.tap_pct for t in site.hall.power.transformers)
    for n in sp.nodes.values():
        if n.energised and not tapped and n.voltage_pu > max(max(src.values()), 1.0) + 1e-9:
            bad.append((n.id, "voltage above the source"))
    for fd in sp.feeds.values():
        if not all(math.isfinite(x) for x in (fd.current_a, fd.voltage_v, fd.p_kw)):
            bad.append((fd.key, "non-finite"))
    if bad:
        assert errors, f"impossible numbers {bad[:3]} without an error finding"
