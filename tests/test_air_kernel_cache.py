"""A frozen app keeps the air model's compiled kernels between starts
(designer/solvers/air/kernels.py, FrozenAppLocator): run in fresh interpreters that pretend to
be frozen (``sys.frozen``), the first compiles and writes the cache, the second loads it."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, sys, time
sys.frozen = True  # as PyInstaller's bootloader sets it
import numpy as np
from designer.solvers.air import kernels as K
T = np.zeros((3, 4, 5)); rhs = np.ones_like(T); aP = np.full_like(T, 6.0)
c = [np.full_like(T, 0.5) for _ in range(6)]
m0 = np.zeros(T.shape, bool); m0[::2] = True
t = time.perf_counter()
K.t_sweeps(T, rhs, aP, *c, m0, ~m0, 2)
print(json.dumps({"cached": K._CACHE, "hits": sum(K.t_sweeps.stats.cache_hits.values()),
                  "misses": sum(K.t_sweeps.stats.cache_misses.values()), "s": time.perf_counter() - t,
                  "T": float(T.sum())}))
"""


def _probe(env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_a_frozen_app_compiles_once_and_loads_the_kernels_after(tmp_path):
    env = {**os.environ, "DESIGNER_KERNEL_CACHE": str(tmp_path / "kernels"), "PYTHONPATH": str(ROOT)}
    env.pop("NUMBA_CACHE_DIR", None)
    first = _probe(env)
    assert first["cached"] and first["misses"] == 1 and first["hits"] == 0
    assert any((tmp_path / "kernels").iterdir())  # written where it was told
    second = _probe(env)
    assert second["hits"] == 1 and second["misses"] == 0
    assert second["T"] == first["T"]  # the loaded kernel computes the same


def test_a_frozen_app_with_no_writable_cache_folder_compiles_as_before(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    env = {**os.environ, "DESIGNER_KERNEL_CACHE": str(blocked / "kernels"), "PYTHONPATH": str(ROOT)}
    got = _probe(env)
    assert not got["cached"] and got["hits"] == 0


def test_the_bundles_entry_point_names_the_variable_the_kernels_read():
    from designer.solvers.air.kernels import CACHE_ENV

    tree = ast.parse((ROOT / "packaging" / "entry.py").read_text())
    names = [n.args[0].value for n in ast.walk(tree) if isinstance(n, ast.Call)
             and getattr(n.func, "attr", "") == "setdefault" and n.args and isinstance(n.args[0], ast.Constant)]
    assert names == [CACHE_ENV]


def test_the_cache_is_stamped_with_the_whole_modules_code(tmp_path, monkeypatch):
    """A kernel's machine code has its helpers built in: the stamp changes when any function of
    the module changes, not only the kernel's own (numba's locators stamp the whole file)."""
    import importlib

    from designer.solvers.air import kernels as K

    monkeypatch.syspath_prepend(str(tmp_path))
    mod = tmp_path / "kc_probe_mod.py"
    mod.write_text("def helper(x):\n    return x + 1\n\ndef kernel(x):\n    return helper(x)\n")
    m = importlib.import_module("kc_probe_mod")
    first = K._module_digest("kc_probe_mod")
    # a different size too: a .pyc of the same size and second would pass for current
    mod.write_text("def helper(x):\n    return x + 22\n\ndef kernel(x):\n    return helper(x)\n")
    K._DIGESTS.pop("kc_probe_mod")
    importlib.invalidate_caches()
    importlib.reload(m)
    second = K._module_digest("kc_probe_mod")
    assert first and second and first != second
    assert K._module_digest("designer.solvers.air.kernels")  # the kernels' own module is read


def test_a_numba_without_the_locator_internals_compiles_as_before(tmp_path):
    """The locator hooks numba internals; a release that moves them must not stop the air model
    importing: a frozen app then compiles at every start, as it did."""
    probe = ("import sys; sys.frozen = True\n"
             "import numba.core.caching as c\n"
             "del c._CacheLocator\n"
             "from designer.solvers.air import kernels as K\n"
             "print(K._CACHE, K._REGISTERED)\n")
    env = {**os.environ, "DESIGNER_KERNEL_CACHE": str(tmp_path / "kernels"), "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", probe], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]
