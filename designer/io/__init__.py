"""File format, catalog files, exports (no Qt except modules the import contracts name)."""
