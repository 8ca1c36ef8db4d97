"""The Vanishing & exploding page's settings: the network, the data, the theory line and the
training recipe, with the defaults of :class:`actlib.gradients.Experiment`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from actlib import gradients as grad
from actlib.activations import HIDDEN_LAYER_KEYS
from actlib.datasets import DATASET_NAMES, DATASETS
from actlib.nets import INIT_SCHEMES, MAX_DEPTH, MIN_DEPTH
from actlib.page_settings import activation_labels, formula_setting, with_formula
from actlib.settings import ActivationChoices, Choice, Flag, FloatRange, IntRange, PageSettings
from actlib.vocabulary import INIT_LABELS, NORM_LABELS, OPTIMIZER_LABELS, learning_rates

VIEWS = ("At initialisation", "Training", "Activation statistics", "Symptoms and remedies")
DEFAULT = grad.Experiment()
SIGMAS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 3.0, 5.0, 10.0)
RATES = learning_rates(0.0001, 10.0)
CAP_CONTROLS: Mapping[str, str] = {
    "steps": "fewer **Training steps**", "depth": "fewer **Hidden layers**",
    "width": "fewer **Units per layer**", "models": "fewer **Activations to compare**",
}
"""This page's controls for each lever of the run caps (CapExceededError.in_words)."""

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default=VIEWS[0], widget="tabs"),
        ActivationChoices(
            "act", "Activations to compare", options=with_formula(HIDDEN_LAYER_KEYS),
            default=DEFAULT.activations, labels=activation_labels(with_formula(HIDDEN_LAYER_KEYS)),
        ),
        formula_setting(),
        IntRange("depth", "Hidden layers", default=DEFAULT.depth, low=MIN_DEPTH, high=MAX_DEPTH),
        IntRange("width", "Units per layer", default=DEFAULT.width, low=2, high=128),
        Choice("init", "Initialisation", options=tuple(INIT_SCHEMES), default=DEFAULT.init,
               labels=INIT_LABELS,
               help="How the weights are drawn before training. Xavier is also called "
               "Glorot, He is also called Kaiming."),
        Choice("sigma", "σ of the naive init", options=SIGMAS, default=DEFAULT.init_sigma,
               widget="select_slider",
               help="Weights ~ N(0, σ²) whatever the layer's size (naive init only)."),
        Choice("norm", "Normalisation", options=tuple(NORM_LABELS),
               default=DEFAULT.norm, labels=NORM_LABELS,
               help="Batch or layer norm between the linear map and the activation."),
        Flag("residual", "Residual", default=DEFAULT.residual),
        Choice("data", "Data set", options=DATASET_NAMES, default=DEFAULT.dataset,
               labels={k: v.label for k, v in DATASETS.items()}),
        IntRange("seed", "Seed", default=DEFAULT.seed, low=0, high=99,
                 help="Seed of the initial weights and of the minibatch order."),
        Choice("theory", "Theory line", options=tuple(grad.THEORY_LABELS),
               default=grad.DEFAULT_THEORY, labels=grad.THEORY_LABELS,
               help="Product of one factor per layer from the last layer back: the slopes' "
               "RMS times the weights' own factor. The mean-slope line is a contrast."),
        Choice("opt", "Optimiser", options=tuple(OPTIMIZER_LABELS), default=DEFAULT.optimizer,
               labels=OPTIMIZER_LABELS, widget="segmented"),
        Choice("lr", "Learning rate", options=RATES, default=DEFAULT.lr,
               widget="select_slider"),
        Flag("clip", "Clipping", default=False),
        FloatRange("max_norm", "Max norm", default=grad.DEFAULT_MAX_NORM, low=0.1,
                   high=10.0, step=0.1, fmt="%.1f",
                   help="With clipping on, torch.nn.utils.clip_grad_norm_ rescales each "
                   "model's gradient to at most this norm before the step."),
        IntRange("steps", "Training steps", default=DEFAULT.steps, low=50, high=1000, step=50),
        Choice("in_act", "Inputs of", options=HIDDEN_LAYER_KEYS,
               default=DEFAULT.activations[0], labels=activation_labels(HIDDEN_LAYER_KEYS),
               help="Whose inputs to show on its curve (one of the activations compared)."),
        IntRange("in_layer", "Layer", default=1, low=1, high=MAX_DEPTH,
                 help="Which hidden layer's inputs; a click on the heatmap picks one too."),
    )
)


def scenario_values(key: str) -> dict[str, Any]:
    """Every setting of lecture scenario ``key``, with the tab where its point shows (a
    scenario about training changes nothing at initialisation)."""
    item = grad.scenario(key)
    view = VIEWS[1] if item.shows_on == "training" else VIEWS[0]
    return {**grad.experiment_settings(item.experiment()), "view": view}
