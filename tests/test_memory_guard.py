"""The memory guard: a solver too large for the machine is a finding, not a crash."""

from __future__ import annotations


def test_memory_guard_turns_a_huge_allocation_into_a_finding(sample):
    """A solver that would need more memory than the machine can spare says so as a
    finding (through the runner), instead of swapping or raising MemoryError."""
    from designer.analysis.base import Analysis, run_analysis
    from designer.solvers import memory

    class Greedy(Analysis):
        name, title = "greedy", "Greedy model"

        def run(self, project, revision, cache):
            memory.check(1e18, "a grid of 1e17 cells", "use a coarser cell")
            raise AssertionError("not reached")

    res = run_analysis(Greedy(), sample, 3, {})
    assert res.error is None and res.summary.get("not_run")
    (f,) = res.findings
    assert f.code == "analysis.memory" and f.severity.value == "error" and "GB" in f.message
    assert f.fix == "use a coarser cell"
    memory.check(1e3, "a small array")  # fits: no error
    assert memory.available_bytes() > 0
