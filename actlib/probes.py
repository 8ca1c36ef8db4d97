"""Measurements inside a network: gradient flow, dead units, activation statistics.

Every function takes a :class:`~actlib.nets.BatchedMLP` and data tensors and measures all
models of the ensemble in one batched pass, so the pages can compare nine activations for
the price of one. Results are dataclasses of numpy arrays indexed ``[model, layer, ...]``
with a ``frame()`` method giving a tidy pandas frame for the chart builders. Nothing here
imports Streamlit.

Layers are numbered from 1 (the first hidden layer) to ``depth``; the output head has
number ``depth + 1`` where it appears (weight-gradient norms during training).

Batch norm: at initialisation its running statistics mean nothing yet, so the probes the
pages call on a fresh network use the probe batch's own statistics (``batch_stats=True``,
without touching the running statistics). Training snapshots measure the network as it
predicts, in evaluation mode (``batch_stats=False``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
from torch import Tensor

from actlib.datasets import Task
from actlib.nets import BatchedMLP, ModelSpec, Trace, task_loss

NEARLY_DEAD_FRACTION = 0.01
SATURATION_THRESHOLD = 0.05

DEAD_UNIT_DEFINITION = (
    "A unit is dead when, for every sample of a fixed probe batch, its output is exactly "
    "zero, or when, for every sample, the derivative of its activation is exactly zero. "
    "Either way no gradient reaches its incoming weights: only a change upstream (earlier "
    "layers moving its inputs) can bring it back. "
    "A unit fires on a sample when both its output and its derivative are non-zero; it is "
    f"nearly dead when it fires on fewer than {NEARLY_DEAD_FRACTION:.0%} of the samples "
    "without being dead."
)
SATURATION_DEFINITION = (
    "A unit is saturated on a sample when the derivative of its activation there, |f'(z)|, "
    f"is below {SATURATION_THRESHOLD:g}: the gradient passing through it shrinks at least "
    f"{1 / SATURATION_THRESHOLD:.0f}-fold. The saturation share is the share of "
    "(sample, unit) pairs of a layer that are saturated. For softmax f' is the diagonal of "
    "its Jacobian."
)


def _as_array(x: Tensor) -> np.ndarray:
    array = x.detach().to(torch.float64).cpu().numpy()
    array.setflags(write=False)
    return array


def model_columns(models: Sequence[ModelSpec]) -> dict[str, list]:
    """Per model: label, activation name, catalogue key and seed (the frames' id columns)."""
    return {
        "model": [m.label for m in models],
        "activation": [m.activation_label for m in models],
        "key": [m.key for m in models],
        "seed": [m.seed for m in models],
    }


def layer_frame(models: Sequence[ModelSpec], values: dict[str, np.ndarray]) -> pd.DataFrame:
    """Tidy frame: one row per (model, layer) from arrays ``[M, L]`` of equal shape."""
    first = next(iter(values.values()))
    m, n_layers = first.shape
    ids = model_columns(models)
    data: dict[str, object] = {name: np.repeat(column, n_layers) for name, column in ids.items()}
    data["layer"] = np.tile(np.arange(1, n_layers + 1), m)
    for name, array in values.items():
        data[name] = np.asarray(array, dtype=np.float64).reshape(-1)
    return pd.DataFrame(data)


def _traced_forward(model: BatchedMLP, x: Tensor, batch_stats: bool) -> tuple[Tensor, Trace]:
    trace = Trace()
    output = model(x, trace=trace, batch_stats=batch_stats, update_stats=False)
    return output, trace


def _row_norms(t: Tensor) -> Tensor:
    """Norm of each model's slice, accumulated in float64 without a float64 copy."""
    return torch.linalg.vector_norm(t.flatten(1), dim=1, dtype=torch.float64)


def _local_derivatives(model: BatchedMLP, trace: Trace) -> list[Tensor]:
    """f'(a) of every layer, from the catalogue's derivatives (computed once, used twice)."""
    return [model.local_derivative(layer, a) for layer, a in enumerate(trace.a)]


def _dead_units(trace: Trace, derivatives: Sequence[Tensor]) -> Tensor:
    """``[M, L, W]``: no non-zero output on any sample, or no non-zero derivative on any."""
    dead = []
    for f, d in zip(trace.f, derivatives, strict=True):
        silent = f.detach().abs().amax(dim=1) == 0
        flat = d.abs().amax(dim=1) == 0
        dead.append(silent | flat)
    return torch.stack(dead, dim=1)


def _firing_rates(trace: Trace, derivatives: Sequence[Tensor]) -> Tensor:
    """``[M, L, W]``: share of samples on which a unit fires (output and derivative != 0)."""
    rates = [((f.detach() != 0) & (d != 0)).to(torch.float64).mean(dim=1)
             for f, d in zip(trace.f, derivatives, strict=True)]
    return torch.stack(rates, dim=1)


def _saturation(derivatives: Sequence[Tensor], threshold: float) -> Tensor:
    shares = [(d.abs() < threshold).reshape(d.shape[0], -1).to(torch.float64).mean(dim=1)
              for d in derivatives]
    return torch.stack(shares, dim=1)


def _moments(tensors: Sequence[Tensor]) -> tuple[Tensor, Tensor]:
    """Mean and std over samples and units, per model and layer ``[M, L]``."""
    means, stds = [], []
    for t in tensors:
        flat = t.detach().reshape(t.shape[0], -1)
        mean = flat.mean(dim=1, keepdim=True)
        # Two passes by hand, in the tensor's own dtype: torch.std's Welford reduction and
        # a float64 copy were each several times slower here (measured).
        variance = (flat - mean).square().sum(dim=1) / max(flat.shape[1] - 1, 1)
        means.append(mean[:, 0].double())
        stds.append(variance.double().sqrt())
    return torch.stack(means, dim=1), torch.stack(stds, dim=1)


# --- the per-snapshot measurements of training ----------------------------------------------


@dataclass(frozen=True)
class LayerMeasures:
    """What a training snapshot records per model and layer, from one probe batch.

    ``weight_grad_norm`` is ``[M, depth + 1]`` (the head last); the rest ``[M, depth]``.
    """

    weight_grad_norm: np.ndarray
    dead_share: np.ndarray
    activation_mean: np.ndarray
    activation_std: np.ndarray
    saturation_share: np.ndarray


def measure_layers(
    model: BatchedMLP,
    x: Tensor,
    y: Tensor,
    task: Task,
    threshold: float = SATURATION_THRESHOLD,
    batch_stats: bool = False,
) -> LayerMeasures:
    """One forward and backward pass on a probe batch; the model's .grad is left alone."""
    with torch.enable_grad():
        output, trace = _traced_forward(model, x, batch_stats)
        loss = task_loss(output, y, task).sum()
        grads = torch.autograd.grad(loss, list(model.weights), allow_unused=True)
    norms = [
        torch.zeros(model.n_models, dtype=torch.float64) if g is None
        else _row_norms(g)
        for g in grads
    ]
    derivatives = _local_derivatives(model, trace)
    dead = _dead_units(trace, derivatives)
    mean, std = _moments(trace.f)
    return LayerMeasures(
        weight_grad_norm=_as_array(torch.stack(norms, dim=1)),
        dead_share=_as_array(dead.to(torch.float64).mean(dim=2)),
        activation_mean=_as_array(mean),
        activation_std=_as_array(std),
        saturation_share=_as_array(_saturation(derivatives, threshold)),
    )


# --- gradient flow ---------------------------------------------------------------------


@dataclass(frozen=True)
class GradientFlow:
    """Per model and hidden layer ``[M, depth]``, from one backward pass of the mean loss.

    ``signal_norm``: the norm of the loss gradient with respect to the layer's
    pre-activations z = W h + b over the batch (the backpropagated signal).
    ``weight_grad_rms``: the norm of the weight gradient over sqrt(number of weights).
    """

    models: tuple[ModelSpec, ...]
    signal_norm: np.ndarray
    weight_grad_rms: np.ndarray

    def signal_ratio(self) -> np.ndarray:
        """First over last layer's signal per model: far below 1 means a vanishing gradient."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return self.signal_norm[:, 0] / self.signal_norm[:, -1]

    def frame(self) -> pd.DataFrame:
        return layer_frame(self.models, {"signal_norm": self.signal_norm,
                                         "weight_grad_rms": self.weight_grad_rms})


def gradient_flow(
    model: BatchedMLP, x: Tensor, y: Tensor, task: Task, batch_stats: bool = True
) -> GradientFlow:
    """Gradient norms per layer for every model of the ensemble, in one batched backward."""
    with torch.enable_grad():
        output, trace = _traced_forward(model, x, batch_stats)
        loss = task_loss(output, y, task).sum()
        hidden_weights = list(model.weights)[: model.config.depth]
        grads = torch.autograd.grad(loss, [*trace.z, *hidden_weights])
    depth = model.config.depth
    signal = [_row_norms(g) for g in grads[:depth]]
    rms = [
        _row_norms(g) / math.sqrt(g[0].numel())
        for g in grads[depth:]
    ]
    return GradientFlow(
        models=model.config.models,
        signal_norm=_as_array(torch.stack(signal, dim=1)),
        weight_grad_rms=_as_array(torch.stack(rms, dim=1)),
    )


# --- dead units -------------------------------------------------------------------------


@dataclass(frozen=True)
class UnitCensus:
    """Dead and nearly dead units; see :data:`DEAD_UNIT_DEFINITION`.

    ``fire_rate`` ``[M, depth, width]``: share of samples on which each unit fires.
    ``dead`` ``[M, depth, width]`` (bool). Shares ``[M, depth]``: ``nearly_dead_share``
    counts units that are not dead but fire on fewer than 1% of the samples.
    """

    models: tuple[ModelSpec, ...]
    fire_rate: np.ndarray
    dead: np.ndarray
    n_samples: int

    @property
    def dead_share(self) -> np.ndarray:
        return self.dead.mean(axis=2)

    @property
    def nearly_dead_share(self) -> np.ndarray:
        return ((self.fire_rate < NEARLY_DEAD_FRACTION) & ~self.dead).mean(axis=2)

    def frame(self) -> pd.DataFrame:
        return layer_frame(self.models, {"dead_share": self.dead_share,
                                         "nearly_dead_share": self.nearly_dead_share})


def unit_census(model: BatchedMLP, x: Tensor, batch_stats: bool = False) -> UnitCensus:
    """Count dead and nearly dead units of every model on the samples ``x``."""
    with torch.no_grad():
        _, trace = _traced_forward(model, x, batch_stats)
    derivatives = _local_derivatives(model, trace)
    dead, firing = _dead_units(trace, derivatives), _firing_rates(trace, derivatives)
    dead_array = dead.numpy().copy()
    dead_array.setflags(write=False)
    return UnitCensus(model.config.models, _as_array(firing), dead_array, int(x.shape[0]))


# --- activation statistics ---------------------------------------------------------------


@dataclass(frozen=True)
class ActivationStats:
    """Mean and std over samples and units of each layer's activation input (``pre``, z
    after any norm) and output (``post``), and the saturation share; all ``[M, depth]``."""

    models: tuple[ModelSpec, ...]
    pre_mean: np.ndarray
    pre_std: np.ndarray
    post_mean: np.ndarray
    post_std: np.ndarray
    saturation_share: np.ndarray

    def frame(self) -> pd.DataFrame:
        return layer_frame(self.models, {
            "pre_mean": self.pre_mean, "pre_std": self.pre_std,
            "post_mean": self.post_mean, "post_std": self.post_std,
            "saturation_share": self.saturation_share,
        })


def activation_stats(
    model: BatchedMLP, x: Tensor, threshold: float = SATURATION_THRESHOLD, batch_stats: bool = True
) -> ActivationStats:
    """Per-layer moments of the activations and the share of saturated units."""
    with torch.no_grad():
        _, trace = _traced_forward(model, x, batch_stats)
    pre_mean, pre_std = _moments(trace.a)
    post_mean, post_std = _moments(trace.f)
    return ActivationStats(
        model.config.models, _as_array(pre_mean), _as_array(pre_std), _as_array(post_mean),
        _as_array(post_std), _as_array(_saturation(_local_derivatives(model, trace), threshold)),
    )
