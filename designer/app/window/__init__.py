"""The main window and what it is built from: docks and their layout, actions, dialogs,
the splash, style, results mode, thumbnails, the editing commands and the extensions it installs."""
