"""The Playground's live area: Play, Pause, Step and Reset on the same network, redrawn at
animation speed, and only this area reruns while it plays.

How it stays fast and responsive (Streamlit 1.67):

* The area is an ``st.fragment``: a button in it reruns the fragment alone, never the page.
* While playing, one fragment run draws frames for up to :data:`BURST_SECONDS`: each frame
  trains a few steps (as many as fit in :data:`TRAIN_SECONDS`, adapted frame by frame) and
  paints the surface and the loss curve as small PNGs (:mod:`actlib.live_plots`), which cost
  milliseconds where an Altair chart costs tens. Then it reruns itself
  (``st.rerun(scope="fragment")``), where a click waiting in the queue takes effect.
* A click on Pause inside a running fragment is queued by Streamlit, not delivered: the
  loop asks, once a frame, whether a rerun is waiting (:func:`rerun_waiting`) and ends its
  burst at once, so Pause acts within a frame.
* A control outside the fragment (learning rate, data, network) reruns the page, which
  interrupts the burst; the page then changes the rate of the running network or starts a
  new one, and playing goes on.
* Training takes one of the process's trainer slots per frame, never between frames, so a
  closed tab holds nothing and sessions share the two cores frame by frame.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from actlib import playground
from actlib.approximation import unit_map_frame
from actlib.charts import nonlinearity as nl_charts
from actlib.live_plots import SurfacePainter, data_url, loss_png
from actlib.training import MAX_RUN_SECONDS, TrainConfig
from actlib.training.live import MAX_LIVE_STEPS, LiveFrame, LiveRun, LrChange, TrainedRuns
from actlib.ui.fault import guarded
from actlib.ui.live_runner import trainer_slot
from actlib.ui.notices import divergence_sentences, show_divergences

SESSION_KEY = "playground:live"
FRAME_SECONDS = 0.075
"""Target time of one frame (about 13 frames a second)."""
TRAIN_SECONDS = 0.045
"""Share of a frame spent training; the rest draws and ships the frame."""
BURST_SECONDS = 1.0
"""How long one fragment run plays before it reruns itself (a queued click acts then at
the latest, should the check for waiting reruns be unavailable)."""
MAX_STEPS_PER_FRAME = 2000
LINK_EVERY_SECONDS = 1.0
"""How often the link's step count follows a playing run."""


@st.cache_resource(show_spinner=False)
def trained_runs() -> TrainedRuns:
    """The process's trained links: a class opening one prepared link trains it once."""
    return TrainedRuns(capacity=12)


@dataclass
class PlaySession:
    """What one browser session keeps of its Playground: its own live run and whether it
    plays."""

    run: LiveRun
    playing: bool = False
    steps_per_frame: int = 10
    note: str | None = None
    frames: int = 0


def same_network(a: TrainConfig, b: TrainConfig) -> bool:
    """Whether two configs differ at most in the learning rate: "another rate" goes on with
    this network, anything else (data, network, seed) starts again."""
    return replace(a, lr=b.lr) == b


def rate_changes(run: LiveRun) -> tuple[LrChange, ...]:
    """The link's form of a run's learning rates: empty while it never changed, else the
    starting rate at step 0 followed by each change."""
    if not run.lr_changes:
        return ()
    return ((0, run.config.lr), *run.lr_changes)


def session_run(config: TrainConfig, lr: float, link_step: int,
                link_changes: tuple[LrChange, ...]) -> PlaySession:
    """This session's live run for ``config`` at rate ``lr``.

    The first time (or after the data or network changed) the run comes from the link:
    ``link_step`` steps with ``link_changes``, trained once per process. Later, a new rate
    applies to the running network from its current step (at step 0 it is simply the
    starting rate), as in TensorFlow Playground.
    """
    session: PlaySession | None = st.session_state.get(SESSION_KEY)
    if session is None:
        start = link_changes[0][1] if link_changes else lr
        cap = playground.link_step_cap(config)
        note = None
        if link_step > cap:
            note = (f"This link asks for {link_step:,} trained steps; a link trains at most "
                    f"{cap:,} for this network when it opens (about "
                    f"{MAX_RUN_SECONDS:g} s): press Play to go on.")
            link_step = cap
        run = trained_runs().get(replace(config, lr=start), link_changes[1:], link_step)
        session = PlaySession(run, note=note)
        st.session_state[SESSION_KEY] = session
    elif not same_network(session.run.config, config):
        session.run, session.playing = LiveRun(replace(config, lr=lr)), False
        session.note = "New data or network: the run starts again from step 0."
    elif lr != session.run.lr:
        if session.run.step == 0:
            session.run = LiveRun(replace(config, lr=lr))
        else:
            session.run.set_lr(lr)
    return session


