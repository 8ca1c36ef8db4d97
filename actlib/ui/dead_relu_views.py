"""The Dead ReLU monitor's drawing: the live training run's charts and the comparison table.

Kept out of the page so the page stays a list of controls and calls; everything drawn here
is computed in :mod:`actlib.dead_units` and :mod:`actlib.page_text.dead_relu`.
"""

from __future__ import annotations

import time
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
from actlib.ui.slot import Slot

NUMBER, PERCENT = st.column_config.NumberColumn, "percent"
INSIDE_EVERY_SECONDS = 1.0
"""While a run plays, the look inside (a probe of every unit) follows it once a second; the
charts from the snapshots follow every frame. Paused, it shows the paused step."""
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
    probe: Callable[[], dead.UnitProbe]
    """The live run's network measured where it stands (the paused or latest step)."""
    dead_chart: Callable[[Any, Sequence[str]], alt.TopLevelMixin]
    playing: Callable[[], bool] = lambda: False
    """Whether the run is playing (then the look inside is throttled)."""

    def __post_init__(self) -> None:
        self.member, self.name = list(self.keys).index(self.inspect), get(self.inspect).name
        self.box = st.container()
        self.slots: dict[str, Any] = {}
        self._inside_drawn = -INSIDE_EVERY_SECONDS

    def _slot(self, name: str) -> Any:
        """The slot ``name``, made on first use right where it is first filled.

        Made lazily, in drawing order, so each slot is filled the moment it replaces last
        run's chart at its place: slots made empty all at once, then filled after every
        chart was built, let the page collapse for a moment on "Train again" (measured:
        2,564 px -> 1,334 px for 0.4 s)."""
        if name not in self.slots:
            if name in ("total", "loss"):
                total, loss = st.columns(2)
                self.slots.update(total=Slot(total), loss=Slot(loss))
            elif name in ("map", "hist"):
                map_col, hist_col = st.columns([1.1, 1])
                map_col.markdown(charts.activity_legend_html(), unsafe_allow_html=True)
                self.slots.update(map=Slot(map_col), hist=Slot(hist_col))
            else:
                self.slots[name] = Slot()
        return self.slots[name]

    def draw(self, snapshots: Sequence[Snapshot]) -> None:
        """Every chart of the tab at the latest snapshot (the live runner's callback)."""
        keys, steps = list(self.keys), self.steps
        summary, totals = dead.run_summary(snapshots), dead.totals_frame(snapshots)
        with self.box:
            with self._slot("metrics").container():
                st.caption(f"Dead hidden units now, of {self.depth * self.width}, and the "
                           "change since initialisation:")
                metric_row(text.unit_cards(summary, totals))
            self._slot("dead").altair_chart(
                self.dead_chart(dead.dead_history_frame(snapshots), keys), width="content")
            self._slot("total").altair_chart(
                charts.total_dead_chart(totals, keys, height=230, steps=steps), width="stretch")
            self._slot("loss").altair_chart(
                loss_chart(history_frame(snapshots), keys, title="Training loss (log scale)",
                           splits=("train",), height=230, last_step=steps),
                width="stretch")
            due = time.monotonic() - self._inside_drawn >= INSIDE_EVERY_SECONDS
            if due or not self.playing() or snapshots[-1].step >= self.steps:
                self._draw_inside()  # measured on the network: at most once a second
                self._inside_drawn = time.monotonic()
            slopes = dead.slopes_history(snapshots)
            if not slopes.empty:
                self._slot("slope").altair_chart(charts.slope_chart(
                    slopes, self.depth, self.prelu_slope, height=260, steps=steps),
                    width="stretch")
            show_divergences([*divergence_sentences(snapshots[-1]),
                              *dead.exploded_notes(summary)], target=self._slot("warn"))

    def _draw_inside(self) -> None:
        """The inspected activation's unit map, histograms and status table, measured on
        the run's own network at the step where it stands."""
        probe = self.probe()
        if probe.diverged[self.member]:
            self._slot("map").warning(f"{self.name} diverged: nothing left to look at.")
            self._slot("hist").empty()
        else:
            self._slot("map").altair_chart(charts.activity_map(
                dead.activity_frame(probe, self.member, self.layer),
                f"{self.name}, layer {self.layer}, step {probe.step}: who fires on what"),
                width="content")
            self._slot("hist").altair_chart(charts.preactivation_histograms(
                dead.histogram_frame(probe, self.member), self.inspect, columns=2),
                width="content")
        self._slot("status").dataframe(dead.status_table(probe), width="content")
