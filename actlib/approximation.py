"""Universal approximation in 1-D: one hidden layer of N units, and what each unit adds.

A network ``x -> b0 + sum_j v_j f(w_j x + b_j)`` with one hidden layer is a sum of N copies
of the activation's shape, each shifted, stretched and scaled. With enough units such sums
approach any continuous target. Seeing the terms ``v_j f(w_j x + b_j)`` one by one shows
why the fit looks the way it does: hinges for ReLU (so the sum is piecewise linear), steps
for the step function (a staircase), smooth S-curves for tanh and sigmoid, and only straight
lines for the identity (the sum of lines is one line, however many units).

Two ways to get the weights:

* :func:`construct_fit` builds the classic proof's network: unit j bends at the left edge
  of the j-th of N equal slices of the input range, with a steepness that grows with N, and
  the output weights are the least-squares best fit (a tiny ridge keeps them readable).
  Deterministic and instant, and its error falls as N grows.
* :func:`trained_fits` reads a network trained by gradient descent with the engine (see
  :func:`actlib.collapse.train_model`): what training found, which need not be the best.

:func:`unit_outputs` (the output of every unit of a hidden layer) serves both, and the
playground's hidden-unit maps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from actlib.activations import get
from actlib.datasets import REGRESSION_X_RANGE, grid_points, load, target_function
from actlib.nets import BatchedMLP, ensemble, traced_eval
from actlib.training import TrainConfig

F64 = torch.float64
GRID_POINTS = 401
"""Points on which a fit is drawn and its error against the true target measured."""
MAX_UNITS = 64
FIT_SAMPLES = 400
"""Samples drawn for the construction (300 for fitting after the engine's 25% test split)."""
STEEPNESS = 2.0
"""Unit slope times slice width: each S-curve or bend spans about one slice."""
RIDGE = 1e-6
"""Ridge penalty per training point on the output weights: without it, many overlapping
smooth units fit with huge weights of opposite signs, which is exact but unreadable."""
UNITS_SWEEP = (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)


@dataclass(frozen=True)
class UnitFit:
    """One activation's fit on the grid ``x``.

    ``contributions[j]`` is unit j's term ``v_j f(w_j x + b_j)``; ``fit`` is their sum plus
    ``output_bias``. ``rms_error`` compares the fit with the noise-free target on the grid,
    ``train_rms`` with the (possibly noisy) training targets.
    """

    key: str
    units: int
    x: np.ndarray
    fit: np.ndarray
    contributions: np.ndarray
    output_bias: float
    rms_error: float
    train_rms: float


def _grid() -> Tensor:
    low, high = REGRESSION_X_RANGE
    return torch.linspace(low, high, GRID_POINTS, dtype=F64)


def _rms(a: np.ndarray | Tensor, b: np.ndarray | Tensor) -> float:
    diff = np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)
    return float(np.sqrt(np.mean(diff**2)))


def construction_units(units: int) -> tuple[Tensor, Tensor]:
    """(slopes w_j, biases b_j) of the construction: unit j bends at the left edge c_j of the
    j-th of ``units`` equal slices of the input range, with slope STEEPNESS / slice width, so
    ``w_j x + b_j = w (x - c_j)``.

    With the first bend at the range's left end, N ReLUs give every continuous piecewise-
    linear function with those N knots (|x| exactly from N = 2), and N steps every staircase.
    """
    if not 1 <= units <= MAX_UNITS:
        raise ValueError(f"units must lie between 1 and {MAX_UNITS}, got {units}")
    low, high = REGRESSION_X_RANGE
    width = (high - low) / units
    edges = low + torch.arange(units, dtype=F64) * width
    slope = torch.full((units,), STEEPNESS / width, dtype=F64)
    return slope, -slope * edges


def _hidden(key: str, x: Tensor, slopes: Tensor, biases: Tensor) -> Tensor:
    """f(w_j x + b_j) for every point and unit: ``[points, units]``."""
    return get(key)(x.unsqueeze(1) * slopes + biases)


