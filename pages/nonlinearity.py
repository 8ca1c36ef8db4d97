"""Why non-linearity: the linear collapse, a decision-boundary playground, universal
approximation in 1-D, softmax with temperature, and the step neuron that cannot learn."""

from dataclasses import replace

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from actlib.activations import ELEMENTWISE_KEYS, HIDDEN_LAYER_KEYS, get
from actlib.approximation import contribution_frame, target_frame
from actlib.charts import nonlinearity as nl_charts
from actlib.collapse import boundary_segment
from actlib.datasets import CLASSIFICATION_2D, DATASETS, REGRESSION_1D
from actlib.nets import MIN_WIDTH, ensemble
from actlib.perceptron import DATA_SAMPLES, STEPS
from actlib.playground import stuck_at_chance
from actlib.settings import (
    Choice,
    Flag,
    FloatRange,
    IntRange,
    MultiChoice,
    PageSettings,
)
from actlib.softmax import probabilities
from actlib.training import CapExceededError, Snapshot, TrainConfig, history_frame
from actlib.ui import cached_nonlinearity as nl_cached
from actlib.ui.layout import activation_legend, page_header
from actlib.ui.live_runner import LiveRun, keep_run, last_run, run_live, stop_requested
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.softmax_view import SOFTMAX_SETTINGS, softmax_explorer

