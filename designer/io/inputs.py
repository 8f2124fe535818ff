"""Input files, checked before they are read: regular files only, a size limit, a time bound.

Every file the program reads (projects, recovery copies, catalog and template files) goes
through :func:`read_input`, so that no input can make a command or the app wait for ever or
run out of memory:

- a FIFO, a device (``/dev/zero``), a socket or a folder is refused with a clear message
  before it is opened (opening a FIFO for reading would wait for a writer);
- a file larger than the limit is refused before reading, and reading stops at the limit
  should the file grow meanwhile;
- reading that takes longer than :data:`READ_TIMEOUT_S` (a hung network drive) is given up
  with a clear message; the read is left to finish in a background thread.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

from designer.io.errors import LoadError, Problem

READ_TIMEOUT_S = 60.0
"""Reading one input may take at most this long (a 256 MB file on a slow disk takes seconds)."""

_CHUNK = 1 << 20


def _refuse(src: str, message: str, fix: str) -> LoadError:
    return LoadError(src, [Problem("", message, fix)])


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _check_regular(src: str, st: os.stat_result, limit: int) -> None:
    if not stat.S_ISREG(st.st_mode):
        raise _refuse(src, f"this is {_kind(st.st_mode)}, not a file", "give the path of a project file")
    if st.st_size > limit:
        raise _refuse(src, f"the file is {st.st_size / 1e6:.0f} MB, larger than any project "
                           f"({limit / 1e6:.0f} MB limit)", "check that this is a Data Hall Designer file")


def read_input(path: str | os.PathLike, limit: int, timeout: float | None = None) -> bytes:
    """The bytes of the regular file ``path``, read within ``limit`` bytes and ``timeout`` seconds.

    Parameters
    ----------
    path
        The file. Symbolic links are followed (a loop is refused).
    limit
        Largest size in bytes.
    timeout
        Seconds; :data:`READ_TIMEOUT_S` when None.

    Raises
    ------
    LoadError
        With one problem saying why the file cannot be read (missing, not a regular file,
        too large, unreadable, too slow). Never blocks on a FIFO or reads a device.
    """
    src = str(path)
    timeout = READ_TIMEOUT_S if timeout is None else timeout
    try:
        _check_regular(src, os.stat(path), limit)
        # O_NONBLOCK: should the path have become a FIFO since the check, open() must not
        # wait for a writer; it has no effect on reading a regular file
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
                     | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0))
    except LoadError:
        raise
    except OSError as e:
        raise _refuse(src, _os_message(e), "check the file name and permissions") from None
    try:
        _check_regular(src, os.fstat(fd), limit)
    except BaseException:
        os.close(fd)
        raise
    return _read_bounded(fd, src, limit, timeout)


def _os_message(e: OSError) -> str:
    import errno

    if e.errno == errno.ELOOP:
        return "the path is a loop of symbolic links"
    return e.strerror or str(e)


def _read_bounded(fd: int, src: str, limit: int, timeout: float) -> bytes:
    """Read ``fd`` (closing it) in a daemon thread, so a hung file system cannot hang us."""
    box: dict = {}
    stop = threading.Event()

    def reader() -> None:
        parts, n = [], 0
        try:
            while not stop.is_set():
                chunk = os.read(fd, _CHUNK)
                if not chunk:
                    break
                parts.append(chunk)
                n += len(chunk)
                if n > limit:
                    box["too_large"] = n
                    break
            box["data"] = b"".join(parts)
        except OSError as e:
            box["error"] = e
        finally:
            os.close(fd)

    t = threading.Thread(target=reader, name="read-input", daemon=True)
    t.start()
    t.join(timeout)
    if t.is_alive():
        stop.set()
        raise _refuse(src, f"reading the file took longer than {timeout:.0f} s",
                      "copy the file to a local disk and open the copy")
    if "error" in box:
        raise _refuse(src, _os_message(box["error"]), "check the file name and permissions")
    if "too_large" in box:
        raise _refuse(src, f"the file grew past the {limit / 1e6:.0f} MB limit while it was read",
                      "check that this is a Data Hall Designer file")
    return box["data"]


def read_input_text(path: str | os.PathLike, limit: int, what: str = "file") -> str:
    """:func:`read_input` decoded as UTF-8 (a byte order mark is dropped)."""
    raw = read_input(path, limit)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise LoadError(str(path), [Problem(f"byte {e.start}", "the file is not UTF-8 text",
                                            f"save the {what} as UTF-8")]) from None


def is_regular_file(path: Path) -> bool:
    """True for a regular file (following links); never opens it."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False
