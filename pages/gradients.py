"""Vanishing and exploding gradients: real backpropagation through deep networks, at
initialisation and while training, with every remedy one click away."""

import streamlit as st

from actlib import gradients as grad
from actlib.charts import gradients as charts
from actlib.datasets import info
from actlib.page_settings.gradients import CAP_CONTROLS, SETTINGS, scenario_values
from actlib.page_text import gradients as text
from actlib.training import history_frame
from actlib.ui import cached_gradients, predict_demos
from actlib.ui.exports import export_row, reproduce_script
from actlib.ui.formula_input import formula_input
from actlib.ui.gradients_views import training_view
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runs import lesson_session, live_runs
from actlib.ui.notices import checked, divergence_sentences
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.slot import Slot

RUNNER_KEY = "gradients"
REFRESH_SECONDS = 0.6  # a redraw of both charts costs ~0.1 s: leave most time to training
CUSTOM = "custom"
SCENARIO_KEY = "gradients:scenario"  # a menu, not a setting: the URL holds its settings
STATS = (("mean", "Mean of the outputs", None), ("std", "Std of the outputs", None),
         ("saturated", "Saturated share |f′| < 0.05", "%"))


def apply_scenario() -> None:
    """Menu callback: set every control of the chosen scenario and open its tab."""
    key = st.session_state.get(SCENARIO_KEY, CUSTOM)
    if key != CUSTOM:
        panel.set_values(scenario_values(key))


def scenario_menu(container) -> None:
    """A select box rather than a popover: it closes on a click and shows the scenario
    the current settings match (\"Your own settings\" once a control moves)."""
    st.session_state[SCENARIO_KEY] = grad.matching_scenario(panel.values()) or CUSTOM
    container.selectbox(
        "Scenario", [CUSTOM, *(s.key for s in grad.SCENARIOS)], key=SCENARIO_KEY,
        format_func=lambda k: "Your own settings" if k == CUSTOM else grad.scenario_label(k),
        on_change=apply_scenario, help="Prepared settings for a lecture: each sets every "
        "control and opens the tab where it shows.",
    )


def training_controls() -> None:
    """The training recipe; drawn on the tabs that train (the URL keeps it elsewhere)."""
    row = st.columns([3.6, 1.7, 1.2, 1.3, 1.3], vertical_alignment="bottom")
    panel.widget("opt", row[0])
    panel.widget("lr", row[1])
    clip = panel.widget("clip", row[2])
    panel.widget("max_norm", row[3], disabled=not clip)
    panel.widget("steps", row[4])


page_header(
    "Vanishing and exploding gradients",
    "Real backpropagation through deep networks: where the signal dies or blows up, and "
    "what each remedy does.",
)
panel = SettingsPanel(SETTINGS, page="gradients")

top = st.columns([2.6, 1.1, 0.8, 2.2], vertical_alignment="bottom")
selected = list(panel.widget("act", top[0]))
formula_input(panel, "act", top[0])
panel.widget("data", top[1])
panel.widget("seed", top[2])
scenario_menu(top[3])

# the init column fits "Xavier (Glorot) uniform"; the optimiser row "SGD with momentum"
row = st.columns([0.9, 0.9, 1.7, 1.1, 1.0, 0.9], vertical_alignment="bottom")
panel.widget("depth", row[0])
panel.widget("width", row[1])
init = panel.widget("init", row[2])
panel.widget("sigma", row[3], disabled=init != "naive")
panel.widget("norm", row[4])
panel.widget("residual", row[5])

tabs = panel.tabs("view")
exp = grad.experiment_from_settings(panel.values()) if selected else None
if not selected:
    st.info("Pick at least one activation above to measure its gradients.")

