"""Every file the program writes goes through here: checked first, written atomically.

A write either leaves a complete file or no file (and an older file of the same name
untouched): everything is written to a temporary file in the target folder, checked to be
complete, and renamed over the target only then. A full disk or any write error is an
:class:`OSError` or :class:`OutputError` with a clear message; the temporary file is removed.

Rules for every writer (saves, exports, recovery copies, templates, screenshots):

- write through :func:`atomic_output` (or :func:`write_bytes_atomic` /
  :func:`write_text_atomic`), never ``open(path, "w")``;
- a writer that cannot report its own write errors (Qt's PDF and SVG writers, an image
  save) passes a ``verify`` check (:func:`complete_pdf`, :func:`complete_svg`,
  :func:`complete_png`) so that a truncated file is never renamed into place;
- check the path with :func:`check_output_path` before any work, naming the inputs so an
  output can never overwrite an input.

Temporary files are named ``.<name>.<host>-<pid>-<random>.tmp``. One left behind by a
killed process is removed at the next write to that folder: at once when it came from a
process of this host and boot that is gone, after a day otherwise (another machine may be
writing to a shared folder).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from designer.io.owner import host_tag, pid_alive


class OutputError(Exception):
    """An output path that cannot be written; the message says which and why."""


STALE_AFTER_S = 24 * 3600.0
"""A temporary file of this form older than this is removed whoever wrote it."""

_TEMP = re.compile(r"^\..+\.(?:(?P<host>[0-9a-f]{6})-(?P<pid>\d+)-[0-9a-f]{8}|[0-9a-f]{12})\.tmp$")


def _resolve(path: str | os.PathLike) -> Path:
    """Absolute, with symbolic links followed (a loop or a too-long chain is an OutputError)."""
    p = Path(path).expanduser()
    p = p if p.is_absolute() else Path.cwd() / p
    try:
        return p.resolve(strict=False)
    except RuntimeError:  # Python 3.11 reports a symlink loop this way
        raise OutputError(f"{path}: the path is a loop of symbolic links") from None
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise OutputError(f"{path}: the path is a loop of symbolic links") from None
        raise OutputError(f"{path}: {e.strerror or e}") from None


def _same_file(a: Path, b: str | os.PathLike) -> bool:
    try:
        rb = _resolve(b)
    except OutputError:
        return False
    if a == rb:
        return True
    try:
        return os.path.samefile(a, rb)
    except OSError:
        return False


def check_output_path(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Check that ``path`` can be written, before any work is done.

    Parameters
    ----------
    path
        The file to write.
    inputs
        Files the command reads: the output may be none of them (hard and symbolic links
        included).

    Returns
    -------
    Path
        The path, absolute, with symbolic links followed.

    Raises
    ------
    OutputError
        When the folder is missing, is not a folder or is not writable, the path names a
        folder, a pipe or a device, is a loop of links, or is one of the inputs.
    """
    p = _resolve(path)
    folder = p.parent
    for src in inputs:
        if src is not None and _same_file(p, src):
            raise OutputError(f"{path}: this is the input file {src}; writing there would replace it. "
                              "Give the output another name")
    try:
        st = os.stat(p)
    except (FileNotFoundError, NotADirectoryError):
        st = None
    except OSError as e:
        raise OutputError(f"{path}: {e.strerror or e}") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path}: is a folder; give a file name")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{path}: is not a regular file (a pipe, device or socket); give a file name")
    if not folder.exists():
        raise OutputError(f"{path}: the folder {folder} does not exist; create it or choose another folder")
    if not folder.is_dir():
        raise OutputError(f"{path}: {folder} is not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{path}: the folder {folder} is not writable; choose another folder")
    if st is not None and not os.access(p, os.W_OK):
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


def remove_stale_temps(folder: Path, now: float | None = None) -> list[Path]:
    """Remove temporary files of this module's form left in ``folder`` by killed writers.

    A file from a process of this host and boot that is gone is stale at once; any other
    (another machine's, or one of the older form without an owner) after
    :data:`STALE_AFTER_S`. Errors are ignored: cleaning up must never stop a write.
    """
    now = time.time() if now is None else now
    mine = host_tag()
    removed = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for e in entries:
        m = _TEMP.match(e.name)
        if m is None:
            continue
        try:
            st = e.stat(follow_symlinks=False)
            if not stat.S_ISREG(st.st_mode):
                continue
            stale = now - st.st_mtime > STALE_AFTER_S
            if not stale and m.group("host") == mine:
                stale = int(m.group("pid")) != os.getpid() and not pid_alive(int(m.group("pid")))
            if stale:
                os.unlink(e.path)
                removed.append(Path(e.path))
        except (OSError, ValueError):
            continue
    return removed


