"""Recovery copies and saves that survive being killed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

from designer.io.files import load, save
from designer.io.recovery import RecoveryWriter, load_recovery, orphaned_recoveries, read_header


def test_recovery_copy_restores_exactly_what_was_there(sample, tmp_path):
    sample.sites[0].hall.racks[0].it_load_kw = 133.25
    w = RecoveryWriter(tmp_path)
    path = w.write(sample, tmp_path / "orig.dhd.json")
    assert load_recovery(path) == sample
    head = read_header(path)
    assert head.pid == os.getpid()
    assert head.original_path == str(tmp_path / "orig.dhd.json")
    assert head.summary["racks"] == sum(len(s.hall.racks) for s in sample.sites)
    assert not head.orphaned  # we are alive
    assert orphaned_recoveries(tmp_path) == []
    w.discard()
    assert not path.exists()


def test_copy_left_by_a_killed_process_is_offered(tmp_path):
    code = (
        "import os, sys\n"
        "from pathlib import Path\n"
        "from designer.io.sample import build_sample_project\n"
        "from designer.io.recovery import RecoveryWriter\n"
        "p = build_sample_project(); p.name = 'crashed session'\n"
        "RecoveryWriter(Path(sys.argv[1])).write(p, None)\n"
        "os._exit(9)\n"
    )
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 9, r.stderr
    found = orphaned_recoveries(tmp_path)
    assert len(found) == 1
    assert "crashed session" in found[0].describe()
    assert load_recovery(found[0].path).name == "crashed session"


_SAVER = """
import sys
from designer.io.files import save
from designer.io.generate import generate_project
p = generate_project(200)
path = sys.argv[1]
n = 0
print("ready", flush=True)
while True:
    p.name = f"save {n}"
    save(p, path)
    n += 1
