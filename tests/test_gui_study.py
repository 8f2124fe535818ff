"""The Studies panel: a grid for the open project, run in the background with progress and
cancel, the table and plots, a row opened as an unsaved variant (pytest-qt, offscreen)."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from PySide6.QtCore import Qt  # noqa: E402

from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.study.table import read_csv_rows  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def win(qtbot, sample):
    session = Session(sample)
    w = MainWindow(session)
    w.show()
    qtbot.waitExposed(w)
    assert session.scheduler.wait_idle(60)
    yield w
    for v in w.extensions["study"].variants:
        v.session.undo_stack.setClean()
        v.close()
        v.session.scheduler.shutdown()
    w.extensions["study"].shutdown()
    w.session.undo_stack.setClean()
    w.close()
    w.session.scheduler.shutdown()


def _grid(panel, split: str = "site", growth: str = "1.0, 1.3") -> None:
    f = panel.form
    f.split.setCurrentIndex(f.split.findData(split))
    f.growth.setText(growth)
    for key, cb in f.failures.items():
        cb.setChecked(key == "each_power")
    # the panel is the same for every analysis; the 3D air model would add seconds per row
    # (air in a study: tests/test_study.py)
    f.analyses["air"].setChecked(False)
    f.workers.setValue(0)


def test_run_table_plots_and_variant(qtbot, win, tmp_path):
    panel = win.extensions["study"]
    win.docks["studies"].raise_()
    win.session.set_site("twr-ks")
    _grid(panel)
    panel.run_btn.click()
    assert not panel.run_btn.isEnabled() and panel.cancel_btn.isEnabled()
    qtbot.waitUntil(lambda: panel.run_btn.isEnabled(), timeout=120_000)
    rows = panel.model.rows
    power = len([*win.session.site.hall.power.sources, *win.session.site.hall.power.ups,
                 *win.session.site.hall.power.pdus])
    assert len(rows) == 2 * (1 + power) and panel.model.rowCount() == len(rows)
    assert {r["design"] for r in rows} == {"project/twr-ks"}
    assert panel.progress.value() == len(rows) and "Double-click" in panel.status.text()
    assert panel.plots.series["margin:distributed"] == 2
    assert panel.plots.series["lost:distributed"] == 2 * power
    # sort by racks lost, worst first, and open that row as a variant
    col = [panel.model.headerData(i, Qt.Horizontal) for i in range(panel.model.columnCount())].index("Racks lost")
    panel.table.sortByColumn(col, Qt.DescendingOrder)
    top = panel.model.row(panel.proxy.mapToSource(panel.proxy.index(0, 0)).row())
    assert top["racks_lost"] == max(r["racks_lost"] for r in rows)
    panel.table.doubleClicked.emit(panel.proxy.index(0, 0))
    assert len(panel.variants) == 1
    v = panel.variants[0]
    assert v.session.modified and v.session.doc.path is None and v.session.site_id == "twr-ks"
    assert v.session.undo_stack.count() == 1 and v.session.undo_stack.text(0).startswith("Scenario: ")
    failed = top["failure"]
    assert v.session.doc.item(failed) is None and win.session.doc.item(failed) is not None
    v.session.undo_stack.undo()
    assert v.session.doc.item(failed) is not None
    # closing the variant frees it: the panel forgets it and nothing else holds it
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    v.session.undo_stack.setClean()
    assert v.close()
    gone = weakref.ref(v)
    del v
    for _ in range(3):
        qtbot.wait(10)
        QCoreApplication.sendPostedEvents(None, QEvent.DeferredDelete)
        gc.collect()
    assert panel.variants == [] and gone() is None
    # the table saves through the atomic writer
    panel.save(tmp_path / "t.csv")
    assert len(read_csv_rows(tmp_path / "t.csv")) == len(rows)


def test_cancel_stops_the_run(qtbot, win):
    panel = win.extensions["study"]
    _grid(panel, "sites", "1.0, 1.1, 1.2, 1.3, 1.4")
    panel.run_btn.click()
    qtbot.waitUntil(lambda: panel.progress.value() > 0, timeout=120_000)
    panel.cancel_btn.click()
    qtbot.waitUntil(lambda: panel.run_btn.isEnabled(), timeout=120_000)
    assert panel.status.text().startswith("Stopped:")
    assert panel.model.rowCount() == 0


def test_form_errors_name_the_field(win):
    panel = win.extensions["study"]
    panel.form.water.setText("32, warm")
    panel.run_btn.click()
    assert panel.status.text() == "Not started: Facility water °C: 'warm' is not a number (separate values with commas)"
    assert panel.job is None


def test_the_empty_table_shows_whole_column_titles(win):
    """Before any run the columns were 100 px: "Survives 1 failure", "Worst failure rack" and
    others were cut at both ends (seen at 1280x800 and 1920x1080)."""
    table = win.extensions["study"].table
    header = table.horizontalHeader()
    fm = header.fontMetrics()
    model = table.model()
    for i in range(model.columnCount()):
        title = model.headerData(i, Qt.Horizontal)
        assert header.sectionSize(i) >= fm.horizontalAdvance(title) + 8, title
