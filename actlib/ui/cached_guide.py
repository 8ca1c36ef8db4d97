"""Cached entry points for the guide page.

* The compute-cost benchmark runs on a button press and its result is kept once per
  process in a :class:`~actlib.ui.stores.CostStore` (``st.cache_resource``): every session
  then sees the same measurement, with when it was taken and on how many threads.
* The test points drawn over the bake-off's decision surfaces (``st.cache_data``).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from actlib import compute_cost, datasets
from actlib.compute_cost import CostMeasurement
from actlib.ui.stores import CostStore


@st.cache_resource(show_spinner=False)
def _cost_store() -> CostStore:
    return CostStore()


def latest_cost() -> CostMeasurement | None:
    """The measurement this process took last, or None before the first button press."""
    return _cost_store().latest()


def measure_cost(
    n_elements: int = compute_cost.DEFAULT_ELEMENTS,
    repetitions: int = compute_cost.DEFAULT_REPETITIONS,
) -> CostMeasurement:
    """Run the benchmark now (it takes a few seconds) and keep it for the whole process."""
    return _cost_store().measure(n_elements, repetitions)


@st.cache_data(max_entries=32, show_spinner=False)
def test_points(name: str, n: int, noise: float, seed: int, test_fraction: float) -> pd.DataFrame:
    """The test split of a 2-D set as x1, x2, y: the points drawn over decision surfaces."""
    return datasets.test_points(name, n, noise, seed, test_fraction)
