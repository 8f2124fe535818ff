"""The one atomic writer: a full disk or any write error is a clear error, the previous file
stays, no temporary file is left; stale temporary files of killed runs are cleaned up; an
output path that is a loop, a pipe, a device or an input is refused."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from designer.io import outputs
from designer.io.files import load, save
from designer.io.outputs import (
    OutputError,
    atomic_output,
    check_output_path,
    complete_dxf,
    complete_pdf,
    complete_png,
    complete_svg,
    remove_stale_temps,
    write_bytes_atomic,
    write_text_atomic,
)

HERE = Path(__file__).parent
HARNESS = HERE / "writers_on_full_disk.py"
WRITERS = {"save", "recovery", "json", "json-schema", "bom", "dxf", "pdf", "svg", "png", "template", "screenshot",
           "study-csv", "study-parquet"}


def _check_all_failed_cleanly(report: dict) -> None:
    assert set(report["writers"]) == WRITERS
    for name, r in report["writers"].items():
        assert r["error"], f"{name} reported success on a full disk"
        assert "Traceback" not in r["error"]
        assert r["old_kept"], f"{name} lost the previous file"
    assert report["left"] == [], "temporary files were left behind"


@pytest.mark.gui
def test_every_writer_fails_cleanly_when_writing_is_cut_short(tmp_path):
    """A file size limit makes every write past 1,000 bytes fail (EFBIG), the way a full
    disk does, for Python's and Qt's writers alike."""

    resource = pytest.importorskip("resource")  # POSIX

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1000, resource.RLIM_INFINITY))

    subprocess.run([sys.executable, str(HARNESS), str(tmp_path), "--prepare"], check=True, timeout=300)
    r = subprocess.run([sys.executable, str(HARNESS), str(tmp_path)], preexec_fn=limit, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    _check_all_failed_cleanly(json.loads(r.stdout.splitlines()[-1]))


def _can_mount_tmpfs() -> list[str] | None:
    """The command prefix that gives a private mount namespace where tmpfs can be mounted."""
    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        return None
    for prefix in (["unshare", "-m"], ["unshare", "-r", "-m"]):
        try:
            r = subprocess.run([*prefix, "sh", "-c", "d=$(mktemp -d) && mount -t tmpfs -o size=64k tmpfs $d"
                                                      " && umount $d && rmdir $d"],
                               capture_output=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired):
            continue
        if r.returncode == 0:
            return prefix
    return None


@pytest.mark.gui
def test_every_writer_on_a_really_full_disk(tmp_path):
    """On a small tmpfs filled to the last block (in a private mount namespace)."""
    prefix = _can_mount_tmpfs()
    if prefix is None:
        pytest.skip("cannot mount a tmpfs here (needs root or user namespaces)")
    mnt = tmp_path / "full"
    mnt.mkdir()
    script = (f'mount -t tmpfs -o size=2m tmpfs "{mnt}" && '
              f'"{sys.executable}" "{HARNESS}" "{mnt}" --prepare && '
              f'dd if=/dev/zero of="{mnt}/fill" bs=4k >/dev/null 2>&1; '
              f'"{sys.executable}" "{HARNESS}" "{mnt}"')
    r = subprocess.run([*prefix, "sh", "-c", script], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    _check_all_failed_cleanly(json.loads(r.stdout.splitlines()[-1]))


@pytest.mark.gui
def test_the_harness_writers_do_write_when_there_is_room(tmp_path):
    """The control for the two tests above: with room, every writer replaces the old file."""
    sys.path.insert(0, str(HERE))
    try:
        import writers_on_full_disk as w
    finally:
        sys.path.remove(str(HERE))
    w.main(str(tmp_path), prepare=True)
    report = w.main(str(tmp_path))
    assert set(report["writers"]) == WRITERS
    for name, r in report["writers"].items():
        assert r["error"] is None, (name, r["error"])
        assert not r["old_kept"], name
    assert all(not n.endswith(".tmp") for n in os.listdir(tmp_path))


@pytest.mark.parametrize("fail", ["write", "fsync", "replace", "verify"])
def test_injected_write_error_keeps_the_old_file_and_leaves_no_temp(tmp_path, monkeypatch, fail):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def boom(*_a, **_k):
        raise OSError(28, "No space left on device")

    if fail == "fsync":
        monkeypatch.setattr(outputs, "_fsync_file", boom)
    elif fail == "replace":
        monkeypatch.setattr(outputs.os, "replace", boom)
    with pytest.raises((OSError, OutputError)):
        with atomic_output(target, verify=(lambda p: complete_pdf(p)) if fail == "verify" else None) as tmp:
            with open(tmp, "wb") as f:
                f.write(b"new, but not a PDF")
            if fail == "write":
                boom()
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["out.bin"]


def test_short_write_is_caught_by_the_size_check(tmp_path, monkeypatch):
    target = tmp_path / "t.txt"
    target.write_bytes(b"old")
    real_open = open

    class Short:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            return self.f.write(data[:3])  # a silent short write

        def flush(self):
            self.f.flush()

        def fileno(self):
            return self.f.fileno()

    monkeypatch.setattr(outputs, "open", lambda *a, **k: Short(real_open(*a, **k)), raising=False)
    with pytest.raises(OutputError, match="only 3 of 10 bytes"):
        write_bytes_atomic(target, b"0123456789")
    monkeypatch.undo()
    assert target.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["t.txt"]


# -- completeness checks --------------------------------------------------------------------------

def _pdf_bytes() -> bytes:
    body = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
    xref = len(body)
    return body + b"xref\n0 1\n0000000000 65535 f \ntrailer\n<< /Root 1 0 R >>\nstartxref\n" + \
        str(xref).encode() + b"\n%%EOF\n"


def test_complete_pdf(tmp_path):
    f = tmp_path / "a.pdf"
    f.write_bytes(_pdf_bytes())
    complete_pdf(f)
    for bad in (_pdf_bytes()[:-7], _pdf_bytes()[:40], b"%PDF-1.4\n" + _pdf_bytes()[9:].replace(b"endobj", b"end")):
        f.write_bytes(bad)
        with pytest.raises(OutputError, match="PDF"):
            complete_pdf(f)


def test_complete_svg_png_dxf(tmp_path):
    f = tmp_path / "f"
    f.write_bytes(b'<?xml version="1.0"?>\n<svg><g><rect/></g></svg>\n')
    complete_svg(f)
    for bad in (b"<svg><g><rect/></g>", b"<svg><g></svg>"):
        f.write_bytes(bad)
        with pytest.raises(OutputError, match="SVG"):
            complete_svg(f)
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", b"\0" * 13) + chunk(b"IDAT", b"x" * 50) + chunk(b"IEND", b"")
    f.write_bytes(png)
    complete_png(f)
    for bad in (png[:-12], png[:30], png + b"junk"):
        f.write_bytes(bad)
        with pytest.raises(OutputError, match="PNG"):
            complete_png(f)
    f.write_bytes(b"  0\nSECTION\n  0\nEOF\n")
    complete_dxf(f)
    f.write_bytes(b"  0\nSECTION\n  0\nENDSEC\n")
    with pytest.raises(OutputError, match="DXF"):
        complete_dxf(f)


# -- stale temporary files ---------------------------------------------------------------------

_KILLED_SAVER = """
import os, sys
from designer.io.outputs import atomic_output
with atomic_output(sys.argv[1]) as tmp:
    open(tmp, "wb").write(b"half")
    os._exit(9)  # killed mid-write: the temporary file stays
