"""Dead ReLU monitor: train live and watch units die, look inside the network, count the
dead at initialisation, and compare a remedy against the same run without it."""

import streamlit as st

from actlib import dead_units as dead
from actlib.charts import dead_relu as charts
from actlib.page_settings.dead_relu import CAP_CONTROLS, PARAM_KEYS, SETTINGS
from actlib.page_text import dead_relu as text
from actlib.settings import activation_param_settings, activation_params
from actlib.ui import cached_dead_relu, inputs_view, predict_demos
from actlib.ui.dead_relu_views import COMPARE_COLUMNS, TrainingRunView
from actlib.ui.exports import export_row, reproduce_script
from actlib.ui.formula_input import formula_input
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runs import lesson_session, live_runs
from actlib.ui.notices import checked
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.slot import Slot
from actlib.ui.stores import session_memo
from actlib.ui.user_data_view import own_data
from actlib.user_data import OWN_DATA_OPTION

# A redraw of this page's live charts costs 0.1-0.27 s on the server and about as much in
# the browser: at 0.5 s a frame a Pause click often waited on both (median 0.4 s), at 0.65 s
# 0.11 s (benchmarks/bench_lesson_live.py). A comment: a bare string in a page is drawn.
REFRESH_SECONDS = 0.65

page_header("Dead ReLU monitor", "Watch ReLU units die while a network trains, then prevent it.")
panel = SettingsPanel(SETTINGS, page="dead_relu")

row = st.columns([4.6, 1.3, 1.5], vertical_alignment="bottom")  # room for six chips
acts = list(panel.widget("act", row[0]))
formula_input(panel, "act", row[0])
dataset = panel.widget("data", row[1])
optimizer = panel.widget("opt", row[2])
row = st.columns([1.5, 1.5, 1.4, 1.2, 1.0], vertical_alignment="bottom")
lr = panel.widget("lr", row[0])
bias_choice = panel.widget("bias", row[1])
init = panel.widget("init", row[2])
batch_norm = panel.widget("bn", row[3])
with row[4].popover("Slopes", icon="📐", width="stretch",
                    help="Leaky ReLU's fixed slope and PReLU's initial slope for x < 0."):
    for setting in (s for k in PARAM_KEYS for s in activation_param_settings(k)):
        panel.widget(setting.key)
row = st.columns(4, vertical_alignment="bottom")
depth = panel.widget("depth", row[0])
width = panel.widget("width", row[1])
steps = panel.widget("steps", row[2])
seed = panel.widget("seed", row[3])
if dataset == OWN_DATA_OPTION:
    with st.expander("Your own data", expanded=True, icon="📄"):
        dataset = own_data("dead_relu", 0, dead.TEST_FRACTION, binary_only=False)
    if dataset is None:
        st.stop()
values = panel.values()
params = {k: activation_params(k, values) for k in PARAM_KEYS}
bias = None if bias_choice == "init" else float(bias_choice)
shared = dict(params=params, dataset=dataset, lr=lr, optimizer=optimizer, bias=bias,
              init=init, batch_norm=batch_norm, depth=depth, width=width, steps=steps,
              seed=seed)
st.markdown(text.DEAD_UNIT, help=text.probe_help(dataset))
tabs = panel.tabs("view")


def build(activations: list[str]):
    """The run's config, or None after saying why it cannot run."""
    return checked(lambda: dead.monitor_config(activations, **shared), CAP_CONTROLS)


def dead_chart(frame, keys, total_width=780, title="Dead units per layer over training"):
    builder = charts.dead_share_lines if panel.value("chart") == "lines" else \
        charts.dead_share_heatmap
    return builder(frame, keys, depth, total_width=total_width, title=title, steps=steps)


def small_dead_chart(column, config):
    """A draw callback for one side of Before / after: its dead share in ``column``."""
    slot, key = Slot(column), config.models[0].key
    return lambda snapshots: slot.altair_chart(dead_chart(
        dead.dead_history_frame(snapshots), [key], total_width=250,
        title="Dead units per layer"), width="content")


