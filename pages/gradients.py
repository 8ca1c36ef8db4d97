"""Vanishing and exploding gradients: real backpropagation through deep networks, at
initialisation and while training, with every remedy one click away."""

import streamlit as st

from actlib import gradients as grad
from actlib.activations import HIDDEN_LAYER_KEYS, get
from actlib.charts import gradients as charts
from actlib.charts import loss_chart
from actlib.datasets import DATASET_NAMES, DATASETS, info
from actlib.nets import INIT_SCHEMES, MAX_DEPTH, MIN_DEPTH
from actlib.settings import Choice, Flag, FloatRange, IntRange, MultiChoice, PageSettings
from actlib.training import OPTIMIZERS, CapExceededError, TrainConfig, history_frame
from actlib.ui import cached_gradients as cached
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runner import run_live
from actlib.ui.settings_widgets import SettingsPanel

VIEWS = ("At initialisation", "Training", "Activation statistics", "Symptoms and remedies")
DEFAULT = grad.Experiment()
SIGMAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
RATES = (0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0)
RUNNER_KEY = "gradients"
HEATMAP_WIDTH = 600  # px of heatmap panels side by side; with axis and legend: the page width
REFRESH_SECONDS = 0.6  # a redraw of both charts costs ~0.1 s: leave most time to training

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default=VIEWS[0], widget="tabs"),
        MultiChoice(
            "act", "Activations to compare", options=HIDDEN_LAYER_KEYS,
            default=DEFAULT.activations, labels={k: get(k).name for k in HIDDEN_LAYER_KEYS},
        ),
        IntRange("depth", "Hidden layers", default=DEFAULT.depth, low=MIN_DEPTH, high=MAX_DEPTH),
        IntRange("width", "Units per layer", default=DEFAULT.width, low=2, high=128),
        Choice("init", "Initialisation", options=tuple(INIT_SCHEMES), default=DEFAULT.init,
               labels=grad.INIT_LABELS,
               help="How the weights are drawn before training. Xavier is also called "
               "Glorot, He is also called Kaiming."),
        Choice("sigma", "σ of the naive init", options=SIGMAS, default=DEFAULT.init_sigma,
               widget="select_slider",
               help="Weights ~ N(0, σ²) whatever the layer's size (naive init only)."),
        Choice("norm", "Normalisation", options=tuple(grad.NORM_LABELS),
               default=DEFAULT.norm, labels=grad.NORM_LABELS,
               help="Batch or layer norm between the linear map and the activation."),
        Flag("residual", "Residual", default=DEFAULT.residual),
        Choice("data", "Data set", options=DATASET_NAMES, default=DEFAULT.dataset,
               labels={k: v.label for k, v in DATASETS.items()}),
        IntRange("seed", "Seed", default=DEFAULT.seed, low=0, high=99,
                 help="Seed of the initial weights and of the minibatch order."),
        Choice("theory", "Theory line", options=tuple(grad.THEORY_LABELS),
               default=grad.DEFAULT_THEORY, labels=grad.THEORY_LABELS,
               help="Product of one factor per layer from the last layer back: the slopes' "
               "RMS times the weights' own factor. The mean-slope line is a contrast."),
        Choice("opt", "Optimiser", options=tuple(OPTIMIZERS), default=DEFAULT.optimizer,
               labels={"sgd": "SGD", "momentum": "Momentum", "adam": "Adam"},
               widget="segmented"),
        Choice("lr", "Learning rate", options=RATES, default=DEFAULT.lr,
               widget="select_slider"),
        Flag("clip", "Clipping", default=False),
        FloatRange("max_norm", "Max norm", default=grad.DEFAULT_MAX_NORM, low=0.1,
                   high=10.0, step=0.1, fmt="%.1f",
                   help="With clipping on, torch.nn.utils.clip_grad_norm_ rescales each "
                   "model's gradient to at most this norm before the step."),
        IntRange("steps", "Training steps", default=DEFAULT.steps, low=50, high=1000, step=50),
    )
)


CUSTOM = "custom"
SCENARIO_KEY = "gradients:scenario"  # a menu, not a setting: the URL holds its settings
CAP_CONTROLS = {
    "steps": "fewer **Training steps**", "depth": "fewer **Hidden layers**",
    "width": "fewer **Units per layer**", "models": "fewer **Activations to compare**",
}  # this page's controls for each lever of the run caps (CapExceededError.in_words)


def active_scenario(values: dict) -> str:
    """The scenario whose settings are the page's settings now, or CUSTOM."""
    if not values["act"]:
        return CUSTOM
    current = grad.experiment_from_settings(values)
    return next((s.key for s in grad.SCENARIOS if s.experiment() == current), CUSTOM)


