"""A hidden layer's activations across an ensemble.

A layer of the batched MLP holds ``[M, B, W]``: M models, each with its own activation.
Neighbouring models with the same activation form a *group*; a bake-off layer has nine.
Training applies each group's activation to its slice through autograd (``split``, one op
per group, ``cat``): every op then has the one fused backward kernel autograd gives it.
Where nothing needs a gradient (evaluation, snapshots, live frames), each group's f is
written straight into its slice of one output (``out=``), with no split, no graph and no
cat (measured: a fifth off a bake-off layer's forward).

Swish at β = 1 is SiLU and runs as ``F.silu`` (what the app's PyTorch reproduction,
``nn.SiLU()``, computes) rather than as the catalogue's ``x * sigmoid(x)``: the same
function, one fused kernel each way instead of three ops, equal within float rounding
(measured: 5 % off a bake-off step). Every other entry runs exactly its catalogue forward.

Measured and dropped: one ``torch.autograd.Function`` per layer that also wrote each
group's gradient into one buffer with torch's own backward kernels (``sigmoid_backward``,
``gelu_backward``, ...). Its forward was faster, but its backward, nine kernel calls and
four splits from Python, was slower than autograd's nine C++ nodes and one cat: on the
bake-off, steps alternating in one process, 9.59 ms against 9.35 (moons) and 16.42 against
16.20 ms (digits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import Tensor

from actlib.activations import SELU_ALPHA, SELU_SCALE, ActivationSpec, get

_nn = torch._C._nn


@dataclass(frozen=True)
class FusedKernel:
    """One activation as a single torch op.

    ``function(x)`` is the differentiable op, one autograd node with a fused backward;
    ``forward(x, out)`` writes the same values into ``out`` (the graph-free path).
    """

    function: Callable[[Tensor], Tensor]
    forward: Callable[[Tensor, Tensor], object]


def fused_kernel(key: str, params: Sequence[tuple[str, float | str]]) -> FusedKernel | None:
    """The single-op form of a catalogue entry with these resolved parameters; None where
    the entry is no single op (it then runs its catalogue forward)."""
    p = dict(params)
    if key == "identity":
        return FusedKernel(lambda x: x, lambda x, out: out.copy_(x))
    if key == "sigmoid":
        return FusedKernel(torch.sigmoid, lambda x, out: torch.sigmoid(x, out=out))
    if key == "tanh":
        return FusedKernel(torch.tanh, lambda x, out: torch.tanh(x, out=out))
    if key == "relu":  # torch.relu is clamp_min(x, 0)
        return FusedKernel(torch.relu, lambda x, out: torch.clamp_min(x, 0, out=out))
    if key == "leaky_relu":
        slope = float(p["slope"])
        return FusedKernel(lambda x: F.leaky_relu(x, slope),
                           lambda x, out: _nn.leaky_relu(x, slope, out=out))
    if key == "elu":
        alpha = float(p["alpha"])
        return FusedKernel(lambda x: F.elu(x, alpha),
                           lambda x, out: _nn.elu(x, alpha, 1.0, 1.0, out=out))
    if key == "selu":  # torch.selu is elu(x, SELU_ALPHA, SELU_SCALE)
        return FusedKernel(torch.selu,
                           lambda x, out: _nn.elu(x, SELU_ALPHA, SELU_SCALE, 1.0, out=out))
    if key == "gelu":
        approximate = "tanh" if p["form"] == "tanh" else "none"
        return FusedKernel(lambda x: F.gelu(x, approximate=approximate),
                           lambda x, out: _nn.gelu(x, approximate=approximate, out=out))
    if key == "swish" and float(p["beta"]) == 1.0:
        return FusedKernel(F.silu, lambda x, out: _nn.silu(x, out=out))
    if key == "mish":
        return FusedKernel(F.mish, lambda x, out: _nn.mish(x, out=out))
    if key == "softplus":
        return FusedKernel(F.softplus, lambda x, out: _nn.softplus(x, 1.0, 20.0, out=out))
    return None


# --- groups of a layer -----------------------------------------------------------------------


@dataclass(frozen=True)
class ActivationGroup:
    """A run of neighbouring models with the same activation and parameters: models
    ``start`` to ``stop - 1`` of a layer's ``[M, B, W]`` tensor."""

    start: int
    stop: int
    spec: ActivationSpec
    params: tuple[tuple[str, float | str], ...]

    kernel: FusedKernel | None = field(init=False, repr=False, compare=False)
    """Its single-op form, or None: it runs its catalogue forward."""

    def __post_init__(self) -> None:
        kernel = None if self.spec.learnable else fused_kernel(self.spec.key, self.params)
        object.__setattr__(self, "kernel", kernel)

    @property
    def size(self) -> int:
        return self.stop - self.start

    @property
    def learned_slope(self) -> bool:
        return self.spec.learnable

    def apply(self, x: Tensor, slope: Tensor | None) -> Tensor:
        """f on this group's slice ``x`` (differentiable); ``slope`` ``[size]`` for PReLU."""
        if self.learned_slope:
            assert slope is not None
            return torch.where(x > 0, x, slope.view(-1, 1, 1) * x)
        if self.kernel is not None:
            return self.kernel.function(x)
        return self.spec.forward(x, **dict(self.params))

    def derivative(self, x: Tensor, slope: Tensor | None) -> Tensor:
        """f'(x) per unit, from the catalogue's hand-written derivative; for softmax the
        diagonal of its Jacobian, s_i (1 - s_i) / T."""
        if self.learned_slope:
            assert slope is not None
            return torch.where(x > 0, torch.ones_like(x), slope.view(-1, 1, 1).expand_as(x))
        params = dict(self.params)
        if self.spec.kind == "vector":
            s = self.spec.forward(x, **params)
            return s * (1 - s) / float(params["temperature"])
        return self.spec.derivative(x, **params)


