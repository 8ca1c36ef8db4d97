"""Settings of the Playground page: one small network on 2-D data, trained step by step.

The keys keep their ``p_`` prefix from the days the Playground was a tab of the "Why
non-linearity" page, so the links made then open this page in the same state.
"""

from __future__ import annotations

from actlib.activations import ELEMENTWISE_KEYS
from actlib.datasets import CLASSIFICATION_2D, DATASETS, MULTICLASS_2D
from actlib.nets import MIN_WIDTH
from actlib.page_settings import activation_labels, formula_setting, with_formula
from actlib.playground import BURST, MAX_DEPTH, MAX_WIDTH
from actlib.settings import (
    ActivationChoice,
    ActivationStacks,
    Choice,
    FloatRange,
    IntRange,
    PageSettings,
    StepValues,
)
from actlib.training.live import MAX_LIVE_STEPS
from actlib.user_data import OWN_DATA_LABEL, OWN_DATA_OPTION
from actlib.vocabulary import learning_rates

LEARNING_RATES = learning_rates(0.0003, 10.0)
"""Every rate the tab offered (0.0003 to 10) is a rung, so old links keep their rate."""

SETTINGS = PageSettings(
    (
        Choice("p_data", "Data set",
               options=(*CLASSIFICATION_2D, *MULTICLASS_2D, OWN_DATA_OPTION),
               default="circles",
               labels={**{k: DATASETS[k].label for k in (*CLASSIFICATION_2D, *MULTICLASS_2D)},
                       OWN_DATA_OPTION: OWN_DATA_LABEL}),
        FloatRange("p_noise", "Noise", default=0.1, low=0.0, high=0.5, step=0.05),
        FloatRange("p_test", "Test share", default=0.25, low=0.1, high=0.5, step=0.05,
                   fmt="%.2f", help="Share of the points held out to measure the test loss."),
        Choice("p_lr", "Learning rate (Adam)", options=LEARNING_RATES, default=0.03,
               widget="select_slider"),
        ActivationChoice("p_act", "Activation", options=with_formula(ELEMENTWISE_KEYS),
                         default="tanh", labels=activation_labels(with_formula(ELEMENTWISE_KEYS)),
                         formula_key="p_fx"),
        formula_setting("p_fx"),
        ActivationStacks("p_stack", "Activation per layer",
                         options=with_formula(ELEMENTWISE_KEYS),
                         labels=activation_labels(with_formula(ELEMENTWISE_KEYS)),
                         max_layers=MAX_DEPTH, formula_key="p_fx",
                         placeholder="e.g. relu, tanh, gelu",
                         help="One activation per hidden layer, first to last, separated by "
                         "commas or arrows (relu → tanh → gelu); `formula` is your formula. "
                         "Empty: the Activation above in every layer. With fewer entries than "
                         "hidden layers the last one repeats; extra entries are left out."),
        IntRange("p_depth", "Hidden layers", default=2, low=1, high=MAX_DEPTH),
        IntRange("p_width", "Units per layer", default=6, low=MIN_WIDTH, high=MAX_WIDTH),
        IntRange("p_layer", "Show the units of layer", default=1, low=1, high=MAX_DEPTH),
        IntRange("p_ux", "Across: unit", default=1, low=1, high=MAX_WIDTH,
                 help="The unit of the shown layer drawn across (x) in the folded plane."),
        IntRange("p_uy", "Up: unit", default=2, low=1, high=MAX_WIDTH,
                 help="The unit of the shown layer drawn up (y) in the folded plane."),
        IntRange("p_seed", "Seed", default=0, low=0, high=99,
                 help="Draws the data and the first weights: another seed, another run."),
        IntRange("p_steps", "Trained steps", default=BURST, low=0, high=MAX_LIVE_STEPS,
                 help="Where the run stands; Play, Step and Reset move it. No control: the "
                 "link holds it."),
        StepValues("p_lrs", "Learning-rate changes", options=LEARNING_RATES,
                   max_step=MAX_LIVE_STEPS,
                   help="Rates changed while the run played, as step:rate from step 0."),
    )
)
