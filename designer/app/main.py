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


def open_window(file: str | None, ask_recovery: bool = True, quiet: bool = False, splash=None):
    """Build the session and the window for ``file`` (or the sample). Returns the window.

    ``quiet`` (screenshot mode): nothing modal is shown; a file that cannot be opened is
    reported on stderr and the window's ``open_error`` holds the error. ``splash`` (start-up)
    says what is being done and goes when the window shows.
    """
    from designer.app.window.splash import step

    step(splash, "Loading the editor…")
    from designer.app.state.session import Session
    from designer.app.window.mainwindow import MainWindow
    from designer.io.catalog_store import sample_project_path
    from designer.io.errors import LoadError
    from designer.io.files import check_editable, load

    path = Path(file) if file else sample_project_path()
    error = None
    try:
        project = check_editable(load(path), str(path))
    except LoadError as e:
        project, error = None, e
    session = Session(project, path if (project is not None and file) else None)
    step(splash, "Building the window…")
    win = MainWindow(session)
    win.open_error = error
    if project is not None and not file:
        win.setWindowTitle(win.windowTitle().replace("untitled", "sample (save to keep changes)"))
    win.show()
    if splash is not None:
        splash.finish(win)
    win.view.fit()
    from designer.app.window.debug_state import install

    win.state_dump = install(win)  # DESIGNER_DEBUG_STATE: the real-window test reads the window's state
    from designer.app.lifecycle.recovery import install_excepthook, offer_restore

    install_excepthook(win, modal=not quiet)
    if ask_recovery and not quiet:
        offer_restore(win, win.files)
    if error is not None:
        if quiet:
            print(error.summary(20), file=sys.stderr)
        else:
            from designer.app.window.dialogs import show_error

            show_error(win, "Cannot open project", f"{path} could not be opened; nothing was changed.",
                       error.summary(200))
    return win


SCREENSHOT_TIMEOUT_S = 180.0
"""``--screenshot`` gives up after this long (analyses that do not finish, a dialog)."""


def run(file: str | None = None, screenshot: str | None = None, site: str | None = None) -> int:
    if screenshot:
        from designer.io.outputs import OutputError, check_output_path

        try:
            check_output_path(screenshot, inputs=[file] if file else ())
        except OutputError as e:
            print(f"designer: {e}", file=sys.stderr)
            return 2
        if file:  # a file that cannot be opened ends the run before any window is built
            from designer.io.errors import LoadError
            from designer.io.files import check_editable, load

            try:
                check_editable(load(file), file)
            except LoadError as e:
                print(e.summary(20), file=sys.stderr)
                print(f"designer: no screenshot written: {file} could not be opened", file=sys.stderr)
                return 1
        _watchdog(SCREENSHOT_TIMEOUT_S + 30.0)
    app = make_app()
    splash = None
    if screenshot is None:
        from designer.app.window.splash import show_splash

        splash = show_splash(app)
    win = open_window(file, ask_recovery=screenshot is None, quiet=screenshot is not None, splash=splash)
    if screenshot and win.open_error is not None:
        print(f"designer: no screenshot written: {file} could not be opened", file=sys.stderr)
        win.session.undo_stack.setClean()
        win.close()
        return 1
    if site:
        win.session.set_site(site)
    win.raise_()
    if screenshot:
        from PySide6.QtCore import QTimer

        def shoot() -> None:
            from designer.app.report.images import save_png

            done = win.session.scheduler.wait_idle(120)
            app.processEvents()
            try:
                save_png(win.grab(), screenshot)
                ok = True
                print(f"saved {screenshot}" + ("" if done else " (analyses had not finished)"))
            except OSError as e:  # OutputError included
                ok = False
                print(f"could not save {screenshot}: {e}", file=sys.stderr)
            # an analysis that failed (a crash, a missing package in a bundle) is still drawn
            # as a finding, but the run says so and fails: a picture is not proof it worked
            failed = list(win.findings.errors)
            for e in failed:
                print(f"designer: {e}", file=sys.stderr)
            win.session.undo_stack.setClean()
            win.close()
            app.exit(4 if ok and failed else 0 if ok else 1)

        def give_up() -> None:
            print(f"designer: gave up on the screenshot after {SCREENSHOT_TIMEOUT_S:.0f} s", file=sys.stderr)
            win.session.undo_stack.setClean()
            app.exit(3)  # also ends any nested event loop (a dialog)

        QTimer.singleShot(300, shoot)
        QTimer.singleShot(int(SCREENSHOT_TIMEOUT_S * 1000), give_up)
    return app.exec()


def _watchdog(seconds: float) -> None:
    """End the process after ``seconds`` whatever it is doing (a screenshot run must end)."""
    import os
    import threading

    def fire() -> None:
        sys.stderr.write(f"designer: still running after {seconds:.0f} s; stopped\n")
        sys.stderr.flush()
        os._exit(3)

    t = threading.Timer(seconds, fire)
    t.daemon = True
    t.start()
