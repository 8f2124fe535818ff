"""Which analysis draws its results on the plan: one at a time by default, or all.

Every results view adds an overlay (and a legend) to the plan; shown together on a busy
hall they hide each other. View > Results on plan picks one (or all, or none); F6 cycles.
"""

from __future__ import annotations

from PySide6.QtGui import QAction, QActionGroup

MODES = (("none", "&None"), ("liquid", "&Liquid loops"), ("air", "&Air temperatures"),
         ("power", "&Power margins"), ("all", "A&ll together"))
DEFAULT = "air"


class ResultsMode:
    def __init__(self, window) -> None:
        self.window = window
        self.mode = DEFAULT
        menu = window.registry.menu_for("View/Results on plan")
        self.group = QActionGroup(window)
        self.actions: dict[str, QAction] = {}
        for key, text in MODES:
            act = QAction(text, window, checkable=True)
            act.triggered.connect(lambda _on=False, k=key: self.set_mode(k))
            self.group.addAction(act)
            menu.addAction(act)
            self.actions[key] = act
        menu.addSeparator()
        cycle = QAction("Next results view", window)
        cycle.setShortcut("F6")
        cycle.triggered.connect(self.cycle)
        menu.addAction(cycle)
        window.addAction(cycle)
        self.set_mode(DEFAULT)

    def overlays(self):
        return [ov for ov in self.window.scene.overlays if ov.name in ("liquid", "air", "power")]

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        self.actions[mode].setChecked(True)
        for ov in self.overlays():
            ov.set_enabled(mode == "all" or ov.name == mode)
        liquid_toggle = self.window.registry.actions.get("liquid_overlay")
        if liquid_toggle is not None:
            liquid_toggle.blockSignals(True)
            liquid_toggle.setChecked(mode in ("all", "liquid"))
            liquid_toggle.blockSignals(False)
        for ov in self.overlays():
            for fn in ov.listeners:  # legends follow their overlay at once (shown or hidden)
                fn()
        self.window.statusBar().showMessage(f"Results on plan: {dict(MODES)[mode].replace('&', '')}", 3000)
        self.window.view.keys_changed()  # other legends: a fitted plan makes room for them

    def cycle(self) -> None:
        keys = [k for k, _ in MODES]
        self.set_mode(keys[(keys.index(self.mode) + 1) % len(keys)])
