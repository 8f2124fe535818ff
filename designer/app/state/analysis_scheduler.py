"""Runs the analyses off the GUI thread after edits: debounced, stale results dropped.

The analyses run in *lanes*, one worker thread each (``Analysis.lane``): ``main`` (geometry,
liquid, power, placement: milliseconds) and ``air`` (the 3D air model: seconds). A lane
never waits for another, so liquid, power and placement results come in while the air
model is still solving. A lane's run is stopped when the document changes (the air model
polls ``should_stop`` once per pseudo-time step), and its answer for the stale revision is
dropped: the views show only results of the current revision, merged over the lanes that
have finished it (``results_ready`` fires once per lane; the air view shows nothing until
the air lane has the current revision, rather than an answer for an older design).

A *progressive* analysis (the air model, one site at a time) also hands over its results so
far: the site the engineer is looking at (:attr:`AnalysisScheduler.focus`) is solved first
(after the sites whose answers are kept), and ``results_ready`` fires with each site's answer
as it comes, the sites still to solve listed in the result (``AirResult.pending``), instead of
once after the last site.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from designer.document.document import Document


class _Worker(QObject):
    finished = Signal(str, int, dict, float)
    partial = Signal(str, int, dict)
    progress = Signal(str, int, str, object)

    def __init__(self, lane: str) -> None:
        super().__init__()
        # Built here, on the GUI thread: importing numpy / scipy / shapely from the worker
        # thread while the GUI thread touches them races on half-initialised modules.
        from designer.analysis.runner import Runner

        self.lane = lane
        self.runner = Runner(lane=lane)
        self.latest_requested = 0
        self.closing = False
        self.focus = lambda: None
        """The site shown (read from this thread before each site: a plain attribute read)."""

    def should_stop(self, revision: int) -> bool:
        return self.closing or self.latest_requested > revision

    @Slot(object, int)
    def run(self, snapshot, revision: int) -> None:
        t0 = time.perf_counter()
        results = self.runner.run(snapshot, revision, should_stop=lambda: self.should_stop(revision),
                                  focus=self.focus,
                                  partial=lambda name, res: self.partial.emit(self.lane, revision, {name: res}),
                                  progress=lambda name, info: self.progress.emit(self.lane, revision, name, info))
        self.finished.emit(self.lane, revision, results, time.perf_counter() - t0)


class _Relay(QObject):
    request = Signal(object, int)


class _Lane:
    """One worker thread and its state."""

    def __init__(self, owner: QObject, name: str) -> None:
        self.name = name
        self.busy = False
        self.running = -1
        """Revision being analysed while busy."""
        self.pending = False
        self.revision = -1
        """Revision of the last results this lane delivered."""
        self.results: dict = {}
        self.partial_revision = -1
        self.partial: dict = {}
        """Results so far of the revision being analysed (progressive analyses)."""
        self.progress = ""
        """What the lane's results so far leave to do ("air analysing… (2 sites to go: …)")."""
        self.elapsed = 0.0
        self.thread = QThread(owner)
        self.thread.setObjectName(f"analysis-{name}")
        self.worker = _Worker(name)
        self.worker.moveToThread(self.thread)
        self.relay = _Relay(owner)
        self.relay.request.connect(self.worker.run)  # queued: the worker lives on its thread


