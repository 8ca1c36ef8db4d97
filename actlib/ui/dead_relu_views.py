"""The Dead ReLU monitor's drawing: the live training run's charts and the comparison table.

Kept out of the page so the page stays a list of controls and calls; everything drawn here
is computed in :mod:`actlib.dead_units` and :mod:`actlib.page_text.dead_relu`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import streamlit as st

from actlib import dead_units as dead
from actlib.activations import get
from actlib.charts import dead_relu as charts
from actlib.charts import loss_chart
from actlib.page_text import dead_relu as text
from actlib.training import Snapshot, history_frame
from actlib.ui.metric_row import metric_row
from actlib.ui.notices import divergence_sentences, show_divergences

NUMBER, PERCENT = st.column_config.NumberColumn, "percent"
COMPARE_COLUMNS = {
    "hidden_units": NUMBER("hidden units"), "dead_at_init": NUMBER("dead at init"),
    "dead_now": NUMBER("dead at the end"), "dead_peak": NUMBER("most dead"),
    "dead_share_now": NUMBER("dead share", format=PERCENT),
    "train_loss": NUMBER("training loss", format="%.4f"),
    "train_accuracy": NUMBER("training accuracy", format=PERCENT),
}
"""The Before / after table's columns, as a student reads them."""


@dataclass
class TrainingRunView:
    """The slots of the Training run tab, drawn again for every snapshot of a live run."""

    keys: Sequence[str]
    inspect: str
    layer: int
    depth: int
    width: int
    steps: int
    prelu_slope: float
    source: dead.ProbeSource
    dead_chart: Callable[[Any, Sequence[str]], alt.TopLevelMixin]

    def __post_init__(self) -> None:
        self.member, self.name = list(self.keys).index(self.inspect), get(self.inspect).name
        self.metrics, self.dead = st.empty(), st.empty()
        total_col, loss_col = st.columns(2)
        self.total, self.loss = total_col.empty(), loss_col.empty()
        map_col, hist_col = st.columns([1.1, 1])
        map_col.markdown(charts.activity_legend_html(), unsafe_allow_html=True)
        self.map, self.hist = map_col.empty(), hist_col.empty()
        self.status, self.slope, self.warn = st.empty(), st.empty(), st.empty()

    def draw(self, snapshots: Sequence[Snapshot]) -> None:
        """Every chart of the tab at the latest snapshot (the live runner's callback)."""
        keys, steps = list(self.keys), self.steps
        summary, totals = dead.run_summary(snapshots), dead.totals_frame(snapshots)
        with self.metrics.container():
            st.caption(f"Dead hidden units now, of {self.depth * self.width}, and the change "
                       "since initialisation:")
            metric_row(text.unit_cards(summary, totals))
        show_divergences([*divergence_sentences(snapshots[-1]), *dead.exploded_notes(summary)],
                         target=self.warn)
        self.dead.altair_chart(self.dead_chart(dead.dead_history_frame(snapshots), keys),
                               width="content")
        self.total.altair_chart(charts.total_dead_chart(totals, keys, height=230, steps=steps),
                                width="stretch")
        self.loss.altair_chart(
            loss_chart(history_frame(snapshots), keys, title="Training loss (log scale)",
                       splits=("train",), height=230, last_step=steps),
            width="stretch")
        self._draw_inside(snapshots[-1].step)
        slopes = dead.slopes_history(snapshots)
        if not slopes.empty:
            self.slope.altair_chart(charts.slope_chart(slopes, self.depth, self.prelu_slope,
                                                       height=260, steps=steps),
                                    width="stretch")

    def _draw_inside(self, step: int) -> None:
        """The inspected activation's unit map, histograms and status table at ``step``."""
        probe = self.source.at(step)
        if probe.diverged[self.member]:
            self.map.warning(f"{self.name} diverged: nothing left to look at.")
            self.hist.empty()
        else:
            self.map.altair_chart(charts.activity_map(
                dead.activity_frame(probe, self.member, self.layer),
                f"{self.name}, layer {self.layer}, step {probe.step}: who fires on what"),
                width="content")
            self.hist.altair_chart(charts.preactivation_histograms(
                dead.histogram_frame(probe, self.member), self.inspect, columns=2),
                width="content")
        self.status.dataframe(dead.status_table(probe), width="content")
