"""A closed window is freed with its session: nothing keeps its widgets, results or heat
maps alive (a study's variant windows came and went, each keeping about 100 MB on the sample
until the app quit)."""

from __future__ import annotations

import gc
import weakref

import pytest

pytest.importorskip("PySide6")

from PySide6.QtCore import QCoreApplication, QEvent  # noqa: E402

from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui


def _flush_deletes(qtbot) -> None:
    for _ in range(3):
        qtbot.wait(10)
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()


def test_closed_windows_and_their_sessions_are_freed(qtbot, sample):
    refs = []
    for _ in range(2):
        session = Session(sample.model_copy(deep=True))
        w = MainWindow(session)
        w.show()
        qtbot.waitExposed(w)
        assert session.scheduler.wait_idle(120)
        session.selection.set([sample.sites[0].hall.racks[0].id])  # panels built for an item
        qtbot.wait(20)
        session.undo_stack.setClean()
        assert w.close()
        refs.append((weakref.ref(w), weakref.ref(session), weakref.ref(w.properties)))
        del w, session
        _flush_deletes(qtbot)
    alive = [[r() is not None for r in trio] for trio in refs]
    assert alive == [[False, False, False]] * 2
