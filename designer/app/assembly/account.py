"""The "Connect and design" dock: the plain account of the last connect or design run."""

from __future__ import annotations

import html

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget


def problem_text(p) -> str:
    """A problem as one sentence, whatever its type (finding, (path, message, fix), text)."""
    msg = getattr(p, "message", None)
    if msg is not None:
        fix = getattr(p, "fix", "")
        return f"{msg}" + (f" (fix: {fix})" if fix else "")
    if isinstance(p, tuple) and len(p) == 3:
        return f"{p[0]}: {p[1]} (fix: {p[2]})"
    return str(p)


def account_html(title: str, account, problems) -> str:
    parts = [f"<h3>{html.escape(title)}</h3>"]
    lines = [str(a) for a in (account or [])]
    if lines:
        parts.append("<ol>" + "".join(f"<li>{html.escape(a)}</li>" for a in lines) + "</ol>")
    probs = [problem_text(p) for p in (problems or [])]
    if probs:
        parts.append("<p><b style='color:#b3261e'>Problems</b></p><ul>" +
                     "".join(f"<li style='color:#b3261e'>{html.escape(p)}</li>" for p in probs) + "</ul>")
    if not lines and not probs:
        parts.append("<p>Nothing to do.</p>")
    return "".join(parts)


class AccountPanel(QWidget):
    """Shows what the last "Connect" or "Design" did, choice by choice, and what it could not do."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.title = ""
        self.lines: list[str] = []
        self.problems: list[str] = []
        self.hint = QLabel("Connect a module to the site (Site > Connect module to site) or design a site from "
                           "its workloads: what was done and why is listed here.")
        self.hint.setWordWrap(True)
        self.text = QTextBrowser()
        self.text.setOpenLinks(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.hint)
        lay.addWidget(self.text, 1)

    def show_account(self, title: str, account, problems) -> None:
        self.title = title
        self.lines = [str(a) for a in (account or [])]
        self.problems = [problem_text(p) for p in (problems or [])]
        self.hint.hide()
        self.text.setHtml(account_html(title, self.lines, problems))
