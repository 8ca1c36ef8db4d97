"""Softmax as a vector function: probabilities, entropy and the temperature limits.

Everything goes through the catalogue's softmax (one definition), in float64.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import torch

from actlib.activations import get

DTYPE = torch.float64

def probabilities(logits: Sequence[float], temperature: float) -> np.ndarray:
    """softmax(logits / T) through the catalogue's implementation."""
    x = torch.tensor(list(logits), dtype=DTYPE)
    return get("softmax")(x, {"temperature": temperature}).numpy()


def entropy_bits(p: np.ndarray) -> float:
    """Shannon entropy in bits (0 for a one-hot, log2(n) for uniform)."""
    nonzero = p[p > 0]
    return float(-(nonzero * np.log2(nonzero)).sum())


def probability_frame(logits: Sequence[float], temperature: float) -> pd.DataFrame:
    """One row per class: its logit and its probability."""
    p = probabilities(logits, temperature)
    return pd.DataFrame(
        {
            "class": [f"class {i + 1}" for i in range(len(p))],
            "logit": list(logits),
            "probability": p,
        }
    )


def temperature_sweep(
    logits: Sequence[float], low: float = 0.05, high: float = 20.0, points: int = 121
) -> pd.DataFrame:
    """Each class's probability as T moves on a log scale: argmax at the cold end,
    uniform at the hot end."""
    temps = np.geomspace(low, high, points)
    rows = []
    for t in temps:
        for i, p in enumerate(probabilities(logits, float(t))):
            rows.append({"temperature": float(t), "class": f"class {i + 1}", "probability": p})
    return pd.DataFrame(rows)


def limits_summary(logits: Sequence[float], temperature: float) -> dict[str, float]:
    """Numbers the page states: entropy now, the maximum possible, and the top share."""
    p = probabilities(logits, temperature)
    return {
        "entropy_bits": entropy_bits(p),
        "max_entropy_bits": math.log2(len(p)),
        "top_probability": float(p.max()),
        "sum": float(p.sum()),
    }
