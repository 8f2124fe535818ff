"""``designer study`` and ``designer generate fleet`` from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from study_helpers import results, write_study

from designer.cli import main
from designer.study.table import read_csv_rows


def sigint_default() -> None:
    """In the child: Ctrl+C as a terminal delivers it. A test run started in the background
    by a shell (``pytest ... &``, a CI step) inherits SIGINT ignored, and so would the study,
    which then ran to the end ("returncode 0 != 130")."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cli(*args) -> list[str]:
    return [sys.executable, "-m", "designer", *map(str, args)]


def test_bad_study_writes_nothing(tmp_path, capsys):
    path = write_study(tmp_path, {"it_load_growth": [1.0, "x"], "failures": ["each_ups"]})
    out = tmp_path / "res"
    assert main(["study", str(path), "-o", str(out), "--workers", "0"]) == 2
    err = capsys.readouterr().err
    assert "grid.it_load_growth[1]: Input should be a valid number" in err and "Fix: enter a number" in err
    assert "grid.failures" in err
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["study.json"]


def test_results_folder_that_is_a_file(tmp_path, capsys):
    path = write_study(tmp_path)
    (tmp_path / "res").write_text("x")
    assert main(["study", str(path), "-o", str(tmp_path / "res"), "--workers", "0"]) == 2
    assert "is a file" in capsys.readouterr().err


def test_schema_command(capsys):
    assert main(["study", "--schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert "study_version" in schema["required"]


def _journal_lines(folder) -> int:
    try:
        return (folder / "journal.jsonl").read_bytes().count(b"\n")
    except OSError:
        return 0


def test_killed_study_reruns_to_the_same_table(tmp_path, capsys):
    path = write_study(tmp_path)
    clean = tmp_path / "clean"
    assert main(["study", str(path), "-o", str(clean), "--workers", "0", "--no-pdf"]) == 0
    capsys.readouterr()
    res = tmp_path / "res"
    proc = subprocess.Popen(_cli("study", path, "-o", res, "--workers", "0", "--no-pdf"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while _journal_lines(res) < 6 and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    done = _journal_lines(res)
    assert 6 <= done < 32, "the study finished before it could be killed"
    assert not (res / "results.csv").exists()
    assert main(["study", str(path), "-o", str(res), "--workers", "0", "--no-pdf"]) == 0
    out = capsys.readouterr().out
    assert f"({32 - done} run now, {done} from an earlier run)" in out
    assert results(read_csv_rows(res / "results.csv")) == results(read_csv_rows(clean / "results.csv"))


def test_ctrl_c_stops_cleanly(tmp_path):
    path = write_study(tmp_path)
    res = tmp_path / "res"
    proc = subprocess.Popen(_cli("study", path, "-o", res, "--workers", "0", "--no-pdf"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, preexec_fn=sigint_default)
    deadline = time.monotonic() + 120
    while _journal_lines(res) < 3 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    assert proc.poll() is None, "the study ended before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped:" in err and "run the study again to resume" in err
    assert not (res / "results.csv").exists() and _journal_lines(res) >= 3


@pytest.mark.gui
def test_summary_pdf(tmp_path):
    pytest.importorskip("PySide6")
    path = write_study(tmp_path)
    res = tmp_path / "res"
    r = subprocess.run(_cli("study", path, "-o", res, "--workers", "0", "--date", "2026-01-01"),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    pdf = (res / "summary.pdf").read_bytes()
    assert pdf.startswith(b"%PDF") and b"%%EOF" in pdf[-64:]
    assert "summary.pdf (" in r.stdout
    assert sorted(p.name for p in res.iterdir()) == ["journal.jsonl", "results.csv", "results.parquet", "summary.pdf"]


def test_generate_fleet(tmp_path, capsys):
    out = tmp_path / "fleet.json"
    assert main(["generate", "fleet", "--sites", "6", "-o", str(out)]) == 0
    assert "7 sites" in capsys.readouterr().out
    from designer.io.files import load

    p = load(out)
    assert [s.kind for s in p.sites][0] == "core" and len(p.sites) == 7
    from designer.model.validate import validate

    assert not [f for f in validate(p) if f.severity.value == "error"]
    assert all(s.hall.racks and s.hall.cdus and s.hall.power.ups for s in p.sites)
    assert {w.data_source_id.split("-", 1)[1].rsplit("-", 1)[0] for w in p.workloads[1:]} == {s.id for s in p.sites[1:]}
    assert main(["generate", "fleet", "--sites", "6", "-o", str(tmp_path / "again.json")]) == 0
    assert (tmp_path / "again.json").read_bytes() == out.read_bytes()
    assert main(["generate", "fleet", "--sites", "6", "-o", str(tmp_path / "no" / "f.json")]) == 2
