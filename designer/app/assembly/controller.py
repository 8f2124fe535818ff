"""Actions on modules as wholes: select, group, save as a template, add a template file,
connect to the site, design a site from its workloads. Each change is one undo step."""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from designer.app.assembly.account import AccountPanel, problem_text
from designer.app.assembly.design_task import DesignRunner
from designer.app.assembly.template_dialog import SaveModuleDialog
from designer.app.window.actions import ActionSpec
from designer.app.window.dialogs import show_error
from designer.document import grouping
from designer.document.assembly import template_from_selection
from designer.io.catalog_store import read_template_file, user_catalog_dir, write_template_file
from designer.io.errors import LoadError
from designer.model import hall as h

ID_RE = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


class ModuleActions:
    def __init__(self, window) -> None:
        self.window = window
        s = self.session = window.session
        self.panel = AccountPanel()
        self.dock = window.add_dock("account", "Connect and design", self.panel)
        self.last_saved: Path | None = None
        self._saved_model = ""
        A = ActionSpec
        add = window.add_action
        self.actions = {
            "select_module": add(A(
                "select_module", "Select whole &module", self.select_module, "Ctrl+Shift+M", "Edit/Module",
                tip="Select the module of the selected item, with everything in it (also: double-click an item "
                    "of a module, or click the module's floor)")),
            "add_to_module": add(A(
                "add_to_module", "&Add to module", self.add_to_module, "Ctrl+G", "Edit/Module",
                tip="Select a module and items: the items join it. A module alone takes in what stands inside it")),
            "detach_module": add(A(
                "detach_module", "&Detach from module", self.detach, "Ctrl+Shift+G", "Edit/Module",
                tip="The selected items leave their module and stay where they are (a selected module lets go of "
                    "all its items)")),
            "save_module": add(A(
                "save_module", "Save selection as mod&ule…", self.save_selection, None, "Edit",
                separator_before=True,
                tip="Save the selected module or items as a module template in your catalog")),
            "add_template": add(A(
                "add_template", "Add module &template file…", self.add_template_file, None, "Edit",
                tip="Check a module template file and add it to your catalog")),
            "connect_module": add(A(
                "connect_module", "&Connect module to site", self.connect_module, "Ctrl+K", "Site",
                tip="Route the selected module's power inputs and facility water to the site's sources "
                    "(one undo step)")),
            "connect_selection": add(A(
                "connect_selection", "Connect &selection", self.connect_selection, "Ctrl+Shift+K", "Site",
                tip="Connect the selected modules and items to the site and to each other (one undo step)")),
            "design_site": add(A(
                "design_site", "&Design from workloads…", self.design_site, "Ctrl+Shift+D", "Site",
                separator_before=True,
                tip="Choose, place and connect modules for the workloads this site serves (one undo step)")),
        }
        self.design = DesignRunner(self)
        s.selection.changed.connect(self._enable)
        s.changed.connect(lambda _c: self._enable(s.selection.ids))
        s.document_replaced.connect(lambda: self._enable([]))
        self._enable(s.selection.ids)

    @property
    def doc(self):
        return self.session.doc

    def status(self, text: str, ms: int = 6000) -> None:
        self.window.statusBar().showMessage(text, ms)

    def _enable(self, ids) -> None:
        doc = self.doc
        mods = grouping.modules_involved(doc, ids)
        a = self.actions
        a["select_module"].setEnabled(bool(mods))
        a["connect_module"].setEnabled(bool(mods))
        a["connect_selection"].setEnabled(bool(ids))
        a["save_module"].setEnabled(bool(ids))
        a["add_to_module"].setEnabled(any(isinstance(doc.item(i), h.Module) for i in ids))
        a["detach_module"].setEnabled(any(getattr(doc.item(i), "module_id", None) is not None
                                          or isinstance(doc.item(i), h.Module) for i in ids))

    # -- grouping ---------------------------------------------------------------------------------
    def select_module(self) -> None:
        mods = grouping.modules_involved(self.doc, self.session.selection.ids)
        if not mods:
            self.status("Select an item of a module first")
            return
        self.session.selection.set(mods)

    def add_to_module(self) -> None:
        edit = grouping.add_to_module(self.doc, self.session.selection.ids)
        if not edit:
            self.status("Select one module and the items that should join it (or the module alone to take in "
                        "what stands inside it)")
            return
        self.session.push(edit)
        self.status(edit.label)

    def detach(self) -> None:
        edit = grouping.detach_from_module(self.doc, self.session.selection.ids)
        if not edit:
            self.status("Nothing selected belongs to a module")
            return
        self.session.push(edit)
        self.status(edit.label)

    # -- templates --------------------------------------------------------------------------------
    def save_selection(self) -> SaveModuleDialog | None:
        ids = grouping.top_level(self.doc, self.session.selection.ids)
        if not ids:
            self.status("Select the module or the items to save first")
            return None
        mods = [self.doc.item(i) for i in ids if isinstance(self.doc.item(i), h.Module)]
        n = len([i for i in ids if not isinstance(self.doc.item(i), h.Module)])
        if len(mods) == 1 and n == 0:
            m = mods[0]
            summary = f"Module {m.name or m.id} with everything in it becomes a template in your catalog."
            model, name = (f"{m.catalog_model}-MY" if m.catalog_model else ""), m.name
        else:
            summary = f"The {len(ids)} selected items become a module template in your catalog."
            model, name = "", ""
        dlg = SaveModuleDialog(self.window, summary,
                               lambda mo, na, de, rep: self._write_template(ids, mo, na, de, rep), model, name)
        self._dialog = dlg
        if dlg.exec():
            self.session.reload_catalog()
            self.window.palette.select_model(self._saved_model)
            self.status(f"Saved module template {self._saved_model} to {self.last_saved}; it is in the catalog "
                        "under Modules", 10000)
        return dlg

    def _write_template(self, ids, model: str, name: str, description: str,
                        replace: bool) -> tuple[str, str] | None:
        """Write the template or say which field is wrong; nothing is written on a problem."""
        if not model:
            return "model", "Model id: enter an id for the template (letters, digits, '-', '_', '.')."
        if not ID_RE.match(model):
            return "model", (f"Model id: '{model}' has characters an id cannot hold; use letters, digits, "
                             "'-', '_' and '.' (up to 64).")
        if not name:
            return "name", "Name: enter the name the catalog shows for the module."
        existing = self.session.catalog.get(model)
        mine = (user_catalog_dir() / _file_name(model)).exists()
        if existing is not None and not (mine and replace):
            where = "your catalog (tick Replace to overwrite it)" if mine else "the catalog"
            return "model", f"Model id: '{model}' is already in {where} ({existing.name}); choose another id."
        try:
            entry = template_from_selection(self.doc, ids, model, name, description)
        except ValueError as e:
            return "selection", f"Selection: {e}."
        try:
            path = write_template_file(entry, overwrite=replace)
        except LoadError as e:
            lines = [pr.as_text() for pr in e.problems[:6]]
            more = f"\n… and {len(e.problems) - 6} more" if len(e.problems) > 6 else ""
            return "template", "The template would not load back, so nothing was written:\n" + "\n".join(lines) + more
        except FileExistsError:
            return "model", f"Model id: your catalog already has a template '{model}'; tick Replace or choose another id."
        except OSError as e:
            return "template", f"Could not write the template: {e}"
        self.last_saved = path
        self._saved_model = model
        return None

    def add_template_file(self, path: str | Path | None = None) -> bool:
        """Check a template file and copy it into the user catalog (a file chooser when no path)."""
        if path is None:
            from designer.app.lifecycle.files import start_folder

            path, _ = QFileDialog.getOpenFileName(self.window, "Add module template file", str(start_folder()),
                                                  "Module templates (*.json);;All files (*)")
            if not path:
                return False
        path = Path(path)
        try:
            entry = read_template_file(path)
        except LoadError as e:
            show_error(self.window, "Not a usable module template",
                       f"{path.name} was not added to the catalog:\n\n"
                       + "\n".join(pr.as_text() for pr in e.problems[:6]), e.summary(50))
            return False
        except OSError as e:
            show_error(self.window, "Cannot read the file", f"{path.name}: {e}")
            return False
        replace = False
        existing = self.session.catalog.get(entry.model)
        if existing is not None:
            if not (user_catalog_dir() / _file_name(entry.model)).exists():
                show_error(self.window, "Model id already in the catalog",
                           f"The template's model id '{entry.model}' is already in the catalog ({existing.name}). "
                           "Change module.model in the file and add it again.")
                return False
            r = QMessageBox.question(self.window, "Replace template",
                                     f"Your catalog already has '{entry.model}'. Replace it with {path.name}?")
            if r != QMessageBox.Yes:
                return False
            replace = True
        try:
            target = write_template_file(entry, overwrite=replace)
        except (LoadError, OSError) as e:
            show_error(self.window, "Template not added", str(e))
            return False
        self.session.reload_catalog()
        self.window.palette.select_model(entry.model)
        self.status(f"Added module template {entry.model} ({entry.name}) to your catalog: {target}", 10000)
        return True

    # -- connect ----------------------------------------------------------------------------------
    def connect_module(self) -> bool:
        mods = grouping.modules_involved(self.doc, self.session.selection.ids)
        if not mods:
            self.status("Select a module to connect")
            return False
        connect = _connect_api("connect_module")
        if connect is None:
            return self._unavailable("Connecting modules")
        ok = False
        for mid in mods:
            m = self.doc.item(mid)
            ok |= self._apply(connect(self.doc, mid), f"Connect {m.name or mid} to the site")
        return ok

    def connect_selection(self) -> bool:
        ids = grouping.top_level(self.doc, self.session.selection.ids)
        if not ids:
            self.status("Select what to connect")
            return False
        connect = _connect_api("connect_items")
        if connect is None:
            return self._unavailable("Connecting a selection")
        return self._apply(connect(self.doc, ids), f"Connect {len(ids)} selected item{'s' if len(ids) != 1 else ''}")

    def _unavailable(self, what: str) -> bool:
        self.status(f"{what} needs designer.document.connect, which this build does not have")
        return False

    def _apply(self, result, label: str) -> bool:
        """Push a connect / design result's edit as one undo step and show its account."""
        edit = getattr(result, "edit", None)
        account = list(getattr(result, "account", []) or [])
        problems = getattr(result, "problems", None)
        if problems is None:  # a design result: its error findings are the problems
            problems = [f for f in getattr(result, "findings", []) or [] if f.severity.value == "error"]
        problems = list(problems)
        pushed = bool(edit) and self.session.push(edit, label)
        self.show_account(label if pushed else f"{label}: nothing changed", account, problems)
        if pushed:
            first = account[0] if account else label
            more = f"; {len(problems)} problem{'s' if len(problems) != 1 else ''}" if problems else ""
            self.status(f"{label}: {first}{more} (details in Connect and design)", 10000)
        elif problems:
            self.status(f"{label}: not done - {problem_text(problems[0])}", 10000)
        else:
            self.status(f"{label}: already connected, nothing to do", 6000)
        return pushed

    def show_account(self, title: str, account, problems) -> None:
        self.panel.show_account(title, account, problems)
        self.dock.show()
        self.dock.raise_()

    # -- design -----------------------------------------------------------------------------------
    def design_site(self) -> bool:
        site = self.session.site
        if site is None:
            return False
        try:
            from designer.analysis.design import design_site
        except ImportError:
            return self._unavailable("Designing from workloads")
        return self.design.start(design_site, site)


def _connect_api(name: str):
    try:
        import designer.document.connect as c
    except ImportError:
        return None
    return getattr(c, name, None)


def _file_name(model: str) -> str:
    from designer.io.catalog_store import template_file_name

    return template_file_name(model)

