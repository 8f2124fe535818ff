"""Properties panel: a form built from the pydantic fields of the selected item(s).

Editors commit through the session as undoable SetFields edits (repeated edits of the
same field merge into one undo step). Several selected items of one kind are edited
together. With nothing selected the panel shows the current site. Values are shown in
the display units (a view setting of the session); the model stays SI. Values outside their
physical limits (a negative load, a fraction above one) are refused here, named as an
engineer would read them, with their unit.
"""

from __future__ import annotations

import types
import typing
from typing import Any, Literal

from pydantic import BaseModel
from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from designer.document.edits import Composite, EditError, SetFields, coerce
from designer.model.base import DModel
from designer.model.registry import BY_TYPE, iter_items
from designer.model.units import unit_for
from designer.model.validate import RULES

HIDDEN = {"id", "catalog_model"}
READ_ONLY = {"schema_version"}
REF_KINDS = {
    "module_id": ("module",), "upstream_id": ("source", "transformer", "switchboard", "ups", "pdu"),
    "alternate_upstream_id": ("source", "transformer", "switchboard", "ups", "pdu"),
    "source_id": ("pdu", "tap"), "rack_id": ("rack",), "busway_id": ("busway",), "core_site_id": ("site",),
    "data_source_id": ("data_source",), "pinned_module_id": ("module",), "site_id": ("site",),
    "item_id": ("rack", "cdu", "junction", "water_supply"), "facility_id": ("water_supply",), "a": ("site", "data_source"), "b": ("site", "data_source"),
}
SITE_FIELDS = ["name", "kind", "location", "core_site_id", "utility_capacity_kw", "cost_per_kw_month",
               "hall.power.scheme", "hall.height_m", "hall.floor_rating_kg_m2", "hall.grid"]


def _unwrap(ann):
    """(base annotation, optional?)"""
    origin = typing.get_origin(ann)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return ann, False


LABELS = {
    "it_load_kw": "IT load", "height_u": "Height (U)", "design_delta_t_air_k": "Design ΔT air",
    "design_delta_t_liquid_k": "Design ΔT liquid", "max_supply_temp_c": "Max supply temp.",
    "cold_plate_dp_kpa": "Cold-plate Δp", "cold_plate_rated_flow_lpm": "Cold-plate rated flow",
    "valve_k": "Balancing valve K", "feed_split_a": "Share on feed A", "it_capacity_kw": "IT capacity",
    "capacity_kw": "Capacity", "airflow_m3s": "Airflow", "approach_k": "HX approach",
    "hx_dp_kpa": "HX Δp", "rated_flow_lpm": "Rated flow", "module_kw": "Module rating",
    "rating_kva": "Rating", "breaker_a": "Breaker", "impedance_pct": "Impedance (%)",
    "x_r_ratio": "X/R ratio", "rotation_deg": "Rotation", "cost_per_kw_month": "Cost per kW·month",
    "floor_rating_kg_m2": "Floor rating", "utility_capacity_kw": "Utility capacity",
    "pinned_module_id": "Pinned module", "data_source_id": "Data source", "core_site_id": "Core site",
    "upstream_id": "Fed from", "alternate_upstream_id": "Transfers to", "source_id": "Source",
    "r_ohm_per_km": "R per km", "x_ohm_per_km": "X per km", "minor_k": "Minor-loss K",
    "scheme": "Power redundancy", "voltage_setpoint_pu": "Voltage set point (pu)",
}


def pretty(name: str) -> str:
    if name.split(".")[-1] in LABELS:
        return LABELS[name.split(".")[-1]]
    words = name.split(".")[-1]
    for suf in ("_kw", "_kva", "_m3s", "_lpm", "_kpa", "_kg_m2", "_kg", "_mps", "_c", "_k", "_deg", "_mm",
                "_km", "_m", "_v", "_a", "_pct", "_ms", "_us", "_gbps", "_min", "_ohm_per_km", "_id"):
        if words.endswith(suf) and words != suf:
            words = words[: -len(suf)]
            break
    return words.replace("_", " ").capitalize()


