"""The app's words for its choices: one label per initialisation scheme, normalisation,
optimiser, and one ladder of learning rates.

Every page, chart, snippet and test reads its labels and option lists from here, so a
student meets the same name for the same thing everywhere ("He (Kaiming)" on one page
and "He/Kaiming normal" on another reads as two different schemes). The keys are the
engine's and the URL's (``init=he``): they never change, the words may.

Per-activation facts live in the catalogue (:mod:`actlib.activations`), not here.
"""

from __future__ import annotations

from collections.abc import Mapping

INIT_LABELS: Mapping[str, str] = {
    "default": "PyTorch default",
    "xavier_uniform": "Xavier (Glorot) uniform",
    "xavier_normal": "Xavier (Glorot) normal",
    "he": "He (Kaiming) normal",
    "lecun": "LeCun normal",
    "orthogonal": "Orthogonal",
    "naive": "Naive N(0, σ²)",
}
"""Short names, for controls, legends and tables."""

INIT_DESCRIPTIONS: Mapping[str, str] = {
    "default": "PyTorch's default: U(±1/√fan_in) for weights and biases (nn.Linear)",
    "xavier_uniform": "Xavier (Glorot) uniform: U(±√(6/(fan_in+fan_out))), for tanh and "
    "sigmoid",
    "xavier_normal": "Xavier (Glorot) normal: N(0, 2/(fan_in+fan_out))",
    "he": "He (Kaiming) normal, fan-in: N(0, 2/fan_in), for ReLU",
    "lecun": "LeCun normal: N(0, 1/fan_in), for SELU",
    "orthogonal": "Orthogonal: a random orthogonal matrix (Saxe et al., 2014)",
    "naive": "Naive: N(0, σ²) with σ chosen by hand, to show vanishing and exploding signals",
}
"""One sentence per scheme: what it draws and what it suits (help texts, snippets)."""

NORM_LABELS: Mapping[str, str] = {
    "none": "None",
    "batch": "Batch norm",
    "layer": "Layer norm",
}
NORM_DESCRIPTIONS: Mapping[str, str] = {
    "none": "No normalisation",
    "batch": "Batch norm before the activation (batch statistics in training)",
    "layer": "Layer norm before the activation (statistics over the units of a sample)",
}

OPTIMIZER_LABELS: Mapping[str, str] = {
    "sgd": "SGD",
    "momentum": "SGD with momentum",
    "adam": "Adam",
}

LEARNING_RATES: tuple[float, ...] = (
    0.0001, 0.0003, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0,
)
"""The one ladder of learning rates every page offers (about ×3 a step; 0.5, 2 and 5 let
the gradient scenarios sit between the usual rungs). Old links name only rungs of it."""


def learning_rates(low: float = LEARNING_RATES[0], high: float = LEARNING_RATES[-1]
                   ) -> tuple[float, ...]:
    """The rungs of :data:`LEARNING_RATES` from ``low`` to ``high`` (both included)."""
    rungs = tuple(r for r in LEARNING_RATES if low <= r <= high)
    if not rungs:
        raise ValueError(f"no learning rate between {low:g} and {high:g}")
    return rungs
