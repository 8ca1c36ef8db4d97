"""Cached entry points of the Dead ReLU monitor, and the probes of a run being watched.

The census and a replayed probe are pure functions of plain arguments (a TrainConfig is
frozen and hashable), so ``st.cache_data`` keeps them; it copies what it returns. The live
replay is different: a network under training, so it lives only in one script run
(:class:`ProbeSource`), never in a global cache.
"""

from __future__ import annotations

from collections import OrderedDict

import pandas as pd
import streamlit as st

from actlib import dead_units
from actlib.dead_units import Replay, UnitProbe
from actlib.training import TrainConfig

_MEMO_KEY = "dead_relu:probes"
_MEMO_SIZE = 6


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


@st.cache_data(max_entries=8, show_spinner="Replaying the run to look inside the network…")
def replayed_probe(config: TrainConfig, step: int) -> UnitProbe:
    return dead_units.probe_at(config, step)


class ProbeSource:
    """Unit-level probes of one run at its snapshot steps, for the draws of a page run.

    While the run trains, a :class:`~actlib.dead_units.Replay` started at step 0 follows it
    (one replay per page run, so every draw costs only the steps since the last one). A run
    shown again from a cache gets a replay cached by config and step instead. Probes
    already made in this session are kept, a few, in ``st.session_state``.
    """

    def __init__(self, config: TrainConfig) -> None:
        self.config = config
        self._replay: Replay | None = None

    def at(self, step: int) -> UnitProbe:
        if self._replay is None and step == 0:  # a run is starting: follow it
            self._replay = Replay(self.config)
        memo: OrderedDict = st.session_state.setdefault(_MEMO_KEY, OrderedDict())
        key = (self.config, step)
        if key in memo:
            memo.move_to_end(key)
            return memo[key]
        if self._replay is not None and self._replay.step <= step:
            self._replay.advance(step)
            probe = self._replay.measure()
        else:
            probe = replayed_probe(self.config, step)
        memo[key] = probe
        while len(memo) > _MEMO_SIZE:
            memo.popitem(last=False)
        return probe
