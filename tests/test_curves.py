"""Curve frames, output distributions, gated surfaces and softmax helpers."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from actlib.curves import curve_frame, gated_surface, grid, output_distribution, second_derivative
from actlib.softmax import entropy_bits, limits_summary, probabilities, temperature_sweep


def test_grid_contains_zero_and_ends() -> None:
    x = grid(-6, 6, 400)
    assert (x == 0).any() and x[0] == -6 and x[-1] == 6
    assert torch.all(x[1:] > x[:-1])


def test_curve_frame_columns_and_values() -> None:
    frame = curve_frame(["relu", "sigmoid", "softmax"], -3, 3, with_second=True)
    assert set(frame.key) == {"relu", "sigmoid"}  # softmax is not elementwise
    relu = frame[frame.key == "relu"]
    assert np.allclose(relu.f, np.maximum(relu.x, 0))
    sig = frame[frame.key == "sigmoid"]
    s = 1 / (1 + np.exp(-sig.x))
    assert np.allclose(sig.df, s * (1 - s))
    assert np.allclose(sig.d2f, s * (1 - s) * (1 - 2 * s))  # closed form of sigma''


def test_curve_frame_honours_parameters() -> None:
    frame = curve_frame(["leaky_relu"], -2, 2, {"leaky_relu": {"slope": 0.3}})
    left = frame[frame.x < 0]
    assert np.allclose(left.df, 0.3)


def test_second_derivative_of_tanh() -> None:
    x = torch.linspace(-3, 3, 61, dtype=torch.float64)
    t = torch.tanh(x)
    torch.testing.assert_close(second_derivative("tanh", x), -2 * t * (1 - t * t))


def test_output_distribution_relu_half_zeros_and_shares_sum_to_one() -> None:
    bars, stats = output_distribution(["relu", "tanh"], 1.0, 0.05)
    relu = stats.set_index("key").loc["relu"]
    assert relu["exact zeros"] == 0.5
    assert relu["mean"] == pytest.approx(1 / math.sqrt(2 * math.pi), abs=2e-3)
    for _, group in bars.groupby("key"):
        assert group.share.sum() == pytest.approx(1.0)


def test_wide_inputs_saturate_tanh() -> None:
    _, narrow = output_distribution(["tanh"], 0.5, 0.05)
    _, wide = output_distribution(["tanh"], 8.0, 0.05)
    assert wide.saturated[0] > 0.7 > narrow.saturated[0]


def test_gated_surface_is_a_times_gate() -> None:
    frame = gated_surface("glu", -2, 2, points=5)
    expected = frame.a / (1 + np.exp(-frame.b))
    assert np.allclose(frame.output, expected)
    with pytest.raises(ValueError):
        gated_surface("relu", -1, 1)


def test_softmax_helpers() -> None:
    p = probabilities([1.0, 2.0, 3.0], 1.0)
    assert p.sum() == pytest.approx(1.0)
    e = np.exp([1.0, 2.0, 3.0])
    assert np.allclose(p, e / e.sum())
    assert entropy_bits(np.array([1.0, 0.0])) == 0.0
    assert entropy_bits(np.full(4, 0.25)) == pytest.approx(2.0)
    cold = limits_summary([1, 3, 2], 0.05)
    hot = limits_summary([1, 3, 2], 20.0)
    assert cold["top_probability"] > 0.999
    assert hot["entropy_bits"] == pytest.approx(math.log2(3), abs=0.01)
    sweep = temperature_sweep([1.0, 0.0])
    assert np.allclose(sweep.groupby("temperature").probability.sum(), 1.0)
