"""The live-training runner: progress, a stop button and charts redrawn while a run trains.

:func:`run_live` consumes :func:`actlib.training.train` and keeps the page responsive:

* Redraws: a caller-supplied ``draw(snapshots)`` is called at most every
  :data:`REFRESH_SECONDS` and once at the end (redrawing a chart costs 30-60 ms, so drawing
  at every snapshot would slow training down). ``add_rows()`` is gone in Streamlit 1.67:
  ``draw`` redraws full frames into its own ``st.empty()`` slots.
* Stopping: a click on the stop button makes Streamlit rerun the script, and a rerun
  interrupts the old script thread at its next ``st.*`` call. Training therefore updates the
  progress bar at least every :data:`HEARTBEAT_SECONDS`, between steps, not only at
  snapshots. The snapshots so far are kept, marked ``stopped``, and not retrained.
* Reuse: the last run of a session lives in ``st.session_state``; finished runs are also
  kept process-wide by config (a lecturer's prepared link opened by a whole class trains
  once). ``st.cache_data`` cannot be filled by a run streamed in pieces, so a small LRU of
  read-only snapshots is used; snapshots hold read-only numpy arrays, safe to share between
  session threads.
* Sharing the CPU: at most :data:`MAX_CONCURRENT_TRAININGS` runs train at once across all
  sessions (:mod:`actlib.ui.trainer_queue`, first come, first served); the others wait,
  showing their place in the queue and an estimate of the wait, and stay stoppable.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Literal

import streamlit as st

from actlib.training import Snapshot, TrainConfig, estimate_cost, train
from actlib.ui.trainer_queue import QueueStatus, TrainerQueue

MAX_CONCURRENT_TRAININGS = 2
REFRESH_SECONDS = 0.3
_ROW_HEIGHT = 64
"""px of the one-row progress and stop area of ``keep_height=True`` (button height + gap)."""
HEARTBEAT_SECONDS = 0.1
FINISHED_RUNS_KEPT = 8
WAIT_MESSAGE = "Waiting for a free trainer: other sessions are training right now"
FRAME_TURN_SECONDS = 0.05
"""What a live frame's turn on a trainer is taken to last, for others' wait estimates."""

trainers = TrainerQueue(MAX_CONCURRENT_TRAININGS)


def _owner() -> tuple[str | None, int]:
    """Who asks for a trainer: this session's script thread."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    return (ctx.session_id if ctx is not None else None, threading.get_ident())


@contextlib.contextmanager
def trainer_slot(timeout: float, seconds: float = FRAME_TURN_SECONDS) -> Iterator[bool]:
    """One of the process's trainer slots for a short piece of work (a live frame), if one
    frees up within ``timeout`` seconds; yields whether it was had. Holding it only for a
    frame lets sessions take turns on the two cores, and a closed tab holds nothing.
    ``seconds``: how long the work will hold the slot, for others' wait estimates."""
    owner = _owner()
    got = trainers.acquire(owner, timeout, seconds)
    try:
        yield got
    finally:
        if got:
            trainers.release(owner)


def wait_message(status: QueueStatus) -> str:
    """What a waiting session reads: its place in the queue and about how long."""
    ahead = status.position - 1
    place = ("you are next" if ahead == 0 else
             f"{ahead} session{'s' * (ahead != 1)} ahead of you")
    return f"{WAIT_MESSAGE}; {place}, about {max(1, round(status.wait_seconds))} s…"


Status = Literal["running", "stopped", "finished"]
DrawCallback = Callable[[Sequence[Snapshot]], None]


@dataclass(frozen=True, eq=False)
class LiveRun:
    """A run as the page sees it: its config, the snapshots so far and how it ended."""

    config: TrainConfig
    snapshots: tuple[Snapshot, ...]
    status: Status
    from_cache: bool = False

    @property
    def last(self) -> Snapshot | None:
        return self.snapshots[-1] if self.snapshots else None


class _FinishedRuns:
    """A thread-safe, size-bounded store of finished runs, keyed by their config."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._runs: OrderedDict[TrainConfig, tuple[Snapshot, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, config: TrainConfig) -> tuple[Snapshot, ...] | None:
        with self._lock:
            snapshots = self._runs.get(config)
            if snapshots is not None:
                self._runs.move_to_end(config)
            return snapshots

    def put(self, config: TrainConfig, snapshots: tuple[Snapshot, ...]) -> None:
        with self._lock:
            self._runs[config] = snapshots
            self._runs.move_to_end(config)
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._runs.clear()


finished_runs = _FinishedRuns(FINISHED_RUNS_KEPT)


def _state_key(key: str) -> str:
    return f"{key}:last_run"


def last_run(key: str = "live") -> LiveRun | None:
    """The session's latest run for this runner key (finished, stopped or interrupted)."""
    return st.session_state.get(_state_key(key))


def _stop_key(key: str) -> str:
    return f"{key}:stop"


