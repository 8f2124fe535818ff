"""File > Export: the PDF report (with progress and cancel), JSON, bill of materials, DXF, and
the plan view as SVG / PNG.

Exports use the results of the revision being exported: when the analyses are behind the
document they are run first (the progress dialog says so). Every file is written
atomically; a cancel or an error leaves no file behind.
"""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QFileDialog, QProgressDialog

from designer.app.report.layout import Cancelled
from designer.app.window.actions import ActionSpec
from designer.app.window.dialogs import show_error
from designer.io.outputs import OutputError, check_output_path

MENU = "File/Export"
KINDS = {  # kind: (action text, file filter, suffix)
    "pdf": ("&PDF report…", "PDF files (*.pdf)", ".pdf"),
    "json": ("&JSON (design and results)…", "JSON files (*.json)", ".export.json"),
    "bom": ("&Bill of materials (CSV)…", "CSV files (*.csv)", ".bom.csv"),
    "dxf": ("&DXF drawing…", "DXF drawings (*.dxf)", ".dxf"),
    "svg": ("Plan as &SVG…", "SVG images (*.svg)", ".svg"),
    "png": ("Plan as P&NG…", "PNG images (*.png)", ".png"),
}


class ExportController:
    """The export actions of one window.

    ``on_progress(dialog, fraction)`` is called at every progress step of the PDF (tests use
    it to press Cancel part-way).
    """

    def __init__(self, window) -> None:
        self.window = window
        self.session = window.session
        self.on_progress = None
        self.dialog: QProgressDialog | None = None
        self.last_written: Path | None = None
        handlers = {"pdf": self.export_pdf, "json": self.export_json, "bom": self.export_bom,
                    "dxf": self.export_dxf, "svg": lambda: self.export_plan("svg"),
                    "png": lambda: self.export_plan("png")}
        self.actions = {}
        for kind, (text, _f, _s) in KINDS.items():
            self.actions[kind] = window.add_action(ActionSpec(
                f"export_{kind}", text, handlers[kind], "Ctrl+Shift+E" if kind == "pdf" else None, MENU,
                separator_before=kind == "svg", tip=f"Export {text.replace('&', '').rstrip('…')}"))
        self._place_menu()

    def _place_menu(self) -> None:
        """Put the Export submenu above Quit, between separators."""
        reg = self.window.registry
        file_menu, sub = reg.menus.get("File"), reg.menus.get(MENU)
        quit_act = reg.actions.get("quit")
        if file_menu is None or sub is None or quit_act is None:
            return
        acts = file_menu.actions()
        i = acts.index(quit_act) if quit_act in acts else len(acts)
        before = acts[i - 1] if i > 0 and acts[i - 1].isSeparator() else quit_act
        file_menu.insertMenu(before, sub)
        file_menu.insertSeparator(sub.menuAction())
        sub.setTitle("&Export")

    # -- helpers -----------------------------------------------------------------------------
    def choose_path(self, kind: str) -> Path | None:
        """Ask where to write (tests replace this)."""
        text, filt, suffix = KINDS[kind]
        doc_path = self.session.doc.path
        stem = (doc_path.name.split(".")[0] if doc_path else self.session.project.name.replace(" ", "_")) or "design"
        if kind in ("svg", "png") and self.session.site_id:
            stem += f"-{self.session.site_id}"
        from designer.app.lifecycle.files import start_folder

        start = str(start_folder(doc_path) / f"{stem}{suffix}")
        path, _ = QFileDialog.getSaveFileName(self.window, f"Export {text.replace('&', '').rstrip('…')}", start, filt)
        if not path:
            return None
        p = Path(path)
        return p if p.suffix else p.with_name(f"{p.name}.{suffix.rsplit('.', 1)[-1]}")

    def _check(self, path: Path) -> bool:
        try:
            # an export may never replace the open project's file
            check_output_path(path, inputs=[self.session.doc.path] if self.session.doc.path else ())
        except OutputError as e:
            show_error(self.window, "Cannot export", str(e))
            return False
        return True

    def _results(self, dialog: QProgressDialog | None = None) -> dict | None:
        """Current analysis results (run first when the document moved on); None if cancelled."""
        sch = self.session.scheduler
        if sch.last_revision == self.session.doc.revision and not sch.busy and sch.last_results:
            return dict(sch.last_results)
        if dialog is not None:
            dialog.setLabelText("Running the analyses on the current design…")
        sch.run_now()
        t_end = time.monotonic() + 300.0
        while time.monotonic() < t_end:
            QCoreApplication.processEvents()
            if dialog is not None and dialog.wasCanceled():
                return None
            if not sch.busy and not sch.pending and sch.last_revision == self.session.doc.revision:
                return dict(sch.last_results)
            time.sleep(0.005)
        return None

    def _done(self, path: Path, what: str) -> None:
        self.last_written = path
        self.window.statusBar().showMessage(f"Exported {what} to {path}", 8000)

    def _failed(self, path: Path, e: Exception) -> None:
        msg = e.strerror if isinstance(e, OSError) and e.strerror else str(e)
        show_error(self.window, "Export failed", f"Writing {path} failed: {msg}\nNo file was written.")

    # -- exports -----------------------------------------------------------------------------
    def export_pdf(self, path: Path | None = None) -> bool:
        path = path or self.choose_path("pdf")
        if path is None or not self._check(path):
            return False
        from designer.app.report.pdf import write_pdf
        from designer.io.report import build_report

        dlg = self.dialog = QProgressDialog("Preparing the report…", "Cancel", 0, 100, self.window)
        dlg.setWindowTitle("Export PDF report")
        dlg.setWindowModality(Qt.WindowModal)
        dlg.setMinimumDuration(0)
        dlg.setAutoClose(False)
        dlg.setAutoReset(False)
        dlg.setValue(0)
        try:
            results = self._results(dlg)
            if results is None:
                self.window.statusBar().showMessage("PDF export cancelled; no file written", 6000)
                return False
            project = self.session.doc.snapshot()
            # the report reads in the units the user is looking at (a view setting)
            project = project.model_copy(update={"settings": project.settings.model_copy(
                update={"units": getattr(self.session, "units", project.settings.units)})})

            def progress(f: float, text: str) -> None:
                dlg.setLabelText(text)
                dlg.setValue(int(5 + 95 * f))
                if self.on_progress is not None:
                    self.on_progress(dlg, f)
                QCoreApplication.processEvents()

            report = build_report(project, results, self.session.catalog)
            info = write_pdf(report, project, path, results, progress, dlg.wasCanceled)
        except Cancelled:
            self.window.statusBar().showMessage("PDF export cancelled; no file written", 6000)
            return False
        except (OSError, OutputError) as e:
            self._failed(path, e)
            return False
        finally:
            dlg.close()
            dlg.deleteLater()
            self.dialog = None
        self._done(path, f"the report ({info.pages} pages)")
        return True

    def export_json(self, path: Path | None = None) -> bool:
        path = path or self.choose_path("json")
        if path is None or not self._check(path):
            return False
        from designer.io.export_json import write_export_json

        results = self._results()
        if results is None:
            return False
        try:
            write_export_json(path, self.session.doc.snapshot(), results, self.session.catalog)
        except (OSError, OutputError) as e:
            self._failed(path, e)
            return False
        self._done(path, "the design and results")
        return True

    def export_bom(self, path: Path | None = None) -> bool:
        path = path or self.choose_path("bom")
        if path is None or not self._check(path):
            return False
        from designer.io.bom import bill_of_materials, write_bom_csv

        try:
            write_bom_csv(bill_of_materials(self.session.project, self.session.catalog), path)
        except (OSError, OutputError) as e:
            self._failed(path, e)
            return False
        self._done(path, "the bill of materials")
        return True

    def export_dxf(self, path: Path | None = None) -> bool:
        path = path or self.choose_path("dxf")
        if path is None or not self._check(path):
            return False
        from designer.io.dxf import write_dxf

        try:
            write_dxf(self.session.project, path)
        except (OSError, OutputError) as e:
            self._failed(path, e)
            return False
        self._done(path, "the DXF drawing")
        return True

    def export_plan(self, kind: str, path: Path | None = None) -> bool:
        site = self.session.site_id
        if site is None:
            show_error(self.window, "Cannot export", "There is no site to draw.")
            return False
        path = path or self.choose_path(kind)
        if path is None or not self._check(path):
            return False
        from designer.app.report.images import write_plan_png, write_plan_svg

        results = dict(self.session.scheduler.last_results or {})
        try:
            write = write_plan_svg if kind == "svg" else write_plan_png
            scale = write(self.session.project, path, site, results)
        except (OSError, OutputError) as e:
            self._failed(path, e)
            return False
        self._done(path, f"the plan of {site} (1:{scale})")
        return True


def install(window) -> ExportController:
    return ExportController(window)
