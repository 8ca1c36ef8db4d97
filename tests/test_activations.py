"""The catalogue against independent sources: torch modules, autograd, closed forms."""

from __future__ import annotations

import math
import re

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib.activations import (
    ACTIVATIONS,
    BAKE_OFF_KEYS,
    CATALOGUE,
    ELEMENTWISE_KEYS,
    SELU_ALPHA,
    SELU_SCALE,
    get,
)
from actlib.guide import matching_init
from actlib.nets import ensemble
from actlib.training import TrainConfig, estimate_cost
from actlib.vocabulary import INIT_LABELS

DTYPE = torch.float64
# A dense grid out to |x| = 50, plus the points where piecewise functions change.
GRID = torch.sort(
    torch.cat(
        [
            torch.linspace(-50, 50, 20001, dtype=DTYPE),
            torch.tensor([0.0, 1e-12, -1e-12, 1e-6, -1e-6, 49.999, -49.999], dtype=DTYPE),
        ]
    )
).values


def _param_cases() -> list[tuple[str, dict]]:
    """Every elementwise activation at its defaults and at each parameter's limits."""
    cases: list[tuple[str, dict]] = []
    for key in ELEMENTWISE_KEYS:
        spec = get(key)
        cases.append((key, {}))
        for p in spec.params:
            values = p.choices if p.is_choice else (p.low, p.high)
            cases.extend((key, {p.key: v}) for v in values if v != p.default)
    return cases


PARAM_CASES = _param_cases()
CASE_IDS = [
    f"{k}-{'-'.join(f'{a}={b}' for a, b in p.items()) or 'default'}" for k, p in PARAM_CASES
]


def _module_output(key: str, params: dict, x: torch.Tensor) -> torch.Tensor:
    spec = get(key)
    if key == "step":
        return torch.heaviside(x, torch.tensor(0.0, dtype=x.dtype))
    module = spec.torch_module(**spec.resolve(params)).to(DTYPE)
    with torch.no_grad():
        return module(x)


