"""The softmax explorer shared by the Shapes and Why-non-linearity pages: editable logits,
a temperature slider, entropy and top probability, the output bars and the temperature
sweep. Each page adds its own explanation around it."""

from __future__ import annotations

import streamlit as st

from actlib import charts
from actlib.settings import FloatList, Setting, activation_param_settings
from actlib.softmax import limits_summary, probability_frame
from actlib.ui import cached
from actlib.ui.settings_widgets import SettingsPanel

LOGITS_KEY = "logits"
TEMPERATURE_KEY = "softmax_temperature"

SOFTMAX_SETTINGS: tuple[Setting, ...] = (
    FloatList(LOGITS_KEY, "Logits (comma-separated)", default=(2.0, 1.0, 0.1, -1.0),
              low=-50.0, high=50.0, min_length=2, max_length=8),
    *activation_param_settings("softmax"),
)
"""Declare these in a page's PageSettings to use :func:`softmax_explorer` there."""


def softmax_explorer(panel: SettingsPanel) -> tuple[tuple[float, ...], float]:
    """Draw the controls, numbers and charts; return (logits, temperature) for the page."""
    left, right = st.columns([1, 2])
    with left:
        logits = panel.widget(LOGITS_KEY)
        temperature = panel.widget(TEMPERATURE_KEY)
        summary = limits_summary(logits, temperature)
        st.metric("Entropy", f"{summary['entropy_bits']:.3f} bits",
                  help=f"Uniform over {len(logits)} classes: "
                  f"{summary['max_entropy_bits']:.3f} bits")
        st.metric("Largest probability", f"{summary['top_probability']:.4f}")
        st.caption(f"The probabilities sum to {summary['sum']:.6f}.")
    with right:
        st.altair_chart(charts.probability_bars(probability_frame(logits, temperature)),
                        width="stretch")
    st.altair_chart(
        charts.temperature_sweep_chart(cached.temperature_sweep(tuple(logits)), temperature),
        width="stretch",
    )
    return logits, temperature
