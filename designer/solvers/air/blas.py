"""Run numpy's BLAS on one thread while the air solver works.

The nested-dissection solver makes thousands of small matrix products per factorisation.
A multi-threaded OpenBLAS splits each of them over its threads and spends more time waking
and joining threads than computing: on a busy two-core machine a factorisation took ten
times longer with two BLAS threads than with one. OpenBLAS 0.3.27+ has a per-thread setting
(``openblas_set_num_threads_local``), so we lower it for the calling thread only and put it
back afterwards; other threads and other libraries are not affected. Where the symbol cannot
be found (another BLAS, another platform) this does nothing.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Iterator
from contextlib import contextmanager

_SETTER: list = []  # [callable or None], resolved once


def _find_setter():
    if _SETTER:
        return _SETTER[0]
    fn = None
    try:
        import numpy  # noqa: F401  (make sure its BLAS is loaded)

        paths = []
        if os.path.exists("/proc/self/maps"):
            with open("/proc/self/maps") as fh:
                for line in fh:
                    p = line.split()[-1]
                    if "openblas" in p.lower() and p not in paths:
                        paths.append(p)
        # numpy's own copy first: that is the one matmul and inv call
        paths.sort(key=lambda p: "numpy" not in p)
        for p in paths:
            lib = ctypes.CDLL(p)
            f = getattr(lib, "openblas_set_num_threads_local", None)
            if f is not None:
                f.restype = ctypes.c_int
                f.argtypes = [ctypes.c_int]
                fn = f
                break
    except OSError:
        fn = None
    _SETTER.append(fn)
    return fn


@contextmanager
def single_thread_blas() -> Iterator[None]:
    """Within the block, numpy's OpenBLAS uses one thread for calls from this thread."""
    fn = _find_setter()
    if fn is None:
        yield
        return
    prev = fn(1)
    try:
        yield
    finally:
        fn(prev if prev > 0 else 1)
