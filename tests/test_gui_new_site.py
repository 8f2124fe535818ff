"""Issue 12, "Done when": a site built from File > New with user actions only.

Hall outline, a utility supply and a generator, a power skid, one 1 MW direct-liquid module
(AIH-1000L), one facility water supply, "connect", balance: the site ends energised, its
liquid loops balanced with every rack at or above its required flow, and no error finding.
Every step goes through the widgets a user touches (menu actions, clicks and key presses on
the plan, drags from the catalog palette, a combo in the Properties panel); the test counts
them and prints the count.
"""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6.QtWidgets")
pytest.importorskip("designer.document.connect")

from PySide6.QtCore import QPoint, QPointF, Qt  # noqa: E402
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from designer.app.plan.coords import to_scene  # noqa: E402
from designer.app.state.session import Session  # noqa: E402
from designer.app.window.mainwindow import MainWindow  # noqa: E402

pytestmark = pytest.mark.gui


class User:
    """Drives the window as a user does, counting each action."""

    def __init__(self, w, qtbot) -> None:
        self.w, self.qtbot = w, qtbot
        self.actions: list[str] = []

    @property
    def vp(self):
        return self.w.view.viewport()

    def at(self, x: float, y: float) -> QPoint:
        q = self.w.view.mapFromScene(to_scene(x, y))
        assert self.vp.rect().contains(q), f"({x}, {y}) m is not on screen"
        return q

    def menu(self, action_id: str) -> None:
        """A click on a menu item (or toolbar button)."""
        act = self.w.registry[action_id]
        assert act.isEnabled(), action_id
        act.trigger()
        self.actions.append(f"menu {action_id}")

    def key(self, key, modifiers=Qt.NoModifier, what: str = "") -> None:
        QTest.keyClick(self.vp, key, modifiers)
        self.actions.append(f"key {what or key}")

    def click(self, x: float, y: float, double: bool = False) -> None:
        if double:
            QTest.mousePress(self.vp, Qt.LeftButton, Qt.NoModifier, self.at(x, y))
            QTest.mouseRelease(self.vp, Qt.LeftButton, Qt.NoModifier, self.at(x, y))
            QTest.mouseDClick(self.vp, Qt.LeftButton, Qt.NoModifier, self.at(x, y))
        else:
            QTest.mouseClick(self.vp, Qt.LeftButton, Qt.NoModifier, self.at(x, y))
        self.actions.append(f"{'double-click' if double else 'click'} ({x:g}, {y:g})")

    def drag_from_catalog(self, model: str, x: float, y: float) -> str:
        """Press on the catalog entry, drag it onto the plan, drop it at (x, y)."""
        pal = self.w.palette
        item = pal.item_for(model)
        assert item is not None, model
        pal.tree.scrollToItem(item)
        rect = pal.tree.visualItemRect(item)
        QTest.mouseClick(pal.tree.viewport(), Qt.LeftButton, Qt.NoModifier, rect.center())
        assert pal.tree.currentItem() is item
        md = pal.tree.mimeData([item])
        pos = QPointF(self.at(x, y))
        for ev in (QDragEnterEvent(pos.toPoint(), Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier),
                   QDragMoveEvent(pos.toPoint(), Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier),
                   QDropEvent(pos, Qt.CopyAction, md, Qt.LeftButton, Qt.NoModifier)):
            QApplication.sendEvent(self.vp, ev)
        self.actions.append(f"drag {model}")
        return self.w.session.selection.ids[0]

    def choose(self, combo, text: str) -> None:
        """Pick an entry of a combo box (Properties panel)."""
        i = combo.findText(text)
        assert i >= 0, text
        combo.setCurrentIndex(i)
        self.actions.append(f"choose {text}")


@pytest.fixture
def win(qtbot, sample):
    w = MainWindow(Session(sample))
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    yield w
    w.session.undo_stack.setClean()
    w.close()
    w.session.scheduler.shutdown()


