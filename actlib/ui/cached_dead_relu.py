"""Cached entry points of the Dead ReLU monitor.

The census and a unit probe of a run at a step are pure functions of plain arguments (a
TrainConfig is frozen and hashable), so ``st.cache_data`` keeps them; it copies what it
returns. A run that trains live is followed by :class:`actlib.dead_units.ProbeSource`,
never kept in a global cache (it holds a network under training).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from actlib import dead_units
from actlib.dead_units import UnitProbe
from actlib.training import TrainConfig


@st.cache_data(max_entries=64, show_spinner=False)
def census(
    activations: tuple[str, ...],
    params: dict[str, dict],
    dataset: str,
    depth: int,
    width: int,
    init: str,
    bias: float | None,
    batch_norm: bool,
) -> pd.DataFrame:
    return dead_units.census_at_init(
        activations, params=params, dataset=dataset, depth=depth, width=width, init=init,
        bias=bias, batch_norm=batch_norm,
    )


@st.cache_data(max_entries=32, show_spinner=False)
def census_by_scheme(dataset: str, depth: int, width: int) -> pd.DataFrame:
    return dead_units.census_by_scheme(dataset=dataset, depth=depth, width=width)


@st.cache_data(max_entries=8, show_spinner="Training the run again to look inside the network…")
def probe_at(config: TrainConfig, step: int) -> UnitProbe:
    return dead_units.probe_at(config, step)
