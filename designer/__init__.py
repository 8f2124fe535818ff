"""Data Hall Designer: design modular AI data halls from the workload outward."""

from __future__ import annotations

import os
import sys

__version__ = "0.1.0"

BLAS_THREADS_VARS = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "VECLIB_MAXIMUM_THREADS")
"""One BLAS thread unless the user set these. Our solvers hand BLAS only vectors and sparse
work of 10^4 to 10^5 entries (Krylov solvers' dot products and norms, incomplete factorisations),
where a second thread buys nothing; but OpenBLAS's threads spin for a core, and while the
other core is busy (the app's own interface thread, a second test worker, any other program)
one dot product of 28,874 entries took 2-8 ms instead of 4 us (stop 26, this 2-core machine;
the exact temperature solve's BiCGSTAB on the generated 200-rack hall, run on its own, 1.09 s
instead of 0.21 s). The air engine already held numpy's OpenBLAS to one thread for its own
thread (:mod:`designer.solvers.air.blas`); this also covers scipy's own copy (its sparse
factorisations) and every other thread: the air benchmark with the other core loaded, 200 racks
6.3 -> 5.6 s, the cold-aisle room's power edit 1.6 -> 1.0 s. Set before numpy loads its BLAS
when this package is imported first (the app, the command line); when numpy came first (a test
run, a notebook), the libraries already loaded are limited through threadpoolctl."""


_LOADED_API = {"OPENBLAS_NUM_THREADS": "openblas", "MKL_NUM_THREADS": "mkl"}
"""threadpoolctl's name of the library each variable sets (it cannot set Accelerate's)."""


def _one_blas_thread() -> None:
    ours = [v for v in BLAS_THREADS_VARS if v not in os.environ]
    for v in ours:
        os.environ[v] = "1"
    apis = [_LOADED_API[v] for v in ours if v in _LOADED_API]
    if apis and any(m in sys.modules for m in ("numpy", "scipy")):
        from threadpoolctl import ThreadpoolController

        # only the libraries whose variable the user left unset
        ThreadpoolController().select(internal_api=apis).limit(limits=1)


_one_blas_thread()
