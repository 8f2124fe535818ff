"""Screenshots of issue 14: the window at a screen size, with each bottom panel in front, the
air legend, Properties of a rack and a drawing tool's hint, to look at for clipping and overlap.

Run under a real X server (not collected by pytest), one screen size per run:

    QT_QPA_PLATFORM=xcb xvfb-run -a -s "-screen 0 1280x800x24" \\
        .venv/bin/python tests/screenshots/shoot_panels.py OUT_DIR

The window fills the screen's available area (there is no window manager to maximise it);
each PNG is the whole screen, named ``<width>x<height>-<what>.png``.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("DESIGNER_USER_DIR", tempfile.mkdtemp(prefix="dhd-shots-"))


def main(out: Path) -> None:
    from designer.app.main import make_app, open_window

    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    w = open_window(None, ask_recovery=False)
    screen = w.screen()
    geo = screen.availableGeometry()
    w.setGeometry(geo)
    s = w.session
    tag = f"{geo.width()}x{geo.height()}"

    def settle(n: int = 40) -> None:
        s.scheduler.run_now()
        s.scheduler.wait_idle(120)
        for _ in range(n):
            app.processEvents()

    def shot(name: str) -> None:
        settle()
        pm = screen.grabWindow(0)
        path = out / f"{tag}-{name}.png"
        pm.save(str(path))
        print("wrote", path, pm.width(), "x", pm.height())

    settle()
    w.view.fit()
    shot("start")
    for key, mode in (("findings", "none"), ("liquid", "liquid"), ("air", "air"), ("power", "power"),
                      ("placement", "none"), ("studies", "none"), ("account", "none")):
        if key not in w.docks:
            continue
        w.results_mode.set_mode(mode)
        w.docks[key].show()
        w.docks[key].raise_()
        shot(f"panel-{key}")
    w.docks["findings"].raise_()
    w.results_mode.set_mode("air")
    w.view.fit()
    shot("air-legend-fit")
    w.results_mode.set_mode("none")
    rack = s.site.hall.racks[0]
    s.selection.set([rack.id])
    w.docks["properties"].raise_()
    shot("properties-rack")
    s.selection.clear()
    w.registry["outline"].trigger()
    shot("outline-tool-hint")
    w.view.set_tool("select")
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
