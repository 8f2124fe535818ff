"""Random editing through the real window: the scene always mirrors the document, every
sequence undoes back to the original exactly, and a long session leaves a valid project."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("PySide6.QtWidgets")

from hyp import examples
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from PySide6.QtCore import QPoint, Qt  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402
from designer.model.findings import Severity  # noqa: E402
from designer.model.project import Project  # noqa: E402
from designer.model.registry import HALL_COLLECTIONS, hall_container  # noqa: E402
from designer.model.validate import validate  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]

ACTIONS = ("select", "rotate_cw", "rotate_ccw", "duplicate", "delete", "copy", "paste", "align_left",
           "distribute_x", "nudge", "drag", "prop_x", "prop_load", "undo", "redo", "site", "row", "select_all",
           "dclick", "select_module", "add_to_module", "detach_module", "place_module", "connect_selection")


@pytest.fixture(scope="module")
def win(sample_project):
    s = Session(sample_project.model_copy(deep=True))
    s.scheduler.enabled = False  # the solvers are tested elsewhere; keep the loop fast
    w = MainWindow(s)
    w.resize(1200, 800)
    w.show()
    yield w
    s.undo_stack.setClean()
    w.close()
    s.scheduler.shutdown()


def scene_ids(w) -> set[str]:
    site = w.session.site
    out = set()
    for c in HALL_COLLECTIONS:
        out |= {m.id for m in hall_container(site.hall, c)}
    return out


def check_mirror(w) -> None:
    assert set(w.scene.items_by_id) == scene_ids(w)
    for i, it in w.scene.items_by_id.items():
        m = w.session.doc.item(i)
        if hasattr(m, "rotation_deg"):
            p = to_scene(m.x, m.y)
            assert abs(it.pos().x() - p.x()) < 1e-9 and abs(it.pos().y() - p.y()) < 1e-9
            assert it.rotation() == pytest.approx(-m.rotation_deg)


def do(w, action: str, rng: random.Random, qtbot) -> None:
    s = w.session
    items = sorted(w.scene.items_by_id)
    if action == "select" and items:
        s.selection.set(rng.sample(items, k=min(len(items), rng.randint(1, 4))))
    elif action == "select_all":
        w.registry["select_all"].trigger()
    elif action in ("rotate_cw", "rotate_ccw", "duplicate", "delete", "copy", "paste", "align_left",
                    "distribute_x", "undo", "redo", "select_module", "add_to_module", "detach_module",
                    "connect_selection"):
        if w.registry[action].isEnabled():
            w.registry[action].trigger()
    elif action == "dclick" and items:
        m = s.doc.item(rng.choice(items))
        vp = w.view.viewport()
        if hasattr(m, "x") and vp.rect().contains(a := w.view.mapFromScene(to_scene(m.x, m.y))):
            qtbot.mouseDClick(vp, Qt.LeftButton, pos=a)
    elif action == "place_module":
        site = s.site
        model = rng.choice(["MIC-60T", "IND-120R", "PWR-2500", "UTIL-LV-630", "FW-DC-150"])
        if site is not None and s.catalog.get(model) is not None:
            xs = [q[0] for q in site.hall.outline]
            ys = [q[1] for q in site.hall.outline]
            w.view.place_model(model, rng.uniform(min(xs), max(xs)), rng.uniform(min(ys), max(ys)))
    elif action == "nudge" and s.selection:
        w.view.setFocus()
        qtbot.keyClick(w.view, rng.choice([Qt.Key_Left, Qt.Key_Right, Qt.Key_Up, Qt.Key_Down]))
    elif action == "drag" and s.selection:
        m = s.doc.item(s.selection.ids[0])
        if hasattr(m, "x"):
            vp = w.view.viewport()
            a = w.view.mapFromScene(to_scene(m.x, m.y))
            if vp.rect().contains(a):
                b = a + QPoint(rng.randint(-30, 30), rng.randint(-30, 30))
                qtbot.mousePress(vp, Qt.LeftButton, pos=a)
                qtbot.mouseMove(vp, (a + b) / 2)
                qtbot.mouseMove(vp, b)
                qtbot.mouseRelease(vp, Qt.LeftButton, pos=b)
    elif action in ("prop_x", "prop_load") and len(s.selection) == 1:
        ed = w.properties.editors.get("x" if action == "prop_x" else "it_load_kw")
        if ed is not None and hasattr(ed[0], "setValue"):
            ed[0].setValue(ed[0].value() + rng.choice([-1.5, 0.5, 2.0]))
    elif action == "site":
        sites = [x.id for x in s.project.sites]
        s.set_site(rng.choice(sites))
    elif action == "row":
        from designer.document.ops import rack_rows

        site = s.site
        if site is not None:
            e = s.catalog.get("RK-AIR-15")
            s.push(rack_rows(s.doc, site.id, e, rng.uniform(0, 8), rng.uniform(0, 4), rng.randint(1, 4),
                             None, rng.choice([1, 2]), 1.2, rng.choice(["hot", "cold"]), rng.random() < 0.5))


@settings(max_examples=examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=25), st.integers(0, 2**31))
def test_random_edits_mirror_and_undo_to_the_original(win, qtbot, actions, seed):
    s = win.session
    s.undo_stack.clear()
    start = s.project.model_copy(deep=True)
    rng = random.Random(seed)
    for a in actions:
        do(win, a, rng, qtbot)
        check_mirror(win)
    while s.undo_stack.canUndo():
        s.undo_stack.undo()
        check_mirror(win)
    assert s.project == start
    s.undo_stack.clear()


def test_a_thousand_random_actions_leave_a_valid_document(win, qtbot):
    s = win.session
    rng = random.Random(20261127)
    for step in range(1000):
        do(win, rng.choice(ACTIONS), rng, qtbot)
        if step % 50 == 0:
            check_mirror(win)
    check_mirror(win)
    # structurally valid (round-trips through the schema) and no broken references
    assert Project.model_validate(s.project.model_dump(mode="json")) == s.project
    refs = [f for f in validate(s.project) if f.code.startswith(("ref.", "id.")) and f.severity is Severity.ERROR]
    assert refs == []
    # and the whole history still undoes
    while s.undo_stack.canUndo():
        s.undo_stack.undo()
    assert len(validate(s.project)) >= 0
    s.undo_stack.clear()
