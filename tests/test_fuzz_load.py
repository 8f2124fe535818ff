"""Thousands of damaged files: each ends in a clear error or a valid project, never a
crash or a hang."""

from __future__ import annotations

import pytest
from fuzz_inputs import MUTATIONS, run


@pytest.mark.slow
def test_two_thousand_damaged_files_end_in_a_clear_error_or_a_project():
    out = run(2000, seed=11)
    crashes = {k: v for k, res in out["tally"].items() for o, v in res.items() if o.startswith("CRASH")
               or o == "error without detail"}
    assert crashes == {}, out["tally"]
    assert set(out["tally"]) == set(MUTATIONS)  # every kind of damage was tried
    assert out["worst_s"] < 5.0  # no input makes the loader hang
