"""Dead ReLU monitor: train live and watch units die, look inside the network, count the
dead at initialisation, and compare a remedy against the same run without it."""

import streamlit as st

from actlib.activations import HIDDEN_LAYER_KEYS, get
from actlib.charts import dead_relu as charts
from actlib.charts import loss_chart
from actlib.datasets import CLASSIFICATION_2D, DATASETS
from actlib.dead_units import (
    CENSUS_SEEDS,
    CURES,
    EXPLODED_LOSS,
    activity_frame,
    compare_runs,
    cure_config,
    cure_is_noop,
    dead_history_frame,
    describe_change,
    exploded_notes,
    histogram_frame,
    metrics_csv_frame,
    monitor_config,
    paired_totals,
    probe_rows,
    run_summary,
    slopes_history,
    status_table,
    totals_frame,
    training_rows,
)
from actlib.nets import INIT_SCHEMES
from actlib.probes import DEAD_UNIT_DEFINITION
from actlib.settings import (
    Choice,
    Flag,
    IntRange,
    MultiChoice,
    PageSettings,
    activation_param_settings,
    activation_params,
)
from actlib.training import OPTIMIZERS, CapExceededError, history_frame
from actlib.ui import cached_dead_relu as cached
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runner import run_live
from actlib.ui.settings_widgets import SettingsPanel

VIEWS = ("Training run", "Census at init", "Before / after", "PReLU slope")
DATA = (*CLASSIFICATION_2D, "digits")
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
BIASES = ("init", -3.0, -2.0, -1.0, -0.5, -0.2, 0.0, 0.2, 0.5)
INITS = tuple(k for k in INIT_SCHEMES if k != "naive")
PARAM_KEYS = ("leaky_relu", "prelu")
CAP_CONTROLS = {
    "steps": "fewer **Training steps**", "depth": "fewer **Hidden layers**",
    "width": "fewer **Units per layer**", "models": "fewer **Activations**",
}  # this page's controls for each lever of the run caps (CapExceededError.in_words)
REFRESH_SECONDS = 0.5  # a full redraw of this page's live charts costs ~0.1-0.3 s

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default="Training run", widget="tabs"),
        MultiChoice(
            "act", "Activations", options=HIDDEN_LAYER_KEYS,
            default=("relu", "leaky_relu", "elu", "gelu"),
            labels={k: get(k).name for k in HIDDEN_LAYER_KEYS}, min_count=1, max_count=6,
        ),
        Choice("data", "Data", options=DATA, default="moons",
               labels={k: DATASETS[k].label for k in DATA}),
        Choice(
            "lr", "Learning rate", options=LEARNING_RATES, default=0.1, widget="select_slider",
            help="High rates push a unit's weights and bias so far that it never fires again.",
        ),
        Choice("opt", "Optimiser", options=tuple(OPTIMIZERS), default="adam",
               labels={"sgd": "SGD", "momentum": "SGD with momentum", "adam": "Adam"}),
        Choice(
            "bias", "Initial bias", options=BIASES, default="init",
            labels={"init": "from init"}, widget="select_slider",
            help="Every hidden bias starts at this value (weights unchanged). A negative "
            "shift switches units off before training starts.",
        ),
        Choice("init", "Weight init", options=INITS, default="default",
               labels=charts.SCHEME_NAMES),
        Flag("bn", "Batch norm", default=False,
             help="Batch normalisation between each linear layer and its activation."),
        IntRange("depth", "Hidden layers", default=3, low=1, high=8),
        IntRange("width", "Units per layer", default=32, low=4, high=64, step=4),
        IntRange("steps", "Training steps", default=400, low=50, high=2000, step=50,
                 help="Updates on minibatches of 128 samples."),
        IntRange("seed", "Seed", default=0, low=0, high=9),
        Choice("chart", "Dead share as", options=("lines", "heatmap"), default="lines",
               labels={"lines": "Lines", "heatmap": "Heatmap"}, widget="segmented"),
        Choice("inspect", "Look inside", options=HIDDEN_LAYER_KEYS, default="relu",
               labels={k: get(k).name for k in HIDDEN_LAYER_KEYS}),
        IntRange("layer", "Layer", default=3, low=1, high=8),
        IntRange("cdepth", "Depth of the census network", default=10, low=2, high=50),
        Choice("cure", "Remedy", options=tuple(CURES), default="lower_lr", labels=CURES,
               widget="segmented"),
        *(s for key in PARAM_KEYS for s in activation_param_settings(key)),
    )
)

page_header(
    "Dead ReLU monitor",
    "Watch ReLU units die while a network trains, then prevent it.",
)
panel = SettingsPanel(SETTINGS, page="dead_relu")