def apply_scenario() -> None:
    """Menu callback: set every control of the chosen scenario and open the tab where it
    shows, in the same rerun (a scenario about training changes nothing at init)."""
    key = st.session_state.get(SCENARIO_KEY, CUSTOM)
    if key == CUSTOM:
        return
    item = grad.scenario(key)
    view = VIEWS[1] if item.shows_on == "training" else VIEWS[0]
    panel.set_values({**grad.experiment_settings(item.experiment()), "view": view})


def scenario_label(key: str) -> str:
    if key == CUSTOM:
        return "Your own settings"
    item = grad.scenario(key)
    return f"{item.group.capitalize()} · {item.label}"


def scenario_menu(container) -> None:
    """A select box rather than a popover: it closes on a click and shows the scenario
    the current settings match (\"Your own settings\" once a control moves)."""
    st.session_state[SCENARIO_KEY] = active_scenario(panel.values())
    container.selectbox(
        "Scenario", [CUSTOM, *(s.key for s in grad.SCENARIOS)], format_func=scenario_label,
        key=SCENARIO_KEY, on_change=apply_scenario,
        help="Prepared settings for a lecture: each sets every control and opens the tab "
        "where it shows.",
    )


page_header(
    "Vanishing and exploding gradients",
    "Real backpropagation through deep networks: where the signal dies or blows up, and "
    "what each remedy does.",
)
panel = SettingsPanel(SETTINGS, page="gradients")

top = st.columns([2.6, 1.1, 0.8, 2.2], vertical_alignment="bottom")
selected = list(panel.widget("act", top[0]))
panel.widget("data", top[1])
panel.widget("seed", top[2])
scenario_menu(top[3])

row = st.columns([1, 1, 1.3, 1.2, 1.1, 0.9], vertical_alignment="bottom")
panel.widget("depth", row[0])
panel.widget("width", row[1])
init = panel.widget("init", row[2])
panel.widget("sigma", row[3], disabled=init != "naive")
panel.widget("norm", row[4])
panel.widget("residual", row[5])

values = panel.values()
tabs = panel.tabs("view")
experiment = grad.experiment_from_settings(values) if selected else None


def training_controls() -> None:
    """The training recipe; drawn on the tabs that train (the URL keeps it elsewhere)."""
    row = st.columns([3, 2, 1.2, 1.4, 1.4], vertical_alignment="bottom")
    panel.widget("opt", row[0])
    panel.widget("lr", row[1])
    clip = panel.widget("clip", row[2])
    panel.widget("max_norm", row[3], disabled=not clip)
    panel.widget("steps", row[4])


def clipped_note(last, chance: float) -> str:
    """Clipping keeps a run finite, not good: compare each final loss with guessing."""
    healthy = [(m.activation_label, float(loss)) for m, loss, step in
               zip(last.info.models, last.train_loss, last.diverged_step, strict=True)
               if step < 0]
    losses = ", ".join(f"{name} {loss:.3g}" for name, loss in healthy)
    worse = [name for name, loss in healthy if loss > chance]
    verdict = (f"{' and '.join(worse)} still {'does' if len(worse) == 1 else 'do'} worse than "
               "guessing: clipping only shortens each step, it does not undo a bad start."
               if worse else "every model now does better than guessing.")
    return (f"**Clipped:** final training loss {losses} after {last.step} steps, against "
            f"{chance:.3f} for a network that only guesses (the chance level): {verdict}")


def train_config(exp: grad.Experiment) -> TrainConfig | None:
    """The run's config, or None with the cap's message shown."""
    try:
        return exp.train_config()
    except CapExceededError as err:
        st.error(err.in_words(CAP_CONTROLS), icon="⏱️")
    except ValueError as err:
        st.error(f"These settings cannot be trained: {err}.")
    return None


if not selected:
    st.info("Pick at least one activation above to measure its gradients.")

