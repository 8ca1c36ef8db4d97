"""Quantised activations: an activation's output stored in k bits, what that costs on
standard-normal inputs and on a trained network, and the exact zeros ReLU leaves behind.

A k-bit uniform quantiser has 2^k levels spread evenly over a range [low, high], both ends
included (``step = (high - low) / (2^k - 1)``): an output is clipped to the range, then
rounded to the nearest level. Hardware does this to activations to save memory and energy.

Why the range matters: a bounded activation (sigmoid, tanh) brings its range with it, so
every level is used and nothing is clipped. An unbounded one (ReLU, GELU, ...) needs a range
chosen by hand, a clip value c (ReLU6 clips at 6): a small c clips large outputs, a large c
spends the levels on outputs that almost never occur and makes every step coarse. The
error is split into those two parts, rounding (inside the range) and clipping (outside).

For a uniform input spread over the whole range the rounding error has the closed form
step²/12 (the error is uniform on [-step/2, step/2] in every cell); the tests pin it, and the
clipping error of ReLU under N(0, 1) against (1 + c²)(1 - Φ(c)) - c φ(c).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd
import torch
from torch import Tensor

from actlib.activations import HIDDEN_LAYER_KEYS, get
from actlib.properties import Bound, real_line_bound
from actlib.training import TrainConfig

KEYS = tuple(k for k in HIDDEN_LAYER_KEYS if k != "prelu")
"""The activations the view quantises: PReLU's slope is learned, so a plain forward pass
with its default would not be the trained network."""
COMPARED = ("sigmoid", "tanh", "relu", "gelu")
"""Bounded against unbounded: the activations every error chart shows."""
NETWORK_PEERS = ("tanh", "relu")
"""Trained next to the chosen activation: one bounded, one unbounded."""
MIN_BITS, MAX_BITS = 2, 8
BITS = tuple(range(MIN_BITS, MAX_BITS + 1))
MIN_CLIP, MAX_CLIP = 0.5, 12.0
"""The clip value c a student may set for an unbounded side (ReLU6: c = 6)."""
DTYPE = torch.float64
QUADRATURE_NODES = 200_000
QUADRATURE_REACH = 10.0


@dataclass(frozen=True)
class QuantRange:
    """The range [low, high] a k-bit quantiser spreads its levels over, and where it came
    from: the activation's own bound or the clip value."""

    low: float
    high: float
    low_clipped: bool
    high_clipped: bool

    @property
    def bounded(self) -> bool:
        """Both ends are the activation's own: nothing it outputs is ever clipped."""
        return not (self.low_clipped or self.high_clipped)

    def step(self, bits: int) -> float:
        return (self.high - self.low) / (2**bits - 1)


def check_bits(bits: int) -> int:
    if not MIN_BITS <= int(bits) <= MAX_BITS:
        raise ValueError(f"bits must lie between {MIN_BITS} and {MAX_BITS}, got {bits}")
    return int(bits)


def quantise(y: Tensor, bits: int, low: float, high: float) -> Tensor:
    """``y`` clipped to [low, high] and rounded to the nearest of 2^bits evenly spaced
    levels (both ends are levels)."""
    bits = check_bits(bits)
    if not high > low:
        raise ValueError(f"the range needs high > low, got [{low}, {high}]")
    step = (high - low) / (2**bits - 1)
    return low + torch.round((y.clamp(low, high) - low) / step) * step


def activation_range(key: str, clip: float, params: dict | None = None) -> QuantRange:
    """The quantiser's range for activation ``key``: each finite end of its range over the
    real line, and ±``clip`` for an end that is unbounded (ReLU: [0, clip])."""
    if not MIN_CLIP <= clip <= MAX_CLIP:
        raise ValueError(f"the clip value must lie between {MIN_CLIP:g} and {MAX_CLIP:g}")
    lower, upper = _bounds(key) if not params else (
        real_line_bound(key, params), real_line_bound(key, params, upper=True))
    low = lower.value if lower.bounded else -clip
    high = upper.value if upper.bounded else clip
    if not high > low:
        raise ValueError(f"{get(key).name} has no range to quantise over")
    return QuantRange(low, high, not lower.bounded, not upper.bounded)


@lru_cache(maxsize=64)
def _bounds(key: str) -> tuple[Bound, Bound]:
    """The range of a catalogue activation with its default parameters, found once (a scan
    of 120,001 points per end)."""
    return real_line_bound(key), real_line_bound(key, upper=True)