row = st.columns([4.6, 1.3, 1.5], vertical_alignment="bottom")  # room for six chips
acts = list(panel.widget("act", row[0]))
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
values = panel.values()
params = {k: activation_params(k, values) for k in PARAM_KEYS}
bias = None if bias_choice == "init" else float(bias_choice)
shared = dict(params=params, dataset=dataset, lr=lr, optimizer=optimizer, bias=bias,
              init=init, batch_norm=batch_norm, depth=depth, width=width, steps=steps,
              seed=seed)

n_probe, n_train = probe_rows(dataset), training_rows(dataset)
probe_text = (f"the whole training set ({n_probe:,} samples)" if n_probe == n_train
              else f"the first {n_probe:,} of the {n_train:,} training samples")
st.markdown(
    ":small[**Dead unit:** a unit whose output, or whose slope, is exactly zero on every "
    "probe sample, so no gradient reaches its weights.]",
    help=f"{DEAD_UNIT_DEFINITION} The probe batch here: {probe_text}, measured in evaluation "
    "mode, as the model predicts.",
)

tabs = panel.tabs("view")


def build(activations: list[str]):
    """The run's config, or None after saying why it cannot run."""
    try:
        return monitor_config(activations, **shared)
    except CapExceededError as err:
        st.error(err.in_words(CAP_CONTROLS), icon="⏱️")
    except ValueError as err:
        st.error(f"These settings cannot train: {err}.")
    return None


def dead_chart(frame, keys, total_width=780, title="Dead units per layer over training"):
    builder = charts.dead_share_lines if panel.value("chart") == "lines" else \
        charts.dead_share_heatmap
    return builder(frame, keys, depth, total_width=total_width, title=title, steps=steps)


def show_divergences(slot, snapshots) -> None:
    """NaN divergences and finite ones (a loss past EXPLODED_LOSS) alike: a run whose loss
    exploded is no success because no unit died."""
    notes = [f"{d.label} diverged at step {d.step}: {d.reason}. Its curves stop there."
             for d in snapshots[-1].divergences()]
    notes += exploded_notes(run_summary(snapshots))
    if notes:
        slot.warning("\n\n".join(notes), icon="💥")
    else:
        slot.empty()


def download(snapshots, name: str) -> None:
    st.download_button(
        "Download the per-step metrics (CSV)", metrics_csv_frame(snapshots).to_csv(index=False),
        file_name=name, mime="text/csv", icon="📥", on_click="ignore",
    )


