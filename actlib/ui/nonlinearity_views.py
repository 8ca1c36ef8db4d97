"""The drawing parts of the "Why non-linearity" page: what each demo puts on screen once
the page has read its controls. The numbers come from the topic modules
(:mod:`actlib.collapse`, :mod:`actlib.approximation`, :mod:`actlib.perceptron`,
:mod:`actlib.softmax`); here they are only laid out, so the page stays a short read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from actlib import approximation, perceptron
from actlib.activations import get
from actlib.charts import nonlinearity as nl_charts
from actlib.collapse import CollapseReport, TrainedNetwork, matrix_chain, shape_chain
from actlib.softmax import probabilities
from actlib.training import Snapshot, TrainConfig
from actlib.ui import cached_nonlinearity as nl_cached
from actlib.ui.layout import activation_legend
from actlib.ui.slot import Slot


def points_of(config: TrainConfig) -> pd.DataFrame:
    """The run's points, as the engine loads them (cached)."""
    return nl_cached.points_frame(config.dataset, config.n_samples, config.noise,
                                  config.data_seed, config.test_fraction)


class TwinSurfaces:
    """The collapse's two decision surfaces side by side, redrawn at every snapshot."""

    def __init__(self, config: TrainConfig, columns: Sequence[Any]) -> None:
        self.keys = [m.key for m in config.models]
        self.points = points_of(config)
        self.slots = [Slot(column) for column in columns]

    def draw(self, snapshot: Snapshot, segment=None) -> None:
        """Each model's surface; the identity's with the folded line ``segment`` if given."""
        for i, slot in enumerate(self.slots):
            accuracy = snapshot.test_accuracy[i]
            name = get(self.keys[i]).name
            if np.isnan(accuracy):
                slot.warning(f"{name} diverged.")
                continue
            title = f"{name.split(' (')[0]}: test accuracy {accuracy:.0%}"
            slot.altair_chart(
                nl_charts.surface_chart(snapshot.surface_frame([i]), self.points, title,
                                        segment=segment if i == 0 else None),
                width="content")


def folded_map(report: CollapseReport, bent_name: str) -> None:
    """W' and b' of the identity network, the product of shapes, and how exact it is."""
    folded = report.collapse
    (w1, w2), (b,) = folded.affine.matrix[0], folded.affine.bias
    left, right = st.columns([2, 1])
    with left:
        st.markdown(f"**The whole identity network at step {report.step} is one affine map:**")
        st.latex(rf"W' = {matrix_chain(len(folded.layer_shapes))} = \begin{{bmatrix}} "
                 rf"{w1:.4f} & {w2:.4f} \end{{bmatrix}}, \qquad b' = {b:.4f}")
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
            f"epsilon is {folded.epsilon:.1e}. The {bent_name} network has no such "
            "matrix: its bends let the boundary curve."
        )


def fit_columns(fits: Sequence[approximation.UnitFit], target: str,
                points: pd.DataFrame | None) -> None:
    """Each activation's fit over the target, and below it the terms that sum to it."""
    truth = approximation.target_frame(target)
    for column, fit in zip(st.columns(len(fits)), fits, strict=True):
        with column:
            st.altair_chart(
                nl_charts.fit_chart(
                    pd.DataFrame({"x": fit.x, "value": fit.fit}), truth, fit.key,
                    alt.TitleParams(get(fit.key).name,
                                    subtitle=f"RMS error {fit.rms_error:.4f}"), points),
                width="stretch")
            every = approximation.contribution_stride(fit.units)
            st.altair_chart(
                nl_charts.contributions_chart(
                    approximation.contribution_frame(fit, every), fit.key,
                    f"its {fit.units} unit term{'s' if fit.units > 1 else ''}"),
                width="stretch")


