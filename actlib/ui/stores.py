"""State that outlives one script run: what a cache decorator cannot hold.

``st.cache_data`` keeps pure results by their arguments, and that is all a ``cached_*``
module does. Two kinds of state are not that:

* :class:`CostStore`, one per process (a page wraps it in ``st.cache_resource``): the
  latest compute-cost measurement, so every session sees the same numbers with when they
  were taken, instead of each one loading the shared CPU again.
* :func:`session_memo`, one per session: a small mapping in ``st.session_state`` that a
  page's helper fills across reruns of that session only.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import MutableMapping
from typing import Any

import streamlit as st

from actlib import compute_cost
from actlib.compute_cost import CostMeasurement


class CostStore:
    """The process's latest compute-cost measurement.

    Thread-safe: sessions are threads of one process. A lock makes two simultaneous
    requests measure one after the other, never side by side (two at once would time each
    other's interference); reading the latest value needs no lock (one reference, replaced
    whole).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: CostMeasurement | None = None

    def latest(self) -> CostMeasurement | None:
        """The measurement taken last, or None before the first."""
        return self._latest

    def measure(self, n_elements: int, repetitions: int) -> CostMeasurement:
        """Run the benchmark now (a few seconds), keep it as the latest and return it."""
        with self._lock:
            self._latest = compute_cost.timed_measurement(n_elements, repetitions)
            return self._latest


def session_memo(key: str) -> MutableMapping[Any, Any]:
    """This session's mapping under ``key`` (made empty on first use); ordered, so a user
    can keep it as a least-recently-used memo."""
    return st.session_state.setdefault(key, OrderedDict())