def _acquire_trainer(message_slot, seconds: float = 0.0) -> tuple[str | None, int]:
    """Take a training slot for a run of about ``seconds``; while waiting, show the place
    in the queue and touch Streamlit (stoppable). Returns the owner to release."""
    owner = _owner()
    try:
        if trainers.acquire(owner, 0.0, seconds):
            return owner
        while not trainers.acquire(owner, 0.25, seconds):
            message_slot.info(wait_message(trainers.status(owner)), icon="⏳")
    except BaseException:  # stopped while waiting (a rerun, a closed tab): leave the line
        trainers.leave(owner)
        raise
    message_slot.empty()
    return owner


def _progress_text(step: int, total: int) -> str:
    return f"Training: step {step:,} of {total:,}"


def _reuse(key: str, run: LiveRun, draw: DrawCallback, keep_height: bool = False) -> LiveRun:
    st.session_state[_state_key(key)] = run
    if keep_height:
        _status_row(run)
    draw(run.snapshots)
    return run


def _done_text(run: LiveRun) -> str:
    step = run.snapshots[-1].step if run.snapshots else 0
    if run.status == "stopped":
        return f"Stopped at step {step:,} of {run.config.steps:,}"
    return f"Trained {step:,} of {run.config.steps:,} steps"


def _status_row(run: LiveRun, slot=None) -> None:
    """Where the stop button and progress bar were: a full-width bar saying how the run
    ended, as tall as the training row, so the charts below do not jump when it ends."""
    target = slot if slot is not None else st.container(height=_ROW_HEIGHT, border=False)
    step = run.snapshots[-1].step if run.snapshots else 0
    target.progress(min(1.0, step / run.config.steps), text=_done_text(run))


def run_live(
    config: TrainConfig,
    draw: DrawCallback,
    key: str = "live",
    restart: bool = False,
    refresh_seconds: float = REFRESH_SECONDS,
    keep_height: bool = False,
) -> LiveRun:
    """Train ``config`` with live progress and charts, or reuse an identical finished run.

    A finished (or stopped) run of this session with the same config is shown again
    without training, as is a finished run of any session still in the process-wide
    store; ``restart=True`` trains anew regardless. Returns the run as it ended.

    ``keep_height=True`` puts the stop button beside the progress bar in one row of fixed
    height that stays after the run, saying how it ended: the page below does not move
    when a run starts or ends (measured: a 91 px jump on "Train again" without it).
    """
    previous = last_run(key)
    same = previous is not None and previous.config == config
    if not restart:
        if same and previous.status in ("finished", "stopped"):
            return _reuse(key, replace(previous, from_cache=True), draw, keep_height)
        shared = finished_runs.get(config)
        if shared is not None:
            return _reuse(key, LiveRun(config, shared, "finished", from_cache=True), draw,
                          keep_height)

    row = st.container(height=_ROW_HEIGHT, border=False) if keep_height else st
    controls = row.empty()
    with controls.container():
        if keep_height:
            bar, button = st.columns([5, 1], vertical_alignment="center")
        else:
            bar = button = st
        stop_clicked = button.button("Stop training", key=_stop_key(key), icon="⏹️")
        progress = bar.progress(0.0, text="Preparing…")
    if stop_clicked:  # this rerun was caused by the stop button: never start training
        controls.empty()
        if same and previous.snapshots:
            status = "stopped" if previous.status == "running" else previous.status
            run = replace(previous, status=status)
            if keep_height:
                _status_row(run, controls)
            return _reuse(key, run, draw)
        stopped = LiveRun(config, (), "stopped")
        st.session_state[_state_key(key)] = stopped
        return stopped

    if same and previous.snapshots:
        # "Train again": keep the last run's pictures up until the new run draws its own,
        # so the page does not collapse and grow back (measured: 2,526 px -> 1,066 -> 2,526).
        draw(previous.snapshots)
    message = st.empty()
    owner = _acquire_trainer(message, estimate_cost(config).total)
    try:
        run = _train_with_progress(config, draw, key, progress, refresh_seconds)
    finally:
        trainers.release(owner)
    controls.empty()
    if keep_height:
        _status_row(run, controls)
    finished_runs.put(config, run.snapshots)
    return run


def _train_with_progress(
    config: TrainConfig, draw: DrawCallback, key: str, progress, refresh_seconds: float
) -> LiveRun:
    snapshots: tuple[Snapshot, ...] = ()
    drawn = 0
    last_beat = last_draw = float("-inf")

    def heartbeat(step: int) -> None:
        nonlocal last_beat
        now = time.monotonic()
        if now - last_beat >= HEARTBEAT_SECONDS:
            progress.progress(step / config.steps, text=_progress_text(step, config.steps))
            last_beat = now

    for snapshot in train(config, on_step=heartbeat):
        snapshots = (*snapshots, snapshot)
        st.session_state[_state_key(key)] = LiveRun(config, snapshots, "running")
        if time.monotonic() - last_draw >= refresh_seconds:
            draw(snapshots)
            drawn, last_draw = len(snapshots), time.monotonic()
    if drawn < len(snapshots):  # the end is always drawn, and drawn once
        draw(snapshots)
    run = LiveRun(config, snapshots, "finished")
    st.session_state[_state_key(key)] = run
    return run
