"""Table models of the placement pane: workloads, data sources, links and sites.

Each model reads the live document (nothing is copied) and writes through
``session.push``: one undoable :class:`~designer.document.edits.SetFields` per cell. Input
is checked here first, so a bad value (text in a number cell, a negative budget, a
latitude of 123) gives a status-bar message naming the item and the field and nothing is
applied. Numbers show in the display units (SI / US, a view setting); the model stays SI.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QBrush, QFont

from designer.app.views.placement import style as ps
from designer.app.views.placement.style import fmt_num, great_circle_km
from designer.document.edits import SetFields
from designer.model.units import unit_for

ID_ROLE = Qt.UserRole + 1
"""The row's item id."""
SORT_ROLE = Qt.UserRole + 2
"""A sortable raw value (numbers as floats, text lower-case)."""

_RULE_TEXT = {
    "pos": "must be greater than zero",
    "nonneg": "must be zero or more",
    "lat": "must be a latitude between -90 and 90 degrees",
    "lon": "must be a longitude between -180 and 180 degrees",
    "factor": "must be a route factor between 1 and 10 (route length over straight-line distance)",
}


def _rule_ok(rule: str, v: float) -> bool:
    return {"pos": v > 0, "nonneg": v >= 0, "lat": -90 <= v <= 90, "lon": -180 <= v <= 180,
            "factor": 1.0 <= v <= 10.0}.get(rule, True)


@dataclass(frozen=True)
class Col:
    """One column: a field of the item (dotted path) or a computed, read-only value."""

    key: str
    header: str
    kind: str = "float"
    """text | float | int | bool | ref | choice | computed"""
    rule: str = ""
    optional: bool = False
    """A blank cell clears the field (None)."""
    refs: tuple[str, ...] = ()
    none_label: str = "(none)"
    choices: tuple[str, ...] = ()
    tip: str = ""
    unit: str | None = None
    """Field name whose suffix gives the display unit (defaults to the key's last part)."""

    @property
    def editable(self) -> bool:
        return self.kind != "computed"

    def unit_of(self, system: str):
        if self.kind not in ("float", "computed"):
            return None
        return unit_for(self.unit or self.key.split(".")[-1], system)


def _get(obj, path: str):
    for p in path.split("."):
        obj = getattr(obj, p)
    return obj


def _num(v: float | None) -> str:
    if v is None:
        return ""
    return f"{v:.6g}"


