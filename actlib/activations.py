"""The activation catalogue: the one place where an activation function is defined.

Every page, chart, training run, snippet and test reads activations from here, so that a
formula, a colour or a derivative can never disagree between two parts of the app.

Each :class:`ActivationSpec` is an entry of the catalogue's metadata
(:class:`actlib.activation_info.ActivationInfo`: the LaTeX formula, the PyTorch names,
history, advice and a fixed colour, importable without torch) joined to its torch
implementation here: the function (``forward``), the exact derivative written out by hand
(``derivative``, for teaching and for checking autograd) and the ``torch.nn`` module. The
metadata's names are re-exported, so a module that computes imports both from here.

Three kinds of activation exist:

* ``elementwise``: f acts on each number alone; ``derivative`` returns f'(x) elementwise.
* ``vector`` (softmax): f maps a vector to a vector; ``derivative`` returns the Jacobian
  ``[..., n, n]``.
* ``gated`` (the GLU family): the last dimension holds two halves (a, b) and the output is
  ``a * g(b)``, as in ``torch.nn.functional.glu``; ``derivative`` returns the Jacobian
  ``[..., k, 2k]``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from actlib.activation_info import (
    ACTIVATION_INFO,
    BAKE_OFF_KEYS,
    CATALOGUE_INFO,
    CUSTOM_PREFIX,
    DEFAULT_FORMULA,
    ELEMENTWISE_KEYS,
    FORMULA_LABEL,
    FORMULA_OPTION,
    HIDDEN_LAYER_KEYS,
    STACK_COLORS,
    STACK_NAME_SEPARATOR,
    STACK_SEPARATOR,
    ActivationInfo,
    Kind,
    Param,
    Params,
    color_scale,
    display_name,
    entry_color,
    is_custom,
    is_hidden_layer_key,
    is_stack_key,
    stack_key,
    stack_keys,
)

__all__ = [
    "ACTIVATIONS", "ACTIVATION_INFO", "BAKE_OFF_KEYS", "CATALOGUE", "CATALOGUE_INFO",
    "CUSTOM_PREFIX", "DEFAULT_FORMULA", "ELEMENTWISE_KEYS", "FORMULA_LABEL", "FORMULA_OPTION",
    "GELU_TANH_COEF", "HIDDEN_LAYER_KEYS", "IMPLEMENTATIONS", "SELU_ALPHA", "SELU_SCALE",
    "SQRT_2_OVER_PI", "STACK_COLORS", "STACK_NAME_SEPARATOR", "STACK_SEPARATOR",
    "ActivationInfo", "ActivationSpec", "Implementation", "Kind", "Param", "Params",
    "color_scale", "custom_key", "display_name", "entry_color", "get", "is_custom",
    "is_hidden_layer_key", "is_stack_key", "stack_key", "stack_keys",
]

SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
GELU_TANH_COEF = 0.044715
# SELU's constants (Klambauer et al., 2017), as torch.nn.SELU uses them.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@dataclass(frozen=True, kw_only=True)
class ActivationSpec(ActivationInfo):
    """Everything the app knows about one activation function: its catalogue entry and
    how torch computes it."""

    forward: Callable[..., Tensor]
    derivative: Callable[..., Tensor]
    torch_module: Callable[..., nn.Module] | None = field(default=None, repr=False)

    def __call__(self, x: Tensor, params: Params | None = None) -> Tensor:
        return self.forward(x, **self.resolve(params))

    def grad(self, x: Tensor, params: Params | None = None) -> Tensor:
        """The hand-written derivative (elementwise) or Jacobian (vector and gated)."""
        return self.derivative(x, **self.resolve(params))


# --- forward implementations and their exact derivatives -------------------------------


class _Heaviside(torch.autograd.Function):
    """The step function with its true derivative, zero, so it stays in the autograd graph.

    ``(x > 0).float()`` would cut the graph instead; a perceptron built on it would raise
    rather than show the student that gradient descent gets no signal.
    """

    @staticmethod
    def forward(ctx: object, x: Tensor) -> Tensor:
        return (x > 0).to(x.dtype)

    @staticmethod
    def backward(ctx: object, grad_output: Tensor) -> Tensor:
        return torch.zeros_like(grad_output)


def _identity(x: Tensor) -> Tensor:
    return x


def _identity_d(x: Tensor) -> Tensor:
    return torch.ones_like(x)


def _step(x: Tensor) -> Tensor:
    return _Heaviside.apply(x)


def _step_d(x: Tensor) -> Tensor:
    return torch.zeros_like(x)


def _sigmoid_d(x: Tensor) -> Tensor:
    s = torch.sigmoid(x)
    return s * (1 - s)


def _tanh_d(x: Tensor) -> Tensor:
    return 1 - torch.tanh(x) ** 2


def _relu_d(x: Tensor) -> Tensor:
    # PyTorch's convention: slope 0 at x = 0.
    return (x > 0).to(x.dtype)


def _leaky_relu(x: Tensor, slope: float) -> Tensor:
    return F.leaky_relu(x, negative_slope=float(slope))


def _leaky_relu_d(x: Tensor, slope: float) -> Tensor:
    return torch.where(x > 0, torch.ones_like(x), torch.full_like(x, float(slope)))


def _elu(x: Tensor, alpha: float) -> Tensor:
    return F.elu(x, alpha=float(alpha))


def _elu_d(x: Tensor, alpha: float) -> Tensor:
    # PyTorch takes the left-hand slope (alpha) at x = 0.
    return torch.where(x > 0, torch.ones_like(x), float(alpha) * torch.exp(torch.clamp(x, max=0)))


def _selu_d(x: Tensor) -> Tensor:
    neg = SELU_SCALE * SELU_ALPHA * torch.exp(torch.clamp(x, max=0))
    return torch.where(x > 0, torch.full_like(x, SELU_SCALE), neg)


def _normal_cdf(x: Tensor) -> Tensor:
    return 0.5 * torch.erfc(-x / math.sqrt(2.0))


def _normal_pdf(x: Tensor) -> Tensor:
    return torch.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def _gelu(x: Tensor, form: str) -> Tensor:
    return F.gelu(x, approximate="tanh" if form == "tanh" else "none")


def _flat_tails(x: Tensor, z: Tensor, slope: Tensor, beyond: float) -> Tensor:
    """``slope`` where ``|z| <= beyond``, else the slope's limit (1 for x > 0, 0 below).

    Past ``beyond`` the limit is exact to the float's precision, while the formula's
    terms overflow (x³ or βx reach inf and 0 · inf is NaN: found by the reliability fuzz
    at |x| >= 1e30 for GELU's tanh form and at 3e38 for Swish with β = 10)."""
    return torch.where(z.abs() > beyond, (z > 0).to(x.dtype), slope)


def _gelu_d(x: Tensor, form: str) -> Tensor:
    if form == "tanh":
        xc = x.clamp(-10.0, 10.0)
        u = SQRT_2_OVER_PI * (xc + GELU_TANH_COEF * xc**3)
        du = SQRT_2_OVER_PI * (1 + 3 * GELU_TANH_COEF * xc**2)
        t = torch.tanh(u)
        return _flat_tails(x, x, 0.5 * (1 + t) + 0.5 * xc * (1 - t * t) * du, 10.0)
    return _normal_cdf(x) + x * _normal_pdf(x)


def _swish(x: Tensor, beta: float) -> Tensor:
    return x * torch.sigmoid(float(beta) * x)


def _swish_d(x: Tensor, beta: float) -> Tensor:
    z = float(beta) * x
    zc = z.clamp(-80.0, 80.0)
    s = torch.sigmoid(zc)
    return _flat_tails(x, z, s + zc * s * (1 - s), 80.0)


def _mish_d(x: Tensor) -> Tensor:
    t = torch.tanh(F.softplus(x))
    return t + x * (1 - t * t) * torch.sigmoid(x)


def _softmax(x: Tensor, temperature: float) -> Tensor:
    return torch.softmax(x / float(temperature), dim=-1)


def _softmax_d(x: Tensor, temperature: float) -> Tensor:
    """Jacobian d s_i / d x_j = s_i (delta_ij - s_j) / T."""
    s = _softmax(x, temperature)
    eye = torch.diag_embed(s)
    return (eye - s.unsqueeze(-1) * s.unsqueeze(-2)) / float(temperature)


def _prelu(x: Tensor, slope: float) -> Tensor:
    return F.prelu(x, torch.tensor([float(slope)], dtype=x.dtype))


def _gated(gate: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    def forward(x: Tensor) -> Tensor:
        a, b = x.chunk(2, dim=-1)
        return a * gate(b)

    return forward


def _gated_d(gate: Callable[[Tensor], Tensor], gate_d: Callable[[Tensor], Tensor]):
    """Jacobian of a * g(b) with respect to the concatenated input (a, b)."""

    def derivative(x: Tensor) -> Tensor:
        a, b = x.chunk(2, dim=-1)
        d_a = torch.diag_embed(gate(b))
        d_b = torch.diag_embed(a * gate_d(b))
        return torch.cat([d_a, d_b], dim=-1)

    return derivative


def _silu(x: Tensor) -> Tensor:
    return F.silu(x)


def _silu_d(x: Tensor) -> Tensor:
    return _swish_d(x, 1.0)


def _gelu_exact(x: Tensor) -> Tensor:
    return F.gelu(x)


def _gelu_exact_d(x: Tensor) -> Tensor:
    return _gelu_d(x, "none")


class _ScaledSiLU(nn.Module):
    """Swish with a fixed beta, built from nn.SiLU: x σ(βx) = SiLU(βx) / β."""

    def __init__(self, beta: float) -> None:
        super().__init__()
        self.beta = beta
        self.silu = nn.SiLU()

    def forward(self, x: Tensor) -> Tensor:
        return self.silu(self.beta * x) / self.beta


class _TemperatureSoftmax(nn.Module):
    """nn.Softmax over the last dimension, applied to x / T."""

    def __init__(self, temperature: float) -> None:
        super().__init__()
        self.temperature = temperature
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x: Tensor) -> Tensor:
        return self.softmax(x / self.temperature)


class _GatedModule(nn.Module):
    """a * g(b) over the two halves of the last dimension, like nn.GLU with another gate."""

    def __init__(self, gate: Callable[[Tensor], Tensor]) -> None:
        super().__init__()
        self.gate = gate

    def forward(self, x: Tensor) -> Tensor:
        a, b = x.chunk(2, dim=-1)
        return a * self.gate(b)


# --- the catalogue: each entry's metadata joined to its implementation --------------------


class Implementation(NamedTuple):
    """How torch computes one catalogue entry: f, its hand-written derivative, and the
    ``torch.nn`` module that computes f with given parameters (None where torch has none)."""

    forward: Callable[..., Tensor]
    derivative: Callable[..., Tensor]
    torch_module: Callable[..., nn.Module] | None


IMPLEMENTATIONS: Mapping[str, Implementation] = {
    "identity": Implementation(_identity, _identity_d, lambda: nn.Identity()),
    "step": Implementation(_step, _step_d, None),
    "sigmoid": Implementation(torch.sigmoid, _sigmoid_d, lambda: nn.Sigmoid()),
    "tanh": Implementation(torch.tanh, _tanh_d, lambda: nn.Tanh()),
    "relu": Implementation(torch.relu, _relu_d, lambda: nn.ReLU()),
    "leaky_relu": Implementation(_leaky_relu, _leaky_relu_d,
                                 lambda slope: nn.LeakyReLU(negative_slope=float(slope))),
    "prelu": Implementation(_prelu, _leaky_relu_d, lambda slope: nn.PReLU(init=float(slope))),
    "elu": Implementation(_elu, _elu_d, lambda alpha: nn.ELU(alpha=float(alpha))),
    "selu": Implementation(torch.selu, _selu_d, lambda: nn.SELU()),
    "gelu": Implementation(_gelu, _gelu_d, lambda form: nn.GELU(approximate=str(form))),
    "swish": Implementation(_swish, _swish_d, lambda beta: _ScaledSiLU(float(beta))),
    "mish": Implementation(F.mish, _mish_d, lambda: nn.Mish()),
    "softplus": Implementation(F.softplus, torch.sigmoid, lambda: nn.Softplus()),
    "softmax": Implementation(_softmax, _softmax_d,
                              lambda temperature: _TemperatureSoftmax(float(temperature))),
    "glu": Implementation(_gated(torch.sigmoid), _gated_d(torch.sigmoid, _sigmoid_d),
                          lambda: nn.GLU(dim=-1)),
    "swiglu": Implementation(_gated(_silu), _gated_d(_silu, _silu_d), lambda: _GatedModule(_silu)),
    "geglu": Implementation(_gated(_gelu_exact), _gated_d(_gelu_exact, _gelu_exact_d),
                            lambda: _GatedModule(_gelu_exact)),
}
"""One implementation per entry of :data:`actlib.activation_info.CATALOGUE_INFO`, by key."""


def _joined(info: ActivationInfo) -> ActivationSpec:
    implementation = IMPLEMENTATIONS[info.key]
    return ActivationSpec(**{f.name: getattr(info, f.name) for f in fields(ActivationInfo)},
                          **implementation._asdict())


if set(IMPLEMENTATIONS) != set(ACTIVATION_INFO):  # an entry without its other half
    raise RuntimeError("the catalogue's metadata and implementations differ: "
                       f"{sorted(set(IMPLEMENTATIONS) ^ set(ACTIVATION_INFO))}")
CATALOGUE: tuple[ActivationSpec, ...] = tuple(_joined(info) for info in CATALOGUE_INFO)
ACTIVATIONS: dict[str, ActivationSpec] = {spec.key: spec for spec in CATALOGUE}


def get(key: str) -> ActivationSpec:
    """The spec for a key, with a message listing the valid keys when it is unknown.

    A key ``f:<formula>`` is a student's own activation (see :func:`custom_key`): its spec
    is built from the formula, once per process per formula.
    """
    try:
        return ACTIVATIONS[key]
    except KeyError:
        if is_custom(key):
            from actlib.custom_activation import custom_spec

            try:
                return custom_spec(key[len(CUSTOM_PREFIX):])
            except ValueError as error:
                raise KeyError(f"custom activation {key!r}: {error}") from None
        raise KeyError(f"unknown activation {key!r}; known: {', '.join(ACTIVATIONS)}") from None


def custom_key(text: str) -> str:
    """The key of a typed formula: ``f:`` plus its canonical spelling, so that two spellings
    of one formula (``x*sigmoid(x)``, ``x * sigmoid( x )``) are one key, one cached run.
    Raises :class:`actlib.formula.FormulaError` (a ValueError) for an unusable formula."""
    from actlib.custom_activation import custom_spec

    return custom_spec(text).key