def _least_squares(features: Tensor, y: Tensor) -> tuple[Tensor, Tensor]:
    """(output weights, output bias) minimising mean squared error plus the ridge on the
    weights (not on the bias)."""
    design = torch.cat([torch.ones(len(features), 1, dtype=F64), features], dim=1)
    penalty = torch.eye(design.shape[1], dtype=F64) * RIDGE * len(y)
    penalty[0, 0] = 0.0
    solution = torch.linalg.solve(design.T @ design + penalty, design.T @ y)
    return solution[1:], solution[0]


def construct_fit(
    key: str, target: str, units: int, noise: float = 0.0, seed: int = 0
) -> UnitFit:
    """The construction's fit of ``target`` with ``units`` units of activation ``key``."""
    data = load(target, FIT_SAMPLES, noise, seed, dtype=F64)
    x, y = data.x_train[:, 0], data.y_train.to(F64)
    slopes, biases = construction_units(units)
    weights, bias = _least_squares(_hidden(key, x, slopes, biases), y)
    grid = _grid()
    contributions = (_hidden(key, grid, slopes, biases) * weights).T
    fit = contributions.sum(0) + bias
    train_fit = _hidden(key, x, slopes, biases) @ weights + bias
    return UnitFit(
        key=key, units=units, x=grid.numpy(), fit=fit.numpy(),
        contributions=contributions.numpy(), output_bias=float(bias),
        rms_error=_rms(fit, target_function(target)(grid)), train_rms=_rms(train_fit, y),
    )


def error_by_units(
    keys: Sequence[str], target: str, noise: float = 0.0, seed: int = 0,
    units: Sequence[int] = UNITS_SWEEP,
) -> pd.DataFrame:
    """The construction's error against the true target for each activation and N."""
    rows = [
        {"key": k, "activation": get(k).name, "units": n,
         "rms_error": construct_fit(k, target, n, noise, seed).rms_error}
        for k in keys for n in units
    ]
    return pd.DataFrame(rows)


# --- trained networks ----------------------------------------------------------------------


def unit_outputs(model: BatchedMLP, index: int, layer: int, x: Tensor) -> np.ndarray:
    """The output of every unit of hidden ``layer`` (1-based) of model ``index`` on ``x``:
    ``[rows, width]``, in evaluation mode."""
    if not 1 <= layer <= model.config.depth:
        raise ValueError(f"layer must lie between 1 and {model.config.depth}, got {layer}")
    trace = traced_eval(model, x)
    return trace.f[layer - 1][index].to(F64).numpy()


def trained_fits(model: BatchedMLP, target: str, x_train: Tensor, y_train: Tensor) -> list[UnitFit]:
    """Each model of a one-hidden-layer regression ensemble as a :class:`UnitFit`.

    A unit's contribution is its output weight times its output; their sum plus the head's
    bias is the network's prediction.
    """
    config = model.config
    if config.depth != 1 or config.in_dim != 1 or config.out_dim != 1:
        raise ValueError("trained_fits reads networks 1 -> N -> 1 (one hidden layer)")
    if config.residual or config.norm != "none":
        raise ValueError("trained_fits reads plain networks (no residual, no norm)")
    grid = _grid()
    truth = target_function(target)(grid)
    fits = []
    for index, member in enumerate(config.models):
        head_weight, head_bias = model.layer_parameters(index)[1]
        v = head_weight[0].to(F64)
        b0 = float(head_bias[0])
        outputs = torch.from_numpy(unit_outputs(model, index, 1, grid.unsqueeze(1)))
        contributions = (outputs * v).T
        fit = contributions.sum(0) + b0
        train_out = torch.from_numpy(unit_outputs(model, index, 1, x_train)) @ v + b0
        fits.append(UnitFit(
            key=member.key, units=config.width, x=grid.numpy(), fit=fit.numpy(),
            contributions=contributions.numpy(), output_bias=b0,
            rms_error=_rms(fit, truth), train_rms=_rms(train_out, y_train.to(F64)),
        ))
    return fits