def rerun_waiting() -> bool:
    """Whether a click is waiting for this fragment run to end.

    Streamlit queues a rerun requested from inside a running fragment instead of
    interrupting it. There is no public way to see that queue, so this reads the script
    runner's request state (Streamlit 1.67); where that is not available it answers False
    and the burst ends by time (:data:`BURST_SECONDS`).
    """
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    ctx = get_script_run_ctx()
    requests = getattr(ctx, "script_requests", None)
    state = getattr(requests, "_state", None)
    return getattr(state, "name", "") == "RERUN"


def adapt_steps(steps: int, seconds: float) -> int:
    """Steps for the next frame, so that training takes about :data:`TRAIN_SECONDS`."""
    if seconds <= 0:
        return min(MAX_STEPS_PER_FRAME, steps * 2)
    wanted = steps * TRAIN_SECONDS / seconds
    return int(min(MAX_STEPS_PER_FRAME, max(1, 0.5 * steps + 0.5 * wanted)))


@dataclass
class Slots:
    """Where a frame is drawn: the surface, the numbers and the loss curve."""

    title: object
    surface: object
    metrics: object
    loss: object


def _img(png: bytes, alt: str) -> str:
    """An inline image: a data URL travels with the frame, where ``st.image`` would store a
    media file per frame on the server. Only our own PNG and a fixed text go in."""
    return f'<img src="{data_url(png)}" alt="{alt}" style="max-width:100%">'


class Painter:
    """Draws frames of one run: the data points are fixed, so they are read once."""

    def __init__(self, run: LiveRun, act_name: str) -> None:
        data = run.state.data
        self.surface = SurfacePainter(
            data.bounds, np.vstack([data.x_train.numpy(), data.x_test.numpy()]),
            np.concatenate([data.y_train.numpy(), data.y_test.numpy()]),
            np.r_[np.zeros(len(data.y_train), bool), np.ones(len(data.y_test), bool)])
        self.act_name = act_name

    def draw(self, frame: LiveFrame, slots: Slots) -> None:
        scores = frame.scores
        slots.title.markdown(f"**{self.act_name}, step {frame.step:,}**")
        if frame.all_diverged:
            slots.surface.warning(
                f"The network diverged at step {int(frame.diverged_step[0]):,}: "
                f"{frame.diverged_reason[0]}. Lower the learning rate and press Reset.",
                icon="💥")
        else:
            slots.surface.markdown(_img(self.surface.png(scores.surface[0]),
                                        "decision surface"), unsafe_allow_html=True)
        with slots.metrics.container():
            cells = st.columns(4)
            cells[0].metric("Step", f"{frame.step:,}")
            cells[1].metric("Train loss", f"{scores.train_loss[0]:.3f}")
            cells[2].metric("Test loss", f"{scores.test_loss[0]:.3f}")
            cells[3].metric("Test accuracy", f"{scores.test_accuracy[0]:.0%}")
        slots.loss.markdown(_img(loss_png(
            frame.history_steps, frame.history_train_loss[:, 0], frame.history_test_loss[:, 0],
            max(frame.step, 1)), "training and test loss"), unsafe_allow_html=True)


def _toggle_play(session: PlaySession) -> None:
    session.playing = not session.playing
    session.note = None


def _step(session: PlaySession) -> None:
    session.playing = False
    with trainer_slot(5.0):
        session.run.advance(playground.STEP)


def _reset(session: PlaySession) -> None:
    session.playing = False
    session.run = LiveRun(session.run.config)
    session.note = None


def _controls(session: PlaySession) -> None:
    """Play/Pause (Space), Step (→) and Reset; each reruns only this fragment. Callbacks,
    so that the buttons already show the new state (Pause after Play) when they redraw."""
    run = session.run
    done = run.at_limit or run.all_diverged
    buttons = st.columns([1.2, 1, 1, 3.4], vertical_alignment="center")
    label, icon = ("Pause", "⏸️") if session.playing else ("Play", "▶️")
    buttons[0].button(label, icon=icon, key="p_live_play", type="primary", width="stretch",
                      shortcut="space", disabled=done and not session.playing,
                      on_click=_toggle_play, args=(session,), help="Train on, live (Space).")
    buttons[1].button("Step", icon="⏭️", key="p_live_step", width="stretch", shortcut="right",
                      disabled=done, on_click=_step, args=(session,),
                      help=f"Train {playground.STEP} more steps (→).")
    buttons[2].button("Reset", icon="⏮️", key="p_live_reset", width="stretch",
                      on_click=_reset, args=(session,),
                      help="Back to the untrained network (step 0).")
    status = buttons[3].empty()
    if session.playing:
        status.caption(f"Playing: {session.steps_per_frame} steps a frame.")
    elif run.at_limit:
        status.caption(f"This run reached the bound of {MAX_LIVE_STEPS:,} steps: press Reset.")


