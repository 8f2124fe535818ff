"""Runs the analyses off the GUI thread after edits: debounced, stale results dropped."""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from designer.document.document import Document


class _Worker(QObject):
    finished = Signal(int, dict, float)

    def __init__(self) -> None:
        super().__init__()
        # Built here, on the GUI thread: importing numpy / scipy / shapely from the worker
        # thread while the GUI thread touches them races on half-initialised modules.
        from designer.analysis.runner import Runner

        self.runner = Runner()
        self.latest_requested = 0

    @Slot(object, int)
    def run(self, snapshot, revision: int) -> None:
        t0 = time.perf_counter()
        results = self.runner.run(snapshot, revision, should_stop=lambda: self.latest_requested > revision)
        self.finished.emit(revision, results, time.perf_counter() - t0)


class AnalysisScheduler(QObject):
    """Owns the worker thread. ``results_ready(revision, {name: AnalysisResult})`` fires on
    the GUI thread for current results only; ``state_changed(text)`` tells the status bar.

    The worker (and with it every analysis and solver module: scipy, shapely) is built at the
    first run, after the debounce, so the window shows before the analyses are loaded."""

    results_ready = Signal(int, dict)
    state_changed = Signal(str)
    _request = Signal(object, int)

    def __init__(self, doc: Document, debounce_ms: int = 120, parent=None) -> None:
        super().__init__(parent)
        self.doc = doc
        self.busy = False
        self.pending = False
        self.enabled = True
        self.last_results: dict = {}
        self.last_revision = -1
        self.last_elapsed = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._start)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        self._closed = False

    def _ensure_worker(self) -> None:
        if self._worker is not None:
            return
        self._thread = QThread(self)
        self._thread.setObjectName("analysis")
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.finished.connect(self._done)
        self._thread.start()

    def set_document(self, doc: Document) -> None:
        self.doc = doc
        self.request()

    def request(self) -> None:
        """Ask for a run soon (after the debounce interval)."""
        if not self.enabled:
            return
        self.state_changed.emit("results out of date")
        self._timer.start()

    def run_now(self) -> None:
        self._timer.stop()
        self._start()

    def _start(self) -> None:
        if self._closed:
            return
        if self.busy:
            self.pending = True
            return
        self._ensure_worker()
        self.busy = True
        self.pending = False
        rev = self.doc.revision
        self._worker.latest_requested = rev
        self.state_changed.emit("analysing…")
        self._request.emit(self.doc.snapshot(), rev)

    @Slot(int, dict, float)
    def _done(self, revision: int, results: dict, elapsed: float) -> None:
        self.busy = False
        if revision == self.doc.revision:
            self.last_results = results
            self.last_revision = revision
            self.last_elapsed = elapsed
            self.results_ready.emit(revision, results)
            self.state_changed.emit(f"results current ({elapsed * 1000:.0f} ms)")
        else:
            self.pending = True  # stale: the document moved on while we ran
        if self.pending:
            self._timer.start()

    def wait_idle(self, timeout_s: float = 10.0) -> bool:
        """Process events until no run is pending (tests, export)."""
        from PySide6.QtCore import QCoreApplication

        t_end = time.monotonic() + timeout_s
        while time.monotonic() < t_end:
            QCoreApplication.processEvents()
            if not self.busy and not self._timer.isActive() and not self.pending \
                    and self.last_revision == self.doc.revision:
                return True
            time.sleep(0.005)
        return False

    def shutdown(self) -> None:
        self._closed = True
        self._timer.stop()
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait(5000)
