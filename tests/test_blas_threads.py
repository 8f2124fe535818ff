"""Our process uses one BLAS thread unless the user set the thread count (designer/__init__.py:
OpenBLAS's spinning threads made the air solver's dot products a thousand times slower while the
other core was busy). Checked in fresh interpreters: importing ``designer`` before numpy (the app,
the command line) and after it (a test run, a notebook), and with the user's own setting."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_PROBE = """
import json, sys
first, then = sys.argv[1].split(',')
__import__(first); __import__(then)
import scipy.linalg, scipy.sparse.linalg  # scipy's own BLAS, loaded after both
from threadpoolctl import threadpool_info
print(json.dumps([i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"]))
"""


def _blas_threads(order: str, **env: str) -> list[int]:
    e = {k: v for k, v in os.environ.items() if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                                                        "VECLIB_MAXIMUM_THREADS", "OMP_NUM_THREADS")}
    e.update(env)
    out = subprocess.run([sys.executable, "-c", _PROBE, order], capture_output=True, text=True, env=e,
                         timeout=120, check=True)
    return json.loads(out.stdout)


@pytest.mark.parametrize("order", ["designer,numpy", "numpy,designer"])
def test_every_blas_library_runs_one_thread(order):
    threads = _blas_threads(order)
    assert threads, "no BLAS library found"
    assert threads == [1] * len(threads)


@pytest.mark.parametrize("order", ["designer,numpy", "numpy,designer"])
def test_the_users_own_setting_is_kept(order):
    threads = _blas_threads(order, OPENBLAS_NUM_THREADS="2")
    assert threads and all(t == 2 for t in threads)
