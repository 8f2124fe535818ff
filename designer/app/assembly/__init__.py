"""Modules as assemblies in the window: selecting and grouping, saving and adding module
templates, connecting modules to the site and designing a site from its workloads.

``install(window)`` adds the actions (Edit, Edit > Module, Site) and the "Connect and
design" dock that shows the account of what was connected or designed; the plan's own
group behaviour (click, double-click, drag, outlines) lives in :mod:`designer.app.plan`.
"""

from __future__ import annotations


def install(window):
    from designer.app.assembly.controller import ModuleActions

    return ModuleActions(window)
