"""A project's life on disk in the app: open and save, crash recovery, and the guard
against a second writer."""
