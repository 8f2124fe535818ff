"""Studies on Dask: the same table from one process, a two-process local cluster and a
scheduler address (a LocalCluster started here). Small studies: seconds, not minutes."""

from __future__ import annotations

import _socket
import ipaddress
import socket

import pytest
from study_helpers import results, write_study

from designer.study.engine import ClusterError, run_study
from designer.study.spec import load_study


def _loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else None
    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except (TypeError, ValueError):
        return False


@pytest.fixture
def loopback(monkeypatch):
    """Dask's processes talk over TCP on this machine: let loopback connections through the
    test suite's network guard (anything else is still refused)."""
    guard, guard_ex = socket.socket.connect, socket.socket.connect_ex

    def connect(self, address, *a, **k):
        if _loopback(address):
            return _socket.socket.connect(self, address, *a, **k)
        return guard(self, address, *a, **k)

    def connect_ex(self, address, *a, **k):
        if _loopback(address):
            return _socket.socket.connect_ex(self, address, *a, **k)
        return guard_ex(self, address, *a, **k)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    return load_study(write_study(tmp_path_factory.mktemp("dask")))


@pytest.fixture(scope="module")
def serial(study):
    return run_study(study, None, workers=0)


def test_two_process_local_cluster_gives_the_same_table(study, serial, loopback, tmp_path):
    out = run_study(study, tmp_path, workers=2)
    assert out.mode == "dask local, 2 processes" and not out.failed_tasks
    assert out.computed == len(serial.rows) == 32
    assert results(out.rows) == results(serial.rows)


def test_scheduler_address_gives_the_same_table(study, serial, loopback, tmp_path):
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                      scheduler_kwargs={"dashboard_address": "127.0.0.1:0"}, silence_logs=50) as cluster:
        out = run_study(study, tmp_path, scheduler=cluster.scheduler_address)
        assert out.mode.startswith("dask tcp://127.0.0.1:")
        assert results(out.rows) == results(serial.rows)
        # a rerun against the same folder finds everything done and asks the cluster for nothing
        again = run_study(study, tmp_path, scheduler=cluster.scheduler_address)
        assert again.computed == 0 and results(again.rows) == results(serial.rows)


def test_unreachable_scheduler_is_a_clear_error(study, loopback, tmp_path):
    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        run_study(study, tmp_path, scheduler="tcp://127.0.0.1:9", connect_timeout_s=1.0)


def test_ctrl_c_stops_a_dask_study_cleanly(tmp_path):
    """The CLI on a two-process cluster: Ctrl+C keeps what finished, closes the cluster, exit 130."""
    import signal
    import subprocess
    import sys
    import time

    path = write_study(tmp_path, {"it_load_growth": [1.0, 1.1, 1.2, 1.3], "failures": ["none", "each_power"]})
    res = tmp_path / "res"
    proc = subprocess.Popen([sys.executable, "-m", "designer", "study", str(path), "-o", str(res), "--workers", "2",
                             "--no-pdf"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))  # see test_study_cli
    journal = res / "journal.jsonl"
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        if journal.exists() and journal.read_bytes().count(b"\n") > 0:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "stopped:" in err and "Port" not in err
    done = journal.read_bytes().count(b"\n")
    assert done > 0 and not (res / "results.csv").exists()
