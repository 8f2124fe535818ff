"""Screenshots of issue 12 for the README: a module being dropped, and a site built from
File > New (hall, utility, generator, power skid, AIH-1000L, facility water, connect, balance).

Run under a real X server (not collected by pytest):

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1600x1000x24" \\
        .venv/bin/python tests/screenshots/shoot_modules.py resources/screenshots
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("DESIGNER_USER_DIR", tempfile.mkdtemp(prefix="dhd-shots-"))

from PySide6.QtCore import QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402


def main(out: Path) -> None:
    from designer.app.main import make_app
    from designer.app.plan.coords import to_scene
    from designer.app.state.session import Session, new_project
    from designer.app.window.mainwindow import MainWindow

    app = make_app()
    w = MainWindow(Session(new_project()))
    w.resize(1560, 960)
    w.show()
    for _ in range(20):
        app.processEvents()
    s = w.session
    vp = w.view.viewport()

    def settle() -> None:
        s.scheduler.run_now()
        s.scheduler.wait_idle(120)
        for _ in range(30):
            app.processEvents()

    def drag(model: str, x: float, y: float, drop: bool = True) -> None:
        pal = w.palette
        item = pal.item_for(model)
        pal.tree.setCurrentItem(item)
        pal.tree.scrollToItem(item)
        md = pal.tree.mimeData([item])
        pos = QPointF(w.view.mapFromScene(to_scene(x, y)))
        QApplication.sendEvent(vp, QDragEnterEvent(pos.toPoint(), Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
        QApplication.sendEvent(vp, QDragMoveEvent(pos.toPoint(), Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
        if drop:
            QApplication.sendEvent(vp, QDropEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier))
        for _ in range(10):
            app.processEvents()

    def shot(name: str) -> None:
        for _ in range(30):
            app.processEvents()
        pm = w.screen().grabWindow(0, w.frameGeometry().x(), w.frameGeometry().y(),
                                   w.frameGeometry().width(), w.frameGeometry().height())
        if pm.isNull() or pm.width() < 100:
            pm = w.grab()
        pm.save(str(out / name))
        print("wrote", out / name, pm.width(), "x", pm.height())

    from designer.document.edits import SetFields

    s.push(SetFields(s.site.id, {"hall.outline": [(0, 0), (26, 0), (26, 17), (0, 17)], "name": "Kassel edge hall"}),
           "Redraw hall outline")
    w.view.fit()
    w.view.zoom_by(0.6)
    drag("UTIL-MV-2500", 29.0, 3.0)
    drag("GEN-MV-2500", 7.0, -3.0)
    drag("FW-DC-1500", 20.0, -3.0)
    drag("PWR-2500", 8.0, 2.5)
    settle()
    w.view.fit()
    # the module on its way in: its footprint and contents follow the cursor
    drag("AIH-1000L", 13.0, 11.0, drop=False)
    w.statusBar().showMessage("Dragging AI hall module 1 MW, direct liquid (AIH-1000L) onto the plan")
    shot("module-drop.png")
    drag("AIH-1000L", 13.0, 11.0)
    w.registry["select_all"].trigger()
    w.registry["connect_selection"].trigger()
    s.push(SetFields(s.site.id, {"hall.power.scheme": "N+1"}), "Set power redundancy")
    settle()
    w.registry["liquid_balance"].trigger()
    settle()
    w.results_mode.set_mode("liquid")
    mod = next(m for m in s.site.hall.modules if m.catalog_model == "AIH-1000L")
    s.selection.set([mod.id])
    w.docks["account"].raise_()
    settle()
    w.resizeDocks([w.docks["account"]], [300], Qt.Vertical)
    settle()
    w.view.fit()
    shot("site-from-scratch.png")
    w.docks["power"].raise_()
    s.selection.clear()
    settle()
    w.resizeDocks([w.docks["power"]], [380], Qt.Vertical)
    w.results_mode.set_mode("power")
    settle()
    w.view.fit()
    shot("site-from-scratch-power.png")
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
