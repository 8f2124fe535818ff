"""Catalog palette: searchable, grouped, with drawn thumbnails; drag onto the plan to place."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.app.plan.view import MIME_CATALOG
from designer.app.thumbnails import thumbnail
from designer.model.catalog import CATEGORIES

TITLES = {"modules": "Modules", "racks": "Racks", "cdus": "CDUs", "air_units": "Air units", "ups": "UPS",
          "pdus": "PDUs / RPPs", "busways": "Busways", "transformers": "Transformers",
          "switchboards": "Switchboards"}


def entry_summary(cat: str, e) -> str:
    if cat == "modules":
        return f"{e.it_capacity_kw:g} kW IT, {e.rack_positions} racks, {e.cooling}"
    if cat == "racks":
        return f"{e.it_load_kw:g}-{e.max_kw:g} kW, {e.liquid_fraction * 100:.0f} % liquid"
    if cat == "cdus":
        return f"{e.capacity_kw:g} kW, {e.rated_flow_lpm:g} L/min"
    if cat == "air_units":
        return f"{e.capacity_kw:g} kW, {e.airflow_m3s:g} m³/s"
    if cat == "ups":
        return f"{e.module_count} x {e.module_kw:g} kW"
    if cat == "pdus":
        return f"{e.rating_kva:g} kVA"
    if cat == "busways":
        return f"{e.rating_a:g} A"
    if cat == "transformers":
        return f"{e.rating_kva:g} kVA"
    if cat == "switchboards":
        return f"{e.rating_a:g} A"
    return ""


class _Tree(QTreeWidget):
    def startDrag(self, actions) -> None:  # noqa: N802
        it = self.currentItem()
        model = it.data(0, Qt.UserRole) if it else None
        if not model:
            return
        md = QMimeData()
        md.setData(MIME_CATALOG, model.encode())
        md.setText(model)
        drag = QDrag(self)
        drag.setMimeData(md)
        drag.setPixmap(it.icon(0).pixmap(40, 40))
        drag.exec(Qt.CopyAction)


class CatalogPalette(QWidget):
    place_requested = Signal(str)
    """A model was double-clicked: place it in the middle of the view."""

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search the catalog (name, model, kW…)")
        self.search.setClearButtonEnabled(True)
        self.tree = _Tree()
        self.tree.setHeaderHidden(True)
        self.tree.setDragEnabled(True)
        self.tree.setIconSize(QSize(32, 32))
        self.tree.setRootIsDecorated(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.search)
        lay.addWidget(self.tree)
        self.search.textChanged.connect(self.apply_filter)
        self.tree.itemDoubleClicked.connect(self._double)
        session.document_replaced.connect(self.populate)
        self.populate()

    def populate(self) -> None:
        self.tree.clear()
        cat = self.session.catalog
        for category in CATEGORIES:
            entries = cat.entries(category)
            if not entries:
                continue
            group = QTreeWidgetItem([TITLES.get(category, category)])
            group.setFlags(Qt.ItemIsEnabled)
            for e in sorted(entries, key=lambda e: e.model):
                it = QTreeWidgetItem([f"{e.name}\n{e.model} · {entry_summary(category, e)}"])
                it.setIcon(0, thumbnail(category, e))
                it.setData(0, Qt.UserRole, e.model)
                it.setToolTip(0, f"<b>{e.name}</b> ({e.model})<br>{e.description}<br>"
                                 f"{e.width_m:g} x {e.depth_m:g} x {e.height_m:g} m, {e.weight_kg:,.0f} kg")
                it.setData(0, Qt.UserRole + 1, f"{e.name} {e.model} {e.description} "
                                              f"{entry_summary(category, e)} {category}".lower())
                group.addChild(it)
            self.tree.addTopLevelItem(group)
            group.setExpanded(category in ("modules", "racks", "cdus", "air_units"))
        self.apply_filter(self.search.text())

    def apply_filter(self, text: str) -> None:
        words = text.lower().split()
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            shown = 0
            for c in range(group.childCount()):
                it = group.child(c)
                hay = it.data(0, Qt.UserRole + 1) or ""
                ok = all(w in hay for w in words)
                it.setHidden(not ok)
                shown += ok
            group.setHidden(shown == 0)
            if words and shown:
                group.setExpanded(True)

    def _double(self, it, col) -> None:
        model = it.data(0, Qt.UserRole)
        if model:
            self.place_requested.emit(model)
