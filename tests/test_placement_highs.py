"""HiGHS's stray developer prints stay off stdout: ``designer solve --json`` on a fleet where
HiGHS repairs a solution (and printed ``HighsMipSolverData::transformNewIntegerFeasibleSolution
tmpSolver.run();`` before the JSON) writes a document that parses, and the filter keeps
everything else written meanwhile."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from designer.io.files import save
from designer.io.fleet import generate_fleet
from designer.solvers.placement.highs import native_stdout_to_log


def test_solve_json_on_a_fleet_where_highs_prints_is_clean(tmp_path):
    path = tmp_path / "fleet.json"
    save(generate_fleet(20, 1), path)  # with scipy 1.17 HiGHS repairs a solution here
    r = subprocess.run([sys.executable, "-m", "designer", "solve", str(path), "--placement", "--json"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert "::" not in r.stdout.split("{", 1)[0]  # nothing before the document
    out = json.loads(r.stdout)
    assert out["placement"]["summary"]["workloads_placed"] == 41


NOISY = """
import ctypes, logging, sys
from designer.solvers.placement.highs import native_stdout_to_log
logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(message)s")
libc = ctypes.CDLL(None)

def noisy():
    print("python line", flush=True)
    libc.printf(b"HighsMipSolverData::transformNewIntegerFeasibleSolution tmpSolver.run();\\n")
    libc.printf(b"a plain native line\\n")
    return 7

assert native_stdout_to_log(noisy) == 7
print("after", flush=True)
"""


def test_native_prints_are_logged_and_everything_else_kept():
    """In a child whose stdout is a pipe, C stdio buffers (PYTHONUNBUFFERED, set in some
    shells, would hide that): the filter flushes it before giving stdout back, or the HiGHS
    line came out after everything else."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    r = subprocess.run([sys.executable, "-c", NOISY], capture_output=True, text=True, timeout=60, env=env)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["python line", "a plain native line", "after"]
    assert "HiGHS: HighsMipSolverData::transformNewIntegerFeasibleSolution" in r.stderr  # logged


def test_nested_and_failing_calls_restore_stdout(capfd):
    def inner():
        return native_stdout_to_log(lambda: 3)

    assert native_stdout_to_log(inner) == 3
    try:
        native_stdout_to_log(lambda: 1 / 0)
    except ZeroDivisionError:
        pass
    print("still here", flush=True)
    assert capfd.readouterr().out == "still here\n"
