"""The Playground's live area: Play, Pause, Step and Reset on the same network, redrawn at
animation speed, and only this area reruns while it plays.

The loop, the fragment and the trainer slots are the one live machinery of
:mod:`actlib.ui.live_view`; this module adds what is the Playground's own: a run open-ended
in steps whose link holds its step count and rate changes, a new rate applied to the
running network, and frames painted as small PNGs (:mod:`actlib.live_plots`), which cost
milliseconds where an Altair chart costs tens, so it redraws about 13 times a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import streamlit as st

from actlib import playground
from actlib.approximation import unit_map_frame, unit_surface
from actlib.charts import nonlinearity as nl_charts
from actlib.fold import fold
from actlib.live_plots import SurfacePainter, data_url, fold_png, loss_png, unit_colors
from actlib.training import MAX_RUN_SECONDS, TrainConfig
from actlib.training.live import MAX_LIVE_STEPS, LiveFrame, LiveRun, LrChange, TrainedRuns
from actlib.ui import class_probe_view
from actlib.ui.fault import guarded, guarded_callback
from actlib.ui.live_runner import trainer_slot
from actlib.ui.live_view import (
    LiveSession,
    enter_live_area,
    play,
    toggle_play,
    train_in_turns,
)
from actlib.ui.notices import divergence_sentences, show_divergences
from actlib.ui.slot import Slot

SESSION_KEY = "playground:live"
_guard = guarded_callback("a button or chart of the Playground's live area", SESSION_KEY)
"""Every callback of the live area (Play, Step, Reset, a unit picked, a point probed) goes
through it."""
UNIT_KEY = "playground:unit"
"""(layer, unit) the student clicked in the unit maps, shown on the big plot; None: the
network's output."""
MAPS_KEY = "p_unit_maps"
FRAME_SECONDS = 0.075
"""Target time of one frame (about 13 frames a second)."""
TRAIN_SHARE = 0.6
"""Share of a frame spent training; the rest draws and ships the frame."""
LINK_EVERY_SECONDS = 1.0
"""How often the link's step count and the unit maps follow a playing run."""


@st.cache_resource(show_spinner=False)
def trained_runs() -> TrainedRuns:
    """The process's trained links: a class opening one prepared link trains it once."""
    return TrainedRuns(capacity=12)


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
                link_changes: tuple[LrChange, ...]) -> LiveSession:
    """This session's live run for ``config`` at rate ``lr``.

    The first time (or after the data or network changed) the run comes from the link:
    ``link_step`` steps with ``link_changes``, trained once per process. Later, a new rate
    applies to the running network from its current step (at step 0 it is simply the
    starting rate), as in TensorFlow Playground.
    """
    session: LiveSession | None = st.session_state.get(SESSION_KEY)
    if session is None:
        start = link_changes[0][1] if link_changes else lr
        cap = playground.link_step_cap(config)
        note = None
        if link_step > cap:
            note = (f"This link asks for {link_step:,} trained steps; a link trains at most "
                    f"{cap:,} for this network when it opens (about "
                    f"{MAX_RUN_SECONDS:g} s): press Play to go on.")
            link_step = cap
        run = trained_runs().get(replace(config, lr=start), link_changes[1:], link_step,
                                 train=_train_link)
        session = LiveSession([run], note=note)
        st.session_state[SESSION_KEY] = session
    elif not same_network(session.run.config, config):
        session.runs, session.playing = [LiveRun(replace(config, lr=lr))], False
        session.note = "New data or network: the run starts again from step 0."
    elif lr != session.run.lr:
        if session.run.step == 0:
            session.runs = [LiveRun(replace(config, lr=lr))]
        else:
            session.run.set_lr(lr)
    return session