@lru_cache(maxsize=2)
def normal_quadrature(n: int = QUADRATURE_NODES) -> tuple[Tensor, Tensor]:
    """Midpoint nodes and weights for E[g(X)], X ~ N(0, 1), on [-10, 10] (made once; never
    modify them)."""
    h = 2 * QUADRATURE_REACH / n
    x = -QUADRATURE_REACH + h * (torch.arange(n, dtype=DTYPE) + 0.5)
    return x, torch.exp(-0.5 * x * x) / math.sqrt(2 * math.pi) * h


@dataclass(frozen=True)
class QuantError:
    """Mean squared error of the quantised outputs, split into its rounding part (outputs
    inside the range) and its clipping part (outputs outside); ``output_std`` is the std of
    the exact outputs, the scale the error is read against."""

    rounding: float
    clipping: float
    output_std: float

    @property
    def mse(self) -> float:
        return self.rounding + self.clipping

    @property
    def rms(self) -> float:
        return math.sqrt(self.mse)

    @property
    def relative(self) -> float:
        """RMS error as a share of the outputs' std (0 for constant outputs)."""
        return self.rms / self.output_std if self.output_std > 0 else 0.0


def quantisation_error(y: Tensor, weights: Tensor, bits: int, low: float, high: float
                       ) -> QuantError:
    """The error of quantising outputs ``y`` taken with probability ``weights``."""
    y, weights = y.to(DTYPE), weights.to(DTYPE)
    weights = weights / weights.sum()
    squared = (quantise(y, bits, low, high) - y).square()
    inside = (y >= low) & (y <= high)
    mean = (weights * y).sum()
    return QuantError(float((weights * squared * inside).sum()),
                      float((weights * squared * ~inside).sum()),
                      float((weights * (y - mean).square()).sum().sqrt()))


def normal_error(key: str, bits: int, qrange: QuantRange, params: dict | None = None
                 ) -> QuantError:
    """The error of quantising f(X), X ~ N(0, 1), to ``bits`` over ``qrange``."""
    x, w = normal_quadrature()
    y = get(key)(x, params or {})
    keep = torch.isfinite(y)
    return quantisation_error(y[keep], w[keep], bits, qrange.low, qrange.high)


def staircase_frame(key: str, bits: int, qrange: QuantRange, low: float = -6.0,
                    high: float = 6.0, points: int = 1201) -> pd.DataFrame:
    """f and its quantised form on a grid: x, f, quantised (a staircase: draw it with
    step interpolation)."""
    x = torch.linspace(low, high, points, dtype=DTYPE)
    y = get(key)(x, {})
    return pd.DataFrame({"x": x.numpy(), "f": y.numpy(),
                         "quantised": quantise(y, bits, qrange.low, qrange.high).numpy()})


def error_by_bits(keys: Sequence[str], clip: float) -> pd.DataFrame:
    """For each activation and k = 2..8: its range, the relative RMS error on N(0, 1)
    inputs and the rounding and clipping parts: the comparison of bounded and unbounded
    activations."""
    rows = []
    for key in keys:
        qrange = activation_range(key, clip)
        for bits in BITS:
            error = normal_error(key, bits, qrange)
            rows.append({"key": key, "activation": get(key).name, "bits": bits,
                         "bounded": qrange.bounded, "low": qrange.low, "high": qrange.high,
                         "relative_error": error.relative, "rounding": error.rounding,
                         "clipping": error.clipping})
    return pd.DataFrame(rows)


def error_by_clip(key: str, bits: int, clips: Sequence[float]) -> pd.DataFrame:
    """The relative error of an activation at ``bits`` for each clip value c: the trade-off
    an unbounded activation forces (small c clips, large c coarsens every step)."""
    rows = []
    for clip in clips:
        error = normal_error(key, bits, activation_range(key, clip))
        rows.append({"clip": float(clip), "relative_error": error.relative,
                     "rounding": error.rounding, "clipping": error.clipping})
    return pd.DataFrame(rows)


# --- a trained network with quantised hidden outputs ----------------------------------------


