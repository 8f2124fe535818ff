"""Zoom to fit beside the plan's floating keys: the hall is fitted into what the legends, the
scale bar and the north arrow leave free, so none of them covers it.

Each key can be kept clear of in two ways: a strip along the side of the plan it is nearest
to horizontally (a key in the top-left corner: a strip down the left edge as wide as the key)
or vertically (a strip across the top as tall as it). A key that spans (nearly) the whole
width can only be avoided vertically, and one spanning the height only horizontally. Every
combination is tried (there are at most a handful of keys) and the one that leaves the
largest scale for the hall wins.
"""

from __future__ import annotations

import itertools

from PySide6.QtCore import QRectF, Qt
from PySide6.QtWidgets import QScrollBar, QWidget

GAP = 8.0
"""Pixels between a key and the hall."""


def free_rect(vp: QRectF, keys: list[QRectF], w: float, h: float) -> QRectF:
    """The part of the viewport rectangle ``vp`` to fit a ``w`` x ``h`` (scene units) hall into,
    clear of every key rectangle in ``keys`` (viewport coordinates)."""
    if not keys or w <= 0 or h <= 0:
        return QRectF(vp)
    options = []
    for r in keys:
        o = []
        if r.width() < vp.width() * 0.8:
            o.append("h")
        if r.height() < vp.height() * 0.8:
            o.append("v")
        options.append(o or ["v"])
    best, best_s = QRectF(vp), -1.0
    for combo in itertools.product(*options):
        left, right, top, bottom = vp.left(), vp.right(), vp.top(), vp.bottom()
        for r, how in zip(keys, combo, strict=True):
            if how == "h":
                if r.center().x() < vp.center().x():
                    left = max(left, r.right() + GAP)
                else:
                    right = min(right, r.left() - GAP)
            else:
                if r.center().y() < vp.center().y():
                    top = max(top, r.bottom() + GAP)
                else:
                    bottom = min(bottom, r.top() - GAP)
        if right - left < 40 or bottom - top < 40:
            continue
        s = min((right - left) / w, (bottom - top) / h)
        if s > best_s:
            best_s, best = s, QRectF(left, top, right - left, bottom - top)
    return best


def floating_keys(view) -> list[QWidget]:
    """The keys floating over the plan: the view's own child widgets that are not part of the
    scroll area (the results views' legends and banners)."""
    out = []
    for child in view.findChildren(QWidget, options=Qt.FindDirectChildrenOnly):
        if child is view.viewport() or isinstance(child, QScrollBar) \
                or child.metaObject().className().startswith("Q"):
            continue
        out.append(child)
    return out


def may_show(key: QWidget) -> bool:
    """A key shown now, or one that will show once its view has results (its overlay is on)."""
    view = key.parentWidget()
    if is_legend(key) and view is not None and not legends_shown(view):
        return False
    if key.isVisible():
        return True
    ov = getattr(key, "overlay", None)
    if ov is None:
        return False
    try:
        return bool(ov.visible())
    except Exception:  # noqa: BLE001 - a view's key must not stop a fit
        return False


def is_legend(key: QWidget) -> bool:
    """A key that only explains colours (lets clicks through): what View > Legends hides."""
    return key.testAttribute(Qt.WA_TransparentForMouseEvents)


def legends_shown(view) -> bool:
    return getattr(view, "_legends_shown", True)


def set_legends_shown(view, on: bool) -> None:
    """Show or hide every legend over the plan. A legend keeps deciding for itself whether
    it has something to show; hidden here, it draws nothing and a fit leaves it no room."""
    from PySide6.QtWidgets import QGraphicsOpacityEffect

    view._legends_shown = on
    for key in floating_keys(view):
        if not is_legend(key):
            continue
        if on:
            key.setGraphicsEffect(None)
        else:
            eff = QGraphicsOpacityEffect(key)
            eff.setOpacity(0.0)
            key.setGraphicsEffect(eff)
    view.viewport().update()
