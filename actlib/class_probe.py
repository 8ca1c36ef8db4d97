"""The softmax of a many-class network at one point of the plane, and the coarse map a
student clicks to choose that point.

The Playground paints its live decision surface as an image, which takes no clicks; a small
grid of the same prediction, drawn as a chart, does. The numbers here come from the run's
own network (model 0 of its ensemble, in evaluation mode, without gradients), so the bars a
page shows are the logits the cross-entropy was computed from and their softmax at T = 1,
the output the Softmax tab of "Why non-linearity" explores with a temperature.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from actlib.datasets import grid_points
from actlib.nets import BatchedMLP
from actlib.page_settings.softmax_explorer import LOGITS_KEY, SOFTMAX_SETTINGS

PICKER_CELLS = 20
"""Cells per side of the clickable map (400 cells: a light chart)."""


@dataclass(frozen=True)
class PointSoftmax:
    """What the network answers at ``point``: its logits and their softmax."""

    point: tuple[float, float]
    logits: np.ndarray
    probabilities: np.ndarray

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def confidence(self) -> float:
        return float(np.max(self.probabilities))

    def frame(self) -> pd.DataFrame:
        """One row per class: class index, its label, logit and probability."""
        classes = len(self.logits)
        return pd.DataFrame({"class": np.arange(classes),
                             "label": [f"class {k}" for k in range(classes)],
                             "logit": self.logits, "probability": self.probabilities})

    def sentence(self) -> str:
        """What the bars say, with the margin that decides the answer."""
        order = np.argsort(self.logits)[::-1]
        first, second = int(order[0]), int(order[1])
        gap = float(self.logits[first] - self.logits[second])
        return (f"At ({self.point[0]:.2f}, {self.point[1]:.2f}) the network answers class "
                f"{first} with probability {self.confidence:.2f}. Its logit is {gap:.2f} above "
                f"class {second}'s: softmax turns that gap into a ratio of e^{gap:.2f} ≈ "
                f"{_ratio(math.exp(min(gap, 700.0)))} between their probabilities.")


def _ratio(value: float) -> str:
    """A ratio as a student reads it: 3.42, 245, 12,400, or 3.1e+09 past a million."""
    if value < 100:
        return f"{value:.3g}"
    return f"{value:,.0f}" if value < 1e6 else f"{value:.2g}"


def _outputs(model: BatchedMLP, points: torch.Tensor, index: int) -> np.ndarray:
    """Model ``index``'s logits ``[rows, classes]`` in evaluation mode; the network's mode
    (batch norm) is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            return model(points)[index].double().numpy()
    finally:
        model.train(was_training)


def softmax_rows(logits: np.ndarray) -> np.ndarray:
    """Softmax along the last axis, shifted by the row maximum (no overflow)."""
    shifted = logits - logits.max(-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / weights.sum(-1, keepdims=True)


def point_softmax(model: BatchedMLP, point: Sequence[float], index: int = 0) -> PointSoftmax:
    """The logits and softmax of model ``index`` at ``point`` (x1, x2)."""
    x1, x2 = (float(v) for v in point)
    if not (math.isfinite(x1) and math.isfinite(x2)):
        raise ValueError("the point needs two finite coordinates")
    x = torch.tensor([[x1, x2]], dtype=model.config.torch_dtype)
    logits = _outputs(model, x, index)[0]
    if logits.shape[0] < 3:
        raise ValueError("the softmax probe needs a network with at least three classes")
    return PointSoftmax((x1, x2), logits, softmax_rows(logits))


def picker_frame(model: BatchedMLP, bounds: Sequence[tuple[float, float]],
                 cells: int = PICKER_CELLS, index: int = 0) -> pd.DataFrame:
    """The coarse map to click: each cell centre's x1, x2, predicted class and the top
    probability rescaled to [0, 1] (0: a uniform answer, 1: certain), as the big surface
    fades it."""
    points, _ = grid_points(tuple(bounds), cells, model.config.torch_dtype)
    p = softmax_rows(_outputs(model, points, index))
    classes = p.shape[1]
    xy = points.double().numpy()
    return pd.DataFrame({
        "x1": xy[:, 0].round(6), "x2": xy[:, 1].round(6), "predicted": p.argmax(1),
        "sure": np.clip((p.max(1) - 1 / classes) / (1 - 1 / classes), 0.0, 1.0),
    })


def softmax_tab_query(probe: PointSoftmax) -> dict[str, list[str]]:
    """The query that opens the Softmax tab of "Why non-linearity" on these logits (each
    rounded to 2 decimals and kept inside the tab's logit range)."""
    setting = next(s for s in SOFTMAX_SETTINGS if s.key == LOGITS_KEY)
    low, high = float(setting.low), float(setting.high)  # type: ignore[attr-defined]
    values = [f"{min(max(float(v), low), high):.2f}" for v in probe.logits]
    return {"demo": ["Softmax"], LOGITS_KEY: values}
