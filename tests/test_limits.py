"""Sizes the solvers can work with are checked by validation, before any solver: numbers
within their unit's bound, halls small enough for a grid, equipment large enough to exist.
A design past them is not solved (and says why); one just inside them is solved cleanly."""

from __future__ import annotations

import warnings

import pytest

from designer.analysis.runner import Runner
from designer.model.limits import MAX_HALL_SPAN_M, MIN_BORE_M, MIN_SIZE_M
from designer.model.validate import validate


def _codes(project) -> set[str]:
    return {f.code for f in validate(project) if f.severity.value == "error"}


def _run(project) -> dict:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no numpy warning either
        results = Runner().run(project, 0)
    assert all(r.error is None for r in results.values()), {n: r.error for n, r in results.items() if r.error}
    return results


def _not_run(results) -> set[str]:
    return {n for n, r in results.items() if r.summary.get("not_run")}


@pytest.mark.parametrize("case", ["huge_hall", "far_coordinate", "huge_load", "thin_unit", "thin_pipe"])
def test_past_the_bounds_nothing_is_solved_and_validation_says_why(sample, case):
    site = sample.sites[2]
    hall = site.hall
    if case == "huge_hall":
        hall.outline = [(x * 1.6e3, y * 1.6e3) for x, y in hall.outline]
        want = "hall.too_large"
    elif case == "far_coordinate":
        hall.racks[0].x = 1e300
        want = "value.magnitude"
    elif case == "huge_load":
        hall.racks[0].it_load_kw = 1e308
        want = "value.magnitude"
    elif case == "thin_unit":
        hall.air_units[0].depth_m = MIN_SIZE_M / 10
        want = "value.too_small"
    else:
        hall.pipes[0].diameter_m = MIN_BORE_M / 10
        want = "value.too_small"
    assert want in _codes(sample)
    results = _run(sample)
    assert _not_run(results) == {"liquid", "air", "power", "placement"}
    assert any(f.code == want for f in results["geometry"].findings)


def test_just_inside_the_bounds_every_analysis_answers(sample):
    """A hall 1.9 km across holding one module, an air unit 2 cm deep, a 1 mm pipe, a rack at
    10 MW: valid, and every analysis runs without failing or warning."""
    site = sample.sites[2]
    hall = site.hall
    xs = [p[0] for p in hall.outline]
    ys = [p[1] for p in hall.outline]
    x0, y0 = min(xs), min(ys)
    span = MAX_HALL_SPAN_M * 0.95
    hall.outline = [(x0, y0), (x0 + span, y0), (x0 + span, y0 + max(ys) - y0), (x0, y0 + max(ys) - y0)]
    hall.air_units[0].depth_m = 0.02
    hall.pipes[0].diameter_m = MIN_BORE_M
    hall.racks[0].it_load_kw = 1e4
    assert not _codes(sample) - {"geometry.outside"}
    results = _run(sample)
    assert _not_run(results) == set()


@pytest.mark.parametrize("field, value", [("design_delta_t_air_k", 1e-300), ("design_delta_t_liquid_k", 5e-324),
                                          ("x", 1e-300), ("cold_plate_dp_kpa", -1e-12)])
def test_numbers_too_small_to_be_real_are_errors(sample, field, value):
    """A design temperature rise of 1e-300 K made the liquid and air solvers overflow (heat /
    (rho cp dT)); found by the nightly fuzz. Any non-zero number below 1e-9 in size, and a
    rise below 1 K, is a validation error, so nothing is solved on it."""
    rack = sample.sites[0].hall.racks[0]
    setattr(rack, field, value)
    assert _codes(sample) & {"value.magnitude", "value.too_small"}
    results = _run(sample)
    assert {"liquid", "air"} <= _not_run(results)
