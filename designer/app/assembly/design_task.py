"""Design from the workloads, off the GUI thread, with a progress dialog.

``design_site(project, site_id, catalog)`` (:mod:`designer.analysis.design`) reads a snapshot
of the project; its edit is pushed as one undo step when it comes back, unless the document
changed meanwhile (then it would not fit, and the user is asked to run it again). If the
function takes a ``progress`` callable, its reports drive the bar; otherwise the bar is busy.
"""

from __future__ import annotations

import inspect
import traceback

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot
from PySide6.QtWidgets import QProgressDialog


class _Relay(QObject):
    progress = Signal(float, str)
    done = Signal(object)
    failed = Signal(str)


class _Task(QRunnable):
    def __init__(self, fn, args, relay: _Relay, with_progress: bool) -> None:
        super().__init__()
        self.fn, self.args, self.relay, self.with_progress = fn, args, relay, with_progress
        self.cancelled = False

    def run(self) -> None:
        try:
            kw = {}
            if self.with_progress:
                kw["progress"] = lambda frac, text="": (self.relay.progress.emit(float(frac), str(text))
                                                        if not self.cancelled else None)
            result = self.fn(*self.args, **kw)
        except Exception:  # a bug in the designer: say so instead of losing the thread
            self.relay.failed.emit(traceback.format_exc())
            return
        self.relay.done.emit(result)


class DesignRunner(QObject):
    def __init__(self, actions) -> None:
        super().__init__(actions.window)
        self.actions = actions
        self.session = actions.session
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(1)
        self.task: _Task | None = None
        self.dialog: QProgressDialog | None = None
        self.revision = -1
        self.site_name = ""

    @property
    def running(self) -> bool:
        return self.task is not None

    def start(self, fn, site) -> bool:
        if self.task is not None:
            return False
        s = self.session
        try:
            with_progress = "progress" in inspect.signature(fn).parameters
        except (TypeError, ValueError):
            with_progress = False
        self.revision = s.doc.revision
        self.site_name = site.name or site.id
        relay = _Relay(self)
        relay.progress.connect(self._progress)
        relay.done.connect(self._done)
        relay.failed.connect(self._failed)
        self.relay = relay
        dlg = QProgressDialog(f"Designing {self.site_name} from its workloads…", "Cancel", 0,
                              100 if with_progress else 0, self.actions.window)
        dlg.setWindowTitle("Design from workloads")
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.canceled.connect(self._cancel)
        dlg.setModal(True)
        dlg.show()
        self.dialog = dlg
        self.task = _Task(fn, (s.doc.snapshot(), site.id, s.catalog), relay, with_progress)
        self.task.setAutoDelete(False)
        self.pool.start(self.task)
        self.actions.status(f"Designing {self.site_name}…", 0)
        return True

    @Slot(float, str)
    def _progress(self, frac: float, text: str) -> None:
        if self.dialog is not None and self.dialog.maximum():
            self.dialog.setValue(int(round(100 * max(0.0, min(1.0, frac)))))
            if text:
                self.dialog.setLabelText(text)

    def _close(self) -> None:
        if self.dialog is not None:
            self.dialog.blockSignals(True)
            self.dialog.close()
            self.dialog.deleteLater()
            self.dialog = None

    def _cancel(self) -> None:
        if self.task is not None:
            self.task.cancelled = True
        self._close()
        self.actions.status("Design cancelled; nothing was changed")

    @Slot(object)
    def _done(self, result) -> None:
        task, self.task = self.task, None
        self._close()
        if task is None or task.cancelled:
            return
        label = f"Design {self.site_name} from workloads"
        if self.session.doc.revision != self.revision:
            self.actions.show_account(f"{label}: not applied", [], [
                "the project changed while the design ran; run Design from workloads again"])
            self.actions.status(f"{label}: the project changed meanwhile; run it again")
            return
        self.actions._apply(result, label)

    @Slot(str)
    def _failed(self, text: str) -> None:
        task, self.task = self.task, None
        self._close()
        if task is not None and task.cancelled:
            return
        last = text.strip().splitlines()[-1] if text.strip() else "unknown error"
        self.actions.show_account("Design from workloads failed", [], [last])
        self.actions.status(f"Design from workloads failed: {last}")

    def wait(self, ms: int = 60000) -> bool:
        return self.pool.waitForDone(ms)