class ItemTableModel(QAbstractTableModel):
    """Rows are the items of one project list; see the module docstring."""

    kind = ""
    attr = ""
    label = "Item"
    columns: tuple[Col, ...] = ()

    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.results = None
        self._ids: list[str] = []
        self._row: dict[str, int] = {}
        self._sync_ids()
        session.changed.connect(self.on_change)
        if hasattr(session, "units_changed"):
            session.units_changed.connect(self._units_changed)
        session.document_replaced.connect(self.reset)

    # -- rows ---------------------------------------------------------------------------------
    def items(self) -> list:
        return getattr(self.session.project, self.attr)

    def _sync_ids(self) -> None:
        self._ids = [it.id for it in self.items()]
        self._row = {i: r for r, i in enumerate(self._ids)}

    def reset(self) -> None:
        self.beginResetModel()
        self._sync_ids()
        self.endResetModel()

    def id_at(self, row: int) -> str | None:
        return self._ids[row] if 0 <= row < len(self._ids) else None

    def row_of(self, item_id: str) -> int | None:
        return self._row.get(item_id)

    def on_change(self, change) -> None:
        if [it.id for it in self.items()] != self._ids:
            self.reset()
            return
        if self.rowCount() == 0:
            return
        if "@project" in change.modified:  # units or settings: headers and every number
            self.headerDataChanged.emit(Qt.Horizontal, 0, self.columnCount() - 1)
        # names of referenced items show in our cells: repaint the table (visible cells only)
        self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def set_results(self, results) -> None:
        self.results = results
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def units(self) -> str:
        return getattr(self.session, "units", "SI")

    def _units_changed(self, _units: str) -> None:
        """Display units are a view setting: headers and every number follow."""
        if self.rowCount():
            self.headerDataChanged.emit(Qt.Horizontal, 0, self.columnCount() - 1)
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    # -- Qt model API ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def header_text(self, c: int) -> str:
        col = self.columns[c]
        u = col.unit_of(self.units())
        return col.header.replace("{u}", u.symbol if u else "")

    def headerData(self, section: int, orientation, role=Qt.DisplayRole):  # noqa: N802
        if orientation != Qt.Horizontal or not 0 <= section < len(self.columns):
            return None
        if role == Qt.DisplayRole:
            return self.header_text(section)
        if role == Qt.ToolTipRole:
            return self.columns[section].tip or None
        return None

    def flags(self, index):
        col = self.columns[index.column()]
        f = Qt.ItemIsEnabled | Qt.ItemIsSelectable
        if col.kind == "bool":
            return f | Qt.ItemIsUserCheckable
        if col.editable:
            f |= Qt.ItemIsEditable
        return f

    def item_at(self, row: int):
        items = self.items()
        return items[row] if 0 <= row < len(items) else None

    def data(self, index, role=Qt.DisplayRole):
        if not index.isValid():
            return None
        item = self.item_at(index.row())
        if item is None:
            return None
        col = self.columns[index.column()]
        if role == ID_ROLE:
            return item.id
        if col.kind == "computed":
            return self.computed(item, col, role)
        v = _get(item, col.key)
        if role == Qt.CheckStateRole and col.kind == "bool":
            return Qt.Checked if v else Qt.Unchecked
        if role in (Qt.DisplayRole, Qt.EditRole):
            return self.show_value(col, v, role == Qt.EditRole)
        if role == SORT_ROLE:
            return self.sort_value(col, v)
        if role == Qt.ToolTipRole and col.kind == "ref" and v is not None:
            return v if self.session.doc.find(v) else f"'{v}' is not an item of this project"
        if role == Qt.ForegroundRole and col.kind == "ref" and v is not None and self.session.doc.find(v) is None:
            return QBrush(ps.MARGIN["over"])
        if role == Qt.TextAlignmentRole and col.kind in ("float", "int"):
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None

    def show_value(self, col: Col, v, editing: bool = False) -> str:
        if col.kind == "bool":
            return ""
        if col.kind == "ref":
            return self.ref_label(v, col) if not editing else (v or "")
        if col.kind == "float":
            if v is None:
                return ""
            u = col.unit_of(self.units())
            return _num(u.to_display(v) if u else v)
        if col.kind == "int":
            return str(v)
        return "" if v is None else str(v)

    def sort_value(self, col: Col, v):
        if col.kind in ("float", "int"):
            return math.inf if v is None else float(v)
        if col.kind == "bool":
            return float(bool(v))
        return (self.ref_label(v, col) if col.kind == "ref" else str(v or "")).lower()

    def computed(self, item, col: Col, role):  # pragma: no cover - overridden
        return None

    # -- references ---------------------------------------------------------------------------
    def ref_label(self, item_id: str | None, col: Col) -> str:
        if item_id is None:
            return col.none_label
        doc = self.session.doc
        it = doc.item(item_id)
        if it is None:
            return f"{item_id} (missing)"
        name = getattr(it, "name", "") or it.id
        loc = doc.find(item_id)
        if loc.kind == "module":
            site = doc.site_of(item_id)
            return f"{name} @ {site.name or site.id}" if site else name
        return name

    def ref_choices(self, col: Col) -> list[tuple[str | None, str]]:
        """(id, label) of every item a reference column may point at, None first."""
        out: list[tuple[str | None, str]] = [(None, col.none_label)]
        from designer.model.registry import iter_items

        for loc in iter_items(self.session.project):
            if loc.kind in col.refs:
                out.append((loc.item.id, self.ref_label(loc.item.id, col)))
        return out

    # -- editing ------------------------------------------------------------------------------
    def refuse(self, item, col: Col, why: str) -> bool:
        name = getattr(item, "name", "") or item.id
        self.session.message.emit(f"{self.label} '{name}': {self.header_text(self.columns.index(col))} {why}; "
                                  "not changed")
        return False

    def parse(self, item, col: Col, value):
        """The SI value for ``value`` typed in column ``col``, or raise ValueError(reason)."""
        if col.kind == "bool":
            if isinstance(value, str):
                t = value.strip().lower()
                if t in ("1", "yes", "true", "y", "on"):
                    return True
                if t in ("0", "no", "false", "n", "off", ""):
                    return False
                raise ValueError(f"must be yes or no, not '{value}'")
            return bool(value)
        if isinstance(value, str):
            text = value.strip()
        else:
            text = "" if value is None else value
        if text == "" or text is None:
            if col.optional or (col.kind == "ref"):
                return None
            if col.kind == "text":
                return ""
            raise ValueError("cannot be empty")
        if col.kind == "text":
            return str(text)
        if col.kind == "choice":
            if text not in col.choices:
                raise ValueError(f"must be one of {', '.join(col.choices)}, not '{text}'")
            return text
        if col.kind == "ref":
            return self.parse_ref(col, str(text))
        u = col.unit_of(self.units())
        if isinstance(text, str):
            if u is not None and text.endswith(u.symbol):
                text = text[: -len(u.symbol)].strip()
            try:
                v = float(text)
            except ValueError:
                raise ValueError(f"must be a number, not '{value}'") from None
        else:
            v = float(text)
        if not math.isfinite(v):
            raise ValueError(f"must be a finite number, not '{value}'")
        if col.kind == "int":
            if v != int(v):
                raise ValueError(f"must be a whole number, not '{value}'")
            v = int(v)
        elif u is not None:
            v = u.from_display(v)
        if col.rule and not _rule_ok(col.rule, v):
            raise ValueError(f"{_RULE_TEXT[col.rule]} (got {value})")
        return v

    def parse_ref(self, col: Col, text: str) -> str | None:
        choices = self.ref_choices(col)
        for i, lab in choices:
            if text == i or text == lab:
                return i
        hits = [i for i, lab in choices[1:] if lab.split(" @ ")[0] == text]
        if len(hits) == 1:
            return hits[0]
        kinds = " or ".join(k.replace("_", " ") for k in col.refs)
        raise ValueError(f"'{text}' is not the id or name of a {kinds}")

    def setData(self, index, value, role=Qt.EditRole) -> bool:  # noqa: N802
        if not index.isValid():
            return False
        item = self.item_at(index.row())
        col = self.columns[index.column()]
        if item is None or not col.editable:
            return False
        if role == Qt.CheckStateRole and col.kind == "bool":
            raw = getattr(value, "value", value)
            value = raw == Qt.Checked.value or raw is True
        elif role != Qt.EditRole:
            return False
        try:
            v = self.parse(item, col, value)
        except ValueError as e:
            return self.refuse(item, col, str(e))
        why = self.check(item, col, v)
        if why:
            return self.refuse(item, col, why)
        if v == _get(item, col.key):
            return True
        name = getattr(item, "name", "") or item.id
        label = f"Set {self.header_text(index.column()).split(' (')[0].lower()} of {name}"
        return self.session.push(SetFields(item.id, {col.key: v}, label))

    def check(self, item, col: Col, v) -> str:
        """A reason the value cannot be taken for this item (cross-field checks), or ''."""
        return ""


