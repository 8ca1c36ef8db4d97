"""The softmax explorer's settings (logits and temperature), declared by every page that
shows the explorer (:func:`actlib.ui.softmax_view.softmax_explorer`). Not a page itself:
pages splice :data:`SOFTMAX_SETTINGS` into their own declaration."""

from __future__ import annotations

from actlib.settings import FloatList, Setting, activation_param_settings

LOGITS_KEY = "logits"
TEMPERATURE_KEY = "softmax_temperature"

SOFTMAX_SETTINGS: tuple[Setting, ...] = (
    FloatList(LOGITS_KEY, "Logits (comma-separated)", default=(2.0, 1.0, 0.1, -1.0),
              low=-50.0, high=50.0, min_length=2, max_length=8),
    *activation_param_settings("softmax"),
)
"""Declare these in a page's PageSettings to use the softmax explorer there."""
