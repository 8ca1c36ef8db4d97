"""Sample activations on a grid into tidy frames: the data behind every curve chart.

Values come from the catalogue's torch implementation; f' from the catalogue's hand-written
derivative; f'' from autograd on that derivative (tests pin all three independently).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
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


def normal_inputs(scale: float, n: int = 4000) -> torch.Tensor:
    """n evenly spread quantiles of N(0, scale²): a noise-free stand-in for a random sample,
    so the histograms are the same on every run."""
    u = (torch.arange(n, dtype=torch.float64) + 0.5) / n
    return float(scale) * torch.special.ndtri(u)


def output_distribution(
    keys: Sequence[str],
    scale: float,
    epsilon: float,
    params: Mapping[str, Params] | None = None,
    bins: int = 40,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Histogram of f(x) for x ~ N(0, scale²), per activation, and its summary numbers.

    Returns (bars, stats): bars has one row per bin (start, end, share of inputs); stats one
    row per activation with the output mean and std, the share of exact zeros and the share
    of inputs where |f'(x)| < epsilon (saturated).
    """
    params = params or {}
    x = normal_inputs(scale)
    bars, stats = [], []
    for key in keys:
        spec = get(key)
        if spec.kind != "elementwise":
            continue
        with torch.no_grad():
            y = spec(x, params.get(key)).numpy()
            d = spec.grad(x, params.get(key)).numpy()
        lo, hi = float(y.min()), float(y.max())
        if hi - lo < 1e-12:
            lo, hi = lo - 0.5, hi + 0.5
        counts, edges = np.histogram(y, bins=bins, range=(lo, hi))
        bars.append(
            pd.DataFrame(
                {
                    "key": key,
                    "activation": spec.name,
                    "start": edges[:-1],
                    "end": edges[1:],
                    "share": counts / len(y),
                }
            )
        )
        stats.append(
            {
                "key": key,
                "activation": spec.name,
                "mean": float(y.mean()),
                "std": float(y.std()),
                "exact zeros": float((y == 0).mean()),
                "saturated": float((np.abs(d) < epsilon).mean()),
            }
        )
    if not bars:
        return pd.DataFrame(), pd.DataFrame()
    return pd.concat(bars, ignore_index=True), pd.DataFrame(stats)


def gated_surface(key: str, low: float, high: float, points: int = 61) -> pd.DataFrame:
    """Output of a gated unit a·g(b) over a grid of (a, b): the picture of a gate."""
    spec = get(key)
    if spec.kind != "gated":
        raise ValueError(f"{spec.name} is not a gated activation")
    axis = torch.linspace(float(low), float(high), points, dtype=torch.float64)
    a, b = torch.meshgrid(axis, axis, indexing="ij")
    with torch.no_grad():
        out = spec(torch.stack([a.flatten(), b.flatten()], dim=-1))
    return pd.DataFrame(
        {"a": a.flatten().numpy(), "b": b.flatten().numpy(), "output": out.flatten().numpy()}
    )
