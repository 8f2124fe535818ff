"""Plot axes of the PDF report cover every value drawn (a series above the last tick was clipped)."""

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("PySide6")
from designer.app.report.figures import nice_ticks  # noqa: E402

pytestmark = pytest.mark.gui


def test_ticks_reach_the_highest_value():
    # the study summary's power margin: least -1.1, median up to 54.6, axis drawn to 54.6 x 1.08
    t = nice_ticks(-1.1, 54.6 * 1.08)
    assert t[0] <= -1.1 and t[-1] >= 54.6 * 1.08
    assert t == [-20.0, 0.0, 20.0, 40.0, 60.0]


@given(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6))
def test_ticks_cover_the_range_with_round_even_steps(lo, span):
    hi = lo + span
    t = nice_ticks(lo, hi)
    assert t[0] <= lo and t[-1] >= hi - 1e-9 * max(1.0, abs(hi))
    steps = {round(b - a, 6) for a, b in pairwise(t)}
    assert len(steps) == 1
    assert 2 <= len(t) <= 12