def settle(w) -> dict:
    s = w.session
    s.scheduler.run_now()
    assert s.scheduler.wait_idle(120)
    QApplication.processEvents()
    assert s.scheduler.last_revision == s.doc.revision
    return s.scheduler.last_results


def test_a_site_from_file_new_to_energised_balanced_and_clean(win, qtbot):
    u = User(win, qtbot)
    s = win.session
    u.menu("new")  # File > New: one empty 20 x 12 m hall
    assert len(s.project.sites) == 1 and not s.site.hall.modules
    for _ in range(3):
        u.key(Qt.Key_Minus, Qt.ControlModifier, "Ctrl+-")  # zoom out to make room for the site
    # the hall: click its corners, double-click the last
    u.menu("outline")
    for x, y in ((0, 0), (26, 0), (26, 17)):
        u.click(x, y)
    u.click(0, 17, double=True)
    assert s.site.hall.outline == [(0, 0), (26, 0), (26, 17), (0, 17)]
    # site services beside the hall, the power skid and the module inside it
    util = u.drag_from_catalog("UTIL-MV-2500", 29.0, 3.0)
    gen = u.drag_from_catalog("GEN-MV-2500", 7.0, -3.0)
    water = u.drag_from_catalog("FW-DC-1500", 20.0, -3.0)
    skid = u.drag_from_catalog("PWR-2500", 8.0, 2.5)
    module = u.drag_from_catalog("AIH-1000L", 13.0, 11.0)
    hall = s.site.hall
    assert [it.kind for it in hall.power.sources] == ["utility", "generator"]
    assert len(hall.water_supplies) == 1 and len(hall.modules) == 2
    assert len(hall.racks) == 8 and len(hall.cdus) == 2  # the module arrived with its contents
    for i in (util, gen, water, skid, module):
        assert i in win.scene.items_by_id
    # connect everything: select all, then Site > Connect selection (Ctrl+Shift+K)
    u.key(Qt.Key_A, Qt.ControlModifier, "Ctrl+A")
    assert set(s.selection.ids) == {util, gen, water, skid, module}
    n = s.undo_stack.count()
    u.key(Qt.Key_K, Qt.ControlModifier | Qt.ShiftModifier, "Ctrl+Shift+K")
    assert s.undo_stack.count() == n + 1  # one undo step
    account = win.extensions["assembly"].panel
    assert any("fed from utility supply" in a for a in account.lines)
    assert any("through a transfer switch" in a for a in account.lines)
    assert any("facility supply pipe" in a for a in account.lines)
    assert win.docks["account"].isVisible()
    # one power skid is one path: the site's power design is N+1 (its UPS is 5+1), not 2N
    u.click(27.5, 15.5)  # on the floor outside the hall: nothing selected, the site is shown
    assert s.selection.ids == [] and win.properties.title.text().startswith("Site:")
    combo = win.properties.editors["hall.power.scheme"][0]
    u.choose(combo, "N+1")
    assert hall.power.scheme == "N+1"
    settle(win)
    u.menu("liquid_balance")  # Analysis > Balance liquid loops
    results = settle(win)

    # energised
    sp = results["power"].data.sites[s.site.id]
    assert sp.racks_total == 8 and sp.racks_powered == 8
    assert sp.source_kw > 0.9 * sum(r.it_load_kw for r in hall.racks)
    # balanced, every rack at or above its required flow
    liquid = results["liquid"].data
    flows = [liquid.racks[r.id] for r in hall.racks]
    assert all(f.required_lpm > 0 for f in flows)
    ratios = [f.flow_ratio for f in flows]
    assert min(ratios) >= 1.0
    assert max(ratios) - min(ratios) < 2e-3
    # no error finding anywhere
    errors = [f for r in results.values() for f in r.findings if f.severity.value == "error"]
    assert errors == [], [f.message for f in errors]
    print(f"\nissue 12 acceptance: {len(u.actions)} user actions: " + "; ".join(u.actions))
    assert len(u.actions) < 20
