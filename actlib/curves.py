"""Sample activations on a grid into tidy frames: the data behind every curve chart.

Values come from the catalogue's torch implementation; f' from the catalogue's hand-written
derivative; f'' from autograd on that derivative (tests pin all three independently).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
import torch

from actlib.activations import Params, get

DEFAULT_POINTS = 401
"""Enough for smooth curves on a slide; more only costs serialisation time (measured)."""


def grid(x_min: float, x_max: float, points: int = DEFAULT_POINTS) -> torch.Tensor:
    """An evenly spaced float64 grid that always contains 0 when the window straddles it.

    Keeping 0 on the grid makes kinks (ReLU's corner) and values at 0 exact on the chart.
    """
    x = torch.linspace(float(x_min), float(x_max), int(points), dtype=torch.float64)
    if x_min < 0 < x_max:
        x = torch.sort(torch.cat([x, torch.zeros(1, dtype=torch.float64)])).values
        x = torch.unique_consecutive(x)
    return x


def second_derivative(key: str, x: torch.Tensor, params: Params | None = None) -> torch.Tensor:
    """f''(x) by autograd through the catalogue's derivative (0 where f' is piecewise flat)."""
    spec = get(key)
    xx = x.detach().clone().requires_grad_(True)
    d = spec.grad(xx, params)
    if not d.requires_grad:  # piecewise-constant derivative (ReLU, step, identity)
        return torch.zeros_like(x)
    (dd,) = torch.autograd.grad(d.sum(), xx)
    return dd.detach()


def curve_frame(
    keys: Sequence[str],
    x_min: float,
    x_max: float,
    params: Mapping[str, Params] | None = None,
    points: int = DEFAULT_POINTS,
    with_second: bool = False,
) -> pd.DataFrame:
    """Long frame: one row per (activation, x) with columns f, df (and d2f).

    Only elementwise activations have a curve; others are skipped (the page shows them in
    their own views).
    """
    params = params or {}
    x = grid(x_min, x_max, points)
    frames = []
    for key in keys:
        spec = get(key)
        if spec.kind != "elementwise":
            continue
        p = params.get(key)
        with torch.no_grad():
            f = spec(x, p)
            df = spec.grad(x, p)
        data = {
            "key": key,
            "activation": spec.name,
            "x": x.numpy(),
            "f": f.numpy(),
            "df": df.numpy(),
        }
        if with_second:
            data["d2f"] = second_derivative(key, x, p).numpy()
        frames.append(pd.DataFrame(data))
    if not frames:
        return pd.DataFrame(columns=["key", "activation", "x", "f", "df"])
    return pd.concat(frames, ignore_index=True)
