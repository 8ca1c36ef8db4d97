"""The Dead ReLU monitor's settings: the run (activations, data, recipe, network), what to
look inside, the census depth and the remedy to compare."""

from __future__ import annotations

from collections.abc import Mapping

from actlib.activations import HIDDEN_LAYER_KEYS
from actlib.datasets import CLASSIFICATION_2D, DATASETS, MULTICLASS_2D
from actlib.dead_units import CURES
from actlib.nets import INIT_SCHEMES
from actlib.page_settings import activation_labels, formula_setting, with_formula
from actlib.settings import (
    ActivationChoice,
    ActivationChoices,
    Choice,
    Flag,
    IntRange,
    PageSettings,
    activation_param_settings,
)
from actlib.user_data import OWN_DATA_LABEL, OWN_DATA_OPTION
from actlib.vocabulary import INIT_LABELS, NORM_LABELS, OPTIMIZER_LABELS, learning_rates

VIEWS = ("Training run", "Census at init", "Before / after", "PReLU slope")
DATA = (*CLASSIFICATION_2D, *MULTICLASS_2D, "digits")
LEARNING_RATES = learning_rates(0.0003, 10.0)
BIASES = ("init", -3.0, -2.0, -1.0, -0.5, -0.2, 0.0, 0.2, 0.5)
INITS = tuple(k for k in INIT_SCHEMES if k != "naive")
PARAM_KEYS = ("leaky_relu", "prelu")
"""Activations whose parameters the page offers (in the Slopes popover)."""
CAP_CONTROLS: Mapping[str, str] = {
    "steps": "fewer **Training steps**", "depth": "fewer **Hidden layers**",
    "width": "fewer **Units per layer**", "models": "fewer **Activations**",
}
"""This page's controls for each lever of the run caps (CapExceededError.in_words)."""

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default="Training run", widget="tabs"),
        ActivationChoices(
            "act", "Activations", options=with_formula(HIDDEN_LAYER_KEYS),
            default=("relu", "leaky_relu", "elu", "gelu"),
            labels=activation_labels(with_formula(HIDDEN_LAYER_KEYS)), min_count=1, max_count=6,
        ),
        formula_setting(),
        Choice("data", "Data", options=(*DATA, OWN_DATA_OPTION), default="moons",
               labels={**{k: DATASETS[k].label for k in DATA},
                       OWN_DATA_OPTION: OWN_DATA_LABEL}),
        Choice(
            "lr", "Learning rate", options=LEARNING_RATES, default=0.1, widget="select_slider",
            help="High rates push a unit's weights and bias so far that it never fires again.",
        ),
        Choice("opt", "Optimiser", options=tuple(OPTIMIZER_LABELS), default="adam",
               labels=OPTIMIZER_LABELS),
        Choice(
            "bias", "Initial bias", options=BIASES, default="init",
            labels={"init": "from init"}, widget="select_slider",
            help="Every hidden bias starts at this value (weights unchanged). A negative "
            "shift switches units off before training starts.",
        ),
        Choice("init", "Weight init", options=INITS, default="default", labels=INIT_LABELS),
        Flag("bn", NORM_LABELS["batch"], default=False,
             help="Batch normalisation between each linear layer and its activation."),
        IntRange("depth", "Hidden layers", default=3, low=1, high=8),
        IntRange("width", "Units per layer", default=32, low=4, high=64, step=4),
        IntRange("steps", "Training steps", default=400, low=50, high=2000, step=50,
                 help="Updates on minibatches of 128 samples."),
        IntRange("seed", "Seed", default=0, low=0, high=9),
        Choice("chart", "Dead share as", options=("lines", "heatmap"), default="lines",
               labels={"lines": "Lines", "heatmap": "Heatmap"}, widget="segmented"),
        ActivationChoice("inspect", "Look inside", options=with_formula(HIDDEN_LAYER_KEYS),
                         default="relu", labels=activation_labels(with_formula(HIDDEN_LAYER_KEYS))),
        IntRange("layer", "Layer", default=3, low=1, high=8),
        IntRange("cdepth", "Depth of the census network", default=10, low=2, high=50),
        Choice("cure", "Remedy", options=tuple(CURES), default="lower_lr", labels=CURES,
               widget="segmented"),
        *(s for key in PARAM_KEYS for s in activation_param_settings(key)),
    )
)
