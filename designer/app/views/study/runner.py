"""Runs a study off the GUI thread: progress, cancel, the outcome (or why it failed)."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, QThread, Signal


class _Job(QObject):
    progress = Signal(object)
    done = Signal(object)
    failed = Signal(str)

    def __init__(self, study, designs, workers: int, out_dir=None) -> None:
        super().__init__()
        self.study, self.designs, self.workers, self.out_dir = study, designs, workers, out_dir
        self.stop = threading.Event()

    def run(self) -> None:
        from designer.study.engine import ClusterError, StudyStopped, run_study

        try:
            out = run_study(self.study, self.out_dir, self.designs, workers=self.workers,
                            progress=self.progress.emit, should_stop=self.stop.is_set)
        except StudyStopped as e:
            self.failed.emit(f"Stopped: {e.done} of {e.total} scenarios done.")
        except ClusterError as e:
            self.failed.emit(str(e))
        except Exception as e:  # a bug: say so in the panel rather than lose the thread
            import traceback

            self.failed.emit(f"The study failed: {type(e).__name__}: {e}\n{traceback.format_exc(limit=6)}")
        else:
            self.done.emit(out)


class StudyRun(QObject):
    """One background run. ``progress(ProgressInfo)``, then ``finished(outcome)`` or
    ``failed(message)``; :meth:`cancel` stops it at the next scenario (a Dask run cancels
    what is queued)."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, study, designs, workers: int, parent=None, out_dir=None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._job = _Job(study, designs, workers, out_dir)
        self._job.moveToThread(self._thread)
        self._thread.started.connect(self._job.run)
        self._job.progress.connect(self.progress)
        self._job.done.connect(self._end_ok)
        self._job.failed.connect(self._end_failed)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._job.stop.set()

    def running(self) -> bool:
        return self._thread.isRunning()

    def wait(self, ms: int = 30000) -> bool:
        return self._thread.wait(ms)

    def _end_ok(self, out) -> None:
        self._thread.quit()
        self._thread.wait()
        self.finished.emit(out)

    def _end_failed(self, msg: str) -> None:
        self._thread.quit()
        self._thread.wait()
        self.failed.emit(msg)
