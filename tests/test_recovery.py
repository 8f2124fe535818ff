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