class PropertiesPanel(QWidget):
    def __init__(self, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.ids: list[str] = []
        self.editors: dict[str, tuple[QWidget, Any, bool]] = {}
        self._undo_guard = _UndoGuard(self)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setStyleSheet("font-weight: bold; padding: 2px;")
        self.body = QWidget()
        self.form_lay = QVBoxLayout(self.body)
        self.form_lay.setContentsMargins(2, 2, 2, 2)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        # the form takes the panel's width: fields shrink to fit instead of running off its edge
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setWidget(self.body)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.title)
        lay.addWidget(scroll)
        session.selection.changed.connect(lambda ids: self.show_ids(ids))
        session.changed.connect(self._on_change)
        session.site_changed.connect(lambda _s: self.show_ids(session.selection.ids))
        session.document_replaced.connect(lambda: self.show_ids([]))
        session.units_changed.connect(lambda _u: self._build())  # every editor changes its unit
        self.show_ids([])

    # -- building -------------------------------------------------------------------------------
    def targets(self) -> list[tuple[str | None, BaseModel]]:
        """(edit target id, model object) pairs being shown."""
        doc = self.session.doc
        if self.ids:
            return [(i, doc.item(i)) for i in self.ids if doc.item(i) is not None]
        site = self.session.site
        return [(site.id, site)] if site is not None else []

    def units(self) -> str:
        return self.session.units

    def show_ids(self, ids) -> None:
        doc = self.session.doc
        items = [doc.item(i) for i in ids]
        items = [m for m in items if m is not None]
        if items and len({type(m) for m in items}) > 1:
            self.ids = []
            self._clear()
            kinds = sorted({BY_TYPE[type(m)].label for m in items})
            self.title.setText(f"{len(items)} items selected ({', '.join(kinds)}); "
                               "select items of one kind to edit them together")
            return
        self.ids = [m.id for m in items]
        self._build()

    def _clear(self) -> None:
        self.editors.clear()
        while self.form_lay.count():
            w = self.form_lay.takeAt(0).widget()
            if w is not None:
                w.hide()  # gone from the screen now, not when the event loop deletes it
                w.deleteLater()

    def _build(self) -> None:
        self._clear()
        targets = self.targets()
        if not targets:
            self.title.setText("No site")
            return
        first = targets[0][1]
        label = BY_TYPE[type(first)].label
        if not self.ids:
            self.title.setText(f"Site: {first.name or first.id}")
            fields = SITE_FIELDS
        else:
            self.title.setText(f"{label}: {first.name or first.id}" if len(targets) == 1
                               else f"{len(targets)} {label.lower()}s (edits apply to all)")
            fields = [f for f in type(first).model_fields if f not in HIDDEN]
            if getattr(first, "catalog_model", ""):
                entry = self.session.catalog.get(first.catalog_model)
                ident = QLabel(f"<i>{first.catalog_model}</i>" + (f" · {entry.name}" if entry else ""))
                ident.setWordWrap(True)
                self.form_lay.addWidget(ident)
            idl = QLabel(f"id: {first.id}")
            idl.setTextInteractionFlags(Qt.TextSelectableByMouse)
            self.form_lay.addWidget(idl)
        main = QFormLayout()
        _fit_form(main)
        box = QWidget()
        box.setLayout(main)
        self.form_lay.addWidget(box)
        for path in fields:
            self._add_field(main, first, path)
        self.form_lay.addStretch(1)

    def _field_info(self, obj: BaseModel, path: str):
        parts = path.split(".")
        owner = obj
        for p in parts[:-1]:
            owner = getattr(owner, p)
        return owner, type(owner).model_fields[parts[-1]].annotation, getattr(owner, parts[-1])

    def _add_field(self, form: QFormLayout, obj: BaseModel, path: str) -> None:
        owner, ann, value = self._field_info(obj, path)
        base, optional = _unwrap(ann)
        name = path.split(".")[-1]
        if isinstance(base, type) and issubclass(base, DModel):
            box = QGroupBox(pretty(name))
            sub = QFormLayout(box)
            _fit_form(sub)
            if optional:
                chk = QCheckBox("connected" if name.startswith("feed") else "set")
                chk.setChecked(value is not None)
                chk.toggled.connect(lambda on, p=path, b=base: self._toggle_optional(p, b, on))
                sub.addRow(chk)
            if value is not None:
                for f in base.model_fields:
                    self._add_field(sub, obj, f"{path}.{f}")
            form.addRow(box)
            return
        w = self._editor(path, name, base, optional, value)
        if w is None:
            return
        w.setToolTip(path)
        if isinstance(w, QComboBox) and self.editors.get(path, (None, None))[1] == "ref":
            _ref_tip(w, path)
        # no editor asks for more width than the panel has (a spin box sizes itself to its range)
        w.setMinimumWidth(60)
        w.setSizePolicy(QSizePolicy.Expanding, w.sizePolicy().verticalPolicy())
        self._undo_guard.watch(w)
        form.addRow(pretty(name), w)

    def _kind(self) -> str | None:
        t = self.targets()
        return BY_TYPE[type(t[0][1])].kind if t and type(t[0][1]) in BY_TYPE else None

    def _editor(self, path: str, name: str, base, optional: bool, value) -> QWidget | None:
        unit = unit_for(name, self.units(), self._kind())
        if name in REF_KINDS:
            # items by name (the id only where two share a name): "AI-POD-1 (core-fra.mod1)" did
            # not fit at 1280x800; the name and id are on each item's and the field's tooltip
            cb = QComboBox()
            cb.addItem("(none)", None)
            cands = self._candidates(REF_KINDS[name])
            names = [n for _i, n, _f in cands]
            for iid, short, full in cands:
                cb.addItem(short if names.count(short) == 1 else full, iid)
                cb.setItemData(cb.count() - 1, full, Qt.ToolTipRole)
            idx = cb.findData(value)
            if idx < 0 and value is not None:
                cb.addItem(f"{value} (missing!)", value)
                idx = cb.count() - 1
            cb.setCurrentIndex(max(idx, 0))
            cb.currentIndexChanged.connect(lambda _i, p=path, c=cb: self.commit(p, c.currentData()))
            cb.currentIndexChanged.connect(lambda _i, p=path, c=cb: _ref_tip(c, p))
            self.editors[path] = (cb, "ref", optional)
            return cb
        if typing.get_origin(base) is Literal:
            cb = QComboBox()
            for v in typing.get_args(base):
                cb.addItem(str(v), v)
            cb.setCurrentIndex(max(cb.findData(value), 0))
            cb.currentIndexChanged.connect(lambda _i, p=path, c=cb: self.commit(p, c.currentData()))
            self.editors[path] = (cb, "literal", optional)
            return cb
        if base is bool:
            chk = QCheckBox()
            chk.setChecked(bool(value))
            chk.toggled.connect(lambda on, p=path: self.commit(p, on))
            self.editors[path] = (chk, "bool", optional)
            return chk
        if base is float and not optional:
            sp = QDoubleSpinBox()
            sp.setRange(-1e12, 1e12)
            sp.setKeyboardTracking(False)
            sp.setDecimals(unit.decimals + 1 if unit else 3)
            if unit:
                sp.setSuffix(f" {unit.symbol}")
            sp.setValue(unit.to_display(value) if unit else value)
            sp.setSingleStep(_step(name))
            sp.valueChanged.connect(lambda v, p=path, u=unit: self.commit(p, u.from_display(v) if u else v))
            self.editors[path] = (sp, ("float", unit), optional)
            return sp
        if base is int and not optional:
            sp = QSpinBox()
            sp.setRange(-10**9, 10**9)
            sp.setKeyboardTracking(False)
            sp.setValue(int(value))
            sp.valueChanged.connect(lambda v, p=path: self.commit(p, v))
            self.editors[path] = (sp, "int", optional)
            return sp
        if base in (float, int, str):
            le = QLineEdit()
            le.setText(_text(value, unit))
            if optional:
                le.setPlaceholderText("auto" if base is not str else "")
            if unit:
                le.setToolTip(f"{path} in {unit.symbol}")
            le.editingFinished.connect(lambda p=path, e=le, b=base, o=optional, u=unit:
                                       self._commit_text(p, e, b, o, u))
            self.editors[path] = (le, ("text", base, unit), optional)
            return le
        if typing.get_origin(base) is list:
            n = len(value) if value else 0
            lab = QLabel(f"{n} point{'s' if n != 1 else ''}" + (" — edit on the plan" if name in (
                "outline", "polygon", "points", "path") else ""))
            if name == "curve":
                le = QLineEdit("; ".join(f"{q:g}:{hd:g}" for q, hd in value))
                le.setToolTip("Pump curve points as flow L/min : head kPa; separated by ';'")
                le.editingFinished.connect(lambda p=path, e=le: self._commit_curve(p, e))
                self.editors[path] = (le, "curve", optional)
                return le
            return lab
        return None

    def _candidates(self, kinds) -> list[tuple[str, str, str]]:
        """(id, name, "name (id)") of the items a reference field may name."""
        out = []
        site = self.session.site
        for loc in iter_items(self.session.project):
            if loc.kind not in kinds:
                continue
            if loc.site_index is not None and site is not None and \
                    self.session.project.sites[loc.site_index] is not site:
                continue
            it = loc.item
            label = getattr(it, "name", "") or it.id
            out.append((it.id, label, f"{label} ({it.id})" if label != it.id else label))
        return out

    # -- committing ------------------------------------------------------------------------------
    def limit_problem(self, path: str, value) -> str | None:
        """Why ``value`` (model units) is outside the field's physical limits, in words an
        engineer reads ("IT load must not be negative: -5 kW was entered"), or None."""
        targets = self.targets()
        if not targets or value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
            return None
        owner, _ann, _v = self._field_info(targets[0][1], path)
        name = path.split(".")[-1]
        rule = RULES.get(type(owner), {}).get(name)
        if rule is None:
            return None
        unit = unit_for(name, self.units(), self._kind())
        show = (lambda v: f"{unit.to_display(v):g} {unit.symbol}") if unit else (lambda v: f"{v:g}")
        kind = rule[0]
        label = pretty(path)
        if kind == "pos" and not value > 0:
            return f"{label} must be greater than zero: {show(value)} was entered"
        if kind == "nonneg" and value < 0:
            return f"{label} must not be negative: {show(value)} was entered"
        if kind == "frac" and not 0 <= value <= 1:
            return f"{label} must be a fraction from 0 to 1: {show(value)} was entered"
        if kind == "range" and not rule[1] <= value <= rule[2]:
            return f"{label} must be from {show(rule[1])} to {show(rule[2])}: {show(value)} was entered"
        return None

    def refuse(self, path: str, text: str) -> None:
        """Say why a value was refused, beside its field and in the status bar; show the
        model's value again."""
        self.session.message.emit(f"Not changed: {text}")
        w = self.editors.get(path, (None,))[0]
        if w is not None and w.isVisible():
            QToolTip.showText(w.mapToGlobal(w.rect().bottomLeft()), text, w)
        self.refresh_values()

    def commit(self, path: str, value) -> None:
        problem = self.limit_problem(path, value)
        if problem is not None:
            self.refuse(path, problem)
            return
        targets = self.targets()
        edits = []
        for tid, obj in targets:
            try:
                v = coerce(obj, path, value)
            except EditError as e:
                self.session.message.emit(f"{pretty(path)}: {e}")
                self.refresh_values()
                return
            parts = path.split(".")
            cur = obj
            for p in parts[:-1]:
                cur = getattr(cur, p)
            if getattr(cur, parts[-1]) != v:
                edits.append(SetFields(tid, {path: v}))
        if not edits:
            return
        label = f"Set {pretty(path).lower()}" + (f" of {len(edits)} items" if len(edits) > 1 else "")
        self.session.push(edits[0] if len(edits) == 1 else Composite(edits, label), label)

    def _commit_text(self, path, le: QLineEdit, base, optional, unit) -> None:
        text = le.text().strip()
        if text == "" and optional:
            self.commit(path, None)
            return
        if base is str:
            self.commit(path, text)
            return
        if unit and text.endswith(unit.symbol):  # the unit shown may be typed or left in
            text = text[: -len(unit.symbol)].strip()
        try:
            v = float(text.replace(",", "."))
        except ValueError:
            self.session.message.emit(f"{pretty(path)}: '{text}' is not a number")
            self.refresh_values()
            return
        if unit:
            v = unit.from_display(v)
        self.commit(path, int(v) if base is int else v)

    def _commit_curve(self, path, le: QLineEdit) -> None:
        try:
            pts = []
            for part in le.text().split(";"):
                if part.strip():
                    q, hd = part.split(":")
                    pts.append((float(q), float(hd)))
        except ValueError:
            self.session.message.emit("Pump curve: write points as flow:head; flow:head; … (L/min : kPa)")
            self.refresh_values()
            return
        self.commit(path, pts)

    def _toggle_optional(self, path: str, base, on: bool) -> None:
        if on:
            if base.__name__ == "Feed":
                self.session.message.emit("Connect the feed with Power > Connect feed A/B, then click a PDU or tap")
                self.refresh_values()
                return
            try:
                self.commit(path, base())
            except Exception:
                self.refresh_values()
        else:
            self.commit(path, None)

    # -- following the document ------------------------------------------------------------------
    def _on_change(self, change) -> None:
        shown = set(self.ids) or {self.session.site_id}
        if change.structural or any(i in shown for i in change.modified):
            # structure of optional groups may change: rebuild; else only values
            if any(any(f.startswith(("feed_", "pump", "feeder", "location", "hall.grid", "*"))
                       for f in change.modified.get(i, ())) for i in shown):
                self._build()
            else:
                self.refresh_values()

    def refresh_values(self) -> None:
        targets = self.targets()
        if not targets:
            return
        obj = targets[0][1]
        for path, (w, kind, _optional) in self.editors.items():
            try:
                _, _, value = self._field_info(obj, path)
            except (AttributeError, KeyError):
                continue
            w.blockSignals(True)
            try:
                if isinstance(w, QComboBox):
                    idx = w.findData(value)
                    w.setCurrentIndex(max(idx, 0))
                elif isinstance(w, QCheckBox):
                    w.setChecked(bool(value))
                elif isinstance(w, QDoubleSpinBox):
                    unit = kind[1]
                    w.setValue(unit.to_display(value) if unit else value)
                elif isinstance(w, QSpinBox):
                    w.setValue(int(value))
                elif isinstance(w, QLineEdit):
                    if kind == "curve":
                        w.setText("; ".join(f"{q:g}:{hd:g}" for q, hd in value))
                    else:
                        w.setText(_text(value, kind[2]))
            finally:
                w.blockSignals(False)