def network_config(keys: Sequence[str], seed: int = 0) -> TrainConfig:
    """The small run the view quantises: one network per activation on the digits (real
    data, 10 classes), two hidden layers of 32, Adam, 400 steps."""
    from actlib.nets import ensemble

    return TrainConfig(dataset="digits", n_samples=1797, noise=0.0, models=ensemble(
        list(keys), seeds=(seed,)), depth=2, width=32, lr=0.01, batch_size=128, steps=400,
        snapshot_every=400, init="default")


def hidden_forward(layers: Sequence[tuple[Tensor, Tensor]], key: str, x: Tensor,
                   bits: int | None = None, qrange: QuantRange | None = None
                   ) -> tuple[Tensor, list[Tensor]]:
    """A plain forward pass of one trained model (``layers`` as
    :meth:`actlib.nets.BatchedMLP.layer_parameters` gives them: (weight [out, in], bias)),
    every hidden output quantised when ``bits`` is given. Returns the logits and each hidden
    layer's outputs."""
    fn = get(key)
    h, hidden = x.to(DTYPE), []
    for weight, bias in layers[:-1]:
        h = fn(h @ weight.to(DTYPE).t() + bias.to(DTYPE), {})
        if bits is not None and qrange is not None:
            h = quantise(h, bits, qrange.low, qrange.high)
        hidden.append(h)
    weight, bias = layers[-1]
    return h @ weight.to(DTYPE).t() + bias.to(DTYPE), hidden


@dataclass(frozen=True)
class NetworkQuantisation:
    """The effect of k-bit hidden outputs on each trained model: test accuracy per bit
    width (``accuracy``: key, activation, bits (0 = float), accuracy) and the share of
    exact zeros per hidden layer (``zeros``: key, activation, layer, bits, zero_share)."""

    accuracy: pd.DataFrame
    zeros: pd.DataFrame


def quantise_network(model_layers: Sequence[Sequence[tuple[Tensor, Tensor]]],
                     keys: Sequence[str], x_test: Tensor, y_test: Tensor, clip: float,
                     zero_bits: int) -> NetworkQuantisation:
    """Test accuracy of each model at float precision and at k = 2..8 bits, and its share of
    exact zeros per hidden layer at float precision and at ``zero_bits``."""
    accuracy, zeros = [], []
    for layers, key in zip(model_layers, keys, strict=True):
        qrange = activation_range(key, clip)
        name = get(key).name
        for bits in (0, *BITS):
            logits, hidden = hidden_forward(layers, key, x_test, bits or None, qrange)
            correct = (logits.argmax(1) == y_test).double().mean()
            accuracy.append({"key": key, "activation": name, "bits": bits,
                             "accuracy": float(correct)})
            if bits in (0, zero_bits):
                for layer, h in enumerate(hidden, start=1):
                    zeros.append({"key": key, "activation": name, "layer": layer,
                                  "bits": bits, "zero_share": float((h == 0).double().mean())})
    return NetworkQuantisation(pd.DataFrame(accuracy), pd.DataFrame(zeros))


def clip_normal_error(clip: float) -> float:
    """Closed form of ReLU's clipping error under N(0, 1): E[(X - c)²; X > c]
    = (1 + c²)(1 - Φ(c)) - c φ(c). The tests hold the quadrature to it."""
    phi = math.exp(-0.5 * clip * clip) / math.sqrt(2 * math.pi)
    tail = 0.5 * math.erfc(clip / math.sqrt(2))
    return (1 + clip * clip) * tail - clip * phi


def zero_share_normal(bits: int, qrange: QuantRange, key: str = "relu") -> float:
    """P(quantised f(X) == 0) for X ~ N(0, 1): ReLU's exact zeros (one half) plus the small
    positive outputs that round down to the level 0."""
    x, w = normal_quadrature()
    y = quantise(get(key)(x, {}), bits, qrange.low, qrange.high)
    return float((w * (y == 0)).sum() / w.sum())


def summary_sentence(table: pd.DataFrame, bits: int) -> str:
    """What the bounded-versus-unbounded comparison shows at ``bits``, from its numbers."""
    at = table[table["bits"] == bits]
    best = at.loc[at["relative_error"].idxmin()]
    worst = at.loc[at["relative_error"].idxmax()]
    return (f"At {bits} bits the smallest error is {best['activation']}'s "
            f"({best['relative_error']:.1%} of its output spread), the largest "
            f"{worst['activation']}'s ({worst['relative_error']:.1%}).")

