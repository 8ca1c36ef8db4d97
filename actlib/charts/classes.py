"""Charts of a many-class run: the small map a student clicks to pick a point, and the
softmax bars at that point, both in the app's class palette."""

from __future__ import annotations

import altair as alt
import pandas as pd

from actlib.charts import CHART_FONT_SIZE, CLASS_COLORS
from actlib.live_plots import faded_class_rgb

PICK = "probe_point"
"""Name of the picker's point selection (the page reads the clicked cell from it)."""
SIZE = 250
"""Side of the picker's plot area (px)."""
FRAME = (60, 75)
"""Room (px) Streamlit 1.67 takes from a chart's width and height for the axes and the
title: it fits the whole chart into the size given, so the plot stays square with it."""


def picker_chart(cells: pd.DataFrame, point: tuple[float, float], classes: int) -> alt.Chart:
    """Cells coloured by the predicted class, paler where the network is less sure (the
    live surface's colours, mixed here: translucent cells would show seams where they
    overlap), a click picks one; a cross marks the point shown. ``classes`` is checked
    against the palette."""
    if not 2 <= classes <= len(CLASS_COLORS):
        raise ValueError(f"the palette has colours for 2 to {len(CLASS_COLORS)} classes")
    x_scale = alt.Scale(domain=[float(cells.x1.min()), float(cells.x1.max())], nice=False)
    y_scale = alt.Scale(domain=[float(cells.x2.min()), float(cells.x2.max())], nice=False)
    side = round(len(cells) ** 0.5)
    cell = SIZE / max(side - 1, 1)
    rgb = faded_class_rgb(cells["predicted"].to_numpy(), cells["sure"].to_numpy())
    cells = cells.assign(fill=["#" + "".join(f"{v:02x}" for v in c) for c in rgb])
    pick = alt.selection_point(name=PICK, fields=["x1", "x2"], on="click", clear=False,
                               empty=False)
    tiles = (
        alt.Chart(cells, width=SIZE + FRAME[0], height=SIZE + FRAME[1])
        .mark_square(size=cell * cell, opacity=1)
        .encode(x=alt.X("x1:Q", scale=x_scale, title="x1"),
                y=alt.Y("x2:Q", scale=y_scale, title="x2"),
                color=alt.Color("fill:N", scale=None),
                tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                         alt.Tooltip("predicted:N", title="predicted class")])
        .add_params(pick)
    )
    marker = (
        alt.Chart(pd.DataFrame({"x1": [point[0]], "x2": [point[1]]}))
        .mark_point(shape="cross", size=260, filled=True, color="#262730", stroke="white",
                    strokeWidth=1)
        .encode(x=alt.X("x1:Q", scale=x_scale), y=alt.Y("x2:Q", scale=y_scale))
    )
    return alt.layer(tiles, marker).properties(title="Click a spot")


def softmax_bars(frame: pd.DataFrame) -> alt.Chart:
    """The softmax at the picked point: one bar per class in its colour, labelled with its
    probability; the tooltip adds the logit."""
    classes = len(frame)
    base = alt.Chart(frame, height=SIZE + FRAME[1]).encode(
        x=alt.X("label:N", title=None, sort=None, axis=alt.Axis(labelAngle=0)),
        y=alt.Y("probability:Q", scale=alt.Scale(domain=[0, 1]), title="softmax probability"),
        tooltip=["label", alt.Tooltip("logit:Q", format=".3f"),
                 alt.Tooltip("probability:Q", format=".4f")],
    )
    bars = base.mark_bar().encode(
        color=alt.Color("class:N", scale=alt.Scale(domain=list(range(classes)),
                                                   range=list(CLASS_COLORS)), legend=None))
    labels = base.mark_text(dy=-8, fontSize=CHART_FONT_SIZE).encode(
        text=alt.Text("probability:Q", format=".3f"))
    return bars + labels
