"""The scenario grid of the open project, as a small form; :meth:`StudyForm.study_data` turns
it into study-file data (the same format ``designer study`` reads)."""

from __future__ import annotations

import os

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from designer.study.spec import ANALYSES

FAILURES = (("each_power", "each power item"), ("each_pump", "one pump of each CDU"),
            ("each_air_unit", "each air unit"), ("each_water", "each facility water supply"))
SPLITS = (("sites", "each site"), ("site", "the current site"), ("project", "the whole project"))


class FormError(ValueError):
    """A field of the form cannot be read; the message names it."""


def _numbers(text: str, field: str) -> list[float]:
    out = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            out.append(float(part))
        except ValueError:
            raise FormError(f"{field}: '{part}' is not a number (separate values with commas)") from None
    return out


class StudyForm(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.split = QComboBox()
        for key, text in SPLITS:
            self.split.addItem(text, key)
        self.growth = QLineEdit("1.0, 1.2, 1.4")
        self.growth.setToolTip("Factors on every rack's IT load, separated by commas")
        self.water = QLineEdit("")
        self.water.setPlaceholderText("as designed; e.g. 32, 36")
        self.water.setToolTip("Facility water supply temperatures (degC) to try besides the design's")
        self.air = QLineEdit("")
        self.air.setPlaceholderText("as designed; e.g. 24, 27")
        self.air.setToolTip("Air units' supply set points (degC) to try besides the design's")
        self.wl_growth = QLineEdit("1.0")
        self.wl_growth.setToolTip("Factors on every workload's IT power")
        self.failures = {}
        fl = QGridLayout()
        fl.setContentsMargins(0, 0, 0, 0)
        for i, (key, text) in enumerate(FAILURES):
            cb = QCheckBox(text)
            cb.setChecked(key in ("each_power", "each_pump"))
            self.failures[key] = cb
            fl.addWidget(cb, i // 2, i % 2)
        fw = QWidget()
        fw.setLayout(fl)
        self.analyses = {}
        al = QHBoxLayout()
        al.setContentsMargins(0, 0, 0, 0)
        for name in ANALYSES:
            cb = QCheckBox(name)
            cb.setChecked(True)
            self.analyses[name] = cb
            al.addWidget(cb)
        aw = QWidget()
        aw.setLayout(al)
        self.workers = QSpinBox()
        self.workers.setRange(0, max(os.cpu_count() or 1, 1) * 4)
        self.workers.setValue(min(2, os.cpu_count() or 1))
        self.workers.setSpecialValueText("0 (in the app, no Dask)")
        self.workers.setToolTip("Processes of the local Dask cluster; 0 runs in the app's own background thread")
        form = QFormLayout(self)
        form.setContentsMargins(4, 4, 4, 4)
        form.addRow("Designs", self.split)
        form.addRow("IT load growth", self.growth)
        form.addRow("Facility water °C", self.water)
        form.addRow("Air supply °C", self.air)
        form.addRow("Workload growth", self.wl_growth)
        form.addRow("Failures", fw)
        form.addRow("Analyses", aw)
        form.addRow("Dask workers", self.workers)

    def study_data(self, file: str, site_id: str | None, name: str) -> dict:
        """The study as study-file data for the project saved as ``file`` (raises FormError)."""
        growth = _numbers(self.growth.text(), "IT load growth") or [1.0]
        wl = _numbers(self.wl_growth.text(), "Workload growth") or [1.0]
        if any(g <= 0 for g in growth + wl):
            raise FormError("growth factors must be above 0")
        water = [None, *_numbers(self.water.text(), "Facility water °C")]
        air = [None, *_numbers(self.air.text(), "Air supply °C")]
        analyses = [n for n, cb in self.analyses.items() if cb.isChecked()]
        if not analyses:
            raise FormError("Analyses: choose at least one")
        split = self.split.currentData()
        ref: dict = {"file": file, "split": "project" if split == "project" else "sites"}
        if split == "site" and site_id:
            ref["sites"] = [site_id]
        return {"study_version": 1, "name": name, "designs": [ref], "analyses": analyses,
                "grid": {"it_load_growth": growth, "facility_water_temp_c": water, "air_supply_temp_c": air,
                         "workload_growth": wl,
                         "failures": ["none", *[k for k, cb in self.failures.items() if cb.isChecked()]]}}
