"""A typed formula as a catalogue entry: its key, its spec, its code, its properties, and
its use in training and gradient flow, pinned against the catalogue's own SiLU."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from actlib import bakeoff, properties
from actlib import gradients as grad
from actlib.activations import (
    DEFAULT_FORMULA,
    custom_key,
    get,
    is_custom,
    is_hidden_layer_key,
)
from actlib.custom_activation import (
    CUSTOM_COLOR,
    custom_spec,
    display_name,
    estimated_cost_ns,
    torch_code,
)
from actlib.formula import FormulaError, parse_formula
from actlib.nets import ModelSpec, ensemble
from actlib.training import TrainConfig, estimate_cost, run_to_end

SILU = "x * sigmoid(x)"
X64 = torch.linspace(-8.0, 8.0, 1601, dtype=torch.float64)


def test_the_key_is_the_canonical_formula() -> None:
    assert custom_key("x*sigmoid( x )") == custom_key(SILU) == "f:x * sigmoid(x)"
    assert is_custom("f:x") and not is_custom("relu")
    assert is_hidden_layer_key(custom_key(SILU)) and not is_hidden_layer_key("identity")
    spec = get("f:x * sigmoid(x)")
    assert spec.key == "f:x * sigmoid(x)" and spec.kind == "elementwise"
    assert spec.name == "f(x) = x * sigmoid(x)" and spec.color == CUSTOM_COLOR
    assert get(custom_key(SILU)) is spec  # parsed once per process


def test_a_bad_formula_is_a_key_error_with_the_reason() -> None:
    with pytest.raises(KeyError, match="Unknown name 'foo'"):
        get("f:foo(x)")
    with pytest.raises(FormulaError, match="column 4"):
        custom_key("x +* 2")
    with pytest.raises(FormulaError, match="does not use x"):
        custom_key("2 + 3")
    with pytest.raises(FormulaError, match=r"NaN at x = -6"):
        custom_key("log(x)")


def test_long_names_are_cut_for_legends() -> None:
    long = "x + " * 20 + "x"
    assert display_name(long).endswith("…") and len(display_name(long)) == len("f(x) = ") + 37


def test_silu_by_formula_equals_the_catalogue_with_its_derivatives() -> None:
    spec, silu = get(custom_key(SILU)), get("swish")
    assert torch.allclose(spec(X64), F.silu(X64), atol=1e-15, rtol=0)
    assert torch.allclose(spec.grad(X64), silu.grad(X64), atol=1e-15, rtol=0)
    from actlib.curves import second_derivative

    assert torch.allclose(second_derivative(spec.key, X64), second_derivative("swish", X64),
                          atol=1e-12, rtol=0)


def test_the_derivative_keeps_a_graph_only_when_asked() -> None:
    spec = get(custom_key("x ** 3"))
    x = torch.tensor([2.0], dtype=torch.float64)
    assert not spec.grad(x).requires_grad and float(spec.grad(x)) == 12.0
    leaf = x.clone().requires_grad_(True)
    (second,) = torch.autograd.grad(spec.grad(leaf).sum(), leaf)
    assert float(second) == 12.0  # 6 x at x = 2


@pytest.mark.parametrize("text", [
    "x * sigmoid(1.702 * x)", "where(x > 0, x, 0.2 * x)", "min(x, 0) + relu(2 * x)",
    "clamp(x, -1, 1) * exp(1)", "x * tanh(softplus(x))", "swish(x + 1) - gelu(x)",
    "-x ** 2 + (x > 1) * (x < 2)", "prelu(x) + step(x) + identity(x) + selu(x)",
    "max(leaky_relu(x), pi * sin(x)) / (1 + abs(x))", "log1p(x * x) + erf(x) - sqrt(e + x * x)",
])
def test_the_torch_code_computes_the_formula(text: str) -> None:
    spec = get(custom_key(text))
    code = torch_code(spec.key[2:])
    # Evaluating our own generated code (from a whitelisted tree) is what a student does
    # when pasting it; user text itself is never evaluated by the app.
    value = eval(code, {"torch": torch, "F": F, "x": X64})
    assert torch.allclose(value, spec(X64), atol=1e-12, rtol=0, equal_nan=True)
    assert spec.functional_call() == code
    assert spec.module_call() == f"(no module: {code})"


def test_cost_estimate_counts_operations_and_catalogue_calls() -> None:
    root = parse_tree(SILU)
    assert estimated_cost_ns(root) == 1.0 + 3.0 * 2  # a product and a sigmoid
    relu_cost = get("relu").cost_ns
    assert estimated_cost_ns(parse_tree("relu(x) + 1")) == 1.0 + 3.0 + relu_cost
    assert estimated_cost_ns(parse_tree("x * exp(2)")) == 1.0 + 3.0  # exp(2) is folded
    assert get(custom_key(SILU)).cost_ns >= get("swish").cost_ns


def parse_tree(text: str):
    import ast

    return ast.parse(parse_formula(text).canonical_text, mode="eval").body


def test_properties_of_silu_by_formula_match_the_catalogue() -> None:
    mine = properties.compute_properties(custom_key(SILU), -6, 6)
    theirs = properties.compute_properties("swish", -6, 6)
    for name in ("window_min", "window_max", "value_at_0", "slope_at_0", "mean_output",
                 "monotonic", "smoothness", "sparsity", "mean_slope", "rms_slope",
                 "defined_on"):
        a, b = getattr(mine, name), getattr(theirs, name)
        assert a == pytest.approx(b, abs=1e-12) if isinstance(a, float) else a == b, name
    assert mine.minimum.value == pytest.approx(theirs.minimum.value, abs=1e-12)
    assert mine.max_slope.value == pytest.approx(theirs.max_slope.value, abs=1e-12)
    assert mine.real_range == theirs.real_range


def test_properties_of_formulas_undefined_or_steep_far_out() -> None:
    root = properties.compute_properties(custom_key("sqrt(x + 7)"), -6, 6)
    assert root.defined_on.startswith("-7 ≤ x")
    assert root.value_at_0 == pytest.approx(math.sqrt(7))
    assert root.mean_output == pytest.approx(2.6389, abs=1e-4)  # E[sqrt(X + 7)], X ~ N(0, 1)
    exp = properties.compute_properties(custom_key("exp(x)"), -6, 6)
    assert exp.smoothness == "smooth"  # steep is not a jump
    assert exp.max_slope.value == math.inf and "without bound" in exp.max_slope.where
    assert exp.mean_output == pytest.approx(math.exp(0.5), rel=1e-9)  # E[e^X] = e^(1/2)
    assert exp.real_range == "(0, ∞)"
    sheet = properties.properties_sheet([root, exp])
    assert "Finite for" in sheet.index
    assert "Finite for" not in properties.properties_sheet([exp]).index


def _pair_config(**overrides) -> TrainConfig:
    members = ensemble([custom_key(SILU), "swish"], seeds=(0, 1))
    fields = dict(dataset="moons", models=members, depth=2, width=16, steps=60,
                  snapshot_every=20, dtype="float64") | overrides
    return TrainConfig(**fields)


def test_a_short_training_with_the_formula_reproduces_silu() -> None:
    config = _pair_config()
    assert hash(config) == hash(_pair_config())  # hashable, cacheable, equal by value
    snapshots = run_to_end(config)
    for snap in snapshots:
        mine, theirs = snap.train_loss[:2], snap.train_loss[2:]
        np.testing.assert_allclose(mine, theirs, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(snap.dead_share[:2], snap.dead_share[2:], atol=1e-12)
    assert snapshots[-1].train_loss[0] < snapshots[0].train_loss[0]  # it did learn


def test_the_cap_model_charges_a_formula_at_least_what_silu_costs() -> None:
    mine = TrainConfig(models=(ModelSpec(custom_key(SILU)),), steps=100)
    theirs = TrainConfig(models=(ModelSpec("swish"),), steps=100)
    assert estimate_cost(mine).total >= estimate_cost(theirs).total


def test_gradient_flow_at_init_of_the_formula_matches_silu() -> None:
    flow = grad.init_flow(grad.Experiment(activations=(custom_key(SILU), "swish"), depth=12))
    np.testing.assert_allclose(flow.signal_norm[0], flow.signal_norm[1], rtol=1e-12)
    np.testing.assert_allclose(flow.rms_slope[0], flow.rms_slope[1], rtol=1e-12)
    np.testing.assert_allclose(flow.normal_rms_slope[0], flow.normal_rms_slope[1], rtol=1e-12)


def test_the_bake_off_trains_a_formula() -> None:
    config = bakeoff.build_config([custom_key(SILU), "relu"], steps=50, seeds=1)
    assert [m.key for m in config.models] == ["f:x * sigmoid(x)", "relu"]


def test_the_default_formula_is_usable_and_not_a_catalogue_copy() -> None:
    spec = custom_spec(DEFAULT_FORMULA)
    gelu = get("gelu")
    gap = float((spec(X64) - gelu(X64)).abs().max())
    assert 0.0 < gap < 0.03  # the sigmoid approximation of GELU: close, not equal
