"""The Shapes and saturation page's settings: which activations, the x window and ε, the
inputs' spread, the detail card, the gated unit, every activation's parameters and the
softmax explorer's."""

from __future__ import annotations

from actlib.activations import ACTIVATIONS, CATALOGUE, ELEMENTWISE_KEYS, get
from actlib.page_settings import activation_labels, formula_setting, with_formula
from actlib.page_settings.softmax_explorer import SOFTMAX_SETTINGS
from actlib.settings import (
    ActivationChoice,
    ActivationChoices,
    Choice,
    Flag,
    FloatInterval,
    FloatRange,
    PageSettings,
    activation_param_settings,
)

GATED_KEYS = tuple(s.key for s in CATALOGUE if s.kind == "gated")
PARAM_KEYS = tuple(k for k in ELEMENTWISE_KEYS if get(k).params)
"""Activations whose parameters sit in the popover (softmax's temperature has its own tab)."""
VIEWS = ("Curves", "Properties", "Through a layer", "Softmax", "Gated units")

SETTINGS = PageSettings(
    (
        Choice("view", "View", options=VIEWS, default="Curves", widget="tabs"),
        ActivationChoices(
            "act",
            "Activations",
            options=with_formula(ELEMENTWISE_KEYS),
            default=("sigmoid", "tanh", "relu", "gelu"),
            labels=activation_labels(with_formula(ELEMENTWISE_KEYS)),
        ),
        formula_setting(),
        FloatInterval("x", "x window", default=(-6.0, 6.0), low=-50.0, high=50.0, step=0.5),
        FloatRange(
            "eps", "Saturation threshold ε", default=0.05, low=0.001, high=0.5, step=0.001,
            fmt="%.3f", help="A region saturates where |f′(x)| < ε: gradients through it vanish.",
        ),
        Flag("d2", "Show f″(x)", default=False),
        FloatRange(
            "scale", "Std of the inputs", default=1.0, low=0.1, high=10.0, step=0.1,
            fmt="%.1f", help="Pre-activations x ~ N(0, std²) fed through each activation.",
        ),
        ActivationChoice(
            "detail", "Formula and PyTorch for", options=with_formula(tuple(ACTIVATIONS)),
            default="gelu", labels=activation_labels(with_formula(tuple(ACTIVATIONS))),
        ),
        Choice(
            "gate", "Gated unit", options=GATED_KEYS, default="swiglu",
            labels={k: get(k).name for k in GATED_KEYS}, widget="segmented",
        ),
        *(s for key in PARAM_KEYS for s in activation_param_settings(key)),
        *SOFTMAX_SETTINGS,
    )
)
