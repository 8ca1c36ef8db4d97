"""Settings of the "Why non-linearity" page: the collapse, approximation, softmax and the
step neuron, one tab each.

The Playground was a tab of this page (``demo=Playground`` with ``p_*`` keys) before it got
its own page; :func:`playground_link` turns such an old link into the new page's query, so
every link a lecturer prepared still opens the Playground in the same state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from actlib.activations import ELEMENTWISE_KEYS, HIDDEN_LAYER_KEYS, get
from actlib.approximation import FIT_METHODS
from actlib.datasets import CLASSIFICATION_2D, DATASETS, REGRESSION_1D
from actlib.page_settings import activation_labels, formula_setting, playground, with_formula
from actlib.page_settings.softmax_explorer import SOFTMAX_SETTINGS
from actlib.perceptron import STEPS
from actlib.settings import (
    ActivationChoice,
    ActivationChoices,
    Choice,
    Flag,
    FloatRange,
    IntRange,
    PageSettings,
)
from actlib.vocabulary import learning_rates

DEMOS = ("Collapse", "Approximation", "Softmax", "Step neuron")
OLD_PLAYGROUND_DEMO = "Playground"
"""The ``demo`` value of links made when the Playground was a tab of this page."""
DATA_LABELS = {k: DATASETS[k].label for k in DATASETS}
NAMES = {k: get(k).name for k in ELEMENTWISE_KEYS}
NEURON_RATES = learning_rates(0.1, 10.0)
"""The step neuron's rates: every one the page offered (0.1 to 10) is a rung."""

SETTINGS = PageSettings(
    (
        Choice("demo", "Demo", options=DEMOS, default="Collapse", widget="tabs"),
        # Collapse
        Choice("c_data", "Data set", options=CLASSIFICATION_2D, default="moons",
               labels=DATA_LABELS),
        IntRange("c_depth", "Hidden layers", default=4, low=1, high=20,
                 help="Both networks have this many hidden layers of 8 units."),
        ActivationChoice("c_act", "Non-linearity to compare",
                         options=with_formula(HIDDEN_LAYER_KEYS), default="relu",
                         labels=activation_labels(with_formula(HIDDEN_LAYER_KEYS))),
        # Approximation
        Choice("a_fit", "Weights from", options=tuple(FIT_METHODS), default="construct",
               labels=FIT_METHODS, widget="segmented",
               help="Construction: units spread evenly, output weights by least squares. "
               "Training: every weight learned by gradient descent (Adam)."),
        Choice("a_target", "Target", options=REGRESSION_1D, default="sine", labels=DATA_LABELS,
               widget="segmented"),
        IntRange("a_units", "Hidden units N", default=8, low=1, high=64),
        ActivationChoices("a_act", "Activations", options=with_formula(ELEMENTWISE_KEYS),
                          default=("relu", "tanh", "sigmoid"),
                          labels=activation_labels(with_formula(ELEMENTWISE_KEYS)), max_count=4),
        formula_setting(),
        FloatRange("a_noise", "Noise on the targets", default=0.0, low=0.0, high=0.5,
                   step=0.05),
        IntRange("a_steps", "Training steps", default=1000, low=100, high=2000, step=100),
        # Softmax (the explorer shared with the Shapes page)
        *SOFTMAX_SETTINGS,
        # Step neuron
        Choice("s_data", "Data set", options=CLASSIFICATION_2D, default="gaussians",
               labels=DATA_LABELS),
        Choice("s_lr", "Learning rate", options=NEURON_RATES, default=1.0,
               widget="select_slider"),
        IntRange("s_seed", "Starting line (seed)", default=0, low=0, high=20),
        IntRange("s_step", "Show step", default=STEPS, low=0, high=STEPS, step=5),
        Flag("s_rule", "Add Rosenblatt's rule", default=False,
             help="Also train the step neuron by the perceptron rule, which needs no "
             "derivative."),
    )
)


def playground_link(query: Mapping[str, Sequence[str]]) -> dict[str, list[str]] | None:
    """For an old link to the Playground tab (``demo=Playground``), the query of the same
    state on the Playground page: every Playground parameter as it was, nothing else (the
    tab and other demos' values do not belong there). None for any other link."""
    if list(query.get("demo", ())) != [OLD_PLAYGROUND_DEMO]:
        return None
    keys = {s.key for s in playground.SETTINGS}
    return {key: list(values) for key, values in query.items() if key in keys}
