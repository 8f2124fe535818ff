"""The air views: the plan overlay (heat map, inlet badges, unit bars), its legend, the drag
preview and the Air panel (tables). :func:`install` adds them to the window."""

from designer.app.views.air.view import install

__all__ = ["install"]
