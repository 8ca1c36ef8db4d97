"""The batched linear layer, ``h @ W + b`` for every model at once, in the layout MKL is
fast at.

MKL's batched matrix product is fast when each result has many columns and slow when it
has few: the per-matrix cost of a product with one or ten result columns is that of a
32 x 32 one. On one thread, 27 models of 128 rows (the bake-off), a head with one output
took 97 us forward, as long as a 32 x 32 hidden layer with 32 times its arithmetic, and
390 us forward and backward; a digits head of ten outputs 1.35 ms. The transposed product,
``(W^T h^T)^T``, is the same sum of the same products (a transposed view, no copy) with
the result's rows as its columns: 134 us and 0.48 ms forward and backward, measured.

So a *narrow* layer (fewer than :data:`NARROW_OUTPUTS` outputs, enough arithmetic for
MKL's per-matrix cost to matter) runs as :class:`NarrowLinear`, whose backward picks, for
each of its two products, the layout with the wider result, and computes an outer
product (inner dimension 1) as a broadcast multiply. Every other layer keeps
``torch.baddbmm`` and autograd's own C++ backward: a Python ``autograd.Function`` costs
about 20 us a call more, which only a narrow layer wins back (measured: a 32 x 32 layer
370 us against 470 us through the Function; a Playground network's 2 x 4 layers lose
too).
"""

from __future__ import annotations

import torch
from torch import Tensor

NARROW_OUTPUTS = 16
"""A layer with fewer outputs than this is narrow (a classifier's head; a regression
head has one)."""
NARROW_MIN_WORK = 32_768
"""...provided models x rows x inputs reach this: below it the per-call costs dominate
and the plain product is as fast (measured: 3 models x 128 rows x 32 inputs, equal)."""


def _product(a: Tensor, b: Tensor) -> Tensor:
    """``a @ b`` per model (``[M, r, k] @ [M, k, c]``) in the layout with the wider result."""
    if a.shape[-1] == 1:  # an outer product: no sum at all
        return a * b
    if b.shape[-1] < NARROW_OUTPUTS and a.shape[-2] > b.shape[-1]:
        return torch.bmm(b.transpose(1, 2), a.transpose(1, 2)).transpose(1, 2)
    return torch.bmm(a, b)


def _narrow_forward(h: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``bias + h @ weight`` computed as ``(bias^T + weight^T h^T)^T``."""
    return torch.baddbmm(bias.transpose(1, 2), weight.transpose(1, 2),
                         h.transpose(1, 2)).transpose(1, 2)


class NarrowLinear(torch.autograd.Function):
    """``bias + h @ weight`` per model (``h`` ``[M, B, in]``, ``weight`` ``[M, in, out]``,
    ``bias`` ``[M, 1, out]``) for a narrow ``out``, with a backward that keeps every
    product in MKL's fast layout."""

    @staticmethod
    def forward(ctx, h: Tensor, weight: Tensor, bias: Tensor) -> Tensor:  # type: ignore[override]
        ctx.save_for_backward(h, weight)
        return _narrow_forward(h, weight, bias)

    @staticmethod
    def backward(ctx, grad: Tensor) -> tuple[Tensor | None, Tensor | None, Tensor | None]:  # type: ignore[override]
        h, weight = ctx.saved_tensors
        need_h, need_weight, need_bias = ctx.needs_input_grad
        grad_h = _product(grad, weight.transpose(1, 2)) if need_h else None
        grad_weight = _product(h.transpose(1, 2), grad) if need_weight else None
        grad_bias = grad.sum(1, keepdim=True) if need_bias else None
        return grad_h, grad_weight, grad_bias


def is_narrow(models: int, rows: int, fan_in: int, fan_out: int) -> bool:
    """Does a layer of this shape run faster as :class:`NarrowLinear`?"""
    return fan_out < NARROW_OUTPUTS and models * rows * fan_in >= NARROW_MIN_WORK


def batched_linear(h: Tensor, weight: Tensor, bias: Tensor) -> Tensor:
    """``bias + h @ weight`` for every model: ``h`` ``[M, B, in]`` (or a shared ``[B, in]``),
    ``weight`` ``[M, in, out]``, ``bias`` ``[M, 1, out]``; outputs ``[M, B, out]``."""
    if h.dim() == 2:  # shared input: a stride-0 view, no copy (1.5x faster than matmul)
        h = h.expand(weight.shape[0], -1, -1)
    m, rows, fan_in = h.shape
    if not is_narrow(m, rows, fan_in, weight.shape[-1]):
        return torch.baddbmm(bias, h, weight)
    if torch.is_grad_enabled() and (h.requires_grad or weight.requires_grad
                                    or bias.requires_grad):
        return NarrowLinear.apply(h, weight, bias)
    return _narrow_forward(h, weight, bias)
