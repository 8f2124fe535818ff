"""The state dump the real-window test reads (DESIGNER_DEBUG_STATE, Ctrl+Shift+F12): written
on a key press, in order with other input, with positions a driver can aim at."""

from __future__ import annotations

import json

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window import debug_state  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.document.edits import SetFields  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.resize(1600, 1000)
    w.show()
    qtbot.waitExposed(w)
    w.view.fit()
    yield w
    session.undo_stack.setClean()
    w.close()
    session.scheduler.shutdown()


def dump_key(qtbot, widget) -> None:
    qtbot.keyClick(widget, Qt.Key_F12, Qt.ControlModifier | Qt.ShiftModifier)


def test_nothing_is_installed_without_the_variable(win, monkeypatch):
    monkeypatch.delenv(debug_state.ENV, raising=False)
    assert debug_state.install(win) is None


def test_the_key_writes_what_the_window_shows(win, qtbot, tmp_path, monkeypatch):
    path = tmp_path / "state.json"
    monkeypatch.setenv(debug_state.ENV, str(path))
    dump = debug_state.install(win)
    try:
        v = win.view
        vp = v.viewport()
        v.setFocus()
        typed = []
        v.keyPressEvent = lambda e, orig=v.keyPressEvent: (typed.append(e.key()), orig(e))[1]
        dump_key(qtbot, vp)
        assert Qt.Key_F12 not in typed  # the key is the dump's, not the tool's
        st = json.loads(path.read_text())
        assert st["seq"] == 1 and st["plan"]["tool"] == "select" and not st["modified"]
        # the model -> screen mapping a driver uses lands where Qt draws the point
        s, (ox, oy) = st["plan"]["px_per_m"], st["plan"]["origin_global"]
        for x, y in ((0.0, 0.0), (10.2, 9.8), (30.0, 20.0)):
            g = vp.mapToGlobal(v.viewportTransform().map(to_scene(x, y)))
            assert (ox + s * x, oy - s * y) == (pytest.approx(g.x()), pytest.approx(g.y()))
        r04 = next(i for i in st["site"]["items"] if i["name"] == "R04")
        assert (r04["kind"], r04["x"], r04["y"]) == ("racks", 10.2, 9.8)
        assert st["site"]["outline"] == [list(p) for p in win.session.site.hall.outline]
        entries = st["catalog"]["entries"]
        assert entries, "some catalog entries are on screen"
        model, (x, y, w, h) = next(iter(entries.items()))
        tree = win.palette.tree
        hit = tree.itemAt(tree.viewport().mapFromGlobal(QPointF(x + w / 2, y + h / 2).toPoint()))
        assert hit is not None and hit.data(0, Qt.UserRole) == model
        # an edit shows, and each dump has the next number
        win.session.push(SetFields(r04["id"], {"x": 11.0}))
        dump_key(qtbot, vp)
        st = json.loads(path.read_text())
        assert st["seq"] == 2 and st["modified"]
        assert next(i for i in st["site"]["items"] if i["id"] == r04["id"])["x"] == 11.0
        # a modal question: its buttons, where a driver clicks them
        box = QMessageBox(QMessageBox.Question, "Unsaved changes", "Save?",
                          QMessageBox.Save | QMessageBox.Discard | QMessageBox.Cancel, win)
        box.setWindowModality(Qt.ApplicationModal)
        box.show()
        qtbot.waitExposed(box)
        dump_key(qtbot, box)
        st = json.loads(path.read_text())
        assert st["seq"] == 3 and st["modal"]["title"] == "Unsaved changes"
        rects = {b["text"]: b["rect"] for b in st["modal"]["buttons"]}
        assert set(rects) == {"Save", "Discard", "Cancel"}
        button = box.button(QMessageBox.Discard)
        tl = button.mapToGlobal(button.rect().topLeft())
        assert rects["Discard"] == [tl.x(), tl.y(), button.width(), button.height()]
        box.close()
    finally:
        QApplication.instance().removeEventFilter(dump)