def constructed_fits(keys: Sequence[str], target: str, units: int, noise: float) -> None:
    """The construction's fits, and its error as units are added."""
    fit_columns([nl_cached.construct_fit(k, target, units, noise) for k in keys], target, None)
    low, high = (f"{v:g}".replace("-", "−") for v in approximation.REGRESSION_X_RANGE)
    left, right = st.columns([3, 2])
    with left:
        st.altair_chart(
            nl_charts.error_chart(nl_cached.error_by_units(tuple(keys), target, noise),
                                  keys, units),
            width="stretch")
    with right:
        st.markdown(
            "**The construction.** Unit j bends where the j-th of N equal slices of "
            f"[{low}, {high}] begins, with a slope that grows with N; the output weights are "
            "the least-squares best fit. More units, finer pieces, smaller error: the "
            "universal approximation theorem at work. Two ReLUs make |x| exactly; the "
            "identity never improves, since a sum of lines is a line."
        )
        st.caption(f"RMS error against the noise-free target on {approximation.GRID_POINTS} "
                   f"points of [{low}, {high}].")


def live_fits(slot: Any, config: TrainConfig) -> Callable[[Sequence[Snapshot]], None]:
    """The draw callback of a training run: each network's current fit."""
    keys = [m.key for m in config.models]
    truth = approximation.target_frame(config.dataset)

    def draw(snapshots: Sequence[Snapshot]) -> None:
        last = snapshots[-1]
        frame = last.surface_frame()
        with slot.container():
            for column, key in zip(st.columns(len(keys)), keys, strict=True):
                fit = approximation.in_range(frame[frame["key"] == key][["x", "value"]])
                column.altair_chart(
                    nl_charts.fit_chart(fit, truth, key, f"{get(key).name}: step {last.step}"),
                    width="stretch")

    return draw


def trained_fits(config: TrainConfig, trained: TrainedNetwork) -> None:
    """The trained networks' fits and unit terms, over their training points, read from the
    live run's own network where it stands."""
    step = trained.step
    fits = approximation.trained_fits(trained.model, config.dataset, trained.data.x_train,
                                      trained.data.y_train)
    points = points_of(config).rename(columns={"x1": "x"})
    fit_columns(fits, config.dataset, points[points["split"] == "train"])
    st.caption(
        f"{config.n_train} training points (grey), full batch, Adam at learning rate "
        f"{config.lr:g}, {step} steps. Training finds *a* fit, not the best: "
        "compare the construction's error for the same N."
    )


def softmax_notes(logits: Sequence[float]) -> None:
    """The temperature limits in numbers, and why softmax sits on the output layer."""
    cold, hot = probabilities(logits, 0.05), probabilities(logits, 20.0)
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


def neurons(dataset: str, lr: float, seed: int, with_rule: bool, step: int) -> None:
    """The step and sigmoid neurons' lines, accuracy, loss and gradient, and the loss
    along one weight that shows why the step's gradient is zero."""
    runs, history, slices = nl_cached.neurons(dataset, perceptron.DATA_NOISE, lr, seed,
                                              with_rule)
    labels, keys = [r.label for r in runs], [r.key for r in runs]
    points = nl_cached.points_frame(dataset, perceptron.DATA_SAMPLES, perceptron.DATA_NOISE,
                                    0, 0.25)
    points = points[points["split"] == "train"]
    bounds = perceptron.plot_bounds(points)
    activation_legend(["step", "sigmoid"])
    left, right = st.columns([1, 1])
    with left:
        st.altair_chart(
            nl_charts.neuron_boundary_chart(points, perceptron.boundary_lines(runs, step, bounds),
                                            bounds, labels, keys,
                                            f"Boundaries w·x + b = 0 at step {step}"),
            width="content")
        for cell, r in zip(st.columns(len(runs)), runs, strict=True):
            cell.metric(r.short_label, f"{r.accuracy[step]:.0%}",
                        f"{r.accuracy[step] - r.accuracy[0]:+.0%}",
                        help="Share of the training points on their class's side; below, "
                        "the change since the start.")
    with right:
        for column, title in (("loss", "Loss (mean squared error)"),
                              ("signal", "Gradient norm ‖∇L‖")):
            st.altair_chart(nl_charts.neuron_history_chart(history, column, title, step,
                                                           labels, keys), width="stretch")
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
