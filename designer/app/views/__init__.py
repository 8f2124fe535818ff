"""Result views and panes that plug into the main window (see designer.app.window.extensions)."""
