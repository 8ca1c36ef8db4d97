"""Choosing an activation: advice with reasons, a live bake-off that tests the advice,
measured compute cost, and where today's choices came from."""

from datetime import datetime

import pandas as pd
import streamlit as st

from actlib import bakeoff
from actlib.activations import BAKE_OFF_KEYS, HIDDEN_LAYER_KEYS, get
from actlib.charts import curve_chart
from actlib.charts import guide as charts
from actlib.compute_cost import BASELINE, CALLS_PER_SAMPLE
from actlib.datasets import DATASETS
from actlib.guide import (
    GUIDE_SETTINGS,
    QUESTIONS,
    Answers,
    advise,
    answers_from_settings,
)
from actlib.history import ERAS, timeline, usage_table
from actlib.settings import Choice, FloatRange, IntRange, MultiChoice, PageSettings
from actlib.training import MAX_RUN_SECONDS, OPTIMIZERS, estimate_cost, history_frame
from actlib.ui import cached, cached_guide
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runner import run_live
from actlib.ui.settings_widgets import SettingsPanel

VIEWS = ("Advice", "Bake-off", "Compute cost", "History")
PICKS = {
    "advice": "The advice's candidates",
    "nine": "All nine classics",
    "custom": "My own pick",
}
DEFAULT_PICK = tuple(k for k, _ in bakeoff.advice_candidates(advise(Answers())))
LEARNING_RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
INITS = {
    "default": "PyTorch default",
    "he": "He / Kaiming",
    "xavier_uniform": "Xavier / Glorot",
    "lecun": "LeCun",
}
WIDTHS = (8, 16, 32, 64, 128)
ARCHITECTURE_QUESTION = next(q for q in QUESTIONS if q.key == "architecture")
LIVE_REFRESH_SECONDS = 0.8
# Redrawing both curve charts costs ~0.1 s of the training thread: a redraw every 0.8 s keeps
# the curves live while spending most of the few seconds on training.

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default="Advice", widget="tabs"),
        *GUIDE_SETTINGS,
        Choice("pick", "Activations to compare", options=tuple(PICKS), default="advice",
               labels=PICKS, widget="segmented"),
        MultiChoice("act", "Activations", options=HIDDEN_LAYER_KEYS, default=DEFAULT_PICK,
                    labels={k: get(k).name for k in HIDDEN_LAYER_KEYS}),
        Choice("data", "Data set", options=bakeoff.DATASETS, default="moons",
               labels={k: DATASETS[k].label for k in bakeoff.DATASETS}),
        Choice("init", "Initialisation (all models)", options=tuple(INITS), default="default",
               labels=INITS,
               help="One scheme for every model, so the activation is the only difference."),
        Choice("opt", "Optimiser", options=tuple(OPTIMIZERS), default="adam",
               labels={"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}),
        Choice("lr", "Learning rate", options=LEARNING_RATES, default=0.01,
               widget="select_slider"),
        IntRange("layers", "Hidden layers", default=3, low=1, high=10),
        Choice("width", "Units per layer", options=WIDTHS, default=32, widget="select_slider"),
        IntRange("steps", "Training steps", default=500, low=50, high=2000, step=50),
        IntRange("seeds", "Seeds per activation", default=3, low=1, high=bakeoff.MAX_SEEDS,
                 help="Each seed is a different initialisation and batch order: the spread "
                 "over seeds is the noise any difference must beat."),
        FloatRange("target", "Target training loss", default=0.1, low=0.01, high=0.6,
                   step=0.01, help="The table counts the steps each activation needed to "
                   "bring its training loss down to this value."),
    )
)

page_header(
    "Choosing an activation",
    "Advice with its reasons, then a quick experiment on this server to test it.",
)
panel = SettingsPanel(SETTINGS, page="guide")
answers = answers_from_settings(panel.values())
advice = advise(answers)
candidates = bakeoff.advice_candidates(advice)
candidate_params = dict(candidates)


def open_bake_off() -> None:
    panel.set_values({"view": "Bake-off"})


MEASURE_REQUESTED = "guide:measure_requested"


