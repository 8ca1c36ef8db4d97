"""Cached entry points for the "Why non-linearity" page, keyed by their plain arguments.

The runs behind the collapse, the hidden-unit maps and the trained fits are rebuilt from
their (frozen, hashable) TrainConfig by :func:`actlib.collapse.train_model`; only plain
results (numbers, numpy arrays, frames) are cached, never a model, and ``st.cache_data``
hands every session its own copy.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from actlib import approximation, collapse, perceptron
from actlib.datasets import load
from actlib.training import TrainConfig


@st.cache_data(max_entries=32, show_spinner=False)
def points_frame(
    dataset: str, n: int, noise: float, seed: int, test_fraction: float
) -> pd.DataFrame:
    """The run's points (x1, x2 or x, y, split), as the engine loads them."""
    return load(dataset, n, noise, seed, test_fraction).frame()


@st.cache_data(max_entries=32, show_spinner="Folding the identity network…")
def collapse_report(config: TrainConfig, steps: int) -> collapse.CollapseReport:
    return collapse.collapse_report(config, steps)


@st.cache_data(max_entries=32, show_spinner="Reading the hidden units…")
def unit_maps(config: TrainConfig, steps: int, layer: int, size: int = 25) -> pd.DataFrame:
    """The playground's hidden-unit maps of its single model; empty if it diverged."""
    trained = collapse.train_model(config, steps)
    if trained.diverged_step[0] >= 0 or trained.data.bounds is None:
        return pd.DataFrame()
    return approximation.unit_map_frame(trained.model, 0, layer, trained.data.bounds, size)


@st.cache_data(max_entries=32, show_spinner="Reading the units of the trained networks…")
def trained_fits(config: TrainConfig, steps: int) -> list[approximation.UnitFit]:
    trained = collapse.train_model(config, steps)
    return approximation.trained_fits(trained.model, config.dataset, trained.data.x_train,
                                      trained.data.y_train)


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
