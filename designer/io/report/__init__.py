"""Report content, Qt-free: a structured report (cover, sections of tables, key figures and
figures) built from a project and its analysis results.

:func:`build_report` makes a :class:`~designer.io.report.model.Report`; the app renders it
to PDF (:mod:`designer.app.report`), :func:`~designer.io.report.text.render_text` to plain
text. Each results section comes from one small function per analysis
(``liquid.site_blocks``, ``air.site_blocks``, ``power.site_blocks``, ``placement.blocks``,
``modules.spec_sheet``) that reads that analysis's payload; when a payload lacks something
the section says "not available" instead of failing the export.
"""

from designer.io.report.build import build_report
from designer.io.report.context import ReportOptions
from designer.io.report.model import Report, Section

__all__ = ["Report", "ReportOptions", "Section", "build_report"]
