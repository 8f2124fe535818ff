"""Output files of the exports: checked before any work starts, written atomically.

An export either leaves a complete file or no file (and an older file of the same name
untouched): everything is written to a temporary file in the target folder and renamed
over the target only when the writer finished without an error.
"""

from __future__ import annotations

import os
import uuid
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


def check_output_folder(path: str | os.PathLike) -> Path:
    """Check that files can be written into the folder ``path``; create it (not its parents)
    when it is missing.

    Raises
    ------
    OutputError
        When the path is a file, its parent folder is missing, or it is not writable.
    """
    p = Path(path).expanduser()
    p = p if p.is_absolute() else Path.cwd() / p
    if p.exists() and not p.is_dir():
        raise OutputError(f"{path}: is a file; give a folder")
    if not p.exists():
        if not p.parent.is_dir():
            raise OutputError(f"{path}: the folder {p.parent} does not exist; create it or choose another folder")
        try:
            p.mkdir()
        except OSError as e:
            raise OutputError(f"{path}: cannot create the folder ({e.strerror or e})") from e
    if not os.access(p, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder is not writable; choose another folder")
    return p


def _new_temp(target: Path) -> tuple[Path, int]:
    """An empty temporary file beside ``target``: the old file's mode, or 0666 less the
    umask for a new file (the kernel applies the umask; no process-wide juggling)."""
    mode = 0o666
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        pass
    folder = target.parent if str(target.parent) else Path(".")
    tmp = folder / f".{target.name}.{uuid.uuid4().hex[:12]}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), mode)
    os.close(fd)
    if mode != 0o666:
        try:
            os.chmod(tmp, mode)  # the umask may have cut an existing file's mode
        except OSError:
            pass
    return tmp, mode


def _fsync(path: Path, directory: bool = False) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some platforms cannot sync a directory; the rename is still atomic
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: str | os.PathLike, allow_empty: bool = False) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` on success.

    The writer may open the temporary path itself (Qt's PDF writer does). On any
    exception (including a cancel) the temporary file is removed and the target is left
    as it was. Writing through a symbolic link replaces the file it points to.
    """
    target = Path(path)
    if target.is_symlink():
        target = target.resolve()
    tmp_path, _mode = _new_temp(target)
    try:
        yield tmp_path
        if not allow_empty and (not tmp_path.exists() or tmp_path.stat().st_size == 0):
            raise OutputError(f"{target}: the writer produced no output")
        _fsync(tmp_path)
        os.replace(tmp_path, target)
    except BaseException:
        try:
            tmp_path.unlink()
        except OSError:
            pass
        raise
    _fsync(target.parent if str(target.parent) else Path("."), directory=True)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_output`)."""
    with atomic_output(path, allow_empty=True) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def write_text_atomic(path: str | os.PathLike, text: str, newline: str | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    if newline is not None:
        text = text.replace("\n", newline)
    write_bytes_atomic(path, text.encode("utf-8"))
