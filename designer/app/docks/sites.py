"""Sites list: switch the hall shown on the plan; add, rename and remove sites."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from designer.document.edits import AddItem
from designer.document.ops import delete_items
from designer.model.project import Site
from designer.model.registry import new_id

KIND_ICON = {"core": "◆", "industrial": "⚙", "enterprise": "▣", "urban": "▲", "distributed": "●"}


class SitesPanel(QWidget):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        add = QToolButton(text="Add site")
        rem = QToolButton(text="Remove")
        add.clicked.connect(self.add_site)
        rem.clicked.connect(self.remove_site)
        row = QHBoxLayout()
        row.addWidget(add)
        row.addWidget(rem)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.list)
        lay.addLayout(row)
        self.list.currentItemChanged.connect(self._picked)
        session.changed.connect(lambda c: self.populate())
        session.document_replaced.connect(self.populate)
        session.site_changed.connect(lambda _s: self._select_current())
        self.populate()

    def populate(self) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for s in self.session.project.sites:
            it_kw = sum(r.it_load_kw for r in s.hall.racks)
            item = QListWidgetItem(f"{KIND_ICON.get(s.kind, '')}  {s.name or s.id}\n"
                                   f"     {s.kind} · {len(s.hall.racks)} racks · {it_kw:,.0f} kW IT")
            item.setData(Qt.UserRole, s.id)
            item.setToolTip(f"{s.id}: {s.location.lat:.4f}, {s.location.lon:.4f}")
            self.list.addItem(item)
        self.list.blockSignals(False)
        self._select_current()

    def _select_current(self) -> None:
        self.list.blockSignals(True)
        for i in range(self.list.count()):
            if self.list.item(i).data(Qt.UserRole) == self.session.site_id:
                self.list.setCurrentRow(i)
        self.list.blockSignals(False)

    def _picked(self, cur, prev) -> None:
        if cur is not None:
            self.session.set_site(cur.data(Qt.UserRole))

    def add_site(self) -> None:
        name, ok = QInputDialog.getText(self, "Add site", "Site name:")
        if not ok or not name.strip():
            return
        sid = new_id("site", self.session.doc.ids())
        if self.session.push(AddItem("site", Site(id=sid, name=name.strip()))):
            self.session.set_site(sid)

    def remove_site(self) -> None:
        site = self.session.site
        if site is None:
            return
        if QMessageBox.question(self, "Remove site",
                                f"Remove {site.name or site.id} and everything in its hall?\n"
                                "You can undo this.") != QMessageBox.Yes:
            return
        self.session.push(delete_items(self.session.doc, [site.id]), f"Remove site {site.name or site.id}")
