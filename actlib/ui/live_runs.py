"""Lesson runs, live: a run of a fixed length (its config's steps) that a page trains while
the student watches, and that can be paused, looked into at the paused step, stepped and
continued, never retrained from step 0.

Every training view of a lesson page (the Dead ReLU monitor's runs, the Gradients training
tab, the bake-off, the collapse and approximation demos) draws through :func:`live_runs`.
It rides on the one live machinery of :mod:`actlib.ui.live_view` and adds what a lesson run
needs:

* **Snapshots.** The runs record the engine's snapshots at the config's snapshot steps as
  they pass them (:class:`actlib.training.live.LiveRun` with ``record_snapshots``), so a
  page's charts take the same ``draw(snapshots)`` they always did, and a paused run's
  network is right there to look into: no view replays the run.
* **Opening.** A page opened with settings whose run some session already finished (a
  prepared link opened by a class) shows that run at once, copied from the process's
  :func:`finished_runs`. Otherwise the run starts playing as the page opens: inside the page
  run, frame by frame, so the parts of the page below the run (tables, verdicts) are drawn
  from the finished run. Pause still acts at once: its click waits in Streamlit's queue, the
  loop sees it and ends.
* **Playing on.** Play after a pause reruns the live area alone (a fragment). Pause, Step,
  Reset and the end of a run redraw the whole page once, so that what is drawn outside the
  area shows the run where it now stands.
* Several runs trained side by side (Before / after) play, pause and step together.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

import streamlit as st

from actlib.training import Snapshot, TrainConfig, estimate_cost
from actlib.training.live import LiveRun, TrainedRuns
from actlib.ui.fault import guarded, guarded_callback
from actlib.ui.live_runner import queue_status, trainer_slot, wait_message
from actlib.ui.live_view import (
    LiveSession,
    end_for_waiting_rerun,
    enter_live_area,
    in_fragment_rerun,
    play,
    refresh_page_if_due,
    rerun_waiting,
    resume_when_drawn,
    train_share,
    wait_for_browser,
)
from actlib.ui.slot import Slot

SnapshotDraw = Callable[[Sequence[Sequence[Snapshot]]], None]
"""Draws a frame from each run's snapshots so far (one sequence per run)."""
FRAME_SECONDS = 0.4
"""A lesson frame: Altair charts cost 30-60 ms each to redraw, a page's set 0.1-0.3 s."""
TRAIN_SHARE = 0.5


@st.cache_resource(show_spinner=False)
def finished_runs() -> TrainedRuns:
    """Lesson runs trained to their end in this process, by config: the next session that
    opens the same settings starts where the run ended, at no cost."""
    return TrainedRuns(capacity=16)


def _state_key(key: str) -> str:
    return f"live_runs:{key}"


def _new_session(configs: Sequence[TrainConfig], old: LiveSession | None) -> LiveSession:
    cached = [finished_runs().peek(config, config.steps, record_snapshots=True)
              for config in configs]
    if all(run is not None for run in cached):
        return LiveSession(list(cached), from_cache=True)
    session = LiveSession([LiveRun(config, record_snapshots=True) for config in configs],
                          playing=True)
    if old is not None:
        session.note = "New settings: a new run from step 0."
    return session


def lesson_session(key: str, configs: Sequence[TrainConfig]) -> LiveSession:
    """This session's runs of ``configs`` for the view ``key``: the ones it has, a copy of
    finished ones, or new ones that start playing."""
    old: LiveSession | None = st.session_state.get(_state_key(key))
    if old is not None and [run.config for run in old.runs] == list(configs):
        return old
    session = _new_session(configs, old)
    st.session_state[_state_key(key)] = session
    return session


def _keep_finished(session: LiveSession) -> None:
    if session.finished and not session.from_cache:
        for run in session.runs:
            finished_runs().put(run)


def _pause(session: LiveSession) -> None:
    # The area reruns alone and shows the pause at once; then the page catches up.
    session.playing, session.refresh_page = False, True


