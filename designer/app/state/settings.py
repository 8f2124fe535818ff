"""The user's settings (recent files, window layout, display units, snaps): one INI file in
the user folder, so a portable install or a test's private folder keeps its own."""

from __future__ import annotations

from PySide6.QtCore import QSettings

from designer.io.catalog_store import user_data_dir


def app_settings() -> QSettings:
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return QSettings(str(folder / "settings.ini"), QSettings.IniFormat)


def flag(key: str, default: bool) -> bool:
    v = app_settings().value(key, default)
    return v in (True, "true", "1", 1) if not isinstance(v, bool) else v
