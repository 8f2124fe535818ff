"""Running a study: plan the work, run it here or on Dask, keep what finishes, resume.

1. **Plan.** Every design's scenarios are expanded and keyed; those already in the results
   folder's journal are skipped. The rest is cut into tasks: up to ``chunk_size`` scenarios
   of ONE design each, run in sequence by :func:`~designer.study.execute.run_chunk` so the
   design's structure is built once and reused (see :mod:`designer.study.execute`).
2. **Run.** ``workers=0`` runs the tasks in this process. Otherwise on Dask: a
   ``LocalCluster`` of ``workers`` single-threaded processes, or the cluster whose scheduler
   is at ``scheduler``. Each design is sent once (scattered) and its tasks depend on it, so
   the scheduler keeps a design's tasks where it already is.
3. **Keep.** Each finished task's rows go to the journal at once; a stop (Ctrl+C, the app's
   cancel) cancels the rest, and a rerun picks up from there. The same study gives the same
   rows whichever way it runs: tasks are the same, and each runs its scenarios in order.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from designer.study.designs import Design, load_designs
from designer.study.execute import run_chunk
from designer.study.headline import NAMES, axis_values
from designer.study.scenarios import Scenario, expand
from designer.study.store import Journal


class StudyStopped(Exception):
    """The study was stopped before the end; what finished is kept in the journal."""

    def __init__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        super().__init__(f"stopped: {done} of {total} scenarios done; run the study again to resume")


class ClusterError(Exception):
    """Dask could not be started or reached; the message says why."""


@dataclass(frozen=True)
class Task:
    design: Design
    items: list[tuple[str, str, dict]]
    """(key, scenario id, spec) in run order."""


@dataclass
class StudyPlan:
    designs: list[Design]
    scenarios: dict[str, list[Scenario]]
    order: list[tuple[Design, Scenario, str]]
    """Every (design, scenario, key) in table order."""
    tasks: list[Task]
    skipped: int
    """Scenarios found in the journal."""

    @property
    def total(self) -> int:
        return len(self.order)


@dataclass
class ProgressInfo:
    done: int
    """Scenarios finished in this run."""
    todo: int
    """Scenarios this run has to do."""
    skipped: int
    elapsed_s: float

    @property
    def rate(self) -> float:
        return self.done / self.elapsed_s if self.elapsed_s > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        return (self.todo - self.done) / self.rate if self.done and self.rate > 0 else None


@dataclass
class StudyOutcome:
    rows: list[dict]
    """In table order: designs as listed, scenarios in grid order."""
    computed: int
    skipped: int
    elapsed_s: float
    mode: str
    failed_tasks: list[str] = field(default_factory=list)
    startup_s: float = 0.0
    """Time to start or reach the Dask cluster (included in ``elapsed_s``)."""
    shutdown_s: float = 0.0
    """Time to close the client and the local cluster (included in ``elapsed_s``)."""


def plan_study(study, designs: list[Design], journal: Journal | None, chunk_size: int | None = None) -> StudyPlan:
    analyses = list(study.analyses)
    size = chunk_size or study.chunk_size
    scen: dict[str, list[Scenario]] = {}
    order = []
    tasks = []
    skipped = 0
    for d in designs:
        sc = expand(study, d.project, d.site_id)
        scen[d.id] = sc
        pending = []
        for s in sc:
            key = s.key(d.hash, analyses)
            order.append((d, s, key))
            if journal is not None and key in journal:
                skipped += 1
            else:
                pending.append((key, s.id, s.spec))
        for i in range(0, len(pending), size):
            tasks.append(Task(d, pending[i:i + size]))
    return StudyPlan(designs, scen, order, tasks, skipped)


def _payload(d: Design) -> dict:
    return {"id": d.id, "file": d.file, "site": d.site_id, "site_kind": d.site_kind, "hash": d.hash, "text": d.text}


def worker_version() -> str:
    """The worker's program version, after importing what the tasks need (so a worker's
    start-up is paid before the first task, and counted as start-up)."""
    import designer.study.execute  # noqa: F401
    from designer import __version__

    return __version__


def run_study(study, out_dir: str | Path | None, designs: list[Design] | None = None, workers: int = 0,
              scheduler: str | None = None, progress: Callable[[ProgressInfo], None] | None = None,
              should_stop: Callable[[], bool] | None = None, reuse: bool = True,
              chunk_size: int | None = None, journal: Journal | None = None,
              connect_timeout_s: float = 10.0) -> StudyOutcome:
    """Run every design x scenario not yet in the results folder's journal.

    Parameters
    ----------
    study
        A checked :class:`~designer.study.spec.Study`.
    out_dir
        The results folder (made if missing); its journal keeps finished scenarios. None keeps
        nothing (every scenario runs).
    designs
        Already loaded designs (default: :func:`~designer.study.designs.load_designs`).
    workers
        0: run here, in this process. N: a local Dask cluster of N processes (ignored with
        ``scheduler``).
    scheduler
        Address of an existing Dask scheduler (``tcp://host:8786``).
    progress
        Called after each finished task.
    should_stop
        Polled while waiting; True stops the study (:class:`StudyStopped`).
    reuse
        Keep a design's analysis caches between its scenarios (False for the benchmark).
    connect_timeout_s
        How long to try reaching ``scheduler``.

    Raises
    ------
    StudyStopped
        Stopped by ``should_stop`` or Ctrl+C; finished scenarios are in the journal.
    ClusterError
        The Dask cluster could not be started or reached.
    """
    t0 = time.perf_counter()
    designs = designs if designs is not None else load_designs(study)
    if journal is None and out_dir is not None:
        Path(out_dir).mkdir(exist_ok=True)
        journal = Journal(Path(out_dir))
    plan = plan_study(study, designs, journal, chunk_size)
    rows: dict[str, dict] = {}
    todo = sum(len(t.items) for t in plan.tasks)
    state = {"done": 0}
    stop = should_stop or (lambda: False)
    failed: list[str] = []
    timing = {"startup_s": 0.0, "shutdown_s": 0.0}

    def keep(batch: list[tuple[str, dict]], sync: bool = True) -> None:
        for key, row in batch:
            rows[key] = row
            if journal is not None:
                journal.add(key, row)
        if journal is not None and sync:
            journal.sync()
        state["done"] += len(batch)
        if progress is not None:
            progress(ProgressInfo(state["done"], todo, plan.skipped, time.perf_counter() - t0))

    analyses = list(study.analyses)
    mode = "serial" if (workers == 0 and not scheduler) else (f"dask {scheduler}" if scheduler else
                                                                f"dask local, {workers} processes")
    if progress is not None:
        progress(ProgressInfo(0, todo, plan.skipped, 0.0))
    try:
        if plan.tasks:
            if mode == "serial":
                _serial(plan, analyses, reuse, keep, stop)
            else:
                failed = _dask(plan, analyses, reuse, keep, stop, workers, scheduler, connect_timeout_s, timing)
    except (KeyboardInterrupt, StudyStopped):
        raise StudyStopped(state["done"] + plan.skipped, plan.total) from None
    finally:
        if journal is not None:
            journal.close()
    out = []
    for d, s, key in plan.order:
        row = rows.get(key) or (journal.rows.get(key) if journal is not None else None)
        if row is None:  # a task that failed: listed, not stored, so a rerun tries again
            row = dict.fromkeys(NAMES)
            row.update(design=d.id, file=d.file, site=d.site_id or "", site_kind=d.site_kind, scenario=s.id,
                       key=key, status="task failed: " + next((f for f in failed if d.id in f), "see the log"))
            row.update(axis_values(s.spec))
        out.append(row)
    return StudyOutcome(out, state["done"], plan.skipped, time.perf_counter() - t0, mode, failed, timing["startup_s"],
                        timing["shutdown_s"])


def _serial(plan: StudyPlan, analyses, reuse, keep, stop) -> None:
    def row(key: str, r: dict) -> None:
        keep([(key, r)], False)
        if stop():  # between scenarios: the app's cancel answers within one scenario
            raise StudyStopped(0, plan.total)

    for task in plan.tasks:
        if stop():
            raise StudyStopped(0, plan.total)
        run_chunk(_payload(task.design), task.items, analyses, reuse, on_row=row)
        keep([])


def _dask(plan: StudyPlan, analyses, reuse, keep, stop, workers: int, scheduler: str | None,
          timeout_s: float = 10.0, timing: dict | None = None) -> list[str]:
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError as e:  # pragma: no cover - a dependency
        raise ClusterError(f"Dask is not installed ({e}); run with --workers 0") from None
    cluster = None
    t0 = time.perf_counter()
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout=f"{timeout_s}s")
            except (OSError, TimeoutError) as e:
                raise ClusterError(f"cannot reach the Dask scheduler at {scheduler}: {e}") from None
        else:
            # no dashboard; the scheduler's small HTTP server on any free local port (its default, 8787,
            # may belong to another cluster on this machine)
            cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True,
                                   dashboard_address=None, scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
                                   silence_logs=logging.ERROR)
            client = Client(cluster)
    except ClusterError:
        raise
    except Exception as e:
        raise ClusterError(f"cannot start a local Dask cluster: {type(e).__name__}: {e}") from None
    futures = []
    try:
        from designer import __version__

        versions = set(client.run(worker_version).values())
        if versions - {__version__}:
            raise ClusterError(f"the Dask workers run Data Hall Designer {', '.join(sorted(versions))}, this is "
                               f"{__version__}: install the same version on the workers")
        if timing is not None:
            timing["startup_s"] = time.perf_counter() - t0
        by_design: dict[str, list[Task]] = {}
        for t in plan.tasks:
            by_design.setdefault(t.design.id, []).append(t)
        ids = list(by_design)
        sent = client.scatter([_payload(by_design[i][0].design) for i in ids], hash=False)
        label = {}
        for did, fut_design in zip(ids, sent, strict=True):
            for t in by_design[did]:
                f = client.submit(run_chunk, fut_design, t.items, analyses, reuse, pure=False)
                label[f.key] = did
                futures.append(f)
        failed: list[str] = []
        ac = as_completed(futures)
        while not ac.is_empty():
            batch = ac.next_batch(block=False)
            if not batch:
                if stop():
                    raise StudyStopped(0, plan.total)
                time.sleep(0.05)
                continue
            for f in batch:
                try:
                    keep(f.result())
                except Exception as e:  # a bug in a task: the others go on
                    failed.append(f"{label.get(f.key, '?')}: {type(e).__name__}: {e}")
                f.release()
        return failed
    finally:
        t1 = time.perf_counter()
        for f in futures:
            f.cancel()
        try:
            client.close(timeout=10)
        finally:
            if cluster is not None:
                cluster.close(timeout=10)
            if timing is not None:
                timing["shutdown_s"] = time.perf_counter() - t1
