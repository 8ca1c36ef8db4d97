"""Cached entry points for the "Why non-linearity" page, keyed by their plain arguments.

Only plain results (numbers, numpy arrays, frames) are cached, never a model, and
``st.cache_data`` hands every session its own copy. The trained networks behind the
collapse and the fits are read from the live runs themselves (:mod:`actlib.ui.live_runs`).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from actlib import approximation, perceptron
from actlib.datasets import load


@st.cache_data(max_entries=32, show_spinner=False)
def points_frame(
    dataset: str, n: int, noise: float, seed: int, test_fraction: float
) -> pd.DataFrame:
    """The run's points (x1, x2 or x, y, split), as the engine loads them."""
    return load(dataset, n, noise, seed, test_fraction).frame()


@st.cache_data(max_entries=128, show_spinner=False)
def construct_fit(key: str, target: str, units: int, noise: float) -> approximation.UnitFit:
    return approximation.construct_fit(key, target, units, noise)


@st.cache_data(max_entries=64, show_spinner=False)
def error_by_units(keys: tuple[str, ...], target: str, noise: float) -> pd.DataFrame:
    return approximation.error_by_units(keys, target, noise)


@st.cache_data(max_entries=32, show_spinner=False)
def neurons(
    dataset: str, noise: float, lr: float, seed: int, with_rule: bool
) -> tuple[list[perceptron.NeuronRun], pd.DataFrame, pd.DataFrame]:
    """The compared neurons, their history and the loss slices through their start."""
    data = load(dataset, perceptron.DATA_SAMPLES, noise, 0)
    runs = perceptron.compare(data.x_train, data.y_train, lr, seed, with_rule=with_rule)
    w, b = perceptron.initial_weights(seed)
    slices = pd.concat(
        [perceptron.loss_slice(k, data.x_train, data.y_train, w, b) for k in ("step", "sigmoid")],
        ignore_index=True,
    )
    return runs, perceptron.history_frame(runs), slices
