"""Catalog palette: searchable, grouped, with drawn thumbnails; drag onto the plan to place."""

from __future__ import annotations

from PySide6.QtCore import QMimeData, QSize, Qt, Signal
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from designer.app.plan.view import MIME_CATALOG
from designer.app.window.thumbnails import thumbnail
from designer.model.catalog import CATEGORIES

TITLES = {"modules": "Modules", "racks": "Racks", "cdus": "CDUs", "air_units": "Air units", "ups": "UPS",
          "pdus": "PDUs / RPPs", "busways": "Busways", "transformers": "Transformers",
          "switchboards": "Switchboards", "sources": "Utility and generators",
          "water_supplies": "Facility water"}
OPEN = ("modules", "racks", "cdus", "air_units", "sources", "water_supplies")
"""Groups shown expanded: what a new site is built from."""


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
    if cat == "sources":
        return f"{e.kind}, {e.capacity_kva:g} kVA at {e.voltage_v / 1000:g} kV"
    if cat == "water_supplies":
        return f"{e.kind.replace('_', ' ')}, {e.capacity_kw:g} kW at {e.supply_temp_c:g} °C"
    return ""


def _contents_text(e) -> str:
    c = e.contents
    parts = []
    for attr, word in (("racks", "rack"), ("cdus", "CDU"), ("air_units", "air unit"), ("pipes", "pipe"),
                       ("containments", "containment"), ("transformers", "transformer"),
                       ("switchboards", "switchboard"), ("ups", "UPS"), ("pdus", "PDU"), ("busways", "busway"),
                       ("taps", "tap-off")):
        n = len(getattr(c, attr))
        if n:
            parts.append(f"{n} {word}" + ("s" if n != 1 and not word.endswith("S") else ""))
    return ", ".join(parts) if parts else "none (an empty box)"


def spec_sheet(cat: str, e) -> str:
    """The tooltip of a catalog entry: its spec sheet (for a module: what it holds and
    where the site connects to it)."""
    rows = [("Model", f"{e.model} · {e.maker}"),
            ("Footprint", f"{e.width_m:g} × {e.depth_m:g} × {e.height_m:g} m" +
             (f", {e.weight_kg:,.0f} kg" if e.weight_kg else ""))]
    if cat == "modules":
        rows += [("IT capacity", f"{e.it_capacity_kw:g} kW in {e.rack_positions} rack positions"),
                 ("Cooling", f"{e.cooling}" + (f", {e.cooling_capacity_kw:g} kW" if e.cooling_capacity_kw else ""))]
        if e.redundancy:
            rows.append(("Redundancy", e.redundancy))
        if e.ups_topology:
            rows.append(("UPS", e.ups_topology + (f", {e.runtime_min:g} min" if e.runtime_min else "")))
        if e.facility_water_supply_c is not None:
            rows.append(("Facility water", f"{e.facility_water_supply_c:g} °C {e.facility_water_class}".strip()))
        rows.append(("Contents", _contents_text(e)))
        if e.connections:
            rows.append(("Connects", ", ".join(c.name or c.id for c in e.connections)))
    else:
        summary = entry_summary(cat, e)
        if summary:
            rows.append(("Rating", summary))
    if e.clearance_front_m or e.clearance_rear_m:
        rows.append(("Clearance", f"front {e.clearance_front_m:g} m, rear {e.clearance_rear_m:g} m"))
    table = "".join(f"<tr><td><i>{k}</i>&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
    desc = f"<br>{e.description}" if e.description else ""
    return f"<b>{e.name}</b>{desc}<table>{table}</table>"


class _Tree(QTreeWidget):
    def mimeTypes(self) -> list[str]:  # noqa: N802
        return [MIME_CATALOG, "text/plain"]

    def mimeData(self, items) -> QMimeData | None:  # noqa: N802
        """What a drag of a catalog entry carries to the plan: its model id."""
        model = items[0].data(0, Qt.UserRole) if items else None
        if not model:
            return None
        md = QMimeData()
        md.setData(MIME_CATALOG, model.encode())
        md.setText(model)
        return md

    def startDrag(self, actions) -> None:  # noqa: N802
        it = self.currentItem()
        md = self.mimeData([it]) if it is not None else None
        if md is None:
            return
        drag = QDrag(self)
        drag.setMimeData(md)
        drag.setPixmap(it.icon(0).pixmap(40, 40))
        drag.exec(Qt.CopyAction)


class CatalogPalette(QWidget):
    place_requested = Signal(str)
    """A model was double-clicked: place it in the middle of the view."""
    chosen = Signal(str, str)
    """(category, model) of the entry picked in the tree (the row tool takes its rack)."""

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
        self.selected: dict[str, str] = {}
        """Category -> model of the entry last picked in it."""
        self.search.textChanged.connect(self.apply_filter)
        self.tree.itemDoubleClicked.connect(self._double)
        self.tree.currentItemChanged.connect(self._current)
        session.document_replaced.connect(self.populate)
        if hasattr(session, "catalog_changed"):
            session.catalog_changed.connect(self.populate)
        self.populate()

    def _current(self, it, _prev) -> None:
        model = it.data(0, Qt.UserRole) if it is not None else None
        cat = self.session.catalog.category_of(model) if model else None
        if cat is not None:
            self.selected[cat] = model
            self.chosen.emit(cat, model)

    def item_for(self, model: str) -> QTreeWidgetItem | None:
        for g in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(g)
            for c in range(group.childCount()):
                it = group.child(c)
                if it.data(0, Qt.UserRole) == model:
                    return it
        return None

    def select_model(self, model: str) -> bool:
        """Make ``model`` the current entry (expanding its group); False if not listed."""
        it = self.item_for(model)
        if it is None:
            return False
        it.parent().setExpanded(True)
        self.tree.setCurrentItem(it)
        self.tree.scrollToItem(it)
        return True

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
                it.setToolTip(0, spec_sheet(category, e))
                it.setData(0, Qt.UserRole + 1, f"{e.name} {e.model} {e.description} "
                                              f"{entry_summary(category, e)} {category}".lower())
                group.addChild(it)
            self.tree.addTopLevelItem(group)
            group.setExpanded(category in OPEN)
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