DEMOS = ("Collapse", "Playground", "Approximation", "Softmax", "Step neuron")
DATA_LABELS = {k: DATASETS[k].label for k in DATASETS}
NAMES = {k: get(k).name for k in ELEMENTWISE_KEYS}
LEARNING_RATES = (0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
NEURON_RATES = (0.1, 0.3, 1.0, 3.0, 10.0)
NEURON_NOISE = 0.15
FIT_METHODS = {"construct": "Construction", "train": "Training"}

# The collapse: two networks of the same shape, trained together in float64.
# Orthogonal initialisation keeps the signal's size through depth, so 20 layers still train.
COLLAPSE = {"n_samples": 300, "noise": 0.15, "width": 8, "lr": 0.01, "batch_size": 64,
            "steps": 400, "snapshot_every": 40, "dtype": "float64", "init": "orthogonal"}
# The playground: one network; the trained step count is a setting, moved by the buttons.
PLAY = {"n_samples": 400, "batch_size": 32, "grid_size": 40}
PLAY_MAX_STEPS, PLAY_STEP, PLAY_BURST = 3000, 25, 250
PLAY_MAX_DEPTH, PLAY_MAX_WIDTH = 6, 16
# Approximation by training: full batch on 300 points, Adam.
APPROX = {"n_samples": 400, "lr": 0.02, "batch_size": None, "depth": 1}

SETTINGS = PageSettings(
    (
        Choice("demo", "Demo", options=DEMOS, default="Collapse", widget="tabs"),
        # Collapse
        Choice("c_data", "Data set", options=CLASSIFICATION_2D, default="moons",
               labels=DATA_LABELS),
        IntRange("c_depth", "Hidden layers", default=4, low=1, high=20,
                 help="Both networks have this many hidden layers of 8 units."),
        Choice("c_act", "Non-linearity to compare", options=HIDDEN_LAYER_KEYS, default="relu",
               labels=NAMES),
        # Playground
        Choice("p_data", "Data set", options=CLASSIFICATION_2D, default="circles",
               labels=DATA_LABELS),
        FloatRange("p_noise", "Noise", default=0.1, low=0.0, high=0.5, step=0.05),
        FloatRange("p_test", "Test share", default=0.25, low=0.1, high=0.5, step=0.05,
                   fmt="%.2f", help="Share of the points held out to measure the test loss."),
        Choice("p_lr", "Learning rate (Adam)", options=LEARNING_RATES, default=0.03,
               widget="select_slider"),
        Choice("p_act", "Activation", options=ELEMENTWISE_KEYS, default="tanh", labels=NAMES),
        IntRange("p_depth", "Hidden layers", default=2, low=1, high=PLAY_MAX_DEPTH),
        IntRange("p_width", "Units per layer", default=6, low=MIN_WIDTH, high=PLAY_MAX_WIDTH),
        IntRange("p_layer", "Show the units of layer", default=1, low=1, high=PLAY_MAX_DEPTH),
        IntRange("p_steps", "Trained steps", default=PLAY_BURST, low=0, high=PLAY_MAX_STEPS,
                 step=PLAY_STEP, help="The buttons move this; every state is a link."),
        # Approximation
        Choice("a_fit", "Weights from", options=tuple(FIT_METHODS), default="construct",
               labels=FIT_METHODS, widget="segmented",
               help="Construction: units spread evenly, output weights by least squares. "
               "Training: every weight learned by gradient descent (Adam)."),
        Choice("a_target", "Target", options=REGRESSION_1D, default="sine", labels=DATA_LABELS,
               widget="segmented"),
        IntRange("a_units", "Hidden units N", default=8, low=1, high=64),
        MultiChoice("a_act", "Activations", options=ELEMENTWISE_KEYS,
                    default=("relu", "tanh", "sigmoid"), labels=NAMES, max_count=4),
        FloatRange("a_noise", "Noise on the targets", default=0.0, low=0.0, high=0.5,
                   step=0.05),
        IntRange("a_steps", "Training steps", default=1000, low=100, high=2000, step=100),
        # Softmax (the explorer shared with the Shapes page)
        *SOFTMAX_SETTINGS,
        # Step neuron
        Choice("s_data", "Data set", options=CLASSIFICATION_2D, default="gaussians",
               labels=DATA_LABELS),
        Choice("s_lr", "Learning rate", options=NEURON_RATES, default=1.0,
               widget="select_slider"),
        IntRange("s_seed", "Starting line (seed)", default=0, low=0, high=20),
        IntRange("s_step", "Show step", default=STEPS, low=0, high=STEPS, step=5),
        Flag("s_rule", "Add Rosenblatt's rule", default=False,
             help="Also train the step neuron by the perceptron rule, which needs no "
             "derivative."),
    )
)

page_header(
    "Why non-linearity",
    "Stack linear layers and you get one matrix; add a bend and the network can draw curves.",
)
panel = SettingsPanel(SETTINGS, page="nonlinearity")
tabs = panel.tabs("demo")


def make_config(**kwargs) -> TrainConfig | None:
    """A TrainConfig, or None after showing why it cannot run here (a cap or a bad value)."""
    try:
        return TrainConfig(**kwargs)
    except CapExceededError as err:
        st.error(f"This run is too big to train here: {err}", icon="🛑")
    except ValueError as err:
        st.error(f"This run cannot start: {err}", icon="🛑")
    return None


def divergence_note(snapshot: Snapshot) -> None:
    for d in snapshot.divergences():
        st.warning(f"{d.label} diverged at step {d.step}: {d.reason}. Lower the learning "
                   "rate to train it.", icon="💥")


def points_of(config: TrainConfig) -> pd.DataFrame:
    return nl_cached.points_frame(config.dataset, config.n_samples, config.noise,
                                  config.data_seed, config.test_fraction)


# --- Collapse -------------------------------------------------------------------------------


def matrix_chain(n_layers: int) -> str:
    """W_L ... W_1 in LaTeX, with dots once it gets long."""
    if n_layers <= 5:
        return r" \, ".join(f"W_{{{i}}}" for i in range(n_layers, 0, -1))
    return rf"W_{{{n_layers}}} W_{{{n_layers - 1}}} \cdots W_{{2}} W_{{1}}"


def shape_chain(shapes) -> str:
    """(1x8)(8x8)^k(8x2) in LaTeX: the shapes multiplied, last layer first."""
    ordered = list(reversed(shapes))
    parts, i = [], 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[i]:
            j += 1
        out, inp = ordered[i]
        power = f"^{{{j - i + 1}}}" if j > i else ""
        parts.append(rf"({out} \times {inp}){power}")
        i = j + 1
    return r" \cdot ".join(parts)


def collapse_demo() -> None:
    st.markdown(
        "Two networks of the same shape train side by side on curved data. The left one has "
        "**no activation** (identity); the right one bends every unit. However deep the left "
        "one is, its layers multiply out to **one** matrix $W'$ and bias $b'$: its boundary "
        "can only be a straight line."
    )
    cols = st.columns(3)
    dataset = panel.widget("c_data", cols[0])
    depth = panel.widget("c_depth", cols[1])
    act = panel.widget("c_act", cols[2])
    keys = ["identity", act]
    config = make_config(dataset=dataset, models=ensemble(keys), depth=depth, **COLLAPSE)
    if config is None:
        return
    points = points_of(config)
    activation_legend(keys)
    left, right = st.columns(2)
    slots = [left.empty(), right.empty()]
    fold_area = st.container()
    loss_slot = st.empty()

    def draw_surfaces(snapshot: Snapshot, segment=None) -> None:
        for i, slot in enumerate(slots):
            accuracy = snapshot.test_accuracy[i]
            score = "diverged" if np.isnan(accuracy) else f"test accuracy {accuracy:.0%}"
            title = f"{get(keys[i]).name.split(' (')[0]}: {score}"
            if np.isnan(accuracy):
                slot.warning(f"{get(keys[i]).name} diverged.")
                continue
            slot.altair_chart(
                nl_charts.surface_chart(snapshot.surface_frame([i]), points, title,
                                        segment=segment if i == 0 else None),
                width="content",
            )

    def draw(snapshots) -> None:
        draw_surfaces(snapshots[-1])
        loss_slot.altair_chart(
            nl_charts.loss_chart(history_frame(snapshots), keys, title="Loss (log scale)",
                                 height=320, last_step=config.steps),
            width="stretch",
        )

    run = run_live(config, draw, key="nl_collapse")
    if run.last is None:
        st.info("Training was stopped before the first snapshot.")
        return
    divergence_note(run.last)
    identity_score, bent_score = run.last.test_accuracy
    if run.status == "finished" and not bent_score > identity_score + 0.03:
        st.info(f"The {get(act).name} network has not beaten the straight line in "
                f"{config.steps} steps: at this depth its gradients fade (see Vanishing and "
                "exploding gradients). Fewer hidden layers train.", icon="🐢")
    report = nl_cached.collapse_report(config, run.last.step)
    if report.collapse is None:
        return
    draw_surfaces(run.last, report.segment)
    folded = report.collapse
    (w1, w2), (b,) = folded.affine.matrix[0], folded.affine.bias
    n_layers = len(folded.layer_shapes)
    left, right = fold_area.columns([2, 1])
    with left:
        st.markdown(f"**The whole identity network at step {report.step} is one affine map:**")
        st.latex(rf"W' = {matrix_chain(n_layers)} = \begin{{bmatrix}} {w1:.4f} & {w2:.4f} "
                 rf"\end{{bmatrix}}, \qquad b' = {b:.4f}")
        st.latex(rf"\text{{shapes: }} {shape_chain(folded.layer_shapes)} = (1 \times 2)")
        st.caption(
            "The dashed line on the left map is W′x + b′ = 0, drawn from these numbers: it "
            "lies exactly on the network's 50 % boundary. Each layer computes Wh + b, and "
            "W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂): depth adds nothing. Both networks "
            "start from orthogonal weights and train with Adam."
        )
    with right:
        st.metric(
            "max |network(x) − (W′x + b′)|", f"{folded.max_difference:.1e}",
            help=f"Over {folded.n_points:,} inputs (training and test points and the map's "
            f"grid), outputs up to {folded.max_output:.3g} in size.",
        )
        st.caption(
            f"Zero up to rounding: the networks compute in {folded.dtype}, whose machine "
            f"epsilon is {folded.epsilon:.1e}. The {get(act).name} network has no such "
            "matrix: its bends let the boundary curve."
        )


# --- Playground -----------------------------------------------------------------------------


RUN_KEY = "nl_play"
# (config, snapshots) behind the Playground's charts as they are on screen now: what a new
# run keeps up until its replay passes it, and what Stop settles on. (A comment, not a
# docstring: Streamlit's magic would print a bare string on the page.)
ON_SCREEN = "_nl_play_on_screen"


def _set_steps(value: int) -> None:
    panel.set_values({"p_steps": int(min(max(value, 0), PLAY_MAX_STEPS))})


def _cadence(steps: int) -> int:
    """Snapshot spacing: every Step below 1,000 steps, every other Step above."""
    return PLAY_STEP if steps <= 1000 else 2 * PLAY_STEP


def _steps_config(config: TrainConfig, steps: int) -> TrainConfig:
    """The Playground's config of the same network trained for ``steps`` (at least 1 step
    is trained; the page shows step 0 by drawing only the first snapshot)."""
    return replace(config, steps=max(steps, 1), snapshot_every=_cadence(steps))


def _same_network(a: TrainConfig, b: TrainConfig) -> bool:
    return _steps_config(a, 0) == _steps_config(b, 0)


def _settle_after_stop() -> str | None:
    """In the rerun caused by Stop, before the controls are drawn: keep the picture that is
    on screen and move the step slider (and the link) to its step, so picture, slider, link
    and note agree and Step and Play act from there. Returns the note to show.

    Play replays the run from step 0 while the charts keep the previous picture until the
    replay passes it; so the screen shows the later of the replay's last drawn step and the
    step shown before Play. Settling on the replay's step instead would jump back.
    """
    if not stop_requested(RUN_KEY):
        return None
    live, screen = last_run(RUN_KEY), st.session_state.get(ON_SCREEN)
    if live is None or live.status != "running" or screen is None:
        return None
    config, snapshots = screen
    if not _same_network(config, live.config):
        return None
    step = snapshots[-1].step
    keep_run(RUN_KEY, LiveRun(_steps_config(config, step), snapshots, "stopped"))
    _set_steps(step)
    if step < PLAY_MAX_STEPS:
        return f"Stopped at step {step:,}. Step and Play go on from here."
    return f"Stopped at step {step:,}."


def playground_demo() -> None:
    st.markdown(
        "A small network in the spirit of TensorFlow Playground. **Step** trains 25 more "
        "steps, **Play** 250 more (Stop pauses), **Reset** goes back to the untrained "
        "network. The trained step count is part of the link: a run is replayed from its "
        "seed, so the same link always shows the same network."
    )
    stop_note = _settle_after_stop()
    row = st.columns(4)
    dataset = panel.widget("p_data", row[0])
    noise = panel.widget("p_noise", row[1])
    test_share = panel.widget("p_test", row[2])
    lr = panel.widget("p_lr", row[3])
    row = st.columns(4)
    act = panel.widget("p_act", row[0])
    depth = panel.widget("p_depth", row[1])
    width = panel.widget("p_width", row[2])
    layer = panel.widget("p_layer", row[3])
    current = int(panel.value("p_steps"))
    buttons = st.columns([1, 1, 1, 4], vertical_alignment="bottom")
    buttons[0].button("Reset", icon="⏮️", key="p_reset", on_click=_set_steps, args=(0,),
                      width="stretch", help="Back to the untrained network (step 0).")
    buttons[1].button("Step", icon="⏭️", key="p_step", on_click=_set_steps,
                      args=(current + PLAY_STEP,), width="stretch",
                      disabled=current >= PLAY_MAX_STEPS, help=f"Train {PLAY_STEP} more steps.")
    buttons[2].button("Play", icon="▶️", key="p_play", on_click=_set_steps,
                      args=(current + PLAY_BURST,), type="primary", width="stretch",
                      disabled=current >= PLAY_MAX_STEPS,
                      help=f"Train {PLAY_BURST} more steps, live; Stop pauses.")
    steps = panel.widget("p_steps", buttons[3])
    # Right under the buttons, so Stop and the notes are in view while the charts update.
    live_area, notes = st.container(), st.container()
    if stop_note:
        notes.info(stop_note, icon="⏸️")

    config = make_config(
        dataset=dataset, noise=noise, test_fraction=test_share, models=ensemble([act]),
        depth=depth, width=width, lr=lr, steps=max(steps, 1),
        snapshot_every=_cadence(steps), **PLAY,
    )
    if config is None:
        return
    points = points_of(config)
    left, right = st.columns([1, 1])
    surface_slot = left.empty()
    with right:
        metrics_slot = st.empty()
        loss_slot = st.empty()

    # A new step count replays the deterministic run from step 0. Until the replay passes
    # what is on screen, the charts on screen stay up instead of flashing back to step 0.
    screen = st.session_state.get(ON_SCREEN)
    floor = 0
    if screen is not None and _same_network(screen[0], config):
        floor = min(screen[1][-1].step, steps)

    def draw(snapshots, source: TrainConfig = config, final: bool = False) -> None:
        shown = [s for s in snapshots if s.step <= steps]
        last = shown[-1]
        if last.step < floor and not final and last.step != steps:
            return
        st.session_state[ON_SCREEN] = (source, tuple(shown))
        if np.isnan(last.train_loss[0]):
            surface_slot.warning(
                f"The network diverged at step {int(last.diverged_step[0])}: "
                f"{last.diverged_reason[0]}. Lower the learning rate and press Reset.",
                icon="💥")
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
            loss_slot.info("The loss curve starts with training: press Step or Play.",
                           icon="📉")
            return
        loss_slot.altair_chart(
            nl_charts.loss_chart(history_frame(shown), [act], title="Loss (log scale)",
                                 height=300, last_step=steps),
            width="stretch")

    if floor > 0:
        draw(screen[1], source=screen[0], final=True)
    with live_area:
        run = run_live(config, draw, key=RUN_KEY)
    if run.last is None:
        notes.info("Paused before the first snapshot.")
        return
    shown_step = min(run.last.step, steps)
    shown = [s for s in run.snapshots if s.step <= shown_step]
    with notes:
        if run.status == "stopped" and shown_step < steps and not stop_note:
            st.info(f"Stopped at step {shown_step:,} of {steps:,}.", icon="⏸️")
        divergence_note(run.last)
        stuck = stuck_at_chance(shown, lr)
        if stuck is not None:
            st.warning(stuck.explanation(), icon="🧊")
        start, now = run.snapshots[0].train_loss[0], run.last.train_loss[0]
        if stuck is None and lr >= 1 and shown_step > 0 and not now < 0.9 * start:
            st.warning(f"A learning rate of {lr:g} is too large here: the training loss went "
                       f"from {start:.3f} at step 0 to {now:.3f} at step {shown_step}. Adam's "
                       "steps overshoot every valley; try 0.01 to 0.1.", icon="🐢")
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
        f"{PLAY['batch_size']}, Adam."
    )