if (tab := tabs["At initialisation"]) is not None and experiment is not None:
    with tab:
        flow = cached.init_flow(experiment)
        for message in grad.overflow_messages(flow):
            st.error(message, icon="💥")
        head = st.columns([3, 1.3], vertical_alignment="bottom")
        with head[0]:
            activation_legend(selected)
        kind = panel.widget("theory", head[1], label_visibility="collapsed")
        frame = flow.frame(kind)
        left, right = st.columns(2)
        with left:
            st.altair_chart(
                charts.flow_chart(frame, selected, "signal_norm",
                                  "Backpropagated signal ‖∂L/∂z‖ per layer (log)",
                                  theory=kind != "none"),
                width="stretch",
            )
            st.caption(
                "Backpropagation applies the chain rule layer by layer: δₗ = f′(zₗ) ⊙ "
                "(Wₗ₊₁ᵀ δₗ₊₁). Each step back multiplies by the local slopes f′ and by the "
                "weights. Dashed: the theory, the last layer's signal times one factor per "
                f"layer in between: the {grad.THEORY_TERMS[kind]}, {grad.WEIGHTS_TERM}."
                if kind != "none" else
                "Backpropagation applies the chain rule layer by layer: δₗ = f′(zₗ) ⊙ "
                "(Wₗ₊₁ᵀ δₗ₊₁). Each step back multiplies by the local slopes f′ and by the "
                "weights."
            )
        with right:
            st.altair_chart(
                charts.flow_chart(frame, selected, "weight_grad_rms",
                                  "Weight-gradient RMS per layer (log)"),
                width="stretch",
            )
            st.caption(
                "RMS = ‖∂L/∂W‖ / √(number of weights). Raw norms are not comparable: the "
                "first layer has only (inputs × width) weights, the others width²."
            )
        ratios = flow.ratios_frame()
        table = ratios[["activation"]].copy()
        table["first/last signal"] = ratios["signal_ratio"].map(grad.format_ratio)
        table["first/last weight RMS"] = ratios["weight_ratio"].map(grad.format_ratio)
        if kind != "none":
            table["theory (first/last)"] = ratios[f"{kind}_ratio"].map(grad.format_ratio)
        table["signal factor per layer"] = ratios["signal_per_layer"].map(grad.format_ratio)
        table["RMS slope per layer"] = ratios["slope_per_layer"].map(grad.format_ratio)
        table["weights per layer"] = ratios["weights_per_layer"].map(grad.format_ratio)
        st.dataframe(table, hide_index=True, width="stretch")
        st.markdown(
            f"**Why the two measures can disagree.** {grad.WHY_MEASURES_DIFFER}"
        )
        verdict = grad.theory_verdict(flow, kind, experiment)
        if verdict:
            st.markdown(f"**Theory against measurement** (within a factor of "
                        f"{grad.AGREEMENT_FACTOR:g} counts as agreeing). {verdict}")
        st.caption(
            "Why He for ReLU and Xavier for tanh: a layer keeps the size of the signal when "
            "(number of inputs) × Var(w) × E[f′²] ≈ 1. ReLU passes half the units with slope "
            "1 (E[f′²] = ½), so He init doubles the variance: Var(w) = 2/fan_in. Tanh has "
            "slope ≈ 1 near 0, so Xavier's Var(w) = 2/(fan_in + fan_out) (= 1/width here) "
            "fits it. Sigmoid's slope is at most ¼: no common init rescues it at depth. "
            f"Measured on the first {grad.PROBE_ROWS} training rows in float64, one batched "
            "pass for all activations."
        )

if (tab := tabs["Training"]) is not None and experiment is not None:
    with tab:
        training_controls()
        exp = experiment
        config = train_config(exp)
        if config is not None:
            runner = st.container()  # progress bar and stop button above the charts
            activation_legend(selected)
            messages = st.empty()
            left, right = st.columns([1.3, 1])
            loss_slot, summary_slot = left.empty(), right.empty()
            heat_slot = st.empty()
            meta = info(exp.dataset)
            chance = grad.chance_loss(meta.task, meta.n_classes)
            columns = min(len(selected), 4) if len(selected) <= 4 else 3

            def draw(snapshots) -> None:
                if not snapshots:  # stopped before the first snapshot
                    return
                lines = grad.divergence_messages(snapshots[-1])
                if lines:
                    messages.error("\n\n".join([*lines, grad.divergence_advice(exp)]),
                                   icon="💥")
                else:
                    messages.empty()
                loss_slot.altair_chart(
                    loss_chart(history_frame(snapshots), selected, "Training loss (log scale)",
                               ("train",), 300, exp.steps, chance, points=True),
                    width="stretch",
                )
                heat_slot.altair_chart(
                    charts.gradient_heatmap(grad.gradient_history_frame(snapshots), selected,
                                            columns=columns,
                                            cell_width=int(HEATMAP_WIDTH / columns)),
                    width="content",
                )
                summary_slot.markdown("\n".join(
                    f"- {line}" for line in grad.training_summary(snapshots)))

            with runner:
                run = run_live(config, draw, key=RUNNER_KEY, refresh_seconds=REFRESH_SECONDS)
            if run.status == "stopped":
                st.info("Training was stopped; the charts show the steps done so far.")
            if run.snapshots and exp.clip_norm is not None and chance is not None:
                st.markdown(clipped_note(run.snapshots[-1], chance))
            st.caption(
                "Vanishing shows as a flat loss (a plateau at the chance level "
                f"{'' if chance is None else f'{chance:.3f} '}— the network guesses) and a "
                "dark band in the first rows of the heatmap: those layers get almost no "
                "gradient, so they barely change. Exploding shows as a bright heatmap, "
                "a loss that jumps, and finally NaN. Adam rescales every weight's step by "
                "its own gradient size, which hides part of a vanishing gradient."
            )
            if exp.norm == "batch":
                st.caption(
                    "Batch norm: every snapshot measures the network in evaluation mode, with "
                    "its running statistics. At step 0 those have seen no batch yet, so the "
                    "first column still shows the un-normalised network."
                )

