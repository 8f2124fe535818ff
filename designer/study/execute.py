"""Running scenarios of one design: the unit of work a process or a Dask worker does.

A design's expensive structure lives in the analyses' caches (power: the live tree and the
failure-sweep plan; liquid: the sparse pattern and Newton's last state; air: the rasterised
hall and its factorisations; placement: the latency network). A :class:`DesignRunner` holds
one :class:`~designer.analysis.runner.Runner` for one design, so its scenarios, run one after
the other, reuse that structure: a load growth changes right-hand sides only; a failure
changes the topology and rebuilds just what it touches.

Each worker process keeps the runners of the designs it ran last (:data:`KEEP` of them, keyed
by the design's hash), so a second chunk of a design that lands on the same worker starts warm.

============================  ============================================================
what                          reused
============================  ============================================================
between scenarios of a task   everything the analyses cache (one Runner per design)
between tasks on one worker   the same, for the :data:`KEEP` designs run last
between workers / reruns      nothing (the results are stored, keyed by design and scenario)
============================  ============================================================
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable

from designer.analysis.runner import Runner
from designer.document.document import Document, snapshot_project
from designer.model.project import Project
from designer.study import headline
from designer.study.scenarios import apply_scenario

KEEP = 4
"""Designs whose runners a worker keeps."""

_RUNNERS: OrderedDict[tuple, DesignRunner] = OrderedDict()


class DesignRunner:
    """Runs scenarios of one design, reusing the analyses' caches between them."""

    def __init__(self, project: Project, analyses: list[str], reuse: bool = True) -> None:
        self.project = project
        self.analyses = list(analyses)
        self.reuse = reuse
        self.runner = Runner(self.analyses)
        self.runs = 0

    def run(self, spec: dict) -> tuple[dict, Project | None]:
        """Apply the scenario to a copy of the design, analyse it; (figures and status, project)."""
        if not self.reuse:
            self.runner = Runner(self.analyses)
        doc = Document(snapshot_project(self.project))  # items copied: the design is never touched
        try:
            apply_scenario(doc, spec)
        except Exception as e:  # the scenario does not fit this design: a result, not a crash
            return {"status": f"edit failed: {e}"}, None
        results = self.runner.run(doc.project, self.runs)
        self.runs += 1
        failed = [f"{n}: {r.error}" for n, r in results.items() if r.error]
        stopped = [r for r in results.values()
                   if r.error is None and isinstance(r.summary, dict) and "not_run" in r.summary]
        out = headline.figures(doc.project, {n: r for n, r in results.items() if r.error is None})
        if failed:
            out["status"] = "analysis failed: " + "; ".join(failed)
        elif stopped:  # the scenario made the design invalid (or it was): say so, never "ok"
            first = stopped[0].summary.get("blocked_by") or [{}]
            out["status"] = (f"not analysed ({', '.join(r.name for r in stopped)}): validation errors, e.g. "
                             f"{first[0].get('path') or first[0].get('code', '?')}: {first[0].get('message', '')}")
        else:
            out["status"] = "ok"
        return out, doc.project


def design_runner(design_hash: str, design_text: str, analyses: list[str], reuse: bool = True) -> DesignRunner:
    """This process's runner of the design (made from its JSON text the first time)."""
    key = (design_hash, tuple(analyses))
    if reuse:
        hit = _RUNNERS.pop(key, None)
        if hit is not None:
            _RUNNERS[key] = hit
            return hit
    dr = DesignRunner(Project.model_validate_json(design_text), analyses, reuse)
    if reuse:
        _RUNNERS[key] = dr
        while len(_RUNNERS) > KEEP:
            _RUNNERS.popitem(last=False)
    return dr


def run_chunk(design: dict, items: list[tuple[str, str, dict]], analyses: list[str], reuse: bool = True,
              on_row: Callable[[str, dict], None] | None = None) -> list[tuple[str, dict]]:
    """Run scenarios of one design in order; the rows, each with its key.

    Parameters
    ----------
    design
        ``id``, ``file``, ``site``, ``site_kind``, ``hash`` and ``text`` (the design as JSON).
    items
        (key, scenario id, scenario spec) of each scenario to run.
    analyses
        Names of the analyses to run.
    reuse
        Keep the design's analysis caches between scenarios (False: every scenario starts
        cold, for the benchmark).
    on_row
        Called with (key, row) as each scenario finishes (the serial run stores it at once).
    """
    dr = design_runner(design["hash"], design["text"], analyses, reuse)
    rows = []
    for key, sid, spec in items:
        t0 = time.perf_counter()
        figs, _ = dr.run(spec)
        row = headline.empty_row()
        row.update(design=design["id"], file=design["file"], site=design["site"] or "", site_kind=design["site_kind"],
                   scenario=sid, key=key, **headline.axis_values(spec))
        row.update({k: _plain(v) for k, v in figs.items()})
        row["elapsed_ms"] = round((time.perf_counter() - t0) * 1000.0, 2)
        rows.append((key, row))
        if on_row is not None:
            on_row(key, row)
    return rows


def _plain(v):
    """numpy scalars as Python values (the row goes to JSON and across processes)."""
    if isinstance(v, (bool, int, float, str)) or v is None:
        return v
    item = getattr(v, "item", None)
    return item() if item is not None else v


def clear_runners() -> None:
    """Forget this process's cached designs (tests, benchmarks)."""
    _RUNNERS.clear()
