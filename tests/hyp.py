"""Example counts of property tests, scaled by the hypothesis profile (see tests/conftest.py).

``examples(n)`` is ``n`` in the "dev" and "ci" profiles and ``10 n`` in "nightly", so a larger
random run needs no change to the tests.
"""

from __future__ import annotations

import os

SCALE = 10 if os.environ.get("HYPOTHESIS_PROFILE") == "nightly" else 1


def examples(n: int) -> int:
    return n * SCALE
