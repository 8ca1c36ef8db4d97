"""The linear collapse: a deep network without a non-linearity is a single affine map.

Each layer computes ``W h + b``. Composing two gives ``W2 (W1 x + b1) + b2 =
(W2 W1) x + (W2 b1 + b2)``, again one matrix and one bias, so a stack of any depth of
identity-activation layers equals one layer ``W' x + b'``. This module folds the trained
weights of such a network into ``(W', b')`` and measures how far the deep network's outputs
are from ``W' x + b'`` (zero up to float rounding), plus the straight decision boundary
that ``W' x + b' = 0`` draws on 2-D data.

The collapse needs the trained weights, which snapshots do not hold: :func:`train_model`
has the engine train the same run to the step shown (:func:`actlib.training.run_to`), and
since a run is a pure function of its config that is exactly the network the snapshots
came from.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor

from actlib.datasets import Dataset
from actlib.nets import BatchedMLP, ensemble
from actlib.training import RunState, TrainConfig, run_to

F64 = torch.float64


# --- the trained network -------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TrainedNetwork:
    """The ensemble of a config after ``step`` updates, with its data.

    ``diverged_step[i]`` is the step at which model ``i``'s loss stopped being finite
    (-1 while healthy), as in the snapshots.
    """

    config: TrainConfig
    data: Dataset
    model: BatchedMLP
    step: int
    diverged_step: np.ndarray
    points: Tensor
    """Every training and test point, and the snapshot grid (2-D) or curve (1-D)."""

    def eval_points(self) -> Tensor:
        return self.points


def train_model(config: TrainConfig, steps: int | None = None) -> TrainedNetwork:
    """The network :func:`actlib.training.train` holds after ``steps`` updates (default: all).

    The engine's :func:`~actlib.training.run_to`, in evaluation mode: the network behind
    the run's snapshot at that step; like ``train`` it stops early once every model has
    diverged. ``steps=0`` gives the initial network.
    """
    run = run_to(config, config.steps if steps is None else int(steps))
    run.model.eval()
    return TrainedNetwork(config, run.data, run.model, run.steps_done,
                          run.diverged_step.copy(), run.eval_x)


def network_of(run: RunState) -> TrainedNetwork:
    """A live run's network where it stands, as a :class:`TrainedNetwork`: a copy in
    evaluation mode, so measuring it never disturbs the run, which trains on."""
    model = copy.deepcopy(run.model)
    model.eval()
    return TrainedNetwork(run.config, run.data, model, run.steps_done,
                          run.diverged_step.copy(), run.eval_x)


# --- folding the layers --------------------------------------------------------------------


@dataclass(frozen=True)
class AffineMap:
    """``x -> matrix @ x + bias``, in float64; ``matrix`` is ``[out, in]``."""

    matrix: np.ndarray
    bias: np.ndarray

    def apply(self, x: np.ndarray) -> np.ndarray:
        """Rows of inputs ``[rows, in]`` to rows of outputs ``[rows, out]``."""
        return np.asarray(x, dtype=np.float64) @ self.matrix.T + self.bias


def compose(
    layers: Sequence[tuple[Tensor, Tensor]], residual: Sequence[bool] | None = None
) -> AffineMap:
    """Fold affine layers, first layer first, into one map.

    Each layer is ``(weight [out, in], bias [out])`` as in ``nn.Linear``; a residual layer
    computes ``h + W h + b``, which is the affine map ``(I + W) h + b``. Done in float64 so
    the fold adds less rounding than the network it is compared with.
    """
    residual = [False] * len(layers) if residual is None else list(residual)
    if len(residual) != len(layers):
        raise ValueError("one residual flag per layer")
    if not layers:
        raise ValueError("compose needs at least one layer")
    in_dim = layers[0][0].shape[1]
    matrix = torch.eye(in_dim, dtype=F64)
    bias = torch.zeros(in_dim, dtype=F64)
    for (weight, b), skip in zip(layers, residual, strict=True):
        w = weight.detach().to(F64)
        if skip:
            w = w + torch.eye(w.shape[0], dtype=F64)
        matrix = w @ matrix
        bias = w @ bias + b.detach().to(F64)
    return AffineMap(matrix.numpy(), bias.numpy())


@dataclass(frozen=True)
class Collapse:
    """One identity network folded into ``W' x + b'``, and how well the fold matches it.

    ``layer_shapes`` are the ``[out, in]`` shapes multiplied together, first layer first;
    ``max_difference`` is the largest ``|network(x) - (W' x + b')|`` over ``n_points``
    inputs, in the network's own precision (``dtype``, machine epsilon ``epsilon``).
    """

    affine: AffineMap
    layer_shapes: tuple[tuple[int, int], ...]
    max_difference: float
    max_output: float
    n_points: int
    dtype: str
    epsilon: float


def collapse(model: BatchedMLP, index: int, x: Tensor) -> Collapse:
    """Fold model ``index`` (an identity-activation network) and compare it on inputs ``x``.

    Raises ValueError for a model that has a non-linearity or a normalisation: those are
    not one affine map (batch norm is, in evaluation mode, but the demo does not need it).
    """
    config = model.config
    member = config.models[index]
    if member.key != "identity":
        raise ValueError(f"{member.activation_label} is not linear: the layers do not collapse")
    if config.norm != "none":
        raise ValueError("a normalised network is left out of the collapse")
    layers = model.layer_parameters(index)
    affine = compose(layers, (*config.residual_layers, False))
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            outputs = model(x.to(config.torch_dtype))[index].to(F64).numpy()
    finally:
        model.train(was_training)
    folded = affine.apply(x.to(F64).numpy())
    return Collapse(
        affine=affine,
        layer_shapes=tuple(tuple(w.shape) for w, _ in layers),
        max_difference=float(np.abs(outputs - folded).max()),
        max_output=float(np.abs(outputs).max()),
        n_points=int(x.shape[0]),
        dtype=config.dtype,
        epsilon=float(torch.finfo(config.torch_dtype).eps),
    )


# --- the straight boundary -----------------------------------------------------------------


def boundary_segment(
    weights: Sequence[float], bias: float, bounds: Sequence[tuple[float, float]]
) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """Where the line ``w1 x1 + w2 x2 + b = 0`` crosses the box ``bounds``, as two points.

    None when the line misses the box (or both weights are zero: no line at all). For a
    binary classifier this is its decision boundary, the 0.5 level of sigmoid(w·x + b).
    """
    w1, w2 = (float(w) for w in weights)
    b = float(bias)
    (x1_lo, x1_hi), (x2_lo, x2_hi) = bounds
    points: list[tuple[float, float]] = []
    if abs(w2) > 1e-300:
        for x1 in (x1_lo, x1_hi):
            x2 = -(w1 * x1 + b) / w2
            if x2_lo <= x2 <= x2_hi:
                points.append((x1, x2))
    if abs(w1) > 1e-300:
        for x2 in (x2_lo, x2_hi):
            x1 = -(w2 * x2 + b) / w1
            if x1_lo <= x1 <= x1_hi:
                points.append((x1, x2))
    unique: list[tuple[float, float]] = []
    for p in points:
        if all(abs(p[0] - q[0]) + abs(p[1] - q[1]) > 1e-12 for q in unique):
            unique.append(p)
    if len(unique) < 2:
        return None
    # The two points farthest apart (a line through a corner is found twice).
    best = max(
        ((p, q) for i, p in enumerate(unique) for q in unique[i + 1:]),
        key=lambda pq: (pq[0][0] - pq[1][0]) ** 2 + (pq[0][1] - pq[1][1]) ** 2,
    )
    return best


# --- the demo's report ---------------------------------------------------------------------


@dataclass(frozen=True)
class CollapseReport:
    """What the page shows about a run's identity network at one step."""

    step: int
    collapse: Collapse | None
    segment: tuple[tuple[float, float], tuple[float, float]] | None
    diverged: bool


