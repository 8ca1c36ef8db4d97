"""Quantised activations against closed forms: step²/12 for a uniform input, ReLU's clipping
error and zero share under N(0, 1), the ranges, the plain forward pass against the engine's
network, and the Quantised tab of the Choosing page."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from actlib import quantise as q
from actlib.training import run_to
from tests.apptest_charts import assert_no_exception, open_page


def _uniform(low: float, high: float, n: int = 400_000) -> tuple[torch.Tensor, torch.Tensor]:
    """Midpoints and equal weights: a uniform distribution on [low, high]."""
    h = (high - low) / n
    x = low + h * (torch.arange(n, dtype=torch.float64) + 0.5)
    return x, torch.full((n,), 1.0 / n, dtype=torch.float64)


@pytest.mark.parametrize("bits", q.BITS)
def test_a_uniform_input_has_rounding_error_step_squared_over_12(bits: int) -> None:
    low, high = -0.7, 2.3
    x, w = _uniform(low, high)
    error = q.quantisation_error(x, w, bits, low, high)
    step = (high - low) / (2**bits - 1)
    assert error.clipping == 0.0
    assert error.rounding == pytest.approx(step**2 / 12, rel=1e-4)
    assert error.output_std == pytest.approx((high - low) / math.sqrt(12), rel=1e-6)


def test_levels_are_evenly_spaced_and_include_both_ends() -> None:
    y = torch.linspace(-5, 5, 10_001, dtype=torch.float64)
    levels = torch.unique(q.quantise(y, 3, -1.0, 2.0))
    assert torch.allclose(levels, torch.linspace(-1.0, 2.0, 8, dtype=torch.float64))


def test_bits_outside_2_to_8_are_refused() -> None:
    for bits in (1, 9):
        with pytest.raises(ValueError, match="between 2 and 8"):
            q.quantise(torch.zeros(3), bits, 0.0, 1.0)
    with pytest.raises(ValueError, match="clip value"):
        q.activation_range("relu", 20.0)


@pytest.mark.parametrize("clip", [0.5, 1.0, 2.0, 4.0])
def test_relu_clipping_error_is_the_normal_tail_integral(clip: float) -> None:
    """E[(X - c)²; X > c] = (1 + c²)(1 - Φ(c)) - c φ(c), and the quadrature agrees."""
    error = q.normal_error("relu", 8, q.activation_range("relu", clip))
    assert error.clipping == pytest.approx(q.clip_normal_error(clip), rel=1e-6)
    rng = np.random.default_rng(0)  # an independent check of the closed form itself
    x = rng.standard_normal(2_000_000)
    monte_carlo = float(np.mean(np.where(x > clip, (x - clip) ** 2, 0.0)))
    assert q.clip_normal_error(clip) == pytest.approx(monte_carlo, rel=0.05)


@pytest.mark.parametrize("bits", [2, 4, 8])
def test_relu_zero_share_is_phi_of_half_a_step(bits: int) -> None:
    """Quantised ReLU outputs 0 exactly when x < step / 2: P = Φ(step / 2), up to the one
    quadrature node the boundary falls in (spacing 1e-4 times a density of at most 0.4)."""
    qrange = q.activation_range("relu", 6.0)
    half = qrange.step(bits) / 2
    assert q.zero_share_normal(bits, qrange) == pytest.approx(
        0.5 * (1 + math.erf(half / math.sqrt(2))), abs=4e-5)


def test_ranges_are_the_activations_own_or_the_clip() -> None:
    tanh, relu, leaky = (q.activation_range(k, 3.0) for k in ("tanh", "relu", "leaky_relu"))
    assert (tanh.low, tanh.high, tanh.bounded) == (-1.0, 1.0, True)
    assert (relu.low, relu.high, relu.bounded) == (0.0, 3.0, False)
    assert relu.high_clipped and not relu.low_clipped
    assert (leaky.low, leaky.high) == (-3.0, 3.0)
    gelu = q.activation_range("gelu", 3.0)
    assert gelu.low == pytest.approx(-0.169971, abs=1e-5)  # GELU's minimum


def test_bounded_activations_quantise_better_than_relu_at_every_bit_count() -> None:
    table = q.error_by_bits(("tanh", "sigmoid", "relu"), 6.0)
    wide = table.pivot(index="bits", columns="key", values="relative_error")
    assert (wide["tanh"] < wide["relu"]).all() and (wide["sigmoid"] < wide["relu"]).all()
    assert (wide.diff().dropna() < 0).all().all(), "each extra bit lowers the error"


def test_the_clip_trade_off_has_an_interior_best() -> None:
    clips = [0.5 + 0.25 * i for i in range(47)]
    sweep = q.error_by_clip("relu", 4, clips)
    best = int(sweep["relative_error"].idxmin())
    assert 0 < best < len(clips) - 1
    assert sweep["clipping"].iloc[0] > sweep["rounding"].iloc[0]
    assert sweep["rounding"].iloc[-1] > sweep["clipping"].iloc[-1]


@pytest.fixture(scope="module")
def trained():
    keys = ("relu", "tanh")
    config = q.network_config(keys)
    return keys, run_to(config, 30)


def test_the_plain_forward_pass_is_the_engine_network(trained) -> None:
    keys, run = trained
    run.model.eval()
    with torch.no_grad():
        reference = run.model(run.data.x_test).double()
    for i, key in enumerate(keys):
        logits, hidden = q.hidden_forward(run.model.layer_parameters(i), key, run.data.x_test)
        assert torch.allclose(logits, reference[i], atol=1e-4)
        assert len(hidden) == run.config.depth


def test_quantised_network_counts_accuracy_and_exact_zeros(trained) -> None:
    keys, run = trained
    layers = [run.model.layer_parameters(i) for i in range(len(keys))]
    result = q.quantise_network(layers, keys, run.data.x_test, run.data.y_test, 6.0, 3)
    assert set(result.accuracy["bits"]) == {0, *q.BITS}
    relu_float = q.hidden_forward(layers[0], "relu", run.data.x_test)[1]
    expected = [float((h == 0).double().mean()) for h in relu_float]
    zeros = result.zeros[(result.zeros["key"] == "relu") & (result.zeros["bits"] == 0)]
    assert zeros["zero_share"].tolist() == pytest.approx(expected)
    quantised = result.zeros[(result.zeros["key"] == "relu") & (result.zeros["bits"] == 3)]
    assert (quantised["zero_share"].to_numpy() >= zeros["zero_share"].to_numpy()).all()
    assert (result.zeros[result.zeros["key"] == "tanh"]["zero_share"] == 0).all()
    full = result.accuracy[(result.accuracy["key"] == "relu") & (result.accuracy["bits"] == 0)]
    logits, _ = q.hidden_forward(layers[0], "relu", run.data.x_test)
    assert float(full["accuracy"].iloc[0]) == pytest.approx(
        float((logits.argmax(1) == run.data.y_test).double().mean()))


def test_the_quantised_tab_draws() -> None:
    at = open_page("pages/guide.py", view="Quantised", q_act="relu", q_bits="3", timeout=300)
    assert_no_exception(at)
    text = " ".join(m.value for m in at.markdown)
    assert "8 levels" in text and "the bottom is ReLU's own" in text
    assert any("Exact zeros: ReLU" in c.value for c in at.caption)


def test_a_typed_formula_quantises_like_the_catalogue_function_it_equals() -> None:
    """x*sigmoid(x) is SiLU: the tab shows the same range, levels and errors for both (an
    independent check of the formula path against the catalogue's own definition)."""
    def shown(**query) -> tuple[list[str], list[str]]:
        at = open_page("pages/guide.py", view="Quantised", q_bits="4", timeout=300, **query)
        assert_no_exception(at)
        return ([m.value for m in at.metric],
                [m.value for m in at.markdown if m.value.startswith("**Range**")])

    formula = shown(q_act="formula", fx="x*sigmoid(x)")
    catalogue = shown(q_act="swish")  # beta = 1: SiLU
    assert formula[0] and formula[0] == catalogue[0]
    assert formula[1][0].replace("f(x) = x * sigmoid(x)", "Swish / SiLU") == catalogue[1][0]
    assert "[-0.2785, 6]" in formula[1][0] and "16 levels" in formula[1][0]
