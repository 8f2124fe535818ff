"""Views that plug into the main window: result overlays, result docks, export, placement.

Each module named here has ``install(window) -> object``; it adds its docks
(``window.add_dock``), actions (``window.add_action`` with an ``ActionSpec``) and plan
overlays (subclasses of :class:`designer.app.plan.overlay.Overlay`), and wires itself to
``window.session`` signals. The main window stays an assembler: it only calls these.
"""

from __future__ import annotations

import importlib

EXTENSIONS = (
    "designer.app.views.liquid",
    "designer.app.views.air",
    "designer.app.views.power",
    "designer.app.views.placement",
    "designer.app.views.export",
    "designer.app.views.study",
    "designer.app.assembly",
)


def install_all(window) -> dict[str, object]:
    out = {}
    for name in EXTENSIONS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name is not None and name.startswith(e.name):
                continue  # not written yet
            raise
        out[name.rsplit(".", 1)[-1]] = mod.install(window)
    return out