# -- workloads ------------------------------------------------------------------------------------
class WorkloadsModel(ItemTableModel):
    kind = "workload"
    attr = "workloads"
    label = "Workload"
    columns = (
        Col("name", "Name", "text"),
        Col("latency_budget_ms", "Budget ({u} RT)", rule="pos",
            tip="Latency budget, round trip from the data source and back"),
        Col("res.total", "Achieved ({u})", "computed", unit="total_ms",
            tip="Round trip where it is placed: fibre + hops + access + processing"),
        Col("res.margin", "Margin ({u})", "computed", unit="margin_ms", tip="Budget minus achieved round trip"),
        Col("res.module", "Assigned module", "computed", tip="Placement's choice (read-only)"),
        Col("kind", "Kind", "text", tip="What the workload does (vision, llm, robotics, ...)"),
        Col("data_source_id", "Data source", "ref", refs=("data_source",),
            tip="Where the workload's data is produced"),
        Col("data_rate_gbps", "Data rate ({u})", rule="nonneg", tip="Data moved from the source (backhaul cost)"),
        Col("it_power_kw", "IT power ({u})", rule="nonneg"),
        Col("accelerators", "Accel.", "int", rule="nonneg", tip="Accelerators (GPUs) it needs; counted against "
            "the accelerators of the module's racks"),
        Col("rack_positions", "Racks", "int", rule="nonneg", tip="Rack positions it takes; counted against the "
            "module's rack positions"),
        Col("needs_liquid", "Liquid", "bool", tip="Needs a liquid-cooled module"),
        Col("processing_ms", "Processing ({u})", rule="nonneg", tip="Time to process one request"),
        Col("pinned_module_id", "Pinned to", "ref", refs=("module",), none_label="(automatic)",
            tip="Assign by hand; (automatic) lets placement choose"),
        Col("res.note", "Why unplaced", "computed", tip="The plain reason a workload cannot be placed"),
    )

    def __init__(self, session, parent=None) -> None:
        self.highlight: set[str] = set()
        super().__init__(session, parent)

    def placement(self, wid: str):
        r = self.results
        return None if r is None else r.workloads.get(wid)

    def set_highlight(self, ids) -> None:
        ids = set(ids)
        if ids != self.highlight:
            self.highlight = ids
            if self.rowCount():
                self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1),
                                      [Qt.BackgroundRole, Qt.FontRole])

    def data(self, index, role=Qt.DisplayRole):
        if index.isValid() and role in (Qt.BackgroundRole, Qt.FontRole):
            wid = self.id_at(index.row())
            col = self.columns[index.column()]
            if col.key in ("res.margin", "res.total") and role == Qt.BackgroundRole:
                wp = self.placement(wid)
                if wp is not None:
                    return QBrush(ps.light(ps.MARGIN[ps.margin_class(wp.margin_ms, wp.budget_ms)], 70))
            if wid in self.highlight:
                if role == Qt.BackgroundRole:
                    return QBrush(ps.HIGHLIGHT)
                f = QFont()
                f.setBold(True)
                return f
            return None
        return super().data(index, role)

    def computed(self, item, col: Col, role):
        wp = self.placement(item.id)
        if wp is None:
            return None if role != Qt.ToolTipRole else "no placement results yet"
        if col.key == "res.module":
            if role in (Qt.DisplayRole, SORT_ROLE):
                if not wp.placed:
                    return "unplaced" if role == Qt.DisplayRole else "~"
                return self.ref_label(wp.module_id, col) + (" (pinned)" if wp.pinned else "")
            if role == Qt.ForegroundRole and not wp.placed:
                return QBrush(ps.MARGIN["unplaced"])
            if role == Qt.ToolTipRole:
                return wp.reason if not wp.placed else route_text(wp, self.results)
            return None
        if col.key in ("res.total", "res.margin"):
            v = wp.total_ms if col.key == "res.total" else wp.margin_ms
            if role == SORT_ROLE:
                return math.inf if v is None else v
            if role == Qt.DisplayRole:
                return "" if v is None else fmt_num(v)
            if role == Qt.TextAlignmentRole:
                return int(Qt.AlignRight | Qt.AlignVCenter)
            if role == Qt.ToolTipRole:
                return breakdown_text(wp) if wp.placed else wp.reason
            return None
        if col.key == "res.note":
            if role in (Qt.DisplayRole, SORT_ROLE):
                return wp.reason or ""
            if role == Qt.ToolTipRole:
                return wp.reason
            if role == Qt.ForegroundRole:
                return QBrush(ps.MARGIN["unplaced"])
        return None


