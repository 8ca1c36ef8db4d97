"""The softmax explorer shared by the Shapes and Why-non-linearity pages: editable logits,
a temperature slider, entropy and top probability, the output bars and the temperature
sweep. Each page adds its own explanation around it."""

from __future__ import annotations

import streamlit as st

from actlib import charts
from actlib.softmax import (  # noqa: F401 (SOFTMAX_SETTINGS: re-exported for the pages)
    LOGITS_KEY,
    SOFTMAX_SETTINGS,
    TEMPERATURE_KEY,
    limits_summary,
    probability_frame,
)
from actlib.ui import cached
from actlib.ui.settings_widgets import SettingsPanel


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