def _new_temp(target: Path) -> tuple[Path, int]:
    """An empty temporary file beside ``target``: the old file's mode, or 0666 less the
    umask for a new file (the kernel applies the umask; no process-wide juggling)."""
    mode = 0o666
    try:
        mode = target.stat().st_mode & 0o7777
    except OSError:
        pass
    folder = target.parent if str(target.parent) else Path(".")
    name = f".{target.name}.{host_tag()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
    if len(name.encode("utf-8", "surrogateescape")) > 255:  # keep within a file name's limit
        name = f".{target.name[:180]}.{host_tag()}-{os.getpid()}-{uuid.uuid4().hex[:8]}.tmp"
    tmp = folder / name
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


def _fsync_file(path: Path) -> None:
    """Sync the finished temporary file; unlike a folder's, a file's sync error is real
    (a delayed write that failed, a full disk on a network drive)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError as e:
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise
    finally:
        os.close(fd)


@contextmanager
def atomic_output(path: str | os.PathLike, allow_empty: bool = False,
                  verify: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; rename it over ``path`` on success.

    The writer may open the temporary path itself (Qt's PDF writer does). On any
    exception (including a cancel) the temporary file is removed and the target is left
    as it was. Writing through a symbolic link replaces the file it points to.

    Parameters
    ----------
    path
        The file to write.
    allow_empty
        Accept an empty result (otherwise an empty file is an error).
    verify
        Called with the temporary path once the writer is done; raises
        :class:`OutputError` when the file is not complete (see :func:`complete_pdf`).
    """
    target = _resolve(path)
    remove_stale_temps(target.parent)
    tmp_path, _mode = _new_temp(target)
    try:
        yield tmp_path
        if not allow_empty and (not tmp_path.exists() or tmp_path.stat().st_size == 0):
            raise OutputError(f"{path}: the writer produced no output (is the disk full?); "
                              "the previous file, if any, was kept")
        if verify is not None:
            verify(tmp_path)
        _fsync_file(tmp_path)
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

    def same_size(tmp: Path) -> None:
        if tmp.stat().st_size != len(data):
            raise OutputError(f"{path}: only {tmp.stat().st_size} of {len(data)} bytes could be written "
                              "(is the disk full?); the previous file, if any, was kept")

    with atomic_output(path, allow_empty=True, verify=same_size) as tmp:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())


def writable_text(text: str) -> str:
    """``text`` with lone surrogates (not characters; UTF-8 cannot hold them) as U+FFFD."""
    from designer.io.files import writable

    return writable(text)


def write_text_atomic(path: str | os.PathLike, text: str, newline: str | None = None) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically; a lone surrogate is written as U+FFFD."""
    if newline is not None:
        text = text.replace("\n", newline)
    write_bytes_atomic(path, writable_text(text).encode("utf-8"))


# -- completeness checks of files written by writers that do not report write errors -----------

def _tail(path: Path, n: int = 2048) -> bytes:
    with open(path, "rb") as f:
        f.seek(0, os.SEEK_END)
        size = f.tell()
        f.seek(max(0, size - n))
        return f.read()


def _incomplete(path: Path, what: str) -> OutputError:
    return OutputError(f"the {what} could not be written completely (is the disk full?); "
                       f"the previous file, if any, was kept")


def complete_pdf(path: Path) -> None:
    """A PDF ends with ``%%EOF`` after a ``startxref`` offset that points at the
    cross-reference table (a write that failed midway shifts it)."""
    tail = _tail(path)
    m = re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", tail)
    if m is None:
        raise _incomplete(path, "PDF")
    with open(path, "rb") as f:
        f.seek(int(m.group(1)))
        head = f.read(16)
    if not (head.startswith(b"xref") or re.match(rb"\d+\s+\d+\s+obj", head)):
        raise _incomplete(path, "PDF")


def complete_svg(path: Path) -> None:
    """An SVG is well-formed XML whose root element is ``svg``."""
    from xml.parsers import expat

    if not _tail(path, 64).rstrip().endswith(b"</svg>"):
        raise _incomplete(path, "SVG")
    parser = expat.ParserCreate()
    try:
        with open(path, "rb") as f:
            parser.ParseFile(f)
    except expat.ExpatError:
        raise _incomplete(path, "SVG") from None


def complete_png(path: Path) -> None:
    """A PNG is its signature and a chain of chunks ending exactly with ``IEND``."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            raise _incomplete(path, "PNG")
        pos = 8
        while True:
            head = f.read(8)
            if len(head) < 8:
                raise _incomplete(path, "PNG")
            n = int.from_bytes(head[:4], "big")
            pos += 12 + n
            if head[4:] == b"IEND":
                break
            f.seek(n + 4, os.SEEK_CUR)
        if pos != size:
            raise _incomplete(path, "PNG")


def complete_dxf(path: Path) -> None:
    """A DXF ends with the ``EOF`` group."""
    if not _tail(path, 64).rstrip().endswith(b"EOF"):
        raise _incomplete(path, "DXF")