def breakdown_text(wp) -> str:
    b = wp.latency
    cls = ps.margin_class(wp.margin_ms, wp.budget_ms)
    return (f"{fmt_num(b.total_ms)} ms of {fmt_num(wp.budget_ms)} ms budget: margin {fmt_num(wp.margin_ms)} ms "
            f"({ps.MARGIN_TEXT[cls]})\nfibre {fmt_num(b.fibre_ms)} + hops {fmt_num(b.hops_ms)} + access "
            f"{fmt_num(b.access_ms)} + processing {fmt_num(b.processing_ms)} ms\n"
            f"route {b.route_kind}, {fmt_num(b.route_km)} km one way")


def route_text(wp, results) -> str:
    names = []
    for n in wp.route_nodes:
        s = results.sites.get(n) or results.sources.get(n)
        names.append((s.name or n) if s is not None else n)
    route = " → ".join(names) if names else "no network leg"
    return f"{route}\ncost {wp.cost:,.0f} per month (hosting {wp.hosting_cost:,.0f}, backhaul {wp.backhaul_cost:,.0f})"


# -- data sources ---------------------------------------------------------------------------------
class SourcesModel(ItemTableModel):
    kind = "data_source"
    attr = "data_sources"
    label = "Data source"
    columns = (
        Col("name", "Name", "text"),
        Col("location.lat", "Latitude (°)", rule="lat", unit="lat"),
        Col("location.lon", "Longitude (°)", rule="lon", unit="lon"),
        Col("site_id", "At site", "ref", refs=("site",), none_label="(off site)",
            tip="Set when the data is produced on a site (then the route to that site is local)"),
        Col("access_delay_ms", "Access delay ({u})", rule="nonneg",
            tip="Round-trip delay of the access network at the source, e.g. a 5G radio link"),
        Col("n", "Workloads", "computed", tip="Workloads whose data comes from here"),
    )

    def computed(self, item, col: Col, role):
        if role in (Qt.DisplayRole, SORT_ROLE):
            n = sum(1 for w in self.session.project.workloads if w.data_source_id == item.id)
            return str(n) if role == Qt.DisplayRole else float(n)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        return None