@pytest.mark.parametrize(("key", "params"), PARAM_CASES, ids=CASE_IDS)
def test_forward_matches_torch_module(key: str, params: dict) -> None:
    expected = _module_output(key, params, GRID)
    got = get(key)(GRID, params)
    torch.testing.assert_close(got, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize(("key", "params"), PARAM_CASES, ids=CASE_IDS)
def test_derivative_matches_autograd(key: str, params: dict) -> None:
    spec = get(key)
    x = GRID.clone().requires_grad_(True)
    spec(x, params).sum().backward()
    # atol 5e-9: torch's softplus returns x itself beyond x = 20 (slope 1), where the exact
    # slope sigmoid(x) differs from 1 by at most 2e-9.
    torch.testing.assert_close(spec.grad(GRID, params), x.grad, rtol=1e-10, atol=5e-9)


@pytest.mark.parametrize(("key", "params"), PARAM_CASES, ids=CASE_IDS)
def test_no_nan_or_inf_on_the_grid(key: str, params: dict) -> None:
    spec = get(key)
    assert torch.isfinite(spec(GRID, params)).all()
    assert torch.isfinite(spec.grad(GRID, params)).all()
    assert torch.isfinite(spec(GRID.float(), params)).all(), "float32 overflowed"


@pytest.mark.parametrize("key", [k for k in ELEMENTWISE_KEYS if k not in ("step",)])
def test_derivative_matches_finite_differences(key: str) -> None:
    """Central differences, away from kinks: independent of autograd entirely."""
    spec = get(key)
    x = torch.linspace(-8, 8, 1601, dtype=DTYPE)
    x = x[(x.abs() > 1e-3)]
    h = 1e-6
    numeric = (spec(x + h) - spec(x - h)) / (2 * h)
    torch.testing.assert_close(spec.grad(x), numeric, rtol=1e-6, atol=1e-7)


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


CLOSED_FORMS = {
    "identity": lambda x: x,
    "step": lambda x: 1.0 if x > 0 else 0.0,
    "sigmoid": lambda x: 1 / (1 + math.exp(-x)),
    "tanh": math.tanh,
    "relu": lambda x: max(0.0, x),
    "leaky_relu": lambda x: x if x > 0 else 0.01 * x,
    "prelu": lambda x: x if x > 0 else 0.25 * x,
    "elu": lambda x: x if x > 0 else math.exp(x) - 1,
    "selu": lambda x: SELU_SCALE * (x if x > 0 else SELU_ALPHA * (math.exp(x) - 1)),
    "gelu": lambda x: x * _phi(x),
    "swish": lambda x: x / (1 + math.exp(-x)),
    "mish": lambda x: x * math.tanh(math.log1p(math.exp(x))),
    "softplus": lambda x: math.log1p(math.exp(x)),
}


@pytest.mark.parametrize("key", list(CLOSED_FORMS))
def test_forward_matches_textbook_formula(key: str) -> None:
    points = [-7.5, -2.0, -0.3, 0.0, 0.4, 1.0, 3.3, 9.0]
    got = get(key)(torch.tensor(points, dtype=DTYPE)).tolist()
    for x, y in zip(points, got, strict=True):
        assert y == pytest.approx(CLOSED_FORMS[key](x), rel=1e-12, abs=1e-14), x


def test_every_elementwise_key_has_a_closed_form_test() -> None:
    assert set(ELEMENTWISE_KEYS) == set(CLOSED_FORMS)


def test_parameters_are_honoured() -> None:
    minus_one = torch.tensor([-1.0], dtype=DTYPE)
    assert get("leaky_relu")(minus_one, {"slope": 0.3}).item() == pytest.approx(-0.3)
    assert get("prelu")(minus_one, {"slope": 0.1}).item() == pytest.approx(-0.1)
    assert get("elu")(torch.tensor([-50.0], dtype=DTYPE), {"alpha": 2.5}).item() == (
        pytest.approx(-2.5)
    )
    one = torch.tensor([1.0], dtype=DTYPE)
    beta = 3.0
    assert get("swish")(one, {"beta": beta}).item() == pytest.approx(1 / (1 + math.exp(-beta)))
    exact = get("gelu")(GRID, {"form": "none"})
    approx = get("gelu")(GRID, {"form": "tanh"})
    gap = (exact - approx).abs().max().item()
    assert 1e-5 < gap < 1e-3, "the tanh form is close to, but not the same as, the erf form"


def test_parameters_are_validated() -> None:
    with pytest.raises(ValueError, match="slope"):
        get("leaky_relu").resolve({"slope": 0.9})
    with pytest.raises(ValueError, match="form"):
        get("gelu").resolve({"form": "cubic"})
    with pytest.raises(ValueError, match="no parameter"):
        get("relu").resolve({"slope": 0.1})
    with pytest.raises(KeyError, match="unknown activation"):
        get("relu6")


@pytest.mark.parametrize("temperature", [0.05, 0.5, 1.0, 4.0, 20.0])
def test_softmax_with_temperature(temperature: float) -> None:
    spec = get("softmax")
    params = {"temperature": temperature}
    x = torch.tensor([[2.0, -1.0, 0.5, 50.0, -50.0], [0.0, 0.0, 0.0, 0.0, 0.0]], dtype=DTYPE)
    expected = nn.Softmax(dim=-1)(x / temperature)
    got = spec(x, params)
    torch.testing.assert_close(got, expected)
    torch.testing.assert_close(got.sum(-1), torch.ones(2, dtype=DTYPE))
    assert torch.isfinite(got).all()
    for row in range(2):
        jac = torch.autograd.functional.jacobian(lambda v: spec(v, params), x[row])
        torch.testing.assert_close(spec.grad(x[row], params), jac)


def test_softmax_limits() -> None:
    spec = get("softmax")
    logits = torch.tensor([1.0, 3.0, 2.0], dtype=DTYPE)
    cold = spec(logits, {"temperature": 0.05})
    hot = spec(logits, {"temperature": 20.0})
    assert cold.argmax().item() == 1 and cold.max().item() > 0.999
    assert (hot - 1 / 3).abs().max().item() < 0.04


GATED_REFERENCES = {
    "glu": lambda x: nn.GLU(dim=-1)(x),
    "swiglu": lambda x: x.chunk(2, -1)[0] * nn.SiLU()(x.chunk(2, -1)[1]),
    "geglu": lambda x: x.chunk(2, -1)[0] * nn.GELU()(x.chunk(2, -1)[1]),
}


@pytest.mark.parametrize("key", list(GATED_REFERENCES))
def test_gated_family(key: str) -> None:
    spec = get(key)
    x = torch.linspace(-50, 50, 64, dtype=DTYPE).reshape(4, 16)
    torch.testing.assert_close(spec(x), GATED_REFERENCES[key](x))
    assert spec(x).shape == (4, 8)
    for row in x:
        jac = torch.autograd.functional.jacobian(spec.forward, row)
        torch.testing.assert_close(spec.grad(row), jac)
        assert torch.isfinite(spec.grad(row)).all()


def test_step_keeps_the_graph_with_zero_gradient() -> None:
    x = torch.tensor([-1.0, 2.0], requires_grad=True)
    get("step")(x).sum().backward()
    assert x.grad.tolist() == [0.0, 0.0]


def test_catalogue_metadata_is_complete_and_consistent() -> None:
    assert len(ACTIVATIONS) == len(CATALOGUE) == 17
    colors = [s.color for s in CATALOGUE]
    assert len(set(colors)) == len(colors), "every activation needs its own colour"
    assert set(BAKE_OFF_KEYS) <= set(ELEMENTWISE_KEYS)
    for spec in CATALOGUE:
        assert re.fullmatch(r"[a-z_]+", spec.key), spec.key
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", spec.color), spec.key
        for text in (spec.name, spec.latex, spec.derivative_latex, spec.origin, spec.use_when):
            assert text.strip(), spec.key
        assert 1940 <= spec.year <= 2026
        spec.module_call()
        spec.functional_call()


@pytest.mark.parametrize("key", [*ELEMENTWISE_KEYS, "softmax", "glu"])
def test_displayed_pytorch_calls_are_real(key: str) -> None:
    """The module and functional expressions the pages show run and agree with the spec."""
    spec = get(key)
    x = torch.linspace(-3, 3, 12, dtype=DTYPE)
    weight = torch.tensor([get("prelu").defaults()["slope"]], dtype=DTYPE)
    namespace = {"nn": nn, "F": F, "torch": torch, "x": x, "weight": weight}
    functional = eval(spec.functional_call(), namespace)
    expected = spec(x)
    torch.testing.assert_close(functional, expected)
    if spec.module.startswith("(no module"):
        return
    module = eval(spec.module_call().split("#")[0], namespace).to(DTYPE)
    with torch.no_grad():
        torch.testing.assert_close(module(x), expected)


def test_gelu_formula_follows_the_selected_form():
    """The tanh form shows the tanh approximation (Hendrycks and Gimpel, 2016, eq. 2), with
    its constants; the exact form shows erf."""
    spec = get("gelu")
    exact, _ = spec.formula({"form": "none"})
    approx, approx_d = spec.formula({"form": "tanh"})
    assert "erf" in exact and "tanh" not in exact
    assert "0.044715" in approx and r"\sqrt{2/\pi}" in approx and "erf" not in approx
    assert "0.134145" in approx_d  # 3 x 0.044715
    assert get("relu").formula() == (get("relu").latex, get("relu").derivative_latex)


def test_selu_advice_names_what_self_normalisation_needs():
    """Klambauer et al. (2017): LeCun normal init, standardised inputs, alpha dropout."""
    text = get("selu").use_when
    for need in ("LeCun normal", "standardised inputs", "AlphaDropout", "no batch norm"):
        assert need in text


@pytest.mark.parametrize("spec", CATALOGUE, ids=lambda s: s.key)
def test_every_entry_carries_its_own_init_advice_and_trainable_ones_their_cost(spec) -> None:
    """Adding an activation is one catalogue entry: no table elsewhere to extend."""
    assert spec.recommended_init in INIT_LABELS and spec.init_reason
    assert matching_init(spec.key).scheme == spec.recommended_init
    if not spec.trainable:
        assert spec.kind == "gated" and spec.cost_ns is None
        return
    assert spec.cost_ns is not None and spec.cost_ns > 0
    config = TrainConfig(models=ensemble([spec.key], (0,)), steps=10)
    assert estimate_cost(config).total > 0
