"""How a layer folds space: the input plane's grid lines and the data points as one hidden
layer of the network sees them, before its activation (the layer's linear part) and after.

Two units of the layer are the axes. A layer's linear part, W·h + b, maps straight lines
to straight lines; so layer 1's "before" picture is the input grid sheared, stretched and
shifted, never bent. The activation then bends it: tanh squashes the far parts towards ±1,
ReLU folds every line flat at its crease (where the unit's input crosses 0). Deeper
layers start from the grid the layers below have already bent.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch

from actlib.nets import BatchedMLP, traced_eval

LINES = 13
"""Grid lines per direction: enough to see the bend, few enough to follow one line."""
POINTS_PER_LINE = 81


@dataclass(frozen=True)
class FoldedPlane:
    """The grid lines and the data, as the chosen two units see them (``[..., 2]``)."""

    layer: int
    units: tuple[int, int]
    lines_before: list[np.ndarray]
    """Each grid line ``[POINTS_PER_LINE, 2]`` in (unit x, unit y) before the activation."""
    lines_after: list[np.ndarray]
    points_before: np.ndarray
    points_after: np.ndarray


def plane_grid(bounds: Sequence[tuple[float, float]], lines: int = LINES,
               points: int = POINTS_PER_LINE) -> list[np.ndarray]:
    """Grid lines over the input plane: ``lines`` at constant x2 (running along x1), then
    ``lines`` at constant x1, each sampled at ``points`` points."""
    (x_lo, x_hi), (y_lo, y_hi) = bounds
    xs, ys = np.linspace(x_lo, x_hi, points), np.linspace(y_lo, y_hi, points)
    along_x1 = [np.c_[xs, np.full(points, y)] for y in np.linspace(y_lo, y_hi, lines)]
    along_x2 = [np.c_[np.full(points, x), ys] for x in np.linspace(x_lo, x_hi, lines)]
    return along_x1 + along_x2


def layer_inputs_outputs(model: BatchedMLP, member: int, layer: int, x: np.ndarray
                         ) -> tuple[np.ndarray, np.ndarray]:
    """Hidden ``layer``'s (1-based) inputs a and outputs f(a) for model ``member`` on the
    rows of ``x``: two ``[rows, width]`` arrays, in evaluation mode."""
    if not 1 <= layer <= model.config.depth:
        raise ValueError(f"layer must lie between 1 and {model.config.depth}, got {layer}")
    trace = traced_eval(model, torch.as_tensor(x))
    before = trace.a[layer - 1][member].to(torch.float64).numpy()
    after = trace.f[layer - 1][member].to(torch.float64).numpy()
    return before, after


def fold(model: BatchedMLP, member: int, layer: int, units: tuple[int, int],
         bounds: Sequence[tuple[float, float]], data_x: np.ndarray) -> FoldedPlane:
    """The plane's grid and ``data_x`` seen by ``units`` (1-based) of hidden ``layer``."""
    width = model.config.width
    if not all(1 <= u <= width for u in units) or units[0] == units[1]:
        raise ValueError(f"pick two different units between 1 and {width}, got {units}")
    grid = plane_grid(bounds)
    rows = np.vstack([*grid, np.asarray(data_x, dtype=np.float64)])
    before, after = layer_inputs_outputs(model, member, layer, rows)
    cols = [units[0] - 1, units[1] - 1]
    n_grid = len(grid) * POINTS_PER_LINE

    def lines(values: np.ndarray) -> list[np.ndarray]:
        return list(values[:n_grid, cols].reshape(len(grid), POINTS_PER_LINE, 2))

    return FoldedPlane(layer, units, lines(before), lines(after), before[n_grid:, cols],
                       after[n_grid:, cols])


def bend(line: np.ndarray) -> float:
    """How far a polyline is from straight: the largest distance of a point from the chord
    between its ends, relative to the chord's length (0 for a straight line)."""
    start, end = line[0], line[-1]
    chord = end - start
    length = float(np.hypot(*chord))
    if length == 0:
        return 0.0
    offsets = line - start
    distance = np.abs(offsets[:, 0] * chord[1] - offsets[:, 1] * chord[0]) / length
    return float(distance.max() / length)
