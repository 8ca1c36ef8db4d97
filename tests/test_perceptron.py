"""The step neuron gets exactly zero gradient; the sigmoid neuron learns."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from actlib.datasets import load
from actlib.perceptron import (
    DATA_SAMPLES,
    compare,
    history_frame,
    initial_weights,
    loss_slice,
    train_neuron,
)


@pytest.fixture(scope="module")
def blobs():
    data = load("gaussians", DATA_SAMPLES, 0.15, 0, dtype=torch.float64)
    return data.x_train, data.y_train


def test_step_neuron_has_zero_gradient_and_never_moves(blobs) -> None:
    x, y = blobs
    init = initial_weights(0)
    run = train_neuron("step", x, y, lr=1.0, steps=50, init=init)
    assert np.all(run.signal == 0.0)
    assert np.all(run.weights == init[0]) and np.all(run.bias == init[1])
    # Its squared error on 0/1 outputs is its error rate, counted by hand.
    z = x.numpy() @ init[0] + init[1]
    error_rate = np.mean((z > 0).astype(float) != y.numpy())
    np.testing.assert_allclose(run.loss, error_rate)
    np.testing.assert_allclose(run.accuracy, 1 - error_rate)


def test_sigmoid_gradient_matches_the_closed_form(blobs) -> None:
    x, y = blobs
    w, b = initial_weights(0)
    run = train_neuron("sigmoid", x, y, lr=1.0, steps=1, init=(w, b))
    xs, ys = x.numpy(), y.numpy().astype(float)
    s = 1 / (1 + np.exp(-(xs @ w + b)))
    factor = 2 * (s - ys) * s * (1 - s)
    grad = np.append((factor[:, None] * xs).mean(0), factor.mean())
    np.testing.assert_allclose(run.signal[0], np.linalg.norm(grad), rtol=1e-10)
    np.testing.assert_allclose(run.weights[1], w - grad[:2], rtol=1e-10)
    np.testing.assert_allclose(run.bias[1], b - grad[2], rtol=1e-10)


def test_sigmoid_learns_where_step_cannot(blobs) -> None:
    x, y = blobs
    step, sigmoid = compare(x, y, lr=1.0, seed=0)
    assert step.accuracy[-1] == step.accuracy[0] < 0.7
    assert sigmoid.accuracy[-1] > 0.95
    assert sigmoid.loss[-1] < sigmoid.loss[0] / 5
    assert step.label.startswith("Step") and sigmoid.short_label == "Sigmoid"


def test_perceptron_rule_trains_the_step_neuron(blobs) -> None:
    x, y = blobs
    runs = compare(x, y, lr=1.0, seed=0, with_rule=True)
    rule = runs[2]
    assert rule.rule == "perceptron" and rule.short_label == "Step, rule"
    assert rule.accuracy[-1] > 0.95
    with pytest.raises(ValueError, match="step"):
        train_neuron("sigmoid", x, y, 1.0, rule="perceptron")
    frame = history_frame(runs)
    assert len(frame) == 3 * (runs[0].steps + 1)


def test_no_single_neuron_solves_xor() -> None:
    data = load("xor", DATA_SAMPLES, 0.15, 0, dtype=torch.float64)
    for run in compare(data.x_train, data.y_train, lr=1.0, seed=0, with_rule=True):
        assert run.accuracy.max() < 0.8


def test_the_step_loss_is_flat_between_jumps(blobs) -> None:
    x, y = blobs
    w, b = initial_weights(0)
    step = loss_slice("step", x, y, w, b)["loss"].to_numpy()
    sigmoid = loss_slice("sigmoid", x, y, w, b)["loss"].to_numpy()
    flat = np.mean(np.diff(step) == 0)
    assert flat > 0.5  # most small moves of w1 change nothing
    assert np.all(np.diff(sigmoid) != 0)  # every move changes the smooth loss
    assert np.all(np.isin(np.round(step * len(y)), np.arange(len(y) + 1)))  # counts of errors


def test_boundary_lines_cut_each_neuron_at_the_plot_box() -> None:
    import numpy as np
    import pandas as pd

    from actlib.perceptron import PLOT_MARGIN, boundary_lines, plot_bounds

    points = pd.DataFrame({"x1": [-1.0, 1.0], "x2": [0.0, 2.0]})
    bounds = plot_bounds(points)
    assert bounds == ((-1 - PLOT_MARGIN, 1 + PLOT_MARGIN), (-PLOT_MARGIN, 2 + PLOT_MARGIN))

    class Run:  # what boundary_lines reads of a NeuronRun
        def __init__(self, label, w, b):
            self.label, self.weights, self.bias = label, np.array([w]), np.array([b])

    lines = boundary_lines([Run("vertical", (1.0, 0.0), 0.0), Run("misses", (1.0, 0.0), -9.0)],
                           0, bounds)
    assert lines["neuron"].tolist() == ["vertical", "vertical"]
    assert lines["x1"].tolist() == [0.0, 0.0]