# --- Approximation --------------------------------------------------------------------------


def _fit_columns(fits, target: str, points: pd.DataFrame | None) -> None:
    truth = target_frame(target)
    columns = st.columns(len(fits))
    for column, fit in zip(columns, fits, strict=True):
        name = get(fit.key).name
        every = 2 if fit.units <= 16 else 4
        with column:
            st.altair_chart(
                nl_charts.fit_chart(
                    pd.DataFrame({"x": fit.x, "value": fit.fit}), truth, fit.key,
                    alt.TitleParams(name, subtitle=f"RMS error {fit.rms_error:.4f}"), points),
                width="stretch")
            st.altair_chart(
                nl_charts.contributions_chart(
                    contribution_frame(fit, every), fit.key,
                    f"its {fit.units} unit term{'s' if fit.units > 1 else ''}"),
                width="stretch")


def approximation_demo() -> None:
    st.markdown(
        "One hidden layer of N units computes $b_0 + \\sum_j v_j\\, f(w_j x + b_j)$: a sum "
        "of N shifted, stretched copies of the activation. The lower charts show each term "
        "$v_j f(w_j x + b_j)$; their sum is the fit above. ReLU adds hinges (a piecewise-"
        "linear fit), tanh and sigmoid add smooth S-curves, the identity only lines."
    )
    row = st.columns([2, 3])
    method = panel.widget("a_fit", row[0])
    target = panel.widget("a_target", row[1])
    row = st.columns([3, 2, 2], vertical_alignment="bottom")
    keys = list(panel.widget("a_act", row[0]))
    units = panel.widget("a_units", row[1])
    noise = panel.widget("a_noise", row[2])
    if not keys:
        st.info("Pick at least one activation to fit.")
        return
    activation_legend(keys)
    if method == "construct":
        fits = [nl_cached.construct_fit(k, target, units, noise) for k in keys]
        _fit_columns(fits, target, None)
        left, right = st.columns([3, 2])
        with left:
            st.altair_chart(
                nl_charts.error_chart(nl_cached.error_by_units(tuple(keys), target, noise),
                                      keys, units),
                width="stretch")
        with right:
            st.markdown(
                "**The construction.** Unit j bends where the j-th of N equal slices of "
                "[−2, 2] begins, with a slope that grows with N; the output weights are the "
                "least-squares best fit. More units, finer pieces, smaller error: the "
                "universal approximation theorem at work. Two ReLUs make |x| exactly; the "
                "identity never improves, since a sum of lines is a line."
            )
            st.caption("RMS error against the noise-free target on 401 points of [−2, 2].")
        return

    steps = panel.widget("a_steps", st.columns([2, 3])[0])
    if units < MIN_WIDTH:
        st.info(f"Training uses the engine, whose layers have at least {MIN_WIDTH} units: "
                f"set N to {MIN_WIDTH} or more (the construction takes N = 1).")
        return
    config = make_config(dataset=target, noise=noise, models=ensemble(keys), width=units,
                         steps=steps, snapshot_every=max(steps // 20, 1), **APPROX)
    if config is None:
        return
    slot = st.empty()
    truth = target_frame(target)

    def draw(snapshots) -> None:
        last = snapshots[-1]
        frame = last.surface_frame()
        with slot.container():
            st.caption(f"Training: step {last.step} of {config.steps}")
            columns = st.columns(len(keys))
            for column, key in zip(columns, keys, strict=True):
                fit = frame[frame["key"] == key][["x", "value"]]
                fit = fit[(fit["x"] >= -2) & (fit["x"] <= 2)]
                column.altair_chart(
                    nl_charts.fit_chart(fit, truth, key, f"{get(key).name}: step {last.step}"),
                    width="stretch")

    run = run_live(config, draw, key="nl_approx")
    if run.last is None:
        st.info("Training was stopped before the first snapshot.")
        return
    divergence_note(run.last)
    fits = nl_cached.trained_fits(config, run.last.step)
    slot.empty()
    points = points_of(config).rename(columns={"x1": "x"})
    _fit_columns(fits, target, points[points["split"] == "train"])
    st.caption(
        f"{config.n_train} training points (grey), full batch, Adam at learning rate "
        f"{APPROX['lr']}, {run.last.step} steps. Training finds *a* fit, not the best: "
        "compare the construction's error for the same N."
    )


# --- Softmax --------------------------------------------------------------------------------


def softmax_demo() -> None:
    logits, _ = softmax_explorer(panel)
    cold = probabilities(logits, 0.05)
    hot = probabilities(logits, 20.0)
    st.markdown(
        f"**The limits.** At T = 0.05 the distribution is "
        f"[{', '.join(f'{p:.3f}' for p in cold)}]: all mass on the largest logit, like "
        f"argmax. At T = 20 it is [{', '.join(f'{p:.3f}' for p in hot)}], close to "
        f"uniform (1/{len(logits)} = {1 / len(logits):.3f} each)."
    )
    st.markdown(
        "**Why on the output layer.** Softmax turns the last layer's scores into a "
        "distribution over classes, so the network can say *how* sure it is. In a hidden "
        "layer it would make units compete for a fixed total and squash the gradient. "
        "**Why PyTorch's cross-entropy wants logits:** `CrossEntropyLoss` computes "
        "log-softmax itself, stably (it never forms a probability of exactly 0). Adding your "
        "own softmax first applies it twice and flattens the loss."
    )
    st.code(
        "model = nn.Sequential(nn.Linear(d, 64), nn.ReLU(), nn.Linear(64, k))  # no softmax\n"
        "loss = nn.CrossEntropyLoss()(model(x), y)  # raw logits in\n"
        "probs = model(x).softmax(dim=-1)           # only to report probabilities",
        language="python",
    )


# --- Step neuron ----------------------------------------------------------------------------


def neuron_demo() -> None:
    st.markdown(
        "A biological neuron fires once its input passes a threshold: the **step** function, "
        "the first artificial neuron's activation. Train one step neuron and one sigmoid "
        "neuron by gradient descent from the same starting line. The step's derivative is "
        "zero wherever it exists, so its gradient is exactly zero and it never moves."
    )
    row = st.columns([2, 2, 2, 3], vertical_alignment="bottom")
    dataset = panel.widget("s_data", row[0])
    lr = panel.widget("s_lr", row[1])
    seed = panel.widget("s_seed", row[2])
    with_rule = panel.widget("s_rule", row[3])
    step = panel.widget("s_step")
    runs, history, slices = nl_cached.neurons(dataset, NEURON_NOISE, lr, seed, with_rule)
    labels = [r.label for r in runs]
    keys = [r.key for r in runs]
    points = nl_cached.points_frame(dataset, DATA_SAMPLES, NEURON_NOISE, 0, 0.25)
    points = points[points["split"] == "train"]
    bounds = [(float(points[c].min()) - 0.3, float(points[c].max()) + 0.3)
              for c in ("x1", "x2")]
    lines = []
    for r in runs:
        segment = boundary_segment(r.weights[step], r.bias[step], bounds)
        if segment is not None:
            lines += [{"neuron": r.label, "x1": p[0], "x2": p[1]} for p in segment]
    activation_legend(["step", "sigmoid"])
    left, right = st.columns([1, 1])
    with left:
        st.altair_chart(
            nl_charts.neuron_boundary_chart(points, pd.DataFrame(lines), bounds, labels, keys,
                                            f"Boundaries w·x + b = 0 at step {step}"),
            width="content")
        cells = st.columns(len(runs))
        for cell, r in zip(cells, runs, strict=True):
            cell.metric(r.short_label, f"{r.accuracy[step]:.0%}",
                        f"{r.accuracy[step] - r.accuracy[0]:+.0%}",
                        help="Share of the training points on their class's side; below, "
                        "the change since the start.")
    with right:
        st.altair_chart(
            nl_charts.neuron_history_chart(history, "loss", "Loss (mean squared error)", step,
                                           labels, keys),
            width="stretch")
        st.altair_chart(
            nl_charts.neuron_history_chart(history, "signal", "Gradient norm ‖∇L‖", step,
                                           labels, keys),
            width="stretch")
    step_signal = max(float(r.signal.max()) for r in runs if r.label == labels[0])
    note = (f"The step neuron's gradient is {step_signal:g} at every one of its "
            f"{runs[0].steps} steps: its weights never change.")
    if with_rule:
        note += (" Dashed: Rosenblatt's perceptron rule, which learns from the error instead "
                 "of a derivative. It trains one neuron but has no version for hidden layers; "
                 "backpropagation needed smooth activations.")
    st.caption(note)
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(nl_charts.loss_slice_chart(slices, float(runs[0].weights[0, 0])),
                        width="stretch")
    with right:
        st.markdown(
            "**Why.** For the step, the loss counts misclassified points, so it is flat "
            "between jumps: a small change of a weight changes nothing, and the slope that "
            "gradient descent follows is zero. The sigmoid's loss slopes smoothly towards "
            "the better lines. Smooth activations replaced the step for exactly this reason."
        )


if (tab := tabs["Collapse"]) is not None:
    with tab:
        collapse_demo()
if (tab := tabs["Playground"]) is not None:
    with tab:
        playground_demo()
if (tab := tabs["Approximation"]) is not None:
    with tab:
        approximation_demo()
if (tab := tabs["Softmax"]) is not None:
    with tab:
        softmax_demo()
if (tab := tabs["Step neuron"]) is not None:
    with tab:
        neuron_demo()
