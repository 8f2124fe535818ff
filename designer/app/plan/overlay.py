"""Result overlays on the plan: one class per analysis, drawn in the "results" layer.

An overlay owns the graphics items it adds to the scene and keeps them in step with three
things: the site shown (``site_rebuilt``), the document (``document_changed``: hide what is
stale, e.g. a moved rack's badge) and the latest analysis results (``results``). The scene
never knows what an overlay draws; the main window creates overlays and hands them results.
"""

from __future__ import annotations

from PySide6.QtWidgets import QGraphicsItem


def payload(results: dict | None, name: str, cls: type):
    """The ``data`` of analysis ``name`` in ``results`` when it is a ``cls``, else None
    (not run yet, failed, or an unexpected payload)."""
    r = results.get(name) if results else None
    data = getattr(r, "data", None)
    return data if isinstance(data, cls) else None


class Overlay:
    name = "overlay"
    layer = "results"

    def __init__(self, scene) -> None:
        self.scene = scene
        self.items: list[QGraphicsItem] = []
        self.enabled = True
        self.last_results: dict = {}
        self.listeners: list = []
        """Callables run when what the overlay shows changes (legends follow it)."""
        scene.overlays.append(self)

    # -- hooks ------------------------------------------------------------------------------
    def site_rebuilt(self, scene) -> None:
        """The scene was rebuilt (site switched, file opened): redraw from the last results."""
        self.clear()
        self.draw(self.last_results)

    def document_changed(self, scene, change) -> None:
        """An edit landed; results for it are on their way. Default: keep showing the old."""

    def layers_changed(self, scene) -> None:
        vis = self.visible()
        for it in self.items:
            it.setVisible(vis)

    def results(self, revision: int, results: dict) -> None:
        self.last_results = results
        self.clear()
        self.draw(results)

    # -- helpers ----------------------------------------------------------------------------
    def visible(self) -> bool:
        return self.enabled and self.scene.layer_visible(self.layer)

    def add(self, item: QGraphicsItem) -> QGraphicsItem:
        item.setVisible(self.visible())
        self.scene.addItem(item)
        self.items.append(item)
        return item

    def discard(self, item: QGraphicsItem) -> None:
        """Take one item off the scene and out of this overlay."""
        if item.scene() is self.scene:
            self.scene.removeItem(item)
        if item in self.items:
            self.items.remove(item)

    def _notify(self) -> None:
        for fn in self.listeners:
            fn()

    def clear(self) -> None:
        for it in self.items:
            if it.scene() is self.scene:
                self.scene.removeItem(it)
        self.items.clear()

    def set_enabled(self, on: bool) -> None:
        self.enabled = on
        self.layers_changed(self.scene)

    def draw(self, results: dict) -> None:  # pragma: no cover - abstract
        raise NotImplementedError