if (tab := tabs["Training run"]) is not None:
    with tab:
        if not acts:
            st.info("Pick at least one activation above to train.")
        elif (config := build(acts)) is not None:
            keys = [m.key for m in config.models]
            top = st.columns([1.3, 1.3, 1, 1.2], vertical_alignment="bottom")
            panel.widget("chart", top[0])
            inspect = panel.widget("inspect", top[1])
            layer = panel.widget("layer", top[2])
            again = top[3].button("Train again", icon="🔁", help="Watch this run train live.")
            if inspect not in keys:
                inspect = keys[0]
                st.caption(f"{get(panel.value('inspect')).name} is not training: looking "
                           f"inside {get(inspect).name} instead.")
            if layer > depth:
                layer = depth
                st.caption(f"The network has {depth} hidden layer(s): showing layer {depth}.")
            member = keys.index(inspect)
            runner = st.container()
            activation_legend(keys)
            metrics_slot = st.empty()
            dead_slot = st.empty()
            total_col, loss_col = st.columns(2)
            total_slot, loss_slot = total_col.empty(), loss_col.empty()
            map_col, hist_col = st.columns([1.1, 1])
            map_col.markdown(charts.activity_legend_html(), unsafe_allow_html=True)
            map_slot, hist_slot = map_col.empty(), hist_col.empty()
            status_slot = st.empty()
            slope_slot = st.empty()
            warn_slot = st.empty()
            source = cached.ProbeSource(config)

            def draw(snapshots) -> None:
                summary = run_summary(snapshots)
                totals = totals_frame(snapshots)
                with metrics_slot.container():
                    st.caption(f"Dead hidden units now, of {depth * width}, and the change "
                               "since initialisation:")
                    for col, item in zip(st.columns(len(summary)), summary.itertuples(),
                                         strict=True):
                        if item.diverged_step >= 0:
                            col.metric(item.activation, "diverged",
                                       f"at step {item.diverged_step}", delta_color="off",
                                       delta_arrow="off")
                            continue
                        if item.exploded_step >= 0:
                            col.metric(item.activation, "exploded",
                                       f"loss {item.peak_loss:.0e} at step {item.exploded_step}",
                                       delta_color="off", delta_arrow="off",
                                       help=f"{item.dead_now:.0f} dead, but the run diverged: "
                                       "the loss passed "
                                       f"{EXPLODED_LOSS:,.0f} without turning NaN.")
                            continue
                        col.metric(
                            item.activation, f"{item.dead_now:.0f}",
                            int(item.dead_now - item.dead_at_init), delta_color="inverse",
                            delta_description="since init",
                            chart_data=totals.loc[totals["key"] == item.key, "dead_units"]
                            .tolist(),
                        )
                show_divergences(warn_slot, snapshots)
                dead_slot.altair_chart(dead_chart(dead_history_frame(snapshots), keys),
                                       width="content")
                total_slot.altair_chart(
                    charts.total_dead_chart(totals, keys, height=230, steps=steps),
                    width="stretch")
                loss_slot.altair_chart(
                    loss_chart(history_frame(snapshots), keys, title="Training loss (log scale)",
                               splits=("train",), height=230, last_step=steps),
                    width="stretch")
                probe = source.at(snapshots[-1].step)
                if probe.diverged[member]:
                    map_slot.warning(f"{get(inspect).name} diverged: nothing left to look at.")
                    hist_slot.empty()
                else:
                    name = get(inspect).name
                    map_slot.altair_chart(charts.activity_map(
                        activity_frame(probe, member, layer),
                        f"{name}, layer {layer}, step {probe.step}: who fires on what"),
                        width="content")
                    hist_slot.altair_chart(charts.preactivation_histograms(
                        histogram_frame(probe, member), inspect, columns=2), width="content")
                status_slot.dataframe(status_table(probe), width="content")
                slopes = slopes_history(snapshots)
                if not slopes.empty:
                    slope_slot.altair_chart(charts.slope_chart(
                        slopes, depth, float(params["prelu"]["slope"]), height=260,
                        steps=steps),
                        width="stretch")

            with runner:
                run = run_live(config, draw, key="dead_relu", restart=again,
                               refresh_seconds=REFRESH_SECONDS, keep_height=True)
            if run.snapshots:
                final = run_summary(run.snapshots)
                others = final[(final["key"] != "relu") & (final["dead_now"] > 0)]
                notes = [
                    "The table counts, per layer, **dead** units and **nearly dead** ones "
                    "(alive, but firing on under 1% of the probe samples) at the last step.",
                    "**Leaky ReLU cannot die**: for x ≤ 0 it outputs a·x with slope a > 0, "
                    "so its output is exactly zero only at x = 0 exactly, and its slope "
                    "never is.",
                ]
                if len(others):
                    notes.append(
                        f"{', '.join(others['activation'])} lost units too: far below zero "
                        "their output or slope rounds to exactly 0 in float32 (GELU's output "
                        "does below about −5.6), so in practice they can die as well."
                    )
                st.caption(" ".join(notes))
                if run.from_cache:
                    st.caption("Shown from a finished run with these settings: press "
                               "**Train again** to watch it live.")
                download(run.snapshots, "dead_relu_metrics.csv")
            elif run.status == "stopped":
                st.info("Stopped before the first snapshot: press Train again.")
            if run.status == "stopped" and run.snapshots:
                runner.info(f"Training was stopped at step {run.snapshots[-1].step} of {steps}: "
                        "the charts show the steps done so far. Press Train again to run it "
                        "to the end.", icon="⏹️")

if (tab := tabs["Census at init"]) is not None:
    with tab:
        if not acts:
            st.info("Pick at least one activation above to count its dead units.")
        else:
            cdepth = panel.widget("cdepth", st.columns([1, 2])[0])
            frame = cached.census(tuple(acts), {k: params[k] for k in acts if k in params},
                                  dataset, cdepth, width, init, bias, batch_norm)
            activation_legend(acts)
            left, right = st.columns(2)
            left.altair_chart(charts.census_chart(frame, acts), width="stretch")
            right.altair_chart(
                charts.scheme_chart(cached.census_by_scheme(dataset, cdepth, width)),
                width="stretch")
            lines = []
            for key in acts:
                mine = frame[frame["key"] == key]
                lines.append(
                    f"- {get(key).name}: {mine['dead_share'].iloc[0]:.0%} dead in layer 1, "
                    f"{mine['dead_share'].iloc[-1]:.0%} in layer {cdepth}; nearly dead at "
                    f"most {mine['nearly_dead_share'].max():.0%} in any layer"
                )
            st.markdown("\n".join(lines))
            st.caption(
                f"Fresh networks of {cdepth} layers × {width} units, mean over "
                f"{len(CENSUS_SEEDS)} random "
                f"initialisations (band: lowest to highest), counted on {frame['samples'][0]:,} "
                "training samples, before a single step. Left: your init, bias and batch "
                "norm settings. Right: ReLU under each scheme with the biases it draws. "
                "PyTorch's default init shrinks the signal at every ReLU layer while the "
                "biases stay, so deep layers see little but their bias: a unit with a negative "
                "bias is off for every input. He init keeps the signal's scale and the share "
                "grows far more slowly; it still grows, because deep ReLU layers map all "
                "inputs to ever more similar patterns. Batch norm recentres each unit on the "
                "batch, so none start dead."
            )