# -- links ----------------------------------------------------------------------------------------
class LinksModel(ItemTableModel):
    kind = "link"
    attr = "links"
    label = "Link"
    columns = (
        Col("a", "From", "ref", refs=("site", "data_source"), tip="A site or a data source"),
        Col("b", "To", "ref", refs=("site", "data_source"), tip="A site or a data source"),
        Col("route_km", "Route ({u})", rule="nonneg", optional=True,
            tip="Fibre route length; blank: straight-line distance x route factor"),
        Col("route_factor", "Route factor", rule="factor", optional=True, unit="factor",
            tip="Route length over the straight-line distance; blank: the project default"),
        Col("hops", "Hops", "int", rule="nonneg", tip="Routers / switches on the way, one direction"),
        Col("per_hop_us", "Per hop ({u})", rule="nonneg", tip="Delay one hop adds, one direction"),
        Col("access_delay_ms", "Access ({u})", rule="nonneg", tip="Round-trip access-network delay on the link"),
        Col("len", "Length ({u})", "computed", unit="route_km", tip="Route length used (read-only)"),
        Col("rt", "Round trip ({u})", "computed", unit="rt_ms",
            tip="Network round trip over this link alone: 2 x length x fibre delay + 2 x hops x per hop + access"),
    )

    def location(self, node_id: str):
        it = self.session.doc.item(node_id)
        loc = getattr(it, "location", None)
        return None if loc is None else (loc.lat, loc.lon)

    def length_km(self, lk) -> float | None:
        if lk.route_km is not None:
            return lk.route_km
        a, b = self.location(lk.a), self.location(lk.b)
        if a is None or b is None:
            return None
        st = self.session.project.settings
        f = lk.route_factor if lk.route_factor is not None else st.default_route_factor
        return great_circle_km(a[0], a[1], b[0], b[1]) * f

    def computed(self, lk, col: Col, role):
        km = self.length_km(lk)
        if km is None:
            v = None
        elif col.key == "len":
            v = km
        else:
            fib = self.session.project.settings.fibre_us_per_km
            v = 2 * km * fib / 1000 + 2 * lk.hops * lk.per_hop_us / 1000 + lk.access_delay_ms
        if role == SORT_ROLE:
            return math.inf if v is None else v
        if role == Qt.DisplayRole:
            if v is None:
                return "?"
            u = col.unit_of(self.units())
            return fmt_num(u.to_display(v) if u else v)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ForegroundRole:
            return QBrush(ps.SOURCE)
        return None

    def check(self, item, col: Col, v) -> str:
        if col.key in ("a", "b"):
            if v is None:
                return "must name a site or a data source"
            other = item.b if col.key == "a" else item.a
            if v == other:
                return "must differ from the other end (a link joins two places)"
        return ""


