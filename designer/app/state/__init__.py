"""What a window edits and shows: the session (document, undo stack, selection, settings)
and the background analysis scheduler."""