if (tab := tabs["Training run"]) is not None:
    with tab:
        if not acts:
            st.info("Pick at least one activation above to train.")
        elif (config := build(acts)) is not None:
            keys = [m.key for m in config.models]
            top = st.columns([1.3, 1.3, 1, 1.2], vertical_alignment="bottom")
            panel.widget("chart", top[0])
            inspect, layer, notes = text.look_inside(
                keys, panel.widget("inspect", top[1]), panel.widget("layer", top[2]), depth)
            for note in notes:
                st.caption(note)
            probes = dead.LiveProbes(session_memo("dead_relu:probes"))

            def training_view():
                activation_legend(keys)
                view = TrainingRunView(
                    keys, inspect, layer, depth, width, steps,
                    float(params["prelu"]["slope"]), lambda: probes.at(session.run.state),
                    dead_chart, lambda: session.playing)
                st.markdown(inputs_view.INTRO)
                inputs_slot = Slot()

                def draw(runs) -> None:
                    view.draw(runs[0])
                    inputs_view.draw(inputs_slot, session.run.state, config, inspect, layer)
                return draw

            if predict_demos.dead_prompt(config):
                st.stop()
            session = lesson_session("dead_relu", [config])
            live_runs("dead_relu", [config], training_view, frame_seconds=REFRESH_SECONDS)
            snapshots = session.run.snapshots_now()
            if not session.playing:
                predict_demos.dead_reveal(config, snapshots)
                st.caption(text.run_notes(dead.run_summary(snapshots)))
                export_row("dead_relu", name="dead_relu", config=config,
                    script=lambda: reproduce_script(config, session.run.step,
                                                    title="Dead ReLU monitor"),
                    metrics=lambda: dead.metrics_csv_frame(snapshots))

if (tab := tabs["Census at init"]) is not None:
    with tab:
        if not acts:
            st.info("Pick at least one activation above to count its dead units.")
        else:
            cdepth = panel.widget("cdepth", st.columns([1, 2])[0])
            frame = cached_dead_relu.census(tuple(acts),
                                            {k: params[k] for k in acts if k in params},
                                            dataset, cdepth, width, init, bias, batch_norm)
            activation_legend(acts)
            left, right = st.columns(2)
            left.altair_chart(charts.census_chart(frame, acts), width="stretch")
            right.altair_chart(
                charts.scheme_chart(cached_dead_relu.census_by_scheme(dataset, cdepth, width)),
                width="stretch")
            st.markdown(text.census_lines(frame, acts, cdepth))
            st.caption(text.census_caption(cdepth, width, int(frame["samples"].iloc[0])))

if (tab := tabs["Before / after"]) is not None:
    with tab:
        cure = panel.widget("cure", st.columns([2, 1])[0])
        if (before := build(["relu"])) is not None:
            after = dead.cure_config(before, cure, params["leaky_relu"])
            change = dead.describe_change(before, after)
            if dead.cure_is_noop(before, cure):
                st.info("Your settings already apply this remedy, so both runs are the same: "
                        "switch it off above to see the difference.")
            left, right = st.columns(2)
            left.markdown("**Before:** ReLU with the settings above")
            right.markdown(f"**After:** {change}")

            def pair_view():
                columns = st.columns(2)
                draws = [small_dead_chart(column, config)
                         for column, config in zip(columns, (before, after), strict=True)]
                return lambda runs: [draw(run) for draw, run in zip(draws, runs, strict=True)]

            session = live_runs("dead_relu_pair", [before, after], pair_view)
            runs = [run.snapshots_now() for run in session.runs]
            if not session.playing:
                keys = list(dict.fromkeys(["relu", after.models[0].key]))
                st.altair_chart(charts.before_after_chart(dead.paired_totals(*runs), keys,
                                                          steps=steps), width="stretch")
                table = dead.compare_runs(*runs, change)
                st.dataframe(table.drop(columns=["key", "diverged_step", "peak_loss",
                                                 "exploded_step"]),
                             hide_index=True, column_config=COMPARE_COLUMNS)
                st.caption(text.BEFORE_AFTER)

if (tab := tabs["PReLU slope"]) is not None:
    with tab:
        if (config := build(["relu", "prelu"])) is not None:
            activation_legend(["relu", "prelu"])

            def prelu_view():
                left, right = st.columns([3, 2])
                slope_slot, total_slot = Slot(left), Slot(right)

                def draw(runs) -> None:
                    slope_slot.altair_chart(charts.slope_chart(
                        dead.slopes_history(runs[0]), depth, float(params["prelu"]["slope"]),
                        steps=steps), width="stretch")
                    total_slot.altair_chart(charts.total_dead_chart(
                        dead.totals_frame(runs[0]), ["relu", "prelu"], height=300,
                        steps=steps), width="stretch")
                return draw

            session = live_runs("dead_relu_prelu", [config], prelu_view)
            if not session.playing:
                st.markdown(text.final_slopes(dead.slopes_history(session.run.snapshots_now())))
                st.caption(text.PRELU)