# -- sites ----------------------------------------------------------------------------------------
class SitesModel(ItemTableModel):
    kind = "site"
    attr = "sites"
    label = "Site"
    columns = (
        Col("name", "Name", "text"),
        Col("kind", "Kind", "choice", choices=("core", "industrial", "enterprise", "urban", "distributed")),
        Col("location.lat", "Latitude (°)", rule="lat", unit="lat"),
        Col("location.lon", "Longitude (°)", rule="lon", unit="lon"),
        Col("core_site_id", "Tethered to", "ref", refs=("site",), none_label="(none: a core)",
            tip="The core site an edge site is tethered to"),
        Col("utility_capacity_kw", "Utility ({u})", rule="nonneg"),
        Col("cost_per_kw_month", "Cost per kW-month", rule="nonneg", unit="cost",
            tip="Fully loaded cost of hosting one kW of IT here, for placement"),
        Col("tether", "Tether RT ({u})", "computed", unit="rt_ms",
            tip="Network round trip to its core site (from the last placement run)"),
    )

    def computed(self, item, col: Col, role):
        t = None if self.results is None else self.results.sites.get(item.id)
        v = None if t is None else t.round_trip_ms
        if role == SORT_ROLE:
            return math.inf if v is None else v
        if role == Qt.DisplayRole:
            return "" if v is None else fmt_num(v)
        if role == Qt.TextAlignmentRole:
            return int(Qt.AlignRight | Qt.AlignVCenter)
        if role == Qt.ToolTipRole and t is not None and t.route_nodes:
            return f"{t.route_kind}: {' → '.join(t.route_nodes)}, {fmt_num(t.route_km)} km"
        return None

    def check(self, item, col: Col, v) -> str:
        if col.key == "core_site_id" and v == item.id:
            return "cannot be the site itself"
        return ""


class SortProxy(QSortFilterProxyModel):
    """Sorts on :data:`SORT_ROLE`; the source model's ids stay reachable."""

    def __init__(self, source, parent=None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setDynamicSortFilter(True)

    def lessThan(self, a, b) -> bool:  # noqa: N802
        va, vb = a.data(SORT_ROLE), b.data(SORT_ROLE)
        try:
            return va < vb
        except TypeError:
            return str(va) < str(vb)
