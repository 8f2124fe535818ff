"""The power views: the plan overlay (feed margins, failure scenarios), its key and banner,
and the Power panel (one-line diagram, tables, "what if it fails"). :func:`install` adds them
to the window."""

from designer.app.views.power.view import PowerView, install

__all__ = ["PowerView", "install"]
