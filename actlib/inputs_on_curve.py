"""Where a layer's inputs fall on its activation's curve: the histogram of the pre-activations
of one hidden layer, measured on the run's own network, drawn over f and f′ on one x axis.

It is the picture behind two lessons: sigmoid's inputs drift into its flat tails as the
gradient fades, and ReLU's inputs slide below zero, where f′ is exactly 0, as units die.
The two shares it reports are measured exactly as the training snapshots measure a layer
(:mod:`actlib.probes`): on the run's fixed probe batch, in evaluation mode, with the
catalogue's derivative, so they equal the snapshot's saturation share and agree with its
dead units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from actlib.curves import curve_frame
from actlib.nets import traced_eval
from actlib.probes import SATURATION_THRESHOLD
from actlib.training import RunState

BINS = 48
MIN_HALF_WIDTH = 4.0
"""The window shows at least [-4, 4], where every activation's shape is visible."""
MAX_HALF_WIDTH = 60.0
"""and at most [-60, 60]; inputs beyond fall in the end bins, and the note says how many."""


@dataclass(frozen=True)
class InputsOnCurve:
    """One layer of one model of a run at one step: its inputs and where they fall."""

    key: str
    layer: int
    step: int
    edges: np.ndarray
    share: np.ndarray
    """Share of the layer's (sample, unit) inputs in each bin; the end bins include the
    inputs beyond the window."""
    flat_share: float
    """Share with |f′(x)| < :data:`SATURATION_THRESHOLD` (the snapshot's saturation share)."""
    zero_slope_share: float
    """Share with f′(x) = 0 exactly: no gradient at all passes there."""
    outside_share: float
    n_inputs: int
    params: tuple[tuple[str, float], ...] = ()
    """The activation's parameters (a Leaky ReLU's slope, …), for drawing its curve."""

    @property
    def half_width(self) -> float:
        return float(self.edges[-1])

    def histogram_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"x0": self.edges[:-1], "x1": self.edges[1:], "share": self.share})


def _window(values: np.ndarray) -> float:
    """Half-width of a symmetric window holding 99.5 % of the inputs, within the bounds."""
    if values.size == 0 or not np.isfinite(values).any():
        return MIN_HALF_WIDTH
    reach = float(np.quantile(np.abs(values[np.isfinite(values)]), 0.995))
    return float(np.clip(np.ceil(reach), MIN_HALF_WIDTH, MAX_HALF_WIDTH))


def inputs_on_curve(run: RunState, member: int, layer: int, bins: int = BINS) -> InputsOnCurve:
    """Measure hidden ``layer`` (1-based) of model ``member`` where ``run`` stands."""
    model = run.model
    if not 1 <= layer <= model.config.depth:
        raise ValueError(f"layer must lie between 1 and {model.config.depth}, got {layer}")
    trace = traced_eval(model, run.probe_x)
    slopes = model.local_derivative(layer - 1, trace.a[layer - 1])[member]
    values = trace.a[layer - 1][member].to(torch.float64).reshape(-1).numpy()
    slopes = slopes.reshape(-1)
    half = _window(values)
    edges = np.linspace(-half, half, bins + 1)
    finite = values[np.isfinite(values)]
    counts, _ = np.histogram(np.clip(finite, -half, half), bins=edges)
    n = values.size
    key, params = model.config.models[member].layer_activation(layer - 1)  # this layer's f
    return InputsOnCurve(
        key=key, layer=layer, step=run.steps_done, edges=edges,
        share=counts / max(n, 1),
        flat_share=float((slopes.abs() < SATURATION_THRESHOLD).to(torch.float64).mean()),
        zero_slope_share=float((slopes == 0).to(torch.float64).mean()),
        outside_share=float((np.abs(finite) > half).sum() / max(n, 1)),
        n_inputs=n, params=params,
    )


def curve_on_window(measured: InputsOnCurve) -> pd.DataFrame:
    """f and f′ of the measured activation (with its parameters) over the window."""
    return curve_frame([measured.key], -measured.half_width, measured.half_width,
                       {measured.key: dict(measured.params)}, points=401)


def shares_sentence(measured: InputsOnCurve, name: str) -> str:
    """The two shares in words, for the caption under the chart."""
    text = (f"{name}, layer {measured.layer}, step {measured.step:,}: "
            f"**{measured.flat_share:.0%}** of its {measured.n_inputs:,} inputs sit where "
            f"|f′| < {SATURATION_THRESHOLD:g} (flat: the gradient shrinks at least "
            f"{1 / SATURATION_THRESHOLD:.0f}-fold there)")
    if measured.zero_slope_share > 0:
        text += (f", **{measured.zero_slope_share:.0%}** where f′ = 0 exactly (no gradient "
                 "at all)")
    text += "."
    if measured.outside_share > 0:
        text += (f" {measured.outside_share:.1%} lie beyond ±{measured.half_width:g} and are "
                 "counted in the end bars.")
    return text