def activation_groups(models: Sequence, layer: int = 0) -> tuple[ActivationGroup, ...]:
    """Runs of neighbouring models (:class:`actlib.nets.ModelSpec`) whose hidden ``layer``
    has the same activation and parameters (each layer of an ensemble with stacks groups on
    its own)."""
    groups: list[ActivationGroup] = []
    start = 0
    for i in range(1, len(models) + 1):
        first = models[start].layer_activation(layer)
        if i == len(models) or models[i].layer_activation(layer) != first:
            groups.append(ActivationGroup(start, i, get(first[0]), first[1]))
            start = i
    return tuple(groups)


def layer_groups(models: Sequence, depth: int) -> tuple[tuple[ActivationGroup, ...], ...]:
    """The activation groups of every hidden layer. Without stacks every layer has the same
    groups, found once (the plain Playground pays nothing for stacks)."""
    if not any(m.is_stack for m in models):
        return (activation_groups(models),) * depth
    return tuple(activation_groups(models, layer) for layer in range(depth))


# --- one node per layer ----------------------------------------------------------------------


class GroupedLayer:
    """A hidden layer's groups, and their sizes along the model dimension, worked out once
    per network."""

    def __init__(self, groups: Sequence[ActivationGroup]) -> None:
        self.groups = tuple(groups)
        self.sizes = [g.size for g in self.groups]
        self.learned_slope = any(g.learned_slope for g in self.groups)

    def split(self, t: Tensor) -> Sequence[Tensor]:
        """``t`` cut along its first (model) dimension into the groups' slices: one
        ``torch.split_with_sizes`` (a Python slice per group, or ``Tensor.split``'s Python
        wrapper, cost more: measured 52 and 35 us against 18 us for nine pieces)."""
        return torch.split_with_sizes(t, self.sizes)

    def slopes(self, slopes: Tensor | None) -> Sequence[Tensor | None]:
        """Each group's slice of the layer's slopes ``[M]`` (None where it learns none)."""
        if slopes is None:
            return [None] * len(self.groups)
        return [s if g.learned_slope else None
                for g, s in zip(self.groups, self.split(slopes), strict=True)]


def apply_groups(a: Tensor, slopes: Tensor | None, layer: GroupedLayer) -> Tensor:
    """Every group's f on its slice of ``a`` ``[M, B, W]``, written into one output, with
    no autograd graph."""
    out = torch.empty_like(a)
    for group, x, y, slope in zip(layer.groups, layer.split(a), layer.split(out),
                                  layer.slopes(slopes), strict=True):
        if group.kernel is not None:
            group.kernel.forward(x, y)
        else:
            y.copy_(group.apply(x, slope))
    return out


def activate(a: Tensor, slopes: Tensor | None, layer: GroupedLayer) -> Tensor:
    """Each model's activation on its slice of ``a`` ``[M, B, W]``; ``slopes`` ``[M]`` holds
    the layer's PReLU slopes (None when no group learns one). Through autograd when a
    gradient is wanted, else with no graph at all."""
    if len(layer.groups) == 1:
        return layer.groups[0].apply(a, slopes)
    if torch.is_grad_enabled() and (a.requires_grad or (slopes is not None
                                                        and slopes.requires_grad)):
        return torch.cat([group.apply(x, slope) for group, x, slope in zip(
            layer.groups, layer.split(a), layer.slopes(slopes), strict=True)])
    return apply_groups(a, slopes, layer)
