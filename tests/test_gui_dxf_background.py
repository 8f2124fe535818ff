"""The imported drawing in the plan: under the items, above the floor, locked (no clicks, no
selection), and in the exports."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")

from test_dxf_import import architect_dxf  # noqa: E402

from designer.document.document import Document  # noqa: E402
from designer.io import dxf_import as di  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture
def with_background(tmp_path, sample_project):
    path = tmp_path / "a.dxf"
    architect_dxf(path)
    bg = di.to_background(di.read_dxf(path), origin=(100_000.0, 50_000.0))
    doc = Document(sample_project.model_copy(deep=True))
    doc.apply(di.import_edit(doc.project, "core-fra", bg).edit)
    return doc.project


def test_background_is_locked_under_the_items(qapp, with_background, sample_project):
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QPainterPath

    from designer.app.plan.items import PlanItem
    from designer.app.plan.underlay import UnderlayItem
    from designer.app.report.plan import plan_scene

    scene = plan_scene(with_background, "core-fra")
    under = [it for it in scene.items() if isinstance(it, UnderlayItem)]
    assert len(under) == 1 and scene.underlay is under[0]
    u = under[0]
    assert not isinstance(u, PlanItem) and not (u.flags() & u.GraphicsItemFlag.ItemIsSelectable)
    assert scene.outline_item.zValue() < u.zValue() < min(i.zValue() for i in scene.items_by_id.values())
    whole = QPainterPath()
    whole.addRect(QRectF(-1000, -1000, 2000, 2000))
    assert set(scene.ids_in(whole)) == set(scene.items_by_id)  # a rubber band never picks it
    assert scene.content_rect().contains(u.sceneBoundingRect())
    assert plan_scene(sample_project, "core-fra").underlay is None


def test_background_in_the_svg_and_png(qapp, tmp_path, with_background):
    import numpy as np
    from PIL import Image

    from designer.app.report.images import write_plan_png, write_plan_svg

    svg = tmp_path / "p.svg"
    write_plan_svg(with_background, svg, "core-fra", date="2026-02-01", scale=100)
    assert "non-scaling-stroke" not in svg.read_text(encoding="utf-8")
    plain, drawn = tmp_path / "a.png", tmp_path / "b.png"
    from designer.io.catalog_store import sample_project_path
    from designer.io.files import load

    write_plan_png(load(sample_project_path()), plain, "core-fra", date="2026-02-01", scale=100)
    write_plan_png(with_background, drawn, "core-fra", date="2026-02-01", scale=100)
    a = np.asarray(Image.open(plain).convert("L"), dtype=float)
    b = np.asarray(Image.open(drawn).convert("L"), dtype=float)
    assert a.shape == b.shape
    changed = np.abs(a - b) > 40
    assert changed.mean() > 0.0005  # the drawing's lines are there ...
    assert changed.mean() < 0.05  # ... as thin lines, not filled areas