# --- frames for the charts -----------------------------------------------------------------


def contribution_frame(fit: UnitFit, every: int = 2) -> pd.DataFrame:
    """One activation's unit terms: unit, x, value (every ``every``-th grid point)."""
    x = fit.x[::every]
    values = fit.contributions[:, ::every]
    n = values.shape[0]
    return pd.DataFrame({
        "key": fit.key,
        "activation": get(fit.key).name,
        "unit": np.repeat(np.arange(1, n + 1), len(x)),
        "x": np.tile(x, n),
        "value": values.reshape(-1),
    })


def target_frame(target: str) -> pd.DataFrame:
    """The noise-free target on the grid: x, value."""
    grid = _grid()
    return pd.DataFrame({"x": grid.numpy(), "value": target_function(target)(grid).numpy()})


def unit_map_frame(
    model: BatchedMLP, index: int, layer: int, bounds: Sequence[tuple[float, float]],
    size: int = 25,
) -> pd.DataFrame:
    """Every unit of a hidden layer of a 2-D classifier over a ``size`` x ``size`` grid:
    unit, x1, x2, value (the unit's output)."""
    points, _ = grid_points(tuple(bounds), size, model.config.torch_dtype)
    outputs = unit_outputs(model, index, layer, points)
    rows, width = outputs.shape
    x = points.to(F64).numpy()
    return pd.DataFrame({
        "unit": np.repeat(np.arange(1, width + 1), rows),
        "x1": np.tile(x[:, 0], width),
        "x2": np.tile(x[:, 1], width),
        "value": outputs.T.reshape(-1),
    })


def unit_surface(
    model: BatchedMLP, index: int, layer: int, unit: int,
    bounds: Sequence[tuple[float, float]], size: int,
) -> np.ndarray:
    """One hidden unit's output over a ``size`` x ``size`` grid of the plane, laid out as
    the decision surface (``[i2, i1]``): the Playground paints it in the surface's place
    when a student clicks that unit."""
    points, _ = grid_points(tuple(bounds), size, model.config.torch_dtype)
    outputs = unit_outputs(model, index, layer, points)
    if not 1 <= unit <= outputs.shape[1]:
        raise ValueError(f"unit must lie between 1 and {outputs.shape[1]}, got {unit}")
    return outputs[:, unit - 1].reshape(size, size)


# --- the page's two methods ------------------------------------------------------------------

FIT_METHODS = {"construct": "Construction", "train": "Training"}
"""Where the weights come from: the proof's construction, or gradient descent."""
TRAINING_RUN = {"n_samples": FIT_SAMPLES, "lr": 0.02, "batch_size": None, "depth": 1}
"""Training: one hidden layer, full batch on the 300 training points, Adam."""
LIVE_SNAPSHOTS = 20


def training_config(target: str, noise: float, keys: Sequence[str], units: int, steps: int
                    ) -> TrainConfig:
    """One network of ``units`` hidden units per activation, trained on ``target`` (raises
    ValueError for a run that cannot train here, e.g. fewer units than the engine allows)."""
    return TrainConfig(dataset=target, noise=noise, models=ensemble(list(keys)), width=units,
                       steps=steps, snapshot_every=max(steps // LIVE_SNAPSHOTS, 1),
                       **TRAINING_RUN)


def in_range(curve: pd.DataFrame) -> pd.DataFrame:
    """The rows of a 1-D curve (column ``x``) inside the targets' input range: the engine's
    curve runs a little past it, the charts and errors do not."""
    low, high = REGRESSION_X_RANGE
    return curve[(curve["x"] >= low) & (curve["x"] <= high)]


def contribution_stride(units: int) -> int:
    """Every how many grid points a unit's term is drawn: thinner for many units, so 64
    terms stay a light chart."""
    return 2 if units <= 16 else 4