"""


def test_kill_during_save_leaves_a_readable_file(tmp_path):
    """SIGKILL a process that saves in a loop, at random moments: the file always loads."""
    path = tmp_path / "p.dhd.json"
    from designer.io.generate import generate_project

    save(generate_project(200), path)
    rng = random.Random(7)
    names = set()
    for _ in range(5):
        proc = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.05, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
        proc.stdout.close()
        p = load(path)  # must not raise
        names.add(p.name)
        leftovers = [f for f in tmp_path.iterdir() if f.name != "p.dhd.json"]
        for f in leftovers:  # a killed save may leave its temp file; never the target
            assert f.name.startswith(".p.dhd.json.") and f.suffix == ".tmp"
            f.unlink()
    assert names  # each kill left a complete file from one of the saves


# -- owners that survive process-id reuse ------------------------------------------------------

def _copy_with_owner(folder, name: str, owner: dict | None, saved_at: str = "2026-01-01T00:00:00"):
    import json

    from designer.io.recovery import lock_path

    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"recovery_format": 1, "saved_at": saved_at, "pid": (owner or {}).get("pid", 0),
                                "original_path": None, "summary": {"name": name}, "project": {"schema_version": 2}}))
    if owner is not None:
        lock_path(path).write_text(json.dumps(owner))
    return path


def test_a_copy_whose_pid_now_belongs_to_another_process_is_offered(tmp_path):
    """The pid in the lock is alive (it is ours) but was started at another time: the
    process that wrote the copy is gone, its id reused."""
    from designer.io.owner import process_start, this_process

    me = this_process()
    if me["start"] is None:
        import pytest

        pytest.skip("no process start times here (not Linux)")
    _copy_with_owner(tmp_path, "reused", {**me, "start": me["start"] - 1})
    _copy_with_owner(tmp_path, "live", me)
    assert process_start(os.getpid()) == me["start"]
    assert [r.path.stem for r in orphaned_recoveries(tmp_path)] == ["reused"]


def test_a_copy_from_an_earlier_boot_is_offered_and_another_hosts_is_not(tmp_path):
    from designer.io.owner import this_process

    me = this_process()
    if me["boot_id"] is None:
        import pytest

        pytest.skip("no boot id here (not Linux)")
    _copy_with_owner(tmp_path, "before-reboot", {**me, "boot_id": "00000000-0000-0000-0000-000000000000"})
    _copy_with_owner(tmp_path, "other-host", {**me, "host": me["host"] + "-elsewhere", "pid": 1})
    assert [r.path.stem for r in orphaned_recoveries(tmp_path)] == ["before-reboot"]


def test_killed_writer_whose_pid_is_reused_is_offered(tmp_path):
    """A real writer is killed; its lock is then made to name a live process (pid reuse):
    the copy is still offered, because the start time does not match."""
    import json

    from designer.io.owner import this_process
    from designer.io.recovery import lock_path

    code = ("import os, sys\nfrom pathlib import Path\nfrom designer.io.sample import build_sample_project\n"
            "from designer.io.recovery import RecoveryWriter\n"
            "print(RecoveryWriter(Path(sys.argv[1])).write(build_sample_project(), None), flush=True)\n"
            "os._exit(9)\n")
    r = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 9, r.stderr
    copy = tmp_path / r.stdout.strip().rsplit("/", 1)[-1]
    owner = json.loads(lock_path(copy).read_text())
    assert owner["pid"] != os.getpid()
    if owner["start"] is None:
        import pytest

        pytest.skip("no process start times here (not Linux)")
    owner["pid"] = os.getpid()  # the dead writer's id now belongs to this (live) process
    lock_path(copy).write_text(json.dumps(owner))
    assert this_process()["start"] != owner["start"]
    assert [f.path for f in orphaned_recoveries(tmp_path)] == [copy]


def test_every_orphaned_copy_is_listed_newest_first_and_discard_removes_the_lock(tmp_path):
    _copy_with_owner(tmp_path, "a", {"pid": 0}, "2026-01-01T10:00:00")
    _copy_with_owner(tmp_path, "b", None, "2026-01-02T10:00:00")  # an older version's copy: no lock
    _copy_with_owner(tmp_path, "c", {"pid": 0}, "2026-01-03T10:00:00")
    found = orphaned_recoveries(tmp_path)
    assert [r.path.stem for r in found] == ["c", "b", "a"]
    found[0].discard()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.lock", "b.json"]


def test_the_writer_keeps_a_lock_and_discards_it(sample, tmp_path):
    import json

    from designer.io.recovery import lock_path

    w = RecoveryWriter(tmp_path)
    path = w.write(sample, None)
    owner = json.loads(lock_path(path).read_text())
    assert owner["pid"] == os.getpid() and "boot_id" in owner and "start" in owner
    assert not read_header(path).orphaned
    w.discard()
    assert list(tmp_path.iterdir()) == []


def test_lone_surrogate_in_memory_still_gets_a_recovery_copy(sample, tmp_path):
    """A name holding a lone surrogate (typed in) must not stop the crash copy."""
    sample.name = "bad \ud800 name"
    sample.sites[0].name = "\udfff"
    path = RecoveryWriter(tmp_path).write(sample, None)
    p = load_recovery(path)
    assert p.name == "bad \ufffd name" and p.sites[0].name == "\ufffd"


_WRITER = ("import os, sys\nfrom pathlib import Path\nfrom designer.io.sample import build_sample_project\n"
           "from designer.io.recovery import RecoveryWriter\n"
           "p = build_sample_project(); p.name = sys.argv[2]\n"
           "print(os.getpid(), RecoveryWriter(Path(sys.argv[1])).write(p, None), flush=True)\n"
           "if sys.argv[3] == 'wait':\n    sys.stdin.read()\n"
           "os._exit(9)\n")


def test_a_copy_whose_owner_still_runs_is_not_offered_until_it_ends(tmp_path):
    """Another, live process owns the copy: not offered (it is that process's unsaved work);
    once that process has ended, it is."""
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), "still running", "wait"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        pid, _path = proc.stdout.readline().split(" ", 1)
        assert int(pid) == proc.pid and proc.poll() is None
        assert [p.suffix for p in sorted(tmp_path.iterdir())] == [".json", ".lock"]
        assert orphaned_recoveries(tmp_path) == []
    finally:
        proc.stdin.close()
        proc.wait(30)
        proc.stdout.close()
    assert proc.returncode == 9
    assert [r.summary["name"] for r in orphaned_recoveries(tmp_path)] == ["still running"]


_PID_REUSE = r"""
import os, subprocess, sys
from pathlib import Path
from designer.io.owner import pid_alive
from designer.io.recovery import orphaned_recoveries
folder, writer = Path(sys.argv[1]), sys.argv[2]
out = subprocess.run([sys.executable, "-c", writer, str(folder), "killed", "exit"], capture_output=True, text=True)
pid = int(out.stdout.split()[0])
with open("/proc/sys/kernel/ns_last_pid", "w") as f:  # the next process gets the dead writer's id
    f.write(str(pid - 1))
other = subprocess.Popen(["sleep", "60"])
try:
    if other.pid != pid:
        print("no reuse", pid, other.pid)
        sys.exit(77)
    print("reused", pid, pid_alive(pid), [r.summary["name"] for r in orphaned_recoveries(folder)])
finally:
    other.kill()
    other.wait()
"""


def test_a_copy_whose_process_id_was_really_reused_is_offered(tmp_path):
    """Real process-id reuse, in a private pid namespace: the writer is killed, and its id is
    handed to an unrelated process (`sleep`); the id is alive again, yet the copy is offered."""
    import shutil

    import pytest

    if not sys.platform.startswith("linux") or not shutil.which("unshare"):
        pytest.skip("needs Linux pid namespaces (unshare)")
    r = None
    for prefix in (["unshare", "--pid", "--fork", "--mount-proc"],
                   ["unshare", "--user", "--map-root-user", "--pid", "--fork", "--mount-proc"]):
        r = subprocess.run([*prefix, sys.executable, "-c", _PID_REUSE, str(tmp_path), _WRITER],
                           capture_output=True, text=True, timeout=120)
        if r.stdout.startswith(("reused", "no reuse")):
            break
    if not r.stdout.startswith("reused"):
        pytest.skip(f"no private pid namespace with a settable next pid here: {r.stdout}{r.stderr[-300:]}")
    assert r.stdout.split(" ", 3)[2:] == ["True", "['killed']\n"], r.stdout


def test_a_lock_left_without_its_copy_is_removed_once_its_owner_is_gone(tmp_path):
    import json

    from designer.io.owner import this_process

    me = this_process()
    (tmp_path / "dead.lock").write_text(json.dumps({**me, "pid": 0}))
    (tmp_path / "live.lock").write_text(json.dumps(me))  # a writer that is about to write its copy
    (tmp_path / "odd.lock").write_text("not json")  # unreadable: kept
    assert orphaned_recoveries(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["live.lock", "odd.lock"]