"""


def test_temp_file_of_a_killed_run_is_removed_at_the_next_write(tmp_path):
    target = tmp_path / "p.json"
    r = subprocess.run([sys.executable, "-c", _KILLED_SAVER, str(target)], capture_output=True, timeout=60)
    assert r.returncode == 9, r.stderr
    (left,) = [n for n in os.listdir(tmp_path) if n.endswith(".tmp")]
    assert not target.exists()
    write_text_atomic(tmp_path / "other.csv", "a,b\n")  # any write to the folder
    assert sorted(os.listdir(tmp_path)) == ["other.csv"], left


def test_temp_files_of_live_writers_and_other_machines_are_kept_for_a_day(tmp_path):
    live = tmp_path / f".a.json.{outputs.host_tag()}-{os.getpid()}-0123abcd.tmp"  # ours, alive
    other = tmp_path / f".b.json.ffffff-{os.getpid()}-0123abcd.tmp"  # another host (tag differs)
    if outputs.host_tag() == "ffffff":
        pytest.skip("this host's tag happens to be ffffff")
    old_form = tmp_path / ".c.json.0123456789ab.tmp"  # written before owners were named
    user = tmp_path / ".notes.tmp"  # not ours at all
    for f in (live, other, old_form, user):
        f.write_bytes(b"x")
    assert remove_stale_temps(tmp_path) == []
    day_ago = time.time() - outputs.STALE_AFTER_S - 60
    for f in (other, old_form, user):
        os.utime(f, (day_ago, day_ago))
    assert sorted(p.name for p in remove_stale_temps(tmp_path)) == sorted([other.name, old_form.name])
    assert sorted(os.listdir(tmp_path)) == sorted([live.name, user.name])


def test_kill_during_save_leaves_no_temp_after_the_next_save(tmp_path):
    """Killed saves leave temporary files (SIGKILL cannot be caught); the next save of
    anything into the folder removes them all."""
    from designer.io.generate import generate_project

    code = ("import sys\nfrom designer.io.files import save\nfrom designer.io.generate import generate_project\n"
            "p = generate_project(200)\nprint('ready', flush=True)\n"
            "while True:\n    save(p, sys.argv[1])\n")
    path = tmp_path / "p.dhd.json"
    p = generate_project(50)
    save(p, path)
    for delay in (0.1, 0.3, 0.5):
        proc = subprocess.Popen([sys.executable, "-c", code, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()
    load(path)
    save(p, path)
    assert os.listdir(tmp_path) == ["p.dhd.json"]


# -- output paths ------------------------------------------------------------------------------

def test_symlink_loop_output_is_a_clear_error(tmp_path):
    os.symlink(tmp_path / "b", tmp_path / "a")
    os.symlink(tmp_path / "a", tmp_path / "b")
    with pytest.raises(OutputError, match="loop of symbolic links"):
        check_output_path(tmp_path / "a")
    with pytest.raises(OutputError, match="loop of symbolic links"):
        write_text_atomic(tmp_path / "a", "x")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_pipe_and_device_outputs_are_refused(tmp_path):
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(OutputError, match="not a regular file"):
        check_output_path(tmp_path / "fifo")
    if os.path.exists("/dev/null"):
        with pytest.raises(OutputError, match="not a regular file"):
            check_output_path("/dev/null")


def test_an_output_may_not_be_an_input(tmp_path):
    src = tmp_path / "hall.json"
    src.write_text("{}")
    os.symlink(src, tmp_path / "link.json")
    os.link(src, tmp_path / "hard.json")
    for out in (src, tmp_path / "link.json", tmp_path / "hard.json", tmp_path / "sub" / ".." / "hall.json"):
        (tmp_path / "sub").mkdir(exist_ok=True)
        with pytest.raises(OutputError, match="input file"):
            check_output_path(out, inputs=[src])
    assert check_output_path(tmp_path / "other.json", inputs=[src]) == tmp_path / "other.json"


def test_writing_through_a_symlink_replaces_the_file_it_points_to(tmp_path):
    (tmp_path / "real.txt").write_text("old")
    os.symlink(tmp_path / "real.txt", tmp_path / "link.txt")
    write_text_atomic(tmp_path / "link.txt", "new")
    assert (tmp_path / "link.txt").is_symlink()
    assert (tmp_path / "real.txt").read_text() == "new"


def test_lone_surrogate_text_is_written_as_a_replacement_character(tmp_path):
    write_text_atomic(tmp_path / "t.txt", "a\ud800b")
    assert (tmp_path / "t.txt").read_text(encoding="utf-8") == "a\ufffdb"


@pytest.mark.gui
def test_every_writer_writes_a_project_holding_lone_surrogates(tmp_path):
    """Names with lone surrogates (only possible in memory: files refuse them) go through
    every writer: each file is written, as valid UTF-8 where it is text."""
    sys.path.insert(0, str(HERE))
    try:
        import writers_on_full_disk as w
    finally:
        sys.path.remove(str(HERE))
    from designer.app.report.qtapp import ensure_app
    from designer.io.sample import build_sample_project

    ensure_app()
    p = build_sample_project()
    p.name = "crash \ud800 test"
    p.sites[0].name = "\udfff"
    p.sites[0].hall.racks[0].name = "R\ud83d"
    for name, (fname, write) in w.writers(p, tmp_path).items():
        write(tmp_path / fname)
        data = (tmp_path / fname).read_bytes()
        assert data, name
        if fname.endswith((".json", ".csv", ".svg", ".dxf")):
            data.decode("utf-8")  # raises if not UTF-8
