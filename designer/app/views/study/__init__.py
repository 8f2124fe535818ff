"""Studies in the app: ``install(window)`` adds the Studies dock (bottom, tabbed with Findings)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt

from designer.app.views.study.panel import StudiesPanel


def install(window) -> StudiesPanel:
    panel = StudiesPanel(window)
    window.add_dock("studies", "Studies", panel, Qt.BottomDockWidgetArea)
    window.destroyed.connect(panel.shutdown)
    app = QCoreApplication.instance()
    if app is not None:  # a study still running when the app quits is stopped, not orphaned
        app.aboutToQuit.connect(panel.shutdown)
    return panel
