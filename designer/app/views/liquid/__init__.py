"""The liquid-cooling views: the plan overlay (pipe colours, rack badges, CDU bars), its key,
and the Liquid loops panel (pump curve, tables). :func:`install` adds them to the window."""

from designer.app.views.liquid.view import LiquidView, install

__all__ = ["LiquidView", "install"]
