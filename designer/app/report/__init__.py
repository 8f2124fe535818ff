"""Rendering of the design report and plan drawings with Qt (PDF, SVG, PNG).

The report's content is built Qt-free by :mod:`designer.io.report`; this package lays it
out and paints it: :func:`~designer.app.report.pdf.write_pdf` for the PDF report,
:func:`~designer.app.report.images.write_plan_svg` / ``write_plan_png`` for the plan view.
"""
