"""The Studies panel: a scenario grid for the open project, run in the background (local
Dask or the app's own thread) with progress and cancel, the table and plots of the results;
a double-click on a row opens that scenario as an unsaved variant of the design in a new
window (the design with the scenario as one undo step)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from designer.app.views.study.form import FormError, StudyForm
from designer.app.views.study.model import StudySortModel, StudyTableModel
from designer.app.views.study.plots import StudyPlots
from designer.app.views.study.runner import StudyRun


def _hms(s: float) -> str:
    s = int(round(s))
    return f"{s // 60}:{s % 60:02d}"


class StudiesPanel(QWidget):
    def __init__(self, window) -> None:
        super().__init__()
        self.window = window
        self.session = window.session
        self.form = StudyForm()
        self.run_btn = QPushButton("Run study")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setEnabled(False)
        self.save_btn = QPushButton("Save table…")
        self.save_btn.setEnabled(False)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.status = QLabel("Build a grid and run it: every design x scenario through the analyses.")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        for b in (self.run_btn, self.cancel_btn, self.save_btn):
            buttons.addWidget(b)
        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.form)
        ll.addLayout(buttons)
        ll.addWidget(self.progress)
        ll.addWidget(self.status)
        ll.addStretch(1)
        self.model = StudyTableModel(self)
        self.proxy = StudySortModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView()
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.setToolTip("Double-click a row to open that scenario as an unsaved variant of the design")
        self.table.resizeColumnsToContents()  # before any run too: each column as wide as its title
        self.plots = StudyPlots()
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.table)
        right.addWidget(self.plots)
        right.setStretchFactor(0, 3)
        right.setStretchFactor(1, 2)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(split)
        self.run_btn.clicked.connect(self.start)
        self.cancel_btn.clicked.connect(self.cancel)
        self.save_btn.clicked.connect(self.save_dialog)
        self.table.doubleClicked.connect(self.open_row)
        self.job: StudyRun | None = None
        self.lookup: dict[str, tuple] = {}
        self.source = None
        self.rows: list[dict] = []
        self.variants: list = []

    # -- running -------------------------------------------------------------------------------
    def build(self):
        """(study, designs) for the open project as it is now (a snapshot), or raises FormError."""
        from designer.study.designs import load_designs
        from designer.study.spec import Study

        s = self.session
        file = s.doc.path.name if s.doc.path else "project.json"
        data = self.form.study_data(file, s.site_id, f"{s.project.name}: study")
        try:
            study = Study.model_validate(data)
        except Exception as e:
            raise FormError(str(e)) from None
        self.source = s.project.model_copy(deep=True)
        designs = load_designs(study, files={file: self.source})
        return study, designs

    def start(self) -> None:
        if self.job is not None and self.job.running():
            return
        try:
            study, designs = self.build()
        except FormError as e:
            self.status.setText(f"Not started: {e}")
            return
        from designer.study.engine import plan_study

        plan = plan_study(study, designs, None)
        self.lookup = {key: (d, sc) for d, sc, key in plan.order}
        self.progress.setRange(0, max(plan.total, 1))
        self.progress.setValue(0)
        workers = self.form.workers.value()
        where = "in the app" if workers == 0 else f"on a local Dask cluster of {workers} processes"
        self.status.setText(f"Running {plan.total} scenarios of {len(designs)} designs {where}…")
        self.job = StudyRun(study, designs, workers, self)
        self.job.progress.connect(self._progress)
        self.job.finished.connect(self._finished)
        self.job.failed.connect(self._failed)
        self.run_btn.setEnabled(False)
        self.cancel_btn.setEnabled(True)
        self.job.start()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText("Stopping…")

    def _progress(self, info) -> None:
        self.progress.setValue(info.done)
        eta = info.eta_s
        self.status.setText(f"{info.done} of {info.todo} scenarios, {info.rate:.1f} per second"
                            + (f", about {_hms(eta)} left" if eta is not None and info.done < info.todo else ""))

    def _finished(self, out) -> None:
        self._idle()
        self.rows = out.rows
        self.model.set_rows(out.rows)
        self.table.resizeColumnsToContents()
        self.plots.set_rows(out.rows)
        bad = sum(r["status"] != "ok" for r in out.rows)
        lost = sum((r.get("racks_lost") or 0) > 0 for r in out.rows)
        self.status.setText(f"{len(out.rows)} scenarios in {out.elapsed_s:.1f} s ({out.mode}); {lost} lose racks"
                            + (f"; {bad} did not run through" if bad else "")
                            + ". Double-click a row to open it as a variant.")
        self.save_btn.setEnabled(bool(out.rows))

    def _failed(self, msg: str) -> None:
        self._idle()
        self.status.setText(msg.splitlines()[0])
        self.status.setToolTip(msg)

    def _idle(self) -> None:
        self.run_btn.setEnabled(True)
        self.cancel_btn.setEnabled(False)

    # -- results -------------------------------------------------------------------------------
    def open_row(self, index) -> None:
        row = self.model.row(self.proxy.mapToSource(index).row())
        self.open_variant(row["key"])

    def open_variant(self, key: str):
        """A new window with the design and the scenario applied as one undo step (unsaved)."""
        hit = self.lookup.get(key)
        if hit is None or self.source is None:
            return None
        design, scenario = hit
        from designer.app.state.session import Session
        from designer.app.window.mainwindow import MainWindow
        from designer.study.scenarios import ScenarioEdit

        session = Session(self.source.model_copy(deep=True), None)
        sites = [design.site_id] if design.site_id else None
        wls = [w.id for w in design.project.workloads] if design.site_id else None
        if not session.push(ScenarioEdit(scenario.spec, sites, wls)):
            self.status.setText(f"{scenario.id} could not be applied to the project")
            return None
        win = MainWindow(session)
        if design.site_id:
            session.set_site(design.site_id)
        win.setWindowTitle(f"{win.windowTitle()} — variant: {design.id}, {scenario.id}")
        win.show()
        self.variants.append(win)
        # a closed variant window deletes itself (MainWindow.closeEvent); forget it then
        win.destroyed.connect(lambda _o=None, w=win: self.variants.remove(w) if w in self.variants else None)
        return win

    def save_dialog(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Save study table", "study.csv",
                                              "CSV (*.csv);;Parquet (*.parquet)")
        if path:
            self.save(Path(path))

    def save(self, path: Path) -> None:
        from designer.io.outputs import OutputError, check_output_path
        from designer.study.table import write_csv, write_parquet

        try:
            check_output_path(path, [p for p in (self.session.doc.path,) if p])
            (write_parquet if path.suffix.lower() == ".parquet" else write_csv)(self.rows, path)
        except (OSError, OutputError) as e:
            self.status.setText(f"Not saved: {e}")
            return
        self.status.setText(f"Saved {len(self.rows)} rows to {path}")

    def shutdown(self) -> None:
        if self.job is not None and self.job.running():
            self.job.cancel()
            self.job.wait(30000)
