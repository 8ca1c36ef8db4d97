"""The Choosing page's bake-off: a live batched run that tests the advice.

Kept out of the page script so that the page stays a list of tabs; everything here reads
the page's settings panel and the advice's candidates."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from actlib import bakeoff
from actlib.activations import BAKE_OFF_KEYS, is_custom
from actlib.guide import QUESTIONS, Answers
from actlib.training import MAX_RUN_SECONDS, TrainConfig, estimate_cost, history_frame
from actlib.ui import guide_views as views
from actlib.ui import predict_demos
from actlib.ui.exports import export_row, reproduce_script
from actlib.ui.formula_input import formula_input
from actlib.ui.layout import activation_legend
from actlib.ui.live_runs import live_runs
from actlib.ui.notices import checked
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.slot import Slot
from actlib.ui.user_data_view import own_data
from actlib.user_data import OWN_DATA_OPTION

ARCHITECTURE_QUESTION = next(q for q in QUESTIONS if q.key == "architecture")
LIVE_REFRESH_SECONDS = 0.8
"""Redrawing both curve charts costs ~0.1 s of the training thread: a redraw every 0.8 s
keeps the curves live while spending most of the few seconds on training."""
CONTROLS = {"models": "fewer activations or **Seeds per activation**",
            "steps": "fewer **Training steps**", "width": "fewer **Units per layer**",
            "depth": "fewer **Hidden layers**"}
"""The controls a cap message names, by the cost model's limit."""


def bake_off(panel: SettingsPanel, answers: Answers,
             candidates: Sequence[tuple[str, tuple]]) -> None:
    """The Bake-off tab: the candidates (the advice's, all nine, or the student's pick plus
    typed stacks) trained side by side from several seeds in one live batched run, then
    the table, the verdict, the decision surfaces and the exports."""
    st.markdown(
        "Advice is a starting point. Train the candidates side by side on the same data, "
        "from several seeds each, and see whether the differences beat the noise."
    )
    top = st.columns([2, 3], vertical_alignment="bottom")
    pick = panel.widget("pick", top[0])
    if pick != "custom":
        picked = {"advice": [k for k, _ in candidates], "nine": list(BAKE_OFF_KEYS)}
        st.session_state["act"] = picked[pick]
    keys = list(panel.widget("act", top[1], disabled=pick != "custom"))
    formula_input(panel, "act", top[1])
    typed = panel.widget("stack", top[1])
    if not any(is_custom(k) for k in keys):  # the formula's field, once
        formula_input(panel, "stack", top[1])
    row1, row2 = st.columns(4), st.columns(4)
    dataset, init = panel.widget("data", row1[0]), panel.widget("init", row1[1])
    optimizer, lr = panel.widget("opt", row1[2]), panel.widget("lr", row1[3])
    depth, width = panel.widget("layers", row2[0]), panel.widget("width", row2[1])
    steps, seeds = panel.widget("steps", row2[2]), panel.widget("seeds", row2[3])
    if dataset == OWN_DATA_OPTION:
        with st.expander("Your own data", expanded=True, icon="📄"):
            dataset = own_data("guide", 0, TrainConfig.test_fraction, binary_only=False)
        if dataset is None:
            return
    if pick == "advice":
        network = ARCHITECTURE_QUESTION.labels[answers.architecture]
        st.caption(f"From the advice for hidden layers, network: {network}. Change the "
                   "answers in the Advice tab; parameters the advice sets (such as a Leaky "
                   "ReLU slope) are kept.")
    if (note := bakeoff.learning_rate_note(optimizer, lr)) is not None:
        st.warning(note, icon="⚠️")
    params = dict(candidates)
    stacks = [bakeoff.StackEntry.of(stack, params) for stack in typed]
    if not keys and not stacks:
        st.info("Pick at least one activation to train.")
        return
    for note in bakeoff.stack_notes(stacks, depth):
        st.caption(note)
    config = checked(lambda: bakeoff.build_config(
        [*((k, params.get(k, ())) for k in keys), *stacks], dataset, depth, width, optimizer,
        lr, steps, seeds, init), CONTROLS)
    if config is None:
        return
    keys = list(dict.fromkeys(m.key for m in config.models))  # stacks by their stack keys
    st.caption(
        f"{config.n_models} networks ({len(keys)} activations × {seeds} seeds) of "
        f"{depth} × {width} units train together in one batched run; estimated "
        f"{estimate_cost(config).total:.1f} s of the {MAX_RUN_SECONDS:g} s allowed per run."
    )

    def curves():
        activation_legend(keys)
        left, right = st.columns(2)
        draw = views.live_curves(Slot(left), Slot(right), keys)
        return lambda runs: draw(runs[0])

    if predict_demos.bakeoff_prompt(config):
        return
    session = live_runs("guide", [config], curves, frame_seconds=LIVE_REFRESH_SECONDS)
    if session.playing:
        st.caption("The table, the verdict and the decision surfaces appear when the run "
                   "pauses or ends.")
        return
    snapshots = session.run.snapshots_now()
    history, last = history_frame(snapshots), snapshots[-1]
    if last.step < config.steps and not session.run.all_diverged:
        st.info(f"Paused at step {last.step} of {config.steps}: the table covers the "
                "steps so far.", icon="⏸️")
    reused = ", reused from a finished run" if session.from_cache else ""
    st.caption(f"{config.n_models} networks, {last.step} steps{reused}. "
               "Bands: ± one standard deviation over seeds.")
    if notes := bakeoff.divergence_notes(history):
        st.warning("Some runs diverged (their loss became NaN or infinite); they are left "
                   "out of the means:\n\n" + "\n".join(f"- {note}" for note in notes),
                   icon="💥")
    target = panel.widget("target", st.columns([1, 2])[0])
    summary = bakeoff.summary_table(history, target)
    views.results_table(summary, target)
    decision = bakeoff.verdict(summary)
    predict_demos.bakeoff_reveal(config, summary, decision.clear, session.finished)
    (st.success if decision.clear else st.info)(
        decision.text, icon="🏆" if decision.clear else "⚖️")
    test_rows = config.n_samples - config.n_train
    if config.dataset != "digits":
        st.caption(f"The test set has {test_rows} points: one point is "
                   f"{100 / test_rows:.2f} % of accuracy.")
    if config.dataset_info.input_dim == 2:
        views.surfaces(last, config)
    export_row("guide", name="bakeoff", config=config,
               script=lambda: reproduce_script(config, session.run.step, title="Bake-off"),
               metrics=lambda: history)
