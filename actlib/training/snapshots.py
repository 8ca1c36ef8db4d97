"""What a run reports: :class:`Snapshot` (every model's state after some step) and frames.

Snapshots are plain, read-only numpy data: a finished run's snapshots are shared between
session threads and cached by config, so they must never hold the network itself (use
:func:`actlib.training.engine.run_to` for that). Their frames are tidy pandas tables, the
form the chart builders take.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from actlib.datasets import Task
from actlib.nets import ModelSpec
from actlib.probes import model_columns

if TYPE_CHECKING:
    from actlib.training.config import TrainConfig


@dataclass(frozen=True, eq=False)
class RunInfo:
    """What every snapshot of a run shares: the config, members and grid axes."""

    config: TrainConfig
    surface_axes: tuple[np.ndarray, ...] | None

    @property
    def models(self) -> tuple[ModelSpec, ...]:
        return self.config.models

    @property
    def task(self) -> Task:
        return self.config.task


@dataclass(frozen=True)
class Divergence:
    """A model whose training loss stopped being finite."""

    model: int
    label: str
    step: int
    reason: str


def readonly(array: np.ndarray) -> np.ndarray:
    """Mark ``array`` read-only (in place) and return it: snapshots are shared by threads."""
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Snapshot:
    """The state of every model after ``step`` updates. Plain, read-only numpy data.

    Per model ``[M]``: losses and accuracies (NaN for regression accuracy), divergence step
    (-1 while healthy) and reason. Per layer ``[M, depth]``: dead share, activation mean and
    std, saturation share, PReLU slope (NaN for other activations); ``weight_grad_norm`` is
    ``[M, depth + 1]`` with the head last. ``surface``: ``[M, grid, grid]`` probabilities of
    class 1 for 2-D data (row = x2, column = x1), ``[M, grid, grid, classes]`` softmax
    probabilities for 2-D data with more classes, ``[M, 200]`` predictions for 1-D data, or
    None. Every value of a diverged model is NaN from its divergence on.
    """

    info: RunInfo
    step: int
    elapsed: float
    train_loss: np.ndarray
    test_loss: np.ndarray
    train_accuracy: np.ndarray
    test_accuracy: np.ndarray
    weight_grad_norm: np.ndarray
    dead_share: np.ndarray
    activation_mean: np.ndarray
    activation_std: np.ndarray
    saturation_share: np.ndarray
    prelu_slope: np.ndarray
    diverged_step: np.ndarray
    diverged_reason: tuple[str, ...]
    surface: np.ndarray | None

    @property
    def healthy(self) -> np.ndarray:
        return self.diverged_step < 0

    def divergences(self) -> list[Divergence]:
        return [
            Divergence(i, self.info.models[i].label, int(step), self.diverged_reason[i])
            for i, step in enumerate(self.diverged_step) if step >= 0
        ]

    def models_columns(self) -> dict[str, object]:
        """The columns of :meth:`models_frame` (a scalar stands for a whole column)."""
        data: dict[str, object] = {"step": self.step, **model_columns(self.info.models)}
        data.update(
            train_loss=self.train_loss, test_loss=self.test_loss,
            train_accuracy=self.train_accuracy, test_accuracy=self.test_accuracy,
            diverged=~self.healthy, diverged_step=self.diverged_step,
            diverged_reason=list(self.diverged_reason),
        )
        return data

    def models_frame(self) -> pd.DataFrame:
        """One row per model: the losses, accuracies and divergence status."""
        return pd.DataFrame(self.models_columns())

    def layers_columns(self) -> dict[str, object]:
        """The columns of :meth:`layers_frame` (a scalar stands for a whole column)."""
        m, depth = self.dead_share.shape
        pad = np.full((m, 1), np.nan)
        ids = model_columns(self.info.models)
        data: dict[str, object] = {name: np.repeat(col, depth + 1) for name, col in ids.items()}
        data["step"] = self.step
        data["layer"] = np.tile(np.arange(1, depth + 2), m)
        data["is_head"] = np.tile(np.arange(1, depth + 2) == depth + 1, m)
        data["weight_grad_norm"] = self.weight_grad_norm.reshape(-1)
        for name in ("dead_share", "activation_mean", "activation_std", "saturation_share",
                     "prelu_slope"):
            data[name] = np.hstack([getattr(self, name), pad]).reshape(-1)
        return data

    def layers_frame(self) -> pd.DataFrame:
        """One row per (model, layer), layers 1..depth and the head (``is_head``)."""
        return pd.DataFrame(self.layers_columns())

    def slopes_frame(self) -> pd.DataFrame:
        """Learned PReLU slopes: one row per (PReLU model, layer)."""
        return slopes_rows(self.layers_frame())

    def surface_frame(self, models: Sequence[int] | None = None) -> pd.DataFrame:
        """The grid predictions of the chosen models (default all), one row per point.

        2-D: columns x1, x2, value (probability of class 1). 1-D: x, value (prediction).
        More than two classes: value is the probability of the predicted class, ``predicted``
        that class.
        """
        if self.surface is None or self.info.surface_axes is None:
            return pd.DataFrame()
        chosen = list(range(len(self.info.models))) if models is None else list(models)
        ids = model_columns([self.info.models[i] for i in chosen])
        axes = self.info.surface_axes
        surface = self.surface[chosen]
        predicted = None
        if len(axes) == 2 and surface.ndim == 4:  # softmax over a class axis
            predicted = surface.argmax(-1).reshape(-1)
            surface = surface.max(-1)
        values = surface.reshape(len(chosen), -1)
        points = values.shape[1]
        data: dict[str, object] = {name: np.repeat(col, points) for name, col in ids.items()}
        if len(axes) == 2:
            x2, x1 = np.meshgrid(axes[1], axes[0], indexing="ij")
            data["x1"] = np.tile(x1.reshape(-1), len(chosen))
            data["x2"] = np.tile(x2.reshape(-1), len(chosen))
        else:
            data["x"] = np.tile(axes[0], len(chosen))
        data["value"] = values.reshape(-1)
        if predicted is not None:
            data["predicted"] = predicted
        return pd.DataFrame(data)


SLOPE_COLUMNS = ["step", "model", "activation", "key", "seed", "layer", "prelu_slope"]


def slopes_rows(layers: pd.DataFrame) -> pd.DataFrame:
    """The rows of a layers frame that hold a learned PReLU slope (hidden layers only)."""
    return layers.loc[~layers["is_head"] & layers["prelu_slope"].notna(), SLOPE_COLUMNS]


def stack_columns(parts: Sequence[Mapping[str, object]]) -> pd.DataFrame:
    """``pd.concat([pd.DataFrame(p) for p in parts], ignore_index=True)``, built as one frame.

    Each part maps column names to equal-length arrays or lists, or to a scalar that stands
    for the whole column (as ``pd.DataFrame`` reads it). A live view rebuilds a run's
    history on every frame: one frame per snapshot and a concat cost ~0.25 ms a snapshot,
    so a 400-step run's 41 snapshots took 10-14 ms per history, and more as it grew
    (measured); stacking the columns first takes a fraction of that.
    """
    lengths = [_part_length(part) for part in parts]
    columns: dict[str, np.ndarray] = {}
    for name in parts[0]:
        pieces = [_column(part[name], n) for part, n in zip(parts, lengths, strict=True)]
        columns[name] = pieces[0] if len(pieces) == 1 else np.concatenate(pieces)
    return pd.DataFrame(columns)


def _part_length(part: Mapping[str, object]) -> int:
    return next((len(v) for v in part.values() if np.ndim(v) > 0), 1)  # type: ignore[arg-type]


def _column(value: object, n: int) -> np.ndarray:
    """One part's column as an array of ``n`` values. Text stays Python strings (object),
    as ``pd.DataFrame`` keeps it, rather than numpy's fixed-width ``<U`` type."""
    if np.ndim(value) == 0:
        return np.full(n, value, dtype=object if isinstance(value, str) else None)
    is_text = isinstance(value, list) and bool(value) and isinstance(value[0], str)
    return np.asarray(value, dtype=object if is_text else None)


def history_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot's per-model rows stacked: the data of loss and accuracy curves."""
    if not snapshots:
        return pd.DataFrame()
    return stack_columns([s.models_columns() for s in snapshots])


def layer_history_frame(snapshots: Sequence[Snapshot]) -> pd.DataFrame:
    """Every snapshot's per-layer rows stacked (gradient norms, dead shares over time)."""
    if not snapshots:
        return pd.DataFrame()
    return stack_columns([s.layers_columns() for s in snapshots])