def request_measurement() -> None:
    # A callback, not the button's return value: it survives a rerun of the script before
    # the button is reached (page_header reruns a run in some cases).
    st.session_state[MEASURE_REQUESTED] = True


tabs = panel.tabs("view")

# --- Advice --------------------------------------------------------------------------------

if (tab := tabs["Advice"]) is not None:
    with tab:
        ask, answer = st.columns([1, 2], gap="large")
        with ask:
            with st.container(border=True):
                for question in QUESTIONS:
                    if question.relevant(answers):
                        panel.widget(question.key)
            shown = [r.key for r in advice.ranked if get(r.key).kind == "elementwise"]
            if shown:
                st.markdown("**The ranked candidates, f(x)**")
                activation_legend(shown)
                frame = cached.curve_frame(
                    tuple(shown), -4.0, 4.0,
                    {r.key: r.param_dict for r in advice.ranked if r.key in shown}, False)
                st.altair_chart(curve_chart(frame, "f", None, shown, height=240, legend=False),
                                width="stretch")
            gated = [r.name for r in advice.ranked if get(r.key).kind != "elementwise"]
            if gated:
                st.caption(f"Not drawn: {', '.join(gated)} (acts on a whole vector or on two "
                           "projections; see Shapes and saturation).")
        with answer:
            best = advice.best
            st.markdown(f"### Use {best.name}")
            st.code(best.module, language="python")
            st.markdown("\n".join(f"- {reason}" for reason in best.reasons))
            for concern in best.concerns:
                st.caption(f"Against it: {concern}")
            st.markdown(f"**Initialise with {advice.init.name}.** {advice.init.why}")
            if advice.loss is not None:
                st.markdown(f"**Loss: `{advice.loss.loss}`.** {advice.loss.why}")
                st.warning(advice.loss.pitfall, icon="⚠️")
            if advice.alternatives:
                st.markdown("**Try next**")
                st.markdown("\n".join(
                    f"{i}. **{alt.name}** (`{alt.module}`): {alt.reasons[0]}"
                    for i, alt in enumerate(advice.alternatives, start=2)
                ))
            st.markdown("**Keep in mind**")
            st.markdown("\n".join(f"- {caveat}" for caveat in advice.caveats))
            names = ", ".join(get(k).name for k, _ in candidates)
            hidden_note = " (hidden layers)" if answers.placement == "output" else ""
            st.button(f"Test {names}{hidden_note} in the bake-off", on_click=open_bake_off,
                      icon="🧪")
            st.markdown("**PyTorch, for exactly this choice**")
            st.code(advice.snippet, language="python", height=420, wrap_lines=True)

# --- Bake-off ------------------------------------------------------------------------------


def bake_off_keys(pick: str) -> list[str]:
    if pick == "advice":
        return [k for k, _ in candidates]
    if pick == "nine":
        return list(BAKE_OFF_KEYS)
    return list(panel.value("act"))


def draw_curves(slot_loss, slot_accuracy, keys: list[str]):
    def draw(snapshots) -> None:
        history = history_frame(snapshots)
        loss = bakeoff.band_frame(history, "train_loss")
        accuracy = bakeoff.band_frame(history, "test_accuracy")
        slot_loss.altair_chart(
            charts.band_chart(loss, keys, "Training loss", "loss", y_format=".2f"),
            width="stretch")
        slot_accuracy.altair_chart(
            charts.band_chart(accuracy, keys, "Test accuracy", "accuracy", y_format=".0%"),
            width="stretch")
    return draw