def _text(value, unit) -> str:
    """A line-edited value as shown: with its unit, like the spin boxes ("2.3 m"); "" is None."""
    if value is None:
        return ""
    return f"{unit.to_display(value):g} {unit.symbol}" if unit else str(value)


def _ref_tip(cb: QComboBox, path: str) -> None:
    full = cb.itemData(cb.currentIndex(), Qt.ToolTipRole)
    cb.setToolTip(f"{full}\n{path}" if full else path)


def _step(name: str) -> float:
    if name in ("x", "y") or name.endswith("_m"):
        return 0.1
    if name.endswith("_deg"):
        return 90.0
    if name.endswith(("fraction", "split_a", "factor", "efficiency")):
        return 0.05
    return 1.0


def _fit_form(form: QFormLayout) -> None:
    form.setFieldGrowthPolicy(QFormLayout.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.WrapLongRows)


class _UndoGuard(QObject):
    """Ctrl+Z / Ctrl+Shift+Z in a property field act on the model, not on the field's text:
    a field whose value is committed hands the keys to the window's Undo / Redo (the last
    model edit is taken back); a field with typing not yet committed takes the typing back."""

    def __init__(self, panel) -> None:
        super().__init__(panel)
        self.panel = panel

    def watch(self, w: QWidget) -> None:
        w.installEventFilter(self)
        if isinstance(w, QAbstractSpinBox):
            w.findChild(QLineEdit).installEventFilter(self)

    def _field(self, obj) -> QWidget:
        parent = obj.parentWidget() if isinstance(obj, QLineEdit) else None
        return parent if isinstance(parent, QAbstractSpinBox) else obj

    @staticmethod
    def _uncommitted(w: QWidget) -> bool:
        if isinstance(w, QAbstractSpinBox):
            return w.lineEdit().isModified()
        return isinstance(w, QLineEdit) and w.isModified()

    def eventFilter(self, obj, e) -> bool:  # noqa: N802
        if e.type() not in (QEvent.ShortcutOverride, QEvent.KeyPress):
            return False
        if not (e.matches(QKeySequence.Undo) or e.matches(QKeySequence.Redo)):
            return False
        w = self._field(obj)
        if self._uncommitted(w):
            if e.type() == QEvent.KeyPress:
                self.panel.refresh_values()  # the typing is taken back
                if isinstance(w, QAbstractSpinBox):
                    w.lineEdit().setModified(False)
                elif isinstance(w, QLineEdit):
                    w.setModified(False)
                return True
            e.accept()  # the field gets the key press (handled above), not the window
            return True
        if e.type() == QEvent.ShortcutOverride:
            e.ignore()  # not for the field: the window's Undo / Redo shortcut fires
            return True
        stack = self.panel.session.undo_stack
        (stack.undo if e.matches(QKeySequence.Undo) else stack.redo)()
        return True

