"""Settings of the "Choosing an activation" page: the guide's questions, and the bake-off's
network, optimiser and training controls.

Labels come from :mod:`actlib.vocabulary`, so an initialisation or optimiser reads the same
here as on every page; the option keys (``init=he``, ``opt=adam``) and every learning rate
the page offered before are unchanged, so old links keep their values.
"""

from __future__ import annotations

from actlib import bakeoff, quantise
from actlib.activations import HIDDEN_LAYER_KEYS
from actlib.datasets import DATASETS
from actlib.guide import GUIDE_SETTINGS, Answers, advise
from actlib.page_settings import activation_labels, formula_setting, with_formula
from actlib.settings import (
    ActivationChoice,
    ActivationChoices,
    ActivationStacks,
    Choice,
    FloatRange,
    IntRange,
    PageSettings,
)
from actlib.training import OPTIMIZERS
from actlib.user_data import OWN_DATA_LABEL, OWN_DATA_OPTION
from actlib.vocabulary import INIT_LABELS, OPTIMIZER_LABELS, learning_rates

VIEWS = ("Advice", "Bake-off", "Compute cost", "Quantised", "History")
PICKS = {
    "advice": "The advice's candidates",
    "nine": "All nine classics",
    "custom": "My own pick",
}
DEFAULT_PICK = tuple(k for k, _ in bakeoff.advice_candidates(advise(Answers())))
LEARNING_RATES = learning_rates(0.0001, 10.0)
INITS = {k: INIT_LABELS[k] for k in ("default", "he", "xavier_uniform", "lecun")}
"""The schemes a bake-off compares activations under: one per family."""
WIDTHS = (8, 16, 32, 64, 128)
MAX_LAYERS = 10
MAX_STACKS = 3
"""Stacks one bake-off may add to its picked activations."""

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default="Advice", widget="tabs"),
        *GUIDE_SETTINGS,
        Choice("pick", "Activations to compare", options=tuple(PICKS), default="advice",
               labels=PICKS, widget="segmented"),
        ActivationChoices("act", "Activations", options=with_formula(HIDDEN_LAYER_KEYS),
                          default=DEFAULT_PICK,
                          labels=activation_labels(with_formula(HIDDEN_LAYER_KEYS))),
        formula_setting(),
        ActivationStacks("stack", "Stacks: one activation per layer",
                         options=with_formula(HIDDEN_LAYER_KEYS),
                         labels=activation_labels(with_formula(HIDDEN_LAYER_KEYS)),
                         max_layers=MAX_LAYERS, max_stacks=MAX_STACKS,
                         placeholder="e.g. relu, tanh; gelu → relu",
                         help="Entries with a different activation in each hidden layer, "
                         "trained beside the picked ones: layers separated by commas or "
                         "arrows, stacks by ;. With fewer entries than hidden layers the last "
                         "one repeats; extra entries are left out."),
        Choice("data", "Data set", options=(*bakeoff.DATASETS, OWN_DATA_OPTION), default="moons",
               labels={**{k: DATASETS[k].label for k in bakeoff.DATASETS},
                       OWN_DATA_OPTION: OWN_DATA_LABEL}),
        Choice("init", "Initialisation (all models)", options=tuple(INITS), default="default",
               labels=INITS,
               help="One scheme for every model, so the activation is the only difference."),
        Choice("opt", "Optimiser", options=tuple(OPTIMIZERS), default="adam",
               labels={k: OPTIMIZER_LABELS[k] for k in OPTIMIZERS}),
        Choice("lr", "Learning rate", options=LEARNING_RATES, default=0.01,
               widget="select_slider"),
        IntRange("layers", "Hidden layers", default=3, low=1, high=MAX_LAYERS),
        Choice("width", "Units per layer", options=WIDTHS, default=32, widget="select_slider"),
        IntRange("steps", "Training steps", default=500, low=50, high=2000, step=50),
        IntRange("seeds", "Seeds per activation", default=3, low=1, high=bakeoff.MAX_SEEDS,
                 help="Each seed is a different initialisation and batch order: the spread "
                 "over seeds is the noise any difference must beat."),
        FloatRange("target", "Target training loss", default=0.1, low=0.01, high=0.6,
                   step=0.01, help="The table counts the steps each activation needed to "
                   "bring its training loss down to this value."),
        # Quantised
        ActivationChoice("q_act", "Activation", options=with_formula(quantise.KEYS),
                         default="relu", labels=activation_labels(with_formula(quantise.KEYS)),
                         formula_key="fx"),
        IntRange("q_bits", "Bits k", default=4, low=quantise.MIN_BITS, high=quantise.MAX_BITS,
                 help="2^k output levels, evenly spaced over the range."),
        FloatRange("q_clip", "Clip value c (unbounded ends)", default=6.0,
                   low=quantise.MIN_CLIP, high=quantise.MAX_CLIP, step=0.5,
                   help="Where an unbounded end of the range is cut, as ReLU6 cuts ReLU at 6."),
    )
)