def _train_link(run: LiveRun, step: int) -> None:
    """Train a link's network to its step count on the trainer slots, saying above the live
    area where this session stands while it waits for one."""
    slot = st.empty()
    train_in_turns(run, step, lambda message: slot.info(message, icon="⏳") if message
                   else slot.empty())
    slot.empty()


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

    def __init__(self, run: LiveRun, act_name: str, unit: tuple[int, int] | None = None
                 ) -> None:
        data = run.state.data
        self.surface = SurfacePainter(
            data.bounds, np.vstack([data.x_train.numpy(), data.x_test.numpy()]),
            np.concatenate([data.y_train.numpy(), data.y_test.numpy()]),
            np.r_[np.zeros(len(data.y_train), bool), np.ones(len(data.y_test), bool)],
            classes=data.info.n_classes)
        self.run, self.act_name, self.unit = run, act_name, unit
        self.waiting: Callable[[], str | None] | None = None
        """Where this session waits for a trainer, if it does (set by the live area)."""
        self.mark = class_probe_view.probe_point(run)
        """The point whose softmax the probe shows (a cross on the surface), or None."""

    def draw(self, frame: LiveFrame, slots: Slots) -> None:
        scores = frame.scores
        if self.unit is not None and not frame.all_diverged:
            layer, unit = self.unit
            title = f"**Unit {unit} of hidden layer {layer}, step {frame.step:,}** (red < 0 < blue)"
            grid = self.run.config.grid_size
            values = unit_surface(self.run.state.model, 0, layer, unit,
                                  self.run.state.data.bounds, grid)
            slots.surface.markdown(_img(self.surface.png(values, unit_colors),
                                        f"unit {unit} of layer {layer}"),
                                   unsafe_allow_html=True)
        else:
            title = (f"**{self.act_name}, step {frame.step:,}** · colour: the predicted "
                     "class, paler where less sure")
        if self.waiting is not None and (waiting := self.waiting()):
            title += f" · {waiting}"
        slots.title.markdown(title)
        if frame.all_diverged:
            slots.surface.warning(
                f"The network diverged at step {int(frame.diverged_step[0]):,}: "
                f"{frame.diverged_reason[0]}. Lower the learning rate and press Reset.",
                icon="💥")
        elif self.unit is None:
            slots.surface.markdown(_img(self.surface.png(scores.surface[0], mark=self.mark),
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


def _step(session: LiveSession) -> None:
    session.playing = False
    with trainer_slot(5.0):
        session.run.advance(playground.STEP)


def _reset(session: LiveSession) -> None:
    session.playing = False
    session.runs = [LiveRun(session.run.config)]
    session.note = None


def _controls(session: LiveSession) -> None:
    """Play/Pause (Space), Step (→) and Reset; each reruns only this fragment. Callbacks,
    so that the buttons already show the new state (Pause after Play) when they redraw."""
    run = session.run
    done = run.at_limit or run.all_diverged
    buttons = st.columns([1.2, 1, 1, 3.4], vertical_alignment="center")
    label, icon = ("Pause", "⏸️") if session.playing else ("Play", "▶️")
    buttons[0].button(label, icon=icon, key="p_live_play", type="primary", width="stretch",
                      shortcut="space", disabled=done and not session.playing,
                      on_click=_guard(toggle_play), args=(session,), help="Train on, live (Space).")
    buttons[1].button("Step", icon="⏭️", key="p_live_step", width="stretch", shortcut="right",
                      disabled=done, on_click=_guard(_step), args=(session,),
                      help=f"Train {playground.STEP} more steps (→).")
    buttons[2].button("Reset", icon="⏮️", key="p_live_reset", width="stretch",
                      on_click=_guard(_reset), args=(session,),
                      help="Back to the untrained network (step 0).")
    status = Slot(buttons[3])
    if session.playing:
        status.caption(f"Playing: {session.steps_per_second:,.0f} steps a second."
                       if session.steps_per_second else "Playing.")
    elif run.at_limit:
        status.caption(f"This run reached the bound of {MAX_LIVE_STEPS:,} steps: press Reset.")


def live_area(config: TrainConfig, act_name: str, layer: int,
              on_link: Callable[[int, tuple[LrChange, ...]], None],
              units: tuple[int, int] = (1, 2)) -> None:
    """The fragment: controls, the live frame, and (when paused) what each unit computes.

    ``on_link(step, rate_changes)`` writes the run's state into the link.
    """

    @st.fragment
    @guarded("the Playground's live area")
    def area() -> None:
        enter_live_area(SESSION_KEY)
        session: LiveSession = st.session_state[SESSION_KEY]
        _controls(session)
        run = session.run
        if session.note:
            st.info(session.note, icon="🔁")
        left, right = st.columns([1, 1.2])
        slots = Slots(Slot(left), Slot(left), Slot(right), Slot(right))
        painter = Painter(run, act_name, _picked_unit(config, layer))
        painter.waiting = lambda: session.waiting if session.playing else None
        if painter.unit is not None:
            left.button("Back to the network's output", icon="↩️", key="p_unit_back",
                        on_click=_guard(_pick), args=(None,))
        notes, probe, maps, folds = Slot(), Slot(), Slot(), Slot()

        def link() -> None:
            on_link(run.step, rate_changes(run))

        if not session.playing:
            frame = run.frame()
            painter.draw(frame, slots)
            link()
            with notes.container():
                _paused_notes(run, frame)
            class_probe_view.draw(run, probe, _guard)
            _draw_maps(run, config, layer, maps)
            _draw_fold(run, config, layer, units, folds)
            return
        def follow() -> None:
            # While playing, the probe and the unit maps follow once a burst (a second):
            # their Altair charts cost 40-50 ms, too much for every frame, so they are
            # drawn after the burst's first frame, which then shows without that wait.
            class_probe_view.draw(run, probe, _guard)
            _draw_maps(run, config, layer, maps)
            _draw_fold(run, config, layer, units, folds)

        play(session, SESSION_KEY, lambda: painter.draw(run.frame(), slots), FRAME_SECONDS,
             TRAIN_SHARE, link, LINK_EVERY_SECONDS, after_first_frame=follow)

    area()


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


def _picked_unit(config: TrainConfig, layer: int) -> tuple[int, int] | None:
    """The unit to show on the big plot, if the student picked one of the shown layer."""
    picked = st.session_state.get(UNIT_KEY)
    shown = min(layer, config.depth)
    if picked is None or picked[0] != shown or not 1 <= picked[1] <= config.width:
        return None
    return picked


def _pick(unit: tuple[int, int] | None) -> None:
    st.session_state[UNIT_KEY] = unit


def _on_map_click(layer: int) -> None:
    """A click on a unit map: show that unit on the big plot (a click beside the maps, or
    on the picked one again, goes back to the network's output)."""
    event = st.session_state.get(MAPS_KEY)
    points = (event or {}).get("selection", {}).get(nl_charts.UNIT_PICK) or []
    unit = int(points[0]["unit"]) if points else None
    _pick(None if unit is None or st.session_state.get(UNIT_KEY) == (layer, unit)
          else (layer, unit))


def _stack_layer(config: TrainConfig, shown: int) -> str:
    """`` (its activation: GELU)`` for a layer of a stack, where the layers differ; nothing
    for a network with one activation (the title names it)."""
    member = config.models[0]
    return f" (its activation: {member.layer_spec(shown - 1).name})" if member.is_stack else ""


def _draw_maps(run: LiveRun, config: TrainConfig, layer: int, slot) -> None:
    """What each hidden unit of the chosen layer computes, from the run's own network; a
    click on a map shows that unit on the big plot (TensorFlow Playground's best-loved
    interaction)."""
    if run.all_diverged or run.state.data.bounds is None:
        slot.empty()
        return
    shown = min(layer, config.depth)
    maps = unit_map_frame(run.state.model, 0, shown, run.state.data.bounds, 25)
    with slot.container():
        its = _stack_layer(config, shown)
        st.markdown(f"**What each unit of hidden layer {shown} computes**{its} "
                    f"at step {run.step:,} (its output over the plane). Click a map to see it "
                    "large.")
        if layer > config.depth:
            st.caption(f"The network has {config.depth} hidden layers: showing the last one.")
        st.altair_chart(nl_charts.unit_maps_chart(maps, columns=min(config.width, 8),
                                                  pickable=True),
                        width="content", key=MAPS_KEY,
                        on_select=lambda: _guard(_on_map_click)(shown),
                        selection_mode=nl_charts.UNIT_PICK)


def _draw_fold(run: LiveRun, config: TrainConfig, layer: int, units: tuple[int, int],
               slot) -> None:
    """The plane's grid and the data as two units of the shown layer see them, before and
    after its activation (updated once a burst while playing, like the unit maps)."""
    if run.all_diverged or run.state.data.bounds is None:
        slot.empty()
        return
    shown = min(layer, config.depth)
    with slot.container():
        its = _stack_layer(config, shown)
        st.markdown(f"**How hidden layer {shown} folds the plane**{its} "
                    f"at step {run.step:,}: the input grid and the points, with two of its "
                    "units as axes.")
        if config.width < 2:
            st.caption("The layer has one unit: the fold needs two.")
            return
        picked = tuple(min(u, config.width) for u in units)
        if picked[0] == picked[1]:
            picked = (picked[0], picked[0] % config.width + 1)
        if picked != tuple(units):
            st.caption(f"Units {units[0]} and {units[1]} cannot be the two axes of a layer "
                       f"of {config.width} units: showing units {picked[0]} and {picked[1]}.")
        data = run.state.data
        points = np.vstack([data.x_train.numpy(), data.x_test.numpy()])
        labels = np.concatenate([data.y_train.numpy(), data.y_test.numpy()])
        folded = fold(run.state.model, 0, shown, picked, data.bounds, points)
        x_title, y_title = f"unit {picked[0]}", f"unit {picked[1]}"
        before, after = st.columns(2)
        before.markdown(_img(fold_png(folded.lines_before, folded.points_before, labels,
                                      x_title, y_title), "before the activation"),
                        unsafe_allow_html=True)
        before.caption("Before the activation: the layer's linear part W·h + b. In layer 1 "
                       "it only shears, stretches and shifts the grid: lines stay straight.")
        after.markdown(_img(fold_png(folded.lines_after, folded.points_after, labels,
                                     x_title, y_title), "after the activation"),
                       unsafe_allow_html=True)
        silent = [u for u, column in zip(picked, folded.points_after.T, strict=True)
                  if np.all(column == 0)]
        if silent:
            after.caption(f"Unit {silent[0]} outputs 0 on every point: a dead unit. Pick "
                          "another under **Fold axes**.")
        after.caption("After the activation: tanh and sigmoid squash the far parts, ReLU "
                      "folds lines flat where a unit's input crosses 0. The identity would "
                      "leave the picture on the left as it is.")
