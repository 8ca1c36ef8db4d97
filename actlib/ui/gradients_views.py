"""The Vanishing & exploding page's live training view: loss, the layer x step heatmap
(a click on it, paused, picks the layer below) and where that layer's inputs fall.

Kept out of the page so the page stays a list of controls and calls."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import streamlit as st

from actlib import gradients as grad
from actlib.charts import gradients as charts
from actlib.charts import loss_chart
from actlib.training import TrainConfig, history_frame
from actlib.ui import inputs_view
from actlib.ui.layout import activation_legend
from actlib.ui.live_view import LiveSession
from actlib.ui.notices import divergence_sentences, show_divergences
from actlib.ui.settings_widgets import SettingsPanel
from actlib.ui.slot import Slot

HEATMAP_WIDTH = 600  # px of heatmap panels side by side; with axis and legend: the page width
HEATMAP_KEY = "grad_heatmap"


def training_view(panel: SettingsPanel, exp: grad.Experiment, config: TrainConfig,
                  selected: Sequence[str], chance: float | None,
                  session: Callable[[], LiveSession]) -> Callable:
    """Lay out the view's slots (inside the live area) and return its frame callback."""
    columns = min(len(selected), 4) if len(selected) <= 4 else 3
    activation_legend(selected)
    messages = Slot()
    left, right = st.columns([1.3, 1])
    loss_slot, summary_slot = Slot(left), Slot(right)
    heat_slot = Slot()
    st.markdown(inputs_view.INTRO)
    shown, layer, notes = inputs_view.pick(panel, selected, exp.depth, "in_act", "in_layer")
    for note in notes:
        st.caption(note)
    inputs_slot = Slot()

    def pick_layer() -> None:
        inputs_view.pick_from_click(panel, HEATMAP_KEY, charts.LAYER_PICK, "in_act",
                                    "in_layer")

    def draw(runs) -> None:
        snapshots, playing = runs[0], session().playing
        show_divergences(divergence_sentences(snapshots[-1]), grad.divergence_advice(exp),
                         target=messages)
        loss_slot.altair_chart(
            loss_chart(history_frame(snapshots), selected, "Training loss (log scale)",
                       ("train",), 300, exp.steps, chance, points=True),
            width="stretch")
        heatmap = charts.gradient_heatmap(
            grad.gradient_history_frame(snapshots), selected, columns=columns,
            cell_width=int(HEATMAP_WIDTH / columns), pickable=not playing)
        if playing:  # redrawn every frame: no click while it plays
            heat_slot.altair_chart(heatmap, width="content")
        else:
            heat_slot.altair_chart(heatmap, width="content", key=HEATMAP_KEY,
                                   selection_mode=charts.LAYER_PICK, on_select=pick_layer)
        inputs_view.draw(inputs_slot, session().run.state, config, shown, layer)
        summary_slot.markdown("\n".join(f"- {line}"
                                        for line in grad.training_summary(snapshots)))
    return draw
