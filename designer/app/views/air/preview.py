"""A coarse air answer while the user drags (issue 5, item 3: fast by design).

The plan's select tool previews a move without touching the document; the scene says so with
``preview_changed(ids, dx, dy)`` and ``preview_ended()``. While a preview is on, this runs a cheap
form of the 3D air model (0.5 m cells, a short march from the previous preview's field: about
:data:`CHUNK_S` of worker time) on a copy of the current site with the dragged items shifted,
on its own worker thread, at most :data:`MAX_RATE_HZ` times a second (fewer on big halls: see
:data:`BUSY_SHARE`) and never two at once; the latest position wins, and each answer is shown as
it comes. While the pointer rests the march goes on at that position, preview after preview,
until it is steady (the legend says "settling", then "settled"). The main scheduler runs the
fine grid after the release as after any edit. The worker keeps its own cache, and after each
fine answer it marches the site's coarse field towards steady (:meth:`AirPreview.warm`), so a
drag starts from a settled coarse field with its operators built.

Measured in the window (``tests/benchmarks/bench_gui_air.py``: a 2 s drag at 60 mouse moves a
second, then the pointer held still 3 s; 1600 x 1000; before = stop 26's 40-step previews):

- generated 200 racks: previews shown 0.5 -> 3.7 a second of the drag; 2 -> 22 while the
  pointer rested; the first after 1.1 -> 0.36 s; mouse moves 8.3 -> 9.0 ms median, 12.6 -> 20.4
  ms at the 95th percentile (the worker's set-up of each new position holds the interpreter
  more than a long march does);
- generated 40 racks: 1.5 -> 6.4 a second, 1 -> 26 at rest, mouse moves 8.9 -> 10.9 ms (95 %);
- the sample's Frankfurt and Munich sites: 1.5 -> 6.9 and 2.4 -> 7.3 a second; Munich's
  preview settled 0.9 s after the pointer stopped.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from designer.analysis.air import AirAnalysis
from designer.document.geometry import translate_values
from designer.model.base import shallow_copy
from designer.model.registry import HALL_COLLECTIONS, hall_container
from designer.solvers.air.engine import AirParams

PREVIEW_CELL_M = 0.5
"""Cells of the preview (or the full answer's, on halls the analysis coarsens further)."""
PREVIEW_ITER = 40
"""At most this many pseudo-time steps per preview, each preview from the previous one's field."""
CHUNK_S = 0.08
"""Worker time a preview's march aims at: its steps are this over the last preview's time per
step (at least :data:`MIN_CHUNK`, at most :data:`PREVIEW_ITER`). Short previews, shown as they
come, make the heat map follow the drag; the march does not care where it is cut."""
MIN_CHUNK = 3
WARM_CHUNK = 20
"""Steps per warm-up run (see :meth:`AirPreview.warm`): a drag that starts meanwhile waits for
at most one (about 0.3 s on the generated 200-rack hall)."""
WARM_WAIT_MS = 250
"""While the app's fine solves run, the warm-up waits, asking again this often."""
REST_MAX_STEPS = 800
"""While the pointer rests the preview marches on at the same place, preview after preview,
until the march is steady (``settled``) or has taken this many steps there (the full solve
follows on release anyway)."""
PREVIEW_MAX_CELLS_RESOLVED = 30_000
"""A hall whose racks the preview's cell budget would leave unresolved is previewed at the
coarsest cells that resolve them while they number at most this (by volume), else not at all:
the generated 200-rack hall needs 0.6 m cells, 28,638 with the layers, about 14 ms of CPU a
step on its own; the 1,000-rack hall would need 107,000 and several seconds a preview, so
it keeps the full answer with its "before this drag" legend.

Stop 26, with 40-step previews, in a 10 s drag: a preview every 1.1-1.6 s on that hall (0.8-1.3
s each). Before it, one preview in 10 s: each mouse move repainted the whole viewport (25 ms on
200 racks, so the interface thread was never idle), the worker, which needs the interpreter
between its compiled parts, ran 5x slower beside it (2.7 s a preview), and :data:`BUSY_SHARE`
at 0.25 spaced the next one 10 s out. Stop 27's short previews: see the module's note."""
MAX_RATE_HZ = 20.0
"""At most this many previews a second (it was 5 while a preview marched 40 steps)."""
BUSY_SHARE = 0.75
"""At most this share of the time goes to coarse solves (the worker competes with the interface
thread for the interpreter). With short previews (stop 27, 200 racks, previews shown a second of
the drag / mouse moves at the 95th percentile): 0.5 gave 2.3 / 20.6 ms, 0.75 3.7 / 20.4 ms, 1.0
5.0 / 33.0 ms. Measured with 40-step previews (stop 26, mouse moves median / 95th percentile,
previews in the drag):

- 200 racks, 10 s: 0.25 gave 5.6 / 10.8 ms and 3 previews; 0.75 8.7 / 14.2 ms and 8; 1.0
  8.8 / 15.1 ms and 11;
- 40 racks, 6 s: 0.25 gave 4.2 / 7.6 ms and 3; 0.5 5.3 / 9.3 ms and 7; 0.75 5.9 / 9.8 ms and 9;
  1.0 6.6 / 10.9 ms and 12.

0.75 keeps the mouse moves under the 16 ms of a 60 Hz frame with a margin. It was 0.25 when a
mouse move repainted the whole viewport (25 ms on 200 racks) and the 1,000-rack hall had a
preview (it no longer has: its racks need more cells than the preview may take)."""


def preview_project(session, ids: list[str], dx: float, dy: float):
    """A project holding only the current site, with ``ids`` shifted by (dx, dy) metres.

    Shallow copies (cheap even for 1,000 racks): items are shared except the moved ones,
    which are copied with their new position; lists are new, so later edits of the document
    cannot change what the worker reads.
    """
    site = session.site
    last = session.scheduler.last_results.get("air")
    if site is None or last is None or last.error or last.summary.get("not_run"):
        return None  # the air analysis did not run on this design (validation stopped it): no preview
    doc = session.doc
    moved = {}
    for i in ids:
        it = doc.item(i)
        if it is None or doc.site_of(i) is not site:
            continue
        vals = translate_values(it, dx, dy)
        if vals:
            moved[i] = it.model_copy(update=vals)
    hall = shallow_copy(site.hall)
    power = shallow_copy(hall.power)
    object.__setattr__(hall, "power", power)
    for c in HALL_COLLECTIONS:
        items = hall_container(site.hall, c)
        new = [moved.get(x.id, x) for x in items] if moved else list(items)
        owner = power if c.attrs[0] == "power" else hall
        object.__setattr__(owner, c.attrs[-1], new)
    s = shallow_copy(site)
    object.__setattr__(s, "hall", hall)
    p = shallow_copy(session.project)
    object.__setattr__(p, "sites", [s])
    return p


class _Relay(QObject):
    """Carries a finished solve back to the GUI thread. Kept alive by the task, so a task that
    outlives the window emits into nothing instead of into a deleted object."""

    finished = Signal(int, object, float)


class _Solve(QRunnable):
    def __init__(self, analysis: AirAnalysis, cache: dict, token: int, project, relay: _Relay) -> None:
        super().__init__()
        self.analysis, self.cache, self.token, self.project, self.relay = analysis, cache, token, project, relay

    def run(self) -> None:
        t0 = time.perf_counter()
        site_air = None
        try:
            res = self.analysis.run(self.project, self.token, self.cache)
            site_air = next(iter(res.data.sites.values()), None)
        except Exception:  # a solver bug must not take the drag down; the fine run reports it
            site_air = None
        try:
            self.relay.finished.emit(self.token, site_air, time.perf_counter() - t0)
        except RuntimeError:  # the window is gone
            pass


class AirPreview(QObject):
    """Runs the coarse model during drag previews. ``updated(SiteAir)`` carries each answer
    for the drag in progress; ``ended(committed)`` says the drag is over and whether it
    changed the document (released) or not (cancelled)."""

    updated = Signal(object)
    ended = Signal(bool)
    unavailable = Signal(str)
    """No coarse answer can be had on this hall (its racks need finer cells than the preview's,
    or its grid is over the preview's budget): why. The full answer stays on screen."""

    def __init__(self, scene, session, parent=None) -> None:
        super().__init__(parent)
        self.session = session
        self.enabled = True
        self.wanted = lambda: True
        """Whether anyone looks at the answers now (the window sets it: overlay or dock shown)."""
        self.active = False
        self.busy = False
        self.pending: tuple | None = None
        self.token = 0
        self.start_revision = -1
        self.last_start = -1e9
        self.runs = 0
        """Coarse solves started for drags (for tests and the status line)."""
        self.warmed: set[str] = set()
        """Sites whose coarse operators were built ahead of a drag."""
        self.last_elapsed_s = 0.0
        self.said_unavailable = False
        """The drag in progress was told there is no coarse answer (once per drag)."""
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._kick)
        self._warm_timer = QTimer(self)
        self._warm_timer.setSingleShot(True)
        self._warm_timer.setInterval(WARM_WAIT_MS)
        self._warm_timer.timeout.connect(self._warm_next)
        # one worker thread, from a pool of one: it ends by itself when idle, and the pool
        # waits for a running solve when it is destroyed (no thread outlives the window)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._pool.setExpiryTimeout(10_000)
        self._analyses: dict[int, AirAnalysis] = {}
        self.step_s = 0.0
        """Worker time per march step of the last preview (0: not known yet)."""
        self.position: tuple | None = None
        """The dragged items and offset the last preview was asked for."""
        self.steps_here = 0
        """March steps taken at :attr:`position` so far."""
        self.settled = False
        """The last preview's march was steady: nothing more to show while the pointer rests."""
        self.warming: str | None = None
        """The site whose coarse field is being marched towards steady ahead of a drag."""
        self.warm_steps = 0
        self._cache: dict = {}
        self._relay = _Relay()
        self._relay.finished.connect(self._done)
        self._task: _Solve | None = None
        scene.preview_changed.connect(self.on_preview)
        scene.preview_ended.connect(self.on_end)

    # -- the scene's drag preview ------------------------------------------------------------
    @Slot(list, float, float)
    def on_preview(self, ids: list, dx: float, dy: float) -> None:
        if not self.active:
            self.active = True
            self.token += 1
            self.start_revision = self.session.doc.revision
            self.said_unavailable = False
            self.position, self.steps_here, self.settled = None, 0, False
        if not self.enabled or not self.wanted():
            return
        self.pending = (list(ids), dx, dy)
        self._kick()

    @Slot()
    def on_end(self) -> None:
        if not self.active:
            return
        self.active = False
        self.pending = None
        self.position = None
        self.token += 1  # an answer still on its way is for a drag that is over: dropped
        self._timer.stop()
        self.ended.emit(self.session.doc.revision != self.start_revision)

    def warm(self) -> None:
        """Build the coarse operators of the current site ahead of the first drag and march
        its coarse field towards steady, :data:`WARM_CHUNK` steps at a time, until it is
        (or :data:`REST_MAX_STEPS`), a drag starts, or the site changes (once per site; the
        answers are not shown), between the app's fine solves (after the first run, it waits
        while they run). The first previews of a drag then start from a settled
        field, not from 40 steps from rest. On a 1,000-rack hall the first coarse solve takes
        about half a second cold and a tenth warm."""
        site = self.session.site
        if site is None or site.id in self.warmed or self.active or self.busy or not self.enabled:
            return
        project = preview_project(self.session, [], 0.0, 0.0)
        if project is None or not (site.hall.racks or site.hall.air_units):
            return
        self.warmed.add(site.id)
        self.warming, self.warm_steps = site.id, 0
        self._submit(-1, project, WARM_CHUNK)  # token -1: never shown

    def _warm_on(self, st: dict) -> bool:
        """After a warm-up run: march on if it is not steady yet and nothing else wants the
        worker. True when it did (or will, once the fine solves are done)."""
        site = self.session.site
        self.warm_steps += int(st.get("iterations") or 0)
        if self.active or not self.enabled or site is None or site.id != self.warming or not st.get("solved") \
                or st.get("failure") or st.get("settled") or self.warm_steps >= REST_MAX_STEPS:
            self.warming = None
            return False
        self._warm_next()
        return True

    def _warm_next(self) -> None:
        """The next warm-up run, when the app's fine solves are done: they come first (the
        sample's other sites' answers came 4 s later with the warm-up beside them)."""
        if self.warming is None:
            return
        if self.active or not self.enabled:
            self.warming = None  # a drag took over, or the window is closing
            return
        sched = self.session.scheduler
        if self.busy or sched.busy or sched.pending:
            self._warm_timer.start()
            return
        site = self.session.site
        project = preview_project(self.session, [], 0.0, 0.0) if site is not None and site.id == self.warming else None
        if project is None:
            self.warming = None
            return
        self._submit(-1, project, WARM_CHUNK)

    # -- throttled runs ------------------------------------------------------------------------
    def _kick(self) -> None:
        if not self.active or self.busy or self.pending is None:
            return
        interval = max(1.0 / MAX_RATE_HZ, self.last_elapsed_s / BUSY_SHARE)
        wait = interval - (time.perf_counter() - self.last_start)
        if wait > 0:
            if not self._timer.isActive():
                self._timer.start(int(wait * 1000) + 1)
            return
        ids, dx, dy = self.pending
        self.pending = None
        project = preview_project(self.session, ids, dx, dy)
        if project is None:
            return
        if (ids, dx, dy) != self.position:
            self.position, self.steps_here, self.settled = (ids, dx, dy), 0, False
        self.last_start = time.perf_counter()
        self.runs += 1
        self._submit(self.token, project)

    def chunk(self) -> int:
        """March steps of the next preview (see :data:`CHUNK_S`)."""
        if self.step_s <= 0:
            return PREVIEW_ITER
        return max(MIN_CHUNK, min(PREVIEW_ITER, round(CHUNK_S / self.step_s)))

    def _analysis(self, steps: int) -> AirAnalysis:
        a = self._analyses.get(steps)
        if a is None:
            a = self._analyses[steps] = AirAnalysis(
                cell_m=PREVIEW_CELL_M, max_cells_resolved=PREVIEW_MAX_CELLS_RESOLVED,
                params=AirParams(cell_m=PREVIEW_CELL_M, preview=True, max_iter=steps, min_iter=1))
        return a

    def _submit(self, token: int, project, steps: int | None = None) -> None:
        self.busy = True
        self._task = _Solve(self._analysis(steps or self.chunk()), self._cache, token, project, self._relay)
        self._task.setAutoDelete(False)  # Python owns it (kept until the answer is back)
        self._pool.start(self._task)

    @Slot(int, object, float)
    def _done(self, token: int, site_air, elapsed: float) -> None:
        self.busy = False
        self._task = None
        self.last_elapsed_s = elapsed
        st = site_air.stats if site_air is not None else {}
        steps = int(st.get("iterations") or 0)
        if steps > 0 and st.get("flow_ms"):
            self.step_s = float(st["flow_ms"]) / 1e3 / steps
        if token == -1 and self.warming is not None and self._warm_on(st):
            return
        if self.active and token == self.token and site_air is not None:
            if st.get("refused"):
                # no coarse answer on this hall: the full one stays (a "no answer" in its
                # place would blank the heat map for the drag, then for the fine solve)
                if not self.said_unavailable:
                    self.said_unavailable = True
                    self.unavailable.emit(str(st["refused"]))
            else:
                self.updated.emit(site_air)
                self.steps_here += steps
                self.settled = bool(st.get("settled"))
                if self.pending is None and self.position is not None and st.get("solved") \
                        and not st.get("failure") and not self.settled and self.steps_here < REST_MAX_STEPS:
                    self.pending = self.position  # the pointer rests: march on where it is
        self._kick()

    def shutdown(self, timeout_ms: int = 5000) -> None:
        """Stop asking for solves and wait for one still running."""
        self._timer.stop()
        self._warm_timer.stop()
        self.active = False
        self.enabled = False  # a warm-up in flight does not march on
        self.pending = None
        self._pool.waitForDone(timeout_ms)
