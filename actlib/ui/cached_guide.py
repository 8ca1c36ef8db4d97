"""Cached entry points for the guide page.

* The compute-cost benchmark runs on a button press and its result is kept once per
  process (``st.cache_resource``): every session then sees the same measurement, with when
  it was taken and on how many threads, instead of each one loading the CPU again. A lock
  makes two simultaneous presses run one benchmark after the other, never side by side
  (two at once would time each other's interference).
* The test points drawn over the bake-off's decision surfaces (``st.cache_data``).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import streamlit as st

from actlib import compute_cost, datasets


@dataclass(frozen=True)
class CostMeasurement:
    """One run of the benchmark and the circumstances it ran in."""

    summary: pd.DataFrame
    taken_at: datetime
    seconds: float
    threads: int
    n_elements: int
    repetitions: int


class _CostStore:
    """The process's latest measurement; thread-safe (sessions are threads)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: CostMeasurement | None = None

    def latest(self) -> CostMeasurement | None:
        return self._latest

    def measure(self, n_elements: int, repetitions: int) -> CostMeasurement:
        with self._lock:
            started = time.perf_counter()
            summary = compute_cost.measure_cost(n_elements=n_elements, repetitions=repetitions)
            threads = int(summary["threads"].iloc[0])
            self._latest = CostMeasurement(
                summary, datetime.now(), time.perf_counter() - started, threads,
                n_elements, repetitions,
            )
            return self._latest


@st.cache_resource(show_spinner=False)
def _cost_store() -> _CostStore:
    return _CostStore()


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
    frame = datasets.load(name, n, noise, seed, test_fraction).frame()
    return frame[frame["split"] == "test"].reset_index(drop=True)