def show_table(summary: pd.DataFrame, target: float) -> None:
    shown = summary.assign(
        accuracy_mean=100 * summary["accuracy_mean"],
        accuracy_std=100 * summary["accuracy_std"],
        reached=[f"{r} of {n}" for r, n in zip(summary["reached"], summary["seeds"],
                                                strict=True)],
        diverged=[f"{d} of {n}" for d, n in zip(summary["diverged"], summary["seeds"],
                                                 strict=True)],
    ).drop(columns=["key", "seeds"])
    st.dataframe(
        shown, hide_index=True, width="stretch",
        column_config={
            "rank": st.column_config.NumberColumn("#", width=40),
            "activation": st.column_config.TextColumn("activation"),
            "accuracy_mean": st.column_config.NumberColumn(
                "test accuracy", format="%.1f %%", help="Mean over the seeds that trained"),
            "accuracy_std": st.column_config.NumberColumn(
                "± std", format="%.1f %%", help="Sample standard deviation over seeds"),
            "test_loss_mean": st.column_config.NumberColumn("test loss", format="%.4f"),
            "train_loss_mean": st.column_config.NumberColumn("train loss", format="%.4f"),
            "steps_to_target": st.column_config.NumberColumn(
                f"steps to ≤ {target:g}", format="%d",
                help="Median over seeds of the first snapshot step with a training loss at "
                "or below the target; empty when most seeds never got there."),
            "reached": st.column_config.TextColumn("reached"),
            "diverged": st.column_config.TextColumn("diverged"),
        },
    )


def show_surfaces(run, config) -> None:
    members = bakeoff.first_seed_members(config)
    last = run.last
    surfaces = last.surface_frame(members)
    points = cached_guide.test_points(config.dataset, config.n_samples, config.noise,
                                      config.data_seed, config.test_fraction)
    titles = {}
    for i in members:
        accuracy = last.test_accuracy[i]
        score = "diverged" if pd.isna(accuracy) else f"{100 * accuracy:.1f} %"
        titles[config.models[i].key] = f"{config.models[i].activation_label}: {score}"
    st.markdown(f"**Decision surfaces** (seed {config.models[0].seed}, step {last.step}, "
                "test points on top)")
    st.altair_chart(charts.surfaces_chart(surfaces, points, titles), width="content")


if (tab := tabs["Bake-off"]) is not None:
    with tab:
        st.markdown(
            "Advice is a starting point. Train the candidates side by side on the same data, "
            "from several seeds each, and see whether the differences beat the noise."
        )
        top = st.columns([2, 3], vertical_alignment="bottom")
        pick = panel.widget("pick", top[0])
        if pick != "custom":
            st.session_state["act"] = bake_off_keys(pick)
        keys = list(panel.widget("act", top[1], disabled=pick != "custom"))
        row1 = st.columns(4)
        dataset = panel.widget("data", row1[0])
        init = panel.widget("init", row1[1])
        optimizer = panel.widget("opt", row1[2])
        lr = panel.widget("lr", row1[3])
        row2 = st.columns(4)
        depth = panel.widget("layers", row2[0])
        width = panel.widget("width", row2[1])
        steps = panel.widget("steps", row2[2])
        seeds = panel.widget("seeds", row2[3])
        if pick == "advice":
            network = ARCHITECTURE_QUESTION.labels[answers.architecture]
            st.caption(f"From the advice for hidden layers, network: {network}. Change the "
                       "answers in the Advice tab; parameters the advice sets (such as a Leaky "
                       "ReLU slope) are kept.")
        if (note := bakeoff.learning_rate_note(optimizer, lr)) is not None:
            st.warning(note, icon="⚠️")

        config = None
        if not keys:
            st.info("Pick at least one activation to train.")
        else:
            try:
                config = bakeoff.build_config(
                    [(k, candidate_params.get(k, ())) for k in keys], dataset, depth, width,
                    optimizer, lr, steps, seeds, init)
            except ValueError as err:
                st.error(f"This bake-off is too big to train here: {err}", icon="🛑")

        if config is not None:
            cost = estimate_cost(config).total
            st.caption(
                f"{config.n_models} networks ({len(keys)} activations × {seeds} seeds) of "
                f"{depth} × {width} units train together in one batched run; estimated "
                f"{cost:.1f} s of the {MAX_RUN_SECONDS:g} s allowed per run."
            )
            activation_legend(keys)
            left, right = st.columns(2)
            slot_loss, slot_accuracy = left.empty(), right.empty()
            run = run_live(config, draw_curves(slot_loss, slot_accuracy, keys), key="guide",
                           refresh_seconds=LIVE_REFRESH_SECONDS)
            if not run.snapshots:
                st.info("Training was stopped before the first snapshot.")
            else:
                history = history_frame(run.snapshots)
                last = run.last
                if run.status == "stopped":
                    st.warning(f"Stopped at step {last.step} of {config.steps}: the table "
                               "covers the steps so far.", icon="⏹️")
                timing = ("reused from a finished run" if run.from_cache
                          else f"trained live in {last.elapsed:.1f} s")
                st.caption(f"{config.n_models} networks, {last.step} steps, {timing}. "
                           "Bands: ± one standard deviation over seeds.")
                notes = bakeoff.divergence_notes(history)
                if notes:
                    st.warning("Some runs diverged (their loss became NaN or infinite); "
                               "they are left out of the means:\n\n"
                               + "\n".join(f"- {note}" for note in notes), icon="💥")
                target = panel.widget("target", st.columns([1, 2])[0])
                summary = bakeoff.summary_table(history, target)
                show_table(summary, target)
                decision = bakeoff.verdict(summary)
                if decision.clear:
                    st.success(decision.text, icon="🏆")
                else:
                    st.info(decision.text, icon="⚖️")
                test_rows = config.n_samples - config.n_train
                if config.dataset != "digits":
                    st.caption(f"The test set has {test_rows} points: one point is "
                               f"{100 / test_rows:.2f} % of accuracy.")
                if config.dataset_info.input_dim == 2:
                    show_surfaces(run, config)

