"""The batched linear layer: the narrow layout computes exactly what ``torch.baddbmm`` and
autograd compute (float64, so only summation order may differ), and the network uses it
where it is faster."""

from __future__ import annotations

import pytest
import torch

from actlib.batched_linear import (
    NARROW_MIN_WORK,
    NARROW_OUTPUTS,
    NarrowLinear,
    batched_linear,
    is_narrow,
)
from actlib.nets import BatchedMLP, NetConfig, ensemble

F64 = torch.float64


def _layer(models: int, rows: int, fan_in: int, fan_out: int, seed: int = 0):
    g = torch.Generator().manual_seed(seed)
    h = torch.randn(models, rows, fan_in, generator=g, dtype=F64, requires_grad=True)
    weight = torch.randn(models, fan_in, fan_out, generator=g, dtype=F64, requires_grad=True)
    bias = torch.randn(models, 1, fan_out, generator=g, dtype=F64, requires_grad=True)
    upstream = torch.randn(models, rows, fan_out, generator=g, dtype=F64)
    return h, weight, bias, upstream


def _grads(fn, h, weight, bias, upstream):
    out = fn(h, weight, bias)
    grads = torch.autograd.grad(out, (h, weight, bias), upstream)
    return out, grads


@pytest.mark.parametrize("shape", [(27, 128, 32, 1), (27, 128, 64, 10), (9, 256, 64, 1),
                                   (27, 128, 2, 3), (4, 50, 7, 15)])
def test_narrow_layer_matches_baddbmm_and_autograd(shape):
    h, weight, bias, upstream = _layer(*shape)
    expected, expected_grads = _grads(lambda a, w, b: torch.baddbmm(b, a, w), h, weight,
                                      bias, upstream)
    out, grads = _grads(NarrowLinear.apply, h, weight, bias, upstream)
    torch.testing.assert_close(out, expected, atol=1e-12, rtol=1e-12)
    for got, want in zip(grads, expected_grads, strict=True):
        assert got.shape == want.shape
        torch.testing.assert_close(got, want, atol=1e-12, rtol=1e-12)


def test_narrow_layer_computes_only_the_gradients_asked_for():
    h, weight, bias, upstream = _layer(27, 128, 32, 1)
    h = h.detach()  # a first layer's input: no gradient wanted
    out = NarrowLinear.apply(h, weight, bias)
    grad_weight, grad_bias = torch.autograd.grad(out, (weight, bias), upstream)
    torch.testing.assert_close(grad_weight, torch.einsum("mbi,mbo->mio", h, upstream),
                               atol=1e-12, rtol=1e-12)
    torch.testing.assert_close(grad_bias, upstream.sum(1, keepdim=True), atol=1e-12, rtol=0)


def test_shared_input_and_graph_free_forward_give_the_same_outputs():
    h, weight, bias, _ = _layer(27, 128, 32, 1)
    shared = h[0].detach()
    expected = torch.baddbmm(bias, shared.expand(27, -1, -1), weight)
    torch.testing.assert_close(batched_linear(shared, weight, bias), expected,
                               atol=1e-12, rtol=1e-12)
    with torch.no_grad():
        out = batched_linear(h, weight, bias)
    assert out.grad_fn is None
    torch.testing.assert_close(out, torch.baddbmm(bias, h, weight).detach(),
                               atol=1e-12, rtol=1e-12)


def test_which_layers_are_narrow():
    assert is_narrow(27, 128, 32, 1)  # the bake-off's head
    assert is_narrow(27, 128, 64, 10)  # the digits head
    assert not is_narrow(27, 128, 32, 32)  # a hidden layer: wide
    assert not is_narrow(27, 128, 32, NARROW_OUTPUTS)
    assert not is_narrow(1, 32, 4, 1)  # a Playground network: too little work
    assert is_narrow(1, NARROW_MIN_WORK, 1, 1) and not is_narrow(1, NARROW_MIN_WORK - 1, 1, 1)


def test_the_bake_off_head_runs_narrow_and_hidden_layers_do_not():
    config = NetConfig(2, 1, ensemble(("relu", "tanh", "gelu"), (0, 1, 2)), depth=3, width=32)
    model = BatchedMLP(config)
    x = torch.randn(9, 128, 2)
    output = model(x)
    assert type(output.grad_fn).__name__ == "NarrowLinearBackward"
    hidden = model._linear(1, torch.randn(9, 128, 32, requires_grad=True))
    assert type(hidden.grad_fn).__name__ == "BaddbmmBackward0"
