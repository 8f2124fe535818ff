"""NaN and infinity in every result, through every view: nothing escapes, nothing is caught
by the view guard, no numpy warning; what cannot be drawn is left out or shown as "n/a"."""

from __future__ import annotations

import copy
import dataclasses
import types
from collections.abc import Mapping

import numpy as np
import pytest

pytest.importorskip("PySide6.QtWidgets")

from designer.app.lifecycle import guard  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.model.units import fmt  # noqa: E402

pytestmark = pytest.mark.gui


def poison(obj, value):
    """A copy of a result payload with every float (and float array) set to ``value``."""
    t = type(obj)
    if t is float or isinstance(obj, np.floating):
        return value
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "fc":
            return np.full_like(obj, value)
        if obj.dtype == object:
            return np.array([poison(x, value) for x in obj.ravel()], dtype=object).reshape(obj.shape)
        return obj
    if t is list:
        return [poison(x, value) for x in obj]
    if t is tuple:
        return tuple(poison(x, value) for x in obj)
    if t is dict:
        return {k: poison(v, value) for k, v in obj.items()}
    if isinstance(obj, Mapping):
        return types.MappingProxyType({k: poison(v, value) for k, v in obj.items()})
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        new = copy.copy(obj)
        for f in dataclasses.fields(obj):
            try:
                object.__setattr__(new, f.name, poison(getattr(obj, f.name), value))
            except (AttributeError, TypeError):
                pass
        return new
    return obj


@pytest.fixture
def win(qtbot, sample):
    s = Session(sample)
    w = MainWindow(s)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()


def test_non_finite_numbers_format_as_n_a():
    assert fmt(float("nan"), "power") == "n/a" and fmt(float("inf"), "length") == "n/a"
    assert guard.num(float("-inf")) == "n/a" and guard.num(None) == "n/a" and guard.num(2.25, ".1f") == "2.2"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_every_view_survives_non_finite_results(win, qtbot, value):
    s = win.session
    s.scheduler.run_now()
    assert s.scheduler.wait_idle(120)
    real = dict(s.scheduler.last_results)
    assert all(r.error is None for r in real.values())
    s.scheduler.enabled = False  # keep the poisoned results on screen
    bad = {name: poison(r, value) for name, r in real.items()}
    guard.caught.clear()
    s.scheduler.last_results = bad
    s.scheduler.results_ready.emit(s.doc.revision, bad)
    for site in s.project.sites:
        s.set_site(site.id)
        qtbot.wait(1)
        win.grab()
        for dock in win.docks.values():
            dock.show()
            dock.raise_()
            qtbot.wait(1)
            dock.grab()
    assert guard.caught == []
