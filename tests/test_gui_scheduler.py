"""The analysis scheduler's lanes: liquid / power / placement results never wait behind the
air model, an edit stops a running air solve, and only current results reach the views.

The air analysis is replaced by a stand-in that takes as long as it is let (polling
``should_stop`` like the real solver's loop), so the timing is the test's, not the machine's.
"""

from __future__ import annotations

import threading
import time

import pytest

pytest.importorskip("PySide6.QtWidgets")

from designer.analysis.air import AirAnalysis  # noqa: E402
from designer.analysis.base import AnalysisResult  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.document.edits import SetFields  # noqa: E402

pytestmark = pytest.mark.gui


class SlowAir:
    """Stand-in for :meth:`AirAnalysis.run`: runs until ``release`` is set or it is stopped."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.started: list[int] = []
        self.stopped: list[int] = []
        self.finished: list[int] = []

    def __call__(self, analysis, project, revision, cache, should_stop=None, **_progressive):
        self.started.append(revision)
        while not self.release.is_set():
            if should_stop is not None and should_stop():
                self.stopped.append(revision)
                return AnalysisResult("air", revision, (), None, {"stopped": True})
            time.sleep(0.005)
        self.finished.append(revision)
        return AnalysisResult("air", revision, (), None, {"fake": True})


@pytest.fixture
def slow(monkeypatch, sample):
    fake = SlowAir()
    monkeypatch.setattr(AirAnalysis, "run", lambda self, *a, **kw: fake(self, *a, **kw))
    session = Session(sample)
    yield session, fake
    fake.release.set()
    session.scheduler.shutdown()


def test_other_analyses_do_not_wait_for_air(slow, qtbot):
    session, fake = slow
    sch = session.scheduler
    qtbot.waitUntil(lambda: bool(sch.lanes), timeout=5000)  # built at the first run, after the debounce
    assert set(sch.lanes) == {"main", "air"}
    assert sch.wait_idle(60, lanes=("main",))
    assert fake.started and not fake.finished  # air still running...
    res = sch.last_results
    assert {"liquid", "power", "placement", "geometry"} <= set(res) and "air" not in res  # ...the rest is here
    assert sch.last_revision == session.doc.revision and sch.busy
    fake.release.set()
    assert sch.wait_idle(30)
    assert "air" in sch.last_results and "liquid" in sch.last_results  # merged, one revision


def test_an_edit_stops_the_running_air_solve_and_its_answer_is_dropped(slow, qtbot):
    session, fake = slow
    sch = session.scheduler
    qtbot.waitUntil(lambda: bool(fake.started), timeout=30000)
    first = fake.started[0]
    rack = session.site.hall.racks[0]
    session.push(SetFields(rack.id, {"it_load_kw": rack.it_load_kw + 1.0}))
    qtbot.waitUntil(lambda: first in fake.stopped, timeout=5000)  # stopped at once, not finished
    qtbot.waitUntil(lambda: any(r > first for r in fake.started), timeout=30000)
    assert first not in fake.finished
    assert sch.wait_idle(60, lanes=("main",))
    assert sch.last_revision == session.doc.revision and "air" not in sch.last_results
    fake.release.set()
    assert sch.wait_idle(30)
    assert sch.last_results["air"].revision == session.doc.revision


def test_shutdown_stops_a_running_air_solve(slow, qtbot):
    session, fake = slow
    qtbot.waitUntil(lambda: bool(fake.started), timeout=30000)
    t0 = time.monotonic()
    session.scheduler.shutdown()
    assert fake.stopped and time.monotonic() - t0 < 5.0


def test_air_results_never_reach_the_views_without_the_main_lanes(monkeypatch, sample, qtbot):
    """An air answer that is in first (kept answers, a partial result) waits for the main
    lane's results of its revision: a results_ready without liquid would tell the liquid view
    there are none (its badges vanished and came back)."""
    from designer.analysis.liquid import LiquidAnalysis
    from designer.solvers.air.results import AirResult

    real = LiquidAnalysis.run

    def slow_liquid(self, *a, **kw):
        time.sleep(0.3)  # the main lane behind the air lane
        return real(self, *a, **kw)

    def quick_air(self, project, revision, cache, should_stop=None, focus=None, partial=None, progress=None):
        partial(AnalysisResult("air", revision, (), AirResult("h", (), 0.25, {}, ("x",)), {"pending": ["x"]}))
        return AnalysisResult("air", revision, (), AirResult("h", (), 0.25, {}), {})

    monkeypatch.setattr(LiquidAnalysis, "run", slow_liquid)
    monkeypatch.setattr(AirAnalysis, "run", quick_air)
    session = Session(sample)
    seen = []
    session.results_ready.connect(lambda rev, res: seen.append((rev, sorted(res))))
    try:
        assert session.scheduler.wait_idle(60)
        rack = session.site.hall.racks[0]
        session.push(SetFields(rack.id, {"it_load_kw": rack.it_load_kw + 1.0}))
        assert session.scheduler.wait_idle(60)
        assert seen and all("liquid" in names for _rev, names in seen), seen
        assert {rev for rev, names in seen if "air" in names} == {0, session.doc.revision}
        assert session.scheduler.last_results["air"].data.pending == ()
    finally:
        session.scheduler.shutdown()
