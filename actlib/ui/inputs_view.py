"""The "where the inputs fall" view on a live run: which activation and layer to show, the
chart drawn from the run's own network frame by frame, and a click on a per-layer chart
that picks the layer (:mod:`actlib.inputs_on_curve` computes it all)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import streamlit as st

from actlib.activations import get
from actlib.charts.inputs_on_curve import inputs_on_curve_chart
from actlib.inputs_on_curve import curve_on_window, inputs_on_curve, shares_sentence
from actlib.training import RunState, TrainConfig
from actlib.ui.settings_widgets import SettingsPanel

INTRO = ("**Where the inputs fall.** The bars are the share of one layer's inputs at each x; "
         "the lines are the activation f (solid) and its slope f′ (dashed) over the same x; "
         "grey marks where |f′| is tiny. Play and watch the inputs move along the curve.")


def pick(panel: SettingsPanel, keys: Sequence[str], depth: int, act_key: str,
         layer_key: str, container: Any = None) -> tuple[str, int, list[str]]:
    """Draw the activation and layer pickers; returns the activation, the layer (both
    valid for this run) and notes on what was adjusted."""
    cells = (container or st).columns([1.3, 1, 2.2], vertical_alignment="bottom")
    chosen, layer = panel.widget(act_key, cells[0]), panel.widget(layer_key, cells[1])
    notes = []
    if chosen not in keys:
        notes.append(f"{get(chosen).name} is not among the activations compared: showing "
                     f"{get(keys[0]).name}.")
        chosen = keys[0]
    if layer > depth:
        notes.append(f"The network has {depth} hidden layers: showing layer {depth}.")
        layer = depth
    return chosen, layer, notes


def draw(slot: Any, run: RunState, config: TrainConfig, key: str, layer: int) -> None:
    """The chart and its caption for ``key``'s first model, where ``run`` stands."""
    member = next(i for i, m in enumerate(config.models) if m.key == key)
    with slot.container():
        if run.diverged_step[member] >= 0:
            st.warning(f"{get(key).name} diverged: its inputs are no longer finite.")
            return
        measured = inputs_on_curve(run, member, layer)
        st.altair_chart(inputs_on_curve_chart(measured, curve_on_window(measured)),
                        width="content")
        st.caption(shares_sentence(measured, get(key).name))


def pick_from_click(panel: SettingsPanel, chart_key: str, selection: str, act_key: str,
                    layer_key: str) -> None:
    """A chart's click callback: set the activation and layer of the clicked cell."""
    event = st.session_state.get(chart_key) or {}
    points = event.get("selection", {}).get(selection) or []
    if points:
        point = points[0]
        values: dict[str, Any] = {layer_key: int(point["layer"])}
        if "key" in point:
            values[act_key] = point["key"]
        panel.set_values(values)
