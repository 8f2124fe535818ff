"""Analysis > Recommend modules…: run the facility-location recommendation off the GUI
thread, show what it would add and why anything stays unserved, apply it as one undo step.

The recommendation runs on a snapshot of the document in a worker thread (it is a MILP and
can take seconds on large designs); the dialog is window-modal so the design cannot change
underneath it, and a result for an older revision is recomputed rather than applied.
"""

from __future__ import annotations

import html
import threading
import traceback
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
)

from designer.app.views.placement.style import fmt_num

if TYPE_CHECKING:
    from designer.analysis.placement import RecommendedEdit


class _Relay(QObject):
    """Carries a worker's answer to the GUI thread (queued: emitted from the worker)."""

    done = Signal(int, int, object, str)
    """job number, document revision, RecommendedEdit or None, error text"""


class RecommendDialog(QDialog):
    def __init__(self, controller, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle("Recommend modules")
        self.setWindowModality(Qt.WindowModal)
        self.resize(760, 560)
        self.use_existing = QCheckBox("Use the existing modules' capacity first")
        self.use_existing.setChecked(True)
        self.use_existing.setToolTip("Unticked: what would you deploy if the existing modules could take no workloads")
        self.respect_utility = QCheckBox("Stay within each site's utility capacity")
        self.respect_utility.setChecked(True)
        self.max_copies = QSpinBox()
        self.max_copies.setRange(1, 50)
        self.max_copies.setValue(6)
        self.max_copies.setToolTip("Most copies of one module type at one site")
        opts = QHBoxLayout()
        opts.addWidget(self.use_existing)
        opts.addWidget(self.respect_utility)
        opts.addStretch(1)
        opts.addWidget(QLabel("Max copies per type and site:"))
        opts.addWidget(self.max_copies)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumHeight(10)
        self.busy.setTextVisible(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.body = QTextBrowser()
        self.body.setOpenLinks(False)
        self.buttons = QDialogButtonBox()
        self.rerun = QPushButton("Recompute")
        self.apply_btn = self.buttons.addButton("Add to design", QDialogButtonBox.AcceptRole)
        self.buttons.addButton(self.rerun, QDialogButtonBox.ActionRole)
        self.buttons.addButton(QDialogButtonBox.Cancel)
        self.apply_btn.setEnabled(False)
        self.buttons.accepted.connect(self.controller.apply)
        self.buttons.rejected.connect(self.reject)
        self.rerun.clicked.connect(self.controller.run)
        for w in (self.use_existing, self.respect_utility):
            w.toggled.connect(lambda _b: self.controller.run())
        self.max_copies.valueChanged.connect(lambda _v: self.controller.run())
        lay = QVBoxLayout(self)
        lay.addLayout(opts)
        lay.addWidget(self.busy)
        lay.addWidget(self.status)
        lay.addWidget(self.body, 1)
        lay.addWidget(self.buttons)

    def options(self) -> dict:
        return {"use_existing": self.use_existing.isChecked(), "respect_utility": self.respect_utility.isChecked(),
                "max_copies": self.max_copies.value()}

    def set_running(self, text: str) -> None:
        self.busy.setVisible(True)
        self.status.setText(text)
        self.apply_btn.setEnabled(False)

    def show_result(self, out: RecommendedEdit | None, error: str, session, current_cost: float | None) -> None:
        self.busy.setVisible(False)
        if out is None:
            self.status.setText("<b>The recommendation failed</b> (nothing was changed):")
            self.body.setPlainText(error)
            return
        n = sum(1 for e in out.edit.edits if getattr(e, "kind", "") == "module")
        self.apply_btn.setEnabled(bool(out.edit))
        self.apply_btn.setText(f"Add {n} module{'s' if n != 1 else ''} to design" if n else "Add to design")
        self.status.setText(summary_line(out, current_cost))
        self.body.setHtml(result_html(out, session))


def summary_line(out: RecommendedEdit, current_cost: float | None) -> str:
    rec = out.recommendation
    n = len(rec.new_modules) - len(out.skipped)
    s = (f"<b>{n} new module{'s' if n != 1 else ''}</b> ({rec.status}, {rec.elapsed_s * 1000:.0f} ms): "
         f"fixed {rec.fixed_cost:,.0f} + running {rec.assignment_cost:,.0f} = <b>{rec.total_cost:,.0f} per month</b>")
    if current_cost is not None:
        s += f" (placement today: {current_cost:,.0f} per month)"
    if rec.unserved:
        s += f"; <span style='color:#8a1c7c'>{len(rec.unserved)} workload(s) still unserved</span>"
    if not out.edit:
        s += ". Nothing to add."
    return s


def result_html(out: RecommendedEdit, session) -> str:
    """What the recommendation adds, who it serves, and what stays unserved, as HTML."""
    rec = out.recommendation
    doc = session.doc
    esc = html.escape

    def site_name(sid):
        s = doc.site(sid)
        return esc(s.name or sid) if s is not None else esc(sid) + " (new site)"

    def wl_name(wid):
        w = doc.item(wid)
        return esc((getattr(w, "name", "") or wid) if w is not None else wid)

    parts = []
    if rec.new_modules:
        rows = "".join(
            f"<tr><td>{site_name(m.site_id)}{' <i>(new site)</i>' if m.new_site else ''}</td><td><b>{esc(m.model)}</b></td>"
            f"<td align=right>{fmt_num(m.it_capacity_kw)}</td><td align=right>{fmt_num(m.load_kw)}</td>"
            f"<td align=right>{m.fixed_cost_month:,.0f}</td><td>{', '.join(wl_name(w) for w in m.workload_ids)}</td>"
            f"<td>{'' if m.position else '<span style=color:#d62d20>no free spot: left out</span>'}</td></tr>"
            for m in rec.new_modules)
        parts.append("<h4>Modules to add</h4><table cellspacing=0 cellpadding=3 border=1 "
                     "style='border-collapse:collapse;border-color:#ccc'>"
                     "<tr><th>Site</th><th>Module type</th><th>IT kW</th><th>Load kW</th><th>Fixed / month</th>"
                     f"<th>Serves</th><th></th></tr>{rows}</table>")
    else:
        parts.append("<p>No new modules: the existing modules serve every workload that can be served.</p>")
    moved = [c for c in rec.choices.values() if c.module_id is not None]
    if moved and rec.new_modules:
        parts.append(f"<p style='color:#5a6472'>{len(moved)} workload(s) stay on existing modules.</p>")
    if rec.unserved:
        def binding(w):
            r = rec.reasons.get(w)
            return f" <i>({esc(r.capacity)})</i>" if r is not None and r.capacity else ""

        items = "".join(f"<li><b>{wl_name(w)}</b>{binding(w)}: {esc(r)}</li>" for w, r in rec.unserved.items())
        parts.append(f"<h4 style='color:#8a1c7c'>Still unserved</h4><ul>{items}</ul>")
    if out.skipped:
        parts.append("<h4>Left out</h4><ul>" + "".join(f"<li>{esc(s)}</li>" for s in out.skipped) + "</ul>")
    if rec.notes:
        parts.append("<h4 style='color:#5a6472'>Why not elsewhere</h4><ul style='color:#5a6472'>"
                     + "".join(f"<li>{esc(n)}</li>" for n in rec.notes) + "</ul>")
    return "".join(parts)


class RecommendController(QObject):
    """Owns the worker relay (it outlives any one dialog) and the dialog."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.session = window.session
        self.relay = _Relay()
        self.relay.done.connect(self._done)
        self.dialog: RecommendDialog | None = None
        self.job = 0
        self.result: RecommendedEdit | None = None
        self.result_revision = -1
        self.running = False

    def open(self) -> RecommendDialog:
        if self.dialog is None:
            self.dialog = RecommendDialog(self, self.window)
            self.dialog.finished.connect(self._closed)
        self.dialog.show()
        self.run()
        return self.dialog

    def _closed(self, _code: int) -> None:
        self.job += 1  # a result still on its way is dropped
        self.running = False

    def run(self) -> None:
        if self.dialog is None:
            return
        self.job += 1
        job = self.job
        doc = self.session.doc
        snapshot, rev = doc.snapshot(), doc.revision
        catalog = self.session.catalog
        opts = self.dialog.options()
        self.result = None
        self.running = True
        self.dialog.set_running(f"Choosing modules for {len(snapshot.workloads)} workloads over "
                                f"{len(snapshot.sites)} sites…")
        relay = self.relay
        from designer.analysis.placement import recommend_edit  # on this (GUI) thread, not the worker's

        def work() -> None:
            try:
                out, err = recommend_edit(snapshot, catalog, **opts), ""
            except Exception:  # a bug: show it in the dialog instead of losing the thread
                out, err = None, traceback.format_exc()
            relay.done.emit(job, rev, out, err)

        threading.Thread(target=work, name="recommend", daemon=True).start()

    def _done(self, job: int, rev: int, out, err: str) -> None:
        if job != self.job or self.dialog is None:
            return
        if rev != self.session.doc.revision:
            self.run()  # the design moved on: answer for the current one
            return
        self.running = False
        self.result, self.result_revision = out, rev
        last = self.session.scheduler.last_results.get("placement")
        cost = last.data.total_cost if last is not None and last.data is not None else None
        self.dialog.show_result(out, err, self.session, cost)

    def apply(self) -> bool:
        out = self.result
        if out is None or not out.edit:
            return False
        if self.result_revision != self.session.doc.revision:
            self.run()
            return False
        ok = self.session.push(out.edit, out.edit.label)
        if ok:
            n = sum(1 for e in out.edit.edits if getattr(e, "kind", "") == "module")
            self.session.message.emit(f"{out.edit.label}: {n} module{'s' if n != 1 else ''} placed; Undo removes them")
            self.dialog.accept()
        return ok
