"""Output files of the exports: checked before any work starts, written atomically.

An export either leaves a complete file or no file (and an older file of the same name
untouched): everything is written to a temporary file in the target folder and renamed
over the target only when the writer finished without an error.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class OutputError(Exception):
    """An output path that cannot be written; the message says which and why."""


def check_output_path(path: str | os.PathLike) -> Path:
    """Check that ``path`` can be written, before any export work is done.

    Parameters
    ----------
    path
        The file to write.

    Returns
    -------
    Path
        The path, absolute.

    Raises
    ------
    OutputError
        When the folder is missing, is not a folder or is not writable, or the path
        names a folder.
    """
    p = Path(path).expanduser()
    p = p if p.is_absolute() else Path.cwd() / p
    folder = p.parent
    if p.is_dir():
        raise OutputError(f"{path}: is a folder; give a file name")
    if not folder.exists():
        raise OutputError(f"{path}: the folder {folder} does not exist; create it or choose another folder")
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {folder} is not writable; choose another folder")
    if p.exists() and not os.access(p, os.W_OK):
        raise OutputError(f"{path}: the file exists and is read-only; choose another name")
    return p


@contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` on success.

    On any exception (including a cancel) the temporary file is removed and the
    target is left as it was.
    """
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent or ".")
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        if not tmp_path.exists() or tmp_path.stat().st_size == 0:
            raise OutputError(f"{target}: the writer produced no output")
        _copy_mode(target, tmp_path)
        os.replace(tmp_path, target)
    except BaseException:
        try:
            tmp_path.unlink()
        except OSError:
            pass
        raise


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def write_text_atomic(path: str | os.PathLike, text: str, newline: str | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    if newline is not None:
        text = text.replace("\n", newline)
    write_bytes_atomic(path, text.encode("utf-8"))


def _copy_mode(target: Path, tmp: Path) -> None:
    """Give the new file the old file's permissions, or the usual ones for a new file
    (mkstemp creates 0600, which would surprise a user sharing the report)."""
    try:
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp, 0o666 & ~umask)
    except OSError:
        pass