if (tab := tabs["Before / after"]) is not None:
    with tab:
        cure = panel.widget("cure", st.columns([2, 1])[0])
        before = build(["relu"])
        if before is not None:
            after = cure_config(before, cure, params["leaky_relu"])
            change = describe_change(before, after)
            if cure_is_noop(before, cure):
                st.info("Your settings already apply this remedy, so both runs are the same: "
                        "switch it off above to see the difference.")
            left, right = st.columns(2)
            left.markdown("**Before:** ReLU with the settings above")
            right.markdown(f"**After:** {change}")
            slots = {side: col.empty() for side, col in (("before", left), ("after", right))}

            def drawer(side: str, config):
                key = config.models[0].key

                def draw(snapshots) -> None:
                    slots[side].altair_chart(
                        dead_chart(dead_history_frame(snapshots), [key], total_width=250,
                                   title="Dead units per layer"),
                        width="content")
                return draw

            with left:
                run_before = run_live(before, drawer("before", before), key="dead_relu_before")
            with right:
                run_after = run_live(after, drawer("after", after), key="dead_relu_after")
            if run_before.snapshots and run_after.snapshots:
                keys = list(dict.fromkeys(["relu", after.models[0].key]))
                st.altair_chart(charts.before_after_chart(
                    paired_totals(run_before.snapshots, run_after.snapshots), keys,
                    steps=steps),
                    width="stretch")
                table = compare_runs(run_before.snapshots, run_after.snapshots, change)
                st.dataframe(
                    table.drop(columns=["key", "diverged_step", "peak_loss", "exploded_step"]),
                hide_index=True,
                    column_config={
                        "hidden_units": st.column_config.NumberColumn("hidden units"),
                        "dead_at_init": st.column_config.NumberColumn("dead at init"),
                        "dead_now": st.column_config.NumberColumn("dead at the end"),
                        "dead_peak": st.column_config.NumberColumn("most dead"),
                        "dead_share_now": st.column_config.NumberColumn(
                            "dead share", format="percent"),
                        "train_loss": st.column_config.NumberColumn(
                            "training loss", format="%.4f"),
                        "train_accuracy": st.column_config.NumberColumn(
                            "training accuracy", format="percent"),
                    },
                )
                st.caption(
                    "The two runs are paired: same data, same initial weights (unless the "
                    "remedy changes them), same minibatches. A lower learning rate prevents "
                    "new deaths but cannot revive units that start dead: no gradient reaches "
                    "them, only changes upstream can switch them back on. Leaky ReLU and "
                    "batch norm keep a gradient flowing to every unit."
                )

if (tab := tabs["PReLU slope"]) is not None:
    with tab:
        config = build(["relu", "prelu"])
        if config is not None:
            activation_legend(["relu", "prelu"])
            left, right = st.columns([3, 2])
            slope_slot, total_slot = left.empty(), right.empty()

            def draw_prelu(snapshots) -> None:
                slope_slot.altair_chart(charts.slope_chart(
                    slopes_history(snapshots), depth, float(params["prelu"]["slope"]),
                    steps=steps),
                    width="stretch")
                total_slot.altair_chart(charts.total_dead_chart(
                    totals_frame(snapshots), ["relu", "prelu"], height=300, steps=steps),
                    width="stretch")

            run = run_live(config, draw_prelu, key="dead_relu_prelu")
            if run.snapshots:
                slopes = slopes_history(run.snapshots)
                final = slopes[slopes["step"] == slopes["step"].max()]
                st.markdown("Learned slope a at the last step: " + ", ".join(
                    f"layer {r.layer}: **{r.prelu_slope:.3f}**" for r in final.itertuples()))
                st.caption(
                    "Grey lines: the initial a (dashed) and a = 0 (solid), where PReLU is "
                    "plain ReLU. PReLU is Leaky ReLU whose negative slope a is a parameter, "
                    "one per layer "
                    "here (like nn.PReLU()), trained with the weights. While a stays away from "
                    "0 no unit can die; at a = 0 the layer is a ReLU layer again, and a "
                    "negative a makes the unit's output rise on both sides of 0."
                )
