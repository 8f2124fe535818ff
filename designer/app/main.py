"""Start the app: ``designer [FILE]`` (the bundled sample when no file is given)."""

from __future__ import annotations

import sys
from pathlib import Path


def make_app():
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication(sys.argv[:1])
    from PySide6.QtGui import QPixmapCache

    # Plan items cache their drawings (DeviceCoordinateCache). Qt's 10 MB default evicts
    # them on a 1,000-rack plan with result overlays, and every full repaint then calls
    # paint() in Python for every item (240 -> 100 ms measured). A ceiling, not a reservation.
    QPixmapCache.setCacheLimit(256 * 1024)
    app.setApplicationName("Data Hall Designer")
    app.setOrganizationName("data-hall-designer")
    return app


def open_window(file: str | None, ask_recovery: bool = True, splash=None):
    """Build the session and the window for ``file`` (or the sample). Returns the window.
    ``splash`` (start-up) says what is being done and goes when the window shows."""
    from designer.app.splash import step

    step(splash, "Loading the editor…")
    from designer.app.mainwindow import MainWindow
    from designer.app.session import Session
    from designer.io.catalog_store import sample_project_path
    from designer.io.errors import LoadError
    from designer.io.files import load

    path = Path(file) if file else sample_project_path()
    error = None
    try:
        project = load(path)
    except LoadError as e:
        project, error = None, e
    session = Session(project, path if (project is not None and file) else None)
    step(splash, "Building the window…")
    win = MainWindow(session)
    if project is not None and not file:
        win.setWindowTitle(win.windowTitle().replace("untitled", "sample (save to keep changes)"))
    win.show()
    if splash is not None:
        splash.finish(win)
    win.view.fit()
    from designer.app.recovery import install_excepthook, offer_restore

    install_excepthook(win)
    if ask_recovery:
        offer_restore(win, win.files)
    if error is not None:
        from designer.app.dialogs import show_error

        show_error(win, "Cannot open project", f"{path} could not be opened; nothing was changed.",
                   error.summary(200))
    return win


def run(file: str | None = None, screenshot: str | None = None, site: str | None = None) -> int:
    app = make_app()
    splash = None
    if screenshot is None:
        from designer.app.splash import show_splash

        splash = show_splash(app)
    win = open_window(file, ask_recovery=screenshot is None, splash=splash)
    if site:
        win.session.set_site(site)
    win.raise_()
    if screenshot:
        from PySide6.QtCore import QTimer

        def shoot() -> None:
            win.session.scheduler.wait_idle(120)
            app.processEvents()
            ok = win.grab().save(screenshot)
            print(f"{'saved' if ok else 'could not save'} {screenshot}")
            win.session.undo_stack.setClean()
            win.close()
            app.exit(0 if ok else 1)

        QTimer.singleShot(300, shoot)
    return app.exec()