if (tab := tabs["Activation statistics"]) is not None and experiment is not None:
    with tab:
        training_controls()
        exp = experiment
        flow = cached.init_flow(exp)
        config = train_config(exp)
        runner = st.container()
        activation_legend(selected)
        stage_note = st.empty()
        slots = st.columns(3)
        chart_slots = [c.empty() for c in slots]
        note = st.empty()

        def draw_stats(snapshots) -> None:
            last = snapshots[-1] if snapshots else None
            frame = grad.statistics_frame(flow.stats, last)
            stage_note.markdown(
                "Dashed ╌╌ at initialisation" if last is None else
                f"Dashed ╌╌ at initialisation · solid ── after {last.step} training steps")
            for slot, (measure, title, fmt) in zip(chart_slots, (
                ("mean", "Mean of the outputs", None),
                ("std", "Std of the outputs", None),
                ("saturated", "Saturated share |f′| < 0.05", "%"),
            ), strict=True):
                slot.altair_chart(
                    charts.stats_chart(frame, selected, measure, title, y_format=fmt),
                    width="stretch",
                )
            if last is not None and grad.divergence_messages(last):
                note.warning("Diverged models have no statistics after training: "
                             + " ".join(grad.divergence_messages(last)))

        if config is None:
            draw_stats([])
        else:
            with runner:
                run_live(config, draw_stats, key=RUNNER_KEY, refresh_seconds=REFRESH_SECONDS)
        left, right = st.columns([1, 2])
        with left:
            st.altair_chart(charts.pre_activation_chart(flow.stats_frame(), selected),
                            width="stretch")
        with right:
            st.markdown(
                "**Too large weights** push the activation inputs far from 0: sigmoid and "
                "tanh sit on their flat tails (saturated share near 100%), their slope is "
                "≈ 0 and the gradient dies. **Too small weights** shrink the inputs layer "
                "by layer (the std falls on the left chart): the outputs of the deep layers "
                "carry almost no signal, and for GELU and SiLU each layer halves it."
            )
            st.caption(
                "Dashed: the untrained network, on the probe batch (batch norm uses the "
                "batch's statistics). Solid: the last snapshot of the training run, in "
                "evaluation mode. Saturated: the share of (sample, unit) pairs where "
                "|f′| < 0.05; for ReLU that is its inactive half, where f′ = 0."
            )

if (tab := tabs["Symptoms and remedies"]) is not None:
    with tab:
        left, right = st.columns(2)
        with left:
            st.subheader("Vanishing gradients")
            st.markdown(
                "**Symptoms**\n"
                "- the loss plateaus early, often at the chance level\n"
                "- the first layers barely update (a dark band at the top of the heatmap)\n\n"
                "**Remedies** (each one is a lecture scenario above)\n"
                "- ReLU-family activations: slope 1 wherever the unit is active\n"
                "- initialisation matched to the activation: He for ReLU, Xavier for tanh\n"
                "- normalisation before the activation: batch norm rescues even sigmoid "
                "here; layer norm alone does not (try it: sigmoid's slope stays ≤ ¼)\n"
                "- residual connections, h + f(Wh + b): the skip path carries the gradient past "
                "every layer"
            )
        with right:
            st.subheader("Exploding gradients")
            st.markdown(
                "**Symptoms**\n"
                "- the loss jumps, grows, and becomes NaN\n"
                "- huge updates: weights and gradients grow layer by layer\n\n"
                "**Remedies** (each one is a lecture scenario above)\n"
                "- gradient clipping (`torch.nn.utils.clip_grad_norm_`)\n"
                "- layer normalisation\n"
                "- a lower learning rate\n"
                "- a sane initialisation (He, Xavier) instead of a fixed large σ"
            )
        st.code(
            "loss.backward()\n"
            "torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)\n"
            "optimizer.step()",
            language="python",
        )