def live_area(config: TrainConfig, act_name: str, layer: int,
              on_link: Callable[[int, tuple[LrChange, ...]], None]) -> None:
    """The fragment: controls, the live frame, and (when paused) what each unit computes.

    ``on_link(step, rate_changes)`` writes the run's state into the link.
    """

    @st.fragment
    @guarded("the Playground's live area")
    def area() -> None:
        session: PlaySession = st.session_state[SESSION_KEY]
        _controls(session)
        run = session.run
        if session.note:
            st.info(session.note, icon="🔁")
        left, right = st.columns([1, 1.2])
        slots = Slots(left.empty(), left.empty(), right.empty(), right.empty())
        painter = Painter(run, act_name)
        notes, maps = st.empty(), st.empty()
        if not session.playing:
            frame = run.frame()
            painter.draw(frame, slots)
            on_link(run.step, rate_changes(run))
            with notes.container():
                _paused_notes(run, frame)
            _draw_maps(run, config, layer, maps)
            return
        _play(session, painter, slots, on_link, lambda: _draw_maps(run, config, layer, maps))

    area()


def _play(session: PlaySession, painter: Painter, slots: Slots,
          on_link: Callable[[int, tuple[LrChange, ...]], None],
          draw_maps: Callable[[], None]) -> None:
    """Frames for up to :data:`BURST_SECONDS`, then a rerun of this fragment."""
    run = session.run
    burst_end = time.monotonic() + BURST_SECONDS
    linked = time.monotonic()
    while time.monotonic() < burst_end:
        start = time.monotonic()
        with trainer_slot(FRAME_SECONDS) as got:
            if got:
                run.advance(session.steps_per_frame)
                session.steps_per_frame = adapt_steps(session.steps_per_frame,
                                                      time.monotonic() - start)
        painter.draw(run.frame(), slots)
        session.frames += 1
        if run.at_limit or run.all_diverged:
            session.playing = False
            break
        if time.monotonic() - linked > LINK_EVERY_SECONDS:
            on_link(run.step, rate_changes(run))
            draw_maps()
            linked = time.monotonic()
        if rerun_waiting():
            on_link(run.step, rate_changes(run))
            return  # the queued click (Pause, Step, Reset) runs next
        time.sleep(max(0.0, FRAME_SECONDS - (time.monotonic() - start)))
    on_link(run.step, rate_changes(run))
    continue_playing()


def continue_playing() -> None:
    """End this burst and start the next one: a rerun of the fragment alone, where a click
    that waited in Streamlit's queue takes effect first."""
    st.rerun(scope="fragment")


def _paused_notes(run: LiveRun, frame: LiveFrame) -> None:
    """Below a paused run: a divergence, a run stuck at chance or a rate too large, each
    measured on the run's own network."""
    snapshot = run.state.snapshot()
    show_divergences(divergence_sentences(snapshot), "Lower the learning rate to train it.")
    stuck = playground.stuck_live(frame.history_steps, frame.history_train_loss[:, 0],
                                  run.initial_snapshot, snapshot, run.lr)
    if stuck is not None:
        st.warning(stuck.explanation(), icon="🧊")
    elif (overshoot := playground.overshoot_note(
            float(frame.history_train_loss[0, 0]), float(frame.scores.train_loss[0]),
            run.lr, run.step)) is not None:
        st.warning(overshoot, icon="🐢")


def _draw_maps(run: LiveRun, config: TrainConfig, layer: int, slot) -> None:
    """What each hidden unit of the chosen layer computes, from the run's own network."""
    if run.all_diverged or run.state.data.bounds is None:
        slot.empty()
        return
    shown = min(layer, config.depth)
    maps = unit_map_frame(run.state.model, 0, shown, run.state.data.bounds, 25)
    with slot.container():
        st.markdown(f"**What each unit of hidden layer {shown} computes** at step "
                    f"{run.step:,} (its output over the plane)")
        if layer > config.depth:
            st.caption(f"The network has {config.depth} hidden layers: showing the last one.")
        st.altair_chart(nl_charts.unit_maps_chart(maps, columns=min(config.width, 8)),
                        width="content")
