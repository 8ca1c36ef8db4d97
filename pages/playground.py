"""Playground: one small network on 2-D data, trained step by step, its decision surface,
loss and what each hidden unit computes."""

import numpy as np
import streamlit as st

from actlib import playground
from actlib.activations import get
from actlib.charts import loss_chart
from actlib.charts import nonlinearity as nl_charts
from actlib.page_settings.playground import SETTINGS
from actlib.training import TrainConfig, history_frame
from actlib.ui import cached_nonlinearity as nl_cached
from actlib.ui.layout import page_header
from actlib.ui.live_runner import run_live
from actlib.ui.notices import checked, divergence_sentences, show_divergences
from actlib.ui.playground_screen import (
    RUN_KEY,
    on_screen,
    remember,
    replay_floor,
    settle_after_stop,
)
from actlib.ui.settings_widgets import SettingsPanel

CONTROLS = {"depth": "fewer **Hidden layers**", "width": "fewer **Units per layer**",
            "steps": "fewer **Trained steps**"}

page_header("Playground", "Train a small network on 2-D data and watch its boundary bend.")
panel = SettingsPanel(SETTINGS, page="playground")


def set_steps(value: int) -> None:
    panel.set_values({"p_steps": playground.clamp_steps(value)})


st.markdown(
    "A small network in the spirit of TensorFlow Playground. **Step** trains 25 more "
    "steps, **Play** 250 more (Stop pauses), **Reset** goes back to the untrained "
    "network. The trained step count is part of the link: a run is replayed from its "
    "seed, so the same link always shows the same network."
)
stop_note = settle_after_stop(set_steps)
row = st.columns(4)
dataset, noise = panel.widget("p_data", row[0]), panel.widget("p_noise", row[1])
test_share, lr = panel.widget("p_test", row[2]), panel.widget("p_lr", row[3])
row = st.columns(4)
act, depth = panel.widget("p_act", row[0]), panel.widget("p_depth", row[1])
width, layer = panel.widget("p_width", row[2]), panel.widget("p_layer", row[3])
current = int(panel.value("p_steps"))
full = current >= playground.MAX_STEPS
buttons = st.columns([1, 1, 1, 4], vertical_alignment="bottom")
buttons[0].button("Reset", icon="⏮️", key="p_reset", on_click=set_steps, args=(0,),
                  width="stretch", help="Back to the untrained network (step 0).")
buttons[1].button("Step", icon="⏭️", key="p_step", on_click=set_steps,
                  args=(current + playground.STEP,), width="stretch", disabled=full,
                  help=f"Train {playground.STEP} more steps.")
buttons[2].button("Play", icon="▶️", key="p_play", on_click=set_steps,
                  args=(current + playground.BURST,), type="primary", width="stretch",
                  disabled=full, help=f"Train {playground.BURST} more steps, live; Stop pauses.")
steps = panel.widget("p_steps", buttons[3])
# Right under the buttons, so Stop and the notes are in view while the charts update.
live_area, notes = st.container(), st.container()
if stop_note:
    notes.info(stop_note, icon="⏸️")

config = checked(lambda: playground.playground_config(dataset, noise, test_share, act, depth,
                                                      width, lr, steps), CONTROLS)
if config is None:
    st.stop()
points = nl_cached.points_frame(config.dataset, config.n_samples, config.noise,
                                config.data_seed, config.test_fraction)
left, right = st.columns([1, 1])
surface_slot = left.empty()
with right:
    metrics_slot, loss_slot = st.empty(), st.empty()
floor = replay_floor(config, steps)


def draw(snapshots, source: TrainConfig = config, final: bool = False) -> None:
    """Draw the run up to the step asked for; a replay draws nothing below the floor."""
    shown = [s for s in snapshots if s.step <= steps]
    last = shown[-1]
    if last.step < floor and not final and last.step != steps:
        return
    remember(source, shown)
    if np.isnan(last.train_loss[0]):
        surface_slot.warning(
            f"The network diverged at step {int(last.diverged_step[0])}: "
            f"{last.diverged_reason[0]}. Lower the learning rate and press Reset.", icon="💥")
    else:
        surface_slot.altair_chart(
            nl_charts.surface_chart(last.surface_frame([0]), points,
                                    f"{get(act).name}, step {last.step}", size=360),
            width="content")
    with metrics_slot.container():
        cells = st.columns(4)
        cells[0].metric("Step", f"{last.step:,}")
        cells[1].metric("Train loss", f"{last.train_loss[0]:.3f}")
        cells[2].metric("Test loss", f"{last.test_loss[0]:.3f}")
        cells[3].metric("Test accuracy", f"{last.test_accuracy[0]:.0%}")
    if len(shown) < 2:
        loss_slot.info("The loss curve starts with training: press Step or Play.", icon="📉")
        return
    loss_slot.altair_chart(loss_chart(history_frame(shown), [act], height=300,
                                      last_step=steps), width="stretch")


if floor > 0 and (screen := on_screen()) is not None:
    draw(screen[1], source=screen[0], final=True)
with live_area:
    run = run_live(config, draw, key=RUN_KEY)
if run.last is None:
    notes.info("Paused before the first snapshot.")
    st.stop()
shown_step = min(run.last.step, steps)
shown = [s for s in run.snapshots if s.step <= shown_step]
with notes:
    if run.status == "stopped" and shown_step < steps and not stop_note:
        st.info(f"Stopped at step {shown_step:,} of {steps:,}.", icon="⏸️")
    show_divergences(divergence_sentences(run.last), "Lower the learning rate to train it.")
    stuck = playground.stuck_at_chance(shown, lr)
    if stuck is not None:
        st.warning(stuck.explanation(), icon="🧊")
    overshoot = playground.overshoot_note(run.snapshots[0].train_loss[0],
                                          run.last.train_loss[0], lr, shown_step)
    if stuck is None and overshoot is not None:
        st.warning(overshoot, icon="🐢")
if not np.isnan(run.last.train_loss[0]):
    shown_layer = min(layer, depth)
    maps = nl_cached.unit_maps(config, shown_step, shown_layer)
    if not maps.empty:
        st.markdown(f"**What each unit of hidden layer {shown_layer} computes** at step "
                    f"{shown_step} (its output over the plane)")
        if layer > depth:
            st.caption(f"The network has {depth} hidden layers: showing the last one.")
        st.altair_chart(nl_charts.unit_maps_chart(maps, columns=min(width, 8)),
                        width="content")
        st.caption(
            "The first layer's units can only cut the plane with straight lines; later "
            "layers combine those pieces into curves. With the identity every map is a "
            "plain gradient, in every layer."
        )
st.caption(
    f"{config.n_train} training points (white ring) and "
    f"{config.n_samples - config.n_train} test points (dark ring); minibatches of "
    f"{config.batch_size}, Adam."
)