# --- Compute cost --------------------------------------------------------------------------

if (tab := tabs["Compute cost"]) is not None:
    with tab:
        st.markdown(
            "Is GELU slower than ReLU? Measure it. Each activation runs on one large tensor, "
            "forward and forward plus backward, several times in shuffled order; the chart "
            "shows the median time relative to ReLU **on this server, now**."
        )
        measurement = cached_guide.latest_cost()
        button_slot = st.empty()
        if st.session_state.pop(MEASURE_REQUESTED, False):
            with st.spinner("Timing every activation (a few seconds)…"):
                measurement = cached_guide.measure_cost()
        button_slot.button(
            "Measure on this server" if measurement is None else "Measure again", icon="⏱️",
            on_click=request_measurement, type="primary" if measurement is None else "secondary")
        if measurement is None:
            st.info("No measurement yet in this server process: press the button. The result "
                    "is kept for every visitor until the server restarts.")
        else:
            age = (datetime.now() - measurement.taken_at).total_seconds()
            st.altair_chart(charts.cost_chart(measurement.summary), width="content")
            st.caption(
                f"Measured {measurement.taken_at:%H:%M:%S} ({age:.0f} s ago) in "
                f"{measurement.seconds:.1f} s, on {measurement.threads} "
                f"thread{'s' if measurement.threads != 1 else ''}: "
                f"{measurement.n_elements:,} float32 elements, {measurement.repetitions} "
                f"repetitions, each the fastest of {CALLS_PER_SAMPLE} calls, medians of each "
                f"ratio to {get(BASELINE).name} taken within the same repetition. Other "
                "sessions share this CPU: a call they interrupt takes several times longer, "
                "so a bar far above its neighbours (on this build Tanh and Sigmoid both run "
                "vectorised, near ReLU's time) is noise: measure again."
            )
            table = measurement.summary.pivot(index="name", columns="direction",
                                              values="ns_per_element")
            table = table.reindex(list(dict.fromkeys(measurement.summary["name"])))
            with st.expander("Nanoseconds per element"):
                st.dataframe(table, column_config={
                    c: st.column_config.NumberColumn(format="%.3f") for c in table.columns})
            st.caption(
                "Piecewise-linear functions need one comparison per element; sigmoid, tanh, "
                "ELU, GELU, Swish and Mish need an exponential, erf or tanh. Inside a real "
                "network, matrix products usually dominate: the activation's share grows "
                "on small, memory-bound layers and on edge hardware."
            )

# --- History -------------------------------------------------------------------------------

if (tab := tabs["History"]) is not None:
    with tab:
        st.markdown(
            "From on/off threshold units to smooth and gated functions: each step removed a "
            "problem of the one before."
        )
        st.altair_chart(charts.timeline_chart(timeline()), width="stretch")
        st.markdown("\n".join(f"- **{era.period}, {era.label}.** {era.summary}" for era in ERAS))
        st.markdown("**Who uses what today**")
        st.table(charts.usage_frame(usage_table()).set_index("architecture"))