def _play(session: LiveSession) -> None:
    session.playing, session.note, session.just_pressed = True, None, True


def _step(session: LiveSession) -> None:
    session.playing, session.note = False, None
    with trainer_slot(5.0):
        for run in session.runs:
            every = run.config.snapshot_every
            run.advance(every - run.step % every)
    st.rerun()


def _reset(session: LiveSession) -> None:
    session.runs = [LiveRun(run.config, record_snapshots=True) for run in session.runs]
    session.playing, session.note, session.from_cache = False, None, False
    st.rerun()


def status_text(session: LiveSession) -> str:
    """Where the run stands, in words."""
    run = session.run
    if run.all_diverged:
        return f"Every network diverged by step {run.step:,}: the run is over."
    if session.finished:
        return (f"Trained {run.end:,} steps (shown from a finished run with these settings; "
                "Reset and Play to watch it train)." if session.from_cache
                else f"Trained {run.end:,} steps.")
    if session.playing:
        waiting = f" {session.waiting}" if session.waiting else ""
        return f"Training: step {run.step:,} of {run.end:,}.{waiting}"
    return f"Paused at step {run.step:,} of {run.end:,}."


def _controls(session: LiveSession, key: str):
    """Play/Pause (Space), Step (→: to the next snapshot), Reset, and where the run is;
    returns the slot of that last line, which every frame updates."""
    run, done = session.run, session.finished
    guard = guarded_callback("a live training view's button", key)
    pause, play_, step, reset = (guard(f) for f in (_pause, _play, _step, _reset))
    cells = st.columns([1.4, 1, 1, 4], vertical_alignment="center")
    if session.playing:
        cells[0].button("Pause", icon="⏸️", key=f"{key}:play", type="primary",
                        width="stretch", shortcut="space", on_click=pause, args=(session,),
                        help="Stop here and look inside (Space).")
    else:
        cells[0].button("Play", icon="▶️", key=f"{key}:play", type="primary",
                        width="stretch", shortcut="space", disabled=done, on_click=play_,
                        args=(session,), help="Train on from here, live (Space).")
    cells[1].button("Step", icon="⏭️", key=f"{key}:step", width="stretch", shortcut="right",
                    disabled=done, on_click=step, args=(session,),
                    help=f"Train to the next snapshot, {run.config.snapshot_every} steps (→).")
    cells[2].button("Reset", icon="⏮️", key=f"{key}:reset", width="stretch",
                    on_click=reset, args=(session,), help="Back to step 0, paused.")
    status = Slot(cells[3])
    status.caption(status_text(session))
    return status


class ChartsWhenMoved:
    """A live area's charts, redrawn only when its runs have moved since they were drawn.

    A frame while the runs stand still (this session waits for a trainer) updates just the
    status line: redrawing the same charts, a page's full set each time, took the CPU the
    training sessions needed (six Dead ReLU runs at once: 8-12 such frames each)."""

    def __init__(self, draw: SnapshotDraw) -> None:
        self._draw = draw
        self._drawn_at: tuple[int, ...] | None = None

    def draw(self, session: LiveSession) -> bool:
        """Draw the runs' snapshots so far unless already drawn at these steps; returns
        whether it drew."""
        steps = tuple(run.step for run in session.runs)
        if steps == self._drawn_at:
            return False
        self._draw([run.snapshots_now() for run in session.runs])
        self._drawn_at = steps
        return True


