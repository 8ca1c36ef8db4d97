"""A layer's activations, group by group, against the catalogue and autograd.

Each group runs its catalogue forward (Swish at β = 1 as F.silu, which nn.SiLU computes),
through autograd when training and written into one output when no gradient is wanted;
both ways must give the same numbers, and a model the same numbers whichever neighbours it
has.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from actlib.activations import ELEMENTWISE_KEYS, custom_key, get
from actlib.layer_activations import (
    GroupedLayer,
    activate,
    activation_groups,
    apply_groups,
    fused_kernel,
)
from actlib.nets import ModelSpec

DTYPES = (torch.float32, torch.float64)
SINGLE_OPS = [
    ("identity", {}), ("sigmoid", {}), ("tanh", {}), ("relu", {}),
    ("leaky_relu", {}), ("leaky_relu", {"slope": 0.2}), ("elu", {}), ("elu", {"alpha": 0.5}),
    ("selu", {}), ("gelu", {}), ("gelu", {"form": "tanh"}), ("swish", {}), ("mish", {}),
    ("softplus", {}),
]
"""Every entry (and non-default parameters) that runs as a single torch op."""


def _points(dtype: torch.dtype, shape: tuple[int, ...] = (3, 40, 5)) -> torch.Tensor:
    """Random values and the awkward ones: zeros (kinks), both tails, softplus's threshold."""
    x = 4 * torch.randn(*shape, generator=torch.Generator().manual_seed(1), dtype=dtype)
    special = torch.tensor([0.0, -0.0, 20.0, 20.5, -20.0, 60.0, -60.0, 1e-8, -1e-8],
                           dtype=dtype)
    x.view(-1)[: len(special)] = special
    return x


def _kernel(key: str, params: dict):
    return fused_kernel(key, tuple(sorted(get(key).resolve(params).items())))


def test_the_entries_that_are_no_single_op() -> None:
    without = {key for key in (*ELEMENTWISE_KEYS, "softmax") if _kernel(key, {}) is None}
    assert without == {"step", "prelu", "softmax"}
    assert _kernel("swish", {"beta": 2.0}) is None  # x σ(2x) is no single torch op


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("key", "params"), SINGLE_OPS)
def test_single_ops_compute_the_catalogue_forward(key: str, params: dict,
                                                  dtype: torch.dtype) -> None:
    kernel = _kernel(key, params)
    assert kernel is not None
    x = _points(dtype)
    y = kernel.function(x)
    catalogue = get(key).forward(x, **get(key).resolve(params))
    if key == "swish":  # SiLU: what nn.SiLU computes, within rounding of x * sigmoid(x)
        assert torch.equal(y, nn.SiLU()(x))
        torch.testing.assert_close(y, catalogue, rtol=2 * torch.finfo(dtype).eps, atol=0)
    else:
        assert torch.equal(y, catalogue)
    out = torch.full_like(x, float("nan"))
    kernel.forward(x, out)
    assert torch.equal(out, y)


def _mixed_members() -> tuple[ModelSpec, ...]:
    """A layer of every kind of group: single ops, PReLU's learned slope, softmax, the step
    function, a typed formula and Swish with β = 2."""
    keys = [("relu", None), ("prelu", {"slope": 0.1}), ("gelu", None), ("softmax", None),
            ("swish", {"beta": 2.0}), ("step", None), (custom_key("x * tanh(x)"), None),
            ("mish", None), ("prelu", {"slope": 0.3}), ("swish", None), ("selu", None)]
    return tuple(ModelSpec(key, tuple((params or {}).items()), seed)
                 for key, params in keys for seed in (0, 1))


@pytest.mark.parametrize("transposed", [False, True])
def test_without_gradients_the_groups_write_into_one_output(transposed: bool) -> None:
    members = _mixed_members()
    layer = GroupedLayer(activation_groups(members))
    assert len(layer.groups) == 11
    a = torch.randn(len(members), 8, 4, dtype=torch.float64)
    if transposed:  # as batch norm hands it over: a [M, B, W] view of a [B, M, W] tensor
        a = a.transpose(0, 1).contiguous().transpose(0, 1)
    slopes = torch.linspace(0.05, 0.5, len(members), dtype=torch.float64, requires_grad=True)
    with_graph = activate(a, slopes, layer)
    assert with_graph.grad_fn is not None
    with torch.no_grad():
        fast = activate(a, slopes, layer)
    assert fast.grad_fn is None
    assert torch.equal(fast, with_graph.detach())
    assert torch.equal(fast, apply_groups(a, slopes.detach(), layer))


@pytest.mark.parametrize("key", ["swish", "gelu", "mish", "prelu"])
def test_a_model_computes_the_same_alone_as_among_other_activations(key: str) -> None:
    alone = GroupedLayer(activation_groups((ModelSpec(key, seed=0),)))
    crowd = GroupedLayer(activation_groups((ModelSpec("tanh"), ModelSpec(key, seed=0),
                                            ModelSpec("relu"))))
    a = torch.randn(3, 10, 4, dtype=torch.float32, requires_grad=True)
    slopes = torch.full((3,), 0.25, requires_grad=True)
    out_crowd = activate(a, slopes if key == "prelu" else None, crowd)
    out_alone = activate(a[1:2], slopes[1:2] if key == "prelu" else None, alone)
    assert torch.equal(out_crowd[1], out_alone[0])
    grad = torch.randn(3, 10, 4)
    (g_crowd,) = torch.autograd.grad(out_crowd, a, grad)
    (g_alone,) = torch.autograd.grad(out_alone, a, grad[1:2])
    assert torch.equal(g_crowd[1], g_alone[1])
    with torch.no_grad():
        assert torch.equal(activate(a, None if key != "prelu" else slopes, crowd)[1],
                           out_alone[0])


def test_silu_is_what_the_reproduction_computes() -> None:
    """Swish at β = 1 trains as F.silu: exactly what nn.SiLU, the app's reproduction, does,
    and its gradient is silu_backward's."""
    x = torch.linspace(-8, 8, 101, requires_grad=True)
    y = _kernel("swish", {}).function(x)
    assert torch.equal(y, F.silu(x))
    (grad,) = torch.autograd.grad(y.sum(), x)
    assert torch.equal(grad, torch.ops.aten.silu_backward(torch.ones(101), x.detach()))