class AnalysisScheduler(QObject):
    """Owns the worker threads. ``results_ready(revision, {name: AnalysisResult})`` fires on
    the GUI thread for current results only (all lanes that have the current revision);
    ``state_changed(text)`` tells the status bar.

    The workers (and with them every analysis and solver module: scipy, shapely) are built at
    the first run, after the debounce, so the window shows before the analyses are loaded."""

    results_ready = Signal(int, dict)
    state_changed = Signal(str)
    progress_changed = Signal(str, object)
    """(analysis name, info) a few times a second during a long solve of the current revision
    (the air model: ``info`` has ``site_id``, ``site_name``, ``convergence``, ``pending``)."""

    def __init__(self, doc: Document, debounce_ms: int = 120, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.enabled = True
        self.last_results: dict = {}
        self.last_revision = -1
        self.last_elapsed = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start)
        self.lanes: dict[str, _Lane] = {}
        self._closed = False
        self.focus = lambda: None
        """Callable giving the id of the site shown (the session's), solved first."""

    def _ensure_lanes(self) -> None:
        if self.lanes:
            return
        from designer.analysis.runner import registered

        names = sorted({cls.lane for cls in registered().values()}, key=lambda n: (n != "main", n))
        for n in names:
            lane = _Lane(self, n)
            lane.worker.focus = lambda: self.focus()
            lane.worker.finished.connect(self._done)
            lane.worker.partial.connect(self._partial)
            lane.worker.progress.connect(self._progress)
            lane.thread.start()
            self.lanes[n] = lane

    # -- state the views and tests read ------------------------------------------------------
    @property
    def busy(self) -> bool:
        return any(lane.busy for lane in self.lanes.values())

    @property
    def pending(self) -> bool:
        return any(lane.pending for lane in self.lanes.values())

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self.request()

    def request(self) -> None:
        """Ask for a run soon (after the debounce interval); runs of older revisions stop."""
        if not self.enabled:
            return
        rev = self.doc.revision
        for lane in self.lanes.values():
            lane.worker.latest_requested = max(lane.worker.latest_requested, rev)
        self.state_changed.emit("results out of date")
        self._timer.start()

    def run_now(self) -> None:
        self._timer.stop()
        self._start()

    def _start(self) -> None:
        if self._closed:
            return
        self._ensure_lanes()
        rev = self.doc.revision
        snap = None
        started = False
        for lane in self.lanes.values():
            if (lane.revision == rev and not lane.busy) or (lane.busy and lane.running == rev):
                continue  # already current, or working on it
            if lane.busy:
                lane.pending = True
                continue
            if snap is None:
                snap = self.doc.snapshot()
            lane.busy = True
            lane.running = rev
            lane.pending = False
            lane.worker.latest_requested = rev
            lane.relay.request.emit(snap, rev)
            started = True
        if started:
            self.state_changed.emit("analysing…")

    def _merged(self, revision: int) -> dict:
        """The results of ``revision``: of every lane that finished it, and the results so far
        of a lane still on it."""
        merged: dict = {}
        for lane in self.lanes.values():
            if lane.revision == revision:
                merged.update(lane.results)
            elif lane.partial_revision == revision:
                merged.update(lane.partial)
        return merged

    def _main_has(self, revision: int) -> bool:
        """True when the ``main`` lane (milliseconds: layout, liquid, power, placement) has
        ``revision``. Another lane's results wait for it: a ``results_ready`` without them
        would tell those views there are none (the liquid badges would vanish and come back),
        and the main lane is never far behind."""
        main = self.lanes.get("main")
        return main is None or main.revision == revision

    @Slot(str, int, str, object)
    def _progress(self, lane_name: str, revision: int, name: str, info) -> None:
        lane = self.lanes[lane_name]
        if revision != self.doc.revision or not lane.busy or lane.running != revision:
            return  # a stale run's last steps
        conv = info.get("convergence") if isinstance(info, dict) else None
        if conv is not None and info.get("site_name"):
            after = len(info.get("pending", ()))
            more = f"; {after} more site{'s' * (after != 1)} after it" if after else ""
            self.state_changed.emit(f"{name} analysing… {info['site_name']}: step {conv.steps}{more}")
        self.progress_changed.emit(name, info)

    @Slot(str, int, dict)
    def _partial(self, name: str, revision: int, results: dict) -> None:
        lane = self.lanes[name]
        if revision != self.doc.revision or not lane.busy or lane.running != revision:
            return  # stale: the document moved on
        if lane.partial_revision != revision:
            lane.partial_revision, lane.partial = revision, {}
        lane.partial.update(results)
        pending = [p for r in results.values() for p in r.summary.get("pending", ())]
        if pending:  # said first: the views' refresh may read the status
            names = [(site.name or site.id) if (site := self.doc.site(p)) is not None else p for p in pending]
            lane.progress = (f"{name} analysing… ({len(names)} site{'s' * (len(names) != 1)} to go: "
                             f"{', '.join(names[:3])}{', …' if len(names) > 3 else ''})")
            self.state_changed.emit(lane.progress)
        if not self._main_has(revision):
            return  # shown with the main lane's results when they come (see _main_has)
        self.last_results = self._merged(revision)
        self.last_revision = revision
        self.results_ready.emit(revision, self.last_results)

    @Slot(str, int, dict, float)
    def _done(self, name: str, revision: int, results: dict, elapsed: float) -> None:
        lane = self.lanes[name]
        lane.busy = False
        lane.partial_revision, lane.partial, lane.progress = -1, {}, ""
        if revision == self.doc.revision:
            lane.revision, lane.results, lane.elapsed = revision, results, elapsed
        if revision == self.doc.revision and not self._main_has(revision):
            pass  # shown with the main lane's results when they come (see _main_has)
        elif revision == self.doc.revision:
            merged = self._merged(revision)
            self.last_results = merged
            self.last_revision = revision
            self.last_elapsed = max(o.elapsed for o in self.lanes.values() if o.revision == revision)
            self.results_ready.emit(revision, merged)
            waiting = [o.progress if o.partial_revision == revision and o.progress else f"{o.name} analysing…"
                       for o in self.lanes.values() if o.revision != revision]
            if waiting:
                self.state_changed.emit(f"{'; '.join(waiting)}; others current ({elapsed * 1000:.0f} ms)")
            else:
                self.state_changed.emit(f"results current ({self.last_elapsed * 1000:.0f} ms)")
        else:
            lane.pending = True  # stale: the document moved on while we ran
        if lane.pending and not self._timer.isActive():
            self._timer.start()

    def current(self, lanes: tuple[str, ...] | None = None) -> bool:
        """True when the given lanes (all by default) are idle with the document's revision."""
        rev = self.doc.revision
        for lane in self.lanes.values():
            if lanes is not None and lane.name not in lanes:
                continue
            if lane.busy or lane.pending or lane.revision != rev:
                return False
        return True

    def wait_idle(self, timeout_s: float = 10.0, lanes: tuple[str, ...] | None = None) -> bool:
        """Process events until the given lanes (all by default) are idle and current
        (tests, export)."""
        from PySide6.QtCore import QCoreApplication

        t_end = time.monotonic() + timeout_s
        while time.monotonic() < t_end:
            QCoreApplication.processEvents()
            if not self._timer.isActive() and self.current(lanes) and self.last_revision == self.doc.revision:
                return True
            time.sleep(0.005)
        return False

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        for lane in self.lanes.values():
            lane.worker.closing = True  # a running air solve stops at its next step
        for lane in self.lanes.values():
            lane.thread.quit()
        for lane in self.lanes.values():
            lane.thread.wait(10000)