def live_runs(key: str, configs: Sequence[TrainConfig],
              make_draw: Callable[[], SnapshotDraw],
              frame_seconds: float = FRAME_SECONDS) -> LiveSession:
    """The live area of one lesson view: controls, then whatever ``make_draw()`` draws.

    ``make_draw`` is called inside the area (a fragment may only write to its own
    elements): it lays out its slots there and returns ``draw(snapshots_per_run)``, called
    for every frame. Returns the session, whose runs the rest of the page may read once the
    area has run (finished, paused, or playing on in the browser).
    """
    lesson_session(key, configs)

    @st.fragment
    @guarded("a live training view")
    def area() -> None:
        enter_live_area(key)
        session: LiveSession = st.session_state[_state_key(key)]
        status = _controls(session, key)
        if session.note:
            st.caption(session.note)
        charts = ChartsWhenMoved(make_draw())

        def frame() -> None:
            charts.draw(session)
            status.caption(status_text(session))

        if not session.playing:
            frame()
            refresh_page_if_due(session)
            return
        if in_fragment_rerun():
            play(session, key, frame, frame_seconds, TRAIN_SHARE,
                 on_link=lambda: _keep_finished(session))
        else:
            _play_in_page_run(session, frame, frame_seconds)
            if not session.playing:  # ended in this page run: show Play, not Pause
                resume_when_drawn(key)
            else:  # a rerun waits; if it will not draw this area, play on after it
                end_for_waiting_rerun(key)
        _keep_finished(session)

    area()
    return st.session_state[_state_key(key)]


LESSON_TURN_SECONDS = 8.0
"""The longest a lesson run keeps its trainer in one turn before it joins the back of the
queue again: a run under the caps' few seconds trains to its end in one turn."""


def _remaining_seconds(session: LiveSession) -> float:
    """About how long the session's runs will hold a trainer to their end: their training
    (the cost model's one-thread estimate, for the steps left) and the frames drawn in
    between, as long again (:data:`TRAIN_SHARE`)."""
    training = sum(estimate_cost(run.config).total * max(0, run.end - run.step) / run.end
                   for run in session.runs)
    return training / TRAIN_SHARE


def _play_in_page_run(session: LiveSession, frame: Callable[[], None],
                      frame_seconds: float) -> None:
    """Play inside a full-page run until the runs end (a lesson run is capped at a few
    seconds), drawing a frame every ``frame_seconds``; a click waiting ends it at once,
    and that click then takes effect.

    The run keeps its trainer from frame to frame until it ends (or for
    :data:`LESSON_TURN_SECONDS`), so sessions that open lesson pages at once are served in
    order of arrival, each at full speed, instead of all advancing together frame by frame
    and all finishing at the end: twelve Dead ReLU runs opened at once (protocol clients,
    ``benchmarks/bench_server.py``) then finish one after another."""
    frame()
    while not session.finished:
        if not wait_for_browser():
            break
        turn = min(LESSON_TURN_SECONDS, _remaining_seconds(session))
        with trainer_slot(frame_seconds, turn) as got:
            if got:
                session.waiting = None
                if not _play_turn(session, frame, frame_seconds):
                    break
                continue
        session.waiting = wait_message(queue_status())
        if rerun_waiting():
            break
        frame()  # the status line says where it stands; the charts have not moved
    if session.finished:
        session.playing = False


MAX_LOAD_STRETCH = 4.0
"""A lesson frame trains at most this many times its usual share while others wait."""


def frame_share(frame_seconds: float) -> float:
    """CPU seconds a lesson frame trains: its share of ``frame_seconds``, times one plus
    the sessions waiting for a trainer (at most :data:`MAX_LOAD_STRETCH`). A frame redraws
    a page's full set of charts, about as much CPU as its training; while others wait, a
    run then draws fewer frames and gives its trainer up sooner."""
    stretch = min(MAX_LOAD_STRETCH, 1.0 + queue_status().waiting)
    return frame_seconds * TRAIN_SHARE * stretch


def _play_turn(session: LiveSession, frame: Callable[[], None], frame_seconds: float) -> bool:
    """Frames on the trainer this session holds, until the runs end or the turn is over;
    False when a click waits or the session is ending."""
    turn_end = time.monotonic() + LESSON_TURN_SECONDS
    while True:  # at least one frame a turn
        if not (wait_for_browser() and train_share(session, frame_share(frame_seconds))):
            return False
        frame()
        session.frames += 1
        if rerun_waiting():
            return False
        if session.finished or time.monotonic() >= turn_end:
            return True
