"""Cached entry points into actlib for the pages, keyed by their (plain) arguments.

``st.cache_data`` copies what it returns, so a page may change a frame it gets from here
without touching another session's copy.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from actlib import curves, properties, softmax


@st.cache_data(max_entries=256, show_spinner=False)
def curve_frame(
    keys: tuple[str, ...],
    x_min: float,
    x_max: float,
    params: dict[str, dict],
    with_second: bool,
) -> pd.DataFrame:
    return curves.curve_frame(keys, x_min, x_max, params, with_second=with_second)


@st.cache_data(max_entries=512, show_spinner=False)
def activation_properties(
    key: str, x_min: float, x_max: float, params: dict
) -> properties.Properties:
    return properties.compute_properties(key, x_min, x_max, params)


@st.cache_data(max_entries=256, show_spinner=False)
def saturation_by_activation(
    keys: tuple[str, ...], epsilon: float, x_min: float, x_max: float,
    params: dict[str, dict],
) -> dict[str, properties.Intervals]:
    return properties.saturation_by_activation(keys, epsilon, x_min, x_max, params)


@st.cache_data(max_entries=128, show_spinner=False)
def output_distribution(
    keys: tuple[str, ...], scale: float, epsilon: float, params: dict[str, dict]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    return curves.output_distribution(keys, scale, epsilon, params)


@st.cache_data(max_entries=64, show_spinner=False)
def temperature_sweep(logits: tuple[float, ...]) -> pd.DataFrame:
    return softmax.temperature_sweep(logits)


@st.cache_data(max_entries=16, show_spinner=False)
def gated_surface(key: str, low: float, high: float) -> pd.DataFrame:
    return curves.gated_surface(key, low, high)

