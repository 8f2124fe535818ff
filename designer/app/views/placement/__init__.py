"""The placement views: the Workloads panel (tables, map, latency chart) and the module
recommendation dialog. :func:`install` adds them to the window."""

from designer.app.views.placement.view import install

__all__ = ["install"]
