"""A single neuron, step or sigmoid, trained by gradient descent: why the step cannot learn.

The neuron computes ``y_hat = f(w . x + b)`` on 2-D points and is trained, full batch, by
plain gradient descent on the mean squared error ``mean((y_hat - y)^2)``. For the step
function ``f' = 0`` wherever it exists, so the gradient is exactly zero and the weights
never move; the catalogue's step carries that zero through autograd (it does not cut the
graph). Its loss is the error rate, a staircase in the weights: flat almost everywhere, with
jumps where a point changes side. The sigmoid's loss is smooth, so its gradient points
downhill and the boundary turns into place.

Rosenblatt's perceptron rule ``w += lr * mean((y - y_hat) x)`` does train a step neuron: it
uses the error, not a derivative. It has no counterpart for hidden layers, which is why
backpropagation needed smooth activations. Both are here so the page can show all three.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from actlib.activations import get

F64 = torch.float64
STEPS = 300
DATA_SAMPLES = 200
"""Points drawn for the neuron demo (150 train after the engine's 25% test split)."""
DATA_NOISE = 0.15
"""Noise of the neuron demo's data: enough overlap that no line is perfect."""
Rule = Literal["gradient", "perceptron"]
RULE_NAMES = {"gradient": "gradient descent", "perceptron": "perceptron rule"}


@dataclass(frozen=True)
class NeuronRun:
    """One neuron's training, state by state: index t is the state after t updates.

    ``signal[t]`` is the norm of the update direction at state t, ``||(dw, db)|| / lr``:
    for gradient descent the norm of the gradient, for the perceptron rule the norm of its
    error-weighted input.
    """

    key: str
    rule: Rule
    weights: np.ndarray
    bias: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    signal: np.ndarray

    @property
    def label(self) -> str:
        return f"{get(self.key).name} · {RULE_NAMES[self.rule]}"

    @property
    def short_label(self) -> str:
        """"Step", "Sigmoid" or "Step, rule": for narrow places such as metrics."""
        name = get(self.key).name.split(" (")[0]
        return name + (", rule" if self.rule == "perceptron" else "")

    @property
    def steps(self) -> int:
        return len(self.loss) - 1


def initial_weights(seed: int) -> tuple[np.ndarray, float]:
    """Starting (w, b), drawn from N(0, 1) by a generator of their own: both neurons start
    from the same line, so only the activation differs."""
    g = torch.Generator().manual_seed(int(seed))
    values = torch.randn(3, generator=g, dtype=F64)
    return values[:2].numpy(), float(values[2])


def neuron_loss(key: str, x: Tensor, y: Tensor, w: Tensor, b: Tensor) -> Tensor:
    """Mean squared error of ``f(x w + b)`` against labels 0/1 (the step's is its error rate)."""
    out = get(key)(x @ w + b)
    return ((out - y) ** 2).mean()


def _accuracy(x: Tensor, y: Tensor, w: Tensor, b: Tensor) -> float:
    """Share of points on their class's side of the line (z > 0 means class 1)."""
    return float((((x @ w + b) > 0).to(F64) == y).to(F64).mean())


def train_neuron(
    key: str, x: Tensor, y: Tensor, lr: float, steps: int = STEPS,
    init: tuple[Sequence[float], float] = ((0.0, 0.0), 0.0), rule: Rule = "gradient",
) -> NeuronRun:
    """Train one neuron full batch for ``steps`` updates from ``init``.

    ``rule="gradient"``: gradient descent on :func:`neuron_loss`, gradients by autograd.
    ``rule="perceptron"``: Rosenblatt's rule (step neurons only).
    """
    if rule == "perceptron" and key != "step":
        raise ValueError("the perceptron rule trains step neurons")
    if not lr > 0:
        raise ValueError("lr must be positive")
    x, y = x.to(F64), y.to(F64)
    w = torch.tensor(list(init[0]), dtype=F64, requires_grad=True)
    b = torch.tensor(float(init[1]), dtype=F64, requires_grad=True)
    weights, biases, losses, accuracies, signals = [], [], [], [], []
    for t in range(steps + 1):
        loss = neuron_loss(key, x, y, w, b)
        if rule == "gradient":
            dw, db = torch.autograd.grad(loss, (w, b))
        else:
            with torch.no_grad():
                error = y - get("step")(x @ w + b)
                dw, db = -(error.unsqueeze(1) * x).mean(0), -error.mean()
        weights.append(w.detach().numpy().copy())
        biases.append(float(b.detach()))
        losses.append(float(loss.detach()))
        accuracies.append(_accuracy(x, y, w.detach(), b.detach()))
        signals.append(float(torch.sqrt((dw**2).sum() + db**2)))
        if t < steps:
            with torch.no_grad():
                w -= lr * dw
                b -= lr * db
    return NeuronRun(key, rule, np.array(weights), np.array(biases), np.array(losses),
                     np.array(accuracies), np.array(signals))


def compare(
    x: Tensor, y: Tensor, lr: float, seed: int, steps: int = STEPS, with_rule: bool = False
) -> list[NeuronRun]:
    """The step and the sigmoid neuron by gradient descent from the same start, and the step
    neuron by the perceptron rule if asked."""
    init = initial_weights(seed)
    runs = [train_neuron(k, x, y, lr, steps, init) for k in ("step", "sigmoid")]
    if with_rule:
        runs.append(train_neuron("step", x, y, lr, steps, init, rule="perceptron"))
    return runs


def history_frame(runs: Sequence[NeuronRun]) -> pd.DataFrame:
    """One row per (neuron, step): loss, accuracy, signal, w1, w2, b."""
    return pd.concat(
        [pd.DataFrame({
            "neuron": r.label, "key": r.key, "rule": r.rule, "step": np.arange(r.steps + 1),
            "loss": r.loss, "accuracy": r.accuracy, "signal": r.signal,
            "w1": r.weights[:, 0], "w2": r.weights[:, 1], "b": r.bias,
        }) for r in runs],
        ignore_index=True,
    )


def loss_slice(
    key: str, x: Tensor, y: Tensor, w: Sequence[float], b: float,
    low: float = -6.0, high: float = 6.0, points: int = 241,
) -> pd.DataFrame:
    """The loss as w1 alone moves from ``low`` to ``high`` (w2 and b held): a staircase for
    the step, a smooth valley for the sigmoid."""
    x, y = x.to(F64), y.to(F64)
    values = torch.linspace(low, high, points, dtype=F64)
    w2, bias = torch.tensor(float(w[1]), dtype=F64), torch.tensor(float(b), dtype=F64)
    losses = [float(neuron_loss(key, x, y, torch.stack([v, w2]), bias)) for v in values]
    return pd.DataFrame({"neuron": get(key).name, "key": key, "w1": values.numpy(),
                         "loss": losses})


# --- the page's picture ------------------------------------------------------------------------

PLOT_MARGIN = 0.3


def plot_bounds(points: pd.DataFrame) -> tuple[tuple[float, float], tuple[float, float]]:
    """The box the boundary chart shows: the points' x1 and x2 ranges with a margin, so
    every point sits inside and each neuron's line is cut at the box."""
    return tuple((float(points[c].min()) - PLOT_MARGIN, float(points[c].max()) + PLOT_MARGIN)
                 for c in ("x1", "x2"))  # type: ignore[return-value]


def boundary_lines(runs: Sequence[NeuronRun], step: int,
                   bounds: Sequence[tuple[float, float]]) -> pd.DataFrame:
    """Each neuron's line w·x + b = 0 at ``step``, cut at ``bounds``: two rows (neuron, x1,
    x2) per neuron whose line crosses the box, none for one that misses it."""
    from actlib.collapse import boundary_segment

    rows = []
    for run in runs:
        segment = boundary_segment(run.weights[step], run.bias[step], bounds)
        if segment is not None:
            rows += [{"neuron": run.label, "x1": p[0], "x2": p[1]} for p in segment]
    return pd.DataFrame(rows, columns=["neuron", "x1", "x2"])
