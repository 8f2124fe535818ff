"""Inputs are checked before they are read: only regular files, within a size limit and a
time bound, so no input makes the program wait for ever or run out of memory."""

from __future__ import annotations

import os
import threading
import time

import pytest

from designer.io import inputs
from designer.io.errors import LoadError
from designer.io.files import load
from designer.io.inputs import read_input


def _message(ei) -> str:
    (p,) = ei.value.problems
    return p.message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_fifo_is_refused_without_waiting_for_a_writer(tmp_path):
    fifo = tmp_path / "p.json"
    os.mkfifo(fifo)
    box = {}

    def go():
        try:
            load(fifo)
        except LoadError as e:
            box["e"] = e

    t = threading.Thread(target=go, daemon=True)
    t.start()
    t.join(10)
    assert not t.is_alive(), "load() waited on a FIFO"
    assert "pipe (FIFO)" in str(box["e"])


@pytest.mark.parametrize("path, kind", [("/dev/zero", "a device"), ("/dev/null", "a device")])
def test_devices_are_refused(path, kind):
    if not os.path.exists(path):
        pytest.skip(f"no {path} here")
    with pytest.raises(LoadError) as ei:
        load(path)
    assert kind in _message(ei)


def test_folder_is_refused(tmp_path):
    with pytest.raises(LoadError) as ei:
        load(tmp_path)
    assert "folder" in _message(ei)


def test_empty_file_is_a_clear_error(tmp_path):
    (tmp_path / "e.json").write_bytes(b"")
    with pytest.raises(LoadError) as ei:
        load(tmp_path / "e.json")
    assert "ends before the JSON is complete" in _message(ei)


def test_symlink_loop_is_refused(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(LoadError) as ei:
        load(tmp_path / "a")
    assert "loop of symbolic links" in _message(ei)


def test_a_link_to_a_good_file_opens(tmp_path, sample_project):
    from designer.io.files import save

    save(sample_project, tmp_path / "p.json")
    os.symlink(tmp_path / "p.json", tmp_path / "link.json")
    assert load(tmp_path / "link.json") == sample_project


def test_size_limit_before_reading_and_while_reading(tmp_path, monkeypatch):
    f = tmp_path / "f.json"
    f.write_bytes(b"x" * 100)
    with pytest.raises(LoadError) as ei:
        read_input(f, limit=10)
    assert "limit" in _message(ei)
    # a file that grows after the size check: reading stops at the limit
    real_fstat = os.fstat
    monkeypatch.setattr(inputs.os, "fstat", lambda fd: os.stat_result((*real_fstat(fd)[:6], 5, *real_fstat(fd)[7:])))
    monkeypatch.setattr(inputs.os, "stat", lambda p: os.stat_result((*os.lstat(p)[:6], 5, *os.lstat(p)[7:])))
    with pytest.raises(LoadError) as ei:
        read_input(f, limit=10)
    assert "grew past" in _message(ei)


def test_a_read_that_hangs_is_given_up_with_a_clear_message(tmp_path, monkeypatch):
    f = tmp_path / "f.json"
    f.write_bytes(b"{}")
    release = threading.Event()
    real_read = os.read

    def stuck(fd, n):
        release.wait(20)  # a hung network drive
        return real_read(fd, n)

    monkeypatch.setattr(inputs.os, "read", stuck)
    t0 = time.monotonic()
    with pytest.raises(LoadError) as ei:
        read_input(f, limit=100, timeout=0.3)
    release.set()
    assert time.monotonic() - t0 < 5
    assert "longer than" in _message(ei)


def test_unreadable_file(tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root reads everything")
    f = tmp_path / "f.json"
    f.write_bytes(b"{}")
    f.chmod(0)
    with pytest.raises(LoadError) as ei:
        load(f)
    assert "ermission" in _message(ei)