def collapse_report(config: TrainConfig, steps: int | None = None) -> CollapseReport:
    """Rebuild the run at ``steps`` and fold its first identity model (None if it has none)."""
    return report_of(train_model(config, steps))


def report_of(trained: TrainedNetwork) -> CollapseReport:
    """Fold the first identity model of a trained ensemble (None if it has none)."""
    config = trained.config
    keys = [m.key for m in config.models]
    if "identity" not in keys:
        return CollapseReport(trained.step, None, None, False)
    index = keys.index("identity")
    if trained.diverged_step[index] >= 0:
        return CollapseReport(trained.step, None, None, True)
    folded = collapse(trained.model, index, trained.eval_points())
    segment = None
    if trained.data.bounds is not None and len(trained.data.bounds) == 2:
        segment = boundary_segment(folded.affine.matrix[0], folded.affine.bias[0],
                                   trained.data.bounds)
    return CollapseReport(trained.step, folded, segment, False)


# --- the demo's run and its formulas -------------------------------------------------------

TWIN_RUN = {"n_samples": 300, "noise": 0.15, "width": 8, "lr": 0.01, "batch_size": 64,
            "steps": 400, "snapshot_every": 40, "dtype": "float64", "init": "orthogonal"}
"""Float64, so the fold agrees to ~1e-15; orthogonal weights keep the signal's size through
depth, so even 20 layers train in 400 steps."""
BEATS_LINE_BY = 0.03
"""Test accuracy the bent network needs above the straight line to count as better (a few
test points; the test set has 75)."""


def twin_config(dataset: str, activation: str, depth: int) -> TrainConfig:
    """The demo's run: an identity network and an ``activation`` twin of the same shape,
    trained together on ``dataset`` (raises ValueError for a run that cannot train here)."""
    return TrainConfig(dataset=dataset, models=ensemble(["identity", activation]),
                       depth=depth, **TWIN_RUN)


def beats_the_line(identity_accuracy: float, bent_accuracy: float) -> bool:
    """Whether the bent network's boundary did better than the identity's straight line."""
    return bool(bent_accuracy > identity_accuracy + BEATS_LINE_BY)


def matrix_chain(n_layers: int) -> str:
    """W_L ... W_1 in LaTeX (last layer first, as they multiply), with dots once it gets
    longer than five factors."""
    if n_layers <= 5:
        return r" \, ".join(f"W_{{{i}}}" for i in range(n_layers, 0, -1))
    return rf"W_{{{n_layers}}} W_{{{n_layers - 1}}} \cdots W_{{2}} W_{{1}}"


def shape_chain(shapes: Sequence[tuple[int, int]]) -> str:
    """The layers' (out, in) shapes multiplied in LaTeX, last layer first, runs of equal
    shapes as a power: (1x8)(8x8)^k(8x2)."""
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