if (tab := tabs["At initialisation"]) is not None and exp is not None:
    with tab:
        flow = cached_gradients.init_flow(exp)
        if predict_demos.gradients_prompt(exp):
            st.stop()
        for message in grad.overflow_messages(flow):
            st.error(message, icon="💥")
        head = st.columns([3, 1.3], vertical_alignment="bottom")
        with head[0]:
            activation_legend(selected)
        kind = panel.widget("theory", head[1], label_visibility="collapsed")
        frame = flow.frame(kind)
        left, right = st.columns(2)
        left.altair_chart(charts.flow_chart(
            frame, selected, "signal_norm", "Backpropagated signal ‖∂L/∂z‖ per layer (log)",
            theory=kind != "none"), width="stretch")
        left.caption(text.flow_caption(kind))
        right.altair_chart(charts.flow_chart(
            frame, selected, "weight_grad_rms", "Weight-gradient RMS per layer (log)"),
            width="stretch")
        right.caption(text.RMS_CAPTION)
        predict_demos.gradients_reveal(exp, frame)
        st.dataframe(grad.ratios_table(flow, kind), hide_index=True, width="stretch")
        st.markdown(f"**Why the two measures can disagree.** {grad.WHY_MEASURES_DIFFER}")
        if verdict := grad.theory_verdict(flow, kind, exp):
            st.markdown(f"**Theory against measurement** (within a factor of "
                        f"{grad.AGREEMENT_FACTOR:g} counts as agreeing). {verdict}")
        st.caption(text.INIT_RULE)

if (tab := tabs["Training"]) is not None and exp is not None:
    with tab:
        training_controls()
        if (config := checked(exp.train_config, CAP_CONTROLS)) is not None:
            meta = info(exp.dataset)
            chance = grad.chance_loss(meta.task, meta.n_classes)
            session = lesson_session(RUNNER_KEY, [config])
            live_runs(RUNNER_KEY, [config], lambda: training_view(
                panel, exp, config, selected, chance, lambda: session),
                frame_seconds=REFRESH_SECONDS)
            snapshots = session.run.snapshots_now()
            last = snapshots[-1]
            if not session.playing and exp.clip_norm is not None and chance is not None:
                st.markdown(text.clipped_note(last, chance))
            if not session.playing:
                export_row("gradients", name="gradients", config=config,
                           script=lambda: reproduce_script(config, session.run.step,
                                                           title="Vanishing and exploding"),
                           metrics=lambda: history_frame(snapshots))
            st.caption(text.training_caption(chance))
            if exp.norm == "batch":
                st.caption(text.BATCH_NORM_SNAPSHOTS)

if (tab := tabs["Activation statistics"]) is not None and exp is not None:
    with tab:
        training_controls()
        flow = cached_gradients.init_flow(exp)
        config = checked(exp.train_config, CAP_CONTROLS)

        def statistics_view():
            activation_legend(selected)
            stage_slot = Slot()
            chart_slots = [Slot(column) for column in st.columns(3)]
            note = Slot()

            def draw(runs) -> None:
                last = runs[0][-1] if runs and runs[0] else None
                frame = grad.statistics_frame(flow.stats, last)
                stage_slot.markdown(text.stage_note(last))
                for slot, (measure, title, fmt) in zip(chart_slots, STATS, strict=True):
                    slot.altair_chart(charts.stats_chart(frame, selected, measure, title,
                                                         y_format=fmt), width="stretch")
                if last is not None and (lines := divergence_sentences(last)):
                    note.warning("Diverged models have no statistics after training: "
                                 + " ".join(lines))
            return draw

        if config is None:
            statistics_view()([])
        else:
            live_runs(RUNNER_KEY, [config], statistics_view, frame_seconds=REFRESH_SECONDS)
        left, right = st.columns([1, 2])
        left.altair_chart(charts.pre_activation_chart(flow.stats_frame(), selected),
                          width="stretch")
        right.markdown(text.WEIGHT_SIZE)
        right.caption(text.STATISTICS_CAPTION)

if (tab := tabs["Symptoms and remedies"]) is not None:
    with tab:
        left, right = st.columns(2)
        left.subheader("Vanishing gradients")
        left.markdown(text.VANISHING)
        right.subheader("Exploding gradients")
        right.markdown(text.EXPLODING)
        st.code(text.CLIPPING_CODE, language="python")
